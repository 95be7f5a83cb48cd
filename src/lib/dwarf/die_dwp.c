/* Split-DWARF packages (.dwp): the unit indexes (.debug_cu_index,
 * .debug_tu_index) that say where each unit's share of the package's
 * abbreviation, string-offset and line sections is. */
#include "dwarf/die_reader_impl.h"

#include <stdlib.h>

#include "util/fail.h"

/*
 * Both index versions share one layout (DWARF 5 section 7.3.5; version 2
 * is the GNU DWARF 4 extension binutils' dwp and llvm-dwp write):
 *   header: version (4 bytes; DWARF 5: 2 + 2 padding), columns N, units U,
 *           slots S (4 bytes each)
 *   S 8-byte signatures, S 4-byte row numbers (1-based, 0 = empty slot)
 *   N 4-byte section identifiers, then U rows of N 4-byte offsets and U
 *   rows of N 4-byte sizes.
 * Section identifiers differ between the versions; the ones read here:
 */
enum {
	SECT_INFO = 1,
	SECT_TYPES_V2 = 2,
	SECT_ABBREV = 3,
	SECT_LINE = 4,
	SECT_STR_OFFSETS = 6,
	MAX_COLUMNS = 16
};

typedef struct dwp_index {
	const uint8_t *data;
	uint64_t size;
	const char *section;        /* for messages */
	uint32_t version, columns, units, slots;
	int column_of[MAX_COLUMNS]; /* section id -> column, -1 when absent */
} dwp_index;

static int corrupt_index(const sf_dw_image *image, const dwp_index *ix, const char *what)
{
	return sf__fail(SF_EINVALID, "%s: corrupt .dwp: %s %s", sf__dw_image_name(image), ix->section, what);
}

static uint32_t read4(const sf_dw_image *image, const uint8_t *p)
{
	return (uint32_t)sf__dw_read_uint(p, 4, image->big_endian);
}

static int index_header(const sf_dw_image *image, dwp_index *ix)
{
	uint64_t need;

	if (ix->size < 16)
		return corrupt_index(image, ix, "is shorter than its header");
	ix->version = read4(image, ix->data);
	if (ix->version != 2) /* DWARF 5 keeps the version in the first 2 bytes */
		ix->version = (uint32_t)sf__dw_read_uint(ix->data, 2, image->big_endian);
	ix->columns = read4(image, ix->data + 4);
	ix->units = read4(image, ix->data + 8);
	ix->slots = read4(image, ix->data + 12);
	if (ix->version != 2 && ix->version != 5)
		return corrupt_index(image, ix, "has an unknown version");
	/* binutils' dwp writes an all-zero header when there is nothing to index. */
	if (ix->columns == 0 && ix->units == 0 && ix->slots == 0)
		return 0;
	if (ix->columns == 0 || ix->columns > MAX_COLUMNS)
		return corrupt_index(image, ix, "has an impossible number of sections");
	/* 64-bit arithmetic: each count is below 2^32, so no term overflows. */
	need = 16 + (uint64_t)ix->slots * 12 + (uint64_t)ix->columns * 4 +
	       (uint64_t)ix->units * ix->columns * 8;
	if (need > ix->size)
		return corrupt_index(image, ix, "has tables beyond the end of the section");
	for (unsigned id = 0; id < MAX_COLUMNS; id++)
		ix->column_of[id] = -1;
	for (uint32_t c = 0; c < ix->columns; c++) {
		uint32_t id = read4(image, ix->data + 16 + (uint64_t)ix->slots * 12 + (uint64_t)c * 4);
		if (id == 0 || id >= MAX_COLUMNS)
			return corrupt_index(image, ix, "names an unknown section");
		ix->column_of[id] = (int)c;
	}
	return 0;
}

/* Offset and size of row `row` (0-based) in section `id`; false when the
 * index has no column for it. */
static bool contribution(const sf_dw_image *image, const dwp_index *ix, uint32_t row, unsigned id,
			 uint64_t *offset, uint64_t *size)
{
	uint64_t table = 16 + (uint64_t)ix->slots * 12 + (uint64_t)ix->columns * 4;
	uint64_t cell;

	if (ix->column_of[id] < 0)
		return false;
	cell = ((uint64_t)row * ix->columns + (uint64_t)ix->column_of[id]) * 4;
	*offset = read4(image, ix->data + table + cell);
	*size = read4(image, ix->data + table + (uint64_t)ix->units * ix->columns * 4 + cell);
	return true;
}

