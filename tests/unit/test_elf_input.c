/* Tests of the ELF input layer: objects for several targets, compressed
 * and relocated DWARF, archives, separate debug files and broken inputs. */
#include <criterion/criterion.h>

#include "dwarf/die_reader.h"
#include "elf/elf_image.h"
#include "elf/input.h"

#include <structfit/error.h>

#include <dwarf.h>
#include <fcntl.h>
#include <gelf.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* No system headers: cross targets have no sysroot here.  The TLS variable
 * puts DTPOFF-style relocations into .debug_info. */
static const char fixture_source[] =
	"struct point { int x; long y; char name[12]; };\n"
	"struct point global_point;\n"
	"static __thread int tls_counter;\n"
	"int get(void) { return global_point.x + tls_counter++; }\n";

static const char second_source[] =
	"struct pair { short a; double b; };\n"
	"struct pair global_pair;\n";

#define MAX_SEEN 8

typedef struct seen {
	int images;
	char display[MAX_SEEN][512];
	char cu_name[MAX_SEEN][512];
	char comp_dir[MAX_SEEN][512];
	char debug_path[512];
	uint16_t machine;
	unsigned address_size;
	bool big_endian;
	bool has_debug_types;
	bool has_alt;
	int errors;
	int last_error_code;
	char last_error[512];
} seen;

static char work_dir[512];

static void make_work_dir(void)
{
	const char *scratch = getenv("STRUCTFIT_SCRATCH_DIR");
	char template[512];

	snprintf(template, sizeof(template), "%s/elf_input_XXXXXX",
		 scratch && *scratch ? scratch : "/tmp");
	cr_assert(mkdtemp(template) != NULL, "mkdtemp %s", template);
	snprintf(work_dir, sizeof(work_dir), "%s", template);
}

static void remove_work_dir(void)
{
	char command[1024];

	if (work_dir[0] == '\0')
		return;
	snprintf(command, sizeof(command), "rm -rf '%s'", work_dir);
	(void)!system(command);
}

TestSuite(elf_input, .init = make_work_dir, .fini = remove_work_dir);

static const char *in_dir(char *buf, size_t size, const char *name)
{
	snprintf(buf, size, "%s/%s", work_dir, name);
	return buf;
}

static void write_file(const char *name, const void *bytes, size_t size)
{
	char path[1024];
	FILE *f = fopen(in_dir(path, sizeof(path), name), "wb");

	cr_assert(f != NULL);
	cr_assert(fwrite(bytes, 1, size, f) == size);
	fclose(f);
}

/* Runs a shell command inside the work directory; returns its status. */
#if defined(__GNUC__)
__attribute__((format(printf, 1, 2)))
#endif
static int run(const char *fmt, ...)
{
	char command[2048];
	int n;
	va_list ap;

	n = snprintf(command, sizeof(command), "cd '%s' && (", work_dir);
	va_start(ap, fmt);
	n += vsnprintf(command + n, sizeof(command) - (size_t)n, fmt, ap);
	va_end(ap);
	snprintf(command + n, sizeof(command) - (size_t)n, ") >/dev/null 2>&1");
	return system(command);
}

/* Compiles the fixture; skips the test when the compiler cannot. */
static void compile(const char *flags, const char *source, const char *output)
{
	write_file("fixture.c", source, strlen(source));
	if (run("%s -O0 -w -c fixture.c -o %s", flags, output) != 0)
		cr_skip_test("compiler cannot: %s", flags);
}

/* A string attribute of the first unit's root DIE, or "" when absent. */
static void unit_string(sf_dw_cursor *cursor, const sf_dw_die *die, uint16_t at, char *out,
			size_t size)
{
	sf_dw_value value;
	const char *text = NULL;

	out[0] = '\0';
	if (sf__dw_attr(cursor, die, at, &value) > 0 && sf__dw_string(cursor, die, &value, &text) > 0)
		snprintf(out, size, "%s", text);
}

/* Reads the first unit's name and directory through the DIE reader; opening
 * the image lists (and checks) every unit header.  libdwarf reads the same
 * kinds of objects on its own in oracle_libdwarf. */
