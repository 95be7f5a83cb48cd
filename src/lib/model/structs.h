/* The type model: struct, union and class definitions with their members. */
#ifndef SF_MODEL_STRUCTS_H
#define SF_MODEL_STRUCTS_H

#include <structfit/model.h>

#include <stdbool.h>
#include <stdint.h>

#include "util/arena.h"
#include "util/hash.h"
#include "util/reaper.h"

typedef enum sf_struct_kind {
	SF_STRUCT,
	SF_UNION,
	SF_CLASS
} sf_struct_kind;

/* The C/C++ keyword of a kind: "struct", "union" or "class". */
static inline const char *sf__struct_kind_name(sf_struct_kind kind)
{
	switch (kind) {
	case SF_UNION:
		return "union";
	case SF_CLASS:
		return "class";
	case SF_STRUCT:
		break;
	}
	return "struct";
}

enum sf_member_flags {
	SF_MEMBER_BITFIELD = 1u << 0,   /* bit_size > 0 */
	SF_MEMBER_ANONYMOUS = 1u << 1,  /* unnamed struct/union member; `nested` is its body */
	SF_MEMBER_FLEXIBLE = 1u << 2,   /* array without bounds (`int x[]`) */
	SF_MEMBER_ZERO_LENGTH = 1u << 3,/* `int x[0]` (GNU) */
	SF_MEMBER_BASE_CLASS = 1u << 4, /* C++ base class subobject (DW_TAG_inheritance) */
	SF_MEMBER_UNKNOWN_TYPE = 1u << 5,/* type the model could not resolve; size from DWARF or 0 */
	/* Opaque stand-in (also UNKNOWN_TYPE, type_name "<variant part>")
	 * for a DW_TAG_variant_part (Rust enum payloads, Ada variant
	 * records): its bytes are occupied, what lies there is not modelled. */
	SF_MEMBER_VARIANT_PART = 1u << 6,
	/* The member's type is a struct, union or class only declared where
	 * it was built (`struct Base;`, or a C++ class whose key function is
	 * in another unit) and no definition of that name was found in the
	 * load: size 0, contents unknown.  Its bytes reach up to the next
	 * member (or the end), and are neither a hole nor padding. */
	SF_MEMBER_DECL_ONLY = 1u << 7,
	/* DW_AT_data_member_location was an expression (C++ virtual base:
	 * read from the vtable at run time) and the offset within the
	 * complete object could not be proven: `offset` is 0 and means
	 * nothing; the member takes no part in hole or padding counts. */
	SF_MEMBER_OFFSET_UNKNOWN = 1u << 8,
	/* C++ virtual base (DW_AT_virtuality on DW_TAG_inheritance). */
	SF_MEMBER_VIRTUAL_BASE = 1u << 9,
	/* A virtual base of a base, which DWARF does not list in the class
	 * itself; added by sf__struct_place_virtual_bases(), with
	 * BASE_CLASS and VIRTUAL_BASE, after the members DWARF lists. */
	SF_MEMBER_INDIRECT_VBASE = 1u << 10,
	/* Dynamically sized (a Rust struct's last field of type [T], str or
	 * dyn Trait, or a struct ending in one): `size` is 0 and the real
	 * size is only known at run time, so no hole or padding comes from it. */
	SF_MEMBER_UNSIZED = 1u << 11
};

struct sf_struct;

/*
 * One member as declared.  Invariants:
 * - offset + size never overflows (checked on load);
 * - bitfields: bit_size > 0, `size` is sizeof the declared type, `offset`
 *   is the byte offset of the aligned storage unit of that type containing
 *   the field's first bit (what pahole and the C ABI call the unit), and
 *   bit_offset is the field's first bit counted from the start of the
 *   struct in memory order: on little-endian bit 0 is the least significant
 *   bit of byte 0, on big-endian the most significant one.  Both DWARF
 *   encodings (DW_AT_data_bit_offset and DW_AT_bit_offset+DW_AT_byte_size)
 *   are normalised to this on load.
 * - ordinary members: bit_size == 0 and bit_offset == offset * 8.
 */
