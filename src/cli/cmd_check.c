/* The `check` command: the layout regression gate of a build against its baseline. */
#include "cli_commands.h"
#include "cli_exit.h"
#include "cli_gate.h"
#include "cli_output.h"

#include <structfit/structfit.h>

#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
	OPT_BASELINE = CLI_KEY_LONG_ONLY,
	OPT_MAX_PADDING,
	OPT_MAX_SIZE,
	OPT_MAX_CACHELINES,
	OPT_NO_NEW_HOLES,
	OPT_FORMAT,
	OPT_SOURCE_ROOT
};

const cli_option cli_check_options[] = {
	CLI_INPUT_OPTIONS,
	{ "baseline", OPT_BASELINE, "FILE", "the layouts to hold, from 'structfit snapshot'\n"
	  "(required unless a budget is given)" },
	{ "max-padding", OPT_MAX_PADDING, "N", "fail when a struct wastes more than N bytes in\nholes and tail padding" },
	{ "max-size", OPT_MAX_SIZE, "STRUCT=N", "fail when STRUCT (a glob) is larger than N bytes\n(repeatable)" },
	{ "max-cachelines", OPT_MAX_CACHELINES, "STRUCT=N", "fail when STRUCT spans more than N cache lines\n(repeatable)" },
	{ "no-new-holes", OPT_NO_NEW_HOLES, NULL, "fail on any hole the baseline does not have, also\nin structs it does not list" },
	{ "format", OPT_FORMAT, "FMT", "text (default), json, sarif (SARIF 2.1.0) or\n"
	  "markdown (the verdict and a table of the findings,\n"
	  "for pull requests and $GITHUB_STEP_SUMMARY)" },
	{ "source-root", OPT_SOURCE_ROOT, "DIR", "match declaration paths under DIR (default: the\n"
	  "current directory) with the baseline's relative ones;\nSARIF paths are relative to DIR" },
	CLI_OPTION_OUTPUT,
	CLI_OPTION_HELP,
	{ NULL, 0, NULL, NULL }
};

const char cli_check_description[] =
	"Compares the struct layouts of the FILEs with a baseline and exits 1 when a\n"
	"rule is broken: a struct grew, changed alignment or disappeared; a member\n"
	"moved, was added, removed or retyped; its holes or its tail padding grew;\n"
	"or a budget is exceeded.  Shrinking and structs missing from the baseline\n"
	"are reported as notes and do not fail.  Each struct's findings are one block:\n"
	"its first violation as file:line: error: struct NAME: ..., the others\n"
	"indented below, members moved by the same distance counted on one line.\n"
	"Without -C every struct of the baseline and of the build takes part.\n"
	"Without --baseline, the budgets alone check the build (--no-new-holes then\n"
	"forbids every hole).  A baseline measured on another target (architecture,\n"
	"pointer size, byte order) is refused with exit status 2.";

static const char *const format_names[] = { "text", "json", "sarif", "markdown", NULL };
static const sf_findings_format format_values[] = { SF_FINDINGS_TEXT, SF_FINDINGS_JSON,
						    SF_FINDINGS_SARIF, SF_FINDINGS_MARKDOWN };

/* "name=N" -> budget; the name may itself hold '=' in theory, so split at the last one. */
static int parse_budget(const char *text, sf_gate_budget *out)
{
	const char *eq = strrchr(text, '=');
	char *end;
	unsigned long long value;
	size_t n;
	char *pattern;

	if (!eq || eq == text || !eq[1] || eq[1] == '-')
		return -1;
	value = strtoull(eq + 1, &end, 10);
	if (*end || value == ULLONG_MAX)
		return -1;
	n = (size_t)(eq - text);
	pattern = malloc(n + 1);
	if (!pattern)
		return -1;
	memcpy(pattern, text, n);
	pattern[n] = '\0';
	out->pattern = pattern;
	out->limit = value;
	return 0;
}

static int parse_u64(const char *text, uint64_t *out)
{
	char *end;
	unsigned long long value;

	if (!*text || *text == '-')
		return -1;
	value = strtoull(text, &end, 10);
	if (*end || value == ULLONG_MAX)
		return -1;
	*out = value;
	return 0;
}

static int load_baseline(const cli_inputs *in, const char *path, sf_snapshot **out)
{
	char *one[1] = { (char *)path };
	int code = cli_gate_snapshot(in, one, 1, out);

	/* Checking against nothing proves nothing. */
	if (*out && sf_snapshot_count(*out) == 0 && in->glob_count == 0) {
		cli_error("%s: the baseline lists no structs", path);
		code = cli_exit_worst(code, CLI_EXIT_FINDINGS);
	}
	return code;
}

