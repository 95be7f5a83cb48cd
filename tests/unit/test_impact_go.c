/* Go heap profile sites attributed to Go structs: the allocating line's expressions, the frame's package, Go's size classes. */
#include <criterion/criterion.h>

#include <structfit/structfit.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "impact/impact_private.h"
#include "layout/selection.h"
#include "model_builder.h"

/* main.A and main.B: 24 bytes (class 24); main.C: 48; the store package's
 * Item: 40 (class 48). */
static const char main_go[] =
	"package main\n"                                  /* 1 */
	"\n"                                              /* 2 */
	"func f() {\n"                                    /* 3 */
	"\ta := &A{x: 1}\n"                               /* 4: one A */
	"\ts := make([]A, 10)\n"                          /* 5: ten A, 240 bytes */
	"\tp := []*A{a}\n"                                /* 6: pointers, no A */
	"\tm := map[string]A{}\n"                         /* 7: a map's, no A */
	"\tx, y := &A{}, &B{}\n"                          /* 8: A or B, both 24 */
	"\tc := new(C)\n"                                 /* 9: one C */
	"\t_ = \"&C{\"; b := B{} // &C{\n"                /* 10: B; strings, comments skipped */
	"\tvar v A\n"                                     /* 11: escaping A */
	"\tit := &store.Item{}\n"                         /* 12: qualified */
	"\tq := &A{\n"                                    /* 13 */
	"\t\tx: g(),\n"                                   /* 14: the literal opened above */
	"\t}\n"                                           /* 15 */
	"\tfmt.Println(a)\n"                              /* 16: no type named */
	"}\n";

static sf_model *model;
static sf_unit unit;
static sf_report *report;
static sf_profile *profile;
static sf_impact *impact;
static char dir[64], source[128];

