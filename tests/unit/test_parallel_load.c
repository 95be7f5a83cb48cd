/* Parallel loading: the model and the report are the same for every -j. */
#include <criterion/criterion.h>

#include <structfit/structfit.h>

#include <fcntl.h>
#include <gelf.h>
#include <stdbool.h>
#include <stdint.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "elf/elf_inflate.h"
#include "elf/input.h"
#include "model/structs.h"

/* More units than one loader batch holds (64), so several workers and the
 * ordered merge really take part. */
#define UNIT_COUNT 150

static char scratch[4096];
static char combined[4200];   /* all units in one relocatable object */
static char archive[4200];    /* the same objects as a static archive */

static int run(const char *cmd)
{
	int status = system(cmd);
	return status == -1 ? -1 : WEXITSTATUS(status);
}

/* Unit i shares `common`, has its own `only_i`, and one of three layouts
 * of `conflict`, so dedup, first-seen order and conflict chains all
 * depend on the order units are merged in. */
static void write_unit(const char *dir, int i)
{
	char path[4400];
	FILE *f;

	snprintf(path, sizeof(path), "%s/u%03d.c", dir, i);
	f = fopen(path, "w");
	cr_assert_not_null(f);
	fprintf(f, "struct common { int a; long b; char c; };\n"
		   "struct conflict { char x[%d]; int y; };\n"
		   "typedef struct { short s%d; double d; } anon%d_t;\n"
		   "struct only_%d { struct common c; struct conflict k; anon%d_t a; union { int i; float f; } u; };\n"
		   "struct only_%d g_only_%d;\n"
		   "int f_%d(void) { struct local_%d { char q; long r; } l = { 1, 2 }; return l.q + g_only_%d.c.a; }\n",
		i % 3 + 1, i % 2, i, i, i, i, i, i, i, i);
	fclose(f);
}

static void build_inputs(void)
{
	const char *dir = getenv("STRUCTFIT_SCRATCH_DIR");
	char cmd[8192];

	if (dir)
		snprintf(scratch, sizeof(scratch), "%s/parallel", dir);
	else
		snprintf(scratch, sizeof(scratch), "/tmp/structfit-parallel-%ld", (long)getpid());
	snprintf(combined, sizeof(combined), "%s/all.o", scratch);
	snprintf(archive, sizeof(archive), "%s/libunits.a", scratch);
	if (access(combined, R_OK) == 0 && access(archive, R_OK) == 0)
		return;
	snprintf(cmd, sizeof(cmd), "mkdir -p '%s'", scratch);
	cr_assert_eq(run(cmd), 0);
	for (int i = 0; i < UNIT_COUNT; i++)
		write_unit(scratch, i);
	snprintf(cmd, sizeof(cmd),
		 "cd '%s' && cc -g -O0 -c u*.c && ld -r -o all.o u*.o && rm -f libunits.a && ar rcs libunits.a u*.o",
		 scratch);
	cr_assert_eq(run(cmd), 0, "compiling the multi-unit fixture failed");
}

static char *report_json_opts(const char *path, unsigned jobs, int local_types, int no_reuse)
{
	sf_load_options opts = SF_LOAD_OPTIONS_INIT;
	sf_report_options ropts = SF_REPORT_OPTIONS_INIT;
	sf_emit_options eopts = SF_EMIT_OPTIONS_INIT;
	sf_buf buf = SF_BUF_INIT;
	sf_model *model = NULL;
	sf_report *report = NULL;

	opts.jobs = jobs;
	opts.local_types = local_types;
	opts.no_reuse = no_reuse;
	cr_assert_eq(sf_model_new(&model), 0);
	cr_assert_eq(sf_model_load(model, path, &opts), 0, "%s", sf_error_last());
	cr_assert_eq(sf_report_build(&report, model, &ropts), 0);
	cr_assert_eq(sf_emit_json(&buf, report, &eopts), 0);
	sf_report_free(report);
	sf_model_free(model);
	return buf.data;
}

static char *report_json(const char *path, unsigned jobs, int local_types)
{
	return report_json_opts(path, jobs, local_types, 0);
}

/* Walks both models' canonical lists: same definitions, same order, same
 * conflict chains. */
