/* Reading DIE attributes through our reader, with its failures turned into our error codes. */
#include "dwarf/die_ctx.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/checked.h"
#include "util/fail.h"

static const char *file_of(const sf_die_ctx *ctx)
{
	return ctx->image->display_name ? ctx->image->display_name : "(input)";
}

int sf__die_corrupt(const sf_die_ctx *ctx, const sf_die *d, const char *what)
{
	return sf__fail(SF_EINVALID, "%s: corrupt DWARF: %s at DIE 0x%llx%s", file_of(ctx), what,
			(unsigned long long)d->offset,
			d->alt ? " of the dwz file" : (d->is_info ? "" : " in .debug_types"));
}

int sf__die_too_deep(const sf_die_ctx *ctx, const sf_die *d, unsigned limit)
{
	char what[64];
	snprintf(what, sizeof(what), "type chain deeper than %u", limit);
	return sf__die_corrupt(ctx, d, what);
}

static void drop_files(sf_die_ctx *ctx)
{
	sf__dw_files_release(&ctx->files);
	ctx->files_unit = NULL;
	ctx->files_loaded = false;
}

static unsigned space_of(bool alt, bool is_info)
{
	return alt ? SF_DW_ALT : is_info ? SF_DW_INFO : SF_DW_TYPES;
}

/* Completes a DIE decoded into out->raw; 0 for the null entry ending a
 * list.  Decoding in place, not copying a decoded sf_dw_die over: the
 * copy's wide loads of just-made narrow stores stalled every child step. */
static int wrap(sf_die *out)
{
	if (!out->raw.abbrev) {
		memset(out, 0, sizeof(*out));
		return 0;
	}
	out->offset = out->raw.offset;
	out->alt = out->raw.unit->space == SF_DW_ALT;
	out->is_info = out->raw.unit->space != SF_DW_TYPES;
	return 1;
}

/* sf__die_open() where the DIE is likely in `near`'s unit (NULL: no
 * guess): nearly every reference stays in its unit, and finding the
 * unit by a search over all of them was most of opening its target. */
static int open_near(const sf_die_ctx *ctx, const sf_dw_unit *near, bool alt, uint64_t offset, bool is_info,
		     sf_die *out)
{
	unsigned space = space_of(alt, is_info);
	const sf_dw_unit *unit = near && near->space == space && offset >= near->offset && offset < near->end
					 ? near
					 : sf__dw_unit_at(ctx->dw, space, offset);
	int res;

	memset(out, 0, sizeof(*out));
	if (!unit || offset < unit->die_offset)
		return sf__fail(SF_EINVALID, "%s: corrupt DWARF: reference to missing DIE 0x%llx",
				file_of(ctx), (unsigned long long)offset);
	res = sf__dw_die_at(ctx->cursor, unit, offset, &out->raw);
	if (res < 0) {
		memset(out, 0, sizeof(*out));
		return res;
	}
	if (wrap(out) == 0)
		return sf__fail(SF_EINVALID, "%s: corrupt DWARF: reference to missing DIE 0x%llx",
				file_of(ctx), (unsigned long long)offset);
	return 0;
}

int sf__die_open(const sf_die_ctx *ctx, bool alt, uint64_t offset, bool is_info, sf_die *out)
{
	return open_near(ctx, NULL, alt, offset, is_info, out);
}

int sf__die_tag(const sf_die_ctx *ctx, const sf_die *d, uint16_t *tag)
{
	(void)ctx;
	*tag = d->raw.abbrev->tag;
	return 0;
}

/* 1 with *v set, 0 when absent, <0 on error. */
static int get_attr(const sf_die_ctx *ctx, const sf_die *d, uint16_t at, sf_dw_value *v)
{
	return sf__dw_attr(ctx->cursor, &d->raw, at, v);
}

int sf__die_flag(const sf_die_ctx *ctx, const sf_die *d, uint16_t at, bool *out)
{
	sf_dw_value v;
	int res = get_attr(ctx, d, at, &v);

	*out = false;
	if (res <= 0)
		return res;
	if (v.form != DW_FORM_flag && v.form != DW_FORM_flag_present)
		return sf__die_corrupt(ctx, d, "flag attribute of a non-flag form");
	*out = v.u != 0;
	return 1;
}

static bool is_signed_form(uint16_t form)
{
	return form == DW_FORM_sdata || form == DW_FORM_implicit_const;
}

static bool is_unsigned_constant(uint16_t form)
{
	return form == DW_FORM_data1 || form == DW_FORM_data2 || form == DW_FORM_data4 ||
	       form == DW_FORM_data8 || form == DW_FORM_udata;
}