static int record(void *ctx, const sf_debug_image *image)
{
	seen *s = ctx;
	sf_dw_image dw;
	sf_dw_cursor cursor;
	sf_dw_die die;
	const sf_dw_unit *unit;
	int res, slot = s->images < MAX_SEEN ? s->images : MAX_SEEN - 1;

	snprintf(s->display[slot], sizeof(s->display[slot]), "%s", image->display_name);
	if (image->debug_path)
		snprintf(s->debug_path, sizeof(s->debug_path), "%s", image->debug_path);
	s->machine = image->machine;
	s->address_size = image->address_size;
	s->big_endian = image->big_endian;
	s->has_debug_types = image->has_debug_types;
	s->has_alt = image->alt_sections.info.data != NULL;
	s->images++;

	res = sf__dw_image_open(&dw, image, UINT64_MAX);
	cr_assert_eq(res, 0, "%s: bad unit: %s", image->display_name, sf_error_last());
	cr_assert_gt(dw.spaces[SF_DW_INFO].count, 0, "%s: no CU", image->display_name);
	unit = &dw.spaces[SF_DW_INFO].units[0];
	cr_assert_eq(sf__dw_cursor_init(&cursor, &dw), 0);
	res = sf__dw_die_at(&cursor, unit, unit->die_offset, &die);
	cr_assert_eq(res, 0, "%s: no CU DIE: %s", image->display_name, sf_error_last());
	unit_string(&cursor, &die, DW_AT_name, s->cu_name[slot], sizeof(s->cu_name[slot]));
	cr_assert(s->cu_name[slot][0], "%s: CU without a name", image->display_name);
	unit_string(&cursor, &die, DW_AT_comp_dir, s->comp_dir[slot], sizeof(s->comp_dir[slot]));
	sf__dw_cursor_release(&cursor);
	sf__dw_image_close(&dw);
	return 0;
}

static void on_error(void *ctx, int code, const char *message)
{
	seen *s = ctx;

	s->errors++;
	s->last_error_code = code;
	snprintf(s->last_error, sizeof(s->last_error), "%s", message);
}

static int load(const char *name, seen *s, const char *const *dirs, size_t dir_count)
{
	char path[1024];
	sf_load_options opts = SF_LOAD_OPTIONS_INIT;

	memset(s, 0, sizeof(*s));
	opts.debug_dirs = dirs;
	opts.debug_dir_count = dir_count;
	opts.on_error = on_error;
	opts.on_error_ctx = s;
	return sf__input_each_image(in_dir(path, sizeof(path), name), &opts, NULL, record, s);
}

/* Name and directory are two different strings: if relocations of string
 * offsets were skipped, both would read the same (first) string. */
static void expect_fixture_cu(const seen *s, int index)
{
	const char *leaf = strrchr(work_dir, '/');
	size_t dir_length = strlen(s->comp_dir[index]);

	cr_expect_str_eq(s->cu_name[index], "fixture.c");
	cr_assert(leaf != NULL);
	cr_expect(dir_length >= strlen(leaf) &&
		  strcmp(s->comp_dir[index] + dir_length - strlen(leaf), leaf) == 0,
		  "comp_dir %s is not the work directory", s->comp_dir[index]);
}

typedef struct target_case {
	const char *flags;
	uint16_t machine;
	unsigned address_size;
	bool big_endian;
} target_case;

static void check_target(const target_case *t)
{
	seen s;
	int rc;

	compile(t->flags, fixture_source, "t.o");
	rc = load("t.o", &s, NULL, 0);
	cr_assert_eq(rc, 0, "%s: %s", t->flags, sf_error_last());
	cr_assert_eq(s.images, 1);
	expect_fixture_cu(&s, 0);
	cr_expect_eq(s.machine, t->machine, "%s: machine %u", t->flags, s.machine);
	cr_expect_eq(s.address_size, t->address_size);
	cr_expect_eq(s.big_endian, t->big_endian);
	cr_expect_str_eq(s.debug_path, "");
}

Test(elf_input, gcc_x86_64_object_is_relocated)
{
	check_target(&(target_case){ "gcc -g", EM_X86_64, 8, false });
}

Test(elf_input, gcc_dwarf4_object)
{
	check_target(&(target_case){ "gcc -gdwarf-4", EM_X86_64, 8, false });
}

Test(elf_input, gcc_i386_object_uses_rel)
{
	check_target(&(target_case){ "gcc -m32 -g", EM_386, 4, false });
}

Test(elf_input, clang_x86_64_dwarf5_str_offsets)
{
	check_target(&(target_case){ "clang --target=x86_64-linux-gnu -g", EM_X86_64, 8, false });
}

Test(elf_input, clang_i386)
{
	check_target(&(target_case){ "clang --target=i386-linux-gnu -g", EM_386, 4, false });
}

Test(elf_input, clang_arm)
{
	check_target(&(target_case){ "clang --target=armv7-linux-gnueabihf -g", EM_ARM, 4, false });
}

Test(elf_input, clang_aarch64)
{
	check_target(&(target_case){ "clang --target=aarch64-linux-gnu -g", EM_AARCH64, 8, false });
}

