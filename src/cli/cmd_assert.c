/* The `assert` command: a header of static assertions that pins the layouts of a build. */
#include "cli_commands.h"
#include "cli_exit.h"
#include "cli_gate.h"
#include "cli_output.h"

#include <structfit/structfit.h>

#include <ctype.h>
#include <string.h>

enum {
	OPT_OFFSETS = CLI_KEY_LONG_ONLY,
	OPT_ALIGN,
	OPT_GUARD
};

const cli_option cli_assert_options[] = {
	CLI_INPUT_OPTIONS,
	{ "offsets", OPT_OFFSETS, NULL, "also assert offsetof() of every named member\n(bitfields have none)" },
	{ "align", OPT_ALIGN, NULL, "also assert _Alignof() of each struct" },
	{ "guard", OPT_GUARD, "NAME", "include guard macro (default: from the -o file name)" },
	CLI_OPTION_OUTPUT,
	CLI_OPTION_HELP,
	{ NULL, 0, NULL, NULL }
};

const char cli_assert_description[] =
	"Writes a C/C++ header with one static assertion per selected struct that its\n"
	"size is what the FILEs' debug info says (with --align its alignment, with\n"
	"--offsets each named member's offset).  Compiled into the project, the\n"
	"header fails the build when a layout drifts from this reference build.\n"
	"The assertions only apply on the target the FILEs were built for (checked\n"
	"with the compiler's architecture, pointer-size and byte-order macros);\n"
	"define STRUCTFIT_REQUIRE_TARGET to make including it elsewhere an error.\n"
	"Structs the inputs define in several ways are skipped, with a comment.\n"
	"Types local to a function cannot be named from a header: leave them out\n"
	"with -C.  A FILE may also be a baseline written by 'structfit snapshot'.";

/* "out/layout_asserts.h" -> "LAYOUT_ASSERTS_H". */
static void guard_from_path(char *guard, size_t cap, const char *path)
{
	const char *base = strrchr(path, '/');
	size_t n = 0;

	base = base ? base + 1 : path;
	if (isdigit((unsigned char)*base) && n + 1 < cap)
		guard[n++] = '_';
	for (; *base && n + 1 < cap; base++)
		guard[n++] = isalnum((unsigned char)*base) ? (char)toupper((unsigned char)*base) : '_';
	guard[n] = '\0';
}

static int assert_option(void *ctx, cli_inputs *in, int key, const char *arg)
{
	sf_assert_options *aopts = ctx;

	(void)in;
	switch (key) {
	case OPT_OFFSETS:
		aopts->offsets = 1;
		return 1;
	case OPT_ALIGN:
		aopts->align = 1;
		return 1;
	case OPT_GUARD:
		aopts->guard = arg;
		return 1;
	default:
		return 0;
	}
}

int cli_assert_run(const cli_command *self, int argc, char **argv)
{
	sf_assert_options aopts = SF_ASSERT_OPTIONS_INIT;
	cli_inputs in;
	sf_snapshot *snap = NULL;
	sf_buf buf = SF_BUF_INIT;
	char guard[256];
	int code;
	int rc;

	code = cli_inputs_init(&in, self->name, argc);
	if (code == CLI_EXIT_OK)
		code = cli_inputs_parse(&in, self, argc, argv, assert_option, &aopts);
	if (code == CLI_EXIT_OK)
		code = cli_inputs_require_files(&in);
	if (code != CLI_EXIT_OK) {
		if (code == CLI_EXIT_HELP)
			code = CLI_EXIT_OK;
		goto done;
	}
	if (!aopts.guard && in.output) {
		guard_from_path(guard, sizeof(guard), in.output);
		aopts.guard = guard;
	}
	code = cli_gate_snapshot(&in, in.files, in.file_count, &snap);
	if (!snap)
		goto done;
	rc = sf_emit_asserts(&buf, snap, &aopts);
	if (rc != 0) {
		cli_error("%s", sf_error_last());
		code = cli_exit_worst(code, cli_exit_from_error(rc));
		goto done;
	}
	/* Assertions from a partial load would pin a layout nobody built. */
	if (code >= CLI_EXIT_USAGE) {
		cli_error("header not written because an input failed");
		goto done;
	}
	code = cli_exit_worst(code, cli_inputs_write(&in, &buf));
done:
	sf_buf_free(&buf);
	sf_snapshot_free(snap);
	cli_inputs_release(&in);
	return code;
}
