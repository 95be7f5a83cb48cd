/* `structfit: ignore` comments in the sources, read for the report's exclude hook. */
#include "cli_ignore.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Sources larger than this are not scanned for markers. */
#define MAX_SOURCE_BYTES (64u << 20)

/* A line that is only (part of) a comment: the markers may sit there. */
static int comment_line(const char *start, const char *end)
{
	while (start < end && (*start == ' ' || *start == '\t'))
		start++;
	return end - start >= 2 && (start[0] == '/' || start[0] == '*') &&
	       (start[1] == '*' || start[1] == '/' || start[1] == ' ' || start[1] == '\t');
}

static int add_line(cli_ignore_file *f, size_t *cap, unsigned line)
{
	if (f->line_count && f->lines[f->line_count - 1] >= line)
		return 0;
	if (f->line_count == *cap) {
		size_t bigger_cap = *cap ? *cap * 2 : 8;
		unsigned *bigger = realloc(f->lines, bigger_cap * sizeof(*bigger));
		if (!bigger)
			return -1;
		f->lines = bigger;
		*cap = bigger_cap;
	}
	f->lines[f->line_count++] = line;
	return 0;
}

/*
 * The declaration lines of `text` a marker covers: the marker's own line,
 * and, for a marker in a comment, every line down to the first one after
 * the comment block (a declaration right below the comment).
 */
static int scan(cli_ignore_file *f, const char *text, size_t len)
{
	const size_t marker_len = strlen(CLI_IGNORE_MARKER);
	const char *end = text + len, *p = text, *nl;
	size_t cap = 0;
	unsigned line = 1, covered_to = 0;

	while (p < end) {
		/* Outside a block, straight to the next marker's line: a header
		 * is read for every struct it declares, and markers are rare. */
		if (line > covered_to) {
			const char *marker = memmem(p, (size_t)(end - p), CLI_IGNORE_MARKER, marker_len);
			if (!marker)
				break;
			for (; (nl = memchr(p, '\n', (size_t)(marker - p))); p = nl + 1)
				line++;
		}
		if (add_line(f, &cap, line) < 0)
			return -1;
		nl = memchr(p, '\n', (size_t)(end - p));
		/* The block goes on while the lines are comments. */
		if (nl && comment_line(p, nl))
			covered_to = line + 1;
		p = nl ? nl + 1 : end;
		line++;
	}
	return 0;
}

static size_t hash_path(const char *path)
{
	size_t h = 1469598103934665603u;
	for (; *path; path++)
		h = (h ^ (unsigned char)*path) * 1099511628211u;
	return h;
}

static int grow(cli_ignore *ig)
{
	size_t cap = ig->file_cap ? ig->file_cap * 2 : 64;
	cli_ignore_file *table = calloc(cap, sizeof(*table));

	if (!table)
		return -1;
	for (size_t i = 0; i < ig->file_cap; i++) {
		size_t at;
		if (!ig->files[i].path)
			continue;
		for (at = hash_path(ig->files[i].path) & (cap - 1); table[at].path; at = (at + 1) & (cap - 1))
			;
		table[at] = ig->files[i];
	}
	free(ig->files);
	ig->files = table;
	ig->file_cap = cap;
	return 0;
}

/* Missing directories remembered; past this many the others are just tried. */
#define MAX_MISSING_DIRS 64

/* True when `path` lies under a directory found missing. */
static int under_missing_dir(const cli_ignore *ig, const char *path)
{
	for (size_t i = 0; i < ig->missing_count; i++) {
		size_t len = strlen(ig->missing_dirs[i]);
		if (strncmp(path, ig->missing_dirs[i], len) == 0 && path[len] == '/')
			return 1;
	}
	return 0;
}

/* Whether the first `len` bytes of `path` name no directory entry. */
static int prefix_missing(const char *path, size_t len)
{
	struct stat st;
	char *dir = strndup(path, len);
	int missing = dir && stat(dir, &st) != 0 && (errno == ENOENT || errno == ENOTDIR);

	free(dir);
	return missing;
}

/*
 * After `path` failed to open as missing: remembers the shortest of its
 * directories that is missing, under which no source can open, so the
 * other sources there are not tried.  Its parent is asked first: a file
 * missing in a directory that is there costs one more lookup.
 */
