/* Turning a struct and its rules into items, classes and pinned positions. */
#include "reorder/problem.h"

#include <string.h>

#include "layout/place.h"
#include "layout/selection.h"
#include "reorder/constraints.h"
#include "reorder/heat.h"
#include "util/checked.h"
#include "util/fail.h"

#define NO_GROUP UINT32_MAX

uint64_t sf__ritem_place_members(const sf_rproblem *p, const sf_ritem *it, uint64_t pos, uint32_t *crossings,
				 uint64_t *first_bits, uint64_t *end_bits)
{
	for (uint32_t k = 0; k < it->count && pos != SF_PLACE_NONE; k++) {
		const sf_member *m = &p->def->members[it->members[k]];
		uint64_t first = 0, end = p->cxx ? sf__place_cxx_member(p->cxx, it->members[k], pos, &first)
			: sf__place_member(m, pos, &first);
		if (crossings && end != SF_PLACE_NONE && end > first &&
		    first / p->cacheline_bits != (end - 1) / p->cacheline_bits)
			(*crossings)++;
		if (first_bits && end != SF_PLACE_NONE) {
			first_bits[it->members[k]] = first;
			end_bits[it->members[k]] = end;
		}
		pos = end;
	}
	return pos;
}

uint64_t sf__ritem_place(const sf_rproblem *p, const sf_ritem *it, uint64_t pos, uint32_t *crossings)
{
	return sf__ritem_place_members(p, it, pos, crossings, NULL, NULL);
}

uint64_t sf__ritem_latest(const sf_rproblem *p, const sf_ritem *it, uint64_t bound)
{
	for (uint32_t k = it->count; k-- > 0 && bound != SF_PLACE_NONE;)
		bound = p->cxx ? sf__place_cxx_member_latest(p->cxx, it->members[k], bound)
			: sf__place_member_latest(&p->def->members[it->members[k]], bound);
	return bound;
}

bool sf__rproblem_order_ok(const sf_rproblem *p, const uint32_t *order)
{
	uint32_t pos = 0;

	while (pos < p->member_count) {
		const sf_ritem *it;
		if (order[pos] >= p->member_count)
			return false;
		it = &p->items[p->item_of[order[pos]]];
		if (it->members[0] != order[pos] || !sf__ritem_allowed(p, it, pos))
			return false;
		for (uint32_t k = 1; k < it->count; k++) {
			if (order[pos + k] != it->members[k])
				return false;
		}
		pos += it->count;
	}
	return true;
}

bool sf__rproblem_apart_ok(const sf_rproblem *p, const sf_ritem *it, const uint64_t *first_bits,
			   const uint64_t *end_bits)
{
	uint64_t line = p->cacheline_bits / 8;
	for (uint32_t r = 0; r < p->apart_count; r++) {
		const sf_rapart *a = &p->aparts[r];
		for (uint32_t x = 0; x < a->count; x++) {
			uint32_t mx = a->members[x];
			if (it && p->item_of[mx] != (uint32_t)(it - p->items))
				continue;
			if (!end_bits[mx])
				continue;
			for (uint32_t y = 0; y < a->count; y++) {
				uint32_t my = a->members[y];
				if (y == x || !end_bits[my] || (!it && y < x))
					continue;
				if (sf__heat_may_share(first_bits[mx] / 8, (end_bits[mx] + 7) / 8, first_bits[my] / 8,
						       (end_bits[my] + 7) / 8, p->base_align, line))
					return false;
			}
		}
	}
	return true;
}

void sf__rproblem_members(const sf_rproblem *p, const uint32_t *items, uint32_t *order)
{
	uint32_t pos = 0;
	for (uint32_t i = 0; i < p->item_count; i++) {
		const sf_ritem *it = &p->items[items[i]];
		for (uint32_t k = 0; k < it->count; k++)
			order[pos++] = it->members[k];
	}
}

static bool starts_with(const char *s, const char *prefix)
{
	return s && strncmp(s, prefix, strlen(prefix)) == 0;
}

