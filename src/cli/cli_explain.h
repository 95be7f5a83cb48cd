/* reorder --explain: the single-member moves from each declared order to its proposal. */
#ifndef STRUCTFIT_CLI_EXPLAIN_H
#define STRUCTFIT_CLI_EXPLAIN_H

#include <structfit/structfit.h>

/*
 * Appends to `buf`, for every changed proposal of `plan` (made from
 * `report`), a "structfit: steps" comment block: each move, where the
 * member lands and the size the ABI engine gives after it.  Returns 0 or
 * a library error code (sf_error_last() says why).
 */
int cli_explain_append(sf_buf *buf, const sf_plan *plan, const sf_report *report);

#endif
