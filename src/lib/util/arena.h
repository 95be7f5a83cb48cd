/* Bump allocator: many small objects, freed together in one call. */
#ifndef SF_UTIL_ARENA_H
#define SF_UTIL_ARENA_H

#include <stddef.h>

/*
 * Blocks are chained; an allocation never moves, so pointers into an arena
 * stay valid until sf__arena_free().  Built with STRUCTFIT_ARENA_MALLOC
 * defined, every allocation is its own malloc() so ASan and valgrind see
 * each object's bounds.
 */
typedef struct sf_arena sf_arena;

/*
 * Free blocks kept for the next arenas of one owner (a loader's worker
 * walks unit after unit, each in an arena of its own; a cursor drops its
 * tables now and then): the next arena takes the last one's blocks, still
 * mapped and in cache, instead of asking malloc, which may have handed
 * the memory back to the system meanwhile.  Not locked: one thread uses a
 * pool at a time.  It keeps at most `limit` blocks, the rest go back to
 * malloc, and it must outlive every arena made with it, including those
 * that adopted one.  Under STRUCTFIT_ARENA_MALLOC it keeps nothing.
 */
typedef struct sf_arena_pool {
	struct sf_arena_block *blocks;
	size_t count;
	size_t limit;
} sf_arena_pool;

/* Blocks of the arena allocator, for choosing a pool's limit. */
#define SF_ARENA_BLOCK_BYTES (64u * 1024u)

int sf__arena_new(sf_arena **out);
/* An arena taking its blocks from `pool` first and giving them back to it
 * when freed; `pool` may be NULL (then like sf__arena_new). */
int sf__arena_new_pooled(sf_arena **out, sf_arena_pool *pool);
void sf__arena_free(sf_arena *arena);
/* Frees the blocks the pool holds; it stays usable. */
void sf__arena_pool_release(sf_arena_pool *pool);
/* Blocks the pool holds (for tests). */
size_t sf__arena_pool_count(const sf_arena_pool *pool);

/* Zeroed, aligned to max_align_t.  NULL when out of memory. */
void *sf__arena_alloc(sf_arena *arena, size_t size);
/* sf__arena_alloc() for bytes the caller writes in full: not zeroed.
 * The type cache's entries (millions for a kernel) were a libc memset
 * call each before the caller filled them. */
void *sf__arena_alloc_uninit(sf_arena *arena, size_t size);
/* Overflow-checked count * size. */
void *sf__arena_calloc(sf_arena *arena, size_t count, size_t size);
/* sf__arena_calloc() not zeroed, for arrays the caller fills in full. */
void *sf__arena_array_uninit(sf_arena *arena, size_t count, size_t size);
/* Copies `len` bytes of `s` and a terminating NUL. */
char *sf__arena_strndup(sf_arena *arena, const char *s, size_t len);
char *sf__arena_strdup(sf_arena *arena, const char *s);
/*
 * Moves every allocation of `from` into `arena`: they stay where they are
 * and are freed with `arena` (into its pool, if any); `from` is left
 * empty and still usable.
 */
void sf__arena_adopt(sf_arena *arena, sf_arena *from);
/* Bytes handed out so far (for tests and memory reports). */
size_t sf__arena_used(const sf_arena *arena);

#endif