typedef struct sf_member {
	const char *name;           /* NULL when anonymous */
	const char *type_name;      /* C spelling: "char[16]", "struct foo *", "int (*)(void)" */
	uint64_t offset;            /* bytes from the start of the struct */
	uint64_t size;              /* bytes; 0 for flexible arrays */
	uint64_t bit_offset;        /* see above */
	uint32_t bit_size;          /* 0 unless a bitfield */
	uint32_t type_align;        /* ABI alignment of the declared type inside a struct on this target */
	uint32_t explicit_align;    /* DW_AT_alignment of the member (or its typedef), 0 if none */
	/* explicit_align is the member's own attribute, which survives
	 * packing of the enclosing struct; a type's aligned(N) does not. */
	bool align_on_member;
	uint32_t align;             /* effective alignment here: 1 for members of an inferred packed struct */
	uint32_t decl_line;         /* 0 when unknown */
	uint32_t flags;             /* sf_member_flags */
	/* Struct/union type of the member after typedefs and qualifiers (not
	 * through arrays or pointers); for anonymous members their body. */
	const struct sf_struct *nested;
	/* Element struct for arrays of structs, so nested padding can be seen. */
	const struct sf_struct *element;
	/* Only with sf_load_options.typedef_chains, for a member whose type is
	 * a typedef: "u32 -> __u32", the typedefs from the member's down to
	 * the first type that is not one, and that type's spelling
	 * ("unsigned int", "long int[8]"); NULL otherwise.  Not part of the
	 * layout identity. */
	const char *typedef_chain;
	const char *resolved_type_name;
	/* Bytes from the member's start to the end of its last word holding
	 * a pointer (pointers, and structs and arrays containing them), 0
	 * when it holds none: what Go's garbage collector must scan of it
	 * (the runtime's "ptrdata").  Not part of the layout identity. */
	uint64_t pointer_bytes;
} sf_member;

/*
 * One definition.  Invariants:
 * - members are in declaration order (DWARF order), member_count of them;
 *   that need not be memory order (rustc reorders fields), see
 *   compiler_reorders;
 * - align is a power of two >= 1;
 * - canonical definitions live in the model's arena and never change after
 *   merge; per-unit copies point `canonical` at the model's copy.
 */
