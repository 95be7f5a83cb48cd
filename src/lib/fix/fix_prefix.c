/* The common initial sequence idiom: structs beginning with the same members, often macro-built groups. */
#include <string.h>

#include "fix/fix_builder.h"
#include "layout/place.h"
#include "layout/place_cxx.h"
#include "layout/selection.h"
#include "util/fail.h"

/*
 * Code such as `#define HANDLE_FIELDS ...` / `#define STREAM_FIELDS ...`
 * starts several structs with the same members so that a pointer to any
 * of them can be read as the shortest (C's common initial sequence).  A
 * member moved in or out of those groups shifts the others, and the
 * structs stop agreeing: the compiler cannot see that, the program breaks.
 */

/* Same name, place and size; the type may be spelt differently (libxml2's
 * xmlDoc has `char *name` where xmlNode has `const xmlChar *name`, and
 * each struct's `next` points to its own type). */
static bool same_member(const sf_member *a, const sf_member *b)
{
	return a->name && b->name && strcmp(a->name, b->name) == 0 && a->bit_offset == b->bit_offset &&
	       a->size == b->size && a->bit_size == b->bit_size;
}

/* Named leading members (same names, offsets and sizes) two structs
 * share without a macro before they count as a common initial sequence
 * rather than a coincidence: libxml2's xmlNode, xmlDoc, xmlAttr... share
 * nine; two small structs both starting `char a; long b; char c;` are
 * not a pattern. */
#define MIN_PLAIN_PREFIX 4

/*
 * Whether `other` shares a common initial sequence with def: after def's
 * first macro group (`group` members, 0 when the body does not begin with
 * one), or MIN_PLAIN_PREFIX leading members at least.  Returns the first
 * of def's shared members that `new_bits` moves — within [0, region) that
 * `other` holds at the same offset, or within the plain common prefix —
 * else UINT32_MAX.
 */
static uint32_t moved_shared(const sf_struct *def, const sf_struct *other, uint32_t group, uint32_t region,
			     const uint64_t *new_bits)
{
	uint32_t common = 0;

	if (other == def || other->kind != def->kind)
		return UINT32_MAX;
	while (common < def->member_count && common < other->member_count &&
	       same_member(&def->members[common], &other->members[common]))
		common++;
	if (group ? common < group : common < MIN_PLAIN_PREFIX)
		return UINT32_MAX;
	for (uint32_t i = 0; i < common; i++)
		if (new_bits[i] != def->members[i].bit_offset)
			return i;
	for (uint32_t i = common; i < region; i++) {
		if (new_bits[i] == def->members[i].bit_offset)
			continue;
		for (uint32_t k = 0; k < other->member_count; k++)
			if (same_member(&def->members[i], &other->members[k]))
				return i;
	}
	return UINT32_MAX;
}

int sf__fix_shared_prefix(builder *b, const candidate *c)
{
	const sf_struct *def = c->def;
	const sf_fix_body *body = &c->body;
	const sf_struct_list *all = sf__model_structs(b->plan->report->model);
	sf_fix_struct *r = &b->fix->structs[c->record];
	const sf_fix_source *src = &b->fix->sources[c->source];
	sf_struct *placed = NULL;
	uint32_t *order = NULL, group, region = 0, last = 0;
	uint64_t *new_bits;
	int rc;

	if (body->unit_count == 0 || body->cxx || sf__place_cxx_applies(def) || def->kind == SF_UNION)
		return 0;
	group = 0;
	if (body->units[0].macro_len) {
		for (uint32_t u = 0; u < body->unit_count; u++)
			if (body->units[u].macro_len)
				last = u;
		group = body->units[0].member_count;
		region = body->units[last].member_first + body->units[last].member_count;
	}
	rc = sf__fix_member_order(c, b->arena, &order);
	if (rc < 0)
		return rc;
	rc = sf__place_struct(def, order, def->member_count, b->arena, &placed);
	if (rc == SF_ENOMEM)
		return rc;
	if (rc < 0)
		return 0; /* the plan placed it, so this does not happen */
	new_bits = sf__arena_calloc(b->arena, def->member_count + 1, sizeof(*new_bits));
	if (!new_bits)
		return SF_ENOMEM;
	for (uint32_t k = 0; k < def->member_count; k++)
		new_bits[order[k]] = placed->members[k].bit_offset;
	for (size_t s = 0; s < all->count; s++) {
		const sf_struct *other = all->items[s];
		uint32_t moved = moved_shared(def, other, group, region, new_bits);
		const char *name, *earlier;
		if (moved == UINT32_MAX)
			continue;
		earlier = r->skip_reason;
		name = sf__report_struct_name(other);
		if (group)
			r->skip_reason = sf__fix_format(
				b->fix,
				"the proposal moves member %s, of the common initial sequence built by macro %.*s "
				"(line %u) that %s %s also begins with; their offsets would differ",
				def->members[moved].name, (int)body->units[0].macro_len,
				src->text + body->units[0].macro_start, body->units[0].macro_line,
				sf__struct_kind_name(other->kind), name ? name : "(anonymous)");
		else
			r->skip_reason = sf__fix_format(
				b->fix,
				"the proposal moves member %s, of the common initial sequence %s %s also begins "
				"with (same leading members); their offsets would differ",
				def->members[moved].name, sf__struct_kind_name(other->kind), name ? name : "(anonymous)");
		/* Every obstacle, not only the first one found. */
		if (earlier && r->skip_reason)
			r->skip_reason = sf__fix_format(b->fix, "%s; also %s", earlier, r->skip_reason);
		return r->skip_reason ? 0 : SF_ENOMEM;
	}
	return 0;
}
