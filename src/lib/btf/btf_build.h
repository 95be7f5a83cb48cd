/* Building the model's structs from a parsed BTF type graph. */
#ifndef SF_BTF_BUILD_H
#define SF_BTF_BUILD_H

#include <structfit/model.h>

#include <stdint.h>

#include "model/structs.h"
#include "model/target.h"

struct btf;

/* What one BTF load builds from: the graph (borrowed) and where it goes. */
typedef struct sf__btf_source {
	const struct btf *btf;
	const char *display_name;   /* names the input in messages */
	uint32_t first_id;          /* roots: ids first_id..count-1 (split BTF skips its base) */
	uint32_t file_index;
	const sf_target *target;
	const sf_load_options *opts;
} sf__btf_source;

/*
 * Builds every struct and union of the source's roots (those matching
 * opts->only_names when set) and what they embed, and merges them into
 * `model`.  Type ids, string offsets and loops are checked: corrupt
 * graphs give SF_EINVALID naming the type id.  0, SF_EINVALID or SF_ENOMEM.
 */
int sf__btf_build(sf_model *model, const sf__btf_source *source);

/*
 * The C spelling of BTF type `id` ("struct foo *", "char[16]",
 * "int (*)(void)") in `arena`, or NULL on ENOMEM.  Bounded: a chain
 * too deep or cyclic is spelled "?".
 */
const char *sf__btf_spell(const struct btf *btf, uint32_t id, sf_arena *arena);

#endif
