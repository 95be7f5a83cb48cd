/* C++ scopes: the namespaces and classes around a type DIE, for qualified names (`a::S`). */
#include "dwarf/die_ctx.h"

#include <stdlib.h>
#include <string.h>

#include "util/fail.h"

/*
 * Types are reached through references as often as by the walk, and a DIE
 * does not know its parent, so the first question about a unit scans its
 * tree once, entering only namespaces and classes (function bodies and
 * everything else are skipped by sibling links), and remembers the scope
 * prefix ("a::Outer::") of every type DIE that has one.  C units, and any
 * language without C++'s namespaces, never get here.
 */

typedef struct scope_entry {
	uint64_t key;
	const char *prefix;
} scope_entry;

bool sf__die_language_scoped(uint64_t language)
{
	switch (language) {
	case DW_LANG_C_plus_plus:
	case DW_LANG_C_plus_plus_03:
	case DW_LANG_C_plus_plus_11:
	case DW_LANG_C_plus_plus_14:
	case 0x2a: /* DW_LANG_C_plus_plus_17 */
	case 0x2b: /* DW_LANG_C_plus_plus_20 */
	case DW_LANG_ObjC_plus_plus:
		return true;
	default:
		return false;
	}
}

static bool is_scope_tag(Dwarf_Half tag)
{
	return tag == DW_TAG_namespace || tag == DW_TAG_structure_type || tag == DW_TAG_class_type ||
	       tag == DW_TAG_union_type;
}

static bool is_named_type_tag(Dwarf_Half tag)
{
	return tag == DW_TAG_structure_type || tag == DW_TAG_class_type || tag == DW_TAG_union_type ||
	       tag == DW_TAG_enumeration_type || tag == DW_TAG_typedef;
}

static int remember(sf_die_ctx *ctx, const sf_die *d, const char *prefix)
{
	scope_entry *e = sf__arena_alloc(ctx->unit->arena, sizeof(*e));
	if (!e)
		return sf__fail(SF_ENOMEM, "out of memory");
	e->key = sf__die_key(d);
	e->prefix = prefix;
	if (sf__hashmap_insert(&ctx->scopes, sf__die_key_hash(e->key), e) < 0)
		return sf__fail(SF_ENOMEM, "out of memory");
	return 0;
}

/* "a::" + "b" + "::" in the unit's arena. */
static const char *extend(sf_die_ctx *ctx, const char *prefix, const char *name)
{
	size_t lp = prefix ? strlen(prefix) : 0, ln = strlen(name);
	char *s = sf__arena_alloc(ctx->unit->arena, lp + ln + 3);
	if (!s)
		return NULL;
	memcpy(s, prefix ? prefix : "", lp);
	memcpy(s + lp, name, ln);
	memcpy(s + lp + ln, "::", 3);
	return s;
}

static int scan(sf_die_ctx *ctx, const sf_die *parent, const char *prefix, unsigned depth)
{
	sf_die child;
	int res;

	if (depth > SF_DIE_MAX_DEPTH)
		return sf__die_corrupt(ctx, parent, "DIE tree too deep");
	res = sf__die_first_child(ctx, parent, &child);
	while (res > 0) {
		Dwarf_Half tag = child.raw.abbrev->tag;
		if (prefix && is_named_type_tag(tag))
			res = remember(ctx, &child, prefix);
		if (res >= 0 && is_scope_tag(tag) && child.raw.abbrev->has_children) {
			const char *name = NULL;
			const char *inner = prefix;
			res = sf__die_string(ctx, &child, DW_AT_name, &name);
			/* An unnamed class adds nothing anyone could spell. */
			if (res >= 0 && (name || tag == DW_TAG_namespace)) {
				inner = extend(ctx, prefix, name ? name : "(anonymous namespace)");
				if (!inner)
					res = sf__fail(SF_ENOMEM, "out of memory");
			}
			if (res >= 0)
				res = scan(ctx, &child, inner, depth + 1);
		}
		if (res < 0)
			break;
		res = sf__die_next_sibling(ctx, &child);
	}
	if (res < 0)
		sf__die_release(&child);
	return res < 0 ? res : 0;
}

static int scan_unit(sf_die_ctx *ctx, const sf_dw_unit *unit)
{
	const sf_dw_unit **grown;
	sf_die root;
	int res;

	grown = realloc(ctx->scoped_units, (ctx->scoped_unit_count + 1) * sizeof(*grown));
	if (!grown)
		return sf__fail(SF_ENOMEM, "out of memory");
	ctx->scoped_units = grown;
	ctx->scoped_units[ctx->scoped_unit_count++] = unit;
	res = sf__die_open(ctx, unit->space == SF_DW_ALT, unit->die_offset, unit->space != SF_DW_TYPES, &root);
	if (res < 0)
		return res;
	res = scan(ctx, &root, NULL, 0);
	sf__die_release(&root);
	return res;
}

int sf__die_scope(sf_die_ctx *ctx, const sf_die *d, const char **prefix)
{
	const sf_dw_unit *unit = d->raw.unit;
	uint64_t key;
	size_t cursor = 0;
	const scope_entry *e;
	bool scanned = false;

	*prefix = NULL;
	if (!sf__die_language_scoped(ctx->language) || !unit)
		return 0;
	/* Most questions are about the unit scanned last. */
	for (size_t i = ctx->scoped_unit_count; i-- > 0 && !scanned;)
		scanned = ctx->scoped_units[i] == unit;
	if (!scanned) {
		int res = scan_unit(ctx, unit);
		if (res < 0)
			return res;
	}
	key = sf__die_key(d);
	while ((e = sf__hashmap_next(&ctx->scopes, sf__die_key_hash(key), &cursor))) {
		if (e->key == key) {
			*prefix = e->prefix;
			break;
		}
	}
	return 0;
}

int sf__die_qualified_name(sf_die_ctx *ctx, const sf_die *d, const char *name, const char **out)
{
	const char *prefix = NULL;
	int res;

	*out = name;
	if (!name)
		return 0;
	res = sf__die_scope(ctx, d, &prefix);
	if (res < 0 || !prefix)
		return res;
	{
		size_t lp = strlen(prefix), ln = strlen(name);
		char *s = sf__arena_alloc(ctx->unit->arena, lp + ln + 1);
		if (!s)
			return sf__fail(SF_ENOMEM, "out of memory");
		memcpy(s, prefix, lp);
		memcpy(s + lp, name, ln + 1);
		*out = s;
	}
	return 0;
}
