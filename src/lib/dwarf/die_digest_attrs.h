/* A DIE's attributes into a struct digest (die_digest_attrs.c), for
 * die_digest.c, which follows the references they hold. */
#ifndef SF_DWARF_DIE_DIGEST_ATTRS_H
#define SF_DWARF_DIE_DIGEST_ATTRS_H

#include "dwarf/die_digest_mix.h"
#include "dwarf/die_type_cache.h"

static inline bool sf__die_form_is_reference(uint16_t form)
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

/* Bits of a value of sf_dw_small_op.width bytes (1, 2, 4 or 8; 0 for
 * none): by a table; a shift with a test took 1.4 % more instructions
 * on a vmlinux load. */
static inline uint64_t sf__digest_small_mask(unsigned width)
{
	static const uint64_t masks[9] = { 0, 0xff, 0xffff, 0, 0xffffffff, 0, 0, 0, ~UINT64_C(0) };

	return masks[width];
}

/*
 * Flags seen by sf__die_mix_attrs(), for telling layout members apart, and the
 * references it left for the caller when asked to (`defer`).  A deferred
 * reference goes in after the attributes by its target's digest alone:
 * which attributes were deferred, with which forms and in what order
 * follows from the (name, form) list that sf__die_mix_attrs() took in (by the
 * abbreviation's list hash, or attribute by attribute for DW_FORM_indirect).
 */
#define SF_DIGEST_MAX_DEFERRED 4
typedef struct sf_attr_facts {
	bool external;
	bool declaration;
	bool defer;
	bool may_build;             /* a layout reference's target may build a struct */
	const uint8_t *end;         /* just past the attributes */
	unsigned deferred_count;
	uint16_t deferred_name[SF_DIGEST_MAX_DEFERRED];
	uint16_t deferred_form[SF_DIGEST_MAX_DEFERRED];
	uint64_t deferred[SF_DIGEST_MAX_DEFERRED];
} sf_attr_facts;

/* Not `= { 0 }`: clearing the deferred values for every member DIE was a
 * measurable part of a vmlinux load, and only the first count are read. */
static inline void sf__attr_facts_init(sf_attr_facts *facts, bool defer)
{
	facts->external = false;
	facts->declaration = false;
	facts->defer = defer;
	facts->may_build = false;
	facts->end = NULL;
	facts->deferred_count = 0;
}

/* The states of sf_die_type.layout_digest_state and name_digest_state. */
enum { SF_DIGEST_PENDING = 0, SF_DIGEST_BUSY = 1, SF_DIGEST_DONE = 2, SF_DIGEST_IMPOSSIBLE = 3 };

static inline bool sf__die_form_unit_local(uint16_t form)
{
	return form == DW_FORM_ref1 || form == DW_FORM_ref2 || form == DW_FORM_ref4 ||
	       form == DW_FORM_ref8 || form == DW_FORM_ref_udata;
}

/* The digest of a reference's target, by layout or by name, opening and
 * digesting it as needed (die_digest.c); *slot is the target's type cache
 * slot when it has one.  `looked_up`: the caller found the slot `found`
 * (NULL: none) by its key. */
bool sf__die_digest_ref_slow(sf_die_ctx *ctx, const sf_die *d, uint16_t form, uint64_t u, bool layout,
			     unsigned depth, sf_die_digest *out, const sf_die_type **slot, bool looked_up,
			     const sf_die_type *found);

/*
 * sf__die_digest_ref_slow()'s answer for a reference within the unit to a
 * target digested before, in line: the key as sf__die_key() makes it of
 * the target sf__die_digest_ref_slow() would open, and no call.  4 M of the
 * 5 M references a vmlinux report digests are such.
 */
static inline bool sf__die_digest_ref(sf_die_ctx *ctx, const sf_die *d, uint16_t form, uint64_t u, bool layout,
				      unsigned depth, sf_die_digest *out, const sf_die_type **slot)
{
	const sf_dw_unit *unit = d->raw.unit;
	uint64_t offset;

	if (sf__die_form_unit_local(form) && unit->space != SF_DW_ALT && !__builtin_add_overflow(unit->offset, u, &offset)) {
		const uint64_t key = offset | ((uint64_t)(unit->space == SF_DW_TYPES) << 63);
		const sf_die_type *known = sf__die_type_find(ctx, key);
		if (known && (layout ? known->layout_digest_state : known->name_digest_state) == SF_DIGEST_DONE) {
			*slot = known;
			*out = layout ? known->layout_digest : known->name_digest;
			return true;
		}
		return sf__die_digest_ref_slow(ctx, d, form, u, layout, depth, out, slot, true, known);
	}
	return sf__die_digest_ref_slow(ctx, d, form, u, layout, depth, out, slot, false, NULL);
}

