/* Text rendering of reorder proposals: the proposed struct, its saving and moves, and the summary table. */
#include "emit/moved.h"
#include "emit/text_common.h"

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "layout/selection.h"
#include "reorder/plan.h"
#include "util/buf.h"
#include "util/checked.h"
#include "util/fail.h"

static void member_name(sf_buf *buf, const sf_member *m)
{
	if (m->name)
		sf__buf_puts(buf, m->name);
	else if (m->nested)
		sf__buf_printf(buf, "<anonymous %s>", sf__struct_kind_name(m->nested->kind));
	else
		sf__buf_puts(buf, "<anonymous>");
}

/* "8.3 %": tenths of a percent, rounded, without floating point. */
static void percent_text(char *out, size_t cap, uint64_t part, uint64_t whole)
{
	uint64_t tenths = 0, scaled;

	if (whole && sf__mul_u64(part, 1000, &scaled))
		tenths = (scaled + whole / 2) / whole;
	snprintf(out, cap, "%" PRIu64 ".%" PRIu64 " %%", tenths / 10, tenths % 10);
}

static void percent(sf_buf *buf, uint64_t part, uint64_t whole)
{
	char text[48];

	percent_text(text, sizeof(text), part, whole);
	sf__buf_puts(buf, text);
}

static void moved_line(sf_buf *buf, const sf_struct *def, const sf_proposal *prop)
{
	uint32_t n = prop->member_count;
	bool *kept = calloc(n ? n : 1, sizeof(*kept));
	bool first = true;

	if (!kept || !sf__emit_kept_members(prop->order, n, kept)) {
		buf->failed = 1;
		free(kept);
		return;
	}
	sf__buf_puts(buf, "/* moved: ");
	for (uint32_t pos = 0; pos < n; pos++) {
		uint32_t from = prop->order[pos];
		if (kept[from])
			continue;
		if (!first)
			sf__buf_puts(buf, ", ");
		first = false;
		member_name(buf, &def->members[from]);
		sf__buf_printf(buf, " (%" PRIu32 " -> %" PRIu32 ")", from, pos);
	}
	sf__buf_puts(buf, " */\n");
	free(kept);
}

/* "; 32 bytes without it (--no-keep-first)" for a proposal a rule bound. */
static void unconstrained_note(sf_buf *buf, const sf_proposal *prop)
{
	bool first = prop->bound_by & SF_RULE_BOUND_KEEP_FIRST;
	bool rules = prop->bound_by & SF_RULE_BOUND_CONSTRAINTS;

	if (prop->optimal != SF_OPTIMAL_CONSTRAINED)
		return;
	if (prop->bound_by == SF_RULE_BOUND_HEAT) {
		sf__buf_printf(buf, "; grown from the minimal %" PRIu64 " bytes for the hot members",
			       prop->unconstrained_size);
		return;
	}
	sf__buf_printf(buf, "; %" PRIu64 " bytes%s%s%s", prop->unconstrained_size,
		       first ? " with --no-keep-first" : "", first && rules ? " and" : "",
		       rules ? " without the constraints" : "");
}

/* "hot members: 3 lines -> 1 line" for a cache-aware proposal, and the
 * false-sharing warning. */
static void hot_line(sf_buf *buf, const sf_proposal *prop)
{
	if (!prop->cache_aware)
		return;
	if (prop->hot_count) {
		sf__buf_printf(buf, "/* hot members (%" PRIu32 "): %" PRIu32 " line%s -> %" PRIu32 " line%s"
			       " at the worst 16-byte-aligned start, ending at byte %" PRIu64 " -> %" PRIu64,
			       prop->hot_count, prop->original_hot_lines, prop->original_hot_lines == 1 ? "" : "s",
			       prop->hot_lines, prop->hot_lines == 1 ? "" : "s", prop->original_hot_end, prop->hot_end);
		if (prop->budget_bound != SF_OBJECTIVE_NONE)
			sf__buf_printf(buf, "; search limit reached: %s and below not proven",
				       sf_objective_name(prop->budget_bound));
		sf__buf_puts(buf, " */\n");
	}
	if (prop->shared_writers)
		sf__buf_printf(buf, "/* warning: %" PRIu32 " pair%s of members written by several threads"
			       " may share a cache line (false sharing; see apart rules) */\n",
			       prop->shared_writers, prop->shared_writers == 1 ? "" : "s");
}

/* Why an unchanged size is the best there is, for readers of Go's "sort your fields" advice. */
static void tail_padding_note(sf_buf *buf, uint64_t padding)
{
	sf__buf_puts(buf, "; no order is smaller");
	if (padding)
		sf__buf_printf(buf, ": %" PRIu64 " byte%s of tail padding no order removes", padding,
			       padding == 1 ? "" : "s");
}

