/* The ABI placement engine: the C rules, and the check that picks C or C++ rules for a struct. */
#ifndef SF_LAYOUT_PLACE_H
#define SF_LAYOUT_PLACE_H

#include <stdbool.h>
#include <stdint.h>

#include "layout/place_member.h"
#include "model/structs.h"
#include "util/arena.h"

/*
 * Calls run one way: place_check.c (sf__place_check) picks the C engine
 * (place.c) or the C++ one (place_cxx_infer.c over place_cxx.c); both
 * engines use the member primitives of place_member.c.
 */

/*
 * The safety gate of every proposal: places the members of `s` in their
 * declared order and compares each member's position and the size with
 * what the compiler recorded.  `*member` (may be NULL) receives the index of
 * the first member that differs, or s->member_count for the size.  C++
 * classes the C rules do not cover (sf__place_cxx_applies) are checked by
 * sf__place_cxx_infer() in a temporary arena (SF_PLACE_TOO_LARGE when
 * memory runs out); C structs are checked without allocating.
 */
sf_place_verdict sf__place_check(const sf_struct *s, uint32_t *member);

/*
 * The C engine's part of sf__place_check() for a struct that is neither a
 * union, packed, nor placed by the C++ rules: the members in declaration
 * order by the rules above.
 */
sf_place_verdict sf__place_c_check(const sf_struct *s, uint32_t *member);

/* One line for a verdict ("layout not reproducible from debug info"). */
const char *sf__place_verdict_text(sf_place_verdict verdict);

/*
 * Lays out the members of `s` in the order given by `order` (count original
 * member indices, each exactly once, count == s->member_count) and returns a
 * new definition in `arena`: same kind, names and alignment request, members
 * copied in the new order with their new offsets and bit offsets, size
 * recomputed.  Members keep pointing at the model's strings and nested
 * bodies, so the model must outlive the result.  Unions put every member at
 * offset 0.  Returns 0, SF_EUNSUPPORTED (packed struct or unplaceable
 * member), SF_EINVALID (positions overflow) or SF_ENOMEM.
 */
int sf__place_struct(const sf_struct *s, const uint32_t *order, uint32_t count,
		     sf_arena *arena, sf_struct **out);

#endif