static void assert_same_model(const char *path, unsigned jobs)
{
	sf_load_options one = SF_LOAD_OPTIONS_INIT, many = SF_LOAD_OPTIONS_INIT;
	sf_model *a = NULL, *b = NULL;

	one.jobs = 1;
	many.jobs = jobs;
	cr_assert_eq(sf_model_new(&a), 0);
	cr_assert_eq(sf_model_new(&b), 0);
	cr_assert_eq(sf_model_load(a, path, &one), 0, "%s", sf_error_last());
	cr_assert_eq(sf_model_load(b, path, &many), 0, "%s", sf_error_last());
	cr_assert_eq(a->structs.count, b->structs.count);
	cr_assert_gt(a->structs.count, UNIT_COUNT, "every only_N struct should be there");
	for (size_t i = 0; i < a->structs.count; i++) {
		const sf_struct *x = a->structs.items[i], *y = b->structs.items[i];
		const sf_struct *cx = x->conflict, *cy = y->conflict;
		cr_assert(sf__struct_same(x, y), "struct %zu differs with -j%u", i, jobs);
		cr_assert_eq(x->is_conflicting, y->is_conflicting);
		while (cx && cy) {
			cr_assert(sf__struct_same(cx, cy));
			cx = cx->conflict;
			cy = cy->conflict;
		}
		cr_assert(cx == NULL && cy == NULL, "conflict chains differ in length");
	}
	sf_model_free(a);
	sf_model_free(b);
}

Test(parallel_load, same_model_for_every_job_count)
{
	build_inputs();
	assert_same_model(combined, 2);
	assert_same_model(combined, 3);
	assert_same_model(combined, 8);
	assert_same_model(archive, 4);
}

Test(parallel_load, same_json_report_for_every_job_count)
{
	char *base;

	build_inputs();
	base = report_json(combined, 1, 0);
	cr_assert_not_null(base);
	cr_assert_not_null(strstr(base, "\"conflict\""));
	for (unsigned jobs = 2; jobs <= 5; jobs++) {
		char *other = report_json(combined, jobs, 0);
		cr_assert_str_eq(base, other, "-j%u changes the report", jobs);
		free(other);
	}
	free(base);
}

Test(parallel_load, local_types_only_on_request)
{
	char *plain, *local, *local2;

	build_inputs();
	plain = report_json(combined, 2, 0);
	local = report_json(combined, 1, 1);
	local2 = report_json(combined, 2, 1);
	cr_assert_null(strstr(plain, "local_7"), "function-local types are off by default, as in pahole");
	cr_assert_not_null(strstr(local, "\"local_7\""));
	cr_assert_str_eq(local, local2);
	free(plain);
	free(local);
	free(local2);
}

Test(parallel_load, name_filter_stops_at_first_definition)
{
	sf_load_options opts = SF_LOAD_OPTIONS_INIT;
	const char *names[] = { "conflict" };
	sf_model *all = NULL, *first = NULL;
	size_t conflicts_all = 0, conflicts_first = 0;

	build_inputs();
	cr_assert_eq(sf_model_new(&all), 0);
	cr_assert_eq(sf_model_new(&first), 0);
	opts.jobs = 2;
	opts.only_names = names;
	opts.only_name_count = 1;
	cr_assert_eq(sf_model_load(all, combined, &opts), 0, "%s", sf_error_last());
	opts.first_match_only = 1;
	cr_assert_eq(sf_model_load(first, combined, &opts), 0, "%s", sf_error_last());
	for (size_t i = 0; i < all->structs.count; i++)
		conflicts_all += all->structs.items[i]->name &&
				 strcmp(all->structs.items[i]->name, "conflict") == 0;
	for (size_t i = 0; i < first->structs.count; i++)
		conflicts_first += first->structs.items[i]->name &&
				   strcmp(first->structs.items[i]->name, "conflict") == 0;
	cr_assert_eq(conflicts_all, 3, "three layouts of struct conflict exist");
	cr_assert_eq(conflicts_first, 1, "the first definition is enough");
	/* The first one found is the first unit's. */
	for (size_t i = 0; i < first->structs.count; i++)
		if (first->structs.items[i]->name && strcmp(first->structs.items[i]->name, "conflict") == 0)
			cr_assert_eq(first->structs.items[i]->size, 8);
	sf_model_free(all);
	sf_model_free(first);
}

