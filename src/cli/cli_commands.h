/* The command handlers and option tables that main.c lists in its command table. */
#ifndef STRUCTFIT_CLI_COMMANDS_H
#define STRUCTFIT_CLI_COMMANDS_H

#include "cli_options.h"

/* `structfit report`: layouts of the selected structs of all inputs. */
extern const cli_option cli_report_options[];
extern const char cli_report_description[];
int cli_report_run(const cli_command *self, int argc, char **argv);

#endif
