/* Linux kernel cache-line groups in a snapshot struct (markers __cacheline_group_begin__NAME / _end__NAME). */
#ifndef SF_GATE_CACHELINE_GROUP_H
#define SF_GATE_CACHELINE_GROUP_H

#include <stdint.h>

#include "gate/snapshot.h"

/* One group: its NAME (not NUL-terminated: name_len bytes) and the bytes
 * from its begin marker to its end marker. */
typedef struct sf_snap_group {
	const char *name;
	uint32_t name_len;
	uint64_t first;
	uint64_t end;
} sf_snap_group;

/* Fills out[0..max) with the top-level groups of `s` in declaration order
 * (an unmatched marker makes none); returns how many there are. */
uint32_t sf__snap_groups(const sf_snap_struct *s, sf_snap_group *out, uint32_t max);

/* Cache lines of `line` bytes the group touches from a line-aligned
 * struct start, and the fewest its size could touch (0 when empty). */
uint64_t sf__snap_group_lines(const sf_snap_group *g, unsigned line);
uint64_t sf__snap_group_needed(const sf_snap_group *g, unsigned line);

#endif
