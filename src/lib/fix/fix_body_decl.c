/* Declarations of a body read into declarators: names, bitfield widths, C++ default initializers. */
#include "fix/fix_body_scan.h"

#include <stdlib.h>
#include <string.h>

#include "fix/fix_body_head.h"
#include "util/fail.h"

const char *const sf__fix_non_names[] = {
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
			    sf_fix_segment *seg, bool cxx)
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
			if (sf__fix_word_in(text, t, sf__fix_non_names))
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

int sf__fix_read_segments(const char *text, const sf_fix_tokens *toks, sf_fix_item *it, bool cxx)
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
		it->segs[0] = (sf_fix_segment){ .anonymous_body = true, .width = -1 };
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
				sf_fix_segment *more = realloc(it->segs, 2 * cap * sizeof(*more));
				if (!more)
					return sf__fail(SF_ENOMEM, "out of memory while reading sources");
				it->segs = more;
				cap *= 2;
			}
			if (i > first)
				read_declarator(text, toks, first, i - 1, &it->segs[it->seg_count], cxx);
			else
				it->segs[it->seg_count] = (sf_fix_segment){ .width = -1 };
			it->seg_count++;
			first = i + 1;
		}
	}
	return 0;
}

bool sf__fix_seg_matches(const char *text, const sf_fix_segment *seg, const sf_member *m)
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
