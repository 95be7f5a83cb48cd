/* Decoding DWARF unit headers, abbreviation tables and attribute values from section bytes. */
#include "dwarf/die_reader.h"

#include <dwarf.h>
#include <endian.h>
#include <stdlib.h>
#include <string.h>

#include "util/fail.h"

/* Abbreviation codes up to this are looked up by index; producers number
 * them 1, 2, 3... so the sparse path is for odd or hostile files. */
#define DENSE_CODE_LIMIT 65536u

static const char *name_of(const sf_dw_image *image)
{
	return image->name ? image->name : "(input)";
}

uint64_t sf__dw_read_uint(const uint8_t *p, unsigned size, bool big_endian)
{
	uint64_t v = 0;
	if (big_endian) {
		for (unsigned i = 0; i < size; i++)
			v = (v << 8) | p[i];
	} else {
		for (unsigned i = size; i-- > 0;)
			v = (v << 8) | p[i];
	}
	return v;
}

bool sf__dw_uleb(const uint8_t **p, const uint8_t *end, uint64_t *out)
{
	const uint8_t *q = *p;
	uint64_t v = 0;
	unsigned shift = 0;

	for (;;) {
		if (q >= end)
			return false;
		uint8_t byte = *q++;
		if (shift < 64)
			v |= (uint64_t)(byte & 0x7f) << shift;
		else if (byte & 0x7f)
			return false;
		shift += 7;
		if (!(byte & 0x80))
			break;
		if (shift > 140)
			return false;
	}
	*p = q;
	*out = v;
	return true;
}

bool sf__dw_sleb(const uint8_t **p, const uint8_t *end, int64_t *out)
{
	const uint8_t *q = *p;
	uint64_t v = 0;
	unsigned shift = 0;
	uint8_t byte;

	do {
		if (q >= end || shift > 140)
			return false;
		byte = *q++;
		if (shift < 64)
			v |= (uint64_t)(byte & 0x7f) << shift;
		shift += 7;
	} while (byte & 0x80);
	if (shift < 64 && (byte & 0x40))
		v |= ~(uint64_t)0 << shift;
	*p = q;
	*out = (int64_t)v;
	return true;
}

/* Bytes taken by `form` in a unit of this shape, or -1 when the size is in the data. */
static int form_size(uint16_t form, unsigned offset_size, unsigned address_size, unsigned version)
{
	switch (form) {
	case DW_FORM_flag_present:
	case DW_FORM_implicit_const:
		return 0;
	case DW_FORM_data1: case DW_FORM_ref1: case DW_FORM_flag:
	case DW_FORM_strx1: case DW_FORM_addrx1:
		return 1;
	case DW_FORM_data2: case DW_FORM_ref2: case DW_FORM_strx2: case DW_FORM_addrx2:
		return 2;
	case DW_FORM_strx3: case DW_FORM_addrx3:
		return 3;
	case DW_FORM_data4: case DW_FORM_ref4: case DW_FORM_strx4: case DW_FORM_addrx4:
	case DW_FORM_ref_sup4:
		return 4;
	case DW_FORM_data8: case DW_FORM_ref8: case DW_FORM_ref_sig8: case DW_FORM_ref_sup8:
		return 8;
	case DW_FORM_data16:
		return 16;
	case DW_FORM_addr:
		return (int)address_size;
	case DW_FORM_ref_addr:
		return version <= 2 ? (int)address_size : (int)offset_size;
	case DW_FORM_strp: case DW_FORM_sec_offset: case DW_FORM_line_strp:
	case DW_FORM_strp_sup: case DW_FORM_GNU_ref_alt: case DW_FORM_GNU_strp_alt:
		return (int)offset_size;
	default:
		return -1;
	}
}

/* sf_dw_spec.fast_width: the little-endian forms whose value is just
 * their bytes (or nothing), which is what nearly every DIE uses. */
static int8_t fast_width(uint16_t form, unsigned offset_size)
{
	switch (form) {
	case DW_FORM_data1: case DW_FORM_ref1: case DW_FORM_flag:
		return 1;
	case DW_FORM_data2: case DW_FORM_ref2:
		return 2;
	case DW_FORM_data4: case DW_FORM_ref4:
		return 4;
	case DW_FORM_data8: case DW_FORM_ref8:
		return 8;
	case DW_FORM_strp: case DW_FORM_line_strp: case DW_FORM_sec_offset:
		return offset_size == 8 ? 8 : 4;
	case DW_FORM_flag_present: case DW_FORM_implicit_const:
		return 0;
	default:
		return -1;
	}
}

static bool form_known(uint16_t form)
{
	switch (form) {
	case DW_FORM_block1: case DW_FORM_block2: case DW_FORM_block4: case DW_FORM_block:
	case DW_FORM_exprloc: case DW_FORM_string: case DW_FORM_sdata: case DW_FORM_udata:
	case DW_FORM_ref_udata: case DW_FORM_strx: case DW_FORM_addrx: case DW_FORM_loclistx:
	case DW_FORM_rnglistx: case DW_FORM_GNU_addr_index: case DW_FORM_GNU_str_index:
	case DW_FORM_indirect:
		return true;
	default:
		return form_size(form, 4, 8, 4) >= 0;
	}
}

/* ---- image: unit tables ---- */

static int corrupt_header(const sf_dw_image *image, unsigned space, uint64_t offset, const char *what)
{
	return sf__fail(SF_EINVALID, "%s: corrupt DWARF: %s in unit header at 0x%llx%s", name_of(image),
			what, (unsigned long long)offset,
			space == SF_DW_ALT ? " of the dwz file" : space == SF_DW_TYPES ? " in .debug_types" : "");
}

