/* Digests of the DWARF a definition is built from, so a worker builds each layout once. */
#include "dwarf/die_ctx.h"
#include "dwarf/die_digest_mix.h"
#include "dwarf/die_type_cache.h"
#include "dwarf/die_values.h"

#include <stdlib.h>
#include <string.h>

#include "util/fail.h"

/*
 * The same kernel headers are compiled into thousands of units; building
 * their structs again in every unit (type names, member arrays, merge
 * hashing and comparing) was most of a vmlinux load.  A digest reads the
 * same DIEs once each, without building anything, and feeds in every
 * attribute of them, not only those the builder reads, so equal digests
 * mean equal builder inputs: the definition is reused, never guessed.
 *
 * What goes in, mirroring sf__die_build_struct() and die_type.c/die_name.c:
 * - a struct: all its attributes, and its layout members (member and
 *   inheritance children) with all their attributes; other children
 *   (methods, nested types) do not change the layout;
 * - a member's type by its "layout" digest: all attributes and children
 *   of each DIE along the type graph, where pointers, references and
 *   function types take only the "name" digest of what they refer to (a
 *   pointer's spelling needs the pointee's spelling, its layout nothing)
 *   and a struct reached by value takes its own full digest; the name
 *   digest of a struct or enum is its tag and name (or, for a type-unit
 *   stand-in without one, its definition's name digest), as die_name.c
 *   spells it, so pointer cycles end there;
 * - references by what they point to, decl_file by the file name, strings
 *   by content (or by offset where .debug_str holds each text once),
 *   DW_AT_sibling not at all;
 * - the unit's ABI rules (after producer quirks), DWARF version and
 *   DW_AT_language.
 * Anything unusual (cycles, corrupt or unknown forms, depth) gives no
 * digest and the struct is simply built, which reports real corruption.
 * Two 64-bit lanes with different multipliers make a 128-bit digest;
 * the kind, name and size of a hit are compared as well.
 */

enum { DIGEST_PENDING = 0, DIGEST_BUSY = 1, DIGEST_DONE = 2, DIGEST_IMPOSSIBLE = 3 };

static bool is_reference(uint16_t form)
{
	switch (form) {
	case DW_FORM_ref1: case DW_FORM_ref2: case DW_FORM_ref4: case DW_FORM_ref8:
	case DW_FORM_ref_udata: case DW_FORM_ref_addr: case DW_FORM_ref_sig8:
	case DW_FORM_GNU_ref_alt: case DW_FORM_ref_sup4: case DW_FORM_ref_sup8:
		return true;
	default:
		return false;
	}
}

static bool is_section_string(uint16_t form)
{
	switch (form) {
	case DW_FORM_strp: case DW_FORM_line_strp: case DW_FORM_strx: case DW_FORM_strx1:
	case DW_FORM_strx2: case DW_FORM_strx3: case DW_FORM_strx4: case DW_FORM_GNU_str_index:
	case DW_FORM_GNU_strp_alt: case DW_FORM_strp_sup:
		return true;
	default:
		return false;
	}
}

/* Tags whose layout sf__die_type_layout() takes from the types they
 * refer to; for the others (pointers, functions, ...) a member needs only
 * the spelling of what they refer to, and nothing gets built through them. */
static bool layout_follows(uint16_t tag)
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
	case DW_TAG_array_type:
	case DW_TAG_structure_type:
	case DW_TAG_union_type:
	case DW_TAG_class_type:
	case DW_TAG_enumeration_type:
	case DW_TAG_base_type:
		return true;
	default:
		return false;
	}
}

static bool is_struct_tag(uint16_t tag)
{
	return tag == DW_TAG_structure_type || tag == DW_TAG_union_type || tag == DW_TAG_class_type;
}

static bool type_digest(sf_die_ctx *ctx, const sf_die *d, sf_die_type *t, bool layout, unsigned depth,
			sf_die_digest *out);

static bool is_unit_local(uint16_t form)
{
	return form == DW_FORM_ref1 || form == DW_FORM_ref2 || form == DW_FORM_ref4 ||
	       form == DW_FORM_ref8 || form == DW_FORM_ref_udata;
}

/* Digest of a reference's target; most targets (int, list_head, ...)
 * were digested before in the unit and are not even opened again.
 * *slot is the target's cache slot, when it has one.  `looked_up`: the
 * caller found the target's slot `found` (NULL: none) by its key. */
