/* Test helper: one struct planned at a time through sf__reorder_struct, the fixture test_reorder and test_cacheorder share. */
#ifndef SF_TESTS_PLAN_FIXTURE_H
#define SF_TESTS_PLAN_FIXTURE_H

#include <criterion/criterion.h>

#include <structfit/structfit.h>

#include <string.h>

#include "layout/place.h"
#include "model/structs.h"
#include "reorder/plan.h"

typedef struct fixture {
	sf_unit unit;
	sf_arena *arena;
	sf_search_ws ws;
	sf_plan_entry entry;
	sf_constraints *constraints;
} fixture;

static fixture fx;

static inline void setup(void)
{
	memset(&fx, 0, sizeof(fx));
	cr_assert_eq(sf__unit_init(&fx.unit, 0), 0);
	cr_assert_eq(sf__arena_new(&fx.arena), 0);
}

static inline void teardown(void)
{
	sf__layout_free(fx.entry.owned_layout);
	sf__search_ws_free(&fx.ws);
	sf_constraints_free(fx.constraints);
	sf__arena_free(fx.arena);
	sf__unit_release(&fx.unit);
}

/* The proposal for `s` (replacing the previous one's layout). */
static inline const sf_proposal *plan_with(const sf_struct *s, const sf_reorder_options *opts)
{
	sf__layout_free(fx.entry.owned_layout);
	fx.entry.owned_layout = NULL;
	int rc = sf__reorder_struct(&fx.entry, s, NULL, opts, 64, &fx.ws, fx.arena);
	cr_assert_eq(rc, 0, "%s", sf_error_last());
	return &fx.entry.proposal;
}

/* Replaces fx.constraints by the rules of `text`. */
static inline void use_constraints(const char *text)
{
	sf_constraints_free(fx.constraints);
	fx.constraints = NULL;
	int rc = sf_constraints_parse(&fx.constraints, text, strlen(text), "test.cf");
	cr_assert_eq(rc, 0, "%s", sf_error_last());
}

#endif
