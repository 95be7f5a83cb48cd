/* The command handlers and option tables that main.c lists in its command table. */
#ifndef STRUCTFIT_CLI_COMMANDS_H
#define STRUCTFIT_CLI_COMMANDS_H

#include "cli_options.h"

/* `structfit report`: layouts of the selected structs of all inputs. */
extern const cli_option cli_report_options[];
extern const char cli_report_description[];
int cli_report_run(const cli_command *self, int argc, char **argv);

/* The gate commands: baselines, the check against them, build diffs, assertion headers. */
extern const cli_option cli_snapshot_options[], cli_check_options[], cli_diff_options[],
	cli_assert_options[];
extern const char cli_snapshot_description[], cli_check_description[], cli_diff_description[],
	cli_assert_description[];
int cli_snapshot_run(const cli_command *self, int argc, char **argv);
int cli_check_run(const cli_command *self, int argc, char **argv);
int cli_diff_run(const cli_command *self, int argc, char **argv);
int cli_assert_run(const cli_command *self, int argc, char **argv);

/* `structfit reorder`: smallest member orders of the selected structs. */
extern const cli_option cli_reorder_options[];
extern const char cli_reorder_description[];
int cli_reorder_run(const cli_command *self, int argc, char **argv);

/* `structfit fix`: the proposals applied to the sources as a diff, in place or in a copy. */
extern const cli_option cli_fix_options[];
extern const char cli_fix_description[];
int cli_fix_run(const cli_command *self, int argc, char **argv);

#endif
