/* The `fix` command: the reorder proposals applied to the user's sources, as a diff or in place. */
/* access, mkdir are POSIX, hidden by a bare -std=c17. */
#ifndef _GNU_SOURCE
#define _XOPEN_SOURCE 700
#endif

#include "cli_commands.h"
#include "cli_exit.h"
#include "cli_gofmt.h"
#include "cli_inputs.h"
#include "cli_output.h"
#include "cli_profile.h"

#include <structfit/structfit.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum {
	OPT_DIFF = CLI_KEY_LONG_ONLY,
	OPT_IN_PLACE,
	OPT_OUTPUT_DIR,
	OPT_MIN_SAVINGS,
	OPT_SOURCE_ROOT,
	OPT_PREFIX_MAP,
	OPT_CONSTRAINTS,
	OPT_FORCE,
	OPT_ALLOW_ABI,
	OPT_STRATEGY,
	OPT_NO_KEEP_FIRST,
	OPT_GOFMT
};

const cli_option cli_fix_options[] = {
	CLI_INPUT_OPTIONS,
	{ "diff", OPT_DIFF, NULL, "write a unified diff to stdout (default)" },
	{ "in-place", OPT_IN_PLACE, NULL, "rewrite the source files (atomically, mode kept)" },
	{ "output-dir", OPT_OUTPUT_DIR, "DIR", "write patched copies under DIR, mirroring the\nsource tree" },
	{ "min-savings", OPT_MIN_SAVINGS, "N", "only structs that shrink by at least N bytes" },
	{ "source-root", OPT_SOURCE_ROOT, "DIR", "the sources live under DIR (default: the current\n"
	  "directory); nothing outside it is touched" },
	{ "prefix-map", OPT_PREFIX_MAP, "OLD=NEW", "read recorded source paths starting with OLD\n"
	  "under NEW instead (repeatable)" },
	{ "constraints", OPT_CONSTRAINTS, "FILE", "rules: pin S.m, group S: a b, hot S: a b,\n"
	  "apart S: a b, skip S (as for reorder)" },
	{ "strategy", OPT_STRATEGY, "NAME", "exact (default) or sort, as for reorder" },
	{ "no-keep-first", OPT_NO_KEEP_FIRST, NULL, "let a leading struct/union member move too" },
	{ "force", OPT_FORCE, NULL, "patch structs with positional initializers too" },
	{ "allow-abi-change", OPT_ALLOW_ABI, NULL, "patch structs reachable from exported symbols too" },
	CLI_PROFILE_OPTIONS,
	{ "gofmt", OPT_GOFMT, "PROG", "format patched Go files with PROG (default: gofmt;\n"
	  "'none' leaves them as moved)" },
	CLI_OPTION_HELP,
	{ NULL, 0, NULL, NULL }
};

const char cli_fix_description[] =
	"Rewrites the definitions of the structs that `structfit reorder` would\n"
	"shrink, in their own source files: each member moves with its comments,\n"
	"attributes and indentation, only the body between the braces changes.\n"
	"Sources are found from the debug info's file and line, under --source-root.\n"
	"A struct is skipped, with the reason on stderr, when its source no longer\n"
	"declares exactly the members the debug info knows, when its body holds a\n"
	"preprocessor directive (a #define of a macro the body does not use moves\n"
	"with the member above it) or an unnamed bitfield, when it is defined by a\n"
	"macro, when members declared on one line would have to be split, or when\n"
	"a positional initializer or compound literal of it is found under the\n"
	"source root (unless --force).  C++ classes: only data members move, within\n"
	"their access section and never above a declaration they use; methods,\n"
	"nested types and statics stay; constructors' initializer lists follow the\n"
	"new order; a class whose initializer reads a member that would be\n"
	"initialised in another order is skipped.  The summary on stderr lists every\n"
	"struct patched (sizes predicted with all patches of the run applied), the\n"
	"totals as reorder counts them, and a table of the structs skipped and why.\n"
	"Recompile and run your tests after applying.";

enum { MODE_DIFF, MODE_IN_PLACE, MODE_OUTPUT_DIR };