/* The command line: byte-identical text for -j1 and -j2 on a multi-unit input. */
Test(parallel_load, cli_report_identical_for_j1_and_j2)
{
	const char *bin = getenv("STRUCTFIT_BIN");
	char cmd[16384];

	if (!bin)
		cr_skip_test("STRUCTFIT_BIN not set");
	build_inputs();
	snprintf(cmd, sizeof(cmd),
		 "cd '%s' && '%s' report -j1 all.o > j1.txt && '%s' report -j2 all.o > j2.txt && "
		 "'%s' report -j1 libunits.a > a1.txt && '%s' report -j2 libunits.a > a2.txt && "
		 "cmp -s j1.txt j2.txt && cmp -s a1.txt a2.txt && test -s j1.txt && test -s a1.txt",
		 scratch, bin, bin, bin, bin);
	cr_assert_eq(run(cmd), 0, "report output differs between -j1 and -j2");
}

/* Reusing a definition by its DWARF digest (die_digest.c) must leave the
 * model exactly as building it again would: same JSON for every -j with
 * reuse on and off, for C units with conflicts and for C++ with type units,
 * where unnamed classes, typedef names and type-unit stand-ins abound. */
static char *report_json_reuse(const char *path, unsigned jobs, bool reuse)
{
	return report_json_opts(path, jobs, 0, !reuse);
}

static void assert_reuse_changes_nothing(const char *path)
{
	char *base = report_json_reuse(path, 1, false);

	for (unsigned jobs = 1; jobs <= 3; jobs++) {
		char *with = report_json_reuse(path, jobs, true);
		char *without = report_json_reuse(path, jobs, false);
		cr_assert_str_eq(base, with, "%s: reuse changes the report with -j%u", path, jobs);
		cr_assert_str_eq(base, without, "%s: -j%u changes the report", path, jobs);
		free(with);
		free(without);
	}
	free(base);
}

Test(parallel_load, reusing_definitions_changes_nothing)
{
	char path[4400], cmd[16384];
	FILE *f;

	build_inputs();
	assert_reuse_changes_nothing(combined);
	assert_reuse_changes_nothing(archive);
	snprintf(path, sizeof(path), "%s/cxx.cc", scratch);
	f = fopen(path, "w");
	cr_assert_not_null(f);
	/* The second object has the same types under other global names. */
	fputs("#include <map>\n#include <string>\n#include <vector>\n"
	      "struct Base { virtual ~Base(); int b; };\n"
	      "struct D : Base { std::string s; std::vector<int> v; char c; struct Inner { long x; char y; } in; };\n"
	      "template <class T> struct Box { T t; char tag; };\n"
	      "#ifdef OTHER\nnamespace other {\n#else\nBase::~Base() {}\n#endif\n"
	      "D d; Box<double> bd; Box<D> bD; std::map<int, std::string> m;\n"
	      "#ifdef OTHER\n}\n#endif\n", f);
	fclose(f);
	if (run("command -v c++ >/dev/null 2>&1") != 0)
		cr_skip_test("no C++ compiler");
	snprintf(cmd, sizeof(cmd),
		 "cd '%s' && c++ -g -gdwarf-4 -fdebug-types-section -c cxx.cc -o cxx_tu.o && "
		 "c++ -g -DOTHER -c cxx.cc -o cxx2.o && ld -r -o cxx_all.o cxx_tu.o cxx2.o", scratch);
	cr_assert_eq(run(cmd), 0, "compiling the C++ fixture failed");
	snprintf(path, sizeof(path), "%s/cxx_tu.o", scratch);
	assert_reuse_changes_nothing(path);
	snprintf(path, sizeof(path), "%s/cxx_all.o", scratch);
	assert_reuse_changes_nothing(path);
}

/*
 * gcc puts values that all DIEs of a declaration share in the declaration
 * (DW_FORM_implicit_const): two units of one header whose bit-field
 * widths differ differ only there.  Reuse must still tell them apart
 * (two units: strings by content, the general raw digest).
 */
Test(parallel_load, implicit_constants_tell_definitions_apart)
{
	char cmd[16384], path[4400];
	char *with, *without;

	build_inputs();
	snprintf(cmd, sizeof(cmd),
		 "cd '%s' && mkdir -p implicit && cd implicit && "
		 "printf 'union clash { unsigned first_member:W; unsigned second_member:W; };\\n' > clash.h && "
		 "printf '#define W 3\\n#include \"clash.h\"\\nunion clash x1;\\n' > w3.c && "
		 "printf '#define W 5\\n#include \"clash.h\"\\nunion clash x2;\\nint main(void) { return 0; }\\n' "
		 "> w5.c && cc -g -O0 -c w3.c w5.c && cc -o prog w3.o w5.o",
		 scratch);
	cr_assert_eq(run(cmd), 0, "compiling the implicit-constant fixture failed");
	snprintf(path, sizeof(path), "%s/implicit/prog", scratch);
	with = report_json_reuse(path, 1, true);
	without = report_json_reuse(path, 1, false);
	cr_assert_str_eq(with, without, "reuse merged definitions that differ in an implicit constant");
	cr_assert_not_null(strstr(without, "\"bit_size\": 3"), "%s", without);
	cr_assert_not_null(strstr(without, "\"bit_size\": 5"), "%s", without);
	free(with);
	free(without);
}

