/* Cache-aware orders: hot set from heat and hot rules, line counts at the worst start, apart, kernel groups, brute force. */
#include <criterion/criterion.h>

#include <structfit/structfit.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "layout/place.h"
#include "model/structs.h"
#include "model_builder.h"
#include "plan_fixture.h"
#include "reorder/heat.h"
#include "reorder/plan.h"

TestSuite(cacheorder, .init = setup, .fini = teardown);

/* Offset of declared member `index` in the proposed layout. */
static uint64_t offset_of(const sf_proposal *p, uint32_t index)
{
	for (uint32_t k = 0; k < p->member_count; k++) {
		if (p->order[k] == index)
			return fx.entry.placed->members[k].offset;
	}
	cr_assert_fail("member %u missing", index);
	return 0;
}

/* A struct with C offsets computed from the rows' sizes and alignments. */
static sf_struct *layout_struct(const char *name, mb_member *rows, uint32_t count)
{
	uint64_t pos = 0, align = 1;
	for (uint32_t i = 0; i < count; i++) {
		uint64_t a = rows[i].type_align;
		pos = (pos + a - 1) / a * a;
		rows[i].offset = pos;
		rows[i].bit_offset = pos * 8;
		pos += rows[i].size;
		align = a > align ? a : align;
	}
	return mb_add(&fx.unit, SF_STRUCT, name, (pos + align - 1) / align * align, rows, count);
}

Test(cacheorder, lines_at_worst_16_byte_start)
{
	cr_expect_eq(sf__heat_lines(0, 16, 16, 64), 1, "16 bytes at a 16-aligned offset never cross");
	cr_expect_eq(sf__heat_lines(0, 17, 16, 64), 2, "17 bytes cross when the object starts 48 bytes in");
	cr_expect_eq(sf__heat_lines(8, 24, 16, 64), 2);
	cr_expect_eq(sf__heat_lines(0, 64, 64, 64), 1, "a 64-aligned object keeps 64 bytes in one line");
	cr_expect_eq(sf__heat_lines(0, 64, 16, 64), 2);
	cr_expect_eq(sf__heat_lines(0, 0, 16, 64), 0);
	cr_expect_eq(sf__heat_lines_lower(24, 16, 64), 2);
	cr_expect_eq(sf__heat_lines_lower(16, 16, 64), 1);
	cr_expect(!sf__heat_may_share(0, 8, 64, 72, 16, 64), "64 bytes apart never share");
	cr_expect(sf__heat_may_share(0, 8, 56, 64, 16, 64), "56 bytes apart share at start 0");
	cr_expect(sf__heat_may_share(0, 8, 56, 64, 64, 64), "one line at a 64-aligned start");
	cr_expect(!sf__heat_may_share(0, 8, 64, 72, 64, 64));
}

/* A connection struct whose hot fields are scattered over three lines. */
static sf_struct *scattered(void)
{
	mb_member rows[] = {
		MB_PLAIN("name", "c40", 0, 40, 1),
		MB_PLAIN("fd", "int", 0, 4, 4),
		MB_PLAIN("bytes_in", "long", 0, 8, 8),
		MB_PLAIN("pad1", "c30", 0, 30, 1),
		MB_PLAIN("bytes_out", "long", 0, 8, 8),
		MB_PLAIN("flags", "short", 0, 2, 2),
		MB_PLAIN("peer", "c50", 0, 50, 1),
		MB_PLAIN("last_seen", "long", 0, 8, 8),
		MB_PLAIN("state", "int", 0, 4, 4),
	};
	return layout_struct("conn", rows, MB_COUNT(rows));
}

static const sf_member_heat conn_heat[] = {
	{ "conn", "fd", 1000, 10, 0 },
	{ "conn", "bytes_in", 900, 900, 0 },
	{ "conn", "bytes_out", 800, 800, 0 },
	{ "conn", "state", 700, 100, 0 },
	{ "conn", "name", 5, 0, 0 },
	{ "other", "peer", 100000, 0, 0 },   /* another struct: ignored */
};

