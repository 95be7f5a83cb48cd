/* dwarf_ref: an independent reference for the struct layouts structfit
 * decodes, read through libdwarf (its own ELF reader, relocations and
 * section decompression) and nothing of structfit's library.
 *
 * Usage: dwarf_ref FILE
 *
 * For every named struct, union and class definition of every unit of
 * .debug_info and .debug_types it prints one line
 *
 *     S <TAB> kind <TAB> name <TAB> byte_size
 *
 * then one line per data member (DW_TAG_member that is not a static
 * member's declaration) and base class (DW_TAG_inheritance):
 *
 *     M|B <TAB> name <TAB> location <TAB> bit_offset <TAB> bit_size <TAB> type_size
 *
 * `name` is empty when the member has none.  `location` is
 * DW_AT_data_member_location as a constant (also the one-operation
 * DW_OP_plus_uconst expression DWARF 2/3 producers emit), "?" for any
 * other expression or a location list, and 0 when absent.  Bitfields have
 * `bit_offset` counted from the start of the struct in memory order (bit 0
 * is the least significant bit of byte 0 on little-endian targets and the
 * most significant one on big-endian targets), normalised from either
 * DW_AT_data_bit_offset or DWARF 2/3's DW_AT_bit_offset + DW_AT_byte_size;
 * other members have both bit fields empty.  `type_size`, for bitfields
 * only, is the byte size of the declared type through typedefs and
 * qualifiers, "?" when unknown.
 * In C++ units a name is qualified by its enclosing namespaces and named
 * classes ("(anonymous namespace)" for unnamed namespaces); types inside
 * functions are not qualified.
 *
 * Exit status: 0, 1 when libdwarf reports an error, 2 on usage, 3 when the
 * file cannot be opened or has no DWARF.
 */
#include <dwarf.h>
#include <libdwarf.h>

#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Nesting bound for the DIE tree and for type chains: real programs stay
 * far below it, corrupt DWARF can loop. */
#define MAX_DEPTH 128
#define MAX_TYPE_CHAIN 32

typedef struct walk {
	Dwarf_Debug dbg;
	bool big_endian;
	bool is_info;
	bool scoped;            /* C++: qualify names */
	unsigned errors;
} walk;

/* Counts and frees a libdwarf error; every DW_DLV_ERROR path ends here. */
static void drop_error(walk *w, Dwarf_Error *error)
{
	if (*error) {
		fprintf(stderr, "dwarf_ref: %s\n", dwarf_errmsg(*error));
		dwarf_dealloc(w->dbg, *error, DW_DLA_ERROR);
		*error = NULL;
	}
	w->errors++;
}

/* Reads a constant attribute in either signedness: libdwarf 20210528's
 * dwarf_formudata() refuses DW_FORM_implicit_const, which gcc 12 uses in
 * DWARF 5 abbreviations, so signed forms go through dwarf_formsdata(). */
static int form_constant(walk *w, Dwarf_Attribute attr, Dwarf_Signed *out)
{
	Dwarf_Error error = NULL;
	Dwarf_Half form = 0;
	int res = dwarf_whatform(attr, &form, &error);

	if (res == DW_DLV_OK && (form == DW_FORM_sdata || form == DW_FORM_implicit_const)) {
		res = dwarf_formsdata(attr, out, &error);
	} else if (res == DW_DLV_OK) {
		Dwarf_Unsigned u = 0;
		res = dwarf_formudata(attr, &u, &error);
		*out = (Dwarf_Signed)u;
	}
	if (res == DW_DLV_ERROR)
		drop_error(w, &error);
	return res == DW_DLV_OK;
}

/* 1 and *out when the DIE has `at` as a constant, 0 when absent. */
static int attr_sdata(walk *w, Dwarf_Die die, Dwarf_Half at, Dwarf_Signed *out)
{
	Dwarf_Error error = NULL;
	Dwarf_Attribute attr = NULL;
	int res = dwarf_attr(die, at, &attr, &error), ok;

	if (res == DW_DLV_ERROR)
		drop_error(w, &error);
	if (res != DW_DLV_OK)
		return 0;
	ok = form_constant(w, attr, out);
	dwarf_dealloc(w->dbg, attr, DW_DLA_ATTR);
	return ok;
}