static __attribute__((noinline)) bool reference_digest_slow(sf_die_ctx *ctx, const sf_die *d, uint16_t form,
							   uint64_t u, bool layout, unsigned depth,
							   sf_die_digest *out, const sf_die_type **slot,
							   bool looked_up, const sf_die_type *found)
{
	const sf_dw_value v = { .form = form, .u = u };
	unsigned space = 0;
	uint64_t offset = 0, key;
	sf_die target;
	const sf_die_type *known;

	if (form == DW_FORM_ref_sig8) {
		if (!sf__dw_signature_find(ctx->dw, u, &space, &offset))
			return false;
	} else if (sf__dw_reference(&d->raw, &v, &space, &offset) < 0) {
		return false;
	}
	if (space == SF_DW_ALT && !ctx->image->alt_sections.info.data)
		return false;
	memset(&target, 0, sizeof(target));
	target.offset = offset;
	target.alt = space == SF_DW_ALT;
	target.is_info = space != SF_DW_TYPES;
	key = sf__die_key(&target);
	known = looked_up ? found : sf__die_type_find(ctx, key);
	*slot = known;
	if (known && (layout ? known->layout_digest_state : known->name_digest_state) == DIGEST_DONE) {
		*out = layout ? known->layout_digest : known->name_digest;
		return true;
	}
	if (is_unit_local(form)) {
		/* Same unit: no unit lookup needed. */
		if (sf__dw_die_at(ctx->cursor, d->raw.unit, offset, &target.raw) < 0 || !target.raw.abbrev)
			return false;
	} else if (sf__die_open(ctx, target.alt, offset, target.is_info, &target) < 0) {
		return false;
	}
	/* The lookup above said whether the slot exists: no second one. */
	if (!known)
		known = sf__die_type_add(ctx, key);
	*slot = known;
	return type_digest(ctx, &target, (sf_die_type *)known, layout, depth + 1, out);
}

/*
 * reference_digest_slow()'s answer for a reference within the unit to a
 * target digested before, in line: the key as sf__die_key() makes it of
 * the target reference_digest_slow() would open, and no call.  4 M of the
 * 5 M references a vmlinux report digests are such.
 */
static inline bool reference_digest(sf_die_ctx *ctx, const sf_die *d, uint16_t form, uint64_t u, bool layout,
				    unsigned depth, sf_die_digest *out, const sf_die_type **slot)
{
	const sf_dw_unit *unit = d->raw.unit;
	uint64_t offset;

	if (is_unit_local(form) && unit->space != SF_DW_ALT && !__builtin_add_overflow(unit->offset, u, &offset)) {
		const uint64_t key = offset | ((uint64_t)(unit->space == SF_DW_TYPES) << 63);
		const sf_die_type *known = sf__die_type_find(ctx, key);
		if (known && (layout ? known->layout_digest_state : known->name_digest_state) == DIGEST_DONE) {
			*slot = known;
			*out = layout ? known->layout_digest : known->name_digest;
			return true;
		}
		return reference_digest_slow(ctx, d, form, u, layout, depth, out, slot, true, known);
	}
	return reference_digest_slow(ctx, d, form, u, layout, depth, out, slot, false, NULL);
}

/*
 * Flags seen by mix_attrs(), for telling layout members apart, and the
 * references it left for the caller when asked to (`defer`).  A deferred
 * reference goes in after the attributes by its target's digest alone:
 * which attributes were deferred, with which forms and in what order
 * follows from the (name, form) list that mix_attrs() took in (by the
 * abbreviation's list hash, or attribute by attribute for DW_FORM_indirect).
 */
#define MAX_DEFERRED 4
typedef struct attr_facts {
	bool external;
	bool declaration;
	bool defer;
	bool may_build;             /* a layout reference's target may build a struct */
	const uint8_t *end;         /* just past the attributes */
	unsigned deferred_count;
	uint16_t deferred_name[MAX_DEFERRED];
	uint16_t deferred_form[MAX_DEFERRED];
	uint64_t deferred[MAX_DEFERRED];
} attr_facts;

/* Not `= { 0 }`: clearing the deferred values for every member DIE was a
 * measurable part of a vmlinux load, and only the first count are read. */
static inline void facts_init(attr_facts *facts, bool defer)
{
	facts->external = false;
	facts->declaration = false;
	facts->defer = defer;
	facts->may_build = false;
	facts->end = NULL;
	facts->deferred_count = 0;
}

/* One attribute's value into `acc` (see mix_attrs()). */
static inline bool mix_value(sf_die_ctx *ctx, const sf_die *d, uint16_t name, const sf_dw_value *v,
			     bool by_name, unsigned depth, sf_die_digest *acc, attr_facts *facts)
{
	if (name == DW_AT_external && v->u)
		facts->external = true;
	else if (name == DW_AT_declaration && v->u)
		facts->declaration = true;
	if (name == DW_AT_decl_file) {
		sf_die_digest file;
		if (!sf__die_file_digest(ctx, d, v->u, &file))
			return false;
		sf__digest_mix_digest(acc, &file);
	} else if (v->form == DW_FORM_string || is_section_string(v->form)) {
		/* By content: `ld -r` (kernel modules) keeps one copy of
		 * each string per object, so addresses differ. */
		const char *s = NULL;
		sf_die_digest content;
		if (sf__dw_string(ctx->cursor, &d->raw, v, &s) < 0 || !s)
			return false;
		sf__die_string_digest(ctx, s, &content);
		sf__digest_mix_digest(acc, &content);
	} else if (is_reference(v->form) && facts->defer) {
		/* Static members are not laid out: only once every flag
		 * is known can the member's type be followed rightly. */
		if (facts->deferred_count == MAX_DEFERRED)
			return false;
		facts->deferred_name[facts->deferred_count] = name;
		facts->deferred_form[facts->deferred_count] = v->form;
		facts->deferred[facts->deferred_count++] = v->u;
	} else if (is_reference(v->form)) {
		sf_die_digest sub;
		const sf_die_type *slot = NULL;
		bool layout = !by_name && (name == DW_AT_type || name == DW_AT_signature);
		if (!reference_digest(ctx, d, v->form, v->u, layout, depth, &sub, &slot))
			return false;
		if (layout && (!slot || slot->may_build))
			facts->may_build = true;
		sf__digest_mix_digest(acc, &sub);
	} else if (v->block) {
		sf__digest_mix_bytes(acc, v->block, (size_t)v->block_len);
	} else {
		/* Signed forms keep their value in `u` as well. */
		sf__digest_mix(acc, v->u);
	}
	return true;
}

