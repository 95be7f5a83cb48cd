/* The report object: selected structs with their layouts, for the emitters. */
#ifndef SF_LAYOUT_SELECTION_H
#define SF_LAYOUT_SELECTION_H

#include <structfit/report.h>

#include <stddef.h>

#include "layout/analysis.h"
#include "model/structs.h"

/*
 * One selected definition.  `conflicts` lists the other definitions with
 * the same kind and name but another layout, in model order (empty unless
 * def->is_conflicting).
 */
typedef struct sf_report_entry {
	const sf_struct *def;
	sf_struct_layout *layout;
	size_t model_index;             /* position in the model's struct list */
	const sf_struct **conflicts;
	size_t conflict_count;
} sf_report_entry;

/* Invariants: entries are in the requested order; every layout was
 * computed with `cacheline`; the model outlives the report. */
struct sf_report {
	const sf_model *model;
	unsigned cacheline;
	sf_report_entry *entries;
	size_t count;
	struct sf_arena *arena;         /* the layouts and conflict lists */
	/* Arenas of the threads that analysed runs of the layouts (see
	 * sf_report_options.jobs), part_arena_count of them. */
	struct sf_arena **part_arenas;
	size_t part_arena_count;
};

/* The name a struct is selected and sorted by: its tag, else its typedef. */
const char *sf__report_struct_name(const sf_struct *s);

/*
 * Accessor plumbing shared with reorder/ (report_read.c).  Checks an info
 * struct's caller-set version against the newest the library knows
 * (`current`): SF_EUSAGE with the message set when it is 0 or newer.
 */
int sf__info_version_check(unsigned version, unsigned current, const char *what);

/* Fills *out (its version already checked) from member `position` of
 * `layout`'s member array, with `index` as its declaration position. */
void sf__report_member_fill(sf_report_member_info *out, const sf_struct_layout *layout,
			    uint32_t position, uint32_t index);

#endif
