/* Split DWARF: each skeleton unit of an image followed to the .dwp package
 * or .dwo file holding its types, which load like any image of the same
 * input (die_load.c). */
#include "dwarf/die_split.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dwarf/die_load.h"
#include "dwarf/die_reader.h"
#include "util/fail.h"

/* The candidate paths of one lookup; a fixed bound keeps messages short. */
#define MAX_CANDIDATES 8

typedef struct split_run {
	sf_model *model;
	const sf_debug_image *image;
	const char *input_path;
	uint32_t file_index;
	const sf_load_options *opts;
	sf_dw_skeleton *skeletons;
	size_t count;
	bool *covered;              /* per skeleton: its types were loaded */
	sf_skeleton_lines *lines;   /* skeletons with a line table */
	size_t line_count;
	char **tried;               /* first candidate of every .dwo lookup done */
	size_t tried_count;
	int worst;
	/* A package was there but could not be read: the units it stands
	 * for are not each reported missing as well. */
	bool package_failed;
} split_run;

/* One file opened for a lookup: the skeleton it stands for (NULL for a
 * package) and what the visit found. */
typedef struct split_visit {
	split_run *run;
	const sf_dw_skeleton *skeleton;
	const char *path;
	size_t matched;
	int res;
} split_visit;

static char *join(const char *dir, const char *name)
{
	size_t dir_len = strlen(dir), name_len = strlen(name);
	char *out;

	if (name[0] == '/' || dir_len == 0)
		return strdup(name);
	out = malloc(dir_len + name_len + 2);
	if (!out)
		return NULL;
	memcpy(out, dir, dir_len);
	out[dir_len] = '/';
	memcpy(out + dir_len + 1, name, name_len + 1);
	return out;
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}

/* The directory part of `path` ("." when none), in a fresh string. */
static char *dir_name(const char *path)
{
	const char *slash = strrchr(path, '/');
	if (!slash)
		return strdup(".");
	if (slash == path)
		return strdup("/");
	return strndup(path, (size_t)(slash - path));
}

static const char *const *dwo_dirs(const sf_load_options *opts, size_t *count)
{
	*count = opts->version >= 5 && opts->dwo_dirs ? opts->dwo_dir_count : 0;
	return *count ? opts->dwo_dirs : NULL;
}

/* Adds `path` (owned) unless NULL, a repeat, or past the bound; false on
 * allocation failure. */
static bool add_candidate(char **list, size_t *count, char *path)
{
	if (!path)
		return false;
	for (size_t i = 0; i < *count; i++) {
		if (strcmp(list[i], path) == 0) {
			free(path);
			return true;
		}
	}
	if (*count < MAX_CANDIDATES)
		list[(*count)++] = path;
	else
		free(path);
	return true;
}

static void free_candidates(char **list, size_t count)
{
	for (size_t i = 0; i < count; i++)
		free(list[i]);
}

/* Where the .dwo of `s` may be, in search order. */
static bool dwo_candidates(const split_run *run, const sf_dw_skeleton *s, char **list, size_t *count)
{
	size_t dir_count;
	const char *const *dirs = dwo_dirs(run->opts, &dir_count);
	bool ok = true;

	*count = 0;
	for (size_t i = 0; i < dir_count && ok; i++) {
		if (s->dwo_name[0] != '/')
			ok = add_candidate(list, count, join(dirs[i], s->dwo_name));
		ok = ok && add_candidate(list, count, join(dirs[i], base_name(s->dwo_name)));
	}
	if (ok && s->comp_dir)
		ok = add_candidate(list, count, join(s->comp_dir, s->dwo_name));
	else if (ok)
		ok = add_candidate(list, count, strdup(s->dwo_name));
	if (ok && run->input_path) {
		char *dir = dir_name(run->input_path);
		ok = dir && add_candidate(list, count, join(dir, base_name(s->dwo_name)));
		free(dir);
	}
	return ok;
}

/* The id of a split compile unit: its header (DWARF 5) or the .dwp index
 * row, else its root's DW_AT_GNU_dwo_id.  False when it has none. */
static bool split_unit_id(sf_dw_cursor *cursor, const sf_dw_unit *u, uint64_t *id)
{
	sf_dw_die root;
	sf_dw_value v;

	if (u->unit_type == DW_UT_split_compile || u->dwo_id) {
		*id = u->dwo_id;
		return true;
	}
	if (u->unit_type != DW_UT_compile || u->die_offset >= u->end ||
	    sf__dw_die_at(cursor, u, u->die_offset, &root) < 0 || !root.abbrev ||
	    sf__dw_attr(cursor, &root, DW_AT_GNU_dwo_id, &v) <= 0)
		return false;
	*id = v.u;
	return true;
}

