/* Items of a body: declarations up to ';', macros alone on their line, C++ labels and other declarations. */
#include "fix/fix_body_scan.h"

#include <stdlib.h>
#include <string.h>

#include "fix/fix_body_head.h"
#include "fix/fix_cxx.h"
#include "util/fail.h"
#include "util/grow.h"

int sf__fix_directive_nesting(const char *text, const sf_fix_token *t)
{
	static const char *const opening[] = { "if", "ifdef", "ifndef", NULL };
	size_t p = t->start + 1, word;

	while (p < t->end && (text[p] == ' ' || text[p] == '\t'))
		p++;
	for (word = p; p < t->end && text[p] >= 'a' && text[p] <= 'z'; p++)
		;
	for (size_t k = 0; opening[k]; k++)
		if (p - word == strlen(opening[k]) && memcmp(text + word, opening[k], p - word) == 0)
			return 1;
	if (p - word == 5 && memcmp(text + word, "endif", 5) == 0)
		return -1;
	return 0;
}

/* Whether the item at token `i` is a macro alone on its line (a
 * macro-built field list); sets *last to its last token. */
static bool macro_alone(const sf_fix_scan *s, size_t i, const char *class_name, size_t *last)
{
	const char *text = s->text;
	const sf_fix_tokens *toks = s->toks;
	const sf_fix_token *t = &toks->items[i];
	size_t close = s->close, v = i, w;

	if (t->kind != SF_FIX_IDENT || sf__fix_word_in(text, t, sf__fix_non_names) ||
	    sf__fix_word_in(text, t, sf__fix_paren_words) || sf__fix_is_word(text, t, "struct") ||
	    sf__fix_is_word(text, t, "union") || sf__fix_is_word(text, t, "enum") ||
	    (class_name && sf__fix_is_word(text, t, class_name)) ||
	    (s->cxx && (sf__fix_is_word(text, t, "static_assert") || sf__fix_is_word(text, t, "_Static_assert"))))
		return false;
	w = sf__fix_next_code(toks, i, close);
	if (w < close && sf__fix_is_punct(text, &toks->items[w], '(')) {
		v = sf__fix_matching(text, toks, w, close);
		w = sf__fix_next_code(toks, v, close);
	}
	if (v < close && (w >= close || toks->items[w].line > toks->items[v].end_line ||
			  sf__fix_is_punct(text, &toks->items[w], ';'))) {
		*last = w < close && sf__fix_is_punct(text, &toks->items[w], ';') ? w : v;
		return true;
	}
	return false;
}

/* The ';' ending the C declaration at `i`, or s->close. */
static size_t c_decl_end(const sf_fix_scan *s, size_t i)
{
	size_t w;
	for (w = i; w < s->close; w = sf__fix_next_code(s->toks, w, s->close)) {
		const sf_fix_token *u = &s->toks->items[w];
		if (u->kind == SF_FIX_PUNCT && strchr("([{", s->text[u->start]))
			w = sf__fix_matching(s->text, s->toks, w, s->close);
		else if (sf__fix_is_punct(s->text, u, ';'))
			break;
	}
	return w;
}

/*
 * Reads the kind and extent of the item starting at it->first_tok.
 * Returns 1 when a declaration has no ';' (nothing after it can be read
 * as items), else 0 or SF_ENOMEM.
 */
static int read_item(sf_fix_scan *s, sf_fix_body *out, sf_fix_item *it, uint32_t *section, bool *is_public,
		     const char *class_name)
{
	size_t i = it->first_tok, w, colon;
	int access;

	if (s->cxx && (access = sf__fix_cxx_label(s->text, s->toks, i, s->close, &colon)) != 0) {
		it->kind = SF_FIX_ITEM_FIXED;
		it->is_label = true;
		it->last_tok = colon;
		it->section = ++*section;
		*is_public = access == 1;
		return 0;
	}
	if (macro_alone(s, i, class_name, &it->last_tok)) {
		it->kind = SF_FIX_ITEM_MACRO;
		return 0;
	}
	w = s->cxx ? sf__fix_cxx_decl_end(s->text, s->toks, i, s->close) : c_decl_end(s, i);
	if (w >= s->close) {
		int rc = sf__fix_scan_problem(s, it->first_line, "declaration without ';' at line %u");
		return rc < 0 ? rc : 1;
	}
	it->kind = SF_FIX_ITEM_DECL;
	it->last_tok = w;
	if (s->cxx) {
		size_t ctor;
		bool is_virtual, is_function;
		if (sf__fix_cxx_not_data(s->text, s->toks, i, w, class_name, &ctor, &is_virtual, &is_function)) {
			it->kind = SF_FIX_ITEM_FIXED;
			it->may_bind = !is_function;
			if (is_virtual)
				out->aggregate = false;
			if (ctor <= w)
				return sf__fix_body_add_ctor(out, ctor);
		}
	}
	return 0;
}

