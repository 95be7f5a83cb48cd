/* Reading allocation lines: what a `sizeof` measures, and how a variable or member was declared. */
#include "impact/impact_sizeof.h"

#include <ctype.h>
#include <string.h>

bool sf__impact_ident_char(char c)
{
	return isalnum((unsigned char)c) || c == '_';
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

	while (sf__impact_ident_char(*p)) {
		if (n + 1 < cap)
			buf[n++] = *p;
		p++;
	}
	buf[n] = '\0';
	return p;
}

/* Past the bracket matching the one at `p` ('(' or '['), or NULL. */
static const char *skip_group(const char *p)
{
	char open = *p, close = open == '(' ? ')' : ']';
	int depth = 0;

	for (; *p; p++) {
		if (*p == open)
			depth++;
		else if (*p == close && --depth == 0)
			return p + 1;
	}
	return NULL;
}

/* Member chain and subscripts after a variable: "->a.b[2]". */
static const char *read_chain(const char *p, sf_sizeof_expr *out)
{
	for (;;) {
		const char *q = skip_space(p);
		if ((q[0] == '-' && q[1] == '>') || q[0] == '.') {
			q = skip_space(q + (q[0] == '.' ? 1 : 2));
			if (out->member_count >= SF_SIZEOF_MAX_MEMBERS || !sf__impact_ident_char(*q))
				return NULL;
			p = read_ident(q, out->members[out->member_count++], sizeof(out->members[0]));
		} else if (q[0] == '[') {
			p = skip_group(q);
			if (!p)
				return NULL;
			out->derefs++;
		} else {
			return q;
		}
	}
}

static bool is_keyword(const char *w)
{
	return strcmp(w, "struct") == 0 || strcmp(w, "union") == 0 || strcmp(w, "class") == 0 ||
	       strcmp(w, "enum") == 0;
}

static bool adjacent_plus(const char *line, const char *start, const char *end)
{
	const char *b = start;

	while (b > line && isspace((unsigned char)b[-1]))
		b--;
	return (b > line && b[-1] == '+') || *skip_space(end) == '+';
}

void sf__impact_parse_sizeof(const char *line, sf_sizeof_expr *out)
{
	const char *start = line, *p, *end;
	bool paren;
	char word[SF_SIZEOF_NAME];

	memset(out, 0, sizeof(*out));
	while ((start = strstr(start, "sizeof")) &&
	       ((start > line && sf__impact_ident_char(start[-1])) || sf__impact_ident_char(start[6])))
		start += 6;
	if (!start)
		return;
	out->kind = SF_SIZEOF_OTHER;
	p = skip_space(start + 6);
	paren = *p == '(';
	end = paren ? skip_group(p) : NULL;
	if (paren && !end)
		return;
	if (paren)
		p = skip_space(p + 1);
	while (*p == '*' || *p == '(') {
		out->derefs += *p == '*';
		p = skip_space(p + 1);
	}
	p = read_ident(p, word, sizeof(word));
	if (!word[0])
		return;
	if (is_keyword(word)) {
		p = skip_space(read_ident(skip_space(p), out->name, sizeof(out->name)));
		if (!out->name[0] || out->derefs || *p == '*')
			return; /* a pointer type, or not C */
		out->kind = SF_SIZEOF_TYPE;
	} else {
		strcpy(out->name, word);
		p = read_chain(p, out);
		if (!p)
			return;
		/* "sizeof(conn_t)" may be a typedef or a variable: the caller
		 * tries both.  "sizeof(conn_t *)" is a pointer. */
		if (*p == '*')
			return;
		out->kind = SF_SIZEOF_EXPR;
	}
	if (!paren)
		end = p;
	out->tail = adjacent_plus(line, start, end);
}

/* Whether the word ending at `end` can be the type of a declaration: not
 * an operator's operand ("x = a * q") nor after return/sizeof. */
static bool type_word_before(const char *line, const char *end)
{
	const char *w = end, *c;

	while (w > line && sf__impact_ident_char(w[-1]))
		w--;
	if ((end - w == 6 && (strncmp(w, "sizeof", 6) == 0 || strncmp(w, "return", 6) == 0)))
		return false;
	c = w;
	while (c > line && isspace((unsigned char)c[-1]))
		c--;
	if (c == line || strchr("(,;{}", c[-1]))
		return true;
	if (!sf__impact_ident_char(c[-1]))
		return false;
	/* "struct conn", "const conn_t", "unsigned long": another word, but
	 * not "return x * q". */
	w = c;
	while (w > line && sf__impact_ident_char(w[-1]))
		w--;
	return !(c - w == 6 && strncmp(w, "return", 6) == 0);
}

bool sf__impact_declares(const char *line, const char *var, unsigned *stars, unsigned *dims,
			 size_t *statement, size_t *at)
{
	size_t n = strlen(var);

	for (const char *p = strstr(line, var); p; p = strstr(p + 1, var)) {
		const char *b = p, *after = skip_space(p + n);
		unsigned k = 0, a = 0;
		if ((p > line && sf__impact_ident_char(p[-1])) || sf__impact_ident_char(p[n]))
			continue;
		if (!strchr("[;=,)", *after) || !*after)
			continue;
		while (b > line && (b[-1] == '*' || isspace((unsigned char)b[-1]))) {
			k += b[-1] == '*';
			b--;
		}
		/* A declarator follows a type name or a comma of a declaration
		 * list, never an operator or "sizeof"/"return". */
		if (b == line || !(sf__impact_ident_char(b[-1]) || b[-1] == ','))
			continue;
		if (b[-1] != ',' && !type_word_before(line, b))
			continue;
		while (*after == '[') {
			after = skip_group(after);
			if (!after)
				break;
			a++;
			after = skip_space(after);
		}
		*stars = k;
		*dims = a;
		*at = (size_t)(p - line);
		*statement = *at;
		while (*statement > 0 && line[*statement - 1] != ';' && line[*statement - 1] != '{')
			(*statement)--;
		return true;
	}
	return false;
}

void sf__impact_type_shape(const char *type_name, char *base, size_t cap, unsigned *stars,
			   unsigned *dims)
{
	const char *p = type_name;
	char word[SF_SIZEOF_NAME];

	*stars = *dims = 0;
	base[0] = '\0';
	while (*p) {
		p = skip_space(p);
		if (*p == '*') {
			(*stars)++;
			p++;
		} else if (*p == '[') {
			(*dims)++;
			p = skip_group(p);
			if (!p)
				return;
		} else if (sf__impact_ident_char(*p)) {
			p = read_ident(p, word, sizeof(word));
			if (!is_keyword(word) && strcmp(word, "const") != 0 && strcmp(word, "volatile") != 0 &&
			    !base[0] && strlen(word) < cap)
				strcpy(base, word);
		} else {
			p++; /* function types and the like: base stays what it was */
		}
	}
}
