/* DIE-to-model tests: fixtures compiled at test time by gcc and clang for several DWARF versions and targets. */
#include <criterion/criterion.h>

#include <structfit/structfit.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "model/structs.h"

static const char fixture_source[] =
	"typedef unsigned short sa_family_t;\n"
	"struct bits { unsigned a:3; unsigned b:5; int c:12; unsigned long long d:40; char e;\n"
	"              unsigned f:1; short g:9; char h:2; unsigned long long i:60; };\n"
	"struct __attribute__((packed)) packed_s { char c; int i; short s; };\n"
	"struct align_member { char c; _Alignas(16) int x; char d; };\n"
	"struct __attribute__((aligned(32))) aligned32 { int a; };\n"
	"struct anon_u { int kind; union { int i; float f; struct { short lo, hi; }; }; char tail; };\n"
	"struct flex { int n; char data[]; };\n"
	"struct zero { int n; char data[0]; };\n"
	"struct multi { int m[3][4]; char name[16]; };\n"
	"struct fptr { int (*get)(void); void (*set)(int, char *); int (*arr)[4];\n"
	"              struct multi *ptrs[8]; const char *const cc; sa_family_t fam; };\n"
	"typedef struct { int x, y; } point_t;\n"
	"struct uses { point_t p; point_t pts[2]; struct multi m; };\n"
	"struct mixed { int a; double b; long long c; };\n"
	"struct straddle { unsigned a:13; unsigned long long wide:40; long long across:30; };\n"
	"struct straddle g_straddle;\n"
	"struct bits g_bits; struct packed_s g_packed; struct align_member g_am;\n"
	"struct aligned32 g_a32; struct anon_u g_au; struct flex *g_flex; struct zero g_zero;\n"
	"struct multi g_multi; struct fptr g_fptr; struct uses g_uses; struct mixed g_mixed;\n"
	"int main(void) { return 0; }\n";

static const char cxx_source[] =
	"struct Base { int b; virtual ~Base() {} };\n"
	"struct Other { char o; };\n"
	"class Derived : public Base, public Other {\n"
	"public: static int counter; int d; struct Inner { long x; } in; void m() {} };\n"
	"int Derived::counter;\n"
	"Derived g_d;\n"
	"int main() { return 0; }\n";

static char scratch[4096];

static void make_scratch(void)
{
	const char *dir = getenv("STRUCTFIT_SCRATCH_DIR");
	if (dir) {
		snprintf(scratch, sizeof(scratch), "%s", dir);
		return;
	}
	snprintf(scratch, sizeof(scratch), "/tmp/structfit-die-XXXXXX");
	cr_assert_not_null(mkdtemp(scratch));
}

static bool have_tool(const char *tool)
{
	char cmd[256];
	snprintf(cmd, sizeof(cmd), "command -v %s >/dev/null 2>&1", tool);
	return system(cmd) == 0;
}

/* Compiles `source` with `cc flags` into scratch/name; skips when the
 * compiler (or its target) is missing. */
static const char *compile(const char *cc, const char *flags, const char *source, const char *ext,
			   const char *name)
{
	static char out[4096 + 64];
	char src[4096 + 64], cmd[16384];
	FILE *f;

	if (!have_tool(cc))
		cr_skip_test("%s not installed", cc);
	make_scratch();
	snprintf(src, sizeof(src), "%s/%s.%s", scratch, name, ext);
	snprintf(out, sizeof(out), "%s/%s", scratch, name);
	f = fopen(src, "w");
	cr_assert_not_null(f);
	fputs(source, f);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "%s %s -w -O0 %s -o %s 2>/dev/null", cc, flags, src, out);
	if (system(cmd) != 0)
		cr_skip_test("%s %s cannot build the fixture here", cc, flags);
	return out;
}

static sf_model *load(const char *path)
{
	sf_model *model = NULL;
	sf_load_options opts = SF_LOAD_OPTIONS_INIT;
	cr_assert_eq(sf_model_new(&model), 0);
	int rc = sf_model_load(model, path, &opts);
	cr_assert_eq(rc, 0, "loading %s: %d %s", path, rc, sf_error_last());
	return model;
}

static const sf_struct *find(const sf_model *model, const char *name)
{
	const sf_struct_list *list = sf__model_structs(model);
	for (size_t i = 0; i < list->count; i++) {
		const sf_struct *s = list->items[i];
		const char *n = s->name ? s->name : s->typedef_name;
		if (n && strcmp(n, name) == 0)
			return s;
	}
	cr_assert_fail("struct %s not found", name);
	return NULL;
}

