/* Go syntax for the text emitters: one struct field as Go declares it. */
#include <string.h>

#include "emit/text_common.h"
#include "util/buf.h"

/* Names are padded to this width so types line up as gofmt would in most structs. */
#define GO_NAME_WIDTH 16

/*
 * An embedded field is named after its type without the package path or
 * pointer ("Inner" for main.Inner and *main.Inner); Go's DWARF spells its
 * type names in Go already ("[]uint8", "map[string]int", "*main.T"), so
 * they are printed as they come.
 */
static bool embedded(const sf_member *m)
{
	const char *type = m->type_name, *base, *end;
	size_t len;

	if (!m->name || !type)
		return false;
	if (*type == '*')
		type++;
	end = strchr(type, '[');   /* generic instances: main.List[int] */
	len = end ? (size_t)(end - type) : strlen(type);
	base = type;
	for (size_t i = 0; i < len; i++) {
		if (type[i] == '.' || type[i] == '/')
			base = type + i + 1;
	}
	len -= (size_t)(base - type);
	return strlen(m->name) == len && memcmp(m->name, base, len) == 0;
}

void sf__go_field_decl(sf_buf *line, const sf_member *m)
{
	const char *type = m->type_name ? m->type_name : "<unknown>";
	size_t name_len;

	if (embedded(m)) {
		sf__buf_puts(line, type);
		return;
	}
	sf__buf_puts(line, m->name ? m->name : "_");
	name_len = m->name ? strlen(m->name) : 1;
	do
		sf__buf_putc(line, ' ');
	while (++name_len < GO_NAME_WIDTH);
	sf__buf_puts(line, type);
}
