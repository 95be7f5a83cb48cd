/* The `reorder` command: load, analyse, plan the smallest member orders, emit the proposals. */
#include "cli_commands.h"
#include "cli_exit.h"
#include "cli_load.h"
#include "cli_output.h"

#include <structfit/structfit.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum {
	OPT_MIN_SAVINGS = CLI_KEY_LONG_ONLY,
	OPT_STRATEGY,
	OPT_CONSTRAINTS,
	OPT_NO_KEEP_FIRST,
	OPT_SUMMARY,
	OPT_FORMAT,
	OPT_CACHELINE,
	OPT_DEBUG_DIR,
	OPT_COLOR
};

const cli_option cli_reorder_options[] = {
	{ "struct", 'C', "NAME", "only structs whose name matches the glob NAME\n(repeatable)" },
	{ "min-savings", OPT_MIN_SAVINGS, "N", "only structs that shrink by at least N bytes" },
	{ "strategy", OPT_STRATEGY, "NAME", "exact (default: smallest size, fewest moves) or\n"
	  "sort (alignment descending, the classic advice)" },
	{ "constraints", OPT_CONSTRAINTS, "FILE", "rules: pin S.m, group S: a b, hot S: a b, skip S" },
	{ "no-keep-first", OPT_NO_KEEP_FIRST, NULL, "let a leading struct/union member move too" },
	{ "summary", OPT_SUMMARY, NULL, "one line per shrinking struct plus the total" },
	{ "format", OPT_FORMAT, "FMT", "text (default) or json (the report with a\n"
	  "proposal per struct)" },
	{ "cacheline", OPT_CACHELINE, "N", "cache-line size in bytes (default 64)" },
	{ "jobs", 'j', "N", "load with N threads (default 0: one per CPU)" },
	{ "debug-dir", OPT_DEBUG_DIR, "DIR", "search DIR first for separate debug files\n(repeatable)" },
	{ "color", OPT_COLOR, "WHEN", "auto (default), always or never" },
	{ "output", 'o', "FILE", "write to FILE (replaced atomically), not stdout" },
	{ "help", 'h', NULL, "show this help and exit" },
	{ NULL, 0, NULL, NULL }
};

const char cli_reorder_description[] =
	"Proposes, for each struct of the inputs, the member order with the smallest\n"
	"size, and among those the one that moves the fewest members.  Every proposal\n"
	"is laid out from scratch with the target's ABI rules (bitfields, _Alignas,\n"
	"nested structs), so its size is the compiler's.  Packed structs, unions,\n"
	"structs whose layout the debug info cannot reproduce (unnamed bitfields,\n"
	"packed members) and flexible array members are left alone; a leading\n"
	"struct member stays first.  Text prints each proposed struct pahole-style\n"
	"with the saving and the moved members (\"d (3 -> 1)\": index in the\n"
	"declaration -> index in the proposal), and one line for a struct left as\n"
	"it is.  A bad constraints rule is reported as FILE:LINE and exits 2.";

static const char *const format_names[] = { "text", "json", NULL };
static const char *const strategy_names[] = { "exact", "sort", NULL };
static const char *const color_names[] = { "auto", "always", "never", NULL };

enum { FORMAT_TEXT, FORMAT_JSON };
enum { COLOR_AUTO, COLOR_ALWAYS, COLOR_NEVER };

typedef struct reorder_args {
	sf_report_options report;
	sf_reorder_options reorder;
	sf_load_options load;
	const char **globs;
	size_t glob_count;
	const char **debug_dirs;
	size_t debug_dir_count;
	const char *constraints_path;
	int format;
	int color;
	int summary;
	const char *output;
	char **files;
	size_t file_count;
} reorder_args;

static int usage_error(const char *option, const char *value, const char *expected)
{
	cli_error("invalid value '%s' for --%s: expected %s (see structfit reorder --help)",
		  value, option, expected);
	return CLI_EXIT_USAGE;
}

static int parse_args(reorder_args *args, const cli_command *self, int argc, char **argv)
{
	cli_getopt g;
	unsigned value;
	int choice;
	int c;

	cli_getopt_build(&g, cli_reorder_options, 0);
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
		case OPT_MIN_SAVINGS:
			if (cli_parse_uint(optarg, 0, UINT_MAX, &value) != 0)
				return usage_error("min-savings", optarg, "a byte count");
			args->reorder.min_savings = value;
			break;
		case OPT_STRATEGY:
			choice = cli_parse_choice(optarg, strategy_names);
			if (choice < 0)
				return usage_error("strategy", optarg, "exact or sort");
			args->reorder.strategy = choice == 0 ? SF_REORDER_EXACT : SF_REORDER_SORT;
			break;
		case OPT_CONSTRAINTS:
			args->constraints_path = optarg;
			break;
		case OPT_NO_KEEP_FIRST:
			args->reorder.keep_first = 0;
			break;
		case OPT_SUMMARY:
			args->summary = 1;
			break;
		case OPT_FORMAT:
			args->format = cli_parse_choice(optarg, format_names);
			if (args->format < 0)
				return usage_error("format", optarg, "text or json");
			break;
		case OPT_CACHELINE:
			if (cli_parse_uint(optarg, 8, 1u << 20, &value) != 0 || (value & (value - 1)) != 0)
				return usage_error("cacheline", optarg, "a power of two >= 8");
			args->report.cacheline = value;
			break;
		case 'j':
			if (cli_parse_uint(optarg, 0, 4096, &value) != 0)
				return usage_error("jobs", optarg, "a thread count (0 for one per CPU)");
			args->load.jobs = value;
			break;
		case OPT_DEBUG_DIR:
			args->debug_dirs[args->debug_dir_count++] = optarg;
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
			return cli_option_error(self, c, argv, cli_reorder_options);
		}
	}
	if (optind >= argc) {
		cli_error("no input files (see structfit reorder --help)");
		return CLI_EXIT_USAGE;
	}
	args->files = argv + optind;
	args->file_count = (size_t)(argc - optind);
	return CLI_EXIT_OK;
}

