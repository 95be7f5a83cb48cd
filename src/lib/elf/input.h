/* Opening inputs: ELF files and archives, separate debug files, and the
 * DWARF sections we loaded, decompressed and relocated for the DIE reader. */
#ifndef SF_ELF_INPUT_H
#define SF_ELF_INPUT_H

#include <structfit/model.h>

#include <stdbool.h>
#include <stdint.h>

#include "util/reaper.h"

/*
 * A section whose bytes are still being inflated on a thread of the ELF
 * layer (elf_stream.c), so that its readers can start on the first bytes:
 * a compressed .debug_info of a linked image read with several threads.
 */
typedef struct sf__elf_stream sf__elf_stream;

/* Waits until the first `want` bytes of the section are final or
 * inflating stopped; returns how many are final (`want` or more, or
 * fewer when inflating failed). */
uint64_t sf__elf_stream_wait(sf__elf_stream *stream, uint64_t want);

/* Waits for the end of inflating: 0 when the section came out whole,
 * else SF_EINVALID with the message the ELF reader gives a section that
 * does not inflate (set on the calling thread). */
int sf__elf_stream_result(sf__elf_stream *stream);

/* Bytes of one DWARF section as loaded (decompressed, relocated); borrowed. */
typedef struct sf_dwarf_bytes {
	const unsigned char *data;  /* NULL when the section is absent */
	uint64_t size;
	/* The bytes are the file's own, in a read-only private mapping
	 * (set for big sections only): the DWARF layer may hand their pages
	 * back (MADV_DONTNEED) once read, and a later read faults them in
	 * again, unchanged, from the page cache. */
	bool file_backed;
	/* Non-NULL while the bytes are being inflated: only those that
	 * sf__elf_stream_wait() reported final may be read. */
	sf__elf_stream *arriving;
} sf_dwarf_bytes;

/* The sections the DIE reader (die_reader.h) parses. */
typedef struct sf_dwarf_sections {
	sf_dwarf_bytes info;         /* .debug_info (or .debug_info.dwo) */
	sf_dwarf_bytes types;        /* .debug_types */
	sf_dwarf_bytes abbrev;
	sf_dwarf_bytes str;
	sf_dwarf_bytes line;
	sf_dwarf_bytes line_str;
	sf_dwarf_bytes str_offsets;
	/* A split-DWARF package (.dwp): where each unit's contributions
	 * to the other sections are. */
	sf_dwarf_bytes cu_index;
	sf_dwarf_bytes tu_index;
} sf_dwarf_sections;

/*
 * One ELF image with DWARF, ready to walk.  Everything it points to is
 * owned by the opener and valid only during the visitor call.
 */
typedef struct sf_debug_image {
	const char *display_name;  /* "file.o", or "lib.a(member.o)" for archive members */
	const char *debug_path;    /* separate debug file the DWARF came from, or NULL */
	uint16_t machine;          /* ELF e_machine of the image with the code */
	unsigned address_size;     /* 4 or 8 */
	bool big_endian;
	bool has_debug_types;      /* .debug_types present (DWARF 4 type units) */
	/* ET_REL (objects, kernel modules): its sections were relocated, and
	 * `ld -r` output keeps a .debug_str text once per object it joined. */
	bool relocatable;
	/* dwz: the supplementary file named by .gnu_debugaltlink, which
	 * DW_FORM_GNU_ref_alt / DW_FORM_GNU_strp_alt point into; NULL if none. */
	const char *alt_path;
	/* The dwz file's .debug_str, which DW_FORM_GNU_strp_alt indexes. */
	const char *alt_str;
	uint64_t alt_str_size;
	/* Raw section bytes of the image and of its dwz file (all absent
	 * without one); alt_sections.info is absent when the dwz file
	 * holds only strings. */
	sf_dwarf_sections sections;
	sf_dwarf_sections alt_sections;
	/* A .dwo or .dwp loaded for skeleton units: their line tables in
	 * the main file's sections, which the split units' DW_AT_decl_file
	 * values index (DWARF 5 section 3.1.3: a split unit inherits
	 * DW_AT_stmt_list and DW_AT_comp_dir).  Set by the DWARF layer
	 * (dwarf/die_split.c); NULL sections otherwise. */
	const sf_dwarf_sections *skeleton_sections;
	const struct sf_skeleton_lines *skeleton_lines;
	size_t skeleton_line_count;
} sf_debug_image;

/* One skeleton unit's line table, for the split unit with its id (any
 * split unit of the image when !has_id). */
typedef struct sf_skeleton_lines {
	uint64_t dwo_id;
	uint64_t stmt_list;
	const char *comp_dir;
	bool has_id;
} sf_skeleton_lines;

/* Returns 0 to go on, or a negative SF_E* code (already recorded with
 * sf__fail) which stops the walk of this image. */
typedef int (*sf_image_visitor)(void *ctx, const sf_debug_image *image);

/*
 * Opens `path` and calls `visit` for each ELF image in it: once for a plain
 * file, once per member for a static archive.  A plain file without
 * .debug_info is replaced by its separate debug file, found by build-id
 * and .gnu_debuglink under opts->debug_dirs and the system roots.
 *
 * A split-DWARF .dwo file or .dwp package loads like any other (its .dwo
 * sections stand in for the plain ones); following skeleton units to them
 * is the DWARF layer's (dwarf/die_split.c).  An image with .gnu_debugaltlink (dwz) gets
 * its supplementary file's sections in alt_sections, or fails with SF_ENODEBUG.
 *
 * For archives, a failing member (not ELF, no DWARF, corrupt) is reported
 * through opts->on_error and the walk goes on; the first failing member's code is returned.
 * For a plain file the error is returned directly (message names the file).
 *
 * A plain file's inflated sections and ELF handle (its separate debug
 * file's too) are closed by `reaper` (NULL: before returning).
 *
 * Returns 0, SF_ENOTFOUND, SF_EIO, SF_ENOTELF, SF_ENODEBUG, SF_EINVALID,
 * SF_EUNSUPPORTED, SF_ENOMEM, or whatever `visit` returned.
 */
int sf__input_each_image(const char *path, const sf_load_options *opts, sf_reaper *reaper,
			 sf_image_visitor visit, void *ctx);

#endif
