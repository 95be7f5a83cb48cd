/* Finding positional initializers and compound literals of the structs `fix` would reorder. */
#include "fix/fix_inits.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/fail.h"

/*
 * What the scan sees: `struct T x = { 1, 2 }`, `T x = {...}` through
 * typedef names, arrays of them (`{ {1, 2}, {3, 4} }` and flat lists),
 * several declarators, and compound literals `(struct T){ a, b }` and
 * `(T[]){ ... }`.  `{0}` and `{}` zero everything and are fine; a list
 * whose every element is designated (`.a = 1`) is fine.  What it cannot
 * see: initializers written by macros (`struct T x = T_INIT;`), a T
 * nested inside another type's positional initializer, typedef chains
 * of typedefs, code outside the source root, and code that depends on
 * member order at run time (memcpy of wire formats, offsetof tables).
 */

static size_t next_code(const sf_fix_tokens *toks, size_t i)
{
	for (i++; i < toks->count; i++)
		if (toks->items[i].kind != SF_FIX_COMMENT && toks->items[i].kind != SF_FIX_DIRECTIVE)
			return i;
	return toks->count;
}

static size_t prev_code(const sf_fix_tokens *toks, size_t i)
{
	while (i-- > 0)
		if (toks->items[i].kind != SF_FIX_COMMENT && toks->items[i].kind != SF_FIX_DIRECTIVE)
			return i;
	return toks->count;
}

static size_t matching(const char *text, const sf_fix_tokens *toks, size_t i)
{
	int depth = 0;
	for (; i < toks->count; i++) {
		const sf_fix_token *t = &toks->items[i];
		if (t->kind != SF_FIX_PUNCT)
			continue;
		char c = text[t->start];
		if (c == '(' || c == '[' || c == '{')
			depth++;
		else if ((c == ')' || c == ']' || c == '}') && --depth <= 0)
			return i;
	}
	return toks->count;
}

static bool tok_is(const char *text, const sf_fix_tokens *toks, size_t i, char c)
{
	return i < toks->count && sf__fix_is_punct(text, &toks->items[i], c);
}

static bool same_word(const char *text, const sf_fix_token *t, const char *word)
{
	return word && sf__fix_is_word(text, t, word);
}

/* Whether the element starting at `i` is designated (`.a =`, `[3] =`). */
static bool designated(const char *text, const sf_fix_tokens *toks, size_t i)
{
	return tok_is(text, toks, i, '.') || tok_is(text, toks, i, '[');
}

/*
 * Whether the brace list at `open` depends on member order.  For arrays
 * the elements are the structs: each must be a brace list checked alone.
 */
static bool order_dependent(const char *text, const sf_fix_tokens *toks, size_t open, bool array)
{
	size_t close = matching(text, toks, open);
	size_t i = next_code(toks, open);

	if (i >= close)
		return false; /* {} */
	if (!array && toks->items[i].kind == SF_FIX_NUMBER && next_code(toks, i) == close &&
	    toks->items[i].end - toks->items[i].start == 1 && text[toks->items[i].start] == '0')
		return false; /* {0} */
	while (i < close) {
		size_t value = i;
		if (array && designated(text, toks, i)) {
			/* [n] = value */
			while (value < close && !tok_is(text, toks, value, '='))
				value = tok_is(text, toks, value, '[') ? matching(text, toks, value) + 1
								       : next_code(toks, value);
			value = next_code(toks, value);
		} else if (!array && !designated(text, toks, i)) {
			return true;
		}
		if (array) {
			if (value >= close || !tok_is(text, toks, value, '{'))
				return true; /* flat list or a macro: cannot tell */
			if (order_dependent(text, toks, value, false))
				return true;
		}
		/* To the next element. */
		for (; i < close && !tok_is(text, toks, i, ','); i = next_code(toks, i))
			if (toks->items[i].kind == SF_FIX_PUNCT && strchr("([{", text[toks->items[i].start]))
				i = matching(text, toks, i);
		i = next_code(toks, i);
	}
	return false;
}

/* Hits listed by place; more are only counted, a summary line must stay readable. */
#define MAX_LISTED_HITS 32

