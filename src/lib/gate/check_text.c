/*
 * The text format of `check`.  One struct's findings are one block: its
 * first violation on a "file:line: error: struct foo: ... [rule]" line, for
 * editors and CI logs to link to the declaration, and its other findings
 * indented below.  Members that moved by the same distance are one line
 * with a count, because inserting one member moves every member after it.
 */
#include "gate/check_text.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/fail.h"

/* Names listed in a line of moved members before "and N more". */
#define MOVED_NAMES_SHOWN 3

typedef sf__check_entry entry;

static int compare_str(const char *a, const char *b)
{
	if (!a || !b)
		return (a != NULL) - (b != NULL);
	return strcmp(a, b);
}

/* 0 when both findings are about the same definition; findings about no struct stand alone. */
static int compare_struct(const sf_finding *a, const sf_finding *b)
{
	int c;

	if (!a->struct_kind || !b->struct_kind)
		return (a->struct_kind == NULL) - (b->struct_kind == NULL);
	c = strcmp(a->struct_kind, b->struct_kind);
	if (c == 0)
		c = compare_str(a->struct_name, b->struct_name);
	if (c == 0)
		c = compare_str(a->decl_file, b->decl_file);
	if (c == 0)
		c = (a->decl_line > b->decl_line) - (a->decl_line < b->decl_line);
	return c;
}

static bool same_block(const entry *a, const entry *b)
{
	return a->finding->struct_kind && compare_struct(a->finding, b->finding) == 0;
}

static int by_struct(const void *pa, const void *pb)
{
	const entry *a = pa, *b = pb;
	int c = compare_struct(a->finding, b->finding);

	if (c == 0 || !a->finding->struct_kind)
		c = (a->index > b->index) - (a->index < b->index);
	return c;
}

static int by_block(const void *pa, const void *pb)
{
	const entry *a = pa, *b = pb;

	if (a->block_first != b->block_first)
		return (a->block_first > b->block_first) - (a->block_first < b->block_first);
	return (a->index > b->index) - (a->index < b->index);
}

static bool is_move(const sf_finding *f)
{
	return f->kind == SF_FINDING_MEMBER_MOVED;
}

static bool same_move(const sf_finding *a, const sf_finding *b)
{
	return is_move(a) && is_move(b) && a->in_bits == b->in_bits &&
	       a->new_value - a->old_value == b->new_value - b->old_value;
}

size_t sf__check_detail(sf_buf *buf, const entry *block, size_t count, size_t at, bool *shown,
			bool rule)
{
	const sf_finding *f = block[at].finding;
	uint64_t distance;
	size_t moved = 0, named = 0;

	shown[at] = true;
	for (size_t i = at; is_move(f) && i < count; i++)
		moved += same_move(f, block[i].finding);
	if (moved < 2) {
		sf__buf_puts(buf, f->detail);
		if (rule)
			sf__buf_printf(buf, " [%s]", sf_finding_rule(f->kind));
		return 1;
	}
	distance = f->new_value > f->old_value ? f->new_value - f->old_value : f->old_value - f->new_value;
	sf__buf_printf(buf, "%zu %s moved by %c%" PRIu64 " %s:", moved,
		       f->in_bits ? "bitfields" : "members", f->new_value > f->old_value ? '+' : '-',
		       distance, f->in_bits ? (distance == 1 ? "bit" : "bits") : (distance == 1 ? "byte" : "bytes"));
	for (size_t i = at; i < count; i++) {
		if (!same_move(f, block[i].finding))
			continue;
		shown[i] = true;
		if (named < MOVED_NAMES_SHOWN)
			sf__buf_printf(buf, "%s '%s'", named ? "," : "", block[i].finding->member);
		named++;
	}
	if (named > MOVED_NAMES_SHOWN)
		sf__buf_printf(buf, " and %zu more", named - MOVED_NAMES_SHOWN);
	if (rule)
		sf__buf_printf(buf, " [%s]", sf_finding_rule(f->kind));
	return moved;
}

/* One line of the text format: the detail, its rule, a newline. */
static void detail(sf_buf *buf, const entry *block, size_t count, size_t at, bool *shown)
{
	sf__check_detail(buf, block, count, at, shown, true);
	sf__buf_putc(buf, '\n');
}

/* The finding that heads a block: its first violation other than a move, else its first. */
static size_t head_of(const entry *block, size_t count)
{
	size_t head = count;

	for (size_t i = 0; i < count && head == count; i++) {
		if (block[i].finding->violation && !is_move(block[i].finding))
			head = i;
	}
	for (size_t i = 0; i < count && head == count; i++) {
		if (block[i].finding->violation)
			head = i;
	}
	return head == count ? 0 : head;
}

static void block_text(sf_buf *buf, const entry *block, size_t count, bool *shown)
{
	size_t head = head_of(block, count);
	const sf_finding *f = block[head].finding;

	if (f->decl_file && f->decl_line)
		sf__buf_printf(buf, "%s:%u: ", f->decl_file, f->decl_line);
	else if (f->decl_file)
		sf__buf_printf(buf, "%s: ", f->decl_file);
	sf__buf_puts(buf, f->violation ? "error: " : "note: ");
	if (f->struct_kind)
		sf__buf_printf(buf, "%s %s: ", f->struct_kind, f->struct_name);
	detail(buf, block, count, head, shown);
	for (size_t i = 0; i < count; i++) {
		if (shown[i])
			continue;
		sf__buf_puts(buf, "    ");
		if (f->violation && !block[i].finding->violation)
			sf__buf_puts(buf, "note: ");
		detail(buf, block, count, i, shown);
	}
}

int sf__check_blocks(const sf_findings *findings, sf__check_block_fn *fn, void *ctx)
{
	size_t count = sf_findings_count(findings);
	entry *entries = NULL;
	bool *shown = NULL;

	if (count == 0)
		return 0;
	entries = calloc(count, sizeof(*entries));
	shown = calloc(count, sizeof(*shown));
	if (!entries || !shown) {
		free(entries);
		free(shown);
		return sf__fail(SF_ENOMEM, "out of memory while writing findings");
	}
	for (size_t i = 0; i < count; i++)
		entries[i] = (entry){ sf_findings_get(findings, i), i, i };
	/* Budgets come after the comparison: bring each struct's findings together. */
	qsort(entries, count, sizeof(*entries), by_struct);
	for (size_t i = 1; i < count; i++) {
		if (same_block(&entries[i - 1], &entries[i]))
			entries[i].block_first = entries[i - 1].block_first;
	}
	qsort(entries, count, sizeof(*entries), by_block);
	for (size_t start = 0, end; start < count; start = end) {
		for (end = start + 1; end < count && entries[end].block_first == entries[start].block_first; end++)
			;
		fn(ctx, entries + start, end - start, shown + start);
	}
	free(entries);
	free(shown);
	return 0;
}

static void text_block(void *ctx, const entry *block, size_t count, bool *shown)
{
	block_text(ctx, block, count, shown);
}

int sf__emit_check_text(sf_buf *buf, const sf_findings *findings)
{
	int error = sf__check_blocks(findings, text_block, buf);

	if (!error && buf->failed)
		error = sf__fail(SF_ENOMEM, "out of memory while writing findings");
	return error;
}
