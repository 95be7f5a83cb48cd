/* A DIE's attributes into a struct digest: the small, raw and general
 * ways of taking them in (the digest itself is die_digest.c's). */
#include "dwarf/die_digest_attrs.h"
#include "dwarf/die_values.h"

#include <stdlib.h>
#include <string.h>

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

/* One attribute's value into `acc` (see sf__die_mix_attrs()). */
static inline bool mix_value(sf_die_ctx *ctx, const sf_die *d, uint16_t name, const sf_dw_value *v,
			     bool by_name, unsigned depth, sf_die_digest *acc, sf_attr_facts *facts)
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
	} else if (sf__die_form_is_reference(v->form) && facts->defer) {
		/* Static members are not laid out: only once every flag
		 * is known can the member's type be followed rightly. */
		return sf__attr_facts_defer(facts, name, v->form, v->u);
	} else if (sf__die_form_is_reference(v->form)) {
		return sf__digest_mix_ref(ctx, d, name, v->form, v->u, by_name, depth, acc, facts);
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

/*
 * The steps of small_ops into *acc: values read a word at a time at
 * `base` (the attribute bytes, or a zero-padded copy of them), the rare
 * kinds decoded in full at `real` (the bytes themselves, before `end`).
 */
static inline __attribute__((always_inline)) bool mix_small_steps(sf_die_ctx *ctx, const sf_die *d,
								   const uint8_t *base, const uint8_t *real,
								   const uint8_t *end, bool by_name, unsigned depth,
								   sf_die_digest *acc, sf_attr_facts *facts, uint64_t str_size)
{
	const sf_dw_abbrev *a = d->raw.abbrev;

	for (unsigned k = 0; k < a->small_count; k++) {
		const sf_dw_small_op *op = &a->small_ops[k];
		uint64_t u;
		memcpy(&u, base + op->at, sizeof(u));
		u &= sf__digest_small_mask(op->width);
		switch (op->kind) {
		case SF_DW_SMALL_REF: {
			/* mix_value()'s deferral (a member's type) or reference
			 * (the type of every typedef, pointer, qualifier and
			 * array), without its tests of the form. */
			const sf_dw_spec *spec = &a->specs[op->spec];
			if (facts->defer ? !sf__attr_facts_defer(facts, spec->name, spec->form, u)
					 : !sf__digest_mix_ref(ctx, d, spec->name, spec->form, u, by_name, depth, acc, facts))
				return false;
			continue;
		}
		case SF_DW_SMALL_FILE: {
			sf_die_digest file;
			if (sf__die_file_digest_cached(ctx, d->raw.unit, u)) {
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

/*
 * mix_attrs_raw() for at most 16 bytes where strp offsets stand for their
 * text, with the masks and steps die_abbrev.c worked out for the
 * declaration (sf_dw_abbrev.raw_keep, small_ops): what mix_attrs_raw()
 * takes in, at a fraction of the work.  [attrs, attrs + fixed_size) is
 * known readable, `end` is the unit's end.
 */
bool sf__die_mix_attrs_small(sf_die_ctx *ctx, const sf_die *d, bool by_name, unsigned depth, sf_die_digest *h,
			     sf_attr_facts *facts, const uint8_t *end, uint64_t str_size)
{
	const sf_dw_abbrev *a = d->raw.abbrev;
	const uint8_t *attrs = d->raw.attrs;
	const size_t size = (size_t)a->fixed_size;
	/* Values are read a whole word at a time: from the DIE itself, or
	 * near the unit's end from a zero-padded copy. */
	uint8_t padded[24];
	const uint8_t *base = attrs;
	sf_die_digest acc;

	if ((size_t)(end - attrs) < sizeof(padded)) {
		memset(padded, 0, sizeof(padded));
		memcpy(padded, attrs, size);
		base = padded;
	}
	facts->end = attrs + size;
	facts->external |= (a->small_flags & 1) != 0;
	facts->declaration |= (a->small_flags & 2) != 0;
	sf__digest_copy(&acc, h);
	sf__digest_mix_small_head(&acc, a, base, SF_DIGEST_SMALL_MARK | size);
	if (!mix_small_steps(ctx, d, base, attrs, end, by_name, depth, &acc, facts, str_size))
		return false;
	sf__digest_copy(h, &acc);
	return true;
}

/*
 * sf__die_mix_attrs() for a declaration of fixed size (raw_digest):
 * the attribute bytes go in as they are, a word at a time, but for those
 * whose bytes are not their identity (references, decl_file, most
 * strings), which are cleared and go in by what they stand for.  The
 * abbreviation's list fixes every value's position and form, so equal
 * bytes are equal values.  A .debug_str offset stands for its text
 * (sf_die_known.str_distinct): equal offsets are equal text.
 */
static bool mix_attrs_raw(sf_die_ctx *ctx, const sf_die *d, bool by_name, unsigned depth, sf_die_digest *h,
			  sf_attr_facts *facts)
{
	const sf_dw_abbrev *a = d->raw.abbrev;
	const sf_dw_unit *unit = d->raw.unit;
	const uint8_t *attrs = d->raw.attrs;
	const size_t size = (size_t)a->fixed_size;
	const size_t word_count = (size + 7) / 8;
	const uint8_t *end;
	uint64_t words[SF_DW_RAW_LIMIT / 8];
	sf_die_digest acc;
	bool raw_strp;

	/* Whether strp offsets stand for their text is the small ways' unit
	 * state (small declarations never come here: sf__die_mix_attrs()). */
	if (ctx->small_unit != unit)
		sf__die_digest_small_unit(ctx, unit);
	end = ctx->small_end;
	raw_strp = ctx->small_ok;
	if ((size_t)(end - attrs) < size)
		return false;
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
	sf__digest_mix(&acc, a->list_lo ^ (SF_DIGEST_SMALL_MARK | size));
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
			if (v.u >= ctx->small_str_size)
				return false;
			continue;
		}
		clear_bytes(words, at, width);
		if (sf__dw_digest_skips(spec->name))
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
bool sf__die_mix_attrs_full(sf_die_ctx *ctx, const sf_die *d, bool by_name, unsigned depth, sf_die_digest *h,
			    sf_attr_facts *facts)
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
		if (sf__dw_digest_skips(name))
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
bool sf__die_mix_attrs_string_led(sf_die_ctx *ctx, const sf_die *d, bool by_name, unsigned depth, sf_die_digest *h,
				  sf_attr_facts *facts)
{
	const sf_dw_abbrev *a = d->raw.abbrev;
	const uint8_t *attrs = d->raw.attrs;
	const uint8_t *end = ctx->small_end;
	const uint8_t *nul = end > attrs ? memchr(attrs, 0, (size_t)(end - attrs)) : NULL;
	const uint8_t *tail, *base;
	uint8_t padded[24];
	sf_die_digest acc, name;

	if (!nul || (size_t)(end - (nul + 1)) < a->tail_size)
		return sf__die_mix_attrs_full(ctx, d, by_name, depth, h, facts);
	tail = base = nul + 1;
	if ((size_t)(end - tail) < sizeof(padded)) {
		memset(padded, 0, sizeof(padded));
		memcpy(padded, tail, a->tail_size);
		base = padded;
	}
	facts->end = tail + a->tail_size;
	facts->external |= (a->small_flags & 1) != 0;
	facts->declaration |= (a->small_flags & 2) != 0;
	sf__die_string_digest(ctx, (const char *)attrs, &name);
	sf__digest_copy(&acc, h);
	sf__digest_mix_small_head(&acc, a, base, SF_DIGEST_STRING_LED_MARK | a->tail_size);
	sf__digest_mix_digest(&acc, &name);
	if (!mix_small_steps(ctx, d, base, tail, end, by_name, depth, &acc, facts, ctx->small_str_size))
		return false;
	sf__digest_copy(h, &acc);
	return true;
}

/* What sf__die_mix_attrs() needs to know of a unit to take its DIEs the
 * small ways: its end, its .debug_str, and whether strp offsets there
 * stand for their text. */
void sf__die_digest_small_unit(sf_die_ctx *ctx, const sf_dw_unit *unit)
{
	const sf_dwarf_bytes *str = &ctx->dw->spaces[unit->space].sections->str;

	ctx->small_unit = unit;
	ctx->small_ok = !ctx->image->big_endian && ctx->known && ctx->known->str_distinct &&
			str->data == ctx->image->sections.str.data;
	ctx->small_end = ctx->dw->spaces[unit->space].data + unit->end;
	ctx->small_str_size = str->size;
}
