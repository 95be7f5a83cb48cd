/* Escaping text for GitHub-flavoured Markdown table cells. */
#include "util/md_escape.h"

#include <string.h>

#include "util/buf.h"

void sf__md_code(sf_buf *buf, const char *text)
{
	for (const char *p = text; *p; p++) {
		if (*p == '|')
			sf__buf_putc(buf, '\\');
		sf__buf_putc(buf, *p);
	}
}

void sf__md_text(sf_buf *buf, const char *text)
{
	for (const char *p = text; *p; p++) {
		if (*p == '\n' || *p == '\r') {
			sf__buf_putc(buf, ' ');
			continue;
		}
		if (strchr("\\`*_[]<>|~#!", *p))
			sf__buf_putc(buf, '\\');
		sf__buf_putc(buf, *p);
	}
}
