/* Digests of the DWARF a definition is built from, so a worker builds each layout once. */
#include "dwarf/die_ctx.h"
#include "dwarf/die_digest_attrs.h"
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
 *   values the abbreviation holds (DW_FORM_implicit_const) by its list
 *   hash; DW_AT_sibling, decl_line and decl_column not at all
 *   (sf__dw_digest_skips());
 * - the unit's ABI rules (after producer quirks), DWARF version and
 *   DW_AT_language.
 * Anything unusual (cycles, corrupt or unknown forms, depth) gives no
 * digest and the struct is simply built, which reports real corruption.
 * Two 64-bit lanes with different multipliers make a 128-bit digest;
 * the kind, name and size of a hit are compared as well.
 */

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

/* Digest of a reference's target; most targets (int, list_head, ...)
 * were digested before in the unit and are not even opened again.
 * *slot is the target's cache slot, when it has one.  `looked_up`: the
 * caller found the target's slot `found` (NULL: none) by its key. */
__attribute__((noinline)) bool sf__die_digest_ref_slow(sf_die_ctx *ctx, const sf_die *d, uint16_t form, uint64_t u,
						 bool layout, unsigned depth, sf_die_digest *out,
						 const sf_die_type **slot, bool looked_up, const sf_die_type *found)
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
	if (known && (layout ? known->layout_digest_state : known->name_digest_state) == SF_DIGEST_DONE) {
		*out = layout ? known->layout_digest : known->name_digest;
		return true;
	}
	if (sf__die_form_unit_local(form)) {
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
 * die_digest_attrs.c's mix_attrs_small() for a member whose declaration
 * is strp name, decl_file and type (sf_dw_abbrev.small_shape), in line,
 * with the same digest: most members of every struct.  False, having changed nothing,
 * when the unit, the bytes left or the file's digest are not at hand.
 */
static inline bool mix_member_fast(sf_die_ctx *ctx, const sf_die *d, sf_die_digest *h, sf_attr_facts *facts)
{
	const sf_dw_abbrev *a = d->raw.abbrev;
	const uint8_t *attrs = d->raw.attrs;
	const size_t size = (size_t)a->fixed_size;
	const sf_dw_small_op *ops = a->small_ops;
	uint64_t name, file, type;
	sf_die_digest acc;

	if (a->small_shape != (SF_DW_SHAPE_NAME | SF_DW_SHAPE_FILE | SF_DW_SHAPE_REF) || ctx->small_unit != d->raw.unit ||
	    !ctx->small_ok || (size_t)(ctx->small_end - attrs) < 24 || facts->deferred_count == SF_DIGEST_MAX_DEFERRED)
		return false;
	memcpy(&name, attrs + ops[0].at, sizeof(name));
	memcpy(&file, attrs + ops[1].at, sizeof(file));
	memcpy(&type, attrs + ops[2].at, sizeof(type));
	name &= sf__digest_small_mask(ops[0].width);
	file &= sf__digest_small_mask(ops[1].width);
	type &= sf__digest_small_mask(ops[2].width);
	if (name >= ctx->small_str_size || !sf__die_file_digest_cached(ctx, d->raw.unit, file))
		return false;
	sf__digest_copy(&acc, h);
	sf__digest_mix_small_head(&acc, a, attrs, SF_DIGEST_SMALL_MARK | size);
	sf__digest_mix_digest(&acc, &ctx->file_digests[file]);
	sf__digest_copy(h, &acc);
	(void)sf__attr_facts_defer(facts, a->specs[ops[2].spec].name, a->specs[ops[2].spec].form, type);
	facts->end = attrs + size;
	return true;
}

/*
 * die_digest_attrs.c's mix_attrs_small() for a type whose only step is
 * its reference (pointers, qualifiers, function types, arrays), not
 * deferred, in line, with the same digest.  False, having changed
 * nothing, when the unit or the bytes left are not at hand; else *ok is
 * the digest's answer.
 */
static inline bool mix_type_ref_fast(sf_die_ctx *ctx, const sf_die *d, bool by_name, unsigned depth, sf_die_digest *h,
				     sf_attr_facts *facts, bool *ok)
{
	const sf_dw_abbrev *a = d->raw.abbrev;
	const uint8_t *attrs = d->raw.attrs;
	const size_t size = (size_t)a->fixed_size;
	const sf_dw_small_op *op = &a->small_ops[0];
	const sf_dw_spec *spec;
	uint64_t type;
	sf_die_digest acc;

	if (a->small_shape != SF_DW_SHAPE_REF || facts->defer || ctx->small_unit != d->raw.unit || !ctx->small_ok ||
	    (size_t)(ctx->small_end - attrs) < 24)
		return false;
	spec = &a->specs[op->spec];
	memcpy(&type, attrs + op->at, sizeof(type));
	type &= sf__digest_small_mask(op->width);
	facts->end = attrs + size;
	sf__digest_copy(&acc, h);
	sf__digest_mix_small_head(&acc, a, attrs, SF_DIGEST_SMALL_MARK | size);
	*ok = sf__digest_mix_ref(ctx, d, spec->name, spec->form, type, by_name, depth, &acc, facts);
	if (*ok)
		sf__digest_copy(h, &acc);
	return true;
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
			sf_attr_facts facts;
			sf__attr_facts_init(&facts, members);
			/* The list hash holds the tag, but for DW_FORM_indirect. */
			if (child.raw.abbrev->has_indirect)
				sf__digest_mix(h, UINT64_C(0xc0de0000) | tag);
			if (!(members && mix_member_fast(ctx, &child, h, &facts)) &&
			    !sf__die_mix_attrs(ctx, &child, by_name, depth, h, &facts))
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
					/* Name and form are in already (see sf_attr_facts). */
					if (!sf__die_digest_ref(ctx, &child, facts.deferred_form[i], facts.deferred[i], layout,
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
		if (!sf__die_form_is_reference(v.form) || !sf__die_digest_ref(ctx, d, v.form, v.u, false, depth, &sub, &slot))
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
	sf_attr_facts facts;
	sf_die_digest h = { UINT64_C(0x243f6a8885a308d3), UINT64_C(0x13198a2e03707344) };
	bool ok, may_build = true, plain = false;

	if (!t)
		return false;
	state = layout ? &t->layout_digest_state : &t->name_digest_state;
	if (*state == SF_DIGEST_DONE) {
		*out = layout ? t->layout_digest : t->name_digest;
		return true;
	}
	if (*state != SF_DIGEST_PENDING || depth > SF_DIE_MAX_DEPTH)
		return false;
	*state = SF_DIGEST_BUSY;
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
	sf__attr_facts_init(&facts, layout && is_struct_tag(tag));
	if (!mix_type_ref_fast(ctx, d, !layout || !layout_follows(tag), depth, &h, &facts, &ok))
		ok = sf__die_mix_attrs(ctx, d, !layout || !layout_follows(tag), depth, &h, &facts);
	for (unsigned i = 0; ok && i < facts.deferred_count; i++) {
		sf_die_digest sub;
		bool follow = facts.declaration && facts.deferred_name[i] == DW_AT_signature;
		const sf_die_type *slot = NULL;
		/* Name and form are in already (see sf_attr_facts). */
		ok = sf__die_digest_ref(ctx, d, facts.deferred_form[i], facts.deferred[i], follow, depth, &sub, &slot);
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
	*state = ok ? SF_DIGEST_DONE : SF_DIGEST_IMPOSSIBLE;
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
