/* The read accessors of report.h and reorder.h: sf_report_struct, sf_report_member, sf_plan_member. */
#include <criterion/criterion.h>

#include <structfit/structfit.h>

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Same declarations as fixtures/basic.c, which the compiler that built
 * this test also compiled: its sizeof/offsetof are the expected answers. */
struct holes {
	char c;
	long l;
	short s;
	int i;
	char tail;
};

struct flexible {
	unsigned long len;
	char c;
	int data[];
};

/* A report (and plan) of the structs of basic.o matching `glob`. */
typedef struct fixture {
	sf_model *model;
	sf_report *report;
	sf_plan *plan;
} fixture;

static fixture load(const char *glob)
{
	const char *dir = getenv("STRUCTFIT_FIXTURE_DIR");
	char path[4096];
	fixture f = { NULL, NULL, NULL };
	sf_load_options load_opts = SF_LOAD_OPTIONS_INIT;
	sf_report_options report_opts = SF_REPORT_OPTIONS_INIT;
	sf_reorder_options reorder_opts = SF_REORDER_OPTIONS_INIT;

	cr_assert(dir != NULL, "STRUCTFIT_FIXTURE_DIR is not set (run through ctest)");
	snprintf(path, sizeof(path), "%s/basic.o", dir);
	report_opts.name_globs = &glob;
	report_opts.name_glob_count = 1;
	cr_assert_eq(sf_model_new(&f.model), 0);
	cr_assert_eq(sf_model_load(f.model, path, &load_opts), 0, "%s", sf_error_last());
	cr_assert_eq(sf_report_build(&f.report, f.model, &report_opts), 0, "%s", sf_error_last());
	cr_assert_eq(sf_report_count(f.report), 1, "%s should select one struct", glob);
	cr_assert_eq(sf_reorder_plan(&f.plan, f.report, &reorder_opts), 0, "%s", sf_error_last());
	return f;
}

static void unload(fixture *f)
{
	sf_plan_free(f->plan);
	sf_report_free(f->report);
	sf_model_free(f->model);
}

Test(accessors, struct_info_matches_the_compiler)
{
	fixture f = load("holes");
	sf_report_struct_info s = SF_REPORT_STRUCT_INFO_INIT;

	cr_assert_eq(sf_report_struct(&s, f.report, 0), 0, "%s", sf_error_last());
	cr_expect_eq(s.version, SF_REPORT_STRUCT_INFO_VERSION);
	cr_expect_eq(s.kind, SF_REPORT_STRUCT);
	cr_expect_str_eq(s.name, "holes");
	cr_expect_null(s.typedef_name);
	cr_assert_not_null(s.decl_file);
	cr_expect(strstr(s.decl_file, "basic.c") != NULL, "decl_file %s", s.decl_file);
	cr_expect_eq(s.decl_line, 11);
	cr_expect_eq(s.size, sizeof(struct holes));
	cr_expect_eq(s.align, _Alignof(struct holes));
	cr_expect_eq(s.packed, 0);
	cr_expect_eq(s.member_count, 5);
	/* c..l and s..i (x86_64: 7 + 2 bytes); tail..end is padding. */
	cr_expect_eq(s.hole_count, 2);
	cr_expect_eq(s.sum_holes, (offsetof(struct holes, l) - 1) +
			  (offsetof(struct holes, i) - offsetof(struct holes, s) - sizeof(short)));
	cr_expect_eq(s.padding, sizeof(struct holes) - offsetof(struct holes, tail) - 1);
	cr_expect_eq(s.cachelines, 1);
	unload(&f);
}

