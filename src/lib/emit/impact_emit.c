/* Profile data in the renderers: the impact summary, a profile line per struct, and the JSON impact objects. */
#include "emit/text_common.h"

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "impact/impact_private.h"
#include "layout/selection.h"
#include "reorder/plan.h"
#include "util/buf.h"
#include "util/checked.h"
#include "util/fail.h"
#include "util/json_write.h"

const sf_impact *sf__emit_impact(const sf_report *report, const sf_emit_options *opts)
{
	if (!opts || opts->version < 3 || !opts->impact || opts->impact->report != report)
		return NULL;
	return opts->impact;
}

const sf_plan *sf__emit_savings_plan(const sf_report *report, const sf_emit_options *opts)
{
	if (opts && opts->version >= 2 && opts->plan && sf_plan_count(opts->plan) == report->count)
		return opts->plan;
	if (opts && opts->version >= 3 && opts->impact_plan &&
	    sf_plan_count(opts->impact_plan) == report->count)
		return opts->impact_plan;
	return NULL;
}

int sf__emit_order(size_t **order, const sf_report *report, const sf_emit_options *opts)
{
	const sf_impact *impact = sf__emit_impact(report, opts);
	size_t *o = calloc(report->count ? report->count : 1, sizeof(*o));

	*order = NULL;
	if (!o)
		return sf__fail(SF_ENOMEM, "out of memory");
	for (size_t i = 0; i < report->count; i++)
		o[i] = i;
	if (impact && opts->sort_impact) {
		int error = sf_impact_rank(o, impact, sf__emit_savings_plan(report, opts));
		if (error) {
			free(o);
			return error;
		}
	}
	*order = o;
	return 0;
}

enum { COL_SIZE, COL_PROPOSED, COL_SAVES, COL_ALLOCS, COL_PEAK, COL_CLASS, COL_INSTANCE, COL_AT_PEAK,
       COLUMNS };

static const char *const headers[COLUMNS] = {
	"SIZE", "PROPOSED", "SAVES", "ALLOCS", "PEAK", "CLASS", "SAVED/INST", "SAVED@PEAK"
};

typedef struct row {
	char cells[COLUMNS][48];
} row;

static void fill_row(row *r, const sf_impact_struct_info *info, uint64_t saves)
{
	snprintf(r->cells[COL_SIZE], 48, "%" PRIu64, info->size);
	snprintf(r->cells[COL_PROPOSED], 48, "%" PRIu64, info->proposed_size);
	snprintf(r->cells[COL_SAVES], 48, "%" PRIu64, saves);
	snprintf(r->cells[COL_CLASS], 48, "%" PRIu64 "->%" PRIu64, info->size_class,
		 info->proposed_size_class);
	snprintf(r->cells[COL_INSTANCE], 48, "%" PRIu64, info->saved_per_instance);
	if (info->counted) {
		snprintf(r->cells[COL_ALLOCS], 48, "%" PRIu64, info->allocations);
		snprintf(r->cells[COL_PEAK], 48, "%" PRIu64, info->peak_instances);
		snprintf(r->cells[COL_AT_PEAK], 48, "%" PRIu64, info->saved_at_peak);
	} else {
		/* No allocation counts: the saving stands in bytes alone. */
		strcpy(r->cells[COL_ALLOCS], "-");
		strcpy(r->cells[COL_PEAK], "-");
		strcpy(r->cells[COL_AT_PEAK], "-");
	}
}

static bool row_selected(const sf_plan *plan, size_t i, int shrinking_only)
{
	const sf_proposal *p = plan ? sf_plan_proposal(plan, i) : NULL;
	return !shrinking_only || (p && p->reason == SF_REASON_NONE);
}

