/* Planning: one verified proposal per struct, with the safety gate and the fallbacks. */
#include "reorder/plan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "layout/place.h"
#include "layout/place_cxx.h"
#include "reorder/go_objective.h"
#include "reorder/plan_cache.h"
#include "reorder/plan_cxx.h"
#include "reorder/problem.h"
#include "util/arena.h"
#include "util/checked.h"
#include "util/fail.h"

static uint64_t cachelines_of(uint64_t size, unsigned cacheline)
{
	return size / cacheline + (size % cacheline != 0);
}

/* Top-level members whose bits straddle a cache-line boundary. */
static uint32_t crossings_of(const sf_struct *s, unsigned cacheline)
{
	uint64_t line = (uint64_t)cacheline * 8;
	uint32_t n = 0;
	for (uint32_t i = 0; i < s->member_count; i++) {
		const sf_member *m = &s->members[i];
		uint64_t first = m->bit_offset;
		uint64_t bits = (m->flags & SF_MEMBER_BITFIELD) ? m->bit_size : m->size * 8;
		if (bits && first / line != (first + bits - 1) / line)
			n++;
	}
	return n;
}

static bool is_identity(const uint32_t *order, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		if (order[i] != i)
			return false;
	}
	return true;
}

static sf_reorder_reason verdict_reason(sf_place_verdict v)
{
	switch (v) {
	case SF_PLACE_PACKED:
		return SF_REASON_PACKED;
	case SF_PLACE_UNION:
		return SF_REASON_UNION;
	case SF_PLACE_UNPLACEABLE:
		return SF_REASON_UNPLACEABLE;
	case SF_PLACE_VIRTUAL_BASE:
		return SF_REASON_VIRTUAL_BASE;
	default:
		return SF_REASON_NOT_REPRODUCIBLE;
	}
}

/*
 * Runs the chosen strategy.  On return either *reason is set (identity)
 * or `members` holds a new order; `optimal` and `moves_optimal` describe it.
 */
static int choose_order(const sf_rproblem *p, const sf_reorder_options *opts, sf_search_ws *ws,
			uint32_t *items, uint32_t *members, sf_reorder_reason *reason,
			sf_optimality *optimal, sf_optimality *moves_optimal, uint64_t *predicted,
			sf_plan_heat *heat, sf_arena *arena)
{
	const sf_struct *def = p->def;
	uint64_t cap = opts->state_cap ? opts->state_cap : SF_REORDER_DEFAULT_STATE_CAP;
	uint64_t budget = opts->move_budget ? opts->move_budget : SF_REORDER_DEFAULT_MOVE_BUDGET;
	uint32_t *identity = sf__arena_calloc(arena, p->member_count + 1, sizeof(*identity));
	bool identity_ok;
	int err;

	if (!identity)
		return sf__fail(SF_ENOMEM, "out of memory while planning a reorder");
	if (p->cache_aware && opts->strategy == SF_REORDER_EXACT && p->state_count <= cap)
		return sf__plan_cache_order(p, opts, ws, budget, items, members, reason, optimal, moves_optimal,
					    predicted, heat, arena);
	for (uint32_t i = 0; i < p->member_count; i++)
		identity[i] = i;
	identity_ok = sf__rproblem_order_ok(p, identity);
	*optimal = SF_OPTIMAL_PROVEN;
	*moves_optimal = SF_OPTIMAL_PROVEN;
	*reason = SF_REASON_NONE;

	if (opts->strategy == SF_REORDER_EXACT && identity_ok && def->size <= p->lower_bound && !p->cache_aware) {
		*reason = SF_REASON_MINIMAL;
		return 0;
	}
	if (opts->strategy == SF_REORDER_EXACT && p->state_count <= cap) {
		sf_search_result res;
		err = sf__search_exact(p, ws, def->size, budget, items, &res);
		if (err < 0)
			return err;
		if (!res.found) {
			*reason = identity_ok ? SF_REASON_MINIMAL : SF_REASON_CONSTRAINED;
			return 0;
		}
		*moves_optimal = res.moves_optimal;
		*predicted = res.size;
	} else {
		bool plain = opts->strategy == SF_REORDER_SORT;
		uint64_t end = sf__search_schedule(p, plain, items), size;
		if (end == SF_PLACE_NONE) {
			*reason = SF_REASON_CONSTRAINED;
			*optimal = SF_OPTIMAL_HEURISTIC;
			return 0;
		}
		size = sf__rproblem_size_bits(p, end) / 8;
		if (p->cache_aware && !plain)
			return sf__plan_cache_fallback(p, items, size, members, reason, optimal, moves_optimal,
						       predicted, heat);
		*optimal = size <= p->lower_bound ? SF_OPTIMAL_PROVEN : SF_OPTIMAL_HEURISTIC;
		*moves_optimal = SF_OPTIMAL_HEURISTIC;
		*predicted = size;
		if (size > def->size || (size == def->size && identity_ok)) {
			if (def->size <= p->lower_bound) {
				*reason = SF_REASON_MINIMAL;
				*optimal = SF_OPTIMAL_PROVEN;
			} else {
				*reason = identity_ok ? SF_REASON_NO_GAIN : SF_REASON_CONSTRAINED;
			}
			return 0;
		}
		/* The classic sort is what `sort` users asked for verbatim; the
		 * heuristic fallback of `exact` still prefers fewer moves. */
		if (!plain && p->item_count <= 512) {
			err = sf__search_fewer_moves(p, size * 8, items);
			if (err < 0)
				return err;
		}
	}
	sf__rproblem_members(p, items, members);
	if (is_identity(members, p->member_count))
		*reason = SF_REASON_MINIMAL;
	return 0;
}

