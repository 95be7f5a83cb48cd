/* Tests of the text and JSON emitters against pahole's output and the JSON schema. */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <structfit/structfit.h>

#include "layout/selection.h"
#include "model_builder.h"

typedef struct fixture {
	sf_model *model;
	sf_unit unit;
	sf_report *report;
	sf_buf out;
} fixture;

static fixture fx;

static void setup(void)
{
	sf_file_info info = { "test.o", NULL, "x86_64", 0, 8, "dwarf" };
	memset(&fx, 0, sizeof(fx));
	cr_assert_eq(sf_model_new(&fx.model), 0);
	cr_assert_eq(sf__model_add_file(fx.model, &info), 0);
	cr_assert_eq(sf__unit_init(&fx.unit, 0), 0);
}

static void teardown(void)
{
	sf_report_free(fx.report);
	sf__unit_release(&fx.unit);
	sf_model_free(fx.model);
	sf_buf_free(&fx.out);
}

TestSuite(emit, .init = setup, .fini = teardown);

/* Merges the unit, builds a report of the structs named by `globs`
 * (in that order when sorted by name) and renders it. */
static const char *render(const char *const *globs, size_t glob_count, bool json, bool summary)
{
	sf_report_options ro = SF_REPORT_OPTIONS_INIT;
	sf_emit_options eo = SF_EMIT_OPTIONS_INIT;

	cr_assert_eq(sf__model_merge_unit(fx.model, &fx.unit), 0);
	ro.name_globs = globs;
	ro.name_glob_count = glob_count;
	cr_assert_eq(sf_report_build(&fx.report, fx.model, &ro), 0, "%s", sf_error_last());
	eo.summary = summary;
	cr_assert_eq(json ? sf_emit_json(&fx.out, fx.report, &eo) : sf_emit_text(&fx.out, fx.report, &eo), 0);
	cr_assert_not_null(fx.out.data);
	return fx.out.data;
}

/* Our output minus the lines structfit adds, which pahole users can ignore. */
static char *without_structfit_lines(const char *text)
{
	char *copy = malloc(strlen(text) + 1), *w = copy;
	for (const char *line = text; *line;) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) + 1 : strlen(line);
		if (!memmem(line, len, "structfit:", 10)) {
			memcpy(w, line, len);
			w += len;
		}
		line += len;
	}
	*w = '\0';
	return copy;
}

static void assert_text(const char *got, const char *want)
{
	char *stripped = without_structfit_lines(got);
	if (strcmp(stripped, want) != 0) {
		FILE *f = fopen("emit-got.txt", "w");
		if (f) {
			fputs(stripped, f);
			fclose(f);
		}
	}
	cr_assert_str_eq(stripped, want, "got:\n%s\nwant:\n%s", stripped, want);
	free(stripped);
}

/* ---- models of structs compiled with gcc -g on x86-64, printed by pahole 1.24 ---- */

static void add_holes(void)
{
	mb_member rows[] = {
		MB_PLAIN("a", "char", 0, 1, 1),
		MB_PLAIN("b", "int", 4, 4, 4),
		MB_PLAIN("c", "char", 8, 1, 1),
		MB_PLAIN("d", "long int", 16, 8, 8),
		MB_PLAIN("e", "short int", 24, 2, 2),
	};
	cr_assert_not_null(mb_add(&fx.unit, SF_STRUCT, "holes", 32, rows, MB_COUNT(rows)));
}

static const char pahole_holes[] =
	"struct holes {\n"
	"\tchar                       a;                    /*     0     1 */\n"
	"\n"
	"\t/* XXX 3 bytes hole, try to pack */\n"
	"\n"
	"\tint                        b;                    /*     4     4 */\n"
	"\tchar                       c;                    /*     8     1 */\n"
	"\n"
	"\t/* XXX 7 bytes hole, try to pack */\n"
	"\n"
	"\tlong int                   d;                    /*    16     8 */\n"
	"\tshort int                  e;                    /*    24     2 */\n"
	"\n"
	"\t/* size: 32, cachelines: 1, members: 5 */\n"
	"\t/* sum members: 16, holes: 2, sum holes: 10 */\n"
	"\t/* padding: 6 */\n"
	"\t/* last cacheline: 32 bytes */\n"
	"};\n";

Test(emit, holes_match_pahole)
{
	add_holes();
	assert_text(render(NULL, 0, false, false), pahole_holes);
}

static void add_bits(void)
{
	mb_member rows[] = {
		MB_BITS("a", "unsigned int", 0, 4, 0, 3),
		MB_BITS("b", "unsigned int", 0, 4, 3, 5),
		MB_PLAIN("c", "int", 4, 4, 4),
		MB_BITS("d", "unsigned int", 8, 4, 64, 1),
		MB_BITS("e", "unsigned int", 8, 4, 65, 2),
		MB_PLAIN("f", "char", 9, 1, 1),
		MB_BITS("g", "long unsigned int", 8, 8, 80, 40),
		MB_BITS("h", "long unsigned int", 16, 8, 128, 30),
	};
	cr_assert_not_null(mb_add(&fx.unit, SF_STRUCT, "bits", 24, rows, MB_COUNT(rows)));
}

/* pahole also prints a guessed "long unsigned int :0;" before h, which
 * the DWARF does not record; structfit leaves it out. */
