/* Exact search: minimal size by dynamic programming over placed multisets, then fewest moves. */
#include "reorder/search.h"

#include <stdlib.h>
#include <string.h>

#include "layout/place.h"
#include "util/fail.h"

/*
 * Why a dynamic program is exact: placing an item is monotone in its start
 * position (a later start never ends earlier), so the best way to place a
 * set S ends at f(S) = min over the item e placed last of place(e, f(S-e)).
 * Identical items (same placement facts and rules) are merged, so a state
 * is how many items of each class are placed.  The struct alignment does
 * not depend on the order, so the minimal size is roundup(f(all), align).
 *
 * Why the fewest-moves search is a separate step: many orders reach the
 * minimal size, and most of them do not have minimal intermediate ends
 * (slack before the final roundup).  The backward table B(S), the latest
 * end of a prefix S from which the remaining items still fit into the
 * minimal size, is again exact by monotonicity (the inverse of placement).
 * A prefix ending at e is then completable iff e <= B(S), so a depth-first
 * search over orders never follows a dead end, and the number of members
 * that cannot be kept in declaration order gives an admissible bound.
 */

void sf__search_ws_free(sf_search_ws *ws)
{
	free(ws->forward);
	free(ws->backward);
	memset(ws, 0, sizeof(*ws));
}

static int ws_reserve(sf_search_ws *ws, uint64_t states)
{
	uint64_t *f, *b;
	if (states <= ws->capacity)
		return 0;
	if (states > SIZE_MAX / sizeof(uint64_t))
		return sf__fail(SF_ENOMEM, "reorder search tables too large");
	f = realloc(ws->forward, (size_t)states * sizeof(uint64_t));
	if (!f)
		return sf__fail(SF_ENOMEM, "out of memory for the reorder search");
	ws->forward = f;
	b = realloc(ws->backward, (size_t)states * sizeof(uint64_t));
	if (!b)
		return sf__fail(SF_ENOMEM, "out of memory for the reorder search");
	ws->backward = b;
	ws->capacity = states;
	return 0;
}

/* Counts per class and member position of a state. */
static void decode(const sf_rproblem *p, uint64_t state, uint32_t *counts, uint32_t *pos)
{
	*pos = 0;
	for (uint32_t c = 0; c < p->class_count; c++) {
		const sf_rclass *k = &p->classes[c];
		counts[c] = (uint32_t)(state / k->radix % ((uint64_t)k->mult + 1));
		*pos += counts[c] * k->len;
	}
}

uint32_t sf__search_moved(const uint32_t *order, uint32_t count)
{
	/* Patience sorting: tails[k] is the smallest last element of an
	 * increasing subsequence of length k + 1. */
	uint32_t *tails = malloc((count ? count : 1) * sizeof(*tails));
	uint32_t len = 0;
	if (!tails)
		return count;
	for (uint32_t i = 0; i < count; i++) {
		uint32_t lo = 0, hi = len;
		while (lo < hi) {
			uint32_t mid = (lo + hi) / 2;
			if (tails[mid] < order[i])
				lo = mid + 1;
			else
				hi = mid;
		}
		tails[lo] = order[i];
		if (lo == len)
			len++;
	}
	free(tails);
	return count - len;
}

typedef struct dfs {
	const sf_rproblem *p;
	const uint64_t *backward;
	uint64_t budget;
	uint64_t nodes;
	bool exhausted;
	bool done;
	bool *item_placed;
	bool *member_placed;
	uint32_t *current;
	uint32_t *best;
	uint32_t best_moved;
	uint32_t best_crossings;
} dfs;

static uint32_t unplaced_below(const dfs *d, int64_t j)
{
	uint32_t n = 0;
	for (int64_t i = 0; i < j; i++)
		n += !d->member_placed[i];
	return n;
}

