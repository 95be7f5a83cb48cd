/* The order searches: exact dynamic program with fewest-moves branch and bound, and sorts. */
#ifndef SF_REORDER_SEARCH_H
#define SF_REORDER_SEARCH_H

#include <structfit/reorder.h>

#include <stdbool.h>
#include <stdint.h>

#include "reorder/problem.h"

/* Tables reused from struct to struct; zero-initialise, release with sf__search_ws_free(). */
typedef struct sf_search_ws {
	uint64_t *forward;     /* f(S): smallest end bit of the placed multiset S */
	uint64_t *backward;    /* B(S): latest end bit of S from which the rest still fits */
	uint64_t capacity;     /* entries in each table */
} sf_search_ws;

void sf__search_ws_free(sf_search_ws *ws);

typedef struct sf_search_result {
	bool found;                  /* an order within the limit exists (items filled) */
	uint64_t size;               /* bytes of the best order (or of the optimum when !found) */
	sf_optimality optimal;       /* of size */
	sf_optimality moves_optimal; /* of the number of moved members among orders of that size */
} sf_search_result;

/*
 * Exact search; requires p->state_count <= the tables the caller allows.
 * Finds the minimal size over all orders obeying the rules; when it is at
 * most `limit` bytes, fills `items` (p->item_count item indices) with an
 * order of that size that moves the fewest members (branch and bound,
 * at most `budget` nodes, then the best order found), then has fewest
 * cache-line crossings.  Returns 0 or SF_ENOMEM.
 */
int sf__search_exact(const sf_rproblem *p, sf_search_ws *ws, uint64_t limit, uint64_t budget,
		     uint32_t *items, sf_search_result *res);

/* Grows the tables to `states` entries.  Returns 0 or SF_ENOMEM. */
int sf__search_reserve(sf_search_ws *ws, uint64_t states);

/* Fills the forward table (tables reserved for p->state_count) and sets
 * *end to the smallest end bit of all items, SF_PLACE_NONE when the rules
 * leave no order.  Returns 0 or SF_ENOMEM. */
int sf__search_forward(const sf_rproblem *p, sf_search_ws *ws, uint64_t *end);

/* Fills the backward table for orders ending at or before `final_bits`.
 * Returns 0 or SF_ENOMEM. */
int sf__search_backward(const sf_rproblem *p, sf_search_ws *ws, uint64_t final_bits);

/* The cache-aware search's answer (search_cache.c). */
typedef struct sf_cache_result {
	bool found;                  /* items holds an order within the limit */
	uint64_t min_size;           /* bytes: smallest order under the rules */
	uint64_t size;               /* bytes of the chosen order */
	uint32_t hot_lines;
	uint64_t hot_end;            /* bytes */
	sf_objective budget_bound;   /* first level the node budget left unproven */
} sf_cache_result;

/*
 * The cache-aware exact search (p->cache_aware, p->state_count within the
 * tables the caller allows): among orders keeping every rule (apart rules
 * too) of size at most the minimal size + `growth` bytes, the
 * lexicographic minimum of (hot-set lines at the worst start, hot-set end,
 * size, moved members, crossings), by branch and bound over at most
 * `budget` nodes.  `seed` (member_count declaration indices, or NULL) is a
 * starting incumbent when it keeps the rules.  Returns 0 or SF_ENOMEM.
 */
int sf__search_cache(const sf_rproblem *p, sf_search_ws *ws, uint64_t growth, uint64_t budget,
		     const uint32_t *seed, uint32_t *items, sf_cache_result *res);

/* The cache-aware objective's value of one order (search_cache.c). */
typedef struct sf_cache_cost {
	uint32_t lines;
	uint64_t hot_end;    /* bytes */
	uint64_t size;       /* bytes */
	uint32_t moved;
	uint32_t crossings;
} sf_cache_cost;

/* <0, 0, >0 as `a` is better than, as good as or worse than `b`. */
int sf__search_cache_cmp(const sf_cache_cost *a, const sf_cache_cost *b);

/* The cost of member order `order`; *ok is false when it breaks a rule
 * (apart included).  Returns 0 or SF_ENOMEM. */
int sf__search_cache_cost(const sf_rproblem *p, const uint32_t *order, sf_cache_cost *out, bool *ok);

/*
 * List scheduling: at each position the pinned item, else the first
 * allowed item by alignment, largest first (`plain`), or by alignment with
 * bitfields after ordinary members of the same alignment (the heuristic),
 * ties by declaration order.  Fills `items`; returns the end bit, or
 * SF_PLACE_NONE when the rules leave no item for some position.
 */
uint64_t sf__search_schedule(const sf_rproblem *p, bool plain, uint32_t *items);

/*
 * Improves an order of end bit at most `limit_bits` toward fewer moves
 * without exceeding the limit: keeps the next declared item whenever the
 * heuristic schedule of the rest still fits.  Rewrites `items`.
 * Returns 0 or SF_ENOMEM.
 */
int sf__search_fewer_moves(const sf_rproblem *p, uint64_t limit_bits, uint32_t *items);

/* member_count - longest subsequence of `order` in increasing index order. */
uint32_t sf__search_moved(const uint32_t *order, uint32_t count);

#endif