static const char pahole_bits[] =
	"struct bits {\n"
	"\tunsigned int               a:3;                  /*     0: 0  4 */\n"
	"\tunsigned int               b:5;                  /*     0: 3  4 */\n"
	"\n"
	"\t/* XXX 24 bits hole, try to pack */\n"
	"\n"
	"\tint                        c;                    /*     4     4 */\n"
	"\tunsigned int               d:1;                  /*     8: 0  4 */\n"
	"\tunsigned int               e:2;                  /*     8: 1  4 */\n"
	"\n"
	"\t/* XXX 5 bits hole, try to pack */\n"
	"\t/* Bitfield combined with next fields */\n"
	"\n"
	"\tchar                       f;                    /*     9     1 */\n"
	"\n"
	"\t/* Bitfield combined with previous fields */\n"
	"\n"
	"\tlong unsigned int          g:40;                 /*     8:16  8 */\n"
	"\n"
	"\t/* XXX 8 bits hole, try to pack */\n"
	"\n"
	"\tlong unsigned int          h:30;                 /*    16: 0  8 */\n"
	"\n"
	"\t/* size: 24, cachelines: 1, members: 8 */\n"
	"\t/* sum members: 5 */\n"
	"\t/* sum bitfield members: 81 bits, bit holes: 3, sum bit holes: 37 bits */\n"
	"\t/* bit_padding: 34 bits */\n"
	"\t/* last cacheline: 24 bytes */\n"
	"};\n";

Test(emit, bitfields_match_pahole)
{
	add_bits();
	assert_text(render(NULL, 0, false, false), pahole_bits);
}

static void add_outer(void)
{
	mb_member inner_rows[] = {
		MB_PLAIN("x", "long int", 0, 8, 8),
		MB_PLAIN("y", "char", 8, 1, 1),
	};
	sf_struct *inner = mb_add(&fx.unit, SF_STRUCT, "inner", 16, inner_rows, MB_COUNT(inner_rows));
	cr_assert_not_null(inner);
	mb_member rows[] = {
		MB_STRUCT("i", "struct inner", 0, inner),
		MB_PLAIN("z", "char", 16, 1, 1),
		MB_STRUCT("j", "struct inner", 24, inner),
		MB_PLAIN("k", "int", 40, 4, 4),
	};
	cr_assert_not_null(mb_add(&fx.unit, SF_STRUCT, "outer", 48, rows, MB_COUNT(rows)));
}

static const char pahole_outer[] =
	"struct outer {\n"
	"\tstruct inner               i;                    /*     0    16 */\n"
	"\n"
	"\t/* XXX last struct has 7 bytes of padding */\n"
	"\n"
	"\tchar                       z;                    /*    16     1 */\n"
	"\n"
	"\t/* XXX 7 bytes hole, try to pack */\n"
	"\n"
	"\tstruct inner               j;                    /*    24    16 */\n"
	"\n"
	"\t/* XXX last struct has 7 bytes of padding */\n"
	"\n"
	"\tint                        k;                    /*    40     4 */\n"
	"\n"
	"\t/* size: 48, cachelines: 1, members: 4 */\n"
	"\t/* sum members: 37, holes: 1, sum holes: 7 */\n"
	"\t/* padding: 4 */\n"
	"\t/* paddings: 2, sum paddings: 14 */\n"
	"\t/* last cacheline: 48 bytes */\n"
	"};\n";

Test(emit, nested_padding_matches_pahole)
{
	static const char *const glob[] = { "outer" };
	add_outer();
	assert_text(render(glob, 1, false, false), pahole_outer);
}

/* pahole -E on the same struct compiled from C. */
static const char pahole_outer_expanded[] =
	"struct outer {\n"
	"\tstruct inner {\n"
	"\t\tlong int           x;                                                    /*     0     8 */\n"
	"\t\tchar               y;                                                    /*     8     1 */\n"
	"\t}i; /*     0    16 */\n"
	"\n"
	"\t/* XXX last struct has 7 bytes of padding */\n"
	"\n"
	"\tchar                       z;                                                    /*    16     1 */\n"
	"\n"
	"\t/* XXX 7 bytes hole, try to pack */\n"
	"\n"
	"\tstruct inner {\n"
	"\t\tlong int           x;                                                    /*    24     8 */\n"
	"\t\tchar               y;                                                    /*    32     1 */\n"
	"\t}j; /*    24    16 */\n"
	"\n"
	"\t/* XXX last struct has 7 bytes of padding */\n"
	"\n"
	"\tint                        k;                                                    /*    40     4 */\n"
	"\n"
	"\t/* size: 48, cachelines: 1, members: 4 */\n"
	"\t/* sum members: 37, holes: 1, sum holes: 7 */\n"
	"\t/* padding: 4 */\n"
	"\t/* paddings: 2, sum paddings: 14 */\n"
	"\t/* last cacheline: 48 bytes */\n"
	"};\n";

/* Renders the report with expand_types set in options of `version`. */
static const char *render_expanded(unsigned version)
{
	static const char *const glob[] = { "outer" };
	sf_report_options ro = SF_REPORT_OPTIONS_INIT;
	sf_emit_options eo = SF_EMIT_OPTIONS_INIT;

	add_outer();
	cr_assert_eq(sf__model_merge_unit(fx.model, &fx.unit), 0);
	ro.name_globs = glob;
	ro.name_glob_count = 1;
	cr_assert_eq(sf_report_build(&fx.report, fx.model, &ro), 0, "%s", sf_error_last());
	eo.version = version;
	eo.expand_types = 1;
	cr_assert_eq(sf_emit_text(&fx.out, fx.report, &eo), 0);
	cr_assert_not_null(fx.out.data);
	return fx.out.data;
}

Test(emit, expand_types_matches_pahole)
{
	assert_text(render_expanded(SF_EMIT_OPTIONS_VERSION), pahole_outer_expanded);
}

/* A caller built against version 5 has no expand_types: what lies
 * there is not read. */
Test(emit, expand_types_is_ignored_before_version_6)
{
	assert_text(render_expanded(5), pahole_outer);
}

