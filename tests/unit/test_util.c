/* Tests of the util/ building blocks the emitters and loaders share: the output buffer and the arena. */
#include <criterion/criterion.h>

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "util/arena.h"
#include "util/buf.h"
#include "util/grow.h"
#include "util/jobs.h"

Test(util, buf_put_u64_pads_like_printf)
{
	static const uint64_t values[] = { 0, 7, 42, 12345, 123456, UINT64_MAX };
	static const unsigned widths[] = { 0, 2, 5, 25 };
	sf_buf buf = SF_BUF_INIT;
	char expected[64];

	for (size_t v = 0; v < sizeof(values) / sizeof(values[0]); v++) {
		for (size_t w = 0; w < sizeof(widths) / sizeof(widths[0]); w++) {
			buf.len = 0;
			sf__buf_put_u64(&buf, values[v], widths[w]);
			snprintf(expected, sizeof(expected), "%*" PRIu64, (int)widths[w], values[v]);
			cr_assert_eq(buf.len, strlen(expected));
			cr_assert_str_eq(buf.data, expected);
		}
	}
	sf_buf_free(&buf);
}

Test(util, buf_fill_and_putc_keep_the_terminator)
{
	sf_buf buf = SF_BUF_INIT;

	sf__buf_fill(&buf, '\t', 0);
	cr_assert_eq(buf.len, 0);
	for (int i = 0; i < 1000; i++)
		sf__buf_putc(&buf, (char)('a' + i % 26));
	sf__buf_fill(&buf, ' ', 300);
	cr_assert_eq(buf.len, 1300);
	cr_assert_eq(strlen(buf.data), 1300);
	cr_assert_eq(buf.data[999], (char)('a' + 999 % 26));
	cr_assert_eq(buf.data[1299], ' ');
	sf_buf_free(&buf);
}

/* Formatting goes into the free space first: an exact fit, one byte short
 * of it (the terminator needs room) and a failure must all come out right. */
Test(util, buf_printf_at_every_fill_level)
{
	for (size_t prefix = 0; prefix < 300; prefix++) {
		sf_buf buf = SF_BUF_INIT;
		char expected[512];

		sf__buf_fill(&buf, 'x', prefix);
		sf__buf_printf(&buf, "[%s:%05d]", "abcdefghij", (int)prefix);
		sf__buf_printf(&buf, "%s", "");
		snprintf(expected, sizeof(expected), "%.*s[abcdefghij:%05d]", (int)prefix,
			 "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
			 "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
			 "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
			 (int)prefix);
		cr_assert_eq(buf.len, strlen(expected), "prefix %zu", prefix);
		cr_assert_str_eq(buf.data, expected, "prefix %zu", prefix);
		cr_assert_eq(buf.failed, 0);
		sf_buf_free(&buf);
	}
}

/* sf__buf_printf() writes %s, %u, %lu and %llu itself (the report's
 * comment lines) and hands every other format to vsnprintf(): both must
 * print what snprintf() prints. */
#define EXPECT_AS_SNPRINTF(...)                                                   \
	do {                                                                      \
		char want_[256];                                                  \
		sf_buf got_ = SF_BUF_INIT;                                        \
		snprintf(want_, sizeof(want_), __VA_ARGS__);                      \
		sf__buf_printf(&got_, __VA_ARGS__);                               \
		cr_assert_str_eq(got_.data, want_);                               \
		cr_assert_eq(got_.len, strlen(want_));                            \
		sf_buf_free(&got_);                                               \
	} while (0)

Test(util, buf_printf_prints_what_snprintf_prints)
{
	EXPECT_AS_SNPRINTF("size: %" PRIu64 ", cachelines: %" PRIu64 ", members: %" PRIu32, UINT64_MAX,
			   (uint64_t)0, UINT32_MAX);
	EXPECT_AS_SNPRINTF("XXX %" PRIu64 " byte%s hole, try to pack", (uint64_t)1, "");
	EXPECT_AS_SNPRINTF("XXX %" PRIu64 " byte%s hole, try to pack", (uint64_t)12, "s");
	EXPECT_AS_SNPRINTF("%u|%lu|%llu|%s", 4294967295u, 18446744073709551615ul, 0ull, "end");
	EXPECT_AS_SNPRINTF("%s%s", "", "");
	EXPECT_AS_SNPRINTF("no conversion at all");
	/* Handed to vsnprintf. */
	EXPECT_AS_SNPRINTF("100%% of %u", 7u);
	EXPECT_AS_SNPRINTF("%5u|%-4s|%x|%d", 42u, "ab", 255u, -3);
	EXPECT_AS_SNPRINTF("%.*s|%zu", 3, "abcdef", (size_t)9);
}

