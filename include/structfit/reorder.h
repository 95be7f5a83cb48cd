/* Reordering proposals: the smallest member order of each reported struct. */
#ifndef STRUCTFIT_REORDER_H
#define STRUCTFIT_REORDER_H

#include <structfit/export.h>
#include <structfit/report.h>

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif
SF_API_BEGIN

/*
 * Rules restricting proposals, read from a text file, one rule per line
 * ('#' starts a comment, blank lines are ignored):
 *
 *   pin STRUCT.MEMBER      MEMBER keeps its position index
 *   group STRUCT: a b c    a, b and c stay together, in this order
 *   hot STRUCT: a b        a and b are hot: the cache-aware objective below
 *                          packs them into as few cache lines as possible,
 *                          from offset 0 (a member named here counts as
 *                          hotter than any member of a profile)
 *   apart STRUCT: a b      a and b never share a cache line (false sharing
 *                          between writers on different threads), whatever
 *                          16-byte-aligned address the object starts at
 *   skip STRUCT            STRUCT is never reordered
 *
 * Linux kernel cache-line groups need no rule: the zero-size markers
 * __cacheline_group_begin__NAME and __cacheline_group_end__NAME keep their
 * positions and the members between them stay between them.
 *
 * STRUCT is a struct's tag, or its typedef name when it has no tag.
 */
typedef struct sf_constraints sf_constraints;

/*
 * Reads a constraints file.  Caller frees with sf_constraints_free().
 * Returns 0, SF_ENOTFOUND / SF_EIO (file cannot be read) or SF_EUSAGE for a
 * bad rule, with the message "FILE:LINE: what is wrong"; SF_ENOMEM.
 */
int sf_constraints_load(sf_constraints **out, const char *path);

/* The same from `len` bytes of `text` (copied; need not be NUL-terminated);
 * `name` is used in messages ("FILE" above).  Returns 0, SF_EUSAGE or
 * SF_ENOMEM. */
int sf_constraints_parse(sf_constraints **out, const char *text, size_t len, const char *name);

/* NULL is fine.  Plans made with the constraints must be freed first. */
void sf_constraints_free(sf_constraints *constraints);

typedef enum sf_reorder_strategy {
	SF_REORDER_EXACT = 0, /* minimal size over all orders, fewest moves among those */
	SF_REORDER_SORT = 1   /* stable sort by alignment, largest first (the classic advice) */
} sf_reorder_strategy;

/*
 * Access counts of one member from a profile (impact.h builds them from
 * valgrind DHAT or a CSV file; any caller may fill them by hand).  `type`
 * names the struct as constraints do (tag, else typedef name); `member` is
 * a top-level member's name.  `threads` is the number of threads writing
 * the member, 0 when unknown.
 */
typedef struct sf_member_heat {
	const char *type;
	const char *member;
	uint64_t reads;
	uint64_t writes;
	uint32_t threads;
} sf_member_heat;

typedef struct sf_reorder_options {
	unsigned version;
	sf_reorder_strategy strategy;
	/* Keep the first member first when it is a struct or union: the C
	 * "base struct" idiom casts a pointer to the whole to its header. */
	int keep_first;
	const sf_constraints *constraints;   /* borrowed; NULL for none */
	/* Proposals saving fewer bytes become the identity with reason
	 * "saves less than the minimum"; 0 keeps every proposal. */
	uint64_t min_savings;
	/* Cache-line size for the tie-breaks and the proposal's layout;
	 * 0 uses the report's. */
	unsigned cacheline;
	/* Exact search limit: structs whose search space (orders of distinct
	 * members, identical members merged) has more states fall back to the
	 * heuristic.  0 means SF_REORDER_DEFAULT_STATE_CAP. */
	uint64_t state_cap;
	/* Node limit of the fewest-moves search per struct; past it, the best
	 * order found so far is kept (its size is still optimal).  0 means
	 * SF_REORDER_DEFAULT_MOVE_BUDGET. */
	uint64_t move_budget;
	/* Version 2.  Member access counts (borrowed; NULL and 0 for none).
	 * A struct with heat (or hot or apart rules) gets a cache-aware order,
	 * the lexicographic minimum of: hot-set cache lines at the worst
	 * 16-byte-aligned start, end of the hot set, size, moved members, with
	 * the size at most the minimal size plus `allow_growth` bytes (C
	 * structs; C++ classes get no growth).  The hot set is defined in
	 * docs/cache-aware.md. */
	const sf_member_heat *heat;
	size_t heat_count;
	uint64_t allow_growth;
} sf_reorder_options;

#define SF_REORDER_DEFAULT_STATE_CAP (UINT64_C(1) << 20)
#define SF_REORDER_DEFAULT_MOVE_BUDGET (UINT64_C(1) << 16)

