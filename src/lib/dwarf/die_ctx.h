/* State of one unit's DIE walk and the helpers the die_*.c files share. */
#ifndef SF_DWARF_DIE_CTX_H
#define SF_DWARF_DIE_CTX_H

#include <dwarf.h>
#include <stdbool.h>
#include <stdint.h>

#include "dwarf/die_lines.h"
#include "dwarf/die_reader.h"
#include "elf/input.h"
#include "model/structs.h"
#include "model/target.h"
#include "util/hash.h"

/*
 * Depth bound for every recursion over the type graph (typedef/qualifier
 * chains, declarators, struct nesting) and the DIE tree.  Real C and C++
 * stay far below it; corrupt DWARF can build cycles and endless chains.
 */
#define SF_DIE_MAX_DEPTH 128u

/* Members beyond this offset (1 TiB) can only come from corrupt DWARF. */
#define SF_DIE_MAX_OFFSET (UINT64_C(1) << 40)

/*
 * A DIE and where it lives: decoded by our own reader (die_reader.h), so
 * it is a few pointers into the mapped section and costs nothing to copy
 * or drop.  `offset` is section-global; the key combines it with the file
 * (main or dwz alt) and section (.debug_info or .debug_types) so that
 * caches never confuse DIEs of different sections.
 */
typedef struct sf_die {
	sf_dw_die raw;
	uint64_t offset;
	bool alt;
	bool is_info;
} sf_die;

static inline uint64_t sf__die_key(const sf_die *d)
{
	return (uint64_t)d->offset | ((uint64_t)d->alt << 62) | ((uint64_t)!d->is_info << 63);
}

/* Hash of a DIE key for the type cache: one multiply, it is looked up
 * for every member and type reference. */
static inline uint64_t sf__die_key_hash(uint64_t key)
{
	uint64_t h = (key ^ (key >> 31)) * UINT64_C(0xbf58476d1ce4e5b9);
	return h ^ (h >> 32);
}

/* Whether `s` points into section `b` (one that stays mapped while its
 * image loads, so equal addresses there are equal text). */
static inline bool sf__die_in_section(const sf_dwarf_bytes *b, const char *s)
{
	uintptr_t p = (uintptr_t)s, base = (uintptr_t)b->data;

	return b->data && p >= base && p - base < b->size;
}

/* How a type's C spelling wraps a declarator: decides whether a pointer
 * to it needs parentheses (`int (*)[4]`, `void (*)(int)`). */
typedef enum sf_declarator {
	SF_DECL_PLAIN,
	SF_DECL_POINTER,
	SF_DECL_ARRAY,
	SF_DECL_FUNCTION
} sf_declarator;

/*
 * Everything learnt about one type DIE, cached per unit by DIE key.
 * Name part: the C spelling is prefix + declarator + suffix, and `full`
 * is prefix + suffix (the abstract declarator).  Layout part: byte size,
 * ABI alignment, the struct behind typedefs/qualifiers (`nested`) and the
 * element struct of arrays (`element`).  The *_busy flags catch cycles.
 */
/* 128-bit digest of the DWARF a definition is built from (die_digest.c). */
typedef struct sf_die_digest {
	uint64_t lo, hi;
} sf_die_digest;

typedef struct sf_die_type {
	uint64_t key;
	const char *prefix;
	const char *suffix;
	const char *full;
	sf_declarator declarator;
	bool named;
	bool name_busy;
	bool laid_out;
	bool layout_busy;
	bool struct_busy;
	uint64_t size;
	uint32_t align;
	uint32_t explicit_align;  /* DW_AT_alignment on a typedef in the chain */
	uint32_t flags;           /* SF_MEMBER_FLEXIBLE / ZERO_LENGTH / UNKNOWN_TYPE */
	/* An array whose storage is elsewhere or sized at run time (Fortran
	 * allocatables: DW_AT_data_location; bounds that are expressions
	 * in non-C languages): what the struct holds is a descriptor whose
	 * size DWARF does not state; the member builder sizes it. */
	bool descriptor;
	/* Digests (die_digest.c): `layout` covers everything a member of
	 * this type takes from it, `name` only what its spelling needs. */
	uint8_t layout_digest_state;  /* 0 not yet, 1 busy, 2 done, 3 impossible */
	uint8_t name_digest_state;
	/* Set with the layout digest: laying this type out may build a
	 * struct (it is one, or reaches one through the references its
	 * layout follows).  False only where it surely cannot. */
	bool may_build;
	/* A struct whose children were all gone through (by its digest or
	 * its build) and hold nothing the unit walk acts on
	 * (sf__die_walk_acts_on): the walk steps over them. */
	bool plain_children;
	sf_die_digest layout_digest;
	sf_die_digest name_digest;
	sf_struct *built;         /* for struct/union/class DIEs: the definition */
	sf_struct *nested;
	sf_struct *element;
	uint64_t pointer_bytes;   /* see sf_member.pointer_bytes */
} sf_die_type;

