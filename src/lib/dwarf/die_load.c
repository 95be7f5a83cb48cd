/* Loading one image: units listed up front, walked in batches on worker threads, merged in unit order. */
#include "dwarf/die_load.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dwarf/die_abi.h"
#include "dwarf/die_ctx.h"
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
#define BATCH_BYTES (UINT64_C(1) << 20)
#define BATCH_MAX_UNITS 64
#define WINDOW_PER_JOB 3

typedef struct offset_list {
	uint64_t *items;
	size_t count;
	size_t capacity;
} offset_list;

static int offset_push(offset_list *list, uint64_t value)
{
	if (list->count == list->capacity) {
		size_t capacity = list->capacity ? list->capacity * 2 : 64;
		uint64_t *items = realloc(list->items, capacity * sizeof(*items));
		if (!items)
			return sf__fail(SF_ENOMEM, "out of memory");
		list->items = items;
		list->capacity = capacity;
	}
	list->items[list->count++] = value;
	return 0;
}

/* Layouts follow the compiler that made them, ABI deviations included,
 * and the rules of the language it compiled. */
static void apply_producer_quirks(sf_die_ctx *ctx, const sf_die *root)
{
	const char *producer = NULL;
	uint64_t language = 0;
	if (sf__die_string(ctx, root, DW_AT_producer, &producer) > 0 && producer)
		ctx->target = sf__target_for_producer(ctx->target, producer);
	if (sf__die_udata(ctx, root, DW_AT_language, &language) > 0)
		ctx->language = language;
}

typedef struct load_job {
	const sf_debug_image *image;
	const sf_dw_image *dw;
	sf_die_filter filter;
	uint32_t file_index;
} load_job;

/* Walks one unit and merges its definitions into `staging`. */
static int load_unit(sf_model *staging, const load_job *job, sf_dw_cursor *cursor,
		     const sf_dw_unit *u, offset_list *alt_imports, unsigned char *hits,
		     sf_die_known *known)
{
	sf_die_ctx ctx;
	sf_unit unit;
	sf_die root;
	int res;

	res = sf__unit_init(&unit, job->file_index);
	if (res < 0)
		return sf__fail(SF_ENOMEM, "out of memory");
	sf__die_ctx_init(&ctx, job->image, job->dw, cursor, &job->filter, &unit);
	ctx.hits = hits;
	ctx.known = known;
	res = sf__die_open(&ctx, u->space == SF_DW_ALT, u->die_offset, u->space != SF_DW_TYPES, &root);
	if (res < 0)
		goto done;
	apply_producer_quirks(&ctx, &root);
	res = sf__die_walk_unit(&ctx, &root);
	if (res < 0)
		goto done;
	for (size_t i = 0; i < ctx.alt_import_count && res >= 0; i++)
		res = offset_push(alt_imports, ctx.alt_imports[i]);
	if (res >= 0)
		res = sf__model_merge_unit(staging, &unit);
	for (size_t i = 0; i < ctx.fresh_count && res >= 0; i++)
		res = sf__die_known_add(known, &ctx.fresh[i].digest, ctx.fresh[i].s->canonical);
done:
	sf__die_ctx_release(&ctx);
	sf__unit_release(&unit);
	return res;
}

static int merge_model(sf_model *into, sf_model *from, uint32_t file_index);

/* What one batch produced, waiting for its turn to be merged. */
typedef struct work_batch {
	size_t first;            /* index into the work list */
	size_t count;
	bool done;
	int res;
	char *message;           /* the worker's error message, when res < 0 */
	unsigned slot;           /* worker that ran it */
	sf_struct_list fresh;    /* definitions new to that worker, in merge order */
	offset_list alt_imports;
	unsigned char *hits;     /* one per filter glob */
} work_batch;

/*
 * One worker's state.  `known` is written only by the worker; `map`
 * (its structs -> the image staging model's) only by the merging thread.
 */
typedef struct worker_slot {
	sf_model *known;
	sf_die_known digests;       /* definitions of `known` by DWARF digest */
	sf_hashmap map;
} worker_slot;

typedef struct loader {
	const load_job *job;
	const sf_load_options *opts;
	const sf_dw_unit **work; /* units to walk, in order */
	size_t work_count;
	work_batch *batches;
	size_t batch_count;
	size_t window;
	pthread_mutex_t lock;
	pthread_cond_t changed;
	size_t next;             /* next batch to hand out */
	size_t merged;           /* batches merged so far */
	bool stop;
	worker_slot *slots;
	unsigned slot_count;
	bool reuse;              /* reuse definitions by digest (sf_load_options.no_reuse turns it off) */
	unsigned slots_taken;
} loader;