Test(cacheorder, heat_packs_hot_members_from_offset_zero)
{
	sf_struct *s = scattered();
	sf_reorder_options opts = SF_REORDER_OPTIONS_INIT;
	opts.heat = conn_heat;
	opts.heat_count = sizeof(conn_heat) / sizeof(conn_heat[0]);
	const sf_proposal *p = plan_with(s, &opts);

	cr_assert_eq(s->size, 168);
	cr_expect_eq(p->reason, SF_REASON_NONE);
	cr_expect_eq(p->cache_aware, 1);
	cr_expect_eq(p->hot_count, 4, "fd, bytes_in, bytes_out, state reach 25 %% of bytes_in's 1800");
	cr_expect_eq(p->original_hot_lines, 3);
	cr_expect_eq(p->hot_lines, 2, "24 bytes touch 2 lines at the worst 16-byte start");
	cr_expect_eq(p->hot_end, 24);
	cr_expect_eq(p->size, 160, "never larger than the minimal size");
	cr_expect_eq(p->optimal, SF_OPTIMAL_PROVEN);
	cr_expect_eq(p->budget_bound, SF_OBJECTIVE_NONE);
	cr_expect_lt(offset_of(p, 1), 24);
	cr_expect_lt(offset_of(p, 2), 24);
	cr_expect_lt(offset_of(p, 4), 24);
	cr_expect_lt(offset_of(p, 8), 24);
}

Test(cacheorder, hot_set_is_a_quarter_of_the_busiest_member)
{
	mb_member rows[] = {
		MB_PLAIN("a", "long", 0, 8, 8), MB_PLAIN("b", "long", 0, 8, 8), MB_PLAIN("c", "long", 0, 8, 8),
		MB_PLAIN("d", "long", 0, 8, 8), MB_PLAIN("e", "long", 0, 8, 8), MB_PLAIN("f", "long", 0, 8, 8),
	};
	sf_struct *s = layout_struct("six", rows, MB_COUNT(rows));
	/* f is the busiest (1000): e (500) and d (400) reach 25 % of it, a, b, c do not. */
	const sf_member_heat heat[] = {
		{ "six", "f", 1000, 0, 0 }, { "six", "e", 250, 250, 0 }, { "six", "d", 400, 0, 0 },
		{ "six", "a", 50, 0, 0 }, { "six", "b", 30, 0, 0 }, { "six", "c", 20, 0, 0 },
	};
	sf_reorder_options opts = SF_REORDER_OPTIONS_INIT;
	opts.heat = heat;
	opts.heat_count = 6;
	const sf_proposal *p = plan_with(s, &opts);
	cr_expect_eq(p->hot_count, 3);
	cr_expect_eq(p->original_hot_end, 48);
	cr_expect_eq(p->hot_end, 24);
	cr_expect_eq(p->hot_lines, 2);
	cr_expect_eq(p->moved, 3, "f, e, d move to the front; a, b, c keep their order");
}

/* Past the state cap a struct of minimal size still gets its hot members
 * together (the size shortcut "already minimal" must not stop it). */
Test(cacheorder, past_the_state_cap_hot_members_still_move)
{
	mb_member rows[] = {
		MB_PLAIN("a", "long", 0, 8, 8), MB_PLAIN("b", "int", 0, 4, 4), MB_PLAIN("c", "int", 0, 4, 4),
		MB_PLAIN("d", "long", 0, 8, 8), MB_PLAIN("e", "c40", 0, 40, 1), MB_PLAIN("f", "long", 0, 8, 8),
	};
	sf_struct *s = layout_struct("capped", rows, MB_COUNT(rows));
	sf_reorder_options opts = SF_REORDER_OPTIONS_INIT;
	use_constraints("hot capped: a f\n");
	opts.constraints = fx.constraints;
	opts.state_cap = 2;
	const sf_proposal *p = plan_with(s, &opts);
	cr_assert_eq(s->size, 72);
	cr_expect_eq(p->reason, SF_REASON_NONE, "reason %d", p->reason);
	cr_expect_eq(p->size, 72);
	cr_expect_eq(p->original_hot_lines, 2, "a at 0 and f at 64");
	cr_expect_eq(p->hot_lines, 1);
	cr_expect_eq(p->hot_end, 16);
	cr_expect_eq(p->optimal, SF_OPTIMAL_HEURISTIC);
	cr_expect_eq(p->budget_bound, SF_OBJECTIVE_HOT_LINES);
}