Test(util, failed_buf_ignores_appends)
{
	sf_buf buf = SF_BUF_INIT;

	sf__buf_puts(&buf, "kept");
	buf.failed = 1;
	sf__buf_putc(&buf, '!');
	sf__buf_fill(&buf, ' ', 3);
	sf__buf_put_u64(&buf, 12, 4);
	sf__buf_printf(&buf, "%d", 5);
	cr_assert_eq(buf.len, 4);
	cr_assert_str_eq(buf.data, "kept");
	sf_buf_free(&buf);
}

Test(util, adopted_arena_blocks_outlive_their_arena)
{
	sf_arena *arena, *from;
	char *early, *big, *late;

	cr_assert_eq(sf__arena_new(&arena), 0);
	cr_assert_eq(sf__arena_new(&from), 0);
	cr_assert_not_null(sf__arena_strdup(arena, "own"));
	early = sf__arena_strdup(from, "early");
	big = sf__arena_alloc(from, 200 * 1024);   /* a private block */
	late = sf__arena_strdup(from, "late");
	cr_assert(early && big && late);
	memset(big, 'b', 200 * 1024);
	size_t total = sf__arena_used(arena) + sf__arena_used(from);

	sf__arena_adopt(arena, from);
	cr_expect_eq(sf__arena_used(from), 0);
	cr_expect_eq(sf__arena_used(arena), total);
	sf__arena_free(from);
	/* Still usable after adopting, and what it held is intact. */
	cr_assert_not_null(sf__arena_strdup(arena, "after"));
	cr_expect_str_eq(early, "early");
	cr_expect_str_eq(late, "late");
	cr_expect_eq(big[200 * 1024 - 1], 'b');
	sf__arena_adopt(arena, NULL);
	sf__arena_free(arena);
}

/* Allocations of 16 KiB: four fill a pooled block. */
#define PIECE (16u * 1024u)

static void fill_blocks(sf_arena *arena, unsigned blocks, unsigned char *seen[], unsigned byte)
{
	for (unsigned i = 0; i < blocks * 4; i++) {
		unsigned char *p = sf__arena_alloc(arena, PIECE - 64);
		cr_assert_not_null(p);
		for (size_t k = 0; k < PIECE - 64; k++)
			cr_assert_eq(p[k], 0, "a reused block's memory is zeroed for each allocation");
		memset(p, (int)byte, PIECE - 64);
		if (seen)
			seen[i] = p;
	}
}

Test(util, arena_pool_hands_freed_blocks_to_the_next_arena)
{
	sf_arena_pool pool = { .limit = 8 };
	unsigned char *first[12], *second[12];
	sf_arena *arena;

	cr_assert_eq(sf__arena_new_pooled(&arena, &pool), 0);
	fill_blocks(arena, 3, first, 'a');
	cr_expect_eq(sf__arena_pool_count(&pool), 0);
	sf__arena_free(arena);
#ifdef STRUCTFIT_ARENA_MALLOC
	/* Every object is its own allocation, freed where ASan sees it. */
	cr_expect_eq(sf__arena_pool_count(&pool), 0);
	(void)second;
#else
	cr_expect_eq(sf__arena_pool_count(&pool), 3);
	cr_assert_eq(sf__arena_new_pooled(&arena, &pool), 0);
	fill_blocks(arena, 2, second, 'b');
	cr_expect_eq(sf__arena_pool_count(&pool), 1, "the second arena took two blocks of the pool");
	/* Its objects are where the first arena's were. */
	for (unsigned i = 0; i < 8; i++) {
		bool reused = false;
		for (unsigned k = 0; k < 12 && !reused; k++)
			reused = second[i] == first[k];
		cr_expect(reused, "allocation %u is not in a pooled block", i);
	}
	sf__arena_free(arena);
	cr_expect_eq(sf__arena_pool_count(&pool), 3);
#endif
	sf__arena_pool_release(&pool);
	cr_expect_eq(sf__arena_pool_count(&pool), 0);
}

