/* Go heap profiles in pprof's protobuf form (runtime/pprof's gzipped profile.proto): samples, locations, functions, strings. */
#include "impact/impact_private.h"
#include "impact/pprof_wire.h"

#include <stdlib.h>
#include <string.h>

#include "util/fail.h"

/*
 * Field numbers are profile.proto's (github.com/google/pprof,
 * proto/profile.proto):
 *   Profile:   1 sample_type, 2 sample, 4 location, 5 function, 6 string_table
 *   ValueType: 1 type, 2 unit (string indexes)
 *   Sample:    1 location_id (packed or not), 2 value, 3 label
 *   Label:     1 key, 2 str, 3 num
 *   Location:  1 id, 4 line (Line: 1 function_id, 2 line)
 *   Function:  1 id, 2 name, 4 filename
 * Every index is checked against its table.
 */

typedef struct pb_span {
	const unsigned char *data;
	size_t len;
} pb_span;

typedef struct pprof_function {
	uint64_t id;
	const char *name, *file;
} pprof_function;

/* A location's lines as frames: innermost (inlined) function first. */
typedef struct pprof_location {
	uint64_t id;
	sf_profile_frame *frames;
	size_t frame_count;
} pprof_location;

typedef struct pprof_tables {
	const char **strings;
	size_t string_count;
	pprof_function *functions;
	size_t function_count;
	pprof_location *locations;
	size_t location_count;
	size_t value_index[4];      /* alloc_objects, alloc_space, inuse_objects, inuse_space */
	size_t value_count;
	uint64_t bytes_key;         /* string index of "bytes" (0: none) */
} pprof_tables;

static int string_at(const sf_pb_ctx *ctx, const pprof_tables *t, uint64_t index, const char **out)
{
	if (index >= t->string_count)
		return sf__fail(SF_EINVALID, "%s: Go heap profile: string index %llu outside the table of %zu",
				ctx->name, (unsigned long long)index, t->string_count);
	*out = t->strings[index];
	return 0;
}

static int compare_function_ids(const void *a, const void *b)
{
	uint64_t x = ((const pprof_function *)a)->id, y = ((const pprof_function *)b)->id;
	return x < y ? -1 : x > y;
}

static int compare_location_ids(const void *a, const void *b)
{
	uint64_t x = ((const pprof_location *)a)->id, y = ((const pprof_location *)b)->id;
	return x < y ? -1 : x > y;
}

/* Counts the top-level fields by number (1..6), then collects them. */
static int collect(const sf_pb_ctx *ctx, const unsigned char *data, size_t len, sf_arena *arena,
		   pb_span *spans[7], size_t counts[7])
{
	const unsigned char *end = data + len;
	size_t filled[7] = { 0 };
	sf_pb_field f;
	int got;

	for (int pass = 0; pass < 2; pass++) {
		const unsigned char *p = data;
		while ((got = sf__pb_next(ctx, &p, end, &f)) == 1) {
			if (f.number < 1 || f.number > 6 || f.wire != SF_PB_BYTES)
				continue;
			if (pass == 0)
				counts[f.number]++;
			else
				spans[f.number][filled[f.number]++] = (pb_span){ f.data, f.len };
		}
		if (got < 0)
			return got;
		for (int n = 1; pass == 0 && n <= 6; n++) {
			spans[n] = sf__arena_calloc(arena, counts[n] ? counts[n] : 1, sizeof(pb_span));
			if (!spans[n])
				return sf__fail(SF_ENOMEM, "out of memory");
		}
	}
	return 0;
}

static int read_strings(const sf_pb_ctx *ctx, pb_span *spans, size_t count, sf_arena *arena,
			pprof_tables *t)
{
	(void)ctx;
	t->strings = sf__arena_calloc(arena, count ? count : 1, sizeof(*t->strings));
	if (!t->strings)
		return sf__fail(SF_ENOMEM, "out of memory");
	for (size_t i = 0; i < count; i++) {
		t->strings[i] = sf__arena_strndup(arena, (const char *)spans[i].data, spans[i].len);
		if (!t->strings[i])
			return sf__fail(SF_ENOMEM, "out of memory");
		if (i == 0 || strcmp(t->strings[i], "bytes") != 0 || t->bytes_key)
			continue;
		t->bytes_key = i;
	}
	t->string_count = count;
	return 0;
}

