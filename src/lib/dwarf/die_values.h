/* Reading every attribute of a DIE in one pass: the iterator of
 * die_values.c, with the step for the common forms in line. */
#ifndef SF_DWARF_DIE_VALUES_H
#define SF_DWARF_DIE_VALUES_H

#include "dwarf/die_reader.h"

/* Every attribute of a DIE in abbreviation order, each decoded once. */
typedef struct sf_dw_attr_iter {
	const sf_dw_die *die;
	const uint8_t *p;
	const uint8_t *end;
	uint32_t index;
	bool big_endian;
} sf_dw_attr_iter;

void sf__dw_attr_iter_init(const sf_dw_cursor *cursor, const sf_dw_die *die, sf_dw_attr_iter *it);
/* The out-of-line part of sf__dw_attr_iter_next(): same contract. */
int sf__dw_attr_iter_slow(const sf_dw_cursor *cursor, sf_dw_attr_iter *it, uint16_t *name,
			  sf_dw_value *out);
/* 1 with the attribute's name and value, 0 after the last, or SF_EINVALID.
 * In line: it runs for every attribute a digest reads. */
static inline int sf__dw_attr_iter_next(const sf_dw_cursor *cursor, sf_dw_attr_iter *it, uint16_t *name,
					sf_dw_value *out)
{
	const sf_dw_abbrev *a = it->die->abbrev;
	const sf_dw_spec *spec;
	const uint8_t *q;
	int width;

	if (!a || it->index >= a->spec_count)
		return 0;
	spec = &a->specs[it->index];
	if (spec->fixed_offset >= 0) {
		if (spec->fixed_offset > it->end - it->die->attrs)
			return sf__dw_attr_iter_slow(cursor, it, name, out);
		q = it->die->attrs + spec->fixed_offset;
	} else {
		q = it->p;
	}
	width = sf__dw_value_fast(spec, q, it->end, it->big_endian, out);
	if (width < 0)
		return sf__dw_attr_iter_slow(cursor, it, name, out);
	it->index++;
	it->p = q + width;
	*name = spec->name;
	return 1;
}

#endif
