/* The fix result object shared by the builder and the diff writer. */
#ifndef SF_FIX_FIX_RESULT_H
#define SF_FIX_FIX_RESULT_H

#include <structfit/fix.h>

#include <stdbool.h>
#include <stddef.h>

#include "fix/fix_lex.h"

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
	char *patched;
	size_t patched_len;
} sf_fix_source;

/* Invariants: files[k] describes sources[file_source[k]], which has edits. */
struct sf_fix {
	sf_fix_source *sources;
	size_t source_count;
	sf_fix_struct *structs;
	size_t struct_count;
	sf_fix_file *files;
	size_t *file_source;
	size_t file_count;
	char **strings;   /* reasons and names owned by the result */
	size_t string_count;
};

#endif