typedef struct fix_args {
	sf_reorder_options reorder;
	sf_fix_options fix;
	const char **prefix_old;
	const char **prefix_new;
	size_t prefix_count;
	const char *constraints_path;
	const char *output_dir;
	const char *gofmt;
	int mode;
	cli_profile profile;        /* member heat for the planner */
} fix_args;

static int set_mode(fix_args *args, int mode)
{
	if (args->mode >= 0 && args->mode != mode) {
		cli_error("--diff, --in-place and --output-dir exclude each other (see structfit fix --help)");
		return CLI_EXIT_USAGE;
	}
	args->mode = mode;
	return 1;
}

static int fix_option(void *ctx, cli_inputs *in, int key, const char *arg)
{
	fix_args *args = ctx;
	unsigned value;
	int choice = cli_profile_option(&args->profile, in, key, arg);
	char *eq;

	if (choice != 0)
		return choice;
	switch (key) {
	case OPT_DIFF:
		return set_mode(args, MODE_DIFF);
	case OPT_IN_PLACE:
		return set_mode(args, MODE_IN_PLACE);
	case OPT_OUTPUT_DIR:
		args->output_dir = arg;
		return set_mode(args, MODE_OUTPUT_DIR);
	case OPT_MIN_SAVINGS:
		if (cli_parse_uint(arg, 0, UINT_MAX, &value) != 0)
			return cli_inputs_usage_error(in, "min-savings", arg, "a byte count");
		args->reorder.min_savings = value;
		return 1;
	case OPT_SOURCE_ROOT:
		args->fix.source_root = arg;
		return 1;
	case OPT_PREFIX_MAP:
		/* getopt's optarg points into argv, which we may split in place. */
		eq = strchr(arg, '=');
		if (!eq || eq == arg)
			return cli_inputs_usage_error(in, "prefix-map", arg, "OLD=NEW");
		*eq = '\0';
		args->prefix_old[args->prefix_count] = arg;
		args->prefix_new[args->prefix_count++] = eq + 1;
		return 1;
	case OPT_CONSTRAINTS:
		args->constraints_path = arg;
		return 1;
	case OPT_STRATEGY:
		choice = cli_parse_choice(arg, (const char *const[]){ "exact", "sort", NULL });
		if (choice < 0)
			return cli_inputs_usage_error(in, "strategy", arg, "exact or sort");
		args->reorder.strategy = choice == 0 ? SF_REORDER_EXACT : SF_REORDER_SORT;
		return 1;
	case OPT_NO_KEEP_FIRST:
		args->reorder.keep_first = 0;
		return 1;
	case OPT_GOFMT:
		args->gofmt = arg;
		return 1;
	case OPT_FORCE:
		args->fix.force = 1;
		return 1;
	case OPT_ALLOW_ABI:
		args->fix.allow_abi_change = 1;
		return 1;
	default:
		return 0;
	}
}

/* "file:line" of a struct for the summary, "?" when the debug info has no file. */
static void where(char *out, size_t size, const sf_fix_struct *s)
{
	snprintf(out, size, "%s:%u", s->file ? s->file : "?", s->line);
}

/*
 * What fix could not do, last on stderr: one row per skipped struct with
 * where it is, what reorder says it would save, and why not.  Every row
 * starts with "skipped  " so the lines can be grepped.
 */
static void print_skipped_table(const sf_fix *fix, size_t skipped)
{
	size_t name_width = strlen("struct"), where_width = strlen("where");
	char at[PATH_MAX + 16];

	if (!skipped)
		return;
	for (size_t i = 0; i < sf_fix_struct_count(fix); i++) {
		const sf_fix_struct *s = sf_fix_struct_at(fix, i);
		if (!s->skip_reason)
			continue;
		where(at, sizeof(at), s);
		if (strlen(s->name) > name_width)
			name_width = strlen(s->name);
		if (strlen(at) > where_width)
			where_width = strlen(at);
	}
	fprintf(stderr, "not patched (%zu):\n         %-*s  %-*s  %8s  %s\n", skipped, (int)name_width, "struct",
		(int)where_width, "where", "would save", "reason");
	for (size_t i = 0; i < sf_fix_struct_count(fix); i++) {
		const sf_fix_struct *s = sf_fix_struct_at(fix, i);
		if (!s->skip_reason)
			continue;
		where(at, sizeof(at), s);
		fprintf(stderr, "skipped  %-*s  %-*s  %8llu B  %s\n", (int)name_width, s->name, (int)where_width, at,
			(unsigned long long)s->planned_saves, s->skip_reason);
	}
}