/* The same for a non-negative constant. */
static int attr_udata(walk *w, Dwarf_Die die, Dwarf_Half at, Dwarf_Unsigned *out)
{
	Dwarf_Signed value = 0;

	if (!attr_sdata(w, die, at, &value) || value < 0)
		return 0;
	*out = (Dwarf_Unsigned)value;
	return 1;
}

static bool attr_flag(walk *w, Dwarf_Die die, Dwarf_Half at)
{
	Dwarf_Error error = NULL;
	Dwarf_Bool has = 0;
	int res = dwarf_hasattr(die, at, &has, &error);

	if (res == DW_DLV_ERROR)
		drop_error(w, &error);
	return res == DW_DLV_OK && has;
}

/* The DIE's name, or NULL; the string lives as long as the Dwarf_Debug. */
static const char *die_name(walk *w, Dwarf_Die die)
{
	Dwarf_Error error = NULL;
	char *name = NULL;
	int res = dwarf_diename(die, &name, &error);

	if (res == DW_DLV_ERROR)
		drop_error(w, &error);
	return res == DW_DLV_OK ? name : NULL;
}

/* Byte size of the type `die` refers to, through typedefs, qualifiers
 * and enums; 0 when unknown (no size, a signature reference, a loop). */
static Dwarf_Unsigned type_size(walk *w, Dwarf_Die die)
{
	Dwarf_Die cur = NULL;
	Dwarf_Unsigned size = 0;

	for (int step = 0; step < MAX_TYPE_CHAIN; step++) {
		Dwarf_Error error = NULL;
		Dwarf_Attribute attr = NULL;
		Dwarf_Off offset = 0;
		Dwarf_Die next = NULL;
		Dwarf_Half form = 0;
		int res = dwarf_attr(cur ? cur : die, DW_AT_type, &attr, &error);

		if (res == DW_DLV_OK)
			res = dwarf_whatform(attr, &form, &error);
		if (res == DW_DLV_OK && form == DW_FORM_ref_sig8) {
			/* A type in a type unit, which may sit in another COMDAT
			 * group than this Dwarf_Debug shows: unknown, not an error. */
			Dwarf_Sig8 signature;
			Dwarf_Bool is_info = 0;
			res = dwarf_formsig8(attr, &signature, &error);
			if (res == DW_DLV_OK)
				res = dwarf_find_die_given_sig8(w->dbg, &signature, &next, &is_info, &error);
			dwarf_dealloc(w->dbg, attr, DW_DLA_ATTR);
			if (res == DW_DLV_ERROR) {
				dwarf_dealloc(w->dbg, error, DW_DLA_ERROR);
				error = NULL;
				res = DW_DLV_NO_ENTRY;
			}
		} else if (res == DW_DLV_OK) {
			res = dwarf_global_formref(attr, &offset, &error);
			dwarf_dealloc(w->dbg, attr, DW_DLA_ATTR);
			if (res == DW_DLV_OK)
				res = dwarf_offdie_b(w->dbg, offset, w->is_info, &next, &error);
		}
		if (res == DW_DLV_ERROR)
			drop_error(w, &error);
		if (cur)
			dwarf_dealloc_die(cur);
		cur = NULL;
		if (res != DW_DLV_OK)
			break;
		cur = next;
		if (attr_udata(w, cur, DW_AT_byte_size, &size))
			break;
	}
	if (cur)
		dwarf_dealloc_die(cur);
	return size;
}

/* DW_AT_data_member_location: 1 with *out for a constant or a lone
 * DW_OP_plus_uconst, 0 when absent, -1 for anything else. */
