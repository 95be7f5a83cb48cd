/* valgrind DHAT JSON (dhatFileVersion 2, heap mode): program points, their counters, access histograms and frames. */
#include "impact/impact_private.h"

#include <stdlib.h>
#include <string.h>

#include "util/checked.h"
#include "util/fail.h"
#include "util/json_read.h"

/* DHAT records `acc` only for blocks of at most 1 KiB; anything larger in
 * a file is not DHAT's. */
#define DHAT_MAX_ACC_BYTES 1024

static int get_uint(const sf_json_value *obj, const char *key, const char *name, size_t pp,
		    bool required, uint64_t *out)
{
	const sf_json_value *v = sf__json_get(obj, key);

	*out = 0;
	if (!v)
		return required ? sf__fail(SF_EINVALID, "%s: program point %zu lacks \"%s\"", name, pp, key)
				: 0;
	if (v->type != SF_JSON_NUMBER || !v->is_uint)
		return sf__fail(SF_EINVALID, "%s:%u:%u: \"%s\" is not a count", name, v->line, v->column,
				key);
	*out = v->uint;
	return 0;
}

/*
 * `acc` is run-length encoded: a negative entry -N says the next entry
 * repeats N times, any other entry stands for itself (checked on a real
 * valgrind 3.19 file: [-8,1000,-8,0,-8,2000,-16,0] for a 40-byte block).
 */
static int decode_acc(const sf_json_value *acc, const char *name, uint64_t block_size,
		      sf_arena *arena, const uint64_t **out)
{
	uint64_t *bytes;
	uint64_t filled = 0;

	*out = NULL;
	if (acc->type != SF_JSON_ARRAY)
		return sf__fail(SF_EINVALID, "%s:%u:%u: \"acc\" is not an array", name, acc->line,
				acc->column);
	if (block_size == 0 || block_size > DHAT_MAX_ACC_BYTES)
		return sf__fail(SF_EINVALID, "%s:%u:%u: \"acc\" for blocks of %llu bytes", name,
				acc->line, acc->column, (unsigned long long)block_size);
	bytes = sf__arena_calloc(arena, (size_t)block_size, sizeof(*bytes));
	if (!bytes)
		return sf__fail(SF_ENOMEM, "out of memory");
	for (size_t i = 0; i < acc->count; i++) {
		const sf_json_value *v = acc->items[i];
		uint64_t repeat = 1;
		if (v->type != SF_JSON_NUMBER)
			goto bad;
		if (!v->is_uint) {
			/* A repeat count, followed by the value it repeats. */
			if (!v->is_int || !v->negative || v->magnitude == 0 || i + 1 >= acc->count ||
			    acc->items[i + 1]->type != SF_JSON_NUMBER || !acc->items[i + 1]->is_uint)
				goto bad;
			repeat = v->magnitude;
			v = acc->items[++i];
		}
		if (repeat > block_size - filled)
			goto bad;
		for (uint64_t r = 0; r < repeat; r++)
			bytes[filled++] = v->uint;
	}
	if (filled != block_size)
		goto bad;
	*out = bytes;
	return 0;
bad:
	return sf__fail(SF_EINVALID, "%s:%u:%u: \"acc\" does not describe %llu bytes", name, acc->line,
			acc->column, (unsigned long long)block_size);
}