/* A placed order, or the reason there is none. */
typedef struct plan_result {
	sf_struct *placed;
	sf_reorder_reason reason;
	sf_optimality optimal;
	sf_optimality moves_optimal;
	bool has_rules;
	sf_plan_heat heat;
} plan_result;

/*
 * Searches an order for `def` into `members` and places it.  C: one pass
 * under the C rules (`hyps` NULL).  C++: one pass per role hypothesis that
 * reproduces DWARF, then a conservative one; an order is proposed only
 * when every hypothesis gives it the same size, so the prediction holds
 * whatever DWARF left open.
 */
static int plan_orders(const sf_struct *def, const sf_place_cxx *hyps, uint32_t hyp_count,
		       const sf_reorder_options *opts, unsigned cacheline, sf_search_ws *ws, sf_arena *arena,
		       sf_arena *scratch, uint32_t *members, plan_result *r)
{
	uint32_t n = def->member_count, *items;
	sf_rproblem problem;
	uint64_t predicted = 0;
	bool skipped = false, ambiguous = false;
	int err;

	memset(r, 0, sizeof(*r));
	r->optimal = SF_OPTIMAL_PROVEN;
	r->moves_optimal = SF_OPTIMAL_PROVEN;
	for (uint32_t k = 0; k < (hyps ? hyp_count + 1 : 1); k++) {
		const sf_place_cxx *h = hyps && k < hyp_count ? &hyps[k] : NULL;
		sf_reorder_reason why = SF_REASON_NONE;
		bool agree = true;
		if (hyps && k == hyp_count) {
			/* Last resort when the hypotheses disagreed: orders that
			 * keep their differences out of the layout. */
			if (!ambiguous)
				break;
			err = sf__plan_conservative(&h, hyps, hyp_count, opts, scratch);
			if (err < 0 || !h)
				return err;
		}
		err = sf__rproblem_build(&problem, def, h, opts, cacheline, scratch, &skipped);
		if (err < 0)
			return err;
		if (skipped) {
			r->reason = SF_REASON_SKIPPED;
			return 0;
		}
		r->has_rules = problem.has_rules;
		sf__plan_heat_from(&r->heat, &problem);
		items = sf__arena_calloc(scratch, problem.item_count + 1, sizeof(*items));
		if (!items)
			return sf__fail(SF_ENOMEM, "out of memory while planning a reorder");
		err = choose_order(&problem, opts, ws, items, members, &why, &r->optimal, &r->moves_optimal,
				   &predicted, &r->heat, scratch);
		/* Go: pointer bytes after the size; a cache-aware objective,
		 * when the struct has heat or rules for it, keeps its own
		 * tie-break. */
		if (err >= 0 && !h && def->go && !r->heat.active)
			err = sf__go_objective(&problem, members, &why, &r->moves_optimal, &predicted, scratch);
		if (err < 0)
			return err;
		if (why != SF_REASON_NONE) {
			if (k == 0)
				r->reason = why;
			continue;
		}
		/* The proposal is what the placement engine makes of the order,
		 * not what the search believed. */
		err = h ? sf__place_cxx_struct(h, members, n, arena, &r->placed)
			: sf__place_struct(def, members, n, arena, &r->placed);
		if (err < 0)
			return err;
		if (h && r->placed->size != predicted) {
			/* Empty subobjects of one type collided, which the search
			 * does not model: the engine's layout is the proposal,
			 * with no claim of optimality. */
			predicted = r->placed->size;
			r->optimal = SF_OPTIMAL_HEURISTIC;
		}
		if (r->placed->size != predicted)
			return sf__fail(SF_EINVALID, "%s: internal error: search predicted %llu bytes, placement gives %llu",
					def->name ? def->name : def->typedef_name ? def->typedef_name : "(anonymous)",
					(unsigned long long)predicted, (unsigned long long)r->placed->size);
		for (uint32_t j = 0; h && j < hyp_count && agree; j++)
			agree = j == k || sf__plan_same_size(&hyps[j], members, n, r->placed, scratch);
		if (h && k == hyp_count && r->placed->size >= def->size)
			agree = false;   /* the last resort found nothing smaller */
		if (agree) {
			r->reason = SF_REASON_NONE;
			return 0;
		}
		ambiguous = true;
		r->placed = NULL;
	}
	if (ambiguous)
		r->reason = SF_REASON_CXX_AMBIGUOUS;
	return 0;
}

