/* Overflow-checked arithmetic for sizes and offsets read from untrusted input. */
#ifndef SF_UTIL_CHECKED_H
#define SF_UTIL_CHECKED_H

#include <stdbool.h>
#include <stdint.h>

/* Each returns false (and leaves *out unspecified) when the result overflows. */
static inline bool sf__add_u64(uint64_t a, uint64_t b, uint64_t *out)
{
	return !__builtin_add_overflow(a, b, out);
}

static inline bool sf__mul_u64(uint64_t a, uint64_t b, uint64_t *out)
{
	return !__builtin_mul_overflow(a, b, out);
}

/* Rounds `value` up to a multiple of `align` (align > 0, any value). */
static inline bool sf__roundup_u64(uint64_t value, uint64_t align, uint64_t *out)
{
	uint64_t rem = value % align;
	if (rem == 0) {
		*out = value;
		return true;
	}
	return sf__add_u64(value, align - rem, out);
}

/* Saturating forms for figures that only need to compare: UINT64_MAX on overflow. */
static inline uint64_t sf__add_sat_u64(uint64_t a, uint64_t b)
{
	uint64_t r;
	return sf__add_u64(a, b, &r) ? r : UINT64_MAX;
}

static inline uint64_t sf__mul_sat_u64(uint64_t a, uint64_t b)
{
	uint64_t r;
	return sf__mul_u64(a, b, &r) ? r : UINT64_MAX;
}

/* `value` rounded up to a multiple of `align`; UINT64_MAX on overflow or align 0. */
static inline uint64_t sf__roundup_sat_u64(uint64_t value, uint64_t align)
{
	uint64_t r;
	return align && sf__roundup_u64(value, align, &r) ? r : UINT64_MAX;
}

static inline bool sf__is_pow2(uint64_t v)
{
	return v != 0 && (v & (v - 1)) == 0;
}

#endif
