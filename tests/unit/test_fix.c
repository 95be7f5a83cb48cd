/* Unit tests of the fix source scanner: body mapping, refusals and unit grouping. */
#include <criterion/criterion.h>

#include <string.h>

#include "fix/fix_body.h"
#include "fix/fix_ctor.h"
#include "fix/fix_lex.h"

typedef struct scanned {
	sf_fix_tokens toks;
	sf_fix_body body;
	char why[1024];
	int rc;
} scanned;

/* Like scan(), with the members already filled in (bitfields, say). */
static void scan_members(scanned *out, const char *text, sf_member *members, uint32_t count)
{
	sf_struct def;
	memset(&def, 0, sizeof(def));
	def.kind = SF_STRUCT;
	def.name = "s";
	def.decl_line = 1;
	def.member_count = count;
	def.members = members;
	cr_assert_eq(sf__fix_lex(&out->toks, text, strlen(text)), 0);
	out->why[0] = '\0';
	out->rc = sf__fix_body_find(&out->body, text, strlen(text), &out->toks, &def, out->why, sizeof(out->why));
}

/* A definition with members named `names` declared on `lines`, tag "s" at line 1. */
static void scan(scanned *out, const char *text, const char *const *names, const uint32_t *lines,
		 uint32_t count, sf_member *members)
{
	memset(members, 0, count * sizeof(*members));
	for (uint32_t i = 0; i < count; i++) {
		members[i].name = names[i];
		members[i].decl_line = lines[i];
	}
	scan_members(out, text, members, count);
}

static void release(scanned *s)
{
	sf__fix_body_free(&s->body);
	sf__fix_tokens_free(&s->toks);
}

Test(fix, comments_and_shared_lines_form_units)
{
	const char *text = "struct s {\n\tchar a, b; /* ab */\n\n\t/* lead */\n\tlong c;\n\tchar d; char e;\n};\n";
	const char *names[] = { "a", "b", "c", "d", "e" };
	const uint32_t lines[] = { 2, 2, 5, 6, 6 };
	sf_member members[5];
	scanned s;

	scan(&s, text, names, lines, 5, members);
	cr_assert_eq(s.rc, 0, "%s", s.why);
	cr_assert_eq(s.body.unit_count, 3);
	cr_assert_eq(s.body.units[0].member_count, 2);
	cr_assert_eq(s.body.units[1].first_line, 4, "the leading comment moves with c");
	cr_assert_eq(s.body.units[2].member_count, 2);
	{
		const uint32_t split[] = { 2, 0, 3, 1, 4 };
		const uint32_t whole[] = { 2, 3, 4, 0, 1 };
		uint32_t units[3];
		cr_assert_not(sf__fix_body_unit_order(&s.body, split, 5, units));
		cr_assert(sf__fix_body_unit_order(&s.body, whole, 5, units));
		cr_assert_eq(units[0], 1);
		cr_assert_eq(units[1], 2);
		cr_assert_eq(units[2], 0);
	}
	release(&s);
}

Test(fix, directive_in_body_is_refused)
{
	const char *text = "struct s {\n\tchar a;\n#ifdef X\n\tlong b;\n#endif\n};\n";
	const char *names[] = { "a", "b" };
	const uint32_t lines[] = { 2, 4 };
	sf_member members[2];
	scanned s;

	scan(&s, text, names, lines, 2, members);
	cr_assert_eq(s.rc, 1);
	cr_assert(strstr(s.why, "preprocessor") != NULL, "%s", s.why);
	release(&s);
}

Test(fix, renamed_member_is_refused)
{
	const char *text = "struct s {\n\tchar a;\n\tlong renamed;\n};\n";
	const char *names[] = { "a", "b" };
	const uint32_t lines[] = { 2, 3 };
	sf_member members[2];
	scanned s;

	scan(&s, text, names, lines, 2, members);
	cr_assert_eq(s.rc, 1);
	cr_assert(strstr(s.why, "line 3 does not match the debug info: member 'renamed' there is 'b'") != NULL, "%s", s.why);
	release(&s);
}

