/* Computing holes, bit holes, padding and cache-line facts of one struct. */
#include "layout/analysis.h"

#include <stdlib.h>
#include <string.h>

#include "util/arena.h"
#include "util/checked.h"
#include "util/fail.h"

/* Anonymous bodies nest a few levels in real code; corrupt models may
 * point a body at itself, so expansion stops here. */
#define MAX_NESTING 32

static uint64_t sub_floor(uint64_t a, uint64_t b)
{
	return a > b ? a - b : 0;
}

/* A member only declared: its bytes run up to the next member. */
static bool extent_unknown(const sf_member *m)
{
	return (m->flags & SF_MEMBER_DECL_ONLY) && m->size == 0;
}

/* A virtual base whose place was not proven takes no part in the walk. */
static bool offset_unknown(const sf_member *m)
{
	return (m->flags & SF_MEMBER_OFFSET_UNKNOWN) != 0;
}

static uint32_t placed_count(const sf_struct *s)
{
	uint32_t n = 0;
	for (uint32_t i = 0; i < s->member_count; i++)
		n += !offset_unknown(&s->members[i]);
	return n;
}

bool sf__layout_contents_known(const sf_struct *s)
{
	/* Memberless with a size: an opaque type (a GNU transparent union
	 * DWARF lists no members of, a C++ class described elsewhere). */
	if (s->member_count == 0)
		return s->size == 0;
	for (uint32_t i = 0; i < s->member_count; i++) {
		if (offset_unknown(&s->members[i]) || extent_unknown(&s->members[i]))
			return false;
	}
	return true;
}

/* Whether what lies past the known members is described: not for a
 * memberless type, a union with a member of unknown size, or a class
 * whose virtual bases were not placed (they sit in the tail). */
static bool padding_unknown(const sf_struct *s)
{
	return !sf__layout_contents_known(s) &&
	       (s->member_count == 0 || s->kind == SF_UNION || placed_count(s) < s->member_count);
}

bool sf__layout_member_expands(const sf_member *m)
{
	if (!m->nested)
		return false;
	if (m->flags & SF_MEMBER_ANONYMOUS)
		return true;
	return !m->nested->name && !m->nested->typedef_name;
}

/*
 * The walk over a struct's members that both the full analysis and the
 * cheap tail-padding query use.  Holes are measured in bits from
 * `bit_end`, the first bit after everything placed so far, with bitfields
 * ending at their last bit, not at the end of their storage unit: in
 * packed structs and with types whose alignment is smaller than their size
 * (i386 long long) a field can run past `offset + size`.
 *
 * While bitfields follow each other they share storage that ends at
 * `run_end`: the unit of the widest type seen in the run, one unit further
 * when a field spills over.  The bits between the last field and the next
 * member, up to that end, are a bit hole; the bytes after it are a byte
 * hole.  This is how pahole counts, so both tools agree on the numbers.
 */
typedef struct cursor {
	uint64_t bit_end;
	uint64_t run_end;          /* valid while in_run */
	uint64_t run_type_bits;    /* widest bitfield type of the run, in bits */
	bool in_run;               /* the previous member is a bitfield */
	bool started;
	/* Byte extent of the storage seen so far, for the notes about
	 * members sharing a unit (not for holes).  A plain member placed
	 * inside the previous bitfield's unit ends that storage. */
	uint64_t storage_end;
	bool prev_bitfield;
	/* The previous member is of unknown extent (extent_unknown): it
	 * covers everything up to the next one. */
	bool open;
} cursor;

typedef struct step {
	uint64_t hole;           /* bytes before this member */
	uint64_t hole_offset;
	uint64_t bit_hole;       /* bits before this member */
	uint64_t bit_hole_offset;
	bool inside_previous;    /* starts inside the previous storage */
} step;

static uint64_t min_u64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

static uint64_t max_u64(uint64_t a, uint64_t b)
{
	return a > b ? a : b;
}

static void add_bit_hole(step *st, uint64_t from, uint64_t to)
{
	if (to <= from)
		return;
	if (!st->bit_hole)
		st->bit_hole_offset = from;
	st->bit_hole = sf__add_sat_u64(st->bit_hole, to - from);
}

