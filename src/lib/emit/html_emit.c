/*
 * The self-contained HTML layout map: one page with the report's JSON and
 * the proposals' placed layouts embedded once, and the stylesheet and
 * script (src/lib/emit/html/, compiled in as html_assets.c) that draw it.
 */
#include <structfit/emit.h>
#include <structfit/structfit.h>

#include <stdlib.h>

#include "emit/html_assets.h"
#include "emit/moved.h"
#include "layout/selection.h"
#include "reorder/plan.h"
#include "util/buf.h"
#include "util/checked.h"
#include "util/fail.h"
#include "util/json_write.h"

/*
 * The page loads nothing: no network, no fonts, no images.  The policy
 * makes a browser refuse any such request should a name in the data or
 * a future edit of the script try one.
 */
static const char page_head[] =
	"<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	"<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
	"script-src 'unsafe-inline'; style-src 'unsafe-inline'\">\n"
	"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	"<meta name=\"color-scheme\" content=\"light dark\">\n"
	"<title>structfit layout map</title>\n<style>\n";

/*
 * Copies a JSON document into a <script> element, dropping the blanks
 * between tokens (the data of a kernel is megabytes) and writing '<' in
 * strings as \u003c so a type name can never close the element.
 */
static void put_compact_json(sf_buf *buf, const sf_buf *json)
{
	bool in_string = false, escaped = false;

	for (size_t i = 0; i < json->len; i++) {
		char c = json->data[i];

		if (in_string) {
			if (c == '<')
				sf__buf_puts(buf, "\\u003c");
			else
				sf__buf_putc(buf, c);
			if (escaped)
				escaped = false;
			else if (c == '\\')
				escaped = true;
			else if (c == '"')
				in_string = false;
			continue;
		}
		if (c == ' ' || c == '\n')
			continue;
		if (c == '"')
			in_string = true;
		sf__buf_putc(buf, c);
	}
}

/*
 * [declaration index, offset, size, bit offset or -1, bits, crosses a
 * line, moved]: one member of a placed proposal, in memory order.
 */
static void placed_member(sf_buf *buf, const sf_member_layout *ml, uint32_t decl_index, bool moved)
{
	const sf_member *m = ml->member;
	bool bitfield = (m->flags & SF_MEMBER_BITFIELD) && m->bit_size;

	sf__buf_printf(buf, "[%" PRIu32 ",%" PRIu64 ",%" PRIu64 ",", decl_index, ml->offset, m->size);
	if (bitfield)
		sf__buf_printf(buf, "%" PRIu64 ",%" PRIu32, ml->bit_offset, m->bit_size);
	else
		sf__buf_puts(buf, "-1,0");
	sf__buf_printf(buf, ",%d,%d]", ml->crosses_cacheline ? 1 : 0, moved ? 1 : 0);
}

/*
 * The placed layout of a proposal that changes the order, as the page
 * draws it: {"m": [placed_member...], "h": [[offset, size]...],
 * "bh": [[bit offset, bits]...], "pad": n, "cl": n}.  The numbers are the
 * ABI engine's and the analysis', the page only draws them.
 */
static void placed_layout(sf_buf *buf, const sf_plan *plan, size_t index)
{
	const sf_proposal *prop = sf_plan_proposal(plan, index);
	const sf_struct_layout *l = sf__plan_layout(plan, index);
	uint32_t n = prop->member_count;
	bool *kept;

	if (prop->reason != SF_REASON_NONE || prop->moved == 0 || l->member_count != n) {
		sf__buf_puts(buf, "null");
		return;
	}
	kept = calloc(n ? n : 1, sizeof(*kept));
	if (!kept || !sf__emit_kept_members(prop->order, n, kept)) {
		buf->failed = 1;
		free(kept);
		return;
	}
	sf__buf_puts(buf, "{\"m\":[");
	for (uint32_t pos = 0; pos < n; pos++) {
		uint32_t from = prop->order[pos];
		if (pos)
			sf__buf_putc(buf, ',');
		placed_member(buf, &l->members[pos], from, !kept[from]);
	}
	sf__buf_puts(buf, "],\"h\":[");
	for (uint32_t i = 0; i < l->hole_count; i++)
		sf__buf_printf(buf, "%s[%" PRIu64 ",%" PRIu64 "]", i ? "," : "", l->holes[i].offset,
			       l->holes[i].size);
	sf__buf_puts(buf, "],\"bh\":[");
	for (uint32_t i = 0; i < l->bit_hole_count; i++)
		sf__buf_printf(buf, "%s[%" PRIu64 ",%" PRIu64 "]", i ? "," : "",
			       l->bit_holes[i].bit_offset, l->bit_holes[i].bits);
	sf__buf_printf(buf, "],\"pad\":%" PRIu64 ",\"cl\":%" PRIu64 "}", l->padding, l->cachelines);
	free(kept);
}

