/* The body scan's working state, shared by its phases: items, declarators and the problems found. */
#ifndef SF_FIX_FIX_BODY_SCAN_H
#define SF_FIX_FIX_BODY_SCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fix/fix_body.h"
#include "fix/fix_lex.h"
#include "model/structs.h"

/*
 * The scan runs in phases (fix_body.c): the braces and the lines around
 * them, items (fix_body_items.c), members mapped to items
 * (fix_body_map.c), units (fix_body_units.c).  A problem does not end the
 * scan when the later phases can still be trusted, so the reason names
 * every obstacle of the body, not only the first one met.
 */

/* SF_FIX_ITEM_FIXED: C++ only, a declaration of no data member or an access label. */
typedef enum sf_fix_item_kind { SF_FIX_ITEM_DECL, SF_FIX_ITEM_MACRO, SF_FIX_ITEM_FIXED } sf_fix_item_kind;

/* One declarator of a declaration. */
typedef struct sf_fix_segment {
	size_t name_start;     /* name_len == 0: no name found */
	size_t name_len;
	bool anonymous_body;   /* `struct { ... };` without declarator */
	bool has_colon;
	long width;            /* literal bitfield width, -1 when not a plain number */
	size_t init_first;     /* C++ default member initializer tokens, 0 when none */
	size_t init_last;
} sf_fix_segment;

/* A declaration up to its ';', a macro alone on its line, or (C++) a fixed item. */
typedef struct sf_fix_item {
	sf_fix_item_kind kind;
	size_t first_tok;      /* token indices, inclusive */
	size_t last_tok;
	uint32_t first_line;
	uint32_t last_line;
	sf_fix_segment *segs;
	uint32_t seg_count;
	uint32_t used;         /* members mapped so far */
	uint32_t member_first;
	uint32_t section;      /* C++: bounds (labels, declarations members use) before it */
	bool is_public;
	bool is_label;
	bool may_bind;         /* C++ fixed item, no function: may declare a name members use */
	/* Compiled out in some builds (inside #if) or already named as a
	 * problem: the mapping passes over it when no member is there. */
	bool quiet;
} sf_fix_item;

typedef struct sf_fix_problem {
	uint32_t line;         /* where it is, for the source order */
	const char *fmt;       /* its kind (the format, one %u), NULL when not one of a kind */
	char text[320];
} sf_fix_problem;

/* Invariants: items are in text order and do not overlap; problems are
 * in the order found (sorted by line when the reason is written). */
typedef struct sf_fix_scan {
	const char *text;
	size_t len;
	const sf_fix_tokens *toks;
	const sf_struct *def;
	bool cxx;
	size_t open;           /* token indices of the body's braces */
	size_t close;
	sf_fix_item *items;
	size_t item_count;
	size_t item_cap;
	bool items_complete;   /* false: an item without ';' ended the item phase */
	size_t first_bad_item; /* first item whose mapping had a problem, item_count if none */
	sf_fix_problem *problems;
	size_t problem_count;
	size_t problem_cap;
} sf_fix_scan;

/* Type words and qualifiers: never a member's name. */
extern const char *const sf__fix_non_names[];

/* Records a problem; `fmt` (a static string) has one %u, `line`; problems
 * of one format are told together ("... (lines 4, 9 and 12)").  0 or SF_ENOMEM. */
int sf__fix_scan_problem(sf_fix_scan *s, uint32_t line, const char *fmt);
/* The same with text already formatted. */
int sf__fix_scan_problem_text(sf_fix_scan *s, uint32_t line, const char *text);

/* +1 for #if, #ifdef and #ifndef, -1 for #endif, else 0 (fix_body_items.c). */
int sf__fix_directive_nesting(const char *text, const sf_fix_token *directive);

/* Splits declaration item `it` into its declarators (fix_body_decl.c).  0 or SF_ENOMEM. */
int sf__fix_read_segments(const char *text, const sf_fix_tokens *toks, sf_fix_item *it, bool cxx);

/* Whether declarator `seg` declares member `m` (name, bitfield width). */
bool sf__fix_seg_matches(const char *text, const sf_fix_segment *seg, const sf_member *m);

/* Items of the body between s->open and s->close (fix_body_items.c).  0 or SF_ENOMEM. */
int sf__fix_scan_items(sf_fix_scan *s, sf_fix_body *out);

/* C++ sections from labels and binding declarations (fix_body_map.c). */
void sf__fix_scan_bounds(sf_fix_scan *s);

/* Members of s->def to items, in order (fix_body_map.c).  0 or SF_ENOMEM. */
int sf__fix_scan_map(sf_fix_scan *s, sf_fix_body *out);

/* Items to units, and unit_of (fix_body_units.c).  0 or SF_ENOMEM. */
int sf__fix_scan_units(sf_fix_scan *s, sf_fix_body *out);

/* A constructor declared in the body, at token `token`.  0 or SF_ENOMEM. */
int sf__fix_body_add_ctor(sf_fix_body *body, size_t token);

#endif