static void add_big(void)
{
	mb_member rows[] = {
		MB_PLAIN("a", "char", 0, 1, 1),
		MB_PLAIN("pad", "char[70]", 1, 70, 1),
		MB_PLAIN("b", "long int", 72, 8, 8),
		MB_PLAIN("c", "char[60]", 80, 60, 1),
		MB_PLAIN("d", "int", 140, 4, 4),
		MB_PLAIN("e", "long int", 144, 8, 8),
		MB_PLAIN("tail", "char", 152, 1, 1),
	};
	cr_assert_not_null(mb_add(&fx.unit, SF_STRUCT, "big", 160, rows, MB_COUNT(rows)));
}

static const char pahole_big[] =
	"struct big {\n"
	"\tchar                       a;                    /*     0     1 */\n"
	"\tchar                       pad[70];              /*     1    70 */\n"
	"\n"
	"\t/* XXX 1 byte hole, try to pack */\n"
	"\n"
	"\t/* --- cacheline 1 boundary (64 bytes) was 8 bytes ago --- */\n"
	"\tlong int                   b;                    /*    72     8 */\n"
	"\tchar                       c[60];                /*    80    60 */\n"
	"\t/* --- cacheline 2 boundary (128 bytes) was 12 bytes ago --- */\n"
	"\tint                        d;                    /*   140     4 */\n"
	"\tlong int                   e;                    /*   144     8 */\n"
	"\tchar                       tail;                 /*   152     1 */\n"
	"\n"
	"\t/* size: 160, cachelines: 3, members: 7 */\n"
	"\t/* sum members: 152, holes: 1, sum holes: 1 */\n"
	"\t/* padding: 7 */\n"
	"\t/* last cacheline: 32 bytes */\n"
	"};\n";

Test(emit, cacheline_boundaries_match_pahole)
{
	const char *text;
	add_big();
	text = render(NULL, 0, false, false);
	assert_text(text, pahole_big);
	cr_assert(strstr(text, "\tchar                       pad[70];              /*     1    70 */\n"
			       "\t/* structfit: member crosses cacheline boundary */\n"));
}

static void add_anon(void)
{
	mb_member u_rows[] = {
		MB_PLAIN("b", "char", 0, 1, 1),
		MB_PLAIN("c", "long int", 0, 8, 8),
	};
	mb_member s_rows[] = {
		MB_PLAIN("d", "char", 0, 1, 1),
		MB_PLAIN("e", "int", 4, 4, 4),
	};
	mb_member t_rows[] = {
		MB_PLAIN("f", "char", 0, 1, 1),
		MB_PLAIN("g", "long int", 8, 8, 8),
	};
	sf_struct *u = mb_add(&fx.unit, SF_UNION, NULL, 8, u_rows, 2);
	sf_struct *s = mb_add(&fx.unit, SF_STRUCT, NULL, 8, s_rows, 2);
	sf_struct *t = mb_add(&fx.unit, SF_STRUCT, NULL, 16, t_rows, 2);
	cr_assert(u && s && t);
	u->is_nested_body = t->is_nested_body = true;
	/* `s` is a named member of an unnamed struct type: its body is
	 * listed at top level by the loader, but not selected by default. */
	mb_member rows[] = {
		MB_PLAIN("a", "int", 0, 4, 4),
		MB_ANON(8, u),
		MB_STRUCT("s", "struct {...}", 16, s),
		MB_ANON(24, t),
		MB_PLAIN("h", "char", 40, 1, 1),
	};
	cr_assert_not_null(mb_add(&fx.unit, SF_STRUCT, "anon", 48, rows, MB_COUNT(rows)));
}

static const char pahole_anon[] =
	"struct anon {\n"
	"\tint                        a;                    /*     0     4 */\n"
	"\n"
	"\t/* XXX 4 bytes hole, try to pack */\n"
	"\n"
	"\tunion {\n"
	"\t\tchar               b;                    /*     8     1 */\n"
	"\t\tlong int           c;                    /*     8     8 */\n"
	"\t};                                               /*     8     8 */\n"
	"\tstruct {\n"
	"\t\tchar               d;                    /*    16     1 */\n"
	"\n"
	"\t\t/* XXX 3 bytes hole, try to pack */\n"
	"\n"
	"\t\tint                e;                    /*    20     4 */\n"
	"\t} s;                                             /*    16     8 */\n"
	"\tstruct {\n"
	"\t\tchar               f;                    /*    24     1 */\n"
	"\n"
	"\t\t/* XXX 7 bytes hole, try to pack */\n"
	"\n"
	"\t\tlong int           g;                    /*    32     8 */\n"
	"\t};                                               /*    24    16 */\n"
	"\tchar                       h;                    /*    40     1 */\n"
	"\n"
	"\t/* size: 48, cachelines: 1, members: 5 */\n"
	"\t/* sum members: 37, holes: 1, sum holes: 4 */\n"
	"\t/* padding: 7 */\n"
	"\t/* last cacheline: 48 bytes */\n"
	"};\n";

Test(emit, anonymous_bodies_match_pahole)
{
	static const char *const glob[] = { "anon" };
	add_anon();
	assert_text(render(glob, 1, false, false), pahole_anon);
}

static void add_attributes(void)
{
	mb_member pk_rows[] = {
		MB_PLAIN("a", "char", 0, 1, 1),
		MB_PLAIN("b", "int", 1, 4, 4),
		MB_PLAIN("c", "long int", 5, 8, 8),
	};
	mb_member al_rows[] = {
		MB_PLAIN("a", "int", 0, 4, 4),
		MB_PLAIN("b", "char", 4, 1, 1),
	};
	mb_member alm_rows[] = {
		MB_PLAIN("a", "char", 0, 1, 1),
		MB_PLAIN("b", "int", 16, 4, 4),
		MB_PLAIN("c", "char", 20, 1, 1),
	};
	sf_struct *al, *alm;

	alm_rows[1].explicit_align = 16;
	cr_assert_not_null(mb_add(&fx.unit, SF_STRUCT, "pk", 13, pk_rows, 3));
	al = mb_add(&fx.unit, SF_STRUCT, "al", 64, al_rows, 2);
	alm = mb_add(&fx.unit, SF_STRUCT, "alm", 32, alm_rows, 3);
	cr_assert(al && alm);
	al->explicit_align = 64;
	mb_reinfer(al);
}

