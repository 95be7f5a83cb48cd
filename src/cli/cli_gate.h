/* What the gate commands (snapshot, check, diff, assert) share: layouts as snapshots. */
#ifndef STRUCTFIT_CLI_GATE_H
#define STRUCTFIT_CLI_GATE_H

#include "cli_inputs.h"

#include <structfit/structfit.h>

#include <stddef.h>

/*
 * The layouts of `files`: ELF inputs loaded into one model, or a single
 * JSON baseline written by `structfit snapshot` (or report --format=json).
 * Structs are selected by the -C globs.  Returns the worst exit code; *out
 * is NULL when nothing could be loaded.
 */
int cli_gate_snapshot(const cli_inputs *in, char *const *files, size_t count,
		      sf_snapshot **out);

#endif
