/* Profiles and impact: which structs a real run allocates and touches, and what a smaller layout saves after the allocator's size classes. */
#ifndef STRUCTFIT_IMPACT_H
#define STRUCTFIT_IMPACT_H

#include <structfit/export.h>
#include <structfit/reorder.h>
#include <structfit/report.h>

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif
SF_API_BEGIN

/*
 * Profiles
 * --------
 * One or more profile files read into one set, format recognised by
 * content:
 *   - valgrind DHAT JSON (`valgrind --tool=dhat --dhat-out-file=F prog`,
 *     heap mode): allocation sites with their blocks, bytes, reads,
 *     writes, per-byte access counts and stack frames;
 *   - a Go heap profile (runtime/pprof's WriteHeapProfile, `go test
 *     -memprofile`): pprof's protobuf, gzipped or not, or the text of
 *     `go tool pprof -raw`; each sample is an allocation site with its
 *     objects allocated and in use, object size (Go's size class) and
 *     frames, and no access counts;
 *   - CSV `type,member,reads,writes[,threads]`, one member per line, an
 *     optional header line starting with `type,`, '#' comments, blank
 *     lines ignored.  Any profiler can write it; it carries member heat
 *     only, no allocation counts.
 * Nothing here knows the program's structs: sf_impact_build() matches a
 * profile to a report.
 */
typedef struct sf_profile sf_profile;

/* Creates an empty profile set in *out.  Caller frees with
 * sf_profile_free().  Returns 0 or SF_ENOMEM. */
int sf_profile_new(sf_profile **out);

/* Frees `profile` (NULL is fine).  Impacts built from it must be freed first. */
void sf_profile_free(sf_profile *profile);

/*
 * Reads the profile file `path` into `profile` (added to what it holds).
 * Returns 0, SF_ENOTFOUND / SF_EIO (cannot be read), SF_EINVALID (neither
 * DHAT JSON, a Go heap profile nor CSV, truncated or malformed JSON, a
 * DHAT profile not in heap mode, truncated or corrupt gzip or protobuf
 * data ("FILE: ... at byte N"), a pprof profile that is not a heap
 * profile, a bad CSV or pprof -raw line: "FILE:LINE: what is wrong") or
 * SF_ENOMEM.
 * On failure `profile` is unchanged.
 */
int sf_profile_load(sf_profile *profile, const char *path);

/* The same from `len` bytes of `text` (copied); `name` is used in messages
 * and in site descriptions.  Same return codes without SF_EIO. */
int sf_profile_parse(sf_profile *profile, const char *text, size_t len, const char *name);

/*
 * Settles an allocation site by hand: `spec` is "FILE:LINE=TYPE" (FILE
 * as in the profile's frames, or a path ending in it; TYPE a struct tag
 * or typedef name).  Returns 0, SF_EUSAGE (malformed spec) or SF_ENOMEM.
 * A TYPE the inputs lack is reported by sf_impact_build().
 */
int sf_profile_map(sf_profile *profile, const char *spec);

/* Number of allocation sites (DHAT program points, Go samples) and CSV rows read. */
size_t sf_profile_site_count(const sf_profile *profile);
size_t sf_profile_row_count(const sf_profile *profile);

/*
 * Allocator size classes
 * ----------------------
 * What a request of n bytes really costs in the allocator (tables and
 * their sources in src/lib/impact/size_class.c).
 */
typedef enum sf_allocator {
	SF_ALLOCATOR_GLIBC = 0, /* 64-bit ptmalloc chunk: max(32, align16(n + 8)) */
	SF_ALLOCATOR_JEMALLOC,  /* jemalloc 5 size classes (16-byte quantum, 4 KiB pages) */
	SF_ALLOCATOR_TCMALLOC,  /* tcmalloc classes (8 KiB pages, 16-byte aligned new) */
	SF_ALLOCATOR_GO,        /* Go runtime size classes (sizeclasses.go) */
	SF_ALLOCATOR_KMALLOC,   /* Linux kmalloc caches 8 .. 8192, then page orders */
	SF_ALLOCATOR_NONE       /* the size itself */
} sf_allocator;

/* Parses "glibc", "jemalloc", "tcmalloc", "go", "kmalloc" or "none" into
 * *out.  Returns 0 or SF_EUSAGE. */
int sf_allocator_parse(sf_allocator *out, const char *name);

/* The name sf_allocator_parse() accepts: a static string, never NULL. */
const char *sf_allocator_name(sf_allocator allocator);

/*
 * Bytes the allocator uses for a request of `size` bytes (its size class;
 * for glibc the whole chunk, header included) into *out.  Returns 0,
 * SF_EUSAGE (unknown allocator) or SF_ENOMEM (overflow).
 */
