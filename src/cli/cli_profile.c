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

/* One note per program line: DHAT keeps one program point per stack, so
 * a line reached from many callers would print its note many times. */
typedef struct site_note {
	size_t first;               /* site index of the first program point */
	int wrapped;                /* 0: ambiguous, 1: access counts wrapped */
	const char *profile, *file;
	unsigned line;
	uint64_t block_size;
	char list[512];             /* candidates, or the struct's name */
	size_t sites;
	uint64_t blocks;
} site_note;

static int compare_notes(const void *pa, const void *pb)
{
	const site_note *a = pa, *b = pb;
	int c;

	if (a->wrapped != b->wrapped)
		return a->wrapped - b->wrapped;
	if ((c = strcmp(a->profile, b->profile)) != 0 || (c = strcmp(a->file, b->file)) != 0)
		return c;
	if (a->line != b->line)
		return a->line < b->line ? -1 : 1;
	if (a->block_size != b->block_size)
		return a->block_size < b->block_size ? -1 : 1;
	if ((c = strcmp(a->list, b->list)) != 0)
		return c;
	return a->first < b->first ? -1 : a->first > b->first;
}

static int compare_first(const void *pa, const void *pb)
{
	const site_note *a = pa, *b = pb;
	return a->first < b->first ? -1 : a->first > b->first;
}

/* The note of site `i`, or 0 when it needs none. */
static int note_of(site_note *n, const cli_profile *p, const sf_report *report, size_t i,
		   size_t *outside, uint64_t *outside_blocks)
{
	sf_impact_site_info s = SF_IMPACT_SITE_INFO_INIT;
	size_t used = 0;

	if (sf_impact_site(&s, p->impact, i) != 0)
		return 0;
	if (s.outside) {
		(*outside)++;
		*outside_blocks += s.blocks;
		return 0;
	}
	if (!(s.status == SF_SITE_MATCHED && s.acc_wrapped) && s.status != SF_SITE_AMBIGUOUS)
		return 0;
	memset(n, 0, sizeof(*n));
	n->first = i;
	n->wrapped = s.status == SF_SITE_MATCHED;
	n->profile = s.profile;
	n->file = s.file ? s.file : "?";
	n->line = s.line;
	n->block_size = s.block_size;
	n->sites = 1;
	n->blocks = s.blocks;
	if (n->wrapped) {
		name_of(report, s.index, n->list, sizeof(n->list));
		return 1;
	}
	for (size_t c = 0; c < s.candidate_count && used + 2 < sizeof(n->list); c++) {
		char name[200];
		name_of(report, s.candidates[c], name, sizeof(name));
		used += (size_t)snprintf(n->list + used, sizeof(n->list) - used, "%s%s", c ? ", " : "", name);
	}
	return 1;
}

static void print_note(const site_note *n)
{
	char counts[96] = "";

	if (n->sites > 1)
		snprintf(counts, sizeof(counts), "; %zu program points, %llu blocks", n->sites,
			 (unsigned long long)n->blocks);
	if (n->wrapped) {
		cli_note("%s: allocation site %s:%u (%s%s): DHAT's per-byte access counts wrapped "
			 "(valgrind keeps them in 16 bits), so its member heat is left out; "
			 "profile a shorter run, or give the counts as CSV",
			 n->profile, n->file, n->line, n->list, counts);
		return;
	}
	cli_note("%s: allocation site %s:%u (%llu-byte blocks%s) is ambiguous: %s; "
		 "settle it with --profile-map %s:%u=TYPE",
		 n->profile, n->file, n->line, (unsigned long long)n->block_size, counts, n->list,
		 n->file, n->line);
}

/* Notes for ambiguous sites (the user settles them with --profile-map)
 * and matched sites whose access histogram wrapped, one per line of
 * source; one line counting the sites allocated inside libraries. */
static void warn_sites(const cli_profile *p, const sf_report *report)
{
	size_t count = sf_impact_site_count(p->impact), used = 0, merged = 0, outside = 0;
	uint64_t outside_blocks = 0;
	site_note *notes = calloc(count ? count : 1, sizeof(*notes));

	if (!notes) {
		cli_error("out of memory");
		return;
	}
	for (size_t i = 0; i < count; i++)
		used += (size_t)note_of(&notes[used], p, report, i, &outside, &outside_blocks);
	qsort(notes, used, sizeof(*notes), compare_notes);
	for (size_t i = 0; i < used; i++) {
		site_note *last = merged ? &notes[merged - 1] : NULL;
		if (last && last->wrapped == notes[i].wrapped && strcmp(last->profile, notes[i].profile) == 0 &&
		    strcmp(last->file, notes[i].file) == 0 && last->line == notes[i].line &&
		    last->block_size == notes[i].block_size && strcmp(last->list, notes[i].list) == 0) {
			last->sites++;
			last->blocks += notes[i].blocks;
			continue;
		}
		notes[merged++] = notes[i];
	}
	qsort(notes, merged, sizeof(*notes), compare_first);
	for (size_t i = 0; i < merged; i++)
		print_note(&notes[i]);
	if (outside)
		cli_note("%zu allocation site%s (%llu blocks) in library code were left out: "
			 "their files are not among the inputs' sources",
			 outside, outside == 1 ? "" : "s", (unsigned long long)outside_blocks);
	free(notes);
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
	warn_sites(p, report);
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
