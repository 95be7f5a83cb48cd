/* ABI facts per target: how scalars align inside structs. */
#ifndef SF_MODEL_TARGET_H
#define SF_MODEL_TARGET_H

#include <stdbool.h>
#include <stdint.h>

typedef enum sf_scalar_class {
	SF_SCALAR_INTEGER,   /* ints, chars, bool, enums, pointers */
	SF_SCALAR_FLOAT,     /* binary floating point, incl. long double / _Float128 */
	SF_SCALAR_COMPLEX,   /* _Complex: aligned like one component */
	SF_SCALAR_DECIMAL,   /* _Decimal32/64/128 */
	SF_SCALAR_VECTOR     /* GNU vector types (DW_AT_GNU_vector arrays) */
} sf_scalar_class;

/*
 * One row per target.  Alignment of a scalar of `size` bytes inside a
 * struct is min(size, max_align) unless a special column applies; the
 * special columns exist because a few ABIs break the natural rule (i386
 * aligns double and long long to 4 in structs for SVR4 compatibility,
 * s390x caps even 16-byte types at 8).
 */
typedef struct sf_target {
	const char *arch;          /* name used in reports */
	uint16_t machine;          /* ELF e_machine */
	uint8_t address_size;      /* 4 or 8 */
	bool big_endian;
	uint8_t max_align;         /* cap for integers, floats and pointers */
	uint8_t int128_align;      /* __int128 */
	uint8_t float128_align;    /* 16-byte floats: long double, __float128 */
	uint8_t x87_align;         /* 12- or 10-byte x87 long double (i386/x86-64) */
	uint8_t vector_max_align;  /* cap for GNU vector types */
} sf_target;

/*
 * Row for an ELF machine/class/byte order.  Unknown machines get a generic
 * natural-alignment row named "unknown" (never NULL), so reports still
 * work; sf__target_is_known() says whether the numbers are trustworthy.
 */
const sf_target *sf__target_lookup(uint16_t machine, unsigned address_size, bool big_endian);
bool sf__target_is_known(const sf_target *target);

/*
 * The row to use for code from `producer` (a unit's DW_AT_producer, may be
 * NULL): some compiler versions deviate from the ABI and the layout they
 * produced is what we must describe.  Returns `target` when no quirk applies.
 */
const sf_target *sf__target_for_producer(const sf_target *target, const char *producer);

/* Alignment inside a struct of a scalar of class `cls` and `size` bytes. */
uint32_t sf__target_scalar_align(const sf_target *target, sf_scalar_class cls, uint64_t size);

/* Default cache-line size used by reports. */
#define SF_DEFAULT_CACHELINE 64u

#endif