static int push_unit(sf_dw_space_units *s, size_t *capacity, const sf_dw_unit *unit)
{
	if (s->count == *capacity) {
		size_t grown = *capacity ? *capacity * 2 : 64;
		sf_dw_unit *units = realloc(s->units, grown * sizeof(*units));
		if (!units)
			return sf__fail(SF_ENOMEM, "out of memory");
		s->units = units;
		*capacity = grown;
	}
	s->units[s->count++] = *unit;
	return 0;
}

static int push_signature(sf_dw_image *image, size_t *capacity, const sf_dw_unit *unit)
{
	if (image->signature_count == *capacity) {
		size_t grown = *capacity ? *capacity * 2 : 64;
		sf_dw_signature *items = realloc(image->signatures, grown * sizeof(*items));
		if (!items)
			return sf__fail(SF_ENOMEM, "out of memory");
		image->signatures = items;
		*capacity = grown;
	}
	image->signatures[image->signature_count++] = (sf_dw_signature){
		.signature = unit->signature, .die_offset = unit->type_offset, .space = unit->space
	};
	return 0;
}

static int parse_header(const sf_dw_image *image, unsigned space, const uint8_t *data, uint64_t size,
			uint64_t offset, sf_dw_unit *u)
{
	const bool be = image->big_endian;
	const uint8_t *p = data + offset, *end = data + size;
	uint64_t length;

	memset(u, 0, sizeof(*u));
	u->offset = offset;
	u->space = (uint8_t)space;
	if (end - p < 4)
		return corrupt_header(image, space, offset, "truncated length");
	length = sf__dw_read_uint(p, 4, be);
	p += 4;
	u->offset_size = 4;
	if (length == 0xffffffffu) {
		if (end - p < 8)
			return corrupt_header(image, space, offset, "truncated length");
		length = sf__dw_read_uint(p, 8, be);
		p += 8;
		u->offset_size = 8;
	} else if (length >= 0xfffffff0u) {
		return corrupt_header(image, space, offset, "reserved length value");
	}
	if (length > (uint64_t)(end - p) || length < 2)
		return corrupt_header(image, space, offset, "unit length beyond the section");
	end = p + length;
	u->end = (uint64_t)(end - data);
	u->version = (uint8_t)sf__dw_read_uint(p, 2, be);
	p += 2;
	if (u->version < 2 || u->version > 5)
		return corrupt_header(image, space, offset, "unsupported DWARF version");
	if (u->version < 5) {
		if ((uint64_t)(end - p) < u->offset_size + 1u)
			return corrupt_header(image, space, offset, "truncated header");
		u->abbrev_offset = sf__dw_read_uint(p, u->offset_size, be);
		p += u->offset_size;
		u->address_size = *p++;
		u->unit_type = space == SF_DW_TYPES ? DW_UT_type : DW_UT_compile;
	} else {
		if ((uint64_t)(end - p) < u->offset_size + 2u)
			return corrupt_header(image, space, offset, "truncated header");
		u->unit_type = *p++;
		u->address_size = *p++;
		u->abbrev_offset = sf__dw_read_uint(p, u->offset_size, be);
		p += u->offset_size;
		if (u->unit_type == DW_UT_skeleton || u->unit_type == DW_UT_split_compile) {
			if (end - p < 8)
				return corrupt_header(image, space, offset, "truncated header");
			p += 8;
		}
	}
	if (u->unit_type == DW_UT_type || u->unit_type == DW_UT_split_type) {
		uint64_t type_offset;
		if ((uint64_t)(end - p) < 8u + u->offset_size)
			return corrupt_header(image, space, offset, "truncated type unit header");
		u->signature = sf__dw_read_uint(p, 8, be);
		p += 8;
		type_offset = sf__dw_read_uint(p, u->offset_size, be);
		p += u->offset_size;
		if (type_offset >= length)
			return corrupt_header(image, space, offset, "type offset outside the unit");
		u->type_offset = offset + type_offset;
	}
	if (u->address_size != 4 && u->address_size != 8 && u->address_size != 2)
		return corrupt_header(image, space, offset, "unsupported address size");
	u->die_offset = (uint64_t)(p - data);
	/* The DWARF 5 default: the table right after the section header. */
	u->str_offsets_base = u->offset_size == 8 ? 16 : 8;
	return 0;
}

/* DW_AT_str_offsets_base from the root DIE of a DWARF 5 unit, read when
 * a strx form first needs it (the cursor remembers the last unit's). */
static int str_offsets_base(sf_dw_cursor *cursor, const sf_dw_unit *u, uint64_t *out)
{
	sf_dw_die root;
	sf_dw_value v;
	int res;

	if (cursor->base_unit == u) {
		*out = cursor->base_value;
		return 0;
	}
	*out = u->str_offsets_base;
	if (u->version >= 5 && u->die_offset < u->end) {
		res = sf__dw_die_at(cursor, u, u->die_offset, &root);
		if (res < 0)
			return res;
		res = root.abbrev ? sf__dw_attr(cursor, &root, DW_AT_str_offsets_base, &v) : 0;
		if (res < 0)
			return res;
		if (res > 0)
			*out = v.u;
	}
	cursor->base_unit = u;
	cursor->base_value = *out;
	return 0;
}

static int cmp_signature(const void *a, const void *b)
{
	const sf_dw_signature *x = a, *y = b;
	return x->signature < y->signature ? -1 : x->signature > y->signature;
}

