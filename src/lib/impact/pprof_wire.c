/* The protobuf wire format (varints, fields, packed repeats) and gzip for pprof profiles. */
#include "impact/pprof_wire.h"

#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include <structfit/error.h>

#include "util/fail.h"

/*
 * Decoded by hand: profile.proto's messages are few and flat, and a
 * protobuf library would be a new dependency for some 30 fields.  zlib
 * is already linked for compressed debug sections.  Everything is
 * untrusted: every length is checked against the buffer.
 */

/* A gzipped profile inflates to at most this much (runtime/pprof's of a
 * large server are a few MiB); more is refused rather than exhausting
 * memory on a crafted file. */
#define PPROF_MAX_INFLATED ((size_t)1 << 30)

static int truncated(const sf_pb_ctx *ctx, const unsigned char *at)
{
	return sf__fail(SF_EINVALID, "%s: Go heap profile: truncated or malformed protobuf at byte %zu",
			ctx->name, (size_t)(at - ctx->base));
}

int sf__pb_varint(const sf_pb_ctx *ctx, const unsigned char **p, const unsigned char *end,
		  uint64_t *out)
{
	const unsigned char *start = *p;
	uint64_t value = 0;

	for (unsigned shift = 0; shift < 64; shift += 7) {
		unsigned char byte;
		if (*p >= end)
			return truncated(ctx, start);
		byte = *(*p)++;
		/* The tenth byte holds bit 63 only. */
		if (shift == 63 && byte > 1)
			break;
		value |= (uint64_t)(byte & 0x7f) << shift;
		if (!(byte & 0x80)) {
			*out = value;
			return 0;
		}
	}
	return sf__fail(SF_EINVALID, "%s: Go heap profile: bad varint at byte %zu (longer than 64 bits)",
			ctx->name, (size_t)(start - ctx->base));
}

int sf__pb_next(const sf_pb_ctx *ctx, const unsigned char **p, const unsigned char *end,
		sf_pb_field *f)
{
	const unsigned char *start = *p;
	uint64_t key = 0;
	int error;

	if (*p >= end)
		return 0;
	if ((error = sf__pb_varint(ctx, p, end, &key)) != 0)
		return error;
	memset(f, 0, sizeof(*f));
	f->number = key >> 3;
	f->wire = (unsigned)(key & 7);
	switch (f->wire) {
	case SF_PB_VARINT:
		error = sf__pb_varint(ctx, p, end, &f->value);
		return error ? error : 1;
	case SF_PB_FIXED64:
	case SF_PB_FIXED32: {
		size_t n = f->wire == SF_PB_FIXED64 ? 8 : 4;
		if ((size_t)(end - *p) < n)
			return truncated(ctx, start);
		*p += n;
		return 1;
	}
	case SF_PB_BYTES:
		if ((error = sf__pb_varint(ctx, p, end, &f->value)) != 0)
			return error;
		if (f->value > (uint64_t)(end - *p))
			return truncated(ctx, start);
		f->data = *p;
		f->len = (size_t)f->value;
		*p += f->len;
		return 1;
	default:
		/* Groups (3, 4) are not used by profile.proto; 6 and 7 do not exist. */
		return sf__fail(SF_EINVALID, "%s: Go heap profile: wire type %u at byte %zu", ctx->name,
				f->wire, (size_t)(start - ctx->base));
	}
}

int sf__pb_each_int(const sf_pb_ctx *ctx, const sf_pb_field *f, int (*each)(uint64_t, void *),
		    void *arg)
{
	const unsigned char *p, *end;
	int error;

	if (f->wire == SF_PB_VARINT)
		return each(f->value, arg);
	if (f->wire != SF_PB_BYTES)
		return sf__fail(SF_EINVALID, "%s: Go heap profile: integer field of wire type %u",
				ctx->name, f->wire);
	p = f->data;
	end = f->data + f->len;
	while (p < end) {
		uint64_t v = 0;
		if ((error = sf__pb_varint(ctx, &p, end, &v)) != 0 || (error = each(v, arg)) != 0)
			return error;
	}
	return 0;
}

int sf__pb_is_gzip(const unsigned char *data, size_t len)
{
	return len >= 2 && data[0] == 0x1f && data[1] == 0x8b;
}

int sf__pb_gunzip(const sf_pb_ctx *ctx, const unsigned char *data, size_t len, unsigned char **out,
		  size_t *out_len)
{
	z_stream zs;
	size_t cap = len < PPROF_MAX_INFLATED / 8 ? len * 4 + 4096 : PPROF_MAX_INFLATED, used = 0;
	unsigned char *buf = malloc(cap);
	bool too_large = false;
	int rc;

	*out = NULL;
	if (!buf)
		return sf__fail(SF_ENOMEM, "out of memory");
	memset(&zs, 0, sizeof(zs));
	if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) {
		free(buf);
		return sf__fail(SF_ENOMEM, "out of memory");
	}
	zs.next_in = (unsigned char *)data;
	zs.avail_in = len > UINT_MAX ? UINT_MAX : (unsigned)len;
	do {
		if (used == cap) {
			unsigned char *grown;
			if (cap >= PPROF_MAX_INFLATED) {
				too_large = true;
				rc = Z_MEM_ERROR;
				break;
			}
			cap *= 2;
			grown = realloc(buf, cap);
			if (!grown) {
				rc = Z_MEM_ERROR;
				break;
			}
			buf = grown;
		}
		zs.next_out = buf + used;
		zs.avail_out = (unsigned)(cap - used > UINT_MAX ? UINT_MAX : cap - used);
		rc = inflate(&zs, Z_NO_FLUSH);
		used = (size_t)(zs.next_out - buf);
	} while (rc == Z_OK);
	if (rc != Z_STREAM_END) {
		const char *why = zs.msg ? zs.msg : rc == Z_BUF_ERROR ? "unexpected end" : "bad data";
		inflateEnd(&zs);
		free(buf);
		if (too_large)
			return sf__fail(SF_EINVALID, "%s: Go heap profile: inflates past %zu MiB", ctx->name,
					PPROF_MAX_INFLATED >> 20);
		if (rc == Z_MEM_ERROR)
			return sf__fail(SF_ENOMEM, "out of memory");
		return sf__fail(SF_EINVALID, "%s: Go heap profile: truncated or corrupt gzip data (%s)",
				ctx->name, why);
	}
	inflateEnd(&zs);
	*out = buf;
	*out_len = used;
	return 0;
}
