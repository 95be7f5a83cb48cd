/* C++ constructors for fix: member-initializer lists found, checked and put in the new member order. */
#ifndef SF_FIX_FIX_CTOR_H
#define SF_FIX_FIX_CTOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fix/fix_body.h"
#include "fix/fix_lex.h"
#include "model/structs.h"

/*
 * The constructor whose name is token `name_tok`: sets *colon to the ':'
 * opening its member-initializer list and *body_open to the '{' of its
 * body.  Returns false for a declaration or a constructor without a list.
 */
bool sf__fix_ctor_list(const char *text, const sf_fix_tokens *toks, size_t name_tok, size_t *colon,
		       size_t *body_open);

/*
 * Out-of-line constructors `NAME::NAME(` in a file: appends their name
 * tokens to *found (*count of them).  Returns 0 or SF_ENOMEM.
 */
int sf__fix_ctor_find(const char *text, const sf_fix_tokens *toks, const char *name, size_t **found,
		      size_t *count);

/*
 * Whether an initializer in tokens (colon, body_open) reads a member of
 * `def` whose order relative to the member it initializes changes
 * (`new_pos`: member index -> new position).  Sets *line to the
 * initializer's line.  Parameters named like members shadow them.
 */
bool sf__fix_ctor_reads(const char *text, const sf_fix_tokens *toks, size_t name_tok, size_t colon,
			size_t body_open, const sf_struct *def, const uint32_t *new_pos, uint32_t *line);

/* The same for the default member initializers of the body. */
bool sf__fix_default_reads(const char *text, const sf_fix_tokens *toks, const sf_fix_body *body,
			   const sf_struct *def, const uint32_t *new_pos, uint32_t *line);

/*
 * The lines holding the list (colon, body_open) rewritten with the member
 * initializers in the new member order; other initializers (bases,
 * delegation) keep their places.  Sets [*start, *end) (whole lines) and
 * *out (malloc'd, *out_len bytes); *out is NULL when nothing changes.
 * Returns 0 or SF_ENOMEM.
 */
int sf__fix_ctor_rewrite(const char *text, size_t len, const sf_fix_tokens *toks, size_t colon,
			 size_t body_open, const sf_struct *def, const uint32_t *new_pos, size_t *start,
			 size_t *end, char **out, size_t *out_len);

#endif
