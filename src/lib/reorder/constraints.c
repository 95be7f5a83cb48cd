/* Reading constraints files: pin, group, hot, apart and skip rules, one per line. */
#include "reorder/constraints.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/fail.h"

/* A line longer than this is a mistake (binary file, missing newlines). */
#define MAX_LINE 65536
#define MAX_FILE (64u << 20)

static bool is_ident_start(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool is_ident_char(char c)
{
	return is_ident_start(c) || (c >= '0' && c <= '9');
}

/* Length of the identifier at s (0 when none). */
static size_t ident_len(const char *s, size_t len)
{
	size_t i = 0;
	if (len == 0 || !is_ident_start(s[0]))
		return 0;
	while (i < len && is_ident_char(s[i]))
		i++;
	return i;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

typedef struct cursor {
	const char *p;
	const char *end;
} cursor;

static void skip_spaces(cursor *c)
{
	while (c->p < c->end && is_space(*c->p))
		c->p++;
}

/* Next identifier, copied into the arena; NULL when the next token is not one. */
static const char *take_ident(sf_arena *arena, cursor *c, bool *nomem)
{
	size_t n;
	const char *s;
	skip_spaces(c);
	n = ident_len(c->p, (size_t)(c->end - c->p));
	if (n == 0 || (c->p + n < c->end && !is_space(c->p[n]) && c->p[n] != ':' && c->p[n] != '.'))
		return NULL;
	s = sf__arena_strndup(arena, c->p, n);
	if (!s)
		*nomem = true;
	c->p += n;
	return s;
}

static int add_rule(sf_constraints *cs, const sf_rule *rule)
{
	if (cs->count == cs->capacity) {
		size_t cap = cs->capacity ? cs->capacity * 2 : 16;
		sf_rule *rules = realloc(cs->rules, cap * sizeof(*rules));
		if (!rules)
			return sf__fail(SF_ENOMEM, "out of memory while reading constraints");
		cs->rules = rules;
		cs->capacity = cap;
	}
	cs->rules[cs->count++] = *rule;
	return 0;
}

#define LINE_FAIL(...) do { \
	char msg_[256]; \
	snprintf(msg_, sizeof(msg_), __VA_ARGS__); \
	return sf__fail(SF_EUSAGE, "%s:%u: %s", cs->file, line, msg_); \
} while (0)

/* Member list after "STRUCT:" up to the end of the line. */
static int parse_members(sf_constraints *cs, cursor *c, uint32_t line, sf_rule *rule)
{
	const char *names[256];
	uint32_t n = 0;
	bool nomem = false;

	for (;;) {
		const char *name;
		skip_spaces(c);
		if (c->p == c->end)
			break;
		name = take_ident(cs->arena, c, &nomem);
		if (nomem)
			return sf__fail(SF_ENOMEM, "out of memory while reading constraints");
		if (!name)
			LINE_FAIL("expected a member name, got '%.*s'", (int)(c->end - c->p > 40 ? 40 : c->end - c->p), c->p);
		if (n == 256)
			LINE_FAIL("too many members in one rule (at most 256)");
		for (uint32_t i = 0; i < n; i++) {
			if (strcmp(names[i], name) == 0)
				LINE_FAIL("member '%s' named twice", name);
		}
		names[n++] = name;
	}
	rule->members = sf__arena_calloc(cs->arena, n ? n : 1, sizeof(*rule->members));
	if (!rule->members)
		return sf__fail(SF_ENOMEM, "out of memory while reading constraints");
	memcpy(rule->members, names, n * sizeof(*names));
	rule->member_count = n;
	return 0;
}

static int parse_line(sf_constraints *cs, const char *text, size_t len, uint32_t line)
{
	cursor c = { text, text + len };
	sf_rule rule;
	const char *hash = memchr(text, '#', len);
	size_t kw_len;
	bool nomem = false;
	int res;

	if (hash)
		c.end = hash;
	skip_spaces(&c);
	if (c.p == c.end)
		return 0;
	memset(&rule, 0, sizeof(rule));
	rule.line = line;
	kw_len = ident_len(c.p, (size_t)(c.end - c.p));
	if (kw_len == 3 && memcmp(c.p, "pin", 3) == 0)
		rule.kind = SF_RULE_PIN;
	else if (kw_len == 5 && memcmp(c.p, "group", 5) == 0)
		rule.kind = SF_RULE_GROUP;
	else if (kw_len == 3 && memcmp(c.p, "hot", 3) == 0)
		rule.kind = SF_RULE_HOT;
	else if (kw_len == 4 && memcmp(c.p, "skip", 4) == 0)
		rule.kind = SF_RULE_SKIP;
	else if (kw_len == 5 && memcmp(c.p, "apart", 5) == 0)
		rule.kind = SF_RULE_APART;
	else
		LINE_FAIL("unknown rule '%.*s' (expected pin, group, hot, apart or skip)",
			  (int)(kw_len ? kw_len : 1), c.p);
	c.p += kw_len;
	if (c.p < c.end && !is_space(*c.p))
		LINE_FAIL("expected a space after the rule name");

	rule.struct_name = take_ident(cs->arena, &c, &nomem);
	if (nomem)
		return sf__fail(SF_ENOMEM, "out of memory while reading constraints");
	if (!rule.struct_name)
		LINE_FAIL("expected a struct name");

	switch (rule.kind) {
	case SF_RULE_PIN: {
		const char *member;
		if (c.p == c.end || *c.p != '.')
			LINE_FAIL("expected STRUCT.MEMBER after pin");
		c.p++;
		if (c.p == c.end || is_space(*c.p))
			LINE_FAIL("expected a member name after '%s.'", rule.struct_name);
		member = take_ident(cs->arena, &c, &nomem);
		if (nomem)
			return sf__fail(SF_ENOMEM, "out of memory while reading constraints");
		if (!member)
			LINE_FAIL("expected a member name after '%s.'", rule.struct_name);
		rule.members = sf__arena_calloc(cs->arena, 1, sizeof(*rule.members));
		if (!rule.members)
			return sf__fail(SF_ENOMEM, "out of memory while reading constraints");
		rule.members[0] = member;
		rule.member_count = 1;
		break;
	}
	case SF_RULE_GROUP:
	case SF_RULE_HOT:
	case SF_RULE_APART:
		skip_spaces(&c);
		if (c.p == c.end || *c.p != ':')
			LINE_FAIL("expected ':' after the struct name");
		c.p++;
		res = parse_members(cs, &c, line, &rule);
		if (res < 0)
			return res;
		if (rule.kind == SF_RULE_GROUP && rule.member_count < 2)
			LINE_FAIL("a group needs at least two members");
		if (rule.kind == SF_RULE_APART && rule.member_count < 2)
			LINE_FAIL("apart needs at least two members");
		if (rule.kind == SF_RULE_HOT && rule.member_count < 1)
			LINE_FAIL("hot needs at least one member");
		c.p = c.end;
		break;
	case SF_RULE_SKIP:
		break;
	}
	skip_spaces(&c);
	if (c.p != c.end)
		LINE_FAIL("unexpected '%.*s' at the end of the rule",
			  (int)(c.end - c.p > 40 ? 40 : c.end - c.p), c.p);
	return add_rule(cs, &rule);
}

void sf_constraints_free(sf_constraints *constraints)
{
	if (!constraints)
		return;
	free(constraints->rules);
	sf__arena_free(constraints->arena);
	free(constraints);
}

int sf_constraints_parse(sf_constraints **out, const char *text, size_t len, const char *name)
{
	sf_constraints *cs;
	uint32_t line = 0;
	size_t pos = 0;
	int res = 0;

	*out = NULL;
	cs = calloc(1, sizeof(*cs));
	if (!cs || sf__arena_new(&cs->arena) < 0) {
		free(cs);
		return sf__fail(SF_ENOMEM, "out of memory while reading constraints");
	}
	cs->file = sf__arena_strdup(cs->arena, name ? name : "<constraints>");
	if (!cs->file) {
		res = sf__fail(SF_ENOMEM, "out of memory while reading constraints");
		goto done;
	}
	while (pos < len) {
		const char *start = text + pos;
		const char *nl = memchr(start, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - start) : len - pos;
		line++;
		if (n > MAX_LINE) {
			res = sf__fail(SF_EUSAGE, "%s:%u: line too long", cs->file, line);
			goto done;
		}
		if (memchr(start, '\0', n)) {
			res = sf__fail(SF_EUSAGE, "%s:%u: NUL byte in a text file", cs->file, line);
			goto done;
		}
		res = parse_line(cs, start, n, line);
		if (res < 0)
			goto done;
		pos += n + (nl ? 1 : 0);
	}
done:
	if (res < 0) {
		sf_constraints_free(cs);
		return res;
	}
	*out = cs;
	return 0;
}

int sf_constraints_load(sf_constraints **out, const char *path)
{
	FILE *f;
	char *text = NULL;
	size_t len = 0, cap = 0;
	int res = 0;

	*out = NULL;
	f = fopen(path, "rb");
	if (!f)
		return sf__fail(errno == ENOENT ? SF_ENOTFOUND : SF_EIO, "%s: %s", path, strerror(errno));
	for (;;) {
		size_t n;
		if (len == cap) {
			char *grown;
			cap = cap ? cap * 2 : 4096;
			if (cap > MAX_FILE) {
				res = sf__fail(SF_EUSAGE, "%s: constraints file larger than %u bytes", path, MAX_FILE);
				goto done;
			}
			grown = realloc(text, cap);
			if (!grown) {
				res = sf__fail(SF_ENOMEM, "out of memory while reading %s", path);
				goto done;
			}
			text = grown;
		}
		n = fread(text + len, 1, cap - len, f);
		len += n;
		if (n == 0) {
			if (ferror(f))
				res = sf__fail(SF_EIO, "%s: read error", path);
			break;
		}
	}
	if (res == 0)
		res = sf_constraints_parse(out, text ? text : "", len, path);
done:
	free(text);
	fclose(f);
	return res;
}
