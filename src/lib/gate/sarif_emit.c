/* SARIF 2.1.0 log of gate findings: one rule per finding kind, results on the struct's line. */
#include "gate/sarif_emit.h"

#include <structfit/structfit.h>

#include <stdbool.h>
#include <string.h>

#include "util/buf.h"

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

static void rules(sf_buf *buf)
{
	sf__buf_puts(buf, "\"rules\": [");
	for (int k = 0; k < SF_FINDING_KIND_COUNT; k++) {
		sf__buf_puts(buf, k ? ",\n        {\"id\": " : "\n        {\"id\": ");
		sf__buf_json_string(buf, sf_finding_rule((sf_finding_kind)k));
		sf__buf_puts(buf, ", \"shortDescription\": {\"text\": ");
		sf__buf_json_string(buf, sf_finding_rule_text((sf_finding_kind)k));
		sf__buf_puts(buf, "}, \"defaultConfiguration\": {\"level\": ");
		/* Mirrors is_violation() in compare.c through the shrink/added kinds. */
		switch ((sf_finding_kind)k) {
		case SF_FINDING_STRUCT_SHRANK:
		case SF_FINDING_STRUCT_ADDED:
		case SF_FINDING_HOLES_SHRANK:
		case SF_FINDING_PADDING_SHRANK:
			sf__buf_puts(buf, "\"note\"}}");
			break;
		default:
			sf__buf_puts(buf, "\"error\"}}");
			break;
		}
	}
	sf__buf_puts(buf, "\n      ]");
}

static void result(sf_buf *buf, const sf_finding *f, const char *source_root, bool first)
{
	sf_buf message = SF_BUF_INIT;

	if (f->struct_kind)
		sf__buf_printf(&message, "%s %s: ", f->struct_kind, f->struct_name);
	sf__buf_puts(&message, f->detail);
	if (message.failed)
		buf->failed = 1;
	sf__buf_puts(buf, first ? "\n    {\"ruleId\": " : ",\n    {\"ruleId\": ");
	sf__buf_json_string(buf, sf_finding_rule(f->kind));
	sf__buf_printf(buf, ", \"ruleIndex\": %d, \"level\": \"%s\", \"message\": {\"text\": ",
		       (int)f->kind, f->violation ? "error" : "note");
	sf__buf_json_string(buf, message.data ? message.data : "");
	sf__buf_putc(buf, '}');
	if (f->decl_file) {
		sf__buf_puts(buf, ", \"locations\": [{\"physicalLocation\": {\"artifactLocation\": {\"uri\": ");
		uri(buf, f->decl_file, source_root);
		sf__buf_putc(buf, '}');
		if (f->decl_line)
			sf__buf_printf(buf, ", \"region\": {\"startLine\": %u}", f->decl_line);
		sf__buf_puts(buf, "}}]");
	}
	if (f->struct_name) {
		/* Lets code scanning follow one finding across commits. */
		sf__buf_puts(buf, ", \"partialFingerprints\": {\"structfitFinding/v1\": ");
		sf_buf print = SF_BUF_INIT;
		sf__buf_printf(&print, "%s:%s:%s:%s", sf_finding_rule(f->kind),
			       f->struct_kind ? f->struct_kind : "", f->struct_name,
			       f->member ? f->member : "");
		sf__buf_json_string(buf, print.data ? print.data : "");
		if (print.failed)
			buf->failed = 1;
		sf_buf_free(&print);
		sf__buf_putc(buf, '}');
	}
	sf__buf_putc(buf, '}');
	sf_buf_free(&message);
}

void sf__emit_sarif(sf_buf *buf, const sf_findings *findings, const char *source_root)
{
	size_t count = sf_findings_count(findings);

	sf__buf_puts(buf, "{\n  \"$schema\": \"https://json.schemastore.org/sarif-2.1.0.json\",\n"
		     "  \"version\": \"2.1.0\",\n  \"runs\": [{\n    \"tool\": {\"driver\": {\n"
		     "      \"name\": \"structfit\", \"version\": ");
	sf__buf_json_string(buf, sf_version());
	sf__buf_puts(buf, ",\n      \"informationUri\": \"https://github.com/structfit/structfit\",\n      ");
	rules(buf);
	sf__buf_puts(buf, "\n    }},\n    \"results\": [");
	for (size_t i = 0; i < count; i++)
		result(buf, sf_findings_get(findings, i), source_root, i == 0);
	sf__buf_puts(buf, count ? "\n    ]\n  }]\n}\n" : "]\n  }]\n}\n");
}
