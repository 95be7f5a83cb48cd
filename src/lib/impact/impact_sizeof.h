/* Reading allocation lines (impact_sizeof.c): the subject of a sizeof, declarators and member type shapes. */
#ifndef SF_IMPACT_SIZEOF_H
#define SF_IMPACT_SIZEOF_H

#include <stdbool.h>
#include <stddef.h>

#define SF_SIZEOF_NAME 128
#define SF_SIZEOF_MAX_MEMBERS 4

enum {
	SF_SIZEOF_NONE = 0,  /* no sizeof on the line */
	SF_SIZEOF_TYPE,      /* sizeof(struct NAME) */
	SF_SIZEOF_EXPR,      /* sizeof *NAME->m1.m2[i], or sizeof(NAME) (typedef or variable) */
	SF_SIZEOF_OTHER      /* a sizeof not understood, or of a pointer type */
};

/*
 * The first sizeof of a line.  Invariants: `name` is NUL-terminated and
 * empty unless kind is TYPE or EXPR; `derefs` counts leading '*' and
 * subscripts; `tail` is set when a '+' touches the sizeof ("sizeof(T) +
 * len": one T with trailing bytes, not an array).
 */
typedef struct sf_sizeof_expr {
	int kind;
	char name[SF_SIZEOF_NAME];
	char members[SF_SIZEOF_MAX_MEMBERS][SF_SIZEOF_NAME];
	unsigned member_count;
	unsigned derefs;
	bool tail;
} sf_sizeof_expr;

bool sf__impact_ident_char(char c);

void sf__impact_parse_sizeof(const char *line, sf_sizeof_expr *out);

/* Whether `line` declares `var`; *stars and *dims get its pointer levels
 * and array dimensions ("struct pair *pairs[20]": 1 and 1), *statement
 * and *at the offsets of the declaration's start (after the last ';' or
 * '{' before it) and of `var`, where its type name must lie between. */
bool sf__impact_declares(const char *line, const char *var, unsigned *stars, unsigned *dims,
			 size_t *statement, size_t *at);

/* A model type name ("struct node *[4]", "const conn_t *") as base name,
 * pointer levels and array dimensions; `base` is "" when there is none. */
void sf__impact_type_shape(const char *type_name, char *base, size_t cap, unsigned *stars,
			   unsigned *dims);

#endif
