/* Guards against hostile input at the library API: truncation at every length, section headers past the end, control characters in names. */
#include <criterion/criterion.h>

#include "util/fail.h"

#include <structfit/structfit.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Codes a hostile input may produce; anything else (or a crash) fails. */
static bool clean_code(int rc)
{
	return rc == 0 || rc == SF_EINVALID || rc == SF_ENOTELF || rc == SF_ENODEBUG ||
	       rc == SF_EUNSUPPORTED || rc == SF_ENOMEM;
}

static void scratch_path(char *out, size_t size, const char *name)
{
	const char *dir = getenv("STRUCTFIT_SCRATCH_DIR");

	snprintf(out, size, "%s/guards-%ld-%s", dir && *dir ? dir : "/tmp", (long)getpid(), name);
}

static unsigned char *read_fixture(const char *name, size_t *size)
{
	const char *dir = getenv("STRUCTFIT_FIXTURE_DIR");
	char path[1024];
	unsigned char *data;
	FILE *f;
	long len;

	if (dir == NULL || *dir == '\0')
		cr_skip_test("STRUCTFIT_FIXTURE_DIR not set (run through ctest)");
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "rb");
	cr_assert_not_null(f, "fixture %s missing", path);
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	data = malloc((size_t)len);
	cr_assert_not_null(data);
	cr_assert_eq(fread(data, 1, (size_t)len, f), (size_t)len);
	fclose(f);
	*size = (size_t)len;
	return data;
}

static void write_bytes(const char *path, const void *data, size_t size)
{
	FILE *f = fopen(path, "wb");

	cr_assert_not_null(f);
	cr_assert_eq(fwrite(data, 1, size, f), size);
	fclose(f);
}

typedef struct member_errors {
	int count;
	bool multiline;
} member_errors;

static void on_error(void *ctx, int code, const char *message)
{
	member_errors *errors = ctx;

	(void)code;
	errors->count++;
	if (strchr(message, '\n') != NULL || strchr(message, '\r') != NULL)
		errors->multiline = true;
}

/* Loads `path` and checks the outcome is a clean code with a one-line
 * message naming the file; returns the code. */
static int load_checked(const char *path, member_errors *errors)
{
	sf_load_options opts = SF_LOAD_OPTIONS_INIT;
	sf_model *model = NULL;
	int rc;

	opts.jobs = 1;
	opts.on_error = on_error;
	opts.on_error_ctx = errors;
	cr_assert_eq(sf_model_new(&model), 0);
	rc = sf_model_load(model, path, &opts);
	cr_assert(clean_code(rc), "%s: unexpected code %d (%s)", path, rc, sf_error_last());
	if (rc != 0) {
		const char *message = sf_error_last();
		cr_assert(strchr(message, '\n') == NULL, "multi-line message: %s", message);
		cr_assert(strstr(message, path) != NULL, "message does not name the file: %s", message);
	}
	/* Whatever loaded must analyse and print. */
	{
		sf_report_options ropts = SF_REPORT_OPTIONS_INIT;
		sf_report *report = NULL;
		sf_buf buf = SF_BUF_INIT;
		sf_emit_options eopts = SF_EMIT_OPTIONS_INIT;

		cr_assert_eq(sf_report_build(&report, model, &ropts), 0);
		cr_assert_eq(sf_emit_text(&buf, report, &eopts), 0);
		cr_assert_eq(sf_emit_json(&buf, report, &eopts), 0);
		sf_buf_free(&buf);
		sf_report_free(report);
	}
	sf_model_free(model);
	return rc;
}

static uint64_t get_le(const unsigned char *p, unsigned width)
{
	uint64_t v = 0;

	for (unsigned i = width; i-- > 0;)
		v = (v << 8) | p[i];
	return v;
}

static void put_le(unsigned char *p, unsigned width, uint64_t v)
{
	for (unsigned i = 0; i < width; i++, v >>= 8)
		p[i] = (unsigned char)v;
}

/* Every prefix of an object (in steps, plus every byte of the ELF and
 * section headers) fails cleanly: sections then point past the end. */
