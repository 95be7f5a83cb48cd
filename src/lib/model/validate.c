/* Sanity of a built definition: every member lies inside the struct. */
#include "model/structs.h"

#include <stdio.h>

/*
 * A member reaching past the end of its struct cannot come from a
 * compiler: the DWARF is corrupt, and drawing it would print holes and
 * padding that do not exist.  Flexible arrays (size 0) may sit at the very
 * end; members whose offset the model could not evaluate are not judged.
 */
bool sf__struct_members_fit(const sf_struct *s, char *why, size_t why_size)
{
	uint64_t bits = s->size * 8;

	for (uint32_t i = 0; i < s->member_count; i++) {
		const sf_member *m = &s->members[i];
		const char *name = m->name ? m->name : "(anonymous)";

		if (m->flags & SF_MEMBER_UNKNOWN_TYPE)
			continue;
		if (m->flags & SF_MEMBER_BITFIELD) {
			/* bit_offset and bit_size are bounded on load, no overflow. */
			if (m->bit_offset + m->bit_size > bits) {
				snprintf(why, why_size, "bitfield '%s' (bits %llu..%llu) past the end of a %llu-byte struct",
					 name, (unsigned long long)m->bit_offset,
					 (unsigned long long)(m->bit_offset + m->bit_size - 1),
					 (unsigned long long)s->size);
				return false;
			}
		} else if (m->offset > s->size || m->size > s->size - m->offset) {
			snprintf(why, why_size, "member '%s' (offset %llu, size %llu) past the end of a %llu-byte struct",
				 name, (unsigned long long)m->offset, (unsigned long long)m->size,
				 (unsigned long long)s->size);
			return false;
		}
	}
	return true;
}
