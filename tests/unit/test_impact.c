/* Profiles and impact: DHAT and CSV parsing, size-class tables, site attribution, bad profiles. */
#include <criterion/criterion.h>

#include <structfit/structfit.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "impact/impact_private.h"
#include "impact/impact_sizeof.h"
#include "layout/selection.h"
#include "impact_fixture.h"
#include "model_builder.h"

/* A real valgrind 3.19 DHAT file (10 x 40-byte struct, 5 x 32-byte
 * struct, one array of 3), trimmed of nothing. */
static const char real_dhat[] =
	"{\"dhatFileVersion\":2\n,\"mode\":\"heap\",\"verb\":\"Allocated\"\n,\"bklt\":true,\"bkacc\":true\n"
	",\"tu\":\"instrs\",\"Mtu\":\"Minstr\"\n,\"tuth\":500\n,\"cmd\":\"./prog\"\n,\"pid\":16307\n"
	",\"te\":173386\n,\"tg\":146665\n,\"pps\":\n"
	" [{\"tb\":400,\"tbk\":10\n  ,\"tl\":229450\n  ,\"mb\":400,\"mbk\":10\n  ,\"gb\":400,\"gbk\":10\n"
	"  ,\"eb\":0,\"ebk\":0\n  ,\"rb\":8000,\"wb\":16000\n  ,\"acc\":[-8,1000,-8,0,-8,2000,-16,0]\n"
	"  ,\"fs\":[1,2]\n  }\n"
	" ,{\"tb\":160,\"tbk\":5\n  ,\"tl\":110320\n  ,\"mb\":160,\"mbk\":5\n  ,\"gb\":160,\"gbk\":5\n"
	"  ,\"eb\":0,\"ebk\":0\n  ,\"rb\":0,\"wb\":20\n  ,\"acc\":[-4,5,-28,0]\n  ,\"fs\":[3,4]\n  }\n"
	" ,{\"tb\":96,\"tbk\":1\n  ,\"tl\":39\n  ,\"mb\":0,\"mbk\":0\n  ,\"gb\":0,\"gbk\":0\n"
	"  ,\"eb\":0,\"ebk\":0\n  ,\"rb\":0,\"wb\":4\n  ,\"acc\":[-36,0,-4,1,-56,0]\n  ,\"fs\":[1,5]\n  }\n"
	" ]\n,\"ftbl\":\n [\"[root]\"\n"
	" ,\"0x48417B4: malloc (in /usr/libexec/valgrind/vgpreload_dhat-amd64-linux.so)\"\n"
	" ,\"0x109176: main (prog.c:6)\"\n"
	" ,\"0x48465EF: calloc (in /usr/libexec/valgrind/vgpreload_dhat-amd64-linux.so)\"\n"
	" ,\"0x1091A5: main (prog.c:7)\"\n ,\"0x10929A: main (prog.c:12)\"\n ]\n}\n";

static sf_profile *profile;

static void setup(void)
{
	cr_assert_eq(sf_profile_new(&profile), 0);
}

static void teardown(void)
{
	sf_profile_free(profile);
}

TestSuite(profile, .init = setup, .fini = teardown);

static uint64_t cls(sf_allocator a, uint64_t n)
{
	uint64_t out = 0;
	cr_assert_eq(sf_allocator_size_class(&out, a, n), 0);
	return out;
}

Test(profile, glibc_chunks_round_request_plus_header_to_16)
{
	cr_expect_eq(cls(SF_ALLOCATOR_GLIBC, 104), 112);
	cr_expect_eq(cls(SF_ALLOCATOR_GLIBC, 96), 112); /* 104 -> 96 saves nothing */
	cr_expect_eq(cls(SF_ALLOCATOR_GLIBC, 88), 96);
	cr_expect_eq(cls(SF_ALLOCATOR_GLIBC, 24), 32);
	cr_expect_eq(cls(SF_ALLOCATOR_GLIBC, 25), 48);
	cr_expect_eq(cls(SF_ALLOCATOR_GLIBC, 0), 32);
	cr_expect_eq(cls(SF_ALLOCATOR_GLIBC, 1), 32);
}