Test(cacheorder, hot_rule_and_heat_are_one_mechanism)
{
	sf_struct *s = scattered();
	sf_reorder_options opts = SF_REORDER_OPTIONS_INIT;
	uint32_t with_heat[9];

	opts.heat = conn_heat;
	opts.heat_count = sizeof(conn_heat) / sizeof(conn_heat[0]);
	memcpy(with_heat, plan_with(s, &opts)->order, sizeof(with_heat));
	opts.heat = NULL;
	opts.heat_count = 0;
	use_constraints("hot conn: fd bytes_in bytes_out state\n");
	opts.constraints = fx.constraints;
	const sf_proposal *p = plan_with(s, &opts);
	cr_expect_eq(p->hot_count, 4);
	cr_expect_eq(p->hot_lines, 2);
	cr_expect_arr_eq(p->order, with_heat, sizeof(with_heat));
}

Test(cacheorder, no_heat_for_the_struct_changes_nothing)
{
	sf_struct *s = scattered();
	sf_reorder_options opts = SF_REORDER_OPTIONS_INIT;
	const sf_member_heat other[] = { { "other", "fd", 10, 10, 4 } };
	uint32_t plain[9];
	uint64_t size;

	const sf_proposal *p = plan_with(s, &opts);
	memcpy(plain, p->order, sizeof(plain));
	size = p->size;
	opts.heat = other;
	opts.heat_count = 1;
	p = plan_with(s, &opts);
	cr_expect_eq(p->cache_aware, 0);
	cr_expect_eq(p->size, size);
	cr_expect_arr_eq(p->order, plain, sizeof(plain));
}

Test(cacheorder, apart_keeps_writers_in_different_lines)
{
	sf_struct *s = scattered();
	sf_reorder_options opts = SF_REORDER_OPTIONS_INIT;
	const sf_member_heat heat[] = {
		{ "conn", "bytes_in", 10, 1000, 2 }, { "conn", "bytes_out", 10, 1000, 3 },
	};

	opts.heat = heat;
	opts.heat_count = 2;
	const sf_proposal *p = plan_with(s, &opts);
	cr_expect_eq(p->shared_writers, 1, "two multi-thread writers in one line are reported");

	use_constraints("apart conn: bytes_in bytes_out\n");
	opts.constraints = fx.constraints;
	p = plan_with(s, &opts);
	cr_expect_eq(p->shared_writers, 0);
	cr_expect(!sf__heat_may_share(offset_of(p, 2), offset_of(p, 2) + 8, offset_of(p, 4), offset_of(p, 4) + 8,
				      16, 64), "bytes_in at %llu, bytes_out at %llu",
		  (unsigned long long)offset_of(p, 2), (unsigned long long)offset_of(p, 4));
	cr_expect_leq(p->size, 160);
}

Test(cacheorder, apart_parses_and_needs_two_members)
{
	sf_constraints *cs = NULL;
	cr_expect_eq(sf_constraints_parse(&cs, "apart s: a\n", 11, "r"), SF_EUSAGE);
	cr_expect(strstr(sf_error_last(), "r:1: apart needs at least two members"), "%s", sf_error_last());
	cr_expect_eq(sf_constraints_parse(&cs, "apart s: a b\n", 13, "r"), 0);
	sf_constraints_free(cs);
}

/* Kernel 6.8+ markers: zero-size u8[0] members around a group. */
#define MB_MARKER(name) { name, "__u8[0]", 0, 0, 1, 0, 0, SF_MEMBER_ZERO_LENGTH, NULL, 0 }

Test(cacheorder, kernel_cacheline_groups_stay_together)
{
	mb_member rows[] = {
		MB_PLAIN("a", "char", 0, 1, 1),
		MB_MARKER("__cacheline_group_begin__rx"),
		MB_PLAIN("r1", "char", 0, 1, 1),
		MB_PLAIN("r2", "long", 0, 8, 8),
		MB_PLAIN("r3", "char", 0, 1, 1),
		MB_MARKER("__cacheline_group_end__rx"),
		MB_PLAIN("b", "long", 0, 8, 8),
		MB_PLAIN("c", "char", 0, 1, 1),
	};
	sf_struct *s = layout_struct("netdev", rows, MB_COUNT(rows));
	sf_reorder_options opts = SF_REORDER_OPTIONS_INIT;
	const sf_proposal *p = plan_with(s, &opts);

	cr_assert_eq(s->size, 40);
	cr_expect_eq(p->order[1], 1, "begin marker keeps its index");
	cr_expect_eq(p->order[5], 5, "end marker keeps its index");
	for (uint32_t k = 2; k < 5; k++)
		cr_expect(p->order[k] >= 2 && p->order[k] <= 4, "position %u holds %u", k, p->order[k]);
	cr_expect_eq(p->order[0], 6, "b takes the first outside position");
	cr_expect_eq(p->size, 24, "b, [r2 r1 r3], a c: %llu", (unsigned long long)p->size);
}