/* "0x109176: main (prog.c:6)" or "0x48417B4: malloc (in /usr/lib/x.so)". */
static int parse_frame(const char *s, sf_arena *arena, sf_profile_frame *out)
{
	const char *fn = strstr(s, ": ");
	const char *open, *colon, *close;
	size_t len = strlen(s);

	memset(out, 0, sizeof(*out));
	fn = fn ? fn + 2 : s;
	close = len && s[len - 1] == ')' ? s + len - 1 : NULL;
	open = close ? strrchr(s, '(') : NULL;
	/* Functions may contain parentheses (C++ signatures): the location
	 * is the last parenthesised group. */
	if (open && open > fn && open[-1] == ' ') {
		out->function = sf__arena_strndup(arena, fn, (size_t)(open - 1 - fn));
		colon = memrchr(open, ':', (size_t)(close - open));
		if (strncmp(open, "(in ", 4) != 0 && colon && colon + 1 < close) {
			char *end;
			unsigned long line = strtoul(colon + 1, &end, 10);
			if (end == close && line > 0 && line <= UINT32_MAX) {
				out->file = sf__arena_strndup(arena, open + 1, (size_t)(colon - open - 1));
				out->line = (unsigned)line;
				if (!out->file)
					return SF_ENOMEM;
			}
		}
	} else {
		out->function = sf__arena_strdup(arena, fn);
	}
	return out->function ? 0 : SF_ENOMEM;
}

static int read_frames(sf_profile_site *site, const sf_json_value *pp, const sf_json_value *ftbl,
		       const sf_profile_frame *table, const char *name)
{
	const sf_json_value *fs = sf__json_get(pp, "fs");

	if (!fs || fs->type != SF_JSON_ARRAY)
		return sf__fail(SF_EINVALID, "%s:%u:%u: program point without \"fs\" frames", name,
				pp->line, pp->column);
	for (size_t i = 0; i < fs->count; i++) {
		if (fs->items[i]->type != SF_JSON_NUMBER || !fs->items[i]->is_uint ||
		    fs->items[i]->uint >= ftbl->count)
			return sf__fail(SF_EINVALID, "%s:%u:%u: frame index outside \"ftbl\"", name,
					fs->items[i]->line, fs->items[i]->column);
	}
	site->frames = table;
	site->frame_count = fs->count;
	return 0;
}

static int read_site(const sf_json_value *pp, size_t index, const char *name,
		     const sf_json_value *ftbl, const sf_profile_frame *table,
		     sf_arena *arena, sf_profile_site *site)
{
	const sf_json_value *acc, *fs;
	sf_profile_frame *frames;
	int error;

	if (pp->type != SF_JSON_OBJECT)
		return sf__fail(SF_EINVALID, "%s:%u:%u: program point is not an object", name, pp->line,
				pp->column);
	if ((error = get_uint(pp, "tb", name, index, true, &site->total_bytes)) ||
	    (error = get_uint(pp, "tbk", name, index, true, &site->total_blocks)) ||
	    (error = get_uint(pp, "mb", name, index, false, &site->max_bytes)) ||
	    (error = get_uint(pp, "mbk", name, index, false, &site->max_blocks)) ||
	    (error = get_uint(pp, "gb", name, index, false, &site->peak_bytes)) ||
	    (error = get_uint(pp, "gbk", name, index, false, &site->peak_blocks)) ||
	    (error = get_uint(pp, "rb", name, index, false, &site->read_bytes)) ||
	    (error = get_uint(pp, "wb", name, index, false, &site->write_bytes)))
		return error;
	error = read_frames(site, pp, ftbl, table, name);
	if (error)
		return error;
	/* Program point frames are indexes into the shared table: copy them
	 * in order so each site owns a plain array. */
	fs = sf__json_get(pp, "fs");
	frames = sf__arena_calloc(arena, fs->count ? fs->count : 1, sizeof(*frames));
	if (!frames)
		return sf__fail(SF_ENOMEM, "out of memory");
	for (size_t i = 0; i < fs->count; i++)
		frames[i] = table[fs->items[i]->uint];
	site->frames = frames;
	acc = sf__json_get(pp, "acc");
	if (acc) {
		/* With `acc` every block of the site has the same size. */
		uint64_t size = site->total_blocks ? site->total_bytes / site->total_blocks : 0;
		uint64_t sum = 0;
		error = decode_acc(acc, name, size, arena, &site->acc);
		if (error)
			return error;
		site->block_size = size;
		/* Each access adds one to every byte it covers and its size to
		 * rb or wb, so an intact histogram sums to rb + wb exactly. */
		for (uint64_t b = 0; b < size; b++)
			sum = sf__add_sat_u64(sum, site->acc[b]);
		site->acc_wrapped = sum != sf__add_sat_u64(site->read_bytes, site->write_bytes);
	} else if (site->total_blocks && site->total_bytes % site->total_blocks == 0 &&
		   (!site->max_blocks ||
		    site->max_bytes == site->max_blocks * (site->total_bytes / site->total_blocks))) {
		/* Same average at the site's peak and over the run: taken as one size. */
		site->block_size = site->total_bytes / site->total_blocks;
	}
	return 0;
}

