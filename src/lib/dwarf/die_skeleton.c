/* Finding split-DWARF skeleton units: units of the main file that name a
 * .dwo file (DWARF 5 DW_UT_skeleton, or GNU DW_AT_GNU_dwo_name in DWARF 4)
 * and keep their types there. */
#include "dwarf/die_reader_impl.h"

#include <stdlib.h>

#include "util/fail.h"

/* Entries of an abbreviation table looked at before leaving the question
 * to the full decoder; the root's entry is nearly always the first. */
#define QUICK_ENTRIES 64

/*
 * Whether the abbreviation of the root DIE of `u` may name a .dwo: true
 * when it has DW_AT_dwo_name / DW_AT_GNU_dwo_name or when this quick look
 * cannot tell.  Reads one entry of the table, not the whole table, so
 * files without split DWARF pay next to nothing.
 */
static bool root_may_name_dwo(const sf_debug_image *image, const sf_dw_unit *u)
{
	const sf_dwarf_bytes *info = &image->sections.info, *abbrev = &image->sections.abbrev;
	const uint8_t *p = info->data + u->die_offset, *end = info->data + u->end;
	const uint8_t *q, *qend;
	uint64_t code = 0, value;

	if (!sf__dw_uleb(&p, end, &code) || code == 0 || !abbrev->data || u->abbrev_offset >= abbrev->size)
		return code != 0;
	q = abbrev->data + u->abbrev_offset;
	qend = abbrev->data + abbrev->size;
	for (unsigned entry = 0; entry < QUICK_ENTRIES; entry++) {
		uint64_t this_code, name, form;
		bool named = false;
		if (!sf__dw_uleb(&q, qend, &this_code) || this_code == 0 || !sf__dw_uleb(&q, qend, &value) ||
		    q >= qend)
			return true;
		q++;   /* children flag */
		for (;;) {
			int64_t implicit;
			if (!sf__dw_uleb(&q, qend, &name) || !sf__dw_uleb(&q, qend, &form))
				return true;
			if (name == 0 && form == 0)
				break;
			if (form == DW_FORM_implicit_const && !sf__dw_sleb(&q, qend, &implicit))
				return true;
			named |= name == DW_AT_dwo_name || name == DW_AT_GNU_dwo_name;
		}
		if (this_code == code)
			return named;
	}
	return true;
}

/* A unit whose root names a .dwo file and has no children (or only the
 * null entry) keeps its types in the .dwo. */
static int read_skeleton(sf_dw_cursor *cursor, const sf_dw_unit *u, sf_dw_skeleton *out, bool *yes)
{
	sf_dw_die root, first;
	sf_dw_value v;
	uint64_t child = 0;
	int res;

	*yes = false;
	if (u->die_offset >= u->end || sf__dw_die_at(cursor, u, u->die_offset, &root) < 0 || !root.abbrev)
		return 0;
	if (root.abbrev->has_children &&
	    sf__dw_die_attrs_end(cursor, &root, &child) == 0 && child < u->end &&
	    sf__dw_die_at(cursor, u, child, &first) == 0 && first.abbrev)
		return 0;
	*out = (sf_dw_skeleton){ .offset = u->offset, .dwo_id = u->dwo_id, .has_id = u->version >= 5 };
	res = sf__dw_attr(cursor, &root, DW_AT_dwo_name, &v);
	if (res == 0)
		res = sf__dw_attr(cursor, &root, DW_AT_GNU_dwo_name, &v);
	if (res <= 0)
		return res;
	res = sf__dw_string(cursor, &root, &v, &out->dwo_name);
	if (res >= 0 && sf__dw_attr(cursor, &root, DW_AT_comp_dir, &v) > 0)
		res = sf__dw_string(cursor, &root, &v, &out->comp_dir);
	if (res >= 0 && sf__dw_attr(cursor, &root, DW_AT_name, &v) > 0)
		res = sf__dw_string(cursor, &root, &v, &out->name);
	if (res >= 0 && sf__dw_attr(cursor, &root, DW_AT_stmt_list, &v) > 0 &&
	    (v.form == DW_FORM_sec_offset || v.form == DW_FORM_data4 || v.form == DW_FORM_data8)) {
		out->stmt_list = v.u;
		out->has_lines = true;
	}
	if (res >= 0 && !out->has_id && sf__dw_attr(cursor, &root, DW_AT_GNU_dwo_id, &v) > 0) {
		out->dwo_id = v.u;
		out->has_id = true;
	}
	*yes = res >= 0;
	return res < 0 ? res : 0;
}

static int push(sf_dw_skeleton **items, size_t *count, size_t *capacity, const sf_dw_skeleton *s)
{
	if (*count == *capacity) {
		size_t grown = *capacity ? *capacity * 2 : 16;
		sf_dw_skeleton *more = realloc(*items, grown * sizeof(*more));
		if (!more)
			return sf__fail(SF_ENOMEM, "out of memory");
		*items = more;
		*capacity = grown;
	}
	(*items)[(*count)++] = *s;
	return 0;
}

int sf__dw_skeletons(const sf_debug_image *image, sf_dw_skeleton **out, size_t *count)
{
	const sf_dwarf_bytes *info = &image->sections.info;
	sf_dw_image dw = { .name = image->display_name, .big_endian = image->big_endian };
	sf_dw_cursor cursor;
	bool have_cursor = false;
	size_t capacity = 0;
	uint64_t offset = 0, dropped = 0;
	int res = 0;

	*out = NULL;
	*count = 0;
	/* After a load, which waited for the same bytes and failed without them. */
	if (!info->data || (info->arriving && sf__elf_stream_wait(info->arriving, info->size) < info->size))
		return 0;
	dw.spaces[SF_DW_INFO] = (sf_dw_space_units){
		.data = info->data, .size = info->size, .sections = &image->sections,
		.file_backed = info->file_backed
	};
	while (offset < info->size && res >= 0) {
		sf_dw_unit u;
		sf_dw_skeleton s;
		bool yes = false;
		if (sf__dw_unit_header(&dw, SF_DW_INFO, info->data, info->size, offset, &u) < 0)
			break;   /* the walk reports a corrupt header in context */
		offset = u.end;
		/* As in the unit listing: the pages around each header. */
		if (offset - dropped >= SF_DW_DROP_STEP) {
			sf__dw_drop_pages(&dw, SF_DW_INFO, dropped, offset);
			dropped = offset;
		}
		if (!sf__dw_unit_may_be_skeleton(&u) ||
		    (u.unit_type != DW_UT_skeleton && !root_may_name_dwo(image, &u)))
			continue;
		if (!have_cursor) {
			res = sf__dw_cursor_init(&cursor, &dw);
			if (res < 0)
				break;
			have_cursor = true;
		}
		/* The string-offsets base is cached by unit address, and `u`
		 * is reused. */
		cursor.base_unit = NULL;
		cursor.last_unit = NULL;
		if (read_skeleton(&cursor, &u, &s, &yes) < 0)
			continue;   /* a corrupt skeleton is the walk's to report */
		if (yes)
			res = push(out, count, &capacity, &s);
	}
	sf__dw_drop_pages(&dw, SF_DW_INFO, dropped, offset < info->size ? offset : info->size);
	if (have_cursor)
		sf__dw_cursor_release(&cursor);
	if (res < 0) {
		free(*out);
		*out = NULL;
		*count = 0;
	}
	return res;
}
