/* The ABI placement primitives: one member's position and alignment, a struct's alignment. */
#include "layout/place_member.h"

#include "util/checked.h"

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
