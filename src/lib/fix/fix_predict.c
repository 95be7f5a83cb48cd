/* Sizes predicted for the run as a whole: a struct embedding another patched struct shrinks with it. */
/* strdup is POSIX, hidden by a bare -std=c17. */
#ifndef _GNU_SOURCE
#define _XOPEN_SOURCE 700
#endif

#include <stdlib.h>
#include <string.h>

#include "fix/fix_builder.h"
#include "fix/fix_cxx_build.h"
#include "layout/place.h"
#include "layout/place_cxx.h"
#include "layout/selection.h"
#include "util/fail.h"

/* Type graphs of real programs nest a few dozen levels at most; corrupt
 * ones may nest without end (by value they cannot cycle, but DWARF lies). */
#define PREDICT_MAX_DEPTH 64

/* One struct whose size under the run is known or being computed. */
typedef struct sized {
	const sf_struct *def;
	uint64_t size;
	bool done;
} sized;

typedef struct predictor {
	builder *b;
	sized *items;
	size_t count;
	size_t capacity;
} predictor;

/* The candidate patching `def`, if the run patches it. */
static const candidate *patched(const builder *b, const sf_struct *def)
{
	for (size_t i = 0; i < b->cand_count; i++) {
		const candidate *c = &b->cands[i];
		if (c->def == def && !b->fix->structs[c->record].skip_reason)
			return c;
	}
	return NULL;
}

static sized *find_sized(predictor *p, const sf_struct *def)
{
	for (size_t i = 0; i < p->count; i++)
		if (p->items[i].def == def)
			return &p->items[i];
	return NULL;
}

int sf__fix_member_order(const candidate *c, sf_arena *arena, uint32_t **out)
{
	uint32_t n = c->def->member_count;
	uint32_t *new_pos = sf__arena_calloc(arena, n + 1, sizeof(*new_pos));
	uint32_t *order = sf__arena_calloc(arena, n + 1, sizeof(*order));

	if (!new_pos || !order)
		return SF_ENOMEM;
	sf__fix_cxx_new_positions(c->def, &c->body, c->unit_order, new_pos);
	for (uint32_t m = 0; m < n; m++)
		order[new_pos[m]] = m;
	*out = order;
	return 0;
}

/*
 * Places `copy` (def's members with their sizes under the run) in `order`
 * with the rules the compiler uses for def.  C++ classes reuse the role
 * hypothesis inferred from the original layout; a resized member that is
 * not an ordinary one (a base, or one whose tail padding is reused) is
 * beyond it.  Returns 0, 1 when it cannot be predicted, or SF_ENOMEM.
 */
static int place_resized(const sf_struct *def, const sf_struct *copy, const uint32_t *order,
			 const bool *resized, sf_arena *arena, uint64_t *size)
{
	sf_struct *placed = NULL;
	int rc;

	if (!sf__place_cxx_applies(def)) {
		rc = sf__place_struct(copy, order, copy->member_count, arena, &placed);
	} else {
		sf_place_cxx *hyps = NULL, h;
		uint32_t count = 0;
		if (sf__place_cxx_infer(def, arena, &hyps, &count, NULL) != SF_PLACE_OK || count == 0)
			return 1;
		h = hyps[0];
		for (uint32_t m = 0; m < def->member_count; m++)
			if (resized[m] && h.role[m] != SF_ROLE_ORDINARY)
				return 1;
		h.def = copy;
		rc = sf__place_cxx_struct(&h, order, copy->member_count, arena, &placed);
	}
	if (rc == SF_ENOMEM)
		return rc;
	if (rc < 0)
		return 1;
	*size = placed->size;
	return 0;
}

static int size_under_run(predictor *p, const sf_struct *def, unsigned depth, uint64_t *size);

/*
 * Members of `def` whose by-value type (or array element) changes size in
 * this run get their new size (arrays: count times the new size; the
 * alignment stays, as reordering never changes it).  *copy stays NULL when
 * nothing changes.  The names of those types go to *names.
 */