static int read_functions(const sf_pb_ctx *ctx, pb_span *spans, size_t count, sf_arena *arena,
			  pprof_tables *t)
{
	t->functions = sf__arena_calloc(arena, count ? count : 1, sizeof(*t->functions));
	if (!t->functions)
		return sf__fail(SF_ENOMEM, "out of memory");
	for (size_t i = 0; i < count; i++) {
		const unsigned char *p = spans[i].data;
		pprof_function *fn = &t->functions[i];
		sf_pb_field f;
		int got, error;
		fn->name = fn->file = "";
		while ((got = sf__pb_next(ctx, &p, spans[i].data + spans[i].len, &f)) == 1) {
			if (f.wire != SF_PB_VARINT)
				continue;
			if (f.number == 1)
				fn->id = f.value;
			else if (f.number == 2 && (error = string_at(ctx, t, f.value, &fn->name)) != 0)
				return error;
			else if (f.number == 4 && (error = string_at(ctx, t, f.value, &fn->file)) != 0)
				return error;
		}
		if (got < 0)
			return got;
	}
	t->function_count = count;
	qsort(t->functions, count, sizeof(*t->functions), compare_function_ids);
	return 0;
}

static int find_function(const sf_pb_ctx *ctx, const pprof_tables *t, uint64_t id,
			 const pprof_function **out)
{
	pprof_function key = { id, NULL, NULL };

	*out = bsearch(&key, t->functions, t->function_count, sizeof(key), compare_function_ids);
	if (!*out)
		return sf__fail(SF_EINVALID, "%s: Go heap profile: a location names function %llu, which "
				"is not in the profile", ctx->name, (unsigned long long)id);
	return 0;
}

/* Line message: function_id and line, into one frame. */
static int read_line(const sf_pb_ctx *ctx, const pprof_tables *t, const sf_pb_field *line,
		     sf_profile_frame *frame)
{
	const unsigned char *p = line->data;
	const pprof_function *fn = NULL;
	uint64_t function_id = 0, number = 0;
	sf_pb_field f;
	int got, error;

	while ((got = sf__pb_next(ctx, &p, line->data + line->len, &f)) == 1) {
		if (f.number == 1 && f.wire == SF_PB_VARINT)
			function_id = f.value;
		else if (f.number == 2 && f.wire == SF_PB_VARINT)
			number = f.value;
	}
	if (got < 0)
		return got;
	if ((error = find_function(ctx, t, function_id, &fn)) != 0)
		return error;
	frame->function = fn->name;
	/* Negative (a varint of 2^63 and up) or absurd lines say nothing. */
	frame->file = fn->file[0] && number > 0 && number <= UINT32_MAX ? fn->file : NULL;
	frame->line = frame->file ? (unsigned)number : 0;
	return 0;
}

static int read_location(const sf_pb_ctx *ctx, const pprof_tables *t, pb_span span, sf_arena *arena,
			 pprof_location *loc)
{
	const unsigned char *p = span.data, *end = span.data + span.len;
	size_t lines = 0;
	sf_pb_field f;
	int got, error;

	while ((got = sf__pb_next(ctx, &p, end, &f)) == 1) {
		if (f.number == 1 && f.wire == SF_PB_VARINT)
			loc->id = f.value;
		else if (f.number == 4 && f.wire == SF_PB_BYTES)
			lines++;
	}
	if (got < 0)
		return got;
	loc->frames = sf__arena_calloc(arena, lines ? lines : 1, sizeof(*loc->frames));
	if (!loc->frames)
		return sf__fail(SF_ENOMEM, "out of memory");
	for (p = span.data; (got = sf__pb_next(ctx, &p, end, &f)) == 1;) {
		if (f.number != 4 || f.wire != SF_PB_BYTES)
			continue;
		if ((error = read_line(ctx, t, &f, &loc->frames[loc->frame_count++])) != 0)
			return error;
	}
	return got < 0 ? got : 0;
}