Test(util, arena_pool_keeps_at_most_its_limit)
{
	sf_arena_pool pool = { .limit = 2 };
	sf_arena *arena;

	cr_assert_eq(sf__arena_new_pooled(&arena, &pool), 0);
	fill_blocks(arena, 5, NULL, 'c');
	/* A private block is never pooled. */
	cr_assert_not_null(sf__arena_alloc(arena, 200 * 1024));
	sf__arena_free(arena);
#ifdef STRUCTFIT_ARENA_MALLOC
	cr_expect_eq(sf__arena_pool_count(&pool), 0);
#else
	cr_expect_eq(sf__arena_pool_count(&pool), 2);
#endif
	sf__arena_pool_release(&pool);
}

/* Blocks adopted from a pooled arena belong to the adopting arena: freed
 * with it (into its pool, or to malloc: ASan reports a leak if not). */
Test(util, adopted_pooled_blocks_go_where_the_adopter_frees)
{
	sf_arena_pool pool = { .limit = 8 }, other = { .limit = 8 };
	sf_arena *from, *plain, *pooled;

	cr_assert_eq(sf__arena_new_pooled(&from, &pool), 0);
	cr_assert_eq(sf__arena_new(&plain), 0);
	fill_blocks(from, 2, NULL, 'd');
	sf__arena_adopt(plain, from);
	sf__arena_free(from);
	cr_expect_eq(sf__arena_pool_count(&pool), 0, "an emptied arena gives back nothing");
	sf__arena_free(plain);
	cr_expect_eq(sf__arena_pool_count(&pool), 0, "a plain arena frees what it adopted");

	cr_assert_eq(sf__arena_new_pooled(&from, &pool), 0);
	cr_assert_eq(sf__arena_new_pooled(&pooled, &other), 0);
	fill_blocks(from, 2, NULL, 'e');
	sf__arena_adopt(pooled, from);
	sf__arena_free(from);
	sf__arena_free(pooled);
	cr_expect_eq(sf__arena_pool_count(&pool), 0);
#ifndef STRUCTFIT_ARENA_MALLOC
	cr_expect_eq(sf__arena_pool_count(&other), 2, "adopted blocks go to the adopter's pool");
#endif
	sf__arena_pool_release(&pool);
	sf__arena_pool_release(&other);
}

Test(util, jobs_for_items_gives_each_thread_enough_items)
{
	/* One asked for, or too little work: no helpers. */
	cr_assert_eq(sf__jobs_for_items(1, 100000, 512, 8), 1);
	cr_assert_eq(sf__jobs_for_items(4, 511, 512, 8), 1);
	/* At least least / 2 items each. */
	cr_assert_eq(sf__jobs_for_items(4, 600, 512, 8), 2);
	cr_assert_eq(sf__jobs_for_items(4, 100000, 512, 8), 4);
	/* Never more than `most`, and 0 asks for the online CPUs. */
	cr_assert_eq(sf__jobs_for_items(64, 100000, 512, 8), 8);
	cr_assert_geq(sf__jobs_for_items(0, 100000, 512, 8), 1);
	cr_assert_leq(sf__jobs_for_items(0, 100000, 512, 8), 8);
}

Test(util, grow_doubles_from_first_and_refuses_overflow)
{
	size_t capacity = 0, count = 0;
	int *items = NULL, *more;

	for (int v = 0; v < 100; v++) {
		more = sf__grow(items, &capacity, count, sizeof(*items), 4);
		cr_assert_not_null(more);
		items = more;
		items[count++] = v;
		cr_assert(capacity >= count);
	}
	/* 4, 8, 16, 32, 64, 128 */
	cr_assert_eq(capacity, 128);
	for (int v = 0; v < 100; v++)
		cr_assert_eq(items[v], v);
	/* With room the array comes back as it is. */
	cr_assert_eq(sf__grow(items, &capacity, count, sizeof(*items), 4), items);
	cr_assert_eq(capacity, 128);
	/* A size past SIZE_MAX: NULL, the array and its capacity untouched. */
	cr_assert_null(sf__grow(items, &capacity, capacity, SIZE_MAX / 64, 4));
	cr_assert_eq(capacity, 128);
	cr_assert_eq(items[99], 99);
	free(items);
}
