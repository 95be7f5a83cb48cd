/*
 * Go sources for fix: the struct rewrite with its refusals (fix_go.c),
 * over the package files of fix_go_index.c, the scanner of fix_go_lex.c
 * and the body units of fix_go_body.c; run-wide sizes in
 * fix_go_predict.h.  fix_build.c calls both entry points.
 */
#ifndef SF_FIX_FIX_GO_H
#define SF_FIX_FIX_GO_H

#include <stddef.h>

#include "fix/fix_builder.h"

/*
 * Fix for plan entry `index`, a Go struct whose record is `record`:
 * finds `type T struct` in its package's files, checks the refusals
 * (unkeyed literals, unsafe, encoding/binary, cgo, //structfit:ignore)
 * and adds the edit moving whole field lines, or sets the record's
 * skip_reason.  0 or SF_ENOMEM.
 */
int sf__fix_go_consider(builder *b, size_t index, size_t record);

#endif
