/* The per-unit cache of what is known about each type DIE, and the
 * cached step to a DIE's DW_AT_type target that the name and layout
 * builders share. */
#ifndef SF_DWARF_DIE_TYPE_CACHE_H
#define SF_DWARF_DIE_TYPE_CACHE_H

#include "dwarf/die_ctx.h"

/* Cache slot for `d`, created on first use; NULL on ENOMEM (recorded). */
sf_die_type *sf__die_type_slot(sf_die_ctx *ctx, const sf_die *d);
/* A new cache slot for a key sf__die_type_find() did not find; NULL on
 * ENOMEM (recorded). */
sf_die_type *sf__die_type_add(sf_die_ctx *ctx, uint64_t key);
/* One entry of ctx->types; a NULL `type` marks a free slot. */
typedef struct sf_die_type_entry {
	uint64_t key;
	sf_die_type *type;
} sf_die_type_entry;

/* Frees the cache's table, or clears it and hands it to ctx->reuse. */
void sf__die_type_cache_release(sf_die_ctx *ctx);

/* Existing cache slot for a key, or NULL.  In line: it runs for every
 * member and type reference. */
static inline sf_die_type *sf__die_type_find(const sf_die_ctx *ctx, uint64_t key)
{
	const size_t mask = ctx->type_capacity - 1;

	if (!ctx->type_capacity)
		return NULL;
	for (size_t i = sf__die_key_hash(key) & mask;; i = (i + 1) & mask) {
		const sf_die_type_entry *e = &ctx->types[i];
		if (!e->type || e->key == key)
			return e->type;
	}
}

/* Fills the name (die_name.c) or layout part (die_type.c) of a type DIE's
 * cache slot; d == NULL means void. */
typedef int (*sf_die_type_fill)(sf_die_ctx *ctx, const sf_die *d, unsigned depth, const sf_die_type **out);

/* The DW_AT_type target of `d` filled by `fill` (void when absent),
 * opening the target DIE only when the cache does not have that part
 * yet (`want_name`: the name part): opening a DIE by offset means finding
 * its unit and decoding it.  In line, so each caller's `fill` is a direct
 * call: this runs for every member and type reference. */
static inline int sf__die_target_cached(sf_die_ctx *ctx, const sf_die *d, unsigned depth, bool want_name,
					sf_die_type_fill fill, const sf_die_type **out)
{
	uint64_t key = 0;
	sf_die target;
	int res = sf__die_ref_key(ctx, d, DW_AT_type, &key);

	if (res < 0)
		return res;
	if (res == 0)
		return fill(ctx, NULL, depth + 1, out);
	if (key) {
		const sf_die_type *t = sf__die_type_find(ctx, key);
		if (t && (want_name ? t->named : t->laid_out)) {
			*out = t;
			return 0;
		}
	}
	res = sf__die_ref(ctx, d, DW_AT_type, &target);
	if (res < 0)
		return res;
	res = fill(ctx, res ? &target : NULL, depth + 1, out);
	sf__die_release(&target);
	return res;
}

#endif
