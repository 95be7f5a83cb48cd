/* Layout baselines, the regression gate, two-build comparison and assertion headers. */
#ifndef STRUCTFIT_GATE_H
#define STRUCTFIT_GATE_H

#include <structfit/export.h>
#include <structfit/emit.h>
#include <structfit/report.h>

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif
SF_API_BEGIN

/*
 * The layouts of a set of structs: taken from a report (a build) or read
 * back from a baseline file written by sf_emit_snapshot().  Sorted by kind
 * and name, independent of the model once built.
 */
typedef struct sf_snapshot sf_snapshot;

/* Copies the layouts of `report` (which may be freed afterwards).  Caller
 * frees with sf_snapshot_free().  Returns 0 or SF_ENOMEM. */
int sf_snapshot_from_report(sf_snapshot **out, const sf_report *report);

/*
 * Reads a baseline (`len` bytes of JSON, see docs/json-schema.md).  `name`
 * prefixes messages: "layout.json:3:14: struct 'foo': missing key 'size'".
 * Returns 0, SF_EINVALID (not a baseline) or SF_ENOMEM.
 */
int sf_snapshot_parse(sf_snapshot **out, const char *text, size_t len, const char *name);

/* NULL is fine.  Findings made from the snapshot keep their own copies. */
void sf_snapshot_free(sf_snapshot *snap);

/* Keeps only the structs whose name matches one of the shell globs (none
 * keeps all).  The globs are not kept.  NULL `snap` does nothing. */
void sf_snapshot_select(sf_snapshot *snap, const char *const *globs, size_t glob_count);

/*
 * The same, also keeping the structs whose name a struct of `also` has
 * (NULL for none; the globs must be given).  For a baseline read from
 * JSON, which records no typedefs: with `also` the build the same globs
 * selected from debug info, a typedef name that selected struct
 * _typeobject there (-C PyTypeObject) selects it in the baseline too.
 */
void sf_snapshot_select_with(sf_snapshot *snap, const char *const *globs, size_t glob_count,
			     const sf_snapshot *also);

/* Drops the structs whose name matches one of the shell globs or equals
 * one of `names`.  NULL `snap` does nothing. */
void sf_snapshot_exclude(sf_snapshot *snap, const char *const *globs, size_t glob_count,
			 const char *const *names, size_t name_count);

/* Number of structs; 0 for NULL. */
size_t sf_snapshot_count(const sf_snapshot *snap);

/*
 * Makes the declaration paths under `source_root` (an absolute directory)
 * relative to it, after removing "." and ".." components: "src/conn.h".
 * Baselines are written with that form and definitions sharing a name are
 * paired by it, so a baseline made in one checkout checks a build made in
 * another.  Paths already relative (a baseline's) or outside the root are
 * left as they are, so a second call with another spelling of the same
 * directory (its realpath) catches paths recorded through it.  Findings
 * keep the recorded path.  0, SF_EUSAGE (root not absolute) or SF_ENOMEM.
 */
int sf_snapshot_set_source_root(sf_snapshot *snap, const char *source_root);

/*
 * The target the layouts were measured on, "x86_64 (8-byte pointers,
 * little-endian)"; NULL when unknown (a baseline without "files").  Layouts
 * of different targets differ without any change to the sources, so a gate
 * refuses to compare them.  Borrowed from `snap`.
 */
const char *sf_snapshot_target(const sf_snapshot *snap);

