/* The Itanium C++ ABI layout: role hypotheses, empty-subobject conflicts and placement. */
#include "layout/place_cxx.h"

#include <stdlib.h>
#include <string.h>

#include "util/checked.h"
#include "util/fail.h"

#define MAX_DEPTH 24           /* class nesting followed for empties and data sizes */
#define MAX_EMPTIES 1024       /* empty subobjects tracked per class */
#define MAX_HYPOTHESES 256     /* role combinations tried per class */
#define MAX_CHOICES 5          /* roles one component may have */
#define MAX_DATA_SIZES 4       /* data sizes one class may have */

static bool is_vptr(const sf_member *m)
{
	return m->name && strncmp(m->name, "_vptr", 5) == 0;
}

static bool is_base(const sf_member *m)
{
	return (m->flags & SF_MEMBER_BASE_CLASS) != 0;
}

/* The class a member holds by value as a subobject (a base or a named
 * member of class type), NULL for anything else. */
static const sf_struct *class_of(const sf_member *m)
{
	if (!m->nested || (m->flags & (SF_MEMBER_BITFIELD | SF_MEMBER_ANONYMOUS | SF_MEMBER_UNKNOWN_TYPE)))
		return NULL;
	if (m->nested->kind == SF_UNION)
		return NULL;
	return m->nested;
}

/* Empty in the ABI's sense: no data, no vptr, only empty bases. */
static bool is_empty_class(const sf_struct *t, unsigned depth)
{
	if (!t || t->kind == SF_UNION || t->size == 0 || depth > MAX_DEPTH)
		return false;
	for (uint32_t i = 0; i < t->member_count; i++) {
		const sf_member *m = &t->members[i];
		if (!is_base(m) || !class_of(m) || !is_empty_class(m->nested, depth + 1))
			return false;
	}
	return true;
}

/* Has a vptr of its own or through a base. */
static bool is_dynamic(const sf_struct *t, unsigned depth)
{
	if (!t || depth > MAX_DEPTH)
		return false;
	for (uint32_t i = 0; i < t->member_count; i++) {
		const sf_member *m = &t->members[i];
		if (is_vptr(m) || (is_base(m) && class_of(m) && is_dynamic(m->nested, depth + 1)))
			return true;
	}
	return false;
}

/* What DWARF shows for sure makes a class non-POD for the purpose of
 * layout (C++03 POD): a base, a vptr, what the loader noted
 * (cxx_nonpod), or a member of such a class. */
static bool known_nonpod(const sf_struct *t, unsigned depth)
{
	if (!t || depth > MAX_DEPTH)
		return false;
	if (t->cxx_nonpod)
		return true;
	for (uint32_t i = 0; i < t->member_count; i++) {
		const sf_member *m = &t->members[i];
		if (is_base(m) || is_vptr(m) || (class_of(m) && known_nonpod(m->nested, depth + 1)))
			return true;
	}
	return false;
}

/* Surely POD for the purpose of layout in gcc's and clang's sense: no
 * base, no vptr, no user-declared member function, every data member
 * public and of such a type. */
static bool surely_pod(const sf_struct *t, unsigned depth)
{
	if (!t || depth > MAX_DEPTH)
		return false;
	if (!t->cxx)
		return true;
	if (t->cxx_nonpod || t->cxx_nonpod_hint)
		return false;
	for (uint32_t i = 0; i < t->member_count; i++) {
		const sf_member *m = &t->members[i];
		if (is_base(m) || is_vptr(m) || (class_of(m) && !surely_pod(m->nested, depth + 1)))
			return false;
	}
	return true;
}

/* Two subobjects are of one type: the model merged them, or the names agree. */
static bool same_type(const sf_struct *a, const sf_struct *b)
{
	if (a == b)
		return true;
	return a->name && b->name && a->size == b->size && strcmp(a->name, b->name) == 0;
}

/* Empty subobjects (type, byte offset) of a class being laid out. */
typedef struct empties {
	const sf_struct *type[MAX_EMPTIES];
	uint64_t offset[MAX_EMPTIES];
	uint32_t count;
	bool overflow;
} empties;