static const sf_member *member(const sf_struct *s, const char *name)
{
	for (uint32_t i = 0; i < s->member_count; i++)
		if (s->members[i].name && strcmp(s->members[i].name, name) == 0)
			return &s->members[i];
	cr_assert_fail("member %s not found in %s", name, s->name ? s->name : "(anonymous)");
	return NULL;
}

static void expect_bitfield(const sf_struct *s, const char *name, uint64_t offset, uint64_t bit_offset,
			    uint32_t bit_size)
{
	const sf_member *m = member(s, name);
	cr_expect(m->flags & SF_MEMBER_BITFIELD, "%s not a bitfield", name);
	cr_expect_eq(m->offset, offset, "%s offset %llu", name, (unsigned long long)m->offset);
	cr_expect_eq(m->bit_offset, bit_offset, "%s bit_offset %llu", name,
		     (unsigned long long)m->bit_offset);
	cr_expect_eq(m->bit_size, bit_size, "%s bit_size", name);
}

/* Bit positions in memory order; identical for both byte orders by the
 * model's definition, and the offsets are what pahole 1.24 prints. */
static void check_bits(const sf_model *model)
{
	const sf_struct *s = find(model, "bits");
	cr_expect_eq(s->size, 24);
	expect_bitfield(s, "a", 0, 0, 3);
	expect_bitfield(s, "b", 0, 3, 5);
	expect_bitfield(s, "c", 0, 8, 12);
	expect_bitfield(s, "d", 0, 20, 40);
	expect_bitfield(s, "f", 8, 72, 1);
	expect_bitfield(s, "g", 10, 80, 9);
	expect_bitfield(s, "h", 11, 89, 2);
	expect_bitfield(s, "i", 16, 128, 60);
	cr_expect_eq(member(s, "e")->offset, 8);
	cr_expect_eq(member(s, "e")->bit_size, 0);
}

/* What every 64-bit little-endian variant must agree on. */
static void check_common(const sf_model *model, bool has_member_alignment)
{
	const sf_struct *s;
	const sf_member *m;

	check_bits(model);

	s = find(model, "packed_s");
	cr_expect_eq(s->size, 7);
	cr_expect(s->packed);
	cr_expect_eq(s->align, 1);
	cr_expect_eq(member(s, "i")->offset, 1);
	cr_expect_eq(member(s, "i")->align, 1);

	s = find(model, "align_member");
	cr_expect_eq(s->size, 32);
	cr_expect_eq(s->align, 16);
	cr_expect_eq(member(s, "x")->offset, 16);
	if (has_member_alignment)
		cr_expect_eq(member(s, "x")->explicit_align, 16);
	cr_expect_eq(member(s, "x")->align, 16);
	cr_expect(!s->packed);

	s = find(model, "aligned32");
	cr_expect_eq(s->size, 32);
	cr_expect_eq(s->align, 32);

	s = find(model, "anon_u");
	cr_expect_eq(s->member_count, 3);
	m = &s->members[1];
	cr_expect_null(m->name);
	cr_expect(m->flags & SF_MEMBER_ANONYMOUS);
	cr_expect_str_eq(m->type_name, "union {...}");
	cr_assert_not_null(m->nested);
	cr_expect(m->nested->is_nested_body);
	cr_expect_eq(m->nested->kind, SF_UNION);
	cr_expect_eq(m->nested->member_count, 3);
	cr_expect(m->nested->members[2].flags & SF_MEMBER_ANONYMOUS);
	cr_expect_eq(m->nested->members[2].nested->members[1].offset, 2);
	cr_expect_eq(member(s, "tail")->offset, 8);

	s = find(model, "flex");
	m = member(s, "data");
	cr_expect_str_eq(m->type_name, "char[]");
	cr_expect_eq(m->size, 0);
	cr_expect(m->flags & SF_MEMBER_FLEXIBLE);
	cr_expect_eq(s->size, 4);

	s = find(model, "zero");
	m = member(s, "data");
	cr_expect_str_eq(m->type_name, "char[0]");
	cr_expect_eq(m->size, 0);
	cr_expect(m->flags & SF_MEMBER_ZERO_LENGTH);

	s = find(model, "multi");
	cr_expect_str_eq(member(s, "m")->type_name, "int[3][4]");
	cr_expect_eq(member(s, "m")->size, 48);
	cr_expect_str_eq(member(s, "name")->type_name, "char[16]");
	cr_expect_eq(member(s, "name")->offset, 48);

	s = find(model, "fptr");
	cr_expect_str_eq(member(s, "get")->type_name, "int (*)(void)");
	cr_expect_str_eq(member(s, "set")->type_name, "void (*)(int, char *)");
	cr_expect_str_eq(member(s, "arr")->type_name, "int (*)[4]");
	cr_expect_str_eq(member(s, "ptrs")->type_name, "struct multi *[8]");
	cr_expect_eq(member(s, "ptrs")->size, 64);
	cr_expect_null(member(s, "ptrs")->element);
	cr_expect_str_eq(member(s, "cc")->type_name, "const char *const");
	cr_expect_str_eq(member(s, "fam")->type_name, "sa_family_t");
	cr_expect_eq(member(s, "fam")->size, 2);
	cr_expect_eq(member(s, "fam")->type_align, 2);

	s = find(model, "point_t");
	cr_expect_null(s->name);
	cr_expect_str_eq(s->typedef_name, "point_t");
	cr_expect(!s->is_nested_body);
	s = find(model, "uses");
	cr_expect_eq(member(s, "p")->nested, find(model, "point_t"));
	cr_expect_str_eq(member(s, "pts")->type_name, "point_t[2]");
	cr_expect_eq(member(s, "pts")->element, find(model, "point_t"));
	cr_expect_eq(member(s, "m")->nested, find(model, "multi"));
	cr_expect_str_eq(member(s, "m")->type_name, "struct multi");

	s = find(model, "mixed");
	cr_expect_eq(s->size, 24);
	cr_expect_eq(s->align, 8);
	cr_expect_eq(member(s, "b")->type_align, 8);
	cr_expect(s->decl_file && strstr(s->decl_file, "fx"), "decl_file %s", s->decl_file);
	cr_expect_gt(s->decl_line, 0);
}

