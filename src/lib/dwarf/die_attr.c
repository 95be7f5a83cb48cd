/* Reading DIE attributes: libdwarf's OK/NO_ENTRY/ERROR protocol turned into ours. */
#include "dwarf/die_ctx.h"

#include <stdlib.h>
#include <string.h>

#include "util/checked.h"
#include "util/fail.h"

static const char *file_of(const sf_die_ctx *ctx)
{
	return ctx->image->display_name ? ctx->image->display_name : "(input)";
}

int sf__die_dwarf_error(const sf_die_ctx *ctx, Dwarf_Debug dbg, Dwarf_Error err, const char *what)
{
	int code = sf__fail(SF_EINVALID, "%s: corrupt DWARF: %s: %s", file_of(ctx), what,
			    err ? dwarf_errmsg(err) : "unknown libdwarf error");
	if (err)
		dwarf_dealloc(dbg, err, DW_DLA_ERROR);
	return code;
}

/* A libdwarf error while reading `d`: names the DIE as well. */
static int die_error(const sf_die_ctx *ctx, const sf_die *d, Dwarf_Error err, const char *what)
{
	int code = sf__fail(SF_EINVALID, "%s: corrupt DWARF: %s: %s at DIE 0x%llx", file_of(ctx), what,
			    err ? dwarf_errmsg(err) : "unknown libdwarf error",
			    (unsigned long long)d->offset);
	if (err)
		dwarf_dealloc(d->dbg, err, DW_DLA_ERROR);
	return code;
}

int sf__die_corrupt(const sf_die_ctx *ctx, const sf_die *d, const char *what)
{
	return sf__fail(SF_EINVALID, "%s: corrupt DWARF: %s at DIE 0x%llx%s", file_of(ctx), what,
			(unsigned long long)d->offset,
			d->alt ? " of the dwz file" : (d->is_info ? "" : " in .debug_types"));
}

void sf__die_ctx_init(sf_die_ctx *ctx, const sf_debug_image *image, sf_unit *unit)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->image = image;
	ctx->unit = unit;
	ctx->target = sf__target_lookup(image->machine, image->address_size, image->big_endian);
}

static void drop_files(sf_die_ctx *ctx)
{
	if (ctx->files) {
		for (Dwarf_Signed i = 0; i < ctx->file_count; i++)
			dwarf_dealloc(ctx->files_dbg, ctx->files[i], DW_DLA_STRING);
		dwarf_dealloc(ctx->files_dbg, ctx->files, DW_DLA_LIST);
	}
	ctx->files = NULL;
	ctx->file_count = 0;
	ctx->files_loaded = false;
}

void sf__die_ctx_release(sf_die_ctx *ctx)
{
	drop_files(ctx);
	sf__hashmap_free(&ctx->types);
	free(ctx->pending);
	ctx->pending = NULL;
	free(ctx->alt_imports);
	ctx->alt_imports = NULL;
}

int sf__die_wrap(const sf_die_ctx *ctx, Dwarf_Debug dbg, bool alt, Dwarf_Die raw, sf_die *out)
{
	Dwarf_Error err = NULL;
	int res;

	memset(out, 0, sizeof(*out));
	res = dwarf_dieoffset(raw, &out->offset, &err);
	if (res != DW_DLV_OK) {
		dwarf_dealloc(dbg, raw, DW_DLA_DIE);
		return sf__die_dwarf_error(ctx, dbg, err, "DIE offset");
	}
	out->die = raw;
	out->dbg = dbg;
	out->alt = alt;
	out->is_info = dwarf_get_die_infotypes_flag(raw) != 0;
	return 0;
}

int sf__die_open(const sf_die_ctx *ctx, Dwarf_Debug dbg, bool alt, Dwarf_Off offset,
		 bool is_info, sf_die *out)
{
	Dwarf_Die raw = NULL;
	Dwarf_Error err = NULL;
	int res = dwarf_offdie_b(dbg, offset, is_info, &raw, &err);

	if (res == DW_DLV_ERROR)
		return sf__die_dwarf_error(ctx, dbg, err, "DIE reference");
	if (res == DW_DLV_NO_ENTRY)
		return sf__fail(SF_EINVALID, "%s: corrupt DWARF: reference to missing DIE 0x%llx",
				file_of(ctx), (unsigned long long)offset);
	return sf__die_wrap(ctx, dbg, alt, raw, out);
}

