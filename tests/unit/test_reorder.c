/* Reorder engine tests: pahole regressions, safe defaults, constraints, fallback, brute force on compiled structs. */
#include <criterion/criterion.h>

#include <structfit/structfit.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "layout/place.h"
#include "layout/selection.h"
#include "model/structs.h"
#include "model_builder.h"
#include "plan_fixture.h"
#include "reorder/plan.h"

TestSuite(reorder, .init = setup, .fini = teardown);

static const sf_proposal *plan(const sf_struct *s)
{
	sf_reorder_options opts = SF_REORDER_OPTIONS_INIT;
	return plan_with(s, &opts);
}

static const sf_proposal *plan_constrained(const sf_struct *s, const char *text)
{
	sf_reorder_options opts = SF_REORDER_OPTIONS_INIT;
	use_constraints(text);
	opts.constraints = fx.constraints;
	return plan_with(s, &opts);
}

/* Position of member `index` in the proposal. */
static uint32_t where(const sf_proposal *p, uint32_t index)
{
	for (uint32_t i = 0; i < p->member_count; i++) {
		if (p->order[i] == index)
			return i;
	}
	cr_assert_fail("member %u missing from the order", index);
	return 0;
}

static void expect_permutation(const sf_proposal *p)
{
	for (uint32_t i = 0; i < p->member_count; i++)
		where(p, i);
}

static sf_struct *chars_ints(void)
{
	const mb_member rows[] = {
		MB_PLAIN("a", "char[5]", 0, 5, 1),
		MB_PLAIN("b", "int", 8, 4, 4),
		MB_PLAIN("c", "char[5]", 12, 5, 1),
		MB_PLAIN("d", "double", 24, 8, 8),
	};
	return mb_add(&fx.unit, SF_STRUCT, "s", 32, rows, MB_COUNT(rows));
}

Test(reorder, pahole_regression_char_arrays)
{
	const sf_proposal *p = plan(chars_ints());
	cr_expect_eq(p->reason, SF_REASON_NONE);
	cr_expect_eq(p->original_size, 32);
	cr_expect_eq(p->size, 24);
	cr_expect_eq(p->saves, 8);
	cr_expect_eq(p->optimal, SF_OPTIMAL_PROVEN);
	cr_expect_eq(fx.entry.placed->size, 24);
	cr_expect_eq(fx.entry.layout->def, fx.entry.placed);
	expect_permutation(p);
}

Test(reorder, pahole_regression_bitfields)
{
	const mb_member rows[] = {
		MB_BITS("a", "unsigned int", 0, 4, 0, 1),
		MB_PLAIN("b", "long", 8, 8, 8),
		MB_BITS("c", "unsigned int", 16, 4, 128, 1),
		MB_PLAIN("d", "long", 24, 8, 8),
		MB_BITS("e", "unsigned int", 32, 4, 256, 1),
	};
	sf_struct *s = mb_add(&fx.unit, SF_STRUCT, "s", 40, rows, MB_COUNT(rows));
	const sf_proposal *p = plan(s);
	cr_expect_eq(p->size, 24);
	cr_expect_eq(p->optimal, SF_OPTIMAL_PROVEN);
	expect_permutation(p);
}

Test(reorder, pahole_regression_over_aligned_member)
{
	mb_member rows[] = {
		MB_PLAIN("a", "char", 0, 1, 1),
		MB_PLAIN("x", "long", 64, 8, 8),
		MB_PLAIN("b", "char", 72, 1, 1),
	};
	rows[1].explicit_align = 64;
	sf_struct *s = mb_add(&fx.unit, SF_STRUCT, "s", 128, rows, MB_COUNT(rows));
	const sf_proposal *p = plan(s);
	cr_expect_eq(p->size, 64);
	cr_expect_eq(p->moved, 1);
}

