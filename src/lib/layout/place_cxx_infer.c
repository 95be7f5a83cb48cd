/* The Itanium C++ ABI layout, inference: which role hypotheses reproduce what DWARF recorded. */
#include "layout/place_cxx.h"

#include <stdlib.h>
#include <string.h>

#include "layout/place_cxx_impl.h"

#define MAX_HYPOTHESES 256     /* role combinations tried per class */
#define MAX_CHOICES 5          /* roles one component may have */
#define MAX_DATA_SIZES 4       /* data sizes one class may have */

/* Data sizes already inferred during one top-level inference: type
 * graphs share classes, and each would otherwise be inferred once per
 * path to it. */
typedef struct dsize_memo {
	const sf_struct *type;
	uint32_t n;
	uint64_t sizes[MAX_DATA_SIZES];
	struct dsize_memo *next;
} dsize_memo;

typedef struct infer_ctx {
	sf_arena *arena;
	dsize_memo *memo;
} infer_ctx;

static sf_place_verdict infer(const sf_struct *s, unsigned depth, infer_ctx *ctx, sf_place_cxx **hyps,
			      uint32_t *count, uint32_t *member);

/* Bytes up to the end of the last member: the data size of a class the C
 * rules place (members in order, no overlap). */
static uint64_t data_end(const sf_struct *t)
{
	uint64_t end = 0;
	for (uint32_t i = 0; i < t->member_count; i++) {
		const sf_member *m = &t->members[i];
		uint64_t e = m->bit_offset + ((m->flags & SF_MEMBER_BITFIELD) ? m->bit_size : m->size * 8);
		if (e > end)
			end = e;
	}
	return (end + 7) / 8;
}

/* Data size of a class where it is a base or a [[no_unique_address]]
 * member: the distinct values its reproducing hypotheses give, the most
 * plain reading first (at most MAX_DATA_SIZES). */
static uint32_t data_sizes(const sf_struct *t, unsigned depth, infer_ctx *ctx, uint64_t out[MAX_DATA_SIZES])
{
	sf_place_cxx *hyps = NULL;
	dsize_memo *memo;
	uint32_t count = 0, n = 0;

	if (depth > MAX_DEPTH)
		return 0;
	if (!sf__place_cxx_applies(t)) {
		out[0] = data_end(t);
		return 1;
	}
	for (memo = ctx->memo; memo; memo = memo->next) {
		if (memo->type == t) {
			memcpy(out, memo->sizes, sizeof(memo->sizes));
			return memo->n;
		}
	}
	if (infer(t, depth + 1, ctx, &hyps, &count, NULL) == SF_PLACE_OK) {
		for (uint32_t k = 0; k < count && n < MAX_DATA_SIZES; k++) {
			bool seen = false;
			for (uint32_t j = 0; j < n; j++)
				seen |= out[j] == hyps[k].dsize_bytes;
			if (!seen)
				out[n++] = hyps[k].dsize_bytes;
		}
	}
	memo = sf__arena_calloc(ctx->arena, 1, sizeof(*memo));
	if (memo) {
		memo->type = t;
		memo->n = n;
		memcpy(memo->sizes, out, n * sizeof(*out));
		memo->next = ctx->memo;
		ctx->memo = memo;
	}
	return n;
}

bool sf__place_cxx_applies(const sf_struct *s)
{
	if (!s->cxx || s->kind == SF_UNION || s->packed)
		return false;
	if (s->member_count == 0)
		return true;   /* sizeof an empty class is 1, not C's 0 */
	for (uint32_t i = 0; i < s->member_count; i++) {
		const sf_member *m = &s->members[i];
		const sf_struct *t = sf__cxx_class_of(m);
		if (sf__cxx_is_base(m) || sf__cxx_is_vptr(m))
			return true;
		if (t && (sf__cxx_is_empty(t, 0) || !sf__cxx_surely_pod(t, 0)))
			return true;
	}
	return false;
}

/* Roles a component may have, most likely first. */
typedef struct choices {
	uint8_t role[MAX_CHOICES];
	uint64_t data[MAX_CHOICES];
	uint32_t n;
} choices;

