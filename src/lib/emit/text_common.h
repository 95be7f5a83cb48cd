/*
 * Helpers shared by the text emitters: C declarators, declaration sites,
 * one definition (layout_text.c), proposals (reorder_emit.c), summaries.
 * Calls run one way: text_emit.c uses layout_text.c, reorder_emit.c and
 * summary_emit.c; reorder_emit.c uses layout_text.c, never the reverse.
 */
#ifndef SF_EMIT_TEXT_COMMON_H
#define SF_EMIT_TEXT_COMMON_H

#include <structfit/emit.h>

#include <stdbool.h>
#include <stddef.h>

#include "layout/analysis.h"
#include "layout/selection.h"
#include "model/structs.h"

/*
 * A member's type name is an abstract declarator ("char[16]",
 * "int (*)(void)"); printing a declaration splices the member name into
 * it.  The base is the part printed in the type column ("char", "int").
 */
size_t sf__declarator_base_len(const char *type_name);
/* Appends the rest of the declarator with `name` (may be NULL) in place. */
void sf__declarator_rest(sf_buf *buf, const char *type_name, size_t base_len, const char *name);

/*
 * The `style` of the definition printers below: bit flags, where a plain
 * colour flag (0 or 1) is a valid style.  SF__TEXT_C / SF__TEXT_GO force
 * a syntax; with neither, each struct is printed in its own language's.
 */
enum { SF__TEXT_COLOR = 1, SF__TEXT_C = 2, SF__TEXT_GO = 4 };

static inline int sf__text_style(const sf_emit_options *opts)
{
	int style = opts->color ? SF__TEXT_COLOR : 0;

	if (opts->version >= 3 && opts->syntax == SF_SYNTAX_C)
		style |= SF__TEXT_C;
	else if (opts->version >= 3 && opts->syntax == SF_SYNTAX_GO)
		style |= SF__TEXT_GO;
	return style;
}

/* Whether a printer with `style` writes `s` in Go syntax. */
static inline bool sf__text_go(int style, const sf_struct *s)
{
	return (style & SF__TEXT_GO) || (!(style & SF__TEXT_C) && s->go);
}

/*
 * Go syntax (go_text.c): appends "name type" for one field, the type
 * alone for an embedded field, to `line`.
 */
void sf__go_field_decl(sf_buf *line, const sf_member *m);

/* Appends "file.c:12" (basename of decl_file; "?" when unknown, no line when 0). */
void sf__emit_decl_site(sf_buf *buf, const sf_struct *s);

/*
 * Appends one definition pahole-style (header, members with holes and
 * cache-line marks, summary comments, closing line) from its analysis:
 * a report's layout or a proposal's.  Sets buf->failed on ENOMEM.
 */
void sf__emit_struct_layout(sf_buf *buf, const sf_struct_layout *layout, int style);
/* The same for a report's struct, after its conflicting-definitions line
 * if it has one; cache-line marks every `cacheline` bytes. */
void sf__emit_report_entry(sf_buf *buf, const sf_report_entry *entry, int style, unsigned cacheline);

/*
 * Appends proposal `index` of `plan` as text: the proposed definition and
 * its saving and moves, or one line with the reason it is unchanged.
 * Sets buf->failed on ENOMEM.
 */
void sf__emit_proposal_text(sf_buf *buf, const sf_plan *plan, size_t index, int style);

/* The one-row-per-struct table used by sf_emit_text() in summary mode. */
int sf__emit_summary(sf_buf *buf, const sf_report *report, const sf_emit_options *opts);

#endif
