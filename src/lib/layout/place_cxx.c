/* The Itanium C++ ABI layout: class predicates, empty-subobject conflicts and placement. */
#include "layout/place_cxx.h"

#include <stdlib.h>
#include <string.h>

#include "layout/place_cxx_impl.h"
#include "util/checked.h"
#include "util/fail.h"


bool sf__cxx_is_vptr(const sf_member *m)
{
	return m->name && strncmp(m->name, "_vptr", 5) == 0;
}

bool sf__cxx_is_base(const sf_member *m)
{
	return (m->flags & SF_MEMBER_BASE_CLASS) != 0;
}

/* The class a member holds by value as a subobject (a base or a named
 * member of class type), NULL for anything else. */
const sf_struct *sf__cxx_class_of(const sf_member *m)
{
	if (!m->nested || (m->flags & (SF_MEMBER_BITFIELD | SF_MEMBER_ANONYMOUS | SF_MEMBER_UNKNOWN_TYPE)))
		return NULL;
	if (m->nested->kind == SF_UNION)
		return NULL;
	return m->nested;
}

/* Empty in the ABI's sense: no data, no vptr, only empty bases. */
bool sf__cxx_is_empty(const sf_struct *t, unsigned depth)
{
	if (!t || t->kind == SF_UNION || t->size == 0 || depth > MAX_DEPTH)
		return false;
	for (uint32_t i = 0; i < t->member_count; i++) {
		const sf_member *m = &t->members[i];
		if (!sf__cxx_is_base(m) || !sf__cxx_class_of(m) || !sf__cxx_is_empty(m->nested, depth + 1))
			return false;
	}
	return true;
}

/* Has a vptr of its own or through a base. */
bool sf__cxx_is_dynamic(const sf_struct *t, unsigned depth)
{
	if (!t || depth > MAX_DEPTH)
		return false;
	for (uint32_t i = 0; i < t->member_count; i++) {
		const sf_member *m = &t->members[i];
		if (sf__cxx_is_vptr(m) || (sf__cxx_is_base(m) && sf__cxx_class_of(m) && sf__cxx_is_dynamic(m->nested, depth + 1)))
			return true;
	}
	return false;
}

/* What DWARF shows for sure makes a class non-POD for the purpose of
 * layout (C++03 POD): a base, a vptr, what the loader noted
 * (cxx_nonpod), or a member of such a class. */
bool sf__cxx_known_nonpod(const sf_struct *t, unsigned depth)
{
	if (!t || depth > MAX_DEPTH)
		return false;
	if (t->cxx_nonpod)
		return true;
	for (uint32_t i = 0; i < t->member_count; i++) {
		const sf_member *m = &t->members[i];
		if (sf__cxx_is_base(m) || sf__cxx_is_vptr(m) || (sf__cxx_class_of(m) && sf__cxx_known_nonpod(m->nested, depth + 1)))
			return true;
	}
	return false;
}

/* Surely POD for the purpose of layout in gcc's and clang's sense: no
 * base, no vptr, no user-declared member function, every data member
 * public and of such a type. */
bool sf__cxx_surely_pod(const sf_struct *t, unsigned depth)
{
	if (!t || depth > MAX_DEPTH)
		return false;
	if (!t->cxx)
		return true;
	if (t->cxx_nonpod || t->cxx_nonpod_hint)
		return false;
	for (uint32_t i = 0; i < t->member_count; i++) {
		const sf_member *m = &t->members[i];
		if (sf__cxx_is_base(m) || sf__cxx_is_vptr(m) || (sf__cxx_class_of(m) && !sf__cxx_surely_pod(m->nested, depth + 1)))
			return false;
	}
	return true;
}

/* Two subobjects are of one type: the model merged them, or the names agree. */
bool sf__cxx_same_type(const sf_struct *a, const sf_struct *b)
{
	if (a == b)
		return true;
	return a->name && b->name && a->size == b->size && strcmp(a->name, b->name) == 0;
}


void sf__cxx_collect(empties *e, const sf_struct *t, uint64_t offset, unsigned depth)
{
	if (depth > MAX_DEPTH || e->count >= MAX_EMPTIES) {
		e->overflow = true;
		return;
	}
	if (sf__cxx_is_empty(t, 0)) {
		e->type[e->count] = t;
		e->offset[e->count++] = offset;
	}
	for (uint32_t i = 0; i < t->member_count; i++) {
		const sf_struct *c = sf__cxx_class_of(&t->members[i]);
		if (c)
			sf__cxx_collect(e, c, offset + t->members[i].offset, depth + 1);
	}
}

/* Whether putting a `t` at `offset` makes two empty subobjects of one type
 * share an address; `scratch` receives the empties of that `t`. */
