/* DIEs and their values: DIE headers through the abbreviation tables,
 * every attribute form, subtree skipping, strings and references. */
#include "dwarf/die_values.h"

#include "dwarf/die_reader_impl.h"

#include <endian.h>
#include <string.h>

#include "util/fail.h"

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

static const char *space_suffix(unsigned space)
{
	return space == SF_DW_ALT ? " of the dwz file" : space == SF_DW_TYPES ? " in .debug_types" : "";
}

static int corrupt_die(const sf_dw_image *image, const sf_dw_unit *unit, uint64_t offset, const char *what)
{
	return sf__fail(SF_EINVALID, "%s: corrupt DWARF: %s at DIE 0x%llx%s", sf__dw_image_name(image), what,
			(unsigned long long)offset, space_suffix(unit->space));
}

int sf__dw_die_at_slow(sf_dw_cursor *cursor, const sf_dw_unit *unit, uint64_t offset, sf_dw_die *out)
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
	/* Codes below 128 (nearly all) are one byte; `offset` is inside the
	 * unit, so that byte is. */
	if (!(*p & 0x80))
		code = *p++;
	else if (!sf__dw_uleb(&p, end, &code))
		return corrupt_die(cursor->image, unit, offset, "truncated DIE");
	out->unit = unit;
	out->offset = offset;
	out->attrs = p;
	if (code == 0)
		return 0;
	/* Most units use one table for all their DIEs: no call for it,
	 * and for the unit of the last DIE not even a shape check. */
	table = cursor->last;
	if (cursor->last_unit != unit && (!table || !sf__dw_abbrevs_fit(table, unit))) {
		res = sf__dw_abbrevs_for(cursor, unit, &table);
		if (res < 0)
			return res;
	}
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
		    real == DW_FORM_implicit_const || !sf__dw_form_known((uint16_t)real))
			return false;
		*p = q;
		return read_value(image, unit, (uint16_t)real, 0, p, end, v, depth + 1);
	}
	default:
		break;
	}
	size = sf__dw_form_size(form, unit->offset_size, unit->address_size, unit->version);
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

int sf__dw_attr_slow(const sf_dw_cursor *cursor, const sf_dw_die *die, uint16_t name, sf_dw_value *out)
{
	const sf_dw_abbrev *a = die->abbrev;
	const uint8_t *p = die->attrs, *end;
	sf_dw_value skip;

	if (!a)
		return 0;
	end = unit_end(cursor->image, die->unit);
	/* All of a fixed-size DIE within its unit (offsets only grow, so the
	 * last one known means all are): the attribute's place is known and
	 * nothing before it can be cut short, so only names are compared
	 * (an absent one costs no decoding either). */
	if (a->fixed_size >= 0 && a->spec_count && a->specs[a->spec_count - 1].fixed_offset >= 0 &&
	    (uint64_t)a->fixed_size <= (uint64_t)(end - die->attrs)) {
		for (uint32_t i = 0; i < a->spec_count; i++) {
			const sf_dw_spec *spec = &a->specs[i];
			if (spec->name != name)
				continue;
			p = die->attrs + spec->fixed_offset;
			if (sf__dw_value_fast(spec, p, end, cursor->image->big_endian, out) >= 0)
				return 1;
			if (!read_value(cursor->image, die->unit, spec->form, spec->implicit_const, &p, end, out, 0))
				return corrupt_die(cursor->image, die->unit, die->offset, "attribute beyond the unit");
			return 1;
		}
		return 0;
	}
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

/* DW_AT_str_offsets_base from the root DIE of a DWARF 5 unit, read when
 * a strx form first needs it (the cursor remembers the last unit's). */
static int unit_str_offsets_base(sf_dw_cursor *cursor, const sf_dw_unit *u, uint64_t *out)
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
		uint64_t at = 0, offset, base = unit->str_offsets_base;
		/* DWARF 4 .dwo units have no DW_AT_str_offsets_base: theirs is
		 * the unit's (0, or its .dwp contribution). */
		if (value->form != DW_FORM_GNU_str_index) {
			int res = unit_str_offsets_base(cursor, unit, &base);
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
