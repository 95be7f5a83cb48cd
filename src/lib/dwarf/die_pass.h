/* What the files of one image's load share: die_load_unit.c (one unit),
 * die_batch.c (units in batches on worker threads), die_publish.c
 * (staging model to the caller's), die_abi_pass.c (ABI visibility).
 * die_load.c runs them in that order. */
#ifndef SF_DWARF_DIE_PASS_H
#define SF_DWARF_DIE_PASS_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "dwarf/die_ctx.h"
#include "util/reaper.h"

typedef struct offset_list {
	uint64_t *items;
	size_t count;
	size_t capacity;
} offset_list;

/* Appends; 0 or SF_ENOMEM. */
int sf__die_offset_push(offset_list *list, uint64_t value);

typedef struct load_job {
	const sf_debug_image *image;
	const sf_dw_image *dw;
	sf_die_filter filter;
	uint32_t file_index;
} load_job;

static inline bool sf__die_first_match_only(const sf_load_options *opts)
{
	return opts->version >= 2 && opts->first_match_only;
}

/* ---- die_load_unit.c ---- */

/* Sets the unit's target quirks and language from its root DIE. */
void sf__die_producer_quirks(sf_die_ctx *ctx, const sf_die *root);
/* Walks one unit and merges its definitions into `staging`; the dwz
 * units it imports are appended to `alt_imports`, its typedefs of tagged
 * structs to `typedefs`.  `hits`, `known` and `reuse` (memory kept
 * between the calling thread's units) may be NULL. */
int sf__die_load_unit(sf_model *staging, const load_job *job, sf_dw_cursor *cursor, const sf_dw_unit *u,
		      offset_list *alt_imports, unsigned char *hits, sf_die_known *known,
		      sf_typedef_list *typedefs, sf_die_reuse *reuse);

/* ---- die_batch.c ---- */

/* Batches and their workers (the scheme is described in die_batch.c). */

/* Most units a batch holds. */
#define SF_DIE_BATCH_UNITS 64

/* What one batch produced, waiting for its turn to be merged. */
typedef struct work_batch {
	const sf_dw_unit *units[SF_DIE_BATCH_UNITS];
	size_t count;
	uint64_t bytes;          /* of its units */
	bool taken;              /* by a worker (under the loader's lock) */
	bool done;
	int res;
	char *message;           /* the worker's error message, when res < 0 */
	unsigned slot;           /* worker slot that walked it */
	sf_struct_list fresh;    /* definitions new to that slot, in merge order */
	offset_list alt_imports;
	sf_typedef_list typedefs; /* typedefs of tagged structs its units named */
	unsigned char *hits;     /* one per filter glob */
} work_batch;

/*
 * A model a worker walks batches into, in increasing batch order.  Each
 * worker has two: its in-turn slot for the lowest batch untaken, and an
 * out-of-turn slot for large batches taken early (die_batch.c,
 * jump_target).  `known` is written only by the worker; `map` (its
 * structs -> the image staging model's) only by the merging thread.
 */
typedef struct worker_slot {
	sf_model *known;
	sf_die_known digests;       /* definitions of `known` by DWARF digest */
	sf_hashmap map;
	sf_die_reuse reuse;         /* used only by the thread running the worker */
	/* Under the loader's lock: the worker takes only batches from
	 * `floor` on (one past the last it took), and whether its thread
	 * runs and may still take one. */
	size_t floor;
	bool running;
} worker_slot;

/*
 * With an image in `streaming`, a lister thread makes the batches as
 * .debug_info's units arrive (die_feed.h): `batches` grows under `lock`,
 * each batch is allocated on its own so that a worker's pointer to it
 * stays valid, and `listed_all` says that no batch is to come.
 */
typedef struct loader {
	const load_job *job;
	const sf_load_options *opts;
	size_t work_count;       /* units in batches */
	work_batch **batches;    /* in unit order */
	size_t batch_count;
	size_t batch_capacity;
	uint64_t batch_target;   /* bytes after which a batch is closed, before the tail */
	uint64_t batch_total;    /* bytes of the units to batch (streaming: the section's size) */
	uint64_t batched;        /* bytes of the units in closed batches */
	sf_dw_image *streaming;  /* the image being listed, or NULL */
	work_batch *open_batch;  /* the lister's batch being filled */
	bool listed_all;
	bool sync_ready;         /* lock and changed initialized */
	int list_res;            /* the lister's failure, with its message */
	char *list_message;
	size_t window;
	pthread_mutex_t lock;
	pthread_cond_t changed;
	size_t next;             /* lowest batch no worker has taken */
	size_t merged;           /* batches merged so far */
	bool stop;
	worker_slot *slots;      /* 2 * slot_count: in-turn slots, then out-of-turn ones */
	unsigned slot_count;     /* workers */
	bool reuse;              /* reuse definitions by digest (sf_load_options.no_reuse turns it off) */
	unsigned slots_taken;
} loader;

/* Lists the units to walk (type units first) and groups them into
 * batches, with a worker slot per job; with `streaming` (an image opened
 * by sf__dw_image_open_streaming(), else NULL) the batches are made
 * while the workers run.  0 or SF_ENOMEM; `l` is released by
 * sf__die_batches_release() either way. */
int sf__die_batches_plan(loader *l, const load_job *job, const sf_load_options *opts, sf_dw_image *streaming);
/* Whether a load of `job` may list .debug_info while its workers walk
 * it (as its bytes arrive, when they are being inflated): the load would
 * have several workers, and no other space or index needs the listing
 * first.  Listing up front was the serial start of a vmlinux load. */
bool sf__die_batches_may_stream(const load_job *job, const sf_load_options *opts);
/* Walks the batches, on threads when there are several jobs, and merges
 * them in order into `staging` (see above); dwz units they import are
 * appended to `alt_units`, *satisfied tells whether every name filter
 * glob matched.  `cursor` serves the walk when it runs on this thread. */
int sf__die_batches_run(loader *l, sf_model *staging, offset_list *alt_units, sf_dw_cursor *cursor,
			bool *satisfied);
/* Frees what `l` holds, on `reaper`'s thread when not NULL (the workers'
 * models are the slow part: nothing reads them after the merge). */
void sf__die_batches_release(loader *l, sf_reaper *reaper);

/* ---- die_publish.c ---- */

/* Merges every definition of `from` into `into`, first-seen order kept. */
int sf__die_merge_model(sf_model *into, sf_model *from, uint32_t file_index);
/* Merges the staging model of a loaded image into `model`, leaving out
 * orphan copies of anonymous bodies. */
int sf__die_publish(sf_model *model, sf_model *staging, uint32_t file_index);

/* ---- die_abi_pass.c ---- */

/*
 * Marks the staging model's structs reachable from the image's exports
 * (see sf_struct.abi_visible).  Runs on the calling thread after the
 * load, over the compile units only, and only when .dynsym exports
 * something: vmlinux and objects pay nothing.  `info_limit` is the
 * pass's (a -C probe lists only the first units).
 */
int sf__die_abi_pass(sf_model *staging, const load_job *job, uint64_t info_limit);

#endif
