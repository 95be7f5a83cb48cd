/* Strict recursive-descent JSON parser with bounded depth and located errors. */
#include "util/json_read.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/fail.h"

typedef struct parser {
	const char *text;
	size_t len;
	size_t pos;
	uint32_t line;
	size_t line_start;   /* offset of the current line's first byte */
	const char *name;
	sf_arena *arena;
	int error;           /* first failure, so nested calls do not overwrite it */
} parser;

/* Temporary growable list used while an array or object is being read. */
typedef struct list {
	void **items;
	size_t count;
	size_t cap;
} list;

static uint32_t column_of(const parser *p, size_t pos)
{
	size_t col = pos - p->line_start + 1;
	return col > UINT32_MAX ? UINT32_MAX : (uint32_t)col;
}

#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static int fail_at(parser *p, size_t pos, const char *fmt, ...)
{
	char what[256];
	va_list ap;

	if (p->error)
		return p->error;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	p->error = sf__fail(SF_EINVALID, "%s:%u:%u: %s", p->name, p->line, column_of(p, pos), what);
	return p->error;
}

static int out_of_memory(parser *p)
{
	if (!p->error)
		p->error = sf__fail(SF_ENOMEM, "%s: out of memory while reading JSON", p->name);
	return p->error;
}

static int list_push(parser *p, list *l, void *item)
{
	if (l->count == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 8;
		void **bigger = realloc(l->items, cap * sizeof(*bigger));
		if (!bigger)
			return out_of_memory(p);
		l->items = bigger;
		l->cap = cap;
	}
	l->items[l->count++] = item;
	return 0;
}

static void skip_space(parser *p)
{
	while (p->pos < p->len) {
		char c = p->text[p->pos];
		if (c == '\n') {
			p->line++;
			p->line_start = p->pos + 1;
		} else if (c != ' ' && c != '\t' && c != '\r') {
			return;
		}
		p->pos++;
	}
}

static const char *describe(const parser *p)
{
	return p->pos >= p->len ? "end of input" : "unexpected character";
}

static sf_json_value *new_value(parser *p, sf_json_type type, size_t start)
{
	sf_json_value *v = sf__arena_alloc(p->arena, sizeof(*v));
	if (!v) {
		out_of_memory(p);
		return NULL;
	}
	v->type = type;
	v->line = p->line;
	v->column = column_of(p, start);
	return v;
}

static void put_utf8(char *out, size_t *n, uint32_t cp)
{
	if (cp < 0x80) {
		out[(*n)++] = (char)cp;
	} else if (cp < 0x800) {
		out[(*n)++] = (char)(0xC0 | (cp >> 6));
		out[(*n)++] = (char)(0x80 | (cp & 0x3F));
	} else if (cp < 0x10000) {
		out[(*n)++] = (char)(0xE0 | (cp >> 12));
		out[(*n)++] = (char)(0x80 | ((cp >> 6) & 0x3F));
		out[(*n)++] = (char)(0x80 | (cp & 0x3F));
	} else {
		out[(*n)++] = (char)(0xF0 | (cp >> 18));
		out[(*n)++] = (char)(0x80 | ((cp >> 12) & 0x3F));
		out[(*n)++] = (char)(0x80 | ((cp >> 6) & 0x3F));
		out[(*n)++] = (char)(0x80 | (cp & 0x3F));
	}
}

static int hex4(parser *p, size_t at, uint32_t *out)
{
	uint32_t v = 0;

	if (p->len - at < 4)
		return fail_at(p, at, "truncated \\u escape");
	for (size_t i = 0; i < 4; i++) {
		char c = p->text[at + i];
		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (uint32_t)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (uint32_t)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (uint32_t)(c - 'A' + 10);
		else
			return fail_at(p, at + i, "invalid hex digit in \\u escape");
	}
	*out = v;
	return 0;
}

/* Length of the valid UTF-8 sequence at `s` (at most `avail` bytes), 0 if invalid. */
static size_t utf8_length(const unsigned char *s, size_t avail)
{
	size_t n;
	uint32_t cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xC2 && s[0] <= 0xDF) {
		n = 2;
		cp = s[0] & 0x1F;
	} else if (s[0] >= 0xE0 && s[0] <= 0xEF) {
		n = 3;
		cp = s[0] & 0x0F;
	} else if (s[0] >= 0xF0 && s[0] <= 0xF4) {
		n = 4;
		cp = s[0] & 0x07;
	} else {
		return 0;
	}
	if (avail < n)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3F);
	}
	/* Overlong forms, surrogates and code points past U+10FFFF. */
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
	    (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	return n;
}