static bool first_match_only(const sf_load_options *opts)
{
	return opts->version >= 2 && opts->first_match_only;
}

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
		res = load_unit(known, l->job, cursor, l->work[b->first + i], &b->alt_imports, b->hits,
				l->reuse ? &l->slots[slot].digests : NULL);
		/* Later units cannot change which definitions come first; the
		 * batch grouping is fixed, so this stays independent of -j. */
		if (res >= 0 && glob_count && first_match_only(l->opts) && all_hit(b->hits, glob_count))
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
	for (size_t i = 0; i < l->work_count;) {
		uint64_t bytes = 0;
		size_t first = i;
		while (i < l->work_count && (i == first || (bytes < BATCH_BYTES && i - first < BATCH_MAX_UNITS))) {
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
			res = offset_push(alt_units, b->alt_imports.items[i]);
		for (size_t i = 0; i < glob_count && b->hits; i++)
			hits[i] |= b->hits[i];
		batch_release(b);
		units_done += b->count;
		if (res >= 0 && opts->on_progress)
			opts->on_progress(opts->on_progress_ctx, units_done, l->work_count);
		if (threaded) {
			pthread_mutex_lock(&l->lock);
			l->merged = k + 1;
			pthread_cond_broadcast(&l->changed);
			pthread_mutex_unlock(&l->lock);
		}
		if (res >= 0 && glob_count && first_match_only(opts) && all_hit(hits, glob_count)) {
			__atomic_store_n(&l->stop, true, __ATOMIC_RELAXED);
			break;
		}
	}
	*satisfied = glob_count && all_hit(hits, glob_count);
	free(hits);
	return res;
}

/* Pointer set for the final ordering pass. */
static bool mark_seen(sf_hashmap *seen, const sf_struct *s, int *res)
{
	uint64_t hash = sf__hash_u64(SF_HASH_SEED, (uint64_t)(uintptr_t)s);
	size_t cursor = 0;
	void *v;
	while ((v = sf__hashmap_next(seen, hash, &cursor)))
		if (v == s)
			return false;
	if (sf__hashmap_insert(seen, hash, (void *)s) < 0)
		*res = sf__fail(SF_ENOMEM, "out of memory");
	return true;
}

/* A staging model lists only top-level definitions; merging wants the
 * nested bodies too, each after what it contains. */
static int order_struct(sf_struct_list *out, sf_hashmap *seen, sf_struct *s, unsigned depth)
{
	int res = 0;
	if (!mark_seen(seen, s, &res) || res < 0)
		return res;
	if (depth > SF_DIE_MAX_DEPTH)
		return sf__fail(SF_EINVALID, "corrupt DWARF: struct nesting too deep");
	for (uint32_t i = 0; i < s->member_count && res >= 0; i++) {
		const sf_member *m = &s->members[i];
		if (m->nested)
			res = order_struct(out, seen, (sf_struct *)m->nested, depth + 1);
		if (res >= 0 && m->element)
			res = order_struct(out, seen, (sf_struct *)m->element, depth + 1);
	}
	if (res >= 0 && sf__struct_list_push(out, s) < 0)
		res = sf__fail(SF_ENOMEM, "out of memory");
	return res;
}

/* Layout hash of a typedef'd anonymous struct as if it had no typedef. */
static uint64_t hash_without_typedef(const sf_struct *s)
{
	sf_struct bare = *s;
	bare.typedef_name = NULL;
	return sf__struct_hash(&bare);
}

/*
 * True for an unnamed, untypedef'd definition that repeats the body of an
 * anonymous member or typedef seen elsewhere in the image.  Type units make
 * these: the compile unit keeps its own copy of unnamed types whose users
 * moved to a type unit, and nothing in the compile unit claims the copy.
 */
static bool is_orphan_copy(const sf_model *staging, const sf_hashmap *typedefd, const sf_struct *s)
{
	size_t cursor = 0;
	const sf_struct *c;

	if (s->name || s->typedef_name || s->is_nested_body)
		return false;
	while ((c = sf__hashmap_next(&staging->by_hash, s->hash, &cursor)))
		if (c != s && c->is_nested_body && sf__struct_same(c, s))
			return true;
	cursor = 0;
	while ((c = sf__hashmap_next(typedefd, s->hash, &cursor))) {
		sf_struct bare = *c;
		bare.typedef_name = NULL;
		if (sf__struct_same(&bare, s))
			return true;
	}
	return false;
}

