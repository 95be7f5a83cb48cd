/* Attribution of DHAT allocation sites to struct types: block size, the allocating source line, the file's types, --profile-map. */
#include "impact/impact_private.h"
#include "impact/impact_sizeof.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "layout/selection.h"
#include "model/structs.h"
#include "util/fail.h"

/* Frames walked past the allocator: the allocating call and the callers
 * of wrappers (pma_malloc -> emalloc_real -> the line naming the type). */
#define MAX_WALK_FRAMES 8
/* Lines searched upwards for the declaration of `p` in `sizeof *p`. */
#define MAX_DECL_LOOKBACK 200

typedef struct attr_ctx {
	sf_impact *impact;
	sf_impact_sources *sources;
	const sf_report *report;
	size_t *cands;              /* scratch: report indexes, exact sizes first */
	size_t cand_count;
	size_t exact_count;         /* cands[0, exact_count) have the block's size */
	const char **decl_names;    /* base names of the structs' declaring files, sorted */
	size_t decl_name_count;
} attr_ctx;

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
		if ((p == text || !sf__impact_ident_char(p[-1])) && !sf__impact_ident_char(p[n]))
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

/* The report entry named `name` (tag or typedef), SIZE_MAX when none. */
static size_t find_named(const attr_ctx *ctx, const char *name)
{
	for (size_t i = 0; i < ctx->report->count; i++) {
		if (entry_def(ctx, i)->size && names_type(entry_def(ctx, i), name))
			return i;
	}
	return SIZE_MAX;
}

/* Offset of the last occurrence of identifier `name` in text[start, end),
 * or -1. */
static long last_ident(const char *text, size_t start, size_t end, const char *name)
{
	long found = -1;
	size_t n;

	name = spelled(name);
	if (!name || !*name)
		return -1;
	n = strlen(name);
	for (const char *p = strstr(text + start, name); p && (size_t)(p - text) + n <= end;
	     p = strstr(p + 1, name)) {
		if ((p == text || !sf__impact_ident_char(p[-1])) && !sf__impact_ident_char(p[n]))
			found = (long)(p - text);
	}
	return found;
}

/* The struct a variable was declared with, searching upwards from `line`
 * for "TYPE ... var": of the structs named between the statement's start
 * and the variable, the nearest ("struct a *x; struct b *var;" is a b).
 * *stars and *dims describe the declarator. */
static size_t declared_struct(attr_ctx *ctx, const char *file, unsigned line, const char *var,
			      unsigned *stars, unsigned *dims)
{
	for (unsigned k = 0; k < MAX_DECL_LOOKBACK && k < line; k++) {
		const char *text = sf__impact_source_line(ctx->sources, file, line - k);
		size_t statement, at, best = SIZE_MAX;
		long best_pos = -1;
		if (!text || !sf__impact_declares(text, var, stars, dims, &statement, &at))
			continue;
		for (size_t i = 0; i < ctx->report->count; i++) {
			const sf_struct *s = entry_def(ctx, i);
			long pos = -1, tpos;
			if (!s->size)
				continue;
			pos = last_ident(text, statement, at, s->name);
			tpos = last_ident(text, statement, at, s->typedef_name);
			if (tpos > pos)
				pos = tpos;
			if (pos > best_pos) {
				best_pos = pos;
				best = i;
			}
		}
		return best; /* SIZE_MAX: declared as something that is no struct of ours */
	}
	return SIZE_MAX;
}

/*
 * What `sizeof *v->m1.m2` measures, as a report entry: v's declared
 * struct, then each member's type; the derefs must take exactly the
 * pointers and array dimensions away.  SIZE_MAX when it is no struct.
 */
static size_t resolve_expr(attr_ctx *ctx, const sf_profile_frame *frame, const sf_sizeof_expr *e)
{
	unsigned stars = 0, dims = 0;
	size_t index;

	if (e->derefs == 0 && e->member_count == 0) {
		index = find_named(ctx, e->name); /* sizeof(conn_t) */
		if (index != SIZE_MAX)
			return index;
	}
	index = declared_struct(ctx, frame->file, frame->line, e->name, &stars, &dims);
	for (unsigned m = 0; m < e->member_count && index != SIZE_MAX; m++) {
		const sf_struct *s = entry_def(ctx, index);
		const sf_member *member = NULL;
		char base[SF_SIZEOF_NAME];
		for (uint32_t i = 0; i < s->member_count && !member; i++)
			member = s->members[i].name && strcmp(s->members[i].name, e->members[m]) == 0 ?
					 &s->members[i] : NULL;
		if (!member || !member->type_name)
			return SIZE_MAX;
		sf__impact_type_shape(member->type_name, base, sizeof(base), &stars, &dims);
		index = base[0] ? find_named(ctx, base) : SIZE_MAX;
	}
	if (index == SIZE_MAX || e->derefs < dims || e->derefs - dims != stars)
		return SIZE_MAX;
	return index;
}

