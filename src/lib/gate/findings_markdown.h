/* Gate findings as GitHub-flavoured Markdown tables, for pull-request comments and step summaries. */
#ifndef SF_GATE_FINDINGS_MARKDOWN_H
#define SF_GATE_FINDINGS_MARKDOWN_H

#include <structfit/gate.h>

/*
 * Appends the table of `findings`: one row per finding for a check (a
 * line of members moved by the same distance is one row, as in the text
 * format), one row per struct for a diff.  Declaration paths under
 * `source_root` (may be NULL) are shown relative to it.  Nothing when
 * there is no finding.  0 or SF_ENOMEM.
 */
int sf__emit_findings_markdown(sf_buf *buf, const sf_findings *findings, const char *source_root);

#endif
