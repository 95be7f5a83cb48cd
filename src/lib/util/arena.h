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

int sf__arena_new(sf_arena **out);
void sf__arena_free(sf_arena *arena);

/* Zeroed, aligned to max_align_t.  NULL when out of memory. */
void *sf__arena_alloc(sf_arena *arena, size_t size);
/* Overflow-checked count * size. */
void *sf__arena_calloc(sf_arena *arena, size_t count, size_t size);
/* Copies `len` bytes of `s` and a terminating NUL. */
char *sf__arena_strndup(sf_arena *arena, const char *s, size_t len);
char *sf__arena_strdup(sf_arena *arena, const char *s);
/*
 * Moves every allocation of `from` into `arena`: they stay where they are
 * and are freed with `arena`; `from` is left empty and still usable.
 */
void sf__arena_adopt(sf_arena *arena, sf_arena *from);
/* Bytes handed out so far (for tests and memory reports). */
size_t sf__arena_used(const sf_arena *arena);

#endif
