/* Loading inputs for every command: stdin spooling, directories, per-member errors, progress. */
/* mkstemp, realpath, lstat, clock_gettime are POSIX/XSI, hidden by a bare -std=c17. */
#ifndef _GNU_SOURCE
#define _XOPEN_SOURCE 700
#endif

#include "cli_load.h"

#include "cli_exit.h"
#include "cli_output.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* State shared with the library's per-member error callback. */
typedef struct load_state {
	cli_progress progress;
	const char *spool_path;   /* temp file standing for '-', or NULL */
	size_t member_errors;     /* messages the callback printed for the current input */
	int worst;
} load_state;

/* Prints a library message, naming standard input instead of its temp copy. */
static void print_library_error(load_state *state, const char *message)
{
	size_t spool_len = state->spool_path ? strlen(state->spool_path) : 0;

	cli_progress_clear(&state->progress);
	if (spool_len && strncmp(message, state->spool_path, spool_len) == 0)
		cli_error("<stdin>%s", message + spool_len);
	else
		cli_error("%s", message);
}

static void on_member_error(void *ctx, int code, const char *message)
{
	load_state *state = ctx;

	state->member_errors++;
	state->worst = cli_exit_worst(state->worst, cli_exit_from_error(code));
	print_library_error(state, message);
}

/* Loads one input into the model; returns its exit code and whether anything loaded. */
static int load_one(sf_model *model, const char *file, const sf_load_options *opts,
		    load_state *state, int *loaded)
{
	char spool[PATH_MAX];
	const char *path = file;
	struct stat st;
	int code = CLI_EXIT_OK;
	int rc;

	spool[0] = '\0';
	state->spool_path = NULL;
	state->member_errors = 0;
	if (strcmp(file, "-") == 0) {
		code = cli_stdin_spool(spool, sizeof(spool));
		if (code != CLI_EXIT_OK)
			goto done;
		path = spool;
		state->spool_path = spool;
	} else if (stat(file, &st) == 0 && S_ISDIR(st.st_mode)) {
		/* Checked here so that every library backend gives the same answer. */
		cli_progress_clear(&state->progress);
		cli_error("%s: is a directory", file);
		code = CLI_EXIT_READ;
		goto done;
	}

	rc = sf_model_load(model, path, opts);
	if (rc == 0) {
		*loaded = 1;
	} else {
		/* An archive's members were already named one by one. */
		if (state->member_errors == 0)
			print_library_error(state, sf_error_last());
		else
			*loaded = 1; /* other members may have loaded; the model tells */
		code = cli_exit_from_error(rc);
	}
done:
	if (spool[0])
		unlink(spool);
	state->spool_path = NULL;
	return code;
}

static void on_units(void *ctx, size_t done, size_t total)
{
	load_state *state = ctx;

	cli_progress_units(&state->progress, done, total);
}

/* A debuginfod download of a MiB or more, on a terminal:
 * "downloading debug info: 12.3 of 45.6 MiB". */
static void on_fetch(void *ctx, long done, long total)
{
	load_state *state = ctx;
	const double mib = 1024.0 * 1024.0;

	/* Small files come and go before a line could be read. */
	if (done < mib && total < mib)
		return;
	if (total > 0)
		fprintf(stderr, "\rstructfit: downloading debug info: %.1f of %.1f MiB\033[K", done / mib,
			total / mib);
	else
		fprintf(stderr, "\rstructfit: downloading debug info: %.1f MiB\033[K", done / mib);
	state->progress.shown = 1;   /* cleared like the loading line */
}

int cli_load_files(sf_model *model, char *const *files, size_t count, const sf_load_options *opts,
		   int *loaded)
{
	load_state state = { .worst = CLI_EXIT_OK };
	sf_load_options load = *opts;

	load.on_error = on_member_error;
	load.on_error_ctx = &state;
	if (!load.on_progress && isatty(STDERR_FILENO)) {
		load.on_progress = on_units;
		load.on_progress_ctx = &state;
	}
	if (!load.on_fetch_progress && isatty(STDERR_FILENO)) {
		load.on_fetch_progress = on_fetch;
		load.on_fetch_progress_ctx = &state;
	}
	cli_progress_start(&state.progress, count);
	for (size_t i = 0; i < count; i++) {
		cli_progress_update(&state.progress, i + 1);
		state.worst = cli_exit_worst(state.worst, load_one(model, files[i], &load, &state, loaded));
	}
	cli_progress_clear(&state.progress);
	return state.worst;
}
