/* Reading files for impact/: profiles, and the source lines of allocation sites (the only file here doing I/O). */
#include "impact/impact_private.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/fail.h"
#include "util/file_read.h"

/* Source files larger than this are not read: an allocation site's file is
 * a C file, and a huge one would only slow the attribution down. */
#define MAX_SOURCE_BYTES (64u << 20)

/* One file as read (or found missing: text NULL), split into lines. */
typedef struct source_file {
	struct source_file *next;
	const char *name;           /* as asked for */
	char *text;                 /* NUL-terminated whole text */
	char **lines;               /* line_count NUL-terminated copies */
	size_t line_count;
} source_file;

typedef struct source_dir {
	struct source_dir *next;
	const char *path;
} source_dir;

struct sf_impact_sources {
	sf_arena *arena;
	source_dir *dirs, **dirs_tail;
	source_file *files;
};

int sf__impact_sources_new(sf_impact_sources **out, sf_arena *arena)
{
	sf_impact_sources *s = calloc(1, sizeof(*s));

	*out = NULL;
	if (!s)
		return sf__fail(SF_ENOMEM, "out of memory");
	s->arena = arena;
	s->dirs_tail = &s->dirs;
	*out = s;
	return 0;
}

void sf__impact_sources_free(sf_impact_sources *sources)
{
	free(sources);
}

int sf__impact_sources_add_dir(sf_impact_sources *sources, const char *dir)
{
	source_dir *d;

	for (d = sources->dirs; d; d = d->next) {
		if (strcmp(d->path, dir) == 0)
			return 0;
	}
	d = sf__arena_alloc(sources->arena, sizeof(*d));
	if (!d || !(d->path = sf__arena_strdup(sources->arena, dir)))
		return sf__fail(SF_ENOMEM, "out of memory");
	*sources->dirs_tail = d;
	sources->dirs_tail = &d->next;
	return 0;
}

static int split_lines(sf_impact_sources *sources, source_file *f, char *data, size_t len)
{
	size_t count = 1, line = 0;
	char *p;

	for (size_t i = 0; i < len; i++)
		count += data[i] == '\n';
	f->text = sf__arena_strndup(sources->arena, data, len);
	f->lines = sf__arena_calloc(sources->arena, count, sizeof(*f->lines));
	if (!f->text || !f->lines)
		return SF_ENOMEM;
	p = data;
	while (line < count) {
		char *nl = memchr(p, '\n', len - (size_t)(p - data));
		size_t n = nl ? (size_t)(nl - p) : len - (size_t)(p - data);
		if (n && p[n - 1] == '\r')
			n--;
		f->lines[line] = sf__arena_strndup(sources->arena, p, n);
		if (!f->lines[line])
			return SF_ENOMEM;
		line++;
		if (!nl)
			break;
		p = nl + 1;
	}
	f->line_count = line;
	return 0;
}

/* Tries `file` as given, then under each directory. */
static source_file *find(sf_impact_sources *sources, const char *file)
{
	source_file *f;
	char *data = NULL;
	size_t len = 0;

	for (f = sources->files; f; f = f->next) {
		if (strcmp(f->name, file) == 0)
			return f->text ? f : NULL;
	}
	f = sf__arena_alloc(sources->arena, sizeof(*f));
	if (!f || !(f->name = sf__arena_strdup(sources->arena, file)))
		return NULL;
	f->next = sources->files;
	sources->files = f;
	if (sf__read_file(file, &data, &len) != 0) {
		for (source_dir *d = sources->dirs; d && !data; d = d->next) {
			size_t n = strlen(d->path) + strlen(file) + 2;
			char *path = malloc(n);
			if (!path)
				return NULL;
			snprintf(path, n, "%s/%s", d->path, file);
			if (sf__read_file(path, &data, &len) != 0)
				data = NULL;
			free(path);
		}
	}
	if (data && len <= MAX_SOURCE_BYTES && split_lines(sources, f, data, len) != 0)
		f->text = NULL;
	free(data);
	return f->text ? f : NULL;
}

const char *sf__impact_source_line(sf_impact_sources *sources, const char *file, unsigned line)
{
	source_file *f = file ? find(sources, file) : NULL;

	if (!f || line == 0 || line > f->line_count)
		return NULL;
	return f->lines[line - 1];
}

const char *sf__impact_source_text(sf_impact_sources *sources, const char *file)
{
	source_file *f = file ? find(sources, file) : NULL;

	return f ? f->text : NULL;
}

/* Lines looked at before and after an allocating line for the rest of
 * its statement. */
#define STATEMENT_SPAN 4

/* Whether a statement cannot continue past this line: it ends in ';',
 * '{', '}', ':' or a comment's end, is blank, or is a preprocessor line. */
static bool ends_statement(const char *text)
{
	const char *p = text, *last = NULL;

	while (*p == ' ' || *p == '\t')
		p++;
	if (!*p || *p == '#')
		return true;
	for (const char *q = p; *q; q++) {
		if (q[0] == '/' && q[1] == '/')
			break;
		if (*q != ' ' && *q != '\t')
			last = q;
	}
	if (!last)
		return true;
	return strchr(";{}:", *last) || (last > p && last[-1] == '*' && *last == '/');
}

const char *sf__impact_source_statement(sf_impact_sources *sources, const char *file, unsigned line)
{
	source_file *f = file ? find(sources, file) : NULL;
	size_t first, last, len = 0;
	char *out, *w;

	if (!f || line == 0 || line > f->line_count)
		return NULL;
	first = last = line - 1;
	while (first > 0 && line - 1 - first < STATEMENT_SPAN && !ends_statement(f->lines[first - 1]))
		first--;
	while (last + 1 < f->line_count && last - (line - 1) < STATEMENT_SPAN &&
	       !strpbrk(f->lines[last], ";{}"))
		last++;
	if (first == last)
		return f->lines[first];
	for (size_t i = first; i <= last; i++)
		len += strlen(f->lines[i]) + 1;
	out = sf__arena_alloc(sources->arena, len + 1);
	if (!out)
		return NULL;
	w = out;
	for (size_t i = first; i <= last; i++) {
		size_t n = strlen(f->lines[i]);
		memcpy(w, f->lines[i], n);
		w += n;
		*w++ = ' ';
	}
	w[-1] = '\0';
	return out;
}

bool sf__impact_same_file(const char *profile_file, const char *mapped)
{
	size_t a = strlen(profile_file), b = strlen(mapped);

	if (a == b)
		return strcmp(profile_file, mapped) == 0;
	/* Either may carry more directories than the other. */
	if (a > b)
		return profile_file[a - b - 1] == '/' && strcmp(profile_file + a - b, mapped) == 0;
	return mapped[b - a - 1] == '/' && strcmp(mapped + b - a, profile_file) == 0;
}