/* Whether struct `index` fits the site's blocks: whole multiples, or one
 * struct with trailing bytes ("sizeof(T) + len"). */
static bool fits(attr_ctx *ctx, const sf_profile_site *site, size_t index, bool tail,
		 sf_site_result *r, const char *how)
{
	uint64_t size = entry_def(ctx, index)->size;
	uint64_t block = site->block_size;

	if (!size)
		return false;
	if (!block && !tail) {
		/* Arrays of varying length (growing vectors): counted by bytes. */
		if (!site->total_bytes || site->total_bytes % size != 0)
			return false;
		r->status = SF_SITE_MATCHED;
		r->index = index;
		r->elements = 0;
		r->extra = 0;
		r->how = how;
		return true;
	}
	if (!block && tail && site->total_blocks)
		block = site->total_bytes / site->total_blocks; /* sizes vary: the average */
	if (!block || block < size || (!tail && block % size != 0))
		return false;
	r->status = SF_SITE_MATCHED;
	r->index = index;
	r->elements = tail ? 1 : block / size;
	r->extra = block - r->elements * size;
	r->how = how;
	return true;
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

/* Whether `line` holds the number `value` as a token ("malloc(16)"). */
static bool has_number(const char *line, uint64_t value)
{
	char digits[24];

	snprintf(digits, sizeof(digits), "%llu", (unsigned long long)value);
	return value && has_ident(line, digits);
}

static const char *base_name(const char *path)
{
	const char *slash = path ? strrchr(path, '/') : NULL;
	return slash ? slash + 1 : path;
}

enum { EVIDENCE_NONE, EVIDENCE_DECIDED, EVIDENCE_AGAINST, EVIDENCE_LITERAL, EVIDENCE_UNREAD,
       EVIDENCE_OUTSIDE };

/* Whether the '(' at `open` calls `function`. */
static bool called(const char *text, const char *open, const char *function)
{
	size_t n = strlen(function);

	while (open > text && (open[-1] == ' ' || open[-1] == '\t'))
		open--;
	return (size_t)(open - text) >= n && strncmp(open - n, function, n) == 0 &&
	       (open - n == text || !sf__impact_ident_char(open[-(long)n - 1]));
}

/* Whether `name` is an argument of its own ("re_malloc (re_token_t, n)",
 * "g_new0(struct conn, 1)"): a macro that hides sizeof(T) * n, so the
 * block is of T's.  A pointer type ("(struct item *) p", a macro's cast
 * argument "struct item *") says nothing of the block. */
static bool type_argument(const char *text, const char *name)
{
	size_t n;

	name = spelled(name);
	if (!name || !*name)
		return false;
	n = strlen(name);
	for (const char *p = strstr(text, name); p; p = strstr(p + 1, name)) {
		const char *before = p, *after = p + n;
		if ((p > text && sf__impact_ident_char(p[-1])) || sf__impact_ident_char(*after))
			continue;
		while (*after == ' ' || *after == '\t')
			after++;
		if (*after != ',' && *after != ')')
			continue;
		while (before > text && (before[-1] == ' ' || before[-1] == '\t'))
			before--;
		for (const char *const *kw = (const char *const[]){ "struct", "union", "class", NULL }; *kw; kw++) {
			size_t k = strlen(*kw);
			if ((size_t)(before - text) >= k && strncmp(before - k, *kw, k) == 0 &&
			    (before - k == text || !sf__impact_ident_char(before[-(long)k - 1]))) {
				before -= k;
				while (before > text && (before[-1] == ' ' || before[-1] == '\t'))
					before--;
				break;
			}
		}
		if (before > text && before[-1] == ',')
			return true;
		if (before > text && before[-1] == '(' && !called(text, before - 1, "offsetof") &&
		    !called(text, before - 1, "__builtin_offsetof"))
			return true; /* offsetof(T, m) measures a member, not a T */
	}
	return false;
}

/* What one statement says: a sizeof decides by its subject; without one,
 * the one candidate it names: of the block's size (a cast, `new conn`),
 * or arrays when the type is a macro's argument of its own or follows
 * `new` (a cast to `T *` says nothing of how many).  EVIDENCE_NONE when it names none of them. */
static int statement_evidence(attr_ctx *ctx, const sf_profile_site *site,
			      const sf_profile_frame *frame, const char *text, sf_site_result *r,
			      bool *keep, int *error)
{
	size_t hits = 0, hit = 0, index = SIZE_MAX;
	size_t named = has_ident(text, "new") ? ctx->cand_count : ctx->exact_count;
	sf_sizeof_expr e;

	sf__impact_parse_sizeof(text, &e);
	if (e.kind == SF_SIZEOF_TYPE)
		index = find_named(ctx, e.name);
	else if (e.kind == SF_SIZEOF_EXPR)
		index = resolve_expr(ctx, frame, &e);
	if (e.kind != SF_SIZEOF_NONE)
		return index != SIZE_MAX && fits(ctx, site, index, e.tail, r, "source line") ? EVIDENCE_DECIDED
											       : EVIDENCE_AGAINST;
	for (size_t c = 0; c < ctx->cand_count; c++) {
		const sf_struct *s = entry_def(ctx, ctx->cands[c]);
		keep[c] = (c < named && mentioned(s, text)) || type_argument(text, s->name) ||
			  type_argument(text, s->typedef_name);
		if (keep[c]) {
			hits++;
			hit = c;
		}
	}
	if (hits == 1 && fits(ctx, site, ctx->cands[hit], false, r, "source line"))
		return EVIDENCE_DECIDED;
	if (hits > 1) {
		*error = ambiguous(r, ctx, keep);
		return EVIDENCE_DECIDED;
	}
	return EVIDENCE_NONE;
}

static int compare_names(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The base names of the files declaring the model's structs, sorted and
 * unique, for program_file(). */
static int collect_decl_names(attr_ctx *ctx)
{
	const sf_model *model = ctx->report->model;
	size_t n = 0;

	ctx->decl_names = calloc(model->structs.count ? model->structs.count : 1, sizeof(*ctx->decl_names));
	if (!ctx->decl_names)
		return sf__fail(SF_ENOMEM, "out of memory");
	for (size_t i = 0; i < model->structs.count; i++) {
		if (model->structs.items[i]->decl_file)
			ctx->decl_names[n++] = base_name(model->structs.items[i]->decl_file);
	}
	qsort(ctx->decl_names, n, sizeof(*ctx->decl_names), compare_names);
	ctx->decl_name_count = 0;
	for (size_t i = 0; i < n; i++) {
		if (!ctx->decl_name_count || strcmp(ctx->decl_names[ctx->decl_name_count - 1], ctx->decl_names[i]) != 0)
			ctx->decl_names[ctx->decl_name_count++] = ctx->decl_names[i];
	}
	return 0;
}

/* Whether a frame's file is the program's: its source can be read, or a
 * struct of the inputs was declared in it.  Library code (libc's
 * strdup.c, l10nflist.c) is neither. */
static bool program_file(attr_ctx *ctx, const sf_profile_frame *frame)
{
	const char *name = frame->file ? base_name(frame->file) : NULL;

	if (!name)
		return false;
	if (sf__impact_source_text(ctx->sources, frame->file))
		return true;
	return bsearch(&name, ctx->decl_names, ctx->decl_name_count, sizeof(*ctx->decl_names),
		       compare_names) != NULL;
}

static int mapped(attr_ctx *ctx, const sf_profile_site *site, const sf_profile_frame *frame,
		  sf_site_result *r);

/*
 * Walks up the stack from the allocating frame: each frame's statement
 * either names the type (a sizeof, or one candidate), or passes a size it
 * was given on (a wrapper: xmalloc(n), pma_malloc(size), emalloc_real's
 * count), or ends the walk: a literal block size sends the caller to the
 * file's types, anything else (malloc(len)) is a buffer.  A frame in
 * library code ends it too, unless its name says it allocates (g_malloc
 * of a library built without its sources at hand).  r->frame is the
 * frame that decided or stopped the walk.
 */
static int walk_evidence(attr_ctx *ctx, const sf_profile_site *site, size_t first,
			 sf_site_result *r, bool *keep, int *error)
{
	for (size_t f = first; f < site->frame_count && f < first + MAX_WALK_FRAMES; f++) {
		const sf_profile_frame *frame = &site->frames[f];
		const char *text;
		int decided;

		r->frame = f;
		if (frame->file && (decided = mapped(ctx, site, frame, r)) != 0) {
			*error = decided < 0 ? decided : 0;
			return EVIDENCE_DECIDED;
		}
		if (!program_file(ctx, frame)) {
			if (sf__impact_allocator_like(frame->function))
				continue;
			r->outside = true;
			return EVIDENCE_OUTSIDE;
		}
		text = sf__impact_source_statement(ctx->sources, frame->file, frame->line);
		if (!text) {
			if (sf__impact_allocator_like(frame->function))
				continue;
			return EVIDENCE_UNREAD;
		}
		decided = statement_evidence(ctx, site, frame, text, r, keep, error);
		if (decided != EVIDENCE_NONE)
			return decided;
		if (sf__impact_allocator_like(frame->function) ||
		    sf__impact_passes_size(ctx->sources, frame->file, frame->line, frame->function,
					   f > 0 ? site->frames[f - 1].function : NULL, text))
			continue;
		return has_number(text, site->block_size) ? EVIDENCE_LITERAL : EVIDENCE_NONE;
	}
	return EVIDENCE_NONE;
}

/* --profile-map for this frame's FILE:LINE.  Several maps of one line
 * are alternatives (one line handing out blocks of several types, such as
 * a pool's chunks): a type filling the block whole comes first, then one
 * with trailing bytes, each in the order given.
 * 1: decided, 0: no map, SF_EUSAGE: a type the inputs lack, or none fits. */
static int mapped(attr_ctx *ctx, const sf_profile_site *site, const sf_profile_frame *frame,
		  sf_site_result *r)
{
	const sf_profile_mapping *misfit = NULL;
	size_t misfit_index = 0;

	for (int tail = 0; tail < 2; tail++) {
		for (const sf_profile_mapping *m = ctx->impact->profile->maps; m; m = m->next) {
			size_t index = SIZE_MAX;
			if (m->line != frame->line || !sf__impact_same_file(frame->file, m->file))
				continue;
			for (size_t i = 0; i < ctx->report->count && index == SIZE_MAX; i++)
				index = names_type(entry_def(ctx, i), m->type) ? i : SIZE_MAX;
			if (index == SIZE_MAX)
				return sf__fail(SF_EUSAGE, "--profile-map %s: no struct '%s' among the structs analysed",
						m->spec, m->type);
			if (fits(ctx, site, index, tail, r, "mapped"))
				return 1;
			if (!misfit) {
				misfit = m;
				misfit_index = index;
			}
		}
	}
	if (!misfit)
		return 0;
	return sf__fail(SF_EUSAGE, "--profile-map %s: the site's %llu-byte blocks are smaller than %s (%llu bytes)",
			misfit->spec, (unsigned long long)site->block_size, misfit->type,
			(unsigned long long)entry_def(ctx, misfit_index)->size);
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

/* A literal size on the line, or no line to read: the exact-size types
 * the file names at all (or declares). */
static int file_evidence(attr_ctx *ctx, const sf_profile_site *site, const sf_profile_frame *frame,
			 sf_site_result *r, bool *keep)
{
	const char *text = sf__impact_source_text(ctx->sources, frame->file);
	size_t hits = 0, hit = 0;

	if (!text) {
		if (ctx->cand_count == 1) {
			fits(ctx, site, ctx->cands[0], false, r, "only size");
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
		fits(ctx, site, ctx->cands[hit], false, r, "used in file");
	else if (hits > 1)
		return ambiguous(r, ctx, keep);
	return 0;
}

static int resolve(attr_ctx *ctx, const sf_profile_site *site, sf_site_result *r, bool *keep)
{
	size_t first = 0;
	int error = 0, decided;

	memset(r, 0, sizeof(*r));
	r->status = SF_SITE_UNMATCHED;
	r->frame = SIZE_MAX;
	while (first < site->frame_count && (sf__profile_is_allocator(site->frames[first].function) ||
					     (!site->frames[first].file && first == 0)))
		first++;
	if (first >= site->frame_count)
		return 0;
	/* Exact sizes and arrays compete on the source line; arrays need it.
	 * Blocks of varying size only match "sizeof(T) + n" lines. */
	ctx->exact_count = site->block_size ? size_candidates(ctx, site->block_size) : (ctx->cand_count = 0);
	decided = walk_evidence(ctx, site, first, r, keep, &error);
	if (error || (decided != EVIDENCE_LITERAL && decided != EVIDENCE_UNREAD))
		return error;
	/* A literal size, or a program file that cannot be read: the
	 * exact-size types that file names. */
	ctx->cand_count = ctx->exact_count;
	if (!ctx->exact_count)
		return 0;
	return file_evidence(ctx, site, &site->frames[r->frame], r, keep);
}

int sf__impact_attribute(sf_impact *impact, sf_impact_sources *sources)
{
	attr_ctx ctx = { impact, sources, impact->report, NULL, 0, 0, NULL, 0 };
	bool *keep = NULL;
	int error = 0;

	ctx.cands = calloc(impact->report->count ? impact->report->count : 1, sizeof(*ctx.cands));
	keep = calloc(impact->report->count ? impact->report->count : 1, sizeof(*keep));
	if (!ctx.cands || !keep) {
		error = sf__fail(SF_ENOMEM, "out of memory");
		goto done;
	}
	error = collect_decl_names(&ctx);
	for (size_t i = 0; i < impact->site_count && !error; i++) {
		if (impact->sites[i]->go)
			error = sf__impact_attribute_go(impact, sources, impact->sites[i], &impact->results[i]);
		else
			error = resolve(&ctx, impact->sites[i], &impact->results[i], keep);
	}
done:
	free(ctx.decl_names);
	free(ctx.cands);
	free(keep);
	return error;
}
