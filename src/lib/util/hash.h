/* 64-bit hashing and an open-addressing table of pointers keyed by hash. */
#ifndef SF_UTIL_HASH_H
#define SF_UTIL_HASH_H

#include <stddef.h>
#include <stdint.h>

/* FNV-1a style mixing; `seed` chains several fields into one hash. */
uint64_t sf__hash_bytes(uint64_t seed, const void *data, size_t len);
uint64_t sf__hash_str(uint64_t seed, const char *s); /* NULL hashes as "" plus a marker */
uint64_t sf__hash_u64(uint64_t seed, uint64_t value);

#define SF_HASH_SEED UINT64_C(0xcbf29ce484222325)

/*
 * Multimap from hash to pointer.  Lookups walk every entry with the same
 * hash (sf__hashmap_next) so callers compare the real keys themselves.
 */
typedef struct sf_hashmap_slot {
	uint64_t hash;    /* 0 marks an empty slot; real hashes are forced non-zero */
	void *value;
} sf_hashmap_slot;

typedef struct sf_hashmap {
	/* Hash and value side by side: a probe touches one cache line. */
	sf_hashmap_slot *slots;
	size_t count;
	size_t capacity;  /* power of two */
} sf_hashmap;

/* calloc for tables probed before written: zeroed by writing, so their
 * pages are not first mapped to the shared zero page.  NULL on ENOMEM. */
void *sf__alloc_cleared(size_t count, size_t size);

void sf__hashmap_free(sf_hashmap *map);
int sf__hashmap_insert(sf_hashmap *map, uint64_t hash, void *value); /* 0 or -1 (ENOMEM) */
/* Iterates values stored under `hash`: start with *cursor = 0. NULL at end. */
void *sf__hashmap_next(const sf_hashmap *map, uint64_t hash, size_t *cursor);

#endif