Test(elf_input, clang_s390x_big_endian)
{
	check_target(&(target_case){ "clang --target=s390x-linux-gnu -g", EM_S390, 8, true });
}

Test(elf_input, clang_ppc64_big_endian)
{
	check_target(&(target_case){ "clang --target=powerpc64-linux-gnu -g", EM_PPC64, 8, true });
}

Test(elf_input, clang_riscv64_add_sub_relocations)
{
	check_target(&(target_case){ "clang --target=riscv64-linux-gnu -g", EM_RISCV, 8, false });
}

Test(elf_input, clang_riscv64_dwarf4)
{
	check_target(&(target_case){ "clang --target=riscv64-linux-gnu -gdwarf-4", EM_RISCV, 8,
				     false });
}

Test(elf_input, gcc_shf_compressed_sections)
{
	check_target(&(target_case){ "gcc -g -gz=zlib", EM_X86_64, 8, false });
}

Test(elf_input, gcc_zdebug_sections)
{
	check_target(&(target_case){ "gcc -g -gz=zlib-gnu", EM_X86_64, 8, false });
}

Test(elf_input, clang_compressed_big_endian)
{
	check_target(&(target_case){ "clang --target=s390x-linux-gnu -g -gz=zlib", EM_S390, 8,
				     true });
}

/* gcc -g3 puts .debug_macro pieces in COMDAT groups: same-named sections
 * that must be merged, with relocations pointing into the merged copy. */
Test(elf_input, comdat_debug_sections_are_merged)
{
	check_target(&(target_case){ "gcc -g3", EM_X86_64, 8, false });
}

Test(elf_input, debug_types_section)
{
	seen s;

	compile("gcc -gdwarf-4 -fdebug-types-section", fixture_source, "t.o");
	cr_assert_eq(load("t.o", &s, NULL, 0), 0, "%s", sf_error_last());
	expect_fixture_cu(&s, 0);
	cr_expect(s.has_debug_types);
}

Test(elf_input, archive_members_are_visited)
{
	seen s;
	char expect[1024];

	compile("gcc -g", fixture_source, "a.o");
	compile("clang -g", second_source, "b.o");
	cr_assert_eq(run("ar rcs lib.a a.o b.o"), 0);
	cr_assert_eq(load("lib.a", &s, NULL, 0), 0, "%s", sf_error_last());
	cr_assert_eq(s.images, 2);
	cr_expect_eq(s.errors, 0);
	snprintf(expect, sizeof(expect), "%s/lib.a(a.o)", work_dir);
	cr_expect_str_eq(s.display[0], expect);
	snprintf(expect, sizeof(expect), "%s/lib.a(b.o)", work_dir);
	cr_expect_str_eq(s.display[1], expect);
	expect_fixture_cu(&s, 0);
	expect_fixture_cu(&s, 1);
}

Test(elf_input, archive_bad_member_is_reported_and_walk_goes_on)
{
	seen s;
	char expect[1024];

	compile("gcc -g", fixture_source, "a.o");
	write_file("notes.txt", "hello\n", 6);
	cr_assert_eq(run("ar rcs lib.a notes.txt a.o"), 0);
	cr_assert_eq(load("lib.a", &s, NULL, 0), SF_ENOTELF);
	cr_expect_eq(s.images, 1);
	cr_expect_eq(s.errors, 1);
	cr_expect_eq(s.last_error_code, SF_ENOTELF);
	snprintf(expect, sizeof(expect), "%s/lib.a(notes.txt): not an ELF file", work_dir);
	cr_expect_str_eq(s.last_error, expect);
	cr_expect_str_eq(sf_error_last(), expect);
}

Test(elf_input, archive_without_any_debug_info)
{
	seen s;
	char expect[1024];

	compile("gcc", fixture_source, "plain.o");
	cr_assert_eq(run("ar rcs lib.a plain.o"), 0);
	cr_assert_eq(load("lib.a", &s, NULL, 0), SF_ENODEBUG);
	cr_expect_eq(s.errors, 0, "members without -g are not reported one by one");
	snprintf(expect, sizeof(expect),
		 "%s/lib.a: no member has DWARF debug info (rebuild with -g)", work_dir);
	cr_expect_str_eq(sf_error_last(), expect);
}

Test(elf_input, archive_members_without_debug_info_are_skipped)
{
	seen s;

	compile("gcc", fixture_source, "plain.o");
	compile("gcc -g", fixture_source, "withdebug.o");
	cr_assert_eq(run("ar rcs lib.a plain.o withdebug.o"), 0);
	cr_assert_eq(load("lib.a", &s, NULL, 0), 0);
	cr_expect_eq(s.images, 1);
	cr_expect_eq(s.errors, 0);
}