static void note_missing(cli_ignore *ig, const char *path)
{
	const char *parent_end = strrchr(path, '/');
	char **bigger;

	if (!parent_end || parent_end == path || ig->missing_count == MAX_MISSING_DIRS ||
	    !prefix_missing(path, (size_t)(parent_end - path)))
		return;
	for (const char *slash = strchr(path + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
		if (!prefix_missing(path, (size_t)(slash - path)))
			continue;
		if (ig->missing_count == ig->missing_cap) {
			size_t cap = ig->missing_cap ? ig->missing_cap * 2 : 4;
			if (!(bigger = realloc(ig->missing_dirs, cap * sizeof(*bigger))))
				return;
			ig->missing_dirs = bigger;
			ig->missing_cap = cap;
		}
		if ((ig->missing_dirs[ig->missing_count] = strndup(path, (size_t)(slash - path))))
			ig->missing_count++;
		return;
	}
}

/* The file's verdicts, reading it the first time; NULL when out of memory. */
static const cli_ignore_file *file_of(cli_ignore *ig, const char *path)
{
	cli_ignore_file *f;
	FILE *in;
	char *text = NULL;
	long size;
	size_t at;

	if ((ig->file_count + 1) * 2 > ig->file_cap && grow(ig) < 0)
		return NULL;
	for (at = hash_path(path) & (ig->file_cap - 1); ig->files[at].path; at = (at + 1) & (ig->file_cap - 1)) {
		if (strcmp(ig->files[at].path, path) == 0)
			return &ig->files[at];
	}
	f = &ig->files[at];
	if (!(f->path = strdup(path)))
		return NULL;
	ig->file_count++;
	/* Unreadable sources exclude nothing, and are not tried again. */
	if (under_missing_dir(ig, path))
		return f;
	in = fopen(path, "rb");
	if (!in && (errno == ENOENT || errno == ENOTDIR))
		note_missing(ig, path);
	if (in && fseek(in, 0, SEEK_END) == 0 && (size = ftell(in)) >= 0 && size <= (long)MAX_SOURCE_BYTES &&
	    fseek(in, 0, SEEK_SET) == 0 && (text = malloc((size_t)size + 1))) {
		size_t len = fread(text, 1, (size_t)size, in);
		if (scan(f, text, len) < 0)
			f = NULL;
	}
	if (in)
		fclose(in);
	free(text);
	return f;
}

static int covers(const cli_ignore_file *f, unsigned line)
{
	size_t lo = 0, hi = f->line_count;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (f->lines[mid] == line)
			return 1;
		if (f->lines[mid] < line)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

int cli_ignore_marked(void *ctx, const char *name, const char *decl_file, unsigned decl_line)
{
	cli_ignore *ig = ctx;
	const cli_ignore_file *f;

	if (!decl_file || decl_line == 0)
		return 0;
	f = file_of(ig, decl_file);
	if (!f || !covers(f, decl_line))
		return 0;
	if (name && !cli_ignore_has(ig, name)) {
		if (ig->name_count == ig->name_cap) {
			size_t cap = ig->name_cap ? ig->name_cap * 2 : 16;
			char **bigger = realloc(ig->names, cap * sizeof(*bigger));
			if (!bigger)
				return 1;
			ig->names = bigger;
			ig->name_cap = cap;
		}
		if ((ig->names[ig->name_count] = strdup(name)))
			ig->name_count++;
	}
	return 1;
}

int cli_ignore_has(const cli_ignore *ig, const char *name)
{
	for (size_t i = 0; name && i < ig->name_count; i++) {
		if (strcmp(ig->names[i], name) == 0)
			return 1;
	}
	return 0;
}

void cli_ignore_release(cli_ignore *ig)
{
	for (size_t i = 0; i < ig->name_count; i++)
		free(ig->names[i]);
	free(ig->names);
	for (size_t i = 0; i < ig->file_cap; i++) {
		free(ig->files[i].path);
		free(ig->files[i].lines);
	}
	free(ig->files);
	for (size_t i = 0; i < ig->missing_count; i++)
		free(ig->missing_dirs[i]);
	free(ig->missing_dirs);
	memset(ig, 0, sizeof(*ig));
}
