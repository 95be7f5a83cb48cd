/* ABI visibility: which definitions an input's exported functions and variables expose. */
#include "dwarf/die_abi.h"

#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/fail.h"

/*
 * What a shared object exports is its .dynsym: defined, global or weak,
 * not hidden or internal.  The separate debug file keeps .dynsym only as
 * NOBITS, so the symbols come from the image with the code (the input the
 * user named), opened again here: the input layer keeps no symbol tables.
 * Relocatable objects have no .dynsym, so nothing in them is exported.
 *
 * An executable's .dynsym also holds, as defined objects, the library
 * variables it uses (stdin, stdout, environ, optarg): the linker reserves
 * room for them in the executable's .bss and a copy relocation fills it at
 * load time.  They belong to the library's interface, not the program's,
 * so the targets of copy relocations are not exports.  What an executable
 * really exports (with -rdynamic, or a symbol a linked library refers to)
 * stays under the "defined in .dynsym" rule, PIE or not.
 */

/* The copy relocation of the machine, or 0 where there is none. */
static unsigned copy_reloc_type(unsigned machine)
{
	switch (machine) {
	case EM_X86_64: return R_X86_64_COPY;
	case EM_386: return R_386_COPY;
	case EM_ARM: return R_ARM_COPY;
	case EM_AARCH64: return R_AARCH64_COPY;
	case EM_S390: return R_390_COPY;
	case EM_PPC64: return R_PPC64_COPY;
	case EM_PPC: return R_PPC_COPY;
	case EM_RISCV: return R_RISCV_COPY;
	case EM_SPARC:
	case EM_SPARC32PLUS:
	case EM_SPARCV9: return R_SPARC_COPY;
	case EM_MIPS: return R_MIPS_COPY;
	default: return 0;
	}
}

static uint64_t name_hash(const char *name)
{
	return sf__hash_str(SF_HASH_SEED, name);
}

static int add_export(sf_abi_exports *exports, const char *name, unsigned kind)
{
	sf_abi_export *e = sf__arena_alloc(exports->arena, sizeof(*e));
	if (!e || !(e->name = sf__arena_strdup(exports->arena, name)) ||
	    sf__hashmap_insert(&exports->by_name, name_hash(name), e) < 0)
		return sf__fail(SF_ENOMEM, "out of memory");
	e->kind = kind;
	exports->count++;
	return 0;
}

/*
 * Sets copied[i] for each symbol i of the dynamic symbol table (section
 * index `dynsym`, `count` symbols) that a copy relocation targets.  The
 * relocation sections linked to it (.rela.dyn, .rel.dyn) are read
 * entry by entry through libelf, which checks their bounds; indexes out of
 * the table are ignored.
 */
static void mark_copied(Elf *elf, size_t dynsym, size_t count, bool *copied)
{
	GElf_Ehdr ehdr;
	unsigned copy;
	Elf_Scn *scn = NULL;

	if (!gelf_getehdr(elf, &ehdr) || (copy = copy_reloc_type(ehdr.e_machine)) == 0)
		return;
	while ((scn = elf_nextscn(elf, scn)) != NULL) {
		GElf_Shdr shdr;
		Elf_Data *data;
		size_t entries;

		if (!gelf_getshdr(scn, &shdr) || (shdr.sh_type != SHT_RELA && shdr.sh_type != SHT_REL) ||
		    shdr.sh_link != dynsym || shdr.sh_entsize == 0)
			continue;
		data = elf_getdata(scn, NULL);
		if (!data || !data->d_buf)
			continue;
		entries = data->d_size / shdr.sh_entsize;
		for (size_t i = 0; i < entries && i <= INT_MAX; i++) {
			GElf_Rela rela;
			GElf_Rel rel;
			uint64_t info;

			if (shdr.sh_type == SHT_RELA) {
				if (!gelf_getrela(data, (int)i, &rela))
					break;
				info = rela.r_info;
			} else {
				if (!gelf_getrel(data, (int)i, &rel))
					break;
				info = rel.r_info;
			}
			/* gelf_* widen ELF32 r_info to the ELF64 layout. */
			if (GELF_R_TYPE(info) == copy && GELF_R_SYM(info) < count)
				copied[GELF_R_SYM(info)] = true;
		}
	}
}