typedef struct sf_struct {
	sf_struct_kind kind;
	const char *name;           /* NULL when anonymous */
	const char *typedef_name;   /* `typedef struct {...} name;`, else NULL */
	uint64_t size;
	uint32_t align;             /* explicit, or inferred from members and size */
	uint32_t explicit_align;    /* DW_AT_alignment on the type, 0 if none */
	/* sf__struct_pointer_bytes() as the DWARF loader finished the
	 * definition (0 from other loaders): a member of this type takes it
	 * from here.  Walking the members again for every unit that reuses
	 * the definition read memory far from everything else the load
	 * touches (a quarter of a vmlinux load's cache misses). */
	uint64_t loaded_pointer_bytes;
	bool packed;                /* inferred: offsets or size violate natural alignment */
	/* packed is a guess: an aligned(N) below the members' alignment on
	 * a layout packing reproduces, which an unpacked struct has too. */
	bool maybe_packed;
	bool over_aligned;          /* inferred alignment larger than any member's */
	/* False when DWARF allows another alignment than `align`: a packed
	 * struct whose members sit at their natural offsets looks unpacked,
	 * see sf__struct_infer_alignment().  Derived, not part of the layout
	 * identity. */
	bool align_certain;
	/* The producer's language lets the compiler choose the field order
	 * (Rust without repr(C)): declaration order means nothing for the
	 * layout and reordering the source changes nothing.  Not part of
	 * the layout identity. */
	bool compiler_reorders;
	/* Some member is an SF_MEMBER_VARIANT_PART stand-in. */
	bool has_variant_part;
	/* A dynamically sized type: some member is SF_MEMBER_UNSIZED, or it
	 * is a Rust trait object type.  `size` covers the statically known
	 * part only; there is no tail padding to speak of. */
	bool unsized;
	/* The struct of one variant of a Rust enum (rustc nests them in the
	 * enum's DIE, next to its variant part): a view of the enum's bytes,
	 * where those outside its fields hold the tag or other variants'
	 * fields, so they are neither holes nor padding. */
	bool variant_view;
	/* Defined in C++ (any DW_LANG_C_plus_plus*): the Itanium C++ ABI
	 * places it (bases, empty subobjects, tail padding reuse), see
	 * layout/place_cxx.h.  Not part of the layout identity. */
	bool cxx;
	/* Defined in Go (DW_LANG_Go): printed in Go syntax, and reordering
	 * minimises the garbage collector's pointer bytes after the size
	 * (reorder/go_objective.c).  Not part of the layout identity. */
	bool go;
	/* C++: not POD for the purpose of layout (C++03 POD) by what DWARF
	 * lists besides bases and a vptr: a non-public data member or a
	 * user-declared constructor, destructor or copy assignment.  The
	 * hint: such a member declared `= default`, which may or may not
	 * count.  Neither is part of the layout identity. */
	bool cxx_nonpod;
	bool cxx_nonpod_hint;
	const char *decl_file;      /* as the producer recorded it; NULL when unknown */
	uint32_t decl_line;
	uint32_t file_index;        /* first input it was found in */
	uint32_t member_count;
	sf_member *members;
	uint64_t hash;              /* layout identity, see sf__struct_hash() */
	/* Merge bookkeeping. */
	struct sf_struct *canonical;       /* per-unit copy -> model copy */
	const struct sf_struct *conflict;  /* next definition with the same kind+name but another layout */
	bool is_conflicting;               /* some other definition shares kind+name */
	bool is_nested_body;               /* body of an anonymous member, not listed on its own */
	/*
	 * Reachable from an exported symbol of the input it came from: a
	 * defined, not hidden, global/weak STT_FUNC in .dynsym whose
	 * external DW_TAG_subprogram (matched by DW_AT_linkage_name or
	 * DW_AT_name) takes or returns it, or an STT_OBJECT in .dynsym of
	 * its type; directly or through typedefs, qualifiers, pointers,
	 * references and arrays, and through the members (by value or
	 * pointer) of a struct that is visible itself, since callers reach
	 * those too.  A struct only declared where an export reaches it makes
	 * every definition of that kind and name visible.  Only inputs with a
	 * .dynsym can make anything visible: relocatable objects, static
	 * executables and separate debug files given alone (their .dynsym is
	 * NOBITS) never do.  On canonical definitions it is the OR over every
	 * definition merged into them; it is not part of the layout identity
	 * (sf__struct_hash/sf__struct_same).  Only set when
	 * sf_load_options.want_abi asks for it (the default).
	 */
	bool abi_visible;
	/* When abi_visible: the first exported symbol found to reach it (its
	 * DWARF name), so a refusal can say "via foo_apply"; NULL when not
	 * known.  Not part of the layout identity either. */
	const char *abi_via;
} sf_struct;

/* A member with bits of its own (a zero bit_size is an ordinary member). */
static inline bool sf__member_is_bitfield(const sf_member *m)
{
	return (m->flags & SF_MEMBER_BITFIELD) && m->bit_size > 0;
}

/* A member whose type the unit only declared, still without a size
 * (resolve.c gives it the definition another unit has). */
static inline bool sf__member_unresolved(const sf_member *m)
{
	return (m->flags & SF_MEMBER_DECL_ONLY) && m->size == 0;
}

/* Growable list of struct pointers. */
typedef struct sf_struct_list {
	sf_struct **items;
	size_t count;
	size_t capacity;
} sf_struct_list;

int sf__struct_list_push(sf_struct_list *list, sf_struct *s);
void sf__struct_list_free(sf_struct_list *list);

/*
 * Storage of one compilation unit (or any batch) before merging: its own
 * arena and the structs in dependency order (a struct after every struct
 * its members refer to), so merging can remap pointers in one pass.
 */
typedef struct sf_unit {
	sf_arena *arena;
	sf_struct_list structs;
	uint32_t file_index;
} sf_unit;

int sf__unit_init(sf_unit *unit, uint32_t file_index);
/* With its arena's blocks from `pool` (sf__arena_new_pooled; may be NULL). */
int sf__unit_init_pooled(sf_unit *unit, uint32_t file_index, sf_arena_pool *pool);
void sf__unit_release(sf_unit *unit);

/*
 * A typedef naming a struct, union or class that has a tag of its own
 * (`typedef struct _typeobject PyTypeObject;`), so -C finds the struct by
 * either name.  `target` is the struct's name as reported (qualified in
 * C++).  Typedefs of anonymous structs are not listed: they are the
 * struct's typedef_name.
 */
