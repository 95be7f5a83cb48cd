/* The `diff` command: what changed in the struct layouts between two builds. */
#include "cli_commands.h"
#include "cli_exit.h"
#include "cli_gate.h"
#include "cli_output.h"

#include <structfit/structfit.h>

#include <stdio.h>

enum {
	OPT_FORMAT = CLI_KEY_LONG_ONLY
};

const cli_option cli_diff_options[] = {
	CLI_GATE_INPUT_OPTIONS,
	{ "format", OPT_FORMAT, "FMT", "text (default) or json" },
	{ "output", 'o', "FILE", "write to FILE (replaced atomically), not stdout" },
	{ "help", 'h', NULL, "show this help and exit" },
	{ NULL, 0, NULL, NULL }
};

const char cli_diff_description[] =
	"Compares the struct layouts of two builds and lists what changed, struct by\n"
	"struct: size, alignment, members moved (old and new offset), added, removed\n"
	"or retyped, holes and tail padding; structs only in one build.  OLD and NEW\n"
	"are each an ELF file (object, program, library, archive) or a baseline\n"
	"written by 'structfit snapshot'.  Exits 0 when nothing changed, 1 when\n"
	"something did.";

static const char *const format_names[] = { "text", "json", NULL };

int cli_diff_run(const cli_command *self, int argc, char **argv)
{
	cli_gate_inputs in;
	sf_snapshot *old_build = NULL, *new_build = NULL;
	sf_findings *changes = NULL;
	sf_buf buf = SF_BUF_INIT;
	const char *output = NULL;
	int format = 0;
	cli_getopt g;
	int code;
	int rc;
	int c;

	code = cli_gate_inputs_init(&in, self->name, argc);
	if (code != CLI_EXIT_OK)
		goto done;
	cli_getopt_build(&g, self->options, 0);
	opterr = 0;
	optind = 0;
	while ((c = getopt_long(argc, argv, g.shortopts, g.longopts, NULL)) != -1) {
		int handled = cli_gate_option(&in, c, optarg);
		if (handled == 1)
			continue;
		if (handled != 0) {
			code = handled;
			goto done;
		}
		switch (c) {
		case 'h':
			cli_command_help(stdout, self);
			goto done;
		case 'o':
			output = optarg;
			break;
		case OPT_FORMAT:
			format = cli_parse_choice(optarg, format_names);
			if (format < 0) {
				code = cli_gate_usage_error(&in, "format", optarg, "text or json");
				goto done;
			}
			break;
		default:
			code = cli_option_error(self, c, argv, self->options);
			goto done;
		}
	}
	if (argc - optind != 2) {
		cli_error("diff takes two inputs, OLD and NEW (see structfit diff --help)");
		code = CLI_EXIT_USAGE;
		goto done;
	}
	code = cli_gate_snapshot(&in, argv + optind, 1, &old_build);
	code = cli_exit_worst(code, cli_gate_snapshot(&in, argv + optind + 1, 1, &new_build));
	if (!old_build || !new_build || code >= CLI_EXIT_USAGE)
		goto done;
	rc = sf_gate_diff(&changes, old_build, new_build);
	if (rc == 0)
		rc = sf_emit_findings(&buf, changes, format == 1 ? SF_FINDINGS_JSON : SF_FINDINGS_DIFF, NULL);
	if (rc != 0) {
		cli_error("%s", sf_error_last());
		code = cli_exit_worst(code, cli_exit_from_error(rc));
		goto done;
	}
	code = cli_exit_worst(code, cli_gate_write(&buf, output));
	if (format == 0 && sf_findings_count(changes) == 0)
		fprintf(output ? stderr : stdout, "no layout changes (%zu structs compared)\n",
			sf_snapshot_count(new_build));
	if (sf_findings_count(changes))
		code = cli_exit_worst(code, CLI_EXIT_FINDINGS);
done:
	sf_buf_free(&buf);
	sf_findings_free(changes);
	sf_snapshot_free(old_build);
	sf_snapshot_free(new_build);
	cli_gate_inputs_release(&in);
	return code;
}
