/* Allocation wrappers: frames that pass a size they were given on to the allocator, so the type is named further up the stack. */
#include "impact/impact_private.h"
#include "impact/impact_sizeof.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* Lines searched upwards for the definition of the frame's function. */
#define MAX_DEFINITION_LOOKBACK 3000
/* Lines a parameter list may span. */
#define MAX_PARAM_LINES 8
#define MAX_PARAMS 16
#define PARAMS_TEXT 1024

bool sf__impact_allocator_like(const char *function)
{
	if (!function)
		return false;
	for (const char *p = function; *p; p++) {
		if (strncasecmp(p, "alloc", 5) == 0)
			return true;
	}
	return false;
}

/* The function's name as source spells it: "ns::f(int)" is "f". */
static void bare_name(const char *function, char *out, size_t cap)
{
	const char *start = function, *end;
	size_t n;

	end = strchr(function, '(');
	if (!end)
		end = function + strlen(function);
	for (const char *p = function; p < end; p++) {
		if (*p == ':')
			start = p + 1;
	}
	n = (size_t)(end - start);
	if (n >= cap)
		n = cap - 1;
	memcpy(out, start, n);
	out[n] = '\0';
}

/* Offset just past identifier `name` followed by '(' in `text`, or NULL. */
static const char *call_of(const char *text, const char *name)
{
	size_t n = strlen(name);

	if (!n)
		return NULL;
	for (const char *p = strstr(text, name); p; p = strstr(p + 1, name)) {
		const char *q = p + n;
		if ((p > text && sf__impact_ident_char(p[-1])) || sf__impact_ident_char(*q))
			continue;
		while (*q == ' ' || *q == '\t')
			q++;
		if (*q == '(')
			return q;
	}
	return NULL;
}

/* Copies the parenthesised group at `open` (lines joined from `line` on)
 * into buf without its parentheses; returns the line index holding the
 * closing ')' and *after the text following it, or 0 when unbalanced. */
static unsigned read_group(sf_impact_sources *sources, const char *file, unsigned line,
			   const char *open, char *buf, size_t cap, const char **after)
{
	size_t used = 0;
	int depth = 0;
	const char *p = open;

	for (unsigned k = 0; k < MAX_PARAM_LINES; k++) {
		if (k > 0) {
			p = sf__impact_source_line(sources, file, line + k);
			if (!p)
				return 0;
			if (used + 1 < cap)
				buf[used++] = ' ';
		}
		for (; *p; p++) {
			if (*p == '(' && depth++ == 0)
				continue;
			if (*p == ')' && --depth == 0) {
				buf[used] = '\0';
				*after = p + 1;
				return line + k;
			}
			if (used + 1 < cap)
				buf[used++] = *p;
		}
	}
	return 0;
}

/* Whether the text after a parameter list opens the function's body:
 * '{' on the same line or the next non-blank one. */
static bool body_follows(sf_impact_sources *sources, const char *file, unsigned line, const char *after)
{
	for (unsigned k = 0; k < 3; k++) {
		const char *p = k ? sf__impact_source_line(sources, file, line + k) : after;
		if (!p)
			return false;
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '{')
			return true;
		if (*p)
			return false;
	}
	return false;
}

/* Parameter names of one list: the last identifier of each, or the one
 * after "(*" for a function pointer; "void" alone names nothing. */
static size_t param_names(const char *list, char names[][SF_SIZEOF_NAME], size_t cap)
{
	size_t count = 0;
	const char *p = list;

	while (*p && count < cap) {
		const char *end = p, *star;
		int depth = 0;
		char word[SF_SIZEOF_NAME] = "";
		while (*end && (depth > 0 || *end != ',')) {
			depth += (*end == '(' || *end == '[') - (*end == ')' || *end == ']');
			end++;
		}
		star = strstr(p, "(*");
		for (const char *q = p; q < end;) {
			if (q[0] == '[') {
				while (q < end && *q != ']')
					q++;
			} else if (sf__impact_ident_char(*q) && !isdigit((unsigned char)*q)) {
				size_t n = 0;
				while (q < end && sf__impact_ident_char(*q)) {
					if (n + 1 < sizeof(word))
						word[n++] = *q;
					q++;
				}
				word[n] = '\0';
				if (star && star < end && q > star)
					break; /* the name of a function pointer */
				continue;
			}
			q++;
		}
		if (word[0] && strcmp(word, "void") != 0)
			strcpy(names[count++], word);
		p = *end ? end + 1 : end;
	}
	return count;
}

