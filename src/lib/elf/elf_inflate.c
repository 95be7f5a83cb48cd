/* A compressed section's zlib stream inflated in steps (elf_inflate.h). */
#include "elf/elf_inflate.h"

#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#ifdef STRUCTFIT_HAVE_ISAL
#include <dlfcn.h>
#include <isa-l/igzip_lib.h>
#include <pthread.h>
#endif

/*
 * Debian's -dbg packages compress every debug section with zlib, and
 * inflating .debug_info, one stream no thread can share, bounded the
 * whole load: 39 ms of python3.11's 105 with zlib.  igzip inflates the
 * same 11 MB, its sum checked, in 20 ms, so it is used where it is
 * installed.  It is opened at run time, not linked: Debian ships no
 * static libisal, and a static link of libstructfit must still work.
 */
struct sf__inflater {
	const unsigned char *in;
	uint64_t in_left;          /* bytes of `in` not yet handed over */
	bool igzip;
	bool ended;
	z_stream z;
#ifdef STRUCTFIT_HAVE_ISAL
	struct inflate_state *isal;
#endif
};

static bool forced_zlib;

void sf__inflater_force_zlib(bool on)
{
	__atomic_store_n(&forced_zlib, on, __ATOMIC_RELAXED);
}

#ifdef STRUCTFIT_HAVE_ISAL
/* ISA-L's ABI version 2 (its SONAME), which the header describes. */
#define LIBISAL_SONAME "libisal.so.2"

typedef struct igzip_api {
	void (*init)(struct inflate_state *state);
	int (*inflate)(struct inflate_state *state);
} igzip_api;

/* Process-wide, written once; the library stays loaded. */
static igzip_api igzip;
static pthread_once_t igzip_once = PTHREAD_ONCE_INIT;

static void igzip_load(void)
{
	igzip_api api = { 0 };
	void *handle = dlopen(LIBISAL_SONAME, RTLD_NOW | RTLD_LOCAL);

	if (!handle)
		return;
	/* POSIX: dlsym's void * converts to a function pointer. */
	*(void **)&api.init = dlsym(handle, "isal_inflate_init");
	*(void **)&api.inflate = dlsym(handle, "isal_inflate");
	if (!api.init || !api.inflate) {
		dlclose(handle);
		return;
	}
	igzip = api;
}
#endif

static bool use_igzip(void)
{
#ifdef STRUCTFIT_HAVE_ISAL
	if (__atomic_load_n(&forced_zlib, __ATOMIC_RELAXED))
		return false;
	pthread_once(&igzip_once, igzip_load);
	return igzip.inflate != NULL;
#else
	return false;
#endif
}

bool sf__inflater_sums_fast(void)
{
	return use_igzip();
}

/* Both libraries count input in 32 bits: more goes in slices. */
static uint32_t next_slice(sf__inflater *z)
{
	uint32_t slice = z->in_left > UINT32_MAX ? UINT32_MAX : (uint32_t)z->in_left;

	z->in_left -= slice;
	return slice;
}

sf__inflater *sf__inflater_new(const unsigned char *in, uint64_t in_size, bool sum)
{
	sf__inflater *z = calloc(1, sizeof(*z));

	if (!z)
		return NULL;
	z->in = in;
	z->in_left = in_size;
	z->igzip = use_igzip();
#ifdef STRUCTFIT_HAVE_ISAL
	if (z->igzip) {
		/* igzip always sums: cheaply enough (sf__inflater_sums_fast()). */
		z->isal = malloc(sizeof(*z->isal));
		if (!z->isal) {
			free(z);
			return NULL;
		}
		igzip.init(z->isal);
		z->isal->crc_flag = ISAL_ZLIB;
		z->isal->next_in = (uint8_t *)(uintptr_t)in;
		z->isal->avail_in = next_slice(z);
		return z;
	}
#endif
	if (inflateInit(&z->z) != Z_OK) {
		free(z);
		return NULL;
	}
	/* zlib still reads the trailer; the caller compares it. */
	if (!sum && inflateValidate(&z->z, 0) != Z_OK) {
		sf__inflater_free(z);
		return NULL;
	}
	z->z.next_in = (Bytef *)(uintptr_t)in;
	z->z.avail_in = next_slice(z);
	return z;
}

