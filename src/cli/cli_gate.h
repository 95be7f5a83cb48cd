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

/*
 * When -C was given and `path` is a JSON baseline, reads it again into
 * *snap (replacing it) keeping also the structs `build` (the other side,
 * loaded from debug info with the same -C) holds: a typedef name selects
 * a struct in a build but a JSON records no typedefs.  Nothing to do
 * otherwise (standard input is not read twice).  Returns an exit code.
 */
int cli_gate_reselect_json(const cli_inputs *in, const char *path, const sf_snapshot *build,
			   sf_snapshot **snap);

/*
 * Drops from `snap` (a baseline read from JSON) the structs a
 * `structfit: ignore` comment left out of the builds loaded so far, so
 * they are not reported as removed.
 */
void cli_gate_exclude_marked(const cli_inputs *in, sf_snapshot *snap);

/*
 * One verdict for a selection that is empty on every side given (`b` may
 * be NULL): names each -C pattern, or says `what` failed when there was
 * none, and returns CLI_EXIT_FINDINGS; CLI_EXIT_OK when some side has a
 * struct.  A gate that compared nothing must never pass.
 */
int cli_gate_require_structs(const cli_inputs *in, const sf_snapshot *a, const sf_snapshot *b,
			     const char *what);

/*
 * A --source-root as absolute paths: `logical` as the build tools spell it
 * (the directory given, relative ones joined to $PWD when $PWD is the
 * current directory, as compilers record DW_AT_comp_dir) and `physical`,
 * its realpath, which differs when a symbolic link leads to the checkout.
 */
typedef struct cli_source_root {
	char *logical;
	char *physical;
} cli_source_root;

/*
 * Resolves `dir` (NULL: the current directory).  Returns an exit code after
 * printing why it failed (a missing directory is CLI_EXIT_READ).
 */
int cli_gate_source_root(cli_source_root *root, const char *dir);
void cli_gate_source_root_release(cli_source_root *root);

/*
 * Makes the declaration paths of `snap` under either spelling of `root`
 * relative to it (see sf_snapshot_set_source_root).  Returns an exit code.
 */
int cli_gate_relate(sf_snapshot *snap, const cli_source_root *root);

#endif