static const char pahole_attributes[] =
	"struct pk {\n"
	"\tchar                       a;                    /*     0     1 */\n"
	"\tint                        b;                    /*     1     4 */\n"
	"\tlong int                   c;                    /*     5     8 */\n"
	"\n"
	"\t/* size: 13, cachelines: 1, members: 3 */\n"
	"\t/* last cacheline: 13 bytes */\n"
	"} __attribute__((__packed__));\n"
	"struct al {\n"
	"\tint                        a;                    /*     0     4 */\n"
	"\tchar                       b;                    /*     4     1 */\n"
	"\n"
	"\t/* size: 64, cachelines: 1, members: 2 */\n"
	"\t/* padding: 59 */\n"
	"} __attribute__((__aligned__(64)));\n"
	"struct alm {\n"
	"\tchar                       a;                    /*     0     1 */\n"
	"\n"
	"\t/* XXX 15 bytes hole, try to pack */\n"
	"\n"
	"\tint                        b __attribute__((__aligned__(16))); /*    16     4 */\n"
	"\tchar                       c;                    /*    20     1 */\n"
	"\n"
	"\t/* size: 32, cachelines: 1, members: 3 */\n"
	"\t/* sum members: 6, holes: 1, sum holes: 15 */\n"
	"\t/* padding: 11 */\n"
	"\t/* forced alignments: 1, forced holes: 1, sum forced holes: 15 */\n"
	"\t/* last cacheline: 32 bytes */\n"
	"} __attribute__((__aligned__(16)));\n";

Test(emit, packed_and_aligned_match_pahole)
{
	add_attributes();
	assert_text(render(NULL, 0, false, false), pahole_attributes);
}

/* fixtures/basic.c: packed_member packs two members one by one; the
 * struct is not packed as a whole and must not print as such. */
static void add_packed_member(void)
{
	mb_member rows[] = {
		MB_PLAIN("c", "char", 0, 1, 1),
		MB_PLAIN("unaligned", "int", 1, 4, 4),
		MB_PLAIN("s", "short int", 6, 2, 2),
		MB_PLAIN("l", "long long int", 8, 8, 8),
	};
	sf_struct *s = mb_add(&fx.unit, SF_STRUCT, "packed_member", 16, rows, MB_COUNT(rows));
	cr_assert_not_null(s);
	cr_assert(s->packed, "the model flags the misaligned member");
}

static const char pahole_packed_member[] =
	"struct packed_member {\n"
	"\tchar                       c;                    /*     0     1 */\n"
	"\tint                        unaligned;            /*     1     4 */\n"
	"\n"
	"\t/* XXX 1 byte hole, try to pack */\n"
	"\n"
	"\tshort int                  s;                    /*     6     2 */\n"
	"\tlong long int              l;                    /*     8     8 */\n"
	"\n"
	"\t/* size: 16, cachelines: 1, members: 4 */\n"
	"\t/* sum members: 15, holes: 1, sum holes: 1 */\n"
	"\t/* last cacheline: 16 bytes */\n"
	"};\n";

Test(emit, members_packed_one_by_one_do_not_make_a_packed_struct)
{
	add_packed_member();
	assert_text(render(NULL, 0, false, false), pahole_packed_member);
}

/*
 * gcc x86-64 -gdwarf-4, gen_structs --seed 7000 struct s22 (packed, m3
 * _Alignas(8)): m2:39 ends at bit 66, so the gap is a 61-bit hole.  pahole
 * 1.24 prints the same numbers but no __packed__; without it gcc puts m2 at
 * bit 64 (checked by compiling both), so structfit keeps the attribute.
 */
static void add_packed_straddle(void)
{
	mb_member rows[] = {
		MB_BITS("m0", "int", 0, 4, 0, 20),
		MB_BITS("m1", "short unsigned int", 2, 2, 20, 8),
		MB_BITS("m2", "long long unsigned int", 0, 8, 28, 39),
		MB_PLAIN("m3", "unsigned int", 16, 4, 4),
	};
	rows[3].explicit_align = 8;
	sf_struct *s = mb_add(&fx.unit, SF_STRUCT, "s22", 24, rows, MB_COUNT(rows));
	cr_assert_not_null(s);
	s->explicit_align = 8;
	mb_reinfer(s);
}

static const char pahole_packed_straddle[] =
	"struct s22 {\n"
	"\tint                        m0:20;                /*     0: 0  4 */\n"
	"\n"
	"\t/* Bitfield combined with next fields */\n"
	"\n"
	"\tshort unsigned int         m1:8;                 /*     2: 4  2 */\n"
	"\n"
	"\t/* Bitfield combined with previous fields */\n"
	"\n"
	"\tlong long unsigned int     m2:39;                /*     0:28  8 */\n"
	"\n"
	"\t/* XXX 61 bits hole, try to pack */\n"
	"\n"
	"\tunsigned int               m3 __attribute__((__aligned__(8))); /*    16     4 */\n"
	"\n"
	"\t/* size: 24, cachelines: 1, members: 4 */\n"
	"\t/* sum members: 4 */\n"
	"\t/* sum bitfield members: 67 bits, bit holes: 1, sum bit holes: 61 bits */\n"
	"\t/* padding: 4 */\n"
	"\t/* forced alignments: 1 */\n"
	"\t/* last cacheline: 24 bytes */\n"
	"} __attribute__((__packed__)) __attribute__((__aligned__(8)));\n";