/* Marks the skeletons whose ids the image's split units carry (all of
 * them for a package; the visit's own for a .dwo). */
static int match_ids(split_visit *visit, const sf_debug_image *image)
{
	split_run *run = visit->run;
	sf_dw_image dw;
	sf_dw_cursor cursor;
	int res = sf__dw_image_open(&dw, image, UINT64_MAX);

	if (res < 0)
		return res;
	res = sf__dw_cursor_init(&cursor, &dw);
	if (res < 0) {
		sf__dw_image_close(&dw);
		return res;
	}
	for (size_t i = 0; i < dw.spaces[SF_DW_INFO].count; i++) {
		uint64_t id;
		if (!split_unit_id(&cursor, &dw.spaces[SF_DW_INFO].units[i], &id))
			continue;
		for (size_t k = 0; k < run->count; k++) {
			const sf_dw_skeleton *s = &run->skeletons[k];
			if (visit->skeleton ? s == visit->skeleton && (!s->has_id || s->dwo_id == id)
					    : !run->covered[k] && s->has_id && s->dwo_id == id) {
				run->covered[k] = true;
				visit->matched++;
			}
		}
	}
	/* A .dwo without ids (DWARF 4 without GNU ids) is taken on its name. */
	if (visit->skeleton && !visit->skeleton->has_id && !visit->matched) {
		run->covered[visit->skeleton - run->skeletons] = true;
		visit->matched++;
	}
	sf__dw_cursor_release(&cursor);
	sf__dw_image_close(&dw);
	return 0;
}

static int visit_split(void *ctx, const sf_debug_image *image)
{
	split_visit *visit = ctx;
	split_run *run = visit->run;
	int res = match_ids(visit, image);

	if (res >= 0 && visit->matched) {
		sf_debug_image split = *image;
		/* A .dwo stands for its one skeleton, whatever ids say. */
		sf_skeleton_lines own = { 0 };
		split.skeleton_sections = &run->image->sections;
		split.skeleton_lines = run->lines;
		split.skeleton_line_count = run->line_count;
		if (visit->skeleton) {
			own = (sf_skeleton_lines){ .stmt_list = visit->skeleton->stmt_list,
						   .comp_dir = visit->skeleton->comp_dir };
			split.skeleton_lines = &own;
			split.skeleton_line_count = visit->skeleton->has_lines;
		}
		res = sf__die_load_image(run->model, &split, run->file_index, run->opts);
		if (res == SF_DIE_LOAD_PROBED || res == SF_DIE_LOAD_NO_SKELETONS)
			res = 0;
	}
	else if (res >= 0 && visit->skeleton)
		res = sf__fail(SF_EINVALID,
			       "%s: split DWARF unit id does not match the skeleton's 0x%016llx in %s%s%s%s; "
			       "its types are not reported",
			       visit->path, (unsigned long long)visit->skeleton->dwo_id, run->image->display_name,
			       visit->skeleton->name ? " (unit " : "", visit->skeleton->name ? visit->skeleton->name : "",
			       visit->skeleton->name ? ")" : "");
	visit->res = res;
	return res;
}

/* One problem of the run: said once through on_error, remembered. */
static void report(split_run *run, int code)
{
	if (run->opts->on_error)
		run->opts->on_error(run->opts->on_error_ctx, code, sf_error_last());
	if (run->worst == 0 || code == SF_ENOMEM || (run->worst == SF_ENODEBUG && code == SF_EINVALID))
		run->worst = code;
}

/* The input's package, when it holds the id of any skeleton. */
static int load_package(split_run *run)
{
	size_t dir_count, count = 0;
	const char *const *dirs = dwo_dirs(run->opts, &dir_count);
	char *list[MAX_CANDIDATES];
	char *own = NULL;
	bool ok = true;
	int res = 0;

	if (!run->input_path)
		return 0;
	if (asprintf(&own, "%s.dwp", run->input_path) < 0)
		return sf__fail(SF_ENOMEM, "out of memory");
	for (size_t i = 0; i < dir_count && ok; i++)
		ok = add_candidate(list, &count, join(dirs[i], base_name(own)));
	ok = ok && add_candidate(list, &count, own);
	if (!ok)
		res = sf__fail(SF_ENOMEM, "out of memory");
	for (size_t i = 0; i < count && res >= 0; i++) {
		split_visit visit = { .run = run, .path = list[i] };
		int got = sf__input_each_image(list[i], run->opts, NULL, visit_split, &visit);
		if (got == SF_ENOTFOUND && visit.res == 0)
			continue;   /* not there: the next candidate */
		if (got < 0) {
			report(run, got);
			run->package_failed = true;
		}
		break;
	}
	free_candidates(list, count);
	return res;
}