/* Merges every definition of `from` into `into`, first-seen order kept. */
static int merge_model(sf_model *into, sf_model *from, uint32_t file_index)
{
	sf_unit batch = { .arena = NULL, .file_index = file_index };
	sf_hashmap seen = { 0 };
	int res = 0;

	for (size_t i = 0; i < from->structs.count && res >= 0; i++)
		res = order_struct(&batch.structs, &seen, from->structs.items[i], 0);
	if (res >= 0)
		res = sf__model_merge_unit(into, &batch);
	sf__hashmap_free(&seen);
	sf__struct_list_free(&batch.structs);
	return res;
}

static int publish(sf_model *model, sf_model *staging, uint32_t file_index)
{
	sf_unit batch = { .arena = NULL, .file_index = file_index };
	sf_hashmap seen = { 0 }, typedefd = { 0 };
	int res = 0;

	for (size_t i = 0; i < staging->structs.count && res >= 0; i++) {
		sf_struct *s = staging->structs.items[i];
		if (!s->name && s->typedef_name &&
		    sf__hashmap_insert(&typedefd, hash_without_typedef(s), s) < 0)
			res = sf__fail(SF_ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < staging->structs.count && res >= 0; i++) {
		sf_struct *s = staging->structs.items[i];
		if (!is_orphan_copy(staging, &typedefd, s))
			res = order_struct(&batch.structs, &seen, s, 0);
	}
	sf__hashmap_free(&typedefd);
	if (res >= 0)
		res = sf__model_merge_unit(model, &batch);
	sf__hashmap_free(&seen);
	sf__struct_list_free(&batch.structs);
	return res;
}

static bool want_abi(const sf_load_options *opts)
{
	return opts->version < 3 || opts->want_abi;
}

/* A struct and what it holds by value. */
static void mark_visible(sf_struct *s, const char *via, unsigned depth)
{
	if (!s || depth > SF_DIE_MAX_DEPTH)
		return;
	s->abi_visible = true;
	if (!s->abi_via)
		s->abi_via = via;
	for (uint32_t i = 0; i < s->member_count; i++) {
		mark_visible((sf_struct *)s->members[i].nested, via, depth + 1);
		mark_visible((sf_struct *)s->members[i].element, via, depth + 1);
	}
}

static int abi_unit(sf_model *staging, const load_job *job, const sf_dw_image *dw, sf_dw_cursor *cursor,
		    const sf_dw_unit *u, const sf_abi_exports *exports, sf_abi_marks *marks)
{
	sf_die_ctx ctx;
	sf_unit unit;
	sf_die root;
	int res = sf__unit_init(&unit, job->file_index);

	if (res < 0)
		return sf__fail(SF_ENOMEM, "out of memory");
	sf__die_ctx_init(&ctx, job->image, dw, cursor, NULL, &unit);
	marks->structs.count = 0;
	res = sf__die_open(&ctx, false, u->die_offset, true, &root);
	if (res >= 0) {
		apply_producer_quirks(&ctx, &root);
		res = sf__abi_walk_unit(&ctx, &root, exports, marks);
	}
	/* Built the same way as in the load, so the layouts match the
	 * merged definitions exactly. */
	for (size_t i = 0; i < marks->structs.count && res >= 0; i++) {
		sf_struct *found = sf__model_find(staging, marks->structs.items[i]);
		if (found) {
			found->abi_visible = true;
			if (!found->abi_via && marks->via[i] &&
			    !(found->abi_via = sf__arena_strdup(staging->arena, marks->via[i])))
				res = sf__fail(SF_ENOMEM, "out of memory");
		}
	}
	sf__die_ctx_release(&ctx);
	sf__unit_release(&unit);
	return res;
}

/*
 * Marks the staging model's structs reachable from the image's exports
 * (see sf_struct.abi_visible).  Runs on the calling thread after the
 * load, over the compile units only, and only when .dynsym exports
 * something: vmlinux and objects pay nothing.
 */
static int abi_pass(sf_model *staging, const load_job *job, uint64_t info_limit)
{
	sf_abi_exports exports;
	sf_abi_marks marks = { 0 };
	sf_dw_image full;
	sf_dw_cursor cursor = { 0 };
	bool opened = false, have_cursor = false;
	const sf_dw_image *dw = job->dw;
	int res = sf__abi_exports_read(&exports, job->image);

	if (res < 0 || exports.count == 0)
		goto done;
	/* A -C probe listed only the first units; exports may be anywhere. */
	if (info_limit != UINT64_MAX) {
		res = sf__dw_image_open(&full, job->image, UINT64_MAX);
		if (res < 0)
			goto done;
		opened = true;
		dw = &full;
	}
	res = sf__dw_cursor_init(&cursor, dw);
	if (res < 0)
		goto done;
	have_cursor = true;
	if (sf__arena_new(&marks.arena) < 0) {
		res = sf__fail(SF_ENOMEM, "out of memory");
		goto done;
	}
	for (size_t i = 0; i < dw->spaces[SF_DW_INFO].count && res >= 0; i++) {
		const sf_dw_unit *u = &dw->spaces[SF_DW_INFO].units[i];
		if (u->die_offset < u->end)
			res = abi_unit(staging, job, dw, &cursor, u, &exports, &marks);
	}
	for (const sf_abi_name *n = marks.names; n && res >= 0; n = n->next) {
		for (size_t i = 0; i < staging->structs.count; i++) {
			sf_struct *s = staging->structs.items[i];
			if (s->name && (s->kind == SF_UNION) == n->is_union && strcmp(s->name, n->name) == 0)
				mark_visible(s, n->via ? sf__arena_strdup(staging->arena, n->via) : NULL, 0);
		}
	}
	/* What visible structs hold by value is part of the same ABI. */
	for (size_t i = 0; i < staging->structs.count && res >= 0; i++)
		if (staging->structs.items[i]->abi_visible)
			mark_visible(staging->structs.items[i], staging->structs.items[i]->abi_via, 0);
done:
	if (have_cursor)
		sf__dw_cursor_release(&cursor);
	if (opened)
		sf__dw_image_close(&full);
	sf__struct_list_free(&marks.structs);
	free(marks.via);
	sf__arena_free(marks.arena);
	sf__abi_exports_release(&exports);
	return res;
}

/*
 * One load of the image.  With `info_limit` below the section size only
 * the units starting before it are listed and walked (a probe for -C):
 * the pass then publishes only if the filter was satisfied, and returns
 * 1 (nothing published) when not or when anything went wrong.
 */
static int load_pass(sf_model *model, const sf_debug_image *image, uint32_t file_index,
		     const sf_load_options *opts, uint64_t info_limit)
{
	bool satisfied = false;
	sf_dw_image dw;
	sf_dw_cursor cursor = { 0 };
	loader l = { 0 };
	load_job job = { .image = image, .dw = &dw, .file_index = file_index };
	offset_list alt_units = { 0 };
	sf_model *staging = NULL;
	pthread_t *threads = NULL;
	size_t started = 0;
	unsigned jobs;
	int res;

	res = sf__dw_image_open(&dw, image, info_limit);
	if (res < 0)
		return res;
	if (opts->version >= 2) {
		job.filter.names = opts->only_names;
		job.filter.name_count = opts->only_names ? opts->only_name_count : 0;
		job.filter.local_types = opts->local_types != 0;
	}
	l.job = &job;
	l.opts = opts;
	l.reuse = !(opts->version >= 4 && opts->no_reuse);
	res = sf_model_new(&staging);
	if (res >= 0)
		res = sf__dw_cursor_init(&cursor, &dw);
	/* Type units first, so a definition is first met where its
	 * decl_file can be read rather than through a signature. */
	l.work = calloc(dw.spaces[SF_DW_TYPES].count + dw.spaces[SF_DW_INFO].count + 1, sizeof(*l.work));
	if (res >= 0 && !l.work)
		res = sf__fail(SF_ENOMEM, "out of memory");
	for (unsigned space = SF_DW_TYPES + 1; space-- > 0 && res >= 0;) {
		const sf_dw_space_units *s = &dw.spaces[space];
		for (size_t i = 0; i < s->count; i++)
			if (s->units[i].die_offset < s->units[i].end)
				l.work[l.work_count++] = &s->units[i];
	}
	if (res >= 0)
		res = make_batches(&l);
	if (res < 0)
		goto done;
	jobs = job_count(opts, l.batch_count);
	l.slot_count = jobs;
	l.slots = calloc(jobs, sizeof(*l.slots));
	if (!l.slots) {
		res = sf__fail(SF_ENOMEM, "out of memory");
		goto done;
	}
	/* Checking costs a pass over .debug_str, which only pays off when
	 * many units reuse definitions. */
	if (l.reuse && l.batch_count > 1 && !(first_match_only(opts) && job.filter.name_count)) {
		bool distinct = sf__dw_strings_distinct(image->sections.str.data, image->sections.str.size);
		for (unsigned k = 0; k < jobs; k++)
			l.slots[k].digests.str_distinct = distinct;
	}
	if (jobs > 1) {
		l.window = (size_t)jobs * WINDOW_PER_JOB;
		threads = calloc(jobs, sizeof(*threads));
		if (!threads || pthread_mutex_init(&l.lock, NULL) != 0) {
			free(threads);
			threads = NULL;
			jobs = 1;
		} else if (pthread_cond_init(&l.changed, NULL) != 0) {
			pthread_mutex_destroy(&l.lock);
			free(threads);
			threads = NULL;
			jobs = 1;
		}
	}
	for (unsigned t = 0; t < jobs && threads; t++) {
		if (pthread_create(&threads[t], NULL, worker_main, &l) != 0)
			break;
		started++;
	}
	if (threads && started == 0) {
		pthread_cond_destroy(&l.changed);
		pthread_mutex_destroy(&l.lock);
		free(threads);
		threads = NULL;
	}
	res = merge_batches(&l, staging, &alt_units, threads != NULL, &cursor, opts, &satisfied);
	/* Workers are stopped and joined before anything they use is freed,
	 * also when a -C probe gives up. */
	if (threads) {
		pthread_mutex_lock(&l.lock);
		__atomic_store_n(&l.stop, true, __ATOMIC_RELAXED);
		pthread_cond_broadcast(&l.changed);
		pthread_mutex_unlock(&l.lock);
		for (size_t t = 0; t < started; t++)
			pthread_join(threads[t], NULL);
		pthread_cond_destroy(&l.changed);
		pthread_mutex_destroy(&l.lock);
		free(threads);
	}
	if (info_limit != UINT64_MAX && (res < 0 || !satisfied)) {
		res = 1;
		goto done;
	}
	if (res < 0)
		goto done;
	/* Imported dwz units are walked once each, in first-import order;
	 * they may import further ones, appended as we go. */
	for (size_t i = 0; i < alt_units.count && res >= 0; i++) {
		const sf_dw_unit *u;
		bool repeat = false;
		for (size_t j = 0; j < i && !repeat; j++)
			repeat = alt_units.items[j] == alt_units.items[i];
		if (repeat)
			continue;
		u = sf__dw_unit_at(&dw, SF_DW_ALT, alt_units.items[i]);
		if (!u || u->die_offset != alt_units.items[i]) {
			res = sf__fail(SF_EINVALID, "%s: corrupt DWARF: import of a missing dwz unit 0x%llx",
				       image->display_name ? image->display_name : "(input)",
				       (unsigned long long)alt_units.items[i]);
			break;
		}
		{
			sf_model *one = NULL;
			offset_list more = { 0 };
			res = sf_model_new(&one);
			if (res >= 0)
				res = load_unit(one, &job, &cursor, u, &more, NULL, NULL);
			if (res >= 0)
				res = merge_model(staging, one, file_index);
			for (size_t j = 0; j < more.count && res >= 0; j++)
				res = offset_push(&alt_units, more.items[j]);
			free(more.items);
			sf_model_free(one);
		}
	}
	if (res >= 0 && want_abi(opts))
		res = abi_pass(staging, &job, info_limit);
	if (res >= 0)
		res = publish(model, staging, file_index);
done:
	for (unsigned k = 0; l.slots && k < l.slot_count; k++) {
		sf_model_free(l.slots[k].known);
		sf__die_known_release(&l.slots[k].digests);
		sf__hashmap_free(&l.slots[k].map);
	}
	free(l.slots);
	for (size_t k = 0; k < l.batch_count; k++)
		batch_release(&l.batches[k]);
	free(l.batches);
	free(l.work);
	sf__dw_cursor_release(&cursor);
	sf_model_free(staging);
	free(alt_units.items);
	sf__dw_image_close(&dw);
	return res;
}

/* Enough units for a -C probe to find most types in a kernel's first units. */
#define PROBE_BYTES (UINT64_C(8) << 20)

int sf__die_load_image(sf_model *model, const sf_debug_image *image, uint32_t file_index,
		       const sf_load_options *opts)
{
	int res;

	/*
	 * Listing every unit header touches every page of .debug_info; for
	 * `-C NAME` the first definition is usually in the first units, so
	 * those are tried alone first.  The probe lists the same first
	 * batches as a full pass would, so its result is the full pass's.
	 */
	if (first_match_only(opts) && opts->only_name_count && !image->sections.types.data &&
	    !image->alt_sections.info.data && image->sections.info.size > PROBE_BYTES) {
		res = load_pass(model, image, file_index, opts, PROBE_BYTES);
		if (res <= 0)
			return res;
	}
	res = load_pass(model, image, file_index, opts, UINT64_MAX);
	return res < 0 ? res : 0;
}
