/* Units walked in batches on worker threads and merged in unit order. */
#include "dwarf/die_pass.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/fail.h"

/*
 * Units are grouped into batches of consecutive units (about BATCH_BYTES
 * of DWARF each; the grouping depends on the file only, never on the
 * thread count).  Workers take batches in order, walk each unit and merge
 * it into the worker's own model, which lives for the whole image; a batch
 * reports the definitions that were new to its worker, in merge order.
 * The calling thread merges those reports strictly in batch order into the
 * image's staging model.  Merging is first-seen-wins deduplication and a
 * worker takes batches in increasing order, so the first definition of
 * every layout is reported by the batch holding it, in its unit order:
 * the result is the sequential one and does not depend on -j.  A type a
 * worker has seen is reported once, not once per batch, so the serial
 * part of the work shrinks to the unique types.  Workers run at most
 * WINDOW_PER_JOB batches per thread ahead of the merge.
 */

/* Batches hold about 1/BATCH_SHARE of the file's units, between
 * BATCH_MIN_BYTES and BATCH_BYTES: a python-sized file (11 MB of
 * .debug_info) made a dozen 1 MB batches, and the last ones left a worker
 * idle while the other finished; a vmlinux keeps 1 MB batches. */
#define BATCH_BYTES (UINT64_C(1) << 20)
#define BATCH_MIN_BYTES (UINT64_C(1) << 16)
#define BATCH_SHARE 64
#define BATCH_MAX_UNITS 64
#define WINDOW_PER_JOB 3

static bool all_hit(const unsigned char *hits, size_t count)
{
	for (size_t i = 0; i < count; i++)
		if (!hits[i])
			return false;
	return true;
}

static void batch_release(work_batch *b)
{
	sf__struct_list_free(&b->fresh);
	free(b->alt_imports.items);
	sf__typedef_list_free(&b->typedefs);
	free(b->hits);
	free(b->message);
	b->alt_imports = (offset_list){ 0 };
	b->hits = NULL;
	b->message = NULL;
}

static int slot_open(worker_slot *slot)
{
	if (slot->known)
		return 0;
	if (sf_model_new(&slot->known) < 0)
		return SF_ENOMEM;
	slot->known->skip_conflicts = true;
	return 0;
}

static void run_batch(loader *l, work_batch *b, sf_dw_cursor *cursor, unsigned slot)
{
	size_t glob_count = l->job->filter.name_count;
	sf_model *known = l->slots[slot].known;
	int res = 0;

	b->slot = slot;
	known->added = &b->fresh;
	if (glob_count && !(b->hits = calloc(glob_count, 1)))
		res = sf__fail(SF_ENOMEM, "out of memory");
	for (size_t i = 0; i < b->count && res >= 0; i++) {
		/* Results past the point where the load stops are dropped. */
		if (__atomic_load_n(&l->stop, __ATOMIC_RELAXED))
			break;
		res = sf__die_load_unit(known, l->job, cursor, l->work[b->first + i], &b->alt_imports, b->hits,
				l->reuse ? &l->slots[slot].digests : NULL, &b->typedefs);
		/* Later units cannot change which definitions come first; the
		 * batch grouping is fixed, so this stays independent of -j. */
		if (res >= 0 && glob_count && sf__die_first_match_only(l->opts) && all_hit(b->hits, glob_count))
			break;
	}
	known->added = NULL;
	b->res = res < 0 ? res : 0;
	if (res < 0)
		b->message = strdup(sf_error_last());
}

static void *worker_main(void *arg)
{
	loader *l = arg;
	sf_dw_cursor cursor;
	unsigned slot = __atomic_fetch_add(&l->slots_taken, 1, __ATOMIC_RELAXED);
	bool have_cursor = sf__dw_cursor_init(&cursor, l->job->dw) == 0;

	if (have_cursor && slot_open(&l->slots[slot]) < 0) {
		sf__dw_cursor_release(&cursor);
		have_cursor = false;
	}

	for (;;) {
		work_batch *b;
		pthread_mutex_lock(&l->lock);
		while (!__atomic_load_n(&l->stop, __ATOMIC_RELAXED) && l->next < l->batch_count && l->next >= l->merged + l->window)
			pthread_cond_wait(&l->changed, &l->lock);
		if (__atomic_load_n(&l->stop, __ATOMIC_RELAXED) || l->next >= l->batch_count) {
			pthread_mutex_unlock(&l->lock);
			break;
		}
		b = &l->batches[l->next++];
		pthread_mutex_unlock(&l->lock);
		if (have_cursor) {
			run_batch(l, b, &cursor, slot);
		} else {
			b->res = SF_ENOMEM;
			b->message = strdup("out of memory");
		}
		pthread_mutex_lock(&l->lock);
		b->done = true;
		pthread_cond_broadcast(&l->changed);
		pthread_mutex_unlock(&l->lock);
	}
	if (have_cursor)
		sf__dw_cursor_release(&cursor);
	return NULL;
}

