/* A Go struct body split into field units (leading comments + field lines) with their names. */
#include "fix/fix_go_body.h"

#include <string.h>

#include "util/fail.h"

static size_t line_end(const char *text, size_t len, size_t i)
{
	while (i < len && text[i] != '\n')
		i++;
	return i < len ? i + 1 : len;
}

static size_t skip_blanks(const char *text, size_t len, size_t i)
{
	while (i < len && (text[i] == ' ' || text[i] == '\t'))
		i++;
	return i;
}

static size_t ident_end(const char *text, size_t len, size_t i)
{
	while (i < len && sf__go_ident_char(text[i]))
		i++;
	return i;
}

/* End of a field starting at `i`: the newline at bracket depth 0. */
static size_t field_end(const char *text, size_t len, size_t i)
{
	int depth = 0;

	while (i < len) {
		size_t next = sf__go_skip_literal(text, len, i);
		if (next != i) {
			/* A // comment stops before the newline, which ends the field. */
			i = next;
			continue;
		}
		if (text[i] == '(' || text[i] == '[' || text[i] == '{')
			depth++;
		else if (text[i] == ')' || text[i] == ']' || text[i] == '}')
			depth--;
		else if (text[i] == '\n' && depth <= 0)
			return i + 1;
		i++;
	}
	return len;
}

static int add_name(sf_go_body *body, sf_arena *arena, size_t off, size_t len)
{
	if (body->name_count == body->name_cap) {
		size_t cap = body->name_cap ? body->name_cap * 2 : 16;
		sf_go_name *more = sf__arena_calloc(arena, cap, sizeof(*more));
		if (!more)
			return SF_ENOMEM;
		if (body->name_count)
			memcpy(more, body->names, body->name_count * sizeof(*more));
		body->names = more;
		body->name_cap = cap;
	}
	body->names[body->name_count++] = (sf_go_name){ off, len, body->unit_count };
	return 0;
}

/* Names of the field at `f`: a list (`a, b int`), one name, or an embedded type's last identifier. */
static int field_names(sf_go_body *body, sf_arena *arena, const char *text, size_t len, size_t f,
		       size_t *names_end, bool *embedded)
{
	size_t a = f, e;
	int rc;

	*embedded = false;
	if (text[a] == '*') {
		*embedded = true;
		a = skip_blanks(text, len, a + 1);
	}
	e = ident_end(text, len, a);
	if (e == a)
		return 1;
	if (!*embedded) {
		size_t after = skip_blanks(text, len, e);
		if (after < len && text[after] == ',') {
			while (after < len && text[after] == ',') {
				rc = add_name(body, arena, a, e - a);
				if (rc < 0)
					return rc;
				a = after + 1;
				while (a < len && (text[a] == ' ' || text[a] == '\t' || text[a] == '\n'))
					a++;
				e = ident_end(text, len, a);
				if (e == a)
					return 1;
				after = skip_blanks(text, len, e);
			}
			*names_end = e;
			return add_name(body, arena, a, e - a);
		}
		if (after < len && text[after] != '.' && text[after] != '\n' && text[after] != '"' &&
		    text[after] != '`' && !(text[after] == '/' && after + 1 < len && text[after + 1] == '/')) {
			*names_end = e;
			return add_name(body, arena, a, e - a);
		}
		*embedded = true;
	}
	/* Embedded: pkg.T or T, named after its last identifier. */
	while (e < len && text[e] == '.') {
		a = e + 1;
		e = ident_end(text, len, a);
	}
	*names_end = f;
	return add_name(body, arena, a, e - a);
}

int sf__go_body_parse(sf_go_body *body, sf_arena *arena, const char *text, size_t len, size_t open,
		      size_t close, const char **why)
{
	size_t pos = line_end(text, len, open), comments = SIZE_MAX, prev_end;
	size_t close_line = close;
	int rc;

	memset(body, 0, sizeof(*body));
	*why = NULL;
	while (close_line > 0 && text[close_line - 1] != '\n')
		close_line--;
	for (size_t i = skip_blanks(text, len, open + 1); i < len && text[i] != '\n'; i = skip_blanks(text, len, i)) {
		size_t next = sf__go_skip_literal(text, len, i);
		if (next == i || text[i] != '/') {
			*why = "fields on the line of the opening brace";
			return 1;
		}
		i = next;
	}
	if (skip_blanks(text, len, close_line) != close) {
		*why = "fields on the line of the closing brace";
		return 1;
	}
	prev_end = pos;
	while (pos < close_line) {
		size_t start = skip_blanks(text, len, pos);
		sf_go_unit *u;
		bool embedded = false;
		if (text[start] == '\n') {
			comments = SIZE_MAX;
			pos = start + 1;
			continue;
		}
		if (text[start] == '/' && start + 1 < len && (text[start + 1] == '/' || text[start + 1] == '*')) {
			if (comments == SIZE_MAX)
				comments = pos;
			pos = line_end(text, len, sf__go_skip_literal(text, len, start));
			continue;
		}
		if (body->unit_count == body->unit_cap) {
			size_t cap = body->unit_cap ? body->unit_cap * 2 : 16;
			sf_go_unit *more = sf__arena_calloc(arena, cap, sizeof(*more));
			if (!more)
				return SF_ENOMEM;
			if (body->unit_count)
				memcpy(more, body->units, body->unit_count * sizeof(*more));
			body->units = more;
			body->unit_cap = cap;
		}
		u = &body->units[body->unit_count];
		memset(u, 0, sizeof(*u));
		u->gap = prev_end;
		u->start = comments == SIZE_MAX ? pos : comments;
		u->line = pos;
		u->field = start;
		u->first_name = body->name_count;
		rc = field_names(body, arena, text, len, start, &u->names_end, &embedded);
		if (rc != 0) {
			if (rc > 0)
				*why = "a field line structfit cannot read";
			return rc;
		}
		u->embedded = embedded;
		u->name_count = body->name_count - u->first_name;
		u->end = field_end(text, len, start);
		if (u->end > close_line) {
			*why = "a field ends on the line of the closing brace";
			return 1;
		}
		body->unit_count++;
		prev_end = pos = u->end;
		comments = SIZE_MAX;
	}
	return 0;
}