/* Whether one argument is a plain parameter: parameters multiplied,
 * cast or parenthesised ("count", "nmemb * size", "(size_t)(n)"), and
 * nothing else ("len + 1" computes a size of its own). */
static bool plain_parameter(const char *arg, size_t len, char params[][SF_SIZEOF_NAME], size_t count)
{
	static const char *const cast_words[] = { "size_t", "unsigned", "long", "int", "const", NULL };
	bool any = false;

	for (size_t i = 0; i < len;) {
		char word[SF_SIZEOF_NAME];
		size_t n = 0;
		bool known = false;
		if (strchr(" \t()*", arg[i])) {
			i++;
			continue;
		}
		if (!sf__impact_ident_char(arg[i]) || isdigit((unsigned char)arg[i]))
			return false;
		while (i < len && sf__impact_ident_char(arg[i])) {
			if (n + 1 < sizeof(word))
				word[n++] = arg[i];
			i++;
		}
		word[n] = '\0';
		for (size_t k = 0; k < count && !known; k++)
			known = strcmp(word, params[k]) == 0;
		any = any || known;
		for (size_t k = 0; cast_words[k] && !known; k++)
			known = strcmp(word, cast_words[k]) == 0;
		if (!known)
			return false;
	}
	return any;
}

/* Whether some top-level argument of `args` (without its parentheses)
 * is a plain parameter. */
static bool passes_parameter(const char *args, char params[][SF_SIZEOF_NAME], size_t count)
{
	const char *start = args;
	int depth = 0;

	for (const char *p = args;; p++) {
		if (*p == '(' || *p == '[')
			depth++;
		else if (*p == ')' || *p == ']')
			depth--;
		if ((*p == ',' && depth == 0) || !*p) {
			if (plain_parameter(start, (size_t)(p - start), params, count))
				return true;
			if (!*p)
				return false;
			start = p + 1;
		}
	}
}

/* The arguments inside the parentheses at `open`, without them. */
static bool read_call(const char *open, char *out, size_t cap)
{
	int depth = 0;
	size_t used = 0;

	for (const char *p = open; *p; p++) {
		if (*p == '(' && depth++ == 0)
			continue;
		if (*p == ')' && --depth == 0) {
			out[used] = '\0';
			return true;
		}
		if (used + 1 < cap)
			out[used++] = *p;
	}
	return false;
}

bool sf__impact_passes_size(sf_impact_sources *sources, const char *file, unsigned line,
			    const char *function, const char *callee, const char *statement)
{
	char name[SF_SIZEOF_NAME], list[PARAMS_TEXT], args[PARAMS_TEXT];
	char params[MAX_PARAMS][SF_SIZEOF_NAME];
	const char *open, *after;
	size_t count = 0;

	if (!function || !file || !statement)
		return false;
	bare_name(function, name, sizeof(name));
	for (unsigned k = 0; k < MAX_DEFINITION_LOOKBACK && k < line && !count; k++) {
		const char *text = sf__impact_source_line(sources, file, line - k);
		unsigned end;
		if (!text || !(open = call_of(text, name)))
			continue;
		end = read_group(sources, file, line - k, open, list, sizeof(list), &after);
		if (end && body_follows(sources, file, end, after))
			count = param_names(list, params, MAX_PARAMS);
		if (end && !count && body_follows(sources, file, end, after))
			return false; /* its definition takes nothing */
	}
	if (!count)
		return false;
	/* The arguments of the call below (a macro may hide its name: then
	 * those of every call in the statement). */
	if (callee) {
		bare_name(callee, args, sizeof(args));
		open = call_of(statement, args);
		if (open && read_call(open, args, sizeof(args)))
			return passes_parameter(args, params, count);
	}
	for (const char *p = strchr(statement, '('); p; p = strchr(p + 1, '(')) {
		if (read_call(p, args, sizeof(args)) && passes_parameter(args, params, count))
			return true;
	}
	return false;
}
