/* Loading one image: units listed up front, walked in batches (die_batch.c),
 * dwz imports, the ABI pass, and publishing the result. */
#include "dwarf/die_load.h"

#include <stdlib.h>

#include "dwarf/die_feed.h"
#include "dwarf/die_pass.h"
#include "util/fail.h"

static bool want_abi(const sf_load_options *opts)
{
	return opts->version < 3 || opts->want_abi;
}

/* Walks the dwz units the image imports, once each in first-import order;
 * they may import further ones, appended as we go. */
static int load_alt_units(sf_model *staging, const load_job *job, sf_dw_cursor *cursor,
			  offset_list *alt_units)
{
	const sf_debug_image *image = job->image;
	int res = 0;

	for (size_t i = 0; i < alt_units->count && res >= 0; i++) {
		const sf_dw_unit *u;
		sf_model *one = NULL;
		offset_list more = { 0 };
		bool repeat = false;
		for (size_t j = 0; j < i && !repeat; j++)
			repeat = alt_units->items[j] == alt_units->items[i];
		if (repeat)
			continue;
		u = sf__dw_unit_at(job->dw, SF_DW_ALT, alt_units->items[i]);
		if (!u || u->die_offset != alt_units->items[i])
			return sf__fail(SF_EINVALID, "%s: corrupt DWARF: import of a missing dwz unit 0x%llx",
					image->display_name ? image->display_name : "(input)",
					(unsigned long long)alt_units->items[i]);
		res = sf_model_new(&one);
		if (res >= 0)
			res = sf__die_load_unit(one, job, cursor, u, &more, NULL, NULL, &staging->typedefs, NULL);
		if (res >= 0)
			res = sf__die_merge_model(staging, one, job->file_index);
		for (size_t j = 0; j < more.count && res >= 0; j++)
			res = sf__die_offset_push(alt_units, more.items[j]);
		free(more.items);
		sf_model_free(one);
	}
	return res;
}

/*
 * Whether a unit listed may be a split-DWARF skeleton, by its header as
 * sf__dw_skeletons() judges it first.  Asked here, of the listing in
 * memory, it spares most files that function's second walk over every
 * unit header after the load, whose pages were given back.
 */
static bool may_have_skeletons(const sf_dw_image *dw)
{
	const sf_dw_space_units *s = &dw->spaces[SF_DW_INFO];

	if (dw->streaming)
		return true;   /* the units are still the feed's */
	for (size_t i = 0; i < s->count; i++)
		if (sf__dw_unit_may_be_skeleton(&s->units[i]))
			return true;
	return false;
}

/*
 * One load of the image.  With `info_limit` below the section size only
 * the units starting before it are listed and walked (a probe for -C):
 * the pass then publishes only if the filter was satisfied, and returns
 * 1 (nothing published) when not or when anything went wrong.  A whole pass returns
 * SF_DIE_LOAD_NO_SKELETONS or 0 (see sf__die_load_image()).
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
	bool streaming;
	int res;

	/* A .debug_info still being inflated is walked as it arrives. */
	streaming = info_limit == UINT64_MAX && sf__die_batches_may_stream(&job, opts);
	res = streaming ? sf__dw_image_open_streaming(&dw, image) : sf__dw_image_open(&dw, image, info_limit);
	if (res < 0)
		return res;
	if (opts->version >= 2) {
		job.filter.names = opts->only_names;
		job.filter.name_count = opts->only_names ? opts->only_name_count : 0;
		job.filter.local_types = opts->local_types != 0;
	}
	if (opts->version >= 6)
		job.filter.typedef_chains = opts->typedef_chains != 0;
	res = sf_model_new(&staging);
	if (res >= 0)
		res = sf__dw_cursor_init(&cursor, &dw);
	if (res >= 0)
		res = sf__die_batches_plan(&l, &job, opts, streaming ? &dw : NULL);
	if (res < 0)
		goto done;
	res = sf__die_batches_run(&l, staging, &alt_units, &cursor, &satisfied);
	/* The workers' models hold copies of what `staging` now has: with
	 * threads, the model's reaper frees them while this one publishes. */
	sf__die_batches_release(&l, model->reaper);
	l = (loader){ 0 };
	if (info_limit != UINT64_MAX && (res < 0 || !satisfied)) {
		res = 1;
		goto done;
	}
	if (res >= 0)
		res = load_alt_units(staging, &job, &cursor, &alt_units);
	if (res >= 0 && want_abi(opts))
		res = sf__die_abi_pass(staging, &job, info_limit);
	if (res >= 0)
		res = sf__die_publish(model, staging, file_index);
	if (res >= 0 && info_limit == UINT64_MAX && !may_have_skeletons(&dw))
		res = SF_DIE_LOAD_NO_SKELETONS;
done:
	sf__die_batches_release(&l, NULL);
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
	if (sf__die_first_match_only(opts) && opts->only_name_count && !image->sections.types.data &&
	    !image->alt_sections.info.data && image->sections.info.size > PROBE_BYTES) {
		res = load_pass(model, image, file_index, opts, PROBE_BYTES);
		if (res <= 0)
			return res < 0 ? res : SF_DIE_LOAD_PROBED;
	}
	return load_pass(model, image, file_index, opts, UINT64_MAX);
}
