/* A compressed section inflated on its own thread while its readers work
 * on the bytes already out (input.h: sf__elf_stream). */
#include "elf/elf_image.h"
#include "elf/elf_inflate.h"
#include "elf/input.h"

#include "util/fail.h"
#include "util/fill.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <zlib.h>

/* Bytes inflated between two publications when there is no checker:
 * small next to a unit of a python-sized file (about 20 KiB on average),
 * so a reader waits little, and large enough that waking the waiters
 * costs nothing measurable. */
#define STREAM_CHUNK (UINT64_C(64) << 10)

/* Bytes the stream inflates, and the checker then sums, between two
 * publications: the readers see bytes up to this much later, a fortieth
 * of a python-sized section, and the checker wakes forty times. */
#define CHECK_STEP (UINT64_C(256) << 10)

/*
 * With zlib the stream's Adler-32 is summed on a thread of its own (the
 * checker), which hands the bytes on: the stream's end bounds the whole
 * load, and the sum was a sixteenth of the stream's time.  Without a
 * checker the inflater checks it on the stream's thread (igzip always:
 * sf__inflater_sums_fast()), and the stream hands the bytes on.
 */
struct sf__elf_stream {
	sf__deflated in;
	unsigned char *out;      /* in.size bytes, owned by the section */
	sf_fill fill;            /* bytes of `out` that are final */
	bool stop;               /* atomic: the owner is closing */
	bool failed;             /* set before the fill ends */
	char *name;              /* for the message */
	char *section_name;
	pthread_t thread;
	/* With a checker: the stream publishes to `inflated`, the checker
	 * the summed bytes to `fill`.  `inflated_ok` and `trailer` are set
	 * before `inflated` ends. */
	bool checked;
	pthread_t checker;
	sf_fill inflated;
	bool inflated_ok;
	uint32_t trailer;        /* the stream's Adler-32, as stored */
	/* Made by the starting thread: the stream's own first allocation
	 * (glibc maps an arena per thread) waited ~3 ms for the mmap lock
	 * that sf__elf_stream_prefault() holds. */
	sf__inflater *inflater;
};

/* Inflates in.stream into out, publishing each chunk; false unless
 * exactly in.size bytes came out and the stream ended there, as
 * sf__elf_inflate() requires, with its checksum (compared here, or with
 * a checker kept in `trailer` for it). */
static bool inflate_chunks(sf__elf_stream *s)
{
	sf_fill *progress = s->checked ? &s->inflated : &s->fill;
	const uint64_t chunk = s->checked ? CHECK_STEP : STREAM_CHUNK;
	sf__inflater *z = s->inflater;
	uint64_t done = 0;
	int res = SF_INFLATE_MORE;

	while (res == SF_INFLATE_MORE && !__atomic_load_n(&s->stop, __ATOMIC_RELAXED)) {
		uint32_t room = s->in.size - done > chunk ? (uint32_t)chunk : (uint32_t)(s->in.size - done);
		uint32_t produced = 0;
		res = sf__inflater_step(z, s->out + done, room, &produced);
		done += produced;
		if (res == SF_INFLATE_MORE)
			sf__fill_publish(progress, done, false);
	}
	if (res == SF_INFLATE_END && s->checked)
		s->trailer = sf__inflater_trailer(z);
	return res == SF_INFLATE_END && done == s->in.size;
}

static void *stream_main(void *arg)
{
	sf__elf_stream *s = arg;
	bool ok = inflate_chunks(s);

	if (s->checked) {
		s->inflated_ok = ok;
		sf__fill_publish(&s->inflated, ok ? s->in.size : 0, true);
		return NULL;
	}
	s->failed = !ok;
	sf__fill_publish(&s->fill, ok ? s->in.size : 0, true);
	return NULL;
}

/* Sums what the stream inflated, CHECK_STEP bytes at a time, and hands
 * it on; ends the fill once the stream ended. */
