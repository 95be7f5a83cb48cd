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

/* Each member's bit offset in `order`, indexed by declaration, in the builder's arena. */
static int new_offsets(builder *b, const sf_struct *def, const uint32_t *order, uint64_t **out)
{
	sf_struct *placed = NULL;
	uint64_t *new_bits;
	int rc = sf__place_struct(def, order, def->member_count, b->arena, &placed);

	*out = NULL;
	if (rc == SF_ENOMEM)
		return rc;
	if (rc < 0)
		return 0; /* the plan placed it, so this does not happen */
	new_bits = sf__arena_calloc(b->arena, def->member_count + 1, sizeof(*new_bits));
	if (!new_bits)
		return SF_ENOMEM;
	for (uint32_t k = 0; k < def->member_count; k++)
		new_bits[order[k]] = placed->members[k].bit_offset;
	*out = new_bits;
	return 0;
}

/* `obstacle` added to the record's reason: every obstacle, not only the first one found. */
static int add_obstacle(builder *b, sf_fix_struct *r, const char *obstacle)
{
	if (!obstacle)
		return SF_ENOMEM;
	r->skip_reason = r->skip_reason ? sf__fix_format(b->fix, "%s; also %s", r->skip_reason, obstacle) : obstacle;
	return r->skip_reason ? 0 : SF_ENOMEM;
}

/* The macro group a body begins with: `group` members, the groups ending
 * at member `region`; both 0 when the body does not begin with a macro. */
static void macro_groups(const sf_fix_body *body, uint32_t *group, uint32_t *region, uint32_t *last)
{
	*group = *region = *last = 0;
	if (!body->units[0].macro_len)
		return;
	for (uint32_t u = 0; u < body->unit_count; u++)
		if (body->units[u].macro_len)
			*last = u;
	*group = body->units[0].member_count;
	*region = body->units[*last].member_first + body->units[*last].member_count;
}

/* The obstacle for a body read far enough to know its macro groups. */
static int check_known(builder *b, sf_fix_struct *r, const sf_struct *def, const sf_fix_body *body,
		       const char *text, const uint64_t *new_bits, uint32_t group, uint32_t region)
{
	const sf_struct_list *all = sf__model_structs(b->plan->report->model);

	for (size_t s = 0; s < all->count; s++) {
		const sf_struct *other = all->items[s];
		uint32_t moved = moved_shared(def, other, group, region, new_bits);
		const char *name = sf__report_struct_name(other);
		if (moved == UINT32_MAX)
			continue;
		if (group)
			return add_obstacle(b, r, sf__fix_format(
				b->fix,
				"the proposal moves member %s, of the common initial sequence built by macro %.*s "
				"(line %u) that %s %s also begins with; their offsets would differ",
				def->members[moved].name, (int)body->units[0].macro_len,
				text + body->units[0].macro_start, body->units[0].macro_line,
				sf__struct_kind_name(other->kind), name ? name : "(anonymous)"));
		return add_obstacle(b, r, sf__fix_format(
			b->fix,
			"the proposal moves member %s, of the common initial sequence %s %s also begins "
			"with (same leading members); their offsets would differ",
			def->members[moved].name, sf__struct_kind_name(other->kind), name ? name : "(anonymous)"));
	}
	return 0;
}

/*
 * A body not read far enough to know whether it begins with macro groups:
 * a plain common prefix is still found; any shorter one (a group of one
 * member is enough) the proposal moves is named as a check that could not
 * run, so the user knows to look.
 */
static int check_unknown(builder *b, sf_fix_struct *r, const sf_struct *def, const uint64_t *new_bits,
			 bool read_some)
{
	const sf_struct_list *all = sf__model_structs(b->plan->report->model);
	const char *before = r->skip_reason;
	int rc = check_known(b, r, def, NULL, NULL, new_bits, 0, 0);

	if (rc < 0 || r->skip_reason != before)
		return rc;
	for (size_t s = 0; s < all->count; s++) {
		const sf_struct *other = all->items[s];
		uint32_t moved = moved_shared(def, other, 1, 0, new_bits);
		const char *name = sf__report_struct_name(other);
		if (moved == UINT32_MAX)
			continue;
		return add_obstacle(b, r, sf__fix_format(
			b->fix,
			"the shared-prefix check could not run (body not %sread): the proposal moves member %s, "
			"which %s %s also begins with",
			read_some ? "fully " : "", def->members[moved].name, sf__struct_kind_name(other->kind),
			name ? name : "(anonymous)"));
	}
	return 0;
}

static bool not_checked(const sf_struct *def, const sf_fix_body *body)
{
	return body->cxx || sf__place_cxx_applies(def) || def->kind == SF_UNION;
}

int sf__fix_shared_prefix(builder *b, const candidate *c)
{
	const sf_struct *def = c->def;
	const sf_fix_body *body = &c->body;
	uint32_t *order = NULL, group, region, last;
	uint64_t *new_bits;
	int rc;

	if (body->unit_count == 0 || not_checked(def, body))
		return 0;
	macro_groups(body, &group, &region, &last);
	rc = sf__fix_member_order(c, b->arena, &order);
	if (rc == 0)
		rc = new_offsets(b, def, order, &new_bits);
	if (rc < 0 || !new_bits)
		return rc;
	return check_known(b, &b->fix->structs[c->record], def, body, b->fix->sources[c->source].text, new_bits,
			   group, region);
}

int sf__fix_shared_prefix_refused(builder *b, size_t record, const sf_struct *def, const uint32_t *order,
				  const sf_fix_body *body, const char *text)
{
	uint32_t group = 0, region = 0, last = 0;
	uint64_t *new_bits;
	int rc;

	if (not_checked(def, body) || !order)
		return 0;
	rc = new_offsets(b, def, order, &new_bits);
	if (rc < 0 || !new_bits)
		return rc;
	if (body->unit_count)
		macro_groups(body, &group, &region, &last);
	/* The groups are known when the mapping placed every unit up to the last macro's. */
	if (body->unit_count && (!body->units[0].macro_len || last < body->mapped_units))
		return check_known(b, &b->fix->structs[record], def, body, text, new_bits, group, region);
	return check_unknown(b, &b->fix->structs[record], def, new_bits, body->unit_count != 0);
}