static int read_dynsym(sf_abi_exports *exports, Elf *elf)
{
	Elf_Scn *scn = NULL;
	int res = 0;

	while ((scn = elf_nextscn(elf, scn)) != NULL && res >= 0) {
		GElf_Shdr shdr;
		Elf_Data *data;
		size_t count;
		bool *copied;

		if (!gelf_getshdr(scn, &shdr) || shdr.sh_type != SHT_DYNSYM || shdr.sh_entsize == 0)
			continue;
		data = elf_getdata(scn, NULL);
		if (!data || !data->d_buf)
			continue;
		count = data->d_size / shdr.sh_entsize;
		if (count < 2)
			continue;
		if (count > INT_MAX)
			count = INT_MAX;
		copied = sf__arena_calloc(exports->arena, count, sizeof(*copied));
		if (!copied)
			return sf__fail(SF_ENOMEM, "out of memory");
		mark_copied(elf, elf_ndxscn(scn), count, copied);
		for (size_t i = 1; i < count && res >= 0; i++) {
			GElf_Sym sym;
			const char *name;
			unsigned type, bind, vis, kind;

			if (!gelf_getsym(data, (int)i, &sym))
				break;
			type = GELF_ST_TYPE(sym.st_info);
			bind = GELF_ST_BIND(sym.st_info);
			vis = GELF_ST_VISIBILITY(sym.st_other);
			if (copied[i] || sym.st_shndx == SHN_UNDEF || (bind != STB_GLOBAL && bind != STB_WEAK &&
							  bind != STB_GNU_UNIQUE) ||
			    vis == STV_HIDDEN || vis == STV_INTERNAL)
				continue;
			if (type == STT_FUNC || type == STT_GNU_IFUNC)
				kind = SF_ABI_FUNCTION;
			else if (type == STT_OBJECT || type == STT_TLS)
				kind = SF_ABI_OBJECT;
			else
				continue;
			name = elf_strptr(elf, shdr.sh_link, sym.st_name);
			if (name && name[0])
				res = add_export(exports, name, kind);
		}
	}
	return res;
}

int sf__abi_exports_read(sf_abi_exports *exports, const sf_debug_image *image)
{
	Elf *elf = NULL;
	int fd = -1, res = 0;

	memset(exports, 0, sizeof(*exports));
	if (sf__arena_new(&exports->arena) < 0)
		return sf__fail(SF_ENOMEM, "out of memory");
	/* An unreadable or non-ELF path (stdin, an archive member's
	 * display name) simply exports nothing. */
	if (!image->display_name || elf_version(EV_CURRENT) == EV_NONE)
		return 0;
	fd = open(image->display_name, O_RDONLY);
	if (fd < 0)
		return 0;
	elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (elf && elf_kind(elf) == ELF_K_ELF)
		res = read_dynsym(exports, elf);
	elf_end(elf);
	close(fd);
	return res;
}

void sf__abi_exports_release(sf_abi_exports *exports)
{
	sf__hashmap_free(&exports->by_name);
	sf__arena_free(exports->arena);
	memset(exports, 0, sizeof(*exports));
}

static const sf_abi_export *export_find(const sf_abi_exports *exports, const char *name)
{
	uint64_t hash;
	size_t cursor = 0;
	const sf_abi_export *e;

	if (!name || !exports->count)
		return NULL;
	hash = name_hash(name);
	while ((e = sf__hashmap_next(&exports->by_name, hash, &cursor)))
		if (strcmp(e->name, name) == 0)
			return e;
	return NULL;
}

/* ---- marking through the type graph of one unit ---- */

typedef struct abi_walk {
	sf_die_ctx *ctx;
	sf_abi_marks *marks;
	sf_hashmap visited;         /* die keys already followed */
	const char *symbol;         /* the export being followed (marks->arena) */
} abi_walk;

static bool first_visit(abi_walk *w, uint64_t key, int *res)
{
	uint64_t hash = sf__die_key_hash(key);
	size_t cursor = 0;
	uint64_t *seen;

	while ((seen = sf__hashmap_next(&w->visited, hash, &cursor)))
		if (*seen == key)
			return false;
	seen = sf__arena_alloc(w->ctx->unit->arena, sizeof(*seen));
	if (!seen || sf__hashmap_insert(&w->visited, hash, seen) < 0) {
		*res = sf__fail(SF_ENOMEM, "out of memory");
		return false;
	}
	*seen = key;
	return true;
}

static int push_struct(abi_walk *w, sf_struct *s)
{
	sf_abi_marks *marks = w->marks;

	if (sf__struct_list_push(&marks->structs, s) < 0)
		return sf__fail(SF_ENOMEM, "out of memory");
	if (marks->via_capacity < marks->structs.capacity) {
		const char **more = realloc(marks->via, marks->structs.capacity * sizeof(*more));
		if (!more)
			return sf__fail(SF_ENOMEM, "out of memory");
		marks->via = more;
		marks->via_capacity = marks->structs.capacity;
	}
	marks->via[marks->structs.count - 1] = w->symbol;
	return 0;
}