static void add_choice(choices *c, sf_place_role role, uint64_t data)
{
	for (uint32_t k = 0; k < c->n; k++) {
		if (c->role[k] == role && c->data[k] == data)
			return;
	}
	if (c->n < MAX_CHOICES) {
		c->role[c->n] = (uint8_t)role;
		c->data[c->n++] = data;
	}
}

/*
 * A base may be POD (full size) or not (its data size); a member of class
 * type may be [[no_unique_address]] or not.  DWARF says neither: only a
 * base or member the class itself shows to be surely POD, or a base with
 * a base or vptr of its own, has one reading; the others are decided by
 * what the recorded layout rules out.
 */
static void component_choices(const sf_struct *s, uint32_t i, unsigned depth, infer_ctx *ctx, choices *c)
{
	const sf_member *m = &s->members[i];
	const sf_struct *t = sf__cxx_class_of(m);
	uint64_t sizes[MAX_DATA_SIZES];
	uint32_t n;

	c->n = 0;
	if (!t || sf__cxx_is_vptr(m)) {
		add_choice(c, SF_ROLE_ORDINARY, 0);
		return;
	}
	if (sf__cxx_is_base(m)) {
		if (sf__cxx_is_empty(t, 0)) {
			add_choice(c, SF_ROLE_EMPTY, 0);
			return;
		}
		/* A data size that is the full size reads as an ordinary base
		 * (a non-POD class may have no tail padding). */
		n = sf__cxx_surely_pod(t, 0) ? 0 : data_sizes(t, depth, ctx, sizes);
		for (uint32_t k = 0; k < n; k++) {
			if (sizes[k] < t->size)
				add_choice(c, SF_ROLE_TAIL, sizes[k]);
			else
				add_choice(c, SF_ROLE_ORDINARY, 0);
		}
		if (c->n == 0 || !sf__cxx_known_nonpod(t, 0))
			add_choice(c, SF_ROLE_ORDINARY, 0);
		return;
	}
	add_choice(c, SF_ROLE_ORDINARY, 0);
	if (sf__cxx_is_empty(t, 0)) {
		add_choice(c, SF_ROLE_EMPTY, 0);
		return;
	}
	if (sf__cxx_surely_pod(t, 0))
		return;
	n = data_sizes(t, depth, ctx, sizes);
	for (uint32_t k = 0; k < n; k++) {
		if (sizes[k] < t->size)
			add_choice(c, SF_ROLE_TAIL, sizes[k]);
	}
}

/* Bases and vptr: how many lead the members, and their ABI order. */
static sf_place_verdict prefix_of(const sf_struct *s, uint32_t *order, uint32_t *count, uint32_t *member)
{
	uint32_t k = 0, n = 0, primary = UINT32_MAX;

	while (k < s->member_count && (sf__cxx_is_base(&s->members[k]) || sf__cxx_is_vptr(&s->members[k])))
		k++;
	for (uint32_t i = 0; i < s->member_count; i++) {
		const sf_member *m = &s->members[i];
		if (member)
			*member = i;
		if (sf__cxx_is_base(m) && (m->flags & SF_MEMBER_UNKNOWN_TYPE))
			return SF_PLACE_VIRTUAL_BASE;
		if (i >= k && (sf__cxx_is_base(m) || sf__cxx_is_vptr(m)))
			return SF_PLACE_MISMATCH;
		if (!sf__place_member_placeable(m))
			return SF_PLACE_UNPLACEABLE;
	}
	for (uint32_t i = 0; i < k; i++) {
		if (sf__cxx_is_vptr(&s->members[i]))
			order[n++] = i;
	}
	for (uint32_t i = 0; i < k && primary == UINT32_MAX; i++) {
		if (sf__cxx_is_base(&s->members[i]) && sf__cxx_is_dynamic(s->members[i].nested, 0))
			primary = i;
	}
	if (n == 0 && primary != UINT32_MAX)
		order[n++] = primary;
	for (uint32_t i = 0; i < k; i++) {
		if (sf__cxx_is_base(&s->members[i]) && (i != primary || order[0] != primary))
			order[n++] = i;
	}
	*count = k;
	return n == k ? SF_PLACE_OK : SF_PLACE_MISMATCH;
}

