/* The report as text: each struct pahole-style, with its proposal when a plan is given, or the summary table. */
#include <structfit/emit.h>

#include <stdlib.h>

#include "emit/text_common.h"
#include "layout/selection.h"
#include "util/buf.h"
#include "util/fail.h"

int sf_emit_text(sf_buf *buf, const sf_report *report, const sf_emit_options *opts)
{
	static const sf_emit_options defaults = SF_EMIT_OPTIONS_INIT;
	const sf_plan *plan = NULL;
	size_t *order = NULL;
	int error = 0;

	if (!opts)
		opts = &defaults;
	if (opts->summary && sf__emit_impact(report, opts))
		return sf__emit_impact_summary(buf, report, opts, 0);
	if (opts->summary)
		return sf__emit_summary(buf, report, opts);
	error = sf__emit_order(&order, report, opts);
	if (error)
		return error;
	/* A plan made from another report would index other structs. */
	if (opts->version >= 2 && opts->plan && sf_plan_count(opts->plan) == report->count)
		plan = opts->plan;
	for (size_t k = 0; k < sf__emit_shown(opts, report->count); k++) {
		size_t i = order[k];
		sf__emit_report_entry(buf, &report->entries[i], sf__text_style(opts), report->cacheline);
		sf__emit_impact_line(buf, sf__emit_impact(report, opts), sf__emit_savings_plan(report, opts), i);
		if (plan)
			sf__emit_proposal_text(buf, plan, i, sf__text_style(opts));
	}
	free(order);
	if (buf->failed)
		error = sf__fail(SF_ENOMEM, "out of memory while writing the report");
	return error;
}