Test(profile, other_allocators_follow_their_tables)
{
	cr_expect_eq(cls(SF_ALLOCATOR_JEMALLOC, 1), 8);
	cr_expect_eq(cls(SF_ALLOCATOR_JEMALLOC, 104), 112);
	cr_expect_eq(cls(SF_ALLOCATOR_JEMALLOC, 96), 96);
	cr_expect_eq(cls(SF_ALLOCATOR_JEMALLOC, 129), 160);
	cr_expect_eq(cls(SF_ALLOCATOR_JEMALLOC, 257), 320);
	cr_expect_eq(cls(SF_ALLOCATOR_JEMALLOC, 4097), 5120);
	cr_expect_eq(cls(SF_ALLOCATOR_TCMALLOC, 24), 32);
	cr_expect_eq(cls(SF_ALLOCATOR_TCMALLOC, 300), 304);
	cr_expect_eq(cls(SF_ALLOCATOR_TCMALLOC, 262145), 270336);
	cr_expect_eq(cls(SF_ALLOCATOR_GO, 24), 24);
	cr_expect_eq(cls(SF_ALLOCATOR_GO, 100), 112);
	cr_expect_eq(cls(SF_ALLOCATOR_GO, 32769), 40960);
	cr_expect_eq(cls(SF_ALLOCATOR_KMALLOC, 65), 96);
	cr_expect_eq(cls(SF_ALLOCATOR_KMALLOC, 200), 256);
	cr_expect_eq(cls(SF_ALLOCATOR_KMALLOC, 9000), 16384);
	cr_expect_eq(cls(SF_ALLOCATOR_NONE, 104), 104);
}

Test(profile, allocator_names_parse_both_ways)
{
	sf_allocator a;
	cr_assert_eq(sf_allocator_parse(&a, "tcmalloc"), 0);
	cr_expect_eq(a, SF_ALLOCATOR_TCMALLOC);
	cr_expect_str_eq(sf_allocator_name(a), "tcmalloc");
	cr_expect_eq(sf_allocator_parse(&a, "dlmalloc"), SF_EUSAGE);
}

Test(profile, dhat_sites_counts_frames_and_acc_are_read)
{
	const sf_profile_site *s;

	cr_assert_eq(sf_profile_parse(profile, real_dhat, strlen(real_dhat), "dhat.json"), 0, "%s",
		     sf_error_last());
	cr_assert_eq(sf_profile_site_count(profile), 3);
	s = profile->sites;
	cr_expect_eq(s->total_blocks, 10);
	cr_expect_eq(s->peak_blocks, 10);
	cr_expect_eq(s->block_size, 40);
	cr_assert_not_null(s->acc);
	cr_expect_eq(s->acc[0], 1000);
	cr_expect_eq(s->acc[7], 1000);
	cr_expect_eq(s->acc[8], 0);
	cr_expect_eq(s->acc[16], 2000);
	cr_expect_eq(s->acc[39], 0);
	cr_assert_eq(s->frame_count, 2);
	cr_expect_str_eq(s->frames[0].function, "malloc");
	cr_expect_null(s->frames[0].file);
	cr_expect_str_eq(s->frames[1].function, "main");
	cr_expect_str_eq(s->frames[1].file, "prog.c");
	cr_expect_eq(s->frames[1].line, 6);
	s = s->next->next;
	cr_expect_eq(s->block_size, 96);
	cr_expect_eq(s->acc[36], 1);
	cr_expect_eq(s->acc[40], 0);
}

static int parse(const char *text)
{
	return sf_profile_parse(profile, text, strlen(text), "p");
}

