/* Sources of a fix: files found under the source root, read, lexed and kept once. */
/* realpath, opendir and lstat are POSIX, hidden by a bare -std=c17. */
#ifndef _GNU_SOURCE
#define _XOPEN_SOURCE 700
#endif

#include "fix/fix_builder.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util/fail.h"
#include "util/file_read.h"

void *sf__fix_grow(sf_arena *arena, void *items, size_t count, size_t *cap, size_t size)
{
	size_t grown;
	void *more;

	if (count < *cap)
		return items;
	grown = *cap ? *cap * 2 : 8;
	more = sf__arena_calloc(arena, grown, size);
	if (!more)
		return NULL;
	if (count)
		memcpy(more, items, count * size);
	*cap = grown;
	return more;
}

char *sf__fix_keep(sf_fix *fix, char *s)
{
	char *kept;
	if (!s)
		return NULL;
	kept = sf__arena_strdup(fix->arena, s);
	free(s);
	return kept;
}

char *sf__fix_format(sf_fix *fix, const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;
	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return NULL;
	s = sf__arena_alloc(fix->arena, (size_t)n + 1);
	if (!s)
		return NULL;
	va_start(ap, fmt);
	vsnprintf(s, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return s;
}

/* The recorded path after prefix maps, joined to the root when relative. */
static char *mapped_path(const builder *b, const char *recorded)
{
	const sf_fix_options *o = b->opts;
	const char *rest = recorded, *prefix = NULL;
	char *s;
	size_t n;

	for (size_t i = 0; i < o->prefix_count; i++) {
		size_t l = strlen(o->prefix_old[i]);
		if (strncmp(recorded, o->prefix_old[i], l) == 0 && (recorded[l] == '/' || recorded[l] == '\0' ||
								     (l && o->prefix_old[i][l - 1] == '/'))) {
			prefix = o->prefix_new[i];
			rest = recorded + l;
			break;
		}
	}
	if (!prefix && recorded[0] != '/')
		prefix = b->root;
	if (!prefix)
		return strdup(recorded);
	while (*rest == '/')
		rest++;
	n = strlen(prefix) + strlen(rest) + 2;
	s = malloc(n);
	if (s)
		snprintf(s, n, "%s%s%s", prefix, *prefix && prefix[strlen(prefix) - 1] != '/' && *rest ? "/" : "", rest);
	return s;
}

/* Reads and lexes `path` into `src`, both kept in the result's arena; 0, -1 with errno, or SF_ENOMEM. */
static int read_source(sf_fix *fix, sf_fix_source *src, const char *path)
{
	sf_fix_tokens toks;
	char *text = NULL;
	size_t len = 0;
	int rc = sf__read_file(path, &text, &len);

	if (rc < 0)
		return rc;
	src->text = sf__arena_strndup(fix->arena, text, len);
	src->len = len;
	free(text);
	if (!src->text)
		return SF_ENOMEM;
	rc = sf__fix_lex(&toks, src->text, src->len);
	if (rc < 0)
		return rc;
	src->tokens.items = sf__arena_calloc(fix->arena, toks.count + 1, sizeof(*toks.items));
	if (src->tokens.items) {
		if (toks.count)
			memcpy(src->tokens.items, toks.items, toks.count * sizeof(*toks.items));
		src->tokens.count = src->tokens.capacity = toks.count;
	}
	sf__fix_tokens_free(&toks);
	return src->tokens.items ? 0 : SF_ENOMEM;
}

/* Finds or reads the source; returns its index, -1 with *why set, or SF_ENOMEM. */
long sf__fix_source_for(builder *b, const char *recorded, const char **why)
{
	sf_fix *fix = b->fix;
	char real[PATH_MAX];
	char *mapped = mapped_path(b, recorded);
	const char *path;
	size_t rl = strlen(b->root);
	sf_fix_source *src, *more;
	int rc;

	if (!mapped)
		return SF_ENOMEM;
	path = sf__fix_keep(fix, mapped);
	if (!path)
		return SF_ENOMEM;
	if (!realpath(path, real)) {
		*why = sf__fix_format(fix, "source file not found: %s", path);
		return *why ? -1 : SF_ENOMEM;
	}
	if (strncmp(real, b->root, rl) != 0 || (real[rl] != '/' && strcmp(b->root, "/") != 0)) {
		*why = sf__fix_format(fix, SF_FIX_OUTSIDE_ROOT ": %s", path);
		return *why ? -1 : SF_ENOMEM;
	}
	for (size_t i = 0; i < fix->source_count; i++)
		if (strcmp(fix->sources[i].real, real) == 0)
			return (long)i;
	more = sf__fix_grow(fix->arena, fix->sources, fix->source_count, &fix->source_cap, sizeof(*more));
	if (!more)
		return SF_ENOMEM;
	fix->sources = more;
	src = &fix->sources[fix->source_count++];
	memset(src, 0, sizeof(*src));
	src->path = (char *)path;
	src->real = sf__arena_strdup(fix->arena, real);
	src->rel = sf__arena_strdup(fix->arena, real + rl + (strcmp(b->root, "/") != 0));
	if (!src->real || !src->rel)
		return SF_ENOMEM;
	rc = read_source(fix, src, path);
	if (rc == -1) {
		*why = sf__fix_format(fix, "cannot read %s: %s", path, strerror(errno));
		return *why ? -1 : SF_ENOMEM;
	}
	return rc < 0 ? rc : (long)(fix->source_count - 1);
}

static bool is_c_source(const char *name)
{
	static const char *const exts[] = { ".c", ".h", ".inc", ".def", ".cc", ".cpp", ".cxx", ".hh",
					    ".hpp", NULL };
	const char *dot = strrchr(name, '.');
	if (!dot)
		return false;
	for (size_t i = 0; exts[i]; i++)
		if (strcmp(dot, exts[i]) == 0)
			return true;
	return false;
}


/* C files below `dir`, not following symlinked directories or hidden ones. */
int sf__fix_list_sources(path_list *list, const char *dir, unsigned depth)
{
	DIR *d;
	struct dirent *e;
	int rc = 0;

	if (depth > 64)
		return 0;
	d = opendir(dir);
	if (!d)
		return 0;
	while (rc == 0 && (e = readdir(d)) != NULL) {
		struct stat st;
		size_t n;
		char *path;
		if (e->d_name[0] == '.')
			continue;
		n = strlen(dir) + strlen(e->d_name) + 2;
		path = malloc(n);
		if (!path) {
			rc = SF_ENOMEM;
			break;
		}
		snprintf(path, n, "%s/%s", dir, e->d_name);
		if (lstat(path, &st) != 0) {
			free(path);
			continue;
		}
		if (S_ISDIR(st.st_mode)) {
			rc = sf__fix_list_sources(list, path, depth + 1);
			free(path);
		} else if (S_ISREG(st.st_mode) && is_c_source(e->d_name)) {
			char **more = realloc(list->items, (list->count + 1) * sizeof(*more));
			if (!more) {
				free(path);
				rc = SF_ENOMEM;
				break;
			}
			list->items = more;
			list->items[list->count++] = path;
		} else {
			free(path);
		}
	}
	closedir(d);
	return rc;
}