Test(reorder, alignas_needs_exact_search)
{
	mb_member rows[] = {
		MB_PLAIN("a", "int", 0, 4, 4),
		MB_PLAIN("b", "int", 8, 4, 4),
		MB_PLAIN("c", "int", 12, 4, 4),
		MB_PLAIN("d", "int", 16, 4, 4),
	};
	rows[0].explicit_align = 8;
	rows[1].explicit_align = 8;
	sf_struct *s = mb_add(&fx.unit, SF_STRUCT, "s", 24, rows, MB_COUNT(rows));
	const sf_proposal *p = plan(s);
	cr_expect_eq(p->size, 16);
	cr_expect_eq(p->moved, 1);
	cr_expect(p->order[0] == 0 && p->order[1] == 2 && p->order[2] == 1 && p->order[3] == 3,
		  "a, c, b, d expected, got %u %u %u %u", p->order[0], p->order[1], p->order[2], p->order[3]);

	/* The classic sort cannot find it. */
	sf_reorder_options opts = SF_REORDER_OPTIONS_INIT;
	opts.strategy = SF_REORDER_SORT;
	p = plan_with(s, &opts);
	cr_expect_eq(p->size, 24);
	cr_expect_neq(p->reason, SF_REASON_NONE);
}

Test(reorder, identity_when_already_minimal)
{
	const mb_member rows[] = {
		MB_PLAIN("a", "long", 0, 8, 8),
		MB_PLAIN("b", "int", 8, 4, 4),
		MB_PLAIN("c", "char", 12, 1, 1),
	};
	sf_struct *s = mb_add(&fx.unit, SF_STRUCT, "s", 16, rows, MB_COUNT(rows));
	const sf_proposal *p = plan(s);
	cr_expect_eq(p->reason, SF_REASON_MINIMAL);
	cr_expect_eq(p->moved, 0);
	cr_expect_eq(p->size, 16);
	cr_expect_eq(p->saves, 0);
	cr_expect_str_eq(sf_reorder_reason_text(p->reason), "already minimal");
	for (uint32_t i = 0; i < 3; i++)
		cr_expect_eq(p->order[i], i);
}

/* Slack before the final roundup: the minimal size is reached without
 * moving anything but one member, though intermediate ends differ. */
Test(reorder, fewest_moves_among_minimal_orders)
{
	const mb_member rows[] = {
		MB_PLAIN("a", "char", 0, 1, 1),
		MB_PLAIN("b", "long", 8, 8, 8),
		MB_PLAIN("c", "char", 16, 1, 1),
		MB_PLAIN("d", "int", 20, 4, 4),
		MB_PLAIN("e", "long", 24, 8, 8),
	};
	sf_struct *s = mb_add(&fx.unit, SF_STRUCT, "s", 32, rows, MB_COUNT(rows));
	const sf_proposal *p = plan(s);
	cr_expect_eq(p->size, 24);
	cr_expect_eq(p->moved, 1, "moved %u", p->moved);
	cr_expect_eq(p->moves_optimal, SF_OPTIMAL_PROVEN);
}

Test(reorder, flexible_array_stays_last)
{
	mb_member rows[] = {
		MB_PLAIN("c", "char", 0, 1, 1),
		MB_PLAIN("x", "long", 8, 8, 8),
		MB_PLAIN("d", "char", 16, 1, 1),
		MB_PLAIN("data", "int[]", 20, 0, 4),
	};
	rows[3].flags = SF_MEMBER_FLEXIBLE;
	sf_struct *s = mb_add(&fx.unit, SF_STRUCT, "s", 24, rows, MB_COUNT(rows));
	const sf_proposal *p = plan(s);
	cr_expect_eq(p->size, 16);
	cr_expect_eq(p->order[3], 3);
}

Test(reorder, keep_first_struct_member)
{
	const mb_member hrows[] = { MB_PLAIN("k", "char", 0, 1, 1) };
	sf_struct *hdr = mb_add(&fx.unit, SF_STRUCT, "hdr", 1, hrows, MB_COUNT(hrows));
	const mb_member rows[] = {
		MB_STRUCT("h", "struct hdr", 0, hdr),
		MB_PLAIN("x", "long", 8, 8, 8),
		MB_PLAIN("y", "int", 16, 4, 4),
		MB_PLAIN("z", "long", 24, 8, 8),
	};
	sf_struct *s = mb_add(&fx.unit, SF_STRUCT, "s", 32, rows, MB_COUNT(rows));
	const sf_proposal *p = plan(s);
	cr_expect_eq(p->size, 24);
	cr_expect_eq(p->order[0], 0, "the header stays first");

	sf_reorder_options opts = SF_REORDER_OPTIONS_INIT;
	opts.keep_first = 0;
	use_constraints("hot s: z\n");
	opts.constraints = fx.constraints;
	p = plan_with(s, &opts);
	cr_expect_eq(p->order[0], 3, "without keep-first the hot member comes first");
}