static bool inside(const sf_dwarf_bytes *section, uint64_t offset, uint64_t size)
{
	return section->data && offset <= section->size && size <= section->size - offset;
}

static sf_dw_unit *unit_starting_at(sf_dw_space_units *s, uint64_t offset)
{
	size_t lo = 0, hi = s->count;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (s->units[mid].offset < offset)
			lo = mid + 1;
		else if (s->units[mid].offset > offset)
			hi = mid;
		else
			return &s->units[mid];
	}
	return NULL;
}

/* Moves the unit of one index row onto its contributions. */
static int apply_row(sf_dw_image *image, const dwp_index *ix, uint32_t row, uint64_t signature, bool types)
{
	const sf_dwarf_sections *sections = image->spaces[SF_DW_INFO].sections;
	unsigned unit_sect = types && ix->version == 2 ? SECT_TYPES_V2 : SECT_INFO;
	unsigned space = unit_sect == SECT_TYPES_V2 ? SF_DW_TYPES : SF_DW_INFO;
	const sf_dwarf_bytes *unit_bytes = space == SF_DW_TYPES ? &sections->types : &sections->info;
	uint64_t offset, size, abbrev = 0, line = 0, str_offsets = 0;
	sf_dw_unit *u;

	if (!contribution(image, ix, row, unit_sect, &offset, &size))
		return corrupt_index(image, ix, "has no unit column");
	if (!inside(unit_bytes, offset, size) ||
	    (contribution(image, ix, row, SECT_ABBREV, &abbrev, &size) && !inside(&sections->abbrev, abbrev, size)) ||
	    (contribution(image, ix, row, SECT_LINE, &line, &size) && !inside(&sections->line, line, size)) ||
	    (contribution(image, ix, row, SECT_STR_OFFSETS, &str_offsets, &size) &&
	     !inside(&sections->str_offsets, str_offsets, size)))
		return corrupt_index(image, ix, "points outside its sections");
	u = unit_starting_at(&image->spaces[space], offset);
	if (!u)
		return corrupt_index(image, ix, "points at no unit");
	if (u->abbrev_offset > UINT64_MAX - abbrev || u->str_offsets_base > UINT64_MAX - str_offsets)
		return corrupt_index(image, ix, "points outside its sections");
	u->abbrev_offset += abbrev;
	u->str_offsets_base += str_offsets;
	u->line_base = line;
	if (!types)
		u->dwo_id = signature;
	return 0;
}

static int apply_index(sf_dw_image *image, const sf_dwarf_bytes *bytes, const char *name, bool types)
{
	dwp_index ix = { .data = bytes->data, .size = bytes->size, .section = name };
	unsigned char *applied = NULL;   /* a row moved twice would be moved too far */
	uint64_t rows_at;
	int res = index_header(image, &ix);

	if (res < 0)
		return res;
	/* ix.units is bounded by the section size (index_header). */
	applied = calloc(ix.units + 1u, 1);
	if (!applied)
		return sf__fail(SF_ENOMEM, "out of memory");
	rows_at = 16 + (uint64_t)ix.slots * 8;
	for (uint32_t slot = 0; slot < ix.slots && res >= 0; slot++) {
		uint32_t row = read4(image, ix.data + rows_at + (uint64_t)slot * 4);
		uint64_t signature = sf__dw_read_uint(ix.data + 16 + (uint64_t)slot * 8, 8, image->big_endian);
		if (row == 0)
			continue;
		if (row > ix.units || applied[row])
			res = corrupt_index(image, &ix, row > ix.units ? "has a row number past its table"
								   : "lists a row twice");
		else
			res = apply_row(image, &ix, row - 1, signature, types);
		applied[row <= ix.units ? row : 0] = 1;
	}
	free(applied);
	return res;
}

int sf__dw_dwp_apply(sf_dw_image *image)
{
	const sf_dwarf_sections *sections = image->spaces[SF_DW_INFO].sections;
	int res = 0;

	if (sections->cu_index.data)
		res = apply_index(image, &sections->cu_index, ".debug_cu_index", false);
	if (res >= 0 && sections->tu_index.data)
		res = apply_index(image, &sections->tu_index, ".debug_tu_index", true);
	return res;
}
