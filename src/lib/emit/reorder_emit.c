/* Text rendering of reorder proposals: the proposed struct, its saving and moves, and the summary table. */
#include "emit/text_common.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "layout/selection.h"
#include "reorder/plan.h"
#include "util/buf.h"
#include "util/checked.h"
#include "util/fail.h"

static void struct_name(sf_buf *buf, const sf_struct *s)
{
	if (s->name)
		sf__buf_printf(buf, "%s %s", sf__struct_kind_name(s->kind), s->name);
	else if (s->typedef_name)
		sf__buf_puts(buf, s->typedef_name);
	else
		sf__buf_printf(buf, "%s <anonymous>", sf__struct_kind_name(s->kind));
}

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

/*
 * Marks in `kept` the members that stay in place: a longest subsequence
 * of `order` in increasing index order (its complement has `moved`
 * members).  Among chains of that length the one keeping most members at
 * their own index wins, so "x (2 -> 2)" is never listed as a move when
 * another choice avoids it.  Returns false on ENOMEM.
 */
static bool kept_members(const uint32_t *order, uint32_t n, bool *kept)
{
	/* Score of the best chain ending at i: length first, then fixed points. */
	uint64_t *score = calloc(n ? n : 1, sizeof(*score));
	uint32_t *prev = calloc(n ? n : 1, sizeof(*prev));
	uint64_t best = 0;
	uint32_t best_at = UINT32_MAX;

	if (!score || !prev) {
		free(score);
		free(prev);
		return false;
	}
	/* n is small (members of one struct); quadratic is fine and simple. */
	for (uint32_t i = 0; i < n; i++) {
		uint64_t self = ((uint64_t)1 << 32) + (order[i] == i);
		score[i] = self;
		prev[i] = UINT32_MAX;
		for (uint32_t j = 0; j < i; j++) {
			if (order[j] < order[i] && score[j] + self > score[i]) {
				score[i] = score[j] + self;
				prev[i] = j;
			}
		}
		if (score[i] > best) {
			best = score[i];
			best_at = i;
		}
	}
	memset(kept, 0, n * sizeof(*kept));
	for (uint32_t i = best_at; i != UINT32_MAX; i = prev[i])
		kept[order[i]] = true;
	free(score);
	free(prev);
	return true;
}

static void moved_line(sf_buf *buf, const sf_struct *def, const sf_proposal *prop)
{
	uint32_t n = prop->member_count;
	bool *kept = calloc(n ? n : 1, sizeof(*kept));
	bool first = true;

	if (!kept || !kept_members(prop->order, n, kept)) {
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
	sf__buf_printf(buf, "; %" PRIu64 " bytes%s%s%s", prop->unconstrained_size,
		       first ? " with --no-keep-first" : "", first && rules ? " and" : "",
		       rules ? " without the constraints" : "");
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
	/* Past the search limits the numbers are the best found, not a proof. */
	if (prop->optimal == SF_OPTIMAL_HEURISTIC)
		sf__buf_puts(buf, "; heuristic: a smaller order may exist");
	else if (prop->moves_optimal == SF_OPTIMAL_HEURISTIC)
		sf__buf_puts(buf, "; fewer moves may exist");
	unconstrained_note(buf, prop);
	sf__buf_puts(buf, " */\n");
}

static void unchanged_line(sf_buf *buf, const sf_plan_entry *e)
{
	sf__buf_puts(buf, "/* ");
	struct_name(buf, e->def);
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

/* One row per shrinking struct, then the total and how many stay as they are. */
static void summary(sf_buf *buf, const sf_plan *plan)
{
	uint64_t totals[NUMERIC_COLUMNS] = { 0 };
	int widths[NUMERIC_COLUMNS];
	size_t name_width = strlen("NAME"), rows = 0;
	sf_buf name = SF_BUF_INIT;
	char total_label[64], pct[48];

	for (int c = 0; c < NUMERIC_COLUMNS; c++)
		widths[c] = (int)strlen(headers[c]);
	for (size_t i = 0; i < plan->count; i++) {
		const sf_plan_entry *e = &plan->entries[i];
		uint64_t values[NUMERIC_COLUMNS];
		if (e->proposal.reason != SF_REASON_NONE)
			continue;
		rows++;
		row_values(&e->proposal, values);
		for (int c = 0; c < NUMERIC_COLUMNS; c++) {
			totals[c] = sf__add_sat_u64(totals[c], values[c]);
			if (digits(values[c]) > widths[c])
				widths[c] = digits(values[c]);
		}
		name.len = 0;
		struct_name(&name, e->def);
		if (name.len > name_width)
			name_width = name.len;
	}
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
	sf__buf_puts(buf, "    SAVED  DECLARED\n");
	for (size_t i = 0; i < plan->count; i++) {
		const sf_plan_entry *e = &plan->entries[i];
		uint64_t values[NUMERIC_COLUMNS];
		if (e->proposal.reason != SF_REASON_NONE)
			continue;
		row_values(&e->proposal, values);
		name.len = 0;
		struct_name(&name, e->def);
		sf__buf_printf(buf, "%-*s", (int)name_width, name.len ? name.data : "");
		for (int c = 0; c < NUMERIC_COLUMNS; c++)
			sf__buf_printf(buf, "  %*" PRIu64, widths[c], values[c]);
		percent_text(pct, sizeof(pct), e->proposal.saves, e->proposal.original_size);
		sf__buf_printf(buf, "  %7s  ", pct);
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
	bool changed_only;

	if (!opts)
		opts = &defaults;
	changed_only = opts->version >= 2 && opts->changed_only;
	if (opts->summary) {
		summary(buf, plan);
	} else {
		bool first = true;
		for (size_t i = 0; i < plan->count; i++) {
			if (changed_only && plan->entries[i].proposal.reason != SF_REASON_NONE)
				continue;
			/* A blank line between full definitions, as pahole separates structs. */
			if (!first && plan->entries[i].proposal.reason == SF_REASON_NONE)
				sf__buf_putc(buf, '\n');
			first = false;
			proposal_text(buf, plan, i, sf__text_style(opts), false);
		}
	}
	if (buf->failed)
		return sf__fail(SF_ENOMEM, "out of memory while writing the proposals");
	return 0;
}
