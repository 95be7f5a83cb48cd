/* Smoke test: a compiled fixture loads through the public API (proves the Criterion wiring). */
#include <criterion/criterion.h>

#include <structfit/structfit.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/structs.h"

/* Same declaration as fixtures/basic.c: the host compiler that built the
 * fixture also built this test, so sizeof here is the expected answer. */
struct holes {
	char c;
	long l;
	short s;
	int i;
	char tail;
};

static const char *fixture_path(char *buf, size_t cap, const char *name)
{
	const char *dir = getenv("STRUCTFIT_FIXTURE_DIR");
	cr_assert(dir != NULL, "STRUCTFIT_FIXTURE_DIR is not set (run through ctest)");
	int n = snprintf(buf, cap, "%s/%s", dir, name);
	cr_assert(n > 0 && (size_t)n < cap);
	return buf;
}

static const sf_struct *find_struct(const sf_model *model, const char *name)
{
	const sf_struct_list *list = sf__model_structs(model);
	for (size_t i = 0; i < list->count; i++) {
		const sf_struct *s = list->items[i];
		if (s->name && strcmp(s->name, name) == 0)
			return s;
	}
	return NULL;
}

static void check_holes_fixture(const char *object)
{
	char path[4096];
	sf_model *model = NULL;
	sf_load_options opts = SF_LOAD_OPTIONS_INIT;

	cr_assert_eq(sf_model_new(&model), 0);
	int rc = sf_model_load(model, fixture_path(path, sizeof(path), object), &opts);
	cr_assert_eq(rc, 0, "loading %s: %d %s", path, rc, sf_error_last());
	cr_assert_gt(sf_model_struct_count(model), 10);
	cr_assert_eq(sf_model_file_count(model), 1);

	const sf_struct *holes = find_struct(model, "holes");
	cr_assert_not_null(holes, "struct holes missing from %s", path);
	cr_expect_eq(holes->size, sizeof(struct holes));
	cr_expect_eq(holes->member_count, 5);
	cr_expect_eq(holes->kind, SF_STRUCT);
	sf_model_free(model);
}

Test(smoke, fixture_loads_through_public_api)
{
	check_holes_fixture("basic.o");
}

Test(smoke, dwarf4_fixture_loads_too)
{
	check_holes_fixture("basic-dwarf4.o");
}

Test(smoke, missing_file_is_not_found)
{
	sf_model *model = NULL;
	sf_load_options opts = SF_LOAD_OPTIONS_INIT;

	cr_assert_eq(sf_model_new(&model), 0);
	int rc = sf_model_load(model, "/nonexistent/structfit-smoke.o", &opts);
	cr_expect_eq(rc, SF_ENOTFOUND, "got %d (%s)", rc, sf_error_last());
	cr_expect(strstr(sf_error_last(), "structfit-smoke.o") != NULL,
		  "message should name the file: %s", sf_error_last());
	sf_model_free(model);
}
