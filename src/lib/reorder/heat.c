/* The hot set of a struct from heat and hot rules, and cache-line counts at the worst start. */
#include "reorder/heat.h"

#include <stdlib.h>
#include <string.h>

#include "layout/place.h"
#include "util/checked.h"
#include "util/fail.h"

uint32_t sf__heat_lines(uint64_t first, uint64_t end, uint64_t base_align, uint64_t line)
{
	uint32_t worst = 0;
	if (end <= first)
		return 0;
	/* Line boundaries repeat every `line` bytes, so the starts that
	 * matter are the multiples of base_align below it. */
	for (uint64_t s = 0; s < line; s += base_align) {
		uint64_t n = (s + end - 1) / line - (s + first) / line + 1;
		if (n > worst)
			worst = n > UINT32_MAX ? UINT32_MAX : (uint32_t)n;
	}
	return worst;
}

uint32_t sf__heat_lines_lower(uint64_t len, uint64_t base_align, uint64_t line)
{
	uint32_t best = UINT32_MAX;
	if (len == 0)
		return 0;
	/* The worst case depends on the start only modulo base_align. */
	for (uint64_t o = 0; o < base_align; o++) {
		uint32_t n = sf__heat_lines(o, o + len, base_align, line);
		if (n < best)
			best = n;
	}
	return best;
}

bool sf__heat_may_share(uint64_t a_first, uint64_t a_end, uint64_t b_first, uint64_t b_end,
			uint64_t base_align, uint64_t line)
{
	if (a_end <= a_first || b_end <= b_first)
		return false;
	for (uint64_t s = 0; s < line; s += base_align) {
		uint64_t a_lo = (s + a_first) / line, a_hi = (s + a_end - 1) / line;
		uint64_t b_lo = (s + b_first) / line, b_hi = (s + b_end - 1) / line;
		if (a_lo <= b_hi && b_lo <= a_hi)
			return true;
	}
	return false;
}

static uint64_t member_bits(const sf_member *m)
{
	return (m->flags & SF_MEMBER_BITFIELD) ? m->bit_size : m->size * 8;
}

/*
 * The hot set of a profile: every member whose reads + writes reach
 * SF_HEAT_HOT_PERCENT of the busiest member's (the "hot" class the
 * impact report shows).  Not a share of the total: a program that
 * initialises every member once and then works on a few would make a
 * coverage rule take the init-only members too (measured on
 * fixtures/bench/hotcold.c: 23 cold members at 4000 accesses each pulled
 * the hot set to 2 lines instead of 1).  Members never accessed are never
 * hot.
 */
static void mark_profile_hot(sf_rproblem *p)
{
	uint64_t busiest = 0;

	for (uint32_t i = 0; i < p->member_count; i++) {
		if (p->weight[i] > busiest)
			busiest = p->weight[i];
	}
	for (uint32_t i = 0; i < p->member_count; i++) {
		if (sf__heat_is_hot(p->weight[i], busiest))
			p->hot[i] = true;
	}
}

int sf__heat_assign(sf_rproblem *p, const char *name, const sf_reorder_options *opts, const bool *hot_rule,
		    sf_arena *arena)
{
	const sf_struct *s = p->def;
	uint32_t n = p->member_count;
	uint64_t align = sf__place_struct_align(s);

	p->weight = sf__arena_calloc(arena, n + 1, sizeof(*p->weight));
	p->threads = sf__arena_calloc(arena, n + 1, sizeof(*p->threads));
	p->hot = sf__arena_calloc(arena, n + 1, sizeof(*p->hot));
	if (!p->weight || !p->threads || !p->hot)
		return sf__fail(SF_ENOMEM, "out of memory while planning a reorder");
	p->base_align = align > SF_HEAT_MALLOC_ALIGN ? align : SF_HEAT_MALLOC_ALIGN;
	if (p->base_align > p->cacheline_bits / 8)
		p->base_align = p->cacheline_bits / 8;

	/* Entries for another struct, or for a member this definition lacks
	 * (another definition of the same tag), are not ours: the profile
	 * reader checks them against the whole model. */
	for (size_t h = 0; name && h < opts->heat_count; h++) {
		const sf_member_heat *e = &opts->heat[h];
		if (!e->type || !e->member || strcmp(e->type, name) != 0)
			continue;
		for (uint32_t i = 0; i < n; i++) {
			if (!s->members[i].name || strcmp(s->members[i].name, e->member) != 0)
				continue;
			p->weight[i] = sf__add_sat_u64(p->weight[i], sf__add_sat_u64(e->reads, e->writes));
			if (e->writes && e->threads > p->threads[i])
				p->threads[i] = e->threads;
		}
	}
	mark_profile_hot(p);
	for (uint32_t i = 0; i < n; i++) {
		const sf_member *m = &s->members[i];
		if (hot_rule[i])
			p->hot[i] = true;
		/* A zero-size member has no bytes to keep in a line. */
		if (p->hot[i] && member_bits(m) == 0)
			p->hot[i] = false;
		if (!p->hot[i])
			continue;
		p->hot_count++;
		p->hot_bits += member_bits(m);
	}
	return 0;
}

void sf__heat_measure(sf_heat_measure *out, const sf_struct *placed, const uint32_t *order, const bool *hot,
		      const uint32_t *threads, uint64_t base_align, uint64_t line)
{
	uint64_t first = UINT64_MAX, end = 0;

	memset(out, 0, sizeof(*out));
	for (uint32_t k = 0; k < placed->member_count; k++) {
		const sf_member *m = &placed->members[k];
		uint64_t bits = member_bits(m);
		if (!hot[order ? order[k] : k] || bits == 0)
			continue;
		if (m->bit_offset / 8 < first)
			first = m->bit_offset / 8;
		if ((m->bit_offset + bits + 7) / 8 > end)
			end = (m->bit_offset + bits + 7) / 8;
	}
	if (end) {
		out->hot_lines = sf__heat_lines(first, end, base_align, line);
		out->hot_end = end;
	}
	for (uint32_t a = 0; a < placed->member_count; a++) {
		const sf_member *x = &placed->members[a];
		if (threads[order ? order[a] : a] < 2)
			continue;
		for (uint32_t b = a + 1; b < placed->member_count; b++) {
			const sf_member *y = &placed->members[b];
			if (threads[order ? order[b] : b] < 2)
				continue;
			if (sf__heat_may_share(x->bit_offset / 8, (x->bit_offset + member_bits(x) + 7) / 8,
					       y->bit_offset / 8, (y->bit_offset + member_bits(y) + 7) / 8,
					       base_align, line))
				out->shared_writers++;
		}
	}
}
