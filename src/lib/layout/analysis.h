/* Layout analysis of one struct: holes, bit holes, padding and cache lines. */
#ifndef SF_LAYOUT_ANALYSIS_H
#define SF_LAYOUT_ANALYSIS_H

#include <stdbool.h>
#include <stdint.h>

#include "model/structs.h"

/*
 * Every offset below is counted from the start of the outermost struct that
 * was analysed, also inside nested anonymous bodies, because that is what a
 * reader compares with cache-line boundaries (and what pahole prints).
 * The analysis assumes the outermost struct starts on a cache-line boundary.
 */

/* Unused bytes between two members' storage. */
typedef struct sf_hole {
	uint64_t offset;       /* first unused byte */
	uint64_t size;         /* > 0 */
	uint32_t before;       /* index of the member that follows the hole in memory */
	bool forced;           /* that member has an explicit alignment */
} sf_hole;

/* sf_bit_hole.after for a gap in front of the first member. */
#define SF_LAYOUT_NO_MEMBER UINT32_MAX

/* Unused bits inside a bitfield storage unit. */
typedef struct sf_bit_hole {
	uint64_t bit_offset;   /* first unused bit, memory order */
	uint64_t bits;         /* > 0 */
	uint32_t after;        /* index of the member the hole follows, or SF_LAYOUT_NO_MEMBER */
} sf_bit_hole;

struct sf_struct_layout;

/*
 * What the analysis found about one member.  Holes are attributed to the
 * gap after a member (hole_after / bit_hole_after) because that is where a
 * listing shows them; the same holes are also in the struct's arrays.
 */
typedef struct sf_member_layout {
	const sf_member *member;
	uint64_t offset;              /* absolute byte offset (bitfields: of their unit) */
	uint64_t bit_offset;          /* absolute first bit, memory order */
	uint64_t hole_after;          /* bytes unused before the next member (or 0) */
	uint64_t bit_hole_after;      /* bits unused before the next member (or 0) */
	bool crosses_cacheline;       /* its bytes (bits for bitfields) span a boundary */
	bool combined_with_previous;  /* bitfield whose unit holds the preceding plain member */
	bool combined_with_next;      /* bitfield whose unit holds the following plain member */
	uint64_t cacheline_before;    /* boundary index to show before it, 0 for none */
	uint64_t boundary_ago;        /* bytes from that boundary to `offset` */
	uint64_t nested_padding;      /* tail padding of its struct type (not unions, not arrays) */
	/* Body of an anonymous struct/union member (or of a named member whose
	 * type is an unnamed struct), analysed in place; NULL otherwise.
	 * sf__layout_analyze_expanded() gives it to every struct-typed member. */
	struct sf_struct_layout *nested;
} sf_member_layout;

/*
 * Result of sf__layout_analyze().  Invariants: member_count equals the
 * struct's; hole_count and bit_hole_count are at most member_count; every
 * count and sum is computed with saturating arithmetic, so a corrupt model
 * (members beyond the size, overlapping members) yields smaller numbers,
 * never negative or wrapped ones.  Unions have no holes.
 */
typedef struct sf_struct_layout {
	const sf_struct *def;
	uint64_t base_offset;         /* absolute offset of this body (0 at top level) */
	unsigned cacheline;
	unsigned depth;               /* 0 for the outermost struct */

	uint32_t member_count;
	sf_member_layout *members;    /* declaration order, like the struct's */
	/* Member indices in memory order, by first bit, ties in declaration
	 * order; NULL when that is the declaration order (always in C).
	 * Holes, padding and cache-line boundaries are found walking this
	 * order, and hole_after / bit_hole_after / combined_with_* refer to
	 * the neighbours in it. */
	uint32_t *order;

	/* Gap in front of the first member (also in holes / bit_holes):
	 * unnamed bitfields leave no member but use the first bits. */
	uint64_t leading_hole;
	uint64_t leading_bit_hole;

	sf_hole *holes;
	uint32_t hole_count;
	uint64_t sum_holes;

	sf_bit_hole *bit_holes;
	uint32_t bit_hole_count;
	uint64_t sum_bit_holes;

	uint64_t sum_members;         /* bytes of non-bitfield members, pahole's "sum members" */
	uint64_t sum_bitfield_bits;   /* bits of bitfield members */
	uint64_t padding;             /* tail bytes after the last member's storage */
	uint64_t bit_padding;         /* unused bits at the end of a trailing bitfield unit */
	uint32_t paddings;            /* members whose struct type has tail padding */
	uint64_t sum_paddings;
	uint32_t forced_alignments;   /* members with an explicit alignment */
	uint32_t forced_holes;        /* holes in front of such members */
	uint64_t sum_forced_holes;
	uint64_t cachelines;          /* ceil(size / cacheline) */
	uint64_t last_cacheline;      /* size % cacheline, 0 when the size is a multiple */
	uint32_t crossing_count;      /* members that straddle a boundary */
	uint32_t aligned_attribute;   /* N for __attribute__((__aligned__(N))), 0 for none */
	/* The struct is packed as a whole: declaring it __packed__ (keeping
	 * the explicit alignments) gives back every offset and the size.
	 * False for structs whose members were packed one by one. */
	bool packed_attribute;
	/* False when part of the struct is not described: it has no members
	 * but a size (opaque), a member's type is only declared
	 * (SF_MEMBER_DECL_ONLY), or a virtual base has no proven offset
	 * (SF_MEMBER_OFFSET_UNKNOWN).  Those bytes count as neither holes
	 * nor padding. */
	bool contents_known;

	struct sf_arena *arena;       /* owns everything; set on the outermost layout only, NULL
	                                 * when analysed into the caller's arena */
} sf_struct_layout;

/*
 * Analyses `s` (any struct, canonical or built by hand) with the given
 * cache-line size (a power of two >= 8).  Never modifies `s`; nested
 * anonymous bodies are analysed recursively up to a fixed depth.
 * Returns 0, SF_EUSAGE (bad cache-line size) or SF_ENOMEM, with the
 * message set; *out is NULL on failure.
 */
int sf__layout_analyze(const sf_struct *s, unsigned cacheline, sf_struct_layout **out);
/*
 * The same with the result in `arena`, which owns it (its `arena` is NULL,
 * so sf__layout_free() leaves it alone): a report analyses thousands of
 * structs, and an arena each cost a 64 KiB block and its page faults.
 */
int sf__layout_analyze_in(struct sf_arena *arena, const sf_struct *s, unsigned cacheline,
			  sf_struct_layout **out);
/*
 * The same as sf__layout_analyze, also giving `nested` to every member whose type is a struct
 * or union through typedefs and qualifiers (for arrays: their first
 * element, at the array's offset), C++ bases excepted, as pahole -E
 * prints them.  Cache-line boundaries are then found inside those
 * bodies, where -E shows them; every count of the outermost struct is
 * the plain analysis's.
 */
int sf__layout_analyze_expanded(const sf_struct *s, unsigned cacheline, sf_struct_layout **out);
void sf__layout_free(sf_struct_layout *layout);

/* Tail padding of `s` alone, as shown by "last struct has N bytes of padding". */
uint64_t sf__layout_tail_padding(const sf_struct *s);

/* See sf_struct_layout.contents_known. */
bool sf__layout_contents_known(const sf_struct *s);

/* True when a member's body is printed inline (anonymous member or unnamed type). */
bool sf__layout_member_expands(const sf_member *m);

#endif
