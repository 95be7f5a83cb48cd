/* The ABI placement primitives: where one member goes, a struct's alignment, the verdicts of the engines. */
#ifndef SF_LAYOUT_PLACE_MEMBER_H
#define SF_LAYOUT_PLACE_MEMBER_H

#include <stdbool.h>
#include <stdint.h>

#include "model/structs.h"
#include "util/checked.h"

/*
 * Positions are bit counts from the start of the struct, in memory order
 * (the model's convention: on big-endian targets bit 0 is the most
 * significant bit of byte 0).  Both gcc and clang allocate bitfields in
 * increasing memory order on every supported target, so one rule serves
 * little- and big-endian ABIs alike:
 *
 * - an ordinary member starts at roundup(ceil(pos / 8), align) bytes, where
 *   align is max(type_align, explicit_align);
 * - a bitfield of declared type T and width w starts at pos unless
 *   [pos, pos + w) leaves the sizeof(T)-byte unit that begins at the last
 *   alignof(T) boundary at or before pos; then it starts at the next
 *   alignof(T) boundary (this is why i386 `long long` bitfields, 8 bytes
 *   aligned to 4, may start in the middle of an 8-byte chunk);
 * - named bitfields raise the struct alignment to alignof(T) like ordinary
 *   members do; the struct size is the end rounded up to the alignment.
 *
 * Unnamed and zero-width bitfields are not in DWARF: a struct that had them
 * usually fails sf__place_check(), which is the point of the check.
 */

/* Returned instead of a position: impossible or beyond SF_PLACE_MAX_BITS. */
#define SF_PLACE_NONE UINT64_MAX

/* Positions stay below this (2^60 bits), so sums of two never wrap. */
#define SF_PLACE_MAX_BITS (UINT64_C(1) << 60)

/* Smallest multiple of `align` (bits, > 0) at or after `pos`, or NONE. */
static inline uint64_t sf__place_roundup_bits(uint64_t pos, uint64_t align)
{
	uint64_t r;
	if (!sf__roundup_u64(pos, align, &r) || r >= SF_PLACE_MAX_BITS)
		return SF_PLACE_NONE;
	return r;
}

/* Alignment in bytes a member imposes: max(type_align, explicit_align), >= 1. */
uint32_t sf__place_member_align(const sf_member *m);

/*
 * Whether the model holds what placement needs for `m`: a known type with
 * an alignment that is a power of two, and for bitfields a declared size
 * and a width that fits it.
 */
bool sf__place_member_placeable(const sf_member *m);

/*
 * Places `m` at the first legal position at or after bit `pos`.  Returns
 * the bit just past the member (bitfield: past its bits; ordinary member:
 * past its bytes) and stores its first bit in *first when `first` is not
 * NULL.  Monotone: a larger `pos` never gives a smaller result.  Returns
 * SF_PLACE_NONE on overflow.
 */
uint64_t sf__place_member(const sf_member *m, uint64_t pos, uint64_t *first);

/*
 * The inverse used by searches: the largest start position `pos` such that
 * sf__place_member(m, pos) <= bound, or SF_PLACE_NONE when none exists.
 */
uint64_t sf__place_member_latest(const sf_member *m, uint64_t bound);

/*
 * The alignment a struct with these members gets whatever their order:
 * the largest member alignment, raised to the definition's own alignment
 * (explicit, or inferred from tail padding, which is how gcc's aligned(N)
 * shows up without DW_AT_alignment).  `s` must not be packed.
 */
uint32_t sf__place_struct_align(const sf_struct *s);

/* Byte offset of a bitfield's storage unit, the loader's convention. */
uint64_t sf__place_unit_offset(const sf_member *m, uint64_t first_bit);

typedef enum sf_place_verdict {
	SF_PLACE_OK = 0,         /* placing in declaration order gives DWARF's layout */
	SF_PLACE_PACKED,         /* packed (as a whole or some members) */
	SF_PLACE_UNION,          /* unions are placed, but have no order to check */
	SF_PLACE_UNPLACEABLE,    /* a member lacks type facts (unknown type, odd alignment) */
	SF_PLACE_MISMATCH,       /* an offset, bit offset or the size differs */
	SF_PLACE_TOO_LARGE,      /* positions beyond SF_PLACE_MAX_BITS */
	SF_PLACE_VIRTUAL_BASE    /* C++ virtual base: its offset is not a constant */
} sf_place_verdict;

#endif