static int table(sf_buf *buf, const sf_report *report, const sf_emit_options *opts,
		 int shrinking_only, const size_t *order)
{
	const sf_impact *impact = sf__emit_impact(report, opts);
	const sf_plan *plan = sf__emit_savings_plan(report, opts);
	row *rows = calloc(report->count + 1, sizeof(*rows));
	int widths[COLUMNS];
	size_t name_width = strlen("NAME"), shown = 0, uncounted = 0;
	uint64_t saves = 0, allocs = 0, at_peak = 0;
	sf_buf name = SF_BUF_INIT;
	char label[64];
	bool targets = sf__emit_mixed_targets(report);
	int target_width = (int)strlen("TARGET");

	if (!rows)
		return sf__fail(SF_ENOMEM, "out of memory while writing the summary");
	for (int c = 0; c < COLUMNS; c++)
		widths[c] = (int)strlen(headers[c]);
	/* --top counts rows after the ranking, so it keeps the structs that save most. */
	for (size_t k = 0; k < report->count && shown < sf__emit_shown(opts, SIZE_MAX); k++) {
		size_t i = order[k];
		sf_impact_struct_info info = SF_IMPACT_STRUCT_INFO_INIT;
		const sf_proposal *p = plan ? sf_plan_proposal(plan, i) : NULL;
		if (!row_selected(plan, i, shrinking_only) || sf_impact_struct(&info, impact, plan, i) != 0)
			continue;
		fill_row(&rows[i], &info, p ? p->saves : 0);
		saves = sf__add_sat_u64(saves, p ? p->saves : 0);
		allocs = sf__add_sat_u64(allocs, info.allocations);
		at_peak = sf__add_sat_u64(at_peak, info.saved_at_peak);
		uncounted += !info.counted;
		shown++;
		for (int c = 0; c < COLUMNS; c++) {
			if ((int)strlen(rows[i].cells[c]) > widths[c])
				widths[c] = (int)strlen(rows[i].cells[c]);
		}
		name.len = 0;
		sf__emit_struct_title(&name, report->entries[i].def);
		name_width = sf__name_column_width(name_width, name.len);
		if (targets && (int)strlen(sf__emit_struct_target(report, report->entries[i].def)) > target_width)
			target_width = (int)strlen(sf__emit_struct_target(report, report->entries[i].def));
	}
	snprintf(label, sizeof(label), "total (%zu struct%s)", shown, shown == 1 ? "" : "s");
	if (strlen(label) > name_width)
		name_width = strlen(label);
	sf__buf_printf(buf, "%-*s", (int)name_width, "NAME");
	for (int c = 0; c < COLUMNS; c++)
		sf__buf_printf(buf, "  %*s", widths[c], headers[c]);
	if (targets)
		sf__buf_printf(buf, "  %-*s", target_width, "TARGET");
	sf__buf_puts(buf, "  DECLARED\n");
	for (size_t k = 0; k < report->count; k++) {
		size_t i = order[k];
		if (!rows[i].cells[COL_SIZE][0])
			continue;
		name.len = 0;
		sf__emit_struct_title(&name, report->entries[i].def);
		sf__buf_printf(buf, "%-*s", (int)name_width, name.len ? name.data : "");
		for (int c = 0; c < COLUMNS; c++)
			sf__buf_printf(buf, "  %*s", widths[c], rows[i].cells[c]);
		sf__buf_puts(buf, "  ");
		if (targets)
			sf__buf_printf(buf, "%-*s  ", target_width,
				       sf__emit_struct_target(report, report->entries[i].def));
		sf__emit_decl_site(buf, report->entries[i].def);
		sf__buf_putc(buf, '\n');
	}
	sf__buf_printf(buf, "%-*s  %*s  %*s  %*" PRIu64 "  %*" PRIu64 "  %*s  %*s  %*s  %*" PRIu64 "\n",
		       (int)name_width, label, widths[COL_SIZE], "", widths[COL_PROPOSED], "",
		       widths[COL_SAVES], saves, widths[COL_ALLOCS], allocs, widths[COL_PEAK], "",
		       widths[COL_CLASS], "", widths[COL_INSTANCE], "", widths[COL_AT_PEAK], at_peak);
	sf__buf_printf(buf, "(%s size classes; %zu struct%s without allocation counts ('-'): their "
		       "saving is in bytes only)\n",
		       sf_allocator_name(impact->allocator), uncounted, uncounted == 1 ? "" : "s");
	if (name.failed)
		buf->failed = 1;
	sf_buf_free(&name);
	free(rows);
	return 0;
}

int sf__emit_impact_summary(sf_buf *buf, const sf_report *report, const sf_emit_options *opts,
			    int shrinking_only)
{
	size_t *order = NULL;
	int error = sf__emit_order(&order, report, opts);

	if (!error)
		error = table(buf, report, opts, shrinking_only, order);
	free(order);
	if (!error && buf->failed)
		error = sf__fail(SF_ENOMEM, "out of memory while writing the summary");
	return error;
}

static void heat_names(sf_buf *buf, const sf_impact *impact, size_t index, sf_heat_class heat,
		       const char *label)
{
	const sf_struct *s = impact->report->entries[index].def;
	bool first = true;

	for (uint32_t m = 0; m < s->member_count; m++) {
		sf_impact_member_info info = SF_IMPACT_MEMBER_INFO_INIT;
		if (!s->members[m].name || sf_impact_member(&info, impact, index, m) != 0 ||
		    info.heat != heat)
			continue;
		sf__buf_printf(buf, first ? "; %s: %s" : " %s", first ? label : s->members[m].name,
			       s->members[m].name);
		first = false;
	}
}

void sf__emit_impact_line(sf_buf *buf, const sf_impact *impact, const sf_plan *plan, size_t index)
{
	sf_impact_struct_info info = SF_IMPACT_STRUCT_INFO_INIT;

	if (!impact || sf_impact_struct(&info, impact, plan, index) != 0 || !info.profiled)
		return;
	sf__buf_puts(buf, "/* profile: ");
	if (info.counted)
		sf__buf_printf(buf, "%" PRIu64 " allocations, %" PRIu64 " live at peak", info.allocations,
			       info.peak_instances);
	else
		sf__buf_puts(buf, "no allocation counts");
	if (info.proposed_size != info.size)
		sf__buf_printf(buf, "; %s %" PRIu64 " -> %" PRIu64 " bytes: %" PRIu64 " saved per instance",
			       sf_allocator_name(impact->allocator), info.size_class,
			       info.proposed_size_class, info.saved_per_instance);
	if (info.counted && info.proposed_size != info.size)
		sf__buf_printf(buf, ", %" PRIu64 " at peak", info.saved_at_peak);
	heat_names(buf, impact, index, SF_HEAT_HOT, "hot");
	heat_names(buf, impact, index, SF_HEAT_WARM, "warm");
	heat_names(buf, impact, index, SF_HEAT_COLD, "cold");
	sf__buf_puts(buf, " */\n");
}
