/* Snapshots: struct layouts detached from the model, and the findings of comparing two. */
#ifndef SF_GATE_SNAPSHOT_H
#define SF_GATE_SNAPSHOT_H

#include <structfit/gate.h>

#include <stdbool.h>
#include <stdint.h>

#include "util/arena.h"

/*
 * One member, flattened in pre-order: the members of an inline body (an
 * anonymous member, or a named member of unnamed struct type) follow it
 * with depth + 1.  `path` is how C names the member from the outermost
 * struct ("a", "outer.b"; fields of anonymous bodies keep their own name);
 * NULL for an anonymous member itself.  Offsets are from the outermost
 * struct, as in the report.
 */
typedef struct sf_snap_member {
	const char *name;        /* as declared, NULL when anonymous */
	const char *path;
	const char *type;        /* NULL when unknown */
	uint64_t offset;
	uint64_t size;
	uint32_t align;
	uint64_t bit_offset;     /* bitfields only */
	uint32_t bit_size;       /* 0 unless a bitfield */
	uint32_t depth;
	uint32_t index;          /* position within its own body */
	bool body;               /* followed by its body's members */
	const char *body_kind;   /* "struct"/"union" when `body` */
} sf_snap_member;

/* A hole of the struct or of one of its inline bodies. */
typedef struct sf_snap_hole {
	uint64_t offset;
	uint64_t size;
	uint32_t owner;          /* index of the body's member, SF_SNAP_TOP for the struct */
} sf_snap_hole;

typedef struct sf_snap_bit_hole {
	uint64_t bit_offset;
	uint64_t bits;
	uint32_t owner;
} sf_snap_bit_hole;

#define SF_SNAP_TOP UINT32_MAX

/*
 * Invariants: kind is one of "struct", "union", "class"; name or
 * typedef_name is set; holes are listed per owner in offset order.
 */
typedef struct sf_snap_struct {
	const char *kind;
	const char *name;
	const char *typedef_name;
	uint64_t size;
	uint32_t align;
	bool align_certain;      /* false: DWARF allows another alignment (see sf_struct) */
	bool packed;
	const char *decl_file;   /* as recorded: absolute from DWARF, relative in baselines */
	const char *decl_rel;    /* decl_file relative to the source root when under it: the
				  * form written to baselines and used to pair definitions */
	uint32_t decl_line;
	uint64_t cachelines;
	uint64_t padding;
	uint64_t bit_padding;
	sf_snap_member *members;
	uint32_t member_count;
	sf_snap_hole *holes;
	uint32_t hole_count;
	sf_snap_bit_hole *bit_holes;
	uint32_t bit_hole_count;
	bool conflicting;        /* another struct of the snapshot has the same kind and name */
} sf_snap_struct;

typedef struct sf_snap_file {
	const char *path;
	const char *arch;
	bool big_endian;
	unsigned address_size;
} sf_snap_file;

struct sf_snapshot {
	sf_arena *arena;
	unsigned cacheline;
	sf_snap_file *files;
	size_t file_count;
	const char *target;          /* "x86_64 (8-byte pointers, little-endian)", NULL if unknown */
	sf_snap_struct *structs;     /* sorted by sf__snap_compare */
	size_t count;
};

/*
 * "prefix.name", the path of a member inside anonymous bodies, in `arena`;
 * `name` itself when there is no prefix.  NULL when out of memory.
 */
const char *sf__snap_member_path(sf_arena *arena, const char *prefix, const char *name);

/*
 * Calls between the snapshot files run one way: snapshot.c (building,
 * selecting) and snapshot_read.c (parsing) use snapshot_paths.c (source
 * root, target), and all of them snapshot_order.c (names, sorting).
 */

/* The name a struct is known by: tag, else typedef name. */
const char *sf__snap_name(const sf_snap_struct *s);

/* Order of a snapshot: kind, name, then declaration site and size. */
int sf__snap_compare(const sf_snap_struct *a, const sf_snap_struct *b);

/* Sorts and marks conflicting entries. */
void sf__snap_finish(sf_snapshot *snap);

/*
 * Sets `target` from the first file whose architecture is known; NULL when
 * none is.  0 or SF_ENOMEM.
 */
int sf__snap_describe_target(sf_snapshot *snap);

/* Sum of the struct's hole bytes, inline bodies included (saturating). */
uint64_t sf__snap_sum_holes(const sf_snap_struct *s);

struct sf_findings {
	sf_arena *arena;
	sf_finding *items;
	size_t count;
	size_t capacity;
	size_t violations;
	bool diff;               /* from sf_gate_diff(): changes between builds, not a check */
};

#endif
