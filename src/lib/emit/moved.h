/*
 * Which members a proposal moves, shared by the text proposals
 * (reorder_emit.c) and the HTML map (html_emit.c), so both name the same
 * members.  Below both; calls nothing in emit/.
 */
#ifndef SF_EMIT_MOVED_H
#define SF_EMIT_MOVED_H

#include <stdbool.h>
#include <stdint.h>

/*
 * Marks in `kept` (n entries, indexed by declaration index) the members
 * that stay in place: a longest subsequence of `order` in increasing
 * index order (its complement has `moved` members).  Among chains of that
 * length the one keeping most members at their own index wins, so
 * "x (2 -> 2)" is never listed as a move when another choice avoids it.
 * Returns false on ENOMEM.
 */
bool sf__emit_kept_members(const uint32_t *order, uint32_t n, bool *kept);

#endif