/* Positions the ABI or the language fixes whatever the rules say. */
static uint32_t automatic_pin(const sf_struct *s, const sf_place_cxx *cxx, uint32_t i,
			      const sf_reorder_options *opts)
{
	const sf_member *m = &s->members[i];
	bool zero_size_array = (m->flags & (SF_MEMBER_FLEXIBLE | SF_MEMBER_ZERO_LENGTH)) != 0;

	/* A flexible array must be last; a trailing [0] array is used the
	 * same way, and one in the middle marks a position (kernel cache-line
	 * groups), so both keep their index. */
	if (zero_size_array)
		return i;
	/* C++ base subobjects and the vtable pointer are laid out by the
	 * compiler before the declared members, never by the user. */
	if ((m->flags & SF_MEMBER_BASE_CLASS) || starts_with(m->name, "_vptr"))
		return i;
	/* Go's strings, slices and interfaces are structs in its DWARF,
	 * and Go has no base-struct idiom to protect. */
	if (i == 0 && opts->keep_first && m->nested && !s->go)
		return 0;
	if (cxx && cxx->pin_at && cxx->pin_at[i])
		return cxx->pin_at[i] - 1;
	return SF_RITEM_FREE;
}

#define GROUP_BEGIN "__cacheline_group_begin__"
#define GROUP_END "__cacheline_group_end__"

/*
 * Linux 6.8+ marks cache-line groups with zero-size members
 * __cacheline_group_begin__NAME ... __cacheline_group_end__NAME.  The
 * markers keep their index (automatic_pin), and the positions between a
 * pair form a zone only the members declared there may take, so a group
 * keeps its members and its place.  An unmatched or overlapping marker
 * makes no zone.
 */
static void mark_zones(sf_rproblem *p)
{
	const sf_struct *s = p->def;
	uint32_t zone = 0;

	for (uint32_t i = 0; i < p->member_count; i++) {
		const char *name = s->members[i].name;
		if (!starts_with(name, GROUP_BEGIN) || !(s->members[i].flags & SF_MEMBER_ZERO_LENGTH))
			continue;
		for (uint32_t j = i + 1; j < p->member_count; j++) {
			const char *other = s->members[j].name;
			if (starts_with(other, GROUP_BEGIN) && p->zone_at[j] == 0)
				break;
			if (!starts_with(other, GROUP_END) ||
			    strcmp(other + strlen(GROUP_END), name + strlen(GROUP_BEGIN)) != 0)
				continue;
			zone++;
			for (uint32_t k = i + 1; k < j; k++)
				p->zone_at[k] = zone;
			i = j;
			break;
		}
	}
}

static int find_member(const sf_struct *s, const sf_constraints *cs, const sf_rule *rule,
		       const char *name, uint32_t *index)
{
	for (uint32_t i = 0; i < s->member_count; i++) {
		if (s->members[i].name && strcmp(s->members[i].name, name) == 0) {
			*index = i;
			return 0;
		}
	}
	return sf__fail(SF_EUSAGE, "%s:%u: %s has no member '%s'", cs->file, rule->line,
			rule->struct_name, name);
}

static bool same_class(const sf_rproblem *p, const sf_ritem *a, const sf_ritem *b)
{
	const sf_member *x = &p->def->members[a->members[0]];
	const sf_member *y = &p->def->members[b->members[0]];
	if (p->cxx && (p->cxx->role[a->members[0]] != p->cxx->role[b->members[0]] ||
		       p->cxx->data_bytes[a->members[0]] != p->cxx->data_bytes[b->members[0]]))
		return false;
	if (a->apart || b->apart || a->zone != b->zone)
		return false;
	return a->hot == b->hot &&
	       (x->flags & SF_MEMBER_BITFIELD) == (y->flags & SF_MEMBER_BITFIELD) &&
	       x->size == y->size && x->type_align == y->type_align &&
	       x->explicit_align == y->explicit_align && x->bit_size == y->bit_size;
}

/* What the rules of a constraints file say about one struct. */
typedef struct rule_state {
	uint32_t *pin;
	uint32_t *group_of;
	uint32_t **group_members;
	uint32_t *group_size;
	uint32_t *group_line;
	uint32_t group_count;
	bool *hot_rule;
	bool *apart;
} rule_state;

#define NOMEM() sf__fail(SF_ENOMEM, "out of memory while planning a reorder")

