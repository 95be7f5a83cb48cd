/* The path from a struct's declared order to its proposal, one member moved per step, each step placed by the ABI engine. */
#include <structfit/reorder.h>

#include <stdlib.h>
#include <string.h>

#include "layout/place.h"
#include "layout/place_cxx.h"
#include "reorder/plan.h"
#include "util/arena.h"
#include "util/fail.h"

/*
 * Marks in `kept` the members of a longest run kept in relative order:
 * a longest increasing subsequence of their proposed positions taken in
 * declaration order.  They never move; every other member moves once,
 * which is the fewest single-member moves there are (the proposal's
 * `moved`).  Quadratic, like the search itself over these sizes.
 */
static int longest_kept(bool *kept, const uint32_t *target_pos, uint32_t n)
{
	uint32_t *len = calloc(n, sizeof(*len));
	uint32_t *prev = calloc(n, sizeof(*prev));
	uint32_t best = 0;
	int error = 0;

	if (!len || !prev) {
		error = sf__fail(SF_ENOMEM, "out of memory while explaining a reorder");
		goto done;
	}
	for (uint32_t i = 0; i < n; i++) {
		len[i] = 1;
		prev[i] = UINT32_MAX;
		for (uint32_t j = 0; j < i; j++) {
			if (target_pos[j] < target_pos[i] && len[j] + 1 > len[i]) {
				len[i] = len[j] + 1;
				prev[i] = j;
			}
		}
		if (len[i] > len[best])
			best = i;
	}
	memset(kept, 0, n * sizeof(*kept));
	for (uint32_t i = n ? best : UINT32_MAX; i != UINT32_MAX; i = prev[i])
		kept[i] = true;
done:
	free(len);
	free(prev);
	return error;
}

/*
 * Moves member `member` of `order` (n entries) to just after the settled
 * member that precedes it in the proposal, or to the front when none does:
 * settled members are always in proposed relative order, so once all are
 * settled the order is the proposal.  Returns its new position.
 */
static uint32_t move_member(uint32_t *order, uint32_t n, uint32_t member, const bool *settled,
			    const uint32_t *target, const uint32_t *target_pos)
{
	uint32_t anchor = UINT32_MAX;
	uint32_t from = 0, to = 0;

	for (uint32_t p = target_pos[member]; p-- > 0;) {
		if (settled[target[p]]) {
			anchor = target[p];
			break;
		}
	}
	while (order[from] != member)
		from++;
	memmove(&order[from], &order[from + 1], (n - from - 1) * sizeof(*order));
	if (anchor != UINT32_MAX) {
		while (order[to] != anchor)
			to++;
		to++;
	}
	memmove(&order[to + 1], &order[to], (n - 1 - to) * sizeof(*order));
	order[to] = member;
	return to;
}

/* Size of `s` laid out in `order` by the C placement engine. */
static int placed_size(const sf_struct *s, const uint32_t *order, uint32_t n, sf_arena *scratch,
		       uint64_t *size)
{
	sf_struct *placed = NULL;
	int err = sf__place_struct(s, order, n, scratch, &placed);

	if (err == 0)
		*size = placed->size;
	return err;
}

typedef struct steps_state {
	const sf_struct *def;
	uint32_t n;
	const uint32_t *target;   /* the proposal's order */
	uint32_t *target_pos;     /* member -> position in the proposal */
	uint32_t *order;          /* the current order */
	uint32_t *trial;
	bool *settled;
	sf_arena *scratch;
} steps_state;

/*
 * One step: of the members still to move, the one whose move leaves the
 * smallest struct (ties: earliest in the proposal), so the big savings
 * come first and a reviewer can stop after any step.
 */
static int best_step(steps_state *st, sf_plan_step *step)
{
	uint64_t best_size = UINT64_MAX;
	uint32_t best = UINT32_MAX;

	for (uint32_t p = 0; p < st->n; p++) {
		uint32_t m = st->target[p];
		uint64_t size = 0;
		int err;

		if (st->settled[m])
			continue;
		memcpy(st->trial, st->order, st->n * sizeof(*st->trial));
		move_member(st->trial, st->n, m, st->settled, st->target, st->target_pos);
		err = placed_size(st->def, st->trial, st->n, st->scratch, &size);
		if (err < 0)
			return err;
		if (size < best_size) {
			best_size = size;
			best = m;
		}
	}
	step->member = best;
	for (step->from = 0; st->order[step->from] != best; step->from++)
		;
	step->to = move_member(st->order, st->n, best, st->settled, st->target, st->target_pos);
	step->after = step->to > 0 ? st->order[step->to - 1] : UINT32_MAX;
	step->size = best_size;
	st->settled[best] = true;
	return 0;
}

static int explain(sf_plan_step *steps, size_t *count, const sf_struct *def, const sf_proposal *prop)
{
	steps_state st = { .def = def, .n = prop->member_count, .target = prop->order };
	uint32_t to_move = 0;
	int err;

	*count = 0;
	st.target_pos = calloc(st.n, sizeof(*st.target_pos));
	st.order = calloc(st.n, sizeof(*st.order));
	st.trial = calloc(st.n, sizeof(*st.trial));
	st.settled = calloc(st.n, sizeof(*st.settled));
	err = sf__arena_new(&st.scratch);
	if (!st.target_pos || !st.order || !st.trial || !st.settled || err < 0) {
		err = sf__fail(SF_ENOMEM, "out of memory while explaining a reorder");
		goto done;
	}
	for (uint32_t p = 0; p < st.n; p++) {
		st.target_pos[prop->order[p]] = p;
		st.order[p] = p;
	}
	err = longest_kept(st.settled, st.target_pos, st.n);
	/* Each step settles the member it picks, not necessarily member i:
	 * count the moves first. */
	for (uint32_t i = 0; err == 0 && i < st.n; i++)
		to_move += !st.settled[i];
	while (err == 0 && *count < to_move)
		err = best_step(&st, &steps[(*count)++]);
done:
	sf__arena_free(st.scratch);
	free(st.target_pos);
	free(st.order);
	free(st.trial);
	free(st.settled);
	return err;
}

int sf_plan_steps(sf_plan_step **out, size_t *count, const sf_plan *plan, size_t index)
{
	const sf_plan_entry *entry;
	sf_plan_step *steps = NULL;
	int err;

	if (!out || !count || !plan)
		return sf__fail(SF_EUSAGE, "sf_plan_steps: NULL argument");
	*out = NULL;
	*count = 0;
	if (index >= plan->count)
		return sf__fail(SF_ENOTFOUND, "sf_plan_steps: index %zu, the plan has %zu proposals", index,
				plan->count);
	entry = &plan->entries[index];
	if (entry->proposal.reason != SF_REASON_NONE)
		return 0;
	/* The Itanium engine needs the layout hypothesis the planner chose,
	 * which the plan does not keep. */
	if (sf__place_cxx_applies(entry->def))
		return sf__fail(SF_EUNSUPPORTED, "%s: steps are only explained for C layouts",
				entry->proposal.name ? entry->proposal.name : "(anonymous)");
	steps = calloc(entry->proposal.member_count + 1, sizeof(*steps));
	if (!steps)
		return sf__fail(SF_ENOMEM, "out of memory while explaining a reorder");
	err = explain(steps, count, entry->def, &entry->proposal);
	if (err < 0) {
		free(steps);
		*count = 0;
		return err;
	}
	*out = steps;
	return 0;
}

void sf_plan_steps_free(sf_plan_step *steps)
{
	free(steps);
}