/* Whether scratch/dir/built is there from an earlier test, its name in
 * `path` either way; the directory is made when it is not. */
static bool fixture_ready(const char *dir, const char *built, char *path, size_t size)
{
	char cmd[8192];

	build_inputs();
	snprintf(path, size, "%s/%s/%s", scratch, dir, built);
	if (access(path, R_OK) == 0)
		return true;
	snprintf(cmd, sizeof(cmd), "mkdir -p '%s/%s'", scratch, dir);
	cr_assert_eq(run(cmd), 0);
	return false;
}

/* scratch/dir/name, opened for writing. */
static FILE *fixture_source(const char *dir, const char *name)
{
	char path[4400];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s/%s", scratch, dir, name);
	f = fopen(path, "w");
	cr_assert_not_null(f);
	return f;
}

/*
 * A linked program of LINKED_UNITS units, each with one header of many
 * structs, large enough (several loader batches) that strings go into
 * digests by their .debug_str offset and the small digest paths run.
 * Odd and even units differ in two ways gcc writes where those paths
 * look only by the declaration: a bit-field width all members of a union
 * share (DW_FORM_implicit_const in the abbreviation) and a member's
 * name of two characters (DW_FORM_string, in the DIE before its fixed
 * attributes).  Reuse must still tell the two definitions apart.
 */
#define LINKED_UNITS 48
static const char *build_linked(void)
{
	static char path[4400];
	char cmd[16384], file[64];
	FILE *f;

	if (fixture_ready("linked", "prog", path, sizeof(path)))
		return path;
	f = fixture_source("linked", "many.h");
	fputs("union clash { unsigned first_member:W; unsigned second_member:W; };\n"
	      "struct shortname { int N; long tail_field; struct shortname *next; };\n", f);
	for (int k = 0; k < 60; k++)
		fprintf(f, "struct filler_%d { int id; long count_%d; char tag; void *ptr; const char *label; "
			   "struct filler_%d *self; unsigned bits : %d; short xy; };\n", k, k, k, k % 7 + 1);
	fclose(f);
	for (int i = 0; i < LINKED_UNITS; i++) {
		snprintf(file, sizeof(file), "l%02d.c", i);
		f = fixture_source("linked", file);
		fprintf(f, "#define W %d\n#define N %s\n#include \"many.h\"\n", i % 2 ? 5 : 3, i % 2 ? "cd" : "ab");
		fprintf(f, "union clash c%d; struct shortname s%d;\n", i, i);
		for (int k = 0; k < 60; k++)
			fprintf(f, "struct filler_%d f%d_%d;\n", k, i, k);
		if (i)
			fprintf(f, "int unit_%d(void) { return %d; }\n", i, i);
		else
			fputs("int main(void) { return 0; }\n", f);
		fclose(f);
	}
	snprintf(cmd, sizeof(cmd), "cd '%s/linked' && cc -g -O0 -c l*.c && cc -o prog l*.o", scratch);
	cr_assert_eq(run(cmd), 0, "compiling the linked fixture failed");
	return path;
}

Test(parallel_load, linked_definitions_that_differ_only_where_the_digest_looks_fast)
{
	const char *path = build_linked();
	char *base = report_json_reuse(path, 1, false);

	cr_assert_not_null(strstr(base, "\"bit_size\": 3"), "%s", base);
	cr_assert_not_null(strstr(base, "\"bit_size\": 5"), "%s", base);
	cr_assert_not_null(strstr(base, "\"name\": \"ab\""), "%s", base);
	cr_assert_not_null(strstr(base, "\"name\": \"cd\""), "%s", base);
	free(base);
	assert_reuse_changes_nothing(path);
}

/*
 * A linked program whose .debug_info is compressed and large enough (some
 * 600 KiB inflated, several batches, one unit of half of it near the end)
 * that a load with several threads walks its first units while the rest
 * is being inflated (elf_stream.c, die_feed.c); C++ units with DWARF 5 type units in .debug_info make
 * signature lookups wait for the whole listing.  Its report must be the
 * one of -j1, which inflates first, and of the same file uncompressed.
 */
