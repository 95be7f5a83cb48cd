/* Inferring struct alignment and packing from what DWARF records. */
#include "model/structs.h"

/*
 * DWARF gives sizes and offsets but not the alignment the compiler used
 * (except DW_AT_alignment for explicit requests).  We derive it: a struct
 * is as aligned as its most aligned member unless its offsets or size prove
 * that some members lost their alignment (packed) or that the whole struct
 * was given more (aligned(N) without DW_AT_alignment, as older producers do).
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

static uint64_t member_end(const sf_member *m)
{
	if (m->flags & SF_MEMBER_BITFIELD)
		return (m->bit_offset + m->bit_size + 7) / 8;
	return m->offset + m->size;
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
		if (m->flags & SF_MEMBER_BITFIELD) {
			if (bitfield_straddles(m, a))
				misaligned = true;
		} else if (m->offset % a != 0) {
			misaligned = true;
		}
	}
	if (s->explicit_align > natural && s->explicit_align <= (1u << 30))
		natural = s->explicit_align;

	s->packed = misaligned || (s->size % natural != 0);
	s->over_aligned = false;
	if (s->explicit_align && s->packed) {
		/* packed+aligned(N): the attribute sets the final alignment. */
		s->align = s->explicit_align;
	} else if (s->explicit_align) {
		/* aligned(N) only ever raises alignment. */
		s->align = natural;
	} else if (s->packed) {
		/* Keep the largest power of two that the size and every member
		 * that is still aligned agree with: packing one member of a
		 * struct of ints leaves the struct int-aligned. */
		uint32_t a = natural;
		while (a > 1 && s->size % a != 0)
			a /= 2;
		s->align = a;
	} else {
		/* Over-alignment shows as tail padding larger than the natural
		 * alignment can explain. */
		uint32_t a = natural;
		uint64_t rounded = end % a ? end + (a - end % a) : end;
		while (rounded < s->size && a < (1u << 30) && s->size % ((uint64_t)a * 2) == 0) {
			a *= 2;
			rounded = end % a ? end + (a - end % a) : end;
		}
		if (rounded == s->size && a > natural) {
			s->align = a;
			s->over_aligned = true;
		} else {
			s->align = natural;
		}
	}
	for (uint32_t i = 0; i < s->member_count; i++) {
		sf_member *m = &s->members[i];
		uint32_t a = member_natural(m);
		if (!s->packed || m->explicit_align) {
			m->align = a;
		} else if (m->flags & SF_MEMBER_BITFIELD) {
			m->align = bitfield_straddles(m, a) ? 1 : (a <= s->align ? a : 1);
		} else {
			/* In a packed struct, a member keeps its alignment only when
			 * its offset and the struct's alignment both allow it. */
			m->align = (m->offset % a == 0 && a <= s->align) ? a : 1;
		}
	}
}
