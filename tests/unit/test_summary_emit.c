/* Tests of the summaries' options: --top (sf_emit_options.top) and the target column. */
#include <criterion/criterion.h>

#include <string.h>

#include <structfit/structfit.h>

#include "layout/selection.h"
#include "model_builder.h"

typedef struct fixture {
	sf_model *model;
	sf_unit unit;
	sf_report *report;
	sf_buf out;
} fixture;

static fixture fx;

static void setup(void)
{
	sf_file_info info = { "a.o", NULL, "x86_64", 0, 8, "dwarf" };
	mb_member small[] = { MB_PLAIN("a", "char", 0, 1, 1), MB_PLAIN("b", "int", 4, 4, 4) };
	mb_member big[] = { MB_PLAIN("a", "char", 0, 1, 1), MB_PLAIN("b", "long int", 8, 8, 8),
			    MB_PLAIN("c", "char", 16, 1, 1) };

	memset(&fx, 0, sizeof(fx));
	cr_assert_eq(sf_model_new(&fx.model), 0);
	cr_assert_eq(sf__model_add_file(fx.model, &info), 0);
	cr_assert_eq(sf__unit_init(&fx.unit, 0), 0);
	cr_assert_not_null(mb_add(&fx.unit, SF_STRUCT, "small", 8, small, MB_COUNT(small)));
	cr_assert_not_null(mb_add(&fx.unit, SF_STRUCT, "big", 24, big, MB_COUNT(big)));
}

static void teardown(void)
{
	sf_report_free(fx.report);
	sf__unit_release(&fx.unit);
	sf_model_free(fx.model);
	sf_buf_free(&fx.out);
}

TestSuite(summary, .init = setup, .fini = teardown);

static void build(void)
{
	sf_report_options ro = SF_REPORT_OPTIONS_INIT;

	cr_assert_eq(sf__model_merge_unit(fx.model, &fx.unit), 0);
	cr_assert_eq(sf_report_build(&fx.report, fx.model, &ro), 0, "%s", sf_error_last());
}

Test(summary, top_limits_rows_and_totals)
{
	sf_emit_options eo = SF_EMIT_OPTIONS_INIT;

	build();
	eo.summary = 1;
	eo.top = 1;
	cr_assert_eq(sf_emit_text(&fx.out, fx.report, &eo), 0);
	cr_assert_str_eq(fx.out.data,
		"NAME              SIZE  HOLES  PADDING  WASTE  CACHELINES  DECLARED\n"
		"struct small         8      1        0      3           1  test.c:1\n"
		"total (1 struct)     8      1        0      3           1\n");
}

/* Options of an older caller end before `top`: whatever follows is not read. */
Test(summary, top_is_ignored_before_version_5)
{
	sf_emit_options eo = SF_EMIT_OPTIONS_INIT;

	build();
	eo.version = 4;
	eo.top = 1;
	cr_assert_eq(sf_emit_markdown(&fx.out, fx.report, &eo), 0);
	cr_assert(strstr(fx.out.data, "**total (2 structs)**"), "%s", fx.out.data);
}

Test(summary, reorder_top_counts_shrinking_structs)
{
	sf_reorder_options ro = SF_REORDER_OPTIONS_INIT;
	sf_emit_options eo = SF_EMIT_OPTIONS_INIT;
	sf_plan *plan = NULL;

	build();
	cr_assert_eq(sf_reorder_plan(&plan, fx.report, &ro), 0, "%s", sf_error_last());
	eo.summary = 1;
	eo.top = 1;
	cr_assert_eq(sf_emit_reorder(&fx.out, plan, &eo), 0);
	/* small cannot shrink: the one row is big, the first that does. */
	cr_assert(strstr(fx.out.data, "\nstruct big "), "%s", fx.out.data);
	cr_assert(strstr(fx.out.data, "\ntotal (1 of 2 structs shrink)"), "%s", fx.out.data);
	sf_plan_free(plan);
}

/* A second input of another target adds the column; one of the same target does not. */
Test(summary, target_column_only_with_several_targets)
{
	sf_file_info same = { "b.o", NULL, "x86_64", 0, 8, "dwarf" };
	sf_file_info other = { "c.o", NULL, "i386", 0, 4, "dwarf" };
	sf_emit_options eo = SF_EMIT_OPTIONS_INIT;

	cr_assert_eq(sf__model_add_file(fx.model, &same), 1);
	build();
	eo.summary = 1;
	cr_assert_eq(sf_emit_text(&fx.out, fx.report, &eo), 0);
	cr_assert_null(strstr(fx.out.data, "TARGET"), "%s", fx.out.data);
	sf_buf_free(&fx.out);
	sf_report_free(fx.report);
	fx.report = NULL;
	cr_assert_eq(sf__model_add_file(fx.model, &other), 2);
	cr_assert_eq(sf_report_build(&fx.report, fx.model, &(sf_report_options)SF_REPORT_OPTIONS_INIT), 0);
	cr_assert_eq(sf_emit_text(&fx.out, fx.report, &eo), 0);
	cr_assert_str_eq(fx.out.data,
		"NAME               SIZE  HOLES  PADDING  WASTE  CACHELINES  TARGET  DECLARED\n"
		"struct small          8      1        0      3           1  x86_64  test.c:1\n"
		"struct big           24      1        7     14           1  x86_64  test.c:1\n"
		"total (2 structs)    32      2        7     17           2\n");
	sf_buf_free(&fx.out);
	cr_assert_eq(sf_emit_markdown(&fx.out, fx.report, &eo), 0);
	cr_assert(strstr(fx.out.data, "| struct | size | holes | padding | waste | cache lines | target | declared |\n"
				      "|---|--:|--:|--:|--:|--:|---|---|\n"
				      "| `struct small` | 8 | 1 | 0 | 3 | 1 | x86\\_64 | test.c:1 |\n"),
		  "%s", fx.out.data);
}
