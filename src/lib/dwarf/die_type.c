/* Sizes and ABI alignments of DWARF types, cached per unit by DIE. */
#include "dwarf/die_ctx.h"
#include "dwarf/die_type_cache.h"

#include <stdlib.h>

#include "util/checked.h"
#include "util/fail.h"

static const sf_die_type void_layout = { .laid_out = true, .align = 1 };

int sf__die_target_layout(sf_die_ctx *ctx, const sf_die *d, unsigned depth, const sf_die_type **out)
{
	return sf__die_target_cached(ctx, d, depth, false, sf__die_type_layout, out);
}

static sf_scalar_class encoding_class(uint64_t encoding)
{
	switch (encoding) {
	case DW_ATE_float: return SF_SCALAR_FLOAT;
	case DW_ATE_complex_float: return SF_SCALAR_COMPLEX;
	case DW_ATE_decimal_float: return SF_SCALAR_DECIMAL;
	default: return SF_SCALAR_INTEGER;
	}
}

static int explicit_alignment(const sf_die_ctx *ctx, const sf_die *d, uint32_t *out)
{
	uint64_t align = 0;
	int res = sf__die_udata(ctx, d, DW_AT_alignment, &align);
	*out = 0;
	if (res <= 0)
		return res;
	if (!sf__is_pow2(align) || align > (UINT64_C(1) << 29))
		return sf__die_corrupt(ctx, d, "alignment not a power of two");
	*out = (uint32_t)align;
	return 1;
}

static void copy_layout(sf_die_type *t, const sf_die_type *from)
{
	t->descriptor = from->descriptor;
	t->size = from->size;
	t->align = from->align;
	t->explicit_align = from->explicit_align;
	t->flags = from->flags;
	t->nested = from->nested;
	t->element = from->element;
	t->pointer_bytes = from->pointer_bytes;
}

/* A typedef of an anonymous struct names it (`typedef struct {...} foo_t`). */
static int layout_typedef(sf_die_ctx *ctx, const sf_die *d, sf_die_type *t, unsigned depth)
{
	const sf_die_type *to = NULL;
	uint32_t align = 0;
	sf_die target;
	int res = sf__die_ref(ctx, d, DW_AT_type, &target);

	if (res < 0)
		return res;
	if (res > 0) {
		uint16_t tag = 0;
		res = sf__die_tag(ctx, &target, &tag);
		if (res >= 0 && (tag == DW_TAG_structure_type || tag == DW_TAG_union_type ||
				 tag == DW_TAG_class_type)) {
			const char *name = NULL, *own = NULL;
			res = sf__die_string(ctx, &target, DW_AT_name, &name);
			if (res == 0) {
				sf_struct *s = NULL;
				res = sf__die_string(ctx, d, DW_AT_name, &own);
				if (res >= 0)
					res = sf__die_qualified_name(ctx, d, own, &own);
				if (res >= 0)
					res = ctx->build_struct(ctx, &target, own, false, depth + 1, &s);
			}
		}
		if (res >= 0)
			res = sf__die_type_layout(ctx, &target, depth + 1, &to);
		sf__die_release(&target);
	} else {
		to = &void_layout;
	}
	if (res >= 0)
		res = explicit_alignment(ctx, d, &align);
	if (res < 0)
		return res;
	copy_layout(t, to);
	if (align) {
		t->align = align;
		t->explicit_align = align;
	}
	return 0;
}

static int layout_scalar(sf_die_ctx *ctx, const sf_die *d, sf_die_type *t, uint16_t tag,
			 unsigned depth)
{
	uint64_t size = 0, encoding = DW_ATE_signed;
	int res = sf__die_udata(ctx, d, DW_AT_byte_size, &size);

	if (res == 0 && tag == DW_TAG_base_type) {
		/* _BitInt-style types may give only a bit size. */
		uint64_t bits = 0;
		res = sf__die_udata(ctx, d, DW_AT_bit_size, &bits);
		size = (bits + 7) / 8;
	}
	if (res == 0 && tag == DW_TAG_enumeration_type) {
		/* An enum declaration may only name its underlying type. */
		const sf_die_type *under = NULL;
		res = sf__die_target_layout(ctx, d, depth, &under);
		if (res >= 0)
			size = under->size;
	}
	if (res >= 0 && tag == DW_TAG_base_type)
		res = sf__die_udata(ctx, d, DW_AT_encoding, &encoding);
	if (res < 0)
		return res;
	if (size > (UINT64_C(1) << 20))
		return sf__die_corrupt(ctx, d, "absurd scalar size");
	t->size = size;
	t->align = sf__target_scalar_align(ctx->target, encoding_class(encoding), size);
	return 0;
}

