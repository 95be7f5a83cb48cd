/* Unit enumeration for one image and its all-or-nothing merge into the model. */
#include "dwarf/die_load.h"

#include <stdlib.h>
#include <string.h>

#include "dwarf/die_ctx.h"
#include "util/fail.h"

typedef struct offset_list {
	uint64_t *items;
	size_t count;
	size_t capacity;
} offset_list;

static int offset_push(offset_list *list, uint64_t value)
{
	if (list->count == list->capacity) {
		size_t capacity = list->capacity ? list->capacity * 2 : 64;
		uint64_t *items = realloc(list->items, capacity * sizeof(*items));
		if (!items)
			return sf__fail(SF_ENOMEM, "out of memory");
		list->items = items;
		list->capacity = capacity;
	}
	list->items[list->count++] = value;
	return 0;
}

static const char *file_of(const sf_debug_image *image)
{
	return image->display_name ? image->display_name : "(input)";
}

static int libdwarf_failed(const sf_debug_image *image, Dwarf_Debug dbg, Dwarf_Error err,
			   const char *what)
{
	int code = sf__fail(SF_EINVALID, "%s: corrupt DWARF: %s: %s", file_of(image), what,
			    err ? dwarf_errmsg(err) : "unknown libdwarf error");
	if (err)
		dwarf_dealloc(dbg, err, DW_DLA_ERROR);
	return code;
}

/*
 * Lists the root DIE offsets of every unit first, and only then walks
 * them: following references while libdwarf's unit cursor is mid-way is
 * something we do not want to depend on.
 */
static int list_units(const sf_debug_image *image, Dwarf_Debug dbg, bool is_info, offset_list *out)
{
	for (;;) {
		Dwarf_Unsigned header_length = 0, type_offset = 0, next = 0;
		Dwarf_Half version = 0, address_size = 0, length_size = 0, extension_size = 0, unit_type = 0;
		Dwarf_Off abbrev_offset = 0, offset = 0;
		Dwarf_Sig8 signature;
		Dwarf_Error err = NULL;
		Dwarf_Die root = NULL;
		int res;

		res = dwarf_next_cu_header_d(dbg, is_info, &header_length, &version, &abbrev_offset,
					     &address_size, &length_size, &extension_size, &signature,
					     &type_offset, &next, &unit_type, &err);
		if (res == DW_DLV_NO_ENTRY)
			return 0;
		if (res == DW_DLV_ERROR)
			return libdwarf_failed(image, dbg, err, "unit header");
		res = dwarf_siblingof_b(dbg, NULL, is_info, &root, &err);
		if (res == DW_DLV_ERROR)
			return libdwarf_failed(image, dbg, err, "unit DIE");
		if (res == DW_DLV_NO_ENTRY)
			continue;
		res = dwarf_dieoffset(root, &offset, &err);
		dwarf_dealloc(dbg, root, DW_DLA_DIE);
		if (res != DW_DLV_OK)
			return libdwarf_failed(image, dbg, err, "unit DIE offset");
		res = offset_push(out, offset);
		if (res < 0)
			return res;
	}
}

/*
 * Moves libdwarf's unit cursor one unit on, ignoring the outcome.  libdwarf
 * 20210528 looks up the unit of every DIE offset starting from the unit the
 * cursor last produced and otherwise scans its list of units, so walking
 * unit i with the cursor at unit i makes dwarf_offdie_b() cheap (3x faster
 * on glibc's debug file).  Correctness never depends on it: the units to
 * walk were listed beforehand.
 */
static void advance_cursor(Dwarf_Debug dbg, bool is_info)
{
	Dwarf_Unsigned header_length = 0, type_offset = 0, next = 0;
	Dwarf_Half version = 0, address_size = 0, length_size = 0, extension_size = 0, unit_type = 0;
	Dwarf_Off abbrev_offset = 0;
	Dwarf_Sig8 signature;
	Dwarf_Error err = NULL;

	if (dwarf_next_cu_header_d(dbg, is_info, &header_length, &version, &abbrev_offset,
				   &address_size, &length_size, &extension_size, &signature,
				   &type_offset, &next, &unit_type, &err) == DW_DLV_ERROR)
		dwarf_dealloc(dbg, err, DW_DLA_ERROR);
}

/* Layouts follow the compiler that made them, ABI deviations included. */
static void apply_producer_quirks(sf_die_ctx *ctx, Dwarf_Debug dbg, const sf_die *root)
{
	char *producer = NULL;
	Dwarf_Error err = NULL;
	int res = dwarf_die_text(root->die, DW_AT_producer, &producer, &err);

	if (res == DW_DLV_ERROR) {
		dwarf_dealloc(dbg, err, DW_DLA_ERROR);
		return;
	}
	if (res == DW_DLV_OK) {
		ctx->target = sf__target_for_producer(ctx->target, producer);
		dwarf_dealloc(dbg, producer, DW_DLA_STRING);
	}
}

static int load_unit(sf_model *staging, const sf_debug_image *image, bool alt, Dwarf_Off offset,
		     bool is_info, uint32_t file_index, offset_list *alt_imports)
{
	Dwarf_Debug dbg = alt ? image->alt_dbg : image->dbg;
	sf_die_ctx ctx;
	sf_unit unit;
	sf_die root;
	int res;

	res = sf__unit_init(&unit, file_index);
	if (res < 0)
		return sf__fail(SF_ENOMEM, "out of memory");
	sf__die_ctx_init(&ctx, image, &unit);
	res = sf__die_open(&ctx, dbg, alt, offset, is_info, &root);
	if (res < 0)
		goto done;
	apply_producer_quirks(&ctx, dbg, &root);
	res = sf__die_walk_unit(&ctx, &root);
	sf__die_release(&root);
	if (res < 0)
		goto done;
	for (size_t i = 0; i < ctx.alt_import_count && res >= 0; i++)
		res = offset_push(alt_imports, ctx.alt_imports[i]);
	if (res >= 0)
		res = sf__model_merge_unit(staging, &unit);
done:
	sf__die_ctx_release(&ctx);
	sf__unit_release(&unit);
	return res;
}