/* A type whose alignment the search can only assume, or NULL: a member's
 * struct, or the struct itself when a member of it may carry its own
 * `packed` at a naturally aligned offset. */
static const char *assumed_alignment(const sf_struct *def, sf_arena *arena)
{
	if (!def->align_certain && def->kind != SF_UNION) {
		const char *name = def->name ? def->name : def->typedef_name;
		char *spelled;
		if (!name || !def->name)
			return name;
		spelled = sf__arena_alloc(arena, strlen(name) + 8);
		if (spelled)
			sprintf(spelled, "%s %s", sf__struct_kind_name(def->kind), name);
		return spelled;
	}
	for (uint32_t i = 0; i < def->member_count; i++) {
		const sf_member *m = &def->members[i];
		const sf_struct *type = m->nested ? m->nested : m->element;
		if (type && !type->align_certain && m->align > 1 && !(m->flags & SF_MEMBER_ANONYMOUS))
			return m->type_name;
	}
	return NULL;
}

/* The optional rules that apply to `def` under `opts`. */
static unsigned rules_in_force(const sf_struct *def, const sf_reorder_options *opts, bool has_rules)
{
	unsigned rules = has_rules ? SF_RULE_BOUND_CONSTRAINTS : 0;
	const sf_member *first = def->member_count ? &def->members[0] : NULL;

	/* As automatic_pin() decides: only a leading struct or union that is
	 * not a base class is kept first by the option. */
	if (opts->keep_first && first && first->nested && !def->go &&
	    !(first->flags & (SF_MEMBER_BASE_CLASS | SF_MEMBER_FLEXIBLE | SF_MEMBER_ZERO_LENGTH)))
		rules |= SF_RULE_BOUND_KEEP_FIRST;
	return rules;
}

/* The size of the best order under `opts`, def->size when none is smaller. */
static int best_size(const sf_struct *def, const sf_place_cxx *hyps, uint32_t hyp_count,
		     const sf_reorder_options *opts, unsigned cacheline, sf_search_ws *ws, uint64_t *size)
{
	sf_arena *scratch = NULL;
	uint32_t *members;
	plan_result r;
	int err;

	*size = def->size;
	if (sf__arena_new(&scratch) < 0)
		return sf__fail(SF_ENOMEM, "out of memory while planning a reorder");
	members = sf__arena_calloc(scratch, def->member_count + 1, sizeof(*members));
	err = members ? plan_orders(def, hyps, hyp_count, opts, cacheline, ws, scratch, scratch, members, &r)
		      : sf__fail(SF_ENOMEM, "out of memory while planning a reorder");
	if (err == 0 && r.placed && r.placed->size < def->size)
		*size = r.placed->size;
	if (err == 0 && r.heat.active && r.reason != SF_REASON_CONSTRAINED && r.heat.min_size < *size)
		*size = r.heat.min_size;
	sf__arena_free(scratch);
	return err;
}