/* Which structs a walk builds, and whether it may stop early. */
typedef struct sf_die_filter {
	const char *const *names;   /* shell globs; none means every struct */
	size_t name_count;
	bool local_types;           /* enter function bodies for their local types */
	bool typedef_chains;        /* sf_member.typedef_chain (sf_load_options) */
} sf_die_filter;

/*
 * Definitions a worker has built, by the digest of the DWARF they
 * were built from (kind, name, size, alignment, declaration site, and every
 * layout member with the full type graph its name and layout depend on,
 * under the unit's ABI rules).  Equal digests mean equal inputs to
 * sf__die_build_struct(), so a later unit reuses the definition instead of
 * building and merging a copy.  The entries point into the worker's model,
 * which outlives every unit of the image.
 */
typedef struct sf_die_known_entry {
	sf_die_digest digest;
	const sf_struct *s;
	/* The inputs of the check a hit passes besides its digest (kind,
	 * name, typedef name, nesting; die_struct.c) where its name is in
	 * .debug_str, 0 otherwise; its low bit set when they passed it
	 * against `s`: a later lookup with the same inputs need not read
	 * `s`, which is far in memory (most of a vmlinux load's cache
	 * misses at -j2).  Also where the entry's probe starts (die_known.c). */
	uint64_t ident;
	/* What a member of this type takes from `s` (size, align and
	 * loaded_pointer_bytes), for the same reason; pointer_bytes is
	 * UINT32_MAX where `s` must be read (unsized, or too large). */
	uint64_t size;
	uint32_t align;
	uint32_t pointer_bytes;
} sf_die_known_entry;

/* A string's content digest by its address in the mapped sections. */
typedef struct sf_die_string_slot {
	const char *s;
	sf_die_digest digest;
} sf_die_string_slot;

#define SF_DIE_STRING_SLOTS 16384u

/* A decl_file digest by the strings its name is joined from. */
typedef struct sf_die_file_slot {
	const char *parts[3];
	sf_die_digest digest;
} sf_die_file_slot;

#define SF_DIE_FILE_SLOTS 2048u

typedef struct sf_die_known {
	/* Open addressing (die_known.c says where a probe starts), the
	 * entries themselves in the table (a lookup per struct per unit:
	 * one cache miss, not three); s == NULL marks a free slot.
	 * Capacity is 0 or a power of two. */
	sf_die_known_entry *entries;
	size_t count;
	size_t capacity;
	/* Direct-mapped cache: member and type names repeat in every unit,
	 * and the sections stay mapped while the image loads.  NULL until
	 * first used. */
	sf_die_string_slot *strings;
	/* Direct-mapped as well: every unit names the same headers, and
	 * joining and hashing their paths again was a vmlinux load's most
	 * frequent strlen() (sf__die_file_digest()).  NULL until first used. */
	sf_die_file_slot *files;
	/* The main file's strings go in by .debug_str offset, not content:
	 * exact either way, and as good for reuse where the section holds
	 * every text once (die_batch.c says when that is assumed). */
	bool str_distinct;
} sf_die_known;

/* A definition built in this unit whose digest goes into the table once
 * the unit is merged (its canonical copy only exists then). */
typedef struct sf_die_fresh {
	sf_die_digest digest;
	sf_struct *s;
	/* What a later hit is checked against (see known_definition() in
	 * die_struct.c); the strings live as long as the unit. */
	sf_struct_kind kind;
	bool as_body;
	const char *name;
	const char *as_typedef;
	uint64_t ident;
} sf_die_fresh;

struct sf_die_ctx;

/*
 * Memory one thread's units use one after another, kept from unit to
 * unit (a loader's worker, die_batch.c): the blocks of their arenas and
 * the type cache's table.  A unit takes blocks still in cache from the
 * last one instead of malloc's, and the table is cleared over the part
 * the last unit used rather than allocated and cleared whole.  Set up
 * and released by the functions below (die_type_cache.c).
 */
