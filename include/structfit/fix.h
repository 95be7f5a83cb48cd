/* Source patches: struct definitions rewritten in the user's files in the proposed member order. */
#ifndef STRUCTFIT_FIX_H
#define STRUCTFIT_FIX_H

#include <structfit/export.h>
#include <structfit/emit.h>
#include <structfit/reorder.h>

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif
SF_API_BEGIN

/* The patched files and the per-struct outcome of one fix run. */
typedef struct sf_fix sf_fix;

typedef struct sf_fix_options {
	unsigned version;
	/* Directory the sources live under: only files below it are patched,
	 * the initializer scan reads every C file below it, and diff paths
	 * are relative to it.  NULL means the current directory. */
	const char *source_root;
	/* Rewrites of recorded source paths (`-fdebug-prefix-map` undone):
	 * a path starting with prefix_old[i] gets prefix_new[i] instead;
	 * the first match wins. */
	const char *const *prefix_old;
	const char *const *prefix_new;
	size_t prefix_count;
	/* The options the plan was made with (borrowed; NULL for defaults):
	 * used again when members declared on one line must stay together. */
	const sf_reorder_options *reorder;
	/* Patch structs with positional initializers anyway. */
	int force;
	/* Patch structs reachable from exported symbols anyway. */
	int allow_abi_change;
} sf_fix_options;

#define SF_FIX_OPTIONS_VERSION 1
#define SF_FIX_OPTIONS_INIT { SF_FIX_OPTIONS_VERSION, NULL, NULL, NULL, 0, NULL, 0, 0 }

/* What happened to one struct whose proposal saves bytes. */
typedef struct sf_fix_struct {
	const char *name;        /* tag, else typedef name, else "(anonymous)" */
	const char *file;        /* relative to the source root when found, else as recorded; may be NULL */
	uint32_t line;
	uint64_t original_size;
	uint64_t size;           /* predicted size after the patch */
	uint64_t saves;
	const char *skip_reason; /* NULL when patched */
	/* Patched structs of the same run it embeds by value (", "-separated),
	 * whose shrink `size` includes; NULL when it embeds none. */
	const char *size_depends_on;
	/* The same when `size` could not follow their shrink (a packed
	 * struct, a C++ base): the struct gets smaller than predicted. */
	const char *size_unpredicted;
	/* What `reorder` proposes for it alone (saves before the run-wide
	 * prediction), so fix's totals reconcile with reorder's. */
	uint64_t planned_saves;
	/* Skipped because its definition lies outside the source root
	 * (typically a system header). */
	int outside_source_root;
	/* Patched under --force although positional initializers of it were
	 * found: lists them (file:line each), NULL otherwise. */
	const char *warning;
} sf_fix_struct;

/* One file the fix changes.  Texts are not NUL-terminated. */
typedef struct sf_fix_file {
	const char *path;        /* to open: the recorded path after prefix maps */
	const char *rel_path;    /* relative to the source root, '/'-separated */
	const char *original;
	size_t original_len;
	const char *patched;
	size_t patched_len;
} sf_fix_file;

/*
 * Finds the definition of every struct of `plan` whose proposal saves
 * bytes, checks that its source still declares exactly the members the
 * debug info knows, scans the source root for positional initializers,
 * and rewrites the bodies in memory.  Files are only read.  The plan must
 * outlive the result.  Caller frees with sf_fix_free().
 * Returns 0 (structs that cannot be patched are listed with a reason),
 * SF_ENOTFOUND (source root missing), SF_EUSAGE or SF_ENOMEM.
 */
int sf_fix_build(sf_fix **out, const sf_plan *plan, const sf_fix_options *opts);
void sf_fix_free(sf_fix *fix);

/* Structs with a saving, patched or skipped, in plan order.  Borrowed. */
size_t sf_fix_struct_count(const sf_fix *fix);
const sf_fix_struct *sf_fix_struct_at(const sf_fix *fix, size_t index);

/* Files with at least one patched struct, in order of first use.  Borrowed. */
size_t sf_fix_file_count(const sf_fix *fix);
const sf_fix_file *sf_fix_file_at(const sf_fix *fix, size_t index);

/*
 * Takes `len` bytes of `text`, a formatter's output for the patched text
 * of file `index`, and keeps its changes where they touch the rewritten
 * struct bodies (lines elsewhere stay as they were, so a file the
 * formatter would change anyway is not reformatted wholesale): how a
 * caller applies gofmt (the CLI does for Go files; the library itself
 * starts no processes).  Diffs and writes use the result from then on.
 * Returns 0, SF_EUSAGE for a bad index or SF_ENOMEM.
 */
int sf_fix_file_replace(sf_fix *fix, size_t index, const char *text, size_t len);

/*
 * Appends a unified diff of every changed file (paths a/REL and b/REL,
 * one hunk per struct, up to three context lines) that `git apply` and
 * `patch -p1` accept.  Returns 0 or SF_ENOMEM.
 */
int sf_fix_emit_diff(sf_buf *buf, const sf_fix *fix);

SF_API_END
#ifdef __cplusplus
}
#endif
#endif