Test(emit, bitfield_past_its_unit_prints_a_bit_hole)
{
	add_packed_straddle();
	assert_text(render(NULL, 0, false, false), pahole_packed_straddle);
}

/* struct ob2 { long long :27; unsigned char m0:5; unsigned short m1:14; },
 * gcc x86-64: pahole 1.24 prints the gap before m0 first.  Its summary has
 * no "sum members" line when there are no plain members; structfit keeps
 * the line, so the byte hole it just printed is counted somewhere. */
static void add_leading_gap(void)
{
	mb_member rows[] = {
		MB_BITS("m0", "unsigned char", 3, 1, 27, 5),
		MB_BITS("m1", "short unsigned int", 4, 2, 32, 14),
	};
	cr_assert_not_null(mb_add(&fx.unit, SF_STRUCT, "ob2", 6, rows, MB_COUNT(rows)));
}

static const char pahole_leading_gap[] =
	"struct ob2 {\n"
	"\n"
	"\t/* XXX 3 bits hole, try to pack */\n"
	"\t/* XXX 3 bytes hole, try to pack */\n"
	"\n"
	"\tunsigned char              m0:5;                 /*     3: 3  1 */\n"
	"\tshort unsigned int         m1:14;                /*     4: 0  2 */\n"
	"\n"
	"\t/* size: 6, cachelines: 1, members: 2 */\n"
	"\t/* sum members: 0, holes: 1, sum holes: 3 */\n"
	"\t/* sum bitfield members: 19 bits, bit holes: 1, sum bit holes: 3 bits */\n"
	"\t/* bit_padding: 2 bits */\n"
	"\t/* last cacheline: 6 bytes */\n"
	"};\n";

Test(emit, gap_before_the_first_member_is_printed_first)
{
	add_leading_gap();
	assert_text(render(NULL, 0, false, false), pahole_leading_gap);
}

/* gcc x86-64: struct inner { long x; char y; };
 * struct sumorder { struct inner i; unsigned a:4; }; printed by pahole 1.24. */
static void add_summary_order(void)
{
	mb_member inner_rows[] = {
		MB_PLAIN("x", "long int", 0, 8, 8),
		MB_PLAIN("y", "char", 8, 1, 1),
	};
	sf_struct *inner = mb_add(&fx.unit, SF_STRUCT, "inner", 16, inner_rows, 2);
	cr_assert_not_null(inner);
	mb_member rows[] = {
		MB_STRUCT("i", "struct inner", 0, inner),
		MB_BITS("a", "unsigned int", 16, 4, 128, 4),
	};
	cr_assert_not_null(mb_add(&fx.unit, SF_STRUCT, "sumorder", 24, rows, MB_COUNT(rows)));
}

static const char pahole_summary_order[] =
	"struct sumorder {\n"
	"\tstruct inner               i;                    /*     0    16 */\n"
	"\n"
	"\t/* XXX last struct has 7 bytes of padding */\n"
	"\n"
	"\tunsigned int               a:4;                  /*    16: 0  4 */\n"
	"\n"
	"\t/* size: 24, cachelines: 1, members: 2 */\n"
	"\t/* padding: 4 */\n"
	"\t/* paddings: 1, sum paddings: 7 */\n"
	"\t/* bit_padding: 28 bits */\n"
	"\t/* last cacheline: 24 bytes */\n"
	"};\n";

Test(emit, nested_paddings_come_before_bit_padding)
{
	static const char *const glob[] = { "sumorder" };
	add_summary_order();
	assert_text(render(glob, 1, false, false), pahole_summary_order);
}

/* Linux struct vm_fault opens with `const struct { ... };`: the body is
 * expanded and keeps its qualifier, as pahole prints it. */
Test(emit, qualified_anonymous_body_keeps_its_qualifier)
{
	mb_member body_rows[] = {
		MB_PLAIN("vma", "void *", 0, 8, 8),
		MB_PLAIN("gfp_mask", "unsigned int", 8, 4, 4),
	};
	sf_struct *body = mb_add(&fx.unit, SF_STRUCT, NULL, 16, body_rows, 2);
	cr_assert_not_null(body);
	body->is_nested_body = true;
	mb_member rows[] = {
		MB_ANON(0, body),
		MB_PLAIN("flags", "unsigned int", 16, 4, 4),
	};
	rows[0].type = "const struct {...}";
	cr_assert_not_null(mb_add(&fx.unit, SF_STRUCT, "vm_fault", 24, rows, MB_COUNT(rows)));
	const char *text = render(NULL, 0, false, false);
	cr_assert(strstr(text, "struct vm_fault {\n\tconst struct {\n\t\tvoid *"), "%s", text);
}

Test(emit, one_byte_past_a_boundary_is_singular)
{
	mb_member rows[] = {
		MB_PLAIN("a", "char[65]", 0, 65, 1),
		MB_PLAIN("b", "char", 65, 1, 1),
	};
	cr_assert_not_null(mb_add(&fx.unit, SF_STRUCT, "one", 66, rows, MB_COUNT(rows)));
	const char *text = render(NULL, 0, false, false);
	cr_assert(strstr(text, "/* --- cacheline 1 boundary (64 bytes) was 1 byte ago --- */\n"),
		  "%s", text);
}

