/* Reading C++ class bodies for fix: access labels, declarations that are not data members. */
#include "fix/fix_cxx.h"

#include <string.h>

/*
 * Only non-static data members are in the debug info's member list, so
 * only they may move; everything else in a class body is told apart by
 * its first words and the shape of its declarator.  The reading is
 * deliberately plain: a declaration it misreads as data finds no member
 * of that name in the debug info and the class is left alone.
 */

static const char *const not_data_words[] = {
	"typedef", "using", "friend", "static_assert", "_Static_assert", "template", "static",
	"virtual", "explicit", "operator", "inline", "constexpr", "consteval", "constinit", NULL
};

/* Words followed by a parenthesised argument that is no parameter list. */
static const char *const call_words[] = {
	"__attribute__", "__attribute", "__declspec", "alignas", "_Alignas", "decltype", "__typeof__",
	"typeof", "__typeof", "noexcept", "sizeof", "alignof", "_Atomic", NULL
};

static bool is_type_keyword(const char *text, const sf_fix_token *t)
{
	return sf__fix_is_word(text, t, "struct") || sf__fix_is_word(text, t, "class") ||
	       sf__fix_is_word(text, t, "union") || sf__fix_is_word(text, t, "enum");
}

int sf__fix_cxx_label(const char *text, const sf_fix_tokens *toks, size_t i, size_t limit, size_t *colon)
{
	const sf_fix_token *t = &toks->items[i];
	size_t n = sf__fix_next_code(toks, i, limit);
	int access;

	if (t->kind != SF_FIX_IDENT)
		return 0;
	access = sf__fix_is_word(text, t, "public") ? 1 : sf__fix_is_word(text, t, "protected") ? 2
		 : sf__fix_is_word(text, t, "private") ? 3 : 0;
	if (!access || n >= limit || !sf__fix_is_punct(text, &toks->items[n], ':'))
		return 0;
	if (n + 1 < limit && sf__fix_is_punct(text, &toks->items[n + 1], ':') &&
	    toks->items[n + 1].start == toks->items[n].end)
		return 0; /* public::x is no label */
	*colon = n;
	return access;
}

size_t sf__fix_cxx_decl_end(const char *text, const sf_fix_tokens *toks, size_t first, size_t close)
{
	bool type_head = false, paren = false;

	for (size_t w = first; w < close; w = sf__fix_next_code(toks, w, close)) {
		const sf_fix_token *u = &toks->items[w];
		if (u->kind == SF_FIX_IDENT && !paren && is_type_keyword(text, u))
			type_head = true;
		if (u->kind != SF_FIX_PUNCT)
			continue;
		if (sf__fix_is_punct(text, u, ';'))
			return w;
		if (sf__fix_is_punct(text, u, '(') || sf__fix_is_punct(text, u, '[')) {
			if (sf__fix_is_punct(text, u, '('))
				paren = true;
			w = sf__fix_matching(text, toks, w, close);
			if (w >= close)
				return close;
		} else if (sf__fix_is_punct(text, u, '{')) {
			size_t m = sf__fix_matching(text, toks, w, close), n;
			if (m >= close)
				return close;
			n = sf__fix_next_code(toks, m, close);
			/* A class body, a brace initializer, or a member
			 * initializer before the constructor's body go on;
			 * a function body ends the declaration. */
			if ((type_head && !paren) ||
			    (n < close && (sf__fix_is_punct(text, &toks->items[n], ';') ||
					   sf__fix_is_punct(text, &toks->items[n], ',') ||
					   sf__fix_is_punct(text, &toks->items[n], '{')))) {
				w = m;
				continue;
			}
			return m;
		}
	}
	return close;
}

/* Whether a type head `struct X {...};` declares no member: a nested type. */
static bool nested_type(const char *text, const sf_fix_tokens *toks, size_t first, size_t last)
{
	bool is_enum = sf__fix_is_word(text, &toks->items[first], "enum");
	bool tagged = false;
	size_t w;

	for (w = sf__fix_next_code(toks, first, last + 1); w <= last; w = sf__fix_next_code(toks, w, last + 1)) {
		const sf_fix_token *u = &toks->items[w];
		if (sf__fix_is_punct(text, u, '{'))
			break;
		if (sf__fix_is_punct(text, u, ';'))
			return true; /* forward declaration `struct X;` */
		if (u->kind == SF_FIX_IDENT || sf__fix_is_punct(text, u, ':'))
			tagged = true;
		if (sf__fix_is_punct(text, u, '[') || sf__fix_is_punct(text, u, '('))
			w = sf__fix_matching(text, toks, w, last + 1);
	}
	if (w > last)
		return false; /* struct X member; */
	w = sf__fix_next_code(toks, sf__fix_matching(text, toks, w, last + 1), last + 1);
	/* No declarator after the body: a nested type, unless it is an
	 * anonymous struct or union, whose members are the class's. */
	return w <= last && sf__fix_is_punct(text, &toks->items[w], ';') && (tagged || is_enum);
}

