/* sf__dwarf_model_load(): every image of an input file into the model. */
#include "dwarf/dwarf_model_load.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dwarf/die_load.h"
#include "dwarf/die_split.h"
#include "elf/input.h"
#include "model/structs.h"
#include "model/target.h"
#include "util/fail.h"

typedef struct load_target {
	sf_model *model;
	const sf_load_options *opts;
	const char *path;
	/* Worst problem of a split-DWARF unit (die_split.h), already passed
	 * to opts->on_error; the image itself loaded. */
	int split_res;
	char split_message[512];
	/* A second pass over the same input reuses its file entries, which
	 * start here; -1 on the first pass. */
	long reuse_from;
	size_t image_index;
} load_target;

static int load_image(void *ctx, const sf_debug_image *image)
{
	load_target *to = ctx;
	sf_model *model = to->model;
	const sf_target *target = sf__target_lookup(image->machine, image->address_size, image->big_endian);
	sf_file_info info = {
		.path = image->display_name,
		.debug_path = image->debug_path,
		.arch = target->arch,
		.big_endian = image->big_endian ? 1 : 0,
		.address_size = image->address_size,
	};
	/* An archive member has no file of its own for a .dwp to sit next to. */
	const char *input_path = strcmp(image->display_name, to->path) == 0 ? to->path : NULL;
	int index;
	int res;

	if (to->reuse_from >= 0) {
		size_t again = (size_t)to->reuse_from + to->image_index++;
		/* An image that failed the first time is not listed. */
		if (again >= model->file_count)
			return 0;
		res = sf__die_load_image(model, image, (uint32_t)again, to->opts);
		index = (int)again;
	} else {
		index = sf__model_add_file(model, &info);
		if (index < 0)
			return sf__fail(SF_ENOMEM, "out of memory");
		res = sf__die_load_image(model, image, (uint32_t)index, to->opts);
		/* A failed image contributed no structs; do not list it either, so
		 * every listed file really is in the model.  Its copied strings stay
		 * in the arena until the model is freed. */
		if (res < 0 && model->file_count == (size_t)index + 1)
			model->file_count--;
	}
	if (res < 0)
		return res;
	/* Every -C name was found in the first units: listing the skeleton
	 * units would touch every page of .debug_info, which the probe is
	 * there to avoid (first definitions are what -C asks for). */
	if (res == SF_DIE_LOAD_PROBED || res == SF_DIE_LOAD_NO_SKELETONS)
		return 0;
	/* Skeleton units keep their types in .dwo files or a .dwp package. */
	res = sf__split_load(model, image, input_path, (uint32_t)index, to->opts);
	if (res == SF_ENOMEM)
		return res;
	if (res < 0 && to->split_res == 0) {
		to->split_res = res;
		snprintf(to->split_message, sizeof(to->split_message), "%s", sf_error_last());
	}
	return 0;
}

/* `name` as a glob matching only itself (C++ names hold `*` and `[`). */
static char *literal_glob(const char *name)
{
	char *out = malloc(strlen(name) * 2 + 1), *q = out;

	if (!out)
		return NULL;
	for (const char *p = name; *p; p++) {
		if (strchr("*?[\\", *p))
			*q++ = '\\';
		*q++ = *p;
	}
	*q = '\0';
	return out;
}

/*
 * With -C, only the named structs are built, so the definition of a base
 * class their units only declare was skipped: load the same input once
 * more for exactly the declared names still waiting.
 */
static int load_declared(sf_model *model, const char *path, const sf_load_options *opts, size_t first_file)
{
	sf_load_options again = *opts;
	load_target to = { model, &again, path, 0, "", (long)first_file, 0 };
	char **names = NULL;
	size_t count = 0;
	int res = 0;

	if (!model->declared.count)
		return 0;
	names = calloc(model->declared.count * 4 + 1, sizeof(*names));
	if (!names)
		return sf__fail(SF_ENOMEM, "out of memory");
	for (size_t i = 0; i < model->declared.count && res == 0; i++) {
		const sf_struct *s = model->declared.items[i];
		for (uint32_t k = 0; k < s->member_count && count < model->declared.count * 4; k++) {
			const sf_member *m = &s->members[k];
			bool is_union = false;
			const char *name = sf__declared_name(m->type_name, &is_union);
			if (!(m->flags & SF_MEMBER_DECL_ONLY) || m->size || !name)
				continue;
			if (!(names[count++] = literal_glob(name)))
				res = sf__fail(SF_ENOMEM, "out of memory");
		}
	}
	if (res == 0 && count) {
		again.only_names = (const char *const *)names;
		again.only_name_count = count;
		again.first_match_only = 0;
		again.on_progress = NULL;
		again.on_error = NULL;   /* said once, by the first pass */
		res = sf__input_each_image(path, &again, sf__model_reaper(model, opts->jobs), load_image, &to);
	}
	for (size_t i = 0; i < count; i++)
		free(names[i]);
	free(names);
	return res;
}

int sf__dwarf_model_load(sf_model *model, const char *path, const sf_load_options *opts)
{
	static const sf_load_options defaults = SF_LOAD_OPTIONS_INIT;
	load_target to = { model, opts ? opts : &defaults, path, 0, "", -1, 0 };
	size_t first_file = model->file_count;
	int res = sf__input_each_image(path, to.opts, sf__model_reaper(model, to.opts->jobs), load_image, &to);
	/* Also after a failed input: what the others brought is complete. */
	int resolved = sf__model_resolve_declared(model);

	/* A base's definition may wait on its own bases: a few rounds, while
	 * they make progress. */
	for (unsigned round = 0; round < 4 && resolved >= 0 && res >= 0 && to.opts->only_name_count &&
	     model->declared.count; round++) {
		size_t before = model->structs.count;
		resolved = load_declared(model, path, to.opts, first_file);
		if (resolved >= 0)
			resolved = sf__model_resolve_declared(model);
		if (model->structs.count == before)
			break;
	}
	/* Its thread, if any, need not wait for another load. */
	sf__reaper_let_go(model->reaper);
	if (res >= 0 && resolved >= 0 && to.split_res < 0)
		return sf__fail(to.split_res, "%s", to.split_message);
	return res < 0 ? res : resolved < 0 ? resolved : res;
}
