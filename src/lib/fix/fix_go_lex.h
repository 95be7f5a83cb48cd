/* Go scanner helpers for fix (fix_go_lex.c): literals and comments skipped, lines, whole words. */
#ifndef SF_FIX_FIX_GO_LEX_H
#define SF_FIX_FIX_GO_LEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Index just past the string, raw string, rune or comment starting at
 * text[i], or i when none starts there (a // comment ends before its newline). */
size_t sf__go_skip_literal(const char *text, size_t len, size_t i);
/* Line number (1-based) of byte `at`. */
uint32_t sf__go_line_of(const char *text, size_t at);
static inline bool sf__go_ident_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
	       (unsigned char)c >= 0x80;
}
/* Whether `word` occurs at text[i] as a whole identifier. */
bool sf__go_word_at(const char *text, size_t len, size_t i, const char *word);

#endif
