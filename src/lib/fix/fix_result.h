/* The fix result object shared by the builder and the diff writer. */
#ifndef SF_FIX_FIX_RESULT_H
#define SF_FIX_FIX_RESULT_H

#include <structfit/fix.h>

#include <stdbool.h>
#include <stddef.h>

#include "fix/fix_lex.h"
#include "util/arena.h"

/* One struct body replaced.  Invariants: [start, end) covers whole lines;
 * edits of one source are sorted by start and disjoint. */
typedef struct sf_fix_edit {
	size_t start;
	size_t end;
	char *text;
	size_t len;
} sf_fix_edit;

/* One source file read, with the edits planned for it. */
typedef struct sf_fix_source {
	char *path;       /* recorded path after prefix maps */
	char *real;       /* resolved, for deduplication */
	char *rel;        /* relative to the source root */
	char *text;
	size_t len;
	sf_fix_tokens tokens;
	sf_fix_edit *edits;
	size_t edit_count;
	size_t edit_cap;
	char *patched;
	size_t patched_len;
} sf_fix_source;

/*
 * Invariants: files[k] describes sources[file_source[k]], which has edits.
 * Everything the result holds (itself, its arrays, sources, tokens, edits,
 * reasons and names) lives in `arena`: sf_fix_free() is one arena free.
 */
struct sf_fix {
	sf_arena *arena;
	sf_fix_source *sources;
	size_t source_count;
	size_t source_cap;
	sf_fix_struct *structs;
	size_t struct_count;
	size_t struct_cap;
	sf_fix_file *files;
	size_t *file_source;
	size_t file_count;
};

/*
 * Room for one more element of `size` bytes after `count` in `items`
 * (capacity *cap) allocated from `arena`: a full array is copied to one
 * twice its size, the old one left to the arena.  Returns the array to
 * use, or NULL when out of memory.
 */
void *sf__fix_grow(sf_arena *arena, void *items, size_t count, size_t *cap, size_t size);

#endif
