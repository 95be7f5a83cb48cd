/* ABI visibility of definitions: exported symbols of an image and the types they reach. */
#ifndef SF_DWARF_DIE_ABI_H
#define SF_DWARF_DIE_ABI_H

#include "dwarf/die_ctx.h"
#include "util/arena.h"
#include "util/hash.h"

enum { SF_ABI_FUNCTION = 1, SF_ABI_OBJECT = 2 };

typedef struct sf_abi_export {
	const char *name;
	unsigned kind;              /* SF_ABI_FUNCTION or SF_ABI_OBJECT */
} sf_abi_export;

/* Defined, non-hidden global/weak functions and variables of .dynsym. */
typedef struct sf_abi_exports {
	sf_arena *arena;
	sf_hashmap by_name;         /* name hash -> sf_abi_export */
	size_t count;
} sf_abi_exports;

/*
 * Reads the exports of the ELF file named by image->display_name (the
 * input with the code; a separate debug file's .dynsym is NOBITS).  A file
 * that cannot be opened again, or has no .dynsym, exports nothing.
 * Returns 0 or SF_ENOMEM.
 */
int sf__abi_exports_read(sf_abi_exports *exports, const sf_debug_image *image);
void sf__abi_exports_release(sf_abi_exports *exports);

/* Names of structs only declared where an export reaches them. */
typedef struct sf_abi_name {
	const char *name;
	const char *via;            /* the exported symbol that reached it */
	bool is_union;
	struct sf_abi_name *next;
} sf_abi_name;

/* What one unit's exports reach: definitions built into the walking
 * unit (to be matched against the merged model), and declared names. */
typedef struct sf_abi_marks {
	sf_struct_list structs;
	/* Index-aligned with structs: the exported symbol that reached each
	 * (in arena); via_capacity entries allocated. */
	const char **via;
	size_t via_capacity;
	sf_arena *arena;            /* for names; outlives the units */
	sf_abi_name *names;
} sf_abi_marks;

/*
 * Walks the functions and variables at the top of the unit (and in
 * namespaces) whose symbol is exported; follows their return, parameter
 * and variable types through typedefs, qualifiers, pointers and arrays
 * and, from each struct reached, through its members' types.  Function
 * bodies are not entered.  Returns 0 or a negative SF_E* code.
 */
int sf__abi_walk_unit(sf_die_ctx *ctx, const sf_die *root, const sf_abi_exports *exports,
		      sf_abi_marks *marks);

#endif
