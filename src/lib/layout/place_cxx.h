/* The Itanium C++ ABI part of the placement engine: bases, vptr, empty subobjects, tail padding reuse. */
#ifndef SF_LAYOUT_PLACE_CXX_H
#define SF_LAYOUT_PLACE_CXX_H

#include <stdbool.h>
#include <stdint.h>

#include "layout/place_member.h"
#include "model/structs.h"
#include "util/arena.h"

/*
 * The Itanium C++ ABI (section 2.4) lays a class out component by
 * component: the vptr at 0 when there is no primary base, the primary base
 * (first dynamic base), the other non-virtual bases in declaration order,
 * then the data members in declaration order, tracking two sizes:
 *
 * - dsize, the data size: where the next component may start;
 * - sizeof, which also covers tail padding and empty subobjects.
 *
 * A base (or a [[no_unique_address]] member) of a class that is not POD
 * for the purpose of layout advances dsize only by its own data size, so
 * later members may live in its tail padding; a POD one advances it by its
 * full size.  Empty bases and [[no_unique_address]] members of empty type
 * take no data size and go to offset 0, unless another subobject of the
 * same type is there already (then the next offsets from dsize on).  The
 * size is sizeof rounded up to a non-zero multiple of the alignment.
 *
 * DWARF says neither POD-ness nor [[no_unique_address]], so each
 * ambiguous component gets a role hypothesis; the ones that reproduce the
 * recorded layout in declaration order are kept (sf__place_cxx_infer).
 */

typedef enum sf_place_role {
	SF_ROLE_ORDINARY = 0, /* C rules: its full size is data */
	SF_ROLE_TAIL,         /* non-POD base or [[no_unique_address]] member: data_bytes of data */
	SF_ROLE_EMPTY         /* empty base or [[no_unique_address]] member of empty type: no data */
} sf_place_role;

/*
 * One role hypothesis for a class.  Invariants: the members in
 * [0, prefix_count) are its bases and vptr (DWARF lists them first), laid
 * out before the members and never moved; prefix_order lists them in ABI
 * order (vptr, primary base, other bases).
 */
typedef struct sf_place_cxx {
	const sf_struct *def;
	uint8_t *role;               /* [member_count] sf_place_role */
	uint64_t *data_bytes;        /* [member_count] data size of SF_ROLE_TAIL members */
	uint32_t prefix_count;
	uint32_t *prefix_order;      /* [prefix_count] */
	uint64_t prefix_bits;        /* dsize after the prefix */
	uint64_t floor_bytes;        /* sizeof after the prefix and the empty members as recorded */
	uint64_t dsize_bytes;        /* data size of the recorded layout */
	/* Empty subobjects of the prefix, and of each member's type relative
	 * to the member ([member_empty_start[i], member_empty_start[i + 1])),
	 * so searches keep members off their types' addresses; all NULL when
	 * the prefix has none. */
	uint32_t prefix_empty_count;
	const sf_struct **prefix_empty_type;
	uint64_t *prefix_empty_offset;
	uint32_t *member_empty_start;
	const sf_struct **member_empty_type;
	uint64_t *member_empty_offset;
	/* Planning only (NULL from sf__place_cxx_infer): pin_at[i] is 1 +
	 * the position member i must take in an order, 0 when it is free. */
	uint32_t *pin_at;
} sf_place_cxx;

/* Whether `s` is placed by the C++ rules here (C++ with a base, a vptr, or
 * a member of class type that is empty or has tail padding): every other
 * struct is placed by the C rules, which agree with the C++ ones for it. */
bool sf__place_cxx_applies(const sf_struct *s);

/*
 * Every role hypothesis under which placing `s` in declaration order
 * gives the recorded offsets and size, in `arena`: *hyps (count *count)
 * when SF_PLACE_OK.  Otherwise the verdict says why (SF_PLACE_VIRTUAL_BASE
 * for a base at an unknown offset) and `*member` (may be NULL) holds the
 * first member that differed under the most likely hypothesis.  Returns
 * SF_PLACE_TOO_LARGE also when memory runs out.
 */
sf_place_verdict sf__place_cxx_infer(const sf_struct *s, sf_arena *arena, sf_place_cxx **hyps,
				     uint32_t *count, uint32_t *member);

/*
 * Lays `h->def` out with the members in `order` (a permutation keeping
 * [0, prefix_count) in place) and returns the new definition in `arena`
 * like sf__place_struct().  Empty subobjects of one type never share an
 * address.  Returns 0, SF_EUNSUPPORTED, SF_EINVALID or SF_ENOMEM.
 */
int sf__place_cxx_struct(const sf_place_cxx *h, const uint32_t *order, uint32_t count,
			 sf_arena *arena, sf_struct **out);

/*
 * The searches' view of one member (no type-conflict checks: the result
 * of a search is re-placed by sf__place_cxx_struct): the data size end bit
 * when member `index` comes next at data size `pos`, and the inverse.
 * Prefix members end at max(pos, prefix_bits); empty ones leave pos.
 */
uint64_t sf__place_cxx_member(const sf_place_cxx *h, uint32_t index, uint64_t pos, uint64_t *first);
uint64_t sf__place_cxx_member_latest(const sf_place_cxx *h, uint32_t index, uint64_t bound);

/* The size in bits of a class whose data ends at `end` bits under `h`. */
uint64_t sf__place_cxx_size_bits(const sf_place_cxx *h, uint64_t end, uint64_t align_bits);

#endif
