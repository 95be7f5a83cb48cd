/* Items of a body grouped into units, the lines that move together, with their comments and #defines. */
#include "fix/fix_body_scan.h"

#include <stdlib.h>
#include <string.h>

#include "util/fail.h"

/* Offset of the start of line `line` (1-based), scanning from a known line start. */
static size_t line_start(const char *text, size_t len, size_t from, uint32_t from_line, uint32_t line)
{
	while (from_line < line && from < len) {
		const char *nl = memchr(text + from, '\n', len - from);
		if (!nl)
			return len;
		from = (size_t)(nl - text) + 1;
		from_line++;
	}
	return from;
}

static size_t column(const char *text, size_t at)
{
	size_t start = at;
	while (start > 0 && text[start - 1] != '\n')
		start--;
	return at - start;
}

static size_t line_end(const char *text, size_t len, size_t at)
{
	const char *nl = memchr(text + at, '\n', len - at);
	return nl ? (size_t)(nl - text) + 1 : len;
}

static void note_macro(sf_fix_unit *u, const sf_fix_tokens *toks, const sf_fix_item *it)
{
	if (it->kind != SF_FIX_ITEM_MACRO || u->macro_len)
		return;
	u->macro_start = toks->items[it->first_tok].start;
	u->macro_len = toks->items[it->first_tok].end - u->macro_start;
	u->macro_line = it->first_line;
}

/* The last line of item `it` with what belongs to it: comments starting
 * on its last line, (C++) comment lines continuing them in their column,
 * and the #define lines right below it. */
static uint32_t item_last_line(const sf_fix_scan *s, const sf_fix_item *it)
{
	const sf_fix_tokens *toks = s->toks;
	uint32_t last = it->last_line;
	size_t t;

	for (t = it->last_tok + 1; t < s->close && toks->items[t].kind == SF_FIX_COMMENT &&
	     toks->items[t].line <= last; t++)
		last = toks->items[t].end_line > last ? toks->items[t].end_line : last;
	/* `int x;  // long text` / `        // more` */
	if (s->cxx && t > it->last_tok + 1) {
		size_t col = column(s->text, toks->items[t - 1].start);
		while (t < s->close && toks->items[t].kind == SF_FIX_COMMENT && toks->items[t].line == last + 1 &&
		       toks->items[t - 1].end_line < toks->items[t].line && column(s->text, toks->items[t].start) == col)
			last = toks->items[t++].end_line;
	}
	for (; t < s->close && toks->items[t].kind == SF_FIX_DIRECTIVE; t++)
		last = toks->items[t].end_line > last ? toks->items[t].end_line : last;
	return last;
}

/* Where units end, and which leading units the mapping placed without a problem. */
typedef struct unit_walk {
	size_t anchor;           /* offset of a known line start at or before the current unit */
	uint32_t anchor_line;
	uint32_t prev_last;      /* last line of the previous unit */
	size_t prev_tok;         /* last token of the previous unit */
	uint32_t unit_last;
	bool mapped;             /* every item of the units so far precedes the first mapping problem */
} unit_walk;

/* Starts a unit at item `k`: comment lines since the previous unit lead it. */
static sf_fix_unit *open_unit(const sf_fix_scan *s, sf_fix_body *out, unit_walk *w, size_t k, uint32_t last)
{
	const sf_fix_item *it = &s->items[k];
	uint32_t first = it->first_line;
	sf_fix_unit *u;

	if (out->unit_count) {
		u = &out->units[out->unit_count - 1];
		u->end = line_end(s->text, s->len, line_start(s->text, s->len, w->anchor, w->anchor_line, w->unit_last));
		w->prev_last = w->unit_last;
	}
	for (size_t t = w->prev_tok + 1; t < it->first_tok; t++) {
		if (s->toks->items[t].kind == SF_FIX_COMMENT && s->toks->items[t].line > w->prev_last) {
			first = s->toks->items[t].line;
			break;
		}
	}
	if (w->mapped)
		out->mapped_units = out->unit_count;
	u = &out->units[out->unit_count++];
	u->first_line = first;
	u->start = line_start(s->text, s->len, w->anchor, w->anchor_line, first);
	w->anchor = u->start;
	w->anchor_line = first;
	u->member_first = it->member_first;
	u->member_count = it->used;
	u->fixed = it->kind == SF_FIX_ITEM_FIXED;
	u->section = it->section;
	w->unit_last = last;
	return u;
}

int sf__fix_scan_units(sf_fix_scan *s, sf_fix_body *out)
{
	const sf_fix_tokens *toks = s->toks;
	const sf_struct *def = s->def;
	uint32_t open_line = toks->items[s->open].line;
	unit_walk w = { line_start(s->text, s->len, 0, 1, open_line), open_line, open_line, s->open, 0, true };
	sf_fix_unit *u = NULL;
	int rc;

	out->units = calloc(s->item_count + 1, sizeof(*out->units));
	out->unit_of = calloc(def->member_count + 1, sizeof(*out->unit_of));
	if (!out->units || !out->unit_of)
		return sf__fail(SF_ENOMEM, "out of memory while reading sources");
	for (size_t k = 0; k < s->item_count; k++) {
		const sf_fix_item *it = &s->items[k];
		uint32_t last = item_last_line(s, it);
		if (u && it->first_line <= w.unit_last) {
			if (u->fixed != (it->kind == SF_FIX_ITEM_FIXED) &&
			    (rc = sf__fix_scan_problem(s, it->first_line, "a data member shares line %u with a declaration "
						       "that is not one, or an access label")) < 0)
				return rc;
			u->member_count += it->used;
			w.unit_last = last > w.unit_last ? last : w.unit_last;
		} else {
			u = open_unit(s, out, &w, k, last);
		}
		note_macro(u, toks, it);
		if (k >= s->first_bad_item)
			w.mapped = false;
		w.prev_tok = it->last_tok;
		for (size_t t = it->last_tok + 1; t < s->close && (toks->items[t].kind == SF_FIX_COMMENT ||
								   toks->items[t].kind == SF_FIX_DIRECTIVE) &&
		     toks->items[t].line <= w.unit_last; t++)
			w.prev_tok = t;
	}
	if (w.mapped)
		out->mapped_units = out->unit_count;
	if (u) {
		u->end = line_end(s->text, s->len, line_start(s->text, s->len, w.anchor, w.anchor_line, w.unit_last));
		if (w.unit_last >= toks->items[s->close].line &&
		    (rc = sf__fix_scan_problem(s, w.unit_last, "the body shares line %u with the closing brace")) < 0)
			return rc;
	}
	for (uint32_t m = 0; m < def->member_count; m++)
		out->unit_of[m] = SF_FIX_OUTSIDE;
	for (uint32_t k = 0; k < out->unit_count; k++) {
		if (out->units[k].fixed) {
			out->has_fixed = true;
			continue;
		}
		out->movable_count++;
		for (uint32_t m = 0; m < out->units[k].member_count; m++)
			if (out->units[k].member_first + m < def->member_count)
				out->unit_of[out->units[k].member_first + m] = k;
	}
	return 0;
}
