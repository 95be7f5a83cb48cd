/* Go heap profiles as `go tool pprof -raw` prints them: sample values and location ids, "bytes" labels, locations with their inlined lines. */
#include "impact/impact_private.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/fail.h"

/*
 * The text is pprof's Profile.String() (github.com/google/pprof,
 * profile/profile.go):
 *
 *   PeriodType: space bytes
 *   Samples:
 *   alloc_objects/count alloc_space/bytes inuse_objects/count inuse_space/bytes
 *        100000    4800000     100000    4800000: 5 2
 *                   bytes:[48]
 *   Locations
 *        3: 0x4aece7 M=1 main.newCold /tmp/gp/main.go:30 s=0
 *                main.main /tmp/gp/main.go:40 s=0
 *   Mappings
 *   ...
 *
 * A location's further lines are the callers its first was inlined into.
 */

typedef struct raw_location {
	uint64_t id;
	size_t first, count;        /* frames[first, first + count) */
} raw_location;

typedef struct raw_sample {
	size_t values, ids, id_count; /* offsets into the value and id vectors */
	uint64_t bytes;
} raw_sample;

typedef struct raw_state {
	const char *name;
	unsigned line;
	size_t index[4];
	size_t value_count;
	uint64_t *values, *ids;
	size_t value_used, value_cap, id_used, id_cap;
	raw_sample *samples;
	size_t sample_count, sample_cap;
	raw_location *locations;
	size_t location_count, location_cap;
	sf_profile_frame *frames;
	size_t frame_count, frame_cap;
} raw_state;

/* `items` with room for one more of `size` bytes past `used`; on
 * failure `items` itself (still owned by the caller) and *error set. */
static void *grow(void *items, size_t *cap, size_t used, size_t size, int *error)
{
	size_t n = *cap ? *cap * 2 : 64;
	void *grown;

	if (used < *cap)
		return items;
	grown = realloc(items, n * size);
	if (!grown) {
		*error = sf__fail(SF_ENOMEM, "out of memory");
		return items;
	}
	*cap = n;
	return grown;
}

static int bad(const raw_state *st, const char *what)
{
	return sf__fail(SF_EINVALID, "%s:%u: Go heap profile (pprof -raw): %s", st->name, st->line, what);
}

