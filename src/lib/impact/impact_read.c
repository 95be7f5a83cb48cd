/* Reading an impact: per-struct and per-member info, sites, and the ranking by impact. */
#include "impact/impact_private.h"

#include <stdlib.h>

#include "layout/selection.h"
#include "model/structs.h"
#include "util/checked.h"
#include "util/fail.h"

static uint64_t size_class(sf_allocator allocator, uint64_t size)
{
	uint64_t cls = size;
	/* Overflow only for absurd sizes; then the size itself stands. */
	if (sf_allocator_size_class(&cls, allocator, size) != 0)
		cls = size;
	return cls;
}

/* A Go heap profile's objects are the Go runtime's, whatever --allocator
 * says of the program's malloc. */
static sf_allocator allocator_of(const sf_impact *impact, const sf_profile_site *site)
{
	return site->go ? SF_ALLOCATOR_GO : impact->allocator;
}

static uint64_t saved(uint64_t before, uint64_t after)
{
	return before > after ? before - after : 0;
}

/* Fills the counters of `out` without the version check. */
static void struct_info(sf_impact_struct_info *out, const sf_impact *impact, const sf_plan *plan,
			size_t index)
{
	const sf_impact_entry *e = &impact->entries[index];
	const sf_struct *s = impact->report->entries[index].def;
	const sf_proposal *p = plan ? sf_plan_proposal(plan, index) : NULL;
	uint64_t proposed = p ? p->size : s->size;
	uint64_t *peak_saved = NULL;
	size_t files = 0;

	out->profiled = e->profiled;
	out->counted = e->counted;
	out->allocations = e->allocations;
	out->peak_instances = e->peak_instances;
	out->max_live = e->max_live;
	out->bytes_allocated = e->bytes_allocated;
	out->site_count = e->site_count;
	out->size = s->size;
	out->proposed_size = proposed;
	out->size_class = size_class(impact->allocator, s->size);
	out->proposed_size_class = size_class(impact->allocator, proposed);
	out->saved_per_instance = saved(out->size_class, out->proposed_size_class);
	out->saved_at_peak = 0;
	if (!e->counted || proposed >= s->size)
		return;
	/* Per DHAT file (a run each), the largest total counts. */
	for (size_t i = 0; i < impact->site_count; i++)
		files = impact->sites[i]->profile_index + 1 > files ? impact->sites[i]->profile_index + 1 : files;
	peak_saved = calloc(files ? files : 1, sizeof(*peak_saved));
	if (!peak_saved)
		return;
	for (size_t i = 0; i < impact->site_count; i++) {
		const sf_site_result *r = &impact->results[i];
		uint64_t before, after;
		if (r->status != SF_SITE_MATCHED || r->index != index)
			continue;
		if (r->elements == 0) {
			/* Varying lengths: the blocks live at the peak, each taken
			 * at their average size. */
			const sf_profile_site *site = impact->sites[i];
			uint64_t avg = site->peak_blocks ? site->peak_bytes / site->peak_blocks : 0;
			uint64_t n = avg / s->size;
			before = size_class(allocator_of(impact, site), avg);
			after = size_class(allocator_of(impact, site), avg - n * (s->size - proposed));
			peak_saved[site->profile_index] = sf__add_sat_u64(
				peak_saved[site->profile_index],
				sf__mul_sat_u64(site->peak_blocks, saved(before, after)));
			continue;
		}
		/* Blocks are rounded whole: arrays, and trailing bytes. */
		before = size_class(allocator_of(impact, impact->sites[i]),
				    sf__add_sat_u64(sf__mul_sat_u64(s->size, r->elements), r->extra));
		after = size_class(allocator_of(impact, impact->sites[i]),
				   sf__add_sat_u64(sf__mul_sat_u64(proposed, r->elements), r->extra));
		peak_saved[impact->sites[i]->profile_index] = sf__add_sat_u64(
			peak_saved[impact->sites[i]->profile_index],
			sf__mul_sat_u64(impact->sites[i]->peak_blocks, saved(before, after)));
	}
	for (size_t f = 0; f < files; f++) {
		if (peak_saved[f] > out->saved_at_peak)
			out->saved_at_peak = peak_saved[f];
	}
	free(peak_saved);
}

int sf_impact_struct(sf_impact_struct_info *out, const sf_impact *impact, const sf_plan *plan,
		     size_t index)
{
	int error;

	if (!out || !impact)
		return sf__fail(SF_EUSAGE, "sf_impact_struct: NULL argument");
	error = sf__info_version_check(out->version, SF_IMPACT_STRUCT_INFO_VERSION, "sf_impact_struct_info");
	if (error)
		return error;
	if (index >= impact->report->count)
		return sf__fail(SF_ENOTFOUND, "sf_impact_struct: index %zu out of range", index);
	if (plan && sf_plan_count(plan) != impact->report->count)
		return sf__fail(SF_EUSAGE, "sf_impact_struct: plan of another report");
	struct_info(out, impact, plan, index);
	return 0;
}