static void add_small_bitfields(void)
{
	mb_member nofit[] = {
		MB_PLAIN("c", "char", 0, 1, 1),
		MB_BITS("a", "unsigned int", 4, 4, 32, 30),
	};
	mb_member bh[] = {
		MB_BITS("a", "int", 0, 4, 0, 4),
		MB_PLAIN("b", "long int", 8, 8, 8),
		MB_BITS("c", "unsigned int", 16, 4, 128, 2),
		MB_BITS("d", "unsigned int", 16, 4, 130, 3),
		MB_PLAIN("e", "char", 17, 1, 1),
	};
	mb_member chbits[] = {
		MB_BITS("a", "char", 0, 1, 0, 3),
		MB_BITS("b", "char", 0, 1, 3, 2),
		MB_BITS("c", "short int", 0, 2, 5, 5),
		MB_BITS("d", "int", 0, 4, 10, 7),
	};
	mb_member tb[] = {
		MB_PLAIN("x", "long int", 0, 8, 8),
		MB_BITS("a", "unsigned int", 8, 4, 64, 4),
	};
	cr_assert_not_null(mb_add(&fx.unit, SF_STRUCT, "nofit", 8, nofit, 2));
	cr_assert_not_null(mb_add(&fx.unit, SF_STRUCT, "bh", 24, bh, 5));
	cr_assert_not_null(mb_add(&fx.unit, SF_STRUCT, "chbits", 4, chbits, 4));
	cr_assert_not_null(mb_add(&fx.unit, SF_STRUCT, "tb", 16, tb, 2));
}

static const char pahole_small_bitfields[] =
	"struct nofit {\n"
	"\tchar                       c;                    /*     0     1 */\n"
	"\n"
	"\t/* XXX 3 bytes hole, try to pack */\n"
	"\n"
	"\tunsigned int               a:30;                 /*     4: 0  4 */\n"
	"\n"
	"\t/* size: 8, cachelines: 1, members: 2 */\n"
	"\t/* sum members: 1, holes: 1, sum holes: 3 */\n"
	"\t/* sum bitfield members: 30 bits (3 bytes) */\n"
	"\t/* bit_padding: 2 bits */\n"
	"\t/* last cacheline: 8 bytes */\n"
	"};\n"
	"struct bh {\n"
	"\tint                        a:4;                  /*     0: 0  4 */\n"
	"\n"
	"\t/* XXX 28 bits hole, try to pack */\n"
	"\t/* XXX 4 bytes hole, try to pack */\n"
	"\n"
	"\tlong int                   b;                    /*     8     8 */\n"
	"\tunsigned int               c:2;                  /*    16: 0  4 */\n"
	"\tunsigned int               d:3;                  /*    16: 2  4 */\n"
	"\n"
	"\t/* XXX 3 bits hole, try to pack */\n"
	"\t/* Bitfield combined with next fields */\n"
	"\n"
	"\tchar                       e;                    /*    17     1 */\n"
	"\n"
	"\t/* size: 24, cachelines: 1, members: 5 */\n"
	"\t/* sum members: 9, holes: 1, sum holes: 4 */\n"
	"\t/* sum bitfield members: 9 bits, bit holes: 2, sum bit holes: 31 bits */\n"
	"\t/* padding: 6 */\n"
	"\t/* last cacheline: 24 bytes */\n"
	"};\n"
	"struct chbits {\n"
	"\tchar                       a:3;                  /*     0: 0  1 */\n"
	"\tchar                       b:2;                  /*     0: 3  1 */\n"
	"\tshort int                  c:5;                  /*     0: 5  2 */\n"
	"\tint                        d:7;                  /*     0:10  4 */\n"
	"\n"
	"\t/* size: 4, cachelines: 1, members: 4 */\n"
	"\t/* bit_padding: 15 bits */\n"
	"\t/* last cacheline: 4 bytes */\n"
	"};\n"
	"struct tb {\n"
	"\tlong int                   x;                    /*     0     8 */\n"
	"\tunsigned int               a:4;                  /*     8: 0  4 */\n"
	"\n"
	"\t/* size: 16, cachelines: 1, members: 2 */\n"
	"\t/* padding: 4 */\n"
	"\t/* bit_padding: 28 bits */\n"
	"\t/* last cacheline: 16 bytes */\n"
	"};\n";

Test(emit, bitfield_corner_cases_match_pahole)
{
	add_small_bitfields();
	assert_text(render(NULL, 0, false, false), pahole_small_bitfields);
}

static void add_union(void)
{
	mb_member rows[] = {
		MB_PLAIN("a", "char", 0, 1, 1),
		MB_PLAIN("b", "int", 0, 4, 4),
		MB_PLAIN("c", "long int", 0, 8, 8),
	};
	cr_assert_not_null(mb_add(&fx.unit, SF_UNION, "un", 8, rows, 3));
}

Test(emit, union_matches_pahole_and_adds_its_size)
{
	const char *text;
	add_union();
	text = render(NULL, 0, false, false);
	assert_text(text,
		"union un {\n"
		"\tchar                       a;                  /*     0     1 */\n"
		"\tint                        b;                  /*     0     4 */\n"
		"\tlong int                   c;                  /*     0     8 */\n"
		"};\n");
	cr_assert(strstr(text, "/* structfit: size: 8, cachelines: 1, members: 3 */"));
}

Test(emit, typedef_of_anonymous_struct_prints_as_typedef)
{
	mb_member rows[] = {
		MB_PLAIN("x", "char", 0, 1, 1),
		MB_PLAIN("y", "double", 8, 8, 8),
	};
	sf_struct *s = mb_add(&fx.unit, SF_STRUCT, NULL, 16, rows, 2);
	cr_assert_not_null(s);
	s->typedef_name = "tdanon";
	assert_text(render(NULL, 0, false, false),
		"typedef struct {\n"
		"\tchar                       x;                    /*     0     1 */\n"
		"\n"
		"\t/* XXX 7 bytes hole, try to pack */\n"
		"\n"
		"\tdouble                     y;                    /*     8     8 */\n"
		"\n"
		"\t/* size: 16, cachelines: 1, members: 2 */\n"
		"\t/* sum members: 9, holes: 1, sum holes: 7 */\n"
		"\t/* last cacheline: 16 bytes */\n"
		"} tdanon;\n");
}

