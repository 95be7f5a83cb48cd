/* Member orders turned into unit orders of a body, and the C++ section check. */
#include "fix/fix_body.h"

int sf__fix_body_unit_order(const sf_fix_body *body, const uint32_t *order, uint32_t member_count,
			    uint32_t *units_out)
{
	uint32_t n = 0;
	for (uint32_t p = 0; p < member_count;) {
		uint32_t m = order[p];
		const sf_fix_unit *u;
		if (m >= member_count)
			return 0;
		if (body->unit_of[m] == SF_FIX_OUTSIDE) {
			/* Bases and the vptr are not in the body: they cannot move. */
			if (m != p)
				return 0;
			p++;
			continue;
		}
		u = &body->units[body->unit_of[m]];
		if (m != u->member_first || p + u->member_count > member_count)
			return 0;
		for (uint32_t k = 1; k < u->member_count; k++)
			if (order[p + k] != u->member_first + k)
				return 0;
		units_out[n++] = body->unit_of[m];
		p += u->member_count;
	}
	return n == body->movable_count;
}

bool sf__fix_body_sections_kept(const sf_fix_body *body, const uint32_t *units, uint32_t *line)
{
	uint32_t k = 0;
	for (uint32_t slot = 0; slot < body->unit_count; slot++) {
		const sf_fix_unit *here = &body->units[slot], *moved;
		if (here->fixed)
			continue;
		moved = &body->units[units[k++]];
		if (moved->section != here->section) {
			/* The first label between the two units. */
			uint32_t lo = slot < units[k - 1] ? slot : units[k - 1];
			*line = moved->first_line;
			for (uint32_t u = lo + 1; u < body->unit_count; u++) {
				if (body->units[u].section != body->units[lo].section) {
					*line = body->units[u].first_line;
					break;
				}
			}
			return false;
		}
	}
	return true;
}