/* What changed or which rule broke; the rule id is sf_finding_rule(kind). */
typedef enum sf_finding_kind {
	SF_FINDING_STRUCT_GREW,
	SF_FINDING_STRUCT_SHRANK,
	SF_FINDING_STRUCT_REMOVED,
	SF_FINDING_STRUCT_ADDED,
	SF_FINDING_ALIGN_CHANGED,
	SF_FINDING_MEMBER_MOVED,
	SF_FINDING_MEMBER_ADDED,
	SF_FINDING_MEMBER_REMOVED,
	SF_FINDING_MEMBER_RETYPED,
	SF_FINDING_HOLES_GREW,
	SF_FINDING_HOLES_SHRANK,
	SF_FINDING_PADDING_GREW,
	SF_FINDING_PADDING_SHRANK,
	SF_FINDING_NEW_HOLE,
	SF_FINDING_MAX_PADDING,
	SF_FINDING_MAX_SIZE,
	SF_FINDING_MAX_CACHELINES,
	SF_FINDING_BUDGET_UNMATCHED,
	/* A Linux kernel cache-line group (members between the markers
	 * __cacheline_group_begin__NAME and __cacheline_group_end__NAME)
	 * touches more cache lines than its size needs, counted from a
	 * line-aligned start; a violation unless the baseline's group
	 * touched as many. */
	SF_FINDING_CACHELINE_GROUP,
	SF_FINDING_KIND_COUNT
} sf_finding_kind;

/*
 * One finding.  Strings are borrowed from the findings object.  `old_value`
 * and `new_value` are the numbers compared (sizes, offsets, bytes; the
 * budget is `new_value`'s limit in `limit`); `decl_file`/`decl_line` locate
 * the struct's declaration (in the newer build when it has one).
 */
typedef struct sf_finding {
	sf_finding_kind kind;
	int violation;            /* 1 fails the gate; 0 is information */
	const char *struct_kind;  /* "struct", "union" or "class" */
	const char *struct_name;  /* tag, else typedef name */
	const char *decl_file;    /* NULL when unknown */
	unsigned decl_line;       /* 0 when unknown */
	const char *member;       /* member path ("a", "inner.b"), or NULL */
	uint64_t old_value;
	uint64_t new_value;
	uint64_t limit;           /* the budget broken (max-padding, max-size, max-cachelines,
				   * budget-unmatched); 0 otherwise */
	const char *detail;       /* the message without the struct's name */
	int in_bits;              /* old/new_value count bits (a bitfield moved), not bytes */
} sf_finding;

typedef struct sf_findings sf_findings;

/* Stable rule id ("struct-grew"), one per kind; "unknown" for a value out
 * of the enum.  Static strings, never NULL. */
const char *sf_finding_rule(sf_finding_kind kind);
/* One sentence describing the rule, for SARIF and help texts. */
const char *sf_finding_rule_text(sf_finding_kind kind);

/* Number of findings, and of those with `violation` set; 0 for NULL. */
size_t sf_findings_count(const sf_findings *findings);
size_t sf_findings_violations(const sf_findings *findings);
/*
 * Finding `index`, or NULL when index >= sf_findings_count() or `findings`
 * is NULL.  Borrowed: it and its strings live as long as `findings`.
 * (Named before the sf_<object>_<noun> convention of the newer accessors;
 * kept for compatibility.)
 */
const sf_finding *sf_findings_get(const sf_findings *findings, size_t index);
/* NULL is fine. */
void sf_findings_free(sf_findings *findings);

/* `STRUCT=N` budget; `pattern` is a shell glob on the struct name. */
typedef struct sf_gate_budget {
	const char *pattern;
	uint64_t limit;
} sf_gate_budget;

typedef struct sf_gate_options {
	unsigned version;
	int has_max_padding;
	uint64_t max_padding;              /* holes + tail padding per struct, bytes */
	const sf_gate_budget *max_size;
	size_t max_size_count;
	const sf_gate_budget *max_cachelines;
	size_t max_cachelines_count;
	int no_new_holes;                  /* any hole not in the baseline, new structs included */
} sf_gate_options;

#define SF_GATE_OPTIONS_VERSION 1
#define SF_GATE_OPTIONS_INIT { SF_GATE_OPTIONS_VERSION, 0, 0, NULL, 0, NULL, 0, 0 }