static int list_space(sf_dw_image *image, unsigned space, uint64_t limit, size_t *sig_capacity)
{
	sf_dw_space_units *s = &image->spaces[space];
	size_t capacity = 0;
	uint64_t offset = 0;

	while (offset < s->size && offset < limit) {
		sf_dw_unit u;
		int res = parse_header(image, space, s->data, s->size, offset, &u);
		if (res < 0)
			return res;
		res = push_unit(s, &capacity, &u);
		if (res >= 0 && u.unit_type == DW_UT_type)
			res = push_signature(image, sig_capacity, &u);
		if (res < 0)
			return res;
		offset = u.end;
	}
	return 0;
}

int sf__dw_image_open(sf_dw_image *out, const sf_debug_image *image, uint64_t info_limit)
{
	size_t sig_capacity = 0;
	int res = 0;

	memset(out, 0, sizeof(*out));
	out->name = image->display_name;
	out->big_endian = image->big_endian;
	out->alt_str = image->alt_str;
	out->alt_str_size = image->alt_str_size;
	out->spaces[SF_DW_INFO] = (sf_dw_space_units){
		.data = image->sections.info.data, .size = image->sections.info.size,
		.sections = &image->sections
	};
	out->spaces[SF_DW_TYPES] = (sf_dw_space_units){
		.data = image->sections.types.data, .size = image->sections.types.size,
		.sections = &image->sections
	};
	out->spaces[SF_DW_ALT] = (sf_dw_space_units){
		.data = image->alt_sections.info.data, .size = image->alt_sections.info.size,
		.sections = &image->alt_sections
	};
	for (unsigned space = 0; space < SF_DW_SPACES && res >= 0; space++)
		if (out->spaces[space].data)
			res = list_space(out, space, space == SF_DW_INFO ? info_limit : UINT64_MAX,
					 &sig_capacity);
	if (res < 0)
		goto fail;
	/* qsort with a NULL base is undefined even for zero elements. */
	if (out->signature_count > 1)
		qsort(out->signatures, out->signature_count, sizeof(*out->signatures), cmp_signature);
	return 0;
fail:
	sf__dw_image_close(out);
	return res;
}

void sf__dw_image_close(sf_dw_image *image)
{
	for (unsigned space = 0; space < SF_DW_SPACES; space++)
		free(image->spaces[space].units);
	free(image->signatures);
	memset(image, 0, sizeof(*image));
}

const sf_dw_unit *sf__dw_unit_at(const sf_dw_image *image, unsigned space, uint64_t offset)
{
	const sf_dw_space_units *s;
	size_t lo = 0, hi;

	if (space >= SF_DW_SPACES)
		return NULL;
	s = &image->spaces[space];
	hi = s->count;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const sf_dw_unit *u = &s->units[mid];
		if (offset < u->offset)
			hi = mid;
		else if (offset >= u->end)
			lo = mid + 1;
		else
			return u;
	}
	return NULL;
}

bool sf__dw_signature_find(const sf_dw_image *image, uint64_t signature, unsigned *space,
			   uint64_t *die_offset)
{
	size_t lo = 0, hi = image->signature_count;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const sf_dw_signature *s = &image->signatures[mid];
		if (signature < s->signature) {
			hi = mid;
		} else if (signature > s->signature) {
			lo = mid + 1;
		} else {
			*space = s->space;
			*die_offset = s->die_offset;
			return true;
		}
	}
	return false;
}

/* ---- abbreviations ---- */

int sf__dw_cursor_init(sf_dw_cursor *cursor, const sf_dw_image *image)
{
	memset(cursor, 0, sizeof(*cursor));
	cursor->image = image;
	return sf__arena_new(&cursor->arena) < 0 ? sf__fail(SF_ENOMEM, "out of memory") : 0;
}

void sf__dw_cursor_release(sf_dw_cursor *cursor)
{
	sf__arena_free(cursor->arena);
	sf__hashmap_free(&cursor->abbrevs);
	memset(cursor, 0, sizeof(*cursor));
}

typedef struct grow {
	void *items;
	size_t count;
	size_t capacity;
} grow;

static void *grow_push(grow *g, size_t size)
{
	if (g->count == g->capacity) {
		size_t capacity = g->capacity ? g->capacity * 2 : 32;
		void *items = realloc(g->items, capacity * size);
		if (!items)
			return NULL;
		g->items = items;
		g->capacity = capacity;
	}
	return (char *)g->items + size * g->count++;
}

static int corrupt_abbrev(const sf_dw_cursor *cursor, uint64_t offset, const char *what)
{
	return sf__fail(SF_EINVALID, "%s: corrupt DWARF: %s in abbreviation table at 0x%llx",
			name_of(cursor->image), what, (unsigned long long)offset);
}

static int cmp_abbrev(const void *a, const void *b)
{
	const sf_dw_abbrev *x = a, *y = b;
	return x->code < y->code ? -1 : x->code > y->code;
}