/* Leaves a reference for the caller (sf_attr_facts.defer); false when
 * no room is left, which gives no digest. */
static inline bool sf__attr_facts_defer(sf_attr_facts *facts, uint16_t name, uint16_t form, uint64_t u)
{
	if (facts->deferred_count == SF_DIGEST_MAX_DEFERRED)
		return false;
	facts->deferred_name[facts->deferred_count] = name;
	facts->deferred_form[facts->deferred_count] = form;
	facts->deferred[facts->deferred_count++] = u;
	return true;
}

/* A reference attribute `name` of `d` into *acc by its target's digest:
 * by layout for DW_AT_type and DW_AT_signature unless `by_name` (what
 * the builder follows for a layout), else by name. */
static inline bool sf__digest_mix_ref(sf_die_ctx *ctx, const sf_die *d, uint16_t name, uint16_t form, uint64_t u,
				      bool by_name, unsigned depth, sf_die_digest *acc, sf_attr_facts *facts)
{
	const bool layout = !by_name && (name == DW_AT_type || name == DW_AT_signature);
	const sf_die_type *slot = NULL;
	sf_die_digest sub;

	if (!sf__die_digest_ref(ctx, d, form, u, layout, depth, &sub, &slot))
		return false;
	if (layout && (!slot || slot->may_build))
		facts->may_build = true;
	sf__digest_mix_digest(acc, &sub);
	return true;
}

/* Markers of the small ways on the list hash: the raw bytes of a fixed
 * size (or'ed with it), and those after an inline name (with theirs). */
#define SF_DIGEST_SMALL_MARK UINT64_C(0x7261770000000000)
#define SF_DIGEST_STRING_LED_MARK UINT64_C(0x73746c0000000000)

/*
 * How every small way starts: the 16 attribute bytes at `base`, masked
 * by raw_keep, go in with the declaration's list hash, a word each (the
 * mixing steps are a chain every DIE of a unit waits on, and a step for
 * the words alone was two more; an equal list fixes the words'
 * positions).  One helper, so that equal DIEs digest alike whichever
 * small way they take.
 */
static inline void sf__digest_mix_small_head(sf_die_digest *acc, const sf_dw_abbrev *a, const uint8_t *base,
					     uint64_t mark)
{
	uint64_t words[2];

	memcpy(words, base, sizeof(words));
	sf__digest_mix(acc, (words[0] & a->raw_keep[0]) ^ a->list_lo ^ mark);
	sf__digest_mix(acc, (words[1] & a->raw_keep[1]) ^ a->list_hi);
}

/* The ways of die_digest_attrs.c that sf__die_mix_attrs() chooses from:
 * small declarations (`end`: the unit's end, `str_size`: its .debug_str's
 * size), those led by an inline name, and all others; and the setup of a
 * unit for the first two. */
bool sf__die_mix_attrs_small(sf_die_ctx *ctx, const sf_die *d, bool by_name, unsigned depth, sf_die_digest *h,
			     sf_attr_facts *facts, const uint8_t *end, uint64_t str_size);
bool sf__die_mix_attrs_string_led(sf_die_ctx *ctx, const sf_die *d, bool by_name, unsigned depth, sf_die_digest *h,
				  sf_attr_facts *facts);
bool sf__die_mix_attrs_full(sf_die_ctx *ctx, const sf_die *d, bool by_name, unsigned depth, sf_die_digest *h,
			    sf_attr_facts *facts);
void sf__die_digest_small_unit(sf_die_ctx *ctx, const sf_dw_unit *unit);

/* Every attribute of `d` into *h: references by the name digest of their
 * target when `by_name`, else DW_AT_type and DW_AT_signature by the layout
 * digest; those `facts` defers are left to the caller.  false when there
 * is no digest.  The small ways for nearly every member and type DIE. */
static inline bool sf__die_mix_attrs(sf_die_ctx *ctx, const sf_die *d, bool by_name, unsigned depth, sf_die_digest *h,
				     sf_attr_facts *facts)
{
	const sf_dw_abbrev *a = d->raw.abbrev;

	if ((a->raw_small || a->string_led) && ctx->small_unit != d->raw.unit)
		sf__die_digest_small_unit(ctx, d->raw.unit);
	if (a->raw_small && ctx->small_ok && (size_t)(ctx->small_end - d->raw.attrs) >= (size_t)a->fixed_size)
		return sf__die_mix_attrs_small(ctx, d, by_name, depth, h, facts, ctx->small_end, ctx->small_str_size);
	if (a->string_led && ctx->small_ok)
		return sf__die_mix_attrs_string_led(ctx, d, by_name, depth, h, facts);
	return sf__die_mix_attrs_full(ctx, d, by_name, depth, h, facts);
}

#endif