static void track_storage(cursor *c, const sf_member *m, step *st)
{
	bool bitfield = sf__member_is_bitfield(m);
	uint64_t storage_end = sf__add_sat_u64(m->offset, m->size);

	if (!c->started || m->offset >= c->storage_end) {
		c->storage_end = storage_end;
	} else {
		st->inside_previous = true;
		if (!bitfield && c->prev_bitfield)
			c->storage_end = storage_end;
		else if (storage_end > c->storage_end)
			c->storage_end = storage_end;
	}
	c->prev_bitfield = bitfield;
}

/* Gaps are clipped to the struct's `limit` bytes: members a corrupt model
 * places beyond the size do not make holes outside the struct. */
static step advance(cursor *c, const sf_member *m, uint64_t limit)
{
	uint64_t limit_bits = sf__mul_sat_u64(limit, 8);
	step st = { 0 };
	bool bitfield = sf__member_is_bitfield(m);
	uint64_t unit_bit = sf__mul_sat_u64(m->offset, 8);
	uint64_t start_bit = bitfield ? m->bit_offset : unit_bit;
	uint64_t end_bit = bitfield ? sf__add_sat_u64(m->bit_offset, m->bit_size)
				    : sf__mul_sat_u64(sf__add_sat_u64(m->offset, m->size), 8);
	uint64_t used = c->bit_end;

	if (c->open)
		used = max_u64(used, min_u64(start_bit, limit_bits));
	c->open = extent_unknown(m);
	track_storage(c, m, &st);

	/* The rest of the run's storage in front of this member. */
	if (c->in_run) {
		uint64_t stop = min_u64(min_u64(start_bit, c->run_end), limit_bits);
		add_bit_hole(&st, min_u64(used, limit_bits), stop);
		used = max_u64(used, stop);
	}
	if (bitfield) {
		/* Whole bytes up to the field's unit, then the bits inside it
		 * before the field; a unit that begins before `used` (the
		 * field continues a run) has no byte hole. */
		if (used < unit_bit && unit_bit <= start_bit) {
			uint64_t from = min_u64(used / 8, limit);
			st.hole = sub_floor(min_u64(m->offset, limit), from);
			st.hole_offset = used / 8;
			used = unit_bit;
		}
		add_bit_hole(&st, min_u64(used, limit_bits), min_u64(start_bit, limit_bits));
	} else {
		st.hole = sub_floor(min_u64(m->offset, limit), min_u64(used / 8, limit));
		st.hole_offset = used / 8;
	}
	c->bit_end = max_u64(used, end_bit);

	if (bitfield) {
		uint64_t type_bits = sf__mul_sat_u64(m->size, 8);
		if (!c->in_run || end_bit > c->run_end || type_bits > c->run_type_bits) {
			c->run_type_bits = type_bits;
			c->run_end = sf__add_sat_u64(unit_bit, type_bits);
			if (end_bit > c->run_end)
				c->run_end = sf__add_sat_u64(c->run_end, type_bits);
		}
	}
	c->in_run = bitfield;
	c->started = true;
	return st;
}

/* Where the struct's used storage ends, in bits, and the unused bits of a
 * trailing bitfield run before that end. */
static uint64_t finish(const cursor *c, uint64_t size, uint64_t *bit_padding)
{
	uint64_t size_bits = sf__mul_sat_u64(size, 8);

	*bit_padding = 0;
	if (c->open)
		return size_bits;
	if (!c->in_run)
		return c->bit_end;
	uint64_t stop = min_u64(size_bits, c->run_end);
	*bit_padding = sub_floor(stop, c->bit_end);
	return max_u64(stop, c->bit_end);
}

/* Where a member starts, in bits: what memory order sorts by. */
static uint64_t start_bit_of(const sf_member *m)
{
	return sf__member_is_bitfield(m) ? m->bit_offset : sf__mul_sat_u64(m->offset, 8);
}

static bool in_memory_order(const sf_struct *s)
{
	if (s->kind == SF_UNION)
		return true;
	for (uint32_t i = 1; i < s->member_count; i++) {
		if (start_bit_of(&s->members[i]) < start_bit_of(&s->members[i - 1]))
			return false;
	}
	return true;
}

typedef struct order_key {
	uint64_t bit;
	uint32_t index;
} order_key;

static int compare_keys(const void *a, const void *b)
{
	const order_key *x = a, *y = b;
	if (x->bit != y->bit)
		return x->bit < y->bit ? -1 : 1;
	return x->index < y->index ? -1 : x->index > y->index;
}