/* gawk's dfa.c: `#define calloc pma_calloc` renames a member; the reason says so. */
Test(fix, macro_renamed_member_names_both_spellings)
{
	const char *text = "struct s {\n\tchar *classes;\n\tlong calloc;\n\tchar c;\n};\n";
	const char *names[] = { "classes", "pma_calloc", "c" };
	const uint32_t lines[] = { 2, 3, 4 };
	sf_member members[3];
	scanned s;

	scan(&s, text, names, lines, 3, members);
	cr_assert_eq(s.rc, 1);
	cr_assert(strstr(s.why, "member 'calloc' there is 'pma_calloc'") != NULL, "%s", s.why);
	cr_assert(strstr(s.why, "macro") != NULL, "%s", s.why);
	release(&s);
}

/* gawk's cmd.h and debug.c: flag values and accessors #defined under a member. */
Test(fix, define_lines_move_with_the_member_above)
{
	const char *text = "struct s {\n\tchar a;\n\tunion { long l; char *p; } v;\n"
			   "#define s_long v.l\t/* the long */\n#define s_ptr \\\n\tv.p\n\n\tint n;\n};\n";
	const char *names[] = { "a", "v", "n" };
	const uint32_t lines[] = { 2, 3, 8 };
	sf_member members[3];
	scanned s;

	scan(&s, text, names, lines, 3, members);
	cr_assert_eq(s.rc, 0, "%s", s.why);
	cr_assert_eq(s.body.unit_count, 3);
	cr_assert_eq(s.body.units[1].member_first, 1);
	cr_assert_eq(strncmp(text + s.body.units[1].start, "\tunion", 6), 0);
	cr_assert_eq(strncmp(text + s.body.units[1].end, "\n\tint n;", 8), 0,
		     "both #defines, continuation included, end v's unit");
	cr_assert_eq(s.body.units[2].first_line, 8);
	release(&s);
}

Test(fix, define_used_in_the_body_is_refused)
{
	const char *text = "struct s {\n\tchar a;\n#define N 4\n\tlong b[N];\n};\n";
	const char *names[] = { "a", "b" };
	const uint32_t lines[] = { 2, 4 };
	sf_member members[2];
	scanned s;

	scan(&s, text, names, lines, 2, members);
	cr_assert_eq(s.rc, 1);
	cr_assert(strstr(s.why, "used inside the body") != NULL, "%s", s.why);
	release(&s);
}

Test(fix, define_before_the_first_member_or_undef_is_refused)
{
	const char *first = "struct s {\n#define K 1\n\tchar a;\n\tlong b;\n};\n";
	const char *undef = "struct s {\n\tchar a;\n#undef K\n\tlong b;\n};\n";
	const char *names[] = { "a", "b" };
	const uint32_t first_lines[] = { 3, 4 }, undef_lines[] = { 2, 4 };
	sf_member members[2];
	scanned s;

	scan(&s, first, names, first_lines, 2, members);
	cr_assert_eq(s.rc, 1);
	cr_assert(strstr(s.why, "before the first member") != NULL, "%s", s.why);
	release(&s);
	scan(&s, undef, names, undef_lines, 2, members);
	cr_assert_eq(s.rc, 1);
	cr_assert(strstr(s.why, "preprocessor directive inside the body (line 3)") != NULL, "%s", s.why);
	release(&s);
}

Test(fix, unnamed_bitfield_is_refused)
{
	const char *text = "struct s {\n\tchar a;\n\tint : 3;\n\tlong b;\n};\n";
	const char *names[] = { "a", "b" };
	const uint32_t lines[] = { 2, 4 };
	sf_member members[2];
	scanned s;

	scan(&s, text, names, lines, 2, members);
	cr_assert_eq(s.rc, 1);
	cr_assert(strstr(s.why, "unnamed bitfield") != NULL, "%s", s.why);
	release(&s);
}

/* Issue 11: every obstacle of a body, in source order, not only the first
 * one met: an #if block and a macro-built field list empty in this build. */
Test(fix, every_body_problem_is_named_in_source_order)
{
	const char *text = "struct s {\n\tchar a;\n#ifdef X\n\tlong b;\n#endif\n\tEMPTY_FIELDS\n\tchar c;\n};\n";
	const char *names[] = { "a", "c" };
	const uint32_t lines[] = { 2, 7 };
	sf_member members[2];
	scanned s;

	scan(&s, text, names, lines, 2, members);
	cr_assert_eq(s.rc, 1);
	cr_assert_str_eq(s.why, "preprocessor directive inside the body (line 3); also the body uses macro "
			 "EMPTY_FIELDS at line 6, which the debug info shows expanded to no member there (a field "
			 "list built by a macro, empty in this build)");
	release(&s);
}