void sf__inflater_free(sf__inflater *z)
{
	if (!z)
		return;
#ifdef STRUCTFIT_HAVE_ISAL
	if (z->igzip) {
		free(z->isal);
		free(z);
		return;
	}
#endif
	inflateEnd(&z->z);
	free(z);
}

#ifdef STRUCTFIT_HAVE_ISAL
static int step_igzip(sf__inflater *z, unsigned char *out, uint32_t room, uint32_t *produced)
{
	struct inflate_state *s = z->isal;

	s->next_out = out;
	s->avail_out = room;
	for (;;) {
		uint32_t before_in = s->avail_in, before_out = s->avail_out;
		int res = igzip.inflate(s);
		*produced = room - s->avail_out;
		if (res < 0)
			return SF_INFLATE_BAD;
		if (s->block_state == ISAL_BLOCK_FINISH)
			return SF_INFLATE_END;
		if (s->avail_out == 0)
			return SF_INFLATE_MORE;
		if (s->avail_in == 0 && z->in_left > 0) {
			s->avail_in = next_slice(z);
			continue;
		}
		/* Room left, no input left, no end: truncated. */
		if (s->avail_in == 0 || (s->avail_in == before_in && s->avail_out == before_out))
			return SF_INFLATE_BAD;
	}
}
#endif

static int step_zlib(sf__inflater *z, unsigned char *out, uint32_t room, uint32_t *produced)
{
	z->z.next_out = out;
	z->z.avail_out = room;
	for (;;) {
		int res = inflate(&z->z, Z_NO_FLUSH);
		*produced = room - z->z.avail_out;
		if (res == Z_STREAM_END)
			return SF_INFLATE_END;
		if (res != Z_OK && res != Z_BUF_ERROR)
			return SF_INFLATE_BAD;
		if (z->z.avail_out == 0)
			return SF_INFLATE_MORE;
		if (z->z.avail_in == 0 && z->in_left > 0) {
			z->z.avail_in = next_slice(z);
			continue;
		}
		/* Z_BUF_ERROR: no progress possible, room left, so no input. */
		if (res == Z_BUF_ERROR || z->z.avail_in == 0)
			return SF_INFLATE_BAD;
	}
}

int sf__inflater_step(sf__inflater *z, unsigned char *out, uint32_t room, uint32_t *produced)
{
	/* Room for one more byte when the caller has none left: the stream
	 * must then end without producing it (the trailer may be all that
	 * was left to read). */
	unsigned char spare;
	int res;

	*produced = 0;
	if (z->ended)
		return SF_INFLATE_END;
	if (room == 0) {
		uint32_t extra = 0;
		res = sf__inflater_step(z, &spare, 1, &extra);
		if (extra)
			return SF_INFLATE_BAD;
		return res;
	}
#ifdef STRUCTFIT_HAVE_ISAL
	res = z->igzip ? step_igzip(z, out, room, produced) : step_zlib(z, out, room, produced);
#else
	res = step_zlib(z, out, room, produced);
#endif
	z->ended = res == SF_INFLATE_END;
	return res;
}

bool sf__inflater_all(const unsigned char *in, uint64_t in_size, unsigned char *out, uint64_t size)
{
	sf__inflater *z = sf__inflater_new(in, in_size, true);
	uint64_t done = 0;
	int res = SF_INFLATE_MORE;

	if (!z)
		return false;
	while (res == SF_INFLATE_MORE) {
		uint32_t room = size - done > UINT32_MAX ? UINT32_MAX : (uint32_t)(size - done), produced = 0;
		res = sf__inflater_step(z, out + done, room, &produced);
		done += produced;
	}
	sf__inflater_free(z);
	return res == SF_INFLATE_END && done == size;
}

uint32_t sf__inflater_trailer(const sf__inflater *z)
{
#ifdef STRUCTFIT_HAVE_ISAL
	const unsigned char *end = z->igzip ? z->isal->next_in : z->z.next_in;
#else
	const unsigned char *end = z->z.next_in;
#endif

	/* The four bytes zlib read last, big-endian. */
	return (uint32_t)end[-4] << 24 | (uint32_t)end[-3] << 16 | (uint32_t)end[-2] << 8 | end[-1];
}