static int read_locations(const sf_pb_ctx *ctx, pb_span *spans, size_t count, sf_arena *arena,
			  pprof_tables *t)
{
	int error;

	t->locations = sf__arena_calloc(arena, count ? count : 1, sizeof(*t->locations));
	if (!t->locations)
		return sf__fail(SF_ENOMEM, "out of memory");
	for (size_t i = 0; i < count; i++) {
		if ((error = read_location(ctx, t, spans[i], arena, &t->locations[i])) != 0)
			return error;
	}
	t->location_count = count;
	qsort(t->locations, count, sizeof(*t->locations), compare_location_ids);
	return 0;
}

/* Which values are the heap's: runtime/pprof writes alloc_objects,
 * alloc_space, inuse_objects and inuse_space; a profile without the
 * objects and space of either pair is of another kind (CPU, mutex...). */
void sf__pprof_heap_type(size_t index[4], size_t slot, const char *type)
{
	static const char *const wanted[4] = { "alloc_objects", "alloc_space", "inuse_objects",
					       "inuse_space" };

	for (int k = 0; k < 4; k++) {
		if (strcmp(type, wanted[k]) == 0 && index[k] == SIZE_MAX)
			index[k] = slot;
	}
}

int sf__pprof_heap_check(const size_t index[4], const char *name)
{
	/* runtime/pprof writes all four; a profile without the objects and
	 * space of either pair is of another kind (CPU, mutex...). */
	if ((index[SF_PPROF_ALLOC_OBJECTS] == SIZE_MAX || index[SF_PPROF_ALLOC_SPACE] == SIZE_MAX) &&
	    (index[SF_PPROF_INUSE_OBJECTS] == SIZE_MAX || index[SF_PPROF_INUSE_SPACE] == SIZE_MAX))
		return sf__fail(SF_EINVALID,
				"%s: a pprof profile but not a Go heap profile (no alloc_objects/alloc_space "
				"or inuse_objects/inuse_space sample types)",
				name);
	return 0;
}

static int read_sample_types(const sf_pb_ctx *ctx, pb_span *spans, size_t count, pprof_tables *t)
{
	for (int k = 0; k < 4; k++)
		t->value_index[k] = SIZE_MAX;
	for (size_t i = 0; i < count; i++) {
		const unsigned char *p = spans[i].data;
		const char *type = "";
		sf_pb_field f;
		int got, error;
		while ((got = sf__pb_next(ctx, &p, spans[i].data + spans[i].len, &f)) == 1) {
			if (f.number == 1 && f.wire == SF_PB_VARINT &&
			    (error = string_at(ctx, t, f.value, &type)) != 0)
				return error;
		}
		if (got < 0)
			return got;
		sf__pprof_heap_type(t->value_index, i, type);
	}
	t->value_count = count;
	return sf__pprof_heap_check(t->value_index, ctx->name);
}

void sf__pprof_site_counts(sf_profile_site *site, const size_t index[4], const uint64_t *values,
			   size_t value_count, uint64_t bytes)
{
	uint64_t v[4];

	for (int k = 0; k < 4; k++)
		v[k] = index[k] < value_count ? values[index[k]] : 0;
	site->go = true;
	site->total_blocks = v[SF_PPROF_ALLOC_OBJECTS];
	site->total_bytes = v[SF_PPROF_ALLOC_SPACE];
	/* In use at the last GC: Go's nearest to DHAT's peak. */
	site->max_blocks = site->peak_blocks = v[SF_PPROF_INUSE_OBJECTS];
	site->max_bytes = site->peak_bytes = v[SF_PPROF_INUSE_SPACE];
	site->block_size = bytes;
	if (!site->block_size && site->total_blocks && site->total_bytes % site->total_blocks == 0)
		site->block_size = site->total_bytes / site->total_blocks;
	if (!site->block_size && site->peak_blocks && site->peak_bytes % site->peak_blocks == 0)
		site->block_size = site->peak_bytes / site->peak_blocks;
}