/*
 * Clears bytes [at, at + width) of `words` (width <= 8, within the 64
 * bytes).  With masks on whole words where the host is little-endian:
 * byte stores followed by word loads of the same bytes stalled every
 * DIE on the failed store forwarding.
 */
static inline void clear_bytes(uint64_t *words, size_t at, size_t width)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	const size_t k = at / 8, shift = (at % 8) * 8;
	const uint64_t mask = width >= 8 ? ~UINT64_C(0) : (UINT64_C(1) << (8 * width)) - 1;

	if (!width)
		return;
	words[k] &= ~(mask << shift);
	if (shift && shift + 8 * width > 64)
		words[k + 1] &= ~(mask >> (64 - shift));
#else
	unsigned char *bytes = (unsigned char *)words;
	for (size_t b = 0; b < width; b++)
		bytes[at + b] = 0;
#endif
}

/* Bits of a value of sf_dw_small_op.width bytes. */
static const uint64_t small_masks[9] = { 0, 0xff, 0xffff, 0, 0xffffffff, 0, 0, 0, ~UINT64_C(0) };

/*
 * mix_attrs_raw() for at most 16 bytes where strp offsets stand for their
 * text, with the masks and steps die_abbrev.c worked out for the
 * declaration (sf_dw_abbrev.raw_keep, small_ops): what mix_attrs_raw()
 * takes in, at a fraction of the work.  [attrs, attrs + fixed_size) is
 * known readable, `end` is the unit's end.
 */
/*
 * The steps of small_ops into *acc: values read a word at a time at
 * `base` (the attribute bytes, or a zero-padded copy of them), the rare
 * kinds decoded in full at `real` (the bytes themselves, before `end`).
 */
static inline __attribute__((always_inline)) bool mix_small_steps(sf_die_ctx *ctx, const sf_die *d,
								   const uint8_t *base, const uint8_t *real,
								   const uint8_t *end, bool by_name, unsigned depth,
								   sf_die_digest *acc, attr_facts *facts, uint64_t str_size)
{
	const sf_dw_abbrev *a = d->raw.abbrev;

	for (unsigned k = 0; k < a->small_count; k++) {
		const sf_dw_small_op *op = &a->small_ops[k];
		uint64_t u;
		memcpy(&u, base + op->at, sizeof(u));
		u &= small_masks[op->width];
		switch (op->kind) {
		case SF_DW_SMALL_REF: {
			const sf_dw_spec *spec = &a->specs[op->spec];
			sf_die_digest sub;
			const sf_die_type *slot = NULL;
			bool layout;
			if (facts->defer) {
				/* mix_value()'s deferral: a member's type. */
				if (facts->deferred_count == MAX_DEFERRED)
					return false;
				facts->deferred_name[facts->deferred_count] = spec->name;
				facts->deferred_form[facts->deferred_count] = spec->form;
				facts->deferred[facts->deferred_count++] = u;
				continue;
			}
			/* mix_value()'s reference, without its call: the type
			 * of every typedef, pointer, qualifier and array. */
			layout = !by_name && (spec->name == DW_AT_type || spec->name == DW_AT_signature);
			if (!reference_digest(ctx, d, spec->form, u, layout, depth, &sub, &slot))
				return false;
			if (layout && (!slot || slot->may_build))
				facts->may_build = true;
			sf__digest_mix_digest(acc, &sub);
			continue;
		}
		case SF_DW_SMALL_FILE: {
			sf_die_digest file;
			if (ctx->file_digest_unit == d->raw.unit && u < ctx->file_digest_capacity &&
			    ctx->file_digest_state[u]) {
				/* sf__die_file_digest()'s cache, without the call. */
				sf__digest_mix_digest(acc, &ctx->file_digests[u]);
				continue;
			}
			if (!sf__die_file_digest(ctx, d, u, &file))
				return false;
			sf__digest_mix_digest(acc, &file);
			continue;
		}
		case SF_DW_SMALL_EXTERNAL:
			/* Flags: their bytes are their value. */
			facts->external |= u != 0;
			continue;
		case SF_DW_SMALL_DECLARATION:
			facts->declaration |= u != 0;
			continue;
		case SF_DW_SMALL_STRP:
			if (u >= str_size)
				return false;
			continue;
		default: {
			const sf_dw_spec *spec = &a->specs[op->spec];
			sf_dw_value v;
			if (sf__dw_value_fast(spec, real + op->at, end, false, &v) < 0)
				return false;
			if (spec->name == DW_AT_external || spec->name == DW_AT_declaration) {
				/* Flags in the list (implicit_const): see mix_attrs_raw(). */
				if (v.u)
					*(spec->name == DW_AT_external ? &facts->external : &facts->declaration) = true;
				continue;
			}
			if (!mix_value(ctx, d, spec->name, &v, by_name, depth, acc, facts))
				return false;
		}
		}
	}
	return true;
}

