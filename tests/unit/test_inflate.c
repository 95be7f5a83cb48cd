/* elf_inflate.c: both inflaters give the bytes of a zlib stream in any
 * steps, and refuse streams that are cut, too long, too short or
 * wrongly summed. */
#include <criterion/criterion.h>

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "elf/elf_inflate.h"

#define PLAIN_SIZE (3u << 20)

static unsigned char *plain;
static unsigned char *packed;
static uLongf packed_size;

/* Bytes like DWARF's: repeats at many distances, some noise. */
static void make_stream(void)
{
	uint32_t x = 12345;

	if (packed)
		return;
	plain = malloc(PLAIN_SIZE);
	cr_assert_not_null(plain);
	for (size_t i = 0; i < PLAIN_SIZE; i++) {
		x = x * 1103515245u + 12345u;
		plain[i] = i >= 4096 && (x >> 28) < 12 ? plain[i - 1 - ((x >> 8) & 4095)] : (unsigned char)(x >> 16);
	}
	packed_size = compressBound(PLAIN_SIZE);
	packed = malloc(packed_size);
	cr_assert_not_null(packed);
	cr_assert_eq(compress2(packed, &packed_size, plain, PLAIN_SIZE, 6), Z_OK);
}

/* Inflates in steps of `room` bytes; the result of the last step. */
static int inflate_in_steps(const unsigned char *in, uint64_t in_size, unsigned char *out, uint64_t size,
			    uint32_t room, bool sum, uint64_t *done)
{
	sf__inflater *z = sf__inflater_new(in, in_size, sum);
	int res = SF_INFLATE_MORE;

	cr_assert_not_null(z);
	*done = 0;
	while (res == SF_INFLATE_MORE) {
		uint32_t step = size - *done < room ? (uint32_t)(size - *done) : room, produced = 0;
		res = sf__inflater_step(z, out + *done, step, &produced);
		*done += produced;
	}
	if (res == SF_INFLATE_END)
		cr_assert_eq(sf__inflater_trailer(z), (uint32_t)adler32(adler32(0, Z_NULL, 0), plain, PLAIN_SIZE));
	sf__inflater_free(z);
	return res;
}

static void check_inflater(bool zlib)
{
	static const uint32_t rooms[] = { 1, 4093, 65536, PLAIN_SIZE, PLAIN_SIZE + 1 };
	unsigned char *out = malloc(PLAIN_SIZE + 64);
	unsigned char *bad = malloc(packed_size);
	uint64_t done;

	cr_assert(out && bad);
	sf__inflater_force_zlib(zlib);
	if (zlib)
		cr_assert_not(sf__inflater_sums_fast(), "zlib sums on a thread of its own");
	for (size_t k = 0; k < sizeof(rooms) / sizeof(rooms[0]); k++) {
		/* Room 1 a byte at a time is slow: only the first 64 KiB then. */
		if (rooms[k] == 1) {
			sf__inflater *z = sf__inflater_new(packed, packed_size, true);
			for (size_t i = 0; i < 65536; i++) {
				uint32_t produced = 0;
				cr_assert_eq(sf__inflater_step(z, out + i, 1, &produced), SF_INFLATE_MORE);
				cr_assert_eq(produced, 1);
			}
			cr_assert_eq(memcmp(out, plain, 65536), 0);
			sf__inflater_free(z);
			continue;
		}
		for (int sum = 0; sum <= 1; sum++) {
			memset(out, 0, PLAIN_SIZE);
			cr_assert_eq(inflate_in_steps(packed, packed_size, out, PLAIN_SIZE, rooms[k], sum, &done),
				     SF_INFLATE_END, "room %u", rooms[k]);
			cr_assert_eq(done, PLAIN_SIZE);
			cr_assert_eq(memcmp(out, plain, PLAIN_SIZE), 0, "room %u", rooms[k]);
		}
	}
	cr_assert(sf__inflater_all(packed, packed_size, out, PLAIN_SIZE));
	/* The header claims more, or less, than the stream holds. */
	cr_assert_not(sf__inflater_all(packed, packed_size, out, PLAIN_SIZE + 64));
	cr_assert_not(sf__inflater_all(packed, packed_size, out, PLAIN_SIZE - 1));
	/* Cut short, before the end and in the trailer. */
	cr_assert_not(sf__inflater_all(packed, packed_size / 2, out, PLAIN_SIZE));
	cr_assert_not(sf__inflater_all(packed, packed_size - 2, out, PLAIN_SIZE));
	/* A wrong sum; a wrong header. */
	memcpy(bad, packed, packed_size);
	bad[packed_size - 1] ^= 1;
	cr_assert_not(sf__inflater_all(bad, packed_size, out, PLAIN_SIZE));
	memcpy(bad, packed, packed_size);
	bad[0] ^= 0x40;
	cr_assert_not(sf__inflater_all(bad, packed_size, out, PLAIN_SIZE));
	/* Garbage in the middle. */
	memcpy(bad, packed, packed_size);
	memset(bad + packed_size / 2, 0xff, 512);
	cr_assert_not(sf__inflater_all(bad, packed_size, out, PLAIN_SIZE));
	sf__inflater_force_zlib(false);
	free(out);
	free(bad);
}

Test(inflate, zlib)
{
	make_stream();
	check_inflater(true);
}

/* igzip where the build has it (libisal-dev, which scripts/deps.sh installs). */
Test(inflate, default_inflater)
{
	make_stream();
#ifdef STRUCTFIT_HAVE_ISAL
	cr_assert(sf__inflater_sums_fast(), "built with ISA-L, yet zlib inflates");
#endif
	check_inflater(false);
}
