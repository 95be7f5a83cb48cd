/* Go's second objective: after the size, the bytes its garbage collector scans. */
#ifndef SF_REORDER_GO_OBJECTIVE_H
#define SF_REORDER_GO_OBJECTIVE_H

#include <structfit/reorder.h>

#include <stdint.h>

#include "reorder/problem.h"
#include "util/arena.h"

/*
 * Size and pointer bytes (sf__struct_pointer_bytes of the placed struct)
 * of `def` laid out by Go's rules in member order `order`.
 */
void sf__go_measure(const sf_struct *def, const uint32_t *order, uint64_t *size, uint64_t *pointer_bytes);

/*
 * Runs after the size search for a Go struct (p->def->go).  `members`,
 * `*reason` and `*predicted` are the search's answer (an order of minimal
 * size with the fewest moves, or a reason to keep the declaration); the
 * hook replaces them with an order of no greater size and fewer pointer
 * bytes when one obeys the problem's rules: pointer-holding fields first
 * with the one of most trailing scalar bytes last among them, the others
 * by alignment, zero-size fields first (Go pads a trailing one).  Orders
 * are compared by (size, pointer bytes, moves); a replaced order makes
 * *moves_optimal heuristic.  Returns 0 or SF_ENOMEM.
 */
int sf__go_objective(const sf_rproblem *p, uint32_t *members, sf_reorder_reason *reason,
		     sf_optimality *moves_optimal, uint64_t *predicted, sf_arena *arena);

#endif