/* One sample as it is decoded: its locations, values and "bytes" label. */
typedef struct pprof_sample {
	const sf_pb_ctx *ctx;
	const pprof_tables *tables;
	const pprof_location **locations;
	size_t location_count, location_cap;
	uint64_t *values;
	size_t value_count;
	uint64_t bytes;
	size_t frame_count;
} pprof_sample;

static int add_location(uint64_t id, void *arg)
{
	pprof_sample *s = arg;
	pprof_location key = { id, NULL, 0 };
	const pprof_location *loc =
		bsearch(&key, s->tables->locations, s->tables->location_count, sizeof(key), compare_location_ids);

	if (!loc)
		return sf__fail(SF_EINVALID, "%s: Go heap profile: a sample names location %llu, which is "
				"not in the profile", s->ctx->name, (unsigned long long)id);
	if (s->location_count == s->location_cap) {
		size_t cap = s->location_cap ? s->location_cap * 2 : 16;
		const pprof_location **grown = realloc(s->locations, cap * sizeof(*grown));
		if (!grown)
			return sf__fail(SF_ENOMEM, "out of memory");
		s->locations = grown;
		s->location_cap = cap;
	}
	s->locations[s->location_count++] = loc;
	s->frame_count += loc->frame_count;
	return 0;
}

static int add_value(uint64_t v, void *arg)
{
	pprof_sample *s = arg;

	if (s->value_count == s->tables->value_count)
		return sf__fail(SF_EINVALID, "%s: Go heap profile: a sample has more values than the "
				"%zu sample types", s->ctx->name, s->tables->value_count);
	/* int64 in the proto: a count or size below zero is corrupt. */
	if (v > INT64_MAX)
		return sf__fail(SF_EINVALID, "%s: Go heap profile: a negative sample value", s->ctx->name);
	s->values[s->value_count++] = v;
	return 0;
}

static int read_label(pprof_sample *s, const sf_pb_field *label)
{
	const unsigned char *p = label->data;
	uint64_t key = 0, num = 0;
	sf_pb_field f;
	int got;

	while ((got = sf__pb_next(s->ctx, &p, label->data + label->len, &f)) == 1) {
		if (f.number == 1 && f.wire == SF_PB_VARINT)
			key = f.value;
		else if (f.number == 3 && f.wire == SF_PB_VARINT)
			num = f.value;
	}
	if (got < 0)
		return got;
	if (s->tables->bytes_key && key == s->tables->bytes_key && num <= INT64_MAX)
		s->bytes = num;
	return 0;
}

/* The site of one decoded sample. */
static int make_site(const pprof_sample *s, sf_arena *arena, sf_profile_site *site)
{
	sf_profile_frame *frames = sf__arena_calloc(arena, s->frame_count ? s->frame_count : 1,
						    sizeof(*frames));
	size_t n = 0;

	if (!frames)
		return sf__fail(SF_ENOMEM, "out of memory");
	for (size_t i = 0; i < s->location_count; i++) {
		memcpy(frames + n, s->locations[i]->frames,
		       s->locations[i]->frame_count * sizeof(*frames));
		n += s->locations[i]->frame_count;
	}
	site->frames = frames;
	site->frame_count = n;
	sf__pprof_site_counts(site, s->tables->value_index, s->values, s->value_count, s->bytes);
	return 0;
}

