/* Finding a struct body: the scan's steps in order, then every problem found told as one reason. */
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

/* Problems that come in numbers (a body full of #if blocks), told once with their lines. */
static const struct plural {
	const char *one;
	const char *many;      /* one %s: the lines */
} plurals[] = {
	{ "preprocessor directive inside the body (line %u)", "preprocessor directives inside the body (lines %s)" },
	{ "preprocessor directive inside a declaration (line %u)",
	  "preprocessor directives inside declarations (lines %s)" },
	{ "unnamed bitfield at line %u (not in the debug info)",
	  "unnamed bitfields at lines %s (not in the debug info)" },
	{ "declaration at line %u does not match the debug info (edited since the build?)",
	  "declarations at lines %s do not match the debug info (edited since the build?)" },
	{ "the body declares members the debug info lacks (line %u)",
	  "the body declares members the debug info lacks (lines %s)" },
	{ "the macro defined at line %u is used inside the body",
	  "the macros defined at lines %s are used inside the body" },
	{ NULL, NULL }
};

/* Sorted by line (stable: two on one line keep the order found), each text once. */
static void sort_problems(sf_fix_scan *s)
{
	size_t kept = 0;

	for (size_t i = 1; i < s->problem_count; i++) {
		sf_fix_problem p = s->problems[i];
		size_t k = i;
		for (; k > 0 && s->problems[k - 1].line > p.line; k--)
			s->problems[k] = s->problems[k - 1];
		s->problems[k] = p;
	}
	for (size_t i = 0; i < s->problem_count; i++) {
		bool seen = false;
		for (size_t k = 0; k < kept && !seen; k++)
			seen = strcmp(s->problems[k].text, s->problems[i].text) == 0;
		if (!seen)
			s->problems[kept++] = s->problems[i];
	}
	s->problem_count = kept;
}

/*
 * Problem `i` with the later ones of its kind merged into it ("lines 4,
 * 9 and 12"); those are marked told (text emptied).  At most 8 lines are
 * listed.
 */
static void merge_kind(sf_fix_scan *s, size_t i)
{
	sf_fix_problem *p = &s->problems[i];
	const struct plural *pl = plurals;
	char lines[128];
	size_t n = 0, count = 1, listed = 1, last = i;

	if (!p->fmt)
		return;
	while (pl->one && strcmp(pl->one, p->fmt) != 0)
		pl++;
	if (!pl->one)
		return;
	n = (size_t)snprintf(lines, sizeof(lines), "%u", p->line);
	for (size_t k = i + 1; k < s->problem_count; k++) {
		if (!s->problems[k].fmt || strcmp(s->problems[k].fmt, p->fmt) != 0)
			continue;
		count++;
		if (listed < 8) {
			if (last != i)
				n += (size_t)snprintf(lines + n, sizeof(lines) - n, ", %u", s->problems[last].line);
			last = k;
			listed++;
		}
		s->problems[k].text[0] = '\0';
	}
	if (count == 1)
		return;
	if (count > listed)
		snprintf(lines + n, sizeof(lines) - n, ", %u and %zu more", s->problems[last].line, count - listed);
	else
		snprintf(lines + n, sizeof(lines) - n, " and %u", s->problems[last].line);
	snprintf(p->text, sizeof(p->text), pl->many, lines);
}

/*
 * The reason: every problem in source order, each kind once, joined like
 * the builder's further obstacles ("; also ...").  What does not fit is
 * counted.
 */
static void write_reason(sf_fix_scan *s, char *why, size_t why_size)
{
	size_t n = 0, shown = 0, left = 0;

	sort_problems(s);
	for (size_t i = 0; i < s->problem_count; i++)
		if (s->problems[i].text[0])
			merge_kind(s, i);
	for (size_t i = 0; i < s->problem_count; i++)
		left += s->problems[i].text[0] != '\0';
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
			snprintf(why + n, why_size - n, "; also %zu more problem%s in the body", left,
				 left == 1 ? "" : "s");
			return;
		}
		shown++;
		left--;
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
