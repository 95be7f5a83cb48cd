/* SARIF 2.1.0 log of gate findings: one rule per finding kind, results on the struct's line. */
#include "gate/sarif_emit.h"

#include <structfit/structfit.h>

#include <stdbool.h>
#include <string.h>

#include "util/buf.h"
#include "util/json_write.h"

/* Characters RFC 3986 allows unescaped in a path. */
static bool uri_plain(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       strchr("-._~/!$&'()*+,;=:@", c) != NULL;
}

/*
 * Relative paths stay relative (code scanning resolves them against the
 * checkout); absolute ones under `source_root` are made relative, others
 * become file:// URIs.
 */
static void uri(sf_buf *buf, const char *path, const char *source_root)
{
	sf_buf u = SF_BUF_INIT;
	size_t root_len = source_root ? strlen(source_root) : 0;

	while (root_len > 1 && source_root[root_len - 1] == '/')
		root_len--;
	if (root_len && strncmp(path, source_root, root_len) == 0 && path[root_len] == '/')
		path += root_len + 1;
	else if (path[0] == '/')
		sf__buf_puts(&u, "file://");
	for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
		if (uri_plain(*p))
			sf__buf_putc(&u, (char)*p);
		else
			sf__buf_printf(&u, "%%%02X", *p);
	}
	if (u.failed)
		buf->failed = 1;
	sf__buf_json_string(buf, u.data ? u.data : "");
	sf_buf_free(&u);
}

/* Findings of the shrink and added kinds are notes; mirrors is_violation() in compare.c. */
static const char *rule_level(sf_finding_kind kind)
{
	switch (kind) {
	case SF_FINDING_STRUCT_SHRANK:
	case SF_FINDING_STRUCT_ADDED:
	case SF_FINDING_HOLES_SHRANK:
	case SF_FINDING_PADDING_SHRANK:
		return "note";
	default:
		return "error";
	}
}

static void rules(sf_buf *buf)
{
	sf__json_key(buf, "rules", true);
	sf__buf_putc(buf, '[');
	for (int k = 0; k < SF_FINDING_KIND_COUNT; k++) {
		sf__json_line(buf, k == 0, 8);
		sf__buf_putc(buf, '{');
		sf__json_string_field(buf, "id", sf_finding_rule((sf_finding_kind)k), true);
		sf__json_key(buf, "shortDescription", false);
		sf__buf_putc(buf, '{');
		sf__json_string_field(buf, "text", sf_finding_rule_text((sf_finding_kind)k), true);
		sf__buf_putc(buf, '}');
		sf__json_key(buf, "defaultConfiguration", false);
		sf__buf_putc(buf, '{');
		sf__json_string_field(buf, "level", rule_level((sf_finding_kind)k), true);
		sf__buf_puts(buf, "}}");
	}
	sf__json_line(buf, true, 6);
	sf__buf_putc(buf, ']');
}

static void location(sf_buf *buf, const sf_finding *f, const char *source_root)
{
	sf__json_key(buf, "locations", false);
	sf__buf_putc(buf, '[');
	sf__buf_putc(buf, '{');
	sf__json_key(buf, "physicalLocation", true);
	sf__buf_putc(buf, '{');
	sf__json_key(buf, "artifactLocation", true);
	sf__buf_putc(buf, '{');
	sf__json_key(buf, "uri", true);
	uri(buf, f->decl_file, source_root);
	sf__buf_putc(buf, '}');
	if (f->decl_line) {
		sf__json_key(buf, "region", false);
		sf__buf_putc(buf, '{');
		sf__json_u64_field(buf, "startLine", f->decl_line, true);
		sf__buf_putc(buf, '}');
	}
	sf__buf_puts(buf, "}}]");
}

/* Lets code scanning follow one finding across commits. */
static void fingerprint(sf_buf *buf, const sf_finding *f)
{
	sf_buf print = SF_BUF_INIT;

	sf__buf_printf(&print, "%s:%s:%s:%s", sf_finding_rule(f->kind), f->struct_kind ? f->struct_kind : "",
		       f->struct_name, f->member ? f->member : "");
	if (print.failed)
		buf->failed = 1;
	sf__json_key(buf, "partialFingerprints", false);
	sf__buf_putc(buf, '{');
	sf__json_string_field(buf, "structfitFinding/v1", print.data ? print.data : "", true);
	sf__buf_putc(buf, '}');
	sf_buf_free(&print);
}

static void result(sf_buf *buf, const sf_finding *f, const char *source_root, bool first)
{
	sf_buf message = SF_BUF_INIT;

	if (f->struct_kind)
		sf__buf_printf(&message, "%s %s: ", f->struct_kind, f->struct_name);
	sf__buf_puts(&message, f->detail);
	if (message.failed)
		buf->failed = 1;
	sf__json_line(buf, first, 4);
	sf__buf_putc(buf, '{');
	sf__json_string_field(buf, "ruleId", sf_finding_rule(f->kind), true);
	sf__json_u64_field(buf, "ruleIndex", (uint64_t)f->kind, false);
	sf__json_string_field(buf, "level", f->violation ? "error" : "note", false);
	sf__json_key(buf, "message", false);
	sf__buf_putc(buf, '{');
	sf__json_string_field(buf, "text", message.data ? message.data : "", true);
	sf__buf_putc(buf, '}');
	if (f->decl_file)
		location(buf, f, source_root);
	if (f->struct_name)
		fingerprint(buf, f);
	sf__buf_putc(buf, '}');
	sf_buf_free(&message);
}

/* The log's outer levels one key per line, as code-scanning docs show them. */
void sf__emit_sarif(sf_buf *buf, const sf_findings *findings, const char *source_root)
{
	size_t count = sf_findings_count(findings);

	sf__buf_putc(buf, '{');
	sf__json_line(buf, true, 2);
	sf__json_string_field(buf, "$schema", "https://json.schemastore.org/sarif-2.1.0.json", true);
	sf__json_line(buf, false, 2);
	sf__json_string_field(buf, "version", "2.1.0", true);
	sf__json_line(buf, false, 2);
	sf__json_key(buf, "runs", true);
	sf__buf_puts(buf, "[{");
	sf__json_line(buf, true, 4);
	sf__json_key(buf, "tool", true);
	sf__buf_putc(buf, '{');
	sf__json_key(buf, "driver", true);
	sf__buf_putc(buf, '{');
	sf__json_line(buf, true, 6);
	sf__json_string_field(buf, "name", "structfit", true);
	sf__json_string_field(buf, "version", sf_version(), false);
	sf__json_line(buf, false, 6);
	sf__json_string_field(buf, "informationUri", "https://github.com/structfit/structfit", true);
	sf__json_line(buf, false, 6);
	rules(buf);
	sf__json_line(buf, true, 4);
	sf__buf_puts(buf, "}}");
	sf__json_line(buf, false, 4);
	sf__json_key(buf, "results", true);
	sf__buf_putc(buf, '[');
	for (size_t i = 0; i < count; i++)
		result(buf, sf_findings_get(findings, i), source_root, i == 0);
	if (count)
		sf__json_line(buf, true, 4);
	sf__buf_putc(buf, ']');
	sf__json_line(buf, true, 2);
	sf__buf_puts(buf, "}]");
	sf__json_line(buf, true, 0);
	sf__buf_puts(buf, "}\n");
}