void sf__die_release(sf_die *d)
{
	if (d->die)
		dwarf_dealloc(d->dbg, d->die, DW_DLA_DIE);
	d->die = NULL;
}

int sf__die_tag(const sf_die_ctx *ctx, const sf_die *d, Dwarf_Half *tag)
{
	Dwarf_Error err = NULL;
	if (dwarf_tag(d->die, tag, &err) != DW_DLV_OK)
		return die_error(ctx, d, err, "DIE tag");
	return 0;
}

/* 1 with *attr set, 0 when absent, <0 on error. */
static int get_attr(const sf_die_ctx *ctx, const sf_die *d, Dwarf_Half at, Dwarf_Attribute *attr)
{
	Dwarf_Error err = NULL;
	int res = dwarf_attr(d->die, at, attr, &err);
	if (res == DW_DLV_NO_ENTRY)
		return 0;
	if (res == DW_DLV_ERROR)
		return die_error(ctx, d, err, "attribute");
	return 1;
}

static int form_of(const sf_die_ctx *ctx, const sf_die *d, Dwarf_Attribute attr, Dwarf_Half *form)
{
	Dwarf_Error err = NULL;
	if (dwarf_whatform(attr, form, &err) != DW_DLV_OK)
		return die_error(ctx, d, err, "attribute form");
	return 0;
}

int sf__die_flag(const sf_die_ctx *ctx, const sf_die *d, Dwarf_Half at, bool *out)
{
	Dwarf_Attribute attr = NULL;
	Dwarf_Error err = NULL;
	Dwarf_Bool value = 0;
	int res = get_attr(ctx, d, at, &attr);

	*out = false;
	if (res <= 0)
		return res;
	if (dwarf_formflag(attr, &value, &err) != DW_DLV_OK)
		res = die_error(ctx, d, err, "flag attribute");
	else
		*out = value != 0;
	dwarf_dealloc(d->dbg, attr, DW_DLA_ATTR);
	return res;
}

static bool is_signed_form(Dwarf_Half form)
{
	return form == DW_FORM_sdata || form == DW_FORM_implicit_const;
}

static int read_sdata(const sf_die_ctx *ctx, const sf_die *d, Dwarf_Half at, bool widen_sign,
		      int64_t *out)
{
	Dwarf_Attribute attr = NULL;
	Dwarf_Error err = NULL;
	Dwarf_Half form = 0;
	int res = get_attr(ctx, d, at, &attr);

	*out = 0;
	if (res <= 0)
		return res;
	res = form_of(ctx, d, attr, &form);
	if (res < 0)
		goto done;
	if (is_signed_form(form)) {
		Dwarf_Signed value = 0;
		if (dwarf_formsdata(attr, &value, &err) != DW_DLV_OK) {
			res = die_error(ctx, d, err, "constant attribute");
			goto done;
		}
		*out = value;
	} else {
		Dwarf_Unsigned value = 0;
		if (dwarf_formudata(attr, &value, &err) != DW_DLV_OK) {
			/* Non-constant forms (exprloc bounds of VLAs, references)
			 * mean "not a known constant", not corruption. */
			dwarf_dealloc(d->dbg, err, DW_DLA_ERROR);
			res = 0;
			goto done;
		}
		/* Fixed-size data forms carry no sign of their own.  Bounds
		 * are unsigned (gcc writes `char b[256]` as data1 0xff), except
		 * an all-ones data4, which old producers used for -1 in
		 * `x[0]`; DW_AT_bit_offset is signed at any width (clang
		 * writes -19 as data8 0xff..ed). */
		unsigned width = form == DW_FORM_data1 ? 8 : form == DW_FORM_data2 ? 16 :
				 form == DW_FORM_data4 ? 32 : 64;
		if (width < 64 && (widen_sign || (width == 32 && value == UINT32_MAX)) &&
		    (value >> (width - 1)) & 1)
			value |= ~(uint64_t)0 << width;
		*out = (int64_t)value;
	}
	res = 1;
done:
	dwarf_dealloc(d->dbg, attr, DW_DLA_ATTR);
	return res;
}

int sf__die_sdata(const sf_die_ctx *ctx, const sf_die *d, Dwarf_Half at, int64_t *out)
{
	return read_sdata(ctx, d, at, false, out);
}

int sf__die_signed(const sf_die_ctx *ctx, const sf_die *d, Dwarf_Half at, int64_t *out)
{
	return read_sdata(ctx, d, at, true, out);
}

