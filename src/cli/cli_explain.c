/* reorder --explain: each proposal as a sequence of single-member moves, sizes from the library's placement. */
#include "cli_explain.h"

#include "cli_output.h"

#include <stdio.h>
#include <stdlib.h>

static const char *member_name(const sf_report *report, size_t index, uint32_t member)
{
	sf_report_member_info info = SF_REPORT_MEMBER_INFO_INIT;

	if (sf_report_member(&info, report, index, member) != 0 || !info.name)
		return "(anonymous)";
	return info.name;
}

static void explain_one(sf_buf *buf, const sf_report *report, size_t index, const sf_proposal *prop,
			const sf_plan_step *steps, size_t count)
{
	uint64_t size = prop->original_size;

	cli_buf_printf(buf, "/* structfit: steps for %s: %llu -> %llu bytes in %zu move%s */\n",
	    prop->name ? prop->name : "(anonymous)", (unsigned long long)prop->original_size,
	    (unsigned long long)prop->size, count, count == 1 ? "" : "s");
	for (size_t k = 0; k < count; k++) {
		const sf_plan_step *s = &steps[k];
		long long change = (long long)size - (long long)s->size;

		cli_buf_printf(buf, "/* structfit: %zu. move %s (%u -> %u) ", k + 1, member_name(report, index, s->member),
		    (unsigned)s->from, (unsigned)s->to);
		if (s->after == UINT32_MAX)
			cli_buf_printf(buf, "to the front");
		else
			cli_buf_printf(buf, "after %s", member_name(report, index, s->after));
		cli_buf_printf(buf, ": %llu bytes, %s %lld */\n", (unsigned long long)s->size,
		    change >= 0 ? "saves" : "grows", change >= 0 ? change : -change);
		size = s->size;
	}
}

int cli_explain_append(sf_buf *buf, const sf_plan *plan, const sf_report *report)
{
	for (size_t i = 0; i < sf_plan_count(plan); i++) {
		const sf_proposal *prop = sf_plan_proposal(plan, i);
		sf_plan_step *steps = NULL;
		size_t count = 0;
		int rc;

		if (!prop || prop->reason != SF_REASON_NONE)
			continue;
		rc = sf_plan_steps(&steps, &count, plan, i);
		if (rc == SF_EUNSUPPORTED) {
			cli_buf_printf(buf, "/* structfit: steps for %s: not explained (%s) */\n",
			    prop->name ? prop->name : "(anonymous)", "C++ layout");
			continue;
		}
		if (rc != 0)
			return rc;
		explain_one(buf, report, i, prop, steps, count);
		sf_plan_steps_free(steps);
	}
	return 0;
}