static int decode_abbrevs(sf_dw_cursor *cursor, const sf_dw_unit *unit, sf_dw_abbrevs *table)
{
	const sf_dwarf_bytes *section = &cursor->image->spaces[unit->space].sections->abbrev;
	const uint8_t *p, *end;
	grow decls = { 0 }, specs = { 0 };
	uint64_t max_code = 0;
	int res = 0;

	if (!section->data || unit->abbrev_offset >= section->size)
		return corrupt_abbrev(cursor, unit->abbrev_offset, "offset outside .debug_abbrev");
	p = section->data + unit->abbrev_offset;
	end = section->data + section->size;
	for (;;) {
		uint64_t code = 0, tag = 0;
		sf_dw_abbrev *a;
		size_t first_spec = specs.count;
		int64_t fixed = 0;

		if (!sf__dw_uleb(&p, end, &code)) {
			res = corrupt_abbrev(cursor, unit->abbrev_offset, "truncated table");
			goto done;
		}
		if (code == 0)
			break;
		if (!sf__dw_uleb(&p, end, &tag) || p >= end || tag > 0xffff) {
			res = corrupt_abbrev(cursor, unit->abbrev_offset, "bad tag");
			goto done;
		}
		a = grow_push(&decls, sizeof(*a));
		if (!a) {
			res = sf__fail(SF_ENOMEM, "out of memory");
			goto done;
		}
		a->code = code;
		a->tag = (uint16_t)tag;
		a->has_children = *p++ != 0;
		a->list_lo = UINT64_C(0x452821e638d01377);
		a->list_hi = UINT64_C(0xbe5466cf34e90c6c);
		a->has_indirect = false;
		for (;;) {
			uint64_t name = 0, form = 0;
			int64_t implicit = 0;
			sf_dw_spec *spec;
			if (!sf__dw_uleb(&p, end, &name) || !sf__dw_uleb(&p, end, &form)) {
				res = corrupt_abbrev(cursor, unit->abbrev_offset, "truncated attribute list");
				goto done;
			}
			if (name == 0 && form == 0)
				break;
			if (form == DW_FORM_implicit_const && !sf__dw_sleb(&p, end, &implicit)) {
				res = corrupt_abbrev(cursor, unit->abbrev_offset, "truncated implicit constant");
				goto done;
			}
			if (name > 0xffff || form > 0xffff || !form_known((uint16_t)form)) {
				res = corrupt_abbrev(cursor, unit->abbrev_offset, "unknown attribute form");
				goto done;
			}
			spec = grow_push(&specs, sizeof(*spec));
			if (!spec) {
				res = sf__fail(SF_ENOMEM, "out of memory");
				goto done;
			}
			spec->name = (uint16_t)name;
			spec->form = (uint16_t)form;
			spec->implicit_const = implicit;
			spec->fast_width = fast_width((uint16_t)form, unit->offset_size);
			if (form == DW_FORM_indirect)
				a->has_indirect = true;
			if (name != DW_AT_sibling) {
				uint64_t word = name << 16 | form;
				a->list_lo = (a->list_lo ^ word) * UINT64_C(0x9e3779b97f4a7c15);
				a->list_lo ^= a->list_lo >> 29;
				a->list_hi = ((a->list_hi ^ word) * UINT64_C(0xc4ceb9fe1a85ec53)) + UINT64_C(0x52dce729);
				a->list_hi ^= a->list_hi >> 31;
			}
			spec->fixed_offset = fixed >= 0 && fixed <= SF_DW_FIXED_LIMIT ? (int)fixed : -1;
			if (fixed >= 0) {
				int size = form_size((uint16_t)form, unit->offset_size, unit->address_size,
						     unit->version);
				fixed = size < 0 ? -1 : fixed + size;
			}
		}
		/* Specs are copied out once the whole table is read; remember
		 * where this declaration's start. */
		a->specs = (const sf_dw_spec *)(uintptr_t)first_spec;
		a->spec_count = (uint32_t)(specs.count - first_spec);
		a->fixed_size = fixed >= 0 && fixed < INT32_MAX ? (int32_t)fixed : -1;
		if (code > max_code)
			max_code = code;
	}
	{
		sf_dw_spec *all = NULL;
		sf_dw_abbrev *list = decls.items;
		if (specs.count) {
			all = sf__arena_calloc(cursor->arena, specs.count, sizeof(*all));
			if (!all) {
				res = sf__fail(SF_ENOMEM, "out of memory");
				goto done;
			}
			memcpy(all, specs.items, specs.count * sizeof(*all));
		}
		/* specs held indexes until now; no attribute at all leaves `all` NULL. */
		for (size_t i = 0; i < decls.count; i++)
			list[i].specs = all ? all + (size_t)(uintptr_t)list[i].specs : NULL;
		if (max_code < DENSE_CODE_LIMIT && max_code <= 4 * decls.count + 64) {
			table->dense = sf__arena_calloc(cursor->arena, (size_t)max_code + 1, sizeof(sf_dw_abbrev));
			if (!table->dense) {
				res = sf__fail(SF_ENOMEM, "out of memory");
				goto done;
			}
			table->dense_count = (size_t)max_code + 1;
			/* The first declaration of a code wins, as in a lookup by scan. */
			for (size_t i = decls.count; i-- > 0;)
				table->dense[list[i].code] = list[i];
		} else if (decls.count) {
			qsort(list, decls.count, sizeof(*list), cmp_abbrev);
			table->sparse = sf__arena_calloc(cursor->arena, decls.count, sizeof(sf_dw_abbrev));
			if (!table->sparse) {
				res = sf__fail(SF_ENOMEM, "out of memory");
				goto done;
			}
			memcpy(table->sparse, list, decls.count * sizeof(*list));
			table->sparse_count = decls.count;
		}
	}
done:
	free(decls.items);
	free(specs.items);
	return res;
}

static bool same_shape(const sf_dw_abbrevs *t, const sf_dw_unit *u)
{
	return t->offset == u->abbrev_offset && t->space_file == (u->space == SF_DW_ALT) &&
	       t->offset_size == u->offset_size && t->address_size == u->address_size &&
	       t->version == u->version;
}

