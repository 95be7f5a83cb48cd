/* A struct turned into a reorder problem: movable items, their classes and the rules. */
#ifndef SF_REORDER_PROBLEM_H
#define SF_REORDER_PROBLEM_H

#include <structfit/reorder.h>

#include <stdbool.h>
#include <stdint.h>

#include "layout/place_cxx.h"
#include "model/structs.h"
#include "util/arena.h"

#define SF_RITEM_FREE UINT32_MAX

/*
 * An item moves as one: a single member, or a constraint group (members
 * in the group's order).  Invariants: items are sorted by `first_index`;
 * every member belongs to exactly one item; a pinned item has count 1.
 */
typedef struct sf_ritem {
	const uint32_t *members;  /* original member indices, placement order */
	uint32_t count;
	uint32_t first_index;     /* members[0], the item's place in the declaration */
	uint32_t pin;             /* position index it must start at, or SF_RITEM_FREE */
	uint32_t cls;
	uint32_t zone;            /* cache-line group it lives in (0: none), as zone_at */
	uint64_t hot_bits;        /* bits of its hot members */
	bool hot;                 /* holds a hot member */
	bool apart;               /* named by an apart rule: never merged into a class */
	bool ascending;           /* members[] strictly increasing: the item can be "kept" */
} sf_ritem;

/*
 * Items that are interchangeable for the size: same placement facts, same
 * rules.  The search state is how many items of each class are placed,
 * encoded in mixed radix: state = sum(placed[c] * radix[c]).
 */
typedef struct sf_rclass {
	uint32_t item;            /* representative */
	uint32_t mult;            /* items in the class */
	uint32_t len;             /* members per item */
	uint64_t radix;
	bool pinned;
} sf_rclass;

/* One apart rule: members that never share a cache line. */
typedef struct sf_rapart {
	const uint32_t *members;
	uint32_t count;
} sf_rapart;

typedef struct sf_rproblem {
	const sf_struct *def;
	/* C++ roles of the members (NULL: C rules): placement goes through
	 * sf__place_cxx_member, sizes through sf__rproblem_size_bits. */
	const sf_place_cxx *cxx;
	uint32_t member_count;
	uint32_t item_count;
	sf_ritem *items;
	uint32_t class_count;
	sf_rclass *classes;
	uint64_t state_count;      /* prod(mult + 1); UINT64_MAX when it overflows */
	uint32_t *next_pin;        /* [member_count + 1]: first pinned position >= p, else member_count */
	uint32_t *pin_item;        /* [member_count]: item pinned at position p, or SF_RITEM_FREE */
	uint32_t *item_of;         /* [member_count]: item holding member i */
	/* [member_count]: the kernel cache-line group (1-based, 0: none)
	 * owning position p in the declaration; an item keeps to its zone. */
	uint32_t *zone_at;
	/* The cache-aware part (see heat.h): per-member heat, the hot set and
	 * apart rules.  cache_aware is set when any of them applies. */
	uint64_t *weight;          /* [member_count] reads + writes */
	uint32_t *threads;         /* [member_count] writing threads, 0 unknown */
	bool *hot;                 /* [member_count] in the hot set */
	uint32_t hot_count;
	uint64_t hot_bits;         /* bits of all hot members */
	sf_rapart *aparts;
	uint32_t apart_count;
	uint64_t base_align;       /* bytes: worst-case start alignment for line counts */
	bool cache_aware;
	uint64_t align_bits;       /* struct alignment */
	uint64_t cacheline_bits;
	uint64_t lower_bound;      /* bytes: roundup(sum of member bits, align); no order is smaller */
	bool has_groups;
	bool has_rules;            /* a user constraint applies */
} sf_rproblem;

/*
 * Builds the problem for `s` (a non-packed struct that passed
 * sf__place_check) in `arena`; `cxx` is the C++ role hypothesis to plan
 * under (from sf__place_cxx_infer) or NULL for the C rules.  Sets *skipped
 * when a skip rule names it.  Returns 0, SF_EUSAGE for a rule naming an
 * unknown or conflicting member ("FILE:LINE: message") or SF_ENOMEM.
 */
int sf__rproblem_build(sf_rproblem *p, const sf_struct *s, const sf_place_cxx *cxx,
		       const sf_reorder_options *opts, unsigned cacheline, sf_arena *arena, bool *skipped);

/* Size in bits of an order whose members end at bit `end`. */
static inline uint64_t sf__rproblem_size_bits(const sf_rproblem *p, uint64_t end)
{
	if (p->cxx)
		return sf__place_cxx_size_bits(p->cxx, end, p->align_bits);
	return (end + p->align_bits - 1) / p->align_bits * p->align_bits;
}

/* End bit of placing item `it` from bit `pos` (SF_PLACE_NONE on overflow);
 * adds to *crossings the members straddling a cache line when not NULL. */
uint64_t sf__ritem_place(const sf_rproblem *p, const sf_ritem *it, uint64_t pos, uint32_t *crossings);

/* The same, also writing each member's first and end bit into
 * first_bits[m] and end_bits[m] (indexed by member) when not NULL. */
uint64_t sf__ritem_place_members(const sf_rproblem *p, const sf_ritem *it, uint64_t pos, uint32_t *crossings,
				 uint64_t *first_bits, uint64_t *end_bits);

/* Largest start bit from which `it` ends at or before `bound`, or SF_PLACE_NONE. */
uint64_t sf__ritem_latest(const sf_rproblem *p, const sf_ritem *it, uint64_t bound);

/* Whether `it` may come next at member position `position`. */
static inline bool sf__ritem_allowed(const sf_rproblem *p, const sf_ritem *it, uint32_t position)
{
	if (it->pin != SF_RITEM_FREE)
		return it->pin == position;
	if (position + it->count > p->member_count || p->next_pin[position] < position + it->count)
		return false;
	for (uint32_t k = 0; k < it->count; k++) {
		if (p->zone_at[position + k] != it->zone)
			return false;
	}
	return true;
}

/*
 * Whether the member order `order` (member_count original indices) keeps
 * every rule: items contiguous and in order, pins, zones.  (Apart rules
 * depend on offsets: sf__rproblem_apart_ok.)
 */
bool sf__rproblem_order_ok(const sf_rproblem *p, const uint32_t *order);

/* Whether members placed at first_bits/end_bits (indexed by member; a
 * member not placed yet has end_bits 0) keep every apart rule that
 * involves item `it`, or every rule when `it` is NULL. */
bool sf__rproblem_apart_ok(const sf_rproblem *p, const sf_ritem *it, const uint64_t *first_bits,
			   const uint64_t *end_bits);

/* Flattens an item order into a member order. */
void sf__rproblem_members(const sf_rproblem *p, const uint32_t *items, uint32_t *order);

#endif