static int want_color(const reorder_args *args)
{
	const char *no_color = getenv("NO_COLOR");

	if (args->format != FORMAT_TEXT || args->color == COLOR_NEVER)
		return 0;
	if (args->color == COLOR_ALWAYS)
		return 1;
	if (no_color && *no_color)
		return 0;
	return !args->output && isatty(STDOUT_FILENO);
}

/* Names each -C pattern that selected nothing; returns CLI_EXIT_FINDINGS if any. */
static int check_globs(const sf_model *model, const reorder_args *args, const sf_report *report)
{
	int code = CLI_EXIT_OK;

	for (size_t i = 0; i < args->glob_count; i++) {
		sf_report_options one = args->report;
		sf_report *single = NULL;
		size_t count = sf_report_count(report);

		if (count > 0 && args->glob_count > 1) {
			one.name_globs = &args->globs[i];
			one.name_glob_count = 1;
			if (sf_report_build(&single, model, &one) != 0)
				return CLI_EXIT_INTERNAL;
			count = sf_report_count(single);
			sf_report_free(single);
		}
		if (count == 0) {
			cli_error("no struct matches '%s'", args->globs[i]);
			code = CLI_EXIT_FINDINGS;
		}
	}
	return code;
}

static int emit(const sf_report *report, const sf_plan *plan, const reorder_args *args)
{
	sf_emit_options eopts = SF_EMIT_OPTIONS_INIT;
	sf_buf buf = SF_BUF_INIT;
	int code;
	int rc;

	eopts.color = want_color(args);
	eopts.summary = args->summary;
	eopts.plan = plan;
	eopts.changed_only = args->reorder.min_savings > 0;
	if (args->format == FORMAT_JSON)
		rc = sf_emit_json(&buf, report, &eopts);
	else
		rc = sf_emit_reorder(&buf, plan, &eopts);
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
	return code;
}

int cli_reorder_run(const cli_command *self, int argc, char **argv)
{
	reorder_args args = { .report = SF_REPORT_OPTIONS_INIT, .reorder = SF_REORDER_OPTIONS_INIT,
			      .load = SF_LOAD_OPTIONS_INIT };
	sf_constraints *constraints = NULL;
	sf_model *model = NULL;
	sf_report *report = NULL;
	sf_plan *plan = NULL;
	int loaded = 0;
	int code;
	int rc;

	/* Unions have no order to change; listing them would only add noise. */
	args.report.kinds = SF_KINDS_STRUCT;
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
	/* Rules first: a typo should not cost a long load. */
	if (args.constraints_path) {
		rc = sf_constraints_load(&constraints, args.constraints_path);
		if (rc != 0) {
			cli_error("%s", sf_error_last());
			code = cli_exit_from_error(rc);
			goto done;
		}
		args.reorder.constraints = constraints;
	}
	args.report.name_globs = args.globs;
	args.report.name_glob_count = args.glob_count;
	args.load.debug_dirs = args.debug_dirs;
	args.load.debug_dir_count = args.debug_dir_count;
	args.load.only_names = args.globs;
	args.load.only_name_count = args.glob_count;

	rc = sf_model_new(&model);
	if (rc != 0) {
		cli_error("%s", sf_error_last());
		code = cli_exit_from_error(rc);
		goto done;
	}
	code = cli_load_files(model, args.files, args.file_count, &args.load, &loaded);
	if (!loaded && sf_model_file_count(model) == 0)
		goto done;

	rc = sf_report_build(&report, model, &args.report);
	if (rc == 0)
		rc = sf_reorder_plan(&plan, report, &args.reorder);
	if (rc != 0) {
		cli_error("%s", sf_error_last());
		code = cli_exit_worst(code, cli_exit_from_error(rc));
		goto done;
	}
	code = cli_exit_worst(code, emit(report, plan, &args));
	code = cli_exit_worst(code, check_globs(model, &args, report));
done:
	sf_plan_free(plan);
	sf_report_free(report);
	sf_model_free(model);
	sf_constraints_free(constraints);
	free(args.globs);
	free(args.debug_dirs);
	return code;
}