Test(profile, bad_dhat_files_are_refused_with_one_line)
{
	char truncated[200];

	memcpy(truncated, real_dhat, sizeof(truncated) - 1);
	truncated[sizeof(truncated) - 1] = '\0';
	cr_expect_eq(parse(truncated), SF_EINVALID);
	cr_expect(strstr(sf_error_last(), "truncated") != NULL, "%s", sf_error_last());
	cr_expect_eq(parse("{\"name\": 1}"), SF_EINVALID);
	cr_expect(strstr(sf_error_last(), "not a DHAT profile") != NULL, "%s", sf_error_last());
	cr_expect_eq(parse("{\"dhatFileVersion\":2,\"mode\":\"copy\",\"pps\":[],\"ftbl\":[]}"), SF_EINVALID);
	cr_expect(strstr(sf_error_last(), "heap mode") != NULL, "%s", sf_error_last());
	/* acc describing 12 bytes of 8-byte blocks */
	cr_expect_eq(parse("{\"dhatFileVersion\":2,\"pps\":[{\"tb\":8,\"tbk\":1,\"acc\":[-12,1],\"fs\":[]}],"
			   "\"ftbl\":[\"[root]\"]}"), SF_EINVALID);
	cr_expect(strstr(sf_error_last(), "does not describe 8 bytes") != NULL, "%s", sf_error_last());
	cr_expect_eq(parse("{\"dhatFileVersion\":2,\"pps\":[{\"tb\":8,\"tbk\":1,\"fs\":[7]}],"
			   "\"ftbl\":[\"[root]\"]}"), SF_EINVALID);
	cr_expect_eq(sf_profile_site_count(profile), 0);
	cr_expect_eq(sf_profile_load(profile, "/nonexistent/dhat.json"), SF_ENOTFOUND);
}

Test(profile, csv_rows_header_comments_and_threads)
{
	const sf_profile_row *r;

	cr_assert_eq(parse("type,member,reads,writes,threads\n# counters from perf c2c\n\n"
			   "conn, state ,10,20\r\nconn,refs,0,7,3\n"), 0, "%s", sf_error_last());
	cr_assert_eq(sf_profile_row_count(profile), 2);
	r = profile->rows;
	cr_expect_str_eq(r->type, "conn");
	cr_expect_str_eq(r->member, "state");
	cr_expect_eq(r->reads, 10);
	cr_expect_eq(r->writes, 20);
	cr_expect_eq(r->line, 4);
	cr_expect_eq(r->next->threads, 3);
}

Test(profile, bad_csv_lines_name_their_line)
{
	cr_expect_eq(parse("conn,a,1,2\nconn,state,10\n"), SF_EINVALID);
	cr_expect_str_eq(sf_error_last(), "p:2: expected type,member,reads,writes[,threads] (3 fields)");
	cr_expect_eq(parse("type,member,reads,writes\nconn,state,10,x\n"), SF_EINVALID);
	cr_expect(strstr(sf_error_last(), "p:2:") != NULL, "%s", sf_error_last());
	cr_expect_eq(parse("This is a README.\n"), SF_EINVALID);
	cr_expect(strstr(sf_error_last(), "p: not a profile: neither DHAT JSON nor CSV") != NULL, "%s",
		  sf_error_last());
	cr_expect_eq(parse("# nothing\n"), SF_EINVALID);
	cr_expect(strstr(sf_error_last(), "not a profile") != NULL, "%s", sf_error_last());
	cr_expect_eq(sf_profile_parse(profile, "a\0b", 3, "bin"), SF_EINVALID);
}

Test(profile, profile_map_specs_are_checked)
{
	cr_expect_eq(sf_profile_map(profile, "src/a.c:12=conn"), 0);
	cr_expect_str_eq(profile->maps->file, "src/a.c");
	cr_expect_eq(profile->maps->line, 12);
	cr_expect_str_eq(profile->maps->type, "conn");
	cr_expect_eq(sf_profile_map(profile, "a.c=conn"), SF_EUSAGE);
	cr_expect_eq(sf_profile_map(profile, "a.c:0=conn"), SF_EUSAGE);
	cr_expect_eq(sf_profile_map(profile, "a.c:3="), SF_EUSAGE);
}

static sf_sizeof_expr subject(const char *line)
{
	sf_sizeof_expr e;
	sf__impact_parse_sizeof(line, &e);
	return e;
}