/* Resolves rule `rule`'s members into `out` (rule->member_count entries). */
static int rule_members(const sf_struct *s, const sf_constraints *cs, const sf_rule *rule, sf_arena *arena,
			uint32_t **out)
{
	*out = sf__arena_calloc(arena, rule->member_count + 1, sizeof(uint32_t));
	if (!*out)
		return NOMEM();
	for (uint32_t k = 0; k < rule->member_count; k++) {
		int res = find_member(s, cs, rule, rule->members[k], &(*out)[k]);
		if (res < 0)
			return res;
	}
	return 0;
}

static int apply_rule(sf_rproblem *p, rule_state *st, const sf_constraints *cs, const sf_rule *rule,
		      const char *name, sf_arena *arena)
{
	const sf_struct *s = p->def;
	uint32_t *members;
	int res = rule_members(s, cs, rule, arena, &members);

	if (res < 0)
		return res;
	switch (rule->kind) {
	case SF_RULE_SKIP:
		break;
	case SF_RULE_PIN:
		st->pin[members[0]] = members[0];
		break;
	case SF_RULE_HOT:
		for (uint32_t k = 0; k < rule->member_count; k++)
			st->hot_rule[members[k]] = true;
		break;
	case SF_RULE_APART:
		p->aparts[p->apart_count].members = members;
		p->aparts[p->apart_count++].count = rule->member_count;
		for (uint32_t k = 0; k < rule->member_count; k++)
			st->apart[members[k]] = true;
		break;
	case SF_RULE_GROUP:
		for (uint32_t k = 0; k < rule->member_count; k++) {
			if (st->group_of[members[k]] != NO_GROUP)
				return sf__fail(SF_EUSAGE, "%s:%u: %s.%s is already in a group",
						cs->file, rule->line, name, rule->members[k]);
			st->group_of[members[k]] = st->group_count;
		}
		st->group_members[st->group_count] = members;
		st->group_size[st->group_count] = rule->member_count;
		st->group_line[st->group_count++] = rule->line;
		p->has_groups = true;
		break;
	}
	return 0;
}

static int apply_rules(sf_rproblem *p, rule_state *st, const sf_reorder_options *opts, const char *name,
		       sf_arena *arena, bool *skipped)
{
	const sf_constraints *cs = opts->constraints;
	size_t apart_rules = 0;

	for (size_t r = 0; cs && name && r < cs->count; r++)
		apart_rules += cs->rules[r].kind == SF_RULE_APART && strcmp(cs->rules[r].struct_name, name) == 0;
	p->aparts = sf__arena_calloc(arena, apart_rules + 1, sizeof(*p->aparts));
	if (!p->aparts)
		return NOMEM();
	for (size_t r = 0; cs && name && r < cs->count; r++) {
		const sf_rule *rule = &cs->rules[r];
		int res;
		if (strcmp(rule->struct_name, name) != 0)
			continue;
		p->has_rules = true;
		if (rule->kind == SF_RULE_SKIP) {
			*skipped = true;
			return 0;
		}
		res = apply_rule(p, st, cs, rule, name, arena);
		if (res < 0)
			return res;
	}
	return 0;
}

/* The item for a group whose lowest member is i: its pin from its members'. */
static int group_item(sf_rproblem *p, const rule_state *st, uint32_t g, const char *file, const char *name,
		      sf_ritem *it)
{
	const sf_struct *s = p->def;
	uint32_t n = p->member_count, size = st->group_size[g], group_pin = SF_RITEM_FREE;

	/* A pinned member pins its whole group so that it keeps its own index. */
	for (uint32_t k = 0; k < size; k++) {
		uint32_t m = st->group_members[g][k];
		if (st->pin[m] == SF_RITEM_FREE)
			continue;
		if (st->pin[m] < k || st->pin[m] - k + size > n ||
		    (group_pin != SF_RITEM_FREE && group_pin != st->pin[m] - k))
			return sf__fail(SF_EUSAGE, "%s:%u: group cannot keep %s.%s at its position",
					file, st->group_line[g], name, s->members[m].name ? s->members[m].name : "?");
		group_pin = st->pin[m] - k;
	}
	it->members = st->group_members[g];
	it->count = size;
	it->pin = group_pin;
	it->ascending = true;
	for (uint32_t k = 1; k < size; k++) {
		if (it->members[k] <= it->members[k - 1])
			it->ascending = false;
	}
	return 0;
}