int sf_allocator_size_class(uint64_t *out, sf_allocator allocator, uint64_t size);

/*
 * Impact
 * ------
 * The profile matched to the structs of one report: which allocation
 * sites allocate which struct, per struct its allocations and peak
 * instances, per member its accesses.
 */
typedef struct sf_impact sf_impact;

typedef struct sf_impact_options {
	unsigned version;
	sf_allocator allocator;
	/* Directories searched for the source files named in DHAT frames
	 * (they name files as the compiler saw them, often without a
	 * directory), after the path itself and the directories of the
	 * structs' declarations.  Borrowed; may be NULL. */
	const char *const *source_dirs;
	size_t source_dir_count;
	/* The report leaves structs out by name (-C, -x): a DHAT profile
	 * none of whose sites matches the selected structs may still be of
	 * this program, so it is not refused (sf_impact_matched_sites()
	 * tells the caller), and CSV rows of other types are skipped. */
	int partial_selection;
} sf_impact_options;

#define SF_IMPACT_OPTIONS_VERSION 1
#define SF_IMPACT_OPTIONS_INIT { SF_IMPACT_OPTIONS_VERSION, SF_ALLOCATOR_GLIBC, NULL, 0, 0 }

/*
 * Matches `profile` to the structs of `report` (both borrowed; they must
 * outlive the impact).  `opts` may be NULL for the defaults.  Caller frees
 * with sf_impact_free().  Reads the source files of allocation sites.
 * Returns 0; SF_EINVALID when the profile cannot be of this program (DHAT
 * sites exist but none matches a struct, a CSV type or member the inputs
 * lack: one line naming it); SF_EUSAGE for a --profile-map TYPE the
 * inputs lack, a mapped TYPE whose size does not divide the site's
 * blocks, or bad options; SF_ENOMEM.  Ambiguous sites are not an error:
 * see sf_impact_site().
 */
int sf_impact_build(sf_impact **out, const sf_profile *profile, const sf_report *report,
		    const sf_impact_options *opts);

/* Frees `impact` (NULL is fine). */
void sf_impact_free(sf_impact *impact);

/*
 * The member heat for sf_reorder_options.heat: *out points to *count
 * entries (borrowed; they and their strings live as long as the impact).
 * Returns 0 or SF_EUSAGE (NULL argument).
 */
int sf_impact_heat(const sf_member_heat **out, size_t *count, const sf_impact *impact);

/* Heat class of a member (thresholds in docs/profiles.md). */
typedef enum sf_heat_class {
	SF_HEAT_UNKNOWN = 0, /* no access data for its struct */
	SF_HEAT_COLD,
	SF_HEAT_WARM,
	SF_HEAT_HOT
} sf_heat_class;

/* "unknown", "cold", "warm" or "hot": a static string, never NULL. */
const char *sf_heat_class_name(sf_heat_class heat);

/*
 * Impact of one struct.  Counts of instances count array elements
 * (a block of 3 structs is 3 instances).
 */
typedef struct sf_impact_struct_info {
	unsigned version;          /* set by the caller: SF_IMPACT_STRUCT_INFO_VERSION */
	int profiled;              /* some site or CSV row names the struct */
	int counted;               /* allocation counts known (DHAT); 0 otherwise */
	uint64_t allocations;      /* instances allocated over the run */
	uint64_t peak_instances;   /* instances live at the heap's global peak */
	uint64_t max_live;         /* most instances live at once, per site summed */
	uint64_t bytes_allocated;  /* bytes of those allocations */
	uint32_t site_count;       /* allocation sites attributed to the struct */
	/* Sizes: the struct's, the proposal's (the struct's without a plan)
	 * and both rounded up to the allocator's size class. */
	uint64_t size;
	uint64_t proposed_size;
	uint64_t size_class;
	uint64_t proposed_size_class;
	uint64_t saved_per_instance;   /* size_class - proposed_size_class */
	/* Bytes saved at the global peak: per site, the blocks live then
	 * times what each block saves after rounding (blocks of arrays are
	 * rounded whole).  0 unless `counted`. */
	uint64_t saved_at_peak;
} sf_impact_struct_info;

#define SF_IMPACT_STRUCT_INFO_VERSION 1
#define SF_IMPACT_STRUCT_INFO_INIT \
	{ SF_IMPACT_STRUCT_INFO_VERSION, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 }

/*
 * Fills `out` for report entry `index`; `plan` (may be NULL) gives the
 * proposed sizes and must come from the same report.  Returns 0,
 * SF_EUSAGE (NULL argument, bad out->version) or SF_ENOTFOUND (index out
 * of range).
 */
int sf_impact_struct(sf_impact_struct_info *out, const sf_impact *impact, const sf_plan *plan,
		     size_t index);