/* Version 1 callers (without the heat fields) are still accepted. */
#define SF_REORDER_OPTIONS_VERSION 2
#define SF_REORDER_OPTIONS_INIT { SF_REORDER_OPTIONS_VERSION, SF_REORDER_EXACT, 1, NULL, 0, 0, 0, 0, NULL, 0, 0 }

/* How much a proposal's number can be trusted. */
typedef enum sf_optimality {
	SF_OPTIMAL_PROVEN = 0,   /* no order is better (search exhausted or lower bound reached) */
	SF_OPTIMAL_HEURISTIC = 1,/* best found; a better one may exist */
	/* No order is better under the rules in force (keep_first, the
	 * constraints), but one without them is: see `bound_by`. */
	SF_OPTIMAL_CONSTRAINED = 2
} sf_optimality;

/* Optional rules that kept a proposal from the unconstrained minimum. */
enum sf_reorder_rule {
	SF_RULE_BOUND_KEEP_FIRST = 1u << 0,  /* the leading struct member stayed first */
	SF_RULE_BOUND_CONSTRAINTS = 1u << 1, /* the constraints file's rules for the struct */
	/* The cache-aware objective took bytes of --allow-growth: the struct
	 * is larger than its minimal size so that its hot set touches fewer
	 * cache lines. */
	SF_RULE_BOUND_HEAT = 1u << 2
};

/* The levels of the cache-aware objective, most significant first. */
typedef enum sf_objective {
	SF_OBJECTIVE_NONE = 0,     /* every level searched to optimality */
	SF_OBJECTIVE_HOT_LINES,    /* cache lines the hot set touches */
	SF_OBJECTIVE_HOT_END,      /* end of the hot set (bytes from offset 0) */
	SF_OBJECTIVE_SIZE,         /* size, within the allowed growth */
	SF_OBJECTIVE_MOVES         /* members moved */
} sf_objective;

/* Why a proposal is the identity (or SF_REASON_NONE when it is not). */
typedef enum sf_reorder_reason {
	SF_REASON_NONE = 0,
	SF_REASON_MINIMAL,          /* "already minimal" */
	SF_REASON_PACKED,           /* "packed" */
	SF_REASON_UNION,            /* "union" */
	SF_REASON_NOT_REPRODUCIBLE, /* "layout not reproducible from debug info" */
	SF_REASON_UNPLACEABLE,      /* "member of unknown type or alignment" */
	SF_REASON_SKIPPED,          /* "skipped by constraints" */
	SF_REASON_CONSTRAINED,      /* "constraints allow no smaller order" */
	SF_REASON_NO_GAIN,          /* "no smaller order found" (heuristic search) */
	SF_REASON_BELOW_MINIMUM,    /* "saves less than the minimum" */
	SF_REASON_EMPTY,            /* "fewer than two members" */
	SF_REASON_COMPILER_REORDERS,/* "compiler reorders fields (Rust)" */
	SF_REASON_VARIANT_PART,     /* "variant part" (Rust enum, Ada variant record) */
	SF_REASON_KEEP_FIRST,       /* "minimal with the leading struct member kept first" */
	SF_REASON_MAYBE_PACKED,     /* "may be packed: the debug info cannot tell" */
	SF_REASON_UNSIZED,          /* "unsized: size known only at run time" (Rust [T], str, dyn) */
	SF_REASON_VIRTUAL_BASE,     /* "virtual base" (C++: its offset is not a constant) */
	/* "C++ layout ambiguous in debug info": whether a base is POD for the
	 * purpose of layout (or a member [[no_unique_address]]) decides the
	 * size of every smaller order, and DWARF does not say. */
	SF_REASON_CXX_AMBIGUOUS
} sf_reorder_reason;

/*
 * One proposal.  Sizes in bytes.  `order` lists every top-level member of
 * the struct exactly once by its index in declaration order (anonymous
 * members are one entry each and move as a unit); the identity when
 * `reason` != SF_REASON_NONE.  `size` is the size of the proposed layout
 * as placed from scratch by the ABI engine, never a formula.
 */