/* Whether hypothesis `h` places s in declaration order as recorded; fills
 * its prefix_bits, floor_bytes and dsize_bytes. */
static bool reproduces(sf_place_cxx *h, cxx_state *st, const uint32_t *identity, uint64_t *first,
		       uint32_t *member)
{
	const sf_struct *s = h->def;
	uint64_t size_bits = 0, prefix_size = 0;

	if (!sf__cxx_layout(h, identity, st, first, &size_bits, &h->prefix_bits, &prefix_size)) {
		if (member)
			*member = 0;
		return false;
	}
	for (uint32_t i = 0; i < s->member_count; i++) {
		const sf_member *m = &s->members[i];
		bool same = (m->flags & SF_MEMBER_BITFIELD) ? first[i] == m->bit_offset
			: first[i] == m->offset * 8 && m->bit_offset == m->offset * 8;
		if (!same) {
			if (member)
				*member = i;
			return false;
		}
	}
	if (size_bits / 8 != s->size) {
		if (member)
			*member = s->member_count;
		return false;
	}
	h->dsize_bytes = (st->dsize_bits + 7) / 8;
	/* Empty members usually sit at offset 0, inside any size; where a
	 * type conflict moves one, the order decides where, which the final
	 * placement (sf__place_cxx_struct) sees and the searches do not. */
	h->floor_bytes = prefix_size;
	for (uint32_t i = h->prefix_count; i < s->member_count; i++) {
		const sf_member *m = &s->members[i];
		if (h->role[i] == SF_ROLE_EMPTY && m->offset == 0 && m->size > h->floor_bytes)
			h->floor_bytes = m->size;
	}
	return true;
}

/* Copies the prefix's empty subobjects (the first ones `st` placed) and
 * each member type's own into `h`. */
static bool keep_empties(sf_place_cxx *h, cxx_state *st, sf_arena *arena)
{
	const sf_struct *s = h->def;
	uint32_t n = s->member_count, total = 0;

	h->prefix_empty_count = st->prefix_empties;
	h->prefix_empty_type = sf__arena_calloc(arena, st->prefix_empties, sizeof(*h->prefix_empty_type));
	h->prefix_empty_offset = sf__arena_calloc(arena, st->prefix_empties, sizeof(*h->prefix_empty_offset));
	h->member_empty_start = sf__arena_calloc(arena, n + 2, sizeof(*h->member_empty_start));
	if (!h->prefix_empty_type || !h->prefix_empty_offset || !h->member_empty_start)
		return false;
	memcpy(h->prefix_empty_type, st->placed.type, st->prefix_empties * sizeof(*h->prefix_empty_type));
	memcpy(h->prefix_empty_offset, st->placed.offset, st->prefix_empties * sizeof(*h->prefix_empty_offset));
	for (uint32_t pass = 0; pass < 2; pass++) {
		total = 0;
		for (uint32_t i = 0; i < n; i++) {
			const sf_struct *t = sf__cxx_class_of(&s->members[i]);
			h->member_empty_start[i] = total;
			if (!t || i < h->prefix_count)
				continue;
			st->scratch.count = 0;
			st->scratch.overflow = false;
			sf__cxx_collect(&st->scratch, t, 0, 0);
			if (st->scratch.overflow)
				return false;
			if (pass == 1) {
				memcpy(h->member_empty_type + total, st->scratch.type,
				       st->scratch.count * sizeof(*h->member_empty_type));
				memcpy(h->member_empty_offset + total, st->scratch.offset,
				       st->scratch.count * sizeof(*h->member_empty_offset));
			}
			total += st->scratch.count;
		}
		h->member_empty_start[n] = total;
		if (pass == 0) {
			h->member_empty_type = sf__arena_calloc(arena, total + 1, sizeof(*h->member_empty_type));
			h->member_empty_offset = sf__arena_calloc(arena, total + 1, sizeof(*h->member_empty_offset));
			if (!h->member_empty_type || !h->member_empty_offset)
				return false;
		}
	}
	return true;
}

/* Tries every combination of `c` (at most MAX_HYPOTHESES); appends the
 * reproducing ones to out[*count]. */