/*
 * "Minimal" is only a proof about the rules in force: when dropping
 * keep_first or the constraints gives an order smaller than `reference`
 * (the proposal's size, or the minimal size a cache-aware proposal grew
 * from), the proposal says which of them bound it and how small the
 * struct could be without.
 */
static int find_binding_rules(sf_proposal *prop, const sf_struct *def, const sf_place_cxx *hyps,
			      uint32_t hyp_count, const sf_reorder_options *opts, unsigned cacheline,
			      sf_search_ws *ws, bool has_rules, uint64_t reference)
{
	unsigned in_force = rules_in_force(def, opts, has_rules), bound = 0;
	sf_reorder_options relaxed = *opts;
	uint64_t free_size, size;
	int err;

	prop->unconstrained_size = prop->size;
	if (!in_force || prop->optimal != SF_OPTIMAL_PROVEN)
		return 0;
	relaxed.keep_first = 0;
	relaxed.constraints = NULL;
	relaxed.min_savings = 0;
	relaxed.heat = NULL;
	relaxed.heat_count = 0;
	relaxed.allow_growth = 0;
	err = best_size(def, hyps, hyp_count, &relaxed, cacheline, ws, &free_size);
	if (err < 0 || free_size >= reference)
		return err;
	if (in_force == (SF_RULE_BOUND_KEEP_FIRST | SF_RULE_BOUND_CONSTRAINTS)) {
		/* Name each rule that binds alone; both when only together. */
		relaxed.constraints = opts->constraints;
		err = best_size(def, hyps, hyp_count, &relaxed, cacheline, ws, &size);
		if (err < 0)
			return err;
		bound |= size < reference ? SF_RULE_BOUND_KEEP_FIRST : 0;
		relaxed.constraints = NULL;
		relaxed.keep_first = opts->keep_first;
		err = best_size(def, hyps, hyp_count, &relaxed, cacheline, ws, &size);
		if (err < 0)
			return err;
		bound |= size < reference ? SF_RULE_BOUND_CONSTRAINTS : 0;
	}
	prop->bound_by = bound ? bound : in_force;
	prop->unconstrained_size = free_size;
	prop->optimal = SF_OPTIMAL_CONSTRAINED;
	if (prop->reason == SF_REASON_MINIMAL)
		prop->reason = (prop->bound_by & SF_RULE_BOUND_CONSTRAINTS) ? SF_REASON_CONSTRAINED
									    : SF_REASON_KEEP_FIRST;
	return 0;
}

/* Why an order the search found is not proposed after all, or SF_REASON_NONE.
 * A cache-aware order was already weighed against the declared one. */
static sf_reorder_reason gain_verdict(const sf_struct *def, const plan_result *r, const sf_reorder_options *opts)
{
	const sf_struct *placed = r->placed;
	if (r->heat.active)
		return SF_REASON_NONE;
	/* Go: the same size with fewer pointer bytes is a gain (less for
	 * the garbage collector to scan). */
	if (placed->size >= def->size && !(placed->size == def->size && r->has_rules) &&
	    !(def->go && placed->size == def->size &&
	      sf__struct_pointer_bytes(placed) < sf__struct_pointer_bytes(def)))
		return SF_REASON_NO_GAIN;
	if (def->size - placed->size < opts->min_savings)
		return SF_REASON_BELOW_MINIMUM;
	return SF_REASON_NONE;
}

/* A cache-aware order larger than the minimal size took growth for its hot set. */
static void heat_bound(sf_proposal *prop, const sf_plan_heat *heat)
{
	if (!heat->active || prop->size <= heat->min_size || prop->optimal == SF_OPTIMAL_HEURISTIC)
		return;
	if (prop->optimal != SF_OPTIMAL_CONSTRAINED)
		prop->unconstrained_size = heat->min_size;
	prop->optimal = SF_OPTIMAL_CONSTRAINED;
	prop->bound_by |= SF_RULE_BOUND_HEAT;
}

