/* C++ planning: orders whose size every role hypothesis agrees on. */
#include "reorder/plan_cxx.h"

#include "layout/place.h"
#include "util/fail.h"

/*
 * Whether role hypothesis `h` gives `order` the size of `placed`.  The
 * size is the claim a proposal makes; where the hypotheses put a member
 * differently (a char in a base's tail padding or just after it) the
 * offsets shown are those of the hypothesis planned under.
 */
bool sf__plan_same_size(const sf_place_cxx *h, const uint32_t *order, uint32_t n, const sf_struct *placed,
			sf_arena *scratch)
{
	sf_struct *other = NULL;
	return sf__place_cxx_struct(h, order, n, scratch, &other) == 0 && other->size == placed->size;
}

static bool roles_differ(const sf_place_cxx *hyps, uint32_t count, uint32_t i)
{
	for (uint32_t k = 1; k < count; k++) {
		if (hyps[k].role[i] != hyps[0].role[i] || hyps[k].data_bytes[i] != hyps[0].data_bytes[i])
			return true;
	}
	return false;
}

/*
 * Hypothesis 0 with pins that make most orders look alike under every
 * hypothesis: the members they read differently go last (nothing follows
 * them, so whether their tail padding is reused cannot matter), and when
 * they disagree on where the bases end, the most aligned member goes first
 * (it starts at the same aligned offset either way).  *out is NULL when
 * the hypotheses agree on all of that.
 */
int sf__plan_conservative(const sf_place_cxx **out, const sf_place_cxx *hyps, uint32_t count,
			const sf_reorder_options *opts, sf_arena *scratch)
{
	const sf_struct *def = hyps[0].def;
	uint32_t n = def->member_count, prefix = hyps[0].prefix_count, late = 0, first = UINT32_MAX;
	bool prefix_differs = false;
	sf_place_cxx *c;

	*out = NULL;
	c = sf__arena_alloc(scratch, sizeof(*c));
	if (!c)
		return sf__fail(SF_ENOMEM, "out of memory while planning a reorder");
	*c = hyps[0];
	c->pin_at = sf__arena_calloc(scratch, n + 1, sizeof(*c->pin_at));
	if (!c->pin_at)
		return sf__fail(SF_ENOMEM, "out of memory while planning a reorder");
	for (uint32_t k = 1; k < count; k++)
		prefix_differs |= hyps[k].prefix_bits != hyps[0].prefix_bits;
	for (uint32_t i = prefix; i < n; i++) {
		/* keep-first already holds member 0 in place. */
		if (i == 0 && opts->keep_first && def->members[0].nested)
			continue;
		if (roles_differ(hyps, count, i))
			late++;
	}
	if (!late && !prefix_differs)
		return 0;
	for (uint32_t i = prefix, pos = n - late; i < n; i++) {
		if (!(i == 0 && opts->keep_first && def->members[0].nested) && roles_differ(hyps, count, i))
			c->pin_at[i] = ++pos;
	}
	for (uint32_t i = prefix; prefix_differs && prefix > 0 && i < n; i++) {
		const sf_member *m = &def->members[i];
		if (c->pin_at[i] || c->role[i] == SF_ROLE_EMPTY || (m->flags & SF_MEMBER_BITFIELD))
			continue;
		if (first == UINT32_MAX || sf__place_member_align(m) > sf__place_member_align(&def->members[first]))
			first = i;
	}
	if (first != UINT32_MAX && prefix < n - late)
		c->pin_at[first] = prefix + 1;
	*out = c;
	return 0;
}
