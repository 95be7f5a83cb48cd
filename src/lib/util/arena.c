/* Bump allocator implementation. */
#include "util/arena.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum { BLOCK_SIZE = SF_ARENA_BLOCK_BYTES, ALIGNMENT = _Alignof(max_align_t) };

typedef struct sf_arena_block {
	struct sf_arena_block *next;
	size_t used;
	size_t capacity;
	/* Flexible array last: payload follows the header in one allocation. */
	_Alignas(max_align_t) unsigned char data[];
} block;

struct sf_arena {
	block *head;
	size_t total;
	sf_arena_pool *pool;   /* where its standard blocks come from and go; may be NULL */
};

int sf__arena_new(sf_arena **out)
{
	return sf__arena_new_pooled(out, NULL);
}

int sf__arena_new_pooled(sf_arena **out, sf_arena_pool *pool)
{
	*out = calloc(1, sizeof(sf_arena));
	if (!*out)
		return -1;
	(*out)->pool = pool;
	return 0;
}

/* Into `pool` when it has room; big private blocks (and, under
 * STRUCTFIT_ARENA_MALLOC, every block: each is one object, which ASan
 * must see die) go back to malloc. */
static void drop_block(sf_arena_pool *pool, block *b)
{
#ifndef STRUCTFIT_ARENA_MALLOC
	if (pool && b->capacity == BLOCK_SIZE && pool->count < pool->limit) {
		b->next = pool->blocks;
		pool->blocks = b;
		pool->count++;
		return;
	}
#else
	(void)pool;
#endif
	free(b);
}

void sf__arena_free(sf_arena *arena)
{
	if (!arena)
		return;
	for (block *b = arena->head; b;) {
		block *next = b->next;
		drop_block(arena->pool, b);
		b = next;
	}
	free(arena);
}

void sf__arena_pool_release(sf_arena_pool *pool)
{
	if (!pool)
		return;
	for (block *b = pool->blocks; b;) {
		block *next = b->next;
		free(b);
		b = next;
	}
	pool->blocks = NULL;
	pool->count = 0;
}

size_t sf__arena_pool_count(const sf_arena_pool *pool)
{
	return pool->count;
}

static block *new_block(sf_arena_pool *pool, size_t capacity)
{
	block *b;

	if (pool && pool->blocks && capacity == BLOCK_SIZE) {
		b = pool->blocks;
		pool->blocks = b->next;
		pool->count--;
	} else if (!(b = malloc(sizeof(block) + capacity))) {
		return NULL;
	}
	b->next = NULL;
	b->used = 0;
	b->capacity = capacity;
	return b;
}

void *sf__arena_alloc_uninit(sf_arena *arena, size_t size)
{
	size_t rounded;
	block *b;

	if (size == 0)
		size = 1;
	if (size > SIZE_MAX - ALIGNMENT)
		return NULL;
	rounded = (size + ALIGNMENT - 1) & ~(size_t)(ALIGNMENT - 1);
#ifdef STRUCTFIT_ARENA_MALLOC
	b = new_block(NULL, rounded);
	if (!b)
		return NULL;
	b->next = arena->head;
	arena->head = b;
#else
	b = arena->head;
	if (!b || b->capacity - b->used < rounded) {
		if (rounded > BLOCK_SIZE / 4) {
			/* Big objects get a private block behind the current one so
			 * the current block's free space is not wasted. */
			block *big = new_block(NULL, rounded);
			if (!big)
				return NULL;
			big->used = rounded;
			if (b) {
				big->next = b->next;
				b->next = big;
			} else {
				arena->head = big;
			}
			arena->total += rounded;
			return big->data;
		}
		b = new_block(arena->pool, BLOCK_SIZE);
		if (!b)
			return NULL;
		b->next = arena->head;
		arena->head = b;
	}
#endif
	void *p = b->data + b->used;
	b->used += rounded;
	arena->total += rounded;
	return p;
}

void *sf__arena_alloc(sf_arena *arena, size_t size)
{
	void *p = sf__arena_alloc_uninit(arena, size);

	if (p)
		memset(p, 0, size ? size : 1);
	return p;
}

void *sf__arena_calloc(sf_arena *arena, size_t count, size_t size)
{
	size_t total;
	if (__builtin_mul_overflow(count, size, &total))
		return NULL;
	return sf__arena_alloc(arena, total);
}

void *sf__arena_array_uninit(sf_arena *arena, size_t count, size_t size)
{
	size_t total;
	if (__builtin_mul_overflow(count, size, &total))
		return NULL;
	return sf__arena_alloc_uninit(arena, total);
}

char *sf__arena_strndup(sf_arena *arena, const char *s, size_t len)
{
	char *copy = sf__arena_alloc_uninit(arena, len + 1);
	if (!copy)
		return NULL;
	memcpy(copy, s, len);
	copy[len] = '\0';
	return copy;
}

char *sf__arena_strdup(sf_arena *arena, const char *s)
{
	return sf__arena_strndup(arena, s, strlen(s));
}

void sf__arena_adopt(sf_arena *arena, sf_arena *from)
{
	block *last;

	if (!from || !from->head)
		return;
	for (last = from->head; last->next; last = last->next)
		;
	/* Behind the current block, which keeps serving allocations. */
	if (arena->head) {
		last->next = arena->head->next;
		arena->head->next = from->head;
	} else {
		arena->head = from->head;
	}
	arena->total += from->total;
	from->head = NULL;
	from->total = 0;
}

size_t sf__arena_used(const sf_arena *arena)
{
	return arena->total;
}