static int layout_pointer(sf_die_ctx *ctx, const sf_die *d, sf_die_type *t)
{
	uint64_t size = 0;
	int res = sf__die_udata(ctx, d, DW_AT_byte_size, &size);
	if (res < 0)
		return res;
	if (res == 0)
		size = ctx->image->address_size;
	if (size > 64)
		return sf__die_corrupt(ctx, d, "absurd pointer size");
	t->size = size;
	t->pointer_bytes = size;
	/* Pointers to member functions are two words aligned like one. */
	t->align = sf__target_scalar_align(ctx->target, SF_SCALAR_INTEGER,
					   size > ctx->image->address_size ? ctx->image->address_size : size);
	return 0;
}

/*
 * A C function type has no size (members only hold pointers to it), but
 * Go describes its func values themselves as DW_TAG_subroutine_type with
 * DW_AT_byte_size: a pointer to a closure, aligned like one.
 */
static int layout_function_value(sf_die_ctx *ctx, const sf_die *d, sf_die_type *t)
{
	uint64_t size = 0;
	int res = sf__die_udata(ctx, d, DW_AT_byte_size, &size);

	if (res <= 0)
		return res;
	return layout_pointer(ctx, d, t);
}

/* C and its relatives write a bound as an expression only for VLAs,
 * which stay flexible as before; elsewhere it is a run-time size. */
static bool c_family(uint64_t language)
{
	switch (language) {
	case 0:
	case DW_LANG_C89: case DW_LANG_C: case DW_LANG_C99: case DW_LANG_C11:
	case DW_LANG_C_plus_plus: case DW_LANG_C_plus_plus_03: case DW_LANG_C_plus_plus_11:
	case DW_LANG_C_plus_plus_14: case DW_LANG_ObjC: case DW_LANG_ObjC_plus_plus:
	case DW_LANG_UPC: case DW_LANG_OpenCL: case DW_LANG_Mips_Assembler:
	case 0x2a: case 0x2b: case 0x2c:  /* C++17, C++20, C17 */
		return true;
	default:
		return false;
	}
}

/* Present, but not a constant (an expression or a DIE reference). */
static bool non_constant(const sf_die_ctx *ctx, const sf_die *d, uint16_t at)
{
	sf_dw_value v;
	int64_t value = 0;

	if (sf__dw_attr(ctx->cursor, &d->raw, at, &v) <= 0)
		return false;
	return sf__die_sdata(ctx, d, at, &value) == 0;
}

/* Number of elements of one subrange; *known false for `x[]`, and
 * *run_time set for bounds only known at run time outside C. */
static int subrange_count(sf_die_ctx *ctx, const sf_die *sub, uint64_t *count, bool *known,
			  bool *run_time)
{
	int64_t value = 0, lower = sf__die_default_lower_bound(ctx->language);
	int res = sf__die_sdata(ctx, sub, DW_AT_count, &value);

	*known = false;
	*count = 0;
	if (res < 0)
		return res;
	if (res == 0 && !c_family(ctx->language) &&
	    (non_constant(ctx, sub, DW_AT_count) || non_constant(ctx, sub, DW_AT_upper_bound) ||
	     non_constant(ctx, sub, DW_AT_lower_bound))) {
		*run_time = true;
		return 0;
	}
	if (res > 0) {
		if (value < 0)
			return 0;   /* clang spells `x[]` as count -1 */
		*count = (uint64_t)value;
		*known = true;
		return 0;
	}
	res = sf__die_sdata(ctx, sub, DW_AT_upper_bound, &value);
	if (res <= 0)
		return res;
	{
		int64_t stated = 0;
		res = sf__die_sdata(ctx, sub, DW_AT_lower_bound, &stated);
		if (res < 0)
			return SF_EINVALID;
		if (res > 0)
			lower = stated;
	}
	/* gcc spells `x[0]` as upper bound -1 (or 0xffffffff in data4). */
	if (value == lower - 1) {
		*known = true;
		return 0;
	}
	if (value < lower)
		return sf__die_corrupt(ctx, sub, "array upper bound below lower bound");
	*count = (uint64_t)(value - lower) + 1;
	*known = true;
	return 0;
}

