/* Layout analysis: holes, padding and cache lines of the selected structs. */
#ifndef STRUCTFIT_REPORT_H
#define STRUCTFIT_REPORT_H

#include <structfit/export.h>
#include <structfit/model.h>

#include <stddef.h>

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
	const char *const *name_globs;    /* shell globs on the struct name; none selects all */
	size_t name_glob_count;
	unsigned kinds;                   /* sf_kind_mask; 0 means all */
	unsigned min_holes;               /* only structs with at least this many holes */
	sf_sort sort;
	/* Version 2. */
	const char *const *exclude_globs; /* structs whose name matches one are left out */
	size_t exclude_glob_count;
	sf_report_exclude_fn exclude;     /* may be NULL */
	void *exclude_ctx;
} sf_report_options;

#define SF_REPORT_OPTIONS_VERSION 2
#define SF_REPORT_OPTIONS_INIT \
	{ SF_REPORT_OPTIONS_VERSION, 64, NULL, 0, SF_KINDS_ALL, 0, SF_SORT_NONE, NULL, 0, NULL, NULL }

/*
 * Analyses the structs of `model` selected by `opts`.  The model is not
 * modified and must outlive the report.  Caller frees with sf_report_free().
 * Returns 0, SF_EUSAGE (bad cache-line size) or SF_ENOMEM.
 */
int sf_report_build(sf_report **out, const sf_model *model, const sf_report_options *opts);
void sf_report_free(sf_report *report);

/* Number of structs selected. */
size_t sf_report_count(const sf_report *report);

SF_API_END
#ifdef __cplusplus
}
#endif
#endif