static void collect(empties *e, const sf_struct *t, uint64_t offset, unsigned depth)
{
	if (depth > MAX_DEPTH || e->count >= MAX_EMPTIES) {
		e->overflow = true;
		return;
	}
	if (is_empty_class(t, 0)) {
		e->type[e->count] = t;
		e->offset[e->count++] = offset;
	}
	for (uint32_t i = 0; i < t->member_count; i++) {
		const sf_struct *c = class_of(&t->members[i]);
		if (c)
			collect(e, c, offset + t->members[i].offset, depth + 1);
	}
}

/* Whether putting a `t` at `offset` makes two empty subobjects of one type
 * share an address; `scratch` receives the empties of that `t`. */
static bool conflicts(const empties *placed, empties *scratch, const sf_struct *t, uint64_t offset)
{
	scratch->count = 0;
	scratch->overflow = false;
	collect(scratch, t, offset, 0);
	for (uint32_t i = 0; i < scratch->count; i++) {
		for (uint32_t j = 0; j < placed->count; j++) {
			if (placed->offset[j] == scratch->offset[i] && same_type(placed->type[j], scratch->type[i]))
				return true;
		}
	}
	return false;
}

static uint64_t roundup_bits(uint64_t pos, uint64_t align)
{
	uint64_t r;
	if (!sf__roundup_u64(pos, align, &r) || r >= SF_PLACE_MAX_BITS)
		return SF_PLACE_NONE;
	return r;
}

typedef struct cxx_state {
	uint64_t dsize_bits;
	uint64_t size_bytes;
	uint32_t prefix_empties;     /* placed[0, prefix_empties) belong to the prefix */
	empties placed;
	empties scratch;
} cxx_state;

/* First offset (bits) from `start` on, in steps of the alignment, where
 * class `t` meets no empty subobject of its own types. */
static uint64_t first_free(cxx_state *st, const sf_struct *t, uint64_t start, uint64_t align_bits)
{
	for (uint32_t tries = 0; start != SF_PLACE_NONE && tries <= MAX_EMPTIES + 1; tries++) {
		if (!conflicts(&st->placed, &st->scratch, t, start / 8))
			return st->scratch.overflow ? SF_PLACE_NONE : start;
		start = roundup_bits(start + 1, align_bits);
	}
	return SF_PLACE_NONE;
}

/* Places one component; returns its first bit or SF_PLACE_NONE. */
static uint64_t place_component(const sf_place_cxx *h, uint32_t index, cxx_state *st)
{
	const sf_member *m = &h->def->members[index];
	const sf_struct *t = class_of(m);
	uint64_t align_bits = (uint64_t)sf__place_member_align(m) * 8, first = 0, end;
	uint64_t data_bits = m->size * 8;

	switch ((sf_place_role)h->role[index]) {
	case SF_ROLE_EMPTY:
		/* Offset 0 first, then from dsize on. */
		if (!conflicts(&st->placed, &st->scratch, t, 0) && !st->scratch.overflow)
			first = 0;
		else
			first = first_free(st, t, roundup_bits(roundup_bits(st->dsize_bits, 8), align_bits),
					   align_bits);
		if (first == SF_PLACE_NONE)
			return SF_PLACE_NONE;
		end = st->dsize_bits;
		break;
	case SF_ROLE_TAIL:
		data_bits = h->data_bytes[index] * 8;
		/* fall through */
	case SF_ROLE_ORDINARY:
	default:
		end = sf__place_member(m, st->dsize_bits, &first);
		if (end == SF_PLACE_NONE)
			return SF_PLACE_NONE;
		if (t)
			first = first_free(st, t, first, align_bits);
		if (first == SF_PLACE_NONE)
			return SF_PLACE_NONE;
		if (!(m->flags & SF_MEMBER_BITFIELD))
			end = first + data_bits;
		break;
	}
	if (end >= SF_PLACE_MAX_BITS || first / 8 + m->size >= SF_PLACE_MAX_BITS / 8)
		return SF_PLACE_NONE;
	st->dsize_bits = end;
	if (first / 8 + m->size > st->size_bytes)
		st->size_bytes = first / 8 + m->size;
	if ((end + 7) / 8 > st->size_bytes)
		st->size_bytes = (end + 7) / 8;
	if (t) {
		uint32_t before = st->placed.count;
		collect(&st->placed, t, first / 8, 0);
		if (st->placed.overflow || st->placed.count < before)
			return SF_PLACE_NONE;
	}
	return first;
}