static void *checker_main(void *arg)
{
	sf__elf_stream *s = arg;
	uLong sum = adler32(0L, Z_NULL, 0);
	uint64_t done = 0;

	for (;;) {
		uint64_t want = s->in.size - done > CHECK_STEP ? done + CHECK_STEP : s->in.size;
		uint64_t ready = sf__fill_wait(&s->inflated, want > done ? want : done + 1);

		if (ready <= done)
			break;
		/* Several steps at once when this thread lagged behind. */
		sum = adler32_z(sum, s->out + done, (z_size_t)(ready - done));
		done = ready;
		if (done < s->in.size)
			sf__fill_publish(&s->fill, done, false);
	}
	s->failed = !s->inflated_ok || done != s->in.size || sum != s->trailer;
	sf__fill_publish(&s->fill, s->failed ? 0 : s->in.size, true);
	return NULL;
}

/* Joins the checker, whose input has ended, and frees the stream; its
 * own thread is joined or was never started. */
static void release(sf__elf_stream *s)
{
	if (s->checked) {
		pthread_join(s->checker, NULL);
		sf__fill_destroy(&s->inflated);
	}
	sf__fill_destroy(&s->fill);
	sf__inflater_free(s->inflater);
	free(s->name);
	free(s->section_name);
	free(s);
}

int sf__elf_stream_start(sf__elf_stream **out, const sf__deflated *in, unsigned char *buffer,
			 const char *name, const char *section_name)
{
	sf__elf_stream *s = calloc(1, sizeof(*s));

	*out = NULL;
	if (!s)
		return SF_ENOMEM;
	s->in = *in;
	s->out = buffer;
	s->name = strdup(name);
	s->section_name = strdup(section_name);
	if (!s->name || !s->section_name || sf__fill_init(&s->fill) < 0) {
		free(s->name);
		free(s->section_name);
		free(s);
		return SF_ENOMEM;
	}
	/* Without a checker the inflater checks the sum itself: igzip
	 * always, at little cost. */
	s->checked = !sf__inflater_sums_fast() && sf__fill_init(&s->inflated) == 0;
	if (s->checked && pthread_create(&s->checker, NULL, checker_main, s) != 0) {
		sf__fill_destroy(&s->inflated);
		s->checked = false;
	}
	s->inflater = sf__inflater_new(s->in.stream, s->in.stream_size, !s->checked);
	if (!s->inflater || pthread_create(&s->thread, NULL, stream_main, s) != 0) {
		int res = s->inflater ? 1 : SF_ENOMEM;
		/* No stream will end `inflated` for the checker. */
		if (s->checked)
			sf__fill_publish(&s->inflated, 0, true);
		release(s);
		return res;
	}
	*out = s;
	return 0;
}

void sf__elf_stream_prefault(sf__elf_stream *stream)
{
#ifdef MADV_POPULATE_WRITE
	long page_size = sysconf(_SC_PAGESIZE);
	uintptr_t page, lo, hi;

	if (page_size <= 0)
		return;
	page = (uintptr_t)page_size;
	/* Whole pages past the first chunk, which the stream is writing
	 * already; the kernel leaves pages already there alone, so the
	 * bytes the stream wrote are kept. */
	lo = ((uintptr_t)stream->out + (stream->in.size < STREAM_CHUNK ? stream->in.size : STREAM_CHUNK) + page - 1) &
	     ~(page - 1);
	hi = (uintptr_t)(stream->out + stream->in.size) & ~(page - 1);
	if (lo < hi)
		(void)madvise((void *)lo, hi - lo, MADV_POPULATE_WRITE);
#else
	(void)stream;
#endif
}

void sf__elf_stream_free(sf__elf_stream *stream)
{
	if (!stream)
		return;
	__atomic_store_n(&stream->stop, true, __ATOMIC_RELAXED);
	pthread_join(stream->thread, NULL);
	release(stream);
}

uint64_t sf__elf_stream_wait(sf__elf_stream *stream, uint64_t want)
{
	return sf__fill_wait(&stream->fill, want);
}

int sf__elf_stream_result(sf__elf_stream *stream)
{
	sf__fill_wait(&stream->fill, UINT64_MAX);
	if (stream->failed)
		return sf__fail(SF_EINVALID, "%s: corrupt compressed section %s: inflating failed",
				stream->name, stream->section_name);
	return 0;
}
