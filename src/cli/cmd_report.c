/* The `report` command: load every input into one model, analyse, emit. */
/* mkstemp, realpath, lstat, clock_gettime are POSIX/XSI, hidden by a bare -std=c17. */
#ifndef _GNU_SOURCE
#define _XOPEN_SOURCE 700
#endif

#include "cli_commands.h"
#include "cli_exit.h"
#include "cli_load.h"
#include "cli_output.h"

#include <structfit/structfit.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

enum {
	OPT_STRUCTS = CLI_KEY_LONG_ONLY,
	OPT_UNIONS,
	OPT_HOLES,
	OPT_SORT,
	OPT_SUMMARY,
	OPT_CACHELINE,
	OPT_FORMAT,
	OPT_DEBUG_DIR,
	OPT_COLOR,
	OPT_LOCAL_TYPES,
	OPT_REORDER
};

const cli_option cli_report_options[] = {
	{ "struct", 'C', "NAME", "only structs whose name matches the glob NAME\n(repeatable)" },
	{ "structs", OPT_STRUCTS, NULL, "only structs and classes" },
	{ "unions", OPT_UNIONS, NULL, "only unions" },
	{ "holes", OPT_HOLES, "N", "only structs with at least N holes" },
	{ "sort", OPT_SORT, "KEY", "order by name, size, holes or waste (default: input)" },
	{ "summary", OPT_SUMMARY, NULL, "one line per struct plus totals" },
	{ "cacheline", OPT_CACHELINE, "N", "cache-line size in bytes (default 64)" },
	{ "jobs", 'j', "N", "load with N threads (default 0: one per CPU)" },
	{ "format", OPT_FORMAT, "FMT", "text (default) or json" },
	{ "debug-dir", OPT_DEBUG_DIR, "DIR", "search DIR first for separate debug files\n(repeatable)" },
	{ "color", OPT_COLOR, "WHEN", "auto (default: colour on a terminal unless NO_COLOR\n"
	  "is set), always or never" },
	{ "local-types", OPT_LOCAL_TYPES, NULL, "also report structs defined inside functions\n"
	  "(pahole does not; reading function bodies is slower)" },
	{ "reorder", OPT_REORDER, NULL, "also show the smallest member order of each struct\n"
	  "(see structfit reorder)" },
	{ "output", 'o', "FILE", "write to FILE (replaced atomically), not stdout" },
	{ "help", 'h', NULL, "show this help and exit" },
	{ NULL, 0, NULL, NULL }
};

const char cli_report_description[] =
	"Prints the layout of the structs, unions and classes defined in the DWARF\n"
	"debug info of each FILE: members with offsets and sizes, holes, padding and\n"
	"cache-line boundaries.  FILEs are ELF objects, executables, shared objects,\n"
	"kernel modules, separate debug files or static archives; all of them are\n"
	"loaded into one model, so a struct seen in several inputs appears once.\n"
	"A FILE without debug info is replaced by its separate debug file (build-id\n"
	"or .gnu_debuglink under --debug-dir and /usr/lib/debug).  FILE '-' reads\n"
	"standard input.  Inputs that fail are reported and the others still are.";

static const char *const sort_names[] = { "name", "size", "holes", "waste", NULL };
static const sf_sort sort_values[] = { SF_SORT_NAME, SF_SORT_SIZE, SF_SORT_HOLES, SF_SORT_WASTE };
static const char *const format_names[] = { "text", "json", NULL };
static const char *const color_names[] = { "auto", "always", "never", NULL };

enum { FORMAT_TEXT, FORMAT_JSON };
enum { COLOR_AUTO, COLOR_ALWAYS, COLOR_NEVER };

typedef struct report_args {
	sf_report_options report;
	sf_load_options load;
	const char **globs;
	size_t glob_count;
	const char **debug_dirs;
	size_t debug_dir_count;
	int format;
	int color;
	int summary;
	int reorder;
	const char *output;
	char **files;
	size_t file_count;
} report_args;

static int usage_error(const char *option, const char *value, const char *expected)
{
	cli_error("invalid value '%s' for --%s: expected %s (see structfit report --help)",
		  value, option, expected);
	return CLI_EXIT_USAGE;
}

