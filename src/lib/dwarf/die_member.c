/* One data member or base class of a definition, from its DIE: type,
 * offset, bitfield position, alignment and flags. */
#include "dwarf/die_ctx.h"

#include <string.h>

#include "util/checked.h"
#include "util/fail.h"

const char *sf__die_copy_string(sf_die_ctx *ctx, const char *s, int *res)
{
	char *copy;
	if (!s)
		return NULL;
	copy = sf__arena_strdup(ctx->unit->arena, s);
	if (!copy)
		*res = sf__fail(SF_ENOMEM, "out of memory");
	return copy;
}

/*
 * Puts a bitfield's first bit in memory order from the struct start.
 * DW_AT_data_bit_offset (DWARF 4+, gcc) already is that.  The DWARF 2/3
 * DW_AT_bit_offset (still used by clang 14 before DWARF 5) counts from
 * the most significant bit of a storage unit of DW_AT_byte_size bytes at
 * the member location; on little-endian targets that bit is the unit's
 * last, so the count runs backwards.  gcc may emit it negative when the
 * field spills past the unit it names.
 */
static int place_bitfield(sf_die_ctx *ctx, const sf_die *m, uint64_t type_size, uint64_t location,
			  uint64_t bit_size, uint64_t *bit_offset)
{
	uint64_t data_bit_offset = 0, storage = 0;
	int64_t msb_offset = 0;
	int res = sf__die_udata(ctx, m, DW_AT_data_bit_offset, &data_bit_offset);

	if (res < 0)
		return res;
	if (res > 0) {
		*bit_offset = data_bit_offset;
		return 0;
	}
	res = sf__die_signed(ctx, m, DW_AT_bit_offset, &msb_offset);
	if (res < 0)
		return res;
	if (res == 0) {
		*bit_offset = location * 8;
		return 0;
	}
	res = sf__die_udata(ctx, m, DW_AT_byte_size, &storage);
	if (res < 0)
		return res;
	if (res == 0)
		storage = type_size;
	if (storage > 64 || msb_offset > (1 << 20) || msb_offset < -(1 << 20) || location > SF_DIE_MAX_OFFSET)
		return sf__die_corrupt(ctx, m, "bitfield position out of range");
	int64_t bit;
	if (ctx->image->big_endian)
		bit = (int64_t)location * 8 + msb_offset;
	else
		bit = (int64_t)location * 8 + (int64_t)storage * 8 - msb_offset - (int64_t)bit_size;
	if (bit < 0)
		return sf__die_corrupt(ctx, m, "bitfield before the struct start");
	*bit_offset = (uint64_t)bit;
	return 0;
}

