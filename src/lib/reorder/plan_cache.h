/* Cache-aware planning: the order from search_cache.c and the hot-set measures of a proposal. */
#ifndef SF_REORDER_PLAN_CACHE_H
#define SF_REORDER_PLAN_CACHE_H

#include <structfit/reorder.h>

#include "model/structs.h"
#include "reorder/problem.h"
#include "reorder/search.h"
#include "util/arena.h"

/* What a proposal needs from its problem's cache-aware part (arrays
 * borrowed from the planning scratch arena, indexed by declaration). */
typedef struct sf_plan_heat {
	bool active;               /* the problem was cache-aware */
	const bool *hot;
	const uint32_t *threads;
	const uint64_t *weight;
	uint32_t hot_count;
	uint64_t base_align;
	uint64_t min_size;         /* bytes: smallest order under the rules */
	sf_objective budget_bound;
} sf_plan_heat;

/* Copies the cache-aware facts of `p` into `out`. */
void sf__plan_heat_from(sf_plan_heat *out, const sf_rproblem *p);

/*
 * Runs the cache-aware search for `p` with the options' growth and a node
 * budget from `budget`.  On return either *reason is set (identity: the
 * declared order is the best, or no order keeps the rules within the
 * limit) or `members` holds the order; *predicted its size.  Fills
 * heat->min_size and heat->budget_bound.  Returns 0 or SF_ENOMEM.
 */
int sf__plan_cache_order(const sf_rproblem *p, const sf_reorder_options *opts, sf_search_ws *ws, uint64_t budget,
			 uint32_t *items, uint32_t *members, sf_reorder_reason *reason, sf_optimality *optimal,
			 sf_optimality *moves_optimal, uint64_t *predicted, sf_plan_heat *heat, sf_arena *arena);

/*
 * Past the exact search's state cap: the heuristic schedule in `items`
 * (hot members first, `size` bytes) against the declared order, by the
 * cache-aware objective; whichever keeps the rules (apart included) and
 * the size of the declaration and is better wins.  Nothing is proven:
 * *optimal is heuristic and heat->budget_bound hot_lines.  Returns 0 or
 * SF_ENOMEM.
 */
int sf__plan_cache_fallback(const sf_rproblem *p, const uint32_t *items, uint64_t size, uint32_t *members,
			    sf_reorder_reason *reason, sf_optimality *optimal, sf_optimality *moves_optimal,
			    uint64_t *predicted, sf_plan_heat *heat);

/* Fills the hot-set fields of `prop` from the declared layout `def` and
 * the proposed `placed` in `order` (def itself for identity proposals). */
void sf__plan_heat_fill(sf_proposal *prop, const sf_plan_heat *heat, const sf_struct *def, const sf_struct *placed,
			const uint32_t *order, unsigned cacheline);

#endif
