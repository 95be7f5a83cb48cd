/* Site attribution through allocation wrappers and library code: the statement that names the type, not the wrapper's line. */
#include <criterion/criterion.h>

#include <structfit/structfit.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "impact/impact_private.h"
#include "layout/selection.h"
#include "impact_fixture.h"
#include "model_builder.h"

/* A program with gawk's shape: a persistent-heap malloc and an error
 * checking wrapper in front of malloc, a pool that carves chunks of
 * `size` bytes it was handed, and a call spanning two lines. */
static const char walk_c[] =
	"#include <stdlib.h>\n"                                          /* 1 */
	"void *pma_malloc(size_t size)\n"                                 /* 2 */
	"{\n"                                                             /* 3 */
	"\tif (2 == state.init) return malloc(size);\n"                   /* 4 */
	"\treturn NULL;\n"                                                /* 5 */
	"}\n"                                                             /* 6 */
	"static inline void *\n"                                          /* 7 */
	"checked_real(size_t count, const char *where)\n"                 /* 8 */
	"{\n"                                                             /* 9 */
	"\tvoid *ret = (void *) pma_malloc(count);\n"                     /* 10 */
	"\treturn ret;\n"                                                 /* 11 */
	"}\n"                                                             /* 12 */
	"static void *more(void *p, size_t n) { return checked_real(n, \"x\"); }\n" /* 13 */
	"struct a *make_a(void)\n"                                        /* 14 */
	"{\n"                                                             /* 15 */
	"\treturn more(NULL, sizeof(struct a));\n"                        /* 16 */
	"}\n"                                                             /* 17 */
	"void *more_chunks(int id)\n"                                     /* 18 */
	"{\n"                                                             /* 19 */
	"\tsize_t size = table[id].size;\n"                               /* 20 */
	"\tstruct c *freep = (struct c *) checked_real(CHUNK * size, \"more\");\n" /* 21 */
	"\treturn freep;\n"                                               /* 22 */
	"}\n"                                                             /* 23 */
	"struct c *vector(size_t n_items)\n"                              /* 24 */
	"{\n"                                                             /* 25 */
	"\tstruct c *v = checked_real(n_items *\n"                        /* 26 */
	"\t\t\t\t    sizeof(struct c), \"vector\");\n"                    /* 27 */
	"\treturn v;\n"                                                   /* 28 */
	"}\n"                                                             /* 29 */
	"int main(void) { setlocale(LC_ALL, \"\"); return 0; }\n";       /* 30 */

#define MALLOC "\"0x1: malloc (in /usr/libexec/valgrind/vgpreload_dhat-amd64-linux.so)\""

/* 0: a through three wrappers (the type is named four frames up);
 * 1: a pool chunk of 10 c (480 bytes) under a cast to struct c *;
 * 2: two c from a call spanning lines 26-27 (DHAT names line 26);
 * 3, 4: blocks of a's size allocated inside libc (setlocale's
 * l10nflist.c, strdup.c), whose sources are not the program's;
 * 5: a chunk of 21 a from the pool of site 1 (504 bytes). */
static const char walk_dhat[] =
	"{\"dhatFileVersion\":2,\"mode\":\"heap\",\"cmd\":\"./walk\",\"pps\":["
	"{\"tb\":240,\"tbk\":10,\"mb\":240,\"mbk\":10,\"gb\":240,\"gbk\":10,\"fs\":[1,2,3,4,5]},"
	"{\"tb\":480,\"tbk\":1,\"mb\":480,\"mbk\":1,\"gb\":480,\"gbk\":1,\"fs\":[1,2,3,6]},"
	"{\"tb\":96,\"tbk\":1,\"mb\":96,\"mbk\":1,\"gb\":96,\"gbk\":1,\"fs\":[1,2,3,7]},"
	"{\"tb\":24,\"tbk\":1,\"mb\":24,\"mbk\":1,\"gb\":24,\"gbk\":1,\"fs\":[1,8,9,10]},"
	"{\"tb\":24,\"tbk\":1,\"mb\":24,\"mbk\":1,\"gb\":24,\"gbk\":1,\"fs\":[1,11,10]},"
	"{\"tb\":504,\"tbk\":1,\"mb\":504,\"mbk\":1,\"gb\":504,\"gbk\":1,\"fs\":[1,2,3,6]}],"
	"\"ftbl\":[\"[root]\"," MALLOC ","
	"\"0x2: pma_malloc (walk.c:4)\",\"0x3: checked_real (walk.c:10)\","
	"\"0x4: more (walk.c:13)\",\"0x5: make_a (walk.c:16)\","
	"\"0x6: more_chunks (walk.c:21)\",\"0x7: vector (walk.c:26)\","
	"\"0x8: _nl_make_l10nflist (l10nflist.c:242)\",\"0x9: setlocale (setlocale.c:414)\","
	"\"0xa: main (walk.c:30)\",\"0xb: strdup (strdup.c:42)\"]}";