/* ---- Brute force: the cache-aware objective is optimal over all permutations. ---- */

typedef struct mtype {
	const char *name;
	uint64_t size;
	uint32_t align;
} mtype;

static const mtype pool[] = {
	{ "char", 1, 1 }, { "short", 2, 2 }, { "int", 4, 4 }, { "long", 8, 8 }, { "c3", 3, 1 },
	{ "c13", 13, 1 }, { "i3", 12, 4 }, { "c40", 40, 1 }, { "l3", 24, 8 }, { "c29", 29, 1 },
};

static const char *const names[] = { "m0", "m1", "m2", "m3", "m4", "m5", "m6" };

static uint32_t rng_state;

static uint32_t rnd(uint32_t n)
{
	rng_state = rng_state * 1103515245u + 12345u;
	return (rng_state >> 8) % n;
}

static bool next_perm(uint32_t *a, uint32_t n)
{
	uint32_t i = n - 1, j = n - 1, t;
	while (i > 0 && a[i - 1] >= a[i])
		i--;
	if (i == 0)
		return false;
	while (a[j] <= a[i - 1])
		j--;
	t = a[i - 1], a[i - 1] = a[j], a[j] = t;
	for (j = n - 1; i < j; i++, j--)
		t = a[i], a[i] = a[j], a[j] = t;
	return true;
}

/* The hot set as docs/cache-aware.md defines it, computed independently. */
static void hot_set(const uint64_t *w, const bool *rule, uint32_t n, bool *hot)
{
	uint64_t busiest = 0;
	for (uint32_t i = 0; i < n; i++)
		busiest = w[i] > busiest ? w[i] : busiest;
	/* weights here are small: w * 100 >= busiest * 25 cannot overflow */
	for (uint32_t i = 0; i < n; i++)
		hot[i] = rule[i] || (w[i] && w[i] * 100 >= busiest * 25);
}

typedef struct tuple {
	uint32_t lines;
	uint64_t end, size;
	uint32_t moved;
} tuple;

static int tuple_cmp(const tuple *a, const tuple *b)
{
	if (a->lines != b->lines)
		return a->lines < b->lines ? -1 : 1;
	if (a->end != b->end)
		return a->end < b->end ? -1 : 1;
	if (a->size != b->size)
		return a->size < b->size ? -1 : 1;
	return a->moved < b->moved ? -1 : a->moved > b->moved;
}

static bool apart_ok(const sf_struct *placed, const uint32_t *order, int apart_a, int apart_b)
{
	const sf_member *x = NULL, *y = NULL;
	if (apart_a < 0)
		return true;
	for (uint32_t k = 0; k < placed->member_count; k++) {
		if (order[k] == (uint32_t)apart_a)
			x = &placed->members[k];
		if (order[k] == (uint32_t)apart_b)
			y = &placed->members[k];
	}
	return !sf__heat_may_share(x->offset, x->offset + x->size, y->offset, y->offset + y->size, 16, 64);
}

