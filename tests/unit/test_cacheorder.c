/* Cache-aware orders: hot set from heat and hot rules, line counts at the worst start, apart, kernel groups, brute force. */
#include <criterion/criterion.h>

#include <structfit/structfit.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "layout/place.h"
#include "model/structs.h"
#include "model_builder.h"
#include "reorder/heat.h"
#include "reorder/plan.h"

typedef struct fixture {
	sf_unit unit;
	sf_arena *arena;
	sf_search_ws ws;
	sf_plan_entry entry;
	sf_constraints *constraints;
} fixture;

static fixture fx;

static void setup(void)
{
	memset(&fx, 0, sizeof(fx));
	cr_assert_eq(sf__unit_init(&fx.unit, 0), 0);
	cr_assert_eq(sf__arena_new(&fx.arena), 0);
}

static void teardown(void)
{
	sf__layout_free(fx.entry.owned_layout);
	sf__search_ws_free(&fx.ws);
	sf_constraints_free(fx.constraints);
	sf__arena_free(fx.arena);
	sf__unit_release(&fx.unit);
}

TestSuite(cacheorder, .init = setup, .fini = teardown);

static const sf_proposal *plan_with(const sf_struct *s, const sf_reorder_options *opts)
{
	sf__layout_free(fx.entry.owned_layout);
	fx.entry.owned_layout = NULL;
	int rc = sf__reorder_struct(&fx.entry, s, NULL, opts, 64, &fx.ws, fx.arena);
	cr_assert_eq(rc, 0, "%s", sf_error_last());
	return &fx.entry.proposal;
}

static void use_constraints(const char *text)
{
	sf_constraints_free(fx.constraints);
	fx.constraints = NULL;
	int rc = sf_constraints_parse(&fx.constraints, text, strlen(text), "test.cf");
	cr_assert_eq(rc, 0, "%s", sf_error_last());
}

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
	cr_expect(!sf__heat_may_share(0, 8, 56, 64, 64, 64) == false);
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
	cr_expect_eq(p->hot_count, 4, "fd, bytes_in, bytes_out, state carry 99.9 %% of the accesses");
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

Test(cacheorder, hot_set_covers_ninety_percent)
{
	mb_member rows[] = {
		MB_PLAIN("a", "long", 0, 8, 8), MB_PLAIN("b", "long", 0, 8, 8), MB_PLAIN("c", "long", 0, 8, 8),
		MB_PLAIN("d", "long", 0, 8, 8), MB_PLAIN("e", "long", 0, 8, 8), MB_PLAIN("f", "long", 0, 8, 8),
	};
	sf_struct *s = layout_struct("six", rows, MB_COUNT(rows));
	/* 2000 accesses: a, b, c reach 1900 >= 1800; d, e, f are warm. */
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
