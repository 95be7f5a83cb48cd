/* Locating a struct's body in its source and mapping each member declaration to the debug info. */
#include "fix/fix_body.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fix/fix_body_head.h"
#include "fix/fix_cxx.h"
#include "util/fail.h"

/*
 * The check is deliberately strict: a declaration the scanner does not
 * understand, a line it would have to split or a member it cannot find
 * is a reason to leave the struct alone, never a guess.  Only names,
 * order, source lines and bitfield widths are compared; a type edited
 * since the build with names kept is not seen (the recompile is the
 * final check).
 */

/* ITEM_FIXED: C++ only, a declaration of no data member or an access label. */
typedef enum item_kind { ITEM_DECL, ITEM_MACRO, ITEM_FIXED } item_kind;

typedef struct segment {
	size_t name_start;     /* name_len == 0: no name found */
	size_t name_len;
	bool anonymous_body;   /* `struct { ... };` without declarator */
	bool has_colon;
	long width;            /* literal bitfield width, -1 when not a plain number */
	size_t init_first;     /* C++ default member initializer tokens, 0 when none */
	size_t init_last;
} segment;

typedef struct item {
	item_kind kind;
	size_t first_tok;      /* token indices, inclusive */
	size_t last_tok;
	uint32_t first_line;
	uint32_t last_line;
	segment *segs;
	uint32_t seg_count;
	uint32_t used;         /* members mapped so far */
	uint32_t member_first;
	uint32_t section;      /* C++: bounds (labels, declarations members use) before it */
	bool is_public;
	bool is_label;
	bool may_bind;         /* C++ fixed item, no function: may declare a name members use */
} item;

static const char *const non_names[] = {
	"void", "char", "short", "int", "long", "float", "double", "signed", "unsigned", "_Bool",
	"bool", "_Complex", "_Imaginary", "const", "volatile", "restrict", "__restrict",
	"__restrict__", "_Atomic", "static", "extern", "register", "auto", "inline", "typedef",
	"__extension__", "__const", "__const__", "__volatile", "__volatile__", "__signed",
	"__signed__", "__int128", "_Float16", "_Float32", "_Float64", "_Float128", "__float128",
	"_Float32x", "_Float64x", "__unsigned", NULL
};

/* Keywords followed by a parenthesised argument that is not a declarator. */
const char *const sf__fix_paren_words[] = {
	"__attribute__", "__attribute", "__declspec", "_Alignas", "alignas", "__typeof__",
	"__typeof", "typeof", "_Atomic", "__asm__", "__asm", "asm", "__aligned", NULL
};

/* Name, bitfield width and shape of the declarator in tokens [a, b]. */
static void read_declarator(const char *text, const sf_fix_tokens *toks, size_t a, size_t b,
			    segment *seg, bool cxx)
{
	memset(seg, 0, sizeof(*seg));
	seg->width = -1;
	for (size_t i = a; i <= b; i++) {
		const sf_fix_token *t = &toks->items[i];
		size_t n;
		if (t->kind == SF_FIX_COMMENT)
			continue;
		if (t->kind == SF_FIX_IDENT) {
			n = sf__fix_next_code(toks, i, b + 1);
			if (sf__fix_word_in(text, t, sf__fix_paren_words) && n <= b && sf__fix_is_punct(text, &toks->items[n], '(')) {
				i = sf__fix_matching(text, toks, n, b + 1);
				continue;
			}
			if (sf__fix_is_word(text, t, "struct") || sf__fix_is_word(text, t, "union") ||
			    sf__fix_is_word(text, t, "enum")) {
				if (n <= b && toks->items[n].kind == SF_FIX_IDENT)
					i = n;
				continue;
			}
			if (sf__fix_word_in(text, t, non_names))
				continue;
			seg->name_start = t->start;
			seg->name_len = t->end - t->start;
			continue;
		}
		if (t->kind != SF_FIX_PUNCT)
			continue;
		if (cxx && sf__fix_is_punct(text, t, '=')) {
			seg->init_first = sf__fix_next_code(toks, i, b + 1);
			seg->init_last = b;
			return;
		}
		if (sf__fix_is_punct(text, t, '[') || sf__fix_is_punct(text, t, '{')) {
			size_t m = sf__fix_matching(text, toks, i, b + 1);
			if (cxx && seg->name_len && sf__fix_is_punct(text, t, '{')) {
				seg->init_first = i;
				seg->init_last = m;
			}
			i = m;
		} else if (sf__fix_is_punct(text, t, '(')) {
			n = sf__fix_next_code(toks, i, b + 1);
			/* `(*name)` groups a declarator; anything else is a parameter list. */
			if (n <= b && (sf__fix_is_punct(text, &toks->items[n], '*') ||
				       sf__fix_is_punct(text, &toks->items[n], '^') ||
				       sf__fix_is_punct(text, &toks->items[n], '(')))
				continue;
			i = sf__fix_matching(text, toks, i, b + 1);
		} else if (cxx && sf__fix_is_punct(text, t, ':') && i + 1 <= b &&
			   sf__fix_is_punct(text, &toks->items[i + 1], ':')) {
			i++; /* std::string: a scope, no bitfield */
		} else if (sf__fix_is_punct(text, t, ':')) {
			seg->has_colon = true;
			n = sf__fix_next_code(toks, i, b + 1);
			if (n <= b && toks->items[n].kind == SF_FIX_NUMBER && sf__fix_next_code(toks, n, b + 1) > b) {
				char digits[32];
				size_t len = toks->items[n].end - toks->items[n].start;
				char *end;
				if (len < sizeof(digits)) {
					memcpy(digits, text + toks->items[n].start, len);
					digits[len] = '\0';
					long w = strtol(digits, &end, 0);
					if (*end == '\0')
						seg->width = w;
				}
			}
			return;
		}
	}
}

