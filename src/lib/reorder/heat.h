/* The cache-aware objective's measures: the hot set, and cache lines at the worst allocation start. */
#ifndef SF_REORDER_HEAT_H
#define SF_REORDER_HEAT_H

#include <structfit/reorder.h>

#include <stdbool.h>
#include <stdint.h>

#include "model/structs.h"
#include "reorder/problem.h"
#include "util/arena.h"

/* malloc's guarantee on the 64-bit targets we plan for (glibc, jemalloc,
 * tcmalloc, the kernel's kmalloc for sizes >= 16): an object may start at
 * any multiple of it, so a 64-byte line can begin 0, 16, 32 or 48 bytes in. */
#define SF_HEAT_MALLOC_ALIGN 16

/* A member is hot from this share of its struct's busiest member (see heat.c). */
#define SF_HEAT_HOT_PERCENT 25

/* Whether a member with `weight` accesses (reads + writes) is hot in a
 * struct whose busiest member has `busiest`: the planner's hot set and
 * the impact report's "hot" class are this one test. */
static inline bool sf__heat_is_hot(uint64_t weight, uint64_t busiest)
{
	/* ceil(busiest * percent / 100) without overflow */
	uint64_t need = busiest / 100 * SF_HEAT_HOT_PERCENT + ((busiest % 100) * SF_HEAT_HOT_PERCENT + 99) / 100;

	return weight != 0 && weight >= need;
}

/*
 * Cache lines of `line` bytes that bytes [first, end) touch at the worst
 * object start that is a multiple of `base_align` (a power of two <= line);
 * 0 when end <= first.
 */
uint32_t sf__heat_lines(uint64_t first, uint64_t end, uint64_t base_align, uint64_t line);

/* The fewest sf__heat_lines() of any span of `len` bytes, wherever it starts. */
uint32_t sf__heat_lines_lower(uint64_t len, uint64_t base_align, uint64_t line);

/* Whether bytes [a_first, a_end) and [b_first, b_end) share a cache line
 * at some object start that is a multiple of `base_align`. */
bool sf__heat_may_share(uint64_t a_first, uint64_t a_end, uint64_t b_first, uint64_t b_end,
			uint64_t base_align, uint64_t line);

/*
 * Fills p->weight, p->threads, p->hot, p->hot_count and p->hot_bits from
 * the heat entries naming struct `name` and the members a hot rule named
 * (`hot_rule`, member_count flags), and p->base_align.  Returns 0 or
 * SF_ENOMEM.
 */
int sf__heat_assign(sf_rproblem *p, const char *name, const sf_reorder_options *opts, const bool *hot_rule,
		    sf_arena *arena);

/* Measures of a layout: members of `placed` in order `order` (declaration
 * indices; NULL: declaration order); hot flags and threads indexed by
 * declaration. */
typedef struct sf_heat_measure {
	uint32_t hot_lines;
	uint64_t hot_end;          /* bytes */
	uint32_t shared_writers;   /* pairs of multi-thread writers that may share a line */
} sf_heat_measure;

void sf__heat_measure(sf_heat_measure *out, const sf_struct *placed, const uint32_t *order, const bool *hot,
		      const uint32_t *threads, uint64_t base_align, uint64_t line);

#endif
