/* Where the command's bytes go: error lines, the progress line, stdout and output files. */
#ifndef STRUCTFIT_CLI_OUTPUT_H
#define STRUCTFIT_CLI_OUTPUT_H

#include <stddef.h>
#include <time.h>

#include <structfit/emit.h>

/* Prints "structfit: <message>" on stderr: the one error-printing path. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Prints "structfit: note: <message>" on stderr: something left out, not an error. */
void cli_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Appends printf-style text to a public sf_buf (growing it; sets `failed`
 * when memory runs out), for output the CLI composes itself. */
void cli_buf_printf(sf_buf *buf, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

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
 * "loading file N/M, units U/V, S s" on stderr, only when stderr is a
 * terminal and loading has taken more than a second.
 */
typedef struct cli_progress {
	int tty;     /* stderr is a terminal */
	int shown;   /* a progress line is on screen and must be erased before other output */
	size_t total;
	size_t done;
	size_t units_done;   /* compilation units of the current file, when known */
	size_t units_total;
	struct timespec start;
} cli_progress;

void cli_progress_start(cli_progress *progress, size_t total);
void cli_progress_update(cli_progress *progress, size_t done);
/* Units of the file being loaded; a big single input shows progress too. */
void cli_progress_units(cli_progress *progress, size_t done, size_t total);
void cli_progress_clear(cli_progress *progress);

/*
 * Copies standard input to a new temporary file, because ELF readers need
 * to seek.  Writes its path into `path`; the caller unlinks it.  Returns an
 * exit code, after printing why on failure.
 */
int cli_stdin_spool(char *path, size_t cap);

#endif
