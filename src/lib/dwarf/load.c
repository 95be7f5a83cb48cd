/* sf_model_load(): every image of an input file into the model. */
#include <structfit/model.h>

#include "dwarf/die_load.h"
#include "dwarf/input.h"
#include "model/structs.h"
#include "model/target.h"
#include "util/fail.h"

static int load_image(void *ctx, const sf_debug_image *image)
{
	sf_model *model = ctx;
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
	res = sf__die_load_image(model, image, (uint32_t)index);
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
	return sf__input_each_image(path, opts ? opts : &defaults, load_image, model);
}
