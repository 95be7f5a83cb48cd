/* Where a body starts (the definition's opening brace) and which #define lines in it may move. */
#include "fix/fix_body_head.h"

#include <string.h>

#include "fix/fix_cxx.h"

/* The `{` token of the definition on `line`, or `limit`; sets *found_keyword. */
size_t sf__fix_find_open(const char *text, const sf_fix_tokens *toks, uint32_t line, const sf_struct *def,
			bool *found_keyword)
{
	const char *keyword = def->kind == SF_UNION ? "union" : def->kind == SF_CLASS ? "class" : "struct";
	const char *name = def->name && strstr(def->name, "::") ? sf__fix_cxx_short_name(def) : def->name;
	size_t limit = toks->count;

	*found_keyword = false;
	for (size_t i = 0; i < limit; i++) {
		const sf_fix_token *t = &toks->items[i];
		size_t j;
		bool named = false;
		if (t->line < line)
			continue;
		if (t->line > line)
			break;
		if (!sf__fix_is_word(text, t, keyword))
			continue;
		*found_keyword = true;
		for (j = sf__fix_next_code(toks, i, limit); j < limit; j = sf__fix_next_code(toks, j, limit)) {
			const sf_fix_token *u = &toks->items[j];
			if (u->kind == SF_FIX_IDENT) {
				size_t n = sf__fix_next_code(toks, j, limit);
				if (sf__fix_word_in(text, u, sf__fix_paren_words) && n < limit &&
				    sf__fix_is_punct(text, &toks->items[n], '(')) {
					j = sf__fix_matching(text, toks, n, limit);
					continue;
				}
				if (name && sf__fix_is_word(text, u, name))
					named = true;
				continue;
			}
			if (sf__fix_is_punct(text, u, '{')) {
				if (def->name ? named : true)
					return j;
				break;
			}
			/* C++: [[attributes]], `: public Base, ...` before the body. */
			if (sf__fix_is_punct(text, u, '[')) {
				j = sf__fix_matching(text, toks, j, limit);
				continue;
			}
			if (named && sf__fix_is_punct(text, u, ':')) {
				while (j < limit && !sf__fix_is_punct(text, &toks->items[j], '{') &&
				       !sf__fix_is_punct(text, &toks->items[j], ';'))
					j++;
				if (j < limit && sf__fix_is_punct(text, &toks->items[j], '{'))
					return j;
				break;
			}
			if (u->kind != SF_FIX_DIRECTIVE)
				break;
		}
	}
	return limit;
}

/*
 * A `#define` among the members (flag values under their field, accessor
 * shorthands like `#define a_int value.lval`) moves with the member above
 * it.  That is safe when no declaration of the body uses the macro: its
 * position inside the braces then changes nothing the compiler sees, and
 * everything after the struct still follows it.  Conditionals, #undef,
 * #include and the rest can change which members exist: those skip.
 * Returns NULL when directive `d` may move, else the reason's format.
 */
const char *sf__fix_define_refusal(const char *text, const sf_fix_tokens *toks, size_t open, size_t close,
				  size_t d, bool after_member)
{
	const sf_fix_token *t = &toks->items[d];
	size_t p = t->start + 1, name, name_len;
	const char *last_open, *cursor;

	while (p < t->end && (text[p] == ' ' || text[p] == '\t'))
		p++;
	if (t->end - p < 6 || memcmp(text + p, "define", 6) != 0 ||
	    (text[p + 6] != ' ' && text[p + 6] != '\t'))
		return "preprocessor directive inside the body (line %u)";
	if (!after_member)
		return "#define before the first member (line %u)";
	for (p += 6; p < t->end && (text[p] == ' ' || text[p] == '\t'); p++)
		;
	for (name = p; p < t->end && (text[p] == '_' || (text[p] >= 'a' && text[p] <= 'z') ||
				      (text[p] >= 'A' && text[p] <= 'Z') || (text[p] >= '0' && text[p] <= '9'));
	     p++)
		;
	name_len = p - name;
	if (name_len == 0)
		return "preprocessor directive inside the body (line %u)";
	/* A block comment opened on the line and closed on a later one
	 * would be cut in two by the move. */
	last_open = NULL;
	for (cursor = text + t->start; (size_t)(cursor - text) + 1 < t->end; cursor++)
		if (cursor[0] == '/' && cursor[1] == '*')
			last_open = cursor;
	if (last_open) {
		bool closed = false;
		for (cursor = last_open + 2; (size_t)(cursor - text) + 1 < t->end; cursor++)
			if (cursor[0] == '*' && cursor[1] == '/')
				closed = true;
		if (!closed)
			return "a comment in the #define at line %u runs past its line";
	}
	for (size_t i = open + 1; i < close; i++) {
		const sf_fix_token *u = &toks->items[i];
		if (u->kind == SF_FIX_IDENT && u->end - u->start == name_len &&
		    memcmp(text + u->start, text + name, name_len) == 0)
			return "the macro defined at line %u is used inside the body";
	}
	return NULL;
}
