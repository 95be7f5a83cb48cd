/* The `diff` command: what changed in the struct layouts between two builds. */
#include "cli_commands.h"
#include "cli_diff_html.h"
#include "cli_exit.h"
#include "cli_gate.h"
#include "cli_output.h"

#include <structfit/structfit.h>

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

enum {
	OPT_FORMAT = CLI_KEY_LONG_ONLY
};

const cli_option cli_diff_options[] = {
	CLI_INPUT_OPTIONS,
	{ "format", OPT_FORMAT, "FMT", "text (default), json or html (a self-contained page:\n"
	  "old and new byte maps side by side, changes marked;\n"
	  "OLD and NEW must be ELF files) or markdown (a table\n"
	  "of the changed structs, for pull requests)" },
	CLI_OPTION_OUTPUT,
	CLI_OPTION_HELP,
	{ NULL, 0, NULL, NULL }
};

const char cli_diff_description[] =
	"Compares the struct layouts of two builds and lists what changed, struct by\n"
	"struct: size, alignment, members moved (old and new offset), added, removed\n"
	"or retyped, holes and tail padding; structs only in one build.  OLD and NEW\n"
	"are each an ELF file (object, program, library, archive) or a baseline\n"
	"written by 'structfit snapshot'.  Exits 0 when nothing changed, 1 when\n"
	"something did.";

static const char *const format_names[] = { "text", "json", "html", "markdown", NULL };

enum { FORMAT_TEXT, FORMAT_JSON, FORMAT_HTML, FORMAT_MARKDOWN };

static int diff_option(void *ctx, cli_inputs *in, int key, const char *arg)
{
	int *format = ctx;

	if (key != OPT_FORMAT)
		return 0;
	*format = cli_parse_choice(arg, format_names);
	if (*format < 0)
		return cli_inputs_usage_error(in, "format", arg, "text, json, html or markdown");
	return 1;
}

static bool same_text(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

/* The line above the table: how many structs changed, or that none did. */
static void markdown_heading(sf_buf *buf, const sf_findings *changes, const sf_snapshot *new_build)
{
	size_t structs = 0;
	const sf_finding *prev = NULL;

	/* The changes of one struct are consecutive. */
	for (size_t i = 0; i < sf_findings_count(changes); i++) {
		const sf_finding *f = sf_findings_get(changes, i);

		structs += !prev || !same_text(prev->struct_kind, f->struct_kind) ||
			   !same_text(prev->struct_name, f->struct_name) ||
			   !same_text(prev->decl_file, f->decl_file) || prev->decl_line != f->decl_line;
		prev = f;
	}
	if (structs)
		cli_buf_printf(buf, "**structfit diff**: %zu struct%s changed\n\n", structs,
			       structs == 1 ? "" : "s");
	else
		cli_buf_printf(buf, "**structfit diff**: no layout changes (%zu struct%s compared)\n",
			       sf_snapshot_count(new_build), sf_snapshot_count(new_build) == 1 ? "" : "s");
}

int cli_diff_run(const cli_command *self, int argc, char **argv)
{
	cli_inputs in;
	sf_snapshot *old_build = NULL, *new_build = NULL;
	sf_findings *changes = NULL;
	cli_source_root root = { NULL, NULL };
	sf_buf buf = SF_BUF_INIT;
	int format = FORMAT_TEXT;
	int code;
	int rc;

	code = cli_inputs_init(&in, self->name, argc);
	if (code == CLI_EXIT_OK)
		code = cli_inputs_parse(&in, self, argc, argv, diff_option, &format);
	if (code != CLI_EXIT_OK)
		goto done;
	if (in.file_count != 2) {
		cli_error("diff takes two inputs, OLD and NEW (see structfit diff --help)");
		code = CLI_EXIT_USAGE;
		goto done;
	}
	code = cli_gate_snapshot(&in, in.files, 1, &old_build);
	code = cli_exit_worst(code, cli_gate_snapshot(&in, in.files + 1, 1, &new_build));
	if (!old_build || !new_build || code >= CLI_EXIT_USAGE)
		goto done;
	/* What -C selected through a typedef name in a build given as debug info. */
	code = cli_exit_worst(code, cli_gate_reselect_json(&in, in.files[0], new_build, &old_build));
	code = cli_exit_worst(code, cli_gate_reselect_json(&in, in.files[1], old_build, &new_build));
	if (code >= CLI_EXIT_USAGE)
		goto done;
	cli_gate_exclude_marked(&in, old_build);
	cli_gate_exclude_marked(&in, new_build);
	code = cli_exit_worst(code, cli_gate_require_structs(&in, old_build, new_build, "nothing to compare"));
	if (code != CLI_EXIT_OK)
		goto done;
	rc = sf_gate_diff(&changes, old_build, new_build);
	if (rc == 0 && format == FORMAT_HTML) {
		code = cli_exit_worst(code, cli_diff_html(&in, changes, &buf));
		if (code >= CLI_EXIT_USAGE)
			goto done;
	} else if (rc == 0 && format == FORMAT_MARKDOWN) {
		/* A pull-request comment names files as the repository does: relative to here. */
		code = cli_exit_worst(code, cli_gate_source_root(&root, NULL));
		if (code >= CLI_EXIT_USAGE)
			goto done;
		markdown_heading(&buf, changes, new_build);
		rc = sf_emit_findings(&buf, changes, SF_FINDINGS_MARKDOWN, root.logical);
	} else if (rc == 0) {
		rc = sf_emit_findings(&buf, changes, format == FORMAT_JSON ? SF_FINDINGS_JSON : SF_FINDINGS_DIFF,
				      NULL);
	}
	if (rc != 0) {
		cli_error("%s", sf_error_last());
		code = cli_exit_worst(code, cli_exit_from_error(rc));
		goto done;
	}
	code = cli_exit_worst(code, cli_inputs_write(&in, &buf, code));
	if (format == FORMAT_TEXT && sf_findings_count(changes) == 0)
		fprintf(in.output ? stderr : stdout, "no layout changes (%zu structs compared)\n",
			sf_snapshot_count(new_build));
	if (sf_findings_count(changes))
		code = cli_exit_worst(code, CLI_EXIT_FINDINGS);
done:
	cli_gate_source_root_release(&root);
	sf_buf_free(&buf);
	sf_findings_free(changes);
	sf_snapshot_free(old_build);
	sf_snapshot_free(new_build);
	cli_inputs_release(&in);
	return cli_exit_status(code);
}
