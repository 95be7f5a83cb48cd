/* Loading one ELF image's DWARF into the type model. */
#ifndef SF_DWARF_DIE_LOAD_H
#define SF_DWARF_DIE_LOAD_H

#include <stdint.h>

#include "elf/input.h"
#include "model/structs.h"

/*
 * Walks every unit of `image` (on opts->jobs threads) (.debug_types type units, then .debug_info
 * compile, partial and type units, then the dwz partial units they
 * import), builds each unit's definitions and merges them into `model`
 * under `file_index`.  All-or-nothing: units are first merged into a
 * private staging model, which reaches `model` only when the whole image
 * loaded, so a corrupt image contributes nothing.
 *
 * Returns 0, SF_DIE_LOAD_PROBED (a -C probe of the first units found
 * every name: the rest of the image, its split units included, was not
 * looked at), SF_DIE_LOAD_NO_SKELETONS (loaded, and no unit listed can be
 * a split-DWARF skeleton: no .dwo to look for), SF_EINVALID (message "FILE: corrupt DWARF: ... at DIE
 * 0x..."), SF_EUNSUPPORTED (dwz references without the dwz file) or
 * SF_ENOMEM.
 */
#define SF_DIE_LOAD_PROBED 1
#define SF_DIE_LOAD_NO_SKELETONS 2

int sf__die_load_image(sf_model *model, const sf_debug_image *image, uint32_t file_index,
		       const sf_load_options *opts);

#endif
