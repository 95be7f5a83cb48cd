/* The DWARF decoder's entry point, which load/ dispatches to. */
#ifndef SF_DWARF_MODEL_LOAD_H
#define SF_DWARF_MODEL_LOAD_H

#include <structfit/model.h>

/*
 * sf_model_load() for DWARF: every image of `path` (and its separate
 * debug and dwz files) into `model`.  `opts` is never NULL and is of the
 * current version (load/ fills the fields an older caller lacks).
 * Same returns as sf_model_load().
 */
int sf__dwarf_model_load(sf_model *model, const char *path, const sf_load_options *opts);

#endif
