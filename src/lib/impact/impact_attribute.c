/* Attribution of DHAT allocation sites to struct types: block size, the allocating source line, the file's types, --profile-map. */
#include "impact/impact_private.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "layout/selection.h"
#include "model/structs.h"
#include "util/fail.h"

/* Frames looked at past the allocator: the allocating call and two
 * callers, for wrappers such as xmalloc(size). */
#define MAX_CALL_FRAMES 3
/* Lines searched upwards for the declaration of `p` in `sizeof *p`. */
#define MAX_DECL_LOOKBACK 200

typedef struct attr_ctx {
	sf_impact *impact;
	sf_impact_sources *sources;
	const sf_report *report;
	size_t *cands;              /* scratch: report indexes */
	size_t cand_count;
} attr_ctx;

static bool ident_char(char c)
{
	return isalnum((unsigned char)c) || c == '_';
}

/* The name as C source spells it: the last component of "ns::T". */
static const char *spelled(const char *name)
{
	const char *colons = name ? strrchr(name, ':') : NULL;
	return colons ? colons + 1 : name;
}

/* Whether `name` occurs in `text` as a whole identifier. */
static bool has_ident(const char *text, const char *name)
{
	size_t n;

	name = spelled(name);
	if (!text || !name || !*name)
		return false;
	n = strlen(name);
	for (const char *p = strstr(text, name); p; p = strstr(p + 1, name)) {
		if ((p == text || !ident_char(p[-1])) && !ident_char(p[n]))
			return true;
	}
	return false;
}

static const sf_struct *entry_def(const attr_ctx *ctx, size_t index)
{
	return ctx->report->entries[index].def;
}

static bool names_type(const sf_struct *s, const char *name)
{
	return (s->name && strcmp(spelled(s->name), name) == 0) ||
	       (s->typedef_name && strcmp(s->typedef_name, name) == 0);
}

static bool mentioned(const sf_struct *s, const char *text)
{
	return has_ident(text, s->name) || has_ident(text, s->typedef_name);
}

static const char *skip_space(const char *p)
{
	while (*p && isspace((unsigned char)*p))
		p++;
	return p;
}

static const char *read_ident(const char *p, char *buf, size_t cap)
{
	size_t n = 0;

	while (ident_char(*p) && n + 1 < cap)
		buf[n++] = *p++;
	buf[n] = '\0';
	return p;
}

enum { SUBJECT_NONE, SUBJECT_TYPE, SUBJECT_VARIABLE };

/*
 * What the first `sizeof` of a line measures: a type ("sizeof(struct
 * conn)", "sizeof(conn_t)") or the object a pointer points to ("sizeof
 * *c", "sizeof(*c)", "sizeof c[0]").  The name goes to `buf`.
 */
static int sizeof_subject(const char *line, char *buf, size_t cap)
{
	const char *p = line;
	bool paren;

	while ((p = strstr(p, "sizeof")) && p > line && ident_char(p[-1]))
		p += 6;
	if (!p || ident_char(p[6]))
		return SUBJECT_NONE;
	p = skip_space(p + 6);
	paren = *p == '(';
	if (paren)
		p = skip_space(p + 1);
	if (*p == '*') {
		read_ident(skip_space(p + 1), buf, cap);
		return buf[0] ? SUBJECT_VARIABLE : SUBJECT_NONE;
	}
	p = read_ident(p, buf, cap);
	if (strcmp(buf, "struct") == 0 || strcmp(buf, "union") == 0 || strcmp(buf, "class") == 0)
		p = read_ident(skip_space(p), buf, cap);
	else if (*skip_space(p) == '[' || (!paren && buf[0]))
		return buf[0] ? SUBJECT_VARIABLE : SUBJECT_NONE;
	return buf[0] ? SUBJECT_TYPE : SUBJECT_NONE;
}

/* Whether `line` declares `var` as a pointer: "TYPE *var" with an
 * identifier other than sizeof/return before the star(s). */
static bool declares_pointer(const char *line, const char *var)
{
	size_t n = strlen(var);

	for (const char *p = strchr(line, '*'); p; p = strchr(p + 1, '*')) {
		const char *q = skip_space(p + 1);
		const char *w = p;
		size_t len = 0;
		if (strncmp(q, var, n) != 0 || ident_char(q[n]))
			continue;
		while (w > line && (w[-1] == '*' || isspace((unsigned char)w[-1])))
			w--;
		while (w > line && ident_char(w[-1])) {
			w--;
			len++;
		}
		if (len && !(len == 6 && strncmp(w, "sizeof", 6) == 0) &&
		    !(len == 6 && strncmp(w, "return", 6) == 0))
			return true;
	}
	return false;
}

