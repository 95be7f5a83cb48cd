/* Internals of impact/: the profile set as read, and the impact built from it. */
#ifndef SF_IMPACT_PRIVATE_H
#define SF_IMPACT_PRIVATE_H

#include <structfit/impact.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/arena.h"

/* One stack frame of a DHAT program point: "0xADDR: FUNCTION (FILE:LINE)"
 * or "0xADDR: FUNCTION (in OBJECT)"; file is NULL and line 0 then. */
typedef struct sf_profile_frame {
	const char *function;
	const char *file;
	unsigned line;
} sf_profile_frame;

/*
 * One DHAT program point.  Invariants: `acc` is NULL or has block_size
 * entries (per-byte access counts summed over every block of the site);
 * block_size is 0 when the blocks differ in size; frames[0] is the
 * innermost (the allocator), frame_count >= 0.
 */
typedef struct sf_profile_site {
	struct sf_profile_site *next;
	const char *profile;        /* file name the site came from */
	size_t profile_index;       /* which loaded DHAT or Go file, for peaks */
	uint64_t total_bytes, total_blocks;    /* tb, tbk */
	uint64_t max_bytes, max_blocks;        /* mb, mbk */
	uint64_t peak_bytes, peak_blocks;      /* gb, gbk: at the global peak */
	uint64_t read_bytes, write_bytes;      /* rb, wb */
	uint64_t block_size;
	const uint64_t *acc;
	/* The histogram does not add up to rb + wb: valgrind 3.19 keeps a
	 * site's per-byte counts in 16 bits and they wrap on long runs, so
	 * the shares per member would be wrong.  Its counts stay usable. */
	bool acc_wrapped;
	/* From a Go heap profile: block_size is the Go runtime's size class
	 * of the request (what pprof's "bytes" label holds), the max and peak
	 * counts are those in use at the profile's last GC, frames are Go
	 * functions with inlined calls unfolded (innermost first). */
	bool go;
	const sf_profile_frame *frames;
	size_t frame_count;
} sf_profile_site;

/* One CSV row; line is 1-based in `profile`. */
typedef struct sf_profile_row {
	struct sf_profile_row *next;
	const char *profile;
	unsigned line;
	const char *type;
	const char *member;
	uint64_t reads, writes;
	uint32_t threads;
} sf_profile_row;

/* One --profile-map "FILE:LINE=TYPE". */
typedef struct sf_profile_mapping {
	struct sf_profile_mapping *next;
	const char *spec;
	const char *file;
	unsigned line;
	const char *type;
} sf_profile_mapping;

/* Lists in file order (each appends at its tail). */
struct sf_profile {
	sf_arena *arena;
	sf_profile_site *sites, **sites_tail;
	sf_profile_row *rows, **rows_tail;
	sf_profile_mapping *maps, **maps_tail;
	size_t site_count, row_count;
	size_t site_files;          /* DHAT and Go files read, numbering profile_index */
	size_t go_files;            /* of which Go heap profiles */
};

/* Parses a DHAT JSON text into a site list allocated in `arena`; *count
 * gets the number of sites.  SF_EINVALID "NAME: ..." or SF_ENOMEM. */
int sf__dhat_parse(const char *text, size_t len, const char *name, size_t profile_index,
		   sf_arena *arena, sf_profile_site **first, size_t *count);

/* Parses a Go heap profile in pprof's protobuf form, gzipped (as
 * runtime/pprof writes it) or not; same protocol.  SF_EINVALID for a
 * truncated or malformed file ("NAME: ... at byte N") or a pprof profile
 * without heap sample types. */
int sf__pprof_parse(const unsigned char *data, size_t len, const char *name, size_t profile_index,
		    sf_arena *arena, sf_profile_site **first, size_t *count);

/* Whether `len` bytes of `data` look like a pprof profile: gzip's magic,
 * or binary data opening with a key of profile.proto's Profile. */
bool sf__pprof_detect(const unsigned char *data, size_t len);

/* The same for `go tool pprof -raw` text (profile_pprof_raw.c): its
 * "PeriodType:", "Period:" or "Samples:" header is recognised. */
bool sf__pprof_raw_detect(const char *text, size_t len);
int sf__pprof_raw_parse(const char *text, size_t len, const char *name, size_t profile_index,
			sf_arena *arena, sf_profile_site **first, size_t *count);

/* Slots of a Go heap profile's values, shared by both forms. */
enum { SF_PPROF_ALLOC_OBJECTS, SF_PPROF_ALLOC_SPACE, SF_PPROF_INUSE_OBJECTS, SF_PPROF_INUSE_SPACE };
/* Records in index[k] (SIZE_MAX: not yet seen) that sample value `slot`
 * is of `type` when it is one of the four heap types. */
void sf__pprof_heap_type(size_t index[4], size_t slot, const char *type);
/* SF_EINVALID "NAME: ... not a Go heap profile" unless the objects and
 * space of allocations or of objects in use are among the values. */
int sf__pprof_heap_check(const size_t index[4], const char *name);
/* A Go site's counts from its sample values and "bytes" label (0: none);
 * sets site->go. */
void sf__pprof_site_counts(sf_profile_site *site, const size_t index[4], const uint64_t *values,
			   size_t value_count, uint64_t bytes);