static int abbrevs_for(sf_dw_cursor *cursor, const sf_dw_unit *unit, const sf_dw_abbrevs **out)
{
	uint64_t hash;
	size_t cursor_pos = 0;
	sf_dw_abbrevs *t;
	int res;

	/* Every DIE decode comes here: the common case must not hash. */
	if (cursor->last && same_shape(cursor->last, unit)) {
		*out = cursor->last;
		return 0;
	}
	hash = sf__hash_u64(sf__hash_u64(SF_HASH_SEED, unit->abbrev_offset),
			    ((uint64_t)(unit->space == SF_DW_ALT) << 24) |
			    ((uint64_t)unit->offset_size << 16) |
			    ((uint64_t)unit->address_size << 8) | unit->version);
	while ((t = sf__hashmap_next(&cursor->abbrevs, hash, &cursor_pos))) {
		if (same_shape(t, unit)) {
			cursor->last = t;
			*out = t;
			return 0;
		}
	}
	t = sf__arena_alloc(cursor->arena, sizeof(*t));
	if (!t)
		return sf__fail(SF_ENOMEM, "out of memory");
	t->offset = unit->abbrev_offset;
	t->space_file = unit->space == SF_DW_ALT;
	t->offset_size = unit->offset_size;
	t->address_size = unit->address_size;
	t->version = unit->version;
	res = decode_abbrevs(cursor, unit, t);
	if (res < 0)
		return res;
	if (sf__hashmap_insert(&cursor->abbrevs, hash, t) < 0)
		return sf__fail(SF_ENOMEM, "out of memory");
	cursor->last = t;
	*out = t;
	return 0;
}

static const sf_dw_abbrev *abbrev_lookup(const sf_dw_abbrevs *t, uint64_t code)
{
	if (code < t->dense_count)
		return t->dense[code].code == code ? &t->dense[code] : NULL;
	size_t lo = 0, hi = t->sparse_count;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (code < t->sparse[mid].code)
			hi = mid;
		else if (code > t->sparse[mid].code)
			lo = mid + 1;
		else
			return &t->sparse[mid];
	}
	return NULL;
}

/* ---- DIEs and values ---- */

static const char *space_suffix(unsigned space)
{
	return space == SF_DW_ALT ? " of the dwz file" : space == SF_DW_TYPES ? " in .debug_types" : "";
}

static int corrupt_die(const sf_dw_image *image, const sf_dw_unit *unit, uint64_t offset, const char *what)
{
	return sf__fail(SF_EINVALID, "%s: corrupt DWARF: %s at DIE 0x%llx%s", name_of(image), what,
			(unsigned long long)offset, space_suffix(unit->space));
}

int sf__dw_die_at(sf_dw_cursor *cursor, const sf_dw_unit *unit, uint64_t offset, sf_dw_die *out)
{
	const sf_dw_space_units *s = &cursor->image->spaces[unit->space];
	const uint8_t *p, *end;
	const sf_dw_abbrevs *table = NULL;
	uint64_t code = 0;
	int res;

	/* Field by field, not memset: callers copy the result right away,
	 * and wide loads of narrow stores stall. */
	out->unit = unit;
	out->abbrev = NULL;
	out->attrs = NULL;
	out->offset = offset;
	/* Check before forming the pointer: a wild offset must not even be added. */
	if (offset < unit->die_offset || offset >= unit->end)
		return corrupt_die(cursor->image, unit, offset, "DIE offset outside its unit");
	p = s->data + offset;
	end = s->data + unit->end;
	if (!sf__dw_uleb(&p, end, &code))
		return corrupt_die(cursor->image, unit, offset, "truncated DIE");
	out->unit = unit;
	out->offset = offset;
	out->attrs = p;
	if (code == 0)
		return 0;
	res = abbrevs_for(cursor, unit, &table);
	if (res < 0)
		return res;
	out->abbrev = abbrev_lookup(table, code);
	if (!out->abbrev)
		return corrupt_die(cursor->image, unit, offset, "unknown abbreviation code");
	return 0;
}

/*
 * Decodes one value at *p (bounded by `end`) and moves *p past it.
 * `depth` bounds DW_FORM_indirect chains.
 */