uint64_t sf__place_cxx_size_bits(const sf_place_cxx *h, uint64_t end, uint64_t align_bits)
{
	uint64_t size = roundup_bits(end, 8);
	if (size == SF_PLACE_NONE)
		return SF_PLACE_NONE;
	if (size < h->floor_bytes * 8)
		size = h->floor_bytes * 8;
	size = roundup_bits(size, align_bits);
	/* "a non-zero multiple of align(C)" */
	return size == 0 ? align_bits : size;
}

/*
 * Lays the class out: prefix in ABI order, then the other members in
 * `order`.  Fills first_bits (by member index), the final size in bits,
 * the dsize after the prefix and at the end.  The state is big (empty
 * subobject tables), so it is the caller's.
 */
static bool layout(const sf_place_cxx *h, const uint32_t *order, cxx_state *st, uint64_t *first_bits,
		   uint64_t *size_bits, uint64_t *prefix_bits, uint64_t *prefix_size)
{
	const sf_struct *s = h->def;
	uint64_t size;

	st->dsize_bits = 0;
	st->size_bytes = 0;
	st->placed.count = 0;
	st->placed.overflow = false;
	for (uint32_t k = 0; k < s->member_count; k++) {
		uint32_t i = k < h->prefix_count ? h->prefix_order[k] : order[k];
		uint64_t first = place_component(h, i, st);
		if (first == SF_PLACE_NONE)
			return false;
		first_bits[i] = first;
		if (k + 1 == h->prefix_count) {
			*prefix_bits = st->dsize_bits;
			*prefix_size = st->size_bytes;
			st->prefix_empties = st->placed.count;
		}
	}
	if (h->prefix_count == 0) {
		*prefix_bits = 0;
		*prefix_size = 0;
		st->prefix_empties = 0;
	}
	size = roundup_bits(st->dsize_bits, 8);
	if (size == SF_PLACE_NONE)
		return false;
	if (size < st->size_bytes * 8)
		size = st->size_bytes * 8;
	size = roundup_bits(size, (uint64_t)sf__place_struct_align(s) * 8);
	if (size == SF_PLACE_NONE)
		return false;
	*size_bits = size == 0 ? (uint64_t)sf__place_struct_align(s) * 8 : size;
	return true;
}

/* Whether member `index` at byte `offset` puts an empty subobject where
 * the prefix has one of the same type. */
static bool clashes_with_prefix(const sf_place_cxx *h, uint32_t index, uint64_t offset)
{
	for (uint32_t e = h->member_empty_start[index]; e < h->member_empty_start[index + 1]; e++) {
		for (uint32_t p = 0; p < h->prefix_empty_count; p++) {
			if (h->prefix_empty_offset[p] == offset + h->member_empty_offset[e] &&
			    same_type(h->prefix_empty_type[p], h->member_empty_type[e]))
				return true;
		}
	}
	return false;
}

/* First start (bits) at or after `start`, in steps of the alignment,
 * where member `index` clashes with no empty subobject of the prefix;
 * downward (the latest at or before `start`) when `down`. */
static uint64_t skip_prefix_clashes(const sf_place_cxx *h, uint32_t index, uint64_t start, uint64_t align_bits,
				    bool down)
{
	if (!h->member_empty_start || start == SF_PLACE_NONE)
		return start;
	for (uint32_t tries = 0; tries <= MAX_EMPTIES; tries++) {
		if (!clashes_with_prefix(h, index, start / 8))
			return start;
		if (down ? start < align_bits : start + align_bits >= SF_PLACE_MAX_BITS)
			return SF_PLACE_NONE;
		start = down ? start - align_bits : start + align_bits;
	}
	return SF_PLACE_NONE;
}

