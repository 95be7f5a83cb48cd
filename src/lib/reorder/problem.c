/* Turning a struct and its rules into items, classes and pinned positions. */
#include "reorder/problem.h"

#include <string.h>

#include "layout/place.h"
#include "layout/selection.h"
#include "reorder/constraints.h"
#include "util/checked.h"
#include "util/fail.h"

#define NO_GROUP UINT32_MAX

uint64_t sf__ritem_place(const sf_rproblem *p, const sf_ritem *it, uint64_t pos, uint32_t *crossings)
{
	for (uint32_t k = 0; k < it->count && pos != SF_PLACE_NONE; k++) {
		const sf_member *m = &p->def->members[it->members[k]];
		uint64_t first = 0, end = p->cxx ? sf__place_cxx_member(p->cxx, it->members[k], pos, &first)
			: sf__place_member(m, pos, &first);
		if (crossings && end != SF_PLACE_NONE && end > first &&
		    first / p->cacheline_bits != (end - 1) / p->cacheline_bits)
			(*crossings)++;
		pos = end;
	}
	return pos;
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
	uint32_t pos = 0, hot_placed = 0;

	while (pos < p->member_count) {
		const sf_ritem *it;
		if (order[pos] >= p->member_count)
			return false;
		it = &p->items[p->item_of[order[pos]]];
		if (it->members[0] != order[pos] || !sf__ritem_allowed(p, it, pos, hot_placed))
			return false;
		for (uint32_t k = 1; k < it->count; k++) {
			if (order[pos + k] != it->members[k])
				return false;
		}
		pos += it->count;
		if (it->hot && it->pin == SF_RITEM_FREE)
			hot_placed++;
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
	return a->hot == b->hot &&
	       (x->flags & SF_MEMBER_BITFIELD) == (y->flags & SF_MEMBER_BITFIELD) &&
	       x->size == y->size && x->type_align == y->type_align &&
	       x->explicit_align == y->explicit_align && x->bit_size == y->bit_size;
}

int sf__rproblem_build(sf_rproblem *p, const sf_struct *s, const sf_place_cxx *cxx,
		       const sf_reorder_options *opts, unsigned cacheline, sf_arena *arena, bool *skipped)
{
	const sf_constraints *cs = opts->constraints;
	const char *name = sf__report_struct_name(s);
	uint32_t n = s->member_count;
	uint32_t *pin, *group_of, *group_line, group_count = 0;
	uint32_t **group_members, *group_size;
	bool *hot;
	uint64_t bits = 0, states = 1;

	memset(p, 0, sizeof(*p));
	*skipped = false;
	p->def = s;
	p->cxx = cxx;
	p->member_count = n;
	p->cacheline_bits = (uint64_t)(cacheline ? cacheline : 64) * 8;
	p->align_bits = (uint64_t)sf__place_struct_align(s) * 8;

	pin = sf__arena_calloc(arena, n + 1, sizeof(*pin));
	group_of = sf__arena_calloc(arena, n + 1, sizeof(*group_of));
	hot = sf__arena_calloc(arena, n + 1, sizeof(*hot));
	p->items = sf__arena_calloc(arena, n + 1, sizeof(*p->items));
	p->classes = sf__arena_calloc(arena, n + 1, sizeof(*p->classes));
	p->next_pin = sf__arena_calloc(arena, n + 1, sizeof(*p->next_pin));
	p->pin_item = sf__arena_calloc(arena, n + 1, sizeof(*p->pin_item));
	p->item_of = sf__arena_calloc(arena, n + 1, sizeof(*p->item_of));
	group_members = sf__arena_calloc(arena, n + 1, sizeof(*group_members));
	group_size = sf__arena_calloc(arena, n + 1, sizeof(*group_size));
	group_line = sf__arena_calloc(arena, n + 1, sizeof(*group_line));
	if (!pin || !group_of || !hot || !p->items || !p->classes || !p->next_pin || !p->pin_item ||
	    !p->item_of || !group_members || !group_size || !group_line)
		return sf__fail(SF_ENOMEM, "out of memory while planning a reorder");

	for (uint32_t i = 0; i < n; i++) {
		pin[i] = automatic_pin(s, cxx, i, opts);
		group_of[i] = NO_GROUP;
	}

	for (size_t r = 0; cs && name && r < cs->count; r++) {
		const sf_rule *rule = &cs->rules[r];
		uint32_t index = 0;
		int res;
		if (strcmp(rule->struct_name, name) != 0)
			continue;
		p->has_rules = true;
		switch (rule->kind) {
		case SF_RULE_SKIP:
			*skipped = true;
			return 0;
		case SF_RULE_PIN:
			res = find_member(s, cs, rule, rule->members[0], &index);
			if (res < 0)
				return res;
			pin[index] = index;
			break;
		case SF_RULE_HOT:
			for (uint32_t k = 0; k < rule->member_count; k++) {
				res = find_member(s, cs, rule, rule->members[k], &index);
				if (res < 0)
					return res;
				hot[index] = true;
			}
			break;
		case SF_RULE_GROUP:
			group_members[group_count] = sf__arena_calloc(arena, rule->member_count, sizeof(uint32_t));
			if (!group_members[group_count])
				return sf__fail(SF_ENOMEM, "out of memory while planning a reorder");
			for (uint32_t k = 0; k < rule->member_count; k++) {
				res = find_member(s, cs, rule, rule->members[k], &index);
				if (res < 0)
					return res;
				if (group_of[index] != NO_GROUP)
					return sf__fail(SF_EUSAGE, "%s:%u: %s.%s is already in a group",
							cs->file, rule->line, name, rule->members[k]);
				group_of[index] = group_count;
				group_members[group_count][k] = index;
			}
			group_size[group_count] = rule->member_count;
			group_line[group_count] = rule->line;
			group_count++;
			p->has_groups = true;
			break;
		}
	}

	/* Items in declaration order of their first member. */
	for (uint32_t i = 0; i < n; i++) {
		sf_ritem *it;
		uint32_t g = group_of[i], group_pin = SF_RITEM_FREE;
		if (g != NO_GROUP) {
			uint32_t lowest = n;
			for (uint32_t k = 0; k < group_size[g]; k++)
				lowest = group_members[g][k] < lowest ? group_members[g][k] : lowest;
			if (lowest != i)
				continue;
			/* A pinned member pins its whole group so that it keeps
			 * its own index. */
			for (uint32_t k = 0; k < group_size[g]; k++) {
				uint32_t m = group_members[g][k];
				if (pin[m] == SF_RITEM_FREE)
					continue;
				if (pin[m] < k || pin[m] - k + group_size[g] > n ||
				    (group_pin != SF_RITEM_FREE && group_pin != pin[m] - k))
					return sf__fail(SF_EUSAGE, "%s:%u: group cannot keep %s.%s at its position",
							cs->file, group_line[g], name,
							s->members[m].name ? s->members[m].name : "?");
				group_pin = pin[m] - k;
			}
		}
		it = &p->items[p->item_count];
		if (g != NO_GROUP) {
			it->members = group_members[g];
			it->count = group_size[g];
			it->pin = group_pin;
			it->ascending = true;
			for (uint32_t k = 0; k < it->count; k++) {
				hot[i] = hot[i] || hot[it->members[k]];
				if (k && it->members[k] <= it->members[k - 1])
					it->ascending = false;
			}
		} else {
			uint32_t *one = sf__arena_alloc(arena, sizeof(*one));
			if (!one)
				return sf__fail(SF_ENOMEM, "out of memory while planning a reorder");
			*one = i;
			it->members = one;
			it->count = 1;
			it->pin = pin[i];
			it->ascending = true;
		}
		it->first_index = i;
		it->hot = hot[i];
		for (uint32_t k = 0; k < it->count; k++)
			p->item_of[it->members[k]] = p->item_count;
		p->item_count++;
	}

	for (uint32_t pos = 0; pos < n; pos++)
		p->pin_item[pos] = SF_RITEM_FREE;
	for (uint32_t i = 0; i < p->item_count; i++) {
		sf_ritem *it = &p->items[i];
		if (it->pin == SF_RITEM_FREE) {
			if (it->hot)
				p->hot_items++;
			continue;
		}
		for (uint32_t k = 0; k < it->count; k++) {
			uint32_t pos = it->pin + k;
			if (p->pin_item[pos] != SF_RITEM_FREE)
				return sf__fail(SF_EUSAGE, "%s: pinned members of %s overlap",
						cs ? cs->file : "constraints", name ? name : "(anonymous)");
			p->pin_item[pos] = i;
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
			p->classes[c].hot = it->hot;
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

	for (uint32_t i = 0; i < n; i++) {
		const sf_member *m = &s->members[i];
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
	bits = sf__rproblem_size_bits(p, bits);
	p->lower_bound = bits / 8;
	return 0;
}
