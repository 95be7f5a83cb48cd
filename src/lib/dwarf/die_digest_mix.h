/* The mixing steps of the struct digest (die_digest.c) and its leaf
 * digests of strings and decl_file values (die_digest_leaf.c). */
#ifndef SF_DWARF_DIE_DIGEST_MIX_H
#define SF_DWARF_DIE_DIGEST_MIX_H

#include <string.h>

#include "dwarf/die_ctx.h"

static inline uint64_t sf__digest_rotl(uint64_t v, unsigned n)
{
	return (v << n) | (v >> (64 - n));
}

static inline void sf__digest_mix(sf_die_digest *h, uint64_t v)
{
	h->lo = (h->lo ^ v) * UINT64_C(0x9e3779b97f4a7c15);
	h->lo ^= h->lo >> 29;
	h->hi = sf__digest_rotl(h->hi ^ (v * UINT64_C(0xff51afd7ed558ccd)), 27) * UINT64_C(0xc4ceb9fe1a85ec53) +
		UINT64_C(0x52dce729);
}

/*
 * *dst = *src a word at a time through registers.  A digest is written
 * by sf__digest_mix() a word at a time; a plain struct copy right after
 * became one 16-byte load of two 8-byte stores, which the store buffer
 * cannot forward, and every DIE waited for those stores to retire (the
 * hottest instruction of a vmlinux load).
 */
static inline void sf__digest_copy(sf_die_digest *dst, const sf_die_digest *src)
{
	uint64_t lo = src->lo, hi = src->hi;

	__asm__("" : "+r"(lo), "+r"(hi));
	dst->lo = lo;
	dst->hi = hi;
}

static inline void sf__digest_mix_bytes(sf_die_digest *h, const uint8_t *p, size_t n)
{
	uint64_t word;
	size_t len = n;

	for (; n >= 8; p += 8, n -= 8) {
		memcpy(&word, p, 8);
		sf__digest_mix(h, word);
	}
	word = 0;
	memcpy(&word, p, n);
	sf__digest_mix(h, word ^ ((uint64_t)len << 40));
}

static inline void sf__digest_mix_digest(sf_die_digest *h, const sf_die_digest *d)
{
	sf__digest_mix(h, d->lo);
	sf__digest_mix(h, d->hi);
}

/* Digest of a string's text (by its .debug_str offset where that is
 * the same thing: sf_die_known.str_distinct). */
void sf__die_string_digest(sf_die_ctx *ctx, const char *s, sf_die_digest *out);
/* Digest of DW_AT_decl_file `value` of `d` by the file's name; false when
 * it cannot be resolved. */
bool sf__die_file_digest(sf_die_ctx *ctx, const sf_die *d, uint64_t value, sf_die_digest *out);

/* Whether sf__die_file_digest() has `value` of a DIE of `unit` cached,
 * in ctx->file_digests[value]: the digest's in-line paths take it
 * without the call. */
static inline bool sf__die_file_digest_cached(const sf_die_ctx *ctx, const sf_dw_unit *unit, uint64_t value)
{
	return ctx->file_digest_unit == unit && value < ctx->file_digest_capacity && ctx->file_digest_state[value];
}

#endif