/* `entry` as the identity proposal of `def`, before any search. */
static int identity_entry(sf_plan_entry *entry, const sf_struct *def, unsigned cacheline, sf_arena *arena)
{
	sf_proposal *prop = &entry->proposal;
	uint32_t n = def->member_count;
	uint32_t *identity;

	memset(entry, 0, sizeof(*entry));
	identity = sf__arena_calloc(arena, n + 1, sizeof(*identity));
	if (!identity)
		return sf__fail(SF_ENOMEM, "out of memory while planning a reorder");
	for (uint32_t i = 0; i < n; i++)
		identity[i] = i;
	entry->def = def;
	entry->placed = def;
	prop->name = def->name ? def->name : def->typedef_name;
	prop->member_count = n;
	prop->order = identity;
	prop->size = prop->original_size = def->size;
	prop->cachelines = prop->original_cachelines = cachelines_of(def->size, cacheline);
	prop->crossings = prop->original_crossings = crossings_of(def, cacheline);
	prop->optimal = SF_OPTIMAL_PROVEN;
	prop->moves_optimal = SF_OPTIMAL_PROVEN;
	prop->assumed_alignment = assumed_alignment(def, arena);
	if (def->go)
		prop->pointer_bytes = prop->original_pointer_bytes = sf__struct_pointer_bytes(def);
	return 0;
}

int sf__reorder_struct(sf_plan_entry *entry, const sf_struct *def, const sf_struct_layout *report_layout,
		       const sf_reorder_options *opts, unsigned cacheline, sf_search_ws *ws,
		       sf_arena *arena)
{
	sf_proposal *prop = &entry->proposal;
	uint32_t n = def->member_count;
	uint32_t *members = NULL;
	sf_arena *scratch = NULL;
	sf_place_verdict verdict;
	sf_reorder_reason reason = SF_REASON_NONE;
	sf_struct *placed = NULL;
	sf_place_cxx *hyps = NULL;
	uint32_t hyp_count = 0;
	plan_result result = { .placed = NULL };
	int err = 0;

	err = identity_entry(entry, def, cacheline, arena);
	if (err < 0)
		return err;

	/* A dynamically sized member must stay last and its size is not
	 * known; the source order means nothing to a compiler that picks its
	 * own, and the variants of a variant part overlay each other. */
	if (def->unsized) {
		reason = SF_REASON_UNSIZED;
		goto identity_result;
	}
	if (def->compiler_reorders) {
		reason = SF_REASON_COMPILER_REORDERS;
		goto identity_result;
	}
	if (def->has_variant_part) {
		reason = SF_REASON_VARIANT_PART;
		goto identity_result;
	}
	err = sf__arena_new(&scratch);
	if (err < 0) {
		err = sf__fail(SF_ENOMEM, "out of memory while planning a reorder");
		goto done;
	}
	if (sf__place_cxx_applies(def))
		verdict = sf__place_cxx_infer(def, scratch, &hyps, &hyp_count, NULL);
	else
		verdict = sf__place_check(def, NULL);
	if (verdict != SF_PLACE_OK) {
		reason = verdict == SF_PLACE_PACKED && def->maybe_packed ? SF_REASON_MAYBE_PACKED
									 : verdict_reason(verdict);
		goto identity_result;
	}
	if (n < 2) {
		reason = SF_REASON_EMPTY;
		goto identity_result;
	}
	members = sf__arena_calloc(arena, n + 1, sizeof(*members));
	if (!members) {
		err = sf__fail(SF_ENOMEM, "out of memory while planning a reorder");
		goto done;
	}
	err = plan_orders(def, hyps, hyp_count, opts, cacheline, ws, arena, scratch, members, &result);
	if (err < 0)
		goto done;
	prop->optimal = result.optimal;
	prop->moves_optimal = result.moves_optimal;
	placed = result.placed;
	reason = result.reason;
	if (!placed || (reason = gain_verdict(def, &result, opts)) != SF_REASON_NONE)
		goto identity_result;
	err = sf__layout_analyze(placed, cacheline, &entry->owned_layout);
	if (err < 0)
		goto done;
	entry->placed = placed;
	entry->layout = entry->owned_layout;
	prop->order = members;
	prop->size = placed->size;
	prop->saves = def->size > placed->size ? def->size - placed->size : 0;
	prop->cachelines = cachelines_of(placed->size, cacheline);
	prop->crossings = crossings_of(placed, cacheline);
	prop->moved = sf__search_moved(members, n);
	if (def->go)
		prop->pointer_bytes = sf__struct_pointer_bytes(placed);
	prop->reason = SF_REASON_NONE;
	err = find_binding_rules(prop, def, hyps, hyp_count, opts, cacheline, ws, result.has_rules,
				 result.heat.active ? result.heat.min_size : prop->size);
	heat_bound(prop, &result.heat);
	sf__plan_heat_fill(prop, &result.heat, def, placed, members, cacheline);
	goto done;

identity_result:
	prop->reason = reason;
	prop->unconstrained_size = prop->size;
	if (reason == SF_REASON_MINIMAL || reason == SF_REASON_CONSTRAINED || reason == SF_REASON_SKIPPED)
		err = find_binding_rules(prop, def, hyps, hyp_count, opts, cacheline, ws,
					 reason == SF_REASON_SKIPPED || result.has_rules,
					 result.heat.active ? result.heat.min_size : prop->size);
	if (err < 0)
		goto done;
	/* The declared order as the cache-aware best may have used growth;
	 * as a refusal it claims nothing. */
	if (reason == SF_REASON_MINIMAL)
		heat_bound(prop, &result.heat);
	sf__plan_heat_fill(prop, &result.heat, def, def, NULL, cacheline);
	if (report_layout) {
		entry->layout = report_layout;
	} else {
		err = sf__layout_analyze(def, cacheline, &entry->owned_layout);
		entry->layout = entry->owned_layout;
	}
done:
	sf__arena_free(scratch);
	return err;
}

