/* Option and command tables from which both getopt_long and --help are built. */
#ifndef STRUCTFIT_CLI_OPTIONS_H
#define STRUCTFIT_CLI_OPTIONS_H

#include <getopt.h>
#include <stddef.h>
#include <stdio.h>

/*
 * One option of one command.  `key` is what getopt_long returns: the short
 * letter when the option has one, otherwise a value >= CLI_KEY_LONG_ONLY.
 * A table ends with an entry whose long_name is NULL.
 */
typedef struct cli_option {
	const char *long_name;
	int key;
	const char *arg_name;  /* NULL for flags */
	const char *help;
} cli_option;

/* Keys of options without a short letter start here, above any char. */
#define CLI_KEY_LONG_ONLY 256
#define CLI_HAS_SHORT(key) ((key) > 0 && (key) < CLI_KEY_LONG_ONLY)

struct cli_command;

/* A handler gets argv[0] == command name and returns an exit code. */
typedef int (*cli_handler)(const struct cli_command *self, int argc, char **argv);

typedef struct cli_command {
	const char *name;
	cli_handler run;
	const char *summary;      /* one line for `structfit --help` */
	const char *operands;     /* "[options] FILE..." */
	const char *description;  /* paragraph for `structfit help NAME` */
	const cli_option *options;
} cli_command;

/*
 * getopt_long inputs derived from one option table.  Sized for the largest
 * table we have; cli_getopt_build() asserts the table fits.
 */
#define CLI_MAX_OPTIONS 48
typedef struct cli_getopt {
	struct option longopts[CLI_MAX_OPTIONS + 1];
	char shortopts[3 * CLI_MAX_OPTIONS + 3];
} cli_getopt;

/* Fills `out`; `stop_at_operand` keeps getopt from permuting past the first operand. */
void cli_getopt_build(cli_getopt *out, const cli_option *options, int stop_at_operand);

/* Finds the table entry for a getopt_long return value, or NULL. */
const cli_option *cli_option_find(const cli_option *options, int key);

/* Writes the "  -C, --struct=NAME   help" lines of a table. */
void cli_options_print(FILE *out, const cli_option *options);

/* Writes the full help of one command. */
void cli_command_help(FILE *out, const cli_command *cmd);

/*
 * Prints the one-line usage error for a getopt_long '?' or ':' return
 * (`argv`, `optind` and `optopt` as getopt left them) and returns the usage
 * exit code.
 */
int cli_option_error(const cli_command *cmd, int ret, char **argv, const cli_option *options);

/* Parses a decimal unsigned in [min, max]; 0 on success, -1 otherwise. */
int cli_parse_uint(const char *text, unsigned min, unsigned max, unsigned *out);

/* Index of `text` in the NULL-terminated `choices`, or -1. */
int cli_parse_choice(const char *text, const char *const *choices);

/* --syntax=auto|c|go (report and reorder): the sf_syntax value, or -1. */
#define CLI_SYNTAX_CHOICES "auto, c or go"
int cli_parse_syntax(const char *text);

#endif