static int layout_array(sf_die_ctx *ctx, const sf_die *d, sf_die_type *t, unsigned depth)
{
	const sf_die_type *of = NULL;
	uint64_t total = 1;
	bool flexible = false, vector = false, run_time = false;
	sf_dw_value location;
	sf_die child;
	int res = sf__die_target_layout(ctx, d, depth, &of);

	if (res >= 0)
		res = sf__die_flag(ctx, d, DW_AT_GNU_vector, &vector);
	if (res >= 0)
		res = sf__dw_attr(ctx->cursor, &d->raw, DW_AT_data_location, &location);
	if (res < 0)
		return res;
	run_time = res > 0;
	res = sf__die_first_child(ctx, d, &child);
	while (res > 0) {
		uint16_t tag = 0;
		res = sf__die_tag(ctx, &child, &tag);
		if (res < 0)
			break;
		if (tag == DW_TAG_subrange_type || tag == DW_TAG_enumeration_type) {
			uint64_t count = 0;
			bool known = false;
			res = subrange_count(ctx, &child, &count, &known, &run_time);
			if (res < 0)
				break;
			if (!known)
				flexible = true;
			else if (!sf__mul_u64(total, count, &total))
				total = UINT64_MAX;
		}
		res = sf__die_next_sibling(ctx, &child);
	}
	if (res < 0) {
		sf__die_release(&child);
		return res;
	}
	t->align = of->align;
	t->explicit_align = of->explicit_align;
	t->element = of->nested;
	/* The last element's pointer words end the array's. */
	if (of->pointer_bytes && total && total != UINT64_MAX && of->size &&
	    sf__mul_u64(total - 1, of->size, &t->pointer_bytes))
		t->pointer_bytes += of->pointer_bytes;
	if (run_time && !vector) {
		/* Neither a flexible array (nothing at the end) nor zero
		 * bytes: a descriptor or run-time-sized data of unknown size. */
		t->size = 0;
		t->flags = SF_MEMBER_UNKNOWN_TYPE;
		t->descriptor = true;
		t->element = NULL;
		t->pointer_bytes = 0;
		return 0;
	}
	if (flexible) {
		t->size = 0;
		t->pointer_bytes = 0;
		t->flags = SF_MEMBER_FLEXIBLE;
	} else {
		if (!sf__mul_u64(total, of->size, &t->size) || t->size > SF_DIE_MAX_OFFSET)
			return sf__die_corrupt(ctx, d, "array size overflows");
		if (t->size == 0)
			t->flags = SF_MEMBER_ZERO_LENGTH;
	}
	if (vector) {
		uint64_t size = 0;
		/* Vectors may state their size; it wins over element x count. */
		res = sf__die_udata(ctx, d, DW_AT_byte_size, &size);
		if (res < 0)
			return res;
		if (res > 0)
			t->size = size;
		t->align = sf__target_scalar_align(ctx->target, SF_SCALAR_VECTOR, t->size);
		t->flags = 0;
	}
	return 0;
}

static int layout_struct(sf_die_ctx *ctx, const sf_die *d, sf_die_type *t, unsigned depth)
{
	sf_struct *s = NULL;
	const char *name = NULL;
	int res = sf__die_string(ctx, d, DW_AT_name, &name);

	/* Reached directly (not through a typedef), an unnamed struct is the
	 * body of the member using it. */
	if (res >= 0)
		res = ctx->build_struct(ctx, d, NULL, name == NULL, depth + 1, &s);
	if (res < 0)
		return res;
	if (!s) {
		/* A declaration with no definition in reach; the model may
		 * find one elsewhere in the load (sf__model_resolve_declared). */
		t->size = 0;
		t->align = 1;
		t->flags = SF_MEMBER_UNKNOWN_TYPE | SF_MEMBER_DECL_ONLY;
		return 0;
	}
	t->nested = s;
	if (ctx->hit && ctx->hit->s == s && ctx->hit->pointer_bytes != UINT32_MAX) {
		t->size = ctx->hit->size;
		t->align = ctx->hit->align;
		t->pointer_bytes = ctx->hit->pointer_bytes;
		return 0;
	}
	t->size = s->size;
	t->align = s->align;
	t->pointer_bytes = s->loaded_pointer_bytes;
	if (s->unsized)
		t->flags = SF_MEMBER_UNSIZED;
	return 0;
}

/* Longest typedef/qualifier chain laid out; only corrupt DWARF goes on. */
#define MAX_CHAIN (1u << 20)

static bool is_chain_tag(uint16_t tag)
{
	switch (tag) {
	case DW_TAG_typedef:
	case DW_TAG_const_type:
	case DW_TAG_volatile_type:
	case DW_TAG_restrict_type:
	case DW_TAG_atomic_type:
	case DW_TAG_immutable_type:
	case DW_TAG_packed_type:
	case DW_TAG_shared_type:
		return true;
	default:
		return false;
	}
}

/*
 * Typedef and qualifier chains are as long as a program likes (20,000
 * generated typedefs are valid C, and clang keeps them all), which
 * recursion bounded by SF_DIE_MAX_DEPTH cannot follow.  The chain behind
 * `d` is collected in a loop and laid out from its far end, so every link
 * finds its target done and recursion stays one level deep.  The links
 * are marked busy while collected, so a cycle is still caught.
 */
