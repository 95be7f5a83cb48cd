/* A Go struct body as field units, for moving whole field lines (fix_go_body.c). */
#ifndef SF_FIX_FIX_GO_BODY_H
#define SF_FIX_FIX_GO_BODY_H

#include "fix/fix_go_lex.h"
#include "util/arena.h"

/* One declared name: text[off, off + len), in unit `unit`. */
typedef struct sf_go_name {
	size_t off;
	size_t len;
	size_t unit;
} sf_go_name;

/*
 * One field declaration with the comment lines directly above it.
 * Invariants: gap <= start <= line <= field < end; [gap, start) holds only
 * blank lines (and comments set apart by one), [line, end) whole lines.
 */
typedef struct sf_go_unit {
	size_t gap;        /* end of the previous unit (or the body's first line) */
	size_t start;      /* its leading comment lines, else `line` */
	size_t line;       /* start of the field's first line */
	size_t field;      /* its first non-blank byte */
	size_t names_end;  /* past the last name (`field` for embedded fields) */
	size_t end;        /* past the newline ending the field */
	size_t first_name;
	size_t name_count;
	bool embedded;
} sf_go_unit;

typedef struct sf_go_body {
	sf_go_unit *units;
	size_t unit_count, unit_cap;
	sf_go_name *names;     /* declaration order, as DWARF lists the members */
	size_t name_count, name_cap;
} sf_go_body;

/* Splits the body between text[open] '{' and text[close] '}' into units
 * (in `arena`).  0, 1 with *why set for a layout it does not handle, or SF_ENOMEM. */
int sf__go_body_parse(sf_go_body *body, sf_arena *arena, const char *text, size_t len, size_t open,
		      size_t close, const char **why);

#endif