static int build_items(sf_rproblem *p, const rule_state *st, const char *file, const char *name,
		       sf_arena *arena)
{
	for (uint32_t i = 0; i < p->member_count; i++) {
		sf_ritem *it = &p->items[p->item_count];
		uint32_t g = st->group_of[i];
		if (g != NO_GROUP) {
			uint32_t lowest = p->member_count;
			int res;
			for (uint32_t k = 0; k < st->group_size[g]; k++)
				lowest = st->group_members[g][k] < lowest ? st->group_members[g][k] : lowest;
			if (lowest != i)
				continue;
			res = group_item(p, st, g, file, name, it);
			if (res < 0)
				return res;
		} else {
			uint32_t *one = sf__arena_alloc(arena, sizeof(*one));
			if (!one)
				return NOMEM();
			*one = i;
			it->members = one;
			it->count = 1;
			it->pin = st->pin[i];
			it->ascending = true;
		}
		it->first_index = i;
		it->zone = p->zone_at[i];
		for (uint32_t k = 0; k < it->count; k++) {
			uint32_t m = it->members[k];
			const sf_member *mm = &p->def->members[m];
			if (p->zone_at[m] != it->zone && it->pin == SF_RITEM_FREE)
				return sf__fail(SF_EUSAGE, "%s: a group of %s spans a kernel cache-line group's edge",
						file, name ? name : "(anonymous)");
			p->item_of[m] = p->item_count;
			it->apart = it->apart || st->apart[m];
			if (p->hot[m]) {
				it->hot = true;
				it->hot_bits += (mm->flags & SF_MEMBER_BITFIELD) ? mm->bit_size : mm->size * 8;
			}
		}
		p->item_count++;
	}
	return 0;
}

static int build_pins(sf_rproblem *p, const char *file, const char *name)
{
	uint32_t n = p->member_count;

	for (uint32_t pos = 0; pos < n; pos++)
		p->pin_item[pos] = SF_RITEM_FREE;
	for (uint32_t i = 0; i < p->item_count; i++) {
		sf_ritem *it = &p->items[i];
		if (it->pin == SF_RITEM_FREE)
			continue;
		for (uint32_t k = 0; k < it->count; k++) {
			uint32_t pos = it->pin + k;
			if (p->pin_item[pos] != SF_RITEM_FREE)
				return sf__fail(SF_EUSAGE, "%s: pinned members of %s overlap",
						file, name ? name : "(anonymous)");
			p->pin_item[pos] = i;
			/* A pinned item owns its positions whatever zone they are in. */
			p->zone_at[pos] = it->zone;
		}
	}
	p->next_pin[n] = n;
	for (uint32_t pos = n; pos-- > 0;)
		p->next_pin[pos] = (p->pin_item[pos] != SF_RITEM_FREE && p->items[p->pin_item[pos]].pin == pos)
			? pos : p->next_pin[pos + 1];
	/* Positions inside a pinned group are covered by its start. */
	for (uint32_t pos = 0; pos < n; pos++) {
		if (p->pin_item[pos] != SF_RITEM_FREE && p->next_pin[pos] > pos)
			p->next_pin[pos] = pos;
	}
	return 0;
}

static void build_classes(sf_rproblem *p)
{
	uint64_t states = 1;

	for (uint32_t i = 0; i < p->item_count; i++) {
		sf_ritem *it = &p->items[i];
		uint32_t c = p->class_count;
		if (it->pin == SF_RITEM_FREE && it->count == 1) {
			for (c = 0; c < p->class_count; c++) {
				const sf_rclass *k = &p->classes[c];
				if (!k->pinned && k->len == 1 && same_class(p, &p->items[k->item], it))
					break;
			}
		}
		if (c == p->class_count) {
			p->classes[c].item = i;
			p->classes[c].len = it->count;
			p->classes[c].pinned = it->pin != SF_RITEM_FREE;
			p->class_count++;
		}
		p->classes[c].mult++;
		it->cls = c;
	}
	for (uint32_t c = 0; c < p->class_count; c++) {
		p->classes[c].radix = states;
		if (states != UINT64_MAX && !sf__mul_u64(states, (uint64_t)p->classes[c].mult + 1, &states))
			states = UINT64_MAX;
	}
	p->state_count = states;
}

