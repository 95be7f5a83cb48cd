/* --profile, --profile-map and --allocator: reading profiles, matching them to the report, warnings for ambiguous sites. */
#include "cli_profile.h"

#include "cli_exit.h"
#include "cli_output.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cli_profile_init(cli_profile *p, int argc)
{
	memset(p, 0, sizeof(*p));
	p->allocator = SF_ALLOCATOR_GLIBC;
	p->files = calloc((size_t)argc + 1, sizeof(*p->files));
	p->maps = calloc((size_t)argc + 1, sizeof(*p->maps));
	if (!p->files || !p->maps) {
		cli_error("out of memory");
		return CLI_EXIT_INTERNAL;
	}
	return CLI_EXIT_OK;
}

void cli_profile_release(cli_profile *p)
{
	sf_impact_free(p->impact);
	sf_profile_free(p->profile);
	free(p->files);
	free(p->maps);
	memset(p, 0, sizeof(*p));
}

int cli_profile_option(cli_profile *p, const cli_inputs *in, int key, const char *arg)
{
	switch (key) {
	case CLI_PROFILE_FILE:
		p->files[p->file_count++] = arg;
		return 1;
	case CLI_PROFILE_MAP:
		p->maps[p->map_count++] = arg;
		return 1;
	case CLI_PROFILE_ALLOCATOR:
		if (sf_allocator_parse(&p->allocator, arg) != 0)
			return cli_inputs_usage_error(in, "allocator", arg,
						      "glibc, jemalloc, tcmalloc, go, kmalloc or none");
		return 1;
	default:
		return 0;
	}
}

int cli_profile_load(cli_profile *p)
{
	int rc;

	if (!p->file_count) {
		if (p->map_count) {
			cli_error("--profile-map needs a --profile");
			return CLI_EXIT_USAGE;
		}
		return CLI_EXIT_OK;
	}
	rc = sf_profile_new(&p->profile);
	for (size_t i = 0; i < p->file_count && rc == 0; i++)
		rc = sf_profile_load(p->profile, p->files[i]);
	for (size_t i = 0; i < p->map_count && rc == 0; i++)
		rc = sf_profile_map(p->profile, p->maps[i]);
	if (rc != 0) {
		cli_error("%s", sf_error_last());
		return cli_exit_from_error(rc);
	}
	return CLI_EXIT_OK;
}

static void name_of(const sf_report *report, size_t index, char *out, size_t cap)
{
	sf_report_struct_info info = SF_REPORT_STRUCT_INFO_INIT;

	if (sf_report_struct(&info, report, index) != 0 || (!info.name && !info.typedef_name))
		snprintf(out, cap, "<anonymous>");
	else
		snprintf(out, cap, "%s", info.name ? info.name : info.typedef_name);
}

/* One warning per ambiguous site (the user settles it with --profile-map), and per matched site whose access histogram wrapped. */
static void warn_ambiguous(const cli_profile *p, const sf_report *report)
{
	for (size_t i = 0; i < sf_impact_site_count(p->impact); i++) {
		sf_impact_site_info s = SF_IMPACT_SITE_INFO_INIT;
		char list[512] = "";
		size_t used = 0;
		if (sf_impact_site(&s, p->impact, i) != 0)
			continue;
		if (s.status == SF_SITE_MATCHED && s.acc_wrapped) {
			char name[200];
			name_of(report, s.index, name, sizeof(name));
			cli_note("%s: allocation site %s:%u (%s): DHAT's per-byte access counts wrapped "
				 "(valgrind keeps them in 16 bits), so its member heat is left out; "
				 "profile a shorter run, or give the counts as CSV",
				 s.profile, s.file ? s.file : "?", s.line, name);
			continue;
		}
		if (s.status != SF_SITE_AMBIGUOUS)
			continue;
		for (size_t c = 0; c < s.candidate_count && used + 2 < sizeof(list); c++) {
			char name[200];
			name_of(report, s.candidates[c], name, sizeof(name));
			used += (size_t)snprintf(list + used, sizeof(list) - used, "%s%s", c ? ", " : "", name);
		}
		cli_note("%s: allocation site %s:%u (%llu-byte blocks) is ambiguous: %s; "
			 "settle it with --profile-map %s:%u=TYPE",
			 s.profile, s.file ? s.file : "?", s.line, (unsigned long long)s.block_size, list,
			 s.file ? s.file : "?", s.line);
	}
}

/* Frames name sources as the compiler saw them, often bare file names:
 * "." covers runs from the build directory, the inputs' directories the
 * usual in-tree build. */
static char **source_dirs(const cli_inputs *in, size_t *count)
{
	char **dirs = calloc(in->file_count + 1, sizeof(*dirs));

	*count = 0;
	if (!dirs)
		return NULL;
	dirs[(*count)++] = strdup(".");
	for (size_t i = 0; i < in->file_count; i++) {
		const char *slash = strrchr(in->files[i], '/');
		if (slash)
			dirs[(*count)++] = strndup(in->files[i], (size_t)(slash - in->files[i]));
	}
	for (size_t i = 0; i < *count; i++) {
		if (!dirs[i]) {
			for (size_t k = 0; k < *count; k++)
				free(dirs[k]);
			free(dirs);
			return NULL;
		}
	}
	return dirs;
}

int cli_profile_attach(cli_profile *p, const cli_inputs *in, const sf_report *report,
		       sf_reorder_options *opts)
{
	sf_impact_options iopts = SF_IMPACT_OPTIONS_INIT;
	char **dirs;
	size_t dir_count = 0;
	int rc;

	if (!p->profile)
		return CLI_EXIT_OK;
	dirs = source_dirs(in, &dir_count);
	if (!dirs) {
		cli_error("out of memory");
		return CLI_EXIT_INTERNAL;
	}
	iopts.allocator = p->allocator;
	iopts.source_dirs = (const char *const *)dirs;
	iopts.source_dir_count = dir_count;
	iopts.partial_selection = in->glob_count || in->exclude_count;
	rc = sf_impact_build(&p->impact, p->profile, report, &iopts);
	for (size_t i = 0; i < dir_count; i++)
		free(dirs[i]);
	free(dirs);
	if (rc != 0) {
		cli_error("%s", sf_error_last());
		return cli_exit_from_error(rc);
	}
	warn_ambiguous(p, report);
	if (iopts.partial_selection && sf_impact_site_count(p->impact) &&
	    !sf_impact_matched_sites(p->impact))
		cli_note("no allocation site of the profile matches the selected structs");
	if (opts) {
		const sf_member_heat *heat = NULL;
		size_t count = 0;
		if (sf_impact_heat(&heat, &count, p->impact) == 0) {
			opts->heat = heat;
			opts->heat_count = count;
		}
	}
	return CLI_EXIT_OK;
}

void cli_profile_emit_options(const cli_profile *p, sf_emit_options *eopts, int sort_impact)
{
	eopts->impact = p->impact;
	eopts->sort_impact = p->impact && sort_impact;
}
