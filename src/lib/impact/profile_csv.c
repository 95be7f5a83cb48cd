/* CSV profiles: `type,member,reads,writes[,threads]` rows from any profiler. */
#include "impact/impact_private.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util/fail.h"

#define MAX_FIELDS 5

/* Splits one line on commas, trimming blanks; quotes are not part of the
 * format (type and member names never contain commas). */
static size_t split(char *line, char *fields[MAX_FIELDS + 1])
{
	size_t n = 0;
	char *p = line;

	for (;;) {
		char *comma = strchr(p, ',');
		char *end = comma ? comma : p + strlen(p);
		while (p < end && isspace((unsigned char)*p))
			p++;
		while (end > p && isspace((unsigned char)end[-1]))
			end--;
		if (n <= MAX_FIELDS)
			fields[n] = p;
		n++;
		if (!comma) {
			*end = '\0';
			break;
		}
		*end = '\0';
		p = comma + 1;
	}
	return n;
}

static int parse_count(const char *text, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (!isdigit((unsigned char)text[0]))
		return -1;
	errno = 0;
	v = strtoull(text, &end, 10);
	if (*end != '\0' || errno || v > max)
		return -1;
	*out = v;
	return 0;
}

static int parse_row(char *line, const char *name, unsigned lineno, sf_arena *arena,
		     sf_profile_row **out)
{
	char *fields[MAX_FIELDS + 1];
	size_t n = split(line, fields);
	sf_profile_row *row;
	uint64_t threads = 0;

	*out = NULL;
	if (n < 4 || n > 5)
		return sf__fail(SF_EINVALID,
				"%s:%u: expected type,member,reads,writes[,threads] (%zu fields)", name,
				lineno, n);
	if (lineno == 1 && strcmp(fields[0], "type") == 0)
		return 0; /* the optional header */
	if (!fields[0][0] || !fields[1][0])
		return sf__fail(SF_EINVALID, "%s:%u: empty type or member name", name, lineno);
	row = sf__arena_alloc(arena, sizeof(*row));
	if (!row)
		return sf__fail(SF_ENOMEM, "out of memory");
	if (parse_count(fields[2], UINT64_MAX, &row->reads) != 0 ||
	    parse_count(fields[3], UINT64_MAX, &row->writes) != 0 ||
	    (n == 5 && fields[4][0] && parse_count(fields[4], UINT32_MAX, &threads) != 0))
		return sf__fail(SF_EINVALID, "%s:%u: reads, writes and threads must be unsigned numbers",
				name, lineno);
	row->threads = (uint32_t)threads;
	row->profile = name;
	row->line = lineno;
	row->type = sf__arena_strdup(arena, fields[0]);
	row->member = sf__arena_strdup(arena, fields[1]);
	if (!row->type || !row->member)
		return sf__fail(SF_ENOMEM, "out of memory");
	*out = row;
	return 0;
}

int sf__profile_csv_parse(const char *text, size_t len, const char *name, sf_arena *arena,
			  sf_profile_row **first, size_t *count)
{
	sf_profile_row **tail = first;
	size_t pos = 0;
	unsigned lineno = 0;
	int error = 0;
	char *line = NULL;
	bool seen = false;          /* a row or the header line */

	*first = NULL;
	*count = 0;
	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - (text + pos)) : len - pos;
		const char *p = text + pos;
		sf_profile_row *row;
		size_t skip = 0;

		lineno++;
		pos += n + (nl ? 1 : 0);
		if (n && p[n - 1] == '\r')
			n--;
		while (skip < n && isspace((unsigned char)p[skip]))
			skip++;
		if (skip == n || p[skip] == '#')
			continue;
		free(line);
		line = strndup(p, n);
		if (!line) {
			error = sf__fail(SF_ENOMEM, "out of memory");
			goto done;
		}
		error = parse_row(line, name, lineno, arena, &row);
		if (error == SF_EINVALID && !seen) {
			/* The first row decides whether this is CSV at all. */
			error = sf__fail(SF_EINVALID,
					 "%s: not a profile: neither DHAT JSON nor CSV type,member,reads,writes "
					 "(line %u)", name, lineno);
			goto done;
		}
		if (error)
			goto done;
		seen = true;
		if (row) {
			*tail = row;
			tail = &row->next;
			(*count)++;
		}
	}
	if (*count == 0)
		error = sf__fail(SF_EINVALID,
				 "%s: not a profile: no DHAT JSON and no CSV rows (type,member,reads,writes)",
				 name);
done:
	free(line);
	return error;
}