static int read_sdata(const sf_die_ctx *ctx, const sf_die *d, uint16_t at, bool widen_sign,
		      int64_t *out)
{
	sf_dw_value v;
	int res = get_attr(ctx, d, at, &v);

	*out = 0;
	if (res <= 0)
		return res;
	if (is_signed_form(v.form)) {
		*out = v.s;
		return 1;
	}
	/* Non-constant forms (exprloc bounds of VLAs, references) mean
	 * "not a known constant", not corruption. */
	if (!is_unsigned_constant(v.form))
		return 0;
	{
		uint64_t value = v.u;
		/* Fixed-size data forms carry no sign of their own.  Bounds
		 * are unsigned (gcc writes `char b[256]` as data1 0xff), except
		 * an all-ones data4, which old producers used for -1 in
		 * `x[0]`; DW_AT_bit_offset is signed at any width (clang
		 * writes -19 as data8 0xff..ed). */
		unsigned width = v.form == DW_FORM_data1 ? 8 : v.form == DW_FORM_data2 ? 16 :
				 v.form == DW_FORM_data4 ? 32 : 64;
		if (width < 64 && (widen_sign || (width == 32 && value == UINT32_MAX)) &&
		    (value >> (width - 1)) & 1)
			value |= ~(uint64_t)0 << width;
		*out = (int64_t)value;
	}
	return 1;
}

int sf__die_sdata(const sf_die_ctx *ctx, const sf_die *d, uint16_t at, int64_t *out)
{
	return read_sdata(ctx, d, at, false, out);
}

int sf__die_signed(const sf_die_ctx *ctx, const sf_die *d, uint16_t at, int64_t *out)
{
	return read_sdata(ctx, d, at, true, out);
}

int sf__die_udata(const sf_die_ctx *ctx, const sf_die *d, uint16_t at, uint64_t *out)
{
	sf_dw_value v;
	int res = get_attr(ctx, d, at, &v);

	*out = 0;
	if (res <= 0)
		return res;
	if (is_signed_form(v.form)) {
		if (v.s < 0)
			return sf__die_corrupt(ctx, d, "negative size or offset");
		*out = (uint64_t)v.s;
		return 1;
	}
	if (!is_unsigned_constant(v.form))
		return sf__die_corrupt(ctx, d, "non-constant size or offset");
	*out = v.u;
	return 1;
}

int sf__die_string(const sf_die_ctx *ctx, const sf_die *d, uint16_t at, const char **out)
{
	sf_dw_value v;
	int res = get_attr(ctx, d, at, &v);

	*out = NULL;
	if (res <= 0)
		return res;
	if ((v.form == DW_FORM_GNU_strp_alt || v.form == DW_FORM_strp_sup) && !ctx->image->alt_str)
		return sf__fail(SF_EUNSUPPORTED, "%s: DWARF refers to a dwz supplementary file that was not found",
				file_of(ctx));
	return sf__dw_string(ctx->cursor, &d->raw, &v, out);
}

/* Where a reference attribute points: 1 with space/offset, or 2 for a
 * type signature (with *signature), 0 when absent, <0. */
static int ref_target(const sf_die_ctx *ctx, const sf_die *d, uint16_t at, unsigned *space,
		      uint64_t *offset, uint64_t *signature)
{
	sf_dw_value v;
	int res = get_attr(ctx, d, at, &v);

	if (res <= 0)
		return res;
	if (v.form == DW_FORM_ref_sig8) {
		*signature = v.u;
		return 2;
	}
	if (sf__dw_reference(&d->raw, &v, space, offset) < 0)
		return sf__die_corrupt(ctx, d, "DIE reference of a non-reference form");
	if (*space == SF_DW_ALT && !ctx->image->alt_sections.info.data)
		return sf__fail(SF_EUNSUPPORTED,
				"%s: DWARF refers to a dwz supplementary file that was not found",
				file_of(ctx));
	return 1;
}

int sf__die_ref(const sf_die_ctx *ctx, const sf_die *d, uint16_t at, sf_die *out)
{
	unsigned space = 0;
	uint64_t offset = 0, signature = 0;
	int res = ref_target(ctx, d, at, &space, &offset, &signature);

	memset(out, 0, sizeof(*out));
	if (res <= 0)
		return res;
	if (res == 2 && !sf__dw_signature_find(ctx->dw, signature, &space, &offset))
		return sf__die_corrupt(ctx, d, "type signature without type unit");
	res = open_near(ctx, d->raw.unit, space == SF_DW_ALT, offset, space != SF_DW_TYPES, out);
	return res < 0 ? res : 1;
}

