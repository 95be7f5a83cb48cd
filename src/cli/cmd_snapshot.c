/* The `snapshot` command: write the layout baseline that `check` compares builds with. */
#include "cli_commands.h"
#include "cli_exit.h"
#include "cli_gate.h"
#include "cli_output.h"

#include <structfit/structfit.h>

const cli_option cli_snapshot_options[] = {
	CLI_GATE_INPUT_OPTIONS,
	{ "output", 'o', "FILE", "write to FILE (replaced atomically), not stdout" },
	{ "help", 'h', NULL, "show this help and exit" },
	{ NULL, 0, NULL, NULL }
};

const char cli_snapshot_description[] =
	"Writes the layouts of the structs defined in the debug info of the FILEs\n"
	"as a baseline for 'structfit check': JSON in the schema of 'report\n"
	"--format=json', trimmed to what the gate compares (sizes, alignment,\n"
	"members, holes, padding, declaration sites), sorted by kind and name with\n"
	"one struct per line, so that a baseline under version control diffs well.\n"
	"A FILE may also be an earlier baseline, to re-select structs with -C.";

int cli_snapshot_run(const cli_command *self, int argc, char **argv)
{
	cli_gate_inputs in;
	sf_snapshot *snap = NULL;
	sf_buf buf = SF_BUF_INIT;
	const char *output = NULL;
	cli_getopt g;
	int code;
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
		if (c == 'h') {
			cli_command_help(stdout, self);
			goto done;
		}
		if (c == 'o') {
			output = optarg;
			continue;
		}
		code = cli_option_error(self, c, argv, self->options);
		goto done;
	}
	if (optind >= argc) {
		cli_error("no input files (see structfit snapshot --help)");
		code = CLI_EXIT_USAGE;
		goto done;
	}
	code = cli_gate_snapshot(&in, argv + optind, (size_t)(argc - optind), &snap);
	if (!snap)
		goto done;
	if (sf_emit_snapshot(&buf, snap) != 0) {
		cli_error("%s", sf_error_last());
		code = cli_exit_worst(code, CLI_EXIT_INTERNAL);
		goto done;
	}
	/* A baseline from a partial load would make the next check lie: write none. */
	if (code >= CLI_EXIT_USAGE) {
		cli_error("baseline not written because an input failed");
		goto done;
	}
	code = cli_exit_worst(code, cli_gate_write(&buf, output));
done:
	sf_buf_free(&buf);
	sf_snapshot_free(snap);
	cli_gate_inputs_release(&in);
	return code;
}