int sf_reorder_plan(sf_plan **out, const sf_report *report, const sf_reorder_options *opts)
{
	sf_reorder_options defaults = SF_REORDER_OPTIONS_INIT;
	sf_reorder_options upgraded = SF_REORDER_OPTIONS_INIT;
	sf_search_ws ws;
	sf_plan *plan;
	unsigned cacheline;
	int err = 0;

	*out = NULL;
	if (!opts)
		opts = &defaults;
	if (opts->version == 1) {
		/* A version 1 struct ends before the heat fields: copy what it has. */
		memcpy(&upgraded, opts, offsetof(sf_reorder_options, heat));
		upgraded.version = SF_REORDER_OPTIONS_VERSION;
		opts = &upgraded;
	} else if (opts->version != SF_REORDER_OPTIONS_VERSION) {
		return sf__fail(SF_EUSAGE, "unknown reorder options version %u", opts->version);
	}
	if (opts->strategy != SF_REORDER_EXACT && opts->strategy != SF_REORDER_SORT)
		return sf__fail(SF_EUSAGE, "unknown reorder strategy %d", (int)opts->strategy);
	cacheline = opts->cacheline ? opts->cacheline : report->cacheline;
	if (!sf__is_pow2(cacheline) || cacheline < 8)
		return sf__fail(SF_EUSAGE, "cache-line size %u is not a power of two >= 8", cacheline);
	plan = calloc(1, sizeof(*plan));
	if (!plan)
		return sf__fail(SF_ENOMEM, "out of memory while planning reorders");
	memset(&ws, 0, sizeof(ws));
	plan->report = report;
	plan->cacheline = cacheline;
	if (sf__arena_new(&plan->arena) < 0) {
		err = sf__fail(SF_ENOMEM, "out of memory while planning reorders");
		goto done;
	}
	plan->entries = calloc(report->count ? report->count : 1, sizeof(*plan->entries));
	if (!plan->entries) {
		err = sf__fail(SF_ENOMEM, "out of memory while planning reorders");
		goto done;
	}
	for (size_t i = 0; i < report->count; i++) {
		const sf_report_entry *e = &report->entries[i];
		err = sf__reorder_struct(&plan->entries[i], e->def,
					 cacheline == report->cacheline ? e->layout : NULL,
					 opts, cacheline, &ws, plan->arena);
		plan->count = i + 1;
		if (err < 0)
			goto done;
	}
done:
	sf__search_ws_free(&ws);
	if (err < 0) {
		sf_plan_free(plan);
		return err;
	}
	*out = plan;
	return 0;
}

void sf_plan_free(sf_plan *plan)
{
	if (!plan)
		return;
	for (size_t i = 0; i < plan->count; i++)
		sf__layout_free(plan->entries[i].owned_layout);
	free(plan->entries);
	sf__arena_free(plan->arena);
	free(plan);
}

size_t sf_plan_count(const sf_plan *plan)
{
	return plan->count;
}

const sf_proposal *sf_plan_proposal(const sf_plan *plan, size_t index)
{
	if (index >= plan->count)
		return NULL;
	return &plan->entries[index].proposal;
}
