/* Layout analysis: holes, padding and cache lines of the selected structs. */
#ifndef STRUCTFIT_REPORT_H
#define STRUCTFIT_REPORT_H

#include <structfit/export.h>
#include <structfit/model.h>

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif
SF_API_BEGIN

/* The analysed, filtered and sorted structs of one model. */
typedef struct sf_report sf_report;

enum sf_kind_mask {
	SF_KINDS_STRUCT = 1 << 0, /* struct and class */
	SF_KINDS_UNION = 1 << 1,
	SF_KINDS_ALL = SF_KINDS_STRUCT | SF_KINDS_UNION
};

typedef enum sf_sort {
	SF_SORT_NONE = 0, /* order of first appearance in the inputs */
	SF_SORT_NAME,
	SF_SORT_SIZE,     /* largest first */
	SF_SORT_HOLES,    /* most holes first */
	SF_SORT_WASTE     /* most wasted bytes (holes + padding) first */
} sf_sort;

/*
 * Asked about each struct the other options select, with its name (NULL
 * when anonymous) and declaration (NULL/0 when unknown): nonzero leaves it
 * out.  Lets the caller honour marks only it can read, such as a
 * `structfit: ignore` comment in the source, without the library doing
 * file I/O.
 */
typedef int (*sf_report_exclude_fn)(void *ctx, const char *name, const char *decl_file,
				    unsigned decl_line);

typedef struct sf_report_options {
	unsigned version;
	unsigned cacheline;               /* bytes; 64 when 0 */
	/* Shell globs on the struct name, none selects all.  A glob also
	 * selects a struct when it matches the tail of a qualified C++ name
	 * after a `::` (`Inner` selects ns::Outer::Inner), or the name of a
	 * typedef naming the struct that the loader saw (`PyTypeObject`
	 * selects struct _typeobject). */
	const char *const *name_globs;
	size_t name_glob_count;
	unsigned kinds;                   /* sf_kind_mask; 0 means all */
	unsigned min_holes;               /* only structs with at least this many holes */
	sf_sort sort;
	/* Version 2. */
	const char *const *exclude_globs; /* structs whose name matches one are left out */
	size_t exclude_glob_count;
	sf_report_exclude_fn exclude;     /* may be NULL */
	void *exclude_ctx;
	/* Version 3.  Threads analysing the layouts of a large report (0: one
	 * per online CPU, 1: none); the report is the same for any count.
	 * `exclude` is always called from the calling thread. */
	unsigned jobs;
} sf_report_options;

#define SF_REPORT_OPTIONS_VERSION 3
#define SF_REPORT_OPTIONS_INIT \
	{ SF_REPORT_OPTIONS_VERSION, 64, NULL, 0, SF_KINDS_ALL, 0, SF_SORT_NONE, NULL, 0, NULL, NULL, 0 }

/*
 * Analyses the structs of `model` selected by `opts`.  The model is not
 * modified and must outlive the report.  Caller frees with sf_report_free().
 * Returns 0, SF_EUSAGE (bad cache-line size) or SF_ENOMEM.
 */
int sf_report_build(sf_report **out, const sf_model *model, const sf_report_options *opts);
/* Frees `report` (NULL is fine); the model is not touched. */
void sf_report_free(sf_report *report);

/* Number of structs selected.  `report` must not be NULL. */
size_t sf_report_count(const sf_report *report);

/*
 * Reading a report without JSON
 * -----------------------------
 * Accessors are named sf_<object>_<noun> and return an int code; what they
 * return goes through the out-parameter, which comes first.  The info
 * structs are filled by the library and begin with a `version` the caller
 * sets (use the _INIT initializer): a later library adds fields at the end
 * and fills only those the caller's version has, so a program built
 * against this header keeps working.  Strings in them are borrowed: they
 * live as long as the report (and its model), never free them.
 *
 * Every accessor returns:
 *   0             success, *out filled;
 *   SF_EUSAGE     `out` or the object is NULL, or out->version is 0 or
 *                 newer than the library knows (*out untouched);
 *   SF_ENOTFOUND  an index is out of range (*out untouched): iterating
 *                 until SF_ENOTFOUND is allowed, it is not a crash.
 * with sf_error_last() describing the failure.
 */

/* Kind of a reported definition. */
typedef enum sf_report_kind {
	SF_REPORT_STRUCT = 0,
	SF_REPORT_UNION = 1,
	SF_REPORT_CLASS = 2
} sf_report_kind;