Test(elf_input, empty_archive)
{
	seen s;
	char expect[1024];

	write_file("empty.a", "!<arch>\n", 8);
	cr_assert_eq(load("empty.a", &s, NULL, 0), SF_ENODEBUG);
	snprintf(expect, sizeof(expect), "%s/empty.a: empty archive", work_dir);
	cr_expect_str_eq(sf_error_last(), expect);
}

static void read_build_id(const char *name, char *id, size_t size);

static void build_shared(void)
{
	compile("gcc -g -fPIC", fixture_source, "lib.o");
	if (run("gcc -shared -nostdlib -Wl,--build-id -o libfix.so lib.o") != 0)
		cr_skip_test("cannot link a shared object");
}

Test(elf_input, stripped_binary_without_debug_file)
{
	seen s;
	char expect[1024];

	build_shared();
	cr_assert_eq(run("strip -g libfix.so"), 0);
	cr_assert_eq(load("libfix.so", &s, NULL, 0), SF_ENODEBUG);
	snprintf(expect, sizeof(expect),
		 "%s/libfix.so: no DWARF debug info (stripped? install its -dbg/-dbgsym package or rebuild with -g)",
		 work_dir);
	cr_expect_str_eq(sf_error_last(), expect);
}

Test(elf_input, linked_shared_object_with_compressed_dwarf)
{
	seen s;

	build_shared();
	cr_assert_eq(run("objcopy --compress-debug-sections=zlib libfix.so"), 0);
	cr_assert_eq(load("libfix.so", &s, NULL, 0), 0, "%s", sf_error_last());
	expect_fixture_cu(&s, 0);
}

Test(elf_input, debuglink_next_to_the_file)
{
	seen s;
	char expect[1024];

	build_shared();
	cr_assert_eq(run("objcopy --only-keep-debug libfix.so libfix.so.debug && "
			 "strip -g --remove-section=.note.gnu.build-id libfix.so && "
			 "objcopy --add-gnu-debuglink=libfix.so.debug libfix.so"), 0);
	cr_assert_eq(load("libfix.so", &s, NULL, 0), 0, "%s", sf_error_last());
	expect_fixture_cu(&s, 0);
	snprintf(expect, sizeof(expect), "%s/libfix.so.debug", work_dir);
	cr_expect_str_eq(s.debug_path, expect);
}

Test(elf_input, debuglink_in_dot_debug_through_a_symlink)
{
	seen s;

	build_shared();
	cr_assert_eq(run("mkdir -p lib/.debug && "
			 "objcopy --only-keep-debug libfix.so lib/.debug/libfix.so.debug && "
			 "strip -g --remove-section=.note.gnu.build-id libfix.so && "
			 "objcopy --add-gnu-debuglink=lib/.debug/libfix.so.debug libfix.so && "
			 "mv libfix.so lib/ && ln -s lib/libfix.so link.so"), 0);
	cr_assert_eq(load("link.so", &s, NULL, 0), 0, "%s", sf_error_last());
	expect_fixture_cu(&s, 0);
	cr_expect(strstr(s.debug_path, "/lib/.debug/libfix.so.debug") != NULL, "%s", s.debug_path);
}

Test(elf_input, debuglink_crc_mismatch_is_skipped)
{
	seen s;

	build_shared();
	cr_assert_eq(run("objcopy --only-keep-debug libfix.so libfix.so.debug && "
			 "strip -g --remove-section=.note.gnu.build-id libfix.so && "
			 "objcopy --add-gnu-debuglink=libfix.so.debug libfix.so && "
			 "printf x >> libfix.so.debug"), 0);
	cr_assert_eq(load("libfix.so", &s, NULL, 0), SF_ENODEBUG);
}

Test(elf_input, build_id_under_a_debug_root)
{
	seen s;
	char root[1024];
	const char *dirs[1];
	char id[128] = "";

	build_shared();
	read_build_id("libfix.so", id, sizeof(id));
	cr_assert_eq(run("mkdir -p root/.build-id/%.2s && "
			 "objcopy --only-keep-debug libfix.so root/.build-id/%.2s/%s.debug && "
			 "strip -g libfix.so", id, id, id + 2), 0);
	dirs[0] = in_dir(root, sizeof(root), "root");
	cr_assert_eq(load("libfix.so", &s, dirs, 1), 0, "%s", sf_error_last());
	expect_fixture_cu(&s, 0);
	cr_expect(strstr(s.debug_path, ".debug") != NULL);
}