Test(profile, sizeof_subjects_of_allocation_lines)
{
	sf_sizeof_expr e = subject("p = malloc(sizeof(struct conn));");
	cr_expect_eq(e.kind, SF_SIZEOF_TYPE);
	cr_expect_str_eq(e.name, "conn");
	cr_expect(!e.tail);
	e = subject("c = calloc(n, sizeof *c);");
	cr_expect_eq(e.kind, SF_SIZEOF_EXPR);
	cr_expect_str_eq(e.name, "c");
	cr_expect_eq(e.derefs, 1);
	e = subject("r->entries = calloc(n, sizeof(*r->entries));");
	cr_expect_eq(e.kind, SF_SIZEOF_EXPR);
	cr_expect_str_eq(e.name, "r");
	cr_expect_eq(e.member_count, 1);
	cr_expect_str_eq(e.members[0], "entries");
	cr_expect_eq(e.derefs, 1);
	e = subject("b = malloc(sizeof(block) + capacity);");
	cr_expect_eq(e.kind, SF_SIZEOF_EXPR);
	cr_expect(e.tail);
	e = subject("x = malloc(len + sizeof (struct name));");
	cr_expect_eq(e.kind, SF_SIZEOF_TYPE);
	cr_expect(e.tail);
	e = subject("v = malloc(n * sizeof(conn_t *));");
	cr_expect_eq(e.kind, SF_SIZEOF_OTHER);
	e = subject("v = malloc(n * sizeof(struct conn *));");
	cr_expect_eq(e.kind, SF_SIZEOF_OTHER);
	e = subject("p = pairs[i] = malloc(sizeof pairs[0][0]);");
	cr_expect_eq(e.derefs, 2);
	e = subject("n = mysizeof(x) + 1;");
	cr_expect_eq(e.kind, SF_SIZEOF_NONE);
}

Test(profile, declarators_and_member_type_shapes)
{
	unsigned stars, dims;
	size_t statement, at;
	char base[64];

	cr_expect(sf__impact_declares("\tstruct pair *pairs[20];", "pairs", &stars, &dims, &statement, &at));
	cr_expect_eq(stars, 1);
	cr_expect_eq(dims, 1);
	cr_expect(sf__impact_declares("\tsf_struct **items = realloc(x, n);", "items", &stars, &dims, &statement, &at));
	cr_expect_eq(stars, 2);
	cr_expect(sf__impact_declares("struct a *p, *q;", "q", &stars, &dims, &statement, &at));
	cr_expect(sf__impact_declares("struct a *x[2]; struct b *q[5];", "q", &stars, &dims, &statement, &at));
	cr_expect_eq(statement, 15);
	cr_expect_eq(at, 26);
	cr_expect(!sf__impact_declares("\tq = malloc(sizeof *q);", "q", &stars, &dims, &statement, &at));
	cr_expect(!sf__impact_declares("\treturn a * q;", "q", &stars, &dims, &statement, &at));
	cr_expect(!sf__impact_declares("\tx = a * q;", "q", &stars, &dims, &statement, &at));
	cr_expect(sf__impact_declares("static const struct a *q = NULL;", "q", &stars, &dims, &statement, &at));
	sf__impact_type_shape("const struct node *[4]", base, sizeof(base), &stars, &dims);
	cr_expect_str_eq(base, "node");
	cr_expect_eq(stars, 1);
	cr_expect_eq(dims, 1);
}

/* Attribution against a hand-built model and a source file on disk. */
static impact_fixture ix;

static const char alloc_c[] =
	"#include <stdlib.h>\n"
	"void f(void) {\n"
	"\tstruct a *p = malloc(sizeof(struct a));\n"
	"\tvoid *q = malloc(24);\n"
	"\tstruct b *r;\n"
	"\tr = calloc(1, sizeof *r);\n"
	"\tstruct c *arr = malloc(2 * sizeof(struct c));\n"
	"\tstruct a **list = malloc(3 * sizeof(*list));\n"
	"\tchar *buf = malloc(n);\n"
	"\tstruct c *named = malloc(sizeof(struct c) + n);\n"
	"\tstruct a *one[2]; struct b *two[2]; two[0] = malloc(sizeof *two[0]);\n"
	"\tstruct c *vec = realloc(old, len * sizeof(*vec));\n"
	"}\n";

/* Sites: a at line 3 (acc: x hot, y warm, z cold), 24 bytes at line 4
 * (a or b), b at line 6, an array of two c at line 7. */
