/*
 * Helpers shared by the text emitters: C declarators, declaration sites,
 * one definition (layout_text.c), proposals (reorder_emit.c), summaries.
 * Calls run one way: text_emit.c uses layout_text.c, reorder_emit.c and
 * summary_emit.c; reorder_emit.c uses layout_text.c, never the reverse.
 */
#ifndef SF_EMIT_TEXT_COMMON_H
#define SF_EMIT_TEXT_COMMON_H

#include <structfit/emit.h>
#include <structfit/impact.h>

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
enum {
	SF__TEXT_COLOR = 1,
	SF__TEXT_C = 2,
	SF__TEXT_GO = 4,
	SF__TEXT_HEX = 8,    /* pahole --hex */
	SF__TEXT_EXPAND = 16 /* pahole -E: struct-typed members printed inline */
};

static inline int sf__text_style(const sf_emit_options *opts)
{
	int style = opts->color ? SF__TEXT_COLOR : 0;

	if (opts->version >= 3 && opts->syntax == SF_SYNTAX_C)
		style |= SF__TEXT_C;
	else if (opts->version >= 3 && opts->syntax == SF_SYNTAX_GO)
		style |= SF__TEXT_GO;
	/* Options from a version-3 caller end before `hex`. */
	if (opts->version >= 4 && opts->hex)
		style |= SF__TEXT_HEX;
	if (opts->version >= 6 && opts->expand_types)
		style |= SF__TEXT_EXPAND;
	return style;
}

/* How many of `count` structs to print under opts->top (version 5). */
static inline size_t sf__emit_shown(const sf_emit_options *opts, size_t count)
{
	if (opts && opts->version >= 5 && opts->top && opts->top < count)
		return opts->top;
	return count;
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

/*
 * The NAME column of the summaries widens to its longest name up to this;
 * a longer name overflows its own row rather than pushing every row's
 * numbers off the screen (Go names its anonymous structs by their whole
 * body, hundreds of characters).
 */
enum { SF__NAME_COLUMN_MAX = 60 };

static inline size_t sf__name_column_width(size_t width, size_t name_len)
{
	return name_len > width && name_len <= SF__NAME_COLUMN_MAX ? name_len : width;
}

/* Appends "file.c:12" (basename of decl_file; "?" when unknown, no line when 0). */
void sf__emit_decl_site(sf_buf *buf, const sf_struct *s);
/* The word before a struct's name in titles: "struct", "union", "class",
 * or "type" for Go. */
const char *sf__emit_struct_keyword(const sf_struct *s);
/* Appends the name summaries and one-line verdicts use: "struct foo", the
 * typedef of an anonymous struct, "union <anonymous>", Go's "type main.T". */
void sf__emit_struct_title(sf_buf *buf, const sf_struct *s);

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

/*
 * The target column (target_column.c): summaries have one when the
 * report's inputs differ in target (architecture, pointer size or byte
 * order); a struct's target is that of the input it was first found in.
 */
bool sf__emit_mixed_targets(const sf_report *report);
const char *sf__emit_struct_target(const sf_report *report, const sf_struct *s);

/* The one-row-per-struct table used by sf_emit_text() in summary mode. */
int sf__emit_summary(sf_buf *buf, const sf_report *report, const sf_emit_options *opts);

/* Profile data in the renderers (impact_emit.c). */

/* opts->impact when opts has it (version 3) and it was matched to
 * `report` (another report's indexes name other structs), else NULL. */
const sf_impact *sf__emit_impact(const sf_report *report, const sf_emit_options *opts);
/* The proposals savings are measured on: opts->plan, else impact_plan;
 * NULL when neither belongs to `report`. */
const sf_plan *sf__emit_savings_plan(const sf_report *report, const sf_emit_options *opts);
/* Order to print the report's structs in: *order gets a malloc'd
 * permutation (identity unless opts->sort_impact).  0 or SF_ENOMEM. */
int sf__emit_order(size_t **order, const sf_report *report, const sf_emit_options *opts);
/* The summary table with impact columns; `shrinking_only` keeps the
 * structs whose proposal changes them (reorder --summary). */
int sf__emit_impact_summary(sf_buf *buf, const sf_report *report, const sf_emit_options *opts,
			    int shrinking_only);
/* A "profile: ..." comment line after a struct's text; nothing without data. */
void sf__emit_impact_line(sf_buf *buf, const sf_impact *impact, const sf_plan *plan, size_t index);
/* The `impact` member of a struct's JSON object, with its leading comma. */
void sf__emit_impact_json(sf_buf *buf, const sf_impact *impact, const sf_plan *plan, size_t index);
/* The top-level `profile` member (allocator, sites), with its leading comma. */
void sf__emit_profile_json(sf_buf *buf, const sf_impact *impact, const sf_report *report);

#endif
