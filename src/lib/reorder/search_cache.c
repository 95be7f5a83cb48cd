/* Cache-aware exact search: hot set in the fewest lines, then nearest offset 0, size, moves. */
#include "reorder/search.h"

#include <stdlib.h>
#include <string.h>

#include "layout/place.h"
#include "reorder/heat.h"
#include "util/fail.h"

/*
 * Why branch and bound and not the dynamic program of search_exact.c: the
 * hot set's lines depend on where its first member starts as well as on
 * where its last one ends, which a table indexed by placed multisets does
 * not keep.  The backward table B(S) of the size limit still makes every
 * partial order completable (no dead ends but those of apart rules), and
 * each level has an admissible bound:
 *   hot lines >= lines of [first hot start, end + unplaced hot bits), or,
 *                before any hot member, the fewest lines of the hot bytes
 *                wherever they start (sf__heat_lines_lower);
 *   hot end   >= end + unplaced hot bits;
 *   size      >= the minimal size and the size of the current end;
 *   moves     >= moved + unplaced members declared before the last kept.
 * Items of one class are interchangeable for every level but moves; the
 * moved ones among them (not in the kept increasing run) can be rearranged
 * in declaration order without changing any level, so only that order of
 * them is searched.  (Kept ones are in declaration order anyway; forcing
 * all of a class into declaration order would lose: [2,0,4,1,5,3] vs
 * [2,3,4,1,5,0] when 0 and 3 are alike.)
 */

typedef sf_cache_cost cost;

int sf__search_cache_cmp(const cost *a, const cost *b)
{
	if (a->lines != b->lines)
		return a->lines < b->lines ? -1 : 1;
	if (a->hot_end != b->hot_end)
		return a->hot_end < b->hot_end ? -1 : 1;
	if (a->size != b->size)
		return a->size < b->size ? -1 : 1;
	if (a->moved != b->moved)
		return a->moved < b->moved ? -1 : 1;
	if (a->crossings != b->crossings)
		return a->crossings < b->crossings ? -1 : 1;
	return 0;
}

typedef struct cdfs {
	const sf_rproblem *p;
	const uint64_t *backward;
	uint64_t min_size;
	uint64_t line;           /* bytes */
	uint64_t budget;
	uint64_t nodes;
	bool exhausted;
	bool found;
	bool *item_placed;
	bool *member_placed;
	uint64_t *first_bits;    /* per member, valid while placed */
	uint64_t *end_bits;      /* per member, 0 when not placed */
	bool apart_hot;          /* an apart rule names two hot members */
	int64_t *last_moved;     /* per class: declaration index of its last moved item, or -1 */
	uint32_t *current;
	uint32_t *best;
	cost best_cost;
} cdfs;

/* The search position after `depth` items. */
typedef struct node {
	uint32_t depth;
	uint32_t pos;
	uint64_t state;
	uint64_t end;          /* bits */
	int64_t kept_last;
	uint32_t moved;
	uint32_t crossings;
	uint64_t hot_first;    /* bits; UINT64_MAX before the first hot member */
	uint64_t hot_end;      /* bits */
	uint64_t hot_left;     /* bits of hot members not placed */
} node;

static uint32_t unplaced_below(const cdfs *d, int64_t j)
{
	uint32_t n = 0;
	for (int64_t i = 0; i < j; i++)
		n += !d->member_placed[i];
	return n;
}

/*
 * Where an unplaced hot member of an apart rule can end at the earliest
 * (bits): past the current end and far enough from its placed partner
 * that no 16-byte-aligned start puts them in one line.  Sharing only
 * stops as the start moves on, so the first such byte is the answer.
 */