static int record(sf_fix_target *target, const char *name, uint32_t line)
{
	char at[64];
	size_t have = target->hit ? strlen(target->hit) : 0, n;
	char *more;

	target->hit_count++;
	if (target->hit_count > MAX_LISTED_HITS)
		return 0;
	n = (size_t)snprintf(at, sizeof(at), ":%u", line) + strlen(name);
	more = realloc(target->hit, have + n + 3);
	if (!more)
		return sf__fail(SF_ENOMEM, "out of memory while scanning sources");
	target->hit = more;
	snprintf(more + have, n + 3, "%s%s%s", have ? ", " : "", name, at);
	return 0;
}

/* Length of the type name of `target` at token i (1 or 2 tokens), 0 if none. */
static size_t type_at(const char *text, const sf_fix_tokens *toks, size_t i, const sf_fix_target *target)
{
	const sf_fix_token *t = &toks->items[i];
	size_t p;
	if (t->kind != SF_FIX_IDENT)
		return 0;
	if (sf__fix_is_word(text, t, target->is_union ? "union" : "struct") ||
	    (target->cxx && sf__fix_is_word(text, t, "class"))) {
		size_t n = next_code(toks, i);
		return n < toks->count && same_word(text, &toks->items[n], target->tag) ? n - i + 1 : 0;
	}
	for (size_t a = 0; a < target->alias_count + (target->cxx && target->tag); a++) {
		/* In C++ the tag alone names the type. */
		if (!sf__fix_is_word(text, t, a < target->alias_count ? target->aliases[a] : target->tag))
			continue;
		p = prev_code(toks, i);
		/* x.alias, p->alias and `struct alias` are not the typedef. */
		if (p < toks->count && (tok_is(text, toks, p, '.') || tok_is(text, toks, p, '>') ||
					sf__fix_is_word(text, &toks->items[p], "struct") ||
					sf__fix_is_word(text, &toks->items[p], "class") ||
					(tok_is(text, toks, p, ':') && p > 0 && tok_is(text, toks, p - 1, ':')) ||
					sf__fix_is_word(text, &toks->items[p], "union") ||
					sf__fix_is_word(text, &toks->items[p], "enum")))
			return 0;
		return 1;
	}
	return 0;
}

int sf__fix_inits_aliases(sf_fix_target *targets, size_t count, const char *text, const sf_fix_tokens *toks)
{
	for (size_t i = 0; i < toks->count; i++) {
		size_t k, j;
		if (!sf__fix_is_word(text, &toks->items[i], "typedef"))
			continue;
		k = next_code(toks, i);
		while (k < toks->count && (sf__fix_is_word(text, &toks->items[k], "const") ||
					   sf__fix_is_word(text, &toks->items[k], "volatile")))
			k = next_code(toks, k);
		if (k >= toks->count)
			break;
		for (size_t t = 0; t < count; t++) {
			size_t len = type_at(text, toks, k, &targets[t]);
			if (len == 0 || toks->items[k].kind != SF_FIX_IDENT ||
			    !(sf__fix_is_word(text, &toks->items[k], "struct") ||
			      sf__fix_is_word(text, &toks->items[k], "union")))
				continue;
			j = next_code(toks, next_code(toks, k));
			if (tok_is(text, toks, j, '{'))
				j = next_code(toks, matching(text, toks, j));
			/* Declarators up to ';': plain names only. */
			while (j < toks->count && !tok_is(text, toks, j, ';')) {
				size_t n = next_code(toks, j);
				if (toks->items[j].kind == SF_FIX_IDENT &&
				    (tok_is(text, toks, n, ',') || tok_is(text, toks, n, ';')) &&
				    !tok_is(text, toks, prev_code(toks, j), '*')) {
					size_t wl = toks->items[j].end - toks->items[j].start;
					char **more = realloc(targets[t].aliases,
							      (targets[t].alias_count + 1) * sizeof(*more));
					char *alias = malloc(wl + 1);
					if (!more || !alias) {
						free(alias);
						if (more)
							targets[t].aliases = more;
						return sf__fail(SF_ENOMEM, "out of memory while scanning sources");
					}
					memcpy(alias, text + toks->items[j].start, wl);
					alias[wl] = '\0';
					targets[t].aliases = more;
					targets[t].aliases[targets[t].alias_count++] = alias;
				}
				j = n;
			}
		}
	}
	return 0;
}