uint64_t sf__place_cxx_member(const sf_place_cxx *h, uint32_t index, uint64_t pos, uint64_t *first)
{
	const sf_member *m = &h->def->members[index];
	uint64_t start, align_bits;

	if (pos >= SF_PLACE_MAX_BITS)
		return SF_PLACE_NONE;
	if (index < h->prefix_count) {
		if (first)
			*first = m->bit_offset;
		return pos > h->prefix_bits ? pos : h->prefix_bits;
	}
	switch ((sf_place_role)h->role[index]) {
	case SF_ROLE_EMPTY:
		if (first)
			*first = m->offset * 8;
		return pos;
	case SF_ROLE_TAIL:
		align_bits = (uint64_t)sf__place_member_align(m) * 8;
		start = roundup_bits(roundup_bits(pos, 8), align_bits);
		start = skip_prefix_clashes(h, index, start, align_bits, false);
		if (start == SF_PLACE_NONE || start + h->data_bytes[index] * 8 >= SF_PLACE_MAX_BITS)
			return SF_PLACE_NONE;
		if (first)
			*first = start;
		return start + h->data_bytes[index] * 8;
	case SF_ROLE_ORDINARY:
	default:
		if (!class_of(m))
			return sf__place_member(m, pos, first);
		align_bits = (uint64_t)sf__place_member_align(m) * 8;
		start = roundup_bits(roundup_bits(pos, 8), align_bits);
		start = skip_prefix_clashes(h, index, start, align_bits, false);
		if (start == SF_PLACE_NONE || start + m->size * 8 >= SF_PLACE_MAX_BITS)
			return SF_PLACE_NONE;
		if (first)
			*first = start;
		return start + m->size * 8;
	}
}

uint64_t sf__place_cxx_member_latest(const sf_place_cxx *h, uint32_t index, uint64_t bound)
{
	const sf_member *m = &h->def->members[index];
	uint64_t bits, align_bits;

	if (bound >= SF_PLACE_MAX_BITS)
		bound = SF_PLACE_MAX_BITS - 1;
	if (index < h->prefix_count)
		return bound >= h->prefix_bits ? bound : SF_PLACE_NONE;
	switch ((sf_place_role)h->role[index]) {
	case SF_ROLE_EMPTY:
		return bound;
	case SF_ROLE_TAIL:
	case SF_ROLE_ORDINARY:
	default:
		if (h->role[index] != SF_ROLE_TAIL && !class_of(m))
			return sf__place_member_latest(m, bound);
		bits = h->role[index] == SF_ROLE_TAIL ? h->data_bytes[index] * 8 : m->size * 8;
		align_bits = (uint64_t)sf__place_member_align(m) * 8;
		if (bound < bits)
			return SF_PLACE_NONE;
		return skip_prefix_clashes(h, index, (bound - bits) / align_bits * align_bits, align_bits, true);
	}
}

