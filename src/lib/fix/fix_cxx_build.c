/* C++ steps of building a fix: when to read a body as C++, orders within access sections, slot edits. */
#include "fix/fix_cxx_build.h"

#include <stdlib.h>
#include <string.h>

#include "fix/fix_cxx.h"
#include "layout/place.h"
#include "util/fail.h"

bool sf__fix_cxx_hint(const sf_struct *def, const char *path)
{
	static const char *const exts[] = { ".cc", ".cpp", ".cxx", ".c++", ".C", ".hh", ".hpp", ".hxx",
					    ".h++", ".H", ".ipp", ".tcc", NULL };
	const char *dot = path ? strrchr(path, '.') : NULL;

	if (def->kind == SF_CLASS)
		return true;
	for (uint32_t m = 0; m < def->member_count; m++)
		if (sf__fix_cxx_outside(&def->members[m]))
			return true;
	for (size_t i = 0; dot && exts[i]; i++)
		if (strcmp(dot, exts[i]) == 0)
			return true;
	return false;
}

static uint32_t unit_align(const sf_struct *def, const sf_fix_unit *u)
{
	uint32_t align = 1;
	for (uint32_t k = 0; k < u->member_count; k++) {
		uint32_t a = sf__place_member_align(&def->members[u->member_first + k]);
		align = a > align ? a : align;
	}
	return align;
}

void sf__fix_cxx_new_positions(const sf_struct *def, const sf_fix_body *body, const uint32_t *units,
			       uint32_t *new_pos)
{
	uint32_t p = 0, k = 0;
	/* Members outside the body keep their index; the units fill the rest in order. */
	for (uint32_t m = 0; m < def->member_count; m++)
		if (body->unit_of[m] == SF_FIX_OUTSIDE)
			new_pos[m] = m;
	for (; k < body->movable_count; k++) {
		const sf_fix_unit *u = &body->units[units[k]];
		for (uint32_t j = 0; j < u->member_count; j++) {
			while (p < def->member_count && body->unit_of[p] == SF_FIX_OUTSIDE)
				p++;
			new_pos[u->member_first + j] = p++;
		}
	}
}

int sf__fix_cxx_replan_sections(const sf_struct *def, const sf_fix_body *body, uint32_t *units,
				uint64_t *size, sf_arena *arena)
{
	uint32_t n = 0, *order, *new_pos;
	sf_struct *placed = NULL;
	int rc;

	for (uint32_t m = 0; m < def->member_count; m++)
		if (body->unit_of[m] == SF_FIX_OUTSIDE)
			return 1; /* base placement is the engine's business */
	for (uint32_t u = 0; u < body->unit_count; u++)
		if (!body->units[u].fixed)
			units[n++] = u;
	/* Insertion sort, stable: by section, then by decreasing alignment. */
	for (uint32_t i = 1; i < n; i++) {
		uint32_t v = units[i], j = i;
		while (j > 0 && body->units[units[j - 1]].section == body->units[v].section &&
		       unit_align(def, &body->units[units[j - 1]]) < unit_align(def, &body->units[v])) {
			units[j] = units[j - 1];
			j--;
		}
		units[j] = v;
	}
	order = sf__arena_calloc(arena, def->member_count + 1, sizeof(*order));
	new_pos = sf__arena_calloc(arena, def->member_count + 1, sizeof(*new_pos));
	if (!order || !new_pos)
		return SF_ENOMEM;
	sf__fix_cxx_new_positions(def, body, units, new_pos);
	for (uint32_t m = 0; m < def->member_count; m++)
		order[new_pos[m]] = m;
	rc = sf__place_struct(def, order, def->member_count, arena, &placed);
	if (rc == SF_ENOMEM)
		return rc;
	if (rc < 0 || placed->size >= def->size)
		return 1;
	*size = placed->size;
	return 0;
}

int sf__fix_add_edit(sf_fix *fix, sf_fix_source *src, size_t start, size_t end, char *text, size_t len)
{
	sf_fix_edit *more;
	for (size_t e = 0; e < src->edit_count; e++)
		if (src->edits[e].start < end && start < src->edits[e].end)
			return 1;
	more = sf__fix_grow(fix->arena, src->edits, src->edit_count, &src->edit_cap, sizeof(*more));
	if (!more)
		return SF_ENOMEM;
	src->edits = more;
	src->edits[src->edit_count++] = (sf_fix_edit){ start, end, text, len };
	return 0;
}

/*
 * Slots between two fixed units form a run, rewritten like a C body:
 * each unit keeps the blank lines that preceded it, except the one that
 * comes first.  Fixed units and the text around them stay.
 */
int sf__fix_cxx_slot_edits(sf_fix *fix, sf_fix_source *src, const sf_fix_body *body, const uint32_t *units)
{
	uint32_t k = 0, slot = 0;

	while (slot < body->unit_count) {
		uint32_t run_k = k, end_slot;
		bool changed = false;
		size_t n = 0;
		char *text = NULL;
		int rc;
		if (body->units[slot].fixed) {
			slot++;
			continue;
		}
		for (end_slot = slot; end_slot < body->unit_count && !body->units[end_slot].fixed; end_slot++)
			changed |= units[k++] != end_slot;
		if (!changed) {
			slot = end_slot;
			continue;
		}
		/* Units may come from another run of the same section (across
		 * a method): measure first. */
		for (int pass = 0; pass < 2; pass++) {
			if (pass == 1 && !(text = sf__arena_alloc(fix->arena, n + 1)))
				return SF_ENOMEM;
			n = 0;
			for (uint32_t s = slot; s < end_slot; s++) {
				uint32_t o = units[run_k + (s - slot)];
				const sf_fix_unit *put = &body->units[o];
				if (s > slot && o > 0 && !body->units[o - 1].fixed) {
					size_t gap = put->start - body->units[o - 1].end;
					if (pass == 1)
						memcpy(text + n, src->text + body->units[o - 1].end, gap);
					n += gap;
				}
				if (pass == 1)
					memcpy(text + n, src->text + put->start, put->end - put->start);
				n += put->end - put->start;
			}
		}
		rc = sf__fix_add_edit(fix, src, body->units[slot].start, body->units[end_slot - 1].end, text, n);
		if (rc != 0)
			return rc < 0 ? rc : SF_EINVALID; /* runs are disjoint: cannot happen */
		slot = end_slot;
	}
	return 0;
}
