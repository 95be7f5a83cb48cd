/* Run-wide sizes of patched Go structs (fix_go_predict.c). */
#ifndef SF_FIX_FIX_GO_PREDICT_H
#define SF_FIX_FIX_GO_PREDICT_H

#include "fix/fix_builder.h"

/*
 * Once every struct is considered: the patched Go structs' sizes with the
 * patched structs they hold by value (fields, arrays) at their new sizes,
 * by Go's layout rules.  0 or SF_ENOMEM.
 */
int sf__fix_go_predict(builder *b);

#endif
