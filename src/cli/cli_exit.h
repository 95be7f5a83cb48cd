/* Exit codes of the structfit command and their mapping from library errors. */
#ifndef STRUCTFIT_CLI_EXIT_H
#define STRUCTFIT_CLI_EXIT_H

#include <stdio.h>

/*
 * Ordered by severity so that, with several inputs, the highest code seen
 * is the one to return.
 */
enum cli_exit {
	CLI_EXIT_OK = 0,
	CLI_EXIT_FINDINGS = 1,     /* a query found nothing / a gate found problems */
	CLI_EXIT_USAGE = 2,
	CLI_EXIT_READ = 3,         /* missing, unreadable or unwritable file */
	CLI_EXIT_BAD_INPUT = 4,    /* not ELF, corrupt or truncated */
	CLI_EXIT_NO_DEBUG = 5,
	CLI_EXIT_UNSUPPORTED = 6,
	CLI_EXIT_INTERNAL = 7      /* out of memory or a bug */
};

/* Exit code for a negative SF_E* library code; CLI_EXIT_OK for 0. */
int cli_exit_from_error(int sf_code);

/* The larger of two exit codes. */
int cli_exit_worst(int a, int b);

/* Writes the exit status table of structfit --help (command helps point to it). */
void cli_exit_status_print(FILE *out);

#endif