int sf__die_udata(const sf_die_ctx *ctx, const sf_die *d, Dwarf_Half at, uint64_t *out)
{
	Dwarf_Attribute attr = NULL;
	Dwarf_Error err = NULL;
	Dwarf_Half form = 0;
	int res = get_attr(ctx, d, at, &attr);

	*out = 0;
	if (res <= 0)
		return res;
	res = form_of(ctx, d, attr, &form);
	if (res < 0)
		goto done;
	if (is_signed_form(form)) {
		Dwarf_Signed value = 0;
		if (dwarf_formsdata(attr, &value, &err) != DW_DLV_OK) {
			res = die_error(ctx, d, err, "constant attribute");
			goto done;
		}
		if (value < 0) {
			res = sf__die_corrupt(ctx, d, "negative size or offset");
			goto done;
		}
		*out = (uint64_t)value;
	} else {
		Dwarf_Unsigned value = 0;
		if (dwarf_formudata(attr, &value, &err) != DW_DLV_OK) {
			dwarf_dealloc(d->dbg, err, DW_DLA_ERROR);
			res = sf__die_corrupt(ctx, d, "non-constant size or offset");
			goto done;
		}
		*out = value;
	}
	res = 1;
done:
	dwarf_dealloc(d->dbg, attr, DW_DLA_ATTR);
	return res;
}

int sf__die_string(const sf_die_ctx *ctx, const sf_die *d, Dwarf_Half at, const char **out)
{
	Dwarf_Attribute attr = NULL;
	Dwarf_Error err = NULL;
	Dwarf_Half form = 0;
	char *s = NULL;
	int res = get_attr(ctx, d, at, &attr);

	*out = NULL;
	if (res <= 0)
		return res;
	res = form_of(ctx, d, attr, &form);
	if (res < 0)
		goto done;
	if (form == DW_FORM_GNU_strp_alt || form == DW_FORM_strp_sup) {
		/* libdwarf only reads these through a "tied" file, which is
		 * for split DWARF; read the dwz file's .debug_str directly. */
		Dwarf_Off offset = 0;
		const char *strings = ctx->image->alt_str;
		uint64_t size = ctx->image->alt_str_size;
		if (!strings) {
			res = sf__fail(SF_EUNSUPPORTED, "%s: DWARF refers to a dwz supplementary file that was not found",
				       file_of(ctx));
			goto done;
		}
		if (dwarf_global_formref(attr, &offset, &err) != DW_DLV_OK) {
			res = die_error(ctx, d, err, "dwz string offset");
			goto done;
		}
		if (offset >= size || !memchr(strings + offset, '\0', size - offset)) {
			res = sf__die_corrupt(ctx, d, "dwz string offset outside .debug_str");
			goto done;
		}
		s = (char *)(strings + offset);
	} else if (dwarf_formstring(attr, &s, &err) != DW_DLV_OK) {
		res = die_error(ctx, d, err, "string attribute");
		goto done;
	}
	*out = s;
	res = 1;
done:
	dwarf_dealloc(d->dbg, attr, DW_DLA_ATTR);
	return res;
}

