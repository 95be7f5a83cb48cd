/* The typedef chain of a member's type, for pahole -E's spelling (sf_load_options.typedef_chains). */
#include "dwarf/die_ctx.h"

#include <string.h>

#include "util/fail.h"

/* No real chain is near this long; a longer one is corrupt or a loop. */
#define MAX_TYPEDEFS 64

/* Appends `text` to the arena string `*chain` (NULL when empty) after `sep`. */
static int append(sf_die_ctx *ctx, const char **chain, const char *sep, const char *text)
{
	size_t had = *chain ? strlen(*chain) : 0, seplen = *chain ? strlen(sep) : 0, len = strlen(text);
	char *grown = sf__arena_alloc(ctx->unit->arena, had + seplen + len + 1);

	if (!grown)
		return sf__fail(SF_ENOMEM, "out of memory");
	if (had)
		memcpy(grown, *chain, had);
	memcpy(grown + had, sep, seplen);
	memcpy(grown + had + seplen, text, len + 1);
	*chain = grown;
	return 0;
}

/*
 * Follows the typedefs from `cur` (released here): *chain gets their
 * names, *spelled the first type that is not one (NULL for void, or when
 * `cur` is no typedef: *hops 0).
 */
static int walk(sf_die_ctx *ctx, sf_die *cur, unsigned depth, const char **chain, const sf_die_type **spelled,
		unsigned *hops)
{
	sf_die next;
	uint16_t tag = 0;
	int res;

	*spelled = NULL;
	*hops = 0;
	for (;;) {
		const char *name = NULL;
		res = sf__die_tag(ctx, cur, &tag);
		if (res < 0 || tag != DW_TAG_typedef)
			break;
		if (++*hops > MAX_TYPEDEFS) {
			res = sf__die_too_deep(ctx, cur, MAX_TYPEDEFS);
			break;
		}
		res = sf__die_string(ctx, cur, DW_AT_name, &name);
		if (res >= 0)
			res = sf__die_qualified_name(ctx, cur, name, &name);
		if (res >= 0)
			res = append(ctx, chain, " -> ", name ? name : "<unnamed>");
		if (res >= 0)
			res = sf__die_ref(ctx, cur, DW_AT_type, &next);
		sf__die_release(cur);
		if (res <= 0) {
			sf__die_release(&next);
			return res < 0 ? res : 0;   /* `typedef void v_t;` */
		}
		*cur = next;
	}
	if (res >= 0 && *hops)
		res = sf__die_type_name(ctx, cur, depth + 1, spelled);
	sf__die_release(cur);
	return res < 0 ? res : 0;
}

int sf__die_typedef_chain(sf_die_ctx *ctx, const sf_die *member, unsigned depth, const char **chain,
			  const char **resolved)
{
	const sf_die_type *spelled = NULL, *array = NULL;
	sf_die cur, element;
	uint16_t tag = 0;
	unsigned hops = 0;
	bool vector = false;
	int res;

	*chain = NULL;
	*resolved = NULL;
	res = sf__die_ref(ctx, member, DW_AT_type, &cur);
	if (res <= 0) {
		sf__die_release(&cur);
		return res;
	}
	res = sf__die_tag(ctx, &cur, &tag);
	/* pahole -E also spells the element of an array through its
	 * typedefs: `uint8_t a[16]` is `unsigned char a[16]`. */
	if (res >= 0 && tag == DW_TAG_array_type) {
		res = sf__die_flag(ctx, &cur, DW_AT_GNU_vector, &vector);
		if (res >= 0 && !vector)
			res = sf__die_type_name(ctx, &cur, depth + 1, &array);
		if (res >= 0 && !vector)
			res = sf__die_ref(ctx, &cur, DW_AT_type, &element);
		sf__die_release(&cur);
		if (res <= 0 || vector)
			return res < 0 ? res : 0;
		cur = element;
	}
	res = walk(ctx, &cur, depth, chain, &spelled, &hops);
	if (res < 0 || !hops) {
		*chain = NULL;
		return res;
	}
	if (!array) {
		*resolved = spelled ? spelled->full : "void";
		return 0;
	}
	/* An array of arrays or functions has no spelling as `T name[N]`. */
	if (!spelled || spelled->suffix[0] || strstr(spelled->full, "__attribute__")) {
		*chain = NULL;
		return 0;
	}
	*resolved = NULL;
	res = append(ctx, resolved, "", spelled->full);
	if (res >= 0)
		res = append(ctx, resolved, "", array->suffix);
	return res;
}
