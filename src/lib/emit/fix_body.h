/* A struct definition found in its source: the body's member declarations mapped to the debug info. */
#ifndef SF_EMIT_FIX_BODY_H
#define SF_EMIT_FIX_BODY_H

#include <stddef.h>
#include <stdint.h>

#include "emit/fix_lex.h"
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
} sf_fix_unit;

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
	uint32_t *unit_of;   /* member index -> unit index */
} sf_fix_body;

/*
 * Finds the definition of `def` at def->decl_line of `text` and checks
 * that its body declares exactly def's members.  Returns 0 with `out`
 * filled (free with sf__fix_body_free()), 1 when the struct must be left
 * alone with the reason in `why`, or SF_ENOMEM.
 */
int sf__fix_body_find(sf_fix_body *out, const char *text, size_t len, const sf_fix_tokens *tokens,
		      const sf_struct *def, char *why, size_t why_size);
void sf__fix_body_free(sf_fix_body *body);

/*
 * Turns a member order into a unit order when every unit's members stay
 * together and in declaration order.  `units_out` gets unit_count entries.
 * Returns false when the order splits a unit.
 */
int sf__fix_body_unit_order(const sf_fix_body *body, const uint32_t *order, uint32_t member_count,
			    uint32_t *units_out);

#endif
