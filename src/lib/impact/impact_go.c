/* Attribution of Go heap profile sites to Go struct types: the allocating frame's source line, resolved in its package, confirmed by Go's size classes. */
#include "impact/impact_private.h"
#include "impact/impact_sizeof.h"

#include <stdio.h>
#include <string.h>

#include "layout/selection.h"
#include "model/structs.h"
#include "util/fail.h"

/* Lines above the sampled one read when it names no struct: the start
 * of a composite literal or call spanning lines. */
#define MAX_CONTINUATION_LINES 4
/* Type names looked at per statement. */
#define MAX_GO_EXPRS 16
#define MAX_GO_NAME 256

/*
 * How a type is allocated on the line:
 *   GO_ONE: `&T{`, `new(T)`, `var x T` (one object);
 *   GO_ARRAY: `make([]T, n)`, `[]T{`, `[4]T{` (a backing array);
 *   GO_ONE_OR_ARRAY: `T{` alone, which escapes as one object, or is
 *   appended to a []T whose backing array grows (`append(s, T{...})`).
 */
typedef enum go_shape { GO_ONE, GO_ONE_OR_ARRAY, GO_ARRAY } go_shape;

typedef struct go_expr {
	char name[MAX_GO_NAME];     /* as spelled: "T" or "pkg.T" */
	go_shape shape;
} go_expr;

typedef struct go_ctx {
	sf_impact *impact;
	sf_impact_sources *sources;
	const sf_profile_site *site;
	const char *package;        /* of the allocating frame's function */
	size_t package_len;
	go_expr exprs[MAX_GO_EXPRS];
	size_t expr_count;
} go_ctx;

static const sf_struct *def_of(const go_ctx *ctx, size_t index)
{
	return ctx->impact->report->entries[index].def;
}

/*
 * The package path of a Go function symbol: "main" of "main.(*T).m",
 * "example.com/a/b" of "example.com/a/b.F.func1" (dots in the last path
 * element are escaped as %2e in symbols, so the first dot after the last
 * slash ends the path).  0 when there is none.
 */
static size_t package_length(const char *function)
{
	const char *slash = strrchr(function, '/');
	const char *dot = strchr(slash ? slash + 1 : function, '.');

	return dot ? (size_t)(dot - function) : 0;
}

/* The allocator's own frames; runtime/pprof and the like are library code. */
static bool in_runtime(const char *function)
{
	return strncmp(function, "runtime.", 8) == 0 || strncmp(function, "runtime/internal/", 17) == 0;
}

/*
 * The standard library: an import path whose first element has no dot
 * (Go reserves those), with the frame's file under a GOROOT-style
 * ".../src/PATH/".  A module named without a dot ("example/app") keeps
 * its files elsewhere, so it stays the program's.
 */
static bool in_std(const char *function, size_t package_len, const char *file)
{
	char needle[MAX_GO_NAME + 8];
	const char *slash = memchr(function, '/', package_len);
	size_t first = slash ? (size_t)(slash - function) : package_len;

	if (memchr(function, '.', first) || (package_len == 4 && strncmp(function, "main", 4) == 0))
		return false;
	if (package_len > MAX_GO_NAME)
		return false;
	snprintf(needle, sizeof(needle), "/src/%.*s/", (int)package_len, function);
	return file && strstr(file, needle) != NULL;
}

/* Length of the name without Go type arguments: "main.Box[int]" -> 8. */
static size_t without_type_args(const char *name)
{
	const char *bracket = strchr(name, '[');
	return bracket ? (size_t)(bracket - name) : strlen(name);
}

/* Whether report struct `s` is the type spelled `spelled` in package
 * ctx->package: "T" is "PKG.T"; "p.T" is a package whose path ends in
 * "p" (its import name by convention). */