static bool try_all(const sf_struct *s, const choices *c, sf_place_cxx *h, cxx_state *st, const uint32_t *identity,
		    uint64_t *first, sf_arena *arena, sf_place_cxx *out, uint32_t *count, uint32_t *member)
{
	uint64_t total = 1;
	uint32_t n = s->member_count;

	for (uint32_t i = 0; i < n; i++) {
		total *= c[i].n;
		if (total > MAX_HYPOTHESES)
			return false;
	}
	for (uint64_t combo = 0; combo < total; combo++) {
		uint64_t rest = combo;
		uint32_t where = 0;
		for (uint32_t i = 0; i < n; i++) {
			uint32_t pick = (uint32_t)(rest % c[i].n);
			rest /= c[i].n;
			h->role[i] = c[i].role[pick];
			h->data_bytes[i] = c[i].data[pick];
		}
		if (!reproduces(h, st, identity, first, &where)) {
			if (combo == 0 && member)
				*member = where;
			continue;
		}
		out[*count] = *h;
		out[*count].role = sf__arena_alloc(arena, n + 1);
		out[*count].data_bytes = sf__arena_calloc(arena, n + 1, sizeof(uint64_t));
		if (!out[*count].role || !out[*count].data_bytes)
			return false;
		memcpy(out[*count].role, h->role, n);
		memcpy(out[*count].data_bytes, h->data_bytes, n * sizeof(uint64_t));
		if (st->prefix_empties && !keep_empties(&out[*count], st, arena))
			return false;
		(*count)++;
	}
	return true;
}

static sf_place_verdict infer(const sf_struct *s, unsigned depth, infer_ctx *ctx, sf_place_cxx **hyps,
			      uint32_t *count, uint32_t *member)
{
	sf_arena *arena = ctx->arena;
	uint32_t n = s->member_count;
	sf_place_verdict v = SF_PLACE_MISMATCH;
	sf_place_cxx h, *out = NULL;
	choices *c = NULL;
	uint32_t *identity = NULL;
	uint64_t *first = NULL;
	cxx_state *st = NULL;

	*hyps = NULL;
	*count = 0;
	if (s->kind == SF_UNION)
		return SF_PLACE_UNION;
	if (s->packed)
		return SF_PLACE_PACKED;
	memset(&h, 0, sizeof(h));
	h.def = s;
	h.prefix_order = sf__arena_calloc(arena, n + 1, sizeof(uint32_t));
	h.role = sf__arena_calloc(arena, n + 1, 1);
	h.data_bytes = sf__arena_calloc(arena, n + 1, sizeof(uint64_t));
	out = sf__arena_calloc(arena, MAX_HYPOTHESES, sizeof(*out));
	c = calloc(n + 1, sizeof(*c));
	identity = calloc(n + 1, sizeof(*identity));
	first = calloc(n + 1, sizeof(*first));
	st = malloc(sizeof(*st));
	if (!h.prefix_order || !h.role || !h.data_bytes || !out || !c || !identity || !first || !st) {
		v = SF_PLACE_TOO_LARGE;
		goto done;
	}
	v = prefix_of(s, h.prefix_order, &h.prefix_count, member);
	if (v != SF_PLACE_OK)
		goto done;
	v = SF_PLACE_MISMATCH;
	for (uint32_t i = 0; i < n; i++)
		identity[i] = i;
	for (uint32_t i = 0; i < n; i++)
		component_choices(s, i, depth, ctx, &c[i]);
	if (!try_all(s, c, &h, st, identity, first, arena, out, count, member))
		v = SF_PLACE_UNPLACEABLE;
	if (*count) {
		*hyps = out;
		v = SF_PLACE_OK;
	}
done:
	free(c);
	free(identity);
	free(first);
	free(st);
	return v;
}

sf_place_verdict sf__place_cxx_infer(const sf_struct *s, sf_arena *arena, sf_place_cxx **hyps,
				     uint32_t *count, uint32_t *member)
{
	if (member)
		*member = 0;
	infer_ctx ctx = { arena, NULL };
	return infer(s, 0, &ctx, hyps, count, member);
}
