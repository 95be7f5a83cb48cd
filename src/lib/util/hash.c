/* Hashing and the pointer multimap. */
#include "util/hash.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define FNV_PRIME UINT64_C(0x100000001b3)

uint64_t sf__hash_bytes(uint64_t seed, const void *data, size_t len)
{
	const unsigned char *p = data;
	uint64_t h = seed;
	for (size_t i = 0; i < len; i++) {
		h ^= p[i];
		h *= FNV_PRIME;
	}
	return h;
}

uint64_t sf__hash_str(uint64_t seed, const char *s)
{
	if (!s)
		return sf__hash_u64(seed, UINT64_C(0x9e3779b97f4a7c15));
	/* Include the terminator so ("ab","c") and ("a","bc") differ. */
	return sf__hash_bytes(seed, s, strlen(s) + 1);
}

uint64_t sf__hash_u64(uint64_t seed, uint64_t value)
{
	return sf__hash_bytes(seed, &value, sizeof(value));
}

static uint64_t nonzero(uint64_t hash)
{
	return hash ? hash : 1;
}

void sf__hashmap_free(sf_hashmap *map)
{
	free(map->slots);
	memset(map, 0, sizeof(*map));
}

/*
 * calloc hands big tables out as fresh zero pages, and probing reads a
 * slot before writing it, so every page took a second, copy-on-write
 * fault whose TLB flush interrupts every other thread.  The empty asm
 * keeps the compiler from folding malloc + memset back into calloc.
 */
void *sf__alloc_cleared(size_t count, size_t size)
{
	void *p;

	if (size && count > SIZE_MAX / size)
		return NULL;
	p = malloc(count * size);
	if (p) {
		__asm__ volatile("" : : "r"(p) : "memory");
		memset(p, 0, count * size);
	}
	return p;
}

static void place(sf_hashmap_slot *slots, size_t capacity, uint64_t hash, void *value)
{
	size_t mask = capacity - 1;
	size_t i = (size_t)(hash ^ (hash >> 29)) & mask;
	while (slots[i].hash)
		i = (i + 1) & mask;
	slots[i].hash = hash;
	slots[i].value = value;
}

int sf__hashmap_insert(sf_hashmap *map, uint64_t hash, void *value)
{
	hash = nonzero(hash);
	if ((map->count + 1) * 4 > map->capacity * 3) {
		size_t capacity = map->capacity ? map->capacity * 2 : 64;
		sf_hashmap_slot *slots = sf__alloc_cleared(capacity, sizeof(*slots));
		if (!slots)
			return -1;
		for (size_t i = 0; i < map->capacity; i++)
			if (map->slots[i].hash)
				place(slots, capacity, map->slots[i].hash, map->slots[i].value);
		free(map->slots);
		map->slots = slots;
		map->capacity = capacity;
	}
	place(map->slots, map->capacity, hash, value);
	map->count++;
	return 0;
}

void *sf__hashmap_next(const sf_hashmap *map, uint64_t hash, size_t *cursor)
{
	size_t mask, i;

	if (!map->capacity)
		return NULL;
	hash = nonzero(hash);
	mask = map->capacity - 1;
	/* cursor counts probes already taken from the home slot. */
	for (;;) {
		i = ((size_t)(hash ^ (hash >> 29)) + *cursor) & mask;
		if (!map->slots[i].hash || *cursor > mask)
			return NULL;
		(*cursor)++;
		if (map->slots[i].hash == hash)
			return map->slots[i].value;
	}
}
