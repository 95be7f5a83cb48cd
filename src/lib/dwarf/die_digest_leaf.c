/* Leaf digests of the struct digest: strings by content, decl_file by name. */
#include "dwarf/die_digest_mix.h"

#include <stdlib.h>

#include "util/fail.h"

void sf__die_string_digest(sf_die_ctx *ctx, const char *s, sf_die_digest *out)
{
	uintptr_t at = (uintptr_t)s;
	sf_die_string_slot *slot = NULL;
	sf_die_digest h = { 0, 0 };

	if (ctx->known && ctx->known->str_distinct) {
		/* Equal offsets are equal text, so this is exact; where
		 * equal text has one offset (die_batch.c) it also gives the
		 * classes content would, without reading it. */
		const sf_dwarf_bytes *str = &ctx->image->sections.str;
		if ((const unsigned char *)s >= str->data && (const unsigned char *)s < str->data + str->size) {
			out->lo = (uint64_t)((const unsigned char *)s - str->data);
			out->hi = UINT64_C(0x7374726f66667365);
			return;
		}
		/* The rest are mostly short DW_FORM_string names, one copy
		 * per unit: caching them by address would only miss. */
		sf__digest_mix_bytes(&h, (const uint8_t *)s, strlen(s));
		*out = h;
		return;
	}
	if (ctx->known && !ctx->known->strings) {
		/* Not calloc: reading its fresh zero pages first makes every
		 * first store a copy-on-write fault with a TLB flush on all
		 * threads, which showed in -C runs. */
		ctx->known->strings = sf__alloc_cleared(SF_DIE_STRING_SLOTS, sizeof(*ctx->known->strings));
	}
	if (ctx->known && ctx->known->strings) {
		slot = &ctx->known->strings[((at >> 3) ^ (at >> 17)) & (SF_DIE_STRING_SLOTS - 1)];
		if (slot->s == s) {
			*out = slot->digest;
			return;
		}
	}
	sf__digest_mix_bytes(&h, (const uint8_t *)s, strlen(s));
	*out = h;
	if (slot) {
		slot->s = s;
		slot->digest = h;
	}
}

/* decl_file by the file's name, which differs between units for the same
 * number; cached per value for the unit at hand. */
bool sf__die_file_digest(sf_die_ctx *ctx, const sf_die *d, uint64_t value, sf_die_digest *out)
{
	const char *file = NULL;
	sf_die_digest h = { 0, 0 };

	if (ctx->file_digest_unit != d->raw.unit) {
		if (ctx->file_digest_state)
			memset(ctx->file_digest_state, 0, ctx->file_digest_capacity);
		ctx->file_digest_unit = d->raw.unit;
	}
	if (value < ctx->file_digest_capacity && ctx->file_digest_state[value]) {
		*out = ctx->file_digests[value];
		return true;
	}
	if (sf__die_decl_file(ctx, d, &file) < 0)
		return false;
	if (file)
		sf__digest_mix_bytes(&h, (const uint8_t *)file, strlen(file));
	else
		sf__digest_mix(&h, 0);
	*out = h;
	if (value >= 4096)
		return true;
	if (value >= ctx->file_digest_capacity) {
		size_t capacity = ctx->file_digest_capacity ? ctx->file_digest_capacity : 64;
		sf_die_digest *digests;
		unsigned char *state;
		while (capacity <= value)
			capacity *= 2;
		digests = realloc(ctx->file_digests, capacity * sizeof(*digests));
		if (!digests)
			return true;
		ctx->file_digests = digests;
		state = realloc(ctx->file_digest_state, capacity);
		if (!state)
			return true;
		memset(state + ctx->file_digest_capacity, 0, capacity - ctx->file_digest_capacity);
		ctx->file_digest_state = state;
		ctx->file_digest_capacity = capacity;
	}
	ctx->file_digests[value] = h;
	ctx->file_digest_state[value] = 1;
	return true;
}