static void check_variant(const char *cc, const char *flags, const char *name, bool has_member_alignment)
{
	char all[512];
	snprintf(all, sizeof(all), "%s%s", flags,
		 strcmp(cc, "gcc") == 0 ? " -fno-eliminate-unused-debug-types" : "");
	sf_model *model = load(compile(cc, all, fixture_source, "c", name));
	check_common(model, has_member_alignment);
	sf_model_free(model);
}

Test(die_model, gcc_dwarf5)
{
	check_variant("gcc", "-gdwarf-5", "fx-gcc5", true);
}

Test(die_model, gcc_dwarf4)
{
	check_variant("gcc", "-gdwarf-4", "fx-gcc4", true);
}

Test(die_model, gcc_dwarf2_location_expressions_and_bit_offset)
{
	check_variant("gcc", "-gdwarf-2", "fx-gcc2", false);
}

Test(die_model, gcc_dwarf3)
{
	check_variant("gcc", "-gdwarf-3", "fx-gcc3", false);
}

Test(die_model, clang_dwarf4_bit_offset_encoding)
{
	check_variant("clang", "-gdwarf-4", "fx-clang4", false);
}

Test(die_model, clang_dwarf5)
{
	check_variant("clang", "-gdwarf-5", "fx-clang5", false);
}

Test(die_model, gcc_dwarf4_type_units)
{
	check_variant("gcc", "-gdwarf-4 -fdebug-types-section", "fx-gcc4-tu", true);
}

Test(die_model, gcc_dwarf5_type_units)
{
	check_variant("gcc", "-gdwarf-5 -fdebug-types-section", "fx-gcc5-tu", true);
}

Test(die_model, gcc_type_names)
{
	sf_model *model = load(compile("gcc", "-gdwarf-5 -fno-eliminate-unused-debug-types",
				       fixture_source, "c", "fx-names"));
	const sf_struct *s = find(model, "bits");
	cr_expect_str_eq(member(s, "d")->type_name, "long long unsigned int");
	cr_expect_str_eq(member(s, "a")->type_name, "unsigned int");
	cr_expect_str_eq(find(model, "uses")->members[0].type_name, "point_t");
	sf_model_free(model);
}

Test(die_model, i386_double_and_long_long_align_to_4)
{
	sf_model *model = load(compile("clang", "--target=i386-linux-gnu -gdwarf-5 -c",
				       fixture_source, "c", "fx-i386.o"));
	const sf_struct *s = find(model, "mixed");
	cr_expect_eq(s->size, 20);
	cr_expect_eq(s->align, 4);
	cr_expect(!s->packed);
	cr_expect_eq(member(s, "b")->offset, 4);
	cr_expect_eq(member(s, "b")->type_align, 4);
	cr_expect_eq(member(s, "c")->offset, 12);
	sf_model_free(model);
}

/* On i386 a long long bitfield may sit in any 4-aligned 8-byte window, so
 * clang writes a negative DW_AT_bit_offset (as data8) for `across`. */