static void saving_line(sf_buf *buf, const sf_proposal *prop, bool go, uint64_t padding)
{
	sf__buf_printf(buf, "/* size %" PRIu64 " -> %" PRIu64 " (saves %" PRIu64 " byte%s, ",
		       prop->original_size, prop->size, prop->saves, prop->saves == 1 ? "" : "s");
	percent(buf, prop->saves, prop->original_size);
	sf__buf_putc(buf, ')');
	/* The Go garbage collector's share, minimised after the size. */
	if (go)
		sf__buf_printf(buf, ", pointer bytes %" PRIu64 " -> %" PRIu64, prop->original_pointer_bytes,
			       prop->pointer_bytes);
	sf__buf_printf(buf, ", cachelines %" PRIu64 " -> %" PRIu64 ", moved %" PRIu32 " of %" PRIu32
		       " member%s", prop->original_cachelines, prop->cachelines, prop->moved,
		       prop->member_count, prop->member_count == 1 ? "" : "s");
	if (go && prop->saves == 0 && prop->optimal == SF_OPTIMAL_PROVEN)
		tail_padding_note(buf, padding);
	/* Past the search limits the numbers are the best found, not a proof.
	 * A cache-aware proposal says which level its budget left open on
	 * its hot-members line instead. */
	if (prop->cache_aware && prop->budget_bound != SF_OBJECTIVE_NONE)
		;
	else if (prop->optimal == SF_OPTIMAL_HEURISTIC)
		sf__buf_puts(buf, "; heuristic: a smaller order may exist");
	else if (prop->moves_optimal == SF_OPTIMAL_HEURISTIC)
		sf__buf_puts(buf, "; fewer moves may exist");
	unconstrained_note(buf, prop);
	sf__buf_puts(buf, " */\n");
}

static void unchanged_line(sf_buf *buf, const sf_plan_entry *e)
{
	sf__buf_puts(buf, "/* ");
	sf__emit_struct_title(buf, e->def);
	sf__buf_printf(buf, ": %" PRIu64 " bytes", e->def->size);
	if (e->def->go)
		sf__buf_printf(buf, ", pointer bytes %" PRIu64, e->proposal.pointer_bytes);
	sf__buf_printf(buf, ", unchanged: %s", sf_reorder_reason_text(e->proposal.reason));
	if (e->def->go && e->proposal.reason == SF_REASON_MINIMAL && e->layout && e->layout->padding &&
	    e->proposal.optimal == SF_OPTIMAL_PROVEN)
		sf__buf_printf(buf, ": %" PRIu64 " byte%s of tail padding no order removes",
			       e->layout->padding, e->layout->padding == 1 ? "" : "s");
	unconstrained_note(buf, &e->proposal);
	sf__buf_puts(buf, " */\n");
	hot_line(buf, &e->proposal);
}

static void proposal_text(sf_buf *buf, const sf_plan *plan, size_t index, int style, bool labelled)
{
	const sf_plan_entry *e = &plan->entries[index];

	if (e->proposal.reason != SF_REASON_NONE) {
		unchanged_line(buf, e);
		return;
	}
	if (labelled)
		sf__buf_puts(buf, "/* structfit: proposed order: */\n");
	sf__emit_struct_layout(buf, e->layout, style);
	saving_line(buf, &e->proposal, e->def->go, e->layout->padding);
	hot_line(buf, &e->proposal);
	if (e->proposal.moved)
		moved_line(buf, e->def, &e->proposal);
}

void sf__emit_proposal_text(sf_buf *buf, const sf_plan *plan, size_t index, int style)
{
	proposal_text(buf, plan, index, style, true);
}

enum { COL_SIZE, COL_PROPOSED, COL_SAVES, COL_MOVED, COL_LINES, NUMERIC_COLUMNS };

static const char *const headers[NUMERIC_COLUMNS] = {
	"SIZE", "PROPOSED", "SAVES", "MOVED", "CACHELINES"
};

static int digits(uint64_t v)
{
	int n = 1;
	while (v >= 10) {
		v /= 10;
		n++;
	}
	return n;
}

static void row_values(const sf_proposal *prop, uint64_t values[NUMERIC_COLUMNS])
{
	values[COL_SIZE] = prop->original_size;
	values[COL_PROPOSED] = prop->size;
	values[COL_SAVES] = prop->saves;
	values[COL_MOVED] = prop->moved;
	values[COL_LINES] = prop->cachelines;
}

/*
 * One row per shrinking struct, at most `limit` of them, then the total
 * and how many stay as they are.
 */