/* After a type name: declarators with `= {...}` initializers. */
static bool declaration_dependent(const char *text, const sf_fix_tokens *toks, size_t i, uint32_t *line,
				  bool cxx)
{
	bool array = false;
	for (size_t steps = 0; i < toks->count && steps < 4096; steps++) {
		const sf_fix_token *t = &toks->items[i];
		if (t->kind == SF_FIX_PUNCT) {
			char c = text[t->start];
			size_t p = prev_code(toks, i);
			/* C++ list initialization: T x{1, 2}; T a[2]{...}; */
			if (cxx && c == '{' && p < toks->count &&
			    (toks->items[p].kind == SF_FIX_IDENT || tok_is(text, toks, p, ']'))) {
				if (order_dependent(text, toks, i, array)) {
					*line = t->line;
					return true;
				}
				i = next_code(toks, matching(text, toks, i));
				continue;
			}
			if (c == ';' || c == ')' || c == '}' || c == '{')
				return false;
			if (c == '[') {
				array = true;
				i = matching(text, toks, i);
			} else if (c == '(') {
				i = matching(text, toks, i);
				if (tok_is(text, toks, next_code(toks, i), '{'))
					return false; /* function body */
			} else if (c == ',') {
				array = false;
			} else if (c == '=') {
				size_t v = next_code(toks, i);
				if (v < toks->count && tok_is(text, toks, v, '{')) {
					if (order_dependent(text, toks, v, array)) {
						*line = toks->items[v].line;
						return true;
					}
					i = matching(text, toks, v);
				}
				/* Skip the rest of a non-brace initializer. */
				while (i < toks->count && !tok_is(text, toks, i, ',') && !tok_is(text, toks, i, ';')) {
					if (toks->items[i].kind == SF_FIX_PUNCT && strchr("([{", text[toks->items[i].start]))
						i = matching(text, toks, i);
					i = next_code(toks, i);
				}
				continue;
			}
		}
		i = next_code(toks, i);
	}
	return false;
}

int sf__fix_inits_scan(sf_fix_target *targets, size_t count, const char *name, const char *text,
		       const sf_fix_tokens *toks)
{
	for (size_t i = 0; i < toks->count; i++) {
		if (toks->items[i].kind != SF_FIX_IDENT)
			continue;
		for (size_t t = 0; t < count; t++) {
			size_t len = targets[t].ignore ? 0 : type_at(text, toks, i, &targets[t]);
			size_t after, p;
			bool array = false;
			uint32_t line = 0;
			int err;
			if (len == 0)
				continue;
			after = i;
			for (size_t k = 1; k < len; k++)
				after = next_code(toks, after);
			after = next_code(toks, after);
			/* Compound literal: ( [qualifiers] TYPE [ [n] ] ) { */
			p = prev_code(toks, i);
			while (p < toks->count && (sf__fix_is_word(text, &toks->items[p], "const") ||
						   sf__fix_is_word(text, &toks->items[p], "volatile")))
				p = prev_code(toks, p);
			if (p < toks->count && tok_is(text, toks, p, '(')) {
				size_t q = after;
				if (tok_is(text, toks, q, '[')) {
					array = true;
					q = next_code(toks, matching(text, toks, q));
				}
				if (tok_is(text, toks, q, ')') && tok_is(text, toks, next_code(toks, q), '{')) {
					size_t open = next_code(toks, q);
					if (order_dependent(text, toks, open, array))
						line = toks->items[open].line;
				}
			} else if (tok_is(text, toks, after, '{') && len == 1 && targets[t].cxx) {
				/* C++ temporary T{1, 2} */
				if (order_dependent(text, toks, after, false))
					line = toks->items[after].line;
			} else if (tok_is(text, toks, after, '{')) {
				/* struct T { ... } x = { ... }; */
				declaration_dependent(text, toks, next_code(toks, matching(text, toks, after)), &line,
						      targets[t].cxx);
			} else {
				declaration_dependent(text, toks, after, &line, targets[t].cxx);
			}
			if (line) {
				err = record(&targets[t], name, line);
				if (err < 0)
					return err;
			}
		}
	}
	return 0;
}

void sf__fix_target_release(sf_fix_target *target)
{
	for (size_t a = 0; a < target->alias_count; a++)
		free(target->aliases[a]);
	free(target->aliases);
	free(target->hit);
	memset(target, 0, sizeof(*target));
}