/*
 * Layouts of another target differ without any source change: one error,
 * not a violation per struct.  A snapshot without files says nothing.
 */
static int same_target(const char *baseline_path, const sf_snapshot *baseline,
		       const sf_snapshot *current)
{
	const char *was = sf_snapshot_target(baseline), *is = sf_snapshot_target(current);

	if (!was || !is || strcmp(was, is) == 0)
		return CLI_EXIT_OK;
	cli_error("%s: baseline is for %s, this build is %s", baseline_path, was, is);
	return CLI_EXIT_USAGE;
}

/* The last line of the text format: the verdict, for people reading a build log. */
static void print_summary(FILE *out, const sf_findings *findings, const sf_snapshot *current,
			  const char *baseline_path)
{
	size_t violations = sf_findings_violations(findings);
	size_t structs = sf_snapshot_count(current);

	if (violations && baseline_path)
		fprintf(out, "structfit check: FAILED, %zu violation%s of the layout baseline %s\n",
			violations, violations == 1 ? "" : "s", baseline_path);
	else if (violations)
		fprintf(out, "structfit check: FAILED, %zu violation%s of the layout budgets\n",
			violations, violations == 1 ? "" : "s");
	else
		fprintf(out, "structfit check: passed, %zu struct%s checked against %s\n", structs,
			structs == 1 ? "" : "s", baseline_path ? baseline_path : "the budgets");
	fflush(out);
}

/* The verdict heading the Markdown document, the text format's last line in bold. */
static void markdown_verdict(sf_buf *buf, const sf_findings *findings, const sf_snapshot *current,
			     const char *baseline_path)
{
	size_t violations = sf_findings_violations(findings);
	size_t structs = sf_snapshot_count(current);

	if (violations)
		cli_buf_printf(buf, "**structfit check: failed**, %zu violation%s of the layout %s",
			       violations, violations == 1 ? "" : "s", baseline_path ? "baseline" : "budgets");
	else
		cli_buf_printf(buf, "**structfit check: passed**, %zu struct%s checked against %s", structs,
			       structs == 1 ? "" : "s", baseline_path ? "the baseline" : "the budgets");
	if (baseline_path) {
		cli_buf_printf(buf, " `");
		sf_emit_markdown_escape(buf, baseline_path, 1);
		cli_buf_printf(buf, "`");
	}
	cli_buf_printf(buf, "\n%s", sf_findings_count(findings) ? "\n" : "");
}

static bool has_budget(const sf_gate_options *gate)
{
	return gate->has_max_padding || gate->max_size_count || gate->max_cachelines_count ||
	       gate->no_new_holes;
}

typedef struct check_args {
	sf_gate_options gate;
	sf_gate_budget *sizes;
	sf_gate_budget *lines;
	const char *baseline_path;
	const char *source_root;
	int format;
} check_args;

static int check_option(void *ctx, cli_inputs *in, int key, const char *arg)
{
	check_args *args = ctx;

	switch (key) {
	case OPT_BASELINE:
		args->baseline_path = arg;
		return 1;
	case OPT_MAX_PADDING:
		if (parse_u64(arg, &args->gate.max_padding) != 0)
			return cli_inputs_usage_error(in, "max-padding", arg, "a byte count");
		args->gate.has_max_padding = 1;
		return 1;
	case OPT_MAX_SIZE:
		if (parse_budget(arg, &args->sizes[args->gate.max_size_count]) != 0)
			return cli_inputs_usage_error(in, "max-size", arg, "STRUCT=BYTES");
		args->gate.max_size_count++;
		return 1;
	case OPT_MAX_CACHELINES:
		if (parse_budget(arg, &args->lines[args->gate.max_cachelines_count]) != 0)
			return cli_inputs_usage_error(in, "max-cachelines", arg, "STRUCT=LINES");
		args->gate.max_cachelines_count++;
		return 1;
	case OPT_NO_NEW_HOLES:
		args->gate.no_new_holes = 1;
		return 1;
	case OPT_FORMAT:
		args->format = cli_parse_choice(arg, format_names);
		if (args->format < 0)
			return cli_inputs_usage_error(in, "format", arg, "text, json, sarif or markdown");
		return 1;
	case OPT_SOURCE_ROOT:
		args->source_root = arg;
		return 1;
	default:
		return 0;
	}
}

