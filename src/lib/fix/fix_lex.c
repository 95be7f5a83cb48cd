/* The C tokenizer behind `structfit fix`: comments, literals and preprocessor lines kept apart from code. */
#include "fix/fix_lex.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "util/fail.h"
#include "util/grow.h"

static bool is_ident_start(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '$' ||
	       (unsigned char)c >= 0x80;
}

static bool is_ident_char(char c)
{
	return is_ident_start(c) || (c >= '0' && c <= '9');
}

static int push(sf_fix_tokens *out, sf_fix_tok_kind kind, size_t start, size_t end, uint32_t line,
		uint32_t end_line)
{
	sf_fix_token *more = sf__grow(out->items, &out->capacity, out->count, sizeof(*more), 256);

	if (!more)
		return sf__fail(SF_ENOMEM, "out of memory while reading sources");
	out->items = more;
	out->items[out->count++] = (sf_fix_token){ kind, start, end, line, end_line };
	return 0;
}

int sf__fix_lex(sf_fix_tokens *out, const char *text, size_t len)
{
	uint32_t line = 1;
	bool line_start = true; /* only whitespace since the last newline */
	size_t i = 0;

	memset(out, 0, sizeof(*out));
	while (i < len) {
		char c = text[i];
		size_t start = i;
		uint32_t start_line = line;
		sf_fix_tok_kind kind;

		if (c == '\n') {
			line++;
			line_start = true;
			i++;
			continue;
		}
		if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v') {
			i++;
			continue;
		}
		if (c == '/' && i + 1 < len && text[i + 1] == '*') {
			i += 2;
			while (i < len && !(text[i] == '*' && i + 1 < len && text[i + 1] == '/')) {
				if (text[i] == '\n')
					line++;
				i++;
			}
			i = i < len ? i + 2 : len;
			kind = SF_FIX_COMMENT;
		} else if (c == '/' && i + 1 < len && text[i + 1] == '/') {
			while (i < len && text[i] != '\n')
				i++;
			kind = SF_FIX_COMMENT;
		} else if (c == '#' && line_start) {
			/* The directive ends at a newline not preceded by a backslash
			 * (a CR before the newline is allowed). */
			while (i < len && text[i] != '\n')
				i++;
			while (i < len && i > start && (text[i - 1] == '\\' ||
			       (text[i - 1] == '\r' && i >= 2 && text[i - 2] == '\\'))) {
				line++;
				i++;
				while (i < len && text[i] != '\n')
					i++;
			}
			kind = SF_FIX_DIRECTIVE;
		} else if (c == '"' || c == '\'') {
			i++;
			while (i < len && text[i] != c && text[i] != '\n') {
				if (text[i] == '\\' && i + 1 < len) {
					if (text[i + 1] == '\n')
						line++;
					i++;
				}
				i++;
			}
			if (i < len && text[i] == c)
				i++;
			kind = SF_FIX_STRING;
		} else if (is_ident_start(c)) {
			while (i < len && is_ident_char(text[i]))
				i++;
			kind = SF_FIX_IDENT;
		} else if ((c >= '0' && c <= '9') || (c == '.' && i + 1 < len && text[i + 1] >= '0' &&
							text[i + 1] <= '9')) {
			i++;
			while (i < len && (is_ident_char(text[i]) || text[i] == '.' ||
					   ((text[i] == '+' || text[i] == '-') &&
					    strchr("eEpP", text[i - 1]) != NULL)))
				i++;
			kind = SF_FIX_NUMBER;
		} else {
			i++;
			kind = SF_FIX_PUNCT;
		}
		line_start = false;
		{
			int err = push(out, kind, start, i, start_line, line);
			if (err < 0) {
				sf__fix_tokens_free(out);
				return err;
			}
		}
	}
	return 0;
}

void sf__fix_tokens_free(sf_fix_tokens *tokens)
{
	free(tokens->items);
	memset(tokens, 0, sizeof(*tokens));
}

int sf__fix_is_punct(const char *text, const sf_fix_token *t, char c)
{
	return t->kind == SF_FIX_PUNCT && text[t->start] == c;
}

int sf__fix_is_word(const char *text, const sf_fix_token *t, const char *word)
{
	size_t n = strlen(word);
	return t->kind == SF_FIX_IDENT && t->end - t->start == n && memcmp(text + t->start, word, n) == 0;
}

bool sf__fix_word_in(const char *text, const sf_fix_token *t, const char *const *words)
{
	for (size_t i = 0; words[i]; i++)
		if (sf__fix_is_word(text, t, words[i]))
			return true;
	return false;
}

/* Index of the next token after `i` that is not a comment, or `limit`. */
size_t sf__fix_next_code(const sf_fix_tokens *toks, size_t i, size_t limit)
{
	for (i++; i < limit; i++)
		if (toks->items[i].kind != SF_FIX_COMMENT)
			return i;
	return limit;
}

/* The token closing the bracket opened at `i`, or `limit` when unbalanced. */
size_t sf__fix_matching(const char *text, const sf_fix_tokens *toks, size_t i, size_t limit)
{
	int depth = 0;
	for (; i < limit; i++) {
		const sf_fix_token *t = &toks->items[i];
		if (t->kind != SF_FIX_PUNCT)
			continue;
		char c = text[t->start];
		if (c == '(' || c == '[' || c == '{')
			depth++;
		else if (c == ')' || c == ']' || c == '}') {
			if (--depth == 0)
				return i;
			if (depth < 0)
				return limit;
		}
	}
	return limit;
}
