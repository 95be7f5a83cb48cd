/* Reading a proposal's members, in the proposed order, through the public info struct. */
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
