/* Splitting -C comma lists into globs. */
#include "cli_globs.h"

#include <stdlib.h>
#include <string.h>

/* The commas that separate names: not those of template argument lists. */
static size_t split_in_place(char *text, size_t *pieces)
{
	int depth = 0;

	*pieces = 1;
	for (char *p = text; *p; p++) {
		if (*p == '<')
			depth++;
		else if (*p == '>' && depth > 0)
			depth--;
		else if (*p == ',' && depth == 0) {
			*p = '\0';
			++*pieces;
		}
	}
	return *pieces;
}

int cli_globs_add(const char ***globs, size_t *count, char ***copies, size_t *copy_count,
		  const char *arg)
{
	char *copy = strdup(arg);
	char **grown_copies;
	const char **grown;
	size_t pieces = 1;
	const char *p;

	if (!copy)
		return -1;
	split_in_place(copy, &pieces);
	grown = realloc(*globs, (*count + pieces + 1) * sizeof(*grown));
	if (!grown) {
		free(copy);
		return -1;
	}
	*globs = grown;
	if (pieces == 1) {
		free(copy);
		grown[(*count)++] = arg;
		grown[*count] = NULL;
		return 0;
	}
	grown_copies = realloc(*copies, (*copy_count + 1) * sizeof(*grown_copies));
	if (!grown_copies) {
		free(copy);
		return -1;
	}
	*copies = grown_copies;
	grown_copies[(*copy_count)++] = copy;
	p = copy;
	for (size_t i = 0; i < pieces; i++, p += strlen(p) + 1) {
		/* "a,,b" and a trailing comma name nothing. */
		if (*p)
			grown[(*count)++] = p;
	}
	grown[*count] = NULL;
	return 0;
}
