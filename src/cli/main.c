/* structfit's entry point: the command table, global options and `help`. */
#include "cli_commands.h"
#include "cli_exit.h"
#include "cli_output.h"

#include <structfit/structfit.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int help_run(const cli_command *self, int argc, char **argv);

static const cli_option help_options[] = {
	{ "help", 'h', NULL, "show this help and exit" },
	{ NULL, 0, NULL, NULL }
};

static const cli_command commands[] = {
	{ "report", cli_report_run, "print struct layouts with holes, padding and cache lines",
	  "[options] FILE...", cli_report_description, cli_report_options },
	{ "reorder", cli_reorder_run, "propose member orders that make structs smaller",
	  "[options] FILE...", cli_reorder_description, cli_reorder_options },
	{ "fix", cli_fix_run, "rewrite struct definitions in the sources in the proposed order",
	  "[--diff | --in-place | --output-dir DIR] [options] FILE...", cli_fix_description, cli_fix_options },
	{ "snapshot", cli_snapshot_run, "write a layout baseline for check",
	  "[options] FILE...", cli_snapshot_description, cli_snapshot_options },
	{ "check", cli_check_run, "fail when layouts drift from a baseline or exceed budgets",
	  "[--baseline=FILE] [budgets] [options] FILE...", cli_check_description, cli_check_options },
	{ "diff", cli_diff_run, "show what changed in the layouts between two builds",
	  "[options] OLD NEW", cli_diff_description, cli_diff_options },
	{ "assert", cli_assert_run, "write a header of static assertions pinning layouts",
	  "[options] FILE...", cli_assert_description, cli_assert_options },
	{ "help", help_run, "show the help of a command",
	  "[COMMAND]", "Shows the help of COMMAND, or the general help without one.", help_options },
	{ NULL, NULL, NULL, NULL, NULL, NULL }
};

static const cli_option main_options[] = {
	{ "help", 'h', NULL, "show this help and exit" },
	{ "version", 'V', NULL, "print the versions of structfit and its library and exit" },
	{ NULL, 0, NULL, NULL }
};

static const cli_command *command_find(const char *name)
{
	for (const cli_command *cmd = commands; cmd->name; cmd++)
		if (strcmp(cmd->name, name) == 0)
			return cmd;
	return NULL;
}

static void main_help(FILE *out)
{
	fputs("Usage: structfit <command> [options] FILE...\n"
	      "       structfit FILE... [options]  (the same as structfit report FILE...)\n"
	      "       structfit --help | --version\n\n"
	      "Reports the memory layout of the structs, unions and classes described by\n"
	      "the DWARF debug info of ELF files: members, holes, padding and cache lines.\n\n"
	      "Commands:\n", out);
	for (const cli_command *cmd = commands; cmd->name; cmd++)
		fprintf(out, "  %-10s%s\n", cmd->name, cmd->summary);
	fputs("\nOptions:\n", out);
	cli_options_print(out, main_options);
	fputs("\nRun 'structfit help COMMAND' or 'structfit COMMAND --help' for the options\n"
	      "of a command.\n\n"
	      "Environment:\n"
	      "  NO_COLOR  when set and not empty, --color=auto never colours\n\n", out);
	cli_exit_status_print(out);
}

static int help_run(const cli_command *self, int argc, char **argv)
{
	const cli_command *cmd;
	cli_getopt g;
	int c;

	cli_getopt_build(&g, self->options, 0);
	opterr = 0;
	optind = 0;
	while ((c = getopt_long(argc, argv, g.shortopts, g.longopts, NULL)) != -1) {
		if (c == 'h') {
			cli_command_help(stdout, self);
			return CLI_EXIT_OK;
		}
		return cli_option_error(self, c, argv, self->options);
	}
	if (optind >= argc) {
		main_help(stdout);
		return CLI_EXIT_OK;
	}
	if (argc - optind > 1) {
		cli_error("help takes one command name (see structfit --help)");
		return CLI_EXIT_USAGE;
	}
	cmd = command_find(argv[optind]);
	if (!cmd) {
		cli_error("unknown command '%s' (see structfit --help)", argv[optind]);
		return CLI_EXIT_USAGE;
	}
	cli_command_help(stdout, cmd);
	return CLI_EXIT_OK;
}

/*
 * `structfit FILE...` is `structfit report FILE...`, as pahole FILE is
 * pahole's listing.  A name that is neither a command nor a readable
 * file gets the usual error, with a hint when it exists but cannot be read.
 */
static int run_default(int argc, char **argv)
{
	const cli_command *report = command_find("report");
	const char *name = argv[0];
	struct stat st;
	char **args;
	int code;

	if (stat(name, &st) != 0) {
		cli_error("unknown command '%s' (see structfit --help)", name);
		return CLI_EXIT_USAGE;
	}
	if (S_ISDIR(st.st_mode) || access(name, R_OK) != 0) {
		cli_error("unknown command '%s': it names a %s, not a readable file to report "
			  "(see structfit --help)", name, S_ISDIR(st.st_mode) ? "directory" : "file");
		return CLI_EXIT_USAGE;
	}
	args = calloc((size_t)argc + 2, sizeof(*args));
	if (!args) {
		cli_error("out of memory");
		return CLI_EXIT_INTERNAL;
	}
	args[0] = (char *)"report";
	memcpy(args + 1, argv, (size_t)argc * sizeof(*args));
	code = report->run(report, argc + 1, args);
	free(args);
	return code;
}

int main(int argc, char **argv)
{
	const cli_command *cmd;
	cli_getopt g;
	int c;

	/* Options before the command only; the command parses the rest. */
	cli_getopt_build(&g, main_options, 1);
	opterr = 0;
	while ((c = getopt_long(argc, argv, g.shortopts, g.longopts, NULL)) != -1) {
		switch (c) {
		case 'h':
			main_help(stdout);
			return CLI_EXIT_OK;
		case 'V':
			printf("structfit %s\nlibstructfit %s\n", STRUCTFIT_VERSION, sf_version());
			return fflush(stdout) == 0 ? CLI_EXIT_OK : CLI_EXIT_READ;
		default:
			return cli_option_error(NULL, c, argv, main_options);
		}
	}
	if (optind >= argc) {
		fputs("Usage: structfit <command> [options] FILE...\n", stderr);
		cli_error("no command given (see structfit --help)");
		return CLI_EXIT_USAGE;
	}
	cmd = command_find(argv[optind]);
	if (!cmd)
		return run_default(argc - optind, argv + optind);
	return cmd->run(cmd, argc - optind, argv + optind);
}
