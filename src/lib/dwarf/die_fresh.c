/* The definitions a unit built (sf_die_ctx.fresh), found again by digest
 * within the unit. */
#include "dwarf/die_ctx.h"

#include <stdlib.h>

#include "util/fail.h"
#include "util/grow.h"

/*
 * The worker's table of known definitions (die_known.c) learns a unit's
 * definitions only once the unit is merged, so an equal definition met
 * again in the same unit was built again, then merged away.  Most units
 * repeat none, but python3.11's deepfreeze.c defines a struct type for
 * each of its frozen objects, 7,720 of which 1,209 differ: building the
 * repeats was two thirds of the walk of the unit that ends every load of
 * that file (19 ms, now 8).  The index holds positions in ctx->fresh, plus one.
 */
static size_t fresh_home(const sf_die_digest *digest, size_t mask)
{
	return (size_t)(digest->lo >> 32 ^ digest->hi) & mask;
}

/* Puts position `pos` (plus one) of a definition with `digest` into
 * `index` of mask + 1 slots, at most half full. */
static void index_put(uint32_t *index, size_t mask, const sf_die_digest *digest, uint32_t pos)
{
	size_t i = fresh_home(digest, mask);

	while (index[i])
		i = (i + 1) & mask;
	index[i] = pos;
}

static int fresh_index_grow(sf_die_ctx *ctx)
{
	const size_t capacity = ctx->fresh_index_capacity ? ctx->fresh_index_capacity * 2 : 256;
	uint32_t *index = calloc(capacity, sizeof(*index));

	if (!index)
		return sf__fail(SF_ENOMEM, "out of memory");
	for (size_t k = 0; k < ctx->fresh_count; k++)
		index_put(index, capacity - 1, &ctx->fresh[k].digest, (uint32_t)(k + 1));
	free(ctx->fresh_index);
	ctx->fresh_index = index;
	ctx->fresh_index_capacity = capacity;
	return 0;
}

int sf__die_fresh_remember(sf_die_ctx *ctx, const sf_die_fresh *fresh)
{
	sf_die_fresh *items = sf__grow(ctx->fresh, &ctx->fresh_capacity, ctx->fresh_count, sizeof(*items), 64);

	if (!items)
		return sf__fail(SF_ENOMEM, "out of memory");
	ctx->fresh = items;
	if (ctx->fresh_count >= UINT32_MAX - 1)
		return sf__fail(SF_ENOMEM, "out of memory");
	ctx->fresh[ctx->fresh_count++] = *fresh;
	/* At most half full: a free slot always ends a probe. */
	if (ctx->fresh_count * 2 > ctx->fresh_index_capacity)
		return fresh_index_grow(ctx);
	index_put(ctx->fresh_index, ctx->fresh_index_capacity - 1, &fresh->digest, (uint32_t)ctx->fresh_count);
	return 0;
}

const sf_die_fresh *sf__die_fresh_find(const sf_die_ctx *ctx, const sf_die_digest *digest)
{
	const size_t mask = ctx->fresh_index_capacity - 1;

	if (!ctx->fresh_index_capacity)
		return NULL;
	for (size_t i = fresh_home(digest, mask); ctx->fresh_index[i]; i = (i + 1) & mask) {
		const sf_die_fresh *f = &ctx->fresh[ctx->fresh_index[i] - 1];
		if (f->digest.lo == digest->lo && f->digest.hi == digest->hi)
			return f;
	}
	return NULL;
}
