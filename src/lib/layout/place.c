/* The ABI placement engine: member positions, struct size and the reproducibility check. */
#include "layout/place.h"

#include "layout/place_cxx.h"

#include <string.h>

#include "util/checked.h"
#include "util/fail.h"

uint32_t sf__place_member_align(const sf_member *m)
{
	uint32_t align = m->type_align ? m->type_align : 1;
	if (m->explicit_align > align)
		align = m->explicit_align;
	return align;
}

bool sf__place_member_placeable(const sf_member *m)
{
	if (m->flags & SF_MEMBER_UNKNOWN_TYPE)
		return false;
	if (!sf__is_pow2(m->type_align) || m->type_align > (1u << 28))
		return false;
	if (m->explicit_align && (!sf__is_pow2(m->explicit_align) || m->explicit_align > (1u << 28)))
		return false;
	if (m->size >= SF_PLACE_MAX_BITS / 16)
		return false;
	if (m->flags & SF_MEMBER_BITFIELD)
		return m->size > 0 && m->bit_size > 0 && m->bit_size <= m->size * 8;
	return true;
}

uint64_t sf__place_member(const sf_member *m, uint64_t pos, uint64_t *first)
{
	uint64_t start, end;

	if (pos >= SF_PLACE_MAX_BITS)
		return SF_PLACE_NONE;
	if (m->flags & SF_MEMBER_BITFIELD) {
		uint64_t unit = m->size * 8;
		uint64_t align = (uint64_t)(m->type_align ? m->type_align : 1) * 8;
		start = pos;
		/* aligned(N) on a bitfield moves its start like on any member. */
		if (m->explicit_align > 1)
			start = sf__place_roundup_bits(start, (uint64_t)m->explicit_align * 8);
		if (start == SF_PLACE_NONE)
			return SF_PLACE_NONE;
		if (start + m->bit_size > start / align * align + unit)
			start = sf__place_roundup_bits(start, align);
		if (start == SF_PLACE_NONE)
			return SF_PLACE_NONE;
		end = start + m->bit_size;
	} else {
		start = sf__place_roundup_bits(pos, 8);
		if (start == SF_PLACE_NONE)
			return SF_PLACE_NONE;
		start = sf__place_roundup_bits(start, (uint64_t)sf__place_member_align(m) * 8);
		if (start == SF_PLACE_NONE)
			return SF_PLACE_NONE;
		end = start + m->size * 8;
	}
	if (end >= SF_PLACE_MAX_BITS)
		return SF_PLACE_NONE;
	if (first)
		*first = start;
	return end;
}

uint64_t sf__place_member_latest(const sf_member *m, uint64_t bound)
{
	uint64_t latest;

	if (bound >= SF_PLACE_MAX_BITS)
		bound = SF_PLACE_MAX_BITS - 1;
	if (m->flags & SF_MEMBER_BITFIELD) {
		uint64_t unit = m->size * 8;
		uint64_t align = (uint64_t)(m->type_align ? m->type_align : 1) * 8;
		uint64_t w = m->bit_size, window;
		if (bound < w)
			return SF_PLACE_NONE;
		latest = bound - w;
		window = latest / align * align;
		/* Starting at `latest` would cross the unit: the last start that
		 * stays in this unit is as late as anything can go (every later
		 * start jumps to the next boundary and ends past `bound`). */
		if (latest + w > window + unit)
			latest = window + unit - w;
		if (m->explicit_align > 1) {
			uint64_t x = (uint64_t)m->explicit_align * 8;
			latest = latest / x * x;
		}
		return latest;
	}
	uint64_t bits = m->size * 8;
	uint64_t align = (uint64_t)sf__place_member_align(m) * 8;
	if (bound < bits)
		return SF_PLACE_NONE;
	latest = (bound - bits) / align * align;
	return latest;
}

uint32_t sf__place_struct_align(const sf_struct *s)
{
	uint32_t align = s->align ? s->align : 1;
	if (s->explicit_align > align && sf__is_pow2(s->explicit_align))
		align = s->explicit_align;
	for (uint32_t i = 0; i < s->member_count; i++) {
		uint32_t a = sf__place_member_align(&s->members[i]);
		if (a > align)
			align = a;
	}
	return align;
}

uint64_t sf__place_unit_offset(const sf_member *m, uint64_t first_bit)
{
	if (m->size)
		return first_bit / (m->size * 8) * m->size;
	return first_bit / 8;
}

const char *sf__place_verdict_text(sf_place_verdict verdict)
{
	switch (verdict) {
	case SF_PLACE_OK:
		return "layout reproduced";
	case SF_PLACE_PACKED:
		return "packed";
	case SF_PLACE_UNION:
		return "union";
	case SF_PLACE_UNPLACEABLE:
		return "member of unknown type or alignment";
	case SF_PLACE_MISMATCH:
		return "layout not reproducible from debug info";
	case SF_PLACE_TOO_LARGE:
		return "struct too large to place";
	case SF_PLACE_VIRTUAL_BASE:
		return "virtual base";
	}
	return "layout not reproducible from debug info";
}

sf_place_verdict sf__place_check(const sf_struct *s, uint32_t *member)
{
	uint64_t pos = 0, first = 0, size;
	uint32_t align;

	if (member)
		*member = 0;
	if (s->kind == SF_UNION)
		return SF_PLACE_UNION;
	if (s->packed)
		return SF_PLACE_PACKED;
	if (sf__place_cxx_applies(s)) {
		sf_arena *scratch = NULL;
		sf_place_cxx *hyps = NULL;
		uint32_t count = 0;
		sf_place_verdict v = SF_PLACE_TOO_LARGE;
		if (sf__arena_new(&scratch) == 0)
			v = sf__place_cxx_infer(s, scratch, &hyps, &count, member);
		sf__arena_free(scratch);
		return v;
	}
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
	*out = placed;
	return 0;
}