static bool mix_attrs_small(sf_die_ctx *ctx, const sf_die *d, bool by_name, unsigned depth, sf_die_digest *h,
			    attr_facts *facts, const uint8_t *end, uint64_t str_size)
{
	const sf_dw_abbrev *a = d->raw.abbrev;
	const uint8_t *attrs = d->raw.attrs;
	const size_t size = (size_t)a->fixed_size;
	/* Values are read a whole word at a time: from the DIE itself, or
	 * near the unit's end from a zero-padded copy. */
	uint8_t padded[24];
	const uint8_t *base = attrs;
	uint64_t words[2];
	sf_die_digest acc;

	if ((size_t)(end - attrs) < sizeof(padded)) {
		memset(padded, 0, sizeof(padded));
		memcpy(padded, attrs, size);
		base = padded;
	}
	memcpy(words, base, sizeof(words));
	words[0] &= a->raw_keep[0];
	words[1] &= a->raw_keep[1];
	facts->end = attrs + size;
	facts->external |= (a->small_flags & 1) != 0;
	facts->declaration |= (a->small_flags & 2) != 0;
	sf__digest_copy(&acc, h);
	/* The attribute words go in with the list hash, a word each: the
	 * mixing steps are a chain every DIE of a unit waits on, and a step
	 * for the words alone was two more.  (Equal inputs mean an equal
	 * list, which fixes the words' positions.)  mix_member_fast() and
	 * mix_type_ref_fast() take them in the same way. */
	sf__digest_mix(&acc, words[0] ^ a->list_lo ^ (UINT64_C(0x7261770000000000) | size));
	sf__digest_mix(&acc, words[1] ^ a->list_hi);
	if (!mix_small_steps(ctx, d, base, attrs, end, by_name, depth, &acc, facts, str_size))
		return false;
	sf__digest_copy(h, &acc);
	return true;
}

/*
 * mix_attrs_small() for a member whose declaration is strp name, decl_file
 * and type (sf_dw_abbrev.small_shape), in line, with the same
 * digest: most members of every struct.  False, having changed nothing,
 * when the unit, the bytes left or the file's digest are not at hand.
 */
static inline bool mix_member_fast(sf_die_ctx *ctx, const sf_die *d, sf_die_digest *h, attr_facts *facts)
{
	const sf_dw_abbrev *a = d->raw.abbrev;
	const uint8_t *attrs = d->raw.attrs;
	const size_t size = (size_t)a->fixed_size;
	const sf_dw_small_op *ops = a->small_ops;
	uint64_t words[2], name, file, type;
	sf_die_digest acc;

	if (a->small_shape != (SF_DW_SHAPE_NAME | SF_DW_SHAPE_FILE | SF_DW_SHAPE_REF) || ctx->small_unit != d->raw.unit ||
	    !ctx->small_ok || (size_t)(ctx->small_end - attrs) < 24 || facts->deferred_count == MAX_DEFERRED)
		return false;
	memcpy(&name, attrs + ops[0].at, sizeof(name));
	memcpy(&file, attrs + ops[1].at, sizeof(file));
	memcpy(&type, attrs + ops[2].at, sizeof(type));
	name &= small_masks[ops[0].width];
	file &= small_masks[ops[1].width];
	type &= small_masks[ops[2].width];
	if (name >= ctx->small_str_size || ctx->file_digest_unit != d->raw.unit || file >= ctx->file_digest_capacity ||
	    !ctx->file_digest_state[file])
		return false;
	memcpy(words, attrs, sizeof(words));
	words[0] &= a->raw_keep[0];
	words[1] &= a->raw_keep[1];
	sf__digest_copy(&acc, h);
	sf__digest_mix(&acc, words[0] ^ a->list_lo ^ (UINT64_C(0x7261770000000000) | size));
	sf__digest_mix(&acc, words[1] ^ a->list_hi);
	sf__digest_mix_digest(&acc, &ctx->file_digests[file]);
	sf__digest_copy(h, &acc);
	facts->deferred_name[facts->deferred_count] = a->specs[ops[2].spec].name;
	facts->deferred_form[facts->deferred_count] = a->specs[ops[2].spec].form;
	facts->deferred[facts->deferred_count++] = type;
	facts->end = attrs + size;
	return true;
}

/*
 * mix_attrs_small() for a type whose only step is its reference (pointers,
 * qualifiers, function types, arrays), not deferred, in line, with the
 * same digest.  False, having changed nothing, when the unit or the bytes
 * left are not at hand; else *ok is the digest's answer.
 */
