/*
 * Go sources for fix: the package files under the source root
 * (fix_go_index.c), a Go-aware scanner (fix_go_lex.c) and the struct
 * rewrite with its refusals (fix_go.c).  Calls run one way: fix_build.c
 * uses fix_go.c, which uses the index and the scanner.
 */
#ifndef SF_FIX_FIX_GO_H
#define SF_FIX_FIX_GO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fix/fix_builder.h"

/* One .go file below the source root.  `text` is NUL-terminated. */
typedef struct sf_go_file {
	char *path;        /* as opened: root + '/' + rel */
	char *rel;         /* relative to the source root */
	char *dir;         /* rel's directory, "" for the root */
	char *package;     /* the package clause's name, "" when none */
	char *text;
	size_t len;
} sf_go_file;

/* Every .go file below the root, read once per build (hidden, vendor and
 * testdata directories are skipped, as the go tool does): `struct
 * sf_go_index` in fix_builder.h, the builder's go_index. */
typedef struct sf_go_index sf_go_index;

/* Fills b->go_index on first use (in b->arena).  0 or SF_ENOMEM; unreadable files are skipped. */
int sf__fix_go_index(builder *b);

/* Go scanner helpers (fix_go_lex.c). */
/* Index just past the string, raw string, rune or comment starting at
 * text[i], or i when none starts there. */
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

/*
 * Fix for plan entry `index`, a Go struct whose record is `record`:
 * finds `type T struct` in its package's files, checks the refusals
 * (unkeyed literals, unsafe, encoding/binary, cgo, //structfit:ignore)
 * and adds the edit moving whole field lines, or sets the record's
 * skip_reason.  0 or SF_ENOMEM.
 */
int sf__fix_go_consider(builder *b, size_t index, size_t record);

/*
 * Once every struct is considered: the patched Go structs' sizes with the
 * patched structs they hold by value (fields, arrays) at their new sizes,
 * by Go's layout rules (fix_go_predict.c).  0 or SF_ENOMEM.
 */
int sf__fix_go_predict(builder *b);

#endif