typedef struct sf_die_reuse {
	sf_arena_pool pool;
	/* A table for the type cache, all slots free; NULL when none is
	 * kept.  `type_room` slots long. */
	struct sf_die_type_entry *types;
	size_t type_room;
} sf_die_reuse;

/* Most arena blocks a reuse keeps (4 MiB): more than the largest unit's
 * arena in a Debian vmlinux (1.2 MB), and a bound on what it holds. */
#define SF_DIE_REUSE_BLOCKS 64u

void sf__die_reuse_init(sf_die_reuse *reuse);
void sf__die_reuse_release(sf_die_reuse *reuse);

/* The signature of sf__die_build_struct() (die_struct.c). */
typedef int (*sf_die_struct_builder)(struct sf_die_ctx *ctx, const sf_die *d, const char *typedef_name,
				     bool nested_body, unsigned depth, sf_struct **out);

/*
 * Per-unit walk state.  Nothing here outlives the unit: cached structs and
 * names live in unit->arena, the cache and file table are released by
 * sf__die_ctx_release().  No globals, so units can be walked in parallel;
 * the cursor is the walking thread's own.
 */
typedef struct sf_die_ctx {
	const sf_debug_image *image;
	const sf_dw_image *dw;
	sf_dw_cursor *cursor;
	const sf_target *target;
	const sf_die_filter *filter;
	sf_unit *unit;
	/* sf__die_build_struct, set by sf__die_ctx_init (die_setup.c): laying
	 * out a struct type builds it, and building lays out its member
	 * types, so die_type.c calls the builder through here and the files
	 * depend one way (die_struct.c -> die_type.c). */
	sf_die_struct_builder build_struct;
	/* die key -> sf_die_type (die_type_cache.c): open addressing with
	 * the keys in the table, a probe per member and type reference. */
	struct sf_die_type_entry *types;
	size_t type_count;
	size_t type_capacity;       /* 0 or a power of two: slots in use */
	size_t type_room;           /* slots allocated (a kept table may be larger) */
	/* Where the table comes from and goes back to; NULL allocates and
	 * frees it here. */
	sf_die_reuse *reuse;
	/* Source file table of the last unit a decl_file was resolved in. */
	const sf_dw_unit *files_unit;
	sf_dw_files files;
	bool files_loaded;
	/* hits[i] set when filter glob i matched a definition; may be NULL. */
	unsigned char *hits;
	/* Where typedefs of tagged structs are listed (sf_typedef_list);
	 * NULL lists none. */
	sf_typedef_list *typedefs;
	/* Struct DIEs without a name found by the walk; built at the end
	 * unless a member or typedef claimed them first. */
	uint64_t *pending;
	size_t pending_count;
	size_t pending_capacity;
	/* Digests of decl_file values of `file_digest_unit`, by value
	 * (die_digest.c); file_digest_state[i]: 0 unknown, 1 known. */
	const sf_dw_unit *file_digest_unit;
	sf_die_digest *file_digests;
	unsigned char *file_digest_state;
	size_t file_digest_capacity;
	/* The unit the digest last took a DIE's attributes from, its end,
	 * the size of its .debug_str, and whether its strp offsets stand for
	 * their text (die_digest_attrs.c's mix_attrs_small()). */
	const sf_dw_unit *small_unit;
	const uint8_t *small_end;
	uint64_t small_str_size;
	bool small_ok;
	/* DIE key of the Rust enum variant struct being built from the walk
	 * (sf_struct.variant_view), 0 when none. */
	uint64_t variant_view_key;
	/* Worker-level reuse of definitions; NULL builds everything. */
	sf_die_known *known;
	/* The entry the last sf__die_build_struct() call answered from
	 * without reading the definition, else NULL. */
	const sf_die_known_entry *hit;
	/* The definitions the unit built with a digest, and their index by
	 * it (die_fresh.c). */
	sf_die_fresh *fresh;
	size_t fresh_count;
	size_t fresh_capacity;
	uint32_t *fresh_index;
	size_t fresh_index_capacity;
	/* DW_AT_language of the unit's root DIE, 0 when absent: it decides
	 * array lower bounds and whether the compiler orders the fields. */
	uint64_t language;
	/* Offsets of dwz-file partial units this unit imports; the image
	 * loader walks each of them once after the image's own units. */
	uint64_t *alt_imports;
	size_t alt_import_count;
	size_t alt_import_capacity;
	/* C++ only (die_scope.c): the units asked about and the root of
	 * each one's lazily listed tree of scopes (in unit->arena). */
	const sf_dw_unit **scoped_units;
	struct sf_scope_node **scope_roots;
	size_t scoped_unit_count;
} sf_die_ctx;