/*
 * {"summary": [[holes, hole bytes, padding, waste]...], "placed":
 * [placed layout or null...]}, both index-aligned with the report's
 * structs; waste is the summary table's (holes + tail padding).
 */
static void page_extra(sf_buf *buf, const sf_report *report, const sf_plan *plan)
{
	sf__buf_puts(buf, "{\"summary\":[");
	for (size_t i = 0; i < report->count; i++) {
		const sf_struct_layout *l = report->entries[i].layout;
		sf__buf_printf(buf, "%s[%" PRIu32 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 "]", i ? "," : "",
			       l->hole_count, l->sum_holes, l->padding, sf__add_sat_u64(l->sum_holes, l->padding));
	}
	sf__buf_puts(buf, "],\n\"placed\":[");
	for (size_t i = 0; i < report->count; i++) {
		if (i)
			sf__buf_puts(buf, ",\n");
		if (plan)
			placed_layout(buf, plan, i);
		else
			sf__buf_puts(buf, "null");
	}
	sf__buf_puts(buf, "]}");
}

/* A report's JSON (with `plan`'s proposals) and its page data as two <script> elements. */
static int report_scripts(sf_buf *buf, const sf_report *report, const sf_plan *plan, const char *id)
{
	sf_emit_options json_opts = SF_EMIT_OPTIONS_INIT;
	sf_buf json = SF_BUF_INIT;
	int rc;

	json_opts.plan = plan;
	rc = sf_emit_json(&json, report, &json_opts);
	if (rc == 0) {
		sf__buf_printf(buf, "<script type=\"application/json\" id=\"sf-%s\">", id);
		put_compact_json(buf, &json);
		sf__buf_printf(buf, "</script>\n<script type=\"application/json\" id=\"sf-%s-extra\">", id);
		page_extra(buf, report, plan);
		sf__buf_puts(buf, "</script>\n");
	}
	sf_buf_free(&json);
	return rc;
}

/* The page: style, the data as JSON scripts (the old build and the findings for diff pages), script. */
static int page(sf_buf *buf, const sf_report *report, const sf_plan *plan, const sf_report *old_report,
		const char *findings_json, size_t findings_len)
{
	int rc;

	sf__buf_puts(buf, page_head);
	sf__buf_put(buf, sf__html_css, sf__html_css_len);
	sf__buf_puts(buf, "</style>\n</head>\n<body>\n"
		     "<noscript>This layout map needs JavaScript.</noscript>\n");
	rc = report_scripts(buf, report, plan, "report");
	if (rc == 0 && old_report)
		rc = report_scripts(buf, old_report, NULL, "old");
	if (rc != 0)
		return rc;
	if (findings_json) {
		sf_buf findings = { (char *)findings_json, findings_len, findings_len, 0 };
		sf__buf_puts(buf, "<script type=\"application/json\" id=\"sf-findings\">");
		put_compact_json(buf, &findings);
		sf__buf_puts(buf, "</script>\n");
	}
	sf__buf_puts(buf, "<script>\n");
	sf__buf_put(buf, sf__html_js, sf__html_js_len);
	sf__buf_puts(buf, "</script>\n</body>\n</html>\n");
	if (buf->failed)
		return sf__fail(SF_ENOMEM, "out of memory while writing HTML");
	return 0;
}

int sf_emit_html(sf_buf *buf, const sf_report *report, const sf_emit_options *opts)
{
	const sf_plan *plan = NULL;

	if (opts && opts->version >= 2 && opts->plan && sf_plan_count(opts->plan) == report->count)
		plan = opts->plan;
	return page(buf, report, plan, NULL, NULL, 0);
}

int sf_emit_html_diff(sf_buf *buf, const sf_report *old_report, const sf_report *new_report,
		      const char *findings_json, size_t findings_len, const sf_emit_options *opts)
{
	(void)opts;
	if (!findings_json)
		return sf__fail(SF_EUSAGE, "sf_emit_html_diff: no findings");
	return page(buf, new_report, NULL, old_report, findings_json, findings_len);
}
