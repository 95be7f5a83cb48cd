/* The `diff` command: what changed in the struct layouts between two builds. */
#include "cli_commands.h"
#include "cli_diff_html.h"
#include "cli_exit.h"
#include "cli_gate.h"
#include "cli_output.h"

#include <structfit/structfit.h>

#include <stdio.h>

enum {
	OPT_FORMAT = CLI_KEY_LONG_ONLY
};

const cli_option cli_diff_options[] = {
	CLI_INPUT_OPTIONS,
	{ "format", OPT_FORMAT, "FMT", "text (default), json or html (a self-contained page:\n"
	  "old and new byte maps side by side, changes marked;\n"
	  "OLD and NEW must be ELF files)" },
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

static const char *const format_names[] = { "text", "json", "html", NULL };

static int diff_option(void *ctx, cli_inputs *in, int key, const char *arg)
{
	int *format = ctx;

	if (key != OPT_FORMAT)
		return 0;
	*format = cli_parse_choice(arg, format_names);
	if (*format < 0)
		return cli_inputs_usage_error(in, "format", arg, "text, json or html");
	return 1;
}

int cli_diff_run(const cli_command *self, int argc, char **argv)
{
	cli_inputs in;
	sf_snapshot *old_build = NULL, *new_build = NULL;
	sf_findings *changes = NULL;
	sf_buf buf = SF_BUF_INIT;
	int format = 0;
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
	if (rc == 0 && format == 2) {
		code = cli_exit_worst(code, cli_diff_html(&in, changes, &buf));
		if (code >= CLI_EXIT_USAGE)
			goto done;
	} else if (rc == 0) {
		rc = sf_emit_findings(&buf, changes, format == 1 ? SF_FINDINGS_JSON : SF_FINDINGS_DIFF, NULL);
	}
	if (rc != 0) {
		cli_error("%s", sf_error_last());
		code = cli_exit_worst(code, cli_exit_from_error(rc));
		goto done;
	}
	code = cli_exit_worst(code, cli_inputs_write(&in, &buf, code));
	if (format == 0 && sf_findings_count(changes) == 0)
		fprintf(in.output ? stderr : stdout, "no layout changes (%zu structs compared)\n",
			sf_snapshot_count(new_build));
	if (sf_findings_count(changes))
		code = cli_exit_worst(code, CLI_EXIT_FINDINGS);
done:
	sf_buf_free(&buf);
	sf_findings_free(changes);
	sf_snapshot_free(old_build);
	sf_snapshot_free(new_build);
	cli_inputs_release(&in);
	return cli_exit_status(code);
}
