/* The C placement engine: structs placed member after member by the C rules, and their check. */
#include "layout/place.h"

#include <string.h>

#include "util/checked.h"
#include "util/fail.h"

/*
 * Go pads a struct that ends in a zero-size field by one byte before
 * rounding, so the field's address cannot point at the next object
 * (cmd/compile, golang.org/issue/9401).  `end` is in bits.
 */
static uint64_t go_tail(const sf_struct *s, const sf_member *last, uint64_t end)
{
	if (s->go && s->kind != SF_UNION && last && last->size == 0 && end > 0 && end != SF_PLACE_NONE)
		return end + 8;
	return end;
}

sf_place_verdict sf__place_c_check(const sf_struct *s, uint32_t *member)
{
	uint64_t pos = 0, first = 0, size;
	uint32_t align;

	if (member)
		*member = 0;
	for (uint32_t i = 0; i < s->member_count; i++) {
		const sf_member *m = &s->members[i];
		if (member)
			*member = i;
		if (!sf__place_member_placeable(m))
			return SF_PLACE_UNPLACEABLE;
		pos = sf__place_member(m, pos, &first);
		if (pos == SF_PLACE_NONE)
			return SF_PLACE_TOO_LARGE;
		if (m->flags & SF_MEMBER_BITFIELD) {
			if (first != m->bit_offset)
				return SF_PLACE_MISMATCH;
		} else if (first != m->offset * 8 || m->bit_offset != m->offset * 8) {
			return SF_PLACE_MISMATCH;
		}
	}
	if (member)
		*member = s->member_count;
	pos = go_tail(s, s->member_count ? &s->members[s->member_count - 1] : NULL, pos);
	align = sf__place_struct_align(s);
	size = sf__place_roundup_bits(pos, (uint64_t)align * 8);
	if (size == SF_PLACE_NONE)
		return SF_PLACE_TOO_LARGE;
	if (size / 8 != s->size)
		return SF_PLACE_MISMATCH;
	return SF_PLACE_OK;
}

int sf__place_struct(const sf_struct *s, const uint32_t *order, uint32_t count,
		     sf_arena *arena, sf_struct **out)
{
	sf_struct *placed;
	sf_member *members = NULL;
	uint64_t pos = 0, end = 0, size;
	uint32_t align;

	*out = NULL;
	if (s->packed)
		return sf__fail(SF_EUNSUPPORTED, "packed struct: members are not placed by the ABI rules");
	if (count != s->member_count)
		return sf__fail(SF_EUSAGE, "order lists %u of %u members", count, s->member_count);
	placed = sf__arena_alloc(arena, sizeof(*placed));
	if (!placed)
		return sf__fail(SF_ENOMEM, "out of memory while placing members");
	if (count) {
		members = sf__arena_calloc(arena, count, sizeof(*members));
		if (!members)
			return sf__fail(SF_ENOMEM, "out of memory while placing members");
	}
	for (uint32_t i = 0; i < count; i++) {
		const sf_member *m;
		uint64_t first = 0, e;
		if (order[i] >= s->member_count)
			return sf__fail(SF_EUSAGE, "member index %u out of range", order[i]);
		m = &s->members[order[i]];
		if (!sf__place_member_placeable(m))
			return sf__fail(SF_EUNSUPPORTED, "member %s has no placeable type",
					m->name ? m->name : "(anonymous)");
		members[i] = *m;
		e = sf__place_member(m, s->kind == SF_UNION ? 0 : pos, &first);
		if (e == SF_PLACE_NONE)
			return sf__fail(SF_EINVALID, "member positions overflow");
		members[i].bit_offset = first;
		members[i].offset = (m->flags & SF_MEMBER_BITFIELD) ? sf__place_unit_offset(m, first) : first / 8;
		members[i].align = sf__place_member_align(m);
		if (s->kind != SF_UNION)
			pos = e;
		if (e > end)
			end = e;
	}
	end = go_tail(s, count ? &members[count - 1] : NULL, end);
	align = sf__place_struct_align(s);
	size = sf__place_roundup_bits(end, (uint64_t)align * 8);
	if (size == SF_PLACE_NONE)
		return sf__fail(SF_EINVALID, "struct size overflows");
	memset(placed, 0, sizeof(*placed));
	placed->kind = s->kind;
	placed->name = s->name;
	placed->typedef_name = s->typedef_name;
	placed->size = size / 8;
	placed->align = align;
	placed->explicit_align = s->explicit_align;
	placed->over_aligned = s->over_aligned;
	placed->align_certain = s->align_certain;
	placed->decl_file = s->decl_file;
	placed->decl_line = s->decl_line;
	placed->file_index = s->file_index;
	placed->member_count = count;
	placed->members = members;
	placed->is_nested_body = s->is_nested_body;
	placed->go = s->go;
	*out = placed;
	return 0;
}
