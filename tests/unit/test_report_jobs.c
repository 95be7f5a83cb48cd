/* Reports built on several analysis threads (sf_report_options.jobs) against the one-thread report. */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <structfit/structfit.h>

#include "layout/selection.h"
#include "model_builder.h"

static sf_model *model;
static sf_unit unit;

static void setup(void)
{
	sf_file_info info = { "test.o", NULL, "x86_64", 0, 8, "dwarf" };

	cr_assert_eq(sf_model_new(&model), 0);
	cr_assert_eq(sf__model_add_file(model, &info), 0);
	cr_assert_eq(sf__unit_init(&unit, 0), 0);
}

static void teardown(void)
{
	sf__unit_release(&unit);
	sf_model_free(model);
}

TestSuite(report_jobs, .init = setup, .fini = teardown);

/* 3,000 structs: member counts, holes and padding vary, every tenth
 * name has a second definition of another layout (a conflict). */
static void add_structs(void)
{
	for (unsigned i = 0; i < 3000; i++) {
		char name[16];
		const char *copy;
		unsigned extra = i % 7;
		mb_member rows[] = {
			MB_PLAIN("tag", "char", 0, 1, 1),
			MB_PLAIN("count", "int", 4, 4, 4),
			MB_PLAIN("flag", "char", 8, 1, 1),
			MB_PLAIN("ptr", "void *", 16, 8, 8),
			MB_PLAIN("more", "char", 24, 1, 1),
			MB_PLAIN("last", "long", 32, 8, 8),
			MB_PLAIN("tail", "char", 40, 1, 1),
		};
		snprintf(name, sizeof(name), "s%04u", i % 2700);
		copy = sf__arena_strdup(unit.arena, name);
		cr_assert_not_null(mb_add(&unit, SF_STRUCT, copy, extra < 3 ? 16 : extra < 5 ? 32 : 48, rows,
					  extra < 3 ? 3 : extra < 5 ? 5 : 7));
	}
	cr_assert_eq(sf__model_merge_unit(model, &unit), 0);
}

/* The text of the report built with `jobs` analysis threads (min_holes, sort). */
static char *render(unsigned jobs, unsigned min_holes, sf_sort sort)
{
	sf_report_options ro = SF_REPORT_OPTIONS_INIT;
	sf_emit_options eo = SF_EMIT_OPTIONS_INIT;
	sf_report *report = NULL;
	sf_buf out = SF_BUF_INIT;

	ro.jobs = jobs;
	ro.min_holes = min_holes;
	ro.sort = sort;
	eo.jobs = 1;
	cr_assert_eq(sf_report_build(&report, model, &ro), 0, "%s", sf_error_last());
	cr_assert_eq(sf_emit_text(&out, report, &eo), 0);
	cr_assert_not_null(out.data);
	sf_report_free(report);
	return out.data;
}

Test(report_jobs, report_is_the_same_for_any_thread_count)
{
	const struct { unsigned min_holes; sf_sort sort; } cases[] = {
		{ 0, SF_SORT_NONE }, { 1, SF_SORT_NONE }, { 2, SF_SORT_SIZE },
	};

	add_structs();
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		char *one = render(1, cases[c].min_holes, cases[c].sort);
		cr_assert(strstr(one, "struct s0001 {"), "case %zu", c);
		cr_assert(c > 0 || strstr(one, "conflicting definitions of struct s0000"), "no conflict");
		for (unsigned jobs = 0; jobs <= 5; jobs++) {
			char *many;
			if (jobs == 1)
				continue;
			many = render(jobs, cases[c].min_holes, cases[c].sort);
			cr_assert_str_eq(many, one, "case %zu, %u threads", c, jobs);
			free(many);
		}
		free(one);
	}
}
