/* The .go files below the source root, read once per fix build, with their package names. */
/* opendir and lstat are POSIX, hidden by a bare -std=c17. */
#ifndef _GNU_SOURCE
#define _XOPEN_SOURCE 700
#endif
#include "fix/fix_go_index.h"
#include "fix/fix_go_lex.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fix/fix_result.h"
#include "util/arena.h"
#include "util/fail.h"
#include "util/file_read.h"

#define GO_MAX_DEPTH 16

/* The name after the first `package` keyword outside comments. */
static char *package_of(sf_arena *arena, const char *text, size_t len)
{
	for (size_t i = 0; i < len;) {
		size_t next = sf__go_skip_literal(text, len, i);
		if (next != i) {
			i = next;
			continue;
		}
		if (sf__go_word_at(text, len, i, "package")) {
			size_t start = i + 7, end;
			while (start < len && (text[start] == ' ' || text[start] == '\t'))
				start++;
			end = start;
			while (end < len && sf__go_ident_char(text[end]))
				end++;
			return sf__arena_strndup(arena, text + start, end - start);
		}
		i++;
	}
	return sf__arena_strdup(arena, "");
}

static int add_file(builder *b, const char *path, const char *rel, const char *dir)
{
	sf_go_index *ix = &b->go_index;
	sf_go_file *f;
	char *text = NULL;
	size_t len = 0, cap = ix->count;
	int rc = sf__read_file(path, &text, &len);

	if (rc == -1)
		return 0;   /* unreadable: as if absent */
	if (rc < 0)
		return rc;
	f = sf__fix_grow(b->arena, ix->files, ix->count, &cap, sizeof(*f));
	if (!f) {
		free(text);
		return SF_ENOMEM;
	}
	ix->files = f;
	f = &ix->files[ix->count];
	f->path = sf__arena_strdup(b->arena, path);
	f->rel = sf__arena_strdup(b->arena, rel);
	f->dir = sf__arena_strdup(b->arena, dir);
	f->text = sf__arena_strndup(b->arena, text, len);
	f->len = len;
	free(text);
	if (!f->path || !f->rel || !f->dir || !f->text)
		return SF_ENOMEM;
	f->package = package_of(b->arena, f->text, f->len);
	if (!f->package)
		return SF_ENOMEM;
	ix->count++;
	return 0;
}

static bool is_go(const char *name)
{
	size_t n = strlen(name);
	return n > 3 && strcmp(name + n - 3, ".go") == 0;
}

/* `rel` is the directory relative to the root ("" for the root itself). */
static int walk(builder *b, const char *rel, unsigned depth)
{
	char path[2 * PATH_MAX + 2], child_rel[PATH_MAX];
	struct dirent *e;
	DIR *d;
	int rc = 0;

	snprintf(path, sizeof(path), "%s%s%s", b->root, *rel ? "/" : "", rel);
	d = opendir(path);
	if (!d)
		return 0;
	while (rc == 0 && (e = readdir(d)) != NULL) {
		struct stat st;
		char full[2 * PATH_MAX + 2];
		if (e->d_name[0] == '.' || e->d_name[0] == '_')
			continue;
		if (snprintf(child_rel, sizeof(child_rel), "%s%s%s", rel, *rel ? "/" : "", e->d_name) >=
			    (int)sizeof(child_rel) ||
		    snprintf(full, sizeof(full), "%s/%s", b->root, child_rel) >= (int)sizeof(full))
			continue;
		if (lstat(full, &st) != 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			if (depth < GO_MAX_DEPTH && strcmp(e->d_name, "vendor") != 0 &&
			    strcmp(e->d_name, "testdata") != 0)
				rc = walk(b, child_rel, depth + 1);
		} else if (S_ISREG(st.st_mode) && is_go(e->d_name)) {
			rc = add_file(b, full, child_rel, rel);
		}
	}
	closedir(d);
	return rc;
}

int sf__fix_go_index(builder *b)
{
	if (b->go_index.built)
		return 0;
	b->go_index.built = true;
	return walk(b, "", 0);
}
