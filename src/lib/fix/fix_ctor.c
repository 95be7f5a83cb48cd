/* C++ constructors for fix: member-initializer lists found, checked and put in the new member order. */
#include "fix/fix_ctor.h"

#include <stdlib.h>
#include <string.h>

#include "fix/fix_cxx.h"
#include "util/fail.h"

/*
 * Members are initialised in declaration order whatever the list says,
 * so reordering the declarations changes nothing a list does unless an
 * initializer reads another member: then it reads it before or after
 * that member's own initialisation, and the order between the two must
 * not change.  The list is reordered too, only so -Wreorder stays quiet.
 */

typedef struct init_item {
	size_t first;   /* token indices, inclusive */
	size_t last;
	long member;    /* member index, -1 for a base or a delegating call */
} init_item;

static size_t next_code(const sf_fix_tokens *toks, size_t i, size_t limit)
{
	for (i++; i < limit; i++)
		if (toks->items[i].kind != SF_FIX_COMMENT)
			return i;
	return limit;
}

static size_t prev_code(const sf_fix_tokens *toks, size_t i)
{
	while (i-- > 0)
		if (toks->items[i].kind != SF_FIX_COMMENT)
			return i;
	return toks->count;
}

static bool is_punct(const char *text, const sf_fix_tokens *toks, size_t i, char c)
{
	return i < toks->count && sf__fix_is_punct(text, &toks->items[i], c);
}

/* `::` as two adjacent ':' tokens starting at i. */
static bool scope_at(const char *text, const sf_fix_tokens *toks, size_t i)
{
	return is_punct(text, toks, i, ':') && is_punct(text, toks, i + 1, ':') &&
	       toks->items[i + 1].start == toks->items[i].end;
}

bool sf__fix_ctor_list(const char *text, const sf_fix_tokens *toks, size_t name_tok, size_t *colon,
		       size_t *body_open)
{
	size_t limit = toks->count, i = next_code(toks, name_tok, limit);

	if (!is_punct(text, toks, i, '('))
		return false;
	i = next_code(toks, sf__fix_matching(text, toks, i, limit), limit);
	/* noexcept(...), attributes */
	while (i < limit && (toks->items[i].kind == SF_FIX_IDENT || is_punct(text, toks, i, '['))) {
		size_t n = next_code(toks, i, limit);
		if (is_punct(text, toks, i, '['))
			i = next_code(toks, sf__fix_matching(text, toks, i, limit), limit);
		else if (is_punct(text, toks, n, '('))
			i = next_code(toks, sf__fix_matching(text, toks, n, limit), limit);
		else
			i = n;
	}
	if (!is_punct(text, toks, i, ':') || scope_at(text, toks, i))
		return false;
	*colon = i;
	for (i = next_code(toks, i, limit); i < limit; i = next_code(toks, i, limit)) {
		if (is_punct(text, toks, i, ';') || is_punct(text, toks, i, '}'))
			return false;
		if (is_punct(text, toks, i, '(') || is_punct(text, toks, i, '[')) {
			i = sf__fix_matching(text, toks, i, limit);
		} else if (is_punct(text, toks, i, '{')) {
			size_t p = prev_code(toks, i);
			/* `m{1}` initializes; after `)` or `}` the body opens. */
			if (p < limit && (toks->items[p].kind == SF_FIX_IDENT || is_punct(text, toks, p, '>'))) {
				i = sf__fix_matching(text, toks, i, limit);
				continue;
			}
			*body_open = i;
			return true;
		}
	}
	return false;
}

int sf__fix_ctor_find(const char *text, const sf_fix_tokens *toks, const char *name, size_t **found,
		      size_t *count)
{
	for (size_t i = 0; i + 3 < toks->count; i++) {
		size_t n;
		if (!sf__fix_is_word(text, &toks->items[i], name) || !scope_at(text, toks, i + 1))
			continue;
		n = next_code(toks, i + 2, toks->count);
		if (n >= toks->count || !sf__fix_is_word(text, &toks->items[n], name) ||
		    !is_punct(text, toks, next_code(toks, n, toks->count), '('))
			continue;
		{
			size_t *more = realloc(*found, (*count + 1) * sizeof(*more));
			if (!more)
				return sf__fail(SF_ENOMEM, "out of memory while scanning sources");
			*found = more;
			(*found)[(*count)++] = n;
		}
	}
	return 0;
}