static uint64_t apart_end_bound(const cdfs *d, const node *v, uint64_t bound)
{
	const sf_rproblem *p = d->p;
	for (uint32_t r = 0; r < p->apart_count; r++) {
		const sf_rapart *a = &p->aparts[r];
		for (uint32_t x = 0; x < a->count; x++) {
			uint32_t mx = a->members[x];
			for (uint32_t y = 0; y < a->count; y++) {
				uint32_t my = a->members[y];
				const sf_member *m = &p->def->members[my];
				uint64_t start = (v->end + 7) / 8, bytes = m->size ? m->size : 1;
				if (y == x || d->end_bits[my] || !p->hot[my])
					continue;
				if (!d->end_bits[mx]) {
					/* Neither placed: whichever comes second starts at
					 * least a line minus the base alignment after the
					 * first ends (the start that puts the first's last
					 * byte at a line's beginning). */
					const sf_member *o = &p->def->members[mx];
					uint64_t two = (v->end + 7) / 8 + (o->size ? o->size : 1) + bytes +
						d->line - p->base_align;
					if (p->hot[mx] && two * 8 > bound)
						bound = two * 8;
					continue;
				}
				while (sf__heat_may_share(d->first_bits[mx] / 8, (d->end_bits[mx] + 7) / 8, start, start + 1,
							  p->base_align, d->line))
					start++;
				if ((start + bytes) * 8 > bound)
					bound = (start + bytes) * 8;
			}
		}
	}
	return bound;
}

static cost bound_of(const cdfs *d, const node *v)
{
	const sf_rproblem *p = d->p;
	uint64_t end_lb = v->hot_left ? v->end + v->hot_left : v->hot_end;
	uint64_t size_now = sf__rproblem_size_bits(p, v->end) / 8;
	cost c;

	if (v->hot_left && p->apart_count)
		end_lb = apart_end_bound(d, v, end_lb);
	if (v->hot_first != UINT64_MAX)
		c.lines = sf__heat_lines(v->hot_first / 8, (end_lb + 7) / 8, p->base_align, d->line);
	else
		c.lines = sf__heat_lines_lower((v->hot_left + 7) / 8, p->base_align, d->line);
	/* Two hot members kept apart touch two lines at least. */
	if (d->apart_hot && c.lines < 2)
		c.lines = 2;
	c.hot_end = (end_lb + 7) / 8;
	c.size = size_now > d->min_size ? size_now : d->min_size;
	c.moved = v->moved + unplaced_below(d, v->kept_last);
	c.crossings = v->crossings;
	return c;
}

static void leaf(cdfs *d, const node *v)
{
	const sf_rproblem *p = d->p;
	cost c;

	c.lines = v->hot_first == UINT64_MAX ? 0
		: sf__heat_lines(v->hot_first / 8, (v->hot_end + 7) / 8, p->base_align, d->line);
	c.hot_end = (v->hot_end + 7) / 8;
	c.size = sf__rproblem_size_bits(p, v->end) / 8;
	c.moved = v->moved;
	c.crossings = v->crossings;
	if (!d->found || sf__search_cache_cmp(&c, &d->best_cost) < 0) {
		memcpy(d->best, d->current, p->item_count * sizeof(*d->best));
		d->best_cost = c;
		d->found = true;
	}
}

static void search(cdfs *d, const node *v);

/* Places item i after v (kept in declaration order or moved) and searches on. */
static void try_item(cdfs *d, const node *v, uint32_t i, bool keep)
{
	const sf_rproblem *p = d->p;
	const sf_ritem *it = &p->items[i];
	int64_t last_moved = d->last_moved[it->cls];
	node w = *v;
	uint64_t e;

	w.state = v->state + p->classes[it->cls].radix;
	e = sf__ritem_place_members(p, it, v->end, &w.crossings, d->first_bits, d->end_bits);
	if (e == SF_PLACE_NONE || d->backward[w.state] == SF_PLACE_NONE || e > d->backward[w.state])
		goto undo;
	if (p->apart_count && !sf__rproblem_apart_ok(p, it, d->first_bits, d->end_bits))
		goto undo;
	for (uint32_t k = 0; k < it->count; k++) {
		uint32_t m = it->members[k];
		if (!p->hot[m] || d->end_bits[m] <= d->first_bits[m])
			continue;
		if (w.hot_first == UINT64_MAX)
			w.hot_first = d->first_bits[m];
		if (d->end_bits[m] > w.hot_end)
			w.hot_end = d->end_bits[m];
	}
	w.hot_left -= it->hot_bits;
	w.end = e;
	w.depth++;
	w.pos += it->count;
	w.kept_last = keep ? (int64_t)it->members[it->count - 1] : v->kept_last;
	w.moved = keep ? v->moved : v->moved + it->count;
	d->item_placed[i] = true;
	for (uint32_t k = 0; k < it->count; k++)
		d->member_placed[it->members[k]] = true;
	if (!keep)
		d->last_moved[it->cls] = it->first_index;
	d->current[v->depth] = i;
	search(d, &w);
	d->last_moved[it->cls] = last_moved;
	d->item_placed[i] = false;
	for (uint32_t k = 0; k < it->count; k++)
		d->member_placed[it->members[k]] = false;
undo:
	for (uint32_t k = 0; k < it->count; k++)
		d->end_bits[it->members[k]] = 0;
}