Test(die_model, i386_negative_bit_offset)
{
	sf_model *model = load(compile("clang", "--target=i386-linux-gnu -gdwarf-4 -c",
				       fixture_source, "c", "fx-i386-neg.o"));
	const sf_struct *s = find(model, "straddle");
	expect_bitfield(s, "wide", 0, 13, 40);
	expect_bitfield(s, "across", 0, 53, 30);
	cr_expect_eq(s->size, 12);
	cr_expect(!s->packed);
	sf_model_free(model);
}

Test(die_model, i386_pointers_are_4_bytes)
{
	sf_model *model = load(compile("clang", "--target=i386-linux-gnu -gdwarf-4 -c",
				       fixture_source, "c", "fx-i386-4.o"));
	const sf_struct *s = find(model, "fptr");
	cr_expect_eq(member(s, "get")->size, 4);
	cr_expect_eq(member(s, "ptrs")->size, 32);
	cr_expect_eq(sf_model_file(model, 0)->address_size, 4);
	cr_expect_str_eq(sf_model_file(model, 0)->arch, "i386");
	sf_model_free(model);
}

static void check_s390x(const char *flags, const char *name)
{
	sf_model *model = load(compile("clang", flags, fixture_source, "c", name));
	check_bits(model);
	cr_expect_eq(sf_model_file(model, 0)->big_endian, 1);
	cr_expect_str_eq(sf_model_file(model, 0)->arch, "s390x");
	sf_model_free(model);
}

Test(die_model, s390x_big_endian_bit_offset_encoding)
{
	check_s390x("--target=s390x-linux-gnu -gdwarf-4 -c", "fx-s390x-4.o");
}

Test(die_model, s390x_big_endian_data_bit_offset)
{
	check_s390x("--target=s390x-linux-gnu -gdwarf-5 -c", "fx-s390x-5.o");
}

Test(die_model, cxx_base_classes_and_static_members)
{
	sf_model *model = load(compile("g++", "-g", cxx_source, "cc", "cxx-gcc"));
	const sf_struct *s = find(model, "Derived");
	cr_expect_eq(s->kind, SF_CLASS);
	cr_assert_eq(s->member_count, 4, "static member or functions leaked in");
	cr_expect(s->members[0].flags & SF_MEMBER_BASE_CLASS);
	cr_expect_null(s->members[0].name);
	cr_expect_str_eq(s->members[0].type_name, "struct Base");
	cr_expect_eq(s->members[0].nested, find(model, "Base"));
	cr_expect(s->members[1].flags & SF_MEMBER_BASE_CLASS);
	cr_expect_eq(s->members[1].offset, 12);
	/* Nested classes go by their qualified name. */
	cr_expect_eq(member(s, "in")->nested, find(model, "Derived::Inner"));
	cr_expect_str_eq(member(s, "in")->type_name, "struct Derived::Inner");
	sf_model_free(model);
}

/* Local types are skipped by default, as pahole does, and collected on request. */
Test(die_model, local_types_in_functions_are_collected)
{
	static const char source[] = "int f(void) { struct local { int z; } l = { 1 }; return l.z; }\n"
				     "struct global { int g; } g_global;\n"
				     "int main(void) { return f(); }\n";
	const char *path = compile("gcc", "-g", source, "c", "local");
	sf_load_options opts = SF_LOAD_OPTIONS_INIT;
	sf_model *model = load(path);
	for (size_t i = 0; i < model->structs.count; i++)
		cr_expect(!model->structs.items[i]->name || strcmp(model->structs.items[i]->name, "local") != 0,
			  "local types are off by default");
	sf_model_free(model);
	cr_assert_eq(sf_model_new(&model), 0);
	opts.local_types = 1;
	cr_assert_eq(sf_model_load(model, path, &opts), 0, "%s", sf_error_last());
	cr_expect_eq(find(model, "local")->size, 4);
	sf_model_free(model);
}

Test(die_model, loading_is_deterministic_and_deduplicated)
{
	const char *path = compile("gcc", "-gdwarf-5 -fno-eliminate-unused-debug-types",
				   fixture_source, "c", "fx-det");
	sf_model *a = load(path);
	sf_model *b = load(path);
	cr_expect_eq(sf_model_load(b, path, NULL), 0);
	const sf_struct_list *la = sf__model_structs(a), *lb = sf__model_structs(b);
	cr_assert_eq(la->count, lb->count, "second load of the same file added structs");
	for (size_t i = 0; i < la->count; i++) {
		const char *x = la->items[i]->name ? la->items[i]->name : "";
		const char *y = lb->items[i]->name ? lb->items[i]->name : "";
		cr_expect_str_eq(x, y);
	}
	sf_model_free(a);
	sf_model_free(b);
}