static inline bool mix_type_ref_fast(sf_die_ctx *ctx, const sf_die *d, bool by_name, unsigned depth, sf_die_digest *h,
				     attr_facts *facts, bool *ok)
{
	const sf_dw_abbrev *a = d->raw.abbrev;
	const uint8_t *attrs = d->raw.attrs;
	const size_t size = (size_t)a->fixed_size;
	const sf_dw_small_op *op = &a->small_ops[0];
	const sf_dw_spec *spec;
	const sf_die_type *slot = NULL;
	uint64_t words[2], type;
	sf_die_digest acc, sub;
	bool layout;

	if (a->small_shape != SF_DW_SHAPE_REF || facts->defer || ctx->small_unit != d->raw.unit || !ctx->small_ok ||
	    (size_t)(ctx->small_end - attrs) < 24)
		return false;
	spec = &a->specs[op->spec];
	memcpy(&type, attrs + op->at, sizeof(type));
	type &= small_masks[op->width];
	memcpy(words, attrs, sizeof(words));
	words[0] &= a->raw_keep[0];
	words[1] &= a->raw_keep[1];
	facts->end = attrs + size;
	sf__digest_copy(&acc, h);
	sf__digest_mix(&acc, words[0] ^ a->list_lo ^ (UINT64_C(0x7261770000000000) | size));
	sf__digest_mix(&acc, words[1] ^ a->list_hi);
	layout = !by_name && (spec->name == DW_AT_type || spec->name == DW_AT_signature);
	*ok = reference_digest(ctx, d, spec->form, type, layout, depth, &sub, &slot);
	if (!*ok)
		return true;
	if (layout && (!slot || slot->may_build))
		facts->may_build = true;
	sf__digest_mix_digest(&acc, &sub);
	sf__digest_copy(h, &acc);
	return true;
}

/*
 * mix_attrs() for an abbreviation of fixed size (sf_dw_abbrev.raw_digest):
 * the attribute bytes go in as they are, a word at a time, but for those
 * whose bytes are not their identity (references, decl_file, most
 * strings), which are cleared and go in by what they stand for.  The
 * abbreviation's list fixes every value's position and form, so equal
 * bytes are equal values.  A .debug_str offset stands for its text
 * (sf_die_known.str_distinct): equal offsets are equal text.
 */
static bool mix_attrs_raw(sf_die_ctx *ctx, const sf_die *d, bool by_name, unsigned depth, sf_die_digest *h,
			  attr_facts *facts)
{
	const sf_dw_abbrev *a = d->raw.abbrev;
	const sf_dw_unit *unit = d->raw.unit;
	const uint8_t *attrs = d->raw.attrs;
	const uint8_t *end = ctx->dw->spaces[unit->space].data + unit->end;
	const size_t size = (size_t)a->fixed_size;
	const sf_dwarf_bytes *str = &ctx->dw->spaces[unit->space].sections->str;
	const bool raw_strp = ctx->known && ctx->known->str_distinct && str->data == ctx->image->sections.str.data;
	uint64_t words[SF_DW_RAW_LIMIT / 8];
	sf_die_digest acc;

	const size_t word_count = (size + 7) / 8;

	if ((size_t)(end - attrs) < size)
		return false;
	if (a->raw_small && raw_strp)
		return mix_attrs_small(ctx, d, by_name, depth, h, facts, end, str->size);
	sf__digest_copy(&acc, h);
	/* Whole words, not memcpy/memset of `size` bytes: those were libc
	 * calls per DIE.  Bytes past `size` are cleared. */
	if ((size_t)(end - attrs) >= sizeof(words)) {
		memcpy(words, attrs, sizeof(words));
	} else {
		memset(words, 0, sizeof(words));
		memcpy(words, attrs, size);
	}
	if (size % 8)
		words[word_count - 1] &= (UINT64_C(1) << (8 * (size % 8))) - 1;
	facts->end = attrs + size;
	/* The size marks the raw path (a list decides it, the unit's shape
	 * the size): on the list hash, not a word of its own. */
	sf__digest_mix(&acc, a->list_lo ^ (UINT64_C(0x7261770000000000) | size));
	sf__digest_mix(&acc, a->list_hi);
	for (uint64_t m = a->special; m; m &= m - 1) {
		unsigned i = (unsigned)__builtin_ctzll(m);
		const sf_dw_spec *spec = &a->specs[i];
		const size_t at = (size_t)spec->fixed_offset;
		const size_t width = (size_t)spec->fast_width;
		sf_dw_value v;
		if (sf__dw_value_fast(spec, attrs + at, end, false, &v) < 0)
			return false;
		if (spec->name == DW_AT_external || spec->name == DW_AT_declaration) {
			/* Flags: their bytes are their value. */
			if (spec->name == DW_AT_external && v.u)
				facts->external = true;
			else if (spec->name == DW_AT_declaration && v.u)
				facts->declaration = true;
			continue;
		}
		if (spec->form == DW_FORM_strp && raw_strp && spec->name != DW_AT_decl_file) {
			if (v.u >= str->size)
				return false;
			continue;
		}
		clear_bytes(words, at, width);
		if (spec->name == DW_AT_sibling)
			continue;
		if (!mix_value(ctx, d, spec->name, &v, by_name, depth, &acc, facts))
			return false;
	}
	for (size_t k = 0; k < word_count; k++)
		sf__digest_mix(&acc, words[k]);
	sf__digest_copy(h, &acc);
	return true;
}

/*
 * Every attribute of `d`.  References by the name digest of their target
 * when `by_name`; otherwise DW_AT_type and DW_AT_signature (what the
 * builder follows for a layout) by the layout digest and the others
 * (containing types, origins: never read by the builder) by name.
 */
