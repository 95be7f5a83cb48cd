/* C++ planning helpers: agreement between role hypotheses and the conservative pins. */
#ifndef SF_REORDER_PLAN_CXX_H
#define SF_REORDER_PLAN_CXX_H

#include <structfit/reorder.h>

#include <stdbool.h>
#include <stdint.h>

#include "layout/place_cxx.h"
#include "model/structs.h"
#include "util/arena.h"

/* Whether role hypothesis `h` gives `order` (n members) the size of
 * `placed`; scratch holds the trial layout. */
bool sf__plan_same_size(const sf_place_cxx *h, const uint32_t *order, uint32_t n, const sf_struct *placed,
			sf_arena *scratch);

/*
 * Hypothesis 0 with pins that make most orders look alike under every
 * hypothesis (see plan_cxx.c); *out is NULL when the hypotheses agree.
 * Returns 0 or SF_ENOMEM.
 */
int sf__plan_conservative(const sf_place_cxx **out, const sf_place_cxx *hyps, uint32_t count,
			  const sf_reorder_options *opts, sf_arena *scratch);

#endif
