/* The plan object: one verified proposal per report entry, for the emitters. */
#ifndef SF_REORDER_PLAN_H
#define SF_REORDER_PLAN_H

#include <structfit/reorder.h>

#include "layout/analysis.h"
#include "layout/selection.h"
#include "model/structs.h"
#include "reorder/search.h"

/*
 * One proposal with what an emitter needs to print it pahole-style.
 * Invariants: `placed` is the struct laid out from scratch in
 * proposal.order (== def, the model's definition, for identity proposals);
 * layout is sf__layout_analyze(placed) with the plan's cache-line size;
 * proposal.size == placed->size <= def->size, or at most the minimal size
 * plus opts->allow_growth for a cache-aware proposal.
 */
typedef struct sf_plan_entry {
	sf_proposal proposal;
	const sf_struct *def;
	const sf_struct *placed;
	const sf_struct_layout *layout;  /* borrowed from the report or owned_layout */
	sf_struct_layout *owned_layout;
} sf_plan_entry;

/* Invariants: entries are index-aligned with the report's; the report and
 * its model outlive the plan; all orders and placed structs live in arena. */
struct sf_plan {
	const sf_report *report;
	unsigned cacheline;
	sf_plan_entry *entries;
	size_t count;
	struct sf_arena *arena;
};

/* The proposed layout of entry `index`: placed struct and its analysis. */
static inline const sf_struct *sf__plan_struct(const sf_plan *plan, size_t index)
{
	return plan->entries[index].placed;
}

static inline const sf_struct_layout *sf__plan_layout(const sf_plan *plan, size_t index)
{
	return plan->entries[index].layout;
}

/*
 * Plans one definition outside a report (tests, future callers): fills
 * `entry` (its layout owned by entry->owned_layout, free it with
 * sf__layout_free) with storage from `arena`; `ws` holds search tables
 * reused between calls.  `report_layout` may be NULL; when given it must
 * be def's analysis and is reused for identity proposals.
 * Returns 0, SF_EUSAGE (constraint errors) or SF_ENOMEM.
 */
int sf__reorder_struct(sf_plan_entry *entry, const sf_struct *def, const sf_struct_layout *report_layout,
		       const sf_reorder_options *opts, unsigned cacheline, sf_search_ws *ws,
		       struct sf_arena *arena);

#endif
