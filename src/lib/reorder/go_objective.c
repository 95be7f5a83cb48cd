/* Go's second objective: after the size, the bytes its garbage collector scans. */
#include "reorder/go_objective.h"

#include <stdlib.h>
#include <string.h>

#include "layout/place_member.h"
#include "reorder/search.h"
#include "util/fail.h"

void sf__go_measure(const sf_struct *def, const uint32_t *order, uint64_t *size, uint64_t *pointer_bytes)
{
	uint64_t at = 0, ptr = 0, align = sf__place_struct_align(def);
	const sf_member *last = NULL;

	for (uint32_t i = 0; i < def->member_count; i++) {
		const sf_member *m = &def->members[order[i]];
		uint64_t a = sf__place_member_align(m);
		at = (at + a - 1) / a * a;
		if (m->pointer_bytes)
			ptr = at + m->pointer_bytes;
		at += m->size;
		last = m;
	}
	/* See go_tail() in layout/place.c. */
	if (last && last->size == 0 && at > 0)
		at++;
	*size = (at + align - 1) / align * align;
	*pointer_bytes = ptr;
}

/* Scalar bytes after a field's last pointer word: what it hides at the end of the scanned prefix. */
static uint64_t trailing(const sf_member *m)
{
	return m->size - m->pointer_bytes;
}

/*
 * Zero-size fields first, then the pointer-holding ones in declaration
 * order but for the one with most trailing scalar bytes (the last declared
 * of those), which ends them, then the rest, sorted by alignment when
 * `sort_rest`.  Pinned positions (zero-length arrays) keep their member.
 */
static void go_order(const sf_rproblem *p, bool sort_rest, uint32_t *out)
{
	const sf_struct *def = p->def;
	uint32_t n = def->member_count, k = 0, closing = UINT32_MAX;
	uint32_t *free_members = out + n;   /* scratch: the caller gives 2n */

	for (uint32_t i = 0; i < n; i++) {
		const sf_member *m = &def->members[i];
		if (p->items[p->item_of[i]].pin == SF_RITEM_FREE && m->size && m->pointer_bytes &&
		    (closing == UINT32_MAX || trailing(m) >= trailing(&def->members[closing])))
			closing = i;
	}
	for (int pass = 0; pass < 4; pass++) {
		for (uint32_t i = 0; i < n; i++) {
			const sf_member *m = &def->members[i];
			bool pinned = p->items[p->item_of[i]].pin != SF_RITEM_FREE;
			int group = !m->size ? 0 : i == closing ? 2 : m->pointer_bytes ? 1 : 3;
			if (!pinned && group == pass)
				free_members[k++] = i;
		}
	}
	if (sort_rest) {
		/* Insertion sort of the scalar tail by alignment, stable. */
		uint32_t start = 0;
		while (start < k && (!def->members[free_members[start]].size ||
				     def->members[free_members[start]].pointer_bytes))
			start++;
		for (uint32_t i = start + 1; i < k; i++) {
			uint32_t v = free_members[i], j = i;
			while (j > start && sf__place_member_align(&def->members[free_members[j - 1]]) <
						    sf__place_member_align(&def->members[v])) {
				free_members[j] = free_members[j - 1];
				j--;
			}
			free_members[j] = v;
		}
	}
	for (uint32_t i = 0, next = 0; i < n; i++) {
		uint32_t item = p->pin_item[i];
		out[i] = item != SF_RITEM_FREE ? p->items[item].members[0] : free_members[next++];
	}
}

typedef struct go_score {
	uint64_t size, pointer_bytes;
	uint32_t moved;
	bool valid;
} go_score;

static go_score score(const sf_rproblem *p, const uint32_t *order)
{
	go_score s = { 0, 0, 0, false };

	if (!sf__rproblem_order_ok(p, order))
		return s;
	sf__go_measure(p->def, order, &s.size, &s.pointer_bytes);
	s.moved = sf__search_moved(order, p->def->member_count);
	s.valid = true;
	return s;
}