static bool read_value(const sf_dw_image *image, const sf_dw_unit *unit, uint16_t form,
		       int64_t implicit, const uint8_t **p, const uint8_t *end, sf_dw_value *v,
		       unsigned depth)
{
	const bool be = image->big_endian;
	const uint8_t *q = *p;
	int size;

	v->form = form;
	v->where = q;
	v->u = 0;
	v->s = 0;
	v->block = NULL;
	v->block_len = 0;
	/* The forms nearly every DIE uses, decoded without form_size(). */
	if (!be) {
		unsigned width = 0;
		switch (form) {
		case DW_FORM_data1: case DW_FORM_ref1: case DW_FORM_flag: width = 1; break;
		case DW_FORM_data2: case DW_FORM_ref2: width = 2; break;
		case DW_FORM_data4: case DW_FORM_ref4: width = 4; break;
		case DW_FORM_strp: case DW_FORM_line_strp: case DW_FORM_sec_offset:
			width = unit->offset_size;
			break;
		default:
			break;
		}
		if (width) {
			if ((size_t)(end - q) < width)
				return false;
			if (width == 1) {
				v->u = q[0];
			} else if (width == 2) {
				v->u = (uint64_t)q[0] | (uint64_t)q[1] << 8;
			} else if (width == 4) {
				uint32_t w;
				memcpy(&w, q, 4);
				v->u = le32toh(w);
			} else {
				v->u = sf__dw_read_uint(q, width, false);
			}
			*p = q + width;
			return true;
		}
	}
	switch (form) {
	case DW_FORM_implicit_const:
		v->s = implicit;
		v->u = (uint64_t)implicit;
		return true;
	case DW_FORM_flag_present:
		v->u = 1;
		return true;
	case DW_FORM_string: {
		const uint8_t *nul = memchr(q, 0, (size_t)(end - q));
		if (!nul)
			return false;
		*p = nul + 1;
		return true;
	}
	case DW_FORM_sdata:
		if (!sf__dw_sleb(&q, end, &v->s))
			return false;
		v->u = (uint64_t)v->s;
		*p = q;
		return true;
	case DW_FORM_udata: case DW_FORM_ref_udata: case DW_FORM_strx: case DW_FORM_addrx:
	case DW_FORM_loclistx: case DW_FORM_rnglistx: case DW_FORM_GNU_addr_index:
	case DW_FORM_GNU_str_index:
		if (!sf__dw_uleb(&q, end, &v->u))
			return false;
		*p = q;
		return true;
	case DW_FORM_block1: case DW_FORM_block2: case DW_FORM_block4: case DW_FORM_block:
	case DW_FORM_exprloc: {
		uint64_t len = 0;
		if (form == DW_FORM_block || form == DW_FORM_exprloc) {
			if (!sf__dw_uleb(&q, end, &len))
				return false;
		} else {
			unsigned width = form == DW_FORM_block1 ? 1 : form == DW_FORM_block2 ? 2 : 4;
			if ((size_t)(end - q) < width)
				return false;
			len = sf__dw_read_uint(q, width, be);
			q += width;
		}
		if (len > (uint64_t)(end - q))
			return false;
		v->block = q;
		v->block_len = len;
		*p = q + len;
		return true;
	}
	case DW_FORM_indirect: {
		uint64_t real = 0;
		if (depth > 4 || !sf__dw_uleb(&q, end, &real) || real > 0xffff ||
		    real == DW_FORM_implicit_const || !form_known((uint16_t)real))
			return false;
		*p = q;
		return read_value(image, unit, (uint16_t)real, 0, p, end, v, depth + 1);
	}
	default:
		break;
	}
	size = form_size(form, unit->offset_size, unit->address_size, unit->version);
	if (size < 0 || (size_t)(end - q) < (size_t)size)
		return false;
	if (size <= 8)
		v->u = sf__dw_read_uint(q, (unsigned)size, be);
	else {
		v->block = q;
		v->block_len = (uint64_t)size;
	}
	*p = q + size;
	return true;
}

static const uint8_t *unit_end(const sf_dw_image *image, const sf_dw_unit *unit)
{
	return image->spaces[unit->space].data + unit->end;
}

static const uint8_t *skip_attrs(const sf_dw_image *image, const sf_dw_die *die)
{
	const sf_dw_abbrev *a = die->abbrev;
	const uint8_t *p = die->attrs, *end = unit_end(image, die->unit);
	sf_dw_value v;

	if (a->fixed_size >= 0)
		return (size_t)(end - p) >= (size_t)a->fixed_size ? p + a->fixed_size : NULL;
	for (uint32_t i = 0; i < a->spec_count; i++) {
		const sf_dw_spec *spec = &a->specs[i];
		if (spec->fixed_offset >= 0) {
			/* A DIE near the unit end may not hold the abbreviation's fixed part. */
			if (spec->fixed_offset > end - die->attrs)
				return NULL;
			p = die->attrs + spec->fixed_offset;
		}
		if (!read_value(image, die->unit, spec->form, spec->implicit_const, &p, end, &v, 0))
			return NULL;
	}
	return p;
}

int sf__dw_die_attrs_end(const sf_dw_cursor *cursor, const sf_dw_die *die, uint64_t *out)
{
	const uint8_t *p = die->abbrev ? skip_attrs(cursor->image, die) : die->attrs;
	if (!p)
		return corrupt_die(cursor->image, die->unit, die->offset, "attributes beyond the unit");
	*out = (uint64_t)(p - cursor->image->spaces[die->unit->space].data);
	return 0;
}

/* Where a DW_AT_sibling link of a DIE with children points, if usable:
 * 1 with *out set, 0 without one, <0. */
static int sibling_link(sf_dw_cursor *cursor, const sf_dw_die *die, uint64_t *out)
{
	sf_dw_value v;
	int res = sf__dw_attr(cursor, die, DW_AT_sibling, &v);

	if (res <= 0)
		return res;
	if (v.form != DW_FORM_ref_addr && v.form != DW_FORM_GNU_ref_alt && v.form != DW_FORM_ref_sig8 &&
	    v.form != DW_FORM_ref_sup4 && v.form != DW_FORM_ref_sup8) {
		uint64_t target = die->unit->offset + v.u;
		if (target > die->offset && target < die->unit->end) {
			*out = target;
			return 1;
		}
	}
	return 0;
}

int sf__dw_die_sibling_offset(sf_dw_cursor *cursor, const sf_dw_die *die, uint64_t *out)
{
	const sf_dw_image *image = cursor->image;
	uint64_t pos = 0;
	uint64_t depth = 0;
	int res;

	if (!die->abbrev) {
		*out = die->offset;
		return 0;
	}
	if (die->abbrev->has_children) {
		res = sibling_link(cursor, die, out);
		if (res != 0)
			return res < 0 ? res : 0;
	}
	res = sf__dw_die_attrs_end(cursor, die, &pos);
	if (res < 0 || !die->abbrev->has_children) {
		*out = pos;
		return res;
	}
	/*
	 * Skip the subtree: every nested list ends with a null entry.  A loop
	 * with a depth count, not recursion: corrupt input can nest DIEs a
	 * million deep.  `pos` only moves forward, so it ends.
	 */
	depth = 1;
	while (depth > 0) {
		sf_dw_die child;
		uint64_t next = 0;
		if (pos >= die->unit->end)
			return corrupt_die(image, die->unit, die->offset, "children run past the unit");
		res = sf__dw_die_at(cursor, die->unit, pos, &child);
		if (res < 0)
			return res;
		if (!child.abbrev) {
			depth--;
			pos = (uint64_t)(child.attrs - image->spaces[die->unit->space].data);
			continue;
		}
		if (child.abbrev->has_children) {
			/* A sibling link skips the grandchildren in one step. */
			res = sibling_link(cursor, &child, &next);
			if (res < 0)
				return res;
			if (res > 0) {
				pos = next;
				continue;
			}
			depth++;
		}
		res = sf__dw_die_attrs_end(cursor, &child, &pos);
		if (res < 0)
			return res;
	}
	*out = pos;
	return 0;
}