/* One random case; returns whether a proposal (not the identity) was made. */
static bool brute_case(uint32_t index, sf_arena *arena, uint32_t *grown)
{
	uint32_t n = 2 + rnd(6), order[7], threads[7] = { 0 };
	mb_member rows[7];
	uint64_t w[7] = { 0 }, min_size = UINT64_MAX, growth = (uint64_t[]){ 0, 0, 8, 16, 24 }[rnd(5)];
	bool rule[7] = { false }, hot[7];
	sf_member_heat heat[7];
	size_t heat_count = 0;
	int apart_a = -1, apart_b = -1;
	char text[256] = "";
	tuple best = { UINT32_MAX, 0, 0, 0 };
	bool found = false;

	for (uint32_t i = 0; i < n; i++) {
		const mtype *t = &pool[rnd(sizeof(pool) / sizeof(pool[0]))];
		rows[i] = (mb_member)MB_PLAIN(names[i], t->name, 0, t->size, t->align);
		if (rnd(2)) {
			w[i] = 1 + rnd(4) * 250;
			heat[heat_count++] = (sf_member_heat){ "r", names[i], w[i], 0, 0 };
		}
	}
	if (rnd(4) == 0) {
		uint32_t m = rnd(n);
		rule[m] = true;
		snprintf(text, sizeof(text), "hot r: %s\n", names[m]);
	}
	if (n >= 3 && rnd(3) == 0) {
		apart_a = (int)rnd(n);
		apart_b = (int)((apart_a + 1 + rnd(n - 1)) % n);
		snprintf(text + strlen(text), sizeof(text) - strlen(text), "apart r: %s %s\n", names[apart_a],
			 names[apart_b]);
	}
	sf_struct *s = layout_struct("r", rows, n);
	hot_set(w, rule, n, hot);

	for (int pass = 0; pass < 2; pass++) {
		for (uint32_t i = 0; i < n; i++)
			order[i] = i;
		do {
			sf_struct *placed = NULL;
			sf_heat_measure m;
			tuple t;
			cr_assert_eq(sf__place_struct(s, order, n, arena, &placed), 0);
			if (pass == 0) {
				min_size = placed->size < min_size ? placed->size : min_size;
				continue;
			}
			if (placed->size > min_size + growth || !apart_ok(placed, order, apart_a, apart_b))
				continue;
			sf__heat_measure(&m, placed, order, hot, threads, 16, 64);
			t = (tuple){ m.hot_lines, m.hot_end, placed->size, sf__search_moved(order, n) };
			if (!found || tuple_cmp(&t, &best) < 0)
				best = t;
			found = true;
		} while (next_perm(order, n));
	}

	sf_reorder_options opts = SF_REORDER_OPTIONS_INIT;
	opts.keep_first = 0;
	opts.heat = heat;
	opts.heat_count = heat_count;
	opts.allow_growth = growth;
	if (text[0]) {
		use_constraints(text);
		opts.constraints = fx.constraints;
	}
	const sf_proposal *p = plan_with(s, &opts);
	if (!found) {
		cr_expect_eq(p->reason, SF_REASON_CONSTRAINED, "case %u: no order keeps the rules", index);
		return false;
	}
	if (!p->cache_aware)
		return false;   /* nothing hot and no apart rule: the size search alone */
	tuple got = { p->hot_lines, p->hot_end, p->size, p->moved };
	cr_expect_eq(tuple_cmp(&got, &best), 0,
		     "case %u (%u members, growth %llu, %s): planner (%u lines, end %llu, %llu bytes, %u moved), "
		     "brute force (%u, %llu, %llu, %u)", index, n, (unsigned long long)growth, text, got.lines,
		     (unsigned long long)got.end, (unsigned long long)got.size, got.moved, best.lines,
		     (unsigned long long)best.end, (unsigned long long)best.size, best.moved);
	cr_expect_eq(p->budget_bound, SF_OBJECTIVE_NONE);
	cr_expect_leq(p->size, min_size + growth);
	if (p->size > min_size) {
		cr_expect(p->bound_by & SF_RULE_BOUND_HEAT, "case %u grew without saying so", index);
		(*grown)++;
	}
	return p->reason == SF_REASON_NONE;
}

Test(cacheorder, objective_matches_brute_force, .timeout = 300)
{
	sf_arena *arena = NULL;
	uint32_t proposals = 0, grown = 0, cases = 1000;

	rng_state = 13013;
	for (uint32_t i = 0; i < cases; i++) {
		cr_assert_eq(sf__arena_new(&arena), 0);
		proposals += brute_case(i, arena, &grown);
		sf__arena_free(arena);
	}
	fprintf(stderr, "cacheorder: %u random structs, %u cache-aware proposals, %u grown past the minimal size\n",
		cases, proposals, grown);
	cr_expect_gt(proposals, 300);
	cr_expect_gt(grown, 0, "--allow-growth never mattered: the cases do not test it");
}

/* ---- Through the public API: a compiled struct, heat by hand, text and JSON. ---- */