Test(reorder, packed_and_union_are_left_alone)
{
	const mb_member rows[] = {
		MB_PLAIN("c", "char", 0, 1, 1),
		MB_PLAIN("i", "int", 1, 4, 4),
	};
	sf_struct *s = mb_add(&fx.unit, SF_STRUCT, "p", 5, rows, MB_COUNT(rows));
	cr_assert(s->packed);
	cr_expect_eq(plan(s)->reason, SF_REASON_PACKED);
	cr_expect_str_eq(sf_reorder_reason_text(SF_REASON_PACKED), "packed");

	const mb_member urows[] = {
		MB_PLAIN("c", "char", 0, 1, 1),
		MB_PLAIN("i", "int", 0, 4, 4),
	};
	sf_struct *u = mb_add(&fx.unit, SF_UNION, "u", 4, urows, MB_COUNT(urows));
	cr_expect_eq(plan(u)->reason, SF_REASON_UNION);
}

Test(reorder, hidden_members_refuse_to_propose)
{
	/* `char a; int :32; int b; char c;` seen without the unnamed field. */
	const mb_member rows[] = {
		MB_PLAIN("a", "char", 0, 1, 1),
		MB_PLAIN("b", "int", 8, 4, 4),
		MB_PLAIN("c", "char", 12, 1, 1),
	};
	sf_struct *s = mb_add(&fx.unit, SF_STRUCT, "s", 16, rows, MB_COUNT(rows));
	const sf_proposal *p = plan(s);
	cr_expect_eq(p->reason, SF_REASON_NOT_REPRODUCIBLE);
	cr_expect_str_eq(sf_reorder_reason_text(p->reason), "layout not reproducible from debug info");
	cr_expect_eq(p->order[1], 1);
}

static void expect_parse_error(const char *text, const char *message)
{
	sf_constraints *c = NULL;
	int rc = sf_constraints_parse(&c, text, strlen(text), "rules.txt");
	cr_expect_eq(rc, SF_EUSAGE, "%s", text);
	cr_expect_null(c);
	cr_expect(strstr(sf_error_last(), message) != NULL, "got '%s', want '%s'", sf_error_last(), message);
	cr_expect_null(strchr(sf_error_last(), '\n'));
}

Test(reorder, constraints_errors_name_file_and_line)
{
	expect_parse_error("# ok\n\npin s\n", "rules.txt:3: ");
	expect_parse_error("pin s.a\nfrobnicate s\n", "rules.txt:2: unknown rule 'frobnicate'");
	expect_parse_error("group s: a\n", "rules.txt:1: a group needs at least two members");
	expect_parse_error("hot s a b\n", "rules.txt:1: expected ':'");
	expect_parse_error("group s: a a\n", "named twice");
	expect_parse_error("skip s extra\n", "rules.txt:1: unexpected 'extra'");
	expect_parse_error("hot s: a, b\n", "rules.txt:1: expected a member name");

	sf_constraints *c = NULL;
	const char *good = "  # comment\npin s.a # trailing\n\ngroup s: a b\nhot s: c\nskip t\n";
	cr_expect_eq(sf_constraints_parse(&c, good, strlen(good), "ok.cf"), 0, "%s", sf_error_last());
	sf_constraints_free(c);
	cr_expect_eq(sf_constraints_load(&c, "/nonexistent/rules"), SF_ENOTFOUND);
}

Test(reorder, constraint_naming_unknown_member_fails)
{
	sf_struct *s = chars_ints();
	sf_reorder_options opts = SF_REORDER_OPTIONS_INIT;
	use_constraints("\npin s.nope\n");
	opts.constraints = fx.constraints;
	sf__layout_free(fx.entry.owned_layout);
	fx.entry.owned_layout = NULL;
	cr_expect_eq(sf__reorder_struct(&fx.entry, s, NULL, &opts, 64, &fx.ws, fx.arena), SF_EUSAGE);
	cr_expect(strstr(sf_error_last(), "test.cf:2: s has no member 'nope'") != NULL, "%s", sf_error_last());
	memset(&fx.entry, 0, sizeof(fx.entry));
}

