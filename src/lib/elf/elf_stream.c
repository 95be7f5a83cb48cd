/* A compressed section inflated on its own thread while its readers work
 * on the bytes already out (input.h: sf__elf_stream). */
#include "elf/elf_image.h"
#include "elf/input.h"

#include "util/fail.h"
#include "util/fill.h"

#include <stdlib.h>
#include <string.h>
#include <zlib.h>

/* Bytes inflated between two publications: small next to a unit of a
 * python-sized file (about 20 KiB on average), so a reader waits little,
 * and large enough that waking the waiters costs nothing measurable. */
#define STREAM_CHUNK (UINT64_C(64) << 10)

struct sf__elf_stream {
	sf__deflated in;
	unsigned char *out;      /* in.size bytes, owned by the section */
	sf_fill fill;            /* bytes of `out` that are final */
	bool stop;               /* atomic: the owner is closing */
	bool failed;             /* set before the fill ends */
	char *name;              /* for the message */
	char *section_name;
	pthread_t thread;
};

/* Inflates in.stream into out, publishing each chunk; false unless
 * exactly in.size bytes came out and the stream (with its checksum)
 * ended there, as sf__elf_inflate() requires. */
static bool inflate_chunks(sf__elf_stream *s)
{
	z_stream z;
	uint64_t in_left = s->in.stream_size, done = 0;
	bool ok = false;
	int res;

	memset(&z, 0, sizeof(z));
	if (inflateInit(&z) != Z_OK)
		return false;
	z.next_in = (Bytef *)(uintptr_t)s->in.stream;
	z.next_out = s->out;
	while (!__atomic_load_n(&s->stop, __ATOMIC_RELAXED)) {
		uInt in_step = in_left > UINT32_MAX ? UINT32_MAX : (uInt)in_left;
		uInt out_step = s->in.size - done > STREAM_CHUNK ? (uInt)STREAM_CHUNK : (uInt)(s->in.size - done);

		z.avail_in = in_step;
		z.avail_out = out_step;
		res = inflate(&z, Z_NO_FLUSH);
		in_left -= in_step - z.avail_in;
		done += out_step - z.avail_out;
		if (res == Z_STREAM_END) {
			ok = done == s->in.size;
			break;
		}
		/* Z_BUF_ERROR: no progress, which is final once either side is spent. */
		if ((res != Z_OK && res != Z_BUF_ERROR) ||
		    (res == Z_BUF_ERROR && (in_left == 0 || done == s->in.size)))
			break;
		sf__fill_publish(&s->fill, done, false);
	}
	inflateEnd(&z);
	return ok;
}

static void *stream_main(void *arg)
{
	sf__elf_stream *s = arg;
	bool ok = inflate_chunks(s);

	s->failed = !ok;
	sf__fill_publish(&s->fill, ok ? s->in.size : 0, true);
	return NULL;
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
	if (pthread_create(&s->thread, NULL, stream_main, s) != 0) {
		sf__fill_destroy(&s->fill);
		free(s->name);
		free(s->section_name);
		free(s);
		return 1;
	}
	*out = s;
	return 0;
}

void sf__elf_stream_free(sf__elf_stream *stream)
{
	if (!stream)
		return;
	__atomic_store_n(&stream->stop, true, __ATOMIC_RELAXED);
	pthread_join(stream->thread, NULL);
	sf__fill_destroy(&stream->fill);
	free(stream->name);
	free(stream->section_name);
	free(stream);
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
