/* Internals of the ELF input layer: an image's DWARF sections after
 * decompression and relocation, and the searches for separate debug files. */
#ifndef SF_ELF_IMAGE_H
#define SF_ELF_IMAGE_H

#include <structfit/model.h>

#include "elf/input.h"

#include <gelf.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * One DWARF section as the DIE reader sees it.  Same-named input sections (COMDAT
 * groups in .o files) are concatenated in section order, as a linker does,
 * and relocations against them are resolved to their place in the result.
 */
typedef struct sf__dwarf_section {
	char *name;            /* ".debug_info"; ".zdebug_x" is renamed ".debug_x" */
	unsigned char *data;   /* `size` bytes, never NULL; malloc'd iff `owned`,
	                        * otherwise borrowed from libelf (lives until elf_end) */
	uint64_t size;         /* > 0: empty sections are left out */
	bool owned;
	sf__elf_stream *arriving; /* the contents' stream while `data` is being inflated */
} sf__dwarf_section;

/*
 * What the layer needs from one ELF image.  Pointers marked borrowed point
 * into libelf's view of the file and die with elf_end().
 */
typedef struct sf__elf_contents {
	uint16_t machine;            /* e_machine */
	uint16_t type;               /* e_type: ET_REL images were relocated */
	unsigned address_size;       /* 4 (ELFCLASS32) or 8 (ELFCLASS64) */
	bool big_endian;
	sf__dwarf_section *sections; /* owned array */
	size_t section_count;
	bool has_info;               /* .debug_info (or .zdebug_info, .debug_info.dwo) present */
	bool has_types;              /* .debug_types (or .debug_types.dwo) present */
	bool has_dwo;                /* *.dwo sections: a split-DWARF .dwo/.dwp file */
	const unsigned char *build_id;     /* NT_GNU_BUILD_ID bytes, borrowed; NULL if none */
	size_t build_id_size;
	const char *debuglink;             /* .gnu_debuglink file name, borrowed; NULL if none */
	uint32_t debuglink_crc;
	const char *altlink;               /* .gnu_debugaltlink path, borrowed; NULL if none */
	const unsigned char *alt_build_id; /* build-id after the path, borrowed */
	size_t alt_build_id_size;
	/* Inflating .debug_info, when it was left to a thread of its own
	 * (elf_sections.c says when); owned, stopped before the sections
	 * are freed. */
	sf__elf_stream *stream;
} sf__elf_contents;

/*
 * The DWARF sections the DIE reader parses (".debug_info" …), each with
 * its sf_dwarf_sections field (offsetof): sf__elf_read_contents() loads
 * only these (and their .dwo and .zdebug forms), and the input layer files
 * them into sf_dwarf_sections.  One list, so the two cannot drift apart.
 */
typedef struct sf__elf_reader_section {
	const char *name;
	size_t field;
} sf__elf_reader_section;

extern const sf__elf_reader_section sf__elf_reader_sections[];
extern const size_t sf__elf_reader_section_count;

/*
 * Reads, checks, decompresses and (for ET_REL) relocates the DWARF sections
 * of `elf`, and picks up its build-id and debug links; compressed sections
 * are inflated on up to `threads` threads (0: one per online CPU).  `name` prefixes the
 * error message.  On failure *out is left empty (safe to free).
 * Returns 0, SF_EINVALID, SF_EUNSUPPORTED or SF_ENOMEM.
 */
int sf__elf_read_contents(Elf *elf, const char *name, unsigned threads, sf__elf_contents *out);
void sf__elf_contents_free(sf__elf_contents *contents);

/*
 * The bytes of one section, decompressed if it is SHF_COMPRESSED or a GNU
 * .zdebug section, after checking that it lies inside the `image_size`
 * bytes of the image.  *data is borrowed from libelf; NULL when empty.
 */
int sf__elf_section_bytes(Elf_Scn *scn, const GElf_Shdr *shdr, const char *section_name,
			  uint64_t image_size, const char *name,
			  const unsigned char **data, uint64_t *size);

/* The zlib stream of an SHF_COMPRESSED section, inflated later. */
typedef struct sf__deflated {
	const unsigned char *stream;  /* borrowed from libelf */
	uint64_t stream_size;
	uint64_t size;                /* inflated, as the header claims (checked) */
} sf__deflated;

/*
 * 1 with *out set when the section is SHF_COMPRESSED with zlib and a sane
 * header: the caller inflates it with sf__elf_inflate(), possibly beside
 * other sections on other threads (libelf's own inflating is not
 * thread-safe); 0 for any other section (use sf__elf_section_bytes());
 * SF_EINVALID when it lies outside the image or claims too much.
 */