static int member_location(walk *w, Dwarf_Die die, Dwarf_Half version, Dwarf_Unsigned *out)
{
	Dwarf_Error error = NULL;
	Dwarf_Attribute attr = NULL;
	Dwarf_Half form = 0;
	int res = dwarf_attr(die, DW_AT_data_member_location, &attr, &error), known = -1;

	*out = 0;
	if (res == DW_DLV_ERROR)
		drop_error(w, &error);
	if (res != DW_DLV_OK)
		return 0;
	res = dwarf_whatform(attr, &form, &error);
	if (res != DW_DLV_OK) {
		/* handled below */
	} else if (form == DW_FORM_block1 || form == DW_FORM_block2 || form == DW_FORM_block4 ||
		   form == DW_FORM_block || form == DW_FORM_exprloc) {
		Dwarf_Block *block = NULL;
		res = dwarf_formblock(attr, &block, &error);
		if (res == DW_DLV_OK) {
			const unsigned char *p = block->bl_data, *end = p + block->bl_len;
			unsigned shift = 0;
			if (p < end && *p++ == DW_OP_plus_uconst) {
				while (p < end && shift < 64) {
					*out |= (Dwarf_Unsigned)(*p & 0x7f) << shift;
					shift += 7;
					if (!(*p++ & 0x80)) {
						known = p == end ? 1 : -1;
						break;
					}
				}
			}
			dwarf_dealloc(w->dbg, block, DW_DLA_BLOCK);
		}
	} else if ((form == DW_FORM_data4 || form == DW_FORM_data8) && version < 4) {
		known = -1;   /* a location list pointer before DWARF 4 */
	} else {
		Dwarf_Signed value = 0;
		if (form_constant(w, attr, &value) && value >= 0) {
			*out = (Dwarf_Unsigned)value;
			known = 1;
		}
	}
	if (res == DW_DLV_ERROR)
		drop_error(w, &error);
	dwarf_dealloc(w->dbg, attr, DW_DLA_ATTR);
	return known;
}

static void print_member(walk *w, Dwarf_Die die, Dwarf_Half tag, Dwarf_Half version)
{
	const char *name = tag == DW_TAG_inheritance ? NULL : die_name(w, die);
	Dwarf_Unsigned location = 0, bit_size = 0, data_bit_offset = 0, storage = 0;
	Dwarf_Unsigned size = 0;
	Dwarf_Signed msb_offset = 0;
	int known = member_location(w, die, version, &location);
	char loc_text[32] = "?", bit_text[32] = "", size_text[32] = "?";

	if (known >= 0)
		snprintf(loc_text, sizeof(loc_text), "%llu", (unsigned long long)location);
	if (attr_udata(w, die, DW_AT_bit_size, &bit_size) && bit_size > 0) {
		long long bit = -1;
		/* Only bitfields need it: structfit's storage unit is sized
		 * and aligned by the declared type. */
		size = type_size(w, die);
		if (size)
			snprintf(size_text, sizeof(size_text), "%llu", (unsigned long long)size);
		if (attr_udata(w, die, DW_AT_data_bit_offset, &data_bit_offset)) {
			/* DWARF 4+: already counted in memory order from the start. */
			bit = (long long)data_bit_offset;
		} else if (known < 0) {
			bit = -1;
		} else if (attr_sdata(w, die, DW_AT_bit_offset, &msb_offset)) {
			/* DWARF 2/3 count from the most significant bit of a
			 * storage unit of DW_AT_byte_size bytes (else the type's). */
			if (!attr_udata(w, die, DW_AT_byte_size, &storage))
				storage = size;
			if (storage == 0)
				bit = -1;
			else if (w->big_endian)
				bit = (long long)location * 8 + msb_offset;
			else
				bit = (long long)(location * 8 + storage * 8) - msb_offset - (long long)bit_size;
		} else {
			bit = (long long)location * 8;
		}
		if (bit >= 0)
			snprintf(bit_text, sizeof(bit_text), "%lld", bit);
		else
			snprintf(bit_text, sizeof(bit_text), "?");
		printf("%c\t%s\t%s\t%s\t%llu\t%s\n", tag == DW_TAG_inheritance ? 'B' : 'M',
		       name ? name : "", loc_text, bit_text, (unsigned long long)bit_size, size_text);
		return;
	}
	printf("%c\t%s\t%s\t\t\t\n", tag == DW_TAG_inheritance ? 'B' : 'M', name ? name : "",
	       loc_text);
}

static const char *kind_of(Dwarf_Half tag)
{
	return tag == DW_TAG_union_type ? "union" : tag == DW_TAG_class_type ? "class" : "struct";
}