static const char alloc_dhat[] =
	"{\"dhatFileVersion\":2,\"mode\":\"heap\",\"cmd\":\"./alloc\",\"pps\":["
	"{\"tb\":240,\"tbk\":10,\"mb\":120,\"mbk\":5,\"gb\":96,\"gbk\":4,\"rb\":840,\"wb\":0,"
	"\"acc\":[-8,100,-8,5,-8,0],\"fs\":[1,2]},"
	"{\"tb\":24,\"tbk\":1,\"mb\":24,\"mbk\":1,\"gb\":24,\"gbk\":1,\"rb\":0,\"wb\":0,\"fs\":[1,3]},"
	"{\"tb\":48,\"tbk\":2,\"mb\":48,\"mbk\":2,\"gb\":48,\"gbk\":2,\"rb\":0,\"wb\":0,\"fs\":[4,5]},"
	"{\"tb\":96,\"tbk\":1,\"mb\":96,\"mbk\":1,\"gb\":96,\"gbk\":1,\"rb\":96,\"wb\":0,"
	"\"acc\":[-96,1],\"fs\":[1,6]},"
	"{\"tb\":24,\"tbk\":1,\"mb\":24,\"mbk\":1,\"gb\":24,\"gbk\":1,\"fs\":[1,7]},"
	"{\"tb\":48,\"tbk\":1,\"mb\":48,\"mbk\":1,\"gb\":48,\"gbk\":1,\"fs\":[1,8]},"
	"{\"tb\":1000,\"tbk\":10,\"mb\":560,\"mbk\":5,\"gb\":500,\"gbk\":5,\"fs\":[1,9]},"
	"{\"tb\":24,\"tbk\":1,\"mb\":24,\"mbk\":1,\"gb\":0,\"gbk\":0,\"fs\":[1,10]},"
	"{\"tb\":480,\"tbk\":3,\"mb\":288,\"mbk\":1,\"gb\":288,\"gbk\":1,\"fs\":[1,11]}],"
	"\"ftbl\":[\"[root]\",\"0x1: malloc (in /usr/libexec/valgrind/vgpreload_dhat-amd64-linux.so)\","
	"\"0x2: f (alloc.c:3)\",\"0x3: f (alloc.c:4)\","
	"\"0x4: calloc (in /usr/libexec/valgrind/vgpreload_dhat-amd64-linux.so)\","
	"\"0x5: f (alloc.c:6)\",\"0x6: f (alloc.c:7)\",\"0x7: f (alloc.c:8)\",\"0x8: f (alloc.c:9)\","
	"\"0x9: f (alloc.c:10)\",\"0xa: f (alloc.c:11)\",\"0xb: f (alloc.c:12)\"]}";

static void impact_setup(void)
{
	impact_fixture_setup(&ix, "alloc.c", alloc_c);
}

static void impact_teardown(void)
{
	impact_fixture_teardown(&ix);
}

TestSuite(impact, .init = impact_setup, .fini = impact_teardown);

static int build(const char *text)
{
	sf_impact_options opts = SF_IMPACT_OPTIONS_INIT;
	const char *dirs[] = { ix.dir };
	int rc;

	opts.source_dirs = dirs;
	opts.source_dir_count = 1;
	rc = sf_profile_parse(ix.profile, text, strlen(text), "alloc.json");
	if (rc != 0)
		return rc;
	return sf_impact_build(&ix.impact, ix.profile, ix.report, &opts);
}

static sf_impact_site_info site(size_t i)
{
	sf_impact_site_info info = SF_IMPACT_SITE_INFO_INIT;
	cr_assert_eq(sf_impact_site(&info, ix.impact, i), 0);
	return info;
}

static sf_impact_struct_info struct_of(size_t i)
{
	sf_impact_struct_info info = SF_IMPACT_STRUCT_INFO_INIT;
	cr_assert_eq(sf_impact_struct(&info, ix.impact, ix.plan, i), 0);
	return info;
}

