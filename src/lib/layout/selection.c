/* Building a report: selecting, analysing, linking conflicts and sorting structs. */
#include "layout/selection.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/target.h"
#include "util/arena.h"
#include "util/checked.h"
#include "util/fail.h"
#include "util/jobs.h"
#include "util/name_glob.h"

const char *sf__report_struct_name(const sf_struct *s)
{
	return s->name ? s->name : s->typedef_name;
}

static bool kind_selected(const sf_struct *s, unsigned kinds)
{
	if (kinds == 0)
		kinds = SF_KINDS_ALL;
	if (s->kind == SF_UNION)
		return (kinds & SF_KINDS_UNION) != 0;
	return (kinds & SF_KINDS_STRUCT) != 0;
}

/* Typedef names of tagged structs some name glob matches (`-C PyTypeObject`
 * selects struct _typeobject); malloc'd, *count of them, NULL for none. */
static int aliases_selected(const sf_model *model, const sf_report_options *opts,
			    const sf_typedef_alias ***out, size_t *count)
{
	const sf_typedef_list *typedefs = &model->typedefs;

	*out = NULL;
	*count = 0;
	if (opts->name_glob_count == 0 || typedefs->count == 0)
		return 0;
	for (size_t t = 0; t < typedefs->count; t++) {
		const sf_typedef_alias *a = &typedefs->items[t];
		for (size_t i = 0; i < opts->name_glob_count; i++) {
			if (!opts->name_globs[i] || !sf__name_glob_match(opts->name_globs[i], a->alias))
				continue;
			if (!*out && !(*out = malloc(typedefs->count * sizeof(**out))))
				return sf__fail(SF_ENOMEM, "out of memory while building the report");
			(*out)[(*count)++] = a;
			break;
		}
	}
	return 0;
}

static bool name_selected(const sf_struct *s, const sf_report_options *opts,
			  const sf_typedef_alias *const *aliases, size_t alias_count)
{
	const char *name = sf__report_struct_name(s);

	if (opts->name_glob_count == 0)
		return true;
	if (!name)
		return false;
	for (size_t i = 0; i < opts->name_glob_count; i++) {
		if (opts->name_globs[i] && sf__name_glob_match(opts->name_globs[i], name))
			return true;
	}
	for (size_t i = 0; s->name && i < alias_count; i++) {
		if (aliases[i]->is_union == (s->kind == SF_UNION) && strcmp(aliases[i]->target, s->name) == 0)
			return true;
	}
	return false;
}

/* -x globs and the caller's own test (version 2 options only). */
static bool excluded(const sf_struct *s, const sf_report_options *opts)
{
	const char *name = sf__report_struct_name(s);

	if (opts->version < 2)
		return false;
	for (size_t i = 0; name && i < opts->exclude_glob_count; i++) {
		if (opts->exclude_globs[i] && sf__name_glob_match(opts->exclude_globs[i], name))
			return true;
	}
	return opts->exclude && opts->exclude(opts->exclude_ctx, name, s->decl_file, s->decl_line);
}

static int compare_names(const sf_struct *a, const sf_struct *b)
{
	const char *x = sf__report_struct_name(a), *y = sf__report_struct_name(b);
	if (!x || !y)
		return (x != NULL) - (y != NULL);
	return strcmp(x, y);
}

static int compare_u64_desc(uint64_t a, uint64_t b)
{
	return a < b ? 1 : a > b ? -1 : 0;
}

static uint64_t waste(const sf_struct_layout *l)
{
	uint64_t w;
	return sf__add_u64(l->sum_holes, l->padding, &w) ? w : UINT64_MAX;
}

/* qsort is not stable and takes no context: the key travels in the
 * entry array's sort field, and ties fall back to name, then model order. */
typedef struct sort_item {
	sf_report_entry entry;
	sf_sort sort;
} sort_item;