/*
 * Fills `order` (member_count entries) with the indices of the members of
 * `s` by first bit, ties in declaration order.  Compilers that choose the
 * field order (rustc) record fields in declaration order with offsets
 * out of order.  Returns false when out of memory.
 */
static bool sort_members(const sf_struct *s, uint32_t *order)
{
	uint32_t n = s->member_count;
	order_key *keys = malloc((size_t)n * sizeof(*keys));

	if (!keys)
		return false;
	for (uint32_t i = 0; i < n; i++)
		keys[i] = (order_key){ start_bit_of(&s->members[i]), i };
	qsort(keys, n, sizeof(*keys), compare_keys);
	for (uint32_t i = 0; i < n; i++)
		order[i] = keys[i].index;
	free(keys);
	return true;
}

static uint64_t union_extent(const sf_struct *s)
{
	uint64_t end = 0;
	for (uint32_t i = 0; i < s->member_count; i++) {
		uint64_t e = sf__add_sat_u64(s->members[i].offset, s->members[i].size);
		if (e > end)
			end = e;
	}
	return end;
}

uint64_t sf__layout_tail_padding(const sf_struct *s)
{
	cursor c = { 0 };
	uint64_t bit_padding;

	uint32_t *order = NULL;

	/* A dynamically sized struct ends where its run-time-sized member
	 * does, a variant view shares the enum's bytes, and unknown contents
	 * are not padding. */
	if (s->unsized || s->variant_view || padding_unknown(s))
		return 0;
	if (s->kind == SF_UNION)
		return sub_floor(s->size, union_extent(s));
	if (!in_memory_order(s)) {
		order = malloc((size_t)s->member_count * sizeof(*order));
		if (order && !sort_members(s, order)) {
			free(order);
			order = NULL;
		}
	}
	for (uint32_t k = 0; k < s->member_count; k++)
		advance(&c, &s->members[order ? order[k] : k], s->size);
	free(order);
	return sub_floor(s->size, finish(&c, s->size, &bit_padding) / 8);
}

static bool crosses(uint64_t first, uint64_t last_excl, uint64_t line)
{
	if (last_excl <= first)
		return false;
	return first / line != (last_excl - 1) / line;
}

static uint32_t aligned_attribute(const sf_struct *s)
{
	uint32_t natural = 1;

	if (s->explicit_align)
		return s->explicit_align;
	if (s->packed)
		return 0;
	for (uint32_t i = 0; i < s->member_count; i++) {
		if (s->members[i].type_align > natural)
			natural = s->members[i].type_align;
	}
	/* Alignment beyond what the members' types ask for came from an
	 * attribute, on the struct or on one member. */
	return s->align > natural ? s->align : 0;
}

typedef struct walk_ctx {
	sf_arena *arena;
	unsigned cacheline;
	uint64_t last_line;   /* last boundary announced, shared across nesting */
	bool expand;          /* every struct-typed member gets its body (pahole -E) */
} walk_ctx;

static int analyze_body(walk_ctx *w, const sf_struct *s, uint64_t base, unsigned depth,
			sf_struct_layout **out);

static void note_boundary(walk_ctx *w, sf_member_layout *ml)
{
	uint64_t line = ml->offset / w->cacheline;
	if (line > w->last_line) {
		ml->cacheline_before = line;
		ml->boundary_ago = ml->offset - line * w->cacheline;
		w->last_line = line;
	}
}

/* Members -E prints inline besides anonymous bodies: not C++ bases,
 * which stay one line, nor what has no place of its own. */
static bool expandable(const sf_member *m)
{
	return !(m->flags & (SF_MEMBER_BASE_CLASS | SF_MEMBER_OFFSET_UNKNOWN | SF_MEMBER_VARIANT_PART));
}

