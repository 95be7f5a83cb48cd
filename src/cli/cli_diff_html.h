/* `diff --format=html`: both builds loaded as reports for the side-by-side page. */
#ifndef STRUCTFIT_CLI_DIFF_HTML_H
#define STRUCTFIT_CLI_DIFF_HTML_H

#include "cli_inputs.h"

#include <structfit/structfit.h>

/*
 * Appends to `buf` the page comparing in->files[0] (OLD) and in->files[1]
 * (NEW), both ELF inputs, marked with `changes` (sf_gate_diff of the same
 * builds).  Returns an exit code; errors are printed.
 */
int cli_diff_html(const cli_inputs *in, const sf_findings *changes, sf_buf *buf);

#endif