static void search(dfs *d, uint32_t depth, uint32_t pos, uint64_t state, uint64_t end,
		   int64_t kept_last, uint32_t moved, uint32_t crossings)
{
	const sf_rproblem *p = d->p;
	uint32_t bound;

	if (d->done)
		return;
	if (++d->nodes > d->budget) {
		d->exhausted = true;
		d->done = true;
		return;
	}
	if (depth == p->item_count) {
		if (moved < d->best_moved || (moved == d->best_moved && crossings < d->best_crossings)) {
			memcpy(d->best, d->current, p->item_count * sizeof(*d->best));
			d->best_moved = moved;
			d->best_crossings = crossings;
			if (moved == 0 && crossings == 0)
				d->done = true;
		}
		return;
	}
	bound = moved + unplaced_below(d, kept_last);
	if (bound > d->best_moved || (bound == d->best_moved && crossings >= d->best_crossings))
		return;

	for (int pass = 0; pass < 2; pass++) {
		for (uint32_t i = 0; i < p->item_count && !d->done; i++) {
			const sf_ritem *it = &p->items[i];
			bool keep = pass == 0;
			uint32_t cross = crossings;
			uint64_t e, next = state + p->classes[it->cls].radix;

			if (d->item_placed[i])
				continue;
			if (keep && (!it->ascending || (int64_t)it->members[0] <= kept_last))
				continue;
			if (!sf__ritem_allowed(p, it, pos))
				continue;
			e = sf__ritem_place(p, it, end, &cross);
			if (e == SF_PLACE_NONE || d->backward[next] == SF_PLACE_NONE || e > d->backward[next])
				continue;
			d->item_placed[i] = true;
			for (uint32_t k = 0; k < it->count; k++)
				d->member_placed[it->members[k]] = true;
			d->current[depth] = i;
			search(d, depth + 1, pos + it->count, next, e,
			       keep ? (int64_t)it->members[it->count - 1] : kept_last,
			       keep ? moved : moved + it->count, cross);
			d->item_placed[i] = false;
			for (uint32_t k = 0; k < it->count; k++)
				d->member_placed[it->members[k]] = false;
		}
	}
}

/* An order of minimal size straight from the forward table; identical
 * items are used in declaration order, which already keeps them in place. */
static void reconstruct(const sf_rproblem *p, const uint64_t *f, uint32_t *counts, bool *used, uint32_t *items)
{
	uint64_t state = p->state_count - 1;
	uint32_t depth = p->item_count;

	while (depth > 0) {
		uint32_t pos, chosen = UINT32_MAX;
		decode(p, state, counts, &pos);
		for (uint32_t c = 0; c < p->class_count && chosen == UINT32_MAX; c++) {
			const sf_rclass *k = &p->classes[c];
			const sf_ritem *rep = &p->items[k->item];
			uint64_t prev = state - k->radix;
			if (counts[c] == 0 || f[prev] == SF_PLACE_NONE)
				continue;
			if (!sf__ritem_allowed(p, rep, pos - k->len))
				continue;
			if (sf__ritem_place(p, rep, f[prev], NULL) == f[state])
				chosen = c;
		}
		/* The table guarantees a predecessor; stay safe if not. */
		if (chosen == UINT32_MAX)
			chosen = 0;
		for (uint32_t i = p->item_count; i-- > 0;) {
			if (!used[i] && p->items[i].cls == chosen) {
				used[i] = true;
				items[--depth] = i;
				break;
			}
		}
		state -= p->classes[chosen].radix;
	}
}

int sf__search_reserve(sf_search_ws *ws, uint64_t states)
{
	return ws_reserve(ws, states);
}

int sf__search_forward(const sf_rproblem *p, sf_search_ws *ws, uint64_t *end)
{
	uint64_t *f = ws->forward;
	uint32_t *counts = calloc(p->class_count + 1, sizeof(*counts));

	if (!counts)
		return sf__fail(SF_ENOMEM, "out of memory for the reorder search");
	f[0] = 0;
	for (uint64_t s = 1; s < p->state_count; s++) {
		uint32_t pos;
		uint64_t best = SF_PLACE_NONE;
		decode(p, s, counts, &pos);
		for (uint32_t c = 0; c < p->class_count; c++) {
			const sf_rclass *k = &p->classes[c];
			uint64_t prev = s - k->radix, e;
			if (counts[c] == 0 || f[prev] == SF_PLACE_NONE ||
			    !sf__ritem_allowed(p, &p->items[k->item], pos - k->len))
				continue;
			e = sf__ritem_place(p, &p->items[k->item], f[prev], NULL);
			if (e < best)
				best = e;
		}
		f[s] = best;
	}
	*end = f[p->state_count - 1];
	free(counts);
	return 0;
}

