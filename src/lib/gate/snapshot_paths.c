/* Where a snapshot's layouts come from: declaration paths relative to a source root, and the target. */
#include "gate/snapshot.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "util/fail.h"

/*
 * `path` without "." components, empty components and, where a parent
 * precedes them, ".." components; in `arena`.  Lexical, like the compilers
 * that join DW_AT_comp_dir with "../src/x.c": the file system is not asked,
 * so a baseline can be checked on a machine without the sources.
 */
static char *normalize(sf_arena *arena, const char *path)
{
	size_t len = strlen(path);
	char *out = sf__arena_alloc(arena, len + 2);
	size_t n = 0, keep;
	const char *p = path;

	if (!out)
		return NULL;
	if (*p == '/')
		out[n++] = '/';
	/* ".." never climbs above `keep`: the root, or leading ".." of a relative path. */
	keep = n;
	while (*p) {
		const char *end = strchr(p, '/');
		size_t part = end ? (size_t)(end - p) : strlen(p);
		bool dotdot = part == 2 && p[0] == '.' && p[1] == '.';

		if (part == 0 || (part == 1 && p[0] == '.') || (dotdot && n == keep && path[0] == '/')) {
			/* nothing, or ".." at "/" */
		} else if (dotdot && n > keep) {
			while (n > keep && out[n - 1] != '/')
				n--;
			if (n > keep)
				n--;
		} else {
			if (n > 0 && out[n - 1] != '/')
				out[n++] = '/';
			memcpy(out + n, p, part);
			n += part;
			if (dotdot)
				keep = n;
		}
		p += part;
		while (*p == '/')
			p++;
	}
	if (n == 0)
		out[n++] = '.';
	out[n] = '\0';
	return out;
}

int sf_snapshot_set_source_root(sf_snapshot *snap, const char *source_root)
{
	const char *root;
	size_t root_len;

	if (!snap)
		return 0;
	if (!source_root || source_root[0] != '/')
		return sf__fail(SF_EUSAGE, "source root '%s' is not an absolute path",
				source_root ? source_root : "(null)");
	root = normalize(snap->arena, source_root);
	if (!root)
		return sf__fail(SF_ENOMEM, "out of memory while relating paths to the source root");
	/* "/" is the one root that keeps its slash. */
	root_len = strcmp(root, "/") == 0 ? 0 : strlen(root);
	for (size_t i = 0; i < snap->count; i++) {
		sf_snap_struct *s = &snap->structs[i];
		const char *path;

		if (!s->decl_rel || s->decl_rel[0] != '/')
			continue;
		path = normalize(snap->arena, s->decl_rel);
		if (!path)
			return sf__fail(SF_ENOMEM, "out of memory while relating paths to the source root");
		if (strncmp(path, root, root_len) == 0 && path[root_len] == '/' && path[root_len + 1])
			path += root_len + 1;
		s->decl_rel = path;
	}
	sf__snap_finish(snap);
	return 0;
}

int sf__snap_describe_target(sf_snapshot *snap)
{
	char text[160];

	snap->target = NULL;
	for (size_t i = 0; i < snap->file_count; i++) {
		const sf_snap_file *f = &snap->files[i];

		if (!f->arch || strcmp(f->arch, "unknown") == 0 || !f->address_size)
			continue;
		snprintf(text, sizeof(text), "%s (%u-byte pointers, %s-endian)", f->arch, f->address_size,
			 f->big_endian ? "big" : "little");
		snap->target = sf__arena_strdup(snap->arena, text);
		return snap->target ? 0 : sf__fail(SF_ENOMEM, "out of memory while taking a snapshot");
	}
	return 0;
}

const char *sf_snapshot_target(const sf_snapshot *snap)
{
	return snap ? snap->target : NULL;
}