int sf__dw_attr(const sf_dw_cursor *cursor, const sf_dw_die *die, uint16_t name, sf_dw_value *out)
{
	const sf_dw_abbrev *a = die->abbrev;
	const uint8_t *p = die->attrs, *end;
	sf_dw_value skip;

	if (!a)
		return 0;
	end = unit_end(cursor->image, die->unit);
	for (uint32_t i = 0; i < a->spec_count; i++) {
		const sf_dw_spec *spec = &a->specs[i];
		bool wanted = spec->name == name;
		if (spec->fixed_offset >= 0) {
			if (spec->fixed_offset > end - die->attrs)
				return corrupt_die(cursor->image, die->unit, die->offset, "attribute beyond the unit");
			p = die->attrs + spec->fixed_offset;
		}
		/* No need to decode what we skip when the next spec's position is known. */
		if (!wanted && i + 1 < a->spec_count && a->specs[i + 1].fixed_offset >= 0)
			continue;
		if (wanted && sf__dw_value_fast(spec, p, end, cursor->image->big_endian, out) >= 0)
			return 1;
		if (!read_value(cursor->image, die->unit, spec->form, spec->implicit_const, &p, end,
				wanted ? out : &skip, 0))
			return corrupt_die(cursor->image, die->unit, die->offset, "attribute beyond the unit");
		if (wanted)
			return 1;
	}
	return 0;
}

void sf__dw_attr_iter_init(const sf_dw_cursor *cursor, const sf_dw_die *die, sf_dw_attr_iter *it)
{
	it->die = die;
	it->p = die->attrs;
	it->end = die->abbrev ? unit_end(cursor->image, die->unit) : die->attrs;
	it->index = 0;
	it->big_endian = cursor->image->big_endian;
}

int sf__dw_attr_iter_slow(const sf_dw_cursor *cursor, sf_dw_attr_iter *it, uint16_t *name,
			  sf_dw_value *out)
{
	const sf_dw_abbrev *a = it->die->abbrev;
	const sf_dw_spec *spec;

	if (!a || it->index >= a->spec_count)
		return 0;
	spec = &a->specs[it->index++];
	if (spec->fixed_offset >= 0) {
		if (spec->fixed_offset > it->end - it->die->attrs)
			return corrupt_die(cursor->image, it->die->unit, it->die->offset, "attribute beyond the unit");
		it->p = it->die->attrs + spec->fixed_offset;
	}
	if (!read_value(cursor->image, it->die->unit, spec->form, spec->implicit_const, &it->p, it->end,
			out, 0))
		return corrupt_die(cursor->image, it->die->unit, it->die->offset, "attribute beyond the unit");
	*name = spec->name;
	return 1;
}

static int section_string(const sf_dw_cursor *cursor, const sf_dw_die *die, const char *data,
			  uint64_t size, uint64_t offset, const char *section, const char **out)
{
	/* A section ending in NUL terminates every string in it: the usual
	 * case spares a scan per string. */
	if (!data || offset >= size ||
	    (data[size - 1] != '\0' && !memchr(data + offset, 0, (size_t)(size - offset)))) {
		char what[64];
		strcpy(what, "string offset outside ");
		strcat(what, section);
		return corrupt_die(cursor->image, die->unit, die->offset, what);
	}
	*out = data + offset;
	return 1;
}

int sf__dw_string(sf_dw_cursor *cursor, const sf_dw_die *die, const sf_dw_value *value,
		  const char **out)
{
	const sf_dwarf_sections *sections = cursor->image->spaces[die->unit->space].sections;
	const sf_dw_unit *unit = die->unit;

	switch (value->form) {
	case DW_FORM_string:
		*out = (const char *)value->where;
		return 1;
	case DW_FORM_strp:
		return section_string(cursor, die, (const char *)sections->str.data, sections->str.size,
				      value->u, ".debug_str", out);
	case DW_FORM_line_strp:
		return section_string(cursor, die, (const char *)sections->line_str.data,
				      sections->line_str.size, value->u, ".debug_line_str", out);
	case DW_FORM_GNU_strp_alt:
	case DW_FORM_strp_sup:
		return section_string(cursor, die, cursor->image->alt_str, cursor->image->alt_str_size,
				      value->u, "the dwz .debug_str", out);
	case DW_FORM_strx: case DW_FORM_strx1: case DW_FORM_strx2: case DW_FORM_strx3:
	case DW_FORM_strx4: case DW_FORM_GNU_str_index: {
		const sf_dwarf_bytes *table = &sections->str_offsets;
		uint64_t at = 0, offset, base = 0;
		if (value->form != DW_FORM_GNU_str_index) {
			int res = str_offsets_base(cursor, unit, &base);
			if (res < 0)
				return res;
		}
		if (value->u > UINT32_MAX || !table->data ||
		    __builtin_add_overflow(base, value->u * unit->offset_size, &at) ||
		    at >= table->size || table->size - at < unit->offset_size)
			return corrupt_die(cursor->image, unit, die->offset, "string index outside .debug_str_offsets");
		offset = sf__dw_read_uint(table->data + at, unit->offset_size, cursor->image->big_endian);
		return section_string(cursor, die, (const char *)sections->str.data, sections->str.size,
				      offset, ".debug_str", out);
	}
	default:
		return corrupt_die(cursor->image, unit, die->offset, "string attribute of a non-string form");
	}
}

