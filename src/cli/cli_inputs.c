/* Shared option parsing, loading and output of the commands that read debug info. */
#include "cli_inputs.h"

#include "cli_exit.h"
#include "cli_globs.h"
#include "cli_load.h"
#include "cli_output.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const color_names[] = { "auto", "always", "never", NULL };
/* In sf_format_in order. */
static const char *const format_in_names[] = { "auto", "dwarf", "btf", NULL };

#define KERNEL_BTF "/sys/kernel/btf/vmlinux"

int cli_inputs_init(cli_inputs *in, const char *command, int argc)
{
	static const sf_load_options load = SF_LOAD_OPTIONS_INIT;
	static const sf_report_options report = SF_REPORT_OPTIONS_INIT;

	memset(in, 0, sizeof(*in));
	in->command = command;
	in->load = load;
	/* For checking that reusing definitions across units changes nothing. */
	if (getenv("STRUCTFIT_NO_REUSE") && strcmp(getenv("STRUCTFIT_NO_REUSE"), "1") == 0)
		in->load.no_reuse = 1;
	/* libdebuginfod reads its servers, cache and timeout from the
	 * environment itself; the library only learns whether it may ask. */
	if (getenv("DEBUGINFOD_URLS") && *getenv("DEBUGINFOD_URLS"))
		in->load.debuginfod = 1;
	in->report = report;
	in->color = CLI_COLOR_AUTO;
	in->globs = calloc((size_t)argc + 1, sizeof(*in->globs));
	in->excludes = calloc((size_t)argc + 1, sizeof(*in->excludes));
	in->debug_dirs = calloc((size_t)argc + 1, sizeof(*in->debug_dirs));
	in->dwo_dirs = calloc((size_t)argc + 1, sizeof(*in->dwo_dirs));
	in->ignore = calloc(1, sizeof(*in->ignore));
	if (!in->globs || !in->excludes || !in->debug_dirs || !in->dwo_dirs || !in->ignore) {
		cli_error("out of memory");
		return CLI_EXIT_INTERNAL;
	}
	return CLI_EXIT_OK;
}

void cli_inputs_release(cli_inputs *in)
{
	free(in->globs);
	for (size_t i = 0; i < in->glob_copy_count; i++)
		free(in->glob_copies[i]);
	free(in->glob_copies);
	free(in->excludes);
	free(in->debug_dirs);
	free(in->dwo_dirs);
	if (in->ignore)
		cli_ignore_release(in->ignore);
	free(in->ignore);
	in->ignore = NULL;
	in->globs = NULL;
	in->glob_copies = NULL;
	in->glob_copy_count = 0;
	in->excludes = NULL;
	in->debug_dirs = NULL;
	in->dwo_dirs = NULL;
}

int cli_inputs_usage_error(const cli_inputs *in, const char *option, const char *value,
			   const char *expected)
{
	cli_error("invalid value '%s' for --%s: expected %s (see structfit %s --help)", value, option,
		  expected, in->command);
	return CLI_EXIT_USAGE;
}