/* Splits a declaration item into its declarators. */
static int read_segments(const char *text, const sf_fix_tokens *toks, item *it, bool cxx)
{
	size_t a = it->first_tok, b = it->last_tok; /* b is the ';' */
	size_t first = a;
	uint32_t cap = 4;
	bool braces = false;
	int angle = 0;

	it->segs = calloc(cap, sizeof(*it->segs));
	if (!it->segs)
		return sf__fail(SF_ENOMEM, "out of memory while reading sources");
	/* In C++ only a class head opens a body; other braces initialize. */
	for (size_t i = a; i < b && (!cxx || sf__fix_is_word(text, &toks->items[a], "struct") ||
				     sf__fix_is_word(text, &toks->items[a], "union") ||
				     sf__fix_is_word(text, &toks->items[a], "class")); i++) {
		if (sf__fix_is_punct(text, &toks->items[i], '{')) {
			i = sf__fix_matching(text, toks, i, b);
			first = i + 1;
			braces = true;
			break;
		}
	}
	if (braces && sf__fix_next_code(toks, first - 1, b) >= b) {
		it->segs[0] = (segment){ .anonymous_body = true, .width = -1 };
		it->seg_count = 1;
		return 0;
	}
	for (size_t i = first; i <= b; i++) {
		const sf_fix_token *t = &toks->items[i];
		if (i < b && t->kind == SF_FIX_PUNCT && strchr("([{", text[t->start])) {
			i = sf__fix_matching(text, toks, i, b);
			continue;
		}
		/* Template arguments hold commas too: std::map<K, V> m; */
		if (cxx && i > a && sf__fix_is_punct(text, t, '<') && toks->items[i - 1].kind == SF_FIX_IDENT)
			angle++;
		else if (cxx && angle > 0 && sf__fix_is_punct(text, t, '>'))
			angle--;
		if (i < b && angle > 0)
			continue;
		if (i == b || sf__fix_is_punct(text, t, ',')) {
			if (it->seg_count == cap) {
				segment *more = realloc(it->segs, 2 * cap * sizeof(*more));
				if (!more)
					return sf__fail(SF_ENOMEM, "out of memory while reading sources");
				it->segs = more;
				cap *= 2;
			}
			if (i > first)
				read_declarator(text, toks, first, i - 1, &it->segs[it->seg_count], cxx);
			else
				it->segs[it->seg_count] = (segment){ .width = -1 };
			it->seg_count++;
			first = i + 1;
		}
	}
	return 0;
}

static uint32_t member_line(const sf_member *m)
{
	/* GCC gives anonymous members no line; their body's line is theirs. */
	if (m->decl_line == 0 && !m->name && m->nested)
		return m->nested->decl_line;
	return m->decl_line;
}