static long member_named(const char *text, const sf_fix_token *t, const sf_struct *def)
{
	for (uint32_t m = 0; m < def->member_count; m++) {
		const sf_member *mem = &def->members[m];
		if (mem->name && !sf__fix_cxx_outside(mem) && sf__fix_is_word(text, t, mem->name))
			return (long)m;
	}
	return -1;
}

/* The list's initializers; returns their count, or -1 when out of memory. */
static long split_items(const char *text, const sf_fix_tokens *toks, size_t colon, size_t body_open,
			const sf_struct *def, init_item **out)
{
	init_item *items = NULL;
	long count = 0;
	size_t first = next_code(toks, colon, body_open);
	int angle = 0;

	for (size_t i = first; i <= body_open; i = next_code(toks, i, body_open + 1)) {
		if (i < body_open && (is_punct(text, toks, i, '(') || is_punct(text, toks, i, '{') ||
				      is_punct(text, toks, i, '['))) {
			i = sf__fix_matching(text, toks, i, body_open);
			continue;
		}
		if (i < body_open && is_punct(text, toks, i, '<') && toks->items[i - 1].kind == SF_FIX_IDENT)
			angle++;
		else if (i < body_open && angle > 0 && is_punct(text, toks, i, '>'))
			angle--;
		if (i == body_open || (angle == 0 && is_punct(text, toks, i, ','))) {
			init_item *more = realloc(items, (size_t)(count + 1) * sizeof(*more));
			size_t n = next_code(toks, first, body_open);
			if (!more) {
				free(items);
				return -1;
			}
			items = more;
			items[count].first = first;
			items[count].last = prev_code(toks, i);
			items[count].member = toks->items[first].kind == SF_FIX_IDENT &&
						      (is_punct(text, toks, n, '(') || is_punct(text, toks, n, '{'))
					      ? member_named(text, &toks->items[first], def) : -1;
			count++;
			first = next_code(toks, i, body_open);
		}
		if (i >= body_open)
			break;
	}
	*out = items;
	return count;
}

/* Whether identifier token i is a parameter name of the function whose name is name_tok. */
static bool is_parameter(const char *text, const sf_fix_tokens *toks, size_t name_tok, size_t i)
{
	size_t open = next_code(toks, name_tok, toks->count), close = sf__fix_matching(text, toks, open, toks->count);
	const sf_fix_token *t = &toks->items[i];
	for (size_t p = open + 1; p < close; p++) {
		const sf_fix_token *u = &toks->items[p];
		size_t n = next_code(toks, p, close + 1);
		if (u->kind == SF_FIX_IDENT && n <= close &&
		    (is_punct(text, toks, n, ',') || is_punct(text, toks, n, ')') || is_punct(text, toks, n, '=') ||
		     is_punct(text, toks, n, '[')) &&
		    u->end - u->start == t->end - t->start && memcmp(text + u->start, text + t->start, t->end - t->start) == 0)
			return true;
	}
	return false;
}

/* Whether tokens [a, b] read a member whose order against `member` changes. */
static bool span_reads(const char *text, const sf_fix_tokens *toks, size_t a, size_t b, long member,
		       const sf_struct *def, const uint32_t *new_pos, size_t name_tok)
{
	for (size_t i = a; i <= b && i < toks->count; i++) {
		const sf_fix_token *t = &toks->items[i];
		size_t p;
		long k;
		if (t->kind != SF_FIX_IDENT || (k = member_named(text, t, def)) < 0 || k == member)
			continue;
		p = prev_code(toks, i);
		/* o.n and p->n name another object's member; this->n is ours. */
		if (p < toks->count && is_punct(text, toks, p, '.'))
			continue;
		if (p < toks->count && p > 0 && is_punct(text, toks, p, '>') && is_punct(text, toks, p - 1, '-') &&
		    !sf__fix_is_word(text, &toks->items[prev_code(toks, p - 1)], "this"))
			continue;
		if (name_tok < toks->count && is_parameter(text, toks, name_tok, i))
			continue;
		if ((k < member) != (new_pos[k] < new_pos[member]))
			return true;
	}
	return false;
}