/* `prev` is the member before `i` in memory order, or SF_LAYOUT_NO_MEMBER. */
static int analyze_member(walk_ctx *w, sf_struct_layout *l, uint32_t i, uint32_t prev, const step *st)
{
	const sf_member *m = &l->def->members[i];
	sf_member_layout *ml = &l->members[i];
	bool bitfield = sf__member_is_bitfield(m);
	uint64_t rel_bit;

	ml->member = m;
	ml->offset = sf__add_sat_u64(l->base_offset, m->offset);
	rel_bit = bitfield ? m->bit_offset : sf__mul_sat_u64(m->offset, 8);
	ml->bit_offset = sf__add_sat_u64(sf__mul_sat_u64(l->base_offset, 8), rel_bit);
	if (bitfield) {
		ml->crosses_cacheline = crosses(ml->bit_offset, sf__add_sat_u64(ml->bit_offset, m->bit_size),
						sf__mul_sat_u64(w->cacheline, 8));
		l->sum_bitfield_bits = sf__add_sat_u64(l->sum_bitfield_bits, m->bit_size);
	} else {
		ml->crosses_cacheline = crosses(ml->offset, sf__add_sat_u64(ml->offset, m->size), w->cacheline);
		l->sum_members = sf__add_sat_u64(l->sum_members, m->size);
	}
	if (offset_unknown(m))
		ml->crosses_cacheline = false;
	if (ml->crosses_cacheline)
		l->crossing_count++;
	if (m->explicit_align)
		l->forced_alignments++;

	if (st && st->hole) {
		sf_hole *h = &l->holes[l->hole_count++];
		h->offset = sf__add_sat_u64(l->base_offset, st->hole_offset);
		h->size = st->hole;
		h->before = i;
		h->forced = m->explicit_align != 0;
		l->sum_holes = sf__add_sat_u64(l->sum_holes, st->hole);
		if (h->forced) {
			l->forced_holes++;
			l->sum_forced_holes = sf__add_sat_u64(l->sum_forced_holes, st->hole);
		}
		if (prev != SF_LAYOUT_NO_MEMBER)
			l->members[prev].hole_after = st->hole;
		else
			l->leading_hole = st->hole;
	}
	if (st && st->bit_hole) {
		sf_bit_hole *bh = &l->bit_holes[l->bit_hole_count++];
		bh->bit_offset = sf__add_sat_u64(sf__mul_sat_u64(l->base_offset, 8), st->bit_hole_offset);
		bh->bits = st->bit_hole;
		bh->after = prev;
		l->sum_bit_holes = sf__add_sat_u64(l->sum_bit_holes, st->bit_hole);
		if (prev != SF_LAYOUT_NO_MEMBER)
			l->members[prev].bit_hole_after = st->bit_hole;
		else
			l->leading_bit_hole = st->bit_hole;
	}
	if (st && st->inside_previous && prev != SF_LAYOUT_NO_MEMBER) {
		/* pahole's notes on storage sharing: a unit that begins before
		 * the previous member "combines with previous fields"; a member
		 * (or another unit) that begins inside the previous bitfield's
		 * unit makes that bitfield "combined with next fields". */
		const sf_member *before = &l->def->members[prev];
		if (bitfield && (!sf__member_is_bitfield(before) || m->offset < before->offset))
			ml->combined_with_previous = true;
		else if (sf__member_is_bitfield(before) && (!bitfield || m->offset > before->offset))
			l->members[prev].combined_with_next = true;
	}

	if (!offset_unknown(m))
		note_boundary(w, ml);

	if (m->nested) {
		/* pahole reports the padding of struct members only; a union's
		 * tail is where its smaller members end anyway. */
		if (m->nested->kind != SF_UNION)
			ml->nested_padding = sf__layout_tail_padding(m->nested);
		if (ml->nested_padding && l->def->kind != SF_UNION) {
			l->paddings++;
			l->sum_paddings = sf__add_sat_u64(l->sum_paddings, ml->nested_padding);
		}
	}
	if (l->depth + 1 >= MAX_NESTING)
		return 0;
	if (m->nested && (sf__layout_member_expands(m) || (w->expand && expandable(m))))
		return analyze_body(w, m->nested, ml->offset, l->depth + 1, &ml->nested);
	/* An array shows its first element, at the array's offset. */
	if (!m->nested && m->element && w->expand && expandable(m))
		return analyze_body(w, m->element, ml->offset, l->depth + 1, &ml->nested);
	return 0;
}