static int make_batches(loader *l)
{
	size_t capacity = 0;
	uint64_t total = 0, target;

	for (size_t i = 0; i < l->work_count; i++)
		total += l->work[i]->end - l->work[i]->offset;
	target = total / BATCH_SHARE;
	target = target < BATCH_MIN_BYTES ? BATCH_MIN_BYTES : target > BATCH_BYTES ? BATCH_BYTES : target;
	for (size_t i = 0; i < l->work_count;) {
		uint64_t bytes = 0;
		size_t first = i;
		while (i < l->work_count && (i == first || (bytes < target && i - first < BATCH_MAX_UNITS))) {
			bytes += l->work[i]->end - l->work[i]->offset;
			i++;
		}
		if (l->batch_count == capacity) {
			size_t grown = capacity ? capacity * 2 : 64;
			work_batch *more = realloc(l->batches, grown * sizeof(*more));
			if (!more)
				return sf__fail(SF_ENOMEM, "out of memory");
			l->batches = more;
			capacity = grown;
		}
		l->batches[l->batch_count++] = (work_batch){ .first = first, .count = i - first };
	}
	return 0;
}

static unsigned job_count(const sf_load_options *opts, size_t batch_count)
{
	long online = sysconf(_SC_NPROCESSORS_ONLN);
	unsigned jobs = opts->jobs ? opts->jobs : online > 0 ? (unsigned)online : 1;
	if (jobs > 256)
		jobs = 256;
	if (jobs > batch_count)
		jobs = batch_count ? (unsigned)batch_count : 1;
	return jobs;
}

/* Hands back the pages of a merged batch's units (sf__dw_drop_pages()),
 * contiguous units in one call.  Nothing the model keeps points into
 * them: names are copied out. */
static void drop_batch_pages(const loader *l, const work_batch *b)
{
	const sf_dw_image *dw = l->job->dw;
	size_t i = 0;

	while (i < b->count) {
		const sf_dw_unit *first = l->work[b->first + i];
		uint64_t end = first->end;
		for (i++; i < b->count; i++) {
			const sf_dw_unit *u = l->work[b->first + i];
			if (u->space != first->space || u->offset != end)
				break;
			end = u->end;
		}
		sf__dw_drop_pages(dw, first->space, first->offset, end);
	}
}

/* Merges finished batches in order; returns when all are merged, one
 * failed, or the name filter is satisfied. */
