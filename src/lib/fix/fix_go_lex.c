/* Go scanner helpers for fix: literals and comments skipped, lines counted, whole words. */
#include "fix/fix_go_lex.h"

#include <string.h>

size_t sf__go_skip_literal(const char *text, size_t len, size_t i)
{
	char c = text[i];

	if (c == '/' && i + 1 < len && text[i + 1] == '/') {
		while (i < len && text[i] != '\n')
			i++;
		return i;
	}
	if (c == '/' && i + 1 < len && text[i + 1] == '*') {
		const char *end = strstr(text + i + 2, "*/");
		return end ? (size_t)(end - text) + 2 : len;
	}
	if (c == '`') {
		const char *end = memchr(text + i + 1, '`', len - i - 1);
		return end ? (size_t)(end - text) + 1 : len;
	}
	if (c == '"' || c == '\'') {
		for (i++; i < len && text[i] != c && text[i] != '\n'; i++) {
			if (text[i] == '\\' && i + 1 < len)
				i++;
		}
		return i < len ? i + 1 : len;
	}
	return i;
}

uint32_t sf__go_line_of(const char *text, size_t at)
{
	uint32_t line = 1;

	for (size_t i = 0; i < at; i++)
		line += text[i] == '\n';
	return line;
}

bool sf__go_word_at(const char *text, size_t len, size_t i, const char *word)
{
	size_t n = strlen(word);

	if (i + n > len || memcmp(text + i, word, n) != 0)
		return false;
	if (i > 0 && sf__go_ident_char(text[i - 1]))
		return false;
	return i + n == len || !sf__go_ident_char(text[i + n]);
}