static int parse_args(report_args *args, const cli_command *self, int argc, char **argv)
{
	cli_getopt g;
	unsigned value;
	int choice;
	int c;

	cli_getopt_build(&g, cli_report_options, 0);
	opterr = 0;
	optind = 0; /* glibc: 0 also resets state left by main's own parse */
	while ((c = getopt_long(argc, argv, g.shortopts, g.longopts, NULL)) != -1) {
		switch (c) {
		case 'h':
			cli_command_help(stdout, self);
			return -1;
		case 'C':
			args->globs[args->glob_count++] = optarg;
			break;
		case OPT_STRUCTS:
			args->report.kinds |= SF_KINDS_STRUCT;
			break;
		case OPT_UNIONS:
			args->report.kinds |= SF_KINDS_UNION;
			break;
		case OPT_HOLES:
			if (cli_parse_uint(optarg, 0, UINT_MAX, &value) != 0)
				return usage_error("holes", optarg, "a count");
			args->report.min_holes = value;
			break;
		case OPT_SORT:
			choice = cli_parse_choice(optarg, sort_names);
			if (choice < 0)
				return usage_error("sort", optarg, "name, size, holes or waste");
			args->report.sort = sort_values[choice];
			break;
		case OPT_SUMMARY:
			args->summary = 1;
			break;
		case OPT_CACHELINE:
			/* Cache lines are powers of two; catch typos before a long load. */
			if (cli_parse_uint(optarg, 1, 1u << 20, &value) != 0 || (value & (value - 1)) != 0)
				return usage_error("cacheline", optarg, "a power of two");
			args->report.cacheline = value;
			break;
		case 'j':
			if (cli_parse_uint(optarg, 0, 4096, &value) != 0)
				return usage_error("jobs", optarg, "a thread count (0 for one per CPU)");
			args->load.jobs = value;
			break;
		case OPT_FORMAT:
			args->format = cli_parse_choice(optarg, format_names);
			if (args->format < 0)
				return usage_error("format", optarg, "text or json");
			break;
		case OPT_DEBUG_DIR:
			args->debug_dirs[args->debug_dir_count++] = optarg;
			break;
		case OPT_REORDER:
			args->reorder = 1;
			break;
		case OPT_LOCAL_TYPES:
			args->load.local_types = 1;
			break;
		case OPT_COLOR:
			args->color = cli_parse_choice(optarg, color_names);
			if (args->color < 0)
				return usage_error("color", optarg, "auto, always or never");
			break;
		case 'o':
			args->output = optarg;
			break;
		default:
			return cli_option_error(self, c, argv, cli_report_options);
		}
	}
	if (optind >= argc) {
		cli_error("no input files (see structfit report --help)");
		return CLI_EXIT_USAGE;
	}
	args->files = argv + optind;
	args->file_count = (size_t)(argc - optind);
	return CLI_EXIT_OK;
}

/* Unit-level progress of a long load, on a terminal only. */
typedef struct unit_progress {
	struct timespec start;
	int shown;
} unit_progress;

static void on_unit_progress(void *ctx, size_t done, size_t total)
{
	unit_progress *p = ctx;
	struct timespec now;
	double elapsed;

	clock_gettime(CLOCK_MONOTONIC, &now);
	elapsed = (double)(now.tv_sec - p->start.tv_sec) + (double)(now.tv_nsec - p->start.tv_nsec) / 1e9;
	if (done >= total) {
		if (p->shown)
			fprintf(stderr, "\r\033[K");
		p->shown = 0;
		clock_gettime(CLOCK_MONOTONIC, &p->start);
		return;
	}
	if (elapsed < 1.0)
		return;
	fprintf(stderr, "\rstructfit: %zu/%zu units, %.0f s", done, total, elapsed);
	p->shown = 1;
}

/* True when a glob is a plain name, so its first definition is enough. */
static int is_plain_name(const char *glob)
{
	return strpbrk(glob, "*?[\\") == NULL;
}

static int want_color(const report_args *args)
{
	const char *no_color = getenv("NO_COLOR");

	if (args->format != FORMAT_TEXT || args->color == COLOR_NEVER)
		return 0;
	if (args->color == COLOR_ALWAYS)
		return 1;
	/* no-color.org: set and non-empty disables colour. */
	if (no_color && *no_color)
		return 0;
	return !args->output && isatty(STDOUT_FILENO);
}

