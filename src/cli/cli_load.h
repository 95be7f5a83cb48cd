/* Loading the input files of a command into one model, with the one error-printing path. */
#ifndef STRUCTFIT_CLI_LOAD_H
#define STRUCTFIT_CLI_LOAD_H

#include <structfit/structfit.h>

#include <stddef.h>

/*
 * Loads each of `files` ('-' is standard input) into `model`, printing each
 * failure as "structfit: FILE: message" and showing progress on a terminal.
 * `opts` is copied; its error callback is replaced by ours.  Sets *loaded
 * when at least one input contributed.  Returns the worst exit code seen.
 */
int cli_load_files(sf_model *model, char *const *files, size_t count, const sf_load_options *opts,
		   int *loaded);

#endif