static int shared_option(cli_inputs *in, int key, const char *arg)
{
	unsigned value;

	switch (key) {
	case 'C':
		if (cli_globs_add(&in->globs, &in->glob_count, &in->glob_copies, &in->glob_copy_count,
				  arg) != 0) {
			cli_error("out of memory");
			return CLI_EXIT_INTERNAL;
		}
		return 1;
	case 'x':
		in->excludes[in->exclude_count++] = arg;
		return 1;
	case CLI_INPUT_CACHELINE:
		/* Cache lines are powers of two; catch typos before a long load. */
		if (cli_parse_uint(arg, 8, 1u << 20, &value) != 0 || (value & (value - 1)) != 0)
			return cli_inputs_usage_error(in, "cacheline", arg, "a power of two >= 8");
		in->report.cacheline = value;
		return 1;
	case 'j':
		if (cli_parse_uint(arg, 0, 4096, &value) != 0)
			return cli_inputs_usage_error(in, "jobs", arg, "a thread count (0 for one per CPU)");
		in->load.jobs = value;
		return 1;
	case CLI_INPUT_DEBUG_DIR:
		in->debug_dirs[in->debug_dir_count++] = arg;
		return 1;
	case CLI_INPUT_DWO_DIR:
		in->dwo_dirs[in->dwo_dir_count++] = arg;
		return 1;
	case CLI_INPUT_LOCAL_TYPES:
		in->load.local_types = 1;
		return 1;
	case CLI_INPUT_COLOR:
		in->color = cli_parse_choice(arg, color_names);
		if (in->color < 0)
			return cli_inputs_usage_error(in, "color", arg, "auto, always or never");
		return 1;
	case CLI_INPUT_FORMAT_IN:
		in->load.format_in = cli_parse_choice(arg, format_in_names);
		if (in->load.format_in < 0)
			return cli_inputs_usage_error(in, "format-in", arg, "dwarf, btf or auto");
		return 1;
	case CLI_INPUT_BTF_BASE:
		in->load.btf_base = arg;
		return 1;
	case CLI_INPUT_NO_DEBUGINFOD:
		in->load.debuginfod = 0;
		return 1;
	case 'o':
		in->output = arg;
		return 1;
	default:
		return 0;
	}
}

int cli_inputs_parse(cli_inputs *in, const cli_command *self, int argc, char **argv,
		     cli_option_fn fn, void *ctx)
{
	cli_getopt g;
	int c;

	cli_getopt_build(&g, self->options, 0);
	opterr = 0;
	optind = 0; /* glibc: 0 also resets state left by main's own parse */
	while ((c = getopt_long(argc, argv, g.shortopts, g.longopts, NULL)) != -1) {
		int handled;

		if (c == 'h') {
			cli_command_help(stdout, self);
			return CLI_EXIT_HELP;
		}
		/* getopt only returns keys of this command's table, so a
		 * shared key is always one the command offers. */
		handled = shared_option(in, c, optarg);
		if (handled == 0 && fn && c != '?' && c != ':')
			handled = fn(ctx, in, c, optarg);
		if (handled == 0)
			return cli_option_error(self, c, argv, self->options);
		if (handled != 1)
			return handled;
	}
	in->files = argv + optind;
	in->file_count = (size_t)(argc - optind);
	return CLI_EXIT_OK;
}

int cli_inputs_parse_files(cli_inputs *in, const cli_command *self, int argc, char **argv,
			   cli_option_fn fn, void *ctx)
{
	int code = cli_inputs_parse(in, self, argc, argv, fn, ctx);

	return code == CLI_EXIT_OK ? cli_inputs_require_files(in) : code;
}

/* Commands that, like pahole, read the running kernel's BTF without FILE. */
static int kernel_btf_default(const cli_inputs *in)
{
	static const char *const commands[] = { "report", "reorder", "assert", "snapshot" };

	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(in->command, commands[i]) == 0)
			return access(KERNEL_BTF, R_OK) == 0;
	return 0;
}

int cli_inputs_require_files(cli_inputs *in)
{
	static char *kernel_btf[] = { KERNEL_BTF, NULL };

	if (in->file_count > 0)
		return CLI_EXIT_OK;
	if (kernel_btf_default(in)) {
		cli_note("no FILE given: reading the running kernel's BTF (%s)", KERNEL_BTF);
		in->files = kernel_btf;
		in->file_count = 1;
		return CLI_EXIT_OK;
	}
	cli_error("no input files (see structfit %s --help)", in->command);
	return CLI_EXIT_USAGE;
}

/* True when a glob is a plain name, so its first definition is enough. */
static int is_plain_name(const char *glob)
{
	return strpbrk(glob, "*?[\\") == NULL;
}

/* fix edits the declarations at their source lines, which BTF lacks. */
static int refuse_btf(const sf_model *model)
{
	for (size_t i = 0; i < sf_model_file_count(model); i++) {
		const sf_file_info *file = sf_model_file(model, i);

		if (file->format && strcmp(file->format, "btf") == 0) {
			cli_error("%s: fix cannot work from BTF: it records no source files or lines to edit "
				  "(give it the object or its debug file with DWARF, built with -g)", file->path);
			return CLI_EXIT_UNSUPPORTED;
		}
	}
	return CLI_EXIT_OK;
}

