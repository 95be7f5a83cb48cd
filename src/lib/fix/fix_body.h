/* A struct definition found in its source: the body's member declarations mapped to the debug info. */
#ifndef SF_FIX_FIX_BODY_H
#define SF_FIX_FIX_BODY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fix/fix_lex.h"
#include "model/structs.h"

/*
 * Lines of the body that move together: one or more declarations that
 * share a source line, their trailing comments and the comment lines
 * directly above them.  Invariants: [start, end) covers whole lines
 * (end is just past a newline); members member_first .. member_first +
 * member_count - 1 of the definition, in declaration order, are declared
 * in it and nowhere else.
 */
typedef struct sf_fix_unit {
	size_t start;
	size_t end;
	uint32_t first_line;
	uint32_t member_first;
	uint32_t member_count;
	/* C++: not data (a method, nested type, access label, ...): it stays
	 * where it is and member_count is 0. */
	bool fixed;
	uint32_t section;      /* C++: access section (labels seen before it) */
	/* A macro alone on its line (a macro-built field list) in the unit:
	 * its name's offset and length in the text, and its line; len 0 if none. */
	size_t macro_start;
	size_t macro_len;
	uint32_t macro_line;
} sf_fix_unit;

/* Token indices [first, last] of a default member initializer (after
 * `=`, or the braces); first == 0 when the member has none. */
typedef struct sf_fix_span {
	size_t first;
	size_t last;
} sf_fix_span;

#define SF_FIX_OUTSIDE UINT32_MAX  /* unit_of: base class or vptr, not in the body */

/*
 * Invariants: units are in text order and disjoint; only blank lines lie
 * between two units; every member of the definition belongs to exactly
 * one unit; open/close are the offsets of the body's braces.
 */
typedef struct sf_fix_body {
	size_t open;
	size_t close;
	sf_fix_unit *units;
	uint32_t unit_count;
	uint32_t *unit_of;   /* member index -> unit index, or SF_FIX_OUTSIDE */
	/* C++ bodies: units that hold members (unit_count in C), whether some
	 * unit is fixed, constructors declared in the body (token index of
	 * the name), default member initializers per member, and whether the
	 * class could be an aggregate (no constructor, no non-public data). */
	bool cxx;
	bool has_fixed;
	bool aggregate;
	uint32_t movable_count;
	size_t *ctors;
	uint32_t ctor_count;
	sf_fix_span *member_init;
	/* Leading units whose members the mapping placed without a problem
	 * (unit_count for an accepted body; what a refused one can still
	 * tell about its members). */
	uint32_t mapped_units;
} sf_fix_body;

/*
 * Finds the definition of `def` at def->decl_line of `text` and checks
 * that its body declares exactly def's members.  Returns 0 with `out`
 * filled, 1 when the struct must be left alone with the reason in `why`
 * (every problem of the body, in source order, joined by "; also"), or
 * SF_ENOMEM.  After 1, `out` holds what was read: units when every item
 * was (unit_count 0 when not), mapped_units of them mapped right.  Free
 * `out` with sf__fix_body_free() after 0 and 1.
 */
int sf__fix_body_find(sf_fix_body *out, const char *text, size_t len, const sf_fix_tokens *tokens,
		      const sf_struct *def, char *why, size_t why_size);
void sf__fix_body_free(sf_fix_body *body);

/*
 * Like sf__fix_body_find, reading the body as C++ when `cxx` is set or
 * the C reading fails: access labels split it into sections, only
 * non-static data members (the debug info's) map to units, everything
 * else is a fixed unit; base classes and the vptr map to no unit.
 */
int sf__fix_body_find_cxx(sf_fix_body *out, const char *text, size_t len, const sf_fix_tokens *toks,
			  const sf_struct *def, bool cxx, char *why, size_t why_size);

/*
 * Turns a member order into an order of the units holding members when
 * every unit's members stay together and in declaration order, and the
 * members outside the body keep their places.  `units_out` gets
 * movable_count entries.  Returns false when the order splits a unit.
 */
int sf__fix_body_unit_order(const sf_fix_body *body, const uint32_t *order, uint32_t member_count,
			    uint32_t *units_out);

/* Whether the unit order (from sf__fix_body_unit_order) keeps every unit
 * in its access section; sets *line to a label crossed when not. */
bool sf__fix_body_sections_kept(const sf_fix_body *body, const uint32_t *units, uint32_t *line);

#endif