Test(cacheorder, text_and_json_name_hot_lines_and_false_sharing)
{
	const char *dir = getenv("STRUCTFIT_FIXTURE_DIR");
	const char *glob = "connection";
	char path[4096];
	sf_model *model = NULL;
	sf_report *report = NULL;
	sf_plan *pl = NULL;
	sf_load_options lopts = SF_LOAD_OPTIONS_INIT;
	sf_report_options ropts = SF_REPORT_OPTIONS_INIT;
	sf_reorder_options opts = SF_REORDER_OPTIONS_INIT;
	sf_emit_options eopts = SF_EMIT_OPTIONS_INIT;
	sf_buf text = SF_BUF_INIT, json = SF_BUF_INIT;
	/* Two counters bumped from several threads, a field barely read. */
	const sf_member_heat heat[] = {
		{ "connection", "bytes_in", 10, 5000, 4 },
		{ "connection", "bytes_out", 10, 5000, 4 },
		{ "connection", "fd", 30, 0, 0 },
	};

	cr_assert(dir != NULL, "STRUCTFIT_FIXTURE_DIR is not set (run through ctest)");
	snprintf(path, sizeof(path), "%s/example.o", dir);
	ropts.name_globs = &glob;
	ropts.name_glob_count = 1;
	cr_assert_eq(sf_model_new(&model), 0);
	cr_assert_eq(sf_model_load(model, path, &lopts), 0, "%s", sf_error_last());
	cr_assert_eq(sf_report_build(&report, model, &ropts), 0, "%s", sf_error_last());
	cr_assert_eq(sf_report_count(report), 1);
	opts.heat = heat;
	opts.heat_count = 3;
	cr_assert_eq(sf_reorder_plan(&pl, report, &opts), 0, "%s", sf_error_last());
	const sf_proposal *p = sf_plan_proposal(pl, 0);
	cr_expect_eq(p->cache_aware, 1);
	cr_expect_eq(p->hot_count, 2, "fd carries 0.3 %% of the accesses");
	cr_expect_eq(p->original_hot_lines, 2, "bytes_in at 24, bytes_out at 40");
	cr_expect_eq(p->hot_lines, 1);
	cr_expect_eq(p->shared_writers, 1, "bytes_in and bytes_out end up in one line");

	eopts.plan = pl;
	cr_assert_eq(sf_emit_reorder(&text, pl, &eopts), 0);
	cr_assert_eq(sf_emit_json(&json, report, &eopts), 0);
	cr_expect(strstr(text.data, "/* hot members (2): 2 lines -> 1 line at the worst 16-byte-aligned start"),
		  "%s", text.data);
	cr_expect(strstr(text.data, "/* warning: 1 pair of members written by several threads may share a cache line"),
		  "%s", text.data);
	cr_expect(strstr(json.data, "\"hot\": {\"members\": 2, \"lines\": 1, \"original_lines\": 2"), "%s", json.data);
	cr_expect(strstr(json.data, "\"shared_writers\": 1}"), "%s", json.data);
	sf_buf_free(&text);
	sf_buf_free(&json);
	sf_plan_free(pl);
	sf_report_free(report);
	sf_model_free(model);
}

/* Every member touched once when the object is set up, a few touched in
 * the loop: the set-up touches must not make the cold members hot (a
 * share-of-total rule took all of them). */
Test(cacheorder, setup_touches_do_not_make_members_hot)
{
	mb_member rows[] = {
		MB_PLAIN("a", "long", 0, 8, 8), MB_PLAIN("b", "long", 0, 8, 8), MB_PLAIN("c", "long", 0, 8, 8),
		MB_PLAIN("d", "long", 0, 8, 8), MB_PLAIN("e", "long", 0, 8, 8), MB_PLAIN("f", "long", 0, 8, 8),
		MB_PLAIN("g", "long", 0, 8, 8), MB_PLAIN("h", "long", 0, 8, 8), MB_PLAIN("i", "long", 0, 8, 8),
		MB_PLAIN("j", "long", 0, 8, 8),
	};
	sf_struct *s = layout_struct("ten", rows, MB_COUNT(rows));
	const sf_member_heat heat[] = {
		{ "ten", "a", 0, 100, 0 }, { "ten", "b", 0, 100, 0 }, { "ten", "c", 0, 100, 0 },
		{ "ten", "d", 0, 100, 0 }, { "ten", "e", 0, 100, 0 }, { "ten", "f", 0, 100, 0 },
		{ "ten", "g", 0, 100, 0 }, { "ten", "h", 0, 100, 0 },
		{ "ten", "i", 500, 100, 0 }, { "ten", "j", 500, 100, 0 },
	};
	sf_reorder_options opts = SF_REORDER_OPTIONS_INIT;
	opts.heat = heat;
	opts.heat_count = 10;
	const sf_proposal *p = plan_with(s, &opts);
	cr_expect_eq(p->hot_count, 2, "only i and j are hot");
	cr_expect_eq(p->hot_end, 16);
}