/* ---- inference ---- */

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
		const sf_struct *t = class_of(m);
		if (is_base(m) || is_vptr(m))
			return true;
		if (t && (is_empty_class(t, 0) || !surely_pod(t, 0)))
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
	const sf_struct *t = class_of(m);
	uint64_t sizes[MAX_DATA_SIZES];
	uint32_t n;

	c->n = 0;
	if (!t || is_vptr(m)) {
		add_choice(c, SF_ROLE_ORDINARY, 0);
		return;
	}
	if (is_base(m)) {
		if (is_empty_class(t, 0)) {
			add_choice(c, SF_ROLE_EMPTY, 0);
			return;
		}
		/* A data size that is the full size reads as an ordinary base
		 * (a non-POD class may have no tail padding). */
		n = surely_pod(t, 0) ? 0 : data_sizes(t, depth, ctx, sizes);
		for (uint32_t k = 0; k < n; k++) {
			if (sizes[k] < t->size)
				add_choice(c, SF_ROLE_TAIL, sizes[k]);
			else
				add_choice(c, SF_ROLE_ORDINARY, 0);
		}
		if (c->n == 0 || !known_nonpod(t, 0))
			add_choice(c, SF_ROLE_ORDINARY, 0);
		return;
	}
	add_choice(c, SF_ROLE_ORDINARY, 0);
	if (is_empty_class(t, 0)) {
		add_choice(c, SF_ROLE_EMPTY, 0);
		return;
	}
	if (surely_pod(t, 0))
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

	while (k < s->member_count && (is_base(&s->members[k]) || is_vptr(&s->members[k])))
		k++;
	for (uint32_t i = 0; i < s->member_count; i++) {
		const sf_member *m = &s->members[i];
		if (member)
			*member = i;
		if (is_base(m) && (m->flags & SF_MEMBER_UNKNOWN_TYPE))
			return SF_PLACE_VIRTUAL_BASE;
		if (i >= k && (is_base(m) || is_vptr(m)))
			return SF_PLACE_MISMATCH;
		if (!sf__place_member_placeable(m))
			return SF_PLACE_UNPLACEABLE;
	}
	for (uint32_t i = 0; i < k; i++) {
		if (is_vptr(&s->members[i]))
			order[n++] = i;
	}
	for (uint32_t i = 0; i < k && primary == UINT32_MAX; i++) {
		if (is_base(&s->members[i]) && is_dynamic(s->members[i].nested, 0))
			primary = i;
	}
	if (n == 0 && primary != UINT32_MAX)
		order[n++] = primary;
	for (uint32_t i = 0; i < k; i++) {
		if (is_base(&s->members[i]) && (i != primary || order[0] != primary))
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

	if (!layout(h, identity, st, first, &size_bits, &h->prefix_bits, &prefix_size)) {
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
			const sf_struct *t = class_of(&s->members[i]);
			h->member_empty_start[i] = total;
			if (!t || i < h->prefix_count)
				continue;
			st->scratch.count = 0;
			st->scratch.overflow = false;
			collect(&st->scratch, t, 0, 0);
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

int sf__place_cxx_struct(const sf_place_cxx *h, const uint32_t *order, uint32_t count,
			 sf_arena *arena, sf_struct **out)
{
	const sf_struct *s = h->def;
	sf_struct *placed;
	sf_member *members = NULL;
	uint64_t *first = NULL, size_bits = 0, prefix_bits = 0, prefix_size = 0;
	cxx_state *st = NULL;
	int err = 0;

	*out = NULL;
	if (count != s->member_count)
		return sf__fail(SF_EUSAGE, "order lists %u of %u members", count, s->member_count);
	for (uint32_t i = 0; i < count; i++) {
		if (order[i] >= count || (i < h->prefix_count && order[i] != i))
			return sf__fail(SF_EUSAGE, "member order moves a base or is out of range");
	}
	placed = sf__arena_alloc(arena, sizeof(*placed));
	members = sf__arena_calloc(arena, count + 1, sizeof(*members));
	first = calloc(count + 1, sizeof(*first));
	st = malloc(sizeof(*st));
	if (!placed || !members || !first || !st) {
		err = sf__fail(SF_ENOMEM, "out of memory while placing members");
		goto done;
	}
	if (!layout(h, order, st, first, &size_bits, &prefix_bits, &prefix_size)) {
		err = sf__fail(SF_EINVALID, "member positions overflow");
		goto done;
	}
	for (uint32_t i = 0; i < count; i++) {
		const sf_member *m = &s->members[order[i]];
		members[i] = *m;
		members[i].bit_offset = first[order[i]];
		members[i].offset = (m->flags & SF_MEMBER_BITFIELD) ? sf__place_unit_offset(m, first[order[i]])
			: first[order[i]] / 8;
		members[i].align = sf__place_member_align(m);
	}
	memset(placed, 0, sizeof(*placed));
	placed->kind = s->kind;
	placed->name = s->name;
	placed->typedef_name = s->typedef_name;
	placed->size = size_bits / 8;
	placed->align = sf__place_struct_align(s);
	placed->explicit_align = s->explicit_align;
	placed->over_aligned = s->over_aligned;
	placed->cxx = s->cxx;
	placed->decl_file = s->decl_file;
	placed->decl_line = s->decl_line;
	placed->file_index = s->file_index;
	placed->member_count = count;
	placed->members = members;
	placed->is_nested_body = s->is_nested_body;
	*out = placed;
done:
	free(first);
	free(st);
	return err;
}
