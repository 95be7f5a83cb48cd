/* What the gate commands (snapshot, check, diff, assert) share: input options and snapshots. */
#ifndef STRUCTFIT_CLI_GATE_H
#define STRUCTFIT_CLI_GATE_H

#include "cli_options.h"

#include <structfit/structfit.h>

#include <stddef.h>

/* Keys of the shared long-only options, clear of each command's own. */
enum {
	CLI_GATE_DEBUG_DIR = CLI_KEY_LONG_ONLY + 200,
	CLI_GATE_CACHELINE
};

/* Rows every gate command's option table starts with. */
#define CLI_GATE_INPUT_OPTIONS \
	{ "struct", 'C', "NAME", "only structs whose name matches the glob NAME\n(repeatable)" }, \
	{ "cacheline", CLI_GATE_CACHELINE, "N", "cache-line size in bytes (default 64)" }, \
	{ "jobs", 'j', "N", "load with N threads (default 0: one per CPU)" }, \
	{ "debug-dir", CLI_GATE_DEBUG_DIR, "DIR", "search DIR first for separate debug files\n(repeatable)" }

typedef struct cli_gate_inputs {
	const char *command;        /* for "see structfit NAME --help" */
	sf_load_options load;
	sf_report_options report;
	const char **globs;
	size_t glob_count;
	const char **debug_dirs;
	size_t debug_dir_count;
} cli_gate_inputs;

/* Returns an exit code; the arrays hold up to argc entries. */
int cli_gate_inputs_init(cli_gate_inputs *in, const char *command, int argc);
void cli_gate_inputs_release(cli_gate_inputs *in);

/*
 * Handles one of the shared options.  Returns 1 when `key` was one of them,
 * 0 when it was not, or CLI_EXIT_USAGE after printing why a value is bad.
 */
int cli_gate_option(cli_gate_inputs *in, int key, const char *arg);

/* Prints the usage line for a bad option value and returns CLI_EXIT_USAGE. */
int cli_gate_usage_error(const cli_gate_inputs *in, const char *option, const char *value,
			 const char *expected);

/*
 * The layouts of `files`: ELF inputs loaded into one model, or a single
 * JSON baseline written by `structfit snapshot` (or report --format=json).
 * Structs are selected by the -C globs.  Returns the worst exit code; *out
 * is NULL when nothing could be loaded.
 */
int cli_gate_snapshot(const cli_gate_inputs *in, char *const *files, size_t count,
		      sf_snapshot **out);

/* Writes `buf` to `output` (atomically) or stdout; returns an exit code. */
int cli_gate_write(const sf_buf *buf, const char *output);

#endif
