/* A formatter's output for a patched file, kept where it touches the rewritten bodies. */
#include "fix/fix_result.h"

#include <stdlib.h>
#include <string.h>

#include "util/fail.h"

/*
 * The diff writer prints one hunk per edit, so the edits must describe the
 * new text: they are recomputed as the line ranges where the original and
 * the new text differ.  A formatter touches little beyond the edited
 * bodies, so a greedy match (the nearest pair of positions from which
 * ANCHOR lines agree, searched by growing distance) finds them.
 */
#define ANCHOR 3
#define MAX_DISTANCE 4096

typedef struct lines {
	size_t *start;    /* start[count] == text length */
	size_t count;
	const char *text;
} lines;

static int split(lines *l, const char *text, size_t len)
{
	size_t n = 0;

	l->text = text;
	l->start = malloc((len + 2) * sizeof(*l->start));
	if (!l->start)
		return SF_ENOMEM;
	for (size_t at = 0; at < len;) {
		const char *nl = memchr(text + at, '\n', len - at);
		l->start[n++] = at;
		at = nl ? (size_t)(nl - text) + 1 : len;
	}
	l->start[n] = len;
	l->count = n;
	return 0;
}

static bool same_line(const lines *a, size_t i, const lines *b, size_t j)
{
	size_t la = a->start[i + 1] - a->start[i], lb = b->start[j + 1] - b->start[j];
	return la == lb && memcmp(a->text + a->start[i], b->text + b->start[j], la) == 0;
}

/* Whether the lines from i and j agree for ANCHOR lines or up to both ends. */
static bool anchored(const lines *a, size_t i, const lines *b, size_t j)
{
	for (size_t k = 0; k < ANCHOR; k++) {
		if (i + k == a->count || j + k == b->count)
			return i + k == a->count && j + k == b->count;
		if (!same_line(a, i + k, b, j + k))
			return false;
	}
	return true;
}

static int add_edit(sf_fix *fix, sf_fix_source *src, const lines *o, size_t i, size_t k, const lines *n,
		    size_t j, size_t l)
{
	sf_fix_edit *more = sf__fix_grow(fix->arena, src->edits, src->edit_count, &src->edit_cap, sizeof(*more));
	if (!more)
		return SF_ENOMEM;
	src->edits = more;
	src->edits[src->edit_count++] = (sf_fix_edit){ o->start[i], o->start[k], (char *)n->text + n->start[j],
						      n->start[l] - n->start[j] };
	return 0;
}

/* Whether [start, end) touches one of the `count` earlier edits. */
static bool touches(const sf_fix_edit *old, size_t count, size_t start, size_t end)
{
	for (size_t e = 0; e < count; e++) {
		if (start <= old[e].end && old[e].start <= end)
			return true;
	}
	return false;
}

/* The original with the kept edits applied, as the new patched text. */
static int rebuild(sf_fix *fix, sf_fix_source *src)
{
	size_t cap = src->len + 1, at = 0, n = 0;
	char *out;

	for (size_t e = 0; e < src->edit_count; e++)
		cap += src->edits[e].len;
	out = sf__arena_alloc(fix->arena, cap);
	if (!out)
		return SF_ENOMEM;
	for (size_t e = 0; e < src->edit_count; e++) {
		const sf_fix_edit *ed = &src->edits[e];
		memcpy(out + n, src->text + at, ed->start - at);
		n += ed->start - at;
		memcpy(out + n, ed->text, ed->len);
		n += ed->len;
		at = ed->end;
	}
	memcpy(out + n, src->text + at, src->len - at);
	n += src->len - at;
	out[n] = '\0';
	src->patched = out;
	src->patched_len = n;
	return 0;
}

static int recompute_edits(sf_fix *fix, sf_fix_source *src, const sf_fix_edit *old, size_t old_count)
{
	lines o = { 0 }, n = { 0 };
	size_t i = 0, j = 0;
	int rc = split(&o, src->text, src->len);

	if (rc == 0)
		rc = split(&n, src->patched, src->patched_len);
	src->edit_count = 0;
	while (rc == 0 && (i < o.count || j < n.count)) {
		size_t k = o.count, l = n.count;
		bool found = false;
		if (i < o.count && j < n.count && same_line(&o, i, &n, j)) {
			i++;
			j++;
			continue;
		}
		for (size_t d = 1; d <= MAX_DISTANCE && !found; d++) {
			for (size_t a = 0; a <= d && !found; a++) {
				if (i + a <= o.count && j + d - a <= n.count && anchored(&o, i + a, &n, j + d - a)) {
					k = i + a;
					l = j + d - a;
					found = true;
				}
			}
		}
		if (touches(old, old_count, o.start[i], o.start[k]))
			rc = add_edit(fix, src, &o, i, k, &n, j, l);
		i = k;
		j = l;
	}
	free(o.start);
	free(n.start);
	return rc < 0 ? rc : rebuild(fix, src);
}

int sf_fix_file_replace(sf_fix *fix, size_t index, const char *text, size_t len)
{
	sf_fix_source *src;
	sf_fix_edit *old;
	char *copy;

	if (!fix || index >= fix->file_count || (!text && len))
		return sf__fail(SF_EUSAGE, "no patched file %zu", index);
	copy = sf__arena_alloc(fix->arena, len + 1);
	if (!copy)
		return sf__fail(SF_ENOMEM, "out of memory while replacing a patched file");
	if (len)
		memcpy(copy, text, len);
	copy[len] = '\0';
	src = &fix->sources[fix->file_source[index]];
	old = sf__arena_calloc(fix->arena, src->edit_count + 1, sizeof(*old));
	if (!old)
		return sf__fail(SF_ENOMEM, "out of memory while replacing a patched file");
	if (src->edit_count)
		memcpy(old, src->edits, src->edit_count * sizeof(*old));
	src->patched = copy;
	src->patched_len = len;
	if (recompute_edits(fix, src, old, src->edit_count) < 0)
		return sf__fail(SF_ENOMEM, "out of memory while replacing a patched file");
	fix->files[index].patched = src->patched;
	fix->files[index].patched_len = src->patched_len;
	return 0;
}