/* The build-id of a file in the work directory, as hex. */
static void read_build_id(const char *name, char *id, size_t size)
{
	char listing[1024];
	FILE *f;

	snprintf(listing, sizeof(listing), "cd '%s' && readelf -n %s | "
		 "sed -n 's/.*Build ID: *//p'", work_dir, name);
	f = popen(listing, "r");
	cr_assert(f != NULL);
	cr_assert(fgets(id, (int)size, f) != NULL);
	pclose(f);
	id[strcspn(id, "\n")] = '\0';
	cr_assert(strlen(id) > 4);
}

/* Gives t.o a .gnu_debugaltlink naming `link` and the build-id `id_hex`
 * (dwz writes this into the files it shrinks). */
static void add_altlink(const char *link, const char *id_hex)
{
	unsigned char bytes[512];
	size_t n = strlen(link) + 1;

	memcpy(bytes, link, n);
	for (size_t i = 0; id_hex[2 * i] && id_hex[2 * i + 1]; i++) {
		unsigned value;

		sscanf(id_hex + 2 * i, "%2x", &value);
		bytes[n++] = (unsigned char)value;
	}
	write_file("altlink.bin", bytes, n);
	cr_assert_eq(run("objcopy --add-section .gnu_debugaltlink=altlink.bin t.o"), 0);
}

static void build_alt_file(const char *output, char *id, size_t id_size)
{
	compile("gcc -g -fPIC", second_source, "alt.o");
	if (run("gcc -shared -nostdlib -Wl,--build-id -o %s alt.o", output) != 0)
		cr_skip_test("cannot link a shared object");
	read_build_id(output, id, id_size);
}

Test(elf_input, dwz_altlink_next_to_the_file)
{
	seen s;
	char id[128];

	build_alt_file("common.debug", id, sizeof(id));
	compile("gcc -g", fixture_source, "t.o");
	add_altlink("common.debug", id);
	cr_assert_eq(load("t.o", &s, NULL, 0), 0, "%s", sf_error_last());
	cr_expect(s.has_alt);
	expect_fixture_cu(&s, 0);
}

Test(elf_input, dwz_altlink_under_a_root_dwz_directory)
{
	seen s;
	char id[128], root[1024];
	const char *dirs[1];

	cr_assert_eq(run("mkdir -p root/.dwz/pkg"), 0);
	build_alt_file("root/.dwz/pkg/common.debug", id, sizeof(id));
	compile("gcc -g", fixture_source, "t.o");
	add_altlink("/usr/lib/debug/.dwz/pkg/common.debug", id);
	dirs[0] = in_dir(root, sizeof(root), "root");
	cr_assert_eq(load("t.o", &s, dirs, 1), 0, "%s", sf_error_last());
	cr_expect(s.has_alt);
}

Test(elf_input, dwz_altlink_with_other_build_id_is_missing)
{
	seen s;
	char id[128], expect[1024];

	build_alt_file("common.debug", id, sizeof(id));
	compile("gcc -g", fixture_source, "t.o");
	id[0] = id[0] == '0' ? '1' : '0';
	add_altlink("common.debug", id);
	cr_assert_eq(load("t.o", &s, NULL, 0), SF_ENODEBUG);
	snprintf(expect, sizeof(expect),
		 "%s/t.o: supplementary debug file common.debug (dwz) not found", work_dir);
	cr_expect_str_eq(sf_error_last(), expect);
}

Test(elf_input, system_libc_finds_its_debug_file)
{
	static const char root[] = "/usr/lib/debug";
	static const char libc[] = "/lib/x86_64-linux-gnu/libc.so.6";
	seen s;
	sf_load_options opts = SF_LOAD_OPTIONS_INIT;
	struct stat st;

	if (stat(libc, &st) != 0)
		cr_skip_test("no %s on this machine", libc);
	memset(&s, 0, sizeof(s));
	/* No --debug-dir: the system root alone must find it by build-id. */
	if (sf__input_each_image(libc, &opts, NULL, record, &s) == SF_ENODEBUG)
		cr_skip_test("libc6-dbg not installed (or not matching the installed libc)");
	cr_assert_eq(s.images, 1, "%s", sf_error_last());
	cr_expect(strncmp(s.debug_path, root, strlen(root)) == 0, "%s", s.debug_path);
	cr_expect_eq(s.machine, EM_X86_64);
	cr_expect(s.cu_name[0][0] != '\0');
}

/* Counts what the library reports through sf_load_options.on_error. */
static void count_error(void *ctx, int code, const char *message)
{
	seen *s = ctx;

	s->errors++;
	s->last_error_code = code;
	snprintf(s->last_error, sizeof(s->last_error), "%s", message);
}

