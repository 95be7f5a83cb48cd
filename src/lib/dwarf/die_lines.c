/* The file-name table of a unit's line program header, for DW_AT_decl_file. */
#include "dwarf/die_lines.h"

#include <dwarf.h>
#include <stdlib.h>
#include <string.h>

#include "util/fail.h"

/*
 * Names are spelled as libdwarf's dwarf_srcfiles() spelled them before we
 * read the table ourselves, so reports keep their decl_file text: an
 * absolute name as is, otherwise joined to its directory, and a relative
 * directory joined to the unit's DW_AT_comp_dir.
 */

typedef struct reader {
	const uint8_t *p;
	const uint8_t *end;
	bool big_endian;
	bool ok;
} reader;

static uint64_t take(reader *r, unsigned size)
{
	uint64_t v;
	if (!r->ok || (size_t)(r->end - r->p) < size) {
		r->ok = false;
		return 0;
	}
	v = sf__dw_read_uint(r->p, size, r->big_endian);
	r->p += size;
	return v;
}

static uint64_t take_uleb(reader *r)
{
	uint64_t v = 0;
	if (r->ok && !sf__dw_uleb(&r->p, r->end, &v))
		r->ok = false;
	return v;
}

static const char *take_string(reader *r)
{
	const uint8_t *nul;
	const char *s;
	if (!r->ok || !(nul = memchr(r->p, 0, (size_t)(r->end - r->p)))) {
		r->ok = false;
		return NULL;
	}
	s = (const char *)r->p;
	r->p = nul + 1;
	return s;
}

static const char *section_string(const sf_dwarf_bytes *section, uint64_t offset)
{
	if (!section->data || offset >= section->size ||
	    !memchr(section->data + offset, 0, (size_t)(section->size - offset)))
		return NULL;
	return (const char *)section->data + offset;
}

static bool is_absolute(const char *path)
{
	return path[0] == '/' || path[0] == '\\' ||
	       (path[0] && path[1] == ':' && (path[2] == '/' || path[2] == '\\'));
}

static char *join(sf_arena *arena, const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	char *s = sf__arena_alloc(arena, la + lb + 2);
	if (!s)
		return NULL;
	memcpy(s, a, la);
	s[la] = '/';
	memcpy(s + la + 1, b, lb + 1);
	return s;
}

/* Directory joined to comp_dir when relative; NULL directory means none. */
static const char *full_name(sf_arena *arena, const char *comp_dir, const char *dir, const char *name)
{
	if (is_absolute(name))
		return name;
	if (dir && *dir && !is_absolute(dir) && comp_dir && *comp_dir) {
		dir = join(arena, comp_dir, dir);
		if (!dir)
			return NULL;
	}
	if (!dir || !*dir)
		return name;
	return join(arena, dir, name);
}

typedef struct entry_format {
	uint64_t content;
	uint64_t form;
} entry_format;

/* One DWARF 5 entry field in `form`: strings to *str, numbers to *num. */
static void take_field(reader *r, const sf_dwarf_sections *sections, unsigned offset_size,
		       uint64_t form, const char **str, uint64_t *num)
{
	*str = NULL;
	*num = 0;
	switch (form) {
	case DW_FORM_string:
		*str = take_string(r);
		break;
	case DW_FORM_line_strp:
		*str = section_string(&sections->line_str, take(r, offset_size));
		break;
	case DW_FORM_strp:
		*str = section_string(&sections->str, take(r, offset_size));
		break;
	case DW_FORM_udata:
		*num = take_uleb(r);
		break;
	case DW_FORM_data1: *num = take(r, 1); break;
	case DW_FORM_data2: *num = take(r, 2); break;
	case DW_FORM_data4: *num = take(r, 4); break;
	case DW_FORM_data8: *num = take(r, 8); break;
	case DW_FORM_data16: take(r, 8); take(r, 8); break;
	case DW_FORM_block: {
		uint64_t len = take_uleb(r);
		if (len > (uint64_t)(r->end - r->p))
			r->ok = false;
		else
			r->p += len;
		break;
	}
	default:
		r->ok = false;   /* strx needs the unit's base; no producer uses it here */
		break;
	}
}

static int push_name(sf_dw_files *files, size_t *capacity, const char *name, const char *dir)
{
	if (files->count == *capacity) {
		size_t grown = *capacity ? *capacity * 2 : 32;
		const char **names = realloc(files->names, grown * sizeof(*names));
		const char **dirs = names ? realloc(files->dirs, grown * sizeof(*dirs)) : NULL;
		if (names)
			files->names = names;
		if (!names || !dirs)
			return sf__fail(SF_ENOMEM, "out of memory");
		files->dirs = dirs;
		*capacity = grown;
	}
	files->dirs[files->count] = name ? dir : NULL;
	files->names[files->count++] = name;
	return 0;
}

int sf__dw_files_name(sf_dw_files *files, size_t index, const char **out)
{
	const char *dir = files->dirs[index];

	/* full_name() keeps a name without a directory as it is. */
	if (dir) {
		const char *full = full_name(files->arena, files->comp_dir, dir, files->names[index]);
		if (!full)
			return sf__fail(SF_ENOMEM, "out of memory");
		files->names[index] = full;
		files->dirs[index] = NULL;
	}
	*out = files->names[index];
	return 0;
}