/* The candidate `var` was declared a pointer to, searching upwards. */
static size_t declared_candidate(attr_ctx *ctx, const char *file, unsigned line, const char *var)
{
	for (unsigned k = 0; k < MAX_DECL_LOOKBACK && k < line; k++) {
		const char *text = sf__impact_source_line(ctx->sources, file, line - k);
		if (!text || !declares_pointer(text, var))
			continue;
		for (size_t c = 0; c < ctx->cand_count; c++) {
			if (mentioned(entry_def(ctx, ctx->cands[c]), text))
				return c;
		}
		return SIZE_MAX; /* declared as something else */
	}
	return SIZE_MAX;
}

static void match(sf_site_result *r, const attr_ctx *ctx, size_t index, uint64_t block_size,
		  const char *how)
{
	r->status = SF_SITE_MATCHED;
	r->index = index;
	r->elements = block_size / entry_def(ctx, index)->size;
	r->how = how;
}

static int ambiguous(sf_site_result *r, attr_ctx *ctx, const bool *keep)
{
	size_t n = 0;

	for (size_t c = 0; c < ctx->cand_count; c++)
		n += keep[c];
	r->candidates = sf__arena_calloc(ctx->impact->arena, n ? n : 1, sizeof(size_t));
	if (!r->candidates)
		return sf__fail(SF_ENOMEM, "out of memory");
	for (size_t c = 0; c < ctx->cand_count; c++) {
		if (keep[c])
			r->candidates[r->candidate_count++] = ctx->cands[c];
	}
	r->status = SF_SITE_AMBIGUOUS;
	return 0;
}

/*
 * Evidence from the allocating source lines: returns 1 when it decided
 * (matched or ambiguous among the types the line names), 0 when the
 * lines say nothing about the candidates.
 */
static int line_evidence(attr_ctx *ctx, const sf_profile_site *site, size_t first,
			 sf_site_result *r, bool *keep, int *error)
{
	char name[256];

	for (size_t f = first; f < site->frame_count && f < first + MAX_CALL_FRAMES; f++) {
		const sf_profile_frame *frame = &site->frames[f];
		const char *line = sf__impact_source_line(ctx->sources, frame->file, frame->line);
		size_t hits = 0, hit = 0;
		int subject;

		if (!line)
			continue;
		subject = sizeof_subject(line, name, sizeof(name));
		if (subject != SUBJECT_NONE) {
			size_t c = SIZE_MAX;
			if (subject == SUBJECT_TYPE) {
				for (size_t k = 0; k < ctx->cand_count && c == SIZE_MAX; k++)
					c = names_type(entry_def(ctx, ctx->cands[k]), name) ? k : SIZE_MAX;
			} else {
				c = declared_candidate(ctx, frame->file, frame->line, name);
			}
			if (c == SIZE_MAX)
				return -1; /* the size is computed here, from another type */
			match(r, ctx, ctx->cands[c], site->block_size, "source line");
			return 1;
		}
		for (size_t c = 0; c < ctx->cand_count; c++) {
			keep[c] = mentioned(entry_def(ctx, ctx->cands[c]), line);
			if (keep[c]) {
				hits++;
				hit = c;
			}
		}
		if (hits == 1) {
			match(r, ctx, ctx->cands[hit], site->block_size, "source line");
			return 1;
		}
		if (hits > 1) {
			*error = ambiguous(r, ctx, keep);
			return 1;
		}
	}
	return 0;
}

static const char *base_name(const char *path)
{
	const char *slash = path ? strrchr(path, '/') : NULL;
	return slash ? slash + 1 : path;
}

static bool same_file(const char *profile_file, const char *mapped)
{
	size_t a = strlen(profile_file), b = strlen(mapped);

	if (a == b)
		return strcmp(profile_file, mapped) == 0;
	/* Either may carry more directories than the other. */
	if (a > b)
		return profile_file[a - b - 1] == '/' && strcmp(profile_file + a - b, mapped) == 0;
	return mapped[b - a - 1] == '/' && strcmp(mapped + b - a, profile_file) == 0;
}

