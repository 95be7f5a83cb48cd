/* Helpers shared by the text emitters: C declarators, declaration sites, summaries. */
#ifndef SF_EMIT_TEXT_COMMON_H
#define SF_EMIT_TEXT_COMMON_H

#include <structfit/emit.h>

#include <stddef.h>

#include "model/structs.h"

/*
 * A member's type name is an abstract declarator ("char[16]",
 * "int (*)(void)"); printing a declaration splices the member name into
 * it.  The base is the part printed in the type column ("char", "int").
 */
size_t sf__declarator_base_len(const char *type_name);
/* Appends the rest of the declarator with `name` (may be NULL) in place. */
void sf__declarator_rest(sf_buf *buf, const char *type_name, size_t base_len, const char *name);

/* Appends "file.c:12" (basename of decl_file; "?" when unknown, no line when 0). */
void sf__emit_decl_site(sf_buf *buf, const sf_struct *s);

/* The one-row-per-struct table used by sf_emit_text() in summary mode. */
int sf__emit_summary(sf_buf *buf, const sf_report *report, const sf_emit_options *opts);

#endif