/* roundup(sum of member bits, align): no order is smaller. */
static uint64_t lower_bound(const sf_rproblem *p)
{
	const sf_place_cxx *cxx = p->cxx;
	uint64_t bits = 0;

	for (uint32_t i = 0; i < p->member_count; i++) {
		const sf_member *m = &p->def->members[i];
		if (cxx && i < cxx->prefix_count)
			continue;
		if (cxx && cxx->role[i] == SF_ROLE_EMPTY)
			continue;
		if (cxx && cxx->role[i] == SF_ROLE_TAIL)
			bits += cxx->data_bytes[i] * 8;
		else
			bits += (m->flags & SF_MEMBER_BITFIELD) ? m->bit_size : m->size * 8;
	}
	/* C++: the members start after the bases and the vptr. */
	if (cxx)
		bits += cxx->prefix_bits;
	bits = (bits + 7) / 8 * 8;
	return sf__rproblem_size_bits(p, bits) / 8;
}

int sf__rproblem_build(sf_rproblem *p, const sf_struct *s, const sf_place_cxx *cxx,
		       const sf_reorder_options *opts, unsigned cacheline, sf_arena *arena, bool *skipped)
{
	const char *name = sf__report_struct_name(s);
	const char *file = opts->constraints ? opts->constraints->file : "constraints";
	uint32_t n = s->member_count;
	rule_state st;
	int res;

	memset(p, 0, sizeof(*p));
	*skipped = false;
	p->def = s;
	p->cxx = cxx;
	p->member_count = n;
	p->cacheline_bits = (uint64_t)(cacheline ? cacheline : 64) * 8;
	p->align_bits = (uint64_t)sf__place_struct_align(s) * 8;

	st.pin = sf__arena_calloc(arena, n + 1, sizeof(*st.pin));
	st.group_of = sf__arena_calloc(arena, n + 1, sizeof(*st.group_of));
	st.hot_rule = sf__arena_calloc(arena, n + 1, sizeof(*st.hot_rule));
	st.apart = sf__arena_calloc(arena, n + 1, sizeof(*st.apart));
	st.group_members = sf__arena_calloc(arena, n + 1, sizeof(*st.group_members));
	st.group_size = sf__arena_calloc(arena, n + 1, sizeof(*st.group_size));
	st.group_line = sf__arena_calloc(arena, n + 1, sizeof(*st.group_line));
	st.group_count = 0;
	p->items = sf__arena_calloc(arena, n + 1, sizeof(*p->items));
	p->classes = sf__arena_calloc(arena, n + 1, sizeof(*p->classes));
	p->next_pin = sf__arena_calloc(arena, n + 1, sizeof(*p->next_pin));
	p->pin_item = sf__arena_calloc(arena, n + 1, sizeof(*p->pin_item));
	p->item_of = sf__arena_calloc(arena, n + 1, sizeof(*p->item_of));
	p->zone_at = sf__arena_calloc(arena, n + 1, sizeof(*p->zone_at));
	if (!st.pin || !st.group_of || !st.hot_rule || !st.apart || !st.group_members || !st.group_size ||
	    !st.group_line || !p->items || !p->classes || !p->next_pin || !p->pin_item || !p->item_of ||
	    !p->zone_at)
		return NOMEM();

	for (uint32_t i = 0; i < n; i++) {
		st.pin[i] = automatic_pin(s, cxx, i, opts);
		st.group_of[i] = NO_GROUP;
	}
	mark_zones(p);
	res = apply_rules(p, &st, opts, name, arena, skipped);
	if (res < 0 || *skipped)
		return res;
	res = sf__heat_assign(p, name, opts, st.hot_rule, arena);
	if (res < 0)
		return res;
	p->cache_aware = p->hot_count > 0 || p->apart_count > 0;
	res = build_items(p, &st, file, name, arena);
	if (res == 0)
		res = build_pins(p, file, name);
	if (res < 0)
		return res;
	build_classes(p);
	p->lower_bound = lower_bound(p);
	return 0;
}
