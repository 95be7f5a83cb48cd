/* Following split-DWARF skeleton units to their .dwo files and .dwp
 * packages (die_split.c). */
#ifndef SF_DWARF_DIE_SPLIT_H
#define SF_DWARF_DIE_SPLIT_H

#include <stdint.h>

#include "elf/input.h"
#include "model/structs.h"

/*
 * Loads the types of every skeleton unit of `image` (read from the file
 * at `input_path`; NULL for archive members) into `model` under
 * `file_index`: from the package `input_path`.dwp (or one of that name
 * under opts->dwo_dirs) when it holds the unit's id, else from the unit's
 * .dwo, looked for under opts->dwo_dirs, then relative to DW_AT_comp_dir,
 * then next to the input.
 *
 * Problems of one unit do not stop the others: a .dwo not found
 * (SF_ENODEBUG), one whose id does not match its skeleton or a corrupt
 * .dwo/.dwp (SF_EINVALID) are each reported once through opts->on_error,
 * and the worst code is returned after every unit was tried (the message
 * of the last one stays in sf_error_last()).  Returns 0 when nothing went
 * wrong (also without skeletons), SF_ENOMEM when allocation failed.
 */
int sf__split_load(sf_model *model, const sf_debug_image *image, const char *input_path, uint32_t file_index,
		   const sf_load_options *opts);

#endif