int cli_inputs_load(cli_inputs *in, int first_match_ok, sf_model **model, sf_report **report)
{
	int loaded = 0;
	int code;
	int rc;

	*model = NULL;
	*report = NULL;
	in->report.name_globs = in->globs;
	in->report.name_glob_count = in->glob_count;
	in->report.exclude_globs = in->excludes;
	in->report.exclude_glob_count = in->exclude_count;
	in->report.exclude = cli_ignore_marked;
	in->report.exclude_ctx = in->ignore;
	in->report.jobs = in->load.jobs;
	in->load.debug_dirs = in->debug_dirs;
	in->load.debug_dir_count = in->debug_dir_count;
	in->load.dwo_dirs = in->dwo_dirs;
	in->load.dwo_dir_count = in->dwo_dir_count;
	/* -C lets the loader build only the named structs and, for plain
	 * names, stop at their first definitions. */
	in->load.only_names = in->globs;
	in->load.only_name_count = in->glob_count;
	in->load.first_match_only = first_match_ok && in->glob_count > 0;
	for (size_t i = 0; i < in->glob_count; i++)
		if (!is_plain_name(in->globs[i]))
			in->load.first_match_only = 0;

	rc = sf_model_new(model);
	if (rc != 0) {
		cli_error("%s", sf_error_last());
		return cli_exit_from_error(rc);
	}
	code = cli_load_files(*model, in->files, in->file_count, &in->load, &loaded);
	if (strcmp(in->command, "fix") == 0 && refuse_btf(*model) != CLI_EXIT_OK) {
		sf_model_free(*model);
		*model = NULL;
		return CLI_EXIT_UNSUPPORTED;
	}
	if (!loaded && sf_model_file_count(*model) == 0) {
		sf_model_free(*model);
		*model = NULL;
		return code;
	}
	rc = sf_report_build(report, *model, &in->report);
	if (rc != 0) {
		cli_error("%s", sf_error_last());
		sf_model_free(*model);
		*model = NULL;
		*report = NULL;
		code = cli_exit_worst(code, cli_exit_from_error(rc));
	}
	return code;
}

int cli_inputs_check_globs(const cli_inputs *in, const sf_model *model, const sf_report *report)
{
	int code = CLI_EXIT_OK;

	for (size_t i = 0; i < in->glob_count; i++) {
		sf_report_options one = in->report;
		sf_report *single = NULL;
		size_t count = sf_report_count(report);

		/* With one pattern the report itself answers; with several, ask per pattern. */
		if (count > 0 && in->glob_count > 1) {
			one.name_globs = &in->globs[i];
			one.name_glob_count = 1;
			if (sf_report_build(&single, model, &one) != 0)
				return CLI_EXIT_INTERNAL;
			count = sf_report_count(single);
			sf_report_free(single);
		}
		if (count == 0) {
			cli_error("no struct matches '%s'", in->globs[i]);
			code = CLI_EXIT_FINDINGS;
		}
	}
	return code;
}

int cli_inputs_color(const cli_inputs *in, int text_output)
{
	const char *no_color = getenv("NO_COLOR");

	if (!text_output || in->color == CLI_COLOR_NEVER)
		return 0;
	if (in->color == CLI_COLOR_ALWAYS)
		return 1;
	/* no-color.org: set and non-empty disables colour. */
	if (no_color && *no_color)
		return 0;
	return !in->output && isatty(STDOUT_FILENO);
}

int cli_inputs_write(const cli_inputs *in, const sf_buf *buf, int code)
{
	/* A failed run never replaces what the user already has. */
	if (in->output && code != CLI_EXIT_OK) {
		cli_note("%s not written because the command failed", in->output);
		return code;
	}
	if (in->output)
		return cli_write_file(in->output, buf->data ? buf->data : "", buf->len);
	return cli_write_stdout(buf->data ? buf->data : "", buf->len);
}