static void search(cdfs *d, const node *v)
{
	const sf_rproblem *p = d->p;

	if (d->exhausted)
		return;
	if (++d->nodes > d->budget) {
		d->exhausted = true;
		return;
	}
	if (v->depth == p->item_count) {
		leaf(d, v);
		return;
	}
	if (d->found) {
		cost b = bound_of(d, v);
		if (sf__search_cache_cmp(&b, &d->best_cost) >= 0)
			return;
	}
	/* Hot items first, each group kept-in-order first: a good incumbent early. */
	for (int pass = 0; pass < 4 && !d->exhausted; pass++) {
		bool want_hot = pass < 2, keep = pass % 2 == 0;
		if (want_hot && v->hot_left == 0)
			continue;
		for (uint32_t i = 0; i < p->item_count && !d->exhausted; i++) {
			const sf_ritem *it = &p->items[i];
			if (d->item_placed[i] || (it->hot_bits != 0) != want_hot)
				continue;
			if (keep && !(it->ascending && (int64_t)it->members[0] > v->kept_last))
				continue;
			if (!sf__ritem_allowed(p, it, v->pos))
				continue;
			if (!keep && (int64_t)it->first_index < d->last_moved[it->cls])
				continue;
			try_item(d, v, i, keep);
		}
	}
}

/* The cost of a given member order, or false when it breaks a rule or the limit. */
static bool seed_cost(cdfs *d, const uint32_t *order, uint64_t limit_bits)
{
	const sf_rproblem *p = d->p;
	node v = { 0, 0, 0, 0, -1, 0, 0, UINT64_MAX, 0, p->hot_bits };

	if (!sf__rproblem_order_ok(p, order))
		return false;
	for (uint32_t pos = 0; pos < p->member_count;) {
		uint32_t i = p->item_of[order[pos]];
		const sf_ritem *it = &p->items[i];
		v.end = sf__ritem_place_members(p, it, v.end, &v.crossings, d->first_bits, d->end_bits);
		if (v.end == SF_PLACE_NONE)
			return false;
		for (uint32_t k = 0; k < it->count; k++) {
			uint32_t m = it->members[k];
			if (!p->hot[m] || d->end_bits[m] <= d->first_bits[m])
				continue;
			if (v.hot_first == UINT64_MAX)
				v.hot_first = d->first_bits[m];
			if (d->end_bits[m] > v.hot_end)
				v.hot_end = d->end_bits[m];
		}
		d->current[v.depth++] = i;
		pos += it->count;
	}
	v.moved = sf__search_moved(order, p->member_count);
	v.depth = p->item_count;
	if (v.end > limit_bits || !sf__rproblem_apart_ok(p, NULL, d->first_bits, d->end_bits))
		return false;
	leaf(d, &v);
	return true;
}

int sf__search_cache_cost(const sf_rproblem *p, const uint32_t *order, cost *out, bool *ok)
{
	cdfs d;
	int err = 0;

	memset(&d, 0, sizeof(d));
	*ok = false;
	d.p = p;
	d.line = p->cacheline_bits / 8;
	d.budget = 1;
	d.first_bits = calloc(p->member_count + 1, sizeof(*d.first_bits));
	d.end_bits = calloc(p->member_count + 1, sizeof(*d.end_bits));
	d.current = calloc(p->item_count + 1, sizeof(*d.current));
	d.best = calloc(p->item_count + 1, sizeof(*d.best));
	if (!d.first_bits || !d.end_bits || !d.current || !d.best) {
		err = sf__fail(SF_ENOMEM, "out of memory for the reorder search");
		goto done;
	}
	*ok = seed_cost(&d, order, UINT64_MAX);
	*out = d.best_cost;
done:
	free(d.first_bits);
	free(d.end_bits);
	free(d.current);
	free(d.best);
	return err;
}

