/* Members of the debug info mapped to the declarations of a body, and the C++ bounds members stay within. */
#include "fix/fix_body_scan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fix/fix_cxx.h"
#include "util/fail.h"

static uint32_t member_line(const sf_member *m)
{
	/* GCC gives anonymous members no line; their body's line is theirs. */
	if (m->decl_line == 0 && !m->name && m->nested)
		return m->nested->decl_line;
	return m->decl_line;
}

/* Words no declaration declares for a member to use. */
static const char *const cxx_words[] = {
	"typedef", "using", "struct", "class", "union", "enum", "static", "constexpr", "inline",
	"mutable", "template", "typename", "friend", "static_assert", "sizeof", "alignof", "decltype",
	"public", "private", "protected", "virtual", "explicit", "operator", "noexcept", "nullptr",
	"true", "false", "this", "return", "std", NULL
};

/* Whether an identifier of fixed item `f` appears in some data declaration. */
static bool shares_names(const char *text, const sf_fix_tokens *toks, const sf_fix_item *items, size_t count,
			 const sf_fix_item *f)
{
	for (size_t i = f->first_tok; i <= f->last_tok; i++) {
		const sf_fix_token *t = &toks->items[i];
		if (t->kind != SF_FIX_IDENT || sf__fix_word_in(text, t, sf__fix_non_names) ||
		    sf__fix_word_in(text, t, cxx_words))
			continue;
		for (size_t k = 0; k < count; k++) {
			if (items[k].kind == SF_FIX_ITEM_FIXED)
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
void sf__fix_scan_bounds(sf_fix_scan *s)
{
	const char *text = s->text;
	const sf_fix_tokens *toks = s->toks;
	sf_fix_item *items = s->items;
	size_t count = s->item_count;
	uint32_t section = 0;
	for (size_t k = 0; k < count; k++) {
		if (items[k].is_label || (items[k].may_bind && shares_names(text, toks, items, count, &items[k])))
			section++;
		items[k].section = section;
	}
}

/*
 * Why the body declares something the debug info does not have at item
 * `it`.  A macro alone on its line (a macro-built field list) is the real
 * obstacle when the debug info holds no member from its line: on this
 * build it expanded to nothing, or to members it does not show there.
 */
static int lacks(sf_fix_scan *s, const sf_fix_item *it, const char *fallback)
{
	char why[sizeof(((sf_fix_problem *)0)->text)];
	const sf_fix_token *t = &s->toks->items[it->first_tok];
	size_t n = t->end - t->start;

	if (it->kind != SF_FIX_ITEM_MACRO)
		return sf__fix_scan_problem(s, it->first_line, fallback);
	if (it->used == 0)
		snprintf(why, sizeof(why), "the body uses macro %.*s at line %u, which the debug info shows "
			 "expanded to no member there (a field list built by a macro, empty in this build)",
			 (int)(n > 64 ? 64 : n), s->text + t->start, it->first_line);
	else
		snprintf(why, sizeof(why), "the body uses macro %.*s at line %u, which the debug info shows "
			 "expanded to %u member%s, and more follows than the debug info has",
			 (int)(n > 64 ? 64 : n), s->text + t->start, it->first_line, it->used,
			 it->used == 1 ? "" : "s");
	return sf__fix_scan_problem_text(s, it->first_line, why);
}

/* Whether the item declares members the mapping has not given it. */
static bool underused(const sf_fix_item *it)
{
	return it->kind != SF_FIX_ITEM_FIXED && !it->quiet &&
	       (it->used == 0 || (it->kind == SF_FIX_ITEM_DECL && it->used < it->seg_count));
}

static int lacking(sf_fix_scan *s, size_t j, const char *fallback)
{
	if (j < s->first_bad_item)
		s->first_bad_item = j;
	return lacks(s, &s->items[j], fallback);
}

/* The first item from `j` on whose lines hold `line` and that can take one more member, or item_count. */
static size_t item_for(const sf_fix_scan *s, size_t j, uint32_t line)
{
	for (; j < s->item_count; j++) {
		const sf_fix_item *it = &s->items[j];
		bool room = it->kind == SF_FIX_ITEM_MACRO || it->used < it->seg_count;
		if (it->kind != SF_FIX_ITEM_FIXED && line >= it->first_line && line <= it->last_line && room)
			return j;
	}
	return s->item_count;
}

/* Member `mem` is not what item `j`'s next declarator declares. */
static int mismatch(sf_fix_scan *s, size_t j, const sf_member *mem)
{
	const sf_fix_item *it = &s->items[j];
	const sf_fix_segment *seg = &it->segs[it->used];
	char why[sizeof(((sf_fix_problem *)0)->text)];

	if (j < s->first_bad_item)
		s->first_bad_item = j;
	/* A macro such as `#define calloc pma_calloc` renames a member the
	 * debug info then knows by the other name. */
	if (seg->name_len && mem->name && (seg->name_len != strlen(mem->name) ||
					   memcmp(s->text + seg->name_start, mem->name, seg->name_len) != 0)) {
		snprintf(why, sizeof(why),
			 "declaration at line %u does not match the debug info: member '%.*s' there is '%.64s' (edited since the build, or renamed by a macro?)",
			 it->first_line, (int)(seg->name_len > 64 ? 64 : seg->name_len), s->text + seg->name_start,
			 mem->name);
		return sf__fix_scan_problem_text(s, it->first_line, why);
	}
	return sf__fix_scan_problem(s, it->first_line,
				    "declaration at line %u does not match the debug info (edited since the build?)");
}

#define NO_MATCH "declaration at line %u does not match the debug info (edited since the build?)"
#define LACKS "the body declares members the debug info lacks (line %u)"

/*
 * A member found in no declaration from `j` on: the first declaration
 * left without its member is named when there is one (a line edited
 * since the build), else the member.  The mapping cannot go on.
 */
static int lost(sf_fix_scan *s, size_t j, uint32_t line)
{
	for (; j < s->item_count; j++)
		if (underused(&s->items[j]))
			return lacking(s, j, NO_MATCH);
	s->first_bad_item = s->first_bad_item < j ? s->first_bad_item : j;
	return sf__fix_scan_problem(s, line, "member declared at line %u not found in the body");
}

int sf__fix_scan_map(sf_fix_scan *s, sf_fix_body *out)
{
	const sf_struct *def = s->def;
	size_t j = 0;
	int rc = 0;

	s->first_bad_item = s->item_count;
	out->member_init = calloc(def->member_count + 1, sizeof(*out->member_init));
	if (!out->member_init)
		return sf__fail(SF_ENOMEM, "out of memory while reading sources");
	for (uint32_t m = 0; m < def->member_count; m++) {
		const sf_member *mem = &def->members[m];
		uint32_t ml = member_line(mem);
		size_t k;
		sf_fix_item *it;
		if (s->cxx && sf__fix_cxx_outside(mem)) {
			out->aggregate = false;
			continue;
		}
		if (ml == 0) {
			s->first_bad_item = s->first_bad_item < j ? s->first_bad_item : j;
			return sf__fix_scan_problem(s, def->decl_line, "a member has no source line in the debug info%.0u");
		}
		k = item_for(s, j, ml);
		if (k >= s->item_count)
			return lost(s, j, ml);
		/* The declarations passed over lack their members. */
		for (; rc == 0 && j < k; j++)
			if (underused(&s->items[j]))
				rc = lacking(s, j, NO_MATCH);
		if (rc < 0)
			return rc;
		it = &s->items[j];
		if (it->used == 0)
			it->member_first = m;
		if (it->kind == SF_FIX_ITEM_DECL && !sf__fix_seg_matches(s->text, &it->segs[it->used], mem) &&
		    (rc = mismatch(s, j, mem)) < 0)
			return rc;
		if (it->kind == SF_FIX_ITEM_DECL) {
			const sf_fix_segment *seg = &it->segs[it->used];
			out->member_init[m] = (sf_fix_span){ seg->init_first, seg->init_last };
		}
		if (!it->is_public)
			out->aggregate = false;
		it->used++;
	}
	if (s->item_count == 0)
		return sf__fix_scan_problem(s, def->decl_line, LACKS);
	for (; rc == 0 && j < s->item_count; j++)
		if (underused(&s->items[j]))
			rc = lacking(s, j, LACKS);
	return rc;
}