static int merge_batches(loader *l, sf_model *staging, offset_list *alt_units, bool threaded,
			 sf_dw_cursor *cursor, const sf_load_options *opts, bool *satisfied)
{
	const load_job *job = l->job;
	size_t glob_count = job->filter.name_count;
	unsigned char *hits = glob_count ? calloc(glob_count, 1) : NULL;
	size_t units_done = 0;
	int res = 0;

	if (glob_count && !hits)
		return sf__fail(SF_ENOMEM, "out of memory");
	for (size_t k = 0; k < l->batch_count && res >= 0; k++) {
		work_batch *b = &l->batches[k];
		if (threaded) {
			pthread_mutex_lock(&l->lock);
			while (!b->done)
				pthread_cond_wait(&l->changed, &l->lock);
			pthread_mutex_unlock(&l->lock);
		} else if (slot_open(&l->slots[0]) < 0) {
			b->res = SF_ENOMEM;
		} else {
			run_batch(l, b, cursor, 0);
		}
		res = b->res;
		if (res < 0)
			res = sf__fail(res, "%s", b->message ? b->message : "out of memory");
		if (res >= 0)
			res = sf__model_merge_foreign(staging, &b->fresh, &l->slots[b->slot].map,
						      job->file_index);
		for (size_t i = 0; i < b->alt_imports.count && res >= 0; i++)
			res = sf__die_offset_push(alt_units, b->alt_imports.items[i]);
		if (res >= 0)
			res = sf__typedef_list_merge(&staging->typedefs, &b->typedefs);
		for (size_t i = 0; i < glob_count && b->hits; i++)
			hits[i] |= b->hits[i];
		batch_release(b);
		drop_batch_pages(l, b);
		units_done += b->count;
		if (res >= 0 && opts->on_progress)
			opts->on_progress(opts->on_progress_ctx, units_done, l->work_count);
		if (threaded) {
			pthread_mutex_lock(&l->lock);
			l->merged = k + 1;
			pthread_cond_broadcast(&l->changed);
			pthread_mutex_unlock(&l->lock);
		}
		if (res >= 0 && glob_count && sf__die_first_match_only(opts) && all_hit(hits, glob_count)) {
			__atomic_store_n(&l->stop, true, __ATOMIC_RELAXED);
			break;
		}
	}
	*satisfied = glob_count && all_hit(hits, glob_count);
	free(hits);
	return res;
}
int sf__die_batches_plan(loader *l, const load_job *job, const sf_load_options *opts)
{
	const sf_dw_image *dw = job->dw;
	unsigned jobs;
	int res;

	l->job = job;
	l->opts = opts;
	/* A reused definition carries the typedef chains of the unit that
	 * built it, which the digest does not cover. */
	l->reuse = !(opts->version >= 4 && opts->no_reuse) && !job->filter.typedef_chains;
	/* Type units first, so a definition is first met where its
	 * decl_file can be read rather than through a signature. */
	l->work = calloc(dw->spaces[SF_DW_TYPES].count + dw->spaces[SF_DW_INFO].count + 1, sizeof(*l->work));
	if (!l->work)
		return sf__fail(SF_ENOMEM, "out of memory");
	for (unsigned space = SF_DW_TYPES + 1; space-- > 0;) {
		const sf_dw_space_units *s = &dw->spaces[space];
		for (size_t i = 0; i < s->count; i++)
			if (s->units[i].die_offset < s->units[i].end)
				l->work[l->work_count++] = &s->units[i];
	}
	res = make_batches(l);
	if (res < 0)
		return res;
	jobs = job_count(opts, l->batch_count);
	l->slot_count = jobs;
	l->slots = calloc(jobs, sizeof(*l->slots));
	if (!l->slots)
		return sf__fail(SF_ENOMEM, "out of memory");
	/* Checking costs a pass over .debug_str, which only pays off when
	 * many units reuse definitions. */
	if (l->reuse && l->batch_count > 1 && !(sf__die_first_match_only(opts) && job->filter.name_count)) {
		bool distinct = sf__dw_strings_distinct(job->image->sections.str.data,
							job->image->sections.str.size);
		for (unsigned k = 0; k < jobs; k++)
			l->slots[k].digests.str_distinct = distinct;
	}
	return 0;
}

/* Starts up to `jobs` workers; NULL (nothing to join) when threads cannot
 * be had, and the caller then walks the batches itself. */
static pthread_t *start_workers(loader *l, unsigned jobs, size_t *started)
{
	pthread_t *threads;

	*started = 0;
	if (jobs <= 1)
		return NULL;
	l->window = (size_t)jobs * WINDOW_PER_JOB;
	threads = calloc(jobs, sizeof(*threads));
	if (!threads || pthread_mutex_init(&l->lock, NULL) != 0) {
		free(threads);
		return NULL;
	}
	if (pthread_cond_init(&l->changed, NULL) != 0) {
		pthread_mutex_destroy(&l->lock);
		free(threads);
		return NULL;
	}
	for (unsigned t = 0; t < jobs; t++) {
		if (pthread_create(&threads[t], NULL, worker_main, l) != 0)
			break;
		(*started)++;
	}
	if (*started == 0) {
		pthread_cond_destroy(&l->changed);
		pthread_mutex_destroy(&l->lock);
		free(threads);
		return NULL;
	}
	return threads;
}

/* Workers are stopped and joined before anything they use is freed,
 * also when a -C probe gives up. */
static void stop_workers(loader *l, pthread_t *threads, size_t started)
{
	pthread_mutex_lock(&l->lock);
	__atomic_store_n(&l->stop, true, __ATOMIC_RELAXED);
	pthread_cond_broadcast(&l->changed);
	pthread_mutex_unlock(&l->lock);
	for (size_t t = 0; t < started; t++)
		pthread_join(threads[t], NULL);
	pthread_cond_destroy(&l->changed);
	pthread_mutex_destroy(&l->lock);
	free(threads);
}

int sf__die_batches_run(loader *l, sf_model *staging, offset_list *alt_units, sf_dw_cursor *cursor,
			bool *satisfied)
{
	size_t started = 0;
	pthread_t *threads = start_workers(l, l->slot_count, &started);
	int res = merge_batches(l, staging, alt_units, threads != NULL, cursor, l->opts, satisfied);

	if (threads)
		stop_workers(l, threads, started);
	return res;
}

void sf__die_batches_release(loader *l)
{
	for (unsigned k = 0; l->slots && k < l->slot_count; k++) {
		sf_model_free(l->slots[k].known);
		sf__die_known_release(&l->slots[k].digests);
		sf__hashmap_free(&l->slots[k].map);
	}
	free(l->slots);
	for (size_t k = 0; k < l->batch_count; k++)
		batch_release(&l->batches[k]);
	free(l->batches);
	free(l->work);
}
