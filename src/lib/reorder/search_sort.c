/* Sorting searches: alignment-descending list scheduling and a greedy fewest-moves pass. */
#include "reorder/search.h"

#include <stdlib.h>
#include <string.h>

#include "layout/place.h"
#include "util/fail.h"

typedef struct rank_key {
	uint32_t item;
	bool hot;
	uint32_t align;
	bool bitfield;
	uint32_t first_index;
} rank_key;

static int compare_plain(const void *pa, const void *pb)
{
	const rank_key *a = pa, *b = pb;
	if (a->hot != b->hot)
		return a->hot ? -1 : 1;
	if (a->align != b->align)
		return a->align > b->align ? -1 : 1;
	return a->first_index < b->first_index ? -1 : a->first_index > b->first_index;
}

/* Bitfields after the ordinary members of their alignment, so runs of
 * them share units instead of splitting ordinary members apart. */
static int compare_packing(const void *pa, const void *pb)
{
	const rank_key *a = pa, *b = pb;
	if (a->hot != b->hot)
		return a->hot ? -1 : 1;
	if (a->align != b->align)
		return a->align > b->align ? -1 : 1;
	if (a->bitfield != b->bitfield)
		return a->bitfield ? 1 : -1;
	return a->first_index < b->first_index ? -1 : a->first_index > b->first_index;
}

static rank_key *rank_items(const sf_rproblem *p, bool plain)
{
	rank_key *keys = calloc(p->item_count + 1, sizeof(*keys));
	if (!keys)
		return NULL;
	for (uint32_t i = 0; i < p->item_count; i++) {
		const sf_ritem *it = &p->items[i];
		keys[i].item = i;
		keys[i].first_index = it->first_index;
		/* Past the exact search, a cache-aware struct still gets its
		 * hot members first. */
		keys[i].hot = it->hot;
		keys[i].bitfield = true;
		for (uint32_t k = 0; k < it->count; k++) {
			const sf_member *m = &p->def->members[it->members[k]];
			uint32_t a = sf__place_member_align(m);
			if (a > keys[i].align)
				keys[i].align = a;
			if (!(m->flags & SF_MEMBER_BITFIELD))
				keys[i].bitfield = false;
		}
	}
	qsort(keys, p->item_count, sizeof(*keys), plain ? compare_plain : compare_packing);
	return keys;
}

/*
 * Schedules the unplaced items from a state; `placed` is updated and the
 * chosen items are appended to items[depth...].  Returns the end bit or
 * SF_PLACE_NONE.
 */
static uint64_t schedule_from(const sf_rproblem *p, const rank_key *keys, bool *placed,
			      uint32_t depth, uint32_t pos, uint64_t end, uint32_t *items)
{
	while (depth < p->item_count) {
		uint32_t chosen = UINT32_MAX;
		const sf_ritem *it;
		if (pos < p->member_count && p->pin_item[pos] != SF_RITEM_FREE) {
			chosen = p->pin_item[pos];
			if (placed[chosen] || p->items[chosen].pin != pos)
				return SF_PLACE_NONE;
		} else {
			for (uint32_t r = 0; r < p->item_count; r++) {
				uint32_t i = keys[r].item;
				if (!placed[i] && sf__ritem_allowed(p, &p->items[i], pos)) {
					chosen = i;
					break;
				}
			}
		}
		if (chosen == UINT32_MAX)
			return SF_PLACE_NONE;
		it = &p->items[chosen];
		placed[chosen] = true;
		items[depth++] = chosen;
		end = sf__ritem_place(p, it, end, NULL);
		if (end == SF_PLACE_NONE)
			return SF_PLACE_NONE;
		pos += it->count;
	}
	return end;
}

uint64_t sf__search_schedule(const sf_rproblem *p, bool plain, uint32_t *items)
{
	rank_key *keys = rank_items(p, plain);
	bool *placed = calloc(p->item_count + 1, sizeof(*placed));
	uint64_t end = SF_PLACE_NONE;
	if (keys && placed)
		end = schedule_from(p, keys, placed, 0, 0, 0, items);
	free(keys);
	free(placed);
	return end;
}

int sf__search_fewer_moves(const sf_rproblem *p, uint64_t limit_bits, uint32_t *items)
{
	rank_key *keys = rank_items(p, false);
	bool *placed = calloc(p->item_count + 1, sizeof(*placed));
	bool *trial = calloc(p->item_count + 1, sizeof(*trial));
	uint32_t *scratch = calloc(p->item_count + 1, sizeof(*scratch));
	uint32_t *result = calloc(p->item_count + 1, sizeof(*result));
	uint32_t pos = 0;
	uint64_t end = 0;
	int err = 0;

	if (!keys || !placed || !trial || !scratch || !result) {
		err = sf__fail(SF_ENOMEM, "out of memory for the reorder search");
		goto done;
	}
	for (uint32_t depth = 0; depth < p->item_count; depth++) {
		uint32_t next = UINT32_MAX, chosen = UINT32_MAX;
		const sf_ritem *it;
		/* The earliest declared item not placed yet: keeping it next
		 * preserves declaration order. */
		for (uint32_t i = 0; i < p->item_count; i++) {
			if (!placed[i]) {
				next = i;
				break;
			}
		}
		if (next != UINT32_MAX && sf__ritem_allowed(p, &p->items[next], pos)) {
			uint64_t e = sf__ritem_place(p, &p->items[next], end, NULL);
			if (e != SF_PLACE_NONE) {
				memcpy(trial, placed, (p->item_count + 1) * sizeof(*trial));
				trial[next] = true;
				scratch[depth] = next;
				e = schedule_from(p, keys, trial, depth + 1, pos + p->items[next].count, e, scratch);
				if (e != SF_PLACE_NONE && e <= limit_bits)
					chosen = next;
			}
		}
		if (chosen == UINT32_MAX) {
			/* Fall back to the schedule's own next item, which keeps
			 * the rest of the schedule (and so the limit) reachable. */
			memcpy(trial, placed, (p->item_count + 1) * sizeof(*trial));
			if (schedule_from(p, keys, trial, depth, pos, end, scratch) == SF_PLACE_NONE) {
				/* Cannot happen when `items` met the limit; keep it. */
				goto done;
			}
			chosen = scratch[depth];
		}
		it = &p->items[chosen];
		placed[chosen] = true;
		result[depth] = chosen;
		end = sf__ritem_place(p, it, end, NULL);
		pos += it->count;
	}
	if (end <= limit_bits)
		memcpy(items, result, p->item_count * sizeof(*items));
done:
	free(keys);
	free(placed);
	free(trial);
	free(scratch);
	free(result);
	return err;
}