/* The most significant level at which `c` may not be optimal. */
static sf_objective unproven_level(const cdfs *d, const cost *c)
{
	const sf_rproblem *p = d->p;
	uint32_t lines = sf__heat_lines_lower((p->hot_bits + 7) / 8, p->base_align, d->line);
	if (d->apart_hot && lines < 2)
		lines = 2;
	if (c->lines > lines)
		return SF_OBJECTIVE_HOT_LINES;
	if (c->hot_end > (p->hot_bits + 7) / 8)
		return SF_OBJECTIVE_HOT_END;
	if (c->size > d->min_size)
		return SF_OBJECTIVE_SIZE;
	return c->moved ? SF_OBJECTIVE_MOVES : SF_OBJECTIVE_NONE;
}

int sf__search_cache(const sf_rproblem *p, sf_search_ws *ws, uint64_t growth, uint64_t budget,
		     const uint32_t *seed, uint32_t *items, sf_cache_result *res)
{
	uint64_t end = SF_PLACE_NONE, limit_bits;
	node root = { 0, 0, 0, 0, -1, 0, 0, UINT64_MAX, 0, p->hot_bits };
	cdfs d;
	int err;

	memset(res, 0, sizeof(*res));
	memset(&d, 0, sizeof(d));
	err = sf__search_reserve(ws, p->state_count);
	if (err == 0)
		err = sf__search_forward(p, ws, &end);
	if (err < 0 || end == SF_PLACE_NONE)
		return err;
	res->min_size = sf__rproblem_size_bits(p, end) / 8;
	/* The largest end whose size stays within the growth; the C++
	 * size rules are not a plain round-up, so classes get none. */
	limit_bits = sf__rproblem_size_bits(p, end);
	if (growth && !p->cxx)
		limit_bits = (limit_bits + growth * 8) / p->align_bits * p->align_bits;
	err = sf__search_backward(p, ws, limit_bits);
	if (err < 0)
		return err;
	d.p = p;
	d.backward = ws->backward;
	d.min_size = res->min_size;
	d.line = p->cacheline_bits / 8;
	d.budget = budget;
	d.best = items;
	for (uint32_t r = 0; r < p->apart_count; r++) {
		uint32_t hot = 0;
		for (uint32_t k = 0; k < p->aparts[r].count; k++)
			hot += p->hot[p->aparts[r].members[k]];
		d.apart_hot = d.apart_hot || hot >= 2;
	}
	d.item_placed = calloc(p->item_count + 1, sizeof(*d.item_placed));
	d.member_placed = calloc(p->member_count + 1, sizeof(*d.member_placed));
	d.first_bits = calloc(p->member_count + 1, sizeof(*d.first_bits));
	d.end_bits = calloc(p->member_count + 1, sizeof(*d.end_bits));
	d.current = calloc(p->item_count + 1, sizeof(*d.current));
	d.last_moved = malloc((p->class_count + 1) * sizeof(*d.last_moved));
	if (!d.item_placed || !d.member_placed || !d.first_bits || !d.end_bits || !d.current || !d.last_moved) {
		err = sf__fail(SF_ENOMEM, "out of memory for the reorder search");
		goto done;
	}
	for (uint32_t c = 0; c <= p->class_count; c++)
		d.last_moved[c] = -1;
	if (seed)
		seed_cost(&d, seed, limit_bits);
	memset(d.end_bits, 0, (p->member_count + 1) * sizeof(*d.end_bits));
	search(&d, &root);
	if (!d.found)
		goto done;
	res->found = true;
	res->size = d.best_cost.size;
	res->hot_lines = d.best_cost.lines;
	res->hot_end = d.best_cost.hot_end;
	res->budget_bound = d.exhausted ? unproven_level(&d, &d.best_cost) : SF_OBJECTIVE_NONE;
done:
	free(d.item_placed);
	free(d.member_placed);
	free(d.first_bits);
	free(d.end_bits);
	free(d.current);
	free(d.last_moved);
	return err;
}