static int compare_items(const void *pa, const void *pb)
{
	const sort_item *a = pa, *b = pb;
	const sf_struct_layout *la = a->entry.layout, *lb = b->entry.layout;
	int c = 0;

	switch (a->sort) {
	case SF_SORT_SIZE:
		c = compare_u64_desc(a->entry.def->size, b->entry.def->size);
		break;
	case SF_SORT_HOLES:
		c = compare_u64_desc(la->hole_count, lb->hole_count);
		break;
	case SF_SORT_WASTE:
		c = compare_u64_desc(waste(la), waste(lb));
		break;
	case SF_SORT_NAME:
	case SF_SORT_NONE:
		break;
	}
	if (c == 0 && a->sort != SF_SORT_NONE)
		c = compare_names(a->entry.def, b->entry.def);
	if (c == 0)
		c = a->entry.model_index < b->entry.model_index ? -1 :
		    a->entry.model_index > b->entry.model_index;
	return c;
}

static int sort_entries(sf_report *report, sf_sort sort)
{
	sort_item *items;

	if (sort == SF_SORT_NONE || report->count < 2)
		return 0;
	items = calloc(report->count, sizeof(*items));
	if (!items)
		return sf__fail(SF_ENOMEM, "out of memory while sorting structs");
	for (size_t i = 0; i < report->count; i++) {
		items[i].entry = report->entries[i];
		items[i].sort = sort;
	}
	qsort(items, report->count, sizeof(*items), compare_items);
	for (size_t i = 0; i < report->count; i++)
		report->entries[i] = items[i].entry;
	free(items);
	return 0;
}

typedef struct conflict_item {
	const sf_struct *def;
	size_t model_index;
} conflict_item;

static int compare_conflicts(const void *pa, const void *pb)
{
	const conflict_item *a = pa, *b = pb;
	int c = (a->def->kind == SF_UNION) - (b->def->kind == SF_UNION);
	if (c == 0)
		c = compare_names(a->def, b->def);
	if (c == 0)
		c = a->model_index < b->model_index ? -1 : a->model_index > b->model_index;
	return c;
}

static bool same_group(const sf_struct *a, const sf_struct *b)
{
	return (a->kind == SF_UNION) == (b->kind == SF_UNION) && compare_names(a, b) == 0;
}

/*
 * Groups every conflicting definition of the model by kind and name (the
 * model's chains start at the first definition, which a selected struct in
 * the middle of a chain cannot reach), then gives each selected one the
 * rest of its group.
 */
static int link_conflicts(sf_report *report, const size_t *entry_of)
{
	const sf_struct_list *all = sf__model_structs(report->model);
	conflict_item *items = NULL;
	size_t n = 0;
	int error = 0;

	for (size_t i = 0; i < all->count; i++)
		n += all->items[i]->is_conflicting && sf__report_struct_name(all->items[i]);
	if (n == 0)
		return 0;
	items = calloc(n, sizeof(*items));
	if (!items) {
		error = sf__fail(SF_ENOMEM, "out of memory while linking conflicts");
		goto done;
	}
	n = 0;
	for (size_t i = 0; i < all->count; i++) {
		if (all->items[i]->is_conflicting && sf__report_struct_name(all->items[i]))
			items[n++] = (conflict_item){ all->items[i], i };
	}
	qsort(items, n, sizeof(*items), compare_conflicts);

	for (size_t start = 0, stop; start < n; start = stop) {
		for (stop = start + 1; stop < n && same_group(items[start].def, items[stop].def); stop++)
			;
		for (size_t k = start; k < stop; k++) {
			size_t e = entry_of[items[k].model_index];
			sf_report_entry *entry;
			if (e == SIZE_MAX || stop - start < 2)
				continue;
			entry = &report->entries[e];
			entry->conflicts = sf__arena_calloc(report->arena, stop - start - 1,
							    sizeof(*entry->conflicts));
			if (!entry->conflicts) {
				error = sf__fail(SF_ENOMEM, "out of memory while linking conflicts");
				goto done;
			}
			for (size_t j = start; j < stop; j++) {
				if (j != k)
					entry->conflicts[entry->conflict_count++] = items[j].def;
			}
		}
	}
done:
	free(items);
	return error;
}

