/* A C tokenizer good enough to find struct bodies, declarators and initializers in user sources. */
#ifndef SF_FIX_FIX_LEX_H
#define SF_FIX_FIX_LEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum sf_fix_tok_kind {
	SF_FIX_IDENT,
	SF_FIX_NUMBER,
	SF_FIX_STRING,     /* string or character literal */
	SF_FIX_PUNCT,      /* one character; multi-character operators are several tokens */
	SF_FIX_COMMENT,    /* block or line comment */
	SF_FIX_DIRECTIVE   /* a whole preprocessor line, continuations included */
} sf_fix_tok_kind;

/*
 * One token.  Invariants: start < end <= text length; `line` is the
 * 1-based line of `start`, `end_line` the line of the last byte; tokens are
 * in text order and do not overlap.
 */
typedef struct sf_fix_token {
	sf_fix_tok_kind kind;
	size_t start;
	size_t end;
	uint32_t line;
	uint32_t end_line;
} sf_fix_token;

typedef struct sf_fix_tokens {
	sf_fix_token *items;
	size_t count;
	size_t capacity;
} sf_fix_tokens;

/*
 * Tokenizes `text`.  Never fails on odd input (an unterminated comment or
 * literal runs to the end); returns 0 or SF_ENOMEM.  Free with
 * sf__fix_tokens_free().
 */
int sf__fix_lex(sf_fix_tokens *out, const char *text, size_t len);
void sf__fix_tokens_free(sf_fix_tokens *tokens);

/* Whether token `t` of `text` is the punctuator `c` / the identifier `word`. */
int sf__fix_is_punct(const char *text, const sf_fix_token *t, char c);
int sf__fix_is_word(const char *text, const sf_fix_token *t, const char *word);

/* Whether token `t` is one of the NULL-terminated `words`. */
bool sf__fix_word_in(const char *text, const sf_fix_token *t, const char *const *words);

/* Index of the next token after `i` that is not a comment, or `limit`. */
size_t sf__fix_next_code(const sf_fix_tokens *toks, size_t i, size_t limit);

/* The token closing the bracket opened at `i`, or `limit` when unbalanced. */
size_t sf__fix_matching(const char *text, const sf_fix_tokens *toks, size_t i, size_t limit);

#endif