bool sf__fix_cxx_not_data(const char *text, const sf_fix_tokens *toks, size_t first, size_t last,
			  const char *name, size_t *ctor, bool *is_virtual, bool *is_function)
{
	const sf_fix_token *t0 = &toks->items[first];
	size_t prev = last + 1;
	int angle = 0;

	*ctor = last + 1;
	*is_virtual = false;
	*is_function = false;
	if (sf__fix_is_punct(text, t0, ';'))
		return true;
	if (t0->kind == SF_FIX_IDENT && sf__fix_word_in(text, t0, not_data_words)) {
		*is_virtual = sf__fix_is_word(text, t0, "virtual");
		*is_function = *is_virtual || sf__fix_is_word(text, t0, "explicit") ||
			       sf__fix_is_word(text, t0, "operator");
		return true;
	}
	if (t0->kind == SF_FIX_IDENT && is_type_keyword(text, t0))
		return nested_type(text, toks, first, last);
	for (size_t w = first; w <= last; prev = w, w = sf__fix_next_code(toks, w, last + 1)) {
		const sf_fix_token *u = &toks->items[w];
		size_t n = sf__fix_next_code(toks, w, last + 1);
		if (u->kind == SF_FIX_IDENT) {
			if (sf__fix_is_word(text, u, "operator") || sf__fix_is_word(text, u, "virtual"))
				return (*is_virtual = sf__fix_is_word(text, u, "virtual")), (*is_function = true);
			if (sf__fix_word_in(text, u, call_words) && n <= last && sf__fix_is_punct(text, &toks->items[n], '(')) {
				w = sf__fix_matching(text, toks, n, last + 1);
				continue;
			}
			if (angle == 0 && n <= last && sf__fix_is_punct(text, &toks->items[n], '(')) {
				size_t g = sf__fix_next_code(toks, n, last + 1);
				/* `(*name)` groups a declarator; a parameter list
				 * right after a name makes a function. */
				if (g <= last && (sf__fix_is_punct(text, &toks->items[g], '*') ||
						  sf__fix_is_punct(text, &toks->items[g], '&') ||
						  sf__fix_is_punct(text, &toks->items[g], '^')))
					continue;
				if (name && sf__fix_is_word(text, u, name) &&
				    !(prev <= last && sf__fix_is_punct(text, &toks->items[prev], '~')))
					*ctor = w;
				return (*is_function = true);
			}
			continue;
		}
		if (u->kind != SF_FIX_PUNCT)
			continue;
		switch (text[u->start]) {
		case '~':
			return (*is_function = true);
		case '=':
		case '{':
		case ':':
			if (angle == 0 && !(text[u->start] == ':' && n <= last && sf__fix_is_punct(text, &toks->items[n], ':') &&
					    toks->items[n].start == u->end) &&
			    !(text[u->start] == ':' && prev <= last && sf__fix_is_punct(text, &toks->items[prev], ':') &&
			      toks->items[prev].end == u->start))
				return false; /* initializer or bitfield width follows */
			break;
		case '<':
			if (prev <= last && toks->items[prev].kind == SF_FIX_IDENT)
				angle++;
			break;
		case '>':
			if (angle > 0)
				angle--;
			break;
		case '(':
		case '[':
			w = sf__fix_matching(text, toks, w, last + 1);
			break;
		default:
			break;
		}
	}
	return false;
}

const char *sf__fix_cxx_short_name(const sf_struct *def)
{
	const char *name = def->name, *p;
	if (!name || strchr(name, '<'))
		return NULL;
	for (p = name; (p = strstr(p, "::")) != NULL; p += 2)
		name = p + 2;
	return *name ? name : NULL;
}

bool sf__fix_cxx_outside(const sf_member *m)
{
	return (m->flags & SF_MEMBER_BASE_CLASS) || (m->name && strncmp(m->name, "_vptr", 5) == 0);
}
