/* `structfit: ignore` comments in the sources, read for the report's exclude hook. */
#include "cli_ignore.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Sources larger than this are not scanned for markers. */
#define MAX_SOURCE_BYTES (64u << 20)

static int load(cli_ignore *ig, const char *path)
{
	FILE *f;
	long size;

	if (ig->path && strcmp(ig->path, path) == 0)
		return ig->text != NULL;
	free(ig->path);
	free(ig->text);
	ig->text = NULL;
	ig->len = 0;
	ig->path = strdup(path);
	f = fopen(path, "rb");
	if (!f || fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 || size > (long)MAX_SOURCE_BYTES ||
	    fseek(f, 0, SEEK_SET) != 0 || !(ig->text = malloc((size_t)size + 1))) {
		if (f)
			fclose(f);
		return 0;
	}
	ig->len = fread(ig->text, 1, (size_t)size, f);
	ig->text[ig->len] = '\0';
	fclose(f);
	return 1;
}

/* Start of 1-based line `line`, or NULL past the end. */
static const char *line_start(const cli_ignore *ig, unsigned line)
{
	const char *p = ig->text;

	for (unsigned n = 1; p && n < line; n++) {
		p = memchr(p, '\n', (size_t)(ig->text + ig->len - p));
		if (p)
			p++;
	}
	return p;
}

static int line_has_marker(const char *start, const char *end)
{
	size_t n = strlen(CLI_IGNORE_MARKER);

	for (const char *p = start; p + n <= end; p++) {
		if (memcmp(p, CLI_IGNORE_MARKER, n) == 0)
			return 1;
	}
	return 0;
}

/* A line that is only (part of) a comment: the markers may sit there. */
static int comment_line(const char *start, const char *end)
{
	while (start < end && (*start == ' ' || *start == '\t'))
		start++;
	return end - start >= 2 && (start[0] == '/' || start[0] == '*') &&
	       (start[1] == '*' || start[1] == '/' || start[1] == ' ' || start[1] == '\t');
}

static int marked(const cli_ignore *ig, unsigned decl_line)
{
	const char *here = line_start(ig, decl_line);
	const char *end;

	if (!here)
		return 0;
	end = memchr(here, '\n', (size_t)(ig->text + ig->len - here));
	if (line_has_marker(here, end ? end : ig->text + ig->len))
		return 1;
	/* Walk up through the comment block right above the declaration. */
	for (unsigned line = decl_line - 1; line >= 1; line--) {
		const char *start = line_start(ig, line);
		const char *stop = memchr(start, '\n', (size_t)(ig->text + ig->len - start));
		if (!stop || !comment_line(start, stop))
			return 0;
		if (line_has_marker(start, stop))
			return 1;
	}
	return 0;
}

int cli_ignore_marked(void *ctx, const char *name, const char *decl_file, unsigned decl_line)
{
	cli_ignore *ig = ctx;

	if (!decl_file || decl_line == 0 || !load(ig, decl_file) || !marked(ig, decl_line))
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
	free(ig->path);
	free(ig->text);
	memset(ig, 0, sizeof(*ig));
}
