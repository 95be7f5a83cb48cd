/* Test helper: three hand-built structs in a planned report, and a source file on disk for the attribution to read. */
#ifndef SF_TESTS_IMPACT_FIXTURE_H
#define SF_TESTS_IMPACT_FIXTURE_H

#include <criterion/criterion.h>

#include <structfit/structfit.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "layout/selection.h"
#include "model_builder.h"

typedef struct impact_fixture {
	sf_model *model;
	sf_unit unit;
	sf_report *report;
	sf_plan *plan;
	sf_profile *profile;
	sf_impact *impact;
	char dir[64];
	char source[128];   /* dir/NAME */
} impact_fixture;

/*
 * Structs a {long x, y, z} and b {int p; long q; int r} (24 bytes each)
 * and c {char, long} x 3 (48 bytes), reported and planned, an empty
 * profile, and `text` written to a new temporary directory as `name`.
 */
static inline void impact_fixture_setup(impact_fixture *x, const char *name, const char *text)
{
	static const mb_member a[] = {
		MB_PLAIN("x", "long", 0, 8, 8), MB_PLAIN("y", "long", 8, 8, 8), MB_PLAIN("z", "long", 16, 8, 8)
	};
	static const mb_member b[] = {
		MB_PLAIN("p", "int", 0, 4, 4), MB_PLAIN("q", "long", 8, 8, 8), MB_PLAIN("r", "int", 16, 4, 4)
	};
	static const mb_member c[] = {
		MB_PLAIN("c1", "char", 0, 1, 1), MB_PLAIN("l1", "long", 8, 8, 8),
		MB_PLAIN("c2", "char", 16, 1, 1), MB_PLAIN("l2", "long", 24, 8, 8),
		MB_PLAIN("c3", "char", 32, 1, 1), MB_PLAIN("l3", "long", 40, 8, 8)
	};
	sf_file_info info = { "test.o", NULL, "x86_64", 0, 8, "dwarf" };
	sf_report_options ro = SF_REPORT_OPTIONS_INIT;
	FILE *f;

	memset(x, 0, sizeof(*x));
	cr_assert_eq(sf_model_new(&x->model), 0);
	cr_assert_eq(sf__model_add_file(x->model, &info), 0);
	cr_assert_eq(sf__unit_init(&x->unit, 0), 0);
	cr_assert_not_null(mb_add(&x->unit, SF_STRUCT, "a", 24, a, MB_COUNT(a)));
	cr_assert_not_null(mb_add(&x->unit, SF_STRUCT, "b", 24, b, MB_COUNT(b)));
	cr_assert_not_null(mb_add(&x->unit, SF_STRUCT, "c", 48, c, MB_COUNT(c)));
	cr_assert_eq(sf__model_merge_unit(x->model, &x->unit), 0);
	cr_assert_eq(sf_report_build(&x->report, x->model, &ro), 0);
	cr_assert_eq(sf_reorder_plan(&x->plan, x->report, NULL), 0);
	cr_assert_eq(sf_profile_new(&x->profile), 0);
	strcpy(x->dir, "/tmp/sf-impact-XXXXXX");
	cr_assert_not_null(mkdtemp(x->dir));
	snprintf(x->source, sizeof(x->source), "%s/%s", x->dir, name);
	f = fopen(x->source, "w");
	cr_assert_not_null(f);
	fputs(text, f);
	fclose(f);
}

static inline void impact_fixture_teardown(impact_fixture *x)
{
	unlink(x->source);
	rmdir(x->dir);
	sf_impact_free(x->impact);
	sf_profile_free(x->profile);
	sf_plan_free(x->plan);
	sf_report_free(x->report);
	sf__unit_release(&x->unit);
	sf_model_free(x->model);
}

#endif
