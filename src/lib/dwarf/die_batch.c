/* Units walked in batches on worker threads and merged in unit order. */
#include "dwarf/die_pass.h"
#include "dwarf/die_feed.h"

#include <stdlib.h>
#include <string.h>

#include "util/fail.h"
#include "util/jobs.h"

/*
 * Units are grouped into batches of consecutive units (about BATCH_BYTES
 * of DWARF each; the grouping depends on the file only, never on the
 * thread count).  Workers take batches in order, walk each unit and merge
 * it into a model of the worker's (its slot), which lives for the whole
 * image; a batch reports the definitions that were new to that model, in
 * merge order.  The calling thread merges those reports strictly in batch
 * order into the image's staging model.  Merging is first-seen-wins
 * deduplication and each slot takes batches in increasing order, so the
 * first definition of every layout is reported by the batch holding it, in
 * its unit order: the result is the sequential one and does not depend on
 * -j.  A type a slot has seen is reported once, not once per batch, so the
 * serial part of the work shrinks to the unique types.  Workers run at
 * most WINDOW_PER_JOB batches per thread ahead of the merge, except for
 * large batches, which a worker takes early into a second slot of its own
 * (jump_target).
 *
 * With several threads a lister thread makes .debug_info's batches as
 * its units are listed (die_feed.h), with the same grouping rule, so the
 * workers start on the first units at once: while the last are still
 * inflated (on a python3.11 debug file inflating .debug_info alone was a
 * quarter of the load), or, for a section in memory, while the unit
 * headers are read (a page fault each on a vmlinux).
 */

/* Batches hold about 1/BATCH_SHARE of the file's units, between
 * BATCH_MIN_BYTES and BATCH_BYTES: a python-sized file (11 MB of
 * .debug_info) made a dozen 1 MB batches, and the last ones left a worker
 * idle while the other finished; a vmlinux keeps 1 MB batches. */
#define BATCH_BYTES (UINT64_C(1) << 20)
#define BATCH_MIN_BYTES (UINT64_C(1) << 16)
#define BATCH_SHARE 64
#define WINDOW_PER_JOB 3
/* Near the end, a batch holds about 1/TAIL_SHARE of the bytes left (not
 * below BATCH_MIN_BYTES): with 1 MB batches to the end, a vmlinux's
 * workers ended 4-15 ms apart (a 1 MB batch walks in ~8 ms), one idle
 * while the other walked the batch it took last. */
#define TAIL_SHARE 8

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
		res = sf__die_load_unit(known, l->job, cursor, b->units[i], &b->alt_imports, b->hits,
				l->reuse ? &l->slots[slot].digests : NULL, &b->typedefs, &l->slots[slot].reuse);
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

/* Batches of at least this many times the target are worth taking out
 * of turn: one large unit (python3.11's deepfreeze.c, 750 KB of its
 * 11 MB, about a third of the walk) is a batch of its own. */
#define JUMP_FACTOR 4

/*
 * A batch worth taking before the lowest one the worker could take,
 * `lowest`: the largest large one made so far that the worker's
 * out-of-turn slot may take (from its floor on; see worker_slot).  That
 * slot walks it with a model of its own, so the worker's in-turn slot
 * stays where it was and the worker comes back to the lowest untaken
 * batch afterwards: the longest walks start first and nothing is left to
 * one worker alone.  Bytes are a poor measure of a walk: deepfreeze.c
 * costs three times more per byte than its neighbours, and the first
 * half of python's .debug_info (LTO units) almost nothing, so a rule
 * weighing backlog bytes against the large batch's bytes left it to the
 * end while the other worker ran out of work.  Each slot still takes its
 * batches in increasing order (see above).  SIZE_MAX when none.
 */
static size_t jump_target(const loader *l, unsigned slot, size_t lowest)
{
	const worker_slot *out_of_turn = &l->slots[l->slot_count + slot];
	size_t best = SIZE_MAX;

	for (size_t k = lowest + 1 > out_of_turn->floor ? lowest + 1 : out_of_turn->floor; k < l->batch_count; k++)
		if (!l->batches[k]->taken && l->batches[k]->bytes >= JUMP_FACTOR * l->batch_target &&
		    (best == SIZE_MAX || l->batches[k]->bytes > l->batches[best]->bytes))
			best = k;
	return best;
}

/* The batch worker `slot` takes now, under the lock, and in *use the slot
 * that walks it (`slot` or its out-of-turn slot); NULL when it must wait
 * (or, *finished, when no batch is left for it). */
