/* The summary table as GitHub-flavoured Markdown, for pull-request comments and $GITHUB_STEP_SUMMARY. */
#include <structfit/emit.h>

#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "emit/text_common.h"
#include "layout/selection.h"
#include "util/buf.h"
#include "util/checked.h"
#include "util/fail.h"
#include "util/md_escape.h"

/* A name in a code span; '|' would end the table cell even there. */
static void cell_name(sf_buf *buf, const sf_struct *s)
{
	const char *name = s->name ? s->name : s->typedef_name;

	sf__buf_putc(buf, '`');
	if (s->name)
		sf__buf_printf(buf, "%s ", sf__emit_struct_keyword(s));
	else if (!name)
		name = s->kind == SF_UNION ? "union <anonymous>" : "struct <anonymous>";
	sf__md_code(buf, name);
	sf__buf_putc(buf, '`');
}

/* "x86_64 | " before the declaration when the inputs are of several targets. */
static void target_cell(sf_buf *buf, const sf_report *report, const sf_struct *s, bool targets)
{
	if (!targets)
		return;
	sf__md_text(buf, sf__emit_struct_target(report, s));
	sf__buf_puts(buf, " | ");
}

/* reorder --summary: the structs a proposal shrinks, like the text summary. */
static int proposals_table(sf_buf *buf, const sf_report *report, const sf_plan *plan,
			   const sf_emit_options *opts, const size_t *order)
{
	uint64_t before = 0, after = 0;
	size_t rows = 0;

	bool targets = sf__emit_mixed_targets(report);

	sf__buf_printf(buf, "| struct | size | proposed | saves | moved | cache lines |%s declared |\n"
		       "|---|--:|--:|--:|--:|--:|%s---|\n", targets ? " target |" : "", targets ? "---|" : "");
	for (size_t k = 0; k < report->count && rows < sf__emit_shown(opts, SIZE_MAX); k++) {
		size_t i = order[k];
		const sf_proposal *p = sf_plan_proposal(plan, i);

		if (!p || p->reason != SF_REASON_NONE || p->saves == 0)
			continue;
		sf__buf_puts(buf, "| ");
		cell_name(buf, report->entries[i].def);
		sf__buf_printf(buf, " | %" PRIu64 " | %" PRIu64 " | %" PRIu64 " | %" PRIu32 " | %" PRIu64
			       " → %" PRIu64 " | ", p->original_size, p->size, p->saves, p->moved,
			       p->original_cachelines, p->cachelines);
		target_cell(buf, report, report->entries[i].def, targets);
		sf__emit_decl_site(buf, report->entries[i].def);
		sf__buf_puts(buf, " |\n");
		before = sf__add_sat_u64(before, p->original_size);
		after = sf__add_sat_u64(after, p->size);
		rows++;
	}
	sf__buf_printf(buf, "| **total (%zu struct%s)** | %" PRIu64 " | %" PRIu64 " | %" PRIu64 " | | |%s |\n",
		       rows, rows == 1 ? "" : "s", before, after, before - after, targets ? " |" : "");
	if (buf->failed)
		return sf__fail(SF_ENOMEM, "out of memory while writing the Markdown summary");
	return 0;
}

static int structs_table(sf_buf *buf, const sf_report *report, const sf_emit_options *opts,
			 const size_t *order)
{
	uint64_t size = 0, holes = 0, padding = 0, waste = 0, lines = 0;
	size_t shown = sf__emit_shown(opts, report->count);
	bool targets = sf__emit_mixed_targets(report);

	sf__buf_printf(buf, "| struct | size | holes | padding | waste | cache lines |%s declared |\n"
		       "|---|--:|--:|--:|--:|--:|%s---|\n", targets ? " target |" : "", targets ? "---|" : "");
	for (size_t k = 0; k < shown; k++) {
		const sf_report_entry *e = &report->entries[order[k]];
		const sf_struct_layout *l = e->layout;
		uint64_t w = sf__add_sat_u64(l->sum_holes, l->padding);

		sf__buf_puts(buf, "| ");
		cell_name(buf, e->def);
		sf__buf_printf(buf, " | %" PRIu64 " | %" PRIu32 " | %" PRIu64 " | %" PRIu64 " | %" PRIu64 " | ",
			       e->def->size, l->hole_count, l->padding, w, l->cachelines);
		target_cell(buf, report, e->def, targets);
		sf__emit_decl_site(buf, e->def);
		sf__buf_puts(buf, " |\n");
		size = sf__add_sat_u64(size, e->def->size);
		holes = sf__add_sat_u64(holes, l->hole_count);
		padding = sf__add_sat_u64(padding, l->padding);
		waste = sf__add_sat_u64(waste, w);
		lines = sf__add_sat_u64(lines, l->cachelines);
	}
	sf__buf_printf(buf, "| **total (%zu struct%s)** | %" PRIu64 " | %" PRIu64 " | %" PRIu64 " | %" PRIu64
		       " | %" PRIu64 " |%s |\n", shown, shown == 1 ? "" : "s", size, holes,
		       padding, waste, lines, targets ? " |" : "");
	if (buf->failed)
		return sf__fail(SF_ENOMEM, "out of memory while writing the Markdown summary");
	return 0;
}

int sf_emit_markdown(sf_buf *buf, const sf_report *report, const sf_emit_options *opts)
{
	static const sf_emit_options defaults = SF_EMIT_OPTIONS_INIT;
	size_t *order = NULL;
	int error;

	if (!opts)
		opts = &defaults;
	/* Rows in sort_impact's ranking when there is one, so --top keeps the first after it. */
	error = sf__emit_order(&order, report, opts);
	if (error)
		return error;
	/* A plan from another report would index other structs. */
	if (opts->version >= 2 && opts->plan && sf_plan_count(opts->plan) == report->count)
		error = proposals_table(buf, report, opts->plan, opts, order);
	else
		error = structs_table(buf, report, opts, order);
	free(order);
	return error;
}

void sf_emit_markdown_escape(sf_buf *buf, const char *text, int code)
{
	if (code)
		sf__md_code(buf, text);
	else
		sf__md_text(buf, text);
}
