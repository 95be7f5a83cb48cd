/* The protobuf wire format and gzip, as far as pprof's profile.proto needs them (pprof_wire.c). */
#ifndef SF_IMPACT_PPROF_WIRE_H
#define SF_IMPACT_PPROF_WIRE_H

#include <stddef.h>
#include <stdint.h>

enum { SF_PB_VARINT = 0, SF_PB_FIXED64 = 1, SF_PB_BYTES = 2, SF_PB_FIXED32 = 5 };

/* One decoded field.  `value` holds a varint (SF_PB_VARINT) or the
 * length of `data` (SF_PB_BYTES); `data` points into the buffer read. */
typedef struct sf_pb_field {
	uint64_t number;
	unsigned wire;
	uint64_t value;
	const unsigned char *data;
	size_t len;
} sf_pb_field;

/* The buffer being decoded, for offsets in messages ("NAME: Go heap
 * profile: ... at byte N"); `name` is the profile's file name. */
typedef struct sf_pb_ctx {
	const unsigned char *base;
	const char *name;
} sf_pb_ctx;

/* Reads a base-128 varint at *p (below `end`), at most 10 bytes, and
 * advances *p.  0, or SF_EINVALID: truncated, or longer than 64 bits. */
int sf__pb_varint(const sf_pb_ctx *ctx, const unsigned char **p, const unsigned char *end,
		  uint64_t *out);

/* The next field of the message in [*p, end): 1 with *f filled, 0 at
 * the end, or SF_EINVALID (truncated, a length past the end, a group or
 * unknown wire type). */
int sf__pb_next(const sf_pb_ctx *ctx, const unsigned char **p, const unsigned char *end,
		sf_pb_field *f);

/* Calls each(value, arg) for every value of a repeated integer field,
 * packed or not; stops at the first nonzero return and returns it. */
int sf__pb_each_int(const sf_pb_ctx *ctx, const sf_pb_field *f, int (*each)(uint64_t, void *),
		    void *arg);

/* Whether `data` starts with gzip's magic bytes. */
int sf__pb_is_gzip(const unsigned char *data, size_t len);

/* Inflates gzip data into *out (malloc'ed, caller frees) of *out_len
 * bytes, at most 1 GiB.  0, SF_EINVALID (truncated or corrupt, too
 * large: one line naming ctx->name) or SF_ENOMEM. */
int sf__pb_gunzip(const sf_pb_ctx *ctx, const unsigned char *data, size_t len, unsigned char **out,
		  size_t *out_len);

#endif