void sf__die_ctx_init(sf_die_ctx *ctx, const sf_debug_image *image, const sf_dw_image *dw,
		      sf_dw_cursor *cursor, const sf_die_filter *filter, sf_unit *unit);
void sf__die_ctx_release(sf_die_ctx *ctx);

/*
 * DWARF 5 section 7.12: a subrange without DW_AT_lower_bound starts at 1
 * in these languages (Fortran18, Ada2005 and Ada2012 are the codes the
 * DWARF committee added after version 5), at 0 in all others.
 */
static inline int64_t sf__die_default_lower_bound(uint64_t language)
{
	switch (language) {
	case DW_LANG_Ada83: case DW_LANG_Ada95: case 0x2e: case 0x2f:
	case DW_LANG_Cobol74: case DW_LANG_Cobol85:
	case DW_LANG_Fortran77: case DW_LANG_Fortran90: case DW_LANG_Fortran95:
	case DW_LANG_Fortran03: case DW_LANG_Fortran08: case 0x2d:
	case DW_LANG_Pascal83: case DW_LANG_Modula2: case DW_LANG_Modula3:
	case DW_LANG_PLI: case DW_LANG_Julia:
		return 1;
	default:
		return 0;
	}
}

/* rustc picks the field order of every struct not marked repr(C), and
 * DWARF does not say which ones are: every Rust struct counts as laid
 * out by the compiler, so no source reorder is proposed for any. */
static inline bool sf__die_language_reorders(uint64_t language)
{
	return language == DW_LANG_Rust;
}

/* C++ classes follow the Itanium C++ ABI's layout rules, not C's. */
static inline bool sf__die_language_cxx(uint64_t language)
{
	return language == DW_LANG_C_plus_plus || language == DW_LANG_C_plus_plus_03 ||
	       language == DW_LANG_C_plus_plus_11 || language == DW_LANG_C_plus_plus_14 ||
	       language == 0x2a /* DW_LANG_C_plus_plus_17 */ ||
	       language == 0x2b /* DW_LANG_C_plus_plus_20 */ ||
	       language == DW_LANG_ObjC_plus_plus;
}

/*
 * Tags die_walk.c does something with, or enters, when it meets them as
 * a DIE's children: definitions and typedefs, imports, and scopes that
 * may hold them (function bodies counted whatever the filter).  A
 * struct without such children is stepped over (plain_children).
 */
static inline bool sf__die_walk_acts_on(uint16_t tag)
{
	switch (tag) {
	case DW_TAG_structure_type: case DW_TAG_union_type: case DW_TAG_class_type:
	case DW_TAG_typedef: case DW_TAG_imported_unit:
	case DW_TAG_compile_unit: case DW_TAG_partial_unit: case DW_TAG_type_unit:
	case DW_TAG_namespace: case DW_TAG_module:
	case DW_TAG_subprogram: case DW_TAG_lexical_block: case DW_TAG_inlined_subroutine:
	case DW_TAG_variant_part: case DW_TAG_variant:
		return true;
	default:
		return false;
	}
}

/* ---- die_attr.c: attribute access over die_reader.h ---- */

/* "FILE: corrupt DWARF: <what> at DIE 0x..." */
int sf__die_corrupt(const sf_die_ctx *ctx, const sf_die *d, const char *what);
/* SF_EINVALID: a type chain longer than `limit` (not a cycle; those say so). */
int sf__die_too_deep(const sf_die_ctx *ctx, const sf_die *d, unsigned limit);

/* Opens the DIE at a section offset of the main file's .debug_info
 * (is_info) or .debug_types, or of the dwz file's .debug_info (alt). */
int sf__die_open(const sf_die_ctx *ctx, bool alt, uint64_t offset, bool is_info, sf_die *out);
/* DIEs own nothing; kept so call sites read like resource handling. */
static inline void sf__die_release(sf_die *d)
{
	d->raw.abbrev = NULL;
}
/* Child iteration: 1 with the DIE set, 0 at the end (cur released), <0. */
int sf__die_first_child(const sf_die_ctx *ctx, const sf_die *d, sf_die *out);
int sf__die_next_sibling(const sf_die_ctx *ctx, sf_die *cur);