static void write_bulky_unit(const char *dir, int i)
{
	char path[4600];
	FILE *f;

	snprintf(path, sizeof(path), "%s/z%03d.c", dir, i);
	f = fopen(path, "w");
	cr_assert_not_null(f);
	fprintf(f, "struct common { int a; long b; char c; };\n"
		   "struct conflict { char x[%d]; int y; };\n", i % 3 + 1);
	for (int k = 0; k < 16; k++)
		fprintf(f, "struct bulk_%d_%d { char a%d; double b; short c; struct common m; struct conflict n; "
			   "int (*fn)(int, char); unsigned bits : %d; long tail[%d]; };\n"
			   "struct bulk_%d_%d g_bulk_%d_%d;\n",
			i, k, k, k % 7 + 1, k + 1, i, k, i, k);
	/* First defined in the batches just below the big unit, which
	 * defines it too: the worker that takes the big one out of turn
	 * may walk these afterwards (die_batch.c, jump_target). */
	if (i >= 100)
		fprintf(f, "struct late_shared { int v[3]; long w; };\nstruct late_shared g_late_%d;\n", i);
	fclose(f);
}

static char zdir[4200];

static void build_compressed(void)
{
	const char *dir = zdir;
	char cmd[16384], path[4600];
	FILE *f;

	build_inputs();
	snprintf(zdir, sizeof(zdir), "%s/zlib", scratch);
	/* Built once per scratch directory; the last file made says it is
	 * complete, and its name changes with the fixture, so that a build
	 * tree's scratch directory made from an older one is not taken. */
	snprintf(path, sizeof(path), "%s/plain-late", dir);
	if (access(path, R_OK) == 0)
		return;
	snprintf(cmd, sizeof(cmd), "mkdir -p '%s'", dir);
	cr_assert_eq(run(cmd), 0);
	for (int i = 0; i < 120; i++)
		write_bulky_unit(dir, i);
	/* One unit near the end four times the batch size and more: a
	 * worker may take it out of turn (die_batch.c, jump_target). */
	snprintf(path, sizeof(path), "%s/zbig.c", dir);
	f = fopen(path, "w");
	cr_assert_not_null(f);
	for (int i = 0; i < 4500; i++)
		fprintf(f, "struct big_%d { int a; char b[%d]; long c; } g_big_%d;\n", i, i % 13 + 1, i);
	fputs("struct late_shared { int v[3]; long w; };\nstruct late_shared g_late_big;\n", f);
	fclose(f);
	snprintf(path, sizeof(path), "%s/main.c", dir);
	f = fopen(path, "w");
	cr_assert_not_null(f);
	fputs("int main(void) { return 0; }\n", f);
	fclose(f);
	snprintf(path, sizeof(path), "%s/cxx.cc", dir);
	f = fopen(path, "w");
	cr_assert_not_null(f);
	fputs("#include <string>\n#include <vector>\n"
	      "struct Base { virtual ~Base(); int b; };\n"
	      "struct D : Base { std::string s; std::vector<int> v; char c; };\n"
	      "Base::~Base() {}\nD d;\n", f);
	fclose(f);
	snprintf(cmd, sizeof(cmd),
		 "cd '%s' && cc -g -O0 -c z*.c main.c && "
		 "if command -v c++ >/dev/null 2>&1; then "
		 "c++ -g -gdwarf-5 -fdebug-types-section -c cxx.cc -o cxx.o && c++ -o prog z*.o main.o cxx.o; "
		 "else cc -o prog z*.o main.o; fi && "
		 "objcopy --compress-debug-sections=zlib prog gz && "
		 "objcopy --decompress-debug-sections prog plain && "
		 "readelf -S -W gz | grep -q ' \\.debug_info .* C ' && touch plain-late",
		 dir);
	cr_assert_eq(run(cmd), 0, "building the compressed fixture failed");
}