static void summary(sf_buf *buf, const sf_plan *plan, size_t limit)
{
	uint64_t totals[NUMERIC_COLUMNS] = { 0 };
	int widths[NUMERIC_COLUMNS];
	size_t name_width = strlen("NAME"), rows = 0, shrinking = 0, printed = 0;
	sf_buf name = SF_BUF_INIT;
	char total_label[80], pct[48];
	bool targets = sf__emit_mixed_targets(plan->report);
	int target_width = (int)strlen("TARGET");

	for (int c = 0; c < NUMERIC_COLUMNS; c++)
		widths[c] = (int)strlen(headers[c]);
	for (size_t i = 0; i < plan->count; i++) {
		const sf_plan_entry *e = &plan->entries[i];
		uint64_t values[NUMERIC_COLUMNS];
		if (e->proposal.reason != SF_REASON_NONE)
			continue;
		shrinking++;
		if (rows == limit)
			continue;
		rows++;
		if (targets && (int)strlen(sf__emit_struct_target(plan->report, e->def)) > target_width)
			target_width = (int)strlen(sf__emit_struct_target(plan->report, e->def));
		row_values(&e->proposal, values);
		for (int c = 0; c < NUMERIC_COLUMNS; c++) {
			totals[c] = sf__add_sat_u64(totals[c], values[c]);
			if (digits(values[c]) > widths[c])
				widths[c] = digits(values[c]);
		}
		name.len = 0;
		sf__emit_struct_title(&name, e->def);
		name_width = sf__name_column_width(name_width, name.len);
	}
	/* The totals are those of the rows shown: say so when --top cut some. */
	if (rows < shrinking)
		snprintf(total_label, sizeof(total_label), "total (top %zu of %zu shrinking, %zu struct%s)",
			 rows, shrinking, plan->count, plan->count == 1 ? "" : "s");
	else
		snprintf(total_label, sizeof(total_label), "total (%zu of %zu struct%s shrink)", rows,
			 plan->count, plan->count == 1 ? "" : "s");
	if (strlen(total_label) > name_width)
		name_width = strlen(total_label);
	for (int c = 0; c < NUMERIC_COLUMNS; c++) {
		if (digits(totals[c]) > widths[c])
			widths[c] = digits(totals[c]);
	}

	sf__buf_printf(buf, "%-*s", (int)name_width, "NAME");
	for (int c = 0; c < NUMERIC_COLUMNS; c++)
		sf__buf_printf(buf, "  %*s", widths[c], headers[c]);
	sf__buf_puts(buf, "    SAVED");
	if (targets)
		sf__buf_printf(buf, "  %-*s", target_width, "TARGET");
	sf__buf_puts(buf, "  DECLARED\n");
	for (size_t i = 0; i < plan->count && printed < rows; i++) {
		const sf_plan_entry *e = &plan->entries[i];
		uint64_t values[NUMERIC_COLUMNS];
		if (e->proposal.reason != SF_REASON_NONE)
			continue;
		printed++;
		row_values(&e->proposal, values);
		name.len = 0;
		sf__emit_struct_title(&name, e->def);
		sf__buf_printf(buf, "%-*s", (int)name_width, name.len ? name.data : "");
		for (int c = 0; c < NUMERIC_COLUMNS; c++)
			sf__buf_printf(buf, "  %*" PRIu64, widths[c], values[c]);
		percent_text(pct, sizeof(pct), e->proposal.saves, e->proposal.original_size);
		sf__buf_printf(buf, "  %7s  ", pct);
		if (targets)
			sf__buf_printf(buf, "%-*s  ", target_width, sf__emit_struct_target(plan->report, e->def));
		sf__emit_decl_site(buf, e->def);
		sf__buf_putc(buf, '\n');
	}
	sf__buf_printf(buf, "%-*s", (int)name_width, total_label);
	for (int c = 0; c < NUMERIC_COLUMNS; c++)
		sf__buf_printf(buf, "  %*" PRIu64, widths[c], totals[c]);
	percent_text(pct, sizeof(pct), totals[COL_SAVES], totals[COL_SIZE]);
	sf__buf_printf(buf, "  %7s\n", pct);
	if (name.failed)
		buf->failed = 1;
	sf_buf_free(&name);
}

int sf_emit_reorder(sf_buf *buf, const sf_plan *plan, const sf_emit_options *opts)
{
	static const sf_emit_options defaults = SF_EMIT_OPTIONS_INIT;
	const sf_impact *impact;
	bool changed_only;

	if (!opts)
		opts = &defaults;
	impact = sf__emit_impact(plan->report, opts);
	changed_only = opts->version >= 2 && opts->changed_only;
	if (opts->summary && impact) {
		sf_emit_options with_plan = *opts;
		with_plan.plan = plan;
		return sf__emit_impact_summary(buf, plan->report, &with_plan, 1);
	}
	if (opts->summary) {
		summary(buf, plan, sf__emit_shown(opts, SIZE_MAX));
	} else {
		size_t printed = 0, limit = sf__emit_shown(opts, SIZE_MAX);
		bool first = true;
		size_t *order = NULL;
		sf_emit_options with_plan = *opts;
		int error;
		with_plan.plan = plan;
		error = sf__emit_order(&order, plan->report, &with_plan);
		if (error)
			return error;
		for (size_t k = 0; k < plan->count && printed < limit; k++) {
			size_t i = order[k];
			if (changed_only && plan->entries[i].proposal.reason != SF_REASON_NONE)
				continue;
			printed++;
			/* A blank line between full definitions, as pahole separates structs. */
			if (!first && plan->entries[i].proposal.reason == SF_REASON_NONE)
				sf__buf_putc(buf, '\n');
			first = false;
			proposal_text(buf, plan, i, sf__text_style(opts), false);
			sf__emit_impact_line(buf, impact, plan, i);
		}
		free(order);
	}
	if (buf->failed)
		return sf__fail(SF_ENOMEM, "out of memory while writing the proposals");
	return 0;
}