static bool names_go_type(const go_ctx *ctx, const sf_struct *s, const char *spelled)
{
	const char *dot = strchr(spelled, '.');
	size_t n, k = strlen(spelled);

	if (!s->go || !s->name)
		return false;
	n = without_type_args(s->name);
	if (!dot)
		return n == ctx->package_len + 1 + k && strncmp(s->name, ctx->package, ctx->package_len) == 0 &&
		       s->name[ctx->package_len] == '.' && strncmp(s->name + ctx->package_len + 1, spelled, k) == 0;
	if (n < k || strncmp(s->name + n - k, spelled, k) != 0)
		return false;
	return n == k || s->name[n - k - 1] == '/';
}

static void skip_spaces_back(const char *text, const char **p)
{
	while (*p > text && ((*p)[-1] == ' ' || (*p)[-1] == '\t'))
		(*p)--;
}

static const char *skip_spaces(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

/* Past a bracketed group starting at `p` ('['), or `p` when unbalanced. */
static const char *skip_brackets(const char *p)
{
	int depth = 0;

	for (const char *q = p; *q; q++) {
		depth += *q == '[';
		depth -= *q == ']';
		if (depth == 0)
			return q + 1;
	}
	return p;
}

/* How the qualified identifier text[start, end) is allocated, or -1
 * when it is no allocation of a struct value (`[]*T`, `map[K]T{`,
 * `x.f`, a call). */
static int shape_of(const char *text, const char *start, const char *end)
{
	const char *before = start, *after = skip_spaces(end);

	if (*after == '[')
		after = skip_spaces(skip_brackets(after)); /* type arguments */
	skip_spaces_back(text, &before);
	if (before > text && before[-1] == '*')
		return -1;
	if (before > text && before[-1] == '&')
		return *after == '{' ? GO_ONE : -1;
	if (before - text >= 4 && strncmp(before - 4, "new(", 4) == 0 && *after == ')' &&
	    (before - 4 == text || !sf__impact_ident_char(before[-5])))
		return GO_ONE;
	if (before > text && before[-1] == ']') {
		/* []T or [N]T: a slice or array; map[K]T is a map's. */
		int depth = 0;
		const char *open = before - 1;
		for (; open >= text; open--) {
			depth += *open == ']';
			depth -= *open == '[';
			if (depth == 0)
				break;
		}
		if (open < text || (open - text >= 3 && strncmp(open - 3, "map", 3) == 0))
			return -1;
		if (open[1] == ']')
			return *after == '{' || *after == ',' || *after == ')' ? GO_ARRAY : -1;
		return *after == '{' ? GO_ARRAY : -1;
	}
	if (before - text >= 3 && strncmp(before - 3, "var", 3) == 0 &&
	    (before - 3 == text || !sf__impact_ident_char(before[-4])))
		return -1; /* the variable of "var x T" */
	if (*after == '{')
		return GO_ONE_OR_ARRAY;
	/* "var x T": the variable escapes to the heap. */
	if (*after == '\0' || *after == '/' || *after == '=') {
		const char *name_end = before;
		const char *name = name_end;
		while (name > text && sf__impact_ident_char(name[-1]))
			name--;
		if (name < name_end) {
			const char *kw = name;
			skip_spaces_back(text, &kw);
			if (kw - text >= 3 && strncmp(kw - 3, "var", 3) == 0 &&
			    (kw - 3 == text || !sf__impact_ident_char(kw[-4])))
				return GO_ONE;
		}
	}
	return -1;
}

/* Skips a Go string or rune literal opening at `p`; returns past it. */
static const char *skip_literal(const char *p)
{
	char quote = *p++;

	while (*p && *p != quote) {
		if (quote != '`' && *p == '\\' && p[1])
			p++;
		p++;
	}
	return *p ? p + 1 : p;
}

/* Collects the allocation expressions of one line. */
static void scan_line(go_ctx *ctx, const char *text)
{
	const char *p = text;

	while (*p && ctx->expr_count < MAX_GO_EXPRS) {
		const char *start, *end;
		int shape;
		if (*p == '"' || *p == '`' || *p == '\'') {
			p = skip_literal(p);
			continue;
		}
		if (p[0] == '/' && p[1] == '/')
			return;
		if (!sf__impact_ident_char(*p) || (p > text && (sf__impact_ident_char(p[-1]) || p[-1] == '.')) ||
		    (*p >= '0' && *p <= '9')) {
			p++;
			continue;
		}
		start = p;
		while (sf__impact_ident_char(*p))
			p++;
		if (*p == '.' && sf__impact_ident_char(p[1]) && !(p[1] >= '0' && p[1] <= '9')) {
			p++;
			while (sf__impact_ident_char(*p))
				p++;
		}
		end = p;
		if ((size_t)(end - start) >= MAX_GO_NAME || (shape = shape_of(text, start, end)) < 0)
			continue;
		memcpy(ctx->exprs[ctx->expr_count].name, start, (size_t)(end - start));
		ctx->exprs[ctx->expr_count].name[end - start] = '\0';
		ctx->exprs[ctx->expr_count++].shape = (go_shape)shape;
	}
}

/* Whether a struct of `size` bytes allocated as `shape` makes the site's
 * blocks: Go rounds each request up to its size class, which is what
 * the profile's "bytes" label holds; *elements structs per block. */
static bool go_fits(uint64_t size, uint64_t block, go_shape shape, uint64_t *elements)
{
	uint64_t cls = 0, n;

	if (!size || !block)
		return false;
	if (shape != GO_ARRAY && sf_allocator_size_class(&cls, SF_ALLOCATOR_GO, size) == 0 && cls == block) {
		*elements = 1;
		return true;
	}
	if (shape == GO_ONE)
		return false;
	/* The most elements that round to the block; fewer would round to it
	 * too only when the class is coarse (8 KiB pages): an estimate. */
	n = block / size;
	if (n < 1 || sf_allocator_size_class(&cls, SF_ALLOCATOR_GO, n * size) != 0 || cls != block)
		return false;
	*elements = n;
	return true;
}

static void matched(sf_site_result *r, size_t index, uint64_t elements, const char *how)
{
	r->status = SF_SITE_MATCHED;
	r->index = index;
	r->elements = elements;
	r->extra = 0; /* the rounding is the size class's, not the program's */
	r->how = how;
}

/* --profile-map FILE:LINE=TYPE for the frame: 1 decided, 0 none, or
 * SF_EUSAGE (a type the inputs lack, or one that cannot make the block). */
static int go_mapped(go_ctx *ctx, const sf_profile_frame *frame, sf_site_result *r)
{
	const sf_report *report = ctx->impact->report;

	for (const sf_profile_mapping *m = ctx->impact->profile->maps; m; m = m->next) {
		size_t index = SIZE_MAX;
		uint64_t elements = 0;
		if (m->line != frame->line || !sf__impact_same_file(frame->file, m->file))
			continue;
		for (size_t i = 0; i < report->count && index == SIZE_MAX; i++)
			index = def_of(ctx, i)->name && strcmp(def_of(ctx, i)->name, m->type) == 0 ? i : SIZE_MAX;
		if (index == SIZE_MAX)
			return sf__fail(SF_EUSAGE, "--profile-map %s: no struct '%s' among the structs analysed",
					m->spec, m->type);
		if (go_fits(def_of(ctx, index)->size, ctx->site->block_size, GO_ONE_OR_ARRAY, &elements)) {
			matched(r, index, elements, "mapped");
			return 1;
		}
		return sf__fail(SF_EUSAGE, "--profile-map %s: %s (%llu bytes) does not make the site's "
				"%llu-byte blocks in Go's size classes",
				m->spec, m->type, (unsigned long long)def_of(ctx, index)->size,
				(unsigned long long)ctx->site->block_size);
	}
	return 0;
}

/* The structs the expressions name that make the block: one is a match,
 * several are ambiguous. */
static int decide(go_ctx *ctx, sf_site_result *r)
{
	const sf_report *report = ctx->impact->report;
	size_t found[MAX_GO_EXPRS];
	uint64_t elements[MAX_GO_EXPRS];
	size_t count = 0;

	for (size_t e = 0; e < ctx->expr_count; e++) {
		for (size_t i = 0; i < report->count && count < MAX_GO_EXPRS; i++) {
			uint64_t n = 0;
			bool seen = false;
			if (!names_go_type(ctx, def_of(ctx, i), ctx->exprs[e].name) ||
			    !go_fits(def_of(ctx, i)->size, ctx->site->block_size, ctx->exprs[e].shape, &n))
				continue;
			for (size_t k = 0; k < count; k++)
				seen = seen || found[k] == i;
			if (!seen) {
				found[count] = i;
				elements[count++] = n;
			}
		}
	}
	if (count == 1) {
		matched(r, found[0], elements[0], "source line");
	} else if (count > 1) {
		r->candidates = sf__arena_calloc(ctx->impact->arena, count, sizeof(size_t));
		if (!r->candidates)
			return sf__fail(SF_ENOMEM, "out of memory");
		memcpy(r->candidates, found, count * sizeof(size_t));
		r->candidate_count = count;
		r->status = SF_SITE_AMBIGUOUS;
	}
	return 0;
}

/* Whether a line leaves its statement open: the literal or call goes on. */
static bool continues(const char *line)
{
	const char *comment = strstr(line, "//");
	size_t n = comment ? (size_t)(comment - line) : strlen(line);

	while (n && (line[n - 1] == ' ' || line[n - 1] == '\t' || line[n - 1] == '\r'))
		n--;
	return n && (line[n - 1] == '{' || line[n - 1] == ',' || line[n - 1] == '(');
}

int sf__impact_attribute_go(sf_impact *impact, sf_impact_sources *sources,
			    const sf_profile_site *site, sf_site_result *r)
{
	go_ctx ctx;
	const sf_profile_frame *frame = NULL;
	const char *text;
	int error;

	memset(r, 0, sizeof(*r));
	r->status = SF_SITE_UNMATCHED;
	r->frame = SIZE_MAX;
	memset(&ctx, 0, sizeof(ctx));
	ctx.impact = impact;
	ctx.sources = sources;
	ctx.site = site;
	/* runtime/pprof already hides the allocator's frames (mallocgc,
	 * newobject, growslice) in most samples; some keep them. */
	for (size_t f = 0; f < site->frame_count && !frame; f++) {
		if (site->frames[f].function && !in_runtime(site->frames[f].function)) {
			frame = &site->frames[f];
			r->frame = f;
		}
	}
	if (!frame || !site->block_size)
		return 0;
	ctx.package = frame->function;
	ctx.package_len = package_length(frame->function);
	if (frame->file && (error = go_mapped(&ctx, frame, r)) != 0)
		return error < 0 ? error : 0;
	text = frame->file ? sf__impact_source_line(sources, frame->file, frame->line) : NULL;
	if (!text || in_std(frame->function, ctx.package_len, frame->file)) {
		/* The standard library's own allocations, or code whose
		 * sources are not at hand. */
		r->outside = true;
		return 0;
	}
	scan_line(&ctx, text);
	if ((error = decide(&ctx, r)) != 0 || r->status != SF_SITE_UNMATCHED)
		return error;
	for (unsigned k = 1; k <= MAX_CONTINUATION_LINES && k < frame->line; k++) {
		text = sf__impact_source_line(sources, frame->file, frame->line - k);
		if (!text || !continues(text))
			break;
		ctx.expr_count = 0;
		scan_line(&ctx, text);
		if ((error = decide(&ctx, r)) != 0 || r->status != SF_SITE_UNMATCHED)
			return error;
	}
	return 0;
}
