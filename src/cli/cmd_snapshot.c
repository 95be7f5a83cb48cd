/* The `snapshot` command: write the layout baseline that `check` compares builds with. */
#include "cli_commands.h"
#include "cli_exit.h"
#include "cli_gate.h"
#include "cli_output.h"

#include <structfit/structfit.h>

enum {
	OPT_SOURCE_ROOT = CLI_KEY_LONG_ONLY
};

const cli_option cli_snapshot_options[] = {
	CLI_INPUT_OPTIONS,
	{ "source-root", OPT_SOURCE_ROOT, "DIR", "write declaration paths under DIR relative to it\n"
	  "(default: the current directory)" },
	CLI_OPTION_OUTPUT,
	CLI_OPTION_HELP,
	{ NULL, 0, NULL, NULL }
};

const char cli_snapshot_description[] =
	"Writes the layouts of the structs defined in the debug info of the FILEs\n"
	"as a baseline for 'structfit check': JSON in the schema of 'report\n"
	"--format=json', trimmed to what the gate compares (sizes, alignment,\n"
	"members, holes, padding, declaration sites), sorted by kind and name with\n"
	"one struct per line, so that a baseline under version control diffs well.\n"
	"Declaration files under the source root are written relative to it, so the\n"
	"baseline checks builds made in other checkouts.  A FILE may also be an\n"
	"earlier baseline, to re-select structs with -C.";

static int snapshot_option(void *ctx, cli_inputs *in, int key, const char *arg)
{
	(void)in;
	if (key != OPT_SOURCE_ROOT)
		return 0;
	*(const char **)ctx = arg;
	return 1;
}

int cli_snapshot_run(const cli_command *self, int argc, char **argv)
{
	cli_inputs in;
	cli_source_root root = { NULL, NULL };
	const char *root_dir = NULL;
	sf_snapshot *snap = NULL;
	sf_buf buf = SF_BUF_INIT;
	int code;

	code = cli_inputs_init(&in, self->name, argc);
	if (code == CLI_EXIT_OK)
		code = cli_inputs_parse_files(&in, self, argc, argv, snapshot_option, &root_dir);
	if (code != CLI_EXIT_OK)
		goto done;
	code = cli_gate_source_root(&root, root_dir);
	if (code != CLI_EXIT_OK)
		goto done;
	code = cli_gate_snapshot(&in, in.files, in.file_count, &snap);
	if (!snap)
		goto done;
	code = cli_exit_worst(code, cli_gate_relate(snap, &root));
	/* An empty baseline would let every later check pass. */
	code = cli_exit_worst(code, cli_gate_require_structs(&in, snap, NULL, "no baseline written"));
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
	code = cli_exit_worst(code, cli_inputs_write(&in, &buf, code));
done:
	sf_buf_free(&buf);
	sf_snapshot_free(snap);
	cli_gate_source_root_release(&root);
	cli_inputs_release(&in);
	return cli_exit_status(code);
}