static bool listed_by_default(const sf_struct *s)
{
	return !s->is_nested_body && (s->name || s->typedef_name);
}

/*
 * A whole vmlinux's 7,500 layouts took ~10 ms to analyse, half of it the
 * page faults of their 8 MB, and the exclude hook ~2 ms (it reads the
 * sources), all alone on one core after a load that used them all.  The
 * definitions the cheap filters keep are cut into chunks of CHUNK: helper
 * threads analyse chunks from the back, each into an arena of its own,
 * while the calling thread asks the hook about every one (on its own
 * thread, in model order, as before) and then analyses chunks from the
 * front, skipping what the hook left out, until they meet.  The layouts
 * do not depend on the thread, so the report is the one-thread report.
 */
#define PARALLEL_MIN 512    /* fewer definitions analyse faster than a thread starts */
#define MAX_JOBS 8
#define CHUNK 64

typedef struct analysis_run {
	sf_report_entry *entries;
	const bool *dropped;        /* excluded by the hook; NULL in helpers, which cannot know yet */
	unsigned cacheline;
	sf_chunk_queue chunks;
} analysis_run;

typedef struct analysis_helper {
	analysis_run *run;
	struct sf_arena *arena;
	int error;
	char message[256];          /* a helper's failure, said again by the caller */
} analysis_helper;

/* Analyses the chunks taken from the front (calling thread) or the back
 * (helpers); the first failure stops it. */
static int analyze_chunks(analysis_run *run, struct sf_arena *arena, bool from_front)
{
	size_t k, begin, end;

	while (sf__chunk_take(&run->chunks, from_front, &k, &begin, &end)) {
		for (size_t i = begin; i < end; i++) {
			int error;
			if (from_front && run->dropped[i])
				continue;
			error = sf__layout_analyze_in(arena, run->entries[i].def, run->cacheline,
						      &run->entries[i].layout);
			if (error)
				return error;
		}
	}
	return 0;
}

static void *helper_main(void *arg)
{
	analysis_helper *h = arg;

	h->error = analyze_chunks(h->run, h->arena, false);
	if (h->error)
		snprintf(h->message, sizeof(h->message), "%s", sf_error_last());
	return NULL;
}

static unsigned analysis_jobs(const sf_report_options *opts, size_t count)
{
	return opts->version < 3 ? 1 : sf__jobs_for_items(opts->jobs, count, PARALLEL_MIN, MAX_JOBS);
}

/* Asks the exclude hook about every entry (into `dropped`) and analyses
 * the layouts of the others, with helpers when there are many (helpers
 * may analyse a dropped one too: its layout is left unused). */
static int analyze_entries(sf_report *report, const sf_report_options *opts, bool *dropped)
{
	analysis_run run = { report->entries, dropped, report->cacheline, { .count = 0 } };
	analysis_helper helpers[MAX_JOBS];
	pthread_t threads[MAX_JOBS];
	unsigned jobs = analysis_jobs(opts, report->count), started = 0;
	int error;

	sf__chunk_queue_init(&run.chunks, report->count, CHUNK);
	if (jobs > 1 && !(report->part_arenas = calloc(jobs - 1, sizeof(*report->part_arenas))))
		jobs = 1;
	for (unsigned t = 0; t + 1 < jobs; t++) {
		helpers[started] = (analysis_helper){ &run, NULL, 0, "" };
		/* An arena each: the report's is not safe to share. */
		if (sf__arena_new(&helpers[started].arena) < 0)
			break;
		report->part_arenas[report->part_arena_count++] = helpers[started].arena;
		if (pthread_create(&threads[started], NULL, helper_main, &helpers[started]) != 0)
			break;
		started++;
	}
	for (size_t i = 0; i < report->count; i++)
		dropped[i] = excluded(report->entries[i].def, opts);
	error = analyze_chunks(&run, report->arena, true);
	if (error)
		sf__chunk_queue_stop(&run.chunks);   /* the helpers stop at the next chunk */
	for (unsigned t = 0; t < started; t++)
		pthread_join(threads[t], NULL);
	for (unsigned t = 0; t < started && !error; t++)
		if (helpers[t].error)
			error = sf__fail(helpers[t].error, "%s", helpers[t].message);
	sf__chunk_queue_release(&run.chunks);
	return error;
}

