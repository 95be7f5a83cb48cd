/* `structfit: ignore` comments in the sources, read for the report's exclude hook. */
#ifndef STRUCTFIT_CLI_IGNORE_H
#define STRUCTFIT_CLI_IGNORE_H

#include <stddef.h>

/* The marker users write on or just above a struct's opening line. */
#define CLI_IGNORE_MARKER "structfit: ignore"

/* One source file's verdicts: the declaration lines a marker covers. */
typedef struct cli_ignore_file {
	char *path;
	unsigned *lines;   /* ascending */
	size_t line_count;
} cli_ignore_file;

/*
 * State of the hook: each source file is read once (structs of many
 * headers interleave, so remembering only the last one would read them
 * again and again), and the names it left out, so a baseline can leave
 * them out too.
 */
typedef struct cli_ignore {
	cli_ignore_file *files;   /* open-addressing table by path */
	size_t file_cap;          /* a power of two, or 0 */
	size_t file_count;
	/* Directories found missing: a debug file built elsewhere names
	 * thousands of sources under a build tree that is not here (a
	 * Debian vmlinux: 2,000 headers, 2.5 ms of failing opens). */
	char **missing_dirs;
	size_t missing_count;
	size_t missing_cap;
	char **names;
	size_t name_count;
	size_t name_cap;
} cli_ignore;

/*
 * sf_report_exclude_fn: nonzero when the line declaring the struct, or
 * the comment lines right above it, hold CLI_IGNORE_MARKER.  Unreadable
 * sources exclude nothing.
 */
int cli_ignore_marked(void *ctx, const char *name, const char *decl_file, unsigned decl_line);

/* True when `name` was left out by a marker. */
int cli_ignore_has(const cli_ignore *ig, const char *name);

void cli_ignore_release(cli_ignore *ig);

#endif