int sf__die_ref_key(const sf_die_ctx *ctx, const sf_die *d, uint16_t at, uint64_t *key)
{
	unsigned space = 0;
	uint64_t offset = 0, signature = 0;
	sf_die where = *d;
	int res = ref_target(ctx, d, at, &space, &offset, &signature);

	*key = 0;
	if (res <= 0)
		return res;
	if (res == 2)
		return 1;
	where.alt = space == SF_DW_ALT;
	where.is_info = space != SF_DW_TYPES;
	where.offset = offset;
	*key = sf__die_key(&where);
	return 1;
}

/* DWARF 2/3 spell member offsets as location expressions; producers only
 * ever emit a constant push, optionally added to the implicit base. */
static bool eval_location(const uint8_t *p, uint64_t len, uint64_t *out)
{
	const uint8_t *end = p + len;
	uint64_t value = 0;
	bool have = false;

	while (p < end) {
		uint8_t op = *p++;
		uint64_t operand = 0;
		if (op >= DW_OP_lit0 && op <= DW_OP_lit31) {
			operand = op - DW_OP_lit0;
		} else if (op == DW_OP_plus_uconst || op == DW_OP_constu) {
			unsigned shift = 0;
			for (;;) {
				if (p >= end || shift > 63)
					return false;
				uint8_t byte = *p++;
				operand |= (uint64_t)(byte & 0x7f) << shift;
				shift += 7;
				if (!(byte & 0x80))
					break;
			}
		} else if (op == DW_OP_plus && have) {
			continue;
		} else {
			return false;
		}
		if (!sf__add_u64(value, operand, &value))
			return false;
		have = true;
	}
	*out = value;
	return have;
}

int sf__die_member_location(const sf_die_ctx *ctx, const sf_die *d, uint64_t *out, bool *known)
{
	sf_dw_value v;
	int res = get_attr(ctx, d, DW_AT_data_member_location, &v);

	*out = 0;
	*known = true;
	if (res <= 0)
		return res;
	switch (v.form) {
	case DW_FORM_block1:
	case DW_FORM_block2:
	case DW_FORM_block4:
	case DW_FORM_block:
	case DW_FORM_exprloc:
		*known = eval_location(v.block, v.block_len, out);
		return 1;
	case DW_FORM_data4:
	case DW_FORM_data8:
		/* Before DWARF 4 these forms were location-list pointers
		 * (virtual bases); we cannot place such a member. */
		if (d->raw.unit->version < 4) {
			*known = false;
			return 1;
		}
		break;
	default:
		break;
	}
	if (is_signed_form(v.form)) {
		if (v.s < 0)
			return sf__die_corrupt(ctx, d, "negative member offset");
		*out = (uint64_t)v.s;
	} else if (is_unsigned_constant(v.form)) {
		*out = v.u;
	} else {
		*known = false;
	}
	return 1;
}

/* A split compile unit of a .dwo indexes its skeleton's line table. */
static int skeleton_files(sf_die_ctx *ctx, const sf_die *d)
{
	const sf_dw_unit *unit = d->raw.unit;
	const sf_debug_image *image = ctx->image;

	if (!image->skeleton_sections || d->alt || !d->is_info ||
	    !(unit->unit_type == DW_UT_split_compile || (unit->version < 5 && unit->unit_type == DW_UT_compile)))
		return 0;
	/* Once per unit; a package's units are matched by id. */
	for (size_t i = 0; i < image->skeleton_line_count; i++) {
		const sf_skeleton_lines *lines = &image->skeleton_lines[i];
		if (!lines->has_id || lines->dwo_id == unit->dwo_id)
			return sf__dw_files_read(&ctx->files, image->skeleton_sections, ctx->dw->big_endian,
						 lines->stmt_list, lines->comp_dir);
	}
	return 0;
}