int sf_report_build(sf_report **out, const sf_model *model, const sf_report_options *opts)
{
	static const sf_report_options defaults = SF_REPORT_OPTIONS_INIT;
	const sf_struct_list *all = sf__model_structs(model);
	sf_report *report = NULL;
	size_t *entry_of = NULL;
	bool *dropped = NULL;
	const sf_typedef_alias **aliases = NULL;
	size_t alias_count = 0, kept = 0;
	unsigned cacheline;
	int error = 0;

	*out = NULL;
	if (!opts)
		opts = &defaults;
	if (opts->version < 1)
		return sf__fail(SF_EUSAGE, "report options version %u is not supported", opts->version);
	cacheline = opts->cacheline ? opts->cacheline : SF_DEFAULT_CACHELINE;
	if (cacheline < 8 || !sf__is_pow2(cacheline))
		return sf__fail(SF_EUSAGE, "cache-line size %u is not a power of two >= 8", cacheline);
	if (opts->sort > SF_SORT_WASTE)
		return sf__fail(SF_EUSAGE, "unknown sort order %d", (int)opts->sort);

	report = calloc(1, sizeof(*report));
	if (!report || sf__arena_new(&report->arena) < 0) {
		error = sf__fail(SF_ENOMEM, "out of memory while building the report");
		goto done;
	}
	report->model = model;
	report->cacheline = cacheline;
	error = aliases_selected(model, opts, &aliases, &alias_count);
	if (error)
		goto done;
	if (all->count) {
		report->entries = calloc(all->count, sizeof(*report->entries));
		entry_of = malloc(all->count * sizeof(*entry_of));
		dropped = malloc(all->count * sizeof(*dropped));
		if (!report->entries || !entry_of || !dropped) {
			error = sf__fail(SF_ENOMEM, "out of memory while building the report");
			goto done;
		}
	}
	/* Kept by the cheap filters here; then the exclude hook and the
	 * analysis; then left out by the hook and min_holes. */
	for (size_t i = 0; i < all->count; i++) {
		const sf_struct *s = all->items[i];

		entry_of[i] = SIZE_MAX;
		if (listed_by_default(s) && kind_selected(s, opts->kinds) && name_selected(s, opts, aliases, alias_count))
			report->entries[report->count++] = (sf_report_entry){ .def = s, .model_index = i };
	}
	error = analyze_entries(report, opts, dropped);
	if (error)
		goto done;
	/* A layout left out stays in its arena until the report is freed:
	 * at most one per struct of the model. */
	for (size_t k = 0; k < report->count; k++) {
		if (dropped[k] || report->entries[k].layout->hole_count < opts->min_holes)
			continue;
		report->entries[kept] = report->entries[k];
		entry_of[report->entries[kept].model_index] = kept;
		kept++;
	}
	if (kept < report->count)
		memset(report->entries + kept, 0, (report->count - kept) * sizeof(*report->entries));
	report->count = kept;
	error = link_conflicts(report, entry_of);
	if (error)
		goto done;
	error = sort_entries(report, opts->sort);
done:
	free(entry_of);
	free(dropped);
	free(aliases);
	if (error) {
		sf_report_free(report);
		return error;
	}
	*out = report;
	return 0;
}

void sf_report_free(sf_report *report)
{
	if (!report)
		return;
	for (size_t i = 0; i < report->count; i++)
		sf__layout_free(report->entries[i].layout);
	free(report->entries);
	sf__arena_free(report->arena);
	for (size_t i = 0; i < report->part_arena_count; i++)
		sf__arena_free(report->part_arenas[i]);
	free(report->part_arenas);
	free(report);
}

size_t sf_report_count(const sf_report *report)
{
	return report ? report->count : 0;
}
