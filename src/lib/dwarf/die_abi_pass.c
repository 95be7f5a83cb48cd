/* After the load: which structs the image's exported symbols make part
 * of its ABI, by walking the compile units again as the load did. */
#include "dwarf/die_pass.h"

#include <stdlib.h>
#include <string.h>

#include "dwarf/die_abi.h"
#include "util/fail.h"

/* A struct and what it holds by value. */
static void mark_visible(sf_struct *s, const char *via, unsigned depth)
{
	if (!s || depth > SF_DIE_MAX_DEPTH)
		return;
	s->abi_visible = true;
	if (!s->abi_via)
		s->abi_via = via;
	for (uint32_t i = 0; i < s->member_count; i++) {
		mark_visible((sf_struct *)s->members[i].nested, via, depth + 1);
		mark_visible((sf_struct *)s->members[i].element, via, depth + 1);
	}
}

static int abi_unit(sf_model *staging, const load_job *job, const sf_dw_image *dw, sf_dw_cursor *cursor,
		    const sf_dw_unit *u, const sf_abi_exports *exports, sf_abi_marks *marks, sf_die_reuse *reuse)
{
	sf_die_ctx ctx;
	sf_unit unit;
	sf_die root;
	int res = sf__dw_cursor_trim(cursor);

	if (res < 0)
		return res;
	if (sf__unit_init_pooled(&unit, job->file_index, &reuse->pool) < 0)
		return sf__fail(SF_ENOMEM, "out of memory");
	sf__die_ctx_init(&ctx, job->image, dw, cursor, NULL, &unit);
	ctx.reuse = reuse;
	marks->structs.count = 0;
	res = sf__die_open(&ctx, false, u->die_offset, true, &root);
	if (res >= 0) {
		sf__die_producer_quirks(&ctx, &root);
		res = sf__abi_walk_unit(&ctx, &root, exports, marks);
	}
	/* Built the same way as in the load, so the layouts match the
	 * merged definitions exactly. */
	for (size_t i = 0; i < marks->structs.count && res >= 0; i++) {
		sf_struct *found = sf__model_find(staging, marks->structs.items[i]);
		if (found) {
			found->abi_visible = true;
			if (!found->abi_via && marks->via[i] &&
			    !(found->abi_via = sf__arena_strdup(staging->arena, marks->via[i])))
				res = sf__fail(SF_ENOMEM, "out of memory");
		}
	}
	sf__die_ctx_release(&ctx);
	sf__unit_release(&unit);
	return res;
}

int sf__die_abi_pass(sf_model *staging, const load_job *job, uint64_t info_limit)
{
	sf_abi_exports exports;
	sf_abi_marks marks = { 0 };
	sf_dw_image full;
	sf_dw_cursor cursor = { 0 };
	sf_die_reuse reuse;
	bool opened = false, have_cursor = false;
	const sf_dw_image *dw = job->dw;
	int res;

	sf__die_reuse_init(&reuse);
	res = sf__abi_exports_read(&exports, job->image);
	if (res < 0 || exports.count == 0)
		goto done;
	/* A -C probe listed only the first units; exports may be anywhere. */
	if (info_limit != UINT64_MAX) {
		res = sf__dw_image_open(&full, job->image, UINT64_MAX);
		if (res < 0)
			goto done;
		opened = true;
		dw = &full;
	}
	res = sf__dw_cursor_init(&cursor, dw);
	if (res < 0)
		goto done;
	have_cursor = true;
	if (sf__arena_new(&marks.arena) < 0) {
		res = sf__fail(SF_ENOMEM, "out of memory");
		goto done;
	}
	for (size_t i = 0; i < dw->spaces[SF_DW_INFO].count && res >= 0; i++) {
		const sf_dw_unit *u = &dw->spaces[SF_DW_INFO].units[i];
		if (u->die_offset < u->end)
			res = abi_unit(staging, job, dw, &cursor, u, &exports, &marks, &reuse);
	}
	for (const sf_abi_name *n = marks.names; n && res >= 0; n = n->next) {
		for (size_t i = 0; i < staging->structs.count; i++) {
			sf_struct *s = staging->structs.items[i];
			if (s->name && (s->kind == SF_UNION) == n->is_union && strcmp(s->name, n->name) == 0)
				mark_visible(s, n->via ? sf__arena_strdup(staging->arena, n->via) : NULL, 0);
		}
	}
	/* What visible structs hold by value is part of the same ABI. */
	for (size_t i = 0; i < staging->structs.count && res >= 0; i++)
		if (staging->structs.items[i]->abi_visible)
			mark_visible(staging->structs.items[i], staging->structs.items[i]->abi_via, 0);
done:
	if (have_cursor)
		sf__dw_cursor_release(&cursor);
	if (opened)
		sf__dw_image_close(&full);
	sf__struct_list_free(&marks.structs);
	free(marks.via);
	sf__arena_free(marks.arena);
	sf__abi_exports_release(&exports);
	sf__die_reuse_release(&reuse);
	return res;
}