static bool seg_matches(const char *text, const segment *seg, const sf_member *m)
{
	if (seg->anonymous_body)
		return m->name == NULL;
	if (!m->name || seg->name_len != strlen(m->name) ||
	    memcmp(text + seg->name_start, m->name, seg->name_len) != 0)
		return false;
	if (seg->has_colon != ((m->flags & SF_MEMBER_BITFIELD) != 0))
		return false;
	return !seg->has_colon || seg->width < 0 || (uint64_t)seg->width == m->bit_size;
}

/* Offset of the start of line `line` (1-based), scanning from a known line start. */
static size_t line_start(const char *text, size_t len, size_t from, uint32_t from_line, uint32_t line)
{
	while (from_line < line && from < len) {
		const char *nl = memchr(text + from, '\n', len - from);
		if (!nl)
			return len;
		from = (size_t)(nl - text) + 1;
		from_line++;
	}
	return from;
}

static size_t column(const char *text, size_t at)
{
	size_t start = at;
	while (start > 0 && text[start - 1] != '\n')
		start--;
	return at - start;
}

static size_t line_end(const char *text, size_t len, size_t at)
{
	const char *nl = memchr(text + at, '\n', len - at);
	return nl ? (size_t)(nl - text) + 1 : len;
}

static int add_ctor(sf_fix_body *body, size_t token);

/* Words no declaration declares for a member to use. */
static const char *const cxx_words[] = {
	"typedef", "using", "struct", "class", "union", "enum", "static", "constexpr", "inline",
	"mutable", "template", "typename", "friend", "static_assert", "sizeof", "alignof", "decltype",
	"public", "private", "protected", "virtual", "explicit", "operator", "noexcept", "nullptr",
	"true", "false", "this", "return", "std", NULL
};

/* Whether an identifier of fixed item `f` appears in some data declaration. */
static bool shares_names(const char *text, const sf_fix_tokens *toks, const item *items, size_t count,
			 const item *f)
{
	for (size_t i = f->first_tok; i <= f->last_tok; i++) {
		const sf_fix_token *t = &toks->items[i];
		if (t->kind != SF_FIX_IDENT || sf__fix_word_in(text, t, non_names) ||
		    sf__fix_word_in(text, t, cxx_words))
			continue;
		for (size_t k = 0; k < count; k++) {
			if (items[k].kind == ITEM_FIXED)
				continue;
			for (size_t j = items[k].first_tok; j <= items[k].last_tok; j++) {
				const sf_fix_token *u = &toks->items[j];
				if (u->kind == SF_FIX_IDENT && u->end - u->start == t->end - t->start &&
				    memcmp(text + u->start, text + t->start, t->end - t->start) == 0)
					return true;
			}
		}
	}
	return false;
}

/*
 * C++ sections: members move only between bounds, which are the access
 * labels and the declarations (typedefs, using, nested types, static
 * members, static_assert) sharing a name with a data declaration: a
 * member's type or initializer may need a name declared above it (or
 * such a declaration a member above it), while function bodies see the
 * whole class.  Sharing a name is a conservative reading of using one.
 */
static void set_bounds(const char *text, const sf_fix_tokens *toks, item *items, size_t count)
{
	uint32_t section = 0;
	for (size_t k = 0; k < count; k++) {
		if (items[k].is_label || (items[k].may_bind && shares_names(text, toks, items, count, &items[k])))
			section++;
		items[k].section = section;
	}
}

static int skip(char *why, size_t why_size, const char *fmt, unsigned line)
{
	snprintf(why, why_size, fmt, line);
	return 1;
}

/*
 * Why the body declares something the debug info does not have at item
 * `it`.  A macro alone on its line (a macro-built field list) is the real
 * obstacle when the debug info holds no member from its line: on this
 * build it expanded to nothing, or to members it does not show there.
 */
static int lacks(char *why, size_t why_size, const char *text, const sf_fix_tokens *toks, const item *it,
		 const char *fallback)
{
	if (it->kind == ITEM_MACRO) {
		const sf_fix_token *t = &toks->items[it->first_tok];
		size_t n = t->end - t->start;
		if (it->used == 0)
			snprintf(why, why_size, "the body uses macro %.*s at line %u, which the debug info shows "
				 "expanded to no member there (a field list built by a macro, empty in this build)",
				 (int)(n > 64 ? 64 : n), text + t->start, it->first_line);
		else
			snprintf(why, why_size, "the body uses macro %.*s at line %u, which the debug info shows "
				 "expanded to %u member%s, and more follows than the debug info has",
				 (int)(n > 64 ? 64 : n), text + t->start, it->first_line, it->used,
				 it->used == 1 ? "" : "s");
		return 1;
	}
	return skip(why, why_size, fallback, it->first_line);
}

