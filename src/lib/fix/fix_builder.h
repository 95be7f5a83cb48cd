/* The fix builder's state, shared by the files that build a fix: candidates, sources, strings. */
#ifndef SF_FIX_FIX_BUILDER_H
#define SF_FIX_FIX_BUILDER_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include "fix/fix_body.h"
#include "fix/fix_result.h"
#include "reorder/plan.h"
#include "reorder/search.h"

/* A struct that passed the source checks, waiting for the initializer scan. */
typedef struct candidate {
	size_t record;         /* index in fix->structs */
	size_t source;
	sf_fix_body body;
	uint32_t *unit_order;
	const sf_struct *def;
	/* Reachable from an exported symbol and not allowed to change: kept
	 * as a candidate only so the reason reported last is the whole truth
	 * (a struct that could not be patched anyway is not blamed on ABI). */
	bool abi_blocked;
} candidate;

typedef struct builder {
	sf_fix *fix;
	const sf_plan *plan;
	const sf_fix_options *opts;
	char root[PATH_MAX];
	candidate *cands;
	size_t cand_count;
	size_t cand_cap;
	/* Structs refused by a source check (records and definitions), still
	 * scanned for positional initializers so their reason lists those too. */
	size_t *refused_records;
	const sf_struct **refused_defs;
	size_t refused_count;
	size_t refused_cap;
	sf_search_ws ws;
	/* The builder's own allocations (candidates, unit orders, replans),
	 * freed when the build ends; the result's live in b->fix->arena. */
	struct sf_arena *arena;
	/* Go sources below the root, read on the first Go struct (fix_go_index.c). */
	struct sf_go_index {
		struct sf_go_file *files;
		size_t count;
		bool built;
		/* The Go structs patched, for sf__fix_go_predict. */
		struct sf_go_patched {
			size_t record;
			const sf_struct *def;
			const uint32_t *order;
			const struct sf_go_file *file;
			size_t open;     /* the body's brace in file */
		} *patched;
		size_t patched_count, patched_cap;
	} go_index;
} builder;

typedef struct path_list {
	char **items;
	size_t count;
} path_list;

/* A copy of `s` (malloc'd, freed here) in the result's arena, or NULL when out of memory. */
char *sf__fix_keep(sf_fix *fix, char *s);

/* A formatted string kept in the result, or NULL when out of memory. */
#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
char *sf__fix_format(sf_fix *fix, const char *fmt, ...);

/* How sf__fix_source_for's reason begins for a file outside the source root. */
#define SF_FIX_OUTSIDE_ROOT "outside the source root"

/* Finds or reads the source recorded as `recorded`; returns its index in
 * b->fix->sources, -1 with *why set, or SF_ENOMEM. */
long sf__fix_source_for(builder *b, const char *recorded, const char **why);

/* C and C++ files below `dir`, not following symlinked or hidden directories. */
int sf__fix_list_sources(path_list *list, const char *dir, unsigned depth);

/* The member order a candidate's rewrite gives, from its unit order, in
 * `arena` (fix_predict.c).  0 or SF_ENOMEM. */
int sf__fix_member_order(const candidate *c, struct sf_arena *arena, uint32_t **out);

/* Refuses a candidate whose new order moves members of a common initial
 * sequence built by macros that another struct of the model shares at the
 * same offsets (fix_prefix.c).  0 or SF_ENOMEM. */
int sf__fix_shared_prefix(builder *b, const candidate *c);

/* The same for a struct refused for its body (record `record`), with the
 * plan's `order` and what `body` (partial, from sf__fix_body_find) tells:
 * when it was not read far enough to know its macro groups, the reason
 * says the check could not run.  0 or SF_ENOMEM. */
int sf__fix_shared_prefix_refused(builder *b, size_t record, const sf_struct *def, const uint32_t *order,
				  const sf_fix_body *body, const char *text);

/* Predicts each patched struct's size with every patch of the run
 * applied, inner types first (fix_predict.c).  0 or SF_ENOMEM. */
int sf__fix_predict(builder *b);

/* C++ candidates: constructors checked and their initializer lists reordered (fix_ctor_build.c). */
int sf__fix_cxx_constructors(builder *b);

#endif
