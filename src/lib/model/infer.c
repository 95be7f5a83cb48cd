/* Inferring struct alignment and packing from what DWARF records. */
#include "model/structs.h"

#include "util/checked.h"

/*
 * DWARF gives sizes and offsets but not the alignment the compiler used
 * (except DW_AT_alignment for explicit requests).  We derive it: a struct
 * is as aligned as its most aligned member unless its offsets or size prove
 * that some members lost their alignment (packed) or that the whole struct
 * was given more (aligned(N) without DW_AT_alignment, as older producers do).
 *
 * Two layouts DWARF cannot tell apart decide what "certain" means here:
 * a struct declared __packed__ as a whole whose members happen to sit at
 * their natural offsets looks exactly like the unpacked struct, and a
 * packed struct looks like one whose misaligned members carry their own
 * packed attribute.  We assume members at naturally aligned offsets kept
 * their alignment unless the whole struct packs (the common idioms) and
 * record in align_certain whether the other reading was ruled out.
 */

static uint32_t member_natural(const sf_member *m)
{
	uint32_t align = m->type_align ? m->type_align : 1;
	if (m->explicit_align > align)
		align = m->explicit_align;
	return align;
}

/* True when a bitfield crosses a boundary its declared type may not cross. */
static bool bitfield_straddles(const sf_member *m, uint32_t align)
{
	uint64_t unit_bits = (uint64_t)align * 8;
	uint64_t first = m->bit_offset;
	uint64_t last = m->bit_offset + m->bit_size - 1;
	if (unit_bits == 0 || m->size == 0)
		return false;
	/* The SysV/AAPCS rule: a bitfield fits in some naturally aligned unit
	 * of its type's size.  Units of sizeof(T) aligned to alignof(T) when
	 * they differ (i386 long long: 8 bytes aligned to 4) are checked as
	 * any window of sizeof(T) starting at an alignof(T) boundary. */
	uint64_t size_bits = m->size * 8;
	uint64_t window_start = (first / unit_bits) * unit_bits;
	return last >= window_start + size_bits;
}

/* The member sits where its own natural alignment allows. */
static bool member_aligned(const sf_member *m, uint32_t align)
{
	if (sf__member_is_bitfield(m))
		return !bitfield_straddles(m, align);
	return m->offset % align == 0;
}

static uint64_t member_end(const sf_member *m)
{
	if (m->flags & SF_MEMBER_BITFIELD)
		return (m->bit_offset + m->bit_size + 7) / 8;
	return m->offset + m->size;
}

bool sf__struct_packing_reproduces(const sf_struct *s)
{
	uint64_t next_bit = 0, extent = 0;
	uint64_t align = s->explicit_align ? s->explicit_align : 1;

	for (uint32_t i = 0; i < s->member_count; i++) {
		const sf_member *m = &s->members[i];
		uint64_t member_align = m->align_on_member ? m->explicit_align : 0;
		uint64_t bits = sf__member_is_bitfield(m) ? m->bit_size : sf__mul_sat_u64(m->size, 8);
		uint64_t start;

		if (member_align > align)
			align = member_align;
		if (s->kind == SF_UNION) {
			if (m->offset != 0 || (sf__member_is_bitfield(m) && m->bit_offset != 0))
				return false;
			extent = extent > bits ? extent : bits;
			continue;
		}
		start = sf__member_is_bitfield(m) ? next_bit : sf__roundup_sat_u64(next_bit, 8);
		if (member_align)
			start = sf__roundup_sat_u64(start, sf__mul_sat_u64(member_align, 8));
		if ((sf__member_is_bitfield(m) ? m->bit_offset : sf__mul_sat_u64(m->offset, 8)) != start)
			return false;
		next_bit = sf__add_sat_u64(start, bits);
		extent = next_bit;
	}
	return sf__roundup_sat_u64(sf__roundup_sat_u64(extent, 8) / 8, align) == s->size;
}

/* Largest alignment requested on a member itself: what packing keeps. */
static uint32_t max_member_explicit(const sf_struct *s)
{
	uint32_t align = 1;
	for (uint32_t i = 0; i < s->member_count; i++) {
		if (s->members[i].align_on_member && s->members[i].explicit_align > align)
			align = s->members[i].explicit_align;
	}
	return align;
}

/*
 * The alignment of a struct whose members at their natural offsets kept
 * it (the others carried their own packed attribute): the most aligned
 * such member's, as far as the size allows.
 */
static uint32_t kept_alignment(const sf_struct *s)
{
	uint32_t align = 1;

	for (uint32_t i = 0; i < s->member_count; i++) {
		const sf_member *m = &s->members[i];
		uint32_t a = member_natural(m);
		if (member_aligned(m, a) && a > align)
			align = a;
	}
	while (align > 1 && s->size % align != 0)
		align /= 2;
	return align;
}

/*
 * A struct known to be packed somewhere: packed as a whole when the
 * members follow one another, then only explicit alignments survive (the
 * struct's own aligned(N) included); otherwise some members carried their
 * own packed attribute and the others kept their alignment.
 */