int sf__die_build_member(sf_die_ctx *ctx, const sf_struct *parent, const sf_die *m, uint16_t tag,
			unsigned depth, sf_member *out, bool *descriptor)
{
	const sf_die_type *layout = NULL, *spelling = NULL;
	const char *name = NULL;
	uint64_t location = 0, bit_size = 0, line = 0, end = 0;
	uint32_t align = 0;
	bool known = true, zero_bits = false;
	int res;

	res = sf__die_target_layout(ctx, m, depth, &layout);
	if (res >= 0)
		res = sf__die_target_name(ctx, m, depth, &spelling);
	if (res >= 0 && tag != DW_TAG_inheritance)
		res = sf__die_string(ctx, m, DW_AT_name, &name);
	if (res >= 0)
		res = sf__die_member_location(ctx, m, &location, &known);
	if (res >= 0)
		res = sf__die_udata(ctx, m, DW_AT_bit_size, &bit_size);
	zero_bits = res > 0 && bit_size == 0;
	if (res >= 0)
		res = sf__die_udata(ctx, m, DW_AT_decl_line, &line);
	if (res >= 0) {
		uint64_t member_align = 0;
		res = sf__die_udata(ctx, m, DW_AT_alignment, &member_align);
		if (res > 0 && (!sf__is_pow2(member_align) || member_align > (UINT64_C(1) << 29)))
			res = sf__die_corrupt(ctx, m, "alignment not a power of two");
		align = (uint32_t)member_align;
	}
	if (res < 0)
		return res;

	/* Not copied: the unit's definitions live until the unit is merged,
	 * which copies what it keeps (the section bytes outlive that); the
	 * strlen of this second copy was 2 % of a vmlinux load's profile. */
	out->name = name;
	out->type_name = spelling->full;
	*descriptor = layout->descriptor;
	if (layout->descriptor) {
		/* Sized by build_members() once every offset is known. */
		char *spelled = sf__arena_alloc(ctx->unit->arena, strlen(spelling->full) + sizeof(" (allocatable)"));
		if (!spelled)
			return sf__fail(SF_ENOMEM, "out of memory");
		strcpy(spelled, spelling->full);
		strcat(spelled, " (allocatable)");
		out->type_name = spelled;
	}
	out->size = layout->size;
	out->type_align = layout->align ? layout->align : 1;
	out->explicit_align = align ? align : layout->explicit_align;
	/* clang repeats an over-aligned type's alignment on the member, where
	 * packing drops it; only another figure is surely the member's own. */
	out->align_on_member = align != 0 && align != layout->explicit_align && align != layout->align;
	out->decl_line = line > UINT32_MAX ? 0 : (uint32_t)line;
	out->flags = layout->flags;
	out->nested = layout->nested;
	out->element = layout->element;
	if (ctx->filter && ctx->filter->typedef_chains && tag != DW_TAG_inheritance) {
		res = sf__die_typedef_chain(ctx, m, depth, &out->typedef_chain, &out->resolved_type_name);
		if (res < 0)
			return res;
	}
	out->pointer_bytes = layout->pointer_bytes;
	if (!known)   /* see sf__die_member_location */
		out->flags |= SF_MEMBER_UNKNOWN_TYPE | SF_MEMBER_OFFSET_UNKNOWN;
	if (tag == DW_TAG_inheritance) {
		uint64_t virtuality = 0;
		out->flags |= SF_MEMBER_BASE_CLASS;
		res = sf__die_udata(ctx, m, DW_AT_virtuality, &virtuality);
		if (res < 0)
			return res;
		if (virtuality != DW_VIRTUALITY_none)
			out->flags |= SF_MEMBER_VIRTUAL_BASE;
	} else if (!name && out->nested && !bit_size)
		out->flags |= SF_MEMBER_ANONYMOUS;
	if (parent->kind == SF_UNION && !known)
		location = 0;
	if (location > SF_DIE_MAX_OFFSET)
		return sf__die_corrupt(ctx, m, "member offset beyond 1 TiB");
	if (known) {
		res = sf__die_sizeless_member(ctx, parent, location, zero_bits, bit_size, spelling, out);
		if (res < 0)
			return res;
	}

	if (bit_size) {
		uint64_t bit_offset = 0;
		if (bit_size > 1u << 16)
			return sf__die_corrupt(ctx, m, "absurd bitfield size");
		res = place_bitfield(ctx, m, out->size, location, bit_size, &bit_offset);
		if (res < 0)
			return res;
		if (bit_offset > SF_DIE_MAX_OFFSET * 8)
			return sf__die_corrupt(ctx, m, "bitfield beyond 1 TiB");
		out->flags |= SF_MEMBER_BITFIELD;
		out->bit_size = (uint32_t)bit_size;
		out->bit_offset = bit_offset;
		/* The storage unit: the type-sized, type-size-aligned chunk
		 * holding the first bit, which is also what pahole prints. */
		out->offset = out->size ? bit_offset / (out->size * 8) * out->size : bit_offset / 8;
	} else {
		out->offset = location;
		out->bit_offset = location * 8;
	}
	if (!sf__add_u64(out->offset, out->size, &end) || end > SF_DIE_MAX_OFFSET)
		return sf__die_corrupt(ctx, m, "member ends beyond 1 TiB");
	return res;
}
