/* The per-target ABI table. */
#include "model/target.h"

#include <stddef.h>
#include <string.h>

/* ELF e_machine values, spelled out so the model does not need <elf.h>. */
enum {
	MACHINE_386 = 3,
	MACHINE_PPC64 = 21,
	MACHINE_S390 = 22,
	MACHINE_ARM = 40,
	MACHINE_X86_64 = 62,
	MACHINE_AARCH64 = 183,
	MACHINE_RISCV = 243
};

static const sf_target targets[] = {
	/* arch       machine          addr  BE    max i128 f128 x87 vec */
	{ "x86_64",  MACHINE_X86_64,  8, false, 16, 16, 16, 16, 64 },
	/* x32 and friends: ILP32 on x86-64 keeps the x86-64 rules. */
	{ "x32",     MACHINE_X86_64,  4, false, 16, 16, 16, 16, 64 },
	/* SVR4 i386 ABI: 8-byte scalars align to 4 in structs; the 12-byte
	 * long double too; __float128 keeps 16. */
	{ "i386",    MACHINE_386,     4, false,  4,  4, 16,  4, 64 },
	/* AAPCS: 8-byte types align to 8; long double is double. NEON vectors cap at 8. */
	{ "arm",     MACHINE_ARM,     4, false,  8,  8,  8,  8,  8 },
	{ "armeb",   MACHINE_ARM,     4, true,   8,  8,  8,  8,  8 },
	{ "aarch64", MACHINE_AARCH64, 8, false, 16, 16, 16, 16, 16 },
	{ "aarch64_be", MACHINE_AARCH64, 8, true, 16, 16, 16, 16, 16 },
	/* s390x: nothing aligns beyond 8, not even long double or __int128. */
	{ "s390x",   MACHINE_S390,    8, true,   8,  8,  8,  8,  8 },
	{ "s390",    MACHINE_S390,    4, true,   8,  8,  8,  8,  8 },
	{ "ppc64",   MACHINE_PPC64,   8, true,  16, 16, 16, 16, 16 },
	{ "ppc64le", MACHINE_PPC64,   8, false, 16, 16, 16, 16, 16 },
	{ "riscv64", MACHINE_RISCV,   8, false, 16, 16, 16, 16, 16 },
	{ "riscv32", MACHINE_RISCV,   4, false, 16, 16, 16, 16, 16 },
};

/*
 * Producer quirks: clang before 18 aligned __int128 and vectors to 16 on
 * s390x, against the ABI (and gcc) which says 8.  Objects it built keep
 * that layout, so we must reproduce it.
 */
static const sf_target clang_s390x_quirk =
	{ "s390x", MACHINE_S390, 8, true, 8, 16, 8, 8, 16 };

static const sf_target unknown_targets[] = {
	{ "unknown", 0, 4, false, 8, 8, 8, 8, 8 },
	{ "unknown", 0, 8, false, 16, 16, 16, 16, 16 },
	{ "unknown", 0, 4, true, 8, 8, 8, 8, 8 },
	{ "unknown", 0, 8, true, 16, 16, 16, 16, 16 },
};

const sf_target *sf__target_lookup(uint16_t machine, unsigned address_size, bool big_endian)
{
	for (size_t i = 0; i < sizeof(targets) / sizeof(targets[0]); i++) {
		const sf_target *t = &targets[i];
		if (t->machine == machine && t->address_size == address_size &&
		    t->big_endian == big_endian)
			return t;
	}
	return &unknown_targets[(address_size == 8 ? 1 : 0) + (big_endian ? 2 : 0)];
}

/* Major version from "clang version 14.0.6 ..." (vendor prefixes allowed), or 0. */
static unsigned clang_major(const char *producer)
{
	const char *p = producer ? strstr(producer, "clang version ") : NULL;
	unsigned major = 0;
	if (!p)
		return 0;
	for (p += strlen("clang version "); *p >= '0' && *p <= '9' && major < 1000; p++)
		major = major * 10 + (unsigned)(*p - '0');
	return major;
}

const sf_target *sf__target_for_producer(const sf_target *target, const char *producer)
{
	unsigned clang = clang_major(producer);
	if (target->machine == MACHINE_S390 && target->address_size == 8 && clang && clang < 18)
		return &clang_s390x_quirk;
	return target;
}

bool sf__target_is_known(const sf_target *target)
{
	return target->machine != 0;
}

static uint32_t natural(uint64_t size, uint32_t cap)
{
	uint32_t align = 1;
	/* Largest power of two dividing size, capped: odd sizes (a 3-byte
	 * _BitInt, say) align like their largest power-of-two factor. */
	while (align < cap && size % ((uint64_t)align * 2) == 0)
		align *= 2;
	return align;
}

uint32_t sf__target_scalar_align(const sf_target *target, sf_scalar_class cls, uint64_t size)
{
	if (size == 0)
		return 1;
	switch (cls) {
	case SF_SCALAR_COMPLEX:
		return sf__target_scalar_align(target, SF_SCALAR_FLOAT, size / 2);
	case SF_SCALAR_VECTOR:
		return natural(size, target->vector_max_align);
	case SF_SCALAR_FLOAT:
		if (size == 16)
			return target->float128_align;
		if (size == 12 || size == 10)
			return target->x87_align;
		return natural(size, target->max_align);
	case SF_SCALAR_INTEGER:
		if (size == 16)
			return target->int128_align;
		return natural(size, target->max_align);
	case SF_SCALAR_DECIMAL:
		return natural(size, target->max_align == 4 ? 8 : target->max_align);
	}
	return 1;
}