/* Pointer set for the final ordering pass. */
static bool mark_seen(sf_hashmap *seen, const sf_struct *s, int *res)
{
	uint64_t hash = sf__hash_u64(SF_HASH_SEED, (uint64_t)(uintptr_t)s);
	size_t cursor = 0;
	void *v;
	while ((v = sf__hashmap_next(seen, hash, &cursor)))
		if (v == s)
			return false;
	if (sf__hashmap_insert(seen, hash, (void *)s) < 0)
		*res = sf__fail(SF_ENOMEM, "out of memory");
	return true;
}

/* The staging model lists only top-level definitions; merging wants the
 * nested bodies too, each after what it contains. */
static int order_struct(sf_struct_list *out, sf_hashmap *seen, sf_struct *s, unsigned depth)
{
	int res = 0;
	if (!mark_seen(seen, s, &res) || res < 0)
		return res;
	if (depth > SF_DIE_MAX_DEPTH)
		return sf__fail(SF_EINVALID, "corrupt DWARF: struct nesting too deep");
	for (uint32_t i = 0; i < s->member_count && res >= 0; i++) {
		const sf_member *m = &s->members[i];
		if (m->nested)
			res = order_struct(out, seen, (sf_struct *)m->nested, depth + 1);
		if (res >= 0 && m->element)
			res = order_struct(out, seen, (sf_struct *)m->element, depth + 1);
	}
	if (res >= 0 && sf__struct_list_push(out, s) < 0)
		res = sf__fail(SF_ENOMEM, "out of memory");
	return res;
}

/* Layout hash of a typedef'd anonymous struct as if it had no typedef. */
static uint64_t hash_without_typedef(const sf_struct *s)
{
	sf_struct bare = *s;
	bare.typedef_name = NULL;
	return sf__struct_hash(&bare);
}

/*
 * True for an unnamed, untypedef'd definition that repeats the body of an
 * anonymous member or typedef seen elsewhere in the image.  Type units make
 * these: the compile unit keeps its own copy of unnamed types whose users
 * moved to a type unit, and nothing in the compile unit claims the copy.
 */
static bool is_orphan_copy(const sf_model *staging, const sf_hashmap *typedefd, const sf_struct *s)
{
	size_t cursor = 0;
	const sf_struct *c;

	if (s->name || s->typedef_name || s->is_nested_body)
		return false;
	while ((c = sf__hashmap_next(&staging->by_hash, s->hash, &cursor)))
		if (c != s && c->is_nested_body && sf__struct_same(c, s))
			return true;
	cursor = 0;
	while ((c = sf__hashmap_next(typedefd, s->hash, &cursor))) {
		sf_struct bare = *c;
		bare.typedef_name = NULL;
		if (sf__struct_same(&bare, s))
			return true;
	}
	return false;
}

static int publish(sf_model *model, sf_model *staging, uint32_t file_index)
{
	sf_unit batch = { .arena = NULL, .file_index = file_index };
	sf_hashmap seen = { 0 }, typedefd = { 0 };
	int res = 0;

	for (size_t i = 0; i < staging->structs.count && res >= 0; i++) {
		sf_struct *s = staging->structs.items[i];
		if (!s->name && s->typedef_name &&
		    sf__hashmap_insert(&typedefd, hash_without_typedef(s), s) < 0)
			res = sf__fail(SF_ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < staging->structs.count && res >= 0; i++) {
		sf_struct *s = staging->structs.items[i];
		if (!is_orphan_copy(staging, &typedefd, s))
			res = order_struct(&batch.structs, &seen, s, 0);
	}
	sf__hashmap_free(&typedefd);
	if (res >= 0)
		res = sf__model_merge_unit(model, &batch);
	sf__hashmap_free(&seen);
	sf__struct_list_free(&batch.structs);
	return res;
}

int sf__die_load_image(sf_model *model, const sf_debug_image *image, uint32_t file_index)
{
	offset_list types = { 0 }, infos = { 0 }, alt_units = { 0 };
	sf_model *staging = NULL;
	int res;

	res = sf_model_new(&staging);
	if (res < 0)
		goto done;
	/* Type units first, so a definition is first met where its
	 * decl_file can be read rather than through a signature. */
	res = list_units(image, image->dbg, false, &types);
	if (res >= 0)
		res = list_units(image, image->dbg, true, &infos);
	for (size_t i = 0; i < types.count && res >= 0; i++) {
		advance_cursor(image->dbg, false);
		res = load_unit(staging, image, false, types.items[i], false, file_index, &alt_units);
	}
	for (size_t i = 0; i < infos.count && res >= 0; i++) {
		advance_cursor(image->dbg, true);
		res = load_unit(staging, image, false, infos.items[i], true, file_index, &alt_units);
	}
	/* Imported dwz units are walked once each, in first-import order;
	 * they may import further ones, appended as we go. */
	for (size_t i = 0; i < alt_units.count && res >= 0; i++) {
		bool repeat = false;
		for (size_t j = 0; j < i && !repeat; j++)
			repeat = alt_units.items[j] == alt_units.items[i];
		if (!repeat)
			res = load_unit(staging, image, true, alt_units.items[i], true, file_index, &alt_units);
	}
	if (res >= 0)
		res = publish(model, staging, file_index);
done:
	sf_model_free(staging);
	free(types.items);
	free(infos.items);
	free(alt_units.items);
	return res < 0 ? res : 0;
}