static int resize_members(predictor *p, const sf_struct *def, unsigned depth, sf_struct **copy, bool **resized,
			  char **names)
{
	sf_arena *arena = p->b->arena;

	for (uint32_t i = 0; i < def->member_count; i++) {
		const sf_member *m = &def->members[i];
		const sf_struct *type = m->nested ? m->nested : m->element;
		uint64_t new_size = 0;
		int rc;
		if (!type || type->size == 0 || (m->flags & SF_MEMBER_BITFIELD) || m->size % type->size != 0)
			continue;
		rc = size_under_run(p, type, depth + 1, &new_size);
		if (rc < 0)
			return rc;
		if (new_size == type->size)
			continue;
		if (!*copy) {
			*copy = sf__arena_alloc(arena, sizeof(**copy));
			*resized = sf__arena_calloc(arena, def->member_count + 1, sizeof(bool));
			if (!*copy || !*resized)
				return SF_ENOMEM;
			**copy = *def;
			(*copy)->members = sf__arena_calloc(arena, def->member_count, sizeof(sf_member));
			if (!(*copy)->members)
				return SF_ENOMEM;
			memcpy((*copy)->members, def->members, def->member_count * sizeof(sf_member));
		}
		(*copy)->members[i].size = m->size / type->size * new_size;
		(*resized)[i] = true;
		if (!(m->flags & SF_MEMBER_ANONYMOUS)) {
			const char *name = sf__report_struct_name(type);
			size_t have = *names ? strlen(*names) : 0, add = strlen(name ? name : "(anonymous)");
			char *more;
			if (*names && strstr(*names, name ? name : "(anonymous)"))
				continue;
			more = realloc(*names, have + add + 3);
			if (!more)
				return SF_ENOMEM;
			if (have)
				memcpy(more + have, ", ", 2), have += 2;
			memcpy(more + have, name ? name : "(anonymous)", add + 1);
			*names = more;
		}
	}
	return 0;
}

/* Records the prediction of a patched struct whose size follows others'. */
static int record(predictor *p, const candidate *c, uint64_t size, int placed, char *names)
{
	sf_fix_struct *r = &p->b->fix->structs[c->record];

	if (!names && !(names = strdup("an anonymous member")))
		return SF_ENOMEM;
	if (placed == 0) {
		r->size = size;
		r->saves = r->original_size - size;
		r->size_depends_on = sf__fix_keep(p->b->fix, names);
		return r->size_depends_on ? 0 : SF_ENOMEM;
	}
	r->size_unpredicted = sf__fix_keep(p->b->fix, names);
	return r->size_unpredicted ? 0 : SF_ENOMEM;
}

/*
 * The size `def` has once every patch of the run is applied: its own
 * order if the run patches it, declaration order otherwise, with the
 * members' types at their sizes under the run (inner types first).
 */
static int size_under_run(predictor *p, const sf_struct *def, unsigned depth, uint64_t *size)
{
	const candidate *c = patched(p->b, def);
	sized *known = find_sized(p, def);
	sf_struct *copy = NULL;
	bool *resized = NULL;
	char *names = NULL;
	uint32_t *order = NULL;
	int rc;

	*size = c ? p->b->fix->structs[c->record].size : def->size;
	if (known) {
		/* Not done: a by-value cycle, which only corrupt input has. */
		if (known->done)
			*size = known->size;
		return 0;
	}
	if (depth > PREDICT_MAX_DEPTH)
		return 0;
	if (p->count == p->capacity) {
		size_t cap = p->capacity ? 2 * p->capacity : 32;
		sized *more = realloc(p->items, cap * sizeof(*more));
		if (!more)
			return SF_ENOMEM;
		p->items = more;
		p->capacity = cap;
	}
	p->items[p->count++] = (sized){ def, *size, false };
	rc = resize_members(p, def, depth, &copy, &resized, &names);
	if (rc == 0 && copy) {
		uint64_t placed_size = *size;
		if (c)
			rc = sf__fix_member_order(c, p->b->arena, &order);
		else {
			order = sf__arena_calloc(p->b->arena, def->member_count + 1, sizeof(*order));
			for (uint32_t m = 0; order && m < def->member_count; m++)
				order[m] = m;
			rc = order ? 0 : SF_ENOMEM;
		}
		if (rc == 0)
			rc = place_resized(def, copy, order, resized, p->b->arena, &placed_size);
		if (rc >= 0 && c) {
			int placed = rc;
			rc = record(p, c, placed_size, placed, names);
			names = NULL;
		}
		if (rc == 0)
			*size = placed_size;
		else if (rc == 1)
			rc = 0; /* unpredictable: the old size is the best guess */
	}
	free(names);
	if (rc < 0)
		return rc;
	known = find_sized(p, def);
	known->size = *size;
	known->done = true;
	return 0;
}

int sf__fix_predict(builder *b)
{
	predictor p = { b, NULL, 0, 0 };
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < b->cand_count; i++) {
		uint64_t size;
		if (!b->fix->structs[b->cands[i].record].skip_reason)
			rc = size_under_run(&p, b->cands[i].def, 0, &size);
	}
	free(p.items);
	return rc;
}
