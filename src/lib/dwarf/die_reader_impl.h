/* What the reader's own files (die_units.c, die_abbrev.c, die_values.c)
 * share and the rest of dwarf/ does not use: form sizes and the image
 * name for messages. */
#ifndef SF_DWARF_DIE_READER_IMPL_H
#define SF_DWARF_DIE_READER_IMPL_H

#include "dwarf/die_reader.h"

static inline const char *sf__dw_image_name(const sf_dw_image *image)
{
	return image->name ? image->name : "(input)";
}

/* Bytes taken by `form` in a unit of this shape, or -1 when the size is in the data. */
static inline int sf__dw_form_size(uint16_t form, unsigned offset_size, unsigned address_size, unsigned version)
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

static inline bool sf__dw_form_known(uint16_t form)
{
	switch (form) {
	case DW_FORM_block1: case DW_FORM_block2: case DW_FORM_block4: case DW_FORM_block:
	case DW_FORM_exprloc: case DW_FORM_string: case DW_FORM_sdata: case DW_FORM_udata:
	case DW_FORM_ref_udata: case DW_FORM_strx: case DW_FORM_addrx: case DW_FORM_loclistx:
	case DW_FORM_rnglistx: case DW_FORM_GNU_addr_index: case DW_FORM_GNU_str_index:
	case DW_FORM_indirect:
		return true;
	default:
		return sf__dw_form_size(form, 4, 8, 4) >= 0;
	}
}

/* Parses the unit header at `offset` of `data` (die_units.c).  0 or
 * SF_EINVALID (message set). */
int sf__dw_unit_header(const sf_dw_image *image, unsigned space, const uint8_t *data, uint64_t size,
		       uint64_t offset, sf_dw_unit *u);

/* Appends a type unit's signature (die_units.c); 0 or SF_ENOMEM. */
int sf__dw_signature_push(sf_dw_image *image, size_t *capacity, const sf_dw_unit *unit);

/* sf__dw_image_open(), with `later_info`: .debug_info's units are left
 * to sf__dw_feed_run() (die_feed.h), whose bytes may still be arriving. */
int sf__dw_image_open_spaces(sf_dw_image *out, const sf_debug_image *image, uint64_t info_limit,
			     bool later_info);

/* Applies a .dwp's .debug_cu_index/.debug_tu_index to the listed units:
 * each unit's abbreviation, string-offset and line contributions
 * (die_dwp.c).  0 or SF_EINVALID (an index pointing outside its sections). */
int sf__dw_dwp_apply(sf_dw_image *image);

/* Whether table `t` was decoded for units of `u`'s shape. */
static inline bool sf__dw_abbrevs_fit(const sf_dw_abbrevs *t, const sf_dw_unit *u)
{
	return t->offset == u->abbrev_offset && t->space_file == (u->space == SF_DW_ALT) &&
	       t->offset_size == u->offset_size && t->address_size == u->address_size &&
	       t->version == u->version;
}

/* The abbreviation table of `unit`, decoded on first use (die_abbrev.c).
 * 0, SF_EINVALID or SF_ENOMEM. */
int sf__dw_abbrevs_for(sf_dw_cursor *cursor, const sf_dw_unit *unit, const sf_dw_abbrevs **out);

#endif
