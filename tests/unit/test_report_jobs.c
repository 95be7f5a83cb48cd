/* Reports built on several analysis threads (sf_report_options.jobs) against the one-thread report. */
#include <criterion/criterion.h>

#include <pthread.h>
#include <stdbool.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <structfit/structfit.h>

#include "layout/selection.h"
#include "util/buf.h"
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

/* The exclude hook's calls, in order, and the thread that made them. */
typedef struct hook_log {
	sf_buf calls;
	pthread_t caller;
	bool other_thread;
} hook_log;

/* Leaves out every struct whose name ends in 3. */
static int exclude_threes(void *ctx, const char *name, const char *decl_file, unsigned decl_line)
{
	hook_log *log = ctx;

	(void)decl_file;
	(void)decl_line;
	if (!pthread_equal(pthread_self(), log->caller))
		log->other_thread = true;
	sf__buf_puts(&log->calls, name ? name : "?");
	sf__buf_puts(&log->calls, "\n");
	return name && name[strlen(name) - 1] == '3';
}

/* The text of the report built with `jobs` analysis threads (min_holes,
 * sort, the exclude hook when `log` is given). */
static char *render(unsigned jobs, unsigned min_holes, sf_sort sort, hook_log *log)
{
	sf_report_options ro = SF_REPORT_OPTIONS_INIT;
	sf_emit_options eo = SF_EMIT_OPTIONS_INIT;
	sf_report *report = NULL;
	sf_buf out = SF_BUF_INIT;

	ro.jobs = jobs;
	ro.min_holes = min_holes;
	ro.sort = sort;
	if (log) {
		log->caller = pthread_self();
		ro.exclude = exclude_threes;
		ro.exclude_ctx = log;
	}
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
		char *one = render(1, cases[c].min_holes, cases[c].sort, NULL);
		cr_assert(strstr(one, "struct s0001 {"), "case %zu", c);
		cr_assert(c > 0 || strstr(one, "conflicting definitions of struct s0000"), "no conflict");
		for (unsigned jobs = 0; jobs <= 5; jobs++) {
			char *many;
			if (jobs == 1)
				continue;
			many = render(jobs, cases[c].min_holes, cases[c].sort, NULL);
			cr_assert_str_eq(many, one, "case %zu, %u threads", c, jobs);
			free(many);
		}
		free(one);
	}
}

/* The hook is the caller's: asked on the calling thread, about the same
 * definitions in the same order, whatever the thread count; what it
 * leaves out is out. */
Test(report_jobs, exclude_hook_runs_on_the_calling_thread_in_order)
{
	hook_log one_log = { SF_BUF_INIT, 0, false };
	char *one;

	add_structs();
	one = render(1, 0, SF_SORT_NONE, &one_log);
	cr_assert_not_null(one_log.calls.data);
	cr_assert(strstr(one_log.calls.data, "s0013\n"));
	cr_assert_null(strstr(one, "struct s0013 {"));
	cr_assert(strstr(one, "struct s0012 {"));
	for (unsigned jobs = 2; jobs <= 4; jobs++) {
		hook_log log = { SF_BUF_INIT, 0, false };
		char *many = render(jobs, 0, SF_SORT_NONE, &log);
		cr_assert_not(log.other_thread, "%u threads", jobs);
		cr_assert_str_eq(log.calls.data, one_log.calls.data, "%u threads", jobs);
		cr_assert_str_eq(many, one, "%u threads", jobs);
		sf_buf_free(&log.calls);
		free(many);
	}
	sf_buf_free(&one_log.calls);
	free(one);
}