int sf_impact_member(sf_impact_member_info *out, const sf_impact *impact, size_t index,
		     uint32_t member)
{
	const sf_impact_member_acc *a;
	int error;

	if (!out || !impact)
		return sf__fail(SF_EUSAGE, "sf_impact_member: NULL argument");
	error = sf__info_version_check(out->version, SF_IMPACT_MEMBER_INFO_VERSION, "sf_impact_member_info");
	if (error)
		return error;
	if (index >= impact->report->count || member >= impact->entries[index].member_count)
		return sf__fail(SF_ENOTFOUND, "sf_impact_member: index out of range");
	a = &impact->entries[index].members[member];
	out->reads = a->reads;
	out->writes = a->writes;
	out->threads = a->threads;
	out->milli_accesses_per_object = a->milli_per_object;
	out->heat = impact->entries[index].member_data ? a->heat : SF_HEAT_UNKNOWN;
	return 0;
}

size_t sf_impact_site_count(const sf_impact *impact)
{
	return impact ? impact->site_count : 0;
}

size_t sf_impact_matched_sites(const sf_impact *impact)
{
	size_t n = 0;

	for (size_t i = 0; impact && i < impact->site_count; i++)
		n += impact->results[i].status == SF_SITE_MATCHED;
	return n;
}

int sf_impact_site(sf_impact_site_info *out, const sf_impact *impact, size_t index)
{
	const sf_profile_site *site;
	const sf_site_result *r;
	int error;

	if (!out || !impact)
		return sf__fail(SF_EUSAGE, "sf_impact_site: NULL argument");
	error = sf__info_version_check(out->version, SF_IMPACT_SITE_INFO_VERSION, "sf_impact_site_info");
	if (error)
		return error;
	if (index >= impact->site_count)
		return sf__fail(SF_ENOTFOUND, "sf_impact_site: index %zu out of range", index);
	site = impact->sites[index];
	r = &impact->results[index];
	out->profile = site->profile;
	out->function = NULL;
	out->file = NULL;
	out->line = 0;
	if (r->frame < site->frame_count) {
		/* The frame that decided: past allocators and wrappers. */
		out->function = site->frames[r->frame].function;
		out->file = site->frames[r->frame].file;
		out->line = site->frames[r->frame].line;
	}
	out->block_size = site->block_size;
	out->blocks = site->total_blocks;
	if (out->version >= 2)
		out->acc_wrapped = site->acc_wrapped;
	if (out->version >= 3)
		out->outside = r->outside;
	out->status = r->status;
	out->index = r->index;
	out->elements = r->elements;
	out->how = r->how;
	out->candidates = r->candidates;
	out->candidate_count = r->candidate_count;
	return 0;
}

typedef struct rank_key {
	size_t index;
	int counted;
	uint64_t saved_at_peak, peak, allocations, saves;
} rank_key;

static int compare_rank(const void *pa, const void *pb)
{
	const rank_key *a = pa, *b = pb;

	if (a->counted != b->counted)
		return a->counted ? -1 : 1;
	if (a->saved_at_peak != b->saved_at_peak)
		return a->saved_at_peak > b->saved_at_peak ? -1 : 1;
	if (a->peak != b->peak)
		return a->peak > b->peak ? -1 : 1;
	if (a->allocations != b->allocations)
		return a->allocations > b->allocations ? -1 : 1;
	if (a->saves != b->saves)
		return a->saves > b->saves ? -1 : 1;
	return a->index < b->index ? -1 : a->index > b->index;
}

int sf_impact_rank(size_t *order, const sf_impact *impact, const sf_plan *plan)
{
	size_t n;
	rank_key *keys;

	if (!order || !impact)
		return sf__fail(SF_EUSAGE, "sf_impact_rank: NULL argument");
	n = impact->report->count;
	keys = calloc(n ? n : 1, sizeof(*keys));
	if (!keys)
		return sf__fail(SF_ENOMEM, "out of memory");
	for (size_t i = 0; i < n; i++) {
		sf_impact_struct_info info = SF_IMPACT_STRUCT_INFO_INIT;
		const sf_proposal *p = plan ? sf_plan_proposal(plan, i) : NULL;
		struct_info(&info, impact, plan, i);
		keys[i].index = i;
		keys[i].counted = info.counted;
		keys[i].saved_at_peak = info.saved_at_peak;
		keys[i].peak = info.peak_instances;
		keys[i].allocations = info.allocations;
		keys[i].saves = p ? p->saves : 0;
	}
	qsort(keys, n, sizeof(*keys), compare_rank);
	for (size_t i = 0; i < n; i++)
		order[i] = keys[i].index;
	free(keys);
	return 0;
}