Test(parallel_load, compressed_debug_info_same_report_for_every_job_count)
{
	char input[4500], cmd[16384];
	char *base, *plain;
	const char *late;

	build_compressed();
	/* One path for both files: the report names its input. */
	snprintf(input, sizeof(input), "%s/input", zdir);
	snprintf(cmd, sizeof(cmd), "cp '%s/plain' '%s'", zdir, input);
	cr_assert_eq(run(cmd), 0);
	plain = report_json(input, 2, 0);
	snprintf(cmd, sizeof(cmd), "cp '%s/gz' '%s'", zdir, input);
	cr_assert_eq(run(cmd), 0);
	base = report_json(input, 1, 0);
	cr_assert_not_null(strstr(base, "\"bulk_119_15\""));
	cr_assert_not_null(strstr(base, "\"big_4499\""));
	/* The first definition in unit order, whichever worker met it first. */
	late = strstr(base, "\"late_shared\"");
	cr_assert_not_null(late);
	cr_assert_not_null(strstr(late, "z100.c\""), "late_shared is not z100.c's");
	cr_assert(strstr(late, "z100.c\"") < strstr(late, "\"decl_line\""), "late_shared is not z100.c's");
	cr_assert_str_eq(base, plain, "the compressed file reports otherwise than the plain one");
	/* igzip where the build has it, then zlib (elf_inflate.c). */
	for (int zlib = 0; zlib <= 1; zlib++) {
		sf__inflater_force_zlib(zlib);
		for (unsigned jobs = 1; jobs <= 4; jobs++) {
			char *other = report_json(input, jobs, 0);
			cr_assert_str_eq(base, other, "-j%u changes the report of a compressed file (zlib: %d)",
					 jobs, zlib);
			free(other);
		}
	}
	sf__inflater_force_zlib(false);
	free(base);
	free(plain);
}

/* File offset and size of `name`'s bytes as stored (compressed or not). */
static void section_range(const char *path, const char *name, uint64_t *offset, uint64_t *size)
{
	int fd = open(path, O_RDONLY);
	Elf *elf;
	Elf_Scn *scn = NULL;
	size_t shstrndx;
	bool found = false;

	cr_assert(fd >= 0);
	elf_version(EV_CURRENT);
	elf = elf_begin(fd, ELF_C_READ, NULL);
	cr_assert_not_null(elf);
	cr_assert_eq(elf_getshdrstrndx(elf, &shstrndx), 0);
	while (!found && (scn = elf_nextscn(elf, scn))) {
		GElf_Shdr shdr;
		cr_assert_not_null(gelf_getshdr(scn, &shdr));
		if (strcmp(elf_strptr(elf, shstrndx, shdr.sh_name), name) == 0) {
			*offset = shdr.sh_offset;
			*size = shdr.sh_size;
			found = true;
		}
	}
	elf_end(elf);
	close(fd);
	cr_assert(found, "%s has no %s", path, name);
}

static void patch_bytes(const char *path, uint64_t offset, const void *bytes, size_t count)
{
	int fd = open(path, O_WRONLY);

	cr_assert(fd >= 0);
	cr_assert_eq(pwrite(fd, bytes, count, (off_t)offset), (ssize_t)count);
	close(fd);
}

/* The load's code and message at `jobs`; the message is the caller's. */
static int load_error(const char *path, unsigned jobs, char **message)
{
	sf_load_options opts = SF_LOAD_OPTIONS_INIT;
	sf_model *model = NULL;
	int res;

	opts.jobs = jobs;
	cr_assert_eq(sf_model_new(&model), 0);
	res = sf_model_load(model, path, &opts);
	*message = strdup(sf_error_last());
	sf_model_free(model);
	return res;
}

/* With `same_message` the whole message, else its part `expected`: -j1
 * inflates with libelf, which says why in its own words. */
/* With igzip, where the build has it, and with zlib, which sums on a
 * thread of its own when streaming (elf_inflate.c, elf_stream.c). */
static void assert_fails_alike(const char *path, const char *expected, bool same_message)
{
	for (int zlib = 0; zlib <= 1; zlib++) {
		char *one, *two;
		int res_one, res_two;

		sf__inflater_force_zlib(zlib);
		res_one = load_error(path, 1, &one);
		res_two = load_error(path, 2, &two);
		cr_assert_eq(res_one, SF_EINVALID, "%s", one);
		cr_assert_eq(res_two, SF_EINVALID, "%s", two);
		cr_assert_not_null(strstr(one, expected), "%s", one);
		cr_assert_not_null(strstr(two, expected), "%s", two);
		if (same_message)
			cr_assert_str_eq(one, two, "-j2 fails otherwise than -j1");
		free(one);
		free(two);
	}
	sf__inflater_force_zlib(false);
}

/*
 * A streamed load fails as a load that inflates first: a stream that
 * breaks half-way (the units before it are walked meanwhile) is a corrupt
 * compressed section, and a corrupt header of the last unit fails the
 * load after every other unit was walked.
 */