typedef struct sf_proposal {
	const char *name;           /* struct tag, else typedef name, else NULL */
	uint32_t member_count;
	const uint32_t *order;      /* member_count entries */
	uint64_t size;
	uint64_t original_size;
	uint64_t saves;             /* original_size - size, never negative */
	uint64_t cachelines;        /* of the proposal */
	uint64_t original_cachelines;
	uint32_t crossings;         /* top-level members straddling a cache line */
	uint32_t original_crossings;
	uint32_t moved;             /* member_count - longest run of members kept in relative order */
	sf_optimality optimal;      /* of `size` */
	sf_optimality moves_optimal;/* of `moved` among orders of that size */
	sf_reorder_reason reason;
	/* With optimal == SF_OPTIMAL_CONSTRAINED: the smallest size found
	 * without the rules of `bound_by` (sf_reorder_rule bits); otherwise
	 * `size` and 0. */
	uint64_t unconstrained_size;
	unsigned bound_by;
	/* The type of a member whose alignment the search took to be its
	 * natural one though DWARF cannot rule out that it is packed (its
	 * struct's align_certain is false): `optimal` holds under that
	 * assumption only.  NULL when every member's alignment is known. */
	const char *assumed_alignment;
	/* Cache-aware proposals only (hot_count or apart rules; all zero
	 * otherwise).  Lines are counted at the worst start a 16-byte-aligned
	 * (or the struct's larger alignment) allocation can have. */
	uint32_t hot_count;          /* members in the hot set */
	uint32_t hot_lines;          /* cache lines the hot set touches in the proposal */
	uint32_t original_hot_lines;
	uint64_t hot_end;            /* bytes from offset 0 to the end of the last hot member */
	uint64_t original_hot_end;
	/* The first objective level the search budget left unproven
	 * (SF_OBJECTIVE_NONE when the order is optimal at every level). */
	sf_objective budget_bound;
	/* Pairs of members written by several threads (sf_member_heat.threads
	 * > 1) that can share a cache line in the proposed layout. */
	uint32_t shared_writers;
	uint32_t cache_aware;        /* 1 when the cache-aware objective chose the order */
	/* Go structs: bytes up to the end of the last pointer-holding word
	 * (what the garbage collector scans of each object), proposed and
	 * declared; the search minimises it after the size.  0 elsewhere. */
	uint64_t pointer_bytes;
	uint64_t original_pointer_bytes;
} sf_proposal;

/* Proposals for every struct of a report, index-aligned with it. */
typedef struct sf_plan sf_plan;

/*
 * Computes one proposal per report entry (unions and packed structs get
 * an identity proposal with their reason).  The report (and its model)
 * must outlive the plan.  Caller frees with sf_plan_free().
 * Returns 0, SF_EUSAGE (bad options, or a constraint naming a member the
 * struct lacks: "FILE:LINE: message") or SF_ENOMEM.
 */
int sf_reorder_plan(sf_plan **out, const sf_report *report, const sf_reorder_options *opts);

/* Frees `plan` (NULL is fine); the report is not touched. */
void sf_plan_free(sf_plan *plan);

/* Number of proposals: sf_report_count() of the report.  `plan` not NULL. */
size_t sf_plan_count(const sf_plan *plan);

/*
 * Proposal `index` (same index as the report entry), or NULL when index >=
 * sf_plan_count().  Borrowed: it and its `name` and `order` live as long as
 * the plan.  (This one returns the pointer, not a code, because the
 * sf_proposal struct is read-only and plain; it predates the accessors
 * below and keeps its signature.)
 */
const sf_proposal *sf_plan_proposal(const sf_plan *plan, size_t index);

/*
 * Member at `position` (0 <= position < member_count) of proposal `index`,
 * in the proposed order, with its offset, holes and padding in the
 * proposed layout; out->index is its position in declaration order
 * (proposal->order[position]).  An identity proposal gives the original
 * layout.  Strings are borrowed from the plan's model.
 * The version and return protocol are those of sf_report_member()
 * (report.h): 0, SF_EUSAGE (NULL argument, bad out->version) or
 * SF_ENOTFOUND (index or position out of range).
 */
int sf_plan_member(sf_report_member_info *out, const sf_plan *plan, size_t index, uint32_t position);

/*
 * One step from the declared order to a proposal (reorder --explain):
 * member `member` (declaration index) moves from position `from` to
 * position `to`, just after member `after` (UINT32_MAX: to the front),
 * and the struct, laid out again by the ABI engine, is then `size` bytes.
 */
typedef struct sf_plan_step {
	uint32_t member;
	uint32_t from;
	uint32_t to;
	uint32_t after;
	uint64_t size;
} sf_plan_step;

/*
 * The steps of proposal `index`: members outside a longest run kept in
 * relative order move one at a time (as many steps as proposal->moved),
 * the move leaving the smallest struct first.  *out is malloc'd (free it
 * with sf_plan_steps_free()), NULL with *count 0 for identity proposals.
 * Returns 0, SF_EUSAGE (NULL argument), SF_ENOTFOUND (index out of range),
 * SF_EUNSUPPORTED (C++ layouts) or SF_ENOMEM.
 */
int sf_plan_steps(sf_plan_step **out, size_t *count, const sf_plan *plan, size_t index);
void sf_plan_steps_free(sf_plan_step *steps);

/* "none", "hot_lines", "hot_end", "size" or "moves": a static string, never NULL. */
const char *sf_objective_name(sf_objective objective);

/* "proven", "heuristic" or "constrained": a static string, never NULL. */
const char *sf_optimality_name(sf_optimality optimal);

/* The reason as a phrase for output ("already minimal"); "" for
 * SF_REASON_NONE.  A static string, never NULL. */
const char *sf_reorder_reason_text(sf_reorder_reason reason);

SF_API_END
#ifdef __cplusplus
}
#endif
#endif