Test(guards, every_truncation_fails_cleanly)
{
	size_t size;
	unsigned char *data = read_fixture("basic.o", &size);
	char path[1100];
	member_errors errors = { 0, false };
	size_t shoff = (size_t)get_le(data + 0x28, 8);
	int failed = 0;

	scratch_path(path, sizeof(path), "truncated.o");
	for (size_t len = 0; len < size; len += (len < 128 || len >= shoff) ? 1 : 61) {
		write_bytes(path, data, len);
		if (load_checked(path, &errors) != 0)
			failed++;
	}
	cr_assert_gt(failed, 0);
	unlink(path);
	free(data);
}

/* Each section header in turn gets an offset or a size past the end of
 * the file, or one that wraps around 2^64. */
Test(guards, section_headers_past_the_end)
{
	size_t size;
	unsigned char *data = read_fixture("basic.o", &size);
	unsigned char *copy = malloc(size);
	char path[1100];
	member_errors errors = { 0, false };
	uint64_t shoff = get_le(data + 0x28, 8);
	unsigned shentsize = (unsigned)get_le(data + 0x3a, 2);
	unsigned shnum = (unsigned)get_le(data + 0x3c, 2);
	const uint64_t values[] = { size, size + 1, UINT64_MAX, UINT64_MAX - 7, (uint64_t)1 << 62 };

	cr_assert_not_null(copy);
	cr_assert_eq(data[4], 2, "fixture is not ELF64");
	cr_assert_leq(shoff + (uint64_t)shentsize * shnum, size);
	scratch_path(path, sizeof(path), "shdr.o");
	for (unsigned i = 1; i < shnum; i++) {
		for (size_t field = 0; field < 2; field++) {
			for (size_t v = 0; v < sizeof(values) / sizeof(values[0]); v++) {
				memcpy(copy, data, size);
				/* sh_offset at +24, sh_size at +32 in Elf64_Shdr */
				put_le(copy + shoff + (uint64_t)i * shentsize + 24 + 8 * field, 8, values[v]);
				write_bytes(path, copy, size);
				load_checked(path, &errors);
			}
		}
	}
	unlink(path);
	free(copy);
	free(data);
}

static void ar_header(unsigned char *out, const char *name, size_t size)
{
	char header[61];

	snprintf(header, sizeof(header), "%-16s%-12s%-6s%-6s%-8s%-10zu`\n", name, "0", "0", "0",
		 "644", size);
	memcpy(out, header, 60);
}

/* A GNU long-name table may hold any byte: a member name with a newline
 * must not split the error line (found by fuzzing). */
Test(guards, archive_member_name_with_newline)
{
	static const char names[] = "bad\nname\x1b.o/\n";
	static const char junk[] = "not an ELF file at all\n";
	const size_t names_len = sizeof(names) - 1, junk_len = sizeof(junk) - 1;
	unsigned char archive[256];
	size_t pos = 0;
	char path[1100];
	member_errors errors = { 0, false };
	int rc;

	memcpy(archive, "!<arch>\n", 8);
	pos = 8;
	ar_header(archive + pos, "//", names_len);
	pos += 60;
	memcpy(archive + pos, names, names_len);
	pos += names_len + (names_len & 1);
	ar_header(archive + pos, "/0", junk_len);
	pos += 60;
	memcpy(archive + pos, junk, junk_len);
	pos += junk_len + (junk_len & 1);
	cr_assert_leq(pos, sizeof(archive));

	scratch_path(path, sizeof(path), "names.a");
	write_bytes(path, archive, pos);
	rc = load_checked(path, &errors);
	cr_assert_neq(rc, 0);
	cr_assert_eq(errors.count, 1, "the bad member was not reported");
	cr_assert(!errors.multiline, "member error message spans lines");
	unlink(path);
}

/* The last-error message is always one line, whatever the input put in it. */
Test(guards, fail_message_has_no_control_characters)
{
	const char *message;

	sf__fail(SF_EINVALID, "%s: section %s", "f.o", ".debug_\n\r\x1b\x7fx");
	message = sf_error_last();
	cr_assert_str_eq(message, "f.o: section .debug_????x");
	/* The previous message may be an argument of the next one. */
	sf__fail(SF_EINVALID, "outer: %s", sf_error_last());
	cr_assert_str_eq(sf_error_last(), "outer: f.o: section .debug_????x");
}