/* Prints a struct definition and its direct data members. */
static void print_struct(walk *w, Dwarf_Die die, Dwarf_Half tag, const char *prefix, const char *name,
			 Dwarf_Unsigned size)
{
	Dwarf_Error error = NULL;
	Dwarf_Half version = 0, offset_size = 0;
	Dwarf_Die child = NULL;
	int res;

	if (dwarf_get_version_of_die(die, &version, &offset_size) != DW_DLV_OK)
		version = 4;
	printf("S\t%s\t%s%s\t%llu\n", kind_of(tag), prefix, name, (unsigned long long)size);
	res = dwarf_child(die, &child, &error);
	while (res == DW_DLV_OK) {
		Dwarf_Die next = NULL;
		Dwarf_Half child_tag = 0;

		if (dwarf_tag(child, &child_tag, &error) != DW_DLV_OK) {
			drop_error(w, &error);
		} else if (child_tag == DW_TAG_inheritance ||
			   (child_tag == DW_TAG_member && !attr_flag(w, child, DW_AT_external) &&
			    !attr_flag(w, child, DW_AT_declaration))) {
			print_member(w, child, child_tag, version);
		}
		res = dwarf_siblingof_b(w->dbg, child, w->is_info, &next, &error);
		dwarf_dealloc_die(child);
		child = next;
	}
	if (res == DW_DLV_ERROR)
		drop_error(w, &error);
}

static bool is_struct_tag(Dwarf_Half tag)
{
	return tag == DW_TAG_structure_type || tag == DW_TAG_union_type || tag == DW_TAG_class_type;
}

/* The prefix the children of `die` get: scopes add their name, anything
 * else that can hold types (functions, blocks) resets to file scope. */
static char *child_prefix(walk *w, Dwarf_Half tag, const char *prefix, const char *name)
{
	const char *add = NULL;
	size_t lp, la;
	char *s;

	if (!w->scoped)
		return strdup("");
	if (tag == DW_TAG_namespace)
		add = name ? name : "(anonymous namespace)";
	else if (is_struct_tag(tag))
		add = name;
	else
		return strdup("");
	if (!add)
		return strdup(prefix);
	lp = strlen(prefix);
	la = strlen(add);
	s = malloc(lp + la + 3);
	if (s) {
		memcpy(s, prefix, lp);
		memcpy(s + lp, add, la);
		memcpy(s + lp + la, "::", 3);
	}
	return s;
}

/* Visits `die` and its subtree. */
static void visit(walk *w, Dwarf_Die die, const char *prefix, unsigned depth)
{
	Dwarf_Error error = NULL;
	Dwarf_Half tag = 0;
	Dwarf_Die child = NULL;
	const char *name;
	char *inner;
	int res;

	if (depth > MAX_DEPTH) {
		fprintf(stderr, "dwarf_ref: DIE tree deeper than %d\n", MAX_DEPTH);
		w->errors++;
		return;
	}
	if (dwarf_tag(die, &tag, &error) != DW_DLV_OK) {
		drop_error(w, &error);
		return;
	}
	name = die_name(w, die);
	if (is_struct_tag(tag) && name && !attr_flag(w, die, DW_AT_declaration)) {
		Dwarf_Unsigned size = 0;
		if (attr_udata(w, die, DW_AT_byte_size, &size))
			print_struct(w, die, tag, prefix, name, size);
	}
	inner = child_prefix(w, tag, prefix, name);
	if (!inner) {
		w->errors++;
		return;
	}
	res = dwarf_child(die, &child, &error);
	while (res == DW_DLV_OK) {
		Dwarf_Die next = NULL;
		visit(w, child, inner, depth + 1);
		res = dwarf_siblingof_b(w->dbg, child, w->is_info, &next, &error);
		dwarf_dealloc_die(child);
		child = next;
	}
	if (res == DW_DLV_ERROR)
		drop_error(w, &error);
	free(inner);
}

static bool is_cplusplus(Dwarf_Unsigned language)
{
	return language == DW_LANG_C_plus_plus || language == DW_LANG_C_plus_plus_03 ||
	       language == DW_LANG_C_plus_plus_11 || language == DW_LANG_C_plus_plus_14 ||
	       language == 0x2a || language == 0x2b || language == DW_LANG_ObjC_plus_plus;
}

/* Every unit of .debug_info (is_info) or .debug_types. */
static void walk_units(walk *w, bool is_info)
{
	Dwarf_Error error = NULL;
	int res;

	w->is_info = is_info;
	for (;;) {
		Dwarf_Unsigned next_offset = 0, language = 0;
		Dwarf_Half unit_type = 0;
		Dwarf_Die unit_die = NULL;

		res = dwarf_next_cu_header_d(w->dbg, is_info, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
					     NULL, &next_offset, &unit_type, &error);
		if (res != DW_DLV_OK)
			break;
		res = dwarf_siblingof_b(w->dbg, NULL, is_info, &unit_die, &error);
		if (res == DW_DLV_ERROR)
			drop_error(w, &error);
		if (res != DW_DLV_OK)
			continue;
		w->scoped = dwarf_srclang(unit_die, &language, &error) == DW_DLV_OK &&
			    is_cplusplus(language);
		if (error)
			drop_error(w, &error);
		visit(w, unit_die, "", 0);
		dwarf_dealloc_die(unit_die);
	}
	if (res == DW_DLV_ERROR)
		drop_error(w, &error);
}