int sf__die_ref(const sf_die_ctx *ctx, const sf_die *d, Dwarf_Half at, sf_die *out)
{
	Dwarf_Attribute attr = NULL;
	Dwarf_Error err = NULL;
	Dwarf_Half form = 0;
	int res = get_attr(ctx, d, at, &attr);

	memset(out, 0, sizeof(*out));
	if (res <= 0)
		return res;
	res = form_of(ctx, d, attr, &form);
	if (res < 0)
		goto done;
	if (form == DW_FORM_ref_sig8) {
		Dwarf_Sig8 sig;
		Dwarf_Die raw = NULL;
		Dwarf_Bool is_info = 0;
		if (dwarf_formsig8(attr, &sig, &err) != DW_DLV_OK) {
			res = die_error(ctx, d, err, "type signature");
			goto done;
		}
		res = dwarf_find_die_given_sig8(d->dbg, &sig, &raw, &is_info, &err);
		if (res == DW_DLV_ERROR) {
			res = die_error(ctx, d, err, "type unit lookup");
			goto done;
		}
		if (res == DW_DLV_NO_ENTRY) {
			res = sf__die_corrupt(ctx, d, "type signature without type unit");
			goto done;
		}
		res = sf__die_wrap(ctx, d->dbg, d->alt, raw, out);
	} else {
		Dwarf_Off offset = 0;
		bool alt = d->alt;
		Dwarf_Debug dbg = d->dbg;
		bool is_info = d->is_info;
		if (dwarf_global_formref(attr, &offset, &err) != DW_DLV_OK) {
			res = die_error(ctx, d, err, "DIE reference");
			goto done;
		}
		if (form == DW_FORM_GNU_ref_alt || form == DW_FORM_ref_sup4 || form == DW_FORM_ref_sup8) {
			if (!ctx->image->alt_dbg) {
				res = sf__fail(SF_EUNSUPPORTED,
					       "%s: DWARF refers to a dwz supplementary file that was not found",
					       file_of(ctx));
				goto done;
			}
			dbg = ctx->image->alt_dbg;
			alt = true;
			is_info = true;
		} else if (form == DW_FORM_ref_addr) {
			is_info = true;
		}
		res = sf__die_open(ctx, dbg, alt, offset, is_info, out);
	}
	if (res == 0)
		res = 1;
done:
	dwarf_dealloc(d->dbg, attr, DW_DLA_ATTR);
	return res;
}

int sf__die_ref_key(const sf_die_ctx *ctx, const sf_die *d, Dwarf_Half at, uint64_t *key)
{
	Dwarf_Attribute attr = NULL;
	Dwarf_Error err = NULL;
	Dwarf_Half form = 0;
	Dwarf_Off offset = 0;
	sf_die where = *d;
	int res = get_attr(ctx, d, at, &attr);

	*key = 0;
	if (res <= 0)
		return res;
	res = form_of(ctx, d, attr, &form);
	if (res < 0 || form == DW_FORM_ref_sig8)
		goto done;
	if (dwarf_global_formref(attr, &offset, &err) != DW_DLV_OK) {
		res = die_error(ctx, d, err, "DIE reference");
		goto done;
	}
	if (form == DW_FORM_GNU_ref_alt || form == DW_FORM_ref_sup4 || form == DW_FORM_ref_sup8) {
		where.alt = true;
		where.is_info = true;
	} else if (form == DW_FORM_ref_addr) {
		where.is_info = true;
	}
	where.offset = offset;
	*key = sf__die_key(&where);
done:
	dwarf_dealloc(d->dbg, attr, DW_DLA_ATTR);
	return res < 0 ? res : 1;
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
	Dwarf_Attribute attr = NULL;
	Dwarf_Error err = NULL;
	Dwarf_Half form = 0;
	int res = get_attr(ctx, d, DW_AT_data_member_location, &attr);

	*out = 0;
	*known = true;
	if (res <= 0)
		return res;
	res = form_of(ctx, d, attr, &form);
	if (res < 0)
		goto done;
	switch (form) {
	case DW_FORM_block1:
	case DW_FORM_block2:
	case DW_FORM_block4:
	case DW_FORM_block: {
		Dwarf_Block *block = NULL;
		if (dwarf_formblock(attr, &block, &err) != DW_DLV_OK) {
			res = die_error(ctx, d, err, "member location");
			goto done;
		}
		*known = eval_location(block->bl_data, block->bl_len, out);
		dwarf_dealloc(d->dbg, block, DW_DLA_BLOCK);
		break;
	}
	case DW_FORM_exprloc: {
		Dwarf_Unsigned len = 0;
		Dwarf_Ptr data = NULL;
		if (dwarf_formexprloc(attr, &len, &data, &err) != DW_DLV_OK) {
			res = die_error(ctx, d, err, "member location");
			goto done;
		}
		*known = eval_location(data, len, out);
		break;
	}
	case DW_FORM_data4:
	case DW_FORM_data8: {
		/* Before DWARF 4 these forms were location-list pointers
		 * (virtual bases); we cannot place such a member. */
		Dwarf_Half version = 0, offset_size = 0;
		if (dwarf_get_version_of_die(d->die, &version, &offset_size) == DW_DLV_OK && version < 4) {
			*known = false;
			break;
		}
	}
		/* fall through */
	default: {
		Dwarf_Unsigned value = 0;
		Dwarf_Signed svalue = 0;
		if (is_signed_form(form)) {
			if (dwarf_formsdata(attr, &svalue, &err) != DW_DLV_OK) {
				res = die_error(ctx, d, err, "member location");
				goto done;
			}
			if (svalue < 0) {
				res = sf__die_corrupt(ctx, d, "negative member offset");
				goto done;
			}
			value = (Dwarf_Unsigned)svalue;
		} else if (dwarf_formudata(attr, &value, &err) != DW_DLV_OK) {
			dwarf_dealloc(d->dbg, err, DW_DLA_ERROR);
			*known = false;
			break;
		}
		*out = value;
		break;
	}
	}
	res = 1;
done:
	dwarf_dealloc(d->dbg, attr, DW_DLA_ATTR);
	return res;
}