Test(parallel_load, compressed_debug_info_fails_as_before)
{
	char path[4600], info[4600], cmd[16384];
	unsigned char smash[512], *bytes;
	uint64_t offset, size, at = 0, last = 0;
	uint16_t bad_version = 9;
	long length;
	FILE *f;

	build_compressed();
	snprintf(path, sizeof(path), "%s/broken_stream", zdir);
	snprintf(cmd, sizeof(cmd), "cp '%s/gz' '%s'", zdir, path);
	cr_assert_eq(run(cmd), 0);
	section_range(path, ".debug_info", &offset, &size);
	memset(smash, 0x5a, sizeof(smash));
	patch_bytes(path, offset + size / 2, smash, sizeof(smash));
	assert_fails_alike(path, "corrupt compressed section .debug_info: ", false);

	snprintf(info, sizeof(info), "%s/info.bin", zdir);
	snprintf(cmd, sizeof(cmd), "objcopy --dump-section .debug_info='%s' '%s/plain'", info, zdir);
	cr_assert_eq(run(cmd), 0);
	f = fopen(info, "rb");
	cr_assert_not_null(f);
	fseek(f, 0, SEEK_END);
	length = ftell(f);
	rewind(f);
	bytes = malloc((size_t)length);
	cr_assert_eq(fread(bytes, 1, (size_t)length, f), (size_t)length);
	fclose(f);
	while (at + 4 <= (uint64_t)length) {
		uint32_t unit_length;
		memcpy(&unit_length, bytes + at, 4);
		last = at;
		at += 4 + (uint64_t)unit_length;
	}
	free(bytes);
	patch_bytes(info, last + 4, &bad_version, sizeof(bad_version));
	snprintf(path, sizeof(path), "%s/broken_header", zdir);
	snprintf(cmd, sizeof(cmd),
		 "cd '%s' && objcopy --update-section .debug_info=info.bin plain broken_header.plain && "
		 "objcopy --compress-debug-sections=zlib broken_header.plain broken_header", zdir);
	cr_assert_eq(run(cmd), 0);
	assert_fails_alike(path, "unsupported DWARF version in unit header", true);
}

/*
 * The stream's checksum is summed by igzip as it inflates, or with zlib
 * beside it (elf_stream.c, the checker): a section whose bytes all
 * inflate but whose stored Adler-32 is wrong still fails as with -j1,
 * once every unit was walked.
 */
Test(parallel_load, compressed_debug_info_checksum_is_checked)
{
	char path[4600], cmd[16384];
	uint64_t offset, size;
	unsigned char last;
	int fd;

	build_compressed();
	snprintf(path, sizeof(path), "%s/broken_sum", zdir);
	snprintf(cmd, sizeof(cmd), "cp '%s/gz' '%s'", zdir, path);
	cr_assert_eq(run(cmd), 0);
	/* The section ends with the zlib stream, which ends with its sum. */
	section_range(path, ".debug_info", &offset, &size);
	fd = open(path, O_RDONLY);
	cr_assert(fd >= 0);
	cr_assert_eq(pread(fd, &last, 1, (off_t)(offset + size - 1)), 1);
	close(fd);
	last ^= 0x01;
	patch_bytes(path, offset + size - 1, &last, 1);
	assert_fails_alike(path, "corrupt compressed section .debug_info: ", false);
}

static int count_image(void *ctx, const sf_debug_image *image)
{
	int *images = ctx;

	(*images)++;
	/* Left unread: closing the file must stop the inflating thread
	 * before the section it writes into is freed.  With this small
	 * section the thread has often finished by then; on python3.11's
	 * debug file ASan catches a close in the wrong order every time. */
	cr_assert_not_null(image->sections.info.arriving, "the fixture is big enough to stream");
	return 0;
}

Test(parallel_load, unread_compressed_debug_info_is_stopped)
{
	sf_load_options opts = SF_LOAD_OPTIONS_INIT;
	char path[4600];
	int images = 0;

	build_compressed();
	snprintf(path, sizeof(path), "%s/gz", zdir);
	opts.jobs = 2;
	cr_assert_eq(sf__input_each_image(path, &opts, NULL, count_image, &images), 0, "%s", sf_error_last());
	cr_assert_eq(images, 1);
}