static size_t split_load(const char *name, const char *dwo_dir, int expect, seen *s)
{
	const char *dirs[1] = { dwo_dir };
	sf_load_options opts = SF_LOAD_OPTIONS_INIT;
	sf_model *model = NULL;
	char path[1024];
	size_t count;

	memset(s, 0, sizeof(*s));
	opts.on_error = count_error;
	opts.on_error_ctx = s;
	opts.dwo_dirs = dwo_dir ? dirs : NULL;
	opts.dwo_dir_count = dwo_dir ? 1 : 0;
	cr_assert_eq(sf_model_new(&model), 0);
	cr_assert_eq(sf_model_load(model, in_dir(path, sizeof(path), name), &opts), expect, "%s",
		     sf_error_last());
	cr_expect_eq(sf_model_file_count(model), 1, "the skeleton's file is listed either way");
	count = sf_model_struct_count(model);
	sf_model_free(model);
	return count;
}

/*
 * A skeleton object has no types: they come from its .dwo, found by
 * DW_AT_comp_dir, or under a --dwo-dir once moved; missing, it is one
 * warning naming where it was looked for, and the file still loads.
 */
static void check_split(const char *flags)
{
	seen s;
	char dir[1024], expect[2200];

	compile(flags, fixture_source, "split.o");
	cr_assert_eq(split_load("split.o", NULL, 0, &s), 1);
	cr_expect_eq(s.errors, 0, "%s", s.last_error);
	cr_assert_eq(load("split.dwo", &s, NULL, 0), 0, "%s", sf_error_last());
	cr_expect_str_eq(s.cu_name[0], "fixture.c");

	cr_assert_eq(run("mkdir -p moved && mv split.dwo moved/"), 0);
	cr_expect_eq(split_load("split.o", NULL, SF_ENODEBUG, &s), 0);
	cr_expect_eq(s.errors, 1);
	cr_expect_eq(s.last_error_code, SF_ENODEBUG);
	snprintf(expect, sizeof(expect), "%s/split.o: split DWARF file split.dwo not found (looked for %s/split.dwo",
		 work_dir, work_dir);
	cr_expect(strncmp(s.last_error, expect, strlen(expect)) == 0, "%s", s.last_error);
	cr_expect_eq(split_load("split.o", in_dir(dir, sizeof(dir), "moved"), 0, &s), 1);
	cr_expect_eq(s.errors, 0, "%s", s.last_error);
}

Test(elf_input, split_dwarf5_skeleton_reads_its_dwo)
{
	check_split("gcc -g -gsplit-dwarf");
}

Test(elf_input, split_dwarf4_gnu_skeleton_reads_its_dwo)
{
	check_split("gcc -gdwarf-4 -gsplit-dwarf");
}

Test(elf_input, garbage_is_not_elf)
{
	seen s;
	char expect[1024];

	write_file("garbage.bin", "this is not an object file at all", 33);
	cr_assert_eq(load("garbage.bin", &s, NULL, 0), SF_ENOTELF);
	snprintf(expect, sizeof(expect), "%s/garbage.bin: not an ELF file or archive", work_dir);
	cr_expect_str_eq(sf_error_last(), expect);
	write_file("empty.bin", "", 0);
	cr_assert_eq(load("empty.bin", &s, NULL, 0), SF_ENOTELF);
}

Test(elf_input, truncated_elf_is_invalid)
{
	seen s;

	compile("gcc -g", fixture_source, "t.o");
	cr_assert_eq(run("head -c 200 t.o > short.o"), 0);
	cr_assert_eq(load("short.o", &s, NULL, 0), SF_EINVALID);
	cr_expect(strstr(sf_error_last(), "short.o: ") != NULL, "%s", sf_error_last());
	/* Headers intact, section bytes cut off. */
	cr_assert_eq(run("head -c $(( $(stat -c %%s t.o) - 1500 )) t.o > cut.o && "
			 "tail -c 1500 t.o > tail.bin"), 0);
	cr_assert_eq(load("cut.o", &s, NULL, 0), SF_EINVALID);
}

Test(elf_input, directory_and_missing_file)
{
	seen s;
	char expect[1024];

	cr_assert_eq(run("mkdir sub"), 0);
	cr_assert_eq(load("sub", &s, NULL, 0), SF_EIO);
	snprintf(expect, sizeof(expect), "%s/sub: is a directory", work_dir);
	cr_expect_str_eq(sf_error_last(), expect);
	cr_assert_eq(load("missing.o", &s, NULL, 0), SF_ENOTFOUND);
	snprintf(expect, sizeof(expect), "%s/missing.o: No such file or directory", work_dir);
	cr_expect_str_eq(sf_error_last(), expect);
}

