/* The per-unit cache of what is known about each type DIE, by DIE key. */
#include "dwarf/die_type_cache.h"

#include <stdlib.h>

#include "util/fail.h"

/* Bytes of the unit per slot to start with: a Debian vmlinux caches a
 * type per 51 bytes of DIEs (3.2 M for 164 MB), and growing the table
 * from small was a rehash per doubling in every unit; twice that keeps
 * the table half full and small enough to stay in cache. */
#define START_BYTES_PER_SLOT 32u
#define MIN_CAPACITY 64u
#define MAX_START_CAPACITY (1u << 20)

static size_t start_capacity(const sf_die_ctx *ctx, const sf_die *d)
{
	const sf_dw_unit *unit = d->raw.unit;
	uint64_t bytes = unit ? unit->end - unit->offset : 0;
	size_t capacity = MIN_CAPACITY;

	while (capacity < MAX_START_CAPACITY && capacity < bytes / START_BYTES_PER_SLOT)
		capacity *= 2;
	(void)ctx;
	return capacity;
}

/* At most half full, so probes stay short and always end at a free slot. */
static int grow(sf_die_ctx *ctx, size_t capacity)
{
	sf_die_type_entry *entries = sf__alloc_cleared(capacity, sizeof(*entries));

	if (!entries)
		return sf__fail(SF_ENOMEM, "out of memory");
	for (size_t k = 0; k < ctx->type_capacity; k++) {
		const sf_die_type_entry *e = &ctx->types[k];
		size_t i;
		if (!e->type)
			continue;
		for (i = sf__die_key_hash(e->key) & (capacity - 1); entries[i].type; i = (i + 1) & (capacity - 1))
			;
		entries[i] = *e;
	}
	free(ctx->types);
	ctx->types = entries;
	ctx->type_capacity = capacity;
	return 0;
}

static sf_die_type *add(sf_die_ctx *ctx, uint64_t key, size_t first_capacity)
{
	sf_die_type *t;
	size_t i;

	if ((ctx->type_count + 1) * 2 > ctx->type_capacity &&
	    grow(ctx, ctx->type_capacity ? ctx->type_capacity * 2 : first_capacity) < 0)
		return NULL;
	t = sf__arena_alloc(ctx->unit->arena, sizeof(*t));
	if (!t) {
		sf__fail(SF_ENOMEM, "out of memory");
		return NULL;
	}
	t->key = key;
	for (i = sf__die_key_hash(key) & (ctx->type_capacity - 1); ctx->types[i].type;
	     i = (i + 1) & (ctx->type_capacity - 1))
		;
	ctx->types[i].key = key;
	ctx->types[i].type = t;
	ctx->type_count++;
	return t;
}

sf_die_type *sf__die_type_slot(sf_die_ctx *ctx, const sf_die *d)
{
	uint64_t key = sf__die_key(d);
	sf_die_type *t = sf__die_type_find(ctx, key);

	return t ? t : add(ctx, key, start_capacity(ctx, d));
}

sf_die_type *sf__die_type_add(sf_die_ctx *ctx, uint64_t key)
{
	return add(ctx, key, MIN_CAPACITY);
}
