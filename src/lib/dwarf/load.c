/* sf_model_load(): every image of an input file into the model. */
#include <structfit/model.h>

#include "dwarf/die_load.h"
#include "dwarf/input.h"
#include "model/structs.h"
#include "model/target.h"
#include "util/fail.h"

typedef struct load_target {
	sf_model *model;
	const sf_load_options *opts;
} load_target;

static int load_image(void *ctx, const sf_debug_image *image)
{
	const load_target *to = ctx;
	sf_model *model = to->model;
	const sf_target *target = sf__target_lookup(image->machine, image->address_size, image->big_endian);
	sf_file_info info = {
		.path = image->display_name,
		.debug_path = image->debug_path,
		.arch = target->arch,
		.big_endian = image->big_endian ? 1 : 0,
		.address_size = image->address_size,
	};
	int index = sf__model_add_file(model, &info);
	int res;

	if (index < 0)
		return sf__fail(SF_ENOMEM, "out of memory");
	res = sf__die_load_image(model, image, (uint32_t)index, to->opts);
	/* A failed image contributed no structs; do not list it either, so
	 * every listed file really is in the model.  Its copied strings stay
	 * in the arena until the model is freed. */
	if (res < 0 && model->file_count == (size_t)index + 1)
		model->file_count--;
	return res;
}

int sf_model_load(sf_model *model, const char *path, const sf_load_options *opts)
{
	static const sf_load_options defaults = SF_LOAD_OPTIONS_INIT;
	load_target to = { model, opts ? opts : &defaults };
	return sf__input_each_image(path, to.opts, load_image, &to);
}
