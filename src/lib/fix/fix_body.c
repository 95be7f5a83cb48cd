/* Locating a struct's body in its source and mapping each member declaration to the debug info. */
#include "fix/fix_body.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fix/fix_body_head.h"
#include "fix/fix_body_scan.h"
#include "util/fail.h"

/*
 * The check is deliberately strict: a declaration the scanner does not
 * understand, a line it would have to split or a member it cannot find
 * is a reason to leave the struct alone, never a guess.  Only names,
 * order, source lines and bitfield widths are compared; a type edited
 * since the build with names kept is not seen (the recompile is the
 * final check).  Every such problem is named, so the user fixes them in
 * one go instead of meeting them one run at a time.
 */

int sf__fix_scan_problem_text(sf_fix_scan *s, uint32_t line, const char *text)
{
	if (s->problem_count == s->problem_cap) {
		size_t grown = s->problem_cap ? s->problem_cap * 2 : 4;
		sf_fix_problem *more = realloc(s->problems, grown * sizeof(*more));
		if (!more)
			return sf__fail(SF_ENOMEM, "out of memory while reading sources");
		s->problems = more;
		s->problem_cap = grown;
	}
	s->problems[s->problem_count].line = line;
	snprintf(s->problems[s->problem_count].text, sizeof(s->problems[0].text), "%s", text);
	s->problem_count++;
	return 0;
}

int sf__fix_scan_problem(sf_fix_scan *s, uint32_t line, const char *fmt)
{
	char text[sizeof(((sf_fix_problem *)0)->text)];
	snprintf(text, sizeof(text), fmt, line);
	return sf__fix_scan_problem_text(s, line, text);
}

/*
 * The reason: every problem in source order (stable, so two on one line
 * keep the order found), each once, joined like the builder's further
 * obstacles ("; also ...").  What does not fit is counted.
 */
static void write_reason(sf_fix_scan *s, char *why, size_t why_size)
{
	size_t n = 0, shown = 0, distinct = 0;
	const char *tail = "; also %zu more problem%s in the body";

	for (size_t i = 1; i < s->problem_count; i++) {
		sf_fix_problem p = s->problems[i];
		size_t k = i;
		for (; k > 0 && s->problems[k - 1].line > p.line; k--)
			s->problems[k] = s->problems[k - 1];
		s->problems[k] = p;
	}
	for (size_t i = 0; i < s->problem_count; i++) {
		bool seen = false;
		for (size_t k = 0; k < i && !seen; k++)
			seen = strcmp(s->problems[k].text, s->problems[i].text) == 0;
		if (seen) {
			s->problems[i].text[0] = '\0';
			continue;
		}
		distinct++;
	}
	why[0] = '\0';
	for (size_t i = 0; i < s->problem_count; i++) {
		const char *text = s->problems[i].text;
		size_t len = strlen(text);
		if (!len)
			continue;
		if (shown == 0) {
			snprintf(why, why_size, "%s", text);
			n = strlen(why);
		} else if (n + len + 7 + 48 < why_size) {
			n += (size_t)snprintf(why + n, why_size - n, "; also %s", text);
		} else {
			snprintf(why + n, why_size - n, tail, distinct - shown, distinct - shown == 1 ? "" : "s");
			return;
		}
		shown++;
	}
}

/* Directives, and the lines the braces share: problems whatever the items. */
static int check_lines(sf_fix_scan *s)
{
	const sf_fix_tokens *toks = s->toks;
	uint32_t open_line = toks->items[s->open].line, close_line = toks->items[s->close].line;
	bool after_member = false, shares_open = false, comment_open = false;
	int depth = 0, rc = 0;

	for (size_t i = s->open + 1; rc == 0 && i < s->close; i++) {
		const sf_fix_token *t = &toks->items[i];
		if (t->kind == SF_FIX_DIRECTIVE) {
			/* One #if block is one obstacle, whatever it holds. */
			const char *refusal = depth == 0 ? sf__fix_define_refusal(s->text, toks, s->open, s->close, i,
										  after_member)
							 : NULL;
			depth += sf__fix_directive_nesting(s->text, t);
			if (depth < 0)
				depth = 0;
			if (refusal)
				rc = sf__fix_scan_problem(s, t->line, refusal);
			continue;
		}
		if (t->kind != SF_FIX_COMMENT)
			after_member = true;
		if (!shares_open && t->kind != SF_FIX_COMMENT && t->line == open_line) {
			shares_open = true;
			rc = sf__fix_scan_problem(s, t->line, "a member shares line %u with the opening brace");
		}
		if (!comment_open && t->kind == SF_FIX_COMMENT && t->line == open_line && t->end_line != t->line) {
			comment_open = true;
			rc = sf__fix_scan_problem(s, t->line, "comment after the opening brace spans lines (line %u)");
		}
	}
	if (rc == 0 && s->close > s->open + 1 && toks->items[s->close - 1].end_line == close_line)
		rc = sf__fix_scan_problem(s, close_line, "the body shares line %u with the closing brace");
	return rc;
}