static const char *skip_blanks(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

/* An unsigned decimal at *p; advances past it. */
static bool number(const char **p, uint64_t *out)
{
	char *end;

	if (**p < '0' || **p > '9')
		return false;
	errno = 0;
	*out = strtoull(*p, &end, 10);
	if (errno)
		return false;
	*p = end;
	return true;
}

/* "alloc_objects/count alloc_space/bytes[dflt] ..." */
static void read_types(raw_state *st, const char *p)
{
	for (int k = 0; k < 4; k++)
		st->index[k] = SIZE_MAX;
	st->value_count = 0;
	for (p = skip_blanks(p); *p; p = skip_blanks(p)) {
		size_t n = strcspn(p, "/ \t");
		char type[64];
		snprintf(type, sizeof(type), "%.*s", (int)(n < sizeof(type) ? n : sizeof(type) - 1), p);
		sf__pprof_heap_type(st->index, st->value_count++, type);
		p += strcspn(p, " \t");
	}
}

/* "   1   128   1   128: 1 2 " */
static int read_sample(raw_state *st, const char *p)
{
	raw_sample *s;
	int error = 0;

	st->samples = grow(st->samples, &st->sample_cap, st->sample_count, sizeof(*st->samples), &error);
	if (error)
		return error;
	s = &st->samples[st->sample_count];
	memset(s, 0, sizeof(*s));
	s->values = st->value_used;
	s->ids = st->id_used;
	for (size_t v = 0; v < st->value_count; v++) {
		p = skip_blanks(p);
		st->values = grow(st->values, &st->value_cap, st->value_used, sizeof(uint64_t), &error);
		if (error)
			return error;
		if (!number(&p, &st->values[st->value_used++]))
			return bad(st, "a sample value that is not a count");
	}
	if (*p++ != ':')
		return bad(st, "a sample with more values than sample types");
	for (p = skip_blanks(p); *p; p = skip_blanks(p)) {
		st->ids = grow(st->ids, &st->id_cap, st->id_used, sizeof(uint64_t), &error);
		if (error)
			return error;
		if (!number(&p, &st->ids[st->id_used++]))
			return bad(st, "a location id that is not a number");
		s->id_count++;
	}
	st->sample_count++;
	return 0;
}

/* "                bytes:[48]" under its sample. */
static int read_label(raw_state *st, const char *p)
{
	const char *bytes = strstr(p, "bytes:[");
	uint64_t n;

	if (!st->sample_count)
		return bad(st, "a label before any sample");
	if (bytes && (bytes == p || bytes[-1] == ' ')) {
		const char *q = bytes + 7;
		if (!number(&q, &n))
			return bad(st, "a \"bytes\" label that is not a count");
		st->samples[st->sample_count - 1].bytes = n;
	}
	return 0;
}

/* "main.newCold /tmp/gp/main.go:30 s=0" (or "??": no function). */
static int read_frame(raw_state *st, const char *p, sf_arena *arena)
{
	const char *space = strchr(p, ' '), *start_line = strstr(p, " s="), *colon;
	sf_profile_frame *f;
	uint64_t line = 0;
	int error = 0;

	if (strncmp(p, "??", 2) == 0)
		return 0;
	if (!space || !start_line)
		return bad(st, "a location line without \"FUNCTION FILE:LINE s=N\"");
	for (const char *q; (q = strstr(start_line + 1, " s=")) != NULL;)
		start_line = q; /* the last one: file names may hold " s=" */
	colon = memrchr(space, ':', (size_t)(start_line - space));
	st->frames = grow(st->frames, &st->frame_cap, st->frame_count, sizeof(*st->frames), &error);
	if (error)
		return error;
	f = &st->frames[st->frame_count];
	memset(f, 0, sizeof(*f));
	f->function = sf__arena_strndup(arena, p, (size_t)(space - p));
	if (colon) {
		const char *q = colon + 1;
		if (number(&q, &line) && q == start_line && line > 0 && line <= UINT32_MAX) {
			f->file = sf__arena_strndup(arena, space + 1, (size_t)(colon - space - 1));
			f->line = (unsigned)line;
			if (!f->file)
				return sf__fail(SF_ENOMEM, "out of memory");
		}
	}
	if (!f->function)
		return sf__fail(SF_ENOMEM, "out of memory");
	st->frame_count++;
	st->locations[st->location_count - 1].count++;
	return 0;
}

/* "     3: 0x4aece7 M=1 [F] FRAME", or a continuation line "      FRAME". */
static int read_location(raw_state *st, const char *p, sf_arena *arena)
{
	const char *q = skip_blanks(p);
	uint64_t id;
	int error = 0;

	if (number(&q, &id) && q[0] == ':' && q[1] == ' ') {
		raw_location *loc;
		st->locations = grow(st->locations, &st->location_cap, st->location_count,
				     sizeof(*st->locations), &error);
		if (error)
			return error;
		loc = &st->locations[st->location_count++];
		loc->id = id;
		loc->first = st->frame_count;
		loc->count = 0;
		q = skip_blanks(q + 1);
		q += strcspn(q, " ");                  /* the address */
		q = skip_blanks(q);
		if (strncmp(q, "M=", 2) == 0)
			q = skip_blanks(q + strcspn(q, " "));
		if (strncmp(q, "[F]", 3) == 0)
			q = skip_blanks(q + 3);
		return *q ? read_frame(st, q, arena) : 0;
	}
	if (!st->location_count)
		return bad(st, "a line before any location");
	return read_frame(st, q, arena);
}

static int compare_ids(const void *a, const void *b)
{
	uint64_t x = ((const raw_location *)a)->id, y = ((const raw_location *)b)->id;
	return x < y ? -1 : x > y;
}

/* The sites of the samples read, in file order. */
static int make_sites(raw_state *st, const char *name, size_t profile_index, sf_arena *arena,
		      sf_profile_site **first, size_t *count)
{
	sf_profile_site **tail = first;

	qsort(st->locations, st->location_count, sizeof(*st->locations), compare_ids);
	for (size_t i = 0; i < st->sample_count; i++) {
		const raw_sample *s = &st->samples[i];
		const uint64_t *values = st->values + s->values;
		sf_profile_site *site;
		size_t frames = 0, n = 0;
		bool any = false;
		for (size_t v = 0; v < st->value_count; v++)
			any = any || values[v] != 0;
		if (!any)
			continue; /* as in the protobuf form */
		for (size_t k = 0; k < s->id_count; k++) {
			raw_location key = { st->ids[s->ids + k], 0, 0 };
			const raw_location *loc = bsearch(&key, st->locations, st->location_count,
							  sizeof(key), compare_ids);
			if (!loc)
				return sf__fail(SF_EINVALID, "%s: Go heap profile (pprof -raw): a sample names "
						"location %llu, which is not listed", name,
						(unsigned long long)key.id);
			frames += loc->count;
		}
		site = sf__arena_calloc(arena, 1, sizeof(*site));
		if (!site || !(site->frames = sf__arena_calloc(arena, frames ? frames : 1, sizeof(sf_profile_frame))))
			return sf__fail(SF_ENOMEM, "out of memory");
		for (size_t k = 0; k < s->id_count; k++) {
			raw_location key = { st->ids[s->ids + k], 0, 0 };
			const raw_location *loc = bsearch(&key, st->locations, st->location_count,
							  sizeof(key), compare_ids);
			if (!loc->count)
				continue; /* st->frames may still be NULL */
			memcpy((sf_profile_frame *)site->frames + n, st->frames + loc->first,
			       loc->count * sizeof(sf_profile_frame));
			n += loc->count;
		}
		site->frame_count = n;
		site->profile = name;
		site->profile_index = profile_index;
		sf__pprof_site_counts(site, st->index, values, st->value_count, s->bytes);
		*tail = site;
		tail = &site->next;
		(*count)++;
	}
	return 0;
}

bool sf__pprof_raw_detect(const char *text, size_t len)
{
	static const char *const openers[] = { "PeriodType: ", "Period: ", "Samples:\n", "Comment: " };

	for (size_t i = 0; i < sizeof(openers) / sizeof(openers[0]); i++) {
		size_t n = strlen(openers[i]);
		if (len >= n && strncmp(text, openers[i], n) == 0)
			return true;
	}
	return false;
}

enum { RAW_HEADER, RAW_TYPES, RAW_SAMPLES, RAW_LOCATIONS, RAW_MAPPINGS };

static int read_line(raw_state *st, int *section, char *line, sf_arena *arena)
{
	size_t n = strlen(line);

	if (n && line[n - 1] == '\r')
		line[--n] = '\0';
	if (*section == RAW_HEADER) {
		if (strcmp(line, "Samples:") == 0)
			*section = RAW_TYPES;
		return 0;
	}
	if (*section == RAW_TYPES) {
		read_types(st, line);
		*section = RAW_SAMPLES;
		return sf__pprof_heap_check(st->index, st->name);
	}
	if (strcmp(line, "Locations") == 0) {
		*section = RAW_LOCATIONS;
		return 0;
	}
	if (strcmp(line, "Mappings") == 0) {
		*section = RAW_MAPPINGS;
		return 0;
	}
	if (*section == RAW_MAPPINGS || !*skip_blanks(line))
		return 0;
	if (*section == RAW_LOCATIONS)
		return read_location(st, line, arena);
	if (*skip_blanks(line) == '-')
		return bad(st, "a negative sample value");
	return *skip_blanks(line) >= '0' && *skip_blanks(line) <= '9' ? read_sample(st, line)
								      : read_label(st, line);
}

int sf__pprof_raw_parse(const char *text, size_t len, const char *name, size_t profile_index,
			sf_arena *arena, sf_profile_site **first, size_t *count)
{
	raw_state st;
	char *copy = malloc(len + 1);
	int section = RAW_HEADER, error = 0;

	*first = NULL;
	*count = 0;
	memset(&st, 0, sizeof(st));
	st.name = name;
	if (!copy)
		return sf__fail(SF_ENOMEM, "out of memory");
	memcpy(copy, text, len);
	copy[len] = '\0';
	for (char *line = copy, *next; line && !error; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		st.line++;
		error = read_line(&st, &section, line, arena);
	}
	if (!error && section < RAW_LOCATIONS)
		error = sf__fail(SF_EINVALID, "%s: Go heap profile (pprof -raw): truncated (no \"Locations\")",
				 name);
	if (!error)
		error = make_sites(&st, name, profile_index, arena, first, count);
	free(copy);
	free(st.values);
	free(st.ids);
	free(st.samples);
	free(st.locations);
	free(st.frames);
	return error;
}