/* Names each --struct pattern that selected nothing; returns CLI_EXIT_FINDINGS if any. */
static int check_globs(const sf_model *model, const report_args *args, const sf_report *report)
{
	int code = CLI_EXIT_OK;

	for (size_t i = 0; i < args->glob_count; i++) {
		sf_report_options one = args->report;
		sf_report *single = NULL;
		size_t count = 0;

		if (sf_report_count(report) > 0 && args->glob_count > 1) {
			one.name_globs = &args->globs[i];
			one.name_glob_count = 1;
			if (sf_report_build(&single, model, &one) != 0)
				return CLI_EXIT_INTERNAL;
			count = sf_report_count(single);
			sf_report_free(single);
		} else {
			count = sf_report_count(report);
		}
		if (count == 0) {
			cli_error("no struct matches '%s'", args->globs[i]);
			code = CLI_EXIT_FINDINGS;
		}
	}
	return code;
}

static int emit(const sf_report *report, const report_args *args)
{
	sf_emit_options eopts = SF_EMIT_OPTIONS_INIT;
	sf_buf buf = SF_BUF_INIT;
	sf_plan *plan = NULL;
	int code;
	int rc;

	eopts.color = want_color(args);
	eopts.summary = args->summary;
	if (args->reorder) {
		rc = sf_reorder_plan(&plan, report, NULL);
		if (rc != 0) {
			cli_error("%s", sf_error_last());
			code = cli_exit_from_error(rc);
			goto done;
		}
		eopts.plan = plan;
	}
	if (args->format == FORMAT_JSON)
		rc = sf_emit_json(&buf, report, &eopts);
	else
		rc = sf_emit_text(&buf, report, &eopts);
	if (rc != 0 || buf.failed) {
		cli_error("%s", rc != 0 ? sf_error_last() : "out of memory");
		code = CLI_EXIT_INTERNAL;
		goto done;
	}
	if (args->output)
		code = cli_write_file(args->output, buf.data ? buf.data : "", buf.len);
	else
		code = cli_write_stdout(buf.data ? buf.data : "", buf.len);
done:
	sf_buf_free(&buf);
	sf_plan_free(plan);
	return code;
}

int cli_report_run(const cli_command *self, int argc, char **argv)
{
	report_args args = { .report = SF_REPORT_OPTIONS_INIT, .load = SF_LOAD_OPTIONS_INIT };
	unit_progress progress = { .shown = 0 };
	sf_model *model = NULL;
	sf_report *report = NULL;
	int loaded = 0;
	int code;
	int rc;

	args.report.kinds = 0;
	args.globs = calloc((size_t)argc + 1, sizeof(*args.globs));
	args.debug_dirs = calloc((size_t)argc + 1, sizeof(*args.debug_dirs));
	if (!args.globs || !args.debug_dirs) {
		cli_error("out of memory");
		code = CLI_EXIT_INTERNAL;
		goto done;
	}
	code = parse_args(&args, self, argc, argv);
	if (code != CLI_EXIT_OK) {
		if (code < 0) /* --help */
			code = CLI_EXIT_OK;
		goto done;
	}
	if (args.report.kinds == 0)
		args.report.kinds = SF_KINDS_ALL;
	args.report.name_globs = args.globs;
	args.report.name_glob_count = args.glob_count;
	args.load.debug_dirs = args.debug_dirs;
	args.load.debug_dir_count = args.debug_dir_count;
	/* -C lets the loader build only the named structs and, for plain
	 * names, stop at their first definitions. */
	args.load.only_names = args.globs;
	args.load.only_name_count = args.glob_count;
	args.load.first_match_only = args.glob_count > 0;
	for (size_t i = 0; i < args.glob_count; i++)
		if (!is_plain_name(args.globs[i]))
			args.load.first_match_only = 0;
	if (isatty(STDERR_FILENO)) {
		clock_gettime(CLOCK_MONOTONIC, &progress.start);
		args.load.on_progress = on_unit_progress;
		args.load.on_progress_ctx = &progress;
	}

	rc = sf_model_new(&model);
	if (rc != 0) {
		cli_error("%s", sf_error_last());
		code = cli_exit_from_error(rc);
		goto done;
	}

	code = cli_load_files(model, args.files, args.file_count, &args.load, &loaded);
	/* With every input failed there is nothing true to print, not even an empty report. */
	if (!loaded && sf_model_file_count(model) == 0)
		goto done;

	rc = sf_report_build(&report, model, &args.report);
	if (rc != 0) {
		cli_error("%s", sf_error_last());
		code = cli_exit_worst(code, cli_exit_from_error(rc));
		goto done;
	}
	code = cli_exit_worst(code, emit(report, &args));
	code = cli_exit_worst(code, check_globs(model, &args, report));
done:
	sf_report_free(report);
	sf_model_free(model);
	free(args.globs);
	free(args.debug_dirs);
	return code;
}