static int analyze_body(walk_ctx *w, const sf_struct *s, uint64_t base, unsigned depth,
			sf_struct_layout **out)
{
	sf_struct_layout *l;
	cursor c = { 0 };
	uint32_t n = s->member_count;
	int error;

	*out = NULL;
	l = sf__arena_alloc(w->arena, sizeof(*l));
	if (!l)
		return sf__fail(SF_ENOMEM, "out of memory while analysing layouts");
	l->def = s;
	l->base_offset = base;
	l->cacheline = w->cacheline;
	l->depth = depth;
	l->member_count = n;
	if (n) {
		l->members = sf__arena_calloc(w->arena, n, sizeof(*l->members));
		l->holes = sf__arena_calloc(w->arena, n, sizeof(*l->holes));
		l->bit_holes = sf__arena_calloc(w->arena, n, sizeof(*l->bit_holes));
		if (!l->members || !l->holes || !l->bit_holes)
			return sf__fail(SF_ENOMEM, "out of memory while analysing layouts");
	}

	if (n && !in_memory_order(s)) {
		l->order = sf__arena_calloc(w->arena, n, sizeof(*l->order));
		if (!l->order || !sort_members(s, l->order))
			return sf__fail(SF_ENOMEM, "out of memory while analysing layouts");
	}
	for (uint32_t k = 0, prev = SF_LAYOUT_NO_MEMBER; k < n; k++) {
		uint32_t i = l->order ? l->order[k] : k;
		step st;
		if (s->kind == SF_UNION) {
			/* Every union member starts over at the union's offset, so
			 * boundaries inside one are announced again in the next. */
			w->last_line = base / w->cacheline;
			error = analyze_member(w, l, i, prev, NULL);
		} else if (offset_unknown(&s->members[i])) {
			/* Listed, but not a neighbour of anything. */
			error = analyze_member(w, l, i, prev, NULL);
			if (error)
				return error;
			continue;
		} else {
			/* A gap in front of the first member is a hole too:
			 * unnamed bitfields (`long :42;`) leave no member
			 * in DWARF but take the first bits. */
			st = advance(&c, &s->members[i], s->size);
			error = analyze_member(w, l, i, prev, s->variant_view ? NULL : &st);
		}
		if (error)
			return error;
		prev = i;
	}
	/* pahole goes back to the union's cache line after each member, the
	 * last one too: a boundary crossed inside the union is announced
	 * again at the next member after it. */
	if (s->kind == SF_UNION)
		w->last_line = base / w->cacheline;

	l->contents_known = sf__layout_contents_known(s);
	if (s->unsized || s->variant_view || padding_unknown(s)) {
		l->padding = 0;   /* see sf__layout_tail_padding() */
	} else if (s->kind == SF_UNION) {
		l->padding = sub_floor(s->size, union_extent(s));
	} else if (n) {
		l->padding = sub_floor(s->size, finish(&c, s->size, &l->bit_padding) / 8);
	} else {
		l->padding = s->size;
	}
	l->cachelines = s->size / w->cacheline + (s->size % w->cacheline != 0);
	l->last_cacheline = s->size % w->cacheline;
	l->aligned_attribute = aligned_attribute(s);
	l->packed_attribute = s->packed && sf__struct_packing_reproduces(s);
	*out = l;
	return 0;
}

static int analyze_in(sf_arena *arena, const sf_struct *s, unsigned cacheline, bool expand,
		      sf_struct_layout **out)
{
	walk_ctx w = { .arena = arena, .cacheline = cacheline, .expand = expand };

	*out = NULL;
	if (cacheline < 8 || !sf__is_pow2(cacheline))
		return sf__fail(SF_EUSAGE, "cache-line size %u is not a power of two >= 8", cacheline);
	return analyze_body(&w, s, 0, 0, out);
}

int sf__layout_analyze_in(sf_arena *arena, const sf_struct *s, unsigned cacheline, sf_struct_layout **out)
{
	return analyze_in(arena, s, cacheline, false, out);
}

static int analyze(const sf_struct *s, unsigned cacheline, bool expand, sf_struct_layout **out)
{
	sf_arena *arena;
	int error;

	*out = NULL;
	if (sf__arena_new(&arena) < 0)
		return sf__fail(SF_ENOMEM, "out of memory while analysing layouts");
	error = analyze_in(arena, s, cacheline, expand, out);
	if (error) {
		sf__arena_free(arena);
		return error;
	}
	(*out)->arena = arena;
	return 0;
}

int sf__layout_analyze(const sf_struct *s, unsigned cacheline, sf_struct_layout **out)
{
	return analyze(s, cacheline, false, out);
}

int sf__layout_analyze_expanded(const sf_struct *s, unsigned cacheline, sf_struct_layout **out)
{
	return analyze(s, cacheline, true, out);
}

void sf__layout_free(sf_struct_layout *layout)
{
	if (layout)
		sf__arena_free(layout->arena);
}