int sf__die_tag(const sf_die_ctx *ctx, const sf_die *d, uint16_t *tag);
/* Each returns 1 when the attribute is present, 0 when absent, or <0. */
int sf__die_flag(const sf_die_ctx *ctx, const sf_die *d, uint16_t at, bool *out);
int sf__die_udata(const sf_die_ctx *ctx, const sf_die *d, uint16_t at, uint64_t *out);
/* Array bounds and counts: signed forms as signed, fixed-size data forms
 * as unsigned (all-ones data4/data8 meaning -1). */
int sf__die_sdata(const sf_die_ctx *ctx, const sf_die *d, uint16_t at, int64_t *out);
/* A constant that is signed whatever its form (DW_AT_bit_offset). */
int sf__die_signed(const sf_die_ctx *ctx, const sf_die *d, uint16_t at, int64_t *out);
/* Borrowed string from the section bytes, valid while the image is open. */
int sf__die_string(const sf_die_ctx *ctx, const sf_die *d, uint16_t at, const char **out);
/* Follows a reference attribute (any form, incl. sig8 and dwz alt). */
int sf__die_ref(const sf_die_ctx *ctx, const sf_die *d, uint16_t at, sf_die *out);
/* Cache key of a reference's target without opening it: 1 with *key set
 * (0 when only opening can tell, as for type signatures), 0 if absent. */
int sf__die_ref_key(const sf_die_ctx *ctx, const sf_die *d, uint16_t at, uint64_t *key);
/* DW_AT_data_member_location as a byte offset; 0 when it is an expression
 * we cannot evaluate (*known set to false). */
int sf__die_member_location(const sf_die_ctx *ctx, const sf_die *d, uint64_t *out, bool *known);
/* DW_AT_decl_file resolved through the CU's line table, or NULL. */
int sf__die_decl_file(sf_die_ctx *ctx, const sf_die *d, const char **out);
/* The name of file `value` of `d`'s line table (a DW_AT_decl_file value),
 * or NULL. */
int sf__die_file_name(sf_die_ctx *ctx, const sf_die *d, uint64_t value, const char **out);
/* What the file of DW_AT_decl_file `value` of `d` is joined from:
 * comp_dir, directory (NULL once joined, see sf_dw_files) and name.
 * 1, or 0 when the value names no file (all NULL), or <0. */
int sf__die_file_parts(sf_die_ctx *ctx, const sf_die *d, uint64_t value, const char *parts[3]);

/* die_type_cache.h: the per-unit cache of type facts by DIE key. */

/* ---- die_name.c: C spellings of types ---- */

/* Fills the name part. */
int sf__die_type_name(sf_die_ctx *ctx, const sf_die *d, unsigned depth, const sf_die_type **out);
/* Name of the DW_AT_type target of `d` (see sf__die_target_cached). */
int sf__die_target_name(sf_die_ctx *ctx, const sf_die *d, unsigned depth, const sf_die_type **out);

/* ---- die_type.c: sizes and alignments of types ---- */

/* Fills the layout part, building struct definitions it reaches
 * (through ctx->build_struct). */
int sf__die_type_layout(sf_die_ctx *ctx, const sf_die *d, unsigned depth, const sf_die_type **out);
/* Layout of the DW_AT_type target of `d` (see sf__die_target_cached). */
int sf__die_target_layout(sf_die_ctx *ctx, const sf_die *d, unsigned depth, const sf_die_type **out);

/* ---- die_typedef_chain.c ---- */

/*
 * When the DW_AT_type of `member` is a typedef: *chain gets the typedef
 * names down to the first type that is not one, " -> " between them
 * ("u32 -> __u32"), and *resolved that type's spelling ("unsigned int");
 * both NULL otherwise.  Strings in the unit's arena (or static).  0 or <0.
 */
int sf__die_typedef_chain(sf_die_ctx *ctx, const sf_die *member, unsigned depth, const char **chain,
			  const char **resolved);

/* ---- die_scope.c ---- */

/* Languages whose type names live in namespaces and classes (C++). */
bool sf__die_language_scoped(uint64_t language);
/* "a::Outer::" for a type DIE declared inside namespace a and class
 * Outer, "(anonymous namespace)::" for an unnamed namespace; NULL at file
 * scope and for every unit whose language has no scopes.  0 or <0. */
int sf__die_scope(sf_die_ctx *ctx, const sf_die *d, const char **prefix);
/* `name` with the scope prefix of `d` in front (in the unit's arena), or
 * `name` itself; NULL stays NULL.  0 or <0. */