/* A macro-built field list and an unnamed bitfield: the bitfield, found
 * first by the scan, is named second because it comes later in the body. */
Test(fix, macro_field_list_and_unnamed_bitfield_are_both_named)
{
	const char *text = "struct s {\n\tchar a;\n\tEMPTY_FIELDS\n\tint : 3;\n\tlong b;\n\tint x : 4, : 4;\n};\n";
	const char *names[] = { "a", "b", "x" };
	const uint32_t lines[] = { 2, 5, 6 };
	sf_member members[3];
	scanned s;

	memset(members, 0, sizeof(members));
	for (uint32_t i = 0; i < 3; i++) {
		members[i].name = names[i];
		members[i].decl_line = lines[i];
	}
	members[2].flags |= SF_MEMBER_BITFIELD;
	members[2].bit_size = 4;
	scan_members(&s, text, members, 3);
	cr_assert_eq(s.rc, 1);
	cr_assert_str_eq(s.why, "the body uses macro EMPTY_FIELDS at line 3, which the debug info shows expanded "
			 "to no member there (a field list built by a macro, empty in this build); also unnamed "
			 "bitfields at lines 4 and 6 (not in the debug info)");
	release(&s);
}

/* sqlite's Parse, Vdbe...: many #if blocks are one kind of problem, told
 * once with their lines, in the place of the first. */
Test(fix, problems_of_one_kind_are_told_together)
{
	const char *text = "struct s {\n\tchar a;\n#if A\n\tlong b;\n#endif\n\tEMPTY_FIELDS\n#ifdef B\n\tint c;\n"
			   "#else\n\tlong c;\n#endif\n\tchar d;\n#ifndef C\n\tchar e;\n#endif\n};\n";
	const char *names[] = { "a", "d" };
	const uint32_t lines[] = { 2, 12 };
	sf_member members[2];
	scanned s;

	scan(&s, text, names, lines, 2, members);
	cr_assert_eq(s.rc, 1);
	cr_assert_str_eq(s.why, "preprocessor directives inside the body (lines 3, 7 and 13); also the body uses "
			 "macro EMPTY_FIELDS at line 6, which the debug info shows expanded to no member there (a "
			 "field list built by a macro, empty in this build)");
	release(&s);
}

Test(fix, body_on_the_brace_line_is_refused)
{
	const char *text = "struct s { char a; long b; };\n";
	const char *names[] = { "a", "b" };
	const uint32_t lines[] = { 1, 1 };
	sf_member members[2];
	scanned s;

	scan(&s, text, names, lines, 2, members);
	cr_assert_eq(s.rc, 1);
	release(&s);
}

Test(fix, function_pointer_and_array_names_are_read)
{
	const char *text = "struct s {\n\tint (*fn)(int x);\n\tchar buf[16];\n\tvoid *p;\n};\n";
	const char *names[] = { "fn", "buf", "p" };
	const uint32_t lines[] = { 2, 3, 4 };
	sf_member members[3];
	scanned s;

	scan(&s, text, names, lines, 3, members);
	cr_assert_eq(s.rc, 0, "%s", s.why);
	cr_assert_eq(s.body.unit_count, 3);
	release(&s);
}

/* A C++ class `c` at line 1 with the members `names` on `lines`, read as C++. */
static void scan_class(scanned *out, const char *text, const char *const *names, const uint32_t *lines,
		       uint32_t count, sf_member *members, sf_struct *def)
{
	memset(def, 0, sizeof(*def));
	memset(members, 0, count * sizeof(*members));
	for (uint32_t i = 0; i < count; i++) {
		members[i].name = names[i];
		members[i].decl_line = lines[i];
		members[i].size = members[i].type_align = members[i].align = 1;
	}
	def->kind = SF_CLASS;
	def->name = "c";
	def->decl_line = 1;
	def->member_count = count;
	def->members = members;
	cr_assert_eq(sf__fix_lex(&out->toks, text, strlen(text)), 0);
	out->why[0] = '\0';
	out->rc = sf__fix_body_find_cxx(&out->body, text, strlen(text), &out->toks, def, true, out->why,
					sizeof(out->why));
}