Test(reorder, pin_keeps_position)
{
	sf_struct *s = chars_ints();
	const sf_proposal *p = plan_constrained(s, "pin s.a\npin s.d\n");
	cr_expect_eq(p->order[0], 0);
	cr_expect_eq(p->order[3], 3);
	cr_expect_leq(p->size, 32);
	expect_permutation(p);
}

Test(reorder, group_stays_together_in_order)
{
	sf_struct *s = chars_ints();
	const sf_proposal *p = plan_constrained(s, "group s: c a\n");
	cr_expect_eq(where(p, 0), where(p, 2) + 1, "a right after c");
	cr_expect_eq(p->size, 24);
}

Test(reorder, hot_members_come_first)
{
	sf_struct *s = chars_ints();
	const sf_proposal *p = plan_constrained(s, "hot s: c\n");
	cr_expect_eq(p->order[0], 2);
	cr_expect_eq(p->size, 24);
}

Test(reorder, skip_leaves_struct_alone)
{
	sf_struct *s = chars_ints();
	const sf_proposal *p = plan_constrained(s, "skip s\n");
	cr_expect_eq(p->reason, SF_REASON_SKIPPED);
	cr_expect_eq(p->size, 32);
}

Test(reorder, heuristic_past_the_state_cap)
{
	mb_member rows[] = {
		MB_PLAIN("a", "int", 0, 4, 4),
		MB_PLAIN("b", "int", 8, 4, 4),
		MB_PLAIN("c", "int", 12, 4, 4),
		MB_PLAIN("d", "int", 16, 4, 4),
	};
	rows[0].explicit_align = 8;
	rows[1].explicit_align = 8;
	sf_struct *s = mb_add(&fx.unit, SF_STRUCT, "s", 24, rows, MB_COUNT(rows));
	sf_reorder_options opts = SF_REORDER_OPTIONS_INIT;
	opts.state_cap = 2;
	const sf_proposal *p = plan_with(s, &opts);
	cr_expect_eq(p->optimal, SF_OPTIMAL_HEURISTIC);
	cr_expect_str_eq(sf_optimality_name(p->optimal), "heuristic");
	cr_expect_leq(p->size, 24);

	/* Past the cap but reaching the lower bound: still proven. */
	p = plan_with(chars_ints(), &opts);
	cr_expect_eq(p->size, 24);
	cr_expect_eq(p->optimal, SF_OPTIMAL_PROVEN);
}

Test(reorder, min_savings)
{
	sf_reorder_options opts = SF_REORDER_OPTIONS_INIT;
	opts.min_savings = 9;
	const sf_proposal *p = plan_with(chars_ints(), &opts);
	cr_expect_eq(p->reason, SF_REASON_BELOW_MINIMUM);
	cr_expect_eq(p->size, 32);
}

/* ---- Compiled objects: never larger, and equal to brute force on small structs. ---- */

static char scratch[1024];

static void make_scratch(void)
{
	const char *dir = getenv("STRUCTFIT_SCRATCH_DIR");
	if (dir) {
		snprintf(scratch, sizeof(scratch), "%s", dir);
		return;
	}
	snprintf(scratch, sizeof(scratch), "/tmp/structfit-reorder-XXXXXX");
	cr_assert_not_null(mkdtemp(scratch));
}

static bool next_permutation(uint32_t *a, uint32_t n)
{
	uint32_t i, j, t;
	if (n < 2)
		return false;
	i = n - 1;
	while (i > 0 && a[i - 1] >= a[i])
		i--;
	if (i == 0)
		return false;
	j = n - 1;
	while (a[j] <= a[i - 1])
		j--;
	t = a[i - 1], a[i - 1] = a[j], a[j] = t;
	for (j = n - 1; i < j; i++, j--)
		t = a[i], a[i] = a[j], a[j] = t;
	return true;
}

static uint64_t brute_force(const sf_struct *s, sf_arena *arena)
{
	uint32_t order[8];
	uint64_t best = UINT64_MAX;
	for (uint32_t i = 0; i < s->member_count; i++)
		order[i] = i;
	do {
		sf_struct *out = NULL;
		cr_assert_eq(sf__place_struct(s, order, s->member_count, arena, &out), 0);
		if (out->size < best)
			best = out->size;
	} while (next_permutation(order, s->member_count));
	return best;
}

