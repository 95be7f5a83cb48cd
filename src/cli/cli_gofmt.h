/* gofmt over the patched Go files of a fix, so moved field lines get gofmt's columns. */
#ifndef STRUCTFIT_CLI_GOFMT_H
#define STRUCTFIT_CLI_GOFMT_H

#include <structfit/fix.h>

/*
 * Runs `gofmt` (a program name looked up in PATH, or a path) on the
 * patched text of every ".go" file of `fix` and keeps its output.  A
 * missing gofmt or one that fails leaves the text as structfit wrote it,
 * with a note.  Returns an exit code (CLI_EXIT_OK unless out of memory).
 */
int cli_gofmt_fix(sf_fix *fix, const char *gofmt);

#endif