Test(accessors, members_match_offsetof_in_declaration_order)
{
	static const struct {
		const char *name;
		size_t offset, size;
	} want[] = {
		{ "c", offsetof(struct holes, c), sizeof(char) },
		{ "l", offsetof(struct holes, l), sizeof(long) },
		{ "s", offsetof(struct holes, s), sizeof(short) },
		{ "i", offsetof(struct holes, i), sizeof(int) },
		{ "tail", offsetof(struct holes, tail), sizeof(char) },
	};
	fixture f = load("holes");

	for (uint32_t i = 0; i < 5; i++) {
		sf_report_member_info m = SF_REPORT_MEMBER_INFO_INIT;
		cr_assert_eq(sf_report_member(&m, f.report, 0, i), 0, "%s", sf_error_last());
		cr_expect_eq(m.index, i);
		cr_expect_str_eq(m.name, want[i].name);
		cr_expect_not_null(m.type_name);
		cr_expect_eq(m.offset, want[i].offset, "%s at %llu", m.name, (unsigned long long)m.offset);
		cr_expect_eq(m.size, want[i].size);
		cr_expect_eq(m.bit_offset, want[i].offset * 8);
		cr_expect_eq(m.bit_size, 0);
		cr_expect_eq(m.flags, 0);
		/* The hole after a member ends where the next one starts; the
		 * last one's gap is padding, not a hole. */
		uint64_t hole = i + 1 < 5 ? want[i + 1].offset - want[i].offset - want[i].size : 0;
		cr_expect_eq(m.hole_after, hole, "hole after %s", m.name);
	}
	unload(&f);
}

Test(accessors, member_flags_are_public_values)
{
	fixture bits = load("bits"), anon = load("with_anonymous_union"), flex = load("flexible");
	fixture zero = load("zero_length");
	sf_report_member_info m = SF_REPORT_MEMBER_INFO_INIT;

	cr_assert_eq(sf_report_member(&m, bits.report, 0, 0), 0);
	cr_expect_str_eq(m.name, "a");
	cr_expect_eq(m.flags, SF_REPORT_MEMBER_BITFIELD);
	cr_expect_eq(m.bit_size, 3);
	cr_assert_eq(sf_report_member(&m, anon.report, 0, 1), 0);
	cr_expect_null(m.name);
	cr_expect(m.flags & SF_REPORT_MEMBER_ANONYMOUS);
	cr_assert_eq(sf_report_member(&m, flex.report, 0, 2), 0);
	cr_expect_str_eq(m.name, "data");
	cr_expect_eq(m.offset, offsetof(struct flexible, data));
	cr_expect(m.flags & SF_REPORT_MEMBER_FLEXIBLE);
	cr_assert_eq(sf_report_member(&m, zero.report, 0, 2), 0);
	cr_expect(m.flags & SF_REPORT_MEMBER_ZERO_LENGTH);
	unload(&bits);
	unload(&anon);
	unload(&flex);
	unload(&zero);
}

Test(accessors, union_and_typedef_names)
{
	fixture number = load("number"), typed = load("anon_typedef");
	sf_report_struct_info s = SF_REPORT_STRUCT_INFO_INIT;

	cr_assert_eq(sf_report_struct(&s, number.report, 0), 0);
	cr_expect_eq(s.kind, SF_REPORT_UNION);
	cr_expect_eq(s.hole_count, 0);
	cr_assert_eq(sf_report_struct(&s, typed.report, 0), 0);
	cr_expect_null(s.name);
	cr_expect_str_eq(s.typedef_name, "anon_typedef");
	unload(&number);
	unload(&typed);
}

Test(accessors, plan_members_follow_the_proposed_order)
{
	fixture f = load("holes");
	const sf_proposal *p = sf_plan_proposal(f.plan, 0);
	uint64_t end = 0;

	cr_assert_not_null(p);
	cr_assert_eq(p->reason, SF_REASON_NONE, "holes should be reordered");
	/* 8 + 4 + 2 + 1 + 1 bytes fill two words exactly. */
	cr_expect_eq(p->size, 16);
	for (uint32_t pos = 0; pos < p->member_count; pos++) {
		sf_report_member_info m = SF_REPORT_MEMBER_INFO_INIT, declared = SF_REPORT_MEMBER_INFO_INIT;
		cr_assert_eq(sf_plan_member(&m, f.plan, 0, pos), 0, "%s", sf_error_last());
		cr_expect_eq(m.index, p->order[pos]);
		cr_assert_eq(sf_report_member(&declared, f.report, 0, m.index), 0);
		cr_expect_str_eq(m.name, declared.name);
		cr_expect_eq(m.size, declared.size);
		cr_expect_geq(m.offset, end, "%s overlaps the member before it", m.name);
		cr_expect_eq(m.offset % declared.align, 0, "%s misaligned", m.name);
		end = m.offset + m.size;
	}
	cr_expect_leq(end, p->size);
	unload(&f);
}