static int layout_chain_of(sf_die_ctx *ctx, const sf_die *d, unsigned depth)
{
	sf_die *chain = NULL, cur;
	size_t count = 0, capacity = 0;
	int res = sf__die_ref(ctx, d, DW_AT_type, &cur);

	while (res > 0) {
		sf_die_type *t = sf__die_type_slot(ctx, &cur);
		uint16_t tag = 0;
		if (!t) {
			res = SF_ENOMEM;
			break;
		}
		if (t->laid_out)
			break;
		if (t->layout_busy) {
			res = sf__die_corrupt(ctx, &cur, "type contains itself");
			break;
		}
		res = sf__die_tag(ctx, &cur, &tag);
		if (res < 0 || !is_chain_tag(tag))
			break;
		if (count == MAX_CHAIN) {
			res = sf__die_too_deep(ctx, d, MAX_CHAIN);
			break;
		}
		if (count == capacity) {
			size_t grown = capacity ? capacity * 2 : 256;
			sf_die *bigger = realloc(chain, grown * sizeof(*bigger));
			if (!bigger) {
				res = sf__fail(SF_ENOMEM, "out of memory");
				break;
			}
			chain = bigger;
			capacity = grown;
		}
		chain[count++] = cur;
		t->layout_busy = true;
		res = sf__die_ref(ctx, &chain[count - 1], DW_AT_type, &cur);
	}
	for (size_t i = 0; i < count; i++)
		sf__die_type_find(ctx, sf__die_key(&chain[i]))->layout_busy = false;
	for (size_t i = count; res >= 0 && i-- > 0;) {
		const sf_die_type *done = NULL;
		res = sf__die_type_layout(ctx, &chain[i], depth + 1, &done);
	}
	free(chain);
	return res < 0 ? res : 0;
}

int sf__die_type_layout(sf_die_ctx *ctx, const sf_die *d, unsigned depth, const sf_die_type **out)
{
	sf_die_type *t;
	uint16_t tag = 0;
	int res;

	if (!d) {
		*out = &void_layout;
		return 0;
	}
	t = sf__die_type_slot(ctx, d);
	if (!t)
		return SF_ENOMEM;
	*out = t;
	if (t->laid_out)
		return 0;
	if (t->layout_busy)
		return sf__die_corrupt(ctx, d, "type contains itself");
	if (depth > SF_DIE_MAX_DEPTH)
		return sf__die_too_deep(ctx, d, SF_DIE_MAX_DEPTH);
	t->layout_busy = true;
	t->align = 1;
	res = sf__die_tag(ctx, d, &tag);
	if (res >= 0 && depth >= SF_DIE_MAX_DEPTH / 2 && is_chain_tag(tag))
		res = layout_chain_of(ctx, d, depth);
	if (res < 0)
		goto done;
	switch (tag) {
	case DW_TAG_base_type:
	case DW_TAG_enumeration_type:
		res = layout_scalar(ctx, d, t, tag, depth);
		break;
	case DW_TAG_pointer_type:
	case DW_TAG_reference_type:
	case DW_TAG_rvalue_reference_type:
	case DW_TAG_ptr_to_member_type:
		res = layout_pointer(ctx, d, t);
		break;
	case DW_TAG_typedef:
		res = layout_typedef(ctx, d, t, depth);
		break;
	case DW_TAG_const_type:
	case DW_TAG_volatile_type:
	case DW_TAG_restrict_type:
	case DW_TAG_atomic_type:
	case DW_TAG_immutable_type:
	case DW_TAG_packed_type:
	case DW_TAG_shared_type: {
		/* _Atomic can change size and alignment on some ABIs (i386
		 * _Atomic long long aligns to 8); DWARF does not record it,
		 * so we keep the underlying type's. */
		const sf_die_type *to = NULL;
		res = sf__die_target_layout(ctx, d, depth, &to);
		if (res >= 0)
			copy_layout(t, to);
		break;
	}
	case DW_TAG_array_type:
		res = layout_array(ctx, d, t, depth);
		break;
	case DW_TAG_structure_type:
	case DW_TAG_union_type:
	case DW_TAG_class_type:
		res = layout_struct(ctx, d, t, depth);
		break;
	case DW_TAG_subroutine_type:
		res = layout_function_value(ctx, d, t);
		break;
	case DW_TAG_unspecified_type:
		res = sf__die_udata(ctx, d, DW_AT_byte_size, &t->size);
		if (res >= 0 && t->size <= 64)
			t->align = sf__target_scalar_align(ctx->target, SF_SCALAR_INTEGER, t->size);
		break;
	default: {
		uint64_t size = 0;
		res = sf__die_udata(ctx, d, DW_AT_byte_size, &size);
		if (res >= 0 && size > SF_DIE_MAX_OFFSET)
			res = sf__die_corrupt(ctx, d, "absurd type size");
		t->size = size;
		t->flags = SF_MEMBER_UNKNOWN_TYPE;
		break;
	}
	}
	if (res > 0)
		res = 0;
	if (res == 0)
		t->laid_out = true;
done:
	t->layout_busy = false;
	return res;
}