/* Reads a string token at p->pos (a '"'); the result lives in the arena. */
static int parse_string(parser *p, const char **out)
{
	size_t start = p->pos;
	size_t end;
	char *s;
	size_t n = 0;

	/* First pass finds the end so one allocation suffices: escapes only shrink. */
	for (end = start + 1; end < p->len && p->text[end] != '"'; end++) {
		if (p->text[end] == '\\')
			end++;
	}
	if (end >= p->len)
		return fail_at(p, start, "unterminated string");
	s = sf__arena_alloc(p->arena, end - start);
	if (!s)
		return out_of_memory(p);
	for (size_t i = start + 1; i < end;) {
		unsigned char c = (unsigned char)p->text[i];
		uint32_t cp, low;

		if (c < 0x20)
			return fail_at(p, i, "control character in string");
		if (c != '\\') {
			size_t k = utf8_length((const unsigned char *)p->text + i, end - i);
			if (k == 0)
				return fail_at(p, i, "invalid UTF-8 in string");
			memcpy(s + n, p->text + i, k);
			n += k;
			i += k;
			continue;
		}
		switch (p->text[i + 1]) {
		case '"': s[n++] = '"'; break;
		case '\\': s[n++] = '\\'; break;
		case '/': s[n++] = '/'; break;
		case 'b': s[n++] = '\b'; break;
		case 'f': s[n++] = '\f'; break;
		case 'n': s[n++] = '\n'; break;
		case 'r': s[n++] = '\r'; break;
		case 't': s[n++] = '\t'; break;
		case 'u':
			if (hex4(p, i + 2, &cp) != 0)
				return p->error;
			if (cp >= 0xDC00 && cp <= 0xDFFF)
				return fail_at(p, i, "unpaired surrogate in \\u escape");
			if (cp >= 0xD800 && cp <= 0xDBFF) {
				if (i + 12 > end || p->text[i + 6] != '\\' || p->text[i + 7] != 'u')
					return fail_at(p, i, "unpaired surrogate in \\u escape");
				if (hex4(p, i + 8, &low) != 0)
					return p->error;
				if (low < 0xDC00 || low > 0xDFFF)
					return fail_at(p, i, "unpaired surrogate in \\u escape");
				cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
				i += 6;
			}
			if (cp == 0)
				return fail_at(p, i, "\\u0000 is not allowed in strings");
			put_utf8(s, &n, cp);
			i += 6;
			continue;
		default:
			return fail_at(p, i, "invalid escape sequence");
		}
		i += 2;
	}
	s[n] = '\0';
	p->pos = end + 1;
	*out = s;
	return 0;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int parse_number(parser *p, sf_json_value *v)
{
	size_t start = p->pos;
	size_t i = start;
	bool integer = true;
	bool negative = false;
	uint64_t value = 0;
	bool overflow = false;

	if (i < p->len && p->text[i] == '-') {
		negative = true;
		i++;
	}
	if (i >= p->len || !is_digit(p->text[i]))
		return fail_at(p, i, "invalid number");
	if (p->text[i] == '0' && i + 1 < p->len && is_digit(p->text[i + 1]))
		return fail_at(p, i, "leading zero in number");
	for (; i < p->len && is_digit(p->text[i]); i++) {
		if (__builtin_mul_overflow(value, 10, &value) ||
		    __builtin_add_overflow(value, (uint64_t)(p->text[i] - '0'), &value))
			overflow = true;
	}
	if (i < p->len && p->text[i] == '.') {
		integer = false;
		i++;
		if (i >= p->len || !is_digit(p->text[i]))
			return fail_at(p, i, "digit expected after decimal point");
		while (i < p->len && is_digit(p->text[i]))
			i++;
	}
	if (i < p->len && (p->text[i] == 'e' || p->text[i] == 'E')) {
		integer = false;
		i++;
		if (i < p->len && (p->text[i] == '+' || p->text[i] == '-'))
			i++;
		if (i >= p->len || !is_digit(p->text[i]))
			return fail_at(p, i, "digit expected in exponent");
		while (i < p->len && is_digit(p->text[i]))
			i++;
	}
	v->is_uint = integer && !negative && !overflow;
	v->uint = v->is_uint ? value : 0;
	v->is_int = integer && !overflow;
	v->negative = negative;
	v->magnitude = v->is_int ? value : 0;
	p->pos = i;
	return 0;
}

static bool match_word(parser *p, const char *word)
{
	size_t n = strlen(word);
	if (p->len - p->pos < n || memcmp(p->text + p->pos, word, n) != 0)
		return false;
	p->pos += n;
	return true;
}

static int parse_value(parser *p, unsigned depth, const sf_json_value **out);

static int parse_container(parser *p, unsigned depth, sf_json_value *v)
{
	bool object = v->type == SF_JSON_OBJECT;
	char close = object ? '}' : ']';
	list items = { 0 }, keys = { 0 };
	int error = 0;

	if (depth >= SF_JSON_MAX_DEPTH) {
		error = fail_at(p, p->pos, "nesting deeper than %d levels", SF_JSON_MAX_DEPTH);
		goto done;
	}
	p->pos++;
	skip_space(p);
	if (p->pos < p->len && p->text[p->pos] == close) {
		p->pos++;
		goto done;
	}
	for (;;) {
		const sf_json_value *item = NULL;

		skip_space(p);
		if (object) {
			const char *key = NULL;
			size_t key_pos = p->pos;

			if (p->pos >= p->len || p->text[p->pos] != '"') {
				error = fail_at(p, p->pos, "%s where an object key was expected", describe(p));
				goto done;
			}
			if ((error = parse_string(p, &key)) != 0)
				goto done;
			for (size_t k = 0; k < keys.count; k++) {
				if (strcmp(keys.items[k], key) == 0) {
					error = fail_at(p, key_pos, "duplicate key \"%s\"", key);
					goto done;
				}
			}
			if ((error = list_push(p, &keys, (void *)key)) != 0)
				goto done;
			skip_space(p);
			if (p->pos >= p->len || p->text[p->pos] != ':') {
				error = fail_at(p, p->pos, "%s where ':' was expected", describe(p));
				goto done;
			}
			p->pos++;
		}
		if ((error = parse_value(p, depth + 1, &item)) != 0)
			goto done;
		if ((error = list_push(p, &items, (void *)item)) != 0)
			goto done;
		skip_space(p);
		if (p->pos < p->len && p->text[p->pos] == ',') {
			p->pos++;
			continue;
		}
		if (p->pos < p->len && p->text[p->pos] == close) {
			p->pos++;
			break;
		}
		error = fail_at(p, p->pos, "%s where ',' or '%c' was expected", describe(p), close);
		goto done;
	}
	if (items.count) {
		const sf_json_value **vals = sf__arena_calloc(p->arena, items.count, sizeof(*vals));
		if (!vals) {
			error = out_of_memory(p);
			goto done;
		}
		memcpy(vals, items.items, items.count * sizeof(*vals));
		v->items = vals;
		v->count = items.count;
		if (object) {
			const char **ks = sf__arena_calloc(p->arena, keys.count, sizeof(*ks));
			if (!ks) {
				error = out_of_memory(p);
				goto done;
			}
			memcpy(ks, keys.items, keys.count * sizeof(*ks));
			v->keys = ks;
		}
	}
done:
	free(items.items);
	free(keys.items);
	return error;
}

static int parse_value(parser *p, unsigned depth, const sf_json_value **out)
{
	sf_json_value *v;
	size_t start;
	char c;

	skip_space(p);
	start = p->pos;
	if (p->pos >= p->len)
		return fail_at(p, p->pos, "unexpected end of input where a value was expected");
	c = p->text[p->pos];
	switch (c) {
	case '{':
	case '[':
		v = new_value(p, c == '{' ? SF_JSON_OBJECT : SF_JSON_ARRAY, start);
		if (!v || parse_container(p, depth, v) != 0)
			return p->error;
		break;
	case '"':
		v = new_value(p, SF_JSON_STRING, start);
		if (!v || parse_string(p, &v->string) != 0)
			return p->error;
		break;
	case 't':
	case 'f':
	case 'n':
		if (match_word(p, "true") || match_word(p, "false")) {
			v = new_value(p, SF_JSON_BOOL, start);
			if (v)
				v->boolean = c == 't';
		} else if (match_word(p, "null")) {
			v = new_value(p, SF_JSON_NULL, start);
		} else {
			return fail_at(p, start, "invalid literal");
		}
		if (!v)
			return p->error;
		break;
	default:
		if (c != '-' && !is_digit(c))
			return fail_at(p, start, "unexpected character '%c'",
				       (c >= 0x20 && c < 0x7f) ? c : '?');
		v = new_value(p, SF_JSON_NUMBER, start);
		if (!v || parse_number(p, v) != 0)
			return p->error;
		break;
	}
	*out = v;
	return 0;
}

int sf__json_parse(const char *text, size_t len, const char *name, sf_arena *arena,
		   const sf_json_value **out)
{
	parser p = { text, len, 0, 1, 0, name ? name : "<json>", arena, 0 };
	const sf_json_value *root = NULL;

	*out = NULL;
	/* A UTF-8 byte order mark is tolerated, as editors add it. */
	if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
		p.pos = p.line_start = 3;
	if (parse_value(&p, 0, &root) != 0)
		return p.error;
	skip_space(&p);
	if (p.pos < p.len)
		return fail_at(&p, p.pos, "unexpected text after the JSON value");
	*out = root;
	return 0;
}

const sf_json_value *sf__json_get(const sf_json_value *obj, const char *key)
{
	if (!obj || obj->type != SF_JSON_OBJECT)
		return NULL;
	for (size_t i = 0; i < obj->count; i++) {
		if (strcmp(obj->keys[i], key) == 0)
			return obj->items[i];
	}
	return NULL;
}

const char *sf__json_type_name(sf_json_type type)
{
	switch (type) {
	case SF_JSON_NULL: return "null";
	case SF_JSON_BOOL: return "a boolean";
	case SF_JSON_NUMBER: return "a number";
	case SF_JSON_STRING: return "a string";
	case SF_JSON_ARRAY: return "an array";
	case SF_JSON_OBJECT: return "an object";
	}
	return "a value";
}