static int read_sample(pprof_sample *s, pb_span span)
{
	const unsigned char *p = span.data;
	sf_pb_field f;
	int got, error = 0;

	s->location_count = s->value_count = s->frame_count = 0;
	s->bytes = 0;
	while (!error && (got = sf__pb_next(s->ctx, &p, span.data + span.len, &f)) == 1) {
		if (f.number == 1)
			error = sf__pb_each_int(s->ctx, &f, add_location, s);
		else if (f.number == 2)
			error = sf__pb_each_int(s->ctx, &f, add_value, s);
		else if (f.number == 3 && f.wire == SF_PB_BYTES)
			error = read_label(s, &f);
	}
	if (error)
		return error;
	if (got < 0)
		return got;
	if (s->value_count != s->tables->value_count)
		return sf__fail(SF_EINVALID, "%s: Go heap profile: a sample has %zu values for %zu sample types",
				s->ctx->name, s->value_count, s->tables->value_count);
	return 0;
}

static int read_samples(const sf_pb_ctx *ctx, pb_span *spans, size_t count, const pprof_tables *t,
			size_t profile_index, sf_arena *arena, sf_profile_site **first, size_t *out_count)
{
	pprof_sample s = { ctx, t, NULL, 0, 0, NULL, 0, 0, 0 };
	sf_profile_site **tail = first;
	int error = 0;

	s.values = calloc(t->value_count ? t->value_count : 1, sizeof(*s.values));
	if (!s.values)
		return sf__fail(SF_ENOMEM, "out of memory");
	for (size_t i = 0; i < count && !error; i++) {
		sf_profile_site *site;
		bool any = false;
		error = read_sample(&s, spans[i]);
		if (error)
			break;
		/* runtime/pprof writes buckets of objects allocated since the
		 * last GC with all four values 0: nothing to count. */
		for (size_t v = 0; v < s.value_count; v++)
			any = any || s.values[v] != 0;
		if (!any)
			continue;
		site = sf__arena_calloc(arena, 1, sizeof(*site));
		if (!site) {
			error = sf__fail(SF_ENOMEM, "out of memory");
			break;
		}
		site->profile = ctx->name;
		site->profile_index = profile_index;
		error = make_site(&s, arena, site);
		*tail = site;
		tail = &site->next;
		(*out_count)++;
	}
	free(s.values);
	free(s.locations);
	return error;
}

bool sf__pprof_detect(const unsigned char *data, size_t len)
{
	unsigned field;

	if (sf__pb_is_gzip(data, len))
		return true;
	/* Plain protobuf: a first key of one of Profile's fields (1..14,
	 * runtime/pprof starts with 11, period_type), varint or
	 * length-delimited, and bytes no text has: a control byte. */
	if (len < 2)
		return false;
	field = data[0] >> 3;
	if (field < 1 || field > 14 || ((data[0] & 7) != 0 && (data[0] & 7) != 2))
		return false;
	for (size_t i = 0; i < len && i < 64; i++) {
		if (data[i] < 0x09 || (data[i] > 0x0d && data[i] < 0x20))
			return true;
	}
	return false;
}

int sf__pprof_parse(const unsigned char *data, size_t len, const char *name, size_t profile_index,
		    sf_arena *arena, sf_profile_site **first, size_t *count)
{
	sf_pb_ctx ctx = { data, name };
	pprof_tables tables;
	pb_span *spans[7] = { NULL };
	size_t counts[7] = { 0 };
	unsigned char *inflated = NULL;
	int error;

	*first = NULL;
	*count = 0;
	memset(&tables, 0, sizeof(tables));
	if (sf__pb_is_gzip(data, len)) {
		error = sf__pb_gunzip(&ctx, data, len, &inflated, &len);
		if (error)
			return error;
		data = ctx.base = inflated;
	}
	error = collect(&ctx, data, len, arena, spans, counts);
	if (!error)
		error = read_strings(&ctx, spans[6], counts[6], arena, &tables);
	if (!error)
		error = read_functions(&ctx, spans[5], counts[5], arena, &tables);
	if (!error)
		error = read_locations(&ctx, spans[4], counts[4], arena, &tables);
	if (!error)
		error = read_sample_types(&ctx, spans[1], counts[1], &tables);
	if (!error)
		error = read_samples(&ctx, spans[2], counts[2], &tables, profile_index, arena, first, count);
	free(inflated);
	return error;
}