static bool seen_before(split_run *run, const char *first, bool *oom)
{
	char **more;

	for (size_t i = 0; i < run->tried_count; i++)
		if (strcmp(run->tried[i], first) == 0)
			return true;
	more = realloc(run->tried, (run->tried_count + 1) * sizeof(*more));
	if (!more || !(more[run->tried_count] = strdup(first))) {
		if (more)
			run->tried = more;
		*oom = true;
		return false;
	}
	run->tried = more;
	run->tried_count++;
	return false;
}

static void report_missing(split_run *run, const sf_dw_skeleton *s, char **list, size_t count)
{
	char looked[2048] = "";
	size_t used = 0;

	for (size_t i = 0; i < count && used < sizeof(looked); i++)
		used += (size_t)snprintf(looked + used, sizeof(looked) - used, "%s%s", i ? ", " : "", list[i]);
	sf__fail(SF_ENODEBUG, "%s: split DWARF file %s not found (looked for %s); the types of its unit%s%s are not reported",
		 run->image->display_name, s->dwo_name, looked, s->name ? " " : "", s->name ? s->name : "");
	report(run, SF_ENODEBUG);
}

/* The .dwo of skeleton `k`, unless a package or an earlier lookup of the
 * same file already did it. */
static int load_dwo(split_run *run, size_t k)
{
	const sf_dw_skeleton *s = &run->skeletons[k];
	char *list[MAX_CANDIDATES];
	size_t count = 0;
	bool found = false, oom = false;

	if (!dwo_candidates(run, s, list, &count)) {
		free_candidates(list, count);
		return sf__fail(SF_ENOMEM, "out of memory");
	}
	if (count && seen_before(run, list[0], &oom)) {
		free_candidates(list, count);
		return 0;
	}
	for (size_t i = 0; i < count && !found && !oom; i++) {
		split_visit visit = { .run = run, .skeleton = s, .path = list[i] };
		int got = sf__input_each_image(list[i], run->opts, NULL, visit_split, &visit);
		if (got == SF_ENOTFOUND && visit.res == 0)
			continue;
		found = true;
		if (got < 0)
			report(run, got);
	}
	if (!found && !oom && !run->package_failed)
		report_missing(run, s, list, count);
	free_candidates(list, count);
	return oom ? sf__fail(SF_ENOMEM, "out of memory") : 0;
}

int sf__split_load(sf_model *model, const sf_debug_image *image, const char *input_path, uint32_t file_index,
		   const sf_load_options *opts)
{
	split_run run = {
		.model = model, .image = image, .input_path = input_path, .file_index = file_index, .opts = opts
	};
	int res = sf__dw_skeletons(image, &run.skeletons, &run.count);

	if (res < 0 || run.count == 0)
		return res;
	run.covered = calloc(run.count, sizeof(*run.covered));
	run.lines = calloc(run.count, sizeof(*run.lines));
	if (!run.covered || !run.lines)
		res = sf__fail(SF_ENOMEM, "out of memory");
	for (size_t k = 0; k < run.count && res >= 0; k++) {
		const sf_dw_skeleton *s = &run.skeletons[k];
		if (s->has_lines && s->has_id)
			run.lines[run.line_count++] = (sf_skeleton_lines){
				.dwo_id = s->dwo_id, .stmt_list = s->stmt_list, .comp_dir = s->comp_dir, .has_id = true
			};
	}
	if (res >= 0)
		res = load_package(&run);
	for (size_t k = 0; k < run.count && res >= 0; k++)
		if (!run.covered[k])
			res = load_dwo(&run, k);
	for (size_t i = 0; i < run.tried_count; i++)
		free(run.tried[i]);
	free(run.tried);
	free(run.covered);
	free(run.lines);
	free(run.skeletons);
	return res < 0 ? res : run.worst;
}
