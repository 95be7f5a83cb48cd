/* C++ virtual bases: their place in the complete object, by the Itanium C++ ABI's rules. */
#include "model/structs.h"

#include <stdio.h>
#include <string.h>

#include "util/checked.h"
#include "util/fail.h"

/*
 * DWARF locates a virtual base with an expression that reads the offset
 * from the vtable, because it differs between the complete object and the
 * class used as a base of something else; indirect virtual bases (A in
 * `struct D : B1, B2` with `B1 : virtual A`) are not listed at all.  For
 * the complete object the Itanium ABI fixes the place: after the
 * non-virtual part (nvsize, not rounded), each virtual base in inheritance
 * graph order (depth first, left to right, each node before its bases,
 * every virtual base once), at the next multiple of its non-virtual
 * alignment, taking its non-virtual size.
 *
 * What this does not model gives up instead of guessing: empty or nearly
 * empty virtual bases (which the ABI may put at offset 0 or make the
 * primary base), unresolved declarations, bitfields near the end.  The
 * result is accepted only when it reproduces the size DWARF states;
 * otherwise the members keep SF_MEMBER_OFFSET_UNKNOWN.
 */

#define MAX_VBASES 64
#define MAX_DEPTH 32

typedef struct vbase_list {
	const sf_struct *items[MAX_VBASES];
	size_t count;
	bool overflow;
} vbase_list;

static bool is_base(const sf_member *m)
{
	return (m->flags & SF_MEMBER_BASE_CLASS) && !(m->flags & SF_MEMBER_INDIRECT_VBASE);
}

static bool is_virtual(const sf_member *m)
{
	return (m->flags & SF_MEMBER_VIRTUAL_BASE) != 0;
}

static void add_once(vbase_list *list, const sf_struct *s)
{
	for (size_t i = 0; i < list->count; i++)
		if (list->items[i] == s)
			return;
	if (list->count == MAX_VBASES)
		list->overflow = true;
	else
		list->items[list->count++] = s;
}

/* Virtual bases of `s` in inheritance graph order; false when a base is
 * not modelled (declaration only) or the graph is too deep. */
static bool collect(const sf_struct *s, vbase_list *list, unsigned depth)
{
	if (depth > MAX_DEPTH)
		return false;
	for (uint32_t i = 0; i < s->member_count; i++) {
		const sf_member *m = &s->members[i];
		if (!is_base(m))
			continue;
		if (!m->nested)
			return false;
		if (is_virtual(m))
			add_once(list, m->nested);
		if (!collect(m->nested, list, depth + 1))
			return false;
	}
	return !list->overflow;
}

static bool has_vbases(const sf_struct *s, unsigned depth)
{
	vbase_list list = { .count = 0 };
	return collect(s, &list, depth) && list.count > 0;
}

/* Size and alignment of the part of `s` without virtual bases. */
static bool non_virtual(const sf_struct *s, uint64_t *nvsize, uint32_t *nvalign, unsigned depth)
{
	uint64_t size = 0;
	uint32_t align = 1;

	if (depth > MAX_DEPTH)
		return false;
	for (uint32_t i = 0; i < s->member_count; i++) {
		const sf_member *m = &s->members[i];
		uint64_t extent = m->size, end;
		uint32_t a = m->type_align > m->explicit_align ? m->type_align : m->explicit_align;

		if (m->flags & SF_MEMBER_INDIRECT_VBASE)
			continue;
		if (is_base(m) && is_virtual(m))
			continue;
		if ((m->flags & (SF_MEMBER_OFFSET_UNKNOWN | SF_MEMBER_DECL_ONLY | SF_MEMBER_BITFIELD)))
			return false;
		if (is_base(m)) {
			if (!m->nested || !non_virtual(m->nested, &extent, &a, depth + 1))
				return false;
		}
		if (!sf__add_u64(m->offset, extent, &end))
			return false;
		if (end > size)
			size = end;
		if (a > align)
			align = a;
	}
	*nvsize = size;
	*nvalign = align;
	return true;
}

/* Only a vtable pointer: the ABI may share it as the primary base. */
static bool nearly_empty(const sf_struct *s, uint64_t nvsize)
{
	for (uint32_t i = 0; i < s->member_count; i++) {
		const sf_member *m = &s->members[i];
		if (m->name && strncmp(m->name, "_vptr", 5) == 0 && m->offset == 0 && m->size == nvsize)
			return true;
	}
	return false;
}

static const char *keyword(const sf_struct *s)
{
	return sf__struct_kind_name(s->kind);
}

