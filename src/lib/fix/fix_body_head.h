/* Where a body starts and which #define lines in it may move (fix_body_head.c). */
#ifndef SF_FIX_FIX_BODY_HEAD_H
#define SF_FIX_FIX_BODY_HEAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fix/fix_lex.h"
#include "model/structs.h"

/* Keywords followed by a parenthesised argument that is not a declarator. */
extern const char *const sf__fix_paren_words[];

/*
 * The `{` token of the definition of `def` on `line` (C++: after a base
 * clause or attributes too), or toks->count; sets *found_keyword when
 * the line has the struct/union/class keyword.
 */
size_t sf__fix_find_open(const char *text, const sf_fix_tokens *toks, uint32_t line, const sf_struct *def,
			 bool *found_keyword);

/*
 * NULL when directive `d` in the body (open, close) may move with the
 * member above it, else the reason's format (one %u: its line).
 */
const char *sf__fix_define_refusal(const char *text, const sf_fix_tokens *toks, size_t open, size_t close,
				   size_t d, bool after_member);

#endif
