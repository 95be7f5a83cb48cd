/* Internals shared by the C++ placement engine and its inference (layout/place_cxx*.c). */
#ifndef SF_LAYOUT_PLACE_CXX_IMPL_H
#define SF_LAYOUT_PLACE_CXX_IMPL_H

#include <stdbool.h>
#include <stdint.h>

#include "layout/place_cxx.h"

#define MAX_DEPTH 24           /* class nesting followed for empties and data sizes */
#define MAX_EMPTIES 1024       /* empty subobjects tracked per class */

/* Empty subobjects (type, byte offset) of a class being laid out. */
typedef struct empties {
	const sf_struct *type[MAX_EMPTIES];
	uint64_t offset[MAX_EMPTIES];
	uint32_t count;
	bool overflow;
} empties;

typedef struct cxx_state {
	uint64_t dsize_bits;
	uint64_t size_bytes;
	uint32_t prefix_empties;     /* placed[0, prefix_empties) belong to the prefix */
	empties placed;
	empties scratch;
} cxx_state;

/* The vptr member (_vptr.X from gcc, _vptr$X from clang). */
bool sf__cxx_is_vptr(const sf_member *m);
/* A base class subobject. */
bool sf__cxx_is_base(const sf_member *m);
/* The class a member holds by value as a subobject, or NULL. */
const sf_struct *sf__cxx_class_of(const sf_member *m);
/* Empty in the ABI's sense: no data, no vptr, only empty bases. */
bool sf__cxx_is_empty(const sf_struct *t, unsigned depth);
/* Has a vptr of its own or through a base. */
bool sf__cxx_is_dynamic(const sf_struct *t, unsigned depth);
/* Surely not POD for the purpose of layout / surely POD, by what DWARF shows. */
bool sf__cxx_known_nonpod(const sf_struct *t, unsigned depth);
bool sf__cxx_surely_pod(const sf_struct *t, unsigned depth);
/* Same class type (merged, or same name and size). */
bool sf__cxx_same_type(const sf_struct *a, const sf_struct *b);
/* Appends the empty subobjects of a `t` at byte `offset` to `e`. */
void sf__cxx_collect(empties *e, const sf_struct *t, uint64_t offset, unsigned depth);
/*
 * Lays h->def out: prefix in ABI order, then the other members in `order`.
 * Fills first_bits (by member index), the size in bits, the data size and
 * sizeof after the prefix; false on overflow or too many empties.
 */
bool sf__cxx_layout(const sf_place_cxx *h, const uint32_t *order, cxx_state *st, uint64_t *first_bits,
		    uint64_t *size_bits, uint64_t *prefix_bits, uint64_t *prefix_size);

#endif
