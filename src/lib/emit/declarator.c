/* Splitting C type names into the column pahole prints and the declarator around the name. */
#include "emit/text_common.h"

#include <inttypes.h>
#include <stdbool.h>
#include <string.h>

#include "util/buf.h"

/* True when `s` is nothing but C array dimensions: "[4]", "[][2]". */
static bool only_dimensions(const char *s)
{
	while (*s == '[') {
		s += 1 + strspn(s + 1, "0123456789");
		if (*s++ != ']')
			return false;
	}
	return *s == '\0';
}

/* Start of the part that wraps the name: "(*" of a function or array
 * pointer, else the '[' where trailing array dimensions begin, else the
 * end.  Brackets followed by anything else belong to the name of a type
 * of another language (Go's "[]int32", "map[string]int"). */
static const char *declarator_start(const char *type_name)
{
	/* Not strstr(): its set-up cost, on names this short, was a tenth of
	 * formatting a vmlinux's report. */
	const char *paren = strchr(type_name, '(');
	const char *bracket = strchr(type_name, '[');

	while (paren && paren[1] != '*')
		paren = strchr(paren + 1, '(');

	while (bracket && !only_dimensions(bracket))
		bracket = strchr(bracket + 1, '[');

	if (paren && (!bracket || paren < bracket))
		return paren;
	if (bracket)
		return bracket;
	return type_name + strlen(type_name);
}

size_t sf__declarator_base_len(const char *type_name)
{
	const char *start = declarator_start(type_name);
	size_t len = (size_t)(start - type_name);

	while (len > 0 && type_name[len - 1] == ' ')
		len--;
	return len;
}

void sf__declarator_rest(sf_buf *buf, const char *type_name, size_t base_len, const char *name)
{
	const char *rest = type_name + base_len;

	while (*rest == ' ')
		rest++;
	if (rest[0] == '(' && rest[1] == '*') {
		/* Name goes after the pointer stars and their qualifiers, before
		 * the ')' or '[' that closes the inner declarator. */
		size_t inner = strcspn(rest, ")[");
		sf__buf_put(buf, rest, inner);
		if (name)
			sf__buf_puts(buf, name);
		sf__buf_puts(buf, rest + inner);
		return;
	}
	if (name)
		sf__buf_puts(buf, name);
	sf__buf_puts(buf, rest);
}

void sf__emit_decl_site(sf_buf *buf, const sf_struct *s)
{
	const char *file = s->decl_file;
	const char *slash;

	if (!file) {
		sf__buf_putc(buf, '?');
	} else {
		slash = strrchr(file, '/');
		sf__buf_puts(buf, slash ? slash + 1 : file);
	}
	if (s->decl_line)
		sf__buf_printf(buf, ":%" PRIu32, s->decl_line);
}

const char *sf__emit_struct_keyword(const sf_struct *s)
{
	/* Go has no struct keyword; its types are declared "type T struct". */
	return s->go ? "type" : sf__struct_kind_name(s->kind);
}

void sf__emit_struct_title(sf_buf *buf, const sf_struct *s)
{
	if (s->name)
		sf__buf_printf(buf, "%s %s", sf__emit_struct_keyword(s), s->name);
	else if (s->typedef_name)
		sf__buf_puts(buf, s->typedef_name);
	else
		sf__buf_printf(buf, "%s <anonymous>", sf__emit_struct_keyword(s));
}
