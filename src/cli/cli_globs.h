/* -C lists: "a,b,c" as pahole takes them, split into one glob each. */
#ifndef STRUCTFIT_CLI_GLOBS_H
#define STRUCTFIT_CLI_GLOBS_H

#include <stddef.h>

/*
 * Appends the comma-separated globs of `arg` to *globs (a malloc'd array
 * of *count entries, grown with realloc and kept NULL-terminated).  Commas
 * inside <...> stay: they separate C++ template arguments
 * (`std::pair<int, int>`).  Split pieces live in a copy of `arg` appended
 * to *copies (freed by the caller, each entry then the array); an `arg`
 * without a comma is borrowed as it is.  Returns 0 or -1 when out of memory.
 */
int cli_globs_add(const char ***globs, size_t *count, char ***copies, size_t *copy_count,
		  const char *arg);

#endif