static int follow_type(abi_walk *w, const sf_die *d, unsigned depth);

/* A definition found: it is visible, and so is whatever its members
 * reach, by value or through pointers (callers can get at them). */
static int mark_struct(abi_walk *w, const sf_die *d, unsigned depth)
{
	const sf_die_type *layout = NULL;
	sf_die child;
	int res = sf__die_type_layout(w->ctx, d, depth, &layout);

	if (res < 0)
		return res;
	if (layout->nested) {
		res = push_struct(w, layout->nested);
	} else {
		/* Only declared here: every definition of that name counts. */
		const char *name = NULL;
		uint16_t tag = 0;
		sf__die_tag(w->ctx, d, &tag);
		res = sf__die_string(w->ctx, d, DW_AT_name, &name);
		/* Definitions go by their qualified name (`ns::S`). */
		if (res > 0 && name) {
			int qualified = sf__die_qualified_name(w->ctx, d, name, &name);
			if (qualified < 0)
				return qualified;
		}
		if (res > 0 && name) {
			sf_abi_name *n = sf__arena_alloc(w->marks->arena, sizeof(*n));
			if (!n || !(n->name = sf__arena_strdup(w->marks->arena, name)))
				return sf__fail(SF_ENOMEM, "out of memory");
			n->is_union = tag == DW_TAG_union_type;
			n->via = w->symbol;
			n->next = w->marks->names;
			w->marks->names = n;
		}
		return res < 0 ? res : 0;
	}
	if (res < 0)
		return res;
	res = sf__die_first_child(w->ctx, d, &child);
	while (res > 0) {
		uint16_t tag = 0;
		sf__die_tag(w->ctx, &child, &tag);
		if (tag == DW_TAG_member || tag == DW_TAG_inheritance) {
			sf_die type;
			res = sf__die_ref(w->ctx, &child, DW_AT_type, &type);
			if (res > 0)
				res = follow_type(w, &type, depth + 1);
			if (res < 0)
				break;
		}
		res = sf__die_next_sibling(w->ctx, &child);
	}
	return res < 0 ? res : 0;
}

/* Through typedefs, qualifiers, pointers, references and arrays to the
 * struct, union or class at the end of the chain. */
static int follow_type(abi_walk *w, const sf_die *d, unsigned depth)
{
	uint16_t tag = 0;
	sf_die next;
	int res = 0;

	if (depth > SF_DIE_MAX_DEPTH)
		return sf__die_corrupt(w->ctx, d, "type chain too deep");
	if (!first_visit(w, sf__die_key(d), &res))
		return res;
	sf__die_tag(w->ctx, d, &tag);
	switch (tag) {
	case DW_TAG_structure_type:
	case DW_TAG_union_type:
	case DW_TAG_class_type:
		return mark_struct(w, d, depth);
	case DW_TAG_typedef: {
		/* Lays out `typedef struct {...} name` under its typedef name
		 * first, as the load did, so the body matches the merged one. */
		const sf_die_type *layout = NULL;
		res = sf__die_type_layout(w->ctx, d, depth, &layout);
		if (res < 0)
			return res;
	}
		/* fall through */
	case DW_TAG_const_type:
	case DW_TAG_volatile_type:
	case DW_TAG_restrict_type:
	case DW_TAG_atomic_type:
	case DW_TAG_pointer_type:
	case DW_TAG_reference_type:
	case DW_TAG_rvalue_reference_type:
	case DW_TAG_array_type:
		res = sf__die_ref(w->ctx, d, DW_AT_type, &next);
		if (res > 0)
			res = follow_type(w, &next, depth + 1);
		return res < 0 ? res : 0;
	default:
		return 0;
	}
}

/* DW_AT_type of `d`, or of what its abstract origin or specification
 * declares (out-of-line copies and definitions of declared functions
 * keep the type on the other DIE). */
static int follow_typed(abi_walk *w, const sf_die *d)
{
	static const uint16_t links[] = { DW_AT_abstract_origin, DW_AT_specification };
	sf_die type, origin;
	int res = sf__die_ref(w->ctx, d, DW_AT_type, &type);

	if (res > 0)
		return follow_type(w, &type, 0);
	for (size_t i = 0; res == 0 && i < sizeof(links) / sizeof(links[0]); i++) {
		res = sf__die_ref(w->ctx, d, links[i], &origin);
		if (res > 0) {
			res = sf__die_ref(w->ctx, &origin, DW_AT_type, &type);
			if (res > 0)
				return follow_type(w, &type, 0);
		}
	}
	return res < 0 ? res : 0;
}