Test(impact, sites_are_attributed_by_the_allocating_line)
{
	sf_impact_site_info s;

	cr_assert_eq(build(alloc_dhat), 0, "%s", sf_error_last());
	cr_assert_eq(sf_impact_site_count(ix.impact), 9);
	s = site(0);
	cr_expect_eq(s.status, SF_SITE_MATCHED);
	cr_expect_eq(s.index, 0);
	cr_expect_str_eq(s.how, "source line");
	cr_expect_str_eq(s.file, "alloc.c");
	cr_expect_eq(s.line, 3);
	s = site(1); /* malloc(24): a and b both fit and the file uses both */
	cr_expect_eq(s.status, SF_SITE_AMBIGUOUS);
	cr_assert_eq(s.candidate_count, 2);
	cr_expect_eq(s.candidates[0], 0);
	cr_expect_eq(s.candidates[1], 1);
	s = site(2); /* calloc(1, sizeof *r), r declared a line above */
	cr_expect_eq(s.status, SF_SITE_MATCHED);
	cr_expect_eq(s.index, 1);
	s = site(3); /* an array of two */
	cr_expect_eq(s.status, SF_SITE_MATCHED);
	cr_expect_eq(s.index, 2);
	cr_expect_eq(s.elements, 2);
	/* Three pointers to a, not three a; a byte buffer of 48 bytes is no c. */
	cr_expect_eq(site(4).status, SF_SITE_UNMATCHED);
	cr_expect_eq(site(5).status, SF_SITE_UNMATCHED);
	/* One c with trailing bytes, blocks of varying size (average 100). */
	s = site(6);
	cr_expect_eq(s.status, SF_SITE_MATCHED);
	cr_expect_eq(s.index, 2);
	cr_expect_eq(s.elements, 1);
	cr_expect_eq(s.block_size, 0);
	/* Two declarations on one line: `two` is a b, not the a before it. */
	s = site(7);
	cr_expect_eq(s.status, SF_SITE_MATCHED);
	cr_expect_eq(s.index, 1);
	/* A growing vector of c: blocks of varying length. */
	s = site(8);
	cr_expect_eq(s.status, SF_SITE_MATCHED);
	cr_expect_eq(s.index, 2);
	cr_expect_eq(s.elements, 0);
}

Test(impact, profile_map_settles_an_ambiguous_site)
{
	cr_assert_eq(sf_profile_map(ix.profile, "alloc.c:4=b"), 0);
	cr_assert_eq(build(alloc_dhat), 0, "%s", sf_error_last());
	cr_expect_eq(site(1).status, SF_SITE_MATCHED);
	cr_expect_eq(site(1).index, 1);
	cr_expect_str_eq(site(1).how, "mapped");
	cr_expect_eq(struct_of(1).allocations, 4); /* lines 4, 6 and 11 */
}

Test(impact, profile_map_to_a_missing_or_misfit_type_is_a_usage_error)
{
	cr_assert_eq(sf_profile_map(ix.profile, "alloc.c:4=nosuch"), 0);
	cr_expect_eq(build(alloc_dhat), SF_EUSAGE);
	cr_expect(strstr(sf_error_last(), "no struct 'nosuch'") != NULL, "%s", sf_error_last());
}

Test(impact, counts_peaks_and_member_heat)
{
	sf_impact_struct_info a;
	sf_impact_member_info m = SF_IMPACT_MEMBER_INFO_INIT;
	const sf_member_heat *heat;
	size_t count;

	cr_assert_eq(build(alloc_dhat), 0, "%s", sf_error_last());
	a = struct_of(0);
	cr_expect(a.counted);
	cr_expect_eq(a.allocations, 10);
	cr_expect_eq(a.peak_instances, 4);
	cr_expect_eq(a.max_live, 5);
	cr_assert_eq(sf_impact_member(&m, ix.impact, 0, 0), 0);
	cr_expect_eq(m.reads, 100);
	cr_expect_eq(m.milli_accesses_per_object, 10000);
	cr_expect_eq(m.heat, SF_HEAT_HOT);
	cr_assert_eq(sf_impact_member(&m, ix.impact, 0, 1), 0);
	cr_expect_eq(m.reads, 5);
	cr_expect_eq(m.heat, SF_HEAT_WARM);
	cr_assert_eq(sf_impact_member(&m, ix.impact, 0, 2), 0);
	cr_expect_eq(m.heat, SF_HEAT_COLD);
	cr_assert_eq(sf_impact_heat(&heat, &count, ix.impact), 0);
	cr_assert_geq(count, 3);
	cr_expect_str_eq(heat[0].type, "a");
	cr_expect_str_eq(heat[0].member, "x");
	cr_expect_eq(heat[0].reads, 100);
}

/* valgrind 3.19 keeps a site's per-byte counts in 16 bits: on a long run
 * they wrap, and the histogram no longer adds up to rb + wb (here x was
 * read 65636 times per byte and shows 100).  The shares per member would
 * be wrong, so the site gives counts but no heat, and says so. */