/* Patched, totals, then what was skipped: on stderr, so stdout stays a clean diff. */
static void print_summary(const sf_fix *fix, const char *source_root)
{
	size_t patched = 0, skipped = 0, outside = 0, outside_project = 0;
	unsigned long long saved = 0, planned = 0, planned_outside = 0;
	size_t total = sf_fix_struct_count(fix);

	for (size_t i = 0; i < total; i++) {
		const sf_fix_struct *s = sf_fix_struct_at(fix, i);
		planned += s->planned_saves;
		if (s->outside_source_root) {
			outside++;
			planned_outside += s->planned_saves;
			/* libc's FILE alone says nothing about the source root. */
			if (!s->file || strncmp(s->file, "/usr/", 5) != 0)
				outside_project++;
		}
		if (s->skip_reason) {
			skipped++;
			continue;
		}
		fprintf(stderr, "patched  %s (%s:%u): %llu -> %llu bytes, saves %llu", s->name, s->file ? s->file : "?",
			s->line, (unsigned long long)s->original_size, (unsigned long long)s->size,
			(unsigned long long)s->saves);
		if (s->size_depends_on)
			fprintf(stderr, " (includes %s's shrink)", s->size_depends_on);
		if (s->size_unpredicted)
			fprintf(stderr, " (%s also shrinks: smaller than predicted)", s->size_unpredicted);
		fputc('\n', stderr);
		if (s->warning)
			fprintf(stderr, "warning: %s (%s:%u): %s\n", s->name, s->file ? s->file : "?", s->line,
				s->warning);
		patched++;
		saved += s->saves;
	}
	fprintf(stderr, "%zu struct%s patched, %llu byte%s saved, %zu skipped\n", patched,
		patched == 1 ? "" : "s", saved, saved == 1 ? "" : "s", skipped);
	/* reorder's count, each struct alone: the totals of the two commands reconcile. */
	fprintf(stderr, "%zu struct%s / %llu B could shrink (as reorder counts them)", total, total == 1 ? "" : "s",
		planned);
	if (outside)
		fprintf(stderr, ", of which %zu / %llu B outside the source root (system headers, other trees)", outside,
			planned_outside);
	fputc('\n', stderr);
	print_skipped_table(fix, skipped);
	if (outside_project && outside == total)
		fprintf(stderr, "hint: every struct is defined outside the source root (%s); pass --source-root DIR "
			"with the project's top directory (run from a build directory?)\n",
			source_root ? source_root : "the current directory");
}

/*
 * Whether `path` is a relocatable object or an archive.  What a library
 * exports is its .dynsym, which those do not have yet: run on the objects
 * of a shared library, fix would see no exported symbol and could patch
 * its public structs without a word, so the summary says so.
 */
static int exports_unknown(const char *path)
{
	unsigned char head[18];
	size_t n = 0;
	FILE *in = strcmp(path, "-") == 0 ? NULL : fopen(path, "rb");

	if (!in)
		return 0;
	n = fread(head, 1, sizeof(head), in);
	fclose(in);
	if (n >= 8 && memcmp(head, "!<arch>\n", 8) == 0)
		return 1;
	if (n < sizeof(head) || memcmp(head, "\177ELF", 4) != 0)
		return 0;
	/* e_type (1 = ET_REL) in the byte order of EI_DATA (2 = big-endian). */
	return (head[5] == 2 ? (head[16] << 8 | head[17]) : (head[17] << 8 | head[16])) == 1;
}