Test(elf_input, unreadable_file)
{
	seen s;
	char path[1024];

	compile("gcc -g", fixture_source, "t.o");
	chmod(in_dir(path, sizeof(path), "t.o"), 0);
	if (access(path, R_OK) == 0)
		cr_skip_test("running as root: permissions are not enforced");
	cr_assert_eq(load("t.o", &s, NULL, 0), SF_EIO);
	cr_expect(strstr(sf_error_last(), "Permission denied") != NULL, "%s", sf_error_last());
}

/* Rewrites bytes of a section (or its header) in place, found with libelf. */
typedef void (*section_patch)(unsigned char *file, const GElf_Shdr *shdr, bool is64);

static void patch_section(const char *file_name, const char *section_name, section_patch patch)
{
	char path[1024];
	int fd;
	Elf *elf;
	size_t shstrndx, size;
	Elf_Scn *scn = NULL;
	unsigned char *copy = NULL;
	bool found = false;

	elf_version(EV_CURRENT);
	fd = open(in_dir(path, sizeof(path), file_name), O_RDWR);
	cr_assert(fd >= 0);
	elf = elf_begin(fd, ELF_C_READ, NULL);
	cr_assert(elf != NULL);
	cr_assert_eq(elf_getshdrstrndx(elf, &shstrndx), 0);
	{
		char *raw = elf_rawfile(elf, &size);

		copy = malloc(size);
		memcpy(copy, raw, size);
	}
	while ((scn = elf_nextscn(elf, scn)) != NULL) {
		GElf_Shdr shdr;

		gelf_getshdr(scn, &shdr);
		if (strcmp(elf_strptr(elf, shstrndx, shdr.sh_name), section_name) == 0) {
			patch(copy, &shdr, gelf_getclass(elf) == ELFCLASS64);
			found = true;
			break;
		}
	}
	elf_end(elf);
	cr_assert(found, "no section %s", section_name);
	cr_assert(pwrite(fd, copy, size, 0) == (ssize_t)size);
	free(copy);
	close(fd);
}

static void smash_compressed_stream(unsigned char *file, const GElf_Shdr *shdr, bool is64)
{
	size_t header = is64 ? sizeof(Elf64_Chdr) : sizeof(Elf32_Chdr);

	memset(file + shdr->sh_offset + header, 0x5a, shdr->sh_size - header);
}

Test(elf_input, corrupt_compressed_section_is_named)
{
	seen s;

	compile("gcc -g -gz=zlib", fixture_source, "t.o");
	patch_section("t.o", ".debug_info", smash_compressed_stream);
	cr_assert_eq(load("t.o", &s, NULL, 0), SF_EINVALID);
	cr_expect(strstr(sf_error_last(), "corrupt compressed section .debug_info") != NULL, "%s",
		  sf_error_last());
}

static void claim_huge_size(unsigned char *file, const GElf_Shdr *shdr, bool is64)
{
	Elf64_Chdr chdr;

	cr_assert(is64);
	memcpy(&chdr, file + shdr->sh_offset, sizeof(chdr));
	chdr.ch_size = (uint64_t)1 << 40;
	memcpy(file + shdr->sh_offset, &chdr, sizeof(chdr));
}

Test(elf_input, absurd_decompressed_size_is_refused)
{
	seen s;

	compile("gcc -g -gz=zlib", fixture_source, "t.o");
	patch_section("t.o", ".debug_info", claim_huge_size);
	cr_assert_eq(load("t.o", &s, NULL, 0), SF_EINVALID);
	cr_expect(strstr(sf_error_last(), ".debug_info") != NULL, "%s", sf_error_last());
}

static void unknown_relocation_type(unsigned char *file, const GElf_Shdr *shdr, bool is64)
{
	Elf64_Rela rela;

	cr_assert(is64);
	memcpy(&rela, file + shdr->sh_offset, sizeof(rela));
	rela.r_info = ELF64_R_INFO(ELF64_R_SYM(rela.r_info), 127);
	memcpy(file + shdr->sh_offset, &rela, sizeof(rela));
}

Test(elf_input, unknown_relocation_type_is_unsupported)
{
	seen s;
	char expect[1024];

	compile("gcc -g", fixture_source, "t.o");
	patch_section("t.o", ".rela.debug_info", unknown_relocation_type);
	cr_assert_eq(load("t.o", &s, NULL, 0), SF_EUNSUPPORTED);
	snprintf(expect, sizeof(expect),
		 "%s/t.o: unsupported relocation type 127 for x86_64 in .rela.debug_info", work_dir);
	cr_expect_str_eq(sf_error_last(), expect);
}