/*
 * One unit that repeats layouts on other lines, as python3.11's
 * deepfreeze.c does: unnamed structs of a few layouts, some holding an
 * unnamed struct member, and a local struct `rec` defined alike in ten
 * functions and otherwise in one.  Reuse finds the repeats within the
 * unit (die_fresh.c), and digests leave decl_line out: the model must
 * still be the one built without reuse, every definition with the file
 * and line of its first appearance.
 */
static const char *build_repeats(void)
{
	static char path[4400];
	char cmd[16384];
	FILE *f;

	if (fixture_ready("repeats", "frozen.o", path, sizeof(path)))
		return path;
	f = fixture_source("repeats", "frozen.c");
	fputs("struct head { long refcnt; void *type; };\n", f);
	for (int i = 0; i < 300; i++)
		fprintf(f, "struct { struct head ob; long hash; char data[%d]; } obj_%d;\n", i % 7 + 1, i);
	for (int i = 0; i < 60; i++)
		fprintf(f, "struct { struct { int a; char b; } inner; long v[%d]; } nest_%d;\n", i % 3 + 1, i);
	for (int i = 0; i < 5; i++)
		fprintf(f, "typedef struct { int x; char y; } tdef_%d;\ntdef_%d tvar_%d;\n", i, i, i);
	for (int i = 0; i < 10; i++)
		fprintf(f, "long f_%d(void)\n{\n\tstruct rec { int a; long b; } r = { %d, 2 };\n"
			   "\treturn r.a + r.b;\n}\n", i, i);
	fputs("long g(void)\n{\n\tstruct rec { char a; } r = { 1 };\n\treturn r.a;\n}\n", f);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "cd '%s/repeats' && cc -g -O0 -c frozen.c", scratch);
	cr_assert_eq(run(cmd), 0, "compiling the repeats fixture failed");
	return path;
}

static sf_model *load_model(const char *path, unsigned jobs, bool reuse)
{
	sf_load_options opts = SF_LOAD_OPTIONS_INIT;
	sf_model *model = NULL;

	opts.jobs = jobs;
	opts.local_types = 1;
	opts.no_reuse = !reuse;
	cr_assert_eq(sf_model_new(&model), 0);
	cr_assert_eq(sf_model_load(model, path, &opts), 0, "%s", sf_error_last());
	return model;
}

static bool same_text(const char *a, const char *b)
{
	return a && b ? strcmp(a, b) == 0 : a == b;
}

Test(parallel_load, repeats_within_a_unit_keep_their_first_definition)
{
	const char *path = build_repeats();
	sf_model *without = load_model(path, 1, false);
	size_t unnamed = 0, recs = 0;

	for (unsigned jobs = 1; jobs <= 2; jobs++) {
		sf_model *with = load_model(path, jobs, true);
		cr_assert_eq(with->structs.count, without->structs.count, "-j%u", jobs);
		for (size_t i = 0; i < with->structs.count; i++) {
			const sf_struct *x = without->structs.items[i], *y = with->structs.items[i];
			cr_assert(sf__struct_same(x, y), "definition %zu differs with reuse, -j%u", i, jobs);
			cr_assert(same_text(x->decl_file, y->decl_file) && x->decl_line == y->decl_line,
				  "definition %zu: line %u with reuse, %u without", i, y->decl_line, x->decl_line);
			cr_assert_eq(x->is_conflicting, y->is_conflicting);
			for (uint32_t k = 0; k < x->member_count; k++)
				cr_assert_eq(x->members[k].decl_line, y->members[k].decl_line);
		}
		sf_model_free(with);
	}
	for (size_t i = 0; i < without->structs.count; i++) {
		const sf_struct *s = without->structs.items[i];
		unnamed += !s->name && !s->typedef_name;
		if (same_text(s->name, "rec")) {
			recs++;
			/* The first function's in DIE order: f_0's, or f_9's
			 * where the compiler writes them last first (gcc).
			 * After struct head, the obj_N, nest_N and typedef
			 * lines, on line 3 of five of each function. */
			const uint32_t f0 = 1 + 300 + 60 + 10 + 3;
			if (s->member_count == 2)
				cr_assert(s->decl_line == f0 || s->decl_line == f0 + 9 * 5, "line %u", s->decl_line);
		}
	}
	/* 7 layouts of obj_N, 3 of nest_N, and the type of `inner`. */
	cr_assert_eq(unnamed, 11, "%zu unnamed layouts", unnamed);
	cr_assert_eq(recs, 2, "struct rec has two layouts");
	sf_model_free(without);
	assert_reuse_changes_nothing(path);
}