static bool mix_attrs_full(sf_die_ctx *ctx, const sf_die *d, bool by_name, unsigned depth, sf_die_digest *h,
			   attr_facts *facts)
{
	sf_dw_attr_iter it;
	sf_dw_value v;
	uint16_t name = 0;
	int res;
	/* In registers across the loop, not stored back per attribute. */
	sf_die_digest acc;

	/* The (name, form) list once per DIE, by the abbreviation's hash of
	 * it, then only values; DW_FORM_indirect puts forms in the DIE. */
	bool per_attribute = d->raw.abbrev->has_indirect;

	if (d->raw.abbrev->raw_digest && !ctx->image->big_endian)
		return mix_attrs_raw(ctx, d, by_name, depth, h, facts);
	sf__digest_copy(&acc, h);
	if (!per_attribute) {
		sf__digest_mix(&acc, d->raw.abbrev->list_lo);
		sf__digest_mix(&acc, d->raw.abbrev->list_hi);
	}
	sf__dw_attr_iter_init(ctx->cursor, &d->raw, &it);
	facts->end = it.p;
	while ((res = sf__dw_attr_iter_next(ctx->cursor, &it, &name, &v)) > 0) {
		facts->end = it.p;
		if (name == DW_AT_sibling)
			continue;
		if (per_attribute)
			sf__digest_mix(&acc, ((uint64_t)name << 16) | v.form);
		if (!mix_value(ctx, d, name, &v, by_name, depth, &acc, facts))
			return false;
	}
	sf__digest_copy(h, &acc);
	return res == 0;
}

/*
 * mix_attrs_small() for a DIE led by its name in line (sf_dw_abbrev.
 * string_led): the name by its text, then the bytes after it as a small
 * DIE's.  Anything odd (no end to the name, too few bytes after it)
 * goes the general way, which says what is wrong.
 */
static bool mix_attrs_string_led(sf_die_ctx *ctx, const sf_die *d, bool by_name, unsigned depth, sf_die_digest *h,
				 attr_facts *facts)
{
	const sf_dw_abbrev *a = d->raw.abbrev;
	const uint8_t *attrs = d->raw.attrs;
	const uint8_t *end = ctx->small_end;
	const uint8_t *nul = end > attrs ? memchr(attrs, 0, (size_t)(end - attrs)) : NULL;
	const uint8_t *tail, *base;
	uint8_t padded[24];
	uint64_t words[2];
	sf_die_digest acc, name;

	if (!nul || (size_t)(end - (nul + 1)) < a->tail_size)
		return mix_attrs_full(ctx, d, by_name, depth, h, facts);
	tail = base = nul + 1;
	if ((size_t)(end - tail) < sizeof(padded)) {
		memset(padded, 0, sizeof(padded));
		memcpy(padded, tail, a->tail_size);
		base = padded;
	}
	memcpy(words, base, sizeof(words));
	words[0] &= a->raw_keep[0];
	words[1] &= a->raw_keep[1];
	facts->end = tail + a->tail_size;
	facts->external |= (a->small_flags & 1) != 0;
	facts->declaration |= (a->small_flags & 2) != 0;
	sf__die_string_digest(ctx, (const char *)attrs, &name);
	sf__digest_copy(&acc, h);
	sf__digest_mix(&acc, words[0] ^ a->list_lo ^ (UINT64_C(0x73746c0000000000) | a->tail_size));
	sf__digest_mix(&acc, words[1] ^ a->list_hi);
	sf__digest_mix_digest(&acc, &name);
	if (!mix_small_steps(ctx, d, base, tail, end, by_name, depth, &acc, facts, ctx->small_str_size))
		return false;
	sf__digest_copy(h, &acc);
	return true;
}

/* What mix_attrs() needs to know of a unit to take its DIEs the small
 * ways: its end, its .debug_str, and whether strp offsets there stand for
 * their text. */
static void small_unit_setup(sf_die_ctx *ctx, const sf_dw_unit *unit)
{
	const sf_dwarf_bytes *str = &ctx->dw->spaces[unit->space].sections->str;

	ctx->small_unit = unit;
	ctx->small_ok = !ctx->image->big_endian && ctx->known && ctx->known->str_distinct &&
			str->data == ctx->image->sections.str.data;
	ctx->small_end = ctx->dw->spaces[unit->space].data + unit->end;
	ctx->small_str_size = str->size;
}

/* mix_attrs_full(), or for a small declaration (nearly every member and
 * type DIE) mix_attrs_small() or mix_attrs_string_led(). */
static inline bool mix_attrs(sf_die_ctx *ctx, const sf_die *d, bool by_name, unsigned depth, sf_die_digest *h,
			     attr_facts *facts)
{
	const sf_dw_abbrev *a = d->raw.abbrev;

	if ((a->raw_small || a->string_led) && ctx->small_unit != d->raw.unit)
		small_unit_setup(ctx, d->raw.unit);
	if (a->raw_small && ctx->small_ok && (size_t)(ctx->small_end - d->raw.attrs) >= (size_t)a->fixed_size)
		return mix_attrs_small(ctx, d, by_name, depth, h, facts, ctx->small_end, ctx->small_str_size);
	if (a->string_led && ctx->small_ok)
		return mix_attrs_string_led(ctx, d, by_name, depth, h, facts);
	return mix_attrs_full(ctx, d, by_name, depth, h, facts);
}