static void note_macro(sf_fix_unit *u, const sf_fix_tokens *toks, const item *it)
{
	if (it->kind != ITEM_MACRO || u->macro_len)
		return;
	u->macro_start = toks->items[it->first_tok].start;
	u->macro_len = toks->items[it->first_tok].end - u->macro_start;
	u->macro_line = it->first_line;
}

static int find_body(sf_fix_body *out, const char *text, size_t len, const sf_fix_tokens *toks,
		     const sf_struct *def, bool cxx, char *why, size_t why_size)
{
	item *items = NULL;
	size_t item_count = 0, item_cap = 0;
	size_t open, close, i;
	bool keyword;
	uint32_t line = def->decl_line;
	const char *class_name = cxx ? sf__fix_cxx_short_name(def) : NULL;
	uint32_t section = 0;
	bool is_public = def->kind != SF_CLASS;  /* a class starts private, a struct public */
	int rc = 0;

	memset(out, 0, sizeof(*out));
	out->cxx = cxx;
	out->aggregate = cxx;
	if (line == 0)
		return skip(why, why_size, "debug info gives no source line%.0u", 0);
	open = sf__fix_find_open(text, toks, line, def, &keyword);
	if (open >= toks->count)
		return skip(why, why_size, keyword ? "no definition with this name at line %u"
				    : "no struct keyword at line %u (defined by a macro, or edited since the build?)",
			    line);
	close = sf__fix_matching(text, toks, open, toks->count);
	if (close >= toks->count)
		return skip(why, why_size, "unbalanced braces after line %u", line);

	bool after_member = false;
	for (i = open + 1; i < close; i++) {
		const sf_fix_token *t = &toks->items[i];
		if (t->kind == SF_FIX_DIRECTIVE) {
			const char *refusal = sf__fix_define_refusal(text, toks, open, close, i, after_member);
			if (refusal)
				return skip(why, why_size, refusal, t->line);
			continue;
		}
		if (t->kind != SF_FIX_COMMENT)
			after_member = true;
		if (t->kind != SF_FIX_COMMENT && t->line == toks->items[open].line)
			return skip(why, why_size, "a member shares line %u with the opening brace", t->line);
		if (t->kind == SF_FIX_COMMENT && t->line == toks->items[open].line &&
		    t->end_line != t->line)
			return skip(why, why_size, "comment after the opening brace spans lines (line %u)", t->line);
	}
	if (close > open + 1 && toks->items[close - 1].end_line == toks->items[close].line)
		return skip(why, why_size, "the body shares line %u with the closing brace",
			    toks->items[close].line);

	/* Items: declarations up to ';', or a macro alone on its line. */
	for (i = sf__fix_next_code(toks, open, close); i < close; i = sf__fix_next_code(toks, i, close)) {
		const sf_fix_token *t = &toks->items[i];
		item it = { .first_tok = i, .first_line = t->line };
		size_t v = i, w;

		/* Movable #defines (checked above) join the unit above them. */
		if (t->kind == SF_FIX_DIRECTIVE)
			continue;
		if (item_count == item_cap) {
			size_t grown = item_cap ? item_cap * 2 : 16;
			item *more = realloc(items, grown * sizeof(*more));
			if (!more) {
				rc = sf__fail(SF_ENOMEM, "out of memory while reading sources");
				goto done;
			}
			items = more;
			item_cap = grown;
		}
		it.section = section;
		it.is_public = is_public;
		if (cxx) {
			size_t colon;
			int access = sf__fix_cxx_label(text, toks, i, close, &colon);
			if (access) {
				it.kind = ITEM_FIXED;
				it.is_label = true;
				it.last_tok = colon;
				it.section = ++section;
				is_public = access == 1;
			}
		}
		if (it.kind == ITEM_FIXED) {
			/* an access label */
		} else if (t->kind == SF_FIX_IDENT && !sf__fix_word_in(text, t, non_names) &&
		    !sf__fix_word_in(text, t, sf__fix_paren_words) && !sf__fix_is_word(text, t, "struct") &&
		    !sf__fix_is_word(text, t, "union") && !sf__fix_is_word(text, t, "enum") &&
		    !(class_name && sf__fix_is_word(text, t, class_name)) &&
		    !(cxx && (sf__fix_is_word(text, t, "static_assert") || sf__fix_is_word(text, t, "_Static_assert")))) {
			w = sf__fix_next_code(toks, i, close);
			if (w < close && sf__fix_is_punct(text, &toks->items[w], '(')) {
				v = sf__fix_matching(text, toks, w, close);
				w = sf__fix_next_code(toks, v, close);
			}
			if (v < close && (w >= close || toks->items[w].line > toks->items[v].end_line ||
					  sf__fix_is_punct(text, &toks->items[w], ';'))) {
				it.kind = ITEM_MACRO;
				it.last_tok = w < close && sf__fix_is_punct(text, &toks->items[w], ';') ? w : v;
			}
		}
		if (it.kind == ITEM_DECL && cxx) {
			size_t ctor;
			bool is_virtual, is_function;
			w = sf__fix_cxx_decl_end(text, toks, i, close);
			if (w >= close) {
				rc = skip(why, why_size, "declaration without ';' at line %u", t->line);
				goto done;
			}
			it.last_tok = w;
			if (sf__fix_cxx_not_data(text, toks, i, w, class_name, &ctor, &is_virtual, &is_function)) {
				it.kind = ITEM_FIXED;
				it.may_bind = !is_function;
				if (is_virtual)
					out->aggregate = false;
				if (ctor <= w && (rc = add_ctor(out, ctor)) < 0)
					goto done;
			}
		} else if (it.kind == ITEM_DECL) {
			for (w = i; w < close; w = sf__fix_next_code(toks, w, close)) {
				const sf_fix_token *u = &toks->items[w];
				if (u->kind == SF_FIX_PUNCT && strchr("([{", text[u->start]))
					w = sf__fix_matching(text, toks, w, close);
				else if (sf__fix_is_punct(text, u, ';'))
					break;
			}
			if (w >= close) {
				rc = skip(why, why_size, "declaration without ';' at line %u", t->line);
				goto done;
			}
			it.kind = ITEM_DECL;
			it.last_tok = w;
		}
		for (w = it.first_tok; w < it.last_tok; w++) {
			if (toks->items[w].kind == SF_FIX_DIRECTIVE) {
				rc = skip(why, why_size, "preprocessor directive inside a declaration (line %u)",
					  toks->items[w].line);
				goto done;
			}
		}
		it.last_line = toks->items[it.last_tok].end_line;
		items[item_count++] = it;
		if (it.kind == ITEM_DECL) {
			rc = read_segments(text, toks, &items[item_count - 1], cxx);
			if (rc < 0)
				goto done;
			for (uint32_t s = 0; s < items[item_count - 1].seg_count; s++) {
				const segment *seg = &items[item_count - 1].segs[s];
				if (seg->has_colon && seg->name_len == 0) {
					rc = skip(why, why_size, "unnamed bitfield at line %u (not in the debug info)",
						  t->line);
					goto done;
				}
			}
		}
		i = it.last_tok;
	}

	if (cxx)
		set_bounds(text, toks, items, item_count);

	/* Members to items, in order: each member on a line its item covers. */
	{
		size_t j = 0;
		out->member_init = calloc(def->member_count + 1, sizeof(*out->member_init));
		if (!out->member_init) {
			rc = sf__fail(SF_ENOMEM, "out of memory while reading sources");
			goto done;
		}
		for (uint32_t m = 0; m < def->member_count; m++) {
			const sf_member *mem = &def->members[m];
			uint32_t ml = member_line(mem);
			if (cxx && sf__fix_cxx_outside(mem)) {
				out->aggregate = false;
				continue;
			}
			if (ml == 0) {
				rc = skip(why, why_size, "a member has no source line in the debug info%.0u", 0);
				goto done;
			}
			while (j < item_count) {
				item *it = &items[j];
				bool room = it->kind == ITEM_MACRO || it->used < it->seg_count;
				if (it->kind == ITEM_FIXED) {
					j++;
					continue;
				}
				if (ml >= it->first_line && ml <= it->last_line && room)
					break;
				if (it->used == 0 || (it->kind == ITEM_DECL && it->used < it->seg_count)) {
					rc = lacks(why, why_size, text, toks, it,
						   "declaration at line %u does not match the debug info (edited since the build?)");
					goto done;
				}
				j++;
			}
			if (j >= item_count) {
				rc = skip(why, why_size, "member declared at line %u not found in the body", ml);
				goto done;
			}
			if (items[j].used == 0)
				items[j].member_first = m;
			if (items[j].kind == ITEM_DECL && !seg_matches(text, &items[j].segs[items[j].used], mem)) {
				const segment *seg = &items[j].segs[items[j].used];
				/* A macro such as `#define calloc pma_calloc` renames a
				 * member the debug info then knows by the other name. */
				if (seg->name_len && mem->name && (seg->name_len != strlen(mem->name) ||
				    memcmp(text + seg->name_start, mem->name, seg->name_len) != 0)) {
					snprintf(why, why_size,
						 "declaration at line %u does not match the debug info: member '%.*s' there is '%.64s' (edited since the build, or renamed by a macro?)",
						 items[j].first_line, (int)(seg->name_len > 64 ? 64 : seg->name_len),
						 text + seg->name_start, mem->name);
					rc = 1;
					goto done;
				}
				rc = skip(why, why_size,
					  "declaration at line %u does not match the debug info (edited since the build?)",
					  items[j].first_line);
				goto done;
			}
			if (items[j].kind == ITEM_DECL) {
				const segment *seg = &items[j].segs[items[j].used];
				out->member_init[m] = (sf_fix_span){ seg->init_first, seg->init_last };
			}
			if (!items[j].is_public)
				out->aggregate = false;
			items[j].used++;
		}
		while (j + 1 < item_count && items[j + 1].kind == ITEM_FIXED && cxx)
			j++;
		if (cxx && j + 1 < item_count) {
			rc = lacks(why, why_size, text, toks, &items[j + 1],
				   "the body declares members the debug info lacks (line %u)");
			goto done;
		} else if (cxx && j < item_count && items[j].kind == ITEM_FIXED) {
			/* Only fixed items, or the members ended before them. */
			size_t k = j;
			while (k > 0 && items[k].kind == ITEM_FIXED)
				k--;
			if (items[k].kind != ITEM_FIXED && (items[k].used == 0 ||
			    (items[k].kind == ITEM_DECL && items[k].used < items[k].seg_count))) {
				rc = lacks(why, why_size, text, toks, &items[k],
					   "the body declares members the debug info lacks (line %u)");
				goto done;
			}
		} else if (item_count == 0 || j != item_count - 1 ||
		    (items[j].kind == ITEM_DECL && items[j].used < items[j].seg_count)) {
			if (item_count && j + 1 < item_count)
				rc = lacks(why, why_size, text, toks, &items[j + 1],
					   "the body declares members the debug info lacks (line %u)");
			else
				rc = skip(why, why_size, "the body declares members the debug info lacks (line %u)",
					  item_count ? items[item_count - 1].first_line : line);
			goto done;
		}
	}

	/* Items to units: items sharing a line, trailing comments, leading comment lines. */
	out->units = calloc(item_count + 1, sizeof(*out->units));
	out->unit_of = calloc(def->member_count + 1, sizeof(*out->unit_of));
	if (!out->units || !out->unit_of) {
		rc = sf__fail(SF_ENOMEM, "out of memory while reading sources");
		goto done;
	}
	{
		size_t anchor = line_start(text, len, 0, 1, toks->items[open].line);
		uint32_t anchor_line = toks->items[open].line;
		uint32_t prev_last = toks->items[open].line;  /* last line of the previous unit */
		size_t prev_tok = open;                       /* last token of the previous unit */
		uint32_t unit_last = 0;
		sf_fix_unit *u = NULL;

		for (size_t k = 0; k < item_count; k++) {
			item *it = &items[k];
			size_t t;
			uint32_t last = it->last_line;
			/* Comments starting on the item's last line belong to it. */
			for (t = it->last_tok + 1; t < close && toks->items[t].kind == SF_FIX_COMMENT &&
			     toks->items[t].line <= last; t++)
				last = toks->items[t].end_line > last ? toks->items[t].end_line : last;
			/* C++: so do comment lines continuing a trailing comment in
			 * its column (`int x;  // long text` / `        // more`). */
			if (cxx && t > it->last_tok + 1) {
				size_t col = column(text, toks->items[t - 1].start);
				while (t < close && toks->items[t].kind == SF_FIX_COMMENT &&
				       toks->items[t].line == last + 1 && toks->items[t - 1].end_line < toks->items[t].line &&
				       column(text, toks->items[t].start) == col)
					last = toks->items[t++].end_line;
			}
			/* So do the #define lines right below it. */
			for (; t < close && toks->items[t].kind == SF_FIX_DIRECTIVE; t++)
				last = toks->items[t].end_line > last ? toks->items[t].end_line : last;
			if (u && it->first_line <= unit_last) {
				if (u->fixed != (it->kind == ITEM_FIXED)) {
					rc = skip(why, why_size, "a data member shares line %u with a declaration "
						  "that is not one, or an access label", it->first_line);
					goto done;
				}
				u->member_count += it->used;
				unit_last = last > unit_last ? last : unit_last;
				note_macro(u, toks, it);
			} else {
				uint32_t first = it->first_line;
				if (u) {
					u->end = line_end(text, len, line_start(text, len, anchor, anchor_line, unit_last));
					prev_last = unit_last;
				}
				/* Comment lines between the previous unit and this item lead this item. */
				for (t = prev_tok + 1; t < it->first_tok; t++) {
					if (toks->items[t].kind == SF_FIX_COMMENT && toks->items[t].line > prev_last) {
						first = toks->items[t].line;
						break;
					}
				}
				u = &out->units[out->unit_count++];
				u->first_line = first;
				u->start = line_start(text, len, anchor, anchor_line, first);
				anchor = u->start;
				anchor_line = first;
				u->member_first = it->member_first;
				u->member_count = it->used;
				u->fixed = it->kind == ITEM_FIXED;
				u->section = it->section;
				unit_last = last;
				note_macro(u, toks, it);
			}
			prev_tok = it->last_tok;
			for (t = it->last_tok + 1; t < close && (toks->items[t].kind == SF_FIX_COMMENT ||
							      toks->items[t].kind == SF_FIX_DIRECTIVE) &&
			     toks->items[t].line <= unit_last; t++)
				prev_tok = t;
		}
		if (u) {
			u->end = line_end(text, len, line_start(text, len, anchor, anchor_line, unit_last));
			if (unit_last >= toks->items[close].line) {
				rc = skip(why, why_size, "the body shares line %u with the closing brace", unit_last);
				goto done;
			}
		}
	}
	for (uint32_t m = 0; m < def->member_count; m++)
		out->unit_of[m] = SF_FIX_OUTSIDE;
	for (uint32_t k = 0; k < out->unit_count; k++) {
		if (out->units[k].fixed) {
			out->has_fixed = true;
			continue;
		}
		out->movable_count++;
		for (uint32_t m = 0; m < out->units[k].member_count; m++)
			out->unit_of[out->units[k].member_first + m] = k;
	}
	out->open = toks->items[open].start;
	out->close = toks->items[close].start;
done:
	for (size_t k = 0; k < item_count; k++)
		free(items[k].segs);
	free(items);
	if (rc != 0)
		sf__fix_body_free(out);
	return rc;
}