typedef struct counts {
	size_t proposals, brute, changed;
} counts;

static void check_plan(const char *obj, const char *label, counts *c)
{
	sf_model *model = NULL;
	sf_report *report = NULL;
	sf_plan *pl = NULL;
	sf_load_options lopts = SF_LOAD_OPTIONS_INIT;
	sf_report_options ropts = SF_REPORT_OPTIONS_INIT;
	sf_reorder_options opts = SF_REORDER_OPTIONS_INIT;
	sf_arena *arena = NULL;

	opts.keep_first = 0;
	cr_assert_eq(sf_model_new(&model), 0);
	cr_assert_eq(sf_model_load(model, obj, &lopts), 0, "%s", sf_error_last());
	cr_assert_eq(sf_report_build(&report, model, &ropts), 0);
	cr_assert_eq(sf_reorder_plan(&pl, report, &opts), 0, "%s: %s", label, sf_error_last());
	cr_assert_eq(sf_plan_count(pl), sf_report_count(report));
	cr_assert_eq(sf__arena_new(&arena), 0);
	for (size_t i = 0; i < sf_plan_count(pl); i++) {
		const sf_proposal *p = sf_plan_proposal(pl, i);
		const sf_struct *def = report->entries[i].def;
		bool has_zero = false;
		c->proposals++;
		cr_expect_leq(p->size, p->original_size, "%s: %s grows", label, p->name);
		cr_expect_eq(sf__plan_struct(pl, i)->size, p->size);
		cr_expect_eq(p->member_count, def->member_count);
		if (p->reason == SF_REASON_NONE)
			c->changed++;
		for (uint32_t k = 0; k < def->member_count; k++)
			has_zero |= (def->members[k].flags & (SF_MEMBER_FLEXIBLE | SF_MEMBER_ZERO_LENGTH |
							      SF_MEMBER_BASE_CLASS)) != 0;
		if (def->member_count > 7 || def->member_count < 2 || has_zero ||
		    (p->reason != SF_REASON_NONE && p->reason != SF_REASON_MINIMAL))
			continue;
		c->brute++;
		uint64_t best = brute_force(def, arena);
		cr_expect_eq(p->size, best, "%s: %s: proposal %llu, brute force %llu", label,
			     p->name ? p->name : "(anonymous)", (unsigned long long)p->size,
			     (unsigned long long)best);
		cr_expect_eq(p->optimal, SF_OPTIMAL_PROVEN);
	}
	sf__arena_free(arena);
	sf_plan_free(pl);
	sf_report_free(report);
	sf_model_free(model);
}

Test(reorder, compiled_structs_match_brute_force, .timeout = 600)
{
	const char *gen = getenv("STRUCTFIT_GEN_STRUCTS");
	const char *src_dir = getenv("STRUCTFIT_SOURCE_DIR");
	const char *targets[] = { "x86_64-linux-gnu", "i386-linux-gnu", "armv7-linux-gnueabihf",
				  "aarch64-linux-gnu", "s390x-linux-gnu" };
	char cmd[8192], base[1200], label[256];
	counts c = { 0, 0, 0 };

	if (!gen || !src_dir)
		cr_skip_test("test environment not set");
	make_scratch();
	for (size_t k = 0; k < sizeof(targets) / sizeof(targets[0]); k++) {
		snprintf(base, sizeof(base), "%s/reorder-rand-%zu", scratch, k);
		snprintf(cmd, sizeof(cmd), "%s --seed %zu --count 300 %s -o %s", gen, 9100 + k,
			 strstr(targets[k], "64") ? "--lp64" : "", base);
		cr_assert(system(cmd) == 0, "%s", cmd);
		snprintf(cmd, sizeof(cmd), "clang --target=%s -g -O0 -w -c %s.c -o %s.o 2>/dev/null",
			 targets[k], base, base);
		if (system(cmd) != 0)
			continue;
		snprintf(cmd, sizeof(cmd), "%s.o", base);
		snprintf(label, sizeof(label), "random %s", targets[k]);
		check_plan(cmd, label, &c);
		snprintf(cmd, sizeof(cmd), "clang --target=%s -g -O0 -w -c %s/fixtures/basic.c -o %s-basic.o 2>/dev/null",
			 targets[k], src_dir, base);
		if (system(cmd) == 0) {
			snprintf(cmd, sizeof(cmd), "%s-basic.o", base);
			snprintf(label, sizeof(label), "basic.c %s", targets[k]);
			check_plan(cmd, label, &c);
		}
	}
	if (c.proposals == 0)
		cr_skip_test("clang could not build anything");
	fprintf(stderr, "reorder: %zu proposals, %zu changed, %zu compared with brute force\n",
		c.proposals, c.changed, c.brute);
	cr_expect_gt(c.brute, 200);
}

