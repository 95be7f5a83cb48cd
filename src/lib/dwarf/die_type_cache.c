/* The per-unit cache of what is known about each type DIE, by DIE key. */
#include "dwarf/die_type_cache.h"

#include <stdlib.h>
#include <string.h>

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

/* Tables up to this many slots (16 MiB) are kept for the next unit. */
#define MAX_KEPT_ROOM MAX_START_CAPACITY

static void insert_entry(sf_die_type_entry *entries, size_t capacity, const sf_die_type_entry *e)
{
	size_t i;

	for (i = sf__die_key_hash(e->key) & (capacity - 1); entries[i].type; i = (i + 1) & (capacity - 1))
		;
	entries[i] = *e;
}

/* A table of `room` slots whose first `used` may be taken: freed, or
 * cleared and kept in ctx->reuse when it is the largest one there. */
static void give_back(sf_die_reuse *reuse, sf_die_type_entry *table, size_t used, size_t room)
{
	if (!table)
		return;
	if (!reuse || room > MAX_KEPT_ROOM || (reuse->types && reuse->type_room >= room)) {
		free(table);
		return;
	}
	memset(table, 0, used * sizeof(*table));
	free(reuse->types);
	reuse->types = table;
	reuse->type_room = room;
}

/* The slots in use rehashed into the first `capacity` of the table they
 * are in (ctx->type_room of them). */
static int rehash_in_place(sf_die_ctx *ctx, size_t capacity)
{
	sf_die_type_entry *live = malloc(ctx->type_count * sizeof(*live) + 1);
	size_t n = 0;

	if (!live)
		return sf__fail(SF_ENOMEM, "out of memory");
	for (size_t k = 0; k < ctx->type_capacity; k++)
		if (ctx->types[k].type)
			live[n++] = ctx->types[k];
	memset(ctx->types, 0, ctx->type_capacity * sizeof(*ctx->types));
	for (size_t k = 0; k < n; k++)
		insert_entry(ctx->types, capacity, &live[k]);
	free(live);
	ctx->type_capacity = capacity;
	return 0;
}

/* At most half full, so probes stay short and always end at a free slot.
 * The slots past type_capacity are always free. */
static int grow(sf_die_ctx *ctx, size_t capacity)
{
	sf_die_reuse *reuse = ctx->reuse;
	sf_die_type_entry *entries;
	size_t room = capacity;

	if (capacity <= ctx->type_room)
		return rehash_in_place(ctx, capacity);
	if (reuse && reuse->types && reuse->type_room >= capacity) {
		entries = reuse->types;
		room = reuse->type_room;
		reuse->types = NULL;
		reuse->type_room = 0;
	} else if (!(entries = sf__alloc_cleared(capacity, sizeof(*entries)))) {
		return sf__fail(SF_ENOMEM, "out of memory");
	}
	for (size_t k = 0; k < ctx->type_capacity; k++)
		if (ctx->types[k].type)
			insert_entry(entries, capacity, &ctx->types[k]);
	give_back(reuse, ctx->types, ctx->type_capacity, ctx->type_room);
	ctx->types = entries;
	ctx->type_capacity = capacity;
	ctx->type_room = room;
	return 0;
}

void sf__die_type_cache_release(sf_die_ctx *ctx)
{
	give_back(ctx->reuse, ctx->types, ctx->type_capacity, ctx->type_room);
	ctx->types = NULL;
	ctx->type_count = 0;
	ctx->type_capacity = 0;
	ctx->type_room = 0;
}

void sf__die_reuse_init(sf_die_reuse *reuse)
{
	memset(reuse, 0, sizeof(*reuse));
	reuse->pool.limit = SF_DIE_REUSE_BLOCKS;
}

void sf__die_reuse_release(sf_die_reuse *reuse)
{
	sf__arena_pool_release(&reuse->pool);
	free(reuse->types);
	reuse->types = NULL;
	reuse->type_room = 0;
}

static sf_die_type *add(sf_die_ctx *ctx, uint64_t key, size_t first_capacity)
{
	sf_die_type *t;

	if ((ctx->type_count + 1) * 2 > ctx->type_capacity &&
	    grow(ctx, ctx->type_capacity ? ctx->type_capacity * 2 : first_capacity) < 0)
		return NULL;
	t = sf__arena_alloc_uninit(ctx->unit->arena, sizeof(*t));
	if (!t) {
		sf__fail(SF_ENOMEM, "out of memory");
		return NULL;
	}
	*t = (sf_die_type){ .key = key };
	insert_entry(ctx->types, ctx->type_capacity, &(sf_die_type_entry){ .key = key, .type = t });
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
