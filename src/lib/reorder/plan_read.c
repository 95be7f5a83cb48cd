/* Reading a proposal: its members in the proposed order through the public info struct, and the names of its verdicts. */
#include "reorder/plan.h"

#include "util/fail.h"

int sf_plan_member(sf_report_member_info *out, const sf_plan *plan, size_t index, uint32_t position)
{
	if (!out || !plan)
		return sf__fail(SF_EUSAGE, "sf_plan_member: NULL argument");
	int err = sf__info_version_check(out->version, SF_REPORT_MEMBER_INFO_VERSION,
					 "sf_report_member_info");
	if (err < 0)
		return err;
	if (index >= plan->count)
		return sf__fail(SF_ENOTFOUND, "sf_plan_member: index %zu, the plan has %zu proposals",
				index, plan->count);

	const sf_plan_entry *entry = &plan->entries[index];
	/* The layout analyses `placed`, whose members are already in the
	 * proposed order (the definition itself for identity proposals,
	 * whose order is the identity), so positions index it directly. */
	if (position >= entry->proposal.member_count || position >= entry->layout->member_count)
		return sf__fail(SF_ENOTFOUND, "sf_plan_member: position %u, the proposal has %u members",
				(unsigned)position, (unsigned)entry->proposal.member_count);
	sf__report_member_fill(out, entry->layout, position, entry->proposal.order[position]);
	return 0;
}

const char *sf_optimality_name(sf_optimality optimal)
{
	switch (optimal) {
	case SF_OPTIMAL_PROVEN:
		return "proven";
	case SF_OPTIMAL_CONSTRAINED:
		return "constrained";
	default:
		return "heuristic";
	}
}

const char *sf_reorder_reason_text(sf_reorder_reason reason)
{
	switch (reason) {
	case SF_REASON_NONE:
		return "";
	case SF_REASON_MINIMAL:
		return "already minimal";
	case SF_REASON_PACKED:
		return "packed";
	case SF_REASON_UNION:
		return "union";
	case SF_REASON_NOT_REPRODUCIBLE:
		return "layout not reproducible from debug info";
	case SF_REASON_UNPLACEABLE:
		return "member of unknown type or alignment";
	case SF_REASON_SKIPPED:
		return "skipped by constraints";
	case SF_REASON_CONSTRAINED:
		return "constraints allow no smaller order";
	case SF_REASON_NO_GAIN:
		return "no smaller order found";
	case SF_REASON_BELOW_MINIMUM:
		return "saves less than the minimum";
	case SF_REASON_EMPTY:
		return "fewer than two members";
	case SF_REASON_COMPILER_REORDERS:
		return "compiler reorders fields (Rust)";
	case SF_REASON_VARIANT_PART:
		return "variant part";
	case SF_REASON_KEEP_FIRST:
		return "minimal with the leading struct member kept first";
	case SF_REASON_MAYBE_PACKED:
		return "may be packed: the debug info cannot tell";
	case SF_REASON_UNSIZED:
		return "unsized: size known only at run time";
	case SF_REASON_VIRTUAL_BASE:
		return "virtual base";
	case SF_REASON_CXX_AMBIGUOUS:
		return "C++ layout ambiguous in debug info";
	}
	return "";
}

const char *sf_objective_name(sf_objective objective)
{
	switch (objective) {
	case SF_OBJECTIVE_HOT_LINES:
		return "hot_lines";
	case SF_OBJECTIVE_HOT_END:
		return "hot_end";
	case SF_OBJECTIVE_SIZE:
		return "size";
	case SF_OBJECTIVE_MOVES:
		return "moves";
	default:
		return "none";
	}
}