/* The symbol name of a function or variable DIE, looking through the
 * declaration it completes. */
static int symbol_name(abi_walk *w, const sf_die *d, const char **linkage, const char **name)
{
	sf_die spec;
	int res = sf__die_string(w->ctx, d, DW_AT_linkage_name, linkage);

	if (res == 0)
		res = sf__die_string(w->ctx, d, DW_AT_MIPS_linkage_name, linkage);
	if (res >= 0)
		res = sf__die_string(w->ctx, d, DW_AT_name, name);
	if (res < 0 || *name || *linkage)
		return res < 0 ? res : 0;
	res = sf__die_ref(w->ctx, d, DW_AT_specification, &spec);
	if (res == 0)
		res = sf__die_ref(w->ctx, d, DW_AT_abstract_origin, &spec);
	if (res <= 0)
		return res;
	res = sf__die_string(w->ctx, &spec, DW_AT_linkage_name, linkage);
	if (res >= 0)
		res = sf__die_string(w->ctx, &spec, DW_AT_name, name);
	return res < 0 ? res : 0;
}

/* Static functions and variables may share an exported one's name. */
static int is_external(abi_walk *w, const sf_die *d, bool *yes)
{
	static const uint16_t links[] = { DW_AT_specification, DW_AT_abstract_origin };
	int res = sf__die_flag(w->ctx, d, DW_AT_external, yes);

	for (size_t i = 0; res == 0 && i < sizeof(links) / sizeof(links[0]); i++) {
		sf_die origin;
		res = sf__die_ref(w->ctx, d, links[i], &origin);
		if (res > 0)
			return sf__die_flag(w->ctx, &origin, DW_AT_external, yes);
	}
	return res;
}

static int visit_symbol(abi_walk *w, const sf_abi_exports *exports, const sf_die *d, uint16_t tag)
{
	const char *linkage = NULL, *name = NULL;
	const sf_abi_export *e;
	unsigned want = tag == DW_TAG_subprogram ? SF_ABI_FUNCTION : SF_ABI_OBJECT;
	sf_die child;
	int res = symbol_name(w, d, &linkage, &name);

	if (res < 0)
		return res;
	e = export_find(exports, linkage);
	if (!e)
		e = export_find(exports, name);
	if (!e || e->kind != want)
		return 0;
	{
		bool external = false;
		res = is_external(w, d, &external);
		if (res < 0 || !external)
			return res < 0 ? res : 0;
	}
	w->symbol = sf__arena_strdup(w->marks->arena, name ? name : e->name);
	if (!w->symbol)
		return sf__fail(SF_ENOMEM, "out of memory");
	/* The return type or the variable's type. */
	res = follow_typed(w, d);
	if (res < 0 || tag != DW_TAG_subprogram)
		return res;
	/* Parameters only: the body's DIEs are not part of the interface. */
	res = sf__die_first_child(w->ctx, d, &child);
	while (res > 0) {
		uint16_t child_tag = 0;
		sf__die_tag(w->ctx, &child, &child_tag);
		if (child_tag == DW_TAG_formal_parameter) {
			res = follow_typed(w, &child);
			if (res < 0)
				break;
		}
		res = sf__die_next_sibling(w->ctx, &child);
	}
	return res < 0 ? res : 0;
}

static int walk_scope(abi_walk *w, const sf_abi_exports *exports, const sf_die *scope, unsigned depth)
{
	sf_die child;
	int res;

	if (depth > SF_DIE_MAX_DEPTH)
		return sf__die_corrupt(w->ctx, scope, "DIE tree too deep");
	res = sf__die_first_child(w->ctx, scope, &child);
	while (res > 0) {
		uint16_t tag = 0;
		sf__die_tag(w->ctx, &child, &tag);
		if (tag == DW_TAG_subprogram || tag == DW_TAG_variable)
			res = visit_symbol(w, exports, &child, tag);
		else if (tag == DW_TAG_namespace)
			res = walk_scope(w, exports, &child, depth + 1);
		if (res < 0)
			break;
		res = sf__die_next_sibling(w->ctx, &child);
	}
	return res < 0 ? res : 0;
}

int sf__abi_walk_unit(sf_die_ctx *ctx, const sf_die *root, const sf_abi_exports *exports,
		      sf_abi_marks *marks)
{
	abi_walk w = { .ctx = ctx, .marks = marks };
	int res = walk_scope(&w, exports, root, 0);
	sf__hashmap_free(&w.visited);
	return res;
}
