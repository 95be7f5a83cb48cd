/* The text format of `check`: findings grouped by struct under a compiler-style line. */
#ifndef SF_GATE_CHECK_TEXT_H
#define SF_GATE_CHECK_TEXT_H

#include <structfit/gate.h>

#include <stdbool.h>
#include <stddef.h>

/*
 * A finding in its struct's block.  Blocks hold the findings about one
 * definition (a finding about no struct is a block of its own), in the
 * order of the findings, and come in the order of their first finding.
 */
typedef struct sf__check_entry {
	const sf_finding *finding;
	size_t index;            /* position in the findings: blocks keep their first one's order */
	size_t block_first;      /* index of the block's first finding */
} sf__check_entry;

/* Called once per block; shown[i] is set once block[i] has been written. */
typedef void sf__check_block_fn(void *ctx, const sf__check_entry *block, size_t count, bool *shown);

/* Calls `fn` for each block of `findings`.  0 or SF_ENOMEM. */
int sf__check_blocks(const sf_findings *findings, sf__check_block_fn *fn, void *ctx);

/*
 * Appends the detail of block[at] (with " [rule]" when `rule`), or, when
 * other members of the block moved by the same distance, one line for all
 * of them ("3 members moved by +8 bytes: 'a', 'b', 'c'"), without a
 * newline.  Marks what it covered in `shown`; returns how many findings
 * that was.
 */
size_t sf__check_detail(sf_buf *buf, const sf__check_entry *block, size_t count, size_t at, bool *shown,
			bool rule);

/* Appends the findings; 0, or SF_ENOMEM (also when `buf` failed). */
int sf__emit_check_text(sf_buf *buf, const sf_findings *findings);

#endif
