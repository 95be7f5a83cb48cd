/* Setting up and releasing a unit's walk state.  Above the type and struct
 * builders: it hands die_type.c the struct builder (see sf_die_ctx.build_struct). */
#include "dwarf/die_ctx.h"
#include "dwarf/die_type_cache.h"

#include <stdlib.h>
#include <string.h>

void sf__die_ctx_init(sf_die_ctx *ctx, const sf_debug_image *image, const sf_dw_image *dw,
		      sf_dw_cursor *cursor, const sf_die_filter *filter, sf_unit *unit)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->image = image;
	ctx->dw = dw;
	ctx->cursor = cursor;
	ctx->filter = filter;
	ctx->unit = unit;
	ctx->target = sf__target_lookup(image->machine, image->address_size, image->big_endian);
	ctx->build_struct = sf__die_build_struct;
}

void sf__die_ctx_release(sf_die_ctx *ctx)
{
	sf__dw_files_release(&ctx->files);
	ctx->files_unit = NULL;
	ctx->files_loaded = false;
	sf__die_type_cache_release(ctx);
	free(ctx->pending);
	ctx->pending = NULL;
	free(ctx->alt_imports);
	ctx->alt_imports = NULL;
	free(ctx->scoped_units);
	ctx->scoped_units = NULL;
	free(ctx->scope_roots);
	ctx->scope_roots = NULL;
	ctx->scoped_unit_count = 0;
	free(ctx->fresh);
	ctx->fresh = NULL;
	free(ctx->fresh_index);
	ctx->fresh_index = NULL;
	ctx->fresh_index_capacity = 0;
	free(ctx->file_digests);
	ctx->file_digests = NULL;
	free(ctx->file_digest_state);
	ctx->file_digest_state = NULL;
}
