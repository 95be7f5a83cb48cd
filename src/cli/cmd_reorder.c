/* The `reorder` command: load, analyse, plan the smallest member orders, emit the proposals. */
#include "cli_commands.h"
#include "cli_exit.h"
#include "cli_explain.h"
#include "cli_inputs.h"
#include "cli_output.h"
#include "cli_profile.h"
#include "cli_select.h"

#include <structfit/structfit.h>

#include <limits.h>

enum {
	OPT_MIN_SAVINGS = CLI_KEY_LONG_ONLY,
	OPT_STRATEGY,
	OPT_CONSTRAINTS,
	OPT_NO_KEEP_FIRST,
	OPT_SUMMARY,
	OPT_FORMAT,
	OPT_SORT,
	OPT_ALLOW_GROWTH,
	OPT_SYNTAX,
	OPT_EXPLAIN = CLI_KEY_LONG_ONLY + 720
};

const cli_option cli_reorder_options[] = {
	CLI_INPUT_OPTIONS,
	{ "min-savings", OPT_MIN_SAVINGS, "N", "only structs that shrink by at least N bytes" },
	{ "strategy", OPT_STRATEGY, "NAME", "exact (default: smallest size, fewest moves) or\n"
	  "sort (alignment descending, the classic advice)" },
	{ "constraints", OPT_CONSTRAINTS, "FILE", "rules: pin S.m, group S: a b, hot S: a b,\n"
	  "apart S: a b, skip S" },
	{ "allow-growth", OPT_ALLOW_GROWTH, "N", "cache-aware orders (hot or apart rules) may grow\n"
	  "a struct by up to N bytes past its minimal size" },
	{ "no-keep-first", OPT_NO_KEEP_FIRST, NULL, "let a leading struct/union member move too" },
	{ "summary", OPT_SUMMARY, NULL, "one line per shrinking struct plus the total" },
	{ "format", OPT_FORMAT, "FMT", "text (default), json (the report with a\n"
	  "proposal per struct), html (a self-contained page with\n"
	  "each struct's byte map beside its proposal's) or markdown\n"
	  "(the --summary table)" },
	{ "sort", OPT_SORT, "KEY", "input (default) or impact: by bytes saved at peak\n"
	  "after size classes (needs --profile)" },
	{ "top", CLI_SELECT_TOP, "N", "only the first N structs shown (after --sort; with\n"
	  "--summary or markdown, the first N that shrink)" },
	{ "min-waste", CLI_SELECT_MIN_WASTE, "N", "only structs wasting at least N bytes (holes\n"
	  "plus tail padding) as declared" },
	{ "explain", OPT_EXPLAIN, NULL, "after the proposals, the steps from each declared\n"
	  "order: one member moved per step, with the size the\n"
	  "ABI rules give after it (text; pahole -S)" },
	CLI_PROFILE_OPTIONS,
	{ "syntax", OPT_SYNTAX, "LANG", "auto (default: each struct's language), c or go" },
	CLI_OPTION_COLOR,
	CLI_OPTION_OUTPUT,
	CLI_OPTION_HELP,
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
	"it is.  A bad constraints rule is reported as FILE:LINE and exits 2.\n"
	"With --profile (valgrind DHAT JSON, a Go heap profile or CSV, docs/profiles.md)\n"
	"the member heat goes to the planner, each proposal gets a profile line\n"
	"(allocations, peak instances, bytes saved after the allocator's size classes)\n"
	"and --summary gains those columns; a bad or mismatched profile exits 4.";

static const char *const format_names[] = { "text", "json", "html", "markdown", NULL };
/* In sf_syntax order. */
static const char *const strategy_names[] = { "exact", "sort", NULL };
static const char *const sort_names[] = { "input", "impact", NULL };

enum { FORMAT_TEXT, FORMAT_JSON, FORMAT_HTML, FORMAT_MARKDOWN };

typedef struct reorder_args {
	sf_reorder_options reorder;
	const char *constraints_path;
	int format;
	int summary;
	int explain;
	int sort_impact;
	cli_profile profile;
	int syntax;
	cli_select select;        /* --top (applied when emitting) and --min-waste */
} reorder_args;

static int reorder_option(void *ctx, cli_inputs *in, int key, const char *arg)
{
	reorder_args *args = ctx;
	unsigned value;
	int choice = cli_profile_option(&args->profile, in, key, arg);

	if (choice == 0)
		choice = cli_select_option(&args->select, in, key, arg);
	if (choice != 0)
		return choice;
	switch (key) {
	case OPT_MIN_SAVINGS:
		if (cli_parse_uint(arg, 0, UINT_MAX, &value) != 0)
			return cli_inputs_usage_error(in, "min-savings", arg, "a byte count");
		args->reorder.min_savings = value;
		return 1;
	case OPT_STRATEGY:
		choice = cli_parse_choice(arg, strategy_names);
		if (choice < 0)
			return cli_inputs_usage_error(in, "strategy", arg, "exact or sort");
		args->reorder.strategy = choice == 0 ? SF_REORDER_EXACT : SF_REORDER_SORT;
		return 1;
	case OPT_CONSTRAINTS:
		args->constraints_path = arg;
		return 1;
	case OPT_ALLOW_GROWTH:
		if (cli_parse_uint(arg, 0, UINT_MAX, &value) != 0)
			return cli_inputs_usage_error(in, "allow-growth", arg, "a byte count");
		args->reorder.allow_growth = value;
		return 1;
	case OPT_NO_KEEP_FIRST:
		args->reorder.keep_first = 0;
		return 1;
	case OPT_SUMMARY:
		args->summary = 1;
		return 1;
	case OPT_EXPLAIN:
		args->explain = 1;
		return 1;
	case OPT_SORT:
		choice = cli_parse_choice(arg, sort_names);
		if (choice < 0)
			return cli_inputs_usage_error(in, "sort", arg, "input or impact");
		args->sort_impact = choice == 1;
		return 1;
	case OPT_SYNTAX:
		args->syntax = cli_parse_syntax(arg);
		if (args->syntax < 0)
			return cli_inputs_usage_error(in, "syntax", arg, CLI_SYNTAX_CHOICES);
		return 1;
	case OPT_FORMAT:
		args->format = cli_parse_choice(arg, format_names);
		if (args->format < 0)
			return cli_inputs_usage_error(in, "format", arg, "text, json, html or markdown");
		return 1;
	default:
		return 0;
	}
}

static int emit(const cli_inputs *in, const sf_report *report, const sf_plan *plan,
		const reorder_args *args, int code_so_far)
{
	sf_emit_options eopts = SF_EMIT_OPTIONS_INIT;
	sf_buf buf = SF_BUF_INIT;
	int code;
	int rc;

	eopts.color = cli_inputs_color(in, args->format == FORMAT_TEXT);
	eopts.summary = args->summary;
	eopts.syntax = args->syntax;
	eopts.plan = plan;
	eopts.changed_only = args->reorder.min_savings > 0;
	/* Only proposals tell which structs shrink and only the ranking which
	 * come first: --top is the emitter's, not a filter of the report. */
	eopts.top = args->select.top;
	cli_profile_emit_options(&args->profile, &eopts, args->sort_impact);
	if (args->format == FORMAT_JSON)
		rc = sf_emit_json(&buf, report, &eopts);
	else if (args->format == FORMAT_HTML)
		rc = sf_emit_html(&buf, report, &eopts);
	else if (args->format == FORMAT_MARKDOWN)
		rc = sf_emit_markdown(&buf, report, &eopts);
	else
		rc = sf_emit_reorder(&buf, plan, &eopts);
	if (rc == 0 && args->explain && args->format == FORMAT_TEXT)
		rc = cli_explain_append(&buf, plan, report);
	if (rc != 0 || buf.failed) {
		cli_error("%s", rc != 0 ? sf_error_last() : "out of memory");
		code = CLI_EXIT_INTERNAL;
		goto done;
	}
	code = cli_inputs_write(in, &buf, code_so_far);
done:
	sf_buf_free(&buf);
	return code;
}

int cli_reorder_run(const cli_command *self, int argc, char **argv)
{
	reorder_args args = { .reorder = SF_REORDER_OPTIONS_INIT, .format = FORMAT_TEXT };
	sf_constraints *constraints = NULL;
	cli_inputs in;
	sf_model *model = NULL;
	sf_report *report = NULL;
	sf_plan *plan = NULL;
	int code;
	int rc;

	code = cli_inputs_init(&in, self->name, argc);
	if (code == CLI_EXIT_OK)
		code = cli_profile_init(&args.profile, argc);
	if (code != CLI_EXIT_OK)
		goto done;
	/* Unions have no order to change; listing them would only add noise. */
	in.report.kinds = SF_KINDS_STRUCT;
	code = cli_inputs_parse_files(&in, self, argc, argv, reorder_option, &args);
	if (code == CLI_EXIT_OK && args.sort_impact && !args.profile.file_count) {
		cli_error("--sort=impact needs --profile (see structfit %s --help)", self->name);
		code = CLI_EXIT_USAGE;
	}
	if (code == CLI_EXIT_OK && args.select.top && args.format == FORMAT_HTML) {
		cli_error("--top applies to text, json and markdown, not to the html page, which "
			  "sorts and filters itself");
		code = CLI_EXIT_USAGE;
	}
	if (code == CLI_EXIT_OK)
		code = cli_profile_load(&args.profile);
	if (code != CLI_EXIT_OK)
		goto done;
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
	code = cli_inputs_load(&in, 1, &model, &report);
	if (!report)
		goto done;
	/* -C is checked on what was loaded, before --min-waste narrows it (as report does). */
	code = cli_exit_worst(code, cli_inputs_check_globs(&in, model, report));
	if (args.select.min_waste) {
		cli_select waste_only = { .min_waste = args.select.min_waste };

		code = cli_exit_worst(code, cli_select_filter(&waste_only, &in, model, &report));
		if (code >= CLI_EXIT_USAGE)
			goto done;
	}
	rc = cli_profile_attach(&args.profile, &in, report, &args.reorder);
	if (rc != CLI_EXIT_OK) {
		code = cli_exit_worst(code, rc);
		goto done;
	}
	rc = sf_reorder_plan(&plan, report, &args.reorder);
	if (rc != 0) {
		cli_error("%s", sf_error_last());
		code = cli_exit_worst(code, cli_exit_from_error(rc));
		goto done;
	}
	code = cli_exit_worst(code, emit(&in, report, plan, &args, code));
done:
	sf_plan_free(plan);
	cli_profile_release(&args.profile);
	sf_report_free(report);
	sf_model_free(model);
	sf_constraints_free(constraints);
	cli_inputs_release(&in);
	return cli_exit_status(code);
}
