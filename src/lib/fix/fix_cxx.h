/* Reading C++ class bodies for fix: access labels, declarations that are not data members, constructors. */
#ifndef SF_FIX_FIX_CXX_H
#define SF_FIX_FIX_CXX_H

#include <stdbool.h>
#include <stddef.h>

#include "fix/fix_lex.h"
#include "model/structs.h"

/* The access a label at token `i` gives (1 public, 2 protected, 3 private),
 * with *colon its ':' token; 0 when `i` starts no access label. */
int sf__fix_cxx_label(const char *text, const sf_fix_tokens *toks, size_t i, size_t limit, size_t *colon);

/*
 * The last token of the member declaration starting at `first` in a C++
 * body ending at `close`: its ';', or the '}' of a function body that
 * needs none.  Returns `close` when the declaration does not end.
 */
size_t sf__fix_cxx_decl_end(const char *text, const sf_fix_tokens *toks, size_t first, size_t close);

/*
 * Whether the declaration in tokens [first, last] declares no non-static
 * data member (a function, a nested type, typedef, using, friend,
 * static_assert, static member, or an empty declaration).  *ctor is set
 * to the name token of a constructor of the class called `name`, else
 * to `last + 1`; *is_virtual when it is a virtual function, *is_function
 * when it is a function (whose body and parameters see the whole class,
 * so members may move across it freely).
 */
bool sf__fix_cxx_not_data(const char *text, const sf_fix_tokens *toks, size_t first, size_t last,
			  const char *name, size_t *ctor, bool *is_virtual, bool *is_function);

/* The class's own name (after the last "::"), NULL for templates and anonymous ones. */
const char *sf__fix_cxx_short_name(const sf_struct *def);

/* Whether member `m` is a base class subobject or the vptr: in the debug info, not in the body. */
bool sf__fix_cxx_outside(const sf_member *m);

#endif
