/* Escaping text for GitHub-flavoured Markdown table cells (emit's and gate's tables share it). */
#ifndef SF_UTIL_MD_ESCAPE_H
#define SF_UTIL_MD_ESCAPE_H

#include <structfit/emit.h>

/*
 * Appends `text` for the inside of a code span in a table cell: '|' is
 * escaped, because GFM ends a cell at a bare '|' even inside backticks;
 * nothing else needs escaping there.  The caller writes the backticks.
 */
void sf__md_code(sf_buf *buf, const char *text);

/*
 * Appends `text` as plain cell text: Markdown's punctuation ('*', '_',
 * '`', '[', '<', '|', ...) backslash-escaped so that a type such as
 * "char *" or a path is shown as written, and line breaks as spaces so the
 * row stays one line.
 */
void sf__md_text(sf_buf *buf, const char *text);

#endif