/*
 * Compares `current` with `baseline` under the gate's rules (docs in
 * README.md) and the budgets of `opts` (NULL for none).  A NULL `baseline`
 * checks the budgets alone; then --no-new-holes forbids every hole.
 * Definitions sharing a name pair by declaring file, in the form of
 * sf_snapshot_set_source_root().  Caller frees with sf_findings_free().
 * Returns 0 or SF_ENOMEM;
 * violations are findings, not errors.
 */
int sf_gate_check(sf_findings **out, const sf_snapshot *baseline, const sf_snapshot *current,
		  const sf_gate_options *opts);

/* Every difference between two builds, each finding a change.  Caller
 * frees with sf_findings_free().  0 or SF_ENOMEM. */
int sf_gate_diff(sf_findings **out, const sf_snapshot *old_build, const sf_snapshot *new_build);

/* Appends the baseline document to `buf`: stable, sorted, one struct per
 * line.  Returns 0 or SF_ENOMEM. */
int sf_emit_snapshot(sf_buf *buf, const sf_snapshot *snap);

typedef enum sf_findings_format {
	SF_FINDINGS_TEXT,    /* check: "file:line: error: struct foo: ... [rule]" */
	SF_FINDINGS_JSON,
	SF_FINDINGS_SARIF,   /* SARIF 2.1.0 */
	SF_FINDINGS_DIFF,    /* diff: grouped by struct, for people */
	/* GitHub-flavoured Markdown, for pull-request comments and
	 * $GITHUB_STEP_SUMMARY: findings of sf_gate_check() one row each
	 * (level, struct, rule, old -> new, budget, message, declaration),
	 * changes of sf_gate_diff() one row per struct; nothing when there
	 * are none.  Paths under `source_root` are made relative to it. */
	SF_FINDINGS_MARKDOWN
} sf_findings_format;

/*
 * Appends the findings in `format`.  `source_root` (may be NULL) is removed
 * from the front of declaration paths in SARIF, whose consumers expect
 * paths relative to the repository, and in Markdown.  0, SF_EUSAGE (bad format) or SF_ENOMEM.
 */
int sf_emit_findings(sf_buf *buf, const sf_findings *findings, sf_findings_format format,
		     const char *source_root);

typedef struct sf_assert_options {
	unsigned version;
	int offsets;           /* offsetof() of every named non-bitfield member */
	int align;             /* _Alignof() of each struct */
	const char *guard;     /* include guard macro; NULL for STRUCTFIT_LAYOUT_ASSERTS_H */
	/* Version 2: also structs declared in .c/.cc files, which only the
	 * translation unit including that file can name. */
	int include_local;
} sf_assert_options;

#define SF_ASSERT_OPTIONS_VERSION 2
#define SF_ASSERT_OPTIONS_INIT { SF_ASSERT_OPTIONS_VERSION, 0, 0, NULL, 0 }

/* What a header states and what it had to leave out (each with a comment). */
typedef struct sf_assert_stats {
	size_t asserted;       /* structs with at least their size asserted */
	size_t conflicting;    /* defined with several layouts by the inputs */
	size_t local;          /* declared in a .c/.cc file (include_local off) */
	size_t unnamed;        /* no name C can spell, or a compiler built-in */
	size_t align_unknown;  /* size asserted, alignment left out (align_certain false) */
} sf_assert_stats;

/*
 * A C/C++ header of static assertions stating the layouts of `snap`,
 * guarded to the target they were measured on.  It compiles in every
 * dialect: _Static_assert (C11), static_assert (C++11), else a typedef of
 * a negative-size array whose name carries the struct and the figure
 * (C89/C99/C++98), so a failure names what changed everywhere.  `stats`
 * (may be NULL) receives the counts.  0, SF_EUSAGE (bad guard name or
 * options version) or SF_ENOMEM.
 */
int sf_emit_asserts(sf_buf *buf, const sf_snapshot *snap, const sf_assert_options *opts,
		    sf_assert_stats *stats);

SF_API_END
#ifdef __cplusplus
}
#endif
#endif