static void infer_packed(sf_struct *s)
{
	uint32_t kept = kept_alignment(s);
	uint32_t floor = max_member_explicit(s);

	if (s->explicit_align > floor)
		floor = s->explicit_align;
	if (sf__struct_packing_reproduces(s)) {
		/* Certain only when no member could have kept an alignment of
		 * its own instead. */
		s->align = floor;
		s->align_certain = kept <= floor;
	} else {
		s->align = kept > floor ? kept : floor;
		s->align_certain = false;
	}
}

/* Smallest power of two p (up to limit) with value rounded up to p == target. */
static uint32_t smallest_rounding(uint64_t value, uint64_t target, uint32_t limit)
{
	for (uint32_t p = 1; p <= limit; p *= 2) {
		if (sf__roundup_sat_u64(value, p) == target)
			return p;
		if (p == (1u << 30))
			break;
	}
	return limit;
}

/*
 * The least alignment the layout proves: a hole before a member is only
 * there because the member is aligned (at least to the smallest power of
 * two that skips the hole), and tail padding only because the struct is.
 */
static uint32_t proven_alignment(const sf_struct *s, uint64_t end, uint32_t limit)
{
	uint32_t proven = smallest_rounding(end, s->size, limit);
	uint64_t used = 0;

	for (uint32_t i = 0; i < s->member_count && s->kind != SF_UNION; i++) {
		const sf_member *m = &s->members[i];
		uint32_t p;
		if (sf__member_is_bitfield(m)) {
			used = (m->bit_offset + m->bit_size + 7) / 8;
			continue;
		}
		if (m->offset > used) {
			p = smallest_rounding(used, m->offset, limit);
			if (p > proven)
				proven = p;
		}
		used = m->offset + m->size;
	}
	return proven;
}

static void infer_natural(sf_struct *s, uint32_t natural, uint64_t end)
{
	/* Over-alignment shows as tail padding larger than the natural
	 * alignment can explain. */
	uint32_t a = natural;
	uint64_t rounded = end % a ? end + (a - end % a) : end;

	while (rounded < s->size && a < (1u << 30) && s->size % ((uint64_t)a * 2) == 0) {
		a *= 2;
		rounded = end % a ? end + (a - end % a) : end;
	}
	if (rounded == s->size && a > natural) {
		/* Any larger power of two that rounds to the same size would
		 * explain the padding as well. */
		uint64_t twice = (uint64_t)a * 2;
		s->align = a;
		s->over_aligned = true;
		s->align_certain = s->size % twice != 0 || sf__roundup_sat_u64(end, twice) != s->size;
		return;
	}
	/* A member's packed attribute, or the whole struct's when nothing
	 * is padded, would leave the same offsets with less alignment than
	 * the members ask for: only what the padding proves is certain. */
	s->align = natural;
	s->align_certain = proven_alignment(s, end, natural) == natural;
}

void sf__struct_infer_alignment(sf_struct *s)
{
	uint32_t natural = 1;
	uint64_t end = 0;
	bool misaligned = false;

	for (uint32_t i = 0; i < s->member_count; i++) {
		const sf_member *m = &s->members[i];
		uint32_t a = member_natural(m);
		uint64_t e = member_end(m);
		if (a > natural)
			natural = a;
		if (e > end)
			end = e;
		if (!member_aligned(m, a))
			misaligned = true;
	}
	/* Go pads a struct ending in a zero-size field by one byte before
	 * rounding (see layout/place.c); it says nothing of the alignment. */
	if (s->go && s->member_count && !s->members[s->member_count - 1].size && end > 0 &&
	    s->members[s->member_count - 1].offset == end)
		end++;
	s->packed = misaligned || (s->size % natural != 0);
	/* aligned(N) never lowers an alignment: below the members' natural
	 * one it either sits on a packed struct or does nothing.  When the
	 * members could follow one another unpadded both readings fit; the
	 * packed one is the safe one to plan with. */
	if (!s->packed && s->explicit_align && s->explicit_align < natural &&
	    sf__struct_packing_reproduces(s))
		s->packed = true;
	s->maybe_packed = s->packed && !misaligned && s->size % natural == 0;
	s->over_aligned = false;
	s->align_certain = true;
	if (s->packed) {
		infer_packed(s);
		if (s->maybe_packed)
			s->align_certain = false;
	} else if (s->explicit_align) {
		/* aligned(N) only ever raises alignment. */
		s->align = natural > s->explicit_align ? natural : s->explicit_align;
		s->align_certain = s->align == s->explicit_align ||
				   proven_alignment(s, end, s->align) == s->align;
	} else {
		infer_natural(s, natural, end);
	}
	for (uint32_t i = 0; i < s->member_count; i++) {
		sf_member *m = &s->members[i];
		uint32_t a = member_natural(m);
		if (!s->packed || m->align_on_member) {
			m->align = a;
		} else {
			/* In a packed struct, a member keeps its alignment only when
			 * its offset and the struct's alignment both allow it. */
			m->align = (member_aligned(m, a) && a <= s->align) ? a : 1;
		}
	}
}