int sf__die_qualified_name(sf_die_ctx *ctx, const sf_die *d, const char *name, const char **out);

/* ---- die_member.c ---- */

/* `s` copied into the unit's arena; NULL stays NULL.  On ENOMEM *res is
 * set to it and NULL returned. */
const char *sf__die_copy_string(sf_die_ctx *ctx, const char *s, int *res);
/*
 * Fills `out` from the member or inheritance DIE `m` (tag `tag`) of
 * `parent`; *descriptor tells that its size is the struct's to work out
 * (see sf_die_type.descriptor).  0 or <0.
 */
int sf__die_build_member(sf_die_ctx *ctx, const sf_struct *parent, const sf_die *m, uint16_t tag,
			 unsigned depth, sf_member *out, bool *descriptor);

/* ---- die_struct.c ---- */

/*
 * Builds (once) the definition at `d` into ctx->unit, after everything its
 * members contain.  `typedef_name` names an anonymous struct reached via a
 * typedef; `nested_body` marks the body of an anonymous/unnamed member.
 * *out is NULL for declarations without a reachable definition.
 */
int sf__die_build_struct(sf_die_ctx *ctx, const sf_die *d, const char *typedef_name,
			 bool nested_body, unsigned depth, sf_struct **out);
/* sf__die_build_struct(d, NULL, false) for the walk, which has read that
 * `d` is no declaration and its DW_AT_name `name` (unqualified, may be
 * NULL): a struct's first build reads neither again. */
int sf__die_build_walked_struct(sf_die_ctx *ctx, const sf_die *d, const char *name, unsigned depth,
				sf_struct **out);

/* ---- die_unsized.c ---- */

/*
 * Makes `out` (built at `location` in `parent`) a member without bytes of
 * its own when the DWARF says so (DW_AT_bit_size 0: `zero_bits`) or, in
 * Rust, when it reaches past the struct's end: size 0, and marked
 * SF_MEMBER_UNSIZED unless it is a zero-sized fn item.  0 or SF_ENOMEM.
 */
int sf__die_sizeless_member(sf_die_ctx *ctx, const sf_struct *parent, uint64_t location, bool zero_bits,
			    uint64_t bit_size, const sf_die_type *spelling, sf_member *out);
/* Sets s->unsized once its members are built; SF_EINVALID when an unsized
 * member is not the last one. */
int sf__die_mark_unsized(const sf_die_ctx *ctx, const sf_die *d, sf_struct *s);

/* ---- die_digest.c ---- */

/*
 * Digest of the definition at `d` built as sf__die_build_struct() would
 * with this typedef name (NULL for named structs) and nesting: true with
 * *out set, false when it cannot be had (a declaration, cycles, anything
 * odd), in which case the caller just builds.  Never fails the load.
 */
bool sf__die_struct_digest(sf_die_ctx *ctx, const sf_die *d, const char *typedef_name, bool nested_body,
			   sf_die_digest *out);
/* ---- die_known.c ---- */

/* The entry of a known definition with that digest and check ident
 * (its low bit aside), or NULL. */
const sf_die_known_entry *sf__die_known_find(const sf_die_known *known, const sf_die_digest *digest,
					     uint64_t ident);
/* Fetches where sf__die_known_find() will start for `ident`, if known. */
void sf__die_known_prefetch(const sf_die_known *known, uint64_t ident);
/* Records the canonical definition of a digest, with the ident of its
 * check; 0 or SF_ENOMEM. */
int sf__die_known_add(sf_die_known *known, const sf_die_digest *digest, const sf_struct *s, uint64_t ident);
void sf__die_known_release(sf_die_known *known);

/* The ident a definition built in this unit goes into the known table
 * with, once merged (die_struct.c). */
uint64_t sf__die_fresh_ident(const sf_die_fresh *fresh);
/* Adds `fresh` to ctx->fresh and its index. */
int sf__die_fresh_remember(sf_die_ctx *ctx, const sf_die_fresh *fresh);
/* The definition of ctx->fresh with this digest, or NULL. */
const sf_die_fresh *sf__die_fresh_find(const sf_die_ctx *ctx, const sf_die_digest *digest);

/* ---- die_walk.c ---- */

/* Collects every definition in the unit whose root DIE is `cu`. */
int sf__die_walk_unit(sf_die_ctx *ctx, const sf_die *cu);

#endif