int cli_check_run(const cli_command *self, int argc, char **argv)
{
	check_args args = { .gate = SF_GATE_OPTIONS_INIT };
	cli_inputs in;
	cli_source_root root = { NULL, NULL };
	sf_snapshot *baseline = NULL, *current = NULL;
	sf_findings *findings = NULL;
	sf_buf buf = SF_BUF_INIT;
	sf_findings_format format;
	int code;
	int rc;

	code = cli_inputs_init(&in, self->name, argc);
	args.sizes = calloc((size_t)argc + 1, sizeof(*args.sizes));
	args.lines = calloc((size_t)argc + 1, sizeof(*args.lines));
	if (code == CLI_EXIT_OK && (!args.sizes || !args.lines)) {
		cli_error("out of memory");
		code = CLI_EXIT_INTERNAL;
	}
	if (code != CLI_EXIT_OK)
		goto done;
	args.gate.max_size = args.sizes;
	args.gate.max_cachelines = args.lines;
	code = cli_inputs_parse(&in, self, argc, argv, check_option, &args);
	if (code == CLI_EXIT_OK && !args.baseline_path && !has_budget(&args.gate)) {
		cli_error("--baseline=FILE or a budget (--max-padding, --max-size, --max-cachelines, "
			  "--no-new-holes) is required (see structfit check --help)");
		code = CLI_EXIT_USAGE;
	}
	if (code == CLI_EXIT_OK)
		code = cli_inputs_require_files(&in);
	if (code != CLI_EXIT_OK)
		goto done;
	format = format_values[args.format];
	code = cli_gate_source_root(&root, args.source_root);
	if (code != CLI_EXIT_OK)
		goto done;
	if (args.baseline_path) {
		code = load_baseline(&in, args.baseline_path, &baseline);
		if (!baseline || code != CLI_EXIT_OK)
			goto done;
		/* An old baseline holds absolute paths: made here, they still pair. */
		code = cli_gate_relate(baseline, &root);
		if (code != CLI_EXIT_OK)
			goto done;
	}
	code = cli_exit_worst(code, cli_gate_snapshot(&in, in.files, in.file_count, &current));
	if (!current)
		goto done;
	code = cli_exit_worst(code, cli_gate_relate(current, &root));
	/* A partial build would report structs of the failed inputs as removed. */
	if (code >= CLI_EXIT_USAGE)
		goto done;
	if (baseline) {
		/* What -C selected through a typedef name in the build. */
		code = cli_exit_worst(code, cli_gate_reselect_json(&in, args.baseline_path, current, &baseline));
		code = cli_exit_worst(code, cli_gate_relate(baseline, &root));
		if (code >= CLI_EXIT_USAGE)
			goto done;
	}
	cli_gate_exclude_marked(&in, baseline);
	if (baseline)
		code = cli_exit_worst(code, same_target(args.baseline_path, baseline, current));
	if (code < CLI_EXIT_USAGE)
		code = cli_exit_worst(code, cli_gate_require_structs(&in, baseline, current,
								      "nothing to check"));
	if (code != CLI_EXIT_OK)
		goto done;
	rc = sf_gate_check(&findings, baseline, current, &args.gate);
	if (rc == 0 && format == SF_FINDINGS_MARKDOWN)
		markdown_verdict(&buf, findings, current, args.baseline_path);
	if (rc == 0)
		rc = sf_emit_findings(&buf, findings, format, root.logical);
	if (rc != 0) {
		cli_error("%s", sf_error_last());
		code = cli_exit_worst(code, cli_exit_from_error(rc));
		goto done;
	}
	code = cli_exit_worst(code, cli_inputs_write(&in, &buf, code));
	if (format == SF_FINDINGS_TEXT)
		print_summary(in.output ? stderr : stdout, findings, current, args.baseline_path);
	if (sf_findings_violations(findings))
		code = cli_exit_worst(code, CLI_EXIT_FINDINGS);
done:
	for (size_t i = 0; args.sizes && i < args.gate.max_size_count; i++)
		free((char *)args.sizes[i].pattern);
	for (size_t i = 0; args.lines && i < args.gate.max_cachelines_count; i++)
		free((char *)args.lines[i].pattern);
	free(args.sizes);
	free(args.lines);
	sf_buf_free(&buf);
	sf_findings_free(findings);
	sf_snapshot_free(current);
	sf_snapshot_free(baseline);
	cli_gate_source_root_release(&root);
	cli_inputs_release(&in);
	return cli_exit_status(code);
}