int sf__search_backward(const sf_rproblem *p, sf_search_ws *ws, uint64_t final_bits)
{
	uint64_t *b = ws->backward, full = p->state_count - 1;
	uint32_t *counts = calloc(p->class_count + 1, sizeof(*counts));

	if (!counts)
		return sf__fail(SF_ENOMEM, "out of memory for the reorder search");
	b[full] = final_bits;
	for (uint64_t s = full; s-- > 0;) {
		uint32_t pos;
		uint64_t best = SF_PLACE_NONE;
		decode(p, s, counts, &pos);
		for (uint32_t c = 0; c < p->class_count; c++) {
			const sf_rclass *k = &p->classes[c];
			uint64_t next = s + k->radix, start;
			if (counts[c] == k->mult || b[next] == SF_PLACE_NONE ||
			    !sf__ritem_allowed(p, &p->items[k->item], pos))
				continue;
			start = sf__ritem_latest(p, &p->items[k->item], b[next]);
			if (start != SF_PLACE_NONE && (best == SF_PLACE_NONE || start > best))
				best = start;
		}
		b[s] = best;
	}
	free(counts);
	return 0;
}

int sf__search_exact(const sf_rproblem *p, sf_search_ws *ws, uint64_t limit, uint64_t budget,
		     uint32_t *items, sf_search_result *res)
{
	uint64_t opt_bits, end = SF_PLACE_NONE;
	uint32_t *counts = NULL, *order = NULL;
	dfs d;
	int err = 0;

	memset(res, 0, sizeof(*res));
	memset(&d, 0, sizeof(d));
	res->optimal = SF_OPTIMAL_PROVEN;
	res->moves_optimal = SF_OPTIMAL_PROVEN;
	err = ws_reserve(ws, p->state_count);
	if (err == 0)
		err = sf__search_forward(p, ws, &end);
	if (err < 0)
		return err;
	if (end == SF_PLACE_NONE) {
		res->size = UINT64_MAX;
		return 0;
	}
	opt_bits = sf__rproblem_size_bits(p, end);
	res->size = opt_bits / 8;
	if (res->size > limit)
		return 0;
	res->found = true;
	err = sf__search_backward(p, ws, opt_bits);
	if (err < 0)
		return err;

	counts = calloc(p->class_count + 1, sizeof(*counts));
	order = calloc(p->member_count + 1, sizeof(*order));
	d.item_placed = calloc(p->item_count + 1, sizeof(*d.item_placed));
	d.member_placed = calloc(p->member_count + 1, sizeof(*d.member_placed));
	d.current = calloc(p->item_count + 1, sizeof(*d.current));
	d.best = items;
	if (!counts || !order || !d.item_placed || !d.member_placed || !d.current) {
		err = sf__fail(SF_ENOMEM, "out of memory for the reorder search");
		goto done;
	}
	/* Incumbent: the forward table's own order. */
	reconstruct(p, ws->forward, counts, d.item_placed, items);
	memset(d.item_placed, 0, (p->item_count + 1) * sizeof(*d.item_placed));
	sf__rproblem_members(p, items, order);
	d.best_moved = sf__search_moved(order, p->member_count);
	d.best_crossings = 0;
	end = 0;
	for (uint32_t i = 0; i < p->item_count; i++)
		end = sf__ritem_place(p, &p->items[items[i]], end, &d.best_crossings);
	d.p = p;
	d.backward = ws->backward;
	d.budget = budget;
	if (d.best_moved > 0 || d.best_crossings > 0)
		search(&d, 0, 0, 0, 0, -1, 0, 0);
	if (d.exhausted || p->has_groups)
		res->moves_optimal = SF_OPTIMAL_HEURISTIC;
done:
	free(counts);
	free(order);
	free(d.item_placed);
	free(d.member_placed);
	free(d.current);
	return err;
}