static uint64_t string_hash(const uint8_t *p, size_t len)
{
	uint64_t h = UINT64_C(0x9e3779b97f4a7c15) ^ len, word;

	for (; len >= 8; p += 8, len -= 8) {
		memcpy(&word, p, 8);
		h = (h ^ word) * UINT64_C(0xff51afd7ed558ccd);
		h ^= h >> 32;
	}
	word = 0;
	memcpy(&word, p, len);
	h = (h ^ word) * UINT64_C(0xc4ceb9fe1a85ec53);
	return h ^ (h >> 29);
}

bool sf__dw_strings_distinct(const uint8_t *data, uint64_t size)
{
	/* Open addressing over (offset + 1, hash bits); 0 is an empty slot. */
	typedef struct seen {
		uint32_t at;
		uint32_t check;
	} seen;
	seen *table = NULL;
	size_t count = 0, capacity = 64, mask;
	const uint8_t *p, *end = data + size;
	bool distinct = false;

	if (!data || size == 0 || size >= UINT32_MAX || data[size - 1] != 0)
		return false;
	for (p = data; p < end; p = (const uint8_t *)memchr(p, 0, (size_t)(end - p)) + 1)
		count++;
	while (capacity < 2 * count)
		capacity *= 2;
	table = sf__alloc_cleared(capacity, sizeof(*table));
	if (!table)
		return false;
	mask = capacity - 1;
	for (p = data; p < end;) {
		size_t len = strlen((const char *)p);
		uint64_t h = string_hash(p, len);
		size_t i = (size_t)h & mask;
		for (; table[i].at; i = (i + 1) & mask) {
			const uint8_t *other = data + table[i].at - 1;
			if (table[i].check == (uint32_t)(h >> 32) && memcmp(other, p, len + 1) == 0)
				goto done;
		}
		table[i].at = (uint32_t)(p - data) + 1;
		table[i].check = (uint32_t)(h >> 32);
		p += len + 1;
	}
	distinct = true;
done:
	free(table);
	return distinct;
}

int sf__dw_reference(const sf_dw_die *die, const sf_dw_value *value, unsigned *space, uint64_t *offset)
{
	const sf_dw_unit *unit = die->unit;

	switch (value->form) {
	case DW_FORM_ref1: case DW_FORM_ref2: case DW_FORM_ref4: case DW_FORM_ref8:
	case DW_FORM_ref_udata:
		if (__builtin_add_overflow(unit->offset, value->u, offset))
			return SF_EINVALID;
		*space = unit->space;
		return 0;
	case DW_FORM_ref_addr:
		*offset = value->u;
		*space = unit->space == SF_DW_ALT ? SF_DW_ALT : SF_DW_INFO;
		return 0;
	case DW_FORM_GNU_ref_alt: case DW_FORM_ref_sup4: case DW_FORM_ref_sup8:
		*offset = value->u;
		*space = SF_DW_ALT;
		return 0;
	default:
		return SF_EINVALID;
	}
}

/* A unit whose root names a .dwo file (or says skeleton) and has no
 * children keeps its types in the .dwo. */
static bool is_skeleton(sf_dw_cursor *cursor, const sf_dw_unit *u)
{
	sf_dw_die root, first;
	sf_dw_value v;
	uint64_t child = 0;
	bool named = u->unit_type == DW_UT_skeleton;

	if (u->die_offset >= u->end || sf__dw_die_at(cursor, u, u->die_offset, &root) < 0 || !root.abbrev)
		return false;
	if (!named)
		named = sf__dw_attr(cursor, &root, DW_AT_dwo_name, &v) > 0 ||
			sf__dw_attr(cursor, &root, DW_AT_GNU_dwo_name, &v) > 0;
	if (!named)
		return false;
	if (!root.abbrev->has_children)
		return true;
	return !(sf__dw_die_attrs_end(cursor, &root, &child) == 0 && child < u->end &&
		 sf__dw_die_at(cursor, u, child, &first) == 0 && first.abbrev);
}

int sf__dw_only_skeletons(const sf_debug_image *image, bool *yes)
{
	const sf_dwarf_bytes *info = &image->sections.info;
	sf_dw_image dw = { .name = image->display_name, .big_endian = image->big_endian };
	sf_dw_cursor cursor;
	uint64_t offset = 0;
	int res;

	*yes = false;
	if (!info->data)
		return 0;
	dw.spaces[SF_DW_INFO] = (sf_dw_space_units){
		.data = info->data, .size = info->size, .sections = &image->sections
	};
	res = sf__dw_cursor_init(&cursor, &dw);
	if (res < 0)
		return res;
	/* Stops at the first unit with content: one header for most files. */
	while (offset < info->size) {
		sf_dw_unit u;
		if (parse_header(&dw, SF_DW_INFO, info->data, info->size, offset, &u) < 0)
			break;   /* the walk reports a corrupt header in context */
		if (!is_skeleton(&cursor, &u)) {
			*yes = false;
			break;
		}
		*yes = true;
		offset = u.end;
	}
	sf__dw_cursor_release(&cursor);
	return 0;
}