/* Moves `cur` (a DIE without children whose attributes end at `end`) to
 * its next sibling: 1, or 0 at the end of the list, or <0. */
static int next_after(sf_die_ctx *ctx, sf_die *cur, const uint8_t *end)
{
	const sf_dw_unit *unit = cur->raw.unit;
	uint64_t at = (uint64_t)(end - ctx->dw->spaces[unit->space].data);
	int res;

	if (at >= unit->end)
		return 0;
	/* In place: the list ends (and `cur` is dropped) on 0 and <0. */
	res = sf__dw_die_at(ctx->cursor, unit, at, &cur->raw);
	if (res < 0)
		return res;
	if (!cur->raw.abbrev)
		return 0;
	cur->offset = cur->raw.offset;
	return 1;
}

/*
 * Children in order; for structs only the layout members, whose types are
 * then laid out as building the struct would do, in the same order: that
 * builds the structs they contain (unnamed ones named by the first typedef
 * reaching them), so reusing the struct leaves the unit as building it
 * would have.  A struct is only digested where the builder builds it.
 */
static bool mix_children(sf_die_ctx *ctx, const sf_die *d, bool by_name, bool members,
			 unsigned depth, sf_die_digest *h, bool *may_build, bool *plain)
{
	sf_die child;
	uint64_t count = 0;
	int res = sf__die_first_child(ctx, d, &child);

	*plain = true;
	while (res > 0) {
		uint16_t tag = child.raw.abbrev->tag;
		if (sf__die_walk_acts_on(tag))
			*plain = false;
		/* The builder reads variant parts its own way: no digest. */
		if (members && tag == DW_TAG_variant_part)
			return false;
		if (!members || tag == DW_TAG_member || tag == DW_TAG_inheritance) {
			attr_facts facts;
			facts_init(&facts, members);
			/* The list hash holds the tag, but for DW_FORM_indirect. */
			if (child.raw.abbrev->has_indirect)
				sf__digest_mix(h, UINT64_C(0xc0de0000) | tag);
			if (!(members && mix_member_fast(ctx, &child, h, &facts)) &&
			    !mix_attrs(ctx, &child, by_name, depth, h, &facts))
				return false;
			*may_build |= facts.may_build;
			if (members) {
				/* The builder's is_layout_member(). */
				bool laid_out = tag == DW_TAG_inheritance || (!facts.external && !facts.declaration);
				bool done = false, builds = true;
				for (unsigned i = 0; i < facts.deferred_count; i++) {
					sf_die_digest sub;
					const sf_die_type *slot = NULL;
					bool layout = laid_out && facts.deferred_name[i] == DW_AT_type;
					/* Name and form are in already (see attr_facts). */
					if (!reference_digest(ctx, &child, facts.deferred_form[i], facts.deferred[i], layout,
							      depth, &sub, &slot))
						return false;
					sf__digest_mix_digest(h, &sub);
					/* Mostly laid out already (int, list_head...). */
					if (layout) {
						done = slot && slot->laid_out;
						builds = !slot || slot->may_build;
					}
				}
				/*
				 * Laying the type out is for the structs it builds;
				 * one that cannot build any (scalars, pointers and
				 * chains of them) is laid out the same later, by the
				 * builder if it needs it: equal digests, equal DWARF.
				 */
				if (laid_out && !done && builds) {
					const sf_die_type *layout = NULL;
					if (sf__die_target_layout(ctx, &child, depth, &layout) < 0)
						return false;
				}
			}
			count++;
			if (!child.raw.abbrev->has_children) {
				/* The next DIE starts where the attributes end. */
				res = next_after(ctx, &child, facts.end);
				continue;
			}
		}
		res = sf__die_next_sibling(ctx, &child);
	}
	sf__digest_mix(h, count);
	return res == 0;
}

static bool name_only_digest(sf_die_ctx *ctx, const sf_die *d, unsigned depth, sf_die_digest *h)
{
	const char *name = NULL;
	sf_dw_value v;
	int res;

	sf__digest_mix(h, UINT64_C(0x6e616d65) << 16 | d->raw.abbrev->tag);
	if (sf__die_string(ctx, d, DW_AT_name, &name) < 0)
		return false;
	if (name) {
		sf_die_digest content;
		sf__die_string_digest(ctx, name, &content);
		sf__digest_mix_digest(h, &content);
		return true;
	}
	res = sf__dw_attr(ctx->cursor, &d->raw, DW_AT_signature, &v);
	if (res < 0)
		return false;
	sf__digest_mix(h, (uint64_t)res);
	if (res > 0) {
		sf_die_digest sub;
		const sf_die_type *slot = NULL;
		if (!is_reference(v.form) || !reference_digest(ctx, d, v.form, v.u, false, depth, &sub, &slot))
			return false;
		sf__digest_mix_digest(h, &sub);
	}
	return true;
}

