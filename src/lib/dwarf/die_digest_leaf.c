/* Leaf digests of the struct digest: strings by content, decl_file by name. */
#include "dwarf/die_digest_mix.h"

#include <stdlib.h>
#include <string.h>

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
		if (sf__die_in_section(str, s)) {
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

/*
 * The worker's slot for the file `parts` are joined from, where each is
 * NULL or in a section of the main file that stays mapped while it
 * loads (equal addresses there are equal text, so equal parts are an
 * equal name); NULL otherwise, or when the cache cannot be had.
 */
static sf_die_file_slot *file_slot(sf_die_ctx *ctx, const char *const parts[3])
{
	const sf_dwarf_sections *sections = &ctx->image->sections;
	uint64_t h = 0;

	if (!ctx->known)
		return NULL;
	for (int i = 0; i < 3; i++) {
		if (parts[i] && !sf__die_in_section(&sections->line_str, parts[i]) &&
		    !sf__die_in_section(&sections->line, parts[i]) && !sf__die_in_section(&sections->str, parts[i]))
			return NULL;
		h = (h ^ (uint64_t)(uintptr_t)parts[i]) * UINT64_C(0x9e3779b97f4a7c15);
	}
	if (!ctx->known->files)
		ctx->known->files = sf__alloc_cleared(SF_DIE_FILE_SLOTS, sizeof(*ctx->known->files));
	if (!ctx->known->files)
		return NULL;
	return &ctx->known->files[(h >> 40) & (SF_DIE_FILE_SLOTS - 1)];
}

/* decl_file by the file's name, which differs between units for the same
 * number; cached per value for the unit at hand, and by what the name is
 * joined from for the worker. */
bool sf__die_file_digest(sf_die_ctx *ctx, const sf_die *d, uint64_t value, sf_die_digest *out)
{
	const char *file = NULL, *parts[3];
	sf_die_file_slot *slot = NULL;
	sf_die_digest h = { 0, 0 };

	if (ctx->file_digest_unit != d->raw.unit) {
		if (ctx->file_digest_state)
			memset(ctx->file_digest_state, 0, ctx->file_digest_capacity);
		ctx->file_digest_unit = d->raw.unit;
	}
	if (sf__die_file_digest_cached(ctx, d->raw.unit, value)) {
		*out = ctx->file_digests[value];
		return true;
	}
	if (sf__die_file_parts(ctx, d, value, parts) < 0)
		return false;
	slot = file_slot(ctx, parts);
	if (slot && slot->parts[2] && memcmp(slot->parts, parts, sizeof(parts)) == 0) {
		h = slot->digest;
	} else {
		if (sf__die_file_name(ctx, d, value, &file) < 0)
			return false;
		if (file)
			sf__digest_mix_bytes(&h, (const uint8_t *)file, strlen(file));
		else
			sf__digest_mix(&h, 0);
		if (slot && parts[2]) {
			memcpy(slot->parts, parts, sizeof(parts));
			slot->digest = h;
		}
	}
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