static bool conflicts(const empties *placed, empties *scratch, const sf_struct *t, uint64_t offset)
{
	scratch->count = 0;
	scratch->overflow = false;
	sf__cxx_collect(scratch, t, offset, 0);
	for (uint32_t i = 0; i < scratch->count; i++) {
		for (uint32_t j = 0; j < placed->count; j++) {
			if (placed->offset[j] == scratch->offset[i] && sf__cxx_same_type(placed->type[j], scratch->type[i]))
				return true;
		}
	}
	return false;
}

/* First offset (bits) from `start` on, in steps of the alignment, where
 * class `t` meets no empty subobject of its own types. */
static uint64_t first_free(cxx_state *st, const sf_struct *t, uint64_t start, uint64_t align_bits)
{
	for (uint32_t tries = 0; start != SF_PLACE_NONE && tries <= MAX_EMPTIES + 1; tries++) {
		if (!conflicts(&st->placed, &st->scratch, t, start / 8))
			return st->scratch.overflow ? SF_PLACE_NONE : start;
		start = sf__place_roundup_bits(start + 1, align_bits);
	}
	return SF_PLACE_NONE;
}

/* Places one component; returns its first bit or SF_PLACE_NONE. */
static uint64_t place_component(const sf_place_cxx *h, uint32_t index, cxx_state *st)
{
	const sf_member *m = &h->def->members[index];
	const sf_struct *t = sf__cxx_class_of(m);
	uint64_t align_bits = (uint64_t)sf__place_member_align(m) * 8, first = 0, end;
	uint64_t data_bits = m->size * 8;

	switch ((sf_place_role)h->role[index]) {
	case SF_ROLE_EMPTY:
		/* Offset 0 first, then from dsize on. */
		if (!conflicts(&st->placed, &st->scratch, t, 0) && !st->scratch.overflow)
			first = 0;
		else
			first = first_free(st, t, sf__place_roundup_bits(sf__place_roundup_bits(st->dsize_bits, 8), align_bits),
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
		sf__cxx_collect(&st->placed, t, first / 8, 0);
		if (st->placed.overflow || st->placed.count < before)
			return SF_PLACE_NONE;
	}
	return first;
}

uint64_t sf__place_cxx_size_bits(const sf_place_cxx *h, uint64_t end, uint64_t align_bits)
{
	uint64_t size = sf__place_roundup_bits(end, 8);
	if (size == SF_PLACE_NONE)
		return SF_PLACE_NONE;
	if (size < h->floor_bytes * 8)
		size = h->floor_bytes * 8;
	size = sf__place_roundup_bits(size, align_bits);
	/* "a non-zero multiple of align(C)" */
	return size == 0 ? align_bits : size;
}

/*
 * Lays the class out: prefix in ABI order, then the other members in
 * `order`.  Fills first_bits (by member index), the final size in bits,
 * the dsize after the prefix and at the end.  The state is big (empty
 * subobject tables), so it is the caller's.
 */
bool sf__cxx_layout(const sf_place_cxx *h, const uint32_t *order, cxx_state *st, uint64_t *first_bits,
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
	size = sf__place_roundup_bits(st->dsize_bits, 8);
	if (size == SF_PLACE_NONE)
		return false;
	if (size < st->size_bytes * 8)
		size = st->size_bytes * 8;
	size = sf__place_roundup_bits(size, (uint64_t)sf__place_struct_align(s) * 8);
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
			    sf__cxx_same_type(h->prefix_empty_type[p], h->member_empty_type[e]))
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
		start = sf__place_roundup_bits(sf__place_roundup_bits(pos, 8), align_bits);
		start = skip_prefix_clashes(h, index, start, align_bits, false);
		if (start == SF_PLACE_NONE || start + h->data_bytes[index] * 8 >= SF_PLACE_MAX_BITS)
			return SF_PLACE_NONE;
		if (first)
			*first = start;
		return start + h->data_bytes[index] * 8;
	case SF_ROLE_ORDINARY:
	default:
		if (!sf__cxx_class_of(m))
			return sf__place_member(m, pos, first);
		align_bits = (uint64_t)sf__place_member_align(m) * 8;
		start = sf__place_roundup_bits(sf__place_roundup_bits(pos, 8), align_bits);
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
		if (h->role[index] != SF_ROLE_TAIL && !sf__cxx_class_of(m))
			return sf__place_member_latest(m, bound);
		bits = h->role[index] == SF_ROLE_TAIL ? h->data_bytes[index] * 8 : m->size * 8;
		align_bits = (uint64_t)sf__place_member_align(m) * 8;
		if (bound < bits)
			return SF_PLACE_NONE;
		return skip_prefix_clashes(h, index, (bound - bits) / align_bits * align_bits, align_bits, true);
	}
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
	if (!sf__cxx_layout(h, order, st, first, &size_bits, &prefix_bits, &prefix_size)) {
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