/* `t` is the cache slot of `d`. */
static bool type_digest(sf_die_ctx *ctx, const sf_die *d, sf_die_type *t, bool layout, unsigned depth,
			sf_die_digest *out)
{
	uint16_t tag;
	uint8_t *state;
	attr_facts facts;
	sf_die_digest h = { UINT64_C(0x243f6a8885a308d3), UINT64_C(0x13198a2e03707344) };
	bool ok, may_build = true, plain = false;

	if (!t)
		return false;
	state = layout ? &t->layout_digest_state : &t->name_digest_state;
	if (*state == DIGEST_DONE) {
		*out = layout ? t->layout_digest : t->name_digest;
		return true;
	}
	if (*state != DIGEST_PENDING || depth > SF_DIE_MAX_DEPTH)
		return false;
	*state = DIGEST_BUSY;
	tag = d->raw.abbrev->tag;
	if (sf__die_language_scoped(ctx->language) &&
	    (is_struct_tag(tag) || tag == DW_TAG_enumeration_type || tag == DW_TAG_typedef)) {
		/* die_scope.c's prefix is part of the name (`a::S`). */
		const char *prefix = NULL;
		if (sf__die_scope(ctx, d, &prefix) < 0) {
			ok = false;
			goto done;
		}
		if (prefix)
			sf__digest_mix_bytes(&h, (const uint8_t *)prefix, strlen(prefix));
		else
			sf__digest_mix(&h, UINT64_C(0x676c6f62616c));
	}
	if (!layout && (is_struct_tag(tag) || tag == DW_TAG_enumeration_type)) {
		/* Spelled as keyword and name (die_name.c's name_tagged()),
		 * or as the type unit's definition: read nothing else. */
		ok = name_only_digest(ctx, d, depth, &h);
		goto done;
	}
	sf__digest_mix(&h, ((uint64_t)layout << 32) | tag);
	sf__digest_mix(&h, d->raw.abbrev->has_children);
	/* A struct's references are followed for its layout only when it
	 * is a declaration standing for a type unit's definition. */
	facts_init(&facts, layout && is_struct_tag(tag));
	if (!mix_type_ref_fast(ctx, d, !layout || !layout_follows(tag), depth, &h, &facts, &ok))
		ok = mix_attrs(ctx, d, !layout || !layout_follows(tag), depth, &h, &facts);
	for (unsigned i = 0; ok && i < facts.deferred_count; i++) {
		sf_die_digest sub;
		bool follow = facts.declaration && facts.deferred_name[i] == DW_AT_signature;
		const sf_die_type *slot = NULL;
		/* Name and form are in already (see attr_facts). */
		ok = reference_digest(ctx, d, facts.deferred_form[i], facts.deferred[i], follow, depth, &sub, &slot);
		if (ok)
			sf__digest_mix_digest(&h, &sub);
	}
	if (ok && d->raw.abbrev->has_children) {
		if (is_struct_tag(tag)) {
			/* By name a struct is its tag and attributes; so is a
			 * declaration, whose children the builder ignores. */
			if (layout && !facts.declaration)
				ok = mix_children(ctx, d, false, true, depth, &h, &facts.may_build, &plain);
		} else if (tag != DW_TAG_enumeration_type) {
			/* Enumerators change neither size nor spelling. */
			ok = mix_children(ctx, d, !layout || !layout_follows(tag), false, depth, &h, &facts.may_build,
					  &plain);
		}
	}
	may_build = is_struct_tag(tag) || facts.may_build;
done:
	*state = ok ? DIGEST_DONE : DIGEST_IMPOSSIBLE;
	if (ok) {
		if (layout) {
			sf__digest_copy(&t->layout_digest, &h);
			t->may_build = may_build;
			if (is_struct_tag(tag) && plain)
				t->plain_children = true;
		} else {
			sf__digest_copy(&t->name_digest, &h);
		}
		sf__digest_copy(out, &h);
	}
	return ok;
}

bool sf__die_struct_digest(sf_die_ctx *ctx, const sf_die *d, const char *typedef_name, bool nested_body,
			   sf_die_digest *out)
{
	sf_die_digest h = { UINT64_C(0xa4093822299f31d0), UINT64_C(0x082efa98ec4e6c89) };
	sf_die_digest body;

	if (!d->raw.abbrev || !is_struct_tag(d->raw.abbrev->tag) || !type_digest(ctx, d, sf__die_type_slot(ctx, d), true, 0, &body))
		return false;
	sf__digest_mix_digest(&h, &body);
	/* What sf__die_build_struct() takes besides the DWARF. */
	sf__digest_mix(&h, nested_body);
	if (typedef_name)
		sf__digest_mix_bytes(&h, (const uint8_t *)typedef_name, strlen(typedef_name));
	else
		sf__digest_mix(&h, UINT64_C(0x7479706564656600));
	/* The same DWARF lays out differently under other ABI rules. */
	sf__digest_mix(&h, (uint64_t)(uintptr_t)ctx->target);
	sf__digest_mix(&h, d->raw.unit->version);
	/* Array lower bounds and field order depend on the language. */
	sf__digest_mix(&h, ctx->language);
	sf__digest_mix(&h, ctx->variant_view_key == sf__die_key(d));
	sf__digest_mix(&h, ((uint64_t)ctx->image->address_size << 1) | ctx->image->big_endian);
	sf__digest_copy(out, &h);
	return true;
}