Test(emit, declarators_splice_the_member_name)
{
	mb_member rows[] = {
		MB_PLAIN("fn", "int (*)(int, char *)", 0, 8, 8),
		MB_PLAIN("tab", "void (*[2])(void)", 8, 16, 8),
		MB_PLAIN("name", "char[8]", 24, 8, 1),
		MB_PLAIN("grid", "int[2][3]", 32, 24, 4),
	};
	const char *text;
	cr_assert_not_null(mb_add(&fx.unit, SF_STRUCT, "decl", 56, rows, 4));
	text = render(NULL, 0, false, false);
	cr_assert(strstr(text, "\tint                        (*fn)(int, char *);   /*     0     8 */\n"), "%s", text);
	cr_assert(strstr(text, "\tvoid                       (*tab[2])(void);      /*     8    16 */\n"), "%s", text);
	cr_assert(strstr(text, "\tchar                       name[8];              /*    24     8 */\n"), "%s", text);
	cr_assert(strstr(text, "\tint                        grid[2][3];           /*    32    24 */\n"), "%s", text);
}

Test(emit, long_names_push_the_comment_right)
{
	mb_member rows[] = {
		MB_PLAIN("a_really_really_long_member_name_here", "int", 0, 4, 4),
		MB_PLAIN("xx", "struct a_very_long_struct_name_for_testing", 4, 4, 4),
	};
	const char *text;
	cr_assert_not_null(mb_add(&fx.unit, SF_STRUCT, "longs", 8, rows, 2));
	text = render(NULL, 0, false, false);
	cr_assert(strstr(text, "\tint                        a_really_really_long_member_name_here; /*     0     4 */\n"), "%s", text);
	cr_assert(strstr(text, "\tstruct a_very_long_struct_name_for_testing xx;   /*     4     4 */\n"), "%s", text);
}

Test(emit, conflicting_definitions_are_announced)
{
	mb_member a_rows[] = { MB_PLAIN("x", "int", 0, 4, 4) };
	mb_member b_rows[] = { MB_PLAIN("x", "long int", 0, 8, 8) };
	sf_struct *a = mb_add(&fx.unit, SF_STRUCT, "foo", 4, a_rows, 1);
	sf_struct *b = mb_add(&fx.unit, SF_STRUCT, "foo", 8, b_rows, 1);
	const char *text;

	cr_assert(a && b);
	a->decl_file = "/src/a.c";
	a->decl_line = 12;
	b->decl_file = "b.c";
	b->decl_line = 40;
	text = render(NULL, 0, false, false);
	cr_assert(strstr(text, "/* structfit: conflicting definitions of struct foo: a.c:12 (4 bytes) vs b.c:40 (8 bytes) */\n"
			       "struct foo {\n"), "%s", text);
	cr_assert(strstr(text, "/* structfit: conflicting definitions of struct foo: b.c:40 (8 bytes) vs a.c:12 (4 bytes) */\n"), "%s", text);
}

Test(emit, color_wraps_hole_lines_only_when_asked)
{
	sf_report_options ro = SF_REPORT_OPTIONS_INIT;
	sf_emit_options eo = SF_EMIT_OPTIONS_INIT;
	sf_buf plain = SF_BUF_INIT;

	add_holes();
	cr_assert_eq(sf__model_merge_unit(fx.model, &fx.unit), 0);
	cr_assert_eq(sf_report_build(&fx.report, fx.model, &ro), 0);
	cr_assert_eq(sf_emit_text(&plain, fx.report, &eo), 0);
	cr_assert_null(strchr(plain.data, '\033'));
	eo.color = 1;
	cr_assert_eq(sf_emit_text(&fx.out, fx.report, &eo), 0);
	cr_assert(strstr(fx.out.data, "\t\033[33m/* XXX 3 bytes hole, try to pack */\033[0m\n"), "%s", fx.out.data);
	sf_buf_free(&plain);
}

Test(emit, summary_has_header_rows_and_totals)
{
	const char *text;
	add_holes();
	add_union();
	text = render(NULL, 0, false, true);
	cr_assert_str_eq(text,
		"NAME               SIZE  HOLES  PADDING  WASTE  CACHELINES  DECLARED\n"
		"struct holes         32      2        6     16           1  test.c:1\n"
		"union un              8      0        0      0           1  test.c:1\n"
		"total (2 structs)    40      2        6     16           2\n");
}

/* ---- JSON ---- */

static void assert_valid_json(const char *json)
{
	char path[] = "/tmp/structfit-json-XXXXXX";
	char command[128];
	int fd = mkstemp(path);
	FILE *f;
	int status;

	cr_assert(fd >= 0);
	f = fdopen(fd, "w");
	cr_assert_not_null(f);
	fputs(json, f);
	fclose(f);
	if (system("python3 -c '' 2>/dev/null") != 0) {
		remove(path);
		return; /* structural assertions below still run */
	}
	snprintf(command, sizeof(command), "python3 -m json.tool %s >/dev/null", path);
	status = system(command);
	remove(path);
	cr_assert_eq(status, 0, "invalid JSON:\n%s", json);
}