/* struct B { B(); int i; char c; }; struct D : B { char d; int j; char e; }:
 * e joins d in B's tail padding, 16 -> 12 bytes, the base stays first. */
Test(reorder, cxx_class_uses_tail_padding_of_non_pod_base)
{
	const mb_member b_rows[] = { MB_PLAIN("i", "int", 0, 4, 4), MB_PLAIN("c", "char", 4, 1, 1) };
	sf_struct *b = mb_add(&fx.unit, SF_STRUCT, "B", 8, b_rows, 2);
	b->cxx = true;
	b->cxx_nonpod_hint = true;
	const mb_member d_rows[] = {
		{ NULL, "struct B", 0, 8, 4, 0, 0, SF_MEMBER_BASE_CLASS, b, 0 },
		MB_PLAIN("d", "char", 5, 1, 1), MB_PLAIN("j", "int", 8, 4, 4), MB_PLAIN("e", "char", 12, 1, 1),
	};
	sf_struct *d = mb_add(&fx.unit, SF_STRUCT, "D", 16, d_rows, 4);
	d->cxx = true;
	const sf_proposal *p = plan(d);
	cr_assert_eq(p->reason, SF_REASON_NONE, "%s", sf_reorder_reason_text(p->reason));
	cr_expect_eq(p->size, 12);
	cr_expect_eq(p->order[0], 0, "the base never moves");
}

/* struct E {}; struct F : E { char a; int b; char c; }: the empty base
 * takes no room, so a and c pack after b: 12 -> 8 bytes. */
Test(reorder, cxx_class_with_empty_base)
{
	sf_struct *e = mb_add(&fx.unit, SF_STRUCT, "E", 1, NULL, 0);
	e->cxx = true;
	const mb_member f_rows[] = {
		{ NULL, "struct E", 0, 1, 1, 0, 0, SF_MEMBER_BASE_CLASS, e, 0 },
		MB_PLAIN("a", "char", 0, 1, 1), MB_PLAIN("b", "int", 4, 4, 4), MB_PLAIN("c", "char", 8, 1, 1),
	};
	sf_struct *f = mb_add(&fx.unit, SF_STRUCT, "F", 12, f_rows, 4);
	f->cxx = true;
	const sf_proposal *p = plan(f);
	cr_assert_eq(p->reason, SF_REASON_NONE, "%s", sf_reorder_reason_text(p->reason));
	cr_expect_eq(p->size, 8);
	cr_expect_eq(p->order[0], 0);
}

/* A caller built against the version 1 header passes a shorter struct:
 * it must still plan, and an unknown version must be refused. */
Test(reorder, options_version_one_still_accepted)
{
	sf_model *model = NULL;
	sf_report *report = NULL;
	sf_plan *pl = NULL;
	sf_report_options ropts = SF_REPORT_OPTIONS_INIT;
	sf_reorder_options opts = SF_REORDER_OPTIONS_INIT;

	cr_assert_eq(sf_model_new(&model), 0);
	cr_assert_eq(sf_report_build(&report, model, &ropts), 0);
	opts.version = 1;
	cr_expect_eq(sf_reorder_plan(&pl, report, &opts), 0, "%s", sf_error_last());
	sf_plan_free(pl);
	pl = NULL;
	opts.version = 3;
	cr_expect_eq(sf_reorder_plan(&pl, report, &opts), SF_EUSAGE);
	cr_expect_null(pl);
	sf_report_free(report);
	sf_model_free(model);
}