Test(accessors, identity_proposal_gives_the_declared_layout)
{
	fixture f = load("number");
	sf_report_member_info m = SF_REPORT_MEMBER_INFO_INIT;

	cr_assert_eq(sf_plan_proposal(f.plan, 0)->reason, SF_REASON_UNION);
	for (uint32_t pos = 0; pos < 4; pos++) {
		cr_assert_eq(sf_plan_member(&m, f.plan, 0, pos), 0, "%s", sf_error_last());
		cr_expect_eq(m.index, pos);
		cr_expect_eq(m.offset, 0);
	}
	unload(&f);
}

Test(accessors, out_of_range_indexes_are_not_found)
{
	fixture f = load("holes");
	sf_report_struct_info s = SF_REPORT_STRUCT_INFO_INIT;
	sf_report_member_info m = SF_REPORT_MEMBER_INFO_INIT;

	s.size = 12345;
	m.offset = 12345;
	cr_expect_eq(sf_report_struct(&s, f.report, 1), SF_ENOTFOUND);
	cr_expect(strstr(sf_error_last(), "index 1") != NULL, "message: %s", sf_error_last());
	cr_expect_eq(sf_report_struct(&s, f.report, (size_t)-1), SF_ENOTFOUND);
	cr_expect_eq(sf_report_member(&m, f.report, 1, 0), SF_ENOTFOUND);
	cr_expect_eq(sf_report_member(&m, f.report, 0, 5), SF_ENOTFOUND);
	cr_expect_eq(sf_report_member(&m, f.report, 0, UINT32_MAX), SF_ENOTFOUND);
	cr_expect_eq(sf_plan_member(&m, f.plan, 1, 0), SF_ENOTFOUND);
	cr_expect_eq(sf_plan_member(&m, f.plan, 0, 5), SF_ENOTFOUND);
	cr_expect_null(sf_plan_proposal(f.plan, 1));
	/* A failed call leaves *out as it was. */
	cr_expect_eq(s.size, 12345);
	cr_expect_eq(m.offset, 12345);
	unload(&f);
}

Test(accessors, bad_version_or_null_is_a_usage_error)
{
	fixture f = load("holes");
	sf_report_struct_info s = SF_REPORT_STRUCT_INFO_INIT;
	sf_report_member_info m = SF_REPORT_MEMBER_INFO_INIT;

	s.version = 0;
	cr_expect_eq(sf_report_struct(&s, f.report, 0), SF_EUSAGE);
	cr_expect(strstr(sf_error_last(), "version 0") != NULL, "message: %s", sf_error_last());
	s.version = SF_REPORT_STRUCT_INFO_VERSION + 1;
	cr_expect_eq(sf_report_struct(&s, f.report, 0), SF_EUSAGE);
	cr_expect_eq(s.size, 0, "a rejected call must not fill *out");
	m.version = 0;
	cr_expect_eq(sf_report_member(&m, f.report, 0, 0), SF_EUSAGE);
	cr_expect_eq(sf_plan_member(&m, f.plan, 0, 0), SF_EUSAGE);
	m.version = SF_REPORT_MEMBER_INFO_VERSION + 1;
	cr_expect_eq(sf_plan_member(&m, f.plan, 0, 0), SF_EUSAGE);
	cr_expect_null(m.name);
	/* The version is checked before the index. */
	cr_expect_eq(sf_report_member(&m, f.report, 9, 0), SF_EUSAGE);
	cr_expect_eq(sf_report_struct(NULL, f.report, 0), SF_EUSAGE);
	cr_expect_eq(sf_report_member(NULL, f.report, 0, 0), SF_EUSAGE);
	cr_expect_eq(sf_plan_member(NULL, f.plan, 0, 0), SF_EUSAGE);
	s.version = SF_REPORT_STRUCT_INFO_VERSION;
	cr_expect_eq(sf_report_struct(&s, NULL, 0), SF_EUSAGE);
	cr_expect_eq(sf_plan_member(&m, NULL, 0, 0), SF_EUSAGE);
	unload(&f);
}