Test(emit, json_is_valid_and_follows_the_schema)
{
	const char *json;

	add_bits();
	add_anon();
	add_attributes();
	json = render(NULL, 0, true, false);
	assert_valid_json(json);
	static const char head[] = "{\"tool\": \"structfit\", \"version\": \"";
	cr_assert(strncmp(json, head, strlen(head)) == 0, "%s", json);
	cr_assert(strstr(json, "\"files\": [\n{\"path\": \"test.o\", \"arch\": \"x86_64\", \"byte_order\": \"little\", \"address_size\": 8}\n]"), "%s", json);
	cr_assert(strstr(json, "{\"kind\": \"struct\", \"name\": \"bits\", \"typedef_name\": null, \"size\": 24, \"align\": 8, "
			       "\"align_certain\": true, \"packed\": false, \"unsized\": false, \"decl_file\": \"test.c\", \"decl_line\": 1, \"file\": 0, \"cachelines\": 1, "
			       "\"sum_members\": 5, \"holes\": [], \"bit_holes\": [{\"bit_offset\": 8, \"bits\": 24}, "
			       "{\"bit_offset\": 67, \"bits\": 5}, {\"bit_offset\": 120, \"bits\": 8}], \"padding\": 0, "
			       "\"bit_padding\": 34, \"contents_known\": true, \"members\": [{\"index\": 0, \"name\": \"a\", \"type\": \"unsigned int\", "
			       "\"offset\": 0, \"size\": 4, \"align\": 4, \"bit_offset\": 0, \"bit_size\": 3, \"decl_line\": 2, "
			       "\"crosses_cacheline\": false, \"unsized\": false}"), "%s", json);
	cr_assert(strstr(json, "{\"index\": 2, \"name\": \"c\", \"type\": \"int\", \"offset\": 4, \"size\": 4, \"align\": 4, "
			       "\"bit_offset\": null, \"bit_size\": null"), "%s", json);
	/* Anonymous members carry their body with absolute offsets and its holes. */
	cr_assert(strstr(json, "{\"index\": 3, \"name\": null, \"type\": null, \"offset\": 24, \"size\": 16, \"align\": 8, "
			       "\"bit_offset\": null, \"bit_size\": null, \"decl_line\": 5, \"crosses_cacheline\": false, "
			       "\"unsized\": false, \"kind\": \"struct\", \"members\": [{\"index\": 0, \"name\": \"f\", \"type\": \"char\", \"offset\": 24,"), "%s", json);
	cr_assert(strstr(json, "\"holes\": [{\"offset\": 25, \"size\": 7}], \"bit_holes\": []}"), "%s", json);
	cr_assert(strstr(json, "\"name\": \"pk\", \"typedef_name\": null, \"size\": 13, \"align\": 1, \"align_certain\": true, \"packed\": true"), "%s", json);
	cr_assert(strstr(json, "\"conflicts\": []}"), "%s", json);
}

Test(emit, json_escapes_names_and_lists_conflicts)
{
	mb_member a_rows[] = { MB_PLAIN("we\"ird\\name", "int", 0, 4, 4) };
	mb_member b_rows[] = { MB_PLAIN("x", "long int", 0, 8, 8) };
	sf_struct *a = mb_add(&fx.unit, SF_STRUCT, "foo", 4, a_rows, 1);
	sf_struct *b = mb_add(&fx.unit, SF_STRUCT, "foo", 8, b_rows, 1);
	const char *json;

	cr_assert(a && b);
	b->decl_file = "b.c";
	b->decl_line = 0;
	json = render(NULL, 0, true, false);
	assert_valid_json(json);
	cr_assert(strstr(json, "\"name\": \"we\\\"ird\\\\name\""), "%s", json);
	cr_assert(strstr(json, "\"conflicts\": [{\"decl_file\": \"b.c\", \"decl_line\": null, \"size\": 8, \"file\": 0}]"), "%s", json);
	cr_assert(strstr(json, "\"conflicts\": [{\"decl_file\": \"test.c\", \"decl_line\": 1, \"size\": 4, \"file\": 0}]"), "%s", json);
}

Test(emit, empty_report_is_valid_json)
{
	const char *json = render(NULL, 0, true, false);
	assert_valid_json(json);
	cr_assert(strstr(json, "\"structs\": []}"), "%s", json);
}

/* Renders the report of every struct with `jobs` formatting threads. */
static char *render_with_jobs(unsigned jobs)
{
	sf_emit_options eo = SF_EMIT_OPTIONS_INIT;
	sf_buf out = SF_BUF_INIT;

	eo.jobs = jobs;
	cr_assert_eq(sf_emit_text(&out, fx.report, &eo), 0);
	cr_assert_not_null(out.data);
	return out.data;
}

/* Large reports are formatted on threads (sf_emit_options.jobs): the
 * text must be the one-thread text, runs appended in order. */
Test(emit, text_is_the_same_for_any_thread_count)
{
	sf_report_options ro = SF_REPORT_OPTIONS_INIT;
	char *one, *many;
	size_t structs = 0;

	for (unsigned i = 0; i < 2500; i++) {
		char name[16];
		/* Sizes and holes vary so that no two runs format alike. */
		mb_member rows[] = {
			MB_PLAIN("tag", "char", 0, 1, 1),
			MB_PLAIN("count", "int", 4, 4, 4),
			MB_PLAIN("items", "char[]", 8, i % 97, 1),
		};
		snprintf(name, sizeof(name), "s%04u", i);
		cr_assert_not_null(mb_add(&fx.unit, SF_STRUCT, sf__arena_strdup(fx.unit.arena, name),
					  8 + (i % 97 + 3) / 4 * 4, rows, MB_COUNT(rows)));
	}
	cr_assert_eq(sf__model_merge_unit(fx.model, &fx.unit), 0);
	cr_assert_eq(sf_report_build(&fx.report, fx.model, &ro), 0, "%s", sf_error_last());
	one = render_with_jobs(1);
	for (const char *p = one; (p = strstr(p, "\nstruct s")) != NULL; p++)
		structs++;
	cr_assert_eq(structs + (strncmp(one, "struct s", 8) == 0), 2500);
	for (unsigned jobs = 2; jobs <= 5; jobs++) {
		many = render_with_jobs(jobs);
		cr_assert_str_eq(many, one, "%u threads", jobs);
		free(many);
	}
	many = render_with_jobs(0);
	cr_assert_str_eq(many, one, "one thread per CPU");
	free(many);
	free(one);
}