int sf__fix_body_find(sf_fix_body *out, const char *text, size_t len, const sf_fix_tokens *toks,
		      const sf_struct *def, char *why, size_t why_size)
{
	return sf__fix_body_find_cxx(out, text, len, toks, def, false, why, why_size);
}

int sf__fix_body_find_cxx(sf_fix_body *out, const char *text, size_t len, const sf_fix_tokens *toks,
			  const sf_struct *def, bool cxx, char *why, size_t why_size)
{
	char c_why[256];
	int rc;

	if (!cxx) {
		/* A C reading that works is the one C sources always got. */
		rc = find_body(out, text, len, toks, def, false, c_why, sizeof(c_why));
		if (rc <= 0)
			return rc;
	}
	rc = find_body(out, text, len, toks, def, true, why, why_size);
	if (rc > 0 && !cxx)
		snprintf(why, why_size, "%s", c_why);
	return rc;
}

static int add_ctor(sf_fix_body *body, size_t token)
{
	size_t *more = realloc(body->ctors, (body->ctor_count + 1) * sizeof(*more));
	if (!more)
		return sf__fail(SF_ENOMEM, "out of memory while reading sources");
	body->ctors = more;
	body->ctors[body->ctor_count++] = token;
	body->aggregate = false;
	return 0;
}

void sf__fix_body_free(sf_fix_body *body)
{
	free(body->units);
	free(body->unit_of);
	free(body->ctors);
	free(body->member_init);
	memset(body, 0, sizeof(*body));
}