static int mapped(attr_ctx *ctx, const sf_profile_site *site, size_t first, sf_site_result *r)
{
	for (size_t f = first; f < site->frame_count && f < first + MAX_CALL_FRAMES; f++) {
		const sf_profile_frame *frame = &site->frames[f];
		if (!frame->file)
			continue;
		for (const sf_profile_mapping *m = ctx->impact->profile->maps; m; m = m->next) {
			size_t index = SIZE_MAX;
			if (m->line != frame->line || !same_file(frame->file, m->file))
				continue;
			for (size_t i = 0; i < ctx->report->count && index == SIZE_MAX; i++)
				index = names_type(entry_def(ctx, i), m->type) ? i : SIZE_MAX;
			if (index == SIZE_MAX)
				return sf__fail(SF_EUSAGE, "--profile-map %s: no struct '%s' among the structs analysed",
						m->spec, m->type);
			if (!entry_def(ctx, index)->size || !site->block_size ||
			    site->block_size % entry_def(ctx, index)->size != 0)
				return sf__fail(SF_EUSAGE,
						"--profile-map %s: the site allocates %llu-byte blocks, not whole %s (%llu bytes)",
						m->spec, (unsigned long long)site->block_size, m->type,
						(unsigned long long)entry_def(ctx, index)->size);
			match(r, ctx, index, site->block_size, "mapped");
			return 1;
		}
	}
	return 0;
}

/* Candidates by size: those of exactly the block's size first, then
 * (arrays) those dividing it; returns how many are exact. */
static size_t size_candidates(attr_ctx *ctx, uint64_t block_size)
{
	size_t exact;

	ctx->cand_count = 0;
	for (size_t i = 0; i < ctx->report->count; i++) {
		if (entry_def(ctx, i)->size == block_size)
			ctx->cands[ctx->cand_count++] = i;
	}
	exact = ctx->cand_count;
	for (size_t i = 0; i < ctx->report->count; i++) {
		uint64_t size = entry_def(ctx, i)->size;
		if (size && size < block_size && block_size % size == 0)
			ctx->cands[ctx->cand_count++] = i;
	}
	return exact;
}

/* Without a telling line: the exact-size types the file names at all. */
static int file_evidence(attr_ctx *ctx, const sf_profile_site *site, const sf_profile_frame *frame,
			 sf_site_result *r, bool *keep)
{
	const char *text = sf__impact_source_text(ctx->sources, frame->file);
	size_t hits = 0, hit = 0;

	if (!text) {
		if (ctx->cand_count == 1) {
			match(r, ctx, ctx->cands[0], site->block_size, "only size");
			return 0;
		}
		for (size_t c = 0; c < ctx->cand_count; c++)
			keep[c] = true;
		return ambiguous(r, ctx, keep);
	}
	for (size_t c = 0; c < ctx->cand_count; c++) {
		const sf_struct *s = entry_def(ctx, ctx->cands[c]);
		keep[c] = mentioned(s, text) ||
			  (s->decl_file && strcmp(base_name(s->decl_file), base_name(frame->file)) == 0);
		if (keep[c]) {
			hits++;
			hit = c;
		}
	}
	if (hits == 1)
		match(r, ctx, ctx->cands[hit], site->block_size, "used in file");
	else if (hits > 1)
		return ambiguous(r, ctx, keep);
	return 0;
}

static int resolve(attr_ctx *ctx, const sf_profile_site *site, sf_site_result *r, bool *keep)
{
	size_t first = 0, exact;
	int error = 0, decided;

	memset(r, 0, sizeof(*r));
	r->status = SF_SITE_UNMATCHED;
	while (first < site->frame_count && (sf__profile_is_allocator(site->frames[first].function) ||
					     (!site->frames[first].file && first == 0)))
		first++;
	if (first >= site->frame_count)
		return 0;
	decided = mapped(ctx, site, first, r);
	if (decided != 0 || !site->block_size)
		return decided < 0 ? decided : 0;
	/* Exact sizes and arrays compete on the source line; arrays need it. */
	exact = size_candidates(ctx, site->block_size);
	decided = line_evidence(ctx, site, first, r, keep, &error);
	if (error || decided > 0)
		return error;
	ctx->cand_count = exact;
	if (decided < 0 || !exact || !site->frames[first].file)
		return 0;
	return file_evidence(ctx, site, &site->frames[first], r, keep);
}

int sf__impact_attribute(sf_impact *impact, sf_impact_sources *sources)
{
	attr_ctx ctx = { impact, sources, impact->report, NULL, 0 };
	bool *keep = NULL;
	int error = 0;

	ctx.cands = calloc(impact->report->count ? impact->report->count : 1, sizeof(*ctx.cands));
	keep = calloc(impact->report->count ? impact->report->count : 1, sizeof(*keep));
	if (!ctx.cands || !keep) {
		error = sf__fail(SF_ENOMEM, "out of memory");
		goto done;
	}
	for (size_t i = 0; i < impact->site_count && !error; i++)
		error = resolve(&ctx, impact->sites[i], &impact->results[i], keep);
done:
	free(ctx.cands);
	free(keep);
	return error;
}
