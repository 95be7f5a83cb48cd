/* The impact of a profile on one report: per-struct counts, per-member heat, size-class savings and the ranking. */
#include "impact/impact_private.h"

#include <stdlib.h>
#include <string.h>

#include "layout/selection.h"
#include "model/structs.h"
#include "reorder/heat.h"
#include "util/checked.h"
#include "util/fail.h"

/* Heat classes, relative to the struct's most accessed member (reads plus
 * writes): hot as the planner's hot set (sf__heat_is_hot: from a quarter
 * of it), warm from a hundredth, cold below (never touched included).
 * Documented in docs/profiles.md. */
#define WARM_FRACTION 0.01

static const sf_struct *def_of(const sf_impact *impact, size_t index)
{
	return impact->report->entries[index].def;
}

static const char *type_label(const sf_struct *s)
{
	return s->name ? s->name : s->typedef_name;
}

/* Adds a matched site's counts and per-byte accesses to its struct. */
static void add_site(sf_impact *impact, const sf_profile_site *site, const sf_site_result *r,
		     uint64_t *peak_by_profile)
{
	sf_impact_entry *e = &impact->entries[r->index];
	const sf_struct *s = def_of(impact, r->index);
	double total = 0;

	e->profiled = e->counted = true;
	e->member_data = e->member_data || !site->go;
	e->site_count++;
	e->bytes_allocated = sf__add_sat_u64(e->bytes_allocated, site->total_bytes);
	if (r->elements == 0) {
		/* Arrays of varying length: instances from bytes (a realloc
		 * that grows one counts its elements again). */
		e->allocations = sf__add_sat_u64(e->allocations, site->total_bytes / s->size);
		e->max_live = sf__add_sat_u64(e->max_live, site->max_bytes / s->size);
		peak_by_profile[r->index] = sf__add_sat_u64(peak_by_profile[r->index],
							    site->peak_bytes / s->size);
		return;
	}
	e->allocations = sf__add_sat_u64(e->allocations, sf__mul_sat_u64(site->total_blocks, r->elements));
	e->max_live = sf__add_sat_u64(e->max_live, sf__mul_sat_u64(site->max_blocks, r->elements));
	peak_by_profile[r->index] = sf__add_sat_u64(peak_by_profile[r->index],
						    sf__mul_sat_u64(site->peak_blocks, r->elements));
	if (!site->acc || site->acc_wrapped || !site->total_blocks)
		return;
	for (uint64_t b = 0; b < site->block_size; b++)
		total += (double)site->acc[b];
	e->accessed = true;
	e->objects_with_acc = sf__add_sat_u64(e->objects_with_acc,
					      sf__mul_sat_u64(site->total_blocks, r->elements));
	for (uint32_t m = 0; m < s->member_count && m < e->member_count; m++) {
		const sf_member *mem = &s->members[m];
		double sum = 0;
		if ((mem->flags & SF_MEMBER_OFFSET_UNKNOWN) || !mem->size ||
		    mem->offset > s->size || mem->size > s->size - mem->offset)
			continue;
		for (uint64_t el = 0; el < r->elements; el++) {
			for (uint64_t k = 0; k < mem->size; k++)
				sum += (double)site->acc[el * s->size + mem->offset + k];
		}
		e->members[m].byte_accesses += sum;
		if (total > 0) {
			e->members[m].read_bytes += (double)site->read_bytes * sum / total;
			e->members[m].write_bytes += (double)site->write_bytes * sum / total;
		}
	}
}

static size_t find_entry(const sf_report *report, const char *type)
{
	for (size_t i = 0; i < report->count; i++) {
		const sf_struct *s = report->entries[i].def;
		if ((s->name && strcmp(s->name, type) == 0) ||
		    (s->typedef_name && strcmp(s->typedef_name, type) == 0))
			return i;
	}
	return SIZE_MAX;
}

static bool model_has_type(const sf_model *model, const char *type)
{
	for (size_t i = 0; i < model->structs.count; i++) {
		const sf_struct *s = model->structs.items[i];
		if ((s->name && strcmp(s->name, type) == 0) ||
		    (s->typedef_name && strcmp(s->typedef_name, type) == 0))
			return true;
	}
	return false;
}

