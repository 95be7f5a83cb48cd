/* Rendering reports as text (pahole-compatible), JSON, HTML or SVG into a buffer. */
#ifndef STRUCTFIT_EMIT_H
#define STRUCTFIT_EMIT_H

#include <structfit/export.h>
#include <structfit/impact.h>
#include <structfit/reorder.h>
#include <structfit/report.h>

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif
SF_API_BEGIN

/*
 * Output buffer owned by the caller.  `data` is NUL-terminated whenever
 * len > 0.  Release the storage with sf_buf_free(); the struct itself may
 * live on the stack.
 */
typedef struct sf_buf {
	char *data;
	size_t len;
	size_t cap;
	int failed; /* an allocation failed; contents are incomplete */
} sf_buf;

#define SF_BUF_INIT { NULL, 0, 0, 0 }

/* Frees buf->data and resets the struct for reuse; NULL is fine. */
void sf_buf_free(sf_buf *buf);

typedef struct sf_emit_options {
	unsigned version;
	int color;    /* ANSI colours for holes and warnings (text only) */
	int summary;  /* one row per struct plus totals instead of full layouts */
	/* Since version 2. */
	/* Reorder proposals made by sf_reorder_plan() from the same report
	 * (borrowed): text shows each one after its struct, JSON adds a
	 * `proposal` object to every struct.  NULL for none. */
	const sf_plan *plan;
	/* sf_emit_reorder(): leave out structs whose proposal is the
	 * identity (what --min-savings asks for). */
	int changed_only;
	/* Since version 3. */
	/* Profile data matched to the same report (borrowed; NULL for
	 * none): summaries gain allocation, peak and size-class columns,
	 * text a profile line per struct, JSON an `impact` object per struct
	 * and a `profile` object (docs/json-schema.md). */
	const sf_impact *impact;
	/* Proposals the impact's savings are measured on when `plan` is
	 * NULL (a report without --reorder still ranks by savings).  Borrowed. */
	const sf_plan *impact_plan;
	/* Structs in sf_impact_rank() order instead of the report's
	 * (needs `impact`). */
	int sort_impact;
	/* Text only: the language definitions are printed in (sf_syntax);
	 * SF_SYNTAX_AUTO uses each struct's own (Go structs in Go syntax,
	 * everything else in C's). */
	int syntax;
	/* Since version 4.  Text: member offsets and sizes in hexadecimal,
	 * as pahole --hex. */
	int hex;
	/* Since version 5.  At most `top` structs (0: all), the first ones in
	 * the order printed, so after the sort_impact ranking: the rows of a
	 * summary or Markdown table (the shrinking structs with a plan's
	 * summary), the definitions of text, the structs of JSON.  Totals
	 * count the structs shown.  sf_emit_html() and sf_emit_svg() ignore
	 * it. */
	unsigned top;
	/* Since version 6.  Text (sf_emit_text): every member whose type is
	 * a struct or union (also through typedefs, qualifiers and arrays,
	 * for which the first element is shown) printed with its body inline,
	 * recursively, at absolute offsets, as pahole -E/--expand-types.  C++
	 * base classes stay one line.  Other renderers ignore it. */
	int expand_types;
	/* Since version 7.  sf_emit_text(): threads formatting the
	 * definitions of a large report (0: one per online CPU, 1: none);
	 * the text is the same for any count. */
	unsigned jobs;
} sf_emit_options;

typedef enum sf_syntax {
	SF_SYNTAX_AUTO = 0,
	SF_SYNTAX_C = 1,
	SF_SYNTAX_GO = 2
} sf_syntax;

#define SF_EMIT_OPTIONS_VERSION 7
#define SF_EMIT_OPTIONS_INIT { SF_EMIT_OPTIONS_VERSION, 0, 0, NULL, 0, NULL, NULL, 0, SF_SYNTAX_AUTO, 0, 0, 0, 0 }

/*
 * Each appends `report` (borrowed, not modified) to `buf`, as the CLI's
 * text or JSON output (docs/json-schema.md); `opts` may not be NULL.
 * Returns 0 or SF_ENOMEM (buf->failed is then set and the contents are
 * incomplete).
 */
int sf_emit_text(sf_buf *buf, const sf_report *report, const sf_emit_options *opts);
int sf_emit_json(sf_buf *buf, const sf_report *report, const sf_emit_options *opts);

/*
 * The report's summary (one row per struct: size, holes, padding, waste,
 * cache lines, declaration, then the totals) as a GitHub-flavoured
 * Markdown table.  With opts->plan (made from `report`), the structs its
 * proposals shrink instead: size, proposed size, saving, moved members,
 * cache lines (reorder --summary).  `opts` may be NULL.  Returns 0 or
 * SF_ENOMEM.
 */
int sf_emit_markdown(sf_buf *buf, const sf_report *report, const sf_emit_options *opts);

/*
 * Appends `text` escaped for GitHub-flavoured Markdown, the way the tables
 * above escape their cells, for callers writing their own lines around
 * them (a verdict naming a file): with `code`, for the inside of a code
 * span (only '|' is escaped; the caller writes the backticks), else as
 * plain text with Markdown's punctuation backslash-escaped.  A failed
 * allocation marks `buf` failed.
 */
void sf_emit_markdown_escape(sf_buf *buf, const char *text, int code);

/*
 * The proposals of `plan` alone, as text: each changed struct printed in
 * its proposed order with recomputed offsets, holes and cache lines, then
 * a line with the saving and the moved members; an unchanged struct gets
 * one line with the reason.  With opts->summary, one row per struct and
 * the total saving.  opts->plan is ignored.  Returns 0 or SF_ENOMEM.
 */
int sf_emit_reorder(sf_buf *buf, const sf_plan *plan, const sf_emit_options *opts);

/*
 * `report` as one self-contained HTML page (inline stylesheet and script,
 * no network request, no external resource): a sortable, filterable
 * summary of every struct and, drawn on demand, each struct's byte map,
 * with the proposal of opts->plan (when given) beside it.  The report's
 * JSON (sf_emit_json) and the proposals' placed layouts are embedded once;
 * the page computes no layout number itself.  Returns 0 or SF_ENOMEM.
 */
int sf_emit_html(sf_buf *buf, const sf_report *report, const sf_emit_options *opts);

/*
 * A page comparing two builds: the structs of `new_report` in the summary
 * (with the number of findings of each), and for each its old and new byte
 * maps side by side, the members the findings name marked.  The findings
 * are `findings_json` (findings_len bytes), the JSON that
 * sf_emit_findings(SF_FINDINGS_JSON) wrote for sf_gate_diff() of the same
 * builds; the page only reads it.  Returns 0, SF_EUSAGE (no findings) or
 * SF_ENOMEM.
 */
int sf_emit_html_diff(sf_buf *buf, const sf_report *old_report, const sf_report *new_report,
		      const char *findings_json, size_t findings_len, const sf_emit_options *opts);

/*
 * The byte map of struct `index` of `report` as a standalone SVG image:
 * one row per cache line, members as labelled spans, holes and tail
 * padding hatched, bitfield bytes marked.  Returns 0, SF_ENOTFOUND (index
 * out of range, sf_error_last() says so) or SF_ENOMEM.
 */
int sf_emit_svg(sf_buf *buf, const sf_report *report, size_t index, const sf_emit_options *opts);

SF_API_END
#ifdef __cplusplus
}
#endif
#endif