static int read_v5_entries(reader *r, const sf_dwarf_sections *sections, unsigned offset_size,
			   const char ***out, size_t *count, uint64_t **dirs_of)
{
	uint8_t format_count = (uint8_t)take(r, 1);
	entry_format formats[32];
	uint64_t n;

	*out = NULL;
	*count = 0;
	if (dirs_of)
		*dirs_of = NULL;
	if (format_count > 32)
		return -1;
	for (unsigned i = 0; i < format_count; i++) {
		formats[i].content = take_uleb(r);
		formats[i].form = take_uleb(r);
	}
	n = take_uleb(r);
	if (!r->ok || n > (uint64_t)(r->end - r->p))
		return -1;
	*out = calloc(n ? n : 1, sizeof(**out));
	if (dirs_of)
		*dirs_of = calloc(n ? n : 1, sizeof(**dirs_of));
	if (!*out || (dirs_of && !*dirs_of))
		return sf__fail(SF_ENOMEM, "out of memory");
	for (uint64_t e = 0; e < n && r->ok; e++) {
		for (unsigned i = 0; i < format_count; i++) {
			const char *str = NULL;
			uint64_t num = 0;
			take_field(r, sections, offset_size, formats[i].form, &str, &num);
			if (formats[i].content == DW_LNCT_path)
				(*out)[e] = str;
			else if (formats[i].content == DW_LNCT_directory_index && dirs_of)
				(*dirs_of)[e] = num;
		}
	}
	*count = (size_t)n;
	return r->ok ? 0 : -1;
}

int sf__dw_files_read(sf_dw_files *files, const sf_dwarf_sections *sections, bool big_endian,
		      uint64_t offset, const char *comp_dir)
{
	const sf_dwarf_bytes *line = &sections->line;
	reader r = { .big_endian = big_endian, .ok = true };
	size_t capacity = 0;
	unsigned offset_size = 4;
	uint64_t length, header_length;
	uint16_t version;
	int res = 0;

	memset(files, 0, sizeof(*files));
	files->comp_dir = comp_dir;
	if (!line->data || offset >= line->size)
		return 0;
	if (sf__arena_new(&files->arena) < 0)
		return sf__fail(SF_ENOMEM, "out of memory");
	r.p = line->data + offset;
	r.end = line->data + line->size;
	length = take(&r, 4);
	if (length == 0xffffffffu) {
		length = take(&r, 8);
		offset_size = 8;
	}
	if (!r.ok || length > (uint64_t)(r.end - r.p))
		return 0;   /* a broken line table costs file names, not the types */
	r.end = r.p + length;
	version = (uint16_t)take(&r, 2);
	files->version = version;
	if (version < 2 || version > 5)
		return 0;
	if (version >= 5)
		take(&r, 2);   /* address and segment selector sizes */
	header_length = take(&r, offset_size);
	if (!r.ok || header_length > (uint64_t)(r.end - r.p))
		return 0;
	r.end = r.p + header_length;
	take(&r, 1);                 /* minimum instruction length */
	if (version >= 4)
		take(&r, 1);         /* maximum operations per instruction */
	take(&r, 3);                 /* default_is_stmt, line_base, line_range */
	{
		uint8_t opcode_base = (uint8_t)take(&r, 1);
		if (opcode_base > 0 && (size_t)(r.end - r.p) >= (size_t)(opcode_base - 1))
			r.p += opcode_base - 1;
		else if (opcode_base > 0)
			r.ok = false;
	}
	if (!r.ok)
		return 0;
	if (version >= 5) {
		const char **dirs = NULL, **names = NULL;
		uint64_t *dir_index = NULL;
		size_t dir_count = 0, name_count = 0;
		res = read_v5_entries(&r, sections, offset_size, &dirs, &dir_count, NULL);
		if (res >= 0)
			res = read_v5_entries(&r, sections, offset_size, &names, &name_count, &dir_index);
		for (size_t i = 0; res >= 0 && i < name_count; i++) {
			const char *dir = dir_index[i] < dir_count ? dirs[dir_index[i]] : NULL;
			res = push_name(files, &capacity, names[i], dir);
		}
		free(dirs);
		free(names);
		free(dir_index);
		/* Anything but ENOMEM was a broken table: names read so far stay. */
		return res == SF_ENOMEM ? res : 0;
	}
	{
		const char **dirs = NULL;
		size_t dir_count = 0, dir_capacity = 0;
		for (;;) {
			const char *dir = take_string(&r);
			if (!dir || !*dir)
				break;
			if (dir_count == dir_capacity) {
				size_t grown = dir_capacity ? dir_capacity * 2 : 16;
				const char **more = realloc(dirs, grown * sizeof(*more));
				if (!more) {
					free(dirs);
					return sf__fail(SF_ENOMEM, "out of memory");
				}
				dirs = more;
				dir_capacity = grown;
			}
			dirs[dir_count++] = dir;
		}
		while (r.ok && res >= 0) {
			const char *name = take_string(&r), *dir;
			uint64_t index;
			if (!name || !*name)
				break;
			index = take_uleb(&r);
			take_uleb(&r);
			take_uleb(&r);
			if (!r.ok)
				break;
			dir = index == 0 ? comp_dir : index - 1 < dir_count ? dirs[index - 1] : NULL;
			res = push_name(files, &capacity, name, dir);
		}
		free(dirs);
	}
	return res < 0 ? res : 0;
}

void sf__dw_files_release(sf_dw_files *files)
{
	sf__arena_free(files->arena);
	free(files->names);
	free(files->dirs);
	memset(files, 0, sizeof(*files));
}