static void relocation_out_of_range(unsigned char *file, const GElf_Shdr *shdr, bool is64)
{
	Elf64_Rela rela;

	cr_assert(is64);
	memcpy(&rela, file + shdr->sh_offset, sizeof(rela));
	rela.r_offset = 0xfffffffffffffffcull;
	memcpy(file + shdr->sh_offset, &rela, sizeof(rela));
}

Test(elf_input, relocation_outside_its_section_is_invalid)
{
	seen s;

	compile("gcc -g", fixture_source, "t.o");
	patch_section("t.o", ".rela.debug_info", relocation_out_of_range);
	cr_assert_eq(load("t.o", &s, NULL, 0), SF_EINVALID);
	cr_expect(strstr(sf_error_last(), "outside") != NULL, "%s", sf_error_last());
}

static void section_beyond_end(unsigned char *file, const GElf_Shdr *shdr, bool is64)
{
	Elf64_Ehdr ehdr;
	Elf64_Shdr raw;
	size_t index;

	(void)shdr;
	cr_assert(is64);
	memcpy(&ehdr, file, sizeof(ehdr));
	/* Find this section's header by its offset field. */
	for (index = 1; index < ehdr.e_shnum; index++) {
		memcpy(&raw, file + ehdr.e_shoff + index * sizeof(raw), sizeof(raw));
		if (raw.sh_offset == shdr->sh_offset && raw.sh_size == shdr->sh_size)
			break;
	}
	cr_assert(index < ehdr.e_shnum);
	raw.sh_size = (uint64_t)1 << 40;
	memcpy(file + ehdr.e_shoff + index * sizeof(raw), &raw, sizeof(raw));
}

Test(elf_input, section_beyond_file_end_is_invalid)
{
	seen s;

	compile("gcc -g", fixture_source, "t.o");
	patch_section("t.o", ".debug_abbrev", section_beyond_end);
	cr_assert_eq(load("t.o", &s, NULL, 0), SF_EINVALID);
	cr_expect(strstr(sf_error_last(), ".debug_abbrev") != NULL, "%s", sf_error_last());
}

/* Walks every unit and DIE name, tolerating errors: corrupt DWARF that
 * passed the ELF checks is the DIE reader's to reject, without crashing. */
static int tolerant_walk(void *ctx, const sf_debug_image *image)
{
	sf_dw_image dw;
	sf_dw_cursor cursor;

	(void)ctx;
	if (sf__dw_image_open(&dw, image, UINT64_MAX) != 0)
		return 0;
	if (sf__dw_cursor_init(&cursor, &dw) == 0) {
		for (size_t i = 0; i < dw.spaces[SF_DW_INFO].count && i < 100; i++) {
			const sf_dw_unit *unit = &dw.spaces[SF_DW_INFO].units[i];
			sf_dw_die die;
			char name[64];
			if (sf__dw_die_at(&cursor, unit, unit->die_offset, &die) == 0)
				unit_string(&cursor, &die, DW_AT_name, name, sizeof(name));
		}
		sf__dw_cursor_release(&cursor);
	}
	sf__dw_image_close(&dw);
	return 0;
}

/* Random byte flips must give codes, never crashes. */
Test(elf_input, corrupted_objects_never_crash)
{
	char path[1024];
	unsigned char *bytes;
	long size;
	FILE *f;
	unsigned seed = 12345;
	int failures = 0;

	compile("gcc -g -gz=zlib", fixture_source, "t.o");
	f = fopen(in_dir(path, sizeof(path), "t.o"), "rb");
	cr_assert(f != NULL);
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	rewind(f);
	bytes = malloc((size_t)size);
	cr_assert(fread(bytes, 1, (size_t)size, f) == (size_t)size);
	fclose(f);
	for (int round = 0; round < 300; round++) {
		unsigned char *mutated = malloc((size_t)size);
		int rc;

		memcpy(mutated, bytes, (size_t)size);
		for (int k = 0; k < 4; k++) {
			seed = seed * 1103515245u + 12345u;
			mutated[(seed >> 8) % (unsigned long)size] ^= (unsigned char)(1u + (seed >> 24) % 255u);
		}
		write_file("mutated.o", mutated, (size_t)size);
		free(mutated);
		rc = sf__input_each_image(in_dir(path, sizeof(path), "mutated.o"), NULL, NULL,
					  tolerant_walk, NULL);
		cr_assert(rc <= 0);
		failures += rc != 0;
	}
	free(bytes);
	cr_log_info("%d of 300 mutated objects were rejected", failures);
}