typedef struct sf_typedef_alias {
	const char *alias;
	const char *target;
	bool is_union;
} sf_typedef_alias;

/* Each (alias, target, is_union) once, in the order first added; the
 * strings are copies in `arena`, the set maps their hash to index + 1. */
typedef struct sf_typedef_list {
	sf_typedef_alias *items;
	size_t count;
	size_t capacity;
	sf_hashmap set;
	sf_arena *arena;
} sf_typedef_list;

/* Adds the pair unless present (copying the strings).  0 or SF_ENOMEM. */
int sf__typedef_list_add(sf_typedef_list *list, const char *alias, const char *target, bool is_union);
/* Adds every pair of `from`.  0 or SF_ENOMEM. */
int sf__typedef_list_merge(sf_typedef_list *into, const sf_typedef_list *from);
/* Frees the storage and empties the list; the struct may be reused. */
void sf__typedef_list_free(sf_typedef_list *list);

struct sf_model {
	sf_arena *arena;            /* canonical structs, members and strings */
	sf_file_info *files;
	size_t file_count;
	size_t file_capacity;
	sf_struct_list structs;     /* canonical top-level definitions, first-seen order */
	sf_hashmap by_hash;         /* layout hash -> canonical struct (nested bodies too) */
	sf_hashmap by_name;         /* kind+name hash -> first definition with that name */
	/* Loader bookkeeping: when set, every definition copied into this
	 * model (nested bodies too) is also appended here, in merge order. */
	sf_struct_list *added;
	/* A loader's private per-thread model skips the same-name bookkeeping
	 * (conflicts are found when the image's model is built). */
	bool skip_conflicts;
	/* Canonical top-level definitions sf__model_resolve_declared() may
	 * complete (sf__struct_needs_resolution()). */
	sf_struct_list declared;
	/* Typedef names of tagged structs found in the inputs. */
	sf_typedef_list typedefs;
	/* Frees the end of a threaded load left behind (see reaper.h);
	 * NULL until such a load, and for single-threaded ones. */
	sf_reaper *reaper;
};

/* Layout identity: kind, name, size, align and every member's name, type
 * name, offset and bits, anonymous bodies included. */
uint64_t sf__struct_hash(const sf_struct *s);
bool sf__struct_same(const sf_struct *a, const sf_struct *b);

/*
 * Fills align, packed, over_aligned and each member's align from the
 * members' type_align/explicit_align, offsets and the size, using the
 * C ABI's rules.  Call once all members are set; nested bodies first.
 */
void sf__struct_infer_alignment(sf_struct *s);

/*
 * True when laying the members out as a packed struct does (each right
 * after the previous one, bitfields bit by bit, explicit alignments kept)
 * gives exactly their offsets and the size.
 */
bool sf__struct_packing_reproduces(const sf_struct *s);

/*
 * False when a member lies (partly) outside the struct, which no compiler
 * produces; `why` then holds a one-line description.
 */
bool sf__struct_members_fit(const sf_struct *s, char *why, size_t why_size);

/* Registers an input; returns its index or -1 on ENOMEM. Strings are copied. */
int sf__model_add_file(sf_model *model, const sf_file_info *info);

/* The model's reaper for a load with `jobs` threads (0: one per CPU):
 * NULL for one thread, where waiting for the frees costs the same as
 * doing them, or when none can be made. */
sf_reaper *sf__model_reaper(sf_model *model, unsigned jobs);

/*
 * Moves every struct of `unit` into the model: duplicates collapse onto the
 * existing canonical definition, new ones are deep-copied into the model's
 * arena, same-name-different-layout definitions are chained as conflicts.
 * The unit may be released afterwards.  Returns 0 or SF_ENOMEM.
 */
int sf__model_merge_unit(sf_model *model, sf_unit *unit);

/*
 * sf__model_merge_unit() without the copies, for a unit built for this
 * model alone (a BTF image, already deduplicated: copying was most of the
 * merge): new definitions become canonical where they are, and the unit's
 * arena moves into the model's, so every string and member array of its
 * structs must live in that arena (or be static).  Duplicates still
 * collapse onto earlier definitions.  The unit's structs must not be used
 * as per-unit copies afterwards; release the unit.  0 or SF_ENOMEM (the
 * model then holds part of the unit, as after a failed merge).
 */
