/* The unified diff of a fix: one hunk per rewritten struct body, git apply and patch -p1 compatible. */
#include "fix/fix_result.h"

#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/fail.h"

#define CONTEXT_LINES 3

typedef struct line_index {
	size_t *starts;   /* starts[count] == text length */
	size_t count;
} line_index;

static int index_lines(line_index *li, const char *text, size_t len)
{
	size_t n = 0, cap = 64;
	li->starts = malloc(cap * sizeof(*li->starts));
	if (!li->starts)
		return SF_ENOMEM;
	for (size_t at = 0; at < len;) {
		const char *nl = memchr(text + at, '\n', len - at);
		if (n + 2 > cap) {
			size_t *more = realloc(li->starts, 2 * cap * sizeof(*more));
			if (!more)
				return SF_ENOMEM;
			li->starts = more;
			cap *= 2;
		}
		li->starts[n++] = at;
		at = nl ? (size_t)(nl - text) + 1 : len;
	}
	li->starts[n] = len;
	li->count = n;
	return 0;
}

/* Line number (0-based) starting at byte `at`, which is a line start. */
static size_t line_at(const line_index *li, size_t at)
{
	size_t lo = 0, hi = li->count;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (li->starts[mid] < at)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static void put_line(sf_buf *buf, char mark, const char *text, size_t start, size_t end)
{
	sf__buf_putc(buf, mark);
	sf__buf_put(buf, text + start, end - start);
	if (end == start || text[end - 1] != '\n')
		sf__buf_puts(buf, "\n\\ No newline at end of file\n");
}

typedef struct hunk {
	size_t old_first, old_end;   /* changed lines of the original, [first, end) */
	size_t new_first, new_end;   /* changed lines of the patched text */
} hunk;

static int file_diff(sf_buf *buf, const sf_fix_source *src)
{
	line_index old_li = { NULL, 0 }, new_li = { NULL, 0 };
	hunk *hunks = calloc(src->edit_count + 1, sizeof(*hunks));
	size_t count = 0;
	long delta = 0;
	int rc;

	rc = hunks ? index_lines(&old_li, src->text, src->len) : SF_ENOMEM;
	if (rc == 0)
		rc = index_lines(&new_li, src->patched, src->patched_len);
	if (rc < 0)
		goto done;
	for (size_t e = 0; e < src->edit_count; e++) {
		const sf_fix_edit *ed = &src->edits[e];
		size_t of = line_at(&old_li, ed->start), oe = line_at(&old_li, ed->end);
		size_t nf = (size_t)((long)of + delta);
		size_t ne = line_at(&new_li, new_li.starts[nf] + ed->len);
		delta += (long)(ne - nf) - (long)(oe - of);
		/* Lines that did not move are context, not changes. */
		while (of < oe && nf < ne &&
		       old_li.starts[of + 1] - old_li.starts[of] == new_li.starts[nf + 1] - new_li.starts[nf] &&
		       memcmp(src->text + old_li.starts[of], src->patched + new_li.starts[nf],
			      old_li.starts[of + 1] - old_li.starts[of]) == 0) {
			of++;
			nf++;
		}
		while (oe > of && ne > nf &&
		       old_li.starts[oe] - old_li.starts[oe - 1] == new_li.starts[ne] - new_li.starts[ne - 1] &&
		       memcmp(src->text + old_li.starts[oe - 1], src->patched + new_li.starts[ne - 1],
			      old_li.starts[oe] - old_li.starts[oe - 1]) == 0) {
			oe--;
			ne--;
		}
		if (of == oe && nf == ne)
			continue;
		hunks[count++] = (hunk){ of, oe, nf, ne };
	}
	/* Context split between neighbours so hunks never share lines;
	 * changes one line apart or less (C++ members between methods)
	 * share one hunk, or one of them would get no context. */
	if (count == 0)
		goto done;
	sf__buf_printf(buf, "diff --git a/%s b/%s\n--- a/%s\n+++ b/%s\n", src->rel, src->rel, src->rel, src->rel);
	for (size_t h = 0, prev_end = 0; h < count;) {
		size_t last = h, lead, trail, o0, o1, n0, n1;
		while (last + 1 < count && hunks[last + 1].old_first - hunks[last].old_end <= 1)
			last++;
		lead = hunks[h].old_first - prev_end;
		trail = last + 1 == count ? old_li.count - hunks[last].old_end
					  : (hunks[last + 1].old_first - hunks[last].old_end + 1) / 2;
		lead = lead < CONTEXT_LINES ? lead : CONTEXT_LINES;
		trail = trail < CONTEXT_LINES ? trail : CONTEXT_LINES;
		/* patch(1) applies uneven context only with fuzz; git apply
		 * pins a hunk without trailing context to the end of the file. */
		if (trail > 0 && lead > 0)
			lead = trail = lead < trail ? lead : trail;
		o0 = hunks[h].old_first - lead;
		o1 = hunks[last].old_end + trail;
		n0 = hunks[h].new_first - lead;
		n1 = hunks[last].new_end + trail;
		sf__buf_printf(buf, "@@ -%zu,%zu +%zu,%zu @@\n", o0 + 1, o1 - o0, n0 + 1, n1 - n0);
		for (size_t l = o0; l < hunks[h].old_first; l++)
			put_line(buf, ' ', src->text, old_li.starts[l], old_li.starts[l + 1]);
		for (size_t k = h; k <= last; k++) {
			for (size_t l = hunks[k].old_first; l < hunks[k].old_end; l++)
				put_line(buf, '-', src->text, old_li.starts[l], old_li.starts[l + 1]);
			for (size_t l = hunks[k].new_first; l < hunks[k].new_end; l++)
				put_line(buf, '+', src->patched, new_li.starts[l], new_li.starts[l + 1]);
			for (size_t l = hunks[k].old_end; l < (k < last ? hunks[k + 1].old_first : o1); l++)
				put_line(buf, ' ', src->text, old_li.starts[l], old_li.starts[l + 1]);
		}
		prev_end = o1;
		h = last + 1;
	}
done:
	free(old_li.starts);
	free(new_li.starts);
	free(hunks);
	return rc;
}

int sf_fix_emit_diff(sf_buf *buf, const sf_fix *fix)
{
	for (size_t f = 0; f < fix->file_count; f++) {
		int rc = file_diff(buf, &fix->sources[fix->file_source[f]]);
		if (rc < 0)
			return sf__fail(SF_ENOMEM, "out of memory while writing the diff");
	}
	return buf->failed ? sf__fail(SF_ENOMEM, "out of memory while writing the diff") : 0;
}
