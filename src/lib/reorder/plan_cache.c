/* Cache-aware planning: runs the cache search and measures the hot set of a proposal. */
#include "reorder/plan_cache.h"

#include <stdlib.h>
#include <string.h>

#include "layout/place.h"
#include "reorder/heat.h"
#include "util/fail.h"

/* The branch and bound visits cheap nodes; the fewest-moves budget alone
 * would stop it before it proves much on a 20-member struct. */
#define CACHE_BUDGET_FACTOR 16

void sf__plan_heat_from(sf_plan_heat *out, const sf_rproblem *p)
{
	memset(out, 0, sizeof(*out));
	out->active = p->cache_aware;
	out->hot = p->hot;
	out->threads = p->threads;
	out->weight = p->weight;
	out->hot_count = p->hot_count;
	out->base_align = p->base_align;
	out->min_size = p->def->size;
}

int sf__plan_cache_order(const sf_rproblem *p, const sf_reorder_options *opts, sf_search_ws *ws, uint64_t budget,
			 uint32_t *items, uint32_t *members, sf_reorder_reason *reason, sf_optimality *optimal,
			 sf_optimality *moves_optimal, uint64_t *predicted, sf_plan_heat *heat, sf_arena *arena)
{
	uint32_t *identity = sf__arena_calloc(arena, p->member_count + 1, sizeof(*identity));
	uint64_t growth = p->cxx ? 0 : opts->allow_growth;
	sf_cache_result res;
	int err;

	if (!identity)
		return sf__fail(SF_ENOMEM, "out of memory while planning a reorder");
	for (uint32_t i = 0; i < p->member_count; i++)
		identity[i] = i;
	if (budget > UINT64_MAX / CACHE_BUDGET_FACTOR)
		budget = UINT64_MAX / CACHE_BUDGET_FACTOR;
	err = sf__search_cache(p, ws, growth, budget * CACHE_BUDGET_FACTOR, identity, items, &res);
	if (err < 0)
		return err;
	*optimal = SF_OPTIMAL_PROVEN;
	*moves_optimal = SF_OPTIMAL_PROVEN;
	*reason = SF_REASON_NONE;
	heat->min_size = res.found || res.min_size ? res.min_size : p->def->size;
	heat->budget_bound = res.budget_bound;
	if (!res.found) {
		*reason = SF_REASON_CONSTRAINED;
		return 0;
	}
	/* A budget cut below the size level leaves the size as good as the
	 * levels above it allow; above it, nothing is proven. */
	if (res.budget_bound != SF_OBJECTIVE_NONE && res.budget_bound != SF_OBJECTIVE_MOVES)
		*optimal = SF_OPTIMAL_HEURISTIC;
	if (res.budget_bound != SF_OBJECTIVE_NONE)
		*moves_optimal = SF_OPTIMAL_HEURISTIC;
	*predicted = res.size;
	sf__rproblem_members(p, items, members);
	if (memcmp(members, identity, p->member_count * sizeof(*members)) == 0)
		*reason = SF_REASON_MINIMAL;
	return 0;
}

int sf__plan_cache_fallback(const sf_rproblem *p, const uint32_t *items, uint64_t size, uint32_t *members,
			    sf_reorder_reason *reason, sf_optimality *optimal, sf_optimality *moves_optimal,
			    uint64_t *predicted, sf_plan_heat *heat)
{
	const sf_struct *def = p->def;
	uint32_t *identity = calloc(p->member_count + 1, sizeof(*identity));
	sf_cache_cost mine, declared;
	bool mine_ok, declared_ok;
	int err;

	if (!identity)
		return sf__fail(SF_ENOMEM, "out of memory while planning a reorder");
	for (uint32_t i = 0; i < p->member_count; i++)
		identity[i] = i;
	sf__rproblem_members(p, items, members);
	*optimal = SF_OPTIMAL_HEURISTIC;
	*moves_optimal = SF_OPTIMAL_HEURISTIC;
	*reason = SF_REASON_NONE;
	*predicted = size;
	heat->min_size = size < def->size ? size : def->size;
	heat->budget_bound = SF_OBJECTIVE_HOT_LINES;
	err = sf__search_cache_cost(p, members, &mine, &mine_ok);
	if (err == 0)
		err = sf__search_cache_cost(p, identity, &declared, &declared_ok);
	free(identity);
	if (err < 0)
		return err;
	mine_ok = mine_ok && size <= def->size;
	if (mine_ok && declared_ok && sf__search_cache_cmp(&mine, &declared) >= 0)
		mine_ok = false;
	if (!mine_ok)
		*reason = declared_ok ? SF_REASON_NO_GAIN : SF_REASON_CONSTRAINED;
	return 0;
}

void sf__plan_heat_fill(sf_proposal *prop, const sf_plan_heat *heat, const sf_struct *def, const sf_struct *placed,
			const uint32_t *order, unsigned cacheline)
{
	sf_heat_measure before, after;

	if (!heat->active)
		return;
	prop->cache_aware = 1;
	prop->hot_count = heat->hot_count;
	prop->budget_bound = heat->budget_bound;
	sf__heat_measure(&before, def, NULL, heat->hot, heat->threads, heat->base_align, cacheline);
	sf__heat_measure(&after, placed, order, heat->hot, heat->threads, heat->base_align, cacheline);
	prop->original_hot_lines = before.hot_lines;
	prop->original_hot_end = before.hot_end;
	prop->hot_lines = after.hot_lines;
	prop->hot_end = after.hot_end;
	prop->shared_writers = after.shared_writers;
}