int sf__model_adopt_unit(sf_model *model, sf_unit *unit);

/*
 * Merges structs of another model (`list`, each after every struct its
 * members point at, as sf_model.added collects them) into `model` without
 * writing to them: `map` (pointer -> canonical in `model`) is filled for
 * each and used to translate member pointers, and persists across calls
 * so later lists may point at structs of earlier ones.  Returns 0 or
 * SF_ENOMEM.
 */
int sf__model_merge_foreign(sf_model *model, const sf_struct_list *list, sf_hashmap *map,
			    uint32_t file_index);

/* The canonical definition with the layout of `s` (a struct of another
 * model or unit, its nested bodies compared by content), or NULL. */
sf_struct *sf__model_find(const sf_model *model, const sf_struct *s);

/* "const struct ns::Base" -> "ns::Base" (a pointer into the argument)
 * with *is_union; NULL when the spelling is not a plain tagged name. */
const char *sf__declared_name(const char *type_name, bool *is_union);

/*
 * C++ classes with virtual bases (vbase.c): gives the direct virtual
 * bases their offset in the complete object and appends the indirect
 * ones, when the Itanium ABI's placement reproduces the DWARF size;
 * otherwise they stay SF_MEMBER_OFFSET_UNKNOWN.  Non-virtual bases with
 * virtual bases of their own get their non-virtual size.  Call once the
 * members and the structs they point at are built, before
 * sf__struct_infer_alignment(); new member arrays come from `arena`.
 * 0 or SF_ENOMEM.
 */
int sf__struct_place_virtual_bases(sf_struct *s, sf_arena *arena);

/* Gives C++ base class members the bytes they really take in `s`: their
 * non-virtual size when they have virtual bases or when `s` keeps members
 * in their tail padding (vbase.c).  No-op for structs without bases. */
void sf__struct_fit_bases(sf_struct *s);

/* True when a member of `s` is SF_MEMBER_DECL_ONLY and still unsized. */
bool sf__struct_has_declared(const sf_struct *s);
/* True when a virtual base of `s` has no offset yet. */
bool sf__struct_vbase_unplaced(const sf_struct *s);
/* Either of the two: its bases or members may be resolved (declared.c,
 * below model.c's merging; resolve.c above both does the resolving). */
bool sf__struct_needs_resolution(const sf_struct *s);

/* First canonical top-level definition named `name` (struct and class
 * alike, or union), whose `conflict` chain holds the other layouts. */
const sf_struct *sf__model_first_named(const sf_model *model, const char *name, bool is_union);

/*
 * Gives SF_MEMBER_DECL_ONLY members of the model's definitions the
 * definition of their type the model now has (see resolve.c), merging
 * definitions that thereby become equal.  The loader calls it after each
 * input; changed definitions keep their place.  0 or SF_ENOMEM.
 */
int sf__model_resolve_declared(sf_model *model);

/* Removes definitions whose `canonical` was pointed at an equal one,
 * redirecting every member to it and rebuilding the indexes. */
int sf__model_drop_collapsed(sf_model *model);

/* Like sf__model_find() for a canonical `s` that changed: another
 * canonical definition with its layout, or NULL. */
sf_struct *sf__model_find_other(const sf_model *model, const sf_struct *s);

/* Bytes of `s` up to the end of its last pointer-holding word (Go's
 * "ptrdata"): the largest member offset + pointer_bytes, 0 without pointers. */
static inline uint64_t sf__struct_pointer_bytes(const sf_struct *s)
{
	uint64_t end = 0;

	for (uint32_t i = 0; i < s->member_count; i++) {
		const sf_member *m = &s->members[i];
		if (m->pointer_bytes && !(m->flags & SF_MEMBER_OFFSET_UNKNOWN) &&
		    m->offset + m->pointer_bytes > end)
			end = m->offset + m->pointer_bytes;
	}
	return end;
}

/* Canonical definitions, for the analysis stages. */
static inline const sf_struct_list *sf__model_structs(const sf_model *model)
{
	return &model->structs;
}

#endif