/* Parses CSV rows; same protocol. */
int sf__profile_csv_parse(const char *text, size_t len, const char *name, sf_arena *arena,
			  sf_profile_row **first, size_t *count);

/* True when `function` is an allocator entry point (malloc, operator new, ...). */
bool sf__profile_is_allocator(const char *function);

/* Attribution of one site (impact_attribute.c). */
typedef struct sf_site_result {
	sf_site_status status;
	size_t index;
	uint64_t elements;          /* structs per block; 0: arrays of varying length */
	uint64_t extra;             /* bytes per block past the structs ("sizeof(T) + n") */
	const char *how;
	size_t *candidates;         /* in the impact's arena */
	size_t candidate_count;
	/* The frame whose line decided, or where the walk up the stack
	 * stopped: the allocating frame past allocator entry points and
	 * wrappers (SIZE_MAX: no frame to read). */
	size_t frame;
	/* The allocation happened in code outside the program's sources (a
	 * library: its file is neither readable nor a struct's declaring
	 * file, or it has no debug info): unmatched, not ambiguous. */
	bool outside;
} sf_site_result;

/* Per-member accumulators of one struct (doubles: estimates, not counts). */
typedef struct sf_impact_member_acc {
	double byte_accesses;       /* per-byte counts summed over the member's bytes */
	double read_bytes, write_bytes;
	uint64_t csv_reads, csv_writes;
	uint32_t threads;
	sf_heat_class heat;
	uint64_t reads, writes;     /* final estimates */
	uint64_t milli_per_object;
} sf_impact_member_acc;

typedef struct sf_impact_entry {
	bool profiled, counted, accessed;
	/* A DHAT site or CSV row names it: its members have a heat class.
	 * Go heap profiles count objects, never accesses. */
	bool member_data;
	uint64_t allocations, max_live, bytes_allocated;
	uint64_t peak_instances;
	uint64_t objects_with_acc;  /* instances whose bytes `acc` counted */
	uint32_t site_count;
	uint32_t member_count;
	sf_impact_member_acc *members;
} sf_impact_entry;

struct sf_impact {
	sf_arena *arena;
	const sf_profile *profile;
	const sf_report *report;
	sf_allocator allocator;
	bool partial_selection;     /* sf_impact_options.partial_selection */
	sf_impact_entry *entries;   /* one per report entry */
	const sf_profile_site **sites;
	sf_site_result *results;    /* one per site */
	size_t site_count;
	sf_member_heat *heat;
	size_t heat_count;
};

typedef struct sf_impact_sources sf_impact_sources;

/* Source files of allocation sites (impact_sources.c: the only file
 * of impact/ that touches the file system).  Texts live in `arena`. */
int sf__impact_sources_new(sf_impact_sources **out, sf_arena *arena);
void sf__impact_sources_free(sf_impact_sources *sources);
/* Adds a directory to search (copied); duplicates are ignored. */
int sf__impact_sources_add_dir(sf_impact_sources *sources, const char *dir);
/* Line `line` (1-based) of `file`, or NULL when the file cannot be found
 * or is shorter.  Borrowed, NUL-terminated, without the newline. */
const char *sf__impact_source_line(sf_impact_sources *sources, const char *file, unsigned line);
/* Whole text of `file` (NUL-terminated), or NULL. */
const char *sf__impact_source_text(sf_impact_sources *sources, const char *file);
/* The statement around line `line` of `file`, joined on one line: the
 * lines before it up to the end of the previous statement and those
 * after it up to its ';' (a call may span lines; a few lines each way at
 * most).  In the sources' arena; NULL as sf__impact_source_line(). */
const char *sf__impact_source_statement(sf_impact_sources *sources, const char *file, unsigned line);

/* Wrappers (impact_wrapper.c).  Whether `function` is named like an
 * allocator ("alloc" in its name: xmalloc, g_malloc0, pma_calloc,
 * emalloc_real, zalloc...). */
bool sf__impact_allocator_like(const char *function);
/* Whether the frame running `function` at `line` of `file`, whose
 * allocating statement is `statement`, passes a size it was given on:
 * the call's arguments use a parameter of the enclosing function
 * (found by its definition above `line`).  The caller has checked that
 * the statement names no type. */
bool sf__impact_passes_size(sf_impact_sources *sources, const char *file, unsigned line,
			    const char *function, const char *callee, const char *statement);

/* Whether two spellings of a source file name the same file: equal, or
 * one ends in the other after a '/' (impact_sources.c). */
bool sf__impact_same_file(const char *profile_file, const char *mapped);

/* Attributes one site of a Go heap profile (impact_go.c): the first
 * frame outside the runtime, its source line's composite literals,
 * new() and make() calls resolved in the frame's package, confirmed by
 * Go's size classes.  Returns 0, SF_EUSAGE (bad mapping) or SF_ENOMEM. */
int sf__impact_attribute_go(sf_impact *impact, sf_impact_sources *sources,
			    const sf_profile_site *site, sf_site_result *r);

/* Attributes every site of impact->profile (impact_attribute.c).
 * Returns 0, SF_EUSAGE (bad mapping) or SF_ENOMEM. */
int sf__impact_attribute(sf_impact *impact, sf_impact_sources *sources);

#endif