static int add_row(sf_impact *impact, const sf_profile_row *row)
{
	size_t index = find_entry(impact->report, row->type);
	const sf_struct *s;
	sf_impact_entry *e;

	if (index == SIZE_MAX) {
		/* Left out by the selection (-C, -x, which may also stop the
		 * loader early): not this run's concern. */
		if (impact->partial_selection || model_has_type(impact->report->model, row->type))
			return 0;
		return sf__fail(SF_EINVALID, "%s:%u: no struct '%s' in the inputs (profile of another program?)",
				row->profile, row->line, row->type);
	}
	s = def_of(impact, index);
	e = &impact->entries[index];
	for (uint32_t m = 0; m < s->member_count; m++) {
		if (!s->members[m].name || strcmp(s->members[m].name, row->member) != 0)
			continue;
		e->profiled = e->member_data = true;
		e->members[m].csv_reads = sf__add_sat_u64(e->members[m].csv_reads, row->reads);
		e->members[m].csv_writes = sf__add_sat_u64(e->members[m].csv_writes, row->writes);
		if (row->threads > e->members[m].threads)
			e->members[m].threads = row->threads;
		return 0;
	}
	return sf__fail(SF_EINVALID, "%s:%u: %s has no member '%s'", row->profile, row->line,
			row->type, row->member);
}

/* Access estimates, heat classes and the heat array for the planner. */
static int finish(sf_impact *impact)
{
	size_t heat_count = 0;

	for (size_t i = 0; i < impact->report->count; i++) {
		sf_impact_entry *e = &impact->entries[i];
		const sf_struct *s = def_of(impact, i);
		uint64_t most = 0;
		if (!e->profiled)
			continue;
		for (uint32_t m = 0; m < e->member_count; m++) {
			sf_impact_member_acc *a = &e->members[m];
			uint64_t size = s->members[m].size ? s->members[m].size : 1;
			a->reads = sf__add_sat_u64((uint64_t)(a->read_bytes / (double)size + 0.5), a->csv_reads);
			a->writes = sf__add_sat_u64((uint64_t)(a->write_bytes / (double)size + 0.5), a->csv_writes);
			if (e->objects_with_acc)
				a->milli_per_object = (uint64_t)(a->byte_accesses / (double)size * 1000.0 /
								 (double)e->objects_with_acc + 0.5);
			if (sf__add_sat_u64(a->reads, a->writes) > most)
				most = sf__add_sat_u64(a->reads, a->writes);
			heat_count += s->members[m].name != NULL;
		}
		for (uint32_t m = 0; m < e->member_count; m++) {
			sf_impact_member_acc *a = &e->members[m];
			uint64_t n = sf__add_sat_u64(a->reads, a->writes);
			a->heat = sf__heat_is_hot(n, most)                             ? SF_HEAT_HOT
				  : most && (double)n >= WARM_FRACTION * (double)most ? SF_HEAT_WARM
										: SF_HEAT_COLD;
		}
	}
	impact->heat = sf__arena_calloc(impact->arena, heat_count ? heat_count : 1, sizeof(*impact->heat));
	if (!impact->heat)
		return sf__fail(SF_ENOMEM, "out of memory");
	for (size_t i = 0; i < impact->report->count; i++) {
		const sf_impact_entry *e = &impact->entries[i];
		const sf_struct *s = def_of(impact, i);
		if (!e->member_data || !type_label(s))
			continue;
		for (uint32_t m = 0; m < e->member_count; m++) {
			sf_member_heat *h;
			if (!s->members[m].name)
				continue;
			h = &impact->heat[impact->heat_count++];
			h->type = type_label(s);
			h->member = s->members[m].name;
			h->reads = e->members[m].reads;
			h->writes = e->members[m].writes;
			h->threads = e->members[m].threads;
		}
	}
	return 0;
}

/* A DHAT or Go file whose sites match no struct at all is of another program. */
static int check_matches(const sf_impact *impact)
{
	for (size_t i = 0; i < impact->site_count; i++) {
		size_t file = impact->sites[i]->profile_index, count = 0;
		bool any = false;
		if (i > 0 && impact->sites[i - 1]->profile_index == file)
			continue; /* sites of one file are consecutive */
		for (size_t j = i; j < impact->site_count && impact->sites[j]->profile_index == file; j++) {
			count++;
			any = any || impact->results[j].status != SF_SITE_UNMATCHED;
		}
		if (!any)
			return sf__fail(SF_EINVALID,
					"%s: none of its %zu allocation sites matches a struct of the inputs "
					"(profile of another program?)",
					impact->sites[i]->profile, count);
	}
	return 0;
}

static int add_source_dirs(sf_impact_sources *sources, const sf_report *report,
			   const sf_impact_options *opts)
{
	int error = 0;

	for (size_t i = 0; opts && i < opts->source_dir_count && !error; i++)
		error = sf__impact_sources_add_dir(sources, opts->source_dirs[i]);
	for (size_t i = 0; i < report->count && !error; i++) {
		const char *file = report->entries[i].def->decl_file;
		const char *slash = file ? strrchr(file, '/') : NULL;
		char *dir;
		if (!slash)
			continue;
		dir = strndup(file, (size_t)(slash - file));
		if (!dir)
			return sf__fail(SF_ENOMEM, "out of memory");
		error = sf__impact_sources_add_dir(sources, dir);
		free(dir);
	}
	return error;
}