static void setup(void)
{
	static const mb_member ab[] = { MB_PLAIN("x", "int64", 0, 8, 8), MB_PLAIN("p", "*int", 8, 8, 8),
					MB_PLAIN("ok", "bool", 16, 1, 1) };
	static const mb_member c[] = { MB_PLAIN("x", "int64", 0, 8, 8), MB_PLAIN("s", "string", 8, 16, 8),
				       MB_PLAIN("y", "int64", 24, 8, 8), MB_PLAIN("z", "int64", 32, 8, 8),
				       MB_PLAIN("ok", "bool", 40, 1, 1) };
	static const mb_member item[] = { MB_PLAIN("on", "bool", 0, 1, 1), MB_PLAIN("k", "string", 8, 16, 8),
					  MB_PLAIN("n", "int64", 24, 8, 8), MB_PLAIN("b", "bool", 32, 1, 1) };
	static const char *const names[] = { "main.A", "main.B", "main.C", "example.com/x/store.Item" };
	sf_file_info info = { "prog", NULL, "x86_64", 0, 8, "dwarf" };
	sf_report_options ro = SF_REPORT_OPTIONS_INIT;
	FILE *f;

	cr_assert_eq(sf_model_new(&model), 0);
	cr_assert_eq(sf__model_add_file(model, &info), 0);
	cr_assert_eq(sf__unit_init(&unit, 0), 0);
	for (int i = 0; i < 4; i++) {
		sf_struct *s = i < 2 ? mb_add(&unit, SF_STRUCT, names[i], 24, ab, MB_COUNT(ab))
			     : i == 2 ? mb_add(&unit, SF_STRUCT, names[i], 48, c, MB_COUNT(c))
				      : mb_add(&unit, SF_STRUCT, names[i], 40, item, MB_COUNT(item));
		cr_assert_not_null(s);
		s->go = true;
		s->decl_file = NULL; /* Go's DWARF has none for types */
	}
	cr_assert_eq(sf__model_merge_unit(model, &unit), 0);
	cr_assert_eq(sf_report_build(&report, model, &ro), 0);
	cr_assert_eq(sf_profile_new(&profile), 0);
	strcpy(dir, "/tmp/sf-impact-go-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	snprintf(source, sizeof(source), "%s/main.go", dir);
	f = fopen(source, "w");
	cr_assert_not_null(f);
	fputs(main_go, f);
	fclose(f);
}

static void teardown(void)
{
	unlink(source);
	rmdir(dir);
	sf_impact_free(impact);
	sf_profile_free(profile);
	sf_report_free(report);
	sf__unit_release(&unit);
	sf_model_free(model);
}

TestSuite(impact_go, .init = setup, .fini = teardown);

/* One sample per row: "COUNT BYTES LINE" of main.f in main.go, or a
 * frame of its own. */
typedef struct row {
	unsigned count, bytes, line;
	const char *frame;  /* NULL: "main.f SOURCE:LINE" */
} row;

static int build(const row *rows, size_t n)
{
	char text[8192];
	size_t used = 0;

	used += (size_t)snprintf(text + used, sizeof(text) - used,
				 "PeriodType: space bytes\nPeriod: 1\nSamples:\n"
				 "alloc_objects/count alloc_space/bytes inuse_objects/count inuse_space/bytes\n");
	for (size_t i = 0; i < n; i++)
		used += (size_t)snprintf(text + used, sizeof(text) - used, " %u %u %u %u: %zu \n bytes:[%u]\n",
					 rows[i].count, rows[i].count * rows[i].bytes, rows[i].count,
					 rows[i].count * rows[i].bytes, i + 1, rows[i].bytes);
	used += (size_t)snprintf(text + used, sizeof(text) - used, "Locations\n");
	for (size_t i = 0; i < n; i++) {
		if (rows[i].frame)
			used += (size_t)snprintf(text + used, sizeof(text) - used, " %zu: 0x%zx M=1 %s\n", i + 1,
						 i + 1, rows[i].frame);
		else
			used += (size_t)snprintf(text + used, sizeof(text) - used,
						 " %zu: 0x%zx M=1 main.f %s:%u s=3\n", i + 1, i + 1, source,
						 rows[i].line);
	}
	cr_assert_lt(used, sizeof(text));
	cr_assert_eq(sf_profile_parse(profile, text, used, "heap.raw"), 0, "%s", sf_error_last());
	return sf_impact_build(&impact, profile, report, NULL);
}

static sf_impact_site_info site(size_t i)
{
	sf_impact_site_info info = SF_IMPACT_SITE_INFO_INIT;
	cr_assert_eq(sf_impact_site(&info, impact, i), 0);
	return info;
}

static const char *type_of(size_t i)
{
	sf_impact_site_info s = site(i);
	return s.status == SF_SITE_MATCHED ? report->entries[s.index].def->name : NULL;
}

Test(impact_go, allocations_on_the_line_name_the_type)
{
	static const row rows[] = {
		{ 100, 24, 4, NULL },   /* 0: &A{ */
		{ 2, 240, 5, NULL },    /* 1: make([]A, 10) */
		{ 1, 8, 6, NULL },      /* 2: []*A{a} */
		{ 1, 48, 7, NULL },     /* 3: map[string]A{} */
		{ 5, 24, 8, NULL },     /* 4: &A{}, &B{} */
		{ 7, 48, 9, NULL },     /* 5: new(C) */
		{ 3, 24, 10, NULL },    /* 6: B{} */
		{ 1, 24, 11, NULL },    /* 7: var v A */
		{ 9, 48, 12, NULL },    /* 8: &store.Item{} */
		{ 4, 24, 14, NULL },    /* 9: &A{ a line above */
		{ 1, 24, 16, NULL },    /* 10: fmt.Println(a) */
		{ 1, 32, 4, NULL },     /* 11: &A{ but 32 bytes: not an A */
		{ 1, 48, 0, "fmt.Sprintf /usr/lib/go-1.19/src/fmt/print.go:219 s=217" },
		{ 1, 416, 0, "runtime.malg /usr/lib/go-1.19/src/runtime/proc.go:4076 s=0" },
	};
	sf_impact_site_info s;

	cr_assert_eq(build(rows, sizeof(rows) / sizeof(rows[0])), 0, "%s", sf_error_last());
	cr_assert_eq(sf_impact_site_count(impact), 14);
	cr_expect_str_eq(type_of(0), "main.A");
	cr_expect_str_eq(site(0).how, "source line");
	cr_expect_eq(site(0).elements, 1);
	cr_expect_str_eq(type_of(1), "main.A");
	cr_expect_eq(site(1).elements, 10);
	cr_expect_null(type_of(2));
	cr_expect_null(type_of(3));
	s = site(4);
	cr_expect_eq(s.status, SF_SITE_AMBIGUOUS);
	cr_expect_eq(s.candidate_count, 2);
	cr_expect_str_eq(type_of(5), "main.C");
	cr_expect_str_eq(type_of(6), "main.B");
	cr_expect_str_eq(type_of(7), "main.A");
	cr_expect_str_eq(type_of(8), "example.com/x/store.Item");
	cr_expect_str_eq(type_of(9), "main.A");
	cr_expect_null(type_of(10));
	cr_expect(!site(10).outside);
	cr_expect_null(type_of(11));
	s = site(12); /* the standard library's own */
	cr_expect_eq(s.status, SF_SITE_UNMATCHED);
	cr_expect(s.outside);
	s = site(13); /* the runtime alone: no frame to read */
	cr_expect_eq(s.status, SF_SITE_UNMATCHED);
	cr_expect_null(s.function);
}

Test(impact_go, counts_and_savings_use_go_size_classes)
{
	static const row rows[] = { { 100, 24, 4, NULL }, { 2, 240, 5, NULL }, { 9, 48, 12, NULL } };
	sf_impact_struct_info info = SF_IMPACT_STRUCT_INFO_INIT;
	sf_impact_member_info member = SF_IMPACT_MEMBER_INFO_INIT;

	cr_assert_eq(build(rows, 3), 0, "%s", sf_error_last());
	cr_assert_eq(sf_impact_struct(&info, impact, NULL, 0), 0);
	cr_expect_eq(info.allocations, 100 + 2 * 10);
	cr_expect_eq(info.peak_instances, 120);
	cr_expect_eq(info.size_class, 24);
	cr_assert_eq(sf_impact_struct(&info, impact, NULL, 3), 0);
	cr_expect_eq(info.allocations, 9);
	cr_expect_eq(info.size_class, 48); /* Go's class of 40; glibc's would be 48 too, jemalloc's 48 */
	/* A heap profile counts objects, never accesses. */
	cr_assert_eq(sf_impact_member(&member, impact, 0, 0), 0);
	cr_expect_eq(member.heat, SF_HEAT_UNKNOWN);
}

Test(impact_go, profile_map_settles_a_line_and_checks_the_size)
{
	static const row rows[] = { { 5, 24, 8, NULL } };

	cr_assert_eq(sf_profile_map(profile, "main.go:8=main.B"), 0);
	cr_assert_eq(build(rows, 1), 0, "%s", sf_error_last());
	cr_expect_str_eq(type_of(0), "main.B");
	cr_expect_str_eq(site(0).how, "mapped");
}

Test(impact_go, profile_map_to_a_misfit_type_is_a_usage_error)
{
	static const row rows[] = { { 5, 24, 8, NULL } };

	cr_assert_eq(sf_profile_map(profile, "main.go:8=main.C"), 0);
	cr_expect_eq(build(rows, 1), SF_EUSAGE);
	cr_expect(strstr(sf_error_last(), "main.C (48 bytes) does not make the site's 24-byte blocks") != NULL,
		  "%s", sf_error_last());
}

Test(impact_go, a_profile_of_another_program_is_refused)
{
	static const row rows[] = { { 1, 24, 16, NULL }, { 1, 32, 4, NULL } };

	cr_expect_eq(build(rows, 2), SF_EINVALID);
	cr_expect(strstr(sf_error_last(), "heap.raw: none of its 2 allocation sites matches") != NULL, "%s",
		  sf_error_last());
}