/*
 * Directives inside the item: the #if nesting they change, and a #define
 * the brace check let pass (it may move, but not out of a declaration).
 * Other directives were named by that check already.
 */
static int item_directives(sf_fix_scan *s, sf_fix_item *it, int *depth)
{
	for (size_t w = it->first_tok; w < it->last_tok; w++) {
		const sf_fix_token *d = &s->toks->items[w];
		int rc;
		if (d->kind != SF_FIX_DIRECTIVE)
			continue;
		*depth += sf__fix_directive_nesting(s->text, d);
		if (*depth < 0)
			*depth = 0;
		it->quiet = true;
		if (sf__fix_define_refusal(s->text, s->toks, s->open, s->close, w, true))
			continue;
		rc = sf__fix_scan_problem(s, d->line, "preprocessor directive inside a declaration (line %u)");
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* Unnamed bitfields are not in the debug info: named as a problem and
 * dropped, so the mapping does not also blame their line. */
static int unnamed_bitfields(sf_fix_scan *s, sf_fix_item *it)
{
	uint32_t kept = 0;
	bool named = false;

	for (uint32_t k = 0; k < it->seg_count; k++) {
		const sf_fix_segment *seg = &it->segs[k];
		if (seg->has_colon && seg->name_len == 0) {
			int rc = named ? 0 : sf__fix_scan_problem(s, it->first_line,
								  "unnamed bitfield at line %u (not in the debug info)");
			if (rc < 0)
				return rc;
			named = true;
			continue;
		}
		it->segs[kept++] = *seg;
	}
	it->seg_count = kept;
	if (kept == 0)
		it->quiet = true;
	return 0;
}

int sf__fix_scan_items(sf_fix_scan *s, sf_fix_body *out)
{
	const sf_fix_tokens *toks = s->toks;
	const char *class_name = s->cxx ? sf__fix_cxx_short_name(s->def) : NULL;
	uint32_t section = 0;
	bool is_public = s->def->kind != SF_CLASS;  /* a class starts private, a struct public */
	int depth = 0, rc;

	for (size_t i = sf__fix_next_code(toks, s->open, s->close); i < s->close;
	     i = sf__fix_next_code(toks, i, s->close)) {
		const sf_fix_token *t = &toks->items[i];
		sf_fix_item it = { .first_tok = i, .first_line = t->line }, *more;

		/* Movable #defines (checked with the braces) join the unit above them. */
		if (t->kind == SF_FIX_DIRECTIVE) {
			depth += sf__fix_directive_nesting(s->text, t);
			if (depth < 0)
				depth = 0;
			continue;
		}
		more = sf__grow(s->items, &s->item_cap, s->item_count, sizeof(*more), 16);
		if (!more)
			return sf__fail(SF_ENOMEM, "out of memory while reading sources");
		s->items = more;
		it.section = section;
		it.is_public = is_public;
		it.quiet = depth > 0;
		rc = read_item(s, out, &it, &section, &is_public, class_name);
		if (rc == 0)
			rc = item_directives(s, &it, &depth);
		if (rc != 0)
			return rc < 0 ? rc : 0;
		it.last_line = toks->items[it.last_tok].end_line;
		if (it.kind == SF_FIX_ITEM_DECL) {
			rc = sf__fix_read_segments(s->text, toks, &it, s->cxx);
			if (rc == 0)
				rc = unnamed_bitfields(s, &it);
			if (rc < 0) {
				free(it.segs);
				return rc;
			}
		}
		s->items[s->item_count++] = it;
		i = it.last_tok;
	}
	s->items_complete = true;
	return 0;
}