static int load_files(sf_die_ctx *ctx, const sf_die *d)
{
	const sf_dw_unit *unit = d->raw.unit;
	const char *comp_dir = NULL;
	uint64_t stmt_list = 0;
	sf_dw_value v;
	sf_die root;
	int res;

	drop_files(ctx);
	ctx->files_unit = unit;
	ctx->files_loaded = true;
	res = sf__die_open(ctx, d->alt, unit->die_offset, d->is_info, &root);
	if (res < 0)
		return res;
	res = get_attr(ctx, &root, DW_AT_stmt_list, &v);
	if (res < 0)
		return res;
	if (res == 0)
		return skeleton_files(ctx, d);
	/* In a .dwp, relative to the unit's share of .debug_line.dwo. */
	if (__builtin_add_overflow(v.u, unit->line_base, &stmt_list))
		return 0;
	if (v.form != DW_FORM_sec_offset && v.form != DW_FORM_data4 && v.form != DW_FORM_data8)
		return 0;
	res = sf__die_string(ctx, &root, DW_AT_comp_dir, &comp_dir);
	if (res < 0)
		return res;
	return sf__dw_files_read(&ctx->files, ctx->dw->spaces[unit->space].sections, ctx->dw->big_endian,
				 stmt_list, comp_dir);
}

/* The index into ctx->files of DW_AT_decl_file `value` of `d`: 1, or 0
 * when it names no file, or <0. */
static int file_index(sf_die_ctx *ctx, const sf_die *d, uint64_t value, size_t *index)
{
	if (!ctx->files_loaded || ctx->files_unit != d->raw.unit) {
		int res = load_files(ctx, d);
		if (res < 0)
			return res;
	}
	/* DWARF 5 counts file entries from 0, earlier versions from 1
	 * (0 meaning "no file"). */
	if (d->raw.unit->version < 5) {
		if (value == 0)
			return 0;
		value--;
	}
	if (value >= ctx->files.count)
		return 0;
	*index = (size_t)value;
	return 1;
}

int sf__die_file_name(sf_die_ctx *ctx, const sf_die *d, uint64_t value, const char **out)
{
	size_t index = 0;
	int res = file_index(ctx, d, value, &index);

	*out = NULL;
	if (res <= 0)
		return res;
	return sf__dw_files_name(&ctx->files, index, out);
}

int sf__die_decl_file(sf_die_ctx *ctx, const sf_die *d, const char **out)
{
	uint64_t value = 0;
	int res = sf__die_udata(ctx, d, DW_AT_decl_file, &value);

	*out = NULL;
	return res <= 0 ? res : sf__die_file_name(ctx, d, value, out);
}

int sf__die_file_parts(sf_die_ctx *ctx, const sf_die *d, uint64_t value, const char *parts[3])
{
	size_t index = 0;
	int res = file_index(ctx, d, value, &index);

	parts[0] = parts[1] = parts[2] = NULL;
	if (res <= 0)
		return res;
	parts[0] = ctx->files.comp_dir;
	parts[1] = ctx->files.dirs[index];
	parts[2] = ctx->files.names[index];
	return 1;
}

int sf__die_first_child(const sf_die_ctx *ctx, const sf_die *d, sf_die *out)
{
	uint64_t at = 0;
	int res;

	memset(out, 0, sizeof(*out));
	if (!d->raw.abbrev->has_children)
		return 0;
	res = sf__dw_die_attrs_end(ctx->cursor, &d->raw, &at);
	if (res < 0)
		return res;
	if (at >= d->raw.unit->end)
		return 0;   /* some producers drop the null entry ending the last list */
	res = sf__dw_die_at(ctx->cursor, d->raw.unit, at, &out->raw);
	if (res < 0) {
		memset(out, 0, sizeof(*out));
		return res;
	}
	return wrap(out);
}

int sf__die_next_sibling(const sf_die_ctx *ctx, sf_die *cur)
{
	uint64_t at = 0;
	const sf_dw_unit *unit = cur->raw.unit;
	const sf_dw_abbrev *a = cur->raw.abbrev;
	int res;

	/* Most DIEs a walk steps over (members, pointers, base types) have
	 * no children and a fixed size: the next one follows right away.
	 * Anything short of the unit's end goes the long way, which says
	 * what is wrong. */
	if (a && !a->has_children && a->fixed_size >= 0 &&
	    (uint64_t)a->fixed_size <= (uint64_t)(ctx->dw->spaces[unit->space].data + unit->end - cur->raw.attrs)) {
		at = (uint64_t)(cur->raw.attrs + a->fixed_size - ctx->dw->spaces[unit->space].data);
		res = 0;
	} else {
		res = sf__dw_die_sibling_offset(ctx->cursor, &cur->raw, &at);
	}
	if (res < 0 || at >= unit->end) {
		memset(cur, 0, sizeof(*cur));
		return res < 0 ? res : 0;
	}
	res = sf__dw_die_at(ctx->cursor, unit, at, &cur->raw);
	if (res < 0) {
		memset(cur, 0, sizeof(*cur));
		return res;
	}
	return wrap(cur);
}
