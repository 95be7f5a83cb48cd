/* Rendering gate findings and build differences as grouped text or JSON (check's text: check_text.c, Markdown: findings_markdown.c). */
#include <structfit/gate.h>
#include <structfit/structfit.h>

#include <stdbool.h>
#include <string.h>

#include "gate/check_text.h"
#include "gate/findings_markdown.h"
#include "gate/sarif_emit.h"
#include "gate/snapshot.h"
#include "util/buf.h"
#include "util/fail.h"
#include "util/json_write.h"

/* "struct foo: " or "" for findings about no struct (unmatched budgets). */
static void subject(sf_buf *buf, const sf_finding *f)
{
	if (f->struct_kind)
		sf__buf_printf(buf, "%s %s: ", f->struct_kind, f->struct_name);
}

static bool same_struct(const sf_finding *a, const sf_finding *b)
{
	if (!a->struct_kind || !b->struct_kind)
		return false;
	return strcmp(a->struct_kind, b->struct_kind) == 0 && strcmp(a->struct_name, b->struct_name) == 0 &&
	       a->decl_line == b->decl_line &&
	       (a->decl_file == b->decl_file || (a->decl_file && b->decl_file &&
						 strcmp(a->decl_file, b->decl_file) == 0));
}

/* One heading per struct, its changes indented below. */
static void grouped(sf_buf *buf, const sf_findings *findings)
{
	const sf_finding *prev = NULL;

	for (size_t i = 0; i < sf_findings_count(findings); i++) {
		const sf_finding *f = sf_findings_get(findings, i);

		if (!prev || !same_struct(prev, f)) {
			if (f->struct_kind)
				sf__buf_printf(buf, "%s %s", f->struct_kind, f->struct_name);
			if (f->decl_file && f->decl_line)
				sf__buf_printf(buf, " (%s:%u)", f->decl_file, f->decl_line);
			else if (f->decl_file)
				sf__buf_printf(buf, " (%s)", f->decl_file);
			sf__buf_puts(buf, ":\n");
		}
		sf__buf_printf(buf, "  %s\n", f->detail);
		prev = f;
	}
}

static void json_finding(sf_buf *buf, const sf_finding *f, bool first)
{
	sf_buf message = SF_BUF_INIT;

	subject(&message, f);
	sf__buf_puts(&message, f->detail);
	if (message.failed)
		buf->failed = 1;
	sf__json_line(buf, first, 0);
	sf__buf_putc(buf, '{');
	sf__json_string_field(buf, "rule", sf_finding_rule(f->kind), true);
	sf__json_string_field(buf, "level", f->violation ? "error" : "note", false);
	sf__json_string_field(buf, "kind", f->struct_kind, false);
	sf__json_string_field(buf, "name", f->struct_name, false);
	sf__json_string_field(buf, "decl_file", f->decl_file, false);
	sf__json_u64_or_null_field(buf, "decl_line", f->decl_line, f->decl_line != 0, false);
	sf__json_string_field(buf, "member", f->member, false);
	sf__json_u64_field(buf, "old", f->old_value, false);
	sf__json_u64_field(buf, "new", f->new_value, false);
	sf__json_string_field(buf, "message", message.data ? message.data : "", false);
	sf__buf_putc(buf, '}');
	sf_buf_free(&message);
}

static void json(sf_buf *buf, const sf_findings *findings)
{
	size_t count = sf_findings_count(findings);

	sf__buf_putc(buf, '{');
	sf__json_string_field(buf, "tool", "structfit", true);
	sf__json_string_field(buf, "version", sf_version(), false);
	sf__json_string_field(buf, "document", findings->diff ? "diff" : "check", false);
	sf__json_u64_field(buf, "violations", sf_findings_violations(findings), false);
	sf__json_key(buf, "findings", false);
	sf__buf_putc(buf, '[');
	for (size_t i = 0; i < count; i++)
		json_finding(buf, sf_findings_get(findings, i), i == 0);
	if (count)
		sf__json_line(buf, true, 0);
	sf__buf_puts(buf, "]}\n");
}

int sf_emit_findings(sf_buf *buf, const sf_findings *findings, sf_findings_format format,
		     const char *source_root)
{
	switch (format) {
	case SF_FINDINGS_TEXT:
		return sf__emit_check_text(buf, findings);
	case SF_FINDINGS_DIFF:
		grouped(buf, findings);
		break;
	case SF_FINDINGS_JSON:
		json(buf, findings);
		break;
	case SF_FINDINGS_MARKDOWN:
		return sf__emit_findings_markdown(buf, findings, source_root);
	case SF_FINDINGS_SARIF:
		sf__emit_sarif(buf, findings, source_root);
		break;
	default:
		return sf__fail(SF_EUSAGE, "unknown findings format %d", (int)format);
	}
	if (buf->failed)
		return sf__fail(SF_ENOMEM, "out of memory while writing findings");
	return 0;
}