bool sf__fix_ctor_reads(const char *text, const sf_fix_tokens *toks, size_t name_tok, size_t colon,
			size_t body_open, const sf_struct *def, const uint32_t *new_pos, uint32_t *line)
{
	init_item *items = NULL;
	long count = split_items(text, toks, colon, body_open, def, &items);
	bool reads = false;

	if (count < 0)
		return true; /* out of memory: refuse rather than guess */
	for (long k = 0; k < count && !reads; k++) {
		if (items[k].member < 0)
			continue;
		if (span_reads(text, toks, items[k].first + 1, items[k].last, items[k].member, def, new_pos, name_tok)) {
			*line = toks->items[items[k].first].line;
			reads = true;
		}
	}
	free(items);
	return reads;
}

bool sf__fix_default_reads(const char *text, const sf_fix_tokens *toks, const sf_fix_body *body,
			   const sf_struct *def, const uint32_t *new_pos, uint32_t *line)
{
	for (uint32_t m = 0; body->member_init && m < def->member_count; m++) {
		const sf_fix_span *s = &body->member_init[m];
		if (s->first == 0)
			continue;
		if (span_reads(text, toks, s->first, s->last, (long)m, def, new_pos, toks->count)) {
			*line = toks->items[s->first].line;
			return true;
		}
	}
	return false;
}

static int compare_by_pos(const void *a, const void *b, const uint32_t *new_pos)
{
	const init_item *x = a, *y = b;
	uint32_t px = new_pos[x->member], py = new_pos[y->member];
	return (px > py) - (px < py);
}

int sf__fix_ctor_rewrite(const char *text, size_t len, const sf_fix_tokens *toks, size_t colon,
			 size_t body_open, const sf_struct *def, const uint32_t *new_pos, size_t *start,
			 size_t *end, char **out, size_t *out_len)
{
	init_item *items = NULL, *sorted = NULL;
	long count = split_items(text, toks, colon, body_open, def, &items), slot = 0;
	bool changed = false;
	size_t n = 0, from, to;
	char *buf;

	*out = NULL;
	if (count < 0)
		return sf__fail(SF_ENOMEM, "out of memory while rewriting constructors");
	sorted = malloc((size_t)(count + 1) * sizeof(*sorted));
	if (!sorted) {
		free(items);
		return sf__fail(SF_ENOMEM, "out of memory while rewriting constructors");
	}
	/* Member initializers sorted by new position (insertion sort: lists are short). */
	for (long k = 0; k < count; k++) {
		if (items[k].member < 0)
			continue;
		long j = slot++;
		while (j > 0 && compare_by_pos(&sorted[j - 1], &items[k], new_pos) > 0) {
			sorted[j] = sorted[j - 1];
			j--;
		}
		sorted[j] = items[k];
	}
	for (long k = 0, s = 0; k < count; k++) {
		if (items[k].member < 0)
			continue;
		if (sorted[s].first != items[k].first)
			changed = true;
		s++;
	}
	if (!changed || count == 0) {
		free(items);
		free(sorted);
		return 0;
	}
	from = toks->items[items[0].first].start;
	to = toks->items[items[count - 1].last].end;
	while (from > 0 && text[from - 1] != '\n')
		from--;
	while (to < len && text[to] != '\n')
		to++;
	if (to < len)
		to++;
	buf = malloc(to - from + 1);
	if (!buf) {
		free(items);
		free(sorted);
		return sf__fail(SF_ENOMEM, "out of memory while rewriting constructors");
	}
	{
		size_t at = from;
		long s = 0;
		for (long k = 0; k < count; k++) {
			const init_item *put = items[k].member < 0 ? &items[k] : &sorted[s++];
			size_t a = toks->items[items[k].first].start, b = toks->items[items[k].last].end;
			size_t pa = toks->items[put->first].start, pb = toks->items[put->last].end;
			memcpy(buf + n, text + at, a - at);
			n += a - at;
			memcpy(buf + n, text + pa, pb - pa);
			n += pb - pa;
			at = b;
		}
		memcpy(buf + n, text + at, to - at);
		n += to - at;
	}
	free(items);
	free(sorted);
	*start = from;
	*end = to;
	*out = buf;
	*out_len = n;
	return 0;
}
