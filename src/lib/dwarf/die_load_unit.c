/* Loading one unit: its root's producer and language, the walk, and the
 * merge of what it defined. */
#include "dwarf/die_pass.h"

#include <stdlib.h>
#include <string.h>

#include "util/fail.h"
#include "util/grow.h"

int sf__die_offset_push(offset_list *list, uint64_t value)
{
	uint64_t *items = sf__grow(list->items, &list->capacity, list->count, sizeof(*items), 64);

	if (!items)
		return sf__fail(SF_ENOMEM, "out of memory");
	list->items = items;
	list->items[list->count++] = value;
	return 0;
}

/* Layouts follow the compiler that made them, ABI deviations included,
 * and the rules of the language it compiled. */
void sf__die_producer_quirks(sf_die_ctx *ctx, const sf_die *root)
{
	const char *producer = NULL;
	uint64_t language = 0;
	if (sf__die_string(ctx, root, DW_AT_producer, &producer) > 0 && producer)
		ctx->target = sf__target_for_producer(ctx->target, producer);
	if (sf__die_udata(ctx, root, DW_AT_language, &language) > 0)
		ctx->language = language;
}

/* Units up to this size are read through once before their walk. */
#define WARM_LIMIT (UINT64_C(512) << 10)

/*
 * The walk and the digests follow references, so they read a unit's
 * DIEs in no particular order, and each first read of a cache line (and
 * of a page, since walked pages are handed back: sf__dw_drop_pages) was
 * a full miss.  Reading the unit through once, in order, lets the
 * hardware prefetcher stream it into a cache it then fits in.
 */
static void warm_unit(const sf_dw_image *dw, const sf_dw_unit *u)
{
	const uint8_t *p = dw->spaces[u->space].data + u->offset;
	const uint64_t size = u->end - u->offset;
	uint64_t sum = 0, word;

	if (size > WARM_LIMIT)
		return;
	for (uint64_t at = 0; at + sizeof(word) <= size; at += 64) {
		memcpy(&word, p + at, sizeof(word));
		sum += word;
	}
	/* Keeps the loads: the sum itself is of no use. */
	__asm__ volatile("" : : "r"(sum));
}

int sf__die_load_unit(sf_model *staging, const load_job *job, sf_dw_cursor *cursor,
		     const sf_dw_unit *u, offset_list *alt_imports, unsigned char *hits,
		     sf_die_known *known, sf_typedef_list *typedefs, sf_die_reuse *reuse)
{
	sf_die_ctx ctx;
	sf_unit unit;
	sf_die root;
	int res;

	res = sf__dw_cursor_trim(cursor);
	if (res < 0)
		return res;
	res = sf__unit_init_pooled(&unit, job->file_index, reuse ? &reuse->pool : NULL);
	if (res < 0)
		return sf__fail(SF_ENOMEM, "out of memory");
	sf__die_ctx_init(&ctx, job->image, job->dw, cursor, &job->filter, &unit);
	ctx.reuse = reuse;
	warm_unit(job->dw, u);
	ctx.hits = hits;
	ctx.known = known;
	ctx.typedefs = typedefs;
	res = sf__die_open(&ctx, u->space == SF_DW_ALT, u->die_offset, u->space != SF_DW_TYPES, &root);
	if (res < 0)
		goto done;
	sf__die_producer_quirks(&ctx, &root);
	res = sf__die_walk_unit(&ctx, &root);
	if (res < 0)
		goto done;
	for (size_t i = 0; i < ctx.alt_import_count && res >= 0; i++)
		res = sf__die_offset_push(alt_imports, ctx.alt_imports[i]);
	if (res >= 0)
		res = sf__model_merge_unit(staging, &unit);
	for (size_t i = 0; i < ctx.fresh_count && res >= 0; i++)
		res = sf__die_known_add(known, &ctx.fresh[i].digest, ctx.fresh[i].s->canonical,
					sf__die_fresh_ident(&ctx.fresh[i]));
done:
	sf__die_ctx_release(&ctx);
	sf__unit_release(&unit);
	return res;
}
