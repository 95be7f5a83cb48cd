/* C++ scopes: the namespaces and classes around a type DIE, for qualified names (`a::S`). */
#include "dwarf/die_ctx.h"

#include <stdlib.h>
#include <string.h>

#include "util/fail.h"

/*
 * Types are reached through references as often as by the walk, and a DIE
 * does not know its parent.  The parent is found from the unit's root
 * down: each level's children are listed once (offsets and tags, skipping
 * subtrees by sibling links), the child whose range holds the DIE is
 * found by binary search, and only namespaces and classes on the way are
 * entered.  So a unit pays for the levels its named types sit in, not for
 * every member function of every class.  C units, and any language
 * without C++'s namespaces, never get here.
 */

typedef struct scope_child {
	uint64_t offset;
	uint16_t tag;
	struct sf_scope_node *node;   /* entered scope, NULL until needed */
} scope_child;

struct sf_scope_node {
	const char *prefix;           /* of its children: "a::Outer::", NULL at file scope */
	uint64_t offset;              /* of the DIE */
	uint64_t end;                 /* just past its subtree */
	scope_child *children;        /* in DIE order, listed on first use */
	size_t count;
	bool listed;
};

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

static bool is_scope_tag(uint16_t tag)
{
	return tag == DW_TAG_namespace || tag == DW_TAG_structure_type || tag == DW_TAG_class_type ||
	       tag == DW_TAG_union_type;
}

static int open_at(sf_die_ctx *ctx, const sf_dw_unit *unit, uint64_t offset, sf_die *out)
{
	memset(out, 0, sizeof(*out));
	out->offset = offset;
	out->alt = unit->space == SF_DW_ALT;
	out->is_info = unit->space != SF_DW_TYPES;
	if (sf__dw_die_at(ctx->cursor, unit, offset, &out->raw) < 0)
		return SF_EINVALID;
	return out->raw.abbrev ? 0 : sf__die_corrupt(ctx, out, "scope is a null entry");
}

static int list_children(sf_die_ctx *ctx, const sf_dw_unit *unit, struct sf_scope_node *node)
{
	size_t capacity = 0;
	sf_die d, child;
	int res = open_at(ctx, unit, node->offset, &d);

	if (res >= 0)
		res = sf__die_first_child(ctx, &d, &child);
	while (res > 0) {
		if (node->count == capacity) {
			size_t grown = capacity ? capacity * 2 : 32;
			scope_child *items = sf__arena_alloc(ctx->unit->arena, grown * sizeof(*items));
			if (!items) {
				res = sf__fail(SF_ENOMEM, "out of memory");
				break;
			}
			if (node->count)
				memcpy(items, node->children, node->count * sizeof(*items));
			node->children = items;
			capacity = grown;
		}
		node->children[node->count++] = (scope_child){ child.offset, child.raw.abbrev->tag, NULL };
		res = sf__die_next_sibling(ctx, &child);
	}
	if (res < 0)
		sf__die_release(&child);
	node->listed = true;
	return res < 0 ? res : 0;
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

static struct sf_scope_node *new_node(sf_die_ctx *ctx, const char *prefix, uint64_t offset, uint64_t end)
{
	struct sf_scope_node *node = sf__arena_calloc(ctx->unit->arena, 1, sizeof(*node));
	if (node) {
		node->prefix = prefix;
		node->offset = offset;
		node->end = end;
	}
	return node;
}

/* Enters the scope `c` of `parent`, which ends at `end`. */
static int enter(sf_die_ctx *ctx, const sf_dw_unit *unit, struct sf_scope_node *parent, scope_child *c,
		 uint64_t end)
{
	const char *name = NULL, *prefix = parent->prefix;
	sf_die d;
	int res = open_at(ctx, unit, c->offset, &d);

	if (res >= 0)
		res = sf__die_string(ctx, &d, DW_AT_name, &name);
	if (res < 0)
		return res;
	/* An unnamed class adds nothing anyone could spell. */
	if (name || c->tag == DW_TAG_namespace) {
		prefix = extend(ctx, prefix, name ? name : "(anonymous namespace)");
		if (!prefix)
			return sf__fail(SF_ENOMEM, "out of memory");
	}
	c->node = new_node(ctx, prefix, c->offset, end);
	return c->node ? 0 : sf__fail(SF_ENOMEM, "out of memory");
}

static struct sf_scope_node *root_of(sf_die_ctx *ctx, const sf_dw_unit *unit)
{
	struct sf_scope_node **roots;

	for (size_t i = ctx->scoped_unit_count; i-- > 0;)
		if (ctx->scoped_units[i] == unit)
			return ctx->scope_roots[i];
	if (!(roots = realloc(ctx->scope_roots, (ctx->scoped_unit_count + 1) * sizeof(*roots))))
		return NULL;
	ctx->scope_roots = roots;
	{
		const sf_dw_unit **units = realloc(ctx->scoped_units, (ctx->scoped_unit_count + 1) * sizeof(*units));
		if (!units)
			return NULL;
		ctx->scoped_units = units;
	}
	roots[ctx->scoped_unit_count] = new_node(ctx, NULL, unit->die_offset, unit->end);
	if (!roots[ctx->scoped_unit_count])
		return NULL;
	ctx->scoped_units[ctx->scoped_unit_count] = unit;
	return roots[ctx->scoped_unit_count++];
}

int sf__die_scope(sf_die_ctx *ctx, const sf_die *d, const char **prefix)
{
	const sf_dw_unit *unit = d->raw.unit;
	struct sf_scope_node *node;
	uint64_t at = d->raw.offset;

	*prefix = NULL;
	if (!sf__die_language_scoped(ctx->language) || !unit)
		return 0;
	if (!(node = root_of(ctx, unit)))
		return sf__fail(SF_ENOMEM, "out of memory");
	for (unsigned depth = 0; depth <= SF_DIE_MAX_DEPTH; depth++) {
		size_t lo = 0, hi;
		uint64_t end;
		scope_child *c;
		int res;

		if (!node->listed && (res = list_children(ctx, unit, node)) < 0)
			return res;
		/* The last child starting at or before `at`. */
		hi = node->count;
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			if (node->children[mid].offset <= at)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo == 0)
			return 0;
		c = &node->children[lo - 1];
		end = lo < node->count ? node->children[lo].offset : node->end;
		if (at >= end)
			return 0;
		if (c->offset == at) {
			*prefix = node->prefix;
			return 0;
		}
		/* Inside a function or anything else that is no scope. */
		if (!is_scope_tag(c->tag))
			return 0;
		if (!c->node && (res = enter(ctx, unit, node, c, end)) < 0)
			return res;
		node = c->node;
	}
	return sf__die_too_deep(ctx, d, SF_DIE_MAX_DEPTH);
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
