/* The profile options shared by the commands that plan layouts: --profile, --profile-map, --allocator. */
#ifndef STRUCTFIT_CLI_PROFILE_H
#define STRUCTFIT_CLI_PROFILE_H

#include "cli_inputs.h"

#include <structfit/structfit.h>

#include <stddef.h>

enum {
	CLI_PROFILE_FILE = CLI_KEY_LONG_ONLY + 300,
	CLI_PROFILE_MAP,
	CLI_PROFILE_ALLOCATOR
};

#define CLI_PROFILE_OPTIONS \
	{ "profile", CLI_PROFILE_FILE, "FILE", "access profile: valgrind DHAT JSON, a Go\n" \
	  "heap profile (runtime/pprof, or go tool pprof -raw)\n" \
	  "or CSV (type,member,reads,writes[,threads]); repeatable" }, \
	{ "profile-map", CLI_PROFILE_MAP, "FILE:LINE=TYPE", "the allocation site at FILE:LINE allocates\n" \
	  "TYPE (settles an ambiguous site; repeatable)" }, \
	{ "allocator", CLI_PROFILE_ALLOCATOR, "NAME", "size classes: glibc (default), jemalloc,\n" \
	  "tcmalloc, go, kmalloc or none (Go heap profiles: go)" }

typedef struct cli_profile {
	const char **files;
	size_t file_count;
	const char **maps;
	size_t map_count;
	sf_allocator allocator;
	sf_profile *profile;        /* after cli_profile_load(), NULL without --profile */
	sf_impact *impact;          /* after cli_profile_attach() */
} cli_profile;

/* Returns an exit code; the arrays hold up to argc entries. */
int cli_profile_init(cli_profile *p, int argc);
void cli_profile_release(cli_profile *p);

/* An option of CLI_PROFILE_OPTIONS: 1 when handled, 0 when `key` is not
 * one of them, or an exit code after printing why the value is bad. */
int cli_profile_option(cli_profile *p, const cli_inputs *in, int key, const char *arg);

/* Reads the --profile files (before the inputs: a bad profile should not
 * cost a long load).  Returns an exit code after printing the error. */
int cli_profile_load(cli_profile *p);

/* Matches the profiles to `report` (sources searched in "." and beside
 * the inputs), prints the ambiguous sites to stderr
 * and fills opts->heat.  Returns an exit code after printing the error;
 * CLI_EXIT_OK without --profile. */
int cli_profile_attach(cli_profile *p, const cli_inputs *in, const sf_report *report,
		       sf_reorder_options *opts);

/* Hands the impact to an emitter; nothing without --profile. */
void cli_profile_emit_options(const cli_profile *p, sf_emit_options *eopts, int sort_impact);

#endif