static void note_unchecked_abi(const cli_inputs *in, const fix_args *args)
{
	size_t unknown = 0;
	const char *first = NULL;

	if (args->fix.allow_abi_change)
		return;
	for (size_t i = 0; i < in->file_count; i++) {
		if (exports_unknown(in->files[i])) {
			if (!unknown++)
				first = in->files[i];
		}
	}
	if (unknown)
		fprintf(stderr,
			"note: %s%s: %s, so no struct was found ABI-visible there; name "
			"the shared library they go into to protect its API\n",
			first, unknown > 1 ? " and others" : "",
			unknown > 1 ? "object files and archives export nothing yet"
				    : "an object file or archive exports nothing yet");
}

/* Whether the file still holds what the fix was built from. */
static int unchanged_since_read(const sf_fix_file *f)
{
	FILE *in = fopen(f->path, "rb");
	size_t at = 0;
	char chunk[65536];
	int same = 1;

	if (!in)
		return 0;
	for (;;) {
		size_t n = fread(chunk, 1, sizeof(chunk), in);
		if (n == 0)
			break;
		if (at + n > f->original_len || memcmp(chunk, f->original + at, n) != 0) {
			same = 0;
			break;
		}
		at += n;
	}
	if (ferror(in))
		same = 0;
	fclose(in);
	return same && at == f->original_len;
}

static int write_in_place(const sf_fix *fix)
{
	int code = CLI_EXIT_OK;

	/* Check everything first: a refusal must leave every file as it was. */
	for (size_t i = 0; i < sf_fix_file_count(fix); i++) {
		const sf_fix_file *f = sf_fix_file_at(fix, i);
		struct stat st;
		/* The mode bits too: root may write anything, but a file
		 * marked read-only was marked so for a reason. */
		int read_only = stat(f->path, &st) == 0 && (st.st_mode & 0222) == 0;
		if (read_only || access(f->path, W_OK) != 0) {
			cli_error("%s: %s; nothing written", f->path,
				  read_only || errno == EACCES || errno == EROFS ? "read-only file" : strerror(errno));
			code = CLI_EXIT_READ;
		} else if (!unchanged_since_read(f)) {
			cli_error("%s: changed while fixing; nothing written", f->path);
			code = CLI_EXIT_READ;
		}
	}
	if (code != CLI_EXIT_OK)
		return code;
	for (size_t i = 0; i < sf_fix_file_count(fix); i++) {
		const sf_fix_file *f = sf_fix_file_at(fix, i);
		code = cli_exit_worst(code, cli_write_file(f->path, f->patched, f->patched_len));
	}
	return code;
}

/* mkdir -p of every directory above `path`. */
static int make_parents(char *path)
{
	for (char *p = strchr(path + 1, '/'); p; p = strchr(p + 1, '/')) {
		*p = '\0';
		if (mkdir(path, 0777) != 0 && errno != EEXIST) {
			cli_error("%s: %s", path, strerror(errno));
			*p = '/';
			return CLI_EXIT_READ;
		}
		*p = '/';
	}
	return CLI_EXIT_OK;
}

static int write_output_dir(const sf_fix *fix, const char *dir)
{
	int code = CLI_EXIT_OK;

	for (size_t i = 0; i < sf_fix_file_count(fix) && code == CLI_EXIT_OK; i++) {
		const sf_fix_file *f = sf_fix_file_at(fix, i);
		size_t n = strlen(dir) + strlen(f->rel_path) + 2;
		char *path = malloc(n);
		if (!path) {
			cli_error("out of memory");
			return CLI_EXIT_INTERNAL;
		}
		snprintf(path, n, "%s/%s", dir, f->rel_path);
		code = make_parents(path);
		if (code == CLI_EXIT_OK)
			code = cli_write_file(path, f->patched, f->patched_len);
		free(path);
	}
	return code;
}

