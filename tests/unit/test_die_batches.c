/* How the loader groups units into batches (die_batch.c), on a listing made by hand. */
#include <criterion/criterion.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <structfit/structfit.h>

#include "dwarf/die_pass.h"
#include "elf/input.h"

#define UNIT_BYTES (UINT64_C(8) << 10)
#define UNIT_COUNT 2000   /* 16 MB: batches of 256 KB (1/64 of it) */

/* Plans the batches of UNIT_COUNT units of UNIT_BYTES in .debug_info;
 * the caller releases `l`. */
static void plan(loader *l, sf_dw_image *dw, sf_debug_image *image, load_job *job, sf_load_options *opts)
{
	sf_dw_unit *units = calloc(UNIT_COUNT, sizeof(*units));

	cr_assert_not_null(units);
	for (size_t i = 0; i < UNIT_COUNT; i++) {
		units[i].offset = i * UNIT_BYTES;
		units[i].end = (i + 1) * UNIT_BYTES;
		units[i].die_offset = units[i].offset + 11;
		units[i].space = SF_DW_INFO;
	}
	memset(dw, 0, sizeof(*dw));
	memset(image, 0, sizeof(*image));
	memset(l, 0, sizeof(*l));
	dw->spaces[SF_DW_INFO].units = units;
	dw->spaces[SF_DW_INFO].count = UNIT_COUNT;
	*job = (load_job){ .image = image, .dw = dw };
	opts->jobs = 2;
	cr_assert_eq(sf__die_batches_plan(l, job, opts, NULL), 0, "%s", sf_error_last());
}

/* The last batches shrink with what is left, so that the workers end
 * together: with 256 KB batches to the end, one worker sat idle while
 * the other walked the batch it took last (on a vmlinux, 4-15 ms). */
Test(die_batches, last_batches_shrink_with_what_is_left)
{
	sf_load_options opts = SF_LOAD_OPTIONS_INIT;
	sf_debug_image image;
	sf_dw_image dw;
	load_job job;
	loader l;
	uint64_t before = 0, total = UNIT_BYTES * UNIT_COUNT;
	size_t units = 0;

	plan(&l, &dw, &image, &job, &opts);
	cr_assert_eq(l.batch_target, total / 64);
	for (size_t k = 0; k < l.batch_count; k++) {
		const work_batch *b = l.batches[k];
		uint64_t left = total - before;
		uint64_t limit = left / 8 > l.batch_target ? l.batch_target : left / 8;

		cr_assert_eq(b->units[0]->offset, before, "batch %zu starts where the last ended", k);
		if (limit < (UINT64_C(64) << 10))
			limit = UINT64_C(64) << 10;
		/* Closed at the first unit reaching the limit. */
		cr_assert(b->bytes >= limit || k == l.batch_count - 1, "batch %zu: %llu bytes, limit %llu", k,
			  (unsigned long long)b->bytes, (unsigned long long)limit);
		cr_assert_lt(b->bytes, limit + UNIT_BYTES, "batch %zu: %llu bytes, limit %llu", k,
			     (unsigned long long)b->bytes, (unsigned long long)limit);
		before += b->bytes;
		units += b->count;
	}
	cr_assert_eq(before, total);
	cr_assert_eq(units, UNIT_COUNT);
	cr_assert_leq(l.batches[l.batch_count - 2]->bytes, UINT64_C(64) << 10);
	/* Far from the end, the target. */
	cr_assert_geq(l.batches[0]->bytes, l.batch_target);
	cr_assert_lt(l.batches[0]->bytes, l.batch_target + UNIT_BYTES);
	free(dw.spaces[SF_DW_INFO].units);
	sf__die_batches_release(&l, NULL);
}