/* The spelling die_name.c gives a base's type. */
static const char *type_name_of(sf_arena *arena, const sf_struct *s)
{
	const char *name = s->name ? s->name : "{...}";
	size_t n = strlen(keyword(s)) + 1 + strlen(name) + 1;
	char *out = sf__arena_alloc(arena, n);
	if (out)
		snprintf(out, n, "%s %s", keyword(s), name);
	return out;
}

static sf_member *find_direct(sf_struct *s, const sf_struct *base)
{
	for (uint32_t i = 0; i < s->member_count; i++) {
		sf_member *m = &s->members[i];
		if (is_base(m) && is_virtual(m) && m->nested == base)
			return m;
	}
	return NULL;
}

/* Whether a member other than `m` starts inside [from, to). */
static bool reused(const sf_struct *s, const sf_member *m, uint64_t from, uint64_t to)
{
	for (uint32_t i = 0; i < s->member_count; i++) {
		const sf_member *o = &s->members[i];
		uint64_t at = (o->flags & SF_MEMBER_BITFIELD) ? o->bit_offset / 8 : o->offset;
		if (o != m && !(o->flags & SF_MEMBER_OFFSET_UNKNOWN) && at >= from && at < to)
			return true;
	}
	return false;
}

void sf__struct_fit_bases(sf_struct *s)
{
	for (uint32_t i = 0; i < s->member_count; i++) {
		sf_member *m = &s->members[i];
		uint64_t nvsize = 0;
		uint32_t nvalign = 1;
		if (!is_base(m) || is_virtual(m) || !m->nested || !non_virtual(m->nested, &nvsize, &nvalign, 1) ||
		    nvsize >= m->size)
			continue;
		/* Its virtual bases are placed by the class; its tail padding
		 * may hold the class's next members (non-POD bases). */
		if (has_vbases(m->nested, 1) || reused(s, m, m->offset + nvsize, m->offset + m->size))
			m->size = nvsize;
	}
}

/* Offsets and sizes of the virtual bases in `list` in the complete object
 * of `s`; false when not proven. */
static bool place(const sf_struct *s, const vbase_list *list, uint64_t *offsets, uint64_t *sizes)
{
	uint64_t end = 0;
	uint32_t align = 1;

	if (!non_virtual(s, &end, &align, 0))
		return false;
	for (size_t i = 0; i < list->count; i++) {
		const sf_struct *v = list->items[i];
		uint64_t nvsize = 0;
		uint32_t nvalign = 1;
		if (!non_virtual(v, &nvsize, &nvalign, 1) || nvsize == 0 || nearly_empty(v, nvsize) ||
		    !sf__roundup_u64(end, nvalign, &offsets[i]) || !sf__add_u64(offsets[i], nvsize, &end))
			return false;
		sizes[i] = nvsize;
		if (nvalign > align)
			align = nvalign;
	}
	if (s->explicit_align > align)
		align = s->explicit_align;
	return sf__roundup_u64(end, align, &end) && end == s->size;
}

int sf__struct_place_virtual_bases(sf_struct *s, sf_arena *arena)
{
	vbase_list list = { .count = 0 };
	uint64_t offsets[MAX_VBASES], sizes[MAX_VBASES];
	size_t indirect = 0;
	bool proven;

	sf__struct_fit_bases(s);
	if (!collect(s, &list, 0) || list.count == 0)
		return 0;
	proven = place(s, &list, offsets, sizes);
	for (size_t i = 0; i < list.count; i++)
		indirect += !find_direct(s, list.items[i]);
	if (indirect) {
		sf_member *members = sf__arena_calloc(arena, s->member_count + indirect, sizeof(*members));
		if (!members)
			return SF_ENOMEM;
		if (s->member_count)
			memcpy(members, s->members, s->member_count * sizeof(*members));
		s->members = members;
	}
	for (size_t i = 0; i < list.count; i++) {
		sf_member *m = find_direct(s, list.items[i]);
		if (!m) {
			/* Part of the object all the same, listed or not. */
			m = &s->members[s->member_count++];
			memset(m, 0, sizeof(*m));
			m->type_name = type_name_of(arena, list.items[i]);
			if (!m->type_name)
				return SF_ENOMEM;
			m->nested = list.items[i];
			m->size = list.items[i]->size;
			m->type_align = list.items[i]->align;
			m->flags = SF_MEMBER_BASE_CLASS | SF_MEMBER_VIRTUAL_BASE | SF_MEMBER_INDIRECT_VBASE |
				   SF_MEMBER_OFFSET_UNKNOWN | SF_MEMBER_UNKNOWN_TYPE;
		}
		if (proven) {
			m->offset = offsets[i];
			m->bit_offset = offsets[i] * 8;
			m->size = sizes[i];
			m->flags &= ~(uint32_t)(SF_MEMBER_OFFSET_UNKNOWN | SF_MEMBER_UNKNOWN_TYPE);
		}
	}
	return 0;
}
