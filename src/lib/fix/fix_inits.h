/* The positional-initializer scan: where a struct's member order is baked into user code. */
#ifndef SF_FIX_FIX_INITS_H
#define SF_FIX_FIX_INITS_H

#include <stdbool.h>
#include <stddef.h>

#include "fix/fix_lex.h"

/*
 * A struct to look for.  `tag` is spelled after the keyword (NULL for an
 * untagged struct); aliases are typedef names, bare.  `hit` lists
 * "FILE:LINE" (malloc'd, ", "-separated, the first 32) of every positional
 * initializer or compound literal found; hit_count counts them all.
 */
typedef struct sf_fix_target {
	const char *tag;
	bool is_union;
	/* C++: the bare tag names the type too; `ignore`: not an aggregate,
	 * so brace lists call constructors and never depend on member order. */
	bool cxx;
	bool ignore;
	char **aliases;
	size_t alias_count;
	char *hit;
	size_t hit_count;
} sf_fix_target;

/*
 * Adds the typedef names `typedef struct TAG ... NAME;` of one file to
 * the targets.  Returns 0 or SF_ENOMEM.
 */
int sf__fix_inits_aliases(sf_fix_target *targets, size_t count, const char *text,
			  const sf_fix_tokens *toks);

/*
 * Looks in one file (named `name` in hits) for initializers of the
 * targets that depend on member order.  Returns 0 or SF_ENOMEM.
 */
int sf__fix_inits_scan(sf_fix_target *targets, size_t count, const char *name, const char *text,
		       const sf_fix_tokens *toks);

void sf__fix_target_release(sf_fix_target *target);

#endif