/* Accesses of one top-level member. */
typedef struct sf_impact_member_info {
	unsigned version;          /* set by the caller: SF_IMPACT_MEMBER_INFO_VERSION */
	/* Estimated access counts over the run: DHAT gives reads and writes
	 * per site in bytes only, so they are split over the members in
	 * proportion to the per-byte access counts and divided by the
	 * member's size.  CSV rows give them directly. */
	uint64_t reads;
	uint64_t writes;
	uint32_t threads;          /* CSV only; 0 when unknown */
	/* Accesses per instance, in thousandths (1500 = 1.5 accesses). */
	uint64_t milli_accesses_per_object;
	sf_heat_class heat;
} sf_impact_member_info;

#define SF_IMPACT_MEMBER_INFO_VERSION 1
#define SF_IMPACT_MEMBER_INFO_INIT { SF_IMPACT_MEMBER_INFO_VERSION, 0, 0, 0, 0, SF_HEAT_UNKNOWN }

/*
 * Fills `out` with member `member` (declaration order) of report entry
 * `index`.  Returns 0, SF_EUSAGE or SF_ENOTFOUND as sf_impact_struct().
 */
int sf_impact_member(sf_impact_member_info *out, const sf_impact *impact, size_t index,
		     uint32_t member);

/* How an allocation site was attributed. */
typedef enum sf_site_status {
	SF_SITE_MATCHED = 0, /* one struct fits: `type`, `how` says why */
	SF_SITE_AMBIGUOUS,   /* several fit: `candidates`; settle with sf_profile_map() */
	SF_SITE_UNMATCHED    /* no struct fits (buffers, strings, other types) */
} sf_site_status;

typedef struct sf_impact_site_info {
	unsigned version;          /* set by the caller: SF_IMPACT_SITE_INFO_VERSION */
	const char *profile;       /* file name of the profile */
	/* The allocating frame: the first past the allocator's entry points
	 * and the wrappers that pass a size on (the frame whose line decided
	 * the site, or where the walk up the stack stopped); NULL when unknown. */
	const char *function;
	const char *file;          /* as DHAT printed it; NULL when unknown */
	unsigned line;
	uint64_t block_size;       /* 0 when the site's blocks differ in size */
	uint64_t blocks;           /* allocated over the run (DHAT tbk, Go alloc_objects) */
	sf_site_status status;
	size_t index;              /* MATCHED: report entry of the struct */
	uint64_t elements;         /* MATCHED: structs per block; 0: arrays of varying length */
	/* MATCHED: "mapped", "source line", "used in file", "only size".
	 * Static strings. */
	const char *how;
	/* AMBIGUOUS: report entries of the candidates. */
	const size_t *candidates;
	size_t candidate_count;
	/* Version 2.  Nonzero when the site's per-byte access histogram does
	 * not add up to its bytes read and written (valgrind 3.19 keeps those
	 * counts in 16 bits; they wrap on long runs): its member heat is left
	 * out, its allocation counts are kept. */
	int acc_wrapped;
	/* Version 3.  Nonzero when the allocation happened in code outside
	 * the program's sources (a library: the frame's file is neither
	 * readable nor where a struct of the inputs is declared, or it has
	 * no debug info, and its name is not an allocator's): UNMATCHED. */
	int outside;
} sf_impact_site_info;

#define SF_IMPACT_SITE_INFO_VERSION 3
#define SF_IMPACT_SITE_INFO_INIT \
	{ SF_IMPACT_SITE_INFO_VERSION, NULL, NULL, NULL, 0, 0, 0, SF_SITE_UNMATCHED, 0, 0, NULL, NULL, 0, 0, 0 }

/* Number of DHAT allocation sites of the profile. */
size_t sf_impact_site_count(const sf_impact *impact);

/* Number of those attributed to a struct (SF_SITE_MATCHED). */
size_t sf_impact_matched_sites(const sf_impact *impact);

/*
 * Fills `out` with site `index` (borrowed strings and arrays living as
 * long as the impact).  Returns 0, SF_EUSAGE or SF_ENOTFOUND.
 */
int sf_impact_site(sf_impact_site_info *out, const sf_impact *impact, size_t index);

/*
 * Fills `order` (sf_report_count() entries, caller-allocated) with the
 * report's indexes by impact: structs with allocation counts first, by
 * bytes saved at peak, then peak instances; then the others by their
 * byte saving (`plan`'s, may be NULL), then by report order.  Returns 0
 * or SF_EUSAGE.
 */
int sf_impact_rank(size_t *order, const sf_impact *impact, const sf_plan *plan);

SF_API_END
#ifdef __cplusplus
}
#endif
#endif
