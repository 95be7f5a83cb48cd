/* Finding every struct, union and class definition in one unit's DIE tree. */
#include "dwarf/die_ctx.h"
#include "dwarf/die_type_cache.h"

#include <stdlib.h>
#include <string.h>

#include "util/fail.h"
#include "util/name_glob.h"

/*
 * Only DIEs that can contain type definitions are entered.  Function
 * bodies hold local types (`struct { } x;` inside a function); pahole does
 * not list them, and skipping the bodies saves most of a kernel's DIEs, so
 * they are entered only when the filter asks for local types.
 */
static bool may_hold_types(const sf_die_ctx *ctx, uint16_t tag)
{
	switch (tag) {
	case DW_TAG_compile_unit:
	case DW_TAG_partial_unit:
	case DW_TAG_type_unit:
	case DW_TAG_namespace:
	case DW_TAG_module:
	case DW_TAG_structure_type:
	case DW_TAG_union_type:
	case DW_TAG_class_type:
		return true;
	case DW_TAG_subprogram:
	case DW_TAG_lexical_block:
	case DW_TAG_inlined_subroutine:
		return ctx->filter && ctx->filter->local_types;
	default:
		return false;
	}
}

/* With a name filter, only definitions whose name matches a glob (and
 * what they contain) are built.  Records which globs matched. */
static bool wanted_name(sf_die_ctx *ctx, const char *name)
{
	const sf_die_filter *f = ctx->filter;
	bool any = false;

	if (!f || f->name_count == 0)
		return true;
	if (!name)
		return false;
	for (size_t i = 0; i < f->name_count; i++) {
		if (f->names[i] && sf__name_glob_match(f->names[i], name)) {
			any = true;
			if (ctx->hits)
				ctx->hits[i] = 1;
		}
	}
	return any;
}

static int push_u64(uint64_t **items, size_t *count, size_t *capacity, uint64_t value)
{
	if (*count == *capacity) {
		size_t grown = *capacity ? *capacity * 2 : 16;
		uint64_t *bigger = realloc(*items, grown * sizeof(*bigger));
		if (!bigger)
			return sf__fail(SF_ENOMEM, "out of memory");
		*items = bigger;
		*capacity = grown;
	}
	(*items)[(*count)++] = value;
	return 0;
}

static int remember_pending(sf_die_ctx *ctx, uint64_t key)
{
	return push_u64(&ctx->pending, &ctx->pending_count, &ctx->pending_capacity, key);
}

/* dwz moves shared types into partial units of a supplementary file and
 * imports them; those units are not among the image's own. */
static int remember_import(sf_die_ctx *ctx, const sf_die *d)
{
	sf_die unit;
	int res = sf__die_ref(ctx, d, DW_AT_import, &unit);
	if (res <= 0)
		return res;
	if (unit.alt)
		res = push_u64(&ctx->alt_imports, &ctx->alt_import_count, &ctx->alt_import_capacity,
			       unit.offset);
	sf__die_release(&unit);
	return res;
}

/* A Rust struct with a variant part is an enum; the structs rustc nests
 * in it are its variants. */
static int is_rust_enum(sf_die_ctx *ctx, const sf_die *d, bool *yes)
{
	uint16_t tag = 0;
	sf_die child;
	int res;

	*yes = false;
	if (ctx->language != DW_LANG_Rust)
		return 0;
	res = sf__die_tag(ctx, d, &tag);
	if (res < 0 || tag != DW_TAG_structure_type)
		return res < 0 ? res : 0;
	res = sf__die_first_child(ctx, d, &child);
	while (res > 0 && !*yes) {
		res = sf__die_tag(ctx, &child, &tag);
		if (res >= 0)
			*yes = tag == DW_TAG_variant_part;
		if (res >= 0 && !*yes)
			res = sf__die_next_sibling(ctx, &child);
	}
	sf__die_release(&child);
	return res < 0 ? res : 0;
}

/*
 * Lists `typedef struct tag name;` so -C finds the struct by `name` too;
 * `name` is the typedef's qualified name when the caller has read it.
 * Only typedefs of tagged structs read their name here: the struct's
 * layout, already cached, says which ones are.
 */
static int list_typedef(sf_die_ctx *ctx, const sf_die *d, const char *name, const sf_struct *s)
{
	int res = 0;

	if (!name) {
		res = sf__die_string(ctx, d, DW_AT_name, &name);
		if (res >= 0 && name)
			res = sf__die_qualified_name(ctx, d, name, &name);
	}
	if (res < 0 || !name || strcmp(name, s->name) == 0)
		return res < 0 ? res : 0;
	return sf__typedef_list_add(ctx->typedefs, name, s->name, s->kind == SF_UNION);
}