static int check_header(const sf_json_value *root, const char *name)
{
	const sf_json_value *version = sf__json_get(root, "dhatFileVersion");
	const sf_json_value *mode = sf__json_get(root, "mode");

	if (root->type != SF_JSON_OBJECT || !version)
		return sf__fail(SF_EINVALID, "%s: JSON but not a DHAT profile (no \"dhatFileVersion\")",
				name);
	if (version->type != SF_JSON_NUMBER || !version->is_uint || version->uint != 2)
		return sf__fail(SF_EINVALID, "%s: DHAT file version not supported (expected 2)", name);
	if (mode && (mode->type != SF_JSON_STRING || strcmp(mode->string, "heap") != 0))
		return sf__fail(SF_EINVALID, "%s: DHAT profile not in heap mode (run without --mode)",
				name);
	return 0;
}

int sf__dhat_parse(const char *text, size_t len, const char *name, size_t profile_index,
		   sf_arena *arena, sf_profile_site **first, size_t *count)
{
	const sf_json_value *root, *pps, *ftbl;
	sf_profile_frame *table;
	sf_profile_site **tail = first;
	int error;

	*first = NULL;
	*count = 0;
	error = sf__json_parse(text, len, name, arena, &root);
	if (error)
		return error == SF_ENOMEM ? error
					  : sf__fail(SF_EINVALID, "%s (truncated or not JSON)", sf_error_last());
	error = check_header(root, name);
	if (error)
		return error;
	pps = sf__json_get(root, "pps");
	ftbl = sf__json_get(root, "ftbl");
	if (!pps || pps->type != SF_JSON_ARRAY || !ftbl || ftbl->type != SF_JSON_ARRAY)
		return sf__fail(SF_EINVALID, "%s: DHAT profile without \"pps\" and \"ftbl\" arrays", name);
	table = sf__arena_calloc(arena, ftbl->count ? ftbl->count : 1, sizeof(*table));
	if (!table)
		return sf__fail(SF_ENOMEM, "out of memory");
	for (size_t i = 0; i < ftbl->count; i++) {
		if (ftbl->items[i]->type != SF_JSON_STRING)
			return sf__fail(SF_EINVALID, "%s:%u:%u: frame is not a string", name,
					ftbl->items[i]->line, ftbl->items[i]->column);
		if (parse_frame(ftbl->items[i]->string, arena, &table[i]) != 0)
			return sf__fail(SF_ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < pps->count; i++) {
		sf_profile_site *site = sf__arena_alloc(arena, sizeof(*site));
		if (!site)
			return sf__fail(SF_ENOMEM, "out of memory");
		site->profile = name;
		site->profile_index = profile_index;
		error = read_site(pps->items[i], i, name, ftbl, table, arena, site);
		if (error)
			return error;
		*tail = site;
		tail = &site->next;
		(*count)++;
	}
	return 0;
}

bool sf__profile_is_allocator(const char *function)
{
	static const char *const names[] = {
		"malloc", "calloc", "realloc", "reallocarray", "memalign", "posix_memalign",
		"aligned_alloc", "valloc", "pvalloc", "__builtin_new", "__builtin_vec_new", NULL
	};

	if (!function)
		return false;
	for (size_t i = 0; names[i]; i++) {
		if (strcmp(function, names[i]) == 0)
			return true;
	}
	return strncmp(function, "operator new", 12) == 0;
}