static int emit(const sf_fix *fix, const fix_args *args)
{
	sf_buf buf = SF_BUF_INIT;
	int code;
	int rc;

	if (args->mode == MODE_IN_PLACE)
		return write_in_place(fix);
	if (args->mode == MODE_OUTPUT_DIR)
		return write_output_dir(fix, args->output_dir);
	rc = sf_fix_emit_diff(&buf, fix);
	if (rc != 0 || buf.failed) {
		cli_error("%s", rc != 0 ? sf_error_last() : "out of memory");
		sf_buf_free(&buf);
		return CLI_EXIT_INTERNAL;
	}
	code = cli_write_stdout(buf.data ? buf.data : "", buf.len);
	sf_buf_free(&buf);
	return code;
}

int cli_fix_run(const cli_command *self, int argc, char **argv)
{
	fix_args args = { .reorder = SF_REORDER_OPTIONS_INIT, .fix = SF_FIX_OPTIONS_INIT, .mode = -1 };
	sf_constraints *constraints = NULL;
	cli_inputs in;
	sf_model *model = NULL;
	sf_report *report = NULL;
	sf_plan *plan = NULL;
	sf_fix *fix = NULL;
	int code;
	int rc;

	code = cli_inputs_init(&in, self->name, argc);
	if (code == CLI_EXIT_OK)
		code = cli_profile_init(&args.profile, argc);
	args.prefix_old = calloc((size_t)argc + 1, sizeof(*args.prefix_old));
	args.prefix_new = calloc((size_t)argc + 1, sizeof(*args.prefix_new));
	if (code == CLI_EXIT_OK && (!args.prefix_old || !args.prefix_new)) {
		cli_error("out of memory");
		code = CLI_EXIT_INTERNAL;
	}
	if (code != CLI_EXIT_OK)
		goto done;
	in.report.kinds = SF_KINDS_STRUCT;
	code = cli_inputs_parse(&in, self, argc, argv, fix_option, &args);
	if (code == CLI_EXIT_OK)
		code = cli_inputs_require_files(&in);
	if (code != CLI_EXIT_OK) {
		if (code == CLI_EXIT_HELP)
			code = CLI_EXIT_OK;
		goto done;
	}
	if (args.mode < 0)
		args.mode = MODE_DIFF;
	code = cli_profile_load(&args.profile);
	if (code != CLI_EXIT_OK)
		goto done;
	if (args.constraints_path) {
		rc = sf_constraints_load(&constraints, args.constraints_path);
		if (rc != 0) {
			cli_error("%s", sf_error_last());
			code = cli_exit_from_error(rc);
			goto done;
		}
		args.reorder.constraints = constraints;
	}
	args.fix.prefix_old = args.prefix_old;
	args.fix.prefix_new = args.prefix_new;
	args.fix.prefix_count = args.prefix_count;
	args.fix.reorder = &args.reorder;

	/* Every definition is needed: fix compares them all with the source. */
	code = cli_inputs_load(&in, 0, &model, &report);
	if (!report)
		goto done;
	/* Patching nothing because a name was mistyped is not a success. */
	code = cli_exit_worst(code, cli_inputs_check_globs(&in, model, report));
	if (code == CLI_EXIT_FINDINGS)
		goto done;
	rc = cli_profile_attach(&args.profile, &in, report, &args.reorder);
	if (rc != CLI_EXIT_OK) {
		code = cli_exit_worst(code, rc);
		goto done;
	}
	rc = sf_reorder_plan(&plan, report, &args.reorder);
	if (rc == 0)
		rc = sf_fix_build(&fix, plan, &args.fix);
	if (rc != 0) {
		cli_error("%s", sf_error_last());
		code = cli_exit_worst(code, cli_exit_from_error(rc));
		goto done;
	}
	if (!args.gofmt || strcmp(args.gofmt, "none") != 0)
		code = cli_exit_worst(code, cli_gofmt_fix(fix, args.gofmt ? args.gofmt : "gofmt"));
	code = cli_exit_worst(code, emit(fix, &args));
	print_summary(fix, args.fix.source_root);
	note_unchecked_abi(&in, &args);
done:
	sf_fix_free(fix);
	sf_plan_free(plan);
	cli_profile_release(&args.profile);
	sf_report_free(report);
	sf_model_free(model);
	sf_constraints_free(constraints);
	free(args.prefix_old);
	free(args.prefix_new);
	cli_inputs_release(&in);
	return code;
}
