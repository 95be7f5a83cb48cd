/* C++ steps of building a fix: when to read a body as C++, orders within access sections, slot edits. */
#ifndef SF_FIX_FIX_CXX_BUILD_H
#define SF_FIX_FIX_CXX_BUILD_H

#include <stdbool.h>
#include <stdint.h>

#include "fix/fix_body.h"
#include "fix/fix_result.h"
#include "model/structs.h"
#include "util/arena.h"

/* Whether `def`, defined in `path`, is C++ for certain: a class, bases or
 * a vptr, or a C++ file name. */
bool sf__fix_cxx_hint(const sf_struct *def, const char *path);

/*
 * Orders the movable units of each access section by decreasing
 * alignment, keeping the sections where they are, and lays the result
 * out.  On success fills `units` (movable_count entries) and *size and
 * returns 0; returns 1 when that saves nothing or the class has bases or
 * a vptr, or a negative code.
 */
int sf__fix_cxx_replan_sections(const sf_struct *def, const sf_fix_body *body, uint32_t *units,
				uint64_t *size, sf_arena *arena);

/* new_pos[member] = its position once the units are in `units` order. */
void sf__fix_cxx_new_positions(const sf_struct *def, const sf_fix_body *body, const uint32_t *units,
			       uint32_t *new_pos);

/*
 * Adds to `src` one edit per movable unit whose place gets another unit,
 * for a body with fixed units (they and the gaps stay), the text in
 * fix's arena.  Returns 0 or SF_ENOMEM.
 */
int sf__fix_cxx_slot_edits(sf_fix *fix, sf_fix_source *src, const sf_fix_body *body, const uint32_t *units);

/* Adds an edit (`text` in fix's arena) to `src` unless it overlaps one
 * there; returns 1 when it does, 0, or SF_ENOMEM. */
int sf__fix_add_edit(sf_fix *fix, sf_fix_source *src, size_t start, size_t end, char *text, size_t len);

#endif
