/* Where the command's bytes go: error lines, the progress line, stdout and output files. */
#ifndef STRUCTFIT_CLI_OUTPUT_H
#define STRUCTFIT_CLI_OUTPUT_H

#include <stddef.h>
#include <time.h>

/* Prints "structfit: <message>" on stderr: the one error-printing path. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Writes `len` bytes to stdout.  Returns an exit code, after printing why on failure. */
int cli_write_stdout(const char *data, size_t len);

/*
 * Replaces `path` with `len` bytes: written to a temporary file in the same
 * directory, then renamed, so readers never see half a report.  Keeps the
 * mode of an existing file; writes devices and FIFOs (/dev/null) in place.
 * Returns an exit code, after printing why on failure.
 */
int cli_write_file(const char *path, const char *data, size_t len);

/*
 * "loading N/M files" on stderr, only when stderr is a terminal, there are
 * several inputs and loading has taken more than a second.
 */
typedef struct cli_progress {
	int enabled;
	int shown;   /* a progress line is on screen and must be erased before other output */
	size_t total;
	struct timespec start;
} cli_progress;

void cli_progress_start(cli_progress *progress, size_t total);
void cli_progress_update(cli_progress *progress, size_t done);
void cli_progress_clear(cli_progress *progress);

/*
 * Copies standard input to a new temporary file, because ELF readers need
 * to seek.  Writes its path into `path`; the caller unlinks it.  Returns an
 * exit code, after printing why on failure.
 */
int cli_stdin_spool(char *path, size_t cap);

#endif
