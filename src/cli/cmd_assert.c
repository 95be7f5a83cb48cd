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
	OPT_GUARD,
	OPT_INCLUDE_LOCAL
};

const cli_option cli_assert_options[] = {
	CLI_INPUT_OPTIONS,
	{ "offsets", OPT_OFFSETS, NULL, "also assert offsetof() of every named member\n(bitfields have none)" },
	{ "align", OPT_ALIGN, NULL, "also assert _Alignof() of each struct" },
	{ "guard", OPT_GUARD, "NAME", "include guard macro (default: from the -o file name)" },
	{ "include-local", OPT_INCLUDE_LOCAL, NULL, "also structs declared in .c files (only a\ntranslation unit including that file can name them)" },
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
	"Structs the inputs define in several ways, and structs declared in .c\n"
	"files (unless --include-local), are skipped with a comment, and so are\n"
	"alignments the debug info cannot pin down; stderr counts what was left\n"
	"out, and a header that would assert nothing is not written (exit 1).\n"
	"The header compiles as C89 to C23 and C++98 on: _Static_assert or\n"
	"static_assert where the dialect has them, else a typedef whose name\n"
	"carries the struct and the figure.  Types local to a function cannot be\n"
	"named from a header: leave them out with -C.  A FILE may also be a\n"
	"baseline written by 'structfit snapshot'.";

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
	case OPT_INCLUDE_LOCAL:
		aopts->include_local = 1;
		return 1;
	default:
		return 0;
	}
}

/* Says on stderr what the header leaves out; exit 1 when it asserts nothing. */
static int report_skipped(const sf_assert_stats *st)
{
	if (st->conflicting)
		cli_note("%zu struct%s skipped: the inputs define %s with different layouts", st->conflicting,
			 st->conflicting == 1 ? "" : "s", st->conflicting == 1 ? "it" : "them");
	if (st->local)
		cli_note("%zu struct%s skipped: declared in .c files (--include-local keeps them)", st->local,
			 st->local == 1 ? "" : "s");
	if (st->unnamed)
		cli_note("%zu struct%s skipped: no name a header can spell, or a compiler built-in",
			 st->unnamed, st->unnamed == 1 ? "" : "s");
	if (st->align_unknown)
		cli_note("%zu alignment%s not asserted: the debug info cannot tell a packed layout "
			 "from an unpacked one", st->align_unknown, st->align_unknown == 1 ? "" : "s");
	if (st->asserted == 0) {
		cli_error("nothing to assert: no selected struct can be checked by a header");
		return CLI_EXIT_FINDINGS;
	}
	return CLI_EXIT_OK;
}

int cli_assert_run(const cli_command *self, int argc, char **argv)
{
	sf_assert_stats stats;
	sf_assert_options aopts = SF_ASSERT_OPTIONS_INIT;
	cli_inputs in;
	sf_snapshot *snap = NULL;
	sf_buf buf = SF_BUF_INIT;
	char guard[256];
	int code;
	int rc;

	code = cli_inputs_init(&in, self->name, argc);
	if (code == CLI_EXIT_OK)
		code = cli_inputs_parse_files(&in, self, argc, argv, assert_option, &aopts);
	if (code != CLI_EXIT_OK)
		goto done;
	if (!aopts.guard && in.output) {
		guard_from_path(guard, sizeof(guard), in.output);
		aopts.guard = guard;
	}
	code = cli_gate_snapshot(&in, in.files, in.file_count, &snap);
	if (!snap)
		goto done;
	code = cli_exit_worst(code, cli_gate_require_structs(&in, snap, NULL, "nothing to assert"));
	if (code != CLI_EXIT_OK)
		goto done;
	rc = sf_emit_asserts(&buf, snap, &aopts, &stats);
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
	code = cli_exit_worst(code, report_skipped(&stats));
	code = cli_exit_worst(code, cli_inputs_write(&in, &buf, code));
done:
	sf_buf_free(&buf);
	sf_snapshot_free(snap);
	cli_inputs_release(&in);
	return cli_exit_status(code);
}