Test(fix, cxx_methods_types_and_labels_stay_members_move_in_sections)
{
	const char *text = "class c {\n"
			   "\tchar a = 1;\n"
			   "\tint get() const\n\t{\n\t\treturn a;\n\t}\n"
			   "\tstd::map<int, long> m{};\n"
			   "public:\n"
			   "\tstruct inner { int x; };\n"
			   "\tstatic int count;\n"
			   "\tc() : a(1), m(), b(2) {}\n"
			   "\tchar b;\n"
			   "};\n";
	const char *names[] = { "a", "m", "b" };
	const uint32_t lines[] = { 2, 7, 12 };
	sf_member members[3];
	sf_struct def;
	scanned s;

	scan_class(&s, text, names, lines, 3, members, &def);
	cr_assert_eq(s.rc, 0, "%s", s.why);
	cr_assert(s.body.cxx && s.body.has_fixed);
	cr_assert_eq(s.body.movable_count, 3);
	cr_assert_eq(s.body.ctor_count, 1, "the constructor is found");
	cr_assert_not(s.body.aggregate);
	cr_assert_neq(s.body.member_init[0].first, 0, "a's default initializer is recorded");
	cr_assert_eq(s.body.units[s.body.unit_of[1]].section, 0);
	cr_assert_eq(s.body.units[s.body.unit_of[2]].section, 1, "b is below the label");
	{
		const uint32_t keep_sections[] = { 1, 0, 2 };
		const uint32_t cross[] = { 2, 0, 1 };
		uint32_t units[3], line = 0;
		cr_assert(sf__fix_body_unit_order(&s.body, keep_sections, 3, units));
		cr_assert(sf__fix_body_sections_kept(&s.body, units, &line));
		cr_assert(sf__fix_body_unit_order(&s.body, cross, 3, units));
		cr_assert_not(sf__fix_body_sections_kept(&s.body, units, &line));
		cr_assert_eq(line, 8, "the label's line is named");
	}
	release(&s);
}

Test(fix, cxx_initializer_reads_and_new_list_order)
{
	const char *text = "class c {\n"
			   "\tchar n;\n"
			   "\tchar *buf;\n"
			   "\tchar mode;\n"
			   "\tc(int mode) : n(4), buf(new char[n]), mode(mode) {}\n"
			   "};\n";
	const char *names[] = { "n", "buf", "mode" };
	const uint32_t lines[] = { 2, 3, 4 };
	sf_member members[3];
	sf_struct def;
	scanned s;
	size_t colon, open, start, end, len;
	uint32_t line = 0;
	char *out = NULL;

	scan_class(&s, text, names, lines, 3, members, &def);
	cr_assert_eq(s.rc, 0, "%s", s.why);
	cr_assert_eq(s.body.ctor_count, 1);
	cr_assert(sf__fix_ctor_list(text, &s.toks, s.body.ctors[0], &colon, &open));
	{
		/* buf before n: buf's initializer would read n uninitialised. */
		const uint32_t swapped[] = { 1, 0, 2 };
		/* mode first: the parameter `mode` shadows the member, nothing read. */
		const uint32_t mode_first[] = { 1, 2, 0 };
		cr_assert(sf__fix_ctor_reads(text, &s.toks, s.body.ctors[0], colon, open, &def, swapped, &line));
		cr_assert_eq(line, 5);
		cr_assert_not(sf__fix_ctor_reads(text, &s.toks, s.body.ctors[0], colon, open, &def, mode_first,
						 &line));
		cr_assert_eq(sf__fix_ctor_rewrite(text, strlen(text), &s.toks, colon, open, &def, mode_first, &start,
						  &end, &out, &len), 0);
		cr_assert_not_null(out);
		cr_assert_eq(len, strlen("\tc(int mode) : mode(mode), n(4), buf(new char[n]) {}\n"));
		cr_assert(memcmp(out, "\tc(int mode) : mode(mode), n(4), buf(new char[n]) {}\n", len) == 0, "%.*s",
			  (int)len, out);
		free(out);
	}
	release(&s);
}