/* Opens `fd` for one section group and walks its units: 0, 1 when
 * libdwarf reported errors, 3 when it cannot open the file.  *groups, when
 * not NULL, receives the other group numbers (for COMDAT groups of a .o:
 * gcc -fdebug-types-section puts each type unit in one, and libdwarf shows
 * one group per Dwarf_Debug). */
static int walk_group(int fd, const char *path, bool big_endian, unsigned group,
		      Dwarf_Unsigned **groups, Dwarf_Unsigned *group_count)
{
	Dwarf_Error error = NULL;
	walk w = { .big_endian = big_endian };
	int res = dwarf_init_b(fd, DW_DLC_READ, group, NULL, NULL, &w.dbg, &error);

	if (res != DW_DLV_OK) {
		fprintf(stderr, "dwarf_ref: %s: %s\n", path,
			res == DW_DLV_ERROR ? dwarf_errmsg(error) : "no DWARF");
		if (error)
			dwarf_dealloc(NULL, error, DW_DLA_ERROR);
		return 3;
	}
	if (groups) {
		Dwarf_Unsigned sections = 0, count = 0, selected = 0, entries = 0;
		Dwarf_Unsigned *numbers = NULL, *section_numbers = NULL;
		const char **names = NULL;
		res = dwarf_sec_group_sizes(w.dbg, &sections, &count, &selected, &entries, &error);
		if (res == DW_DLV_OK && entries > 0) {
			numbers = calloc(entries, sizeof(*numbers));
			section_numbers = calloc(entries, sizeof(*section_numbers));
			names = calloc(entries, sizeof(*names));
			if (!numbers || !section_numbers || !names)
				w.errors++;
			else
				res = dwarf_sec_group_map(w.dbg, entries, numbers, section_numbers, names, &error);
		}
		if (res == DW_DLV_ERROR)
			drop_error(&w, &error);
		*group_count = 0;
		for (Dwarf_Unsigned i = 0; numbers && res == DW_DLV_OK && i < entries; i++) {
			bool dup = numbers[i] == selected || numbers[i] == DW_GROUPNUMBER_DWO;
			for (Dwarf_Unsigned j = 0; j < *group_count && !dup; j++)
				dup = numbers[j] == numbers[i];
			if (!dup)
				numbers[(*group_count)++] = numbers[i];
		}
		*groups = numbers;
		free(section_numbers);
		free(names);
	}
	walk_units(&w, true);
	walk_units(&w, false);
	if (dwarf_finish(w.dbg, &error) == DW_DLV_ERROR) {
		dwarf_dealloc(NULL, error, DW_DLA_ERROR);
		w.errors++;
	}
	return w.errors ? 1 : 0;
}

int main(int argc, char **argv)
{
	Dwarf_Unsigned file_size = 0, *groups = NULL, group_count = 0;
	unsigned file_type = 0, endian = 0, offset_size = 0;
	int fd, errcode = 0, status;

	if (argc != 2) {
		fprintf(stderr, "usage: dwarf_ref FILE\n");
		return 2;
	}
	fd = open(argv[1], O_RDONLY);
	if (fd < 0) {
		perror(argv[1]);
		return 3;
	}
	if (dwarf_object_detector_fd(fd, &file_type, &endian, &offset_size, &file_size, &errcode) !=
	    DW_DLV_OK) {
		fprintf(stderr, "dwarf_ref: %s: not an object file libdwarf knows\n", argv[1]);
		close(fd);
		return 3;
	}
	status = walk_group(fd, argv[1], endian == DW_ENDIAN_BIG, DW_GROUPNUMBER_ANY, &groups,
			    &group_count);
	for (Dwarf_Unsigned i = 0; status != 3 && i < group_count; i++) {
		int res = walk_group(fd, argv[1], endian == DW_ENDIAN_BIG, (unsigned)groups[i], NULL, NULL);
		if (res > status)
			status = res;
	}
	free(groups);
	close(fd);
	if (fflush(stdout) != 0 && status == 0)
		status = 1;
	return status;
}