static int load_files(sf_die_ctx *ctx, const sf_die *d, uint64_t cu_key, Dwarf_Off cu_offset)
{
	Dwarf_Error err = NULL;
	Dwarf_Half offset_size = 0;
	sf_die cu;
	int res;

	drop_files(ctx);
	ctx->files_cu_key = cu_key;
	ctx->files_loaded = true;
	ctx->files_dbg = d->dbg;
	if (dwarf_get_version_of_die(d->die, &ctx->files_version, &offset_size) != DW_DLV_OK)
		ctx->files_version = 0;
	res = sf__die_open(ctx, d->dbg, d->alt, cu_offset, d->is_info, &cu);
	if (res < 0)
		return res;
	res = dwarf_srcfiles(cu.die, &ctx->files, &ctx->file_count, &err);
	sf__die_release(&cu);
	if (res == DW_DLV_ERROR) {
		/* A broken line table costs file names, not the types. */
		dwarf_dealloc(d->dbg, err, DW_DLA_ERROR);
		ctx->files = NULL;
		ctx->file_count = 0;
	} else if (res == DW_DLV_NO_ENTRY) {
		ctx->files = NULL;
		ctx->file_count = 0;
	}
	return 0;
}

int sf__die_decl_file(sf_die_ctx *ctx, const sf_die *d, const char **out)
{
	Dwarf_Error err = NULL;
	Dwarf_Off cu_offset = 0;
	uint64_t index = 0, cu_key;
	int res;

	*out = NULL;
	res = sf__die_udata(ctx, d, DW_AT_decl_file, &index);
	if (res <= 0)
		return res;
	if (dwarf_CU_dieoffset_given_die(d->die, &cu_offset, &err) != DW_DLV_OK)
		return die_error(ctx, d, err, "unit of DIE");
	cu_key = (uint64_t)cu_offset | ((uint64_t)d->alt << 62) | ((uint64_t)!d->is_info << 63);
	if (!ctx->files_loaded || ctx->files_cu_key != cu_key) {
		res = load_files(ctx, d, cu_key, cu_offset);
		if (res < 0)
			return res;
	}
	/* dwarf_srcfiles() lists DWARF 5 entries from index 0 and earlier
	 * versions from 1 (0 meaning "no file"). */
	if (ctx->files_version < 5) {
		if (index == 0)
			return 0;
		index--;
	}
	if (index < (uint64_t)ctx->file_count)
		*out = ctx->files[index];
	return 0;
}

int sf__die_first_child(const sf_die_ctx *ctx, const sf_die *d, sf_die *out)
{
	Dwarf_Die raw = NULL;
	Dwarf_Error err = NULL;
	int res = dwarf_child(d->die, &raw, &err);

	memset(out, 0, sizeof(*out));
	if (res == DW_DLV_NO_ENTRY)
		return 0;
	if (res == DW_DLV_ERROR)
		return die_error(ctx, d, err, "DIE children");
	res = sf__die_wrap(ctx, d->dbg, d->alt, raw, out);
	return res < 0 ? res : 1;
}

int sf__die_next_sibling(const sf_die_ctx *ctx, sf_die *cur)
{
	Dwarf_Die raw = NULL;
	Dwarf_Error err = NULL;
	Dwarf_Debug dbg = cur->dbg;
	bool alt = cur->alt;
	int res = dwarf_siblingof_b(dbg, cur->die, cur->is_info, &raw, &err);

	if (res == DW_DLV_ERROR) {
		res = die_error(ctx, cur, err, "next sibling");
		sf__die_release(cur);
		return res;
	}
	sf__die_release(cur);
	if (res == DW_DLV_NO_ENTRY)
		return 0;
	res = sf__die_wrap(ctx, dbg, alt, raw, cur);
	return res < 0 ? res : 1;
}
