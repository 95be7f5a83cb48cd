/* Summary table: one row per struct with its size, holes, padding and waste, then totals. */
#include "emit/text_common.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "layout/selection.h"
#include "util/buf.h"
#include "util/checked.h"
#include "util/fail.h"

enum { COL_SIZE, COL_HOLES, COL_PADDING, COL_WASTE, COL_CACHELINES, NUMERIC_COLUMNS };

static const char *const headers[NUMERIC_COLUMNS] = {
	"SIZE", "HOLES", "PADDING", "WASTE", "CACHELINES"
};

static void row_values(const sf_report_entry *e, uint64_t values[NUMERIC_COLUMNS])
{
	const sf_struct_layout *l = e->layout;

	values[COL_SIZE] = e->def->size;
	values[COL_HOLES] = l->hole_count;
	values[COL_PADDING] = l->padding;
	values[COL_WASTE] = sf__add_sat_u64(l->sum_holes, l->padding);
	values[COL_CACHELINES] = l->cachelines;
}

static int digits(uint64_t v)
{
	int n = 1;
	while (v >= 10) {
		v /= 10;
		n++;
	}
	return n;
}

int sf__emit_summary(sf_buf *buf, const sf_report *report, const sf_emit_options *opts)
{
	uint64_t totals[NUMERIC_COLUMNS] = { 0 };
	int widths[NUMERIC_COLUMNS];
	size_t name_width = strlen("NAME");
	sf_buf name = SF_BUF_INIT;
	char total_label[64];
	size_t shown = sf__emit_shown(opts, report->count);
	bool targets = sf__emit_mixed_targets(report);
	int target_width = (int)strlen("TARGET");

	for (int c = 0; c < NUMERIC_COLUMNS; c++)
		widths[c] = (int)strlen(headers[c]);
	for (size_t i = 0; i < shown; i++) {
		uint64_t values[NUMERIC_COLUMNS];
		const char *target = sf__emit_struct_target(report, report->entries[i].def);
		if (targets && (int)strlen(target) > target_width)
			target_width = (int)strlen(target);
		row_values(&report->entries[i], values);
		for (int c = 0; c < NUMERIC_COLUMNS; c++) {
			totals[c] = sf__add_sat_u64(totals[c], values[c]);
			if (digits(values[c]) > widths[c])
				widths[c] = digits(values[c]);
		}
		name.len = 0;
		sf__emit_struct_title(&name, report->entries[i].def);
		name_width = sf__name_column_width(name_width, name.len);
	}
	snprintf(total_label, sizeof(total_label), "total (%zu struct%s)", shown, shown == 1 ? "" : "s");
	if (strlen(total_label) > name_width)
		name_width = strlen(total_label);
	for (int c = 0; c < NUMERIC_COLUMNS; c++) {
		if (digits(totals[c]) > widths[c])
			widths[c] = digits(totals[c]);
	}

	sf__buf_printf(buf, "%-*s", (int)name_width, "NAME");
	for (int c = 0; c < NUMERIC_COLUMNS; c++)
		sf__buf_printf(buf, "  %*s", widths[c], headers[c]);
	if (targets)
		sf__buf_printf(buf, "  %-*s", target_width, "TARGET");
	sf__buf_puts(buf, "  DECLARED\n");
	for (size_t i = 0; i < shown; i++) {
		const sf_report_entry *e = &report->entries[i];
		uint64_t values[NUMERIC_COLUMNS];
		row_values(e, values);
		name.len = 0;
		sf__emit_struct_title(&name, e->def);
		sf__buf_printf(buf, "%-*s", (int)name_width, name.len ? name.data : "");
		for (int c = 0; c < NUMERIC_COLUMNS; c++)
			sf__buf_printf(buf, "  %*" PRIu64, widths[c], values[c]);
		sf__buf_puts(buf, "  ");
		if (targets)
			sf__buf_printf(buf, "%-*s  ", target_width, sf__emit_struct_target(report, e->def));
		sf__emit_decl_site(buf, e->def);
		sf__buf_putc(buf, '\n');
	}
	sf__buf_printf(buf, "%-*s", (int)name_width, total_label);
	for (int c = 0; c < NUMERIC_COLUMNS; c++)
		sf__buf_printf(buf, "  %*" PRIu64, widths[c], totals[c]);
	sf__buf_putc(buf, '\n');

	if (name.failed)
		buf->failed = 1;
	sf_buf_free(&name);
	if (buf->failed)
		return sf__fail(SF_ENOMEM, "out of memory while writing the summary");
	return 0;
}
