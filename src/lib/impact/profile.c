/* The profile set: loading files, recognising their format, CSV rows and --profile-map entries. */
#include "impact/impact_private.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "util/fail.h"
#include "util/file_read.h"

/* Read through impact_sources.c, the one file of impact/ doing I/O. */

int sf_profile_new(sf_profile **out)
{
	sf_profile *p;

	if (!out)
		return sf__fail(SF_EUSAGE, "sf_profile_new: NULL argument");
	*out = NULL;
	p = calloc(1, sizeof(*p));
	if (!p || sf__arena_new(&p->arena) != 0) {
		free(p);
		return sf__fail(SF_ENOMEM, "out of memory");
	}
	p->sites_tail = &p->sites;
	p->rows_tail = &p->rows;
	p->maps_tail = &p->maps;
	*out = p;
	return 0;
}

void sf_profile_free(sf_profile *profile)
{
	if (!profile)
		return;
	sf__arena_free(profile->arena);
	free(profile);
}

size_t sf_profile_site_count(const sf_profile *profile)
{
	return profile ? profile->site_count : 0;
}

size_t sf_profile_row_count(const sf_profile *profile)
{
	return profile ? profile->row_count : 0;
}

/* DHAT writes `{"dhatFileVersion":` first; JSON of any other kind is
 * refused by the DHAT parser with its own message. */
static bool looks_like_json(const char *text, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (text[i] == ' ' || text[i] == '\t' || text[i] == '\n' || text[i] == '\r')
			continue;
		return text[i] == '{' || text[i] == '[';
	}
	return false;
}

/* One more DHAT or Go file's sites: a run of its own for the peaks. */
static void append_sites(sf_profile *profile, sf_profile_site *first, size_t count)
{
	profile->site_files++;
	*profile->sites_tail = first;
	while (*profile->sites_tail)
		profile->sites_tail = &(*profile->sites_tail)->next;
	profile->site_count += count;
}

int sf_profile_parse(sf_profile *profile, const char *text, size_t len, const char *name)
{
	sf_profile_site *first = NULL;
	size_t count = 0;
	int error;

	if (!profile || (!text && len) || !name)
		return sf__fail(SF_EUSAGE, "sf_profile_parse: NULL argument");
	name = sf__arena_strdup(profile->arena, name);
	if (!name)
		return sf__fail(SF_ENOMEM, "out of memory");
	if (sf__pprof_detect((const unsigned char *)text, len)) {
		error = sf__pprof_parse((const unsigned char *)text, len, name, profile->site_files,
					profile->arena, &first, &count);
		if (error)
			return error;
		profile->go_files++;
		append_sites(profile, first, count);
	} else if (memchr(text, '\0', len)) {
		return sf__fail(SF_EINVALID,
				"%s: not a profile (binary data; expected DHAT JSON, a Go heap profile or CSV)",
				name);
	} else if (sf__pprof_raw_detect(text, len)) {
		error = sf__pprof_raw_parse(text, len, name, profile->site_files, profile->arena, &first,
					    &count);
		if (error)
			return error;
		profile->go_files++;
		append_sites(profile, first, count);
	} else if (looks_like_json(text, len)) {
		error = sf__dhat_parse(text, len, name, profile->site_files, profile->arena, &first,
				       &count);
		if (error)
			return error;
		append_sites(profile, first, count);
	} else {
		sf_profile_row *rows = NULL;
		error = sf__profile_csv_parse(text, len, name, profile->arena, &rows, &count);
		if (error)
			return error;
		*profile->rows_tail = rows;
		while (*profile->rows_tail)
			profile->rows_tail = &(*profile->rows_tail)->next;
		profile->row_count += count;
	}
	return 0;
}

int sf_profile_load(sf_profile *profile, const char *path)
{
	char *text = NULL;
	size_t len = 0;
	int error;

	if (!profile || !path)
		return sf__fail(SF_EUSAGE, "sf_profile_load: NULL argument");
	error = sf__read_file(path, &text, &len);
	if (error == SF_ENOMEM)
		return sf__fail(SF_ENOMEM, "out of memory while reading %s", path);
	if (error)
		return sf__fail(errno == ENOENT ? SF_ENOTFOUND : SF_EIO, "%s: %s", path, strerror(errno));
	error = sf_profile_parse(profile, text, len, path);
	free(text);
	return error;
}

int sf_profile_map(sf_profile *profile, const char *spec)
{
	const char *eq, *colon;
	sf_profile_mapping *m;
	char *end;
	unsigned long line;

	if (!profile || !spec)
		return sf__fail(SF_EUSAGE, "sf_profile_map: NULL argument");
	eq = strrchr(spec, '=');
	colon = eq ? memrchr(spec, ':', (size_t)(eq - spec)) : NULL;
	if (!eq || !colon || colon == spec || eq[1] == '\0')
		return sf__fail(SF_EUSAGE, "--profile-map '%s': expected FILE:LINE=TYPE", spec);
	errno = 0;
	line = strtoul(colon + 1, &end, 10);
	if (end != eq || end == colon + 1 || errno || line == 0 || line > UINT32_MAX)
		return sf__fail(SF_EUSAGE, "--profile-map '%s': LINE must be a positive number", spec);
	m = sf__arena_alloc(profile->arena, sizeof(*m));
	if (!m)
		return sf__fail(SF_ENOMEM, "out of memory");
	m->spec = sf__arena_strdup(profile->arena, spec);
	m->file = sf__arena_strndup(profile->arena, spec, (size_t)(colon - spec));
	m->type = sf__arena_strdup(profile->arena, eq + 1);
	m->line = (unsigned)line;
	if (!m->spec || !m->file || !m->type)
		return sf__fail(SF_ENOMEM, "out of memory");
	*profile->maps_tail = m;
	profile->maps_tail = &m->next;
	return 0;
}