static int setup(sf_impact *impact, const sf_profile *profile, const sf_report *report)
{
	size_t n = report->count ? report->count : 1;
	size_t i = 0;

	impact->entries = sf__arena_calloc(impact->arena, n, sizeof(*impact->entries));
	impact->site_count = profile->site_count;
	impact->sites = sf__arena_calloc(impact->arena, profile->site_count + 1, sizeof(*impact->sites));
	impact->results = sf__arena_calloc(impact->arena, profile->site_count + 1, sizeof(*impact->results));
	if (!impact->entries || !impact->sites || !impact->results)
		return sf__fail(SF_ENOMEM, "out of memory");
	for (const sf_profile_site *s = profile->sites; s; s = s->next)
		impact->sites[i++] = s;
	for (i = 0; i < report->count; i++) {
		sf_impact_entry *e = &impact->entries[i];
		e->member_count = report->entries[i].def->member_count;
		e->members = sf__arena_calloc(impact->arena, e->member_count ? e->member_count : 1,
					      sizeof(*e->members));
		if (!e->members)
			return sf__fail(SF_ENOMEM, "out of memory");
	}
	return 0;
}

/* Peak instances per struct: summed over one DHAT file's sites, the
 * largest of the files (each is a separate run). */
static int accumulate(sf_impact *impact)
{
	size_t n = impact->report->count ? impact->report->count : 1;
	uint64_t *peak = calloc(n, sizeof(*peak));
	size_t current = SIZE_MAX;

	if (!peak)
		return sf__fail(SF_ENOMEM, "out of memory");
	for (size_t i = 0; i <= impact->site_count; i++) {
		if (i == impact->site_count || impact->sites[i]->profile_index != current) {
			for (size_t k = 0; k < impact->report->count; k++) {
				if (peak[k] > impact->entries[k].peak_instances)
					impact->entries[k].peak_instances = peak[k];
				peak[k] = 0;
			}
			if (i == impact->site_count)
				break;
			current = impact->sites[i]->profile_index;
		}
		if (impact->results[i].status == SF_SITE_MATCHED)
			add_site(impact, impact->sites[i], &impact->results[i], peak);
	}
	free(peak);
	return 0;
}

int sf_impact_build(sf_impact **out, const sf_profile *profile, const sf_report *report,
		    const sf_impact_options *opts)
{
	sf_impact *impact = NULL;
	sf_impact_sources *sources = NULL;
	int error;

	if (!out || !profile || !report)
		return sf__fail(SF_EUSAGE, "sf_impact_build: NULL argument");
	*out = NULL;
	if (opts && (opts->version == 0 || opts->version > SF_IMPACT_OPTIONS_VERSION ||
		     (unsigned)opts->allocator > SF_ALLOCATOR_NONE))
		return sf__fail(SF_EUSAGE, "sf_impact_build: bad options");
	impact = calloc(1, sizeof(*impact));
	if (!impact || sf__arena_new(&impact->arena) != 0) {
		free(impact);
		return sf__fail(SF_ENOMEM, "out of memory");
	}
	impact->profile = profile;
	impact->report = report;
	impact->allocator = opts ? opts->allocator : SF_ALLOCATOR_GLIBC;
	/* Only Go heap profiles: the structs' size classes are Go's too. */
	if (profile->go_files && profile->go_files == profile->site_files)
		impact->allocator = SF_ALLOCATOR_GO;
	impact->partial_selection = opts && opts->partial_selection;
	error = setup(impact, profile, report);
	if (!error)
		error = sf__impact_sources_new(&sources, impact->arena);
	if (!error)
		error = add_source_dirs(sources, report, opts);
	if (!error)
		error = sf__impact_attribute(impact, sources);
	if (!error && !(opts && opts->partial_selection))
		error = check_matches(impact);
	if (!error)
		error = accumulate(impact);
	for (const sf_profile_row *row = profile->rows; row && !error; row = row->next)
		error = add_row(impact, row);
	if (!error)
		error = finish(impact);
	sf__impact_sources_free(sources);
	if (error) {
		sf_impact_free(impact);
		return error;
	}
	*out = impact;
	return 0;
}

void sf_impact_free(sf_impact *impact)
{
	if (!impact)
		return;
	sf__arena_free(impact->arena);
	free(impact);
}

int sf_impact_heat(const sf_member_heat **out, size_t *count, const sf_impact *impact)
{
	if (!out || !count || !impact)
		return sf__fail(SF_EUSAGE, "sf_impact_heat: NULL argument");
	*out = impact->heat;
	*count = impact->heat_count;
	return 0;
}

const char *sf_heat_class_name(sf_heat_class heat)
{
	switch (heat) {
	case SF_HEAT_COLD: return "cold";
	case SF_HEAT_WARM: return "warm";
	case SF_HEAT_HOT: return "hot";
	default: return "unknown";
	}
}
