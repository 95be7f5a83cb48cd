/* The .go files below the source root (fix_go_index.c). */
#ifndef SF_FIX_FIX_GO_INDEX_H
#define SF_FIX_FIX_GO_INDEX_H

#include <stddef.h>

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

#endif