static work_batch *pick_batch(loader *l, unsigned slot, bool *finished, unsigned *use)
{
	worker_slot *s = &l->slots[slot];
	size_t k = l->next > s->floor ? l->next : s->floor, jump;

	/* While .debug_info is inflated, its thread counts as one of the
	 * jobs: the last worker starts once everything is listed. */
	*finished = false;
	if (l->streaming && l->job->image->sections.info.arriving && l->slot_count > 1 &&
	    slot == l->slot_count - 1 && !l->listed_all)
		return NULL;
	while (k < l->batch_count && l->batches[k]->taken)
		k++;
	jump = jump_target(l, slot, k);
	*finished = k >= l->batch_count && jump == SIZE_MAX && l->listed_all;
	if (jump != SIZE_MAX) {
		k = jump;
		*use = l->slot_count + slot;
	} else if (k >= l->batch_count || k >= l->merged + l->window) {
		return NULL;
	} else {
		*use = slot;
	}
	l->batches[k]->taken = true;
	l->slots[*use].floor = k + 1;
	while (l->next < l->batch_count && l->batches[l->next]->taken)
		l->next++;
	return l->batches[k];
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

	pthread_mutex_lock(&l->lock);
	l->slots[slot].running = true;
	pthread_mutex_unlock(&l->lock);
	for (;;) {
		work_batch *b = NULL;
		bool finished = false;
		unsigned use = slot;
		pthread_mutex_lock(&l->lock);
		while (!__atomic_load_n(&l->stop, __ATOMIC_RELAXED) &&
		       !(b = pick_batch(l, slot, &finished, &use)) && !finished)
			pthread_cond_wait(&l->changed, &l->lock);
		if (!b) {
			l->slots[slot].running = false;
			pthread_mutex_unlock(&l->lock);
			break;
		}
		pthread_mutex_unlock(&l->lock);
		if (have_cursor && slot_open(&l->slots[use]) == 0) {
			run_batch(l, b, &cursor, use);
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

static uint64_t batch_target(uint64_t total)
{
	uint64_t target = total / BATCH_SHARE;

	return target < BATCH_MIN_BYTES ? BATCH_MIN_BYTES : target > BATCH_BYTES ? BATCH_BYTES : target;
}

/* Appends the open batch to the list, under the lock: workers and the
 * merge may be reading the list meanwhile. */
static int close_batch(loader *l, work_batch **open)
{
	int res = 0;

	if (!*open)
		return 0;
	pthread_mutex_lock(&l->lock);
	if (l->batch_count == l->batch_capacity) {
		size_t grown = l->batch_capacity ? l->batch_capacity * 2 : 64;
		work_batch **more = realloc(l->batches, grown * sizeof(*more));
		if (!more) {
			res = sf__fail(SF_ENOMEM, "out of memory");
		} else {
			l->batches = more;
			l->batch_capacity = grown;
		}
	}
	if (res >= 0) {
		l->batches[l->batch_count++] = *open;
		l->work_count += (*open)->count;
		l->batched += (*open)->bytes;
		*open = NULL;
		pthread_cond_broadcast(&l->changed);
	}
	pthread_mutex_unlock(&l->lock);
	return res;
}

/* The bytes after which the open batch closes: the target, or less near
 * the end (TAIL_SHARE).  It depends on the file only. */
static uint64_t open_target(const loader *l)
{
	uint64_t left = l->batch_total > l->batched ? l->batch_total - l->batched : 0;
	uint64_t target = left / TAIL_SHARE;

	return target < BATCH_MIN_BYTES ? BATCH_MIN_BYTES : target > l->batch_target ? l->batch_target : target;
}

/* Batches are runs of consecutive units, closed once they hold the target
 * bytes (open_target()) or SF_DIE_BATCH_UNITS units.  Units without DIEs are left out.  A
 * unit worth taking out of turn (jump_target) starts a batch of its own:
 * python3.11's deepfreeze.c comes last in .debug_info, and the 130 KB of
 * units that shared its batch were walked just before it, by the same worker,
 * while the other had nothing left. */
static int batch_add(loader *l, work_batch **open, const sf_dw_unit *u)
{
	int res;

	if (u->die_offset >= u->end)
		return 0;
	if (*open && u->end - u->offset >= JUMP_FACTOR * l->batch_target &&
	    (res = close_batch(l, open)) < 0)
		return res;
	if (!*open && !(*open = calloc(1, sizeof(**open))))
		return sf__fail(SF_ENOMEM, "out of memory");
	(*open)->units[(*open)->count++] = u;
	(*open)->bytes += u->end - u->offset;
	if ((*open)->bytes >= open_target(l) || (*open)->count == SF_DIE_BATCH_UNITS)
		return close_batch(l, open);
	return 0;
}

static int make_batches(loader *l, const sf_dw_image *dw)
{
	work_batch *open = NULL;
	uint64_t total = 0;
	int res = 0;

	/* Type units first, so a definition is first met where its
	 * decl_file can be read rather than through a signature. */
	for (unsigned space = SF_DW_TYPES + 1; space-- > 0;)
		for (size_t i = 0; i < dw->spaces[space].count; i++)
			if (dw->spaces[space].units[i].die_offset < dw->spaces[space].units[i].end)
				total += dw->spaces[space].units[i].end - dw->spaces[space].units[i].offset;
	l->batch_target = batch_target(total);
	l->batch_total = total;
	for (unsigned space = SF_DW_TYPES + 1; space-- > 0 && res >= 0;)
		for (size_t i = 0; i < dw->spaces[space].count && res >= 0; i++)
			res = batch_add(l, &open, &dw->spaces[space].units[i]);
	if (res >= 0)
		res = close_batch(l, &open);
	free(open);
	l->listed_all = true;
	return res;
}

static unsigned job_count(const sf_load_options *opts, size_t batch_count)
{
	unsigned jobs = sf__jobs_or_online(opts->jobs);
	if (jobs > 256)
		jobs = 256;
	if (jobs > batch_count)
		jobs = batch_count ? (unsigned)batch_count : 1;
	return jobs;
}

/* The next batch to merge, `k`, once it is done (or, not `threaded`,
 * made); NULL when no batch is to come. */
static work_batch *batch_to_merge(loader *l, size_t k, bool threaded, size_t *unit_total)
{
	work_batch *b = NULL;

	pthread_mutex_lock(&l->lock);
	while (!(k < l->batch_count && (!threaded || l->batches[k]->done)) && !(l->listed_all && k >= l->batch_count))
		pthread_cond_wait(&l->changed, &l->lock);
	if (k < l->batch_count)
		b = l->batches[k];
	*unit_total = l->work_count;
	pthread_mutex_unlock(&l->lock);
	return b;
}

/* Hands back the pages of a merged batch's units (sf__dw_drop_pages()),
 * contiguous units in one call.  Nothing the model keeps points into
 * them: names are copied out. */
static void drop_batch_pages(const loader *l, const work_batch *b)
{
	const sf_dw_image *dw = l->job->dw;
	size_t i = 0;

	while (i < b->count) {
		const sf_dw_unit *first = b->units[i];
		uint64_t end = first->end;
		for (i++; i < b->count; i++) {
			const sf_dw_unit *u = b->units[i];
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
	size_t units_done = 0, unit_total = 0;
	work_batch *b;
	int res = 0;

	if (glob_count && !hits)
		return sf__fail(SF_ENOMEM, "out of memory");
	for (size_t k = 0; res >= 0 && (b = batch_to_merge(l, k, threaded, &unit_total)); k++) {
		if (!threaded) {
			if (slot_open(&l->slots[0]) < 0)
				b->res = SF_ENOMEM;
			else
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
			opts->on_progress(opts->on_progress_ctx, units_done, unit_total);
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

bool sf__die_batches_may_stream(const load_job *job, const sf_load_options *opts)
{
	const sf_dwarf_sections *sections = &job->image->sections;
	uint64_t target = batch_target(sections->info.size);

	if (!sections->info.data || sections->types.data || sections->cu_index.data ||
	    sections->tu_index.data || job->image->alt_sections.info.data)
		return false;
	return job_count(opts, (size_t)((sections->info.size + target - 1) / target)) > 1;
}

int sf__die_batches_plan(loader *l, const load_job *job, const sf_load_options *opts, sf_dw_image *streaming)
{
	size_t batches;
	unsigned jobs;
	int res = 0;

	l->job = job;
	l->opts = opts;
	/* A reused definition carries the typedef chains of the unit that
	 * built it, which the digest does not cover. */
	l->reuse = !(opts->version >= 4 && opts->no_reuse) && !job->filter.typedef_chains;
	l->streaming = streaming;
	if (pthread_mutex_init(&l->lock, NULL) != 0)
		return sf__fail(SF_ENOMEM, "out of memory");
	if (pthread_cond_init(&l->changed, NULL) != 0) {
		pthread_mutex_destroy(&l->lock);
		return sf__fail(SF_ENOMEM, "out of memory");
	}
	l->sync_ready = true;
	if (streaming) {
		/* The lister makes the batches; the section's size stands for
		 * the units' bytes, which it equals in a well-formed file. */
		l->batch_target = batch_target(job->image->sections.info.size);
		l->batch_total = job->image->sections.info.size;
		batches = (size_t)((job->image->sections.info.size + l->batch_target - 1) / l->batch_target);
	} else {
		res = make_batches(l, job->dw);
		batches = l->batch_count;
	}
	if (res < 0)
		return res;
	jobs = job_count(opts, batches);
	l->slot_count = jobs;
	/* Each worker's in-turn slot, then its out-of-turn one. */
	l->slots = calloc((size_t)jobs * 2, sizeof(*l->slots));
	if (!l->slots)
		return sf__fail(SF_ENOMEM, "out of memory");
	for (unsigned k = 0; k < jobs * 2; k++)
		sf__die_reuse_init(&l->slots[k].reuse);
	/*
	 * Strings go into digests by their .debug_str offset, which is exact
	 * for any file (equal offsets are equal text) and finds every reuse
	 * where each text is stored once: a linker merges the strings of the
	 * files it links.  `ld -r` output (kernel modules) keeps one copy per
	 * object, and offsets would miss most reuse: only there is the section
	 * checked (a pass over it, ~8 ms serial on a vmlinux), and strings go
	 * by content when a text repeats.  Only worth it when many units
	 * reuse definitions.
	 */
	if (l->reuse && batches > 1 && !(sf__die_first_match_only(opts) && job->filter.name_count)) {
		const sf_dwarf_bytes *str = &job->image->sections.str;
		bool distinct = str->data && (!job->image->relocatable || sf__dw_strings_distinct(str->data, str->size));
		for (unsigned k = 0; k < jobs * 2; k++)
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
	if (!threads)
		return NULL;
	for (unsigned t = 0; t < jobs; t++) {
		if (pthread_create(&threads[t], NULL, worker_main, l) != 0)
			break;
		(*started)++;
	}
	if (*started == 0) {
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
	free(threads);
}

static int lister_unit(void *ctx, const sf_dw_unit *unit)
{
	loader *l = ctx;

	return batch_add(l, &l->open_batch, unit);
}

/* The lister: .debug_info's batches as its units arrive, then the last. */
static void *lister_main(void *arg)
{
	loader *l = arg;
	int res = sf__dw_feed_run(l->streaming, lister_unit, l);

	if (res >= 0)
		res = close_batch(l, &l->open_batch);
	pthread_mutex_lock(&l->lock);
	if (res < 0) {
		l->list_res = res;
		l->list_message = strdup(sf_error_last());
	}
	l->listed_all = true;
	pthread_cond_broadcast(&l->changed);
	pthread_mutex_unlock(&l->lock);
	return NULL;
}

/*
 * What a streamed load returns: a section that does not inflate, then a
 * corrupt unit header, outrank what the walk met, as when the section was
 * inflated and its units listed before the walk.
 */
static int streamed_result(loader *l, int res)
{
	sf__elf_stream *arriving = l->job->image->sections.info.arriving;
	int inflated = arriving ? sf__elf_stream_result(arriving) : 0;

	if (inflated < 0)
		return inflated;
	if (l->list_res < 0)
		return sf__fail(l->list_res, "%s", l->list_message ? l->list_message : "out of memory");
	return res;
}

int sf__die_batches_run(loader *l, sf_model *staging, offset_list *alt_units, sf_dw_cursor *cursor,
			bool *satisfied)
{
	size_t started = 0;
	pthread_t *threads, lister;
	bool lister_running = false;
	int res;

	/* Without a thread of its own, the lister makes every batch first. */
	if (l->streaming && !(lister_running = pthread_create(&lister, NULL, lister_main, l) == 0))
		lister_main(l);
	threads = start_workers(l, l->slot_count, &started);
	res = merge_batches(l, staging, alt_units, threads != NULL, cursor, l->opts, satisfied);
	if (threads)
		stop_workers(l, threads, started);
	if (lister_running)
		pthread_join(lister, NULL);
	if (l->streaming) {
		res = streamed_result(l, res);
		sf__dw_feed_finish(l->streaming);
	}
	return res;
}

static void release_slots(void *arg)
{
	loader *l = arg;

	for (unsigned k = 0; l->slots && k < l->slot_count * 2; k++) {
		sf_model_free(l->slots[k].known);
		sf__die_known_release(&l->slots[k].digests);
		sf__hashmap_free(&l->slots[k].map);
		sf__die_reuse_release(&l->slots[k].reuse);
	}
	free(l->slots);
	for (size_t k = 0; k < l->batch_count; k++) {
		batch_release(l->batches[k]);
		free(l->batches[k]);
	}
	free(l->batches);
	free(l->open_batch);
	free(l->list_message);
}

void sf__die_batches_release(loader *l, sf_reaper *reaper)
{
	/* The workers were joined: nothing waits on these any more. */
	if (l->sync_ready) {
		pthread_cond_destroy(&l->changed);
		pthread_mutex_destroy(&l->lock);
		l->sync_ready = false;
	}
	sf__reaper_release(l->slots ? reaper : NULL, release_slots, l, sizeof(*l));
}