static bool better(go_score a, go_score b)
{
	if (!a.valid)
		return false;
	if (!b.valid)
		return true;
	if (a.size != b.size)
		return a.size < b.size;
	if (a.pointer_bytes != b.pointer_bytes)
		return a.pointer_bytes < b.pointer_bytes;
	return a.moved < b.moved;
}

/* Small structs: every order, so size, pointer bytes and moves are all proven. */
#define GO_EXHAUSTIVE_MEMBERS 8

static bool next_permutation(uint32_t *a, uint32_t n)
{
	uint32_t i = n - 1, j = n - 1, t;

	while (i > 0 && a[i - 1] >= a[i])
		i--;
	if (i == 0)
		return false;
	while (a[j] <= a[i - 1])
		j--;
	t = a[i - 1];
	a[i - 1] = a[j];
	a[j] = t;
	for (j = n - 1; i < j; i++, j--) {
		t = a[i];
		a[i] = a[j];
		a[j] = t;
	}
	return true;
}

static go_score exhaustive(const sf_rproblem *p, uint32_t *work, uint32_t *best_order)
{
	uint32_t n = p->def->member_count;
	go_score best = { 0, 0, 0, false };

	for (uint32_t i = 0; i < n; i++)
		work[i] = i;
	do {
		go_score s = score(p, work);
		if (better(s, best)) {
			best = s;
			memcpy(best_order, work, n * sizeof(*work));
		}
	} while (next_permutation(work, n));
	return best;
}

int sf__go_objective(const sf_rproblem *p, uint32_t *members, sf_reorder_reason *reason,
		     sf_optimality *moves_optimal, uint64_t *predicted, sf_arena *arena)
{
	const sf_struct *def = p->def;
	uint32_t n = def->member_count;
	uint32_t *base = sf__arena_calloc(arena, n + 1, sizeof(*base));
	uint32_t *candidate = sf__arena_calloc(arena, 2 * n + 1, sizeof(*candidate));
	go_score best, found;
	bool replaced = false;

	if (!base || !candidate)
		return sf__fail(SF_ENOMEM, "out of memory while planning a reorder");
	if (*reason == SF_REASON_NONE) {
		memcpy(base, members, n * sizeof(*base));
	} else if (*reason == SF_REASON_MINIMAL || *reason == SF_REASON_NO_GAIN) {
		for (uint32_t i = 0; i < n; i++)
			base[i] = i;
	} else {
		return 0;
	}
	best = score(p, base);
	/* The size search knows C's tail rule, not Go's: an order ending in
	 * a zero-size field costs a byte more than it believed. */
	if (*reason == SF_REASON_NONE && best.size != *predicted)
		best.valid = false;
	if (n <= GO_EXHAUSTIVE_MEMBERS) {
		found = exhaustive(p, candidate, base);
		if (!found.valid) {
			*reason = SF_REASON_CONSTRAINED;
			return 0;
		}
		memcpy(members, base, n * sizeof(*members));
		*predicted = found.size;
		*moves_optimal = SF_OPTIMAL_PROVEN;
		*reason = found.moved ? SF_REASON_NONE : SF_REASON_MINIMAL;
		return 0;
	}
	if (p->has_groups)
		goto done;
	for (int sort_rest = 0; sort_rest < 2; sort_rest++) {
		go_order(p, sort_rest != 0, candidate);
		found = score(p, candidate);
		if (better(found, best)) {
			best = found;
			memcpy(base, candidate, n * sizeof(*base));
			replaced = true;
		}
	}
done:
	if (!best.valid) {
		*reason = SF_REASON_CONSTRAINED;
		return 0;
	}
	if (!replaced)
		return 0;
	memcpy(members, base, n * sizeof(*members));
	*predicted = best.size;
	*moves_optimal = SF_OPTIMAL_HEURISTIC;
	*reason = SF_REASON_NONE;
	for (uint32_t i = 0; i < n && *reason == SF_REASON_NONE; i++) {
		if (members[i] != i)
			break;
		if (i + 1 == n)
			*reason = SF_REASON_MINIMAL;
	}
	return 0;
}
