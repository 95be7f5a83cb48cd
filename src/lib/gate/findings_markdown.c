/*
 * Gate findings as GitHub-flavoured Markdown: check's findings one row
 * each (grouped by struct and moves collapsed as in check's text format,
 * check_text.c), diff's changes one row per struct.  Cells go through the
 * escaping shared with the summary tables (util/md_escape.h).
 */
#include "gate/findings_markdown.h"

#include <inttypes.h>
#include <stdbool.h>
#include <string.h>

#include "gate/check_text.h"
#include "gate/snapshot.h"
#include "util/buf.h"
#include "util/fail.h"
#include "util/md_escape.h"

/* Shown for the side of a change that has no value (a struct added or removed). */
#define NONE "\xe2\x80\x93" /* en dash */

typedef struct md_ctx {
	sf_buf *buf;
	const char *source_root;
} md_ctx;

static void struct_cell(sf_buf *buf, const sf_finding *f)
{
	if (!f->struct_name)
		return;
	sf__buf_putc(buf, '`');
	if (f->struct_kind) {
		sf__buf_puts(buf, f->struct_kind);
		sf__buf_putc(buf, ' ');
	}
	sf__md_code(buf, f->struct_name);
	sf__buf_putc(buf, '`');
}

/* "src/conn.h:12": paths under the source root relative to it, as in SARIF. */
static void declared_cell(sf_buf *buf, const sf_finding *f, const char *source_root)
{
	const char *path = f->decl_file;
	size_t root_len = source_root ? strlen(source_root) : 0;

	if (!path)
		return;
	while (root_len > 1 && source_root[root_len - 1] == '/')
		root_len--;
	if (root_len && strncmp(path, source_root, root_len) == 0 && path[root_len] == '/')
		path += root_len + 1;
	sf__md_text(buf, path);
	if (f->decl_line)
		sf__buf_printf(buf, ":%u", f->decl_line);
}

static bool is_budget(sf_finding_kind kind)
{
	return kind == SF_FINDING_MAX_PADDING || kind == SF_FINDING_MAX_SIZE ||
	       kind == SF_FINDING_MAX_CACHELINES || kind == SF_FINDING_BUDGET_UNMATCHED;
}

/* The numbers compared; `covered` findings of members moved by the same distance show it. */
static void values_cell(sf_buf *buf, const sf_finding *f, size_t covered)
{
	uint64_t distance = f->new_value > f->old_value ? f->new_value - f->old_value
							: f->old_value - f->new_value;

	switch (f->kind) {
	case SF_FINDING_BUDGET_UNMATCHED:
		break;
	case SF_FINDING_MAX_PADDING:
	case SF_FINDING_MAX_SIZE:
	case SF_FINDING_MAX_CACHELINES:
	case SF_FINDING_CACHELINE_GROUP:
		sf__buf_printf(buf, "%" PRIu64, f->new_value);
		break;
	case SF_FINDING_STRUCT_ADDED:
	case SF_FINDING_MEMBER_ADDED:
	case SF_FINDING_NEW_HOLE:
		sf__buf_printf(buf, NONE " → %" PRIu64, f->new_value);
		break;
	case SF_FINDING_STRUCT_REMOVED:
	case SF_FINDING_MEMBER_REMOVED:
		sf__buf_printf(buf, "%" PRIu64 " → " NONE, f->old_value);
		break;
	default:
		if (covered > 1)
			sf__buf_printf(buf, "%c%" PRIu64, f->new_value > f->old_value ? '+' : '-', distance);
		else
			sf__buf_printf(buf, "%" PRIu64 " → %" PRIu64, f->old_value, f->new_value);
		break;
	}
}

/* The limit a budget finding broke; for a cache-line group, the lines its size needs. */
static void budget_cell(sf_buf *buf, const sf_finding *f)
{
	if (is_budget(f->kind))
		sf__buf_printf(buf, "%" PRIu64, f->limit);
	else if (f->kind == SF_FINDING_CACHELINE_GROUP)
		sf__buf_printf(buf, "%" PRIu64, f->old_value);
}

static void check_block(void *ctx, const sf__check_entry *block, size_t count, bool *shown)
{
	const md_ctx *md = ctx;
	sf_buf *buf = md->buf;
	sf_buf text = SF_BUF_INIT;

	for (size_t i = 0; i < count; i++) {
		const sf_finding *f = block[i].finding;
		size_t covered;

		if (shown[i])
			continue;
		text.len = 0;
		covered = sf__check_detail(&text, block, count, i, shown, false);
		sf__buf_puts(buf, f->violation ? "| **error** | " : "| note | ");
		struct_cell(buf, f);
		sf__buf_printf(buf, " | %s | ", sf_finding_rule(f->kind));
		values_cell(buf, f, covered);
		sf__buf_puts(buf, " | ");
		budget_cell(buf, f);
		sf__buf_puts(buf, " | ");
		sf__md_text(buf, text.data ? text.data : "");
		sf__buf_puts(buf, " | ");
		declared_cell(buf, f, md->source_root);
		sf__buf_puts(buf, " |\n");
	}
	if (text.failed)
		buf->failed = 1;
	sf_buf_free(&text);
}

/* The size change of a struct's diff, from the finding that states it. */
static void size_cell(sf_buf *buf, const sf__check_entry *block, size_t count)
{
	for (size_t i = 0; i < count; i++) {
		const sf_finding *f = block[i].finding;

		if (f->kind == SF_FINDING_STRUCT_GREW || f->kind == SF_FINDING_STRUCT_SHRANK ||
		    f->kind == SF_FINDING_STRUCT_ADDED || f->kind == SF_FINDING_STRUCT_REMOVED) {
			values_cell(buf, f, 1);
			return;
		}
	}
}

static void diff_block(void *ctx, const sf__check_entry *block, size_t count, bool *shown)
{
	const md_ctx *md = ctx;
	sf_buf *buf = md->buf;
	sf_buf text = SF_BUF_INIT;
	bool first = true;

	sf__buf_puts(buf, "| ");
	struct_cell(buf, block[0].finding);
	sf__buf_puts(buf, " | ");
	size_cell(buf, block, count);
	sf__buf_puts(buf, " | ");
	for (size_t i = 0; i < count; i++) {
		if (shown[i])
			continue;
		text.len = 0;
		sf__check_detail(&text, block, count, i, shown, false);
		/* A line break inside the cell: the row itself must stay one line. */
		if (!first)
			sf__buf_puts(buf, "<br>");
		sf__md_text(buf, text.data ? text.data : "");
		first = false;
	}
	sf__buf_puts(buf, " | ");
	declared_cell(buf, block[0].finding, md->source_root);
	sf__buf_puts(buf, " |\n");
	if (text.failed)
		buf->failed = 1;
	sf_buf_free(&text);
}

int sf__emit_findings_markdown(sf_buf *buf, const sf_findings *findings, const char *source_root)
{
	md_ctx md = { buf, source_root };
	int error;

	if (sf_findings_count(findings) == 0)
		return 0;
	if (findings->diff) {
		sf__buf_puts(buf, "| struct | size | changes | declared |\n"
				  "|---|--:|---|---|\n");
		error = sf__check_blocks(findings, diff_block, &md);
	} else {
		sf__buf_puts(buf, "| level | struct | rule | old → new | budget | finding | declared |\n"
				  "|---|---|---|--:|--:|---|---|\n");
		error = sf__check_blocks(findings, check_block, &md);
	}
	if (!error && buf->failed)
		error = sf__fail(SF_ENOMEM, "out of memory while writing findings");
	return error;
}