Test(impact, wrapped_access_histogram_gives_no_heat)
{
	char wrapped[sizeof(alloc_dhat) + 16];
	const char *at = strstr(alloc_dhat, "\"rb\":840");
	sf_impact_member_info m = SF_IMPACT_MEMBER_INFO_INIT;

	cr_assert_not_null(at);
	snprintf(wrapped, sizeof(wrapped), "%.*s\"rb\":525928%s", (int)(at - alloc_dhat), alloc_dhat,
		 at + strlen("\"rb\":840"));
	cr_assert_eq(build(wrapped), 0, "%s", sf_error_last());
	cr_expect(site(0).acc_wrapped);
	cr_expect_not(site(3).acc_wrapped);
	cr_expect_eq(struct_of(0).allocations, 10);
	cr_assert_eq(sf_impact_member(&m, ix.impact, 0, 0), 0);
	cr_expect_eq(m.reads, 0);
	cr_expect_neq(m.heat, SF_HEAT_HOT);
}

Test(impact, savings_after_size_classes_and_at_peak)
{
	sf_impact_struct_info b, c;
	size_t order[3];

	cr_assert_eq(build(alloc_dhat), 0, "%s", sf_error_last());
	b = struct_of(1); /* 24 -> 16 bytes: both a 32-byte glibc chunk */
	cr_expect_eq(b.proposed_size, 16);
	cr_expect_eq(b.size_class, 32);
	cr_expect_eq(b.proposed_size_class, 32);
	cr_expect_eq(b.saved_per_instance, 0);
	cr_expect_eq(b.saved_at_peak, 0);
	/* 48 -> 32: chunks 64 -> 48; the 96-byte array 112 -> 80; the 100-byte
	 * named blocks (48 + 52 trailing) 112 -> 96 for each of 5 at the peak;
	 * the vector's 288 bytes (6 c) at the peak 304 -> 208 */
	c = struct_of(2);
	cr_expect_eq(c.proposed_size, 32);
	cr_expect_eq(c.saved_per_instance, 16);
	cr_expect_eq(c.peak_instances, 2 + 5 + 6);
	cr_expect_eq(c.allocations, 2 + 10 + 10);
	cr_expect_eq(c.saved_at_peak, 32 + 5 * 16 + 96);
	cr_assert_eq(sf_impact_rank(order, ix.impact, ix.plan), 0);
	cr_expect_eq(order[0], 2);
}

Test(impact, a_profile_of_another_program_is_refused)
{
	cr_expect_eq(build("{\"dhatFileVersion\":2,\"mode\":\"heap\",\"pps\":["
			   "{\"tb\":1000,\"tbk\":1,\"fs\":[1,2]}],\"ftbl\":[\"[root]\","
			   "\"0x1: malloc (in vgpreload_dhat.so)\",\"0x2: g (other.c:9)\"]}"),
		     SF_EINVALID);
	cr_expect(strstr(sf_error_last(), "none of its 1 allocation sites matches") != NULL, "%s",
		  sf_error_last());
}

Test(impact, csv_members_that_do_not_exist_are_refused)
{
	cr_expect_eq(build("a,w,1,1\n"), SF_EINVALID);
	cr_expect_str_eq(sf_error_last(), "alloc.json:1: a has no member 'w'");
	sf_profile_free(ix.profile);
	cr_assert_eq(sf_profile_new(&ix.profile), 0);
	cr_expect_eq(build("zzz,x,1,1\n"), SF_EINVALID);
	cr_expect(strstr(sf_error_last(), "no struct 'zzz'") != NULL, "%s", sf_error_last());
}

Test(impact, csv_heat_reaches_the_planner_array)
{
	const sf_member_heat *heat;
	size_t count;
	sf_impact_member_info m = SF_IMPACT_MEMBER_INFO_INIT;

	cr_assert_eq(build("type,member,reads,writes,threads\nb,r,50,10,2\nb,p,1,0\n"), 0, "%s",
		     sf_error_last());
	cr_assert_eq(sf_impact_member(&m, ix.impact, 1, 2), 0);
	cr_expect_eq(m.reads, 50);
	cr_expect_eq(m.threads, 2);
	cr_expect_eq(m.heat, SF_HEAT_HOT);
	cr_expect_eq(struct_of(1).counted, 0);
	cr_assert_eq(sf_impact_heat(&heat, &count, ix.impact), 0);
	cr_expect_eq(count, 3);
	cr_expect_str_eq(heat[2].member, "r");
	cr_expect_eq(heat[2].writes, 10);
}