/* One reported struct, as sf_report_struct() fills it.  Sizes in bytes. */
typedef struct sf_report_struct_info {
	unsigned version;           /* set by the caller: SF_REPORT_STRUCT_INFO_VERSION */
	sf_report_kind kind;
	const char *name;           /* tag; NULL when anonymous */
	const char *typedef_name;   /* `typedef struct {...} name;`, else NULL */
	const char *decl_file;      /* as the compiler recorded it; NULL when unknown */
	unsigned decl_line;         /* 0 when unknown */
	uint64_t size;
	uint32_t align;
	int align_certain;          /* 0 when the debug info allows another alignment */
	int packed;                 /* inferred from offsets and size */
	uint32_t member_count;      /* top-level members, for sf_report_member() */
	uint32_t hole_count;        /* holes between members (bytes, not bits) */
	uint64_t sum_holes;         /* bytes in those holes */
	uint64_t padding;           /* tail padding */
	uint64_t cachelines;        /* cache lines the struct spans, from offset 0 */
} sf_report_struct_info;

#define SF_REPORT_STRUCT_INFO_VERSION 1
#define SF_REPORT_STRUCT_INFO_INIT \
	{ SF_REPORT_STRUCT_INFO_VERSION, SF_REPORT_STRUCT, NULL, NULL, NULL, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 }

/*
 * Fills `out` with struct `index` of `report` (0 <= index <
 * sf_report_count()).  Returns 0, SF_EUSAGE or SF_ENOTFOUND (see above).
 */
int sf_report_struct(sf_report_struct_info *out, const sf_report *report, size_t index);

/* sf_report_member_info.flags. */
enum sf_report_member_flag {
	SF_REPORT_MEMBER_BITFIELD = 1u << 0,       /* bit_size > 0 */
	SF_REPORT_MEMBER_ANONYMOUS = 1u << 1,      /* unnamed struct/union member (name NULL) */
	SF_REPORT_MEMBER_FLEXIBLE = 1u << 2,       /* `T x[]` */
	SF_REPORT_MEMBER_ZERO_LENGTH = 1u << 3,    /* `T x[0]` (GNU) */
	SF_REPORT_MEMBER_BASE_CLASS = 1u << 4,     /* C++ base class subobject */
	SF_REPORT_MEMBER_VIRTUAL_BASE = 1u << 5,   /* C++ virtual base */
	SF_REPORT_MEMBER_OFFSET_UNKNOWN = 1u << 6, /* offset not a constant: `offset` means nothing */
	SF_REPORT_MEMBER_UNKNOWN_TYPE = 1u << 7,   /* type not resolved (or only declared) */
	SF_REPORT_MEMBER_UNSIZED = 1u << 8         /* size known only at run time (Rust) */
};

/*
 * One top-level member, as sf_report_member() and sf_plan_member() fill
 * it.  Offsets count from the start of the struct; an anonymous member is
 * one entry for its whole body.  The hole and padding fields refer to the
 * member that follows in memory.
 */
typedef struct sf_report_member_info {
	unsigned version;           /* set by the caller: SF_REPORT_MEMBER_INFO_VERSION */
	uint32_t index;             /* position in declaration order */
	const char *name;           /* NULL when anonymous */
	const char *type_name;      /* C spelling: "char[16]", "struct foo *" */
	uint64_t offset;            /* bytes; bitfields: of their storage unit */
	uint64_t size;              /* bytes; bitfields: of their declared type */
	uint64_t bit_offset;        /* first bit from the start of the struct, memory order */
	uint32_t bit_size;          /* 0 unless a bitfield */
	uint32_t align;             /* alignment the member has here */
	uint64_t hole_after;        /* bytes unused before the next member */
	uint64_t bit_hole_after;    /* bits unused before the next member */
	unsigned flags;             /* sf_report_member_flag bits */
} sf_report_member_info;

#define SF_REPORT_MEMBER_INFO_VERSION 1
#define SF_REPORT_MEMBER_INFO_INIT \
	{ SF_REPORT_MEMBER_INFO_VERSION, 0, NULL, NULL, 0, 0, 0, 0, 0, 0, 0, 0 }

/*
 * Fills `out` with member `member` (declaration order, 0 <= member <
 * member_count) of struct `index` of `report`.  Returns 0, SF_EUSAGE or
 * SF_ENOTFOUND (either index out of range), see above.
 */
int sf_report_member(sf_report_member_info *out, const sf_report *report, size_t index,
		     uint32_t member);

SF_API_END
#ifdef __cplusplus
}
#endif
#endif
