/* What every command reading debug info shares: input options, parsing, loading, output. */
#ifndef STRUCTFIT_CLI_INPUTS_H
#define STRUCTFIT_CLI_INPUTS_H

#include "cli_ignore.h"
#include "cli_options.h"

#include <structfit/structfit.h>

#include <stddef.h>

/* Keys of the shared long-only options, clear of each command's own. */
enum {
	CLI_INPUT_DEBUG_DIR = CLI_KEY_LONG_ONLY + 200,
	CLI_INPUT_CACHELINE,
	CLI_INPUT_LOCAL_TYPES,
	CLI_INPUT_COLOR,
	CLI_INPUT_FORMAT_IN,
	CLI_INPUT_BTF_BASE,
	CLI_INPUT_NO_DEBUGINFOD,
	CLI_INPUT_DWO_DIR
};

/* Rows every loading command's option table starts with. */
#define CLI_INPUT_OPTIONS \
	{ "struct", 'C', "NAME", "only structs whose name matches the glob NAME, or\n" \
	  "that a typedef matching NAME names; C++: the\n" \
	  "qualified name or a tail of it (Inner finds\n" \
	  "ns::Outer::Inner); repeatable" }, \
	{ "exclude", 'x', "NAME", "leave out structs whose name matches the glob NAME\n" \
	  "(repeatable); a '" CLI_IGNORE_MARKER "' comment on or above a\n" \
	  "struct's declaration leaves it out too" }, \
	{ "cacheline", CLI_INPUT_CACHELINE, "N", "cache-line size in bytes (default 64)" }, \
	{ "jobs", 'j', "N", "load, analyse and format with N threads\n(default 0: one per CPU)" }, \
	{ "debug-dir", CLI_INPUT_DEBUG_DIR, "DIR", "search DIR first for separate debug files\n(repeatable)" }, \
	{ "dwo-dir", CLI_INPUT_DWO_DIR, "DIR", "search DIR first for split-DWARF .dwo files and\n" \
	  "the FILE.dwp package (repeatable)" }, \
	{ "local-types", CLI_INPUT_LOCAL_TYPES, NULL, "also read structs defined inside functions\n" \
	  "(pahole does not; reading function bodies is slower)" }, \
	{ "format-in", CLI_INPUT_FORMAT_IN, "FMT", "debug format to read: dwarf, btf or auto (default:\n" \
	  "DWARF when present, else the file's BTF; BTF has no\n" \
	  "alignments, they are inferred)" }, \
	{ "btf-base", CLI_INPUT_BTF_BASE, "FILE", "base BTF of split BTF (kernel modules; default\n" \
	  "/sys/kernel/btf/vmlinux)" }, \
	{ "no-debuginfod", CLI_INPUT_NO_DEBUGINFOD, NULL, "never fetch missing debug info from the\n" \
	  "DEBUGINFOD_URLS servers" }

#define CLI_OPTION_COLOR \
	{ "color", CLI_INPUT_COLOR, "WHEN", "auto (default: colour on a terminal unless NO_COLOR\n" \
	  "is set), always or never" }
#define CLI_OPTION_OUTPUT { "output", 'o', "FILE", "write to FILE (replaced atomically), not stdout" }
#define CLI_OPTION_HELP { "help", 'h', NULL, "show this help and exit" }

typedef struct cli_inputs {
	const char *command;        /* for "see structfit NAME --help" */
	sf_load_options load;
	sf_report_options report;
	const char **globs;
	size_t glob_count;
	char **glob_copies;         /* storage of -C lists split at commas */
	size_t glob_copy_count;
	const char **excludes;      /* -x globs */
	size_t exclude_count;
	/* Structs left out by a source comment; shared by copies of `in`. */
	cli_ignore *ignore;
	const char **debug_dirs;
	size_t debug_dir_count;
	const char **dwo_dirs;
	size_t dwo_dir_count;
	int color;                  /* CLI_COLOR_* */
	const char *output;         /* -o FILE, or NULL for stdout */
	char **files;               /* operands, after parsing */
	size_t file_count;
} cli_inputs;

enum { CLI_COLOR_AUTO, CLI_COLOR_ALWAYS, CLI_COLOR_NEVER };

/* Exit code of cli_inputs_parse() after --help: stop, successfully. */
#define CLI_EXIT_HELP (-1)

/* Returns an exit code; the arrays hold up to argc entries. */
int cli_inputs_init(cli_inputs *in, const char *command, int argc);
void cli_inputs_release(cli_inputs *in);

/*
 * A command's own options: returns 1 when `key` was handled, 0 when it is
 * unknown, or an exit code after printing why a value is bad.
 */
typedef int (*cli_option_fn)(void *ctx, cli_inputs *in, int key, const char *arg);

/*
 * Parses argv against self->options.  Shared options fill `in`, the others
 * go to `fn` (may be NULL); operands land in in->files.  Returns
 * CLI_EXIT_OK, CLI_EXIT_HELP after printing the help, or an exit code
 * after printing the error.  Operand counts are the command's to check.
 */
int cli_inputs_parse(cli_inputs *in, const cli_command *self, int argc, char **argv,
		     cli_option_fn fn, void *ctx);

/*
 * cli_inputs_parse() followed by cli_inputs_require_files(): the start of
 * every command that reads FILE operands.  Returns CLI_EXIT_OK to go on,
 * else the code to stop with (CLI_EXIT_HELP after --help: see
 * cli_exit_status()).
 */
int cli_inputs_parse_files(cli_inputs *in, const cli_command *self, int argc, char **argv,
			   cli_option_fn fn, void *ctx);

/* A command's exit status from its last code: CLI_EXIT_HELP means success. */
static inline int cli_exit_status(int code)
{
	return code == CLI_EXIT_HELP ? 0 : code;
}

/* Prints the usage line for a bad option value and returns CLI_EXIT_USAGE. */
int cli_inputs_usage_error(const cli_inputs *in, const char *option, const char *value,
			   const char *expected);

/* Prints "no input files" and returns CLI_EXIT_USAGE when there are none;
 * report, reorder, assert and snapshot read /sys/kernel/btf/vmlinux
 * instead when it exists, and say so. */
int cli_inputs_require_files(cli_inputs *in);

/*
 * Loads in->files into a new model and builds the report of the selected
 * structs.  -C with plain names lets the loader stop at first definitions
 * when `first_match_ok`.  Returns the worst exit code; *model and *report
 * stay NULL when nothing loaded (there is nothing true to print then).
 */
int cli_inputs_load(cli_inputs *in, int first_match_ok, sf_model **model, sf_report **report);

/* Names each -C pattern that selected nothing; returns CLI_EXIT_FINDINGS if any did. */
int cli_inputs_check_globs(const cli_inputs *in, const sf_model *model, const sf_report *report);

/* Whether to colour text output: --color, NO_COLOR and a terminal on stdout. */
int cli_inputs_color(const cli_inputs *in, int text_output);

/*
 * Writes `buf` to in->output (atomically) or stdout; returns an exit code.
 * `code` is the run's verdict so far: unless it is CLI_EXIT_OK an output
 * file is left as it was (stdout still gets what there is).
 */
int cli_inputs_write(const cli_inputs *in, const sf_buf *buf, int code);

#endif
