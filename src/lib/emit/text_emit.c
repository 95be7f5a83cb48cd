/* The report as text: each struct pahole-style, with its proposal when a plan is given, or the summary table. */
#include <structfit/emit.h>

#include "emit/text_common.h"
#include "layout/selection.h"
#include "util/buf.h"
#include "util/fail.h"

int sf_emit_text(sf_buf *buf, const sf_report *report, const sf_emit_options *opts)
{
	static const sf_emit_options defaults = SF_EMIT_OPTIONS_INIT;
	const sf_plan *plan = NULL;
	int error = 0;

	if (!opts)
		opts = &defaults;
	if (opts->summary)
		return sf__emit_summary(buf, report, opts);
	/* A plan made from another report would index other structs. */
	if (opts->version >= 2 && opts->plan && sf_plan_count(opts->plan) == report->count)
		plan = opts->plan;
	for (size_t i = 0; i < report->count; i++) {
		sf__emit_report_entry(buf, &report->entries[i], sf__text_style(opts), report->cacheline);
		if (plan)
			sf__emit_proposal_text(buf, plan, i, sf__text_style(opts));
	}
	if (buf->failed)
		error = sf__fail(SF_ENOMEM, "out of memory while writing the report");
	return error;
}