static int visit(sf_die_ctx *ctx, const sf_die *d, uint16_t tag, unsigned depth, bool in_enum)
{
	if (tag == DW_TAG_structure_type || tag == DW_TAG_union_type || tag == DW_TAG_class_type) {
		const char *name = NULL, *raw_name = NULL;
		bool declaration = false;
		sf_struct *s = NULL;
		int res = sf__die_flag(ctx, d, DW_AT_declaration, &declaration);
		if (res >= 0 && !declaration)
			res = sf__die_string(ctx, d, DW_AT_name, &raw_name);
		name = raw_name;
		/* -C matches the name as reported: `a::S`. */
		if (res >= 0 && !declaration && ctx->filter && ctx->filter->name_count)
			res = sf__die_qualified_name(ctx, d, raw_name, &name);
		if (res < 0 || declaration)
			return res;
		/* Unnamed ones wait: a member or typedef seen later may claim
		 * them as its body or give them a name.  A name filter can
		 * only reach them through a typedef. */
		if (!name)
			return wanted_name(ctx, NULL) ? remember_pending(ctx, sf__die_key(d)) : 0;
		if (!wanted_name(ctx, name))
			return 0;
		if (in_enum)
			ctx->variant_view_key = sf__die_key(d);
		res = sf__die_build_walked_struct(ctx, d, raw_name, depth, &s);
		ctx->variant_view_key = 0;
		return res;
	}
	if (tag == DW_TAG_imported_unit)
		return remember_import(ctx, d);
	if (tag == DW_TAG_typedef) {
		const sf_die_type *layout = NULL;
		const char *name = NULL;
		int res = 0;
		if (ctx->filter && ctx->filter->name_count) {
			res = sf__die_string(ctx, d, DW_AT_name, &name);
			if (res >= 0)
				res = sf__die_qualified_name(ctx, d, name, &name);
			if (res < 0 || !wanted_name(ctx, name))
				return res < 0 ? res : 0;
		}
		res = sf__die_type_layout(ctx, d, depth, &layout);
		if (res >= 0 && layout->nested && layout->nested->name && ctx->typedefs)
			res = list_typedef(ctx, d, name, layout->nested);
		return res;
	}
	return 0;
}

static bool is_function_body(uint16_t tag)
{
	return tag == DW_TAG_subprogram || tag == DW_TAG_lexical_block ||
	       tag == DW_TAG_inlined_subroutine;
}

/* A struct whose children its build or digest went through and found
 * nothing to visit or enter (sf_die_type.plain_children): a C struct's
 * members, which would only be stepped over one by one. */
static bool plain_struct(const sf_die_ctx *ctx, const sf_die *d, uint16_t tag)
{
	const sf_die_type *t;

	if (tag != DW_TAG_structure_type && tag != DW_TAG_union_type && tag != DW_TAG_class_type)
		return false;
	t = sf__die_type_find(ctx, sf__die_key(d));
	return t && t->plain_children;
}

/*
 * Blocks nest as deep as the code does (generated code reaches thousands
 * of levels): below the depth bound a function body's local types are
 * left out, the rest of the file still loads.  Namespaces and types that
 * deep only come from corrupt DWARF.
 */
static int walk_children(sf_die_ctx *ctx, const sf_die *parent, unsigned depth, bool in_function)
{
	sf_die child;
	bool in_enum = false;
	int res;

	if (depth > SF_DIE_MAX_DEPTH)
		return in_function ? 0 : sf__die_corrupt(ctx, parent, "DIE tree too deep");
	res = is_rust_enum(ctx, parent, &in_enum);
	if (res >= 0)
		res = sf__die_first_child(ctx, parent, &child);
	while (res > 0) {
		uint16_t tag = 0;
		res = sf__die_tag(ctx, &child, &tag);
		if (res >= 0)
			res = visit(ctx, &child, tag, depth, in_enum);
		if (res >= 0 && may_hold_types(ctx, tag) && !plain_struct(ctx, &child, tag))
			res = walk_children(ctx, &child, depth + 1, in_function || is_function_body(tag));
		if (res < 0)
			break;
		res = sf__die_next_sibling(ctx, &child);
	}
	if (res < 0)
		sf__die_release(&child);
	return res < 0 ? res : 0;
}

static int build_pending(sf_die_ctx *ctx)
{
	for (size_t i = 0; i < ctx->pending_count; i++) {
		uint64_t key = ctx->pending[i];
		bool alt = (key >> 62) & 1, is_info = !(key >> 63);
		uint64_t offset = key & ((UINT64_C(1) << 62) - 1);
		sf_struct *s = NULL;
		sf_die d;
		int res;

		const sf_die_type *t = sf__die_type_find(ctx, key);
		if (t && t->built)
			continue;
		res = sf__die_open(ctx, alt, offset, is_info, &d);
		if (res < 0)
			return res;
		res = sf__die_build_struct(ctx, &d, NULL, false, 0, &s);
		sf__die_release(&d);
		if (res < 0)
			return res;
	}
	return 0;
}

int sf__die_walk_unit(sf_die_ctx *ctx, const sf_die *cu)
{
	int res = walk_children(ctx, cu, 0, false);
	if (res >= 0)
		res = build_pending(ctx);
	return res;
}
