/* The text format of `check`: findings grouped by struct under a compiler-style line. */
#ifndef SF_GATE_CHECK_TEXT_H
#define SF_GATE_CHECK_TEXT_H

#include <structfit/gate.h>

/* Appends the findings; 0, or SF_ENOMEM (also when `buf` failed). */
int sf__emit_check_text(sf_buf *buf, const sf_findings *findings);

#endif