static impact_fixture wx;

static void walk_setup(void)
{
	impact_fixture_setup(&wx, "walk.c", walk_c);
}

static void walk_teardown(void)
{
	impact_fixture_teardown(&wx);
}

TestSuite(walk, .init = walk_setup, .fini = walk_teardown);

static void build_walk(void)
{
	sf_impact_options opts = SF_IMPACT_OPTIONS_INIT;
	const char *dirs[] = { wx.dir };

	opts.source_dirs = dirs;
	opts.source_dir_count = 1;
	cr_assert_eq(sf_profile_parse(wx.profile, walk_dhat, strlen(walk_dhat), "walk.json"), 0, "%s",
		     sf_error_last());
	cr_assert_eq(sf_impact_build(&wx.impact, wx.profile, wx.report, &opts), 0, "%s", sf_error_last());
}

static sf_impact_site_info walk_site(size_t i)
{
	sf_impact_site_info info = SF_IMPACT_SITE_INFO_INIT;
	cr_assert_eq(sf_impact_site(&info, wx.impact, i), 0);
	return info;
}

/* Issue 13, problem 1: pma_malloc's line has no sizeof; the type is
 * named where the size enters the chain of wrappers, and the site is
 * reported there. */
Test(walk, wrappers_are_walked_to_the_line_that_names_the_type)
{
	sf_impact_site_info s;

	build_walk();
	s = walk_site(0);
	cr_expect_eq(s.status, SF_SITE_MATCHED);
	cr_expect_eq(s.index, 0);
	cr_expect_str_eq(s.how, "source line");
	cr_expect_str_eq(s.function, "make_a");
	cr_expect_eq(s.line, 16);
	cr_expect_not(s.outside);
}

/* A cast to `struct c *` over a size the pool computed says nothing of
 * how many c a block holds: gawk's more_blocks() was 1100 block_items. */
Test(walk, a_pointer_cast_claims_no_array)
{
	sf_impact_site_info s;

	build_walk();
	s = walk_site(1);
	cr_expect_eq(s.status, SF_SITE_UNMATCHED, "matched as %s", s.how ? s.how : "-");
	cr_expect_str_eq(s.function, "more_chunks");
	cr_expect_eq(s.line, 21);
}

Test(walk, a_statement_spanning_lines_is_read_whole)
{
	sf_impact_site_info s;

	build_walk();
	s = walk_site(2);
	cr_expect_eq(s.status, SF_SITE_MATCHED);
	cr_expect_eq(s.index, 2);
	cr_expect_eq(s.elements, 2);
	cr_expect_eq(s.line, 26);
}

/* Issue 13, problem 2: libc's own allocations are not the program's
 * structs, however many of them share the block size. */
Test(walk, allocations_inside_library_code_are_unmatched_and_marked)
{
	build_walk();
	for (size_t i = 3; i < 5; i++) {
		sf_impact_site_info s = walk_site(i);
		cr_expect_eq(s.status, SF_SITE_UNMATCHED, "site %zu", i);
		cr_expect_eq(s.candidate_count, 0, "site %zu", i);
		cr_expect(s.outside, "site %zu", i);
	}
	cr_expect_str_eq(walk_site(3).file, "l10nflist.c");
	cr_expect_str_eq(walk_site(4).file, "strdup.c");
}

/* One line handing out blocks of two types (a pool's chunks, gawk's
 * NODEs and BUCKETs): maps of that line are alternatives, and a type
 * filling the block whole wins over one with trailing bytes. */
Test(walk, maps_of_one_line_are_alternatives_by_size)
{
	sf_impact_site_info s;

	cr_assert_eq(sf_profile_map(wx.profile, "walk.c:21=c"), 0);
	cr_assert_eq(sf_profile_map(wx.profile, "walk.c:21=a"), 0);
	build_walk();
	s = walk_site(1);
	cr_expect_eq(s.status, SF_SITE_MATCHED);
	cr_expect_eq(s.index, 2); /* 480 = 10 x 48 */
	cr_expect_eq(s.elements, 10);
	cr_expect_str_eq(s.how, "mapped");
	s = walk_site(5);
	cr_expect_eq(s.status, SF_SITE_MATCHED);
	cr_expect_eq(s.index, 0); /* 504 = 21 x 24, not one c and 456 bytes */
	cr_expect_eq(s.elements, 21);
}