int sf__elf_section_zlib(Elf_Scn *scn, const GElf_Shdr *shdr, bool is64, const char *section_name,
			 uint64_t image_size, const char *name, sf__deflated *out);
/* Inflates into `out` (in->size bytes); false unless exactly that many
 * bytes came out.  Thread-safe. */
bool sf__elf_inflate(const sf__deflated *in, unsigned char *out);

/* One section to inflate: the stream and a buffer of in.size bytes. */
typedef struct sf__inflate_job {
	sf__deflated in;
	unsigned char *out;
	const char *section_name;  /* for the message */
	bool failed;               /* set by sf__elf_inflate_all() */
} sf__inflate_job;

/* Inflates every job, on up to `threads` threads (0: one per online
 * CPU; the caller's among them), taking them in array order; false when
 * any failed (its `failed` set). */
bool sf__elf_inflate_all(sf__inflate_job *jobs, size_t count, unsigned threads);

/*
 * Starts inflating `in` into `buffer` (in->size bytes, which must outlive
 * the stream) on a thread of its own.  `name` and `section_name` are
 * copied for the message of a failure.  0 with *out set, 1 when no thread
 * could be started (inflate it some other way), or SF_ENOMEM.
 */
int sf__elf_stream_start(sf__elf_stream **out, const sf__deflated *in, unsigned char *buffer,
			 const char *name, const char *section_name);
/*
 * Maps the pages of the stream's buffer ahead of it (MADV_POPULATE_WRITE
 * where the kernel has it; otherwise nothing), for a thread with time to
 * spare: on a python3.11 debug file the stream spent a seventh of its
 * time, which bounds the whole load, in page faults.
 */
void sf__elf_stream_prefault(sf__elf_stream *stream);
/* Stops inflating (if still going), joins the thread, frees; NULL is fine. */
void sf__elf_stream_free(sf__elf_stream *stream);

/* Where input section `shndx` of an ET_REL image landed in the output. */
typedef struct sf__section_place {
	size_t out;     /* index into the sections array, or SF__NOT_PLACED */
	uint64_t base;  /* offset of the input section inside the output one */
	uint64_t size;  /* size of the input section (after decompression) */
} sf__section_place;

#define SF__NOT_PLACED ((size_t)-1)

/*
 * Applies every .rel/.rela section whose target was placed to the owned
 * output sections.  `places` has `shnum` entries.
 * Returns 0, SF_EINVALID or SF_EUNSUPPORTED.
 */
int sf__elf_relocate(Elf *elf, const char *name, const GElf_Ehdr *ehdr, size_t shnum,
		     size_t shstrndx, uint64_t image_size,
		     const sf__section_place *places, sf__dwarf_section *sections);

/*
 * Called with each candidate path of a search, in order.  `crc` is the
 * expected CRC-32 of the whole file, or NULL when none is known.  Returns
 * 0 to accept (the search stops and returns 0), 1 to go on, or a negative
 * code that stops the search and is returned.
 */
typedef int (*sf__candidate_fn)(void *ctx, const char *path, const uint32_t *crc);

/*
 * Separate debug file of the image at `real_path` (already realpath'd):
 * first by build-id under each root, then by .gnu_debuglink next to the
 * file, in its .debug/ directory, and under each root.  Roots are
 * opts->debug_dirs then /usr/lib/debug.  Returns 0 if a candidate was
 * accepted, 1 if none was, or a negative code from `fn`.
 */
int sf__debugfile_search(const sf_load_options *opts, const char *real_path,
			 const sf__elf_contents *contents, sf__candidate_fn fn, void *ctx);

/*
 * Supplementary (dwz) file named by the .gnu_debugaltlink of the file at
 * `owner_real_path`: the path itself (relative to the owner's directory),
 * its part after "/.dwz/" under each root's .dwz, then the build-id under
 * each root.  Same returns as sf__debugfile_search().
 */
int sf__altfile_search(const sf_load_options *opts, const char *owner_real_path,
		       const sf__elf_contents *contents, sf__candidate_fn fn, void *ctx);

/* CRC-32 (the .gnu_debuglink flavour, as zlib's crc32) of a whole file.
 * Returns 0 or SF_EIO. */
int sf__debugfile_crc32(int fd, uint32_t *out);

/* Whether `size` bytes at `data` lie in a read-only private mapping of a
 * file (elf_mapped.c): see sf_dwarf_bytes.file_backed. */
bool sf__elf_file_mapped(const void *data, uint64_t size);

/* Name of an ELF machine for messages ("x86_64", or "machine 1234"). */
void sf__elf_machine_name(uint16_t machine, unsigned address_size, bool big_endian,
			  char *buf, size_t size);

#endif