/* A refusal found before the body was: the only problem there can be. */
static int refuse(char *why, size_t why_size, const char *fmt, unsigned line)
{
	snprintf(why, why_size, fmt, line);
	return 1;
}

static int find_body(sf_fix_body *out, const char *text, size_t len, const sf_fix_tokens *toks,
		     const sf_struct *def, bool cxx, char *why, size_t why_size)
{
	sf_fix_scan s = { .text = text, .len = len, .toks = toks, .def = def, .cxx = cxx };
	uint32_t line = def->decl_line;
	bool keyword;
	int rc;

	memset(out, 0, sizeof(*out));
	out->cxx = cxx;
	out->aggregate = cxx;
	if (line == 0)
		return refuse(why, why_size, "debug info gives no source line%.0u", 0);
	s.open = sf__fix_find_open(text, toks, line, def, &keyword);
	if (s.open >= toks->count)
		return refuse(why, why_size, keyword ? "no definition with this name at line %u"
				      : "no struct keyword at line %u (defined by a macro, or edited since the build?)",
			      line);
	s.close = sf__fix_matching(text, toks, s.open, toks->count);
	if (s.close >= toks->count)
		return refuse(why, why_size, "unbalanced braces after line %u", line);

	rc = check_lines(&s);
	if (rc == 0)
		rc = sf__fix_scan_items(&s, out);
	/* Without every item, members would be blamed on the wrong lines. */
	if (rc == 0 && s.items_complete) {
		if (cxx)
			sf__fix_scan_bounds(&s);
		rc = sf__fix_scan_map(&s, out);
		if (rc == 0)
			rc = sf__fix_scan_units(&s, out);
	}
	out->open = toks->items[s.open].start;
	out->close = toks->items[s.close].start;
	if (rc == 0 && s.problem_count) {
		write_reason(&s, why, why_size);
		rc = 1;
	}
	for (size_t k = 0; k < s.item_count; k++)
		free(s.items[k].segs);
	free(s.items);
	free(s.problems);
	if (rc < 0)
		sf__fix_body_free(out);
	return rc;
}

int sf__fix_body_find(sf_fix_body *out, const char *text, size_t len, const sf_fix_tokens *toks,
		      const sf_struct *def, char *why, size_t why_size)
{
	return sf__fix_body_find_cxx(out, text, len, toks, def, false, why, why_size);
}

int sf__fix_body_find_cxx(sf_fix_body *out, const char *text, size_t len, const sf_fix_tokens *toks,
			  const sf_struct *def, bool cxx, char *why, size_t why_size)
{
	char c_why[1024];
	sf_fix_body as_cxx;
	int rc;

	if (cxx)
		return find_body(out, text, len, toks, def, true, why, why_size);
	/* A C reading that works is the one C sources always got; when both
	 * fail, the C reading's problems (and partial body) are the ones told. */
	rc = find_body(out, text, len, toks, def, false, c_why, sizeof(c_why));
	if (rc <= 0)
		return rc;
	rc = find_body(&as_cxx, text, len, toks, def, true, why, why_size);
	if (rc == 0) {
		sf__fix_body_free(out);
		*out = as_cxx;
		return 0;
	}
	sf__fix_body_free(&as_cxx);
	if (rc < 0) {
		sf__fix_body_free(out);
		return rc;
	}
	snprintf(why, why_size, "%s", c_why);
	return 1;
}

int sf__fix_body_add_ctor(sf_fix_body *body, size_t token)
{
	size_t *more = realloc(body->ctors, (body->ctor_count + 1) * sizeof(*more));
	if (!more)
		return sf__fail(SF_ENOMEM, "out of memory while reading sources");
	body->ctors = more;
	body->ctors[body->ctor_count++] = token;
	body->aggregate = false;
	return 0;
}

void sf__fix_body_free(sf_fix_body *body)
{
	free(body->units);
	free(body->unit_of);
	free(body->ctors);
	free(body->member_init);
	memset(body, 0, sizeof(*body));
}
