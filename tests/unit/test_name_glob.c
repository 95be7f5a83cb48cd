/* Tests of -C name matching: C++ tails (util/name_glob.c) and typedef names in report selection. */
#include <criterion/criterion.h>

#include <stdio.h>
#include <string.h>

#include <structfit/structfit.h>

#include "model_builder.h"
#include "util/name_glob.h"

Test(name_glob, whole_name_and_qualified_tails_match)
{
	cr_assert(sf__name_glob_match("task_struct", "task_struct"));
	cr_assert(sf__name_glob_match("ns::Outer::Inner", "ns::Outer::Inner"));
	cr_assert(sf__name_glob_match("Outer::Inner", "ns::Outer::Inner"));
	cr_assert(sf__name_glob_match("Inner", "ns::Outer::Inner"));
	cr_assert(sf__name_glob_match("In*", "ns::Outer::Inner"));
	cr_assert_not(sf__name_glob_match("Outer", "ns::Outer::Inner"));
	cr_assert_not(sf__name_glob_match("ner", "ns::Outer::Inner"));
	cr_assert_not(sf__name_glob_match("Inner", "Inner2"));
}

Test(name_glob, scopes_inside_template_arguments_are_not_tails)
{
	cr_assert(sf__name_glob_match("vector<ns::Foo>", "std::vector<ns::Foo>"));
	cr_assert_not(sf__name_glob_match("Foo>", "std::vector<ns::Foo>"));
	cr_assert_not(sf__name_glob_match("Foo)", "fn<void (ns::Foo)>"));
	/* A name ending in `::` has no tail to match. */
	cr_assert_not(sf__name_glob_match("", "odd::"));
}

/* A report of a model holding struct _typeobject, union value_u and a
 * typedef naming each (and one naming a struct the model lacks).  The
 * first name is copied: the model that holds it is freed here. */
static size_t selected(const char *glob, const char **first)
{
	sf_file_info info = { "test.o", NULL, "x86_64", 0, 8, "dwarf" };
	sf_report_options ro = SF_REPORT_OPTIONS_INIT;
	sf_report_struct_info si = SF_REPORT_STRUCT_INFO_INIT;
	mb_member rows[] = { MB_PLAIN("refcnt", "long int", 0, 8, 8) };
	mb_member urows[] = { MB_PLAIN("d", "double", 0, 8, 8) };
	sf_model *model = NULL;
	sf_report *report = NULL;
	sf_unit unit;
	size_t count;

	cr_assert_eq(sf_model_new(&model), 0);
	cr_assert_eq(sf__model_add_file(model, &info), 0);
	cr_assert_eq(sf__unit_init(&unit, 0), 0);
	cr_assert_not_null(mb_add(&unit, SF_STRUCT, "_typeobject", 8, rows, MB_COUNT(rows)));
	cr_assert_not_null(mb_add(&unit, SF_UNION, "value_u", 8, urows, MB_COUNT(urows)));
	cr_assert_eq(sf__model_merge_unit(model, &unit), 0);
	cr_assert_eq(sf__typedef_list_add(&model->typedefs, "PyTypeObject", "_typeobject", false), 0);
	cr_assert_eq(sf__typedef_list_add(&model->typedefs, "PyTypeObject", "_typeobject", false), 0);
	cr_assert_eq(model->typedefs.count, 1, "the same pair twice is listed once");
	cr_assert_eq(sf__typedef_list_add(&model->typedefs, "value_t", "value_u", true), 0);
	/* Kind counts: a typedef of `struct value_u` does not name the union. */
	cr_assert_eq(sf__typedef_list_add(&model->typedefs, "wrong_t", "value_u", false), 0);
	ro.name_globs = &glob;
	ro.name_glob_count = 1;
	cr_assert_eq(sf_report_build(&report, model, &ro), 0, "%s", sf_error_last());
	count = sf_report_count(report);
	if (count && first) {
		static char copy[64];
		cr_assert_eq(sf_report_struct(&si, report, 0), 0);
		snprintf(copy, sizeof(copy), "%s", si.name ? si.name : "");
		*first = copy;
	}
	sf_report_free(report);
	sf__unit_release(&unit);
	sf_model_free(model);
	return count;
}

Test(name_glob, typedef_names_select_the_struct_they_name)
{
	const char *name = NULL;

	cr_assert_eq(selected("PyTypeObject", &name), 1);
	cr_assert_str_eq(name, "_typeobject");
	cr_assert_eq(selected("PyType*", NULL), 1);
	cr_assert_eq(selected("value_t", &name), 1);
	cr_assert_str_eq(name, "value_u");
	cr_assert_eq(selected("wrong_t", NULL), 0);
	cr_assert_eq(selected("nosuch_t", NULL), 0);
}
