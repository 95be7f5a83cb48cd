/* The `report` command: load, analyse and print struct layouts. */
#include "cli_commands.h"
#include "cli_exit.h"
#include "cli_inputs.h"
#include "cli_output.h"
#include "cli_profile.h"
#include "cli_select.h"

#include <structfit/structfit.h>

#include <limits.h>

enum {
	OPT_STRUCTS = CLI_KEY_LONG_ONLY,
	OPT_UNIONS,
	OPT_HOLES,
	OPT_SORT,
	OPT_SUMMARY,
	OPT_FORMAT,
	OPT_REORDER,
	OPT_SYNTAX,
	OPT_HEX = CLI_KEY_LONG_ONLY + 710,
	OPT_EXPAND_TYPES = 'E'
};

const cli_option cli_report_options[] = {
	CLI_INPUT_OPTIONS,
	{ "structs", OPT_STRUCTS, NULL, "only structs and classes" },
	{ "unions", OPT_UNIONS, NULL, "only unions" },
	{ "holes", OPT_HOLES, "N", "only structs with at least N holes" },
	{ "sort", OPT_SORT, "KEY", "order by name, size, holes, waste or impact\n"
	  "(default: input; impact needs --profile)" },
	{ "summary", OPT_SUMMARY, NULL, "one line per struct plus totals" },
	{ "format", OPT_FORMAT, "FMT", "text (default), json, html (a self-contained page:\n"
	  "sortable summary, byte maps, proposals), svg (the byte\n"
	  "map of the first selected struct, e.g. with -C NAME) or\n"
	  "markdown (the --summary table, for pull requests and CI)" },
	{ "reorder", OPT_REORDER, NULL, "also show the smallest member order of each struct\n"
	  "(see structfit reorder)" },
	{ "hex", OPT_HEX, NULL, "member offsets and sizes in hexadecimal (text)" },
	{ "expand-types", OPT_EXPAND_TYPES, NULL, "print the members whose type is a struct or union\n"
	  "with its body inline, recursively, at absolute\n"
	  "offsets, as pahole -E (text)" },
	CLI_PROFILE_OPTIONS,
	{ "syntax", OPT_SYNTAX, "LANG", "auto (default: each struct's language), c or go" },
	CLI_SELECT_OPTIONS,
	CLI_OPTION_COLOR,
	CLI_OPTION_OUTPUT,
	CLI_OPTION_HELP,
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
	"standard input.  Inputs that fail are reported and the others still are.\n"
	"With --profile, each struct gets its allocations, peak instances and the\n"
	"bytes a smaller order saves after the allocator's size classes, and its\n"
	"members their heat (docs/profiles.md); --summary --sort=impact ranks by it.\n"

	"Split DWARF (-gsplit-dwarf) is read from the .dwo files its skeleton units\n"
	"name, or from the package FILE.dwp (see --dwo-dir).";

static const char *const sort_names[] = { "name", "size", "holes", "waste", "impact", NULL };
static const sf_sort sort_values[] = { SF_SORT_NAME, SF_SORT_SIZE, SF_SORT_HOLES, SF_SORT_WASTE };
static const char *const format_names[] = { "text", "json", "html", "svg", "markdown", NULL };
/* In sf_syntax order. */

enum { FORMAT_TEXT, FORMAT_JSON, FORMAT_HTML, FORMAT_SVG, FORMAT_MARKDOWN };

typedef struct report_args {
	int format;
	int summary;
	int reorder;
	int sort_impact;
	int hex;
	int expand_types;
	cli_profile profile;
	int syntax;
	cli_select select;
	unsigned emit_top;        /* --top after the ranking of --sort=impact */
} report_args;

static int report_option(void *ctx, cli_inputs *in, int key, const char *arg)
{
	report_args *args = ctx;
	unsigned value;
	int choice = cli_profile_option(&args->profile, in, key, arg);

	if (choice == 0)
		choice = cli_select_option(&args->select, in, key, arg);
	if (choice != 0)
		return choice;
	switch (key) {
	case OPT_STRUCTS:
		in->report.kinds |= SF_KINDS_STRUCT;
		return 1;
	case OPT_UNIONS:
		in->report.kinds |= SF_KINDS_UNION;
		return 1;
	case OPT_HOLES:
		if (cli_parse_uint(arg, 0, UINT_MAX, &value) != 0)
			return cli_inputs_usage_error(in, "holes", arg, "a count");
		in->report.min_holes = value;
		return 1;
	case OPT_SORT:
		choice = cli_parse_choice(arg, sort_names);
		if (choice < 0)
			return cli_inputs_usage_error(in, "sort", arg, "name, size, holes, waste or impact");
		args->sort_impact = sort_names[choice][0] == 'i';
		in->report.sort = args->sort_impact ? SF_SORT_NONE : sort_values[choice];
		return 1;
	case OPT_SUMMARY:
		args->summary = 1;
		return 1;
	case OPT_FORMAT:
		args->format = cli_parse_choice(arg, format_names);
		if (args->format < 0)
			return cli_inputs_usage_error(in, "format", arg, "text, json, html, svg or markdown");
		return 1;
	case OPT_REORDER:
		args->reorder = 1;
		return 1;
	case OPT_SYNTAX:
		args->syntax = cli_parse_syntax(arg);
		if (args->syntax < 0)
			return cli_inputs_usage_error(in, "syntax", arg, CLI_SYNTAX_CHOICES);
		return 1;
	case OPT_HEX:
		args->hex = 1;
		return 1;
	case OPT_EXPAND_TYPES:
		args->expand_types = 1;
		/* -E spells typedef'd members through their typedefs. */
		in->load.typedef_chains = 1;
		return 1;
	default:
		return 0;
	}
}

static int emit(const cli_inputs *in, const sf_report *report, report_args *args, int code_so_far)
{
	sf_emit_options eopts = SF_EMIT_OPTIONS_INIT;
	sf_reorder_options ropts = SF_REORDER_OPTIONS_INIT;
	sf_buf buf = SF_BUF_INIT;
	sf_plan *plan = NULL;
	int code;
	int rc;

	eopts.color = cli_inputs_color(in, args->format == FORMAT_TEXT);
	eopts.summary = args->summary;
	eopts.syntax = args->syntax;
	eopts.hex = args->hex;
	eopts.top = args->emit_top;
	eopts.expand_types = args->expand_types;
	eopts.jobs = in->load.jobs;
	code = cli_profile_attach(&args->profile, in, report, &ropts);
	if (code != CLI_EXIT_OK)
		goto done;
	/* With a profile the savings need proposals even without --reorder;
	 * the page shows every struct's proposal beside it. */
	if (args->reorder || args->profile.impact || args->format == FORMAT_HTML) {
		rc = sf_reorder_plan(&plan, report, &ropts);
		if (rc != 0) {
			cli_error("%s", sf_error_last());
			code = cli_exit_from_error(rc);
			goto done;
		}
		eopts.plan = args->reorder || args->format == FORMAT_HTML ? plan : NULL;
		eopts.impact_plan = plan;
	}
	cli_profile_emit_options(&args->profile, &eopts, args->sort_impact);
	if (args->format == FORMAT_SVG && sf_report_count(report) == 0) {
		cli_error("no struct to draw: select one with -C NAME");
		code = CLI_EXIT_USAGE;
		goto done;
	}
	if (args->format == FORMAT_SVG && sf_report_count(report) > 1)
		cli_note("%zu structs selected; drawing the first (select one with -C NAME)",
			 sf_report_count(report));
	/* -s, -n and -f print their lists instead of layouts (buf.failed tells an error). */
	if (cli_select_list(&args->select, report, &buf) != 0)
		rc = 0;
	else if (args->format == FORMAT_JSON)
		rc = sf_emit_json(&buf, report, &eopts);
	else if (args->format == FORMAT_HTML)
		rc = sf_emit_html(&buf, report, &eopts);
	else if (args->format == FORMAT_SVG)
		rc = sf_emit_svg(&buf, report, 0, &eopts);
	else if (args->format == FORMAT_MARKDOWN)
		rc = sf_emit_markdown(&buf, report, &eopts);
	else
		rc = sf_emit_text(&buf, report, &eopts);
	if (rc != 0 || buf.failed) {
		cli_error("%s", rc != 0 ? sf_error_last() : "out of memory");
		code = CLI_EXIT_INTERNAL;
		goto done;
	}
	code = cli_inputs_write(in, &buf, code_so_far);
done:
	sf_buf_free(&buf);
	sf_plan_free(plan);
	return code;
}

int cli_report_run(const cli_command *self, int argc, char **argv)
{
	report_args args = { .format = FORMAT_TEXT };
	cli_inputs in;
	sf_model *model = NULL;
	sf_report *report = NULL;
	int code;

	code = cli_inputs_init(&in, self->name, argc);
	if (code == CLI_EXIT_OK)
		code = cli_profile_init(&args.profile, argc);
	if (code != CLI_EXIT_OK)
		goto done;
	in.report.kinds = 0;
	code = cli_inputs_parse_files(&in, self, argc, argv, report_option, &args);
	if (code == CLI_EXIT_OK && args.sort_impact && !args.profile.file_count) {
		cli_error("--sort=impact needs --profile (see structfit %s --help)", self->name);
		code = CLI_EXIT_USAGE;
	}
	if (code == CLI_EXIT_OK)
		code = cli_profile_load(&args.profile);
	if (code != CLI_EXIT_OK)
		goto done;
	if (in.report.kinds == 0)
		in.report.kinds = SF_KINDS_ALL;
	code = cli_inputs_load(&in, 1, &model, &report);
	if (!report)
		goto done;
	code = cli_exit_worst(code, cli_inputs_check_globs(&in, model, report));
	/* The impact ranking happens when emitting, after the filters: --top
	 * must count then, or it keeps the first structs of the input, not the
	 * first of the ranking.  The page, the image and the -s/-n/-f lists
	 * rank nothing and keep the filter. */
	if (args.sort_impact && (args.format == FORMAT_TEXT || args.format == FORMAT_JSON ||
				 args.format == FORMAT_MARKDOWN) &&
	    !args.select.sizes && !args.select.nr_members && !args.select.pointers_to) {
		args.emit_top = args.select.top;
		args.select.top = 0;
	}
	code = cli_exit_worst(code, cli_select_filter(&args.select, &in, model, &report));
	code = cli_exit_worst(code, emit(&in, report, &args, code));
done:
	cli_profile_release(&args.profile);
	sf_report_free(report);
	sf_model_free(model);
	cli_inputs_release(&in);
	return cli_exit_status(code);
}
