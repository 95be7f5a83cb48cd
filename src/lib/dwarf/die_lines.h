/* Reading the file-name table of a line program header. */
#ifndef SF_DWARF_DIE_LINES_H
#define SF_DWARF_DIE_LINES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dwarf/die_reader.h"

/*
 * File names of one line table, in table order: DWARF 5 counts DW_AT_decl_file
 * from 0, earlier versions from 1.  names[i] may be NULL for an entry we
 * could not read.  Strings live in `arena` or in the sections.  A name is
 * joined to its directory when first asked for (sf__dw_files_name): a
 * kernel unit lists hundreds of files and its types name a few.
 */
typedef struct sf_dw_files {
	const char **names;         /* as in the table until joined */
	const char **dirs;          /* directory still to join names[i] to, or NULL */
	const char *comp_dir;
	size_t count;
	uint16_t version;
	sf_arena *arena;
} sf_dw_files;

/*
 * Reads the table at `offset` of sections->line.  A missing or broken
 * table gives an empty list, not an error.  Returns 0 or SF_ENOMEM.
 */
int sf__dw_files_read(sf_dw_files *files, const sf_dwarf_sections *sections, bool big_endian,
		      uint64_t offset, const char *comp_dir);
/* Entry `index` (< files->count) joined to its directory: 0 with *out
 * set (NULL for an entry we could not read), or SF_ENOMEM. */
int sf__dw_files_name(sf_dw_files *files, size_t index, const char **out);
void sf__dw_files_release(sf_dw_files *files);

#endif
