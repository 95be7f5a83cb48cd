/* The per-unit cache of what is known about each type DIE, by DIE key. */
#include "dwarf/die_type_cache.h"

#include "util/fail.h"

sf_die_type *sf__die_type_find(const sf_die_ctx *ctx, uint64_t key)
{
	uint64_t hash = sf__die_key_hash(key);
	size_t cursor = 0;
	sf_die_type *t;

	while ((t = sf__hashmap_next(&ctx->types, hash, &cursor)))
		if (t->key == key)
			return t;
	return NULL;
}

sf_die_type *sf__die_type_slot(sf_die_ctx *ctx, const sf_die *d)
{
	uint64_t key = sf__die_key(d);
	sf_die_type *t = sf__die_type_find(ctx, key);

	return t ? t : sf__die_type_add(ctx, key);
}

sf_die_type *sf__die_type_add(sf_die_ctx *ctx, uint64_t key)
{
	uint64_t hash = sf__die_key_hash(key);
	sf_die_type *t = sf__arena_alloc(ctx->unit->arena, sizeof(*t));

	if (!t || sf__hashmap_insert(&ctx->types, hash, t) < 0) {
		sf__fail(SF_ENOMEM, "out of memory");
		return NULL;
	}
	t->key = key;
	return t;
}
