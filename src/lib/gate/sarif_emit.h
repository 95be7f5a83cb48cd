/* SARIF 2.1.0 rendering of gate findings, for code-scanning services. */
#ifndef SF_GATE_SARIF_EMIT_H
#define SF_GATE_SARIF_EMIT_H

#include <structfit/gate.h>

/* Appends one SARIF log with one run; failures mark `buf` failed. */
void sf__emit_sarif(sf_buf *buf, const sf_findings *findings, const char *source_root);

#endif
