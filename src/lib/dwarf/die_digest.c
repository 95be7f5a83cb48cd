/* Digests of the DWARF a definition is built from, so a worker builds each layout once. */
#include "dwarf/die_ctx.h"
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

static inline uint64_t rotl(uint64_t v, unsigned n)
{
	return (v << n) | (v >> (64 - n));
}

static inline void mix(sf_die_digest *h, uint64_t v)
{
	h->lo = (h->lo ^ v) * UINT64_C(0x9e3779b97f4a7c15);
	h->lo ^= h->lo >> 29;
	h->hi = rotl(h->hi ^ (v * UINT64_C(0xff51afd7ed558ccd)), 27) * UINT64_C(0xc4ceb9fe1a85ec53) +
		UINT64_C(0x52dce729);
}

static void mix_bytes(sf_die_digest *h, const uint8_t *p, size_t n)
{
	uint64_t word;
	size_t len = n;

	for (; n >= 8; p += 8, n -= 8) {
		memcpy(&word, p, 8);
		mix(h, word);
	}
	word = 0;
	memcpy(&word, p, n);
	mix(h, word ^ ((uint64_t)len << 40));
}

static void mix_digest(sf_die_digest *h, const sf_die_digest *d)
{
	mix(h, d->lo);
	mix(h, d->hi);
}

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

static bool type_digest(sf_die_ctx *ctx, const sf_die *d, bool layout, unsigned depth,
			sf_die_digest *out);

static bool is_unit_local(uint16_t form)
{
	return form == DW_FORM_ref1 || form == DW_FORM_ref2 || form == DW_FORM_ref4 ||
	       form == DW_FORM_ref8 || form == DW_FORM_ref_udata;
}

/* Digest of a reference's target; most targets (int, list_head, ...)
 * were digested before in the unit and are not even opened again. */
static bool reference_digest(sf_die_ctx *ctx, const sf_die *d, const sf_dw_value *v, bool layout,
			     unsigned depth, sf_die_digest *out, uint64_t *key)
{
	unsigned space = 0;
	uint64_t offset = 0;
	sf_die target;
	const sf_die_type *known;

	if (v->form == DW_FORM_ref_sig8) {
		if (!sf__dw_signature_find(ctx->dw, v->u, &space, &offset))
			return false;
	} else if (sf__dw_reference(&d->raw, v, &space, &offset) < 0) {
		return false;
	}
	if (space == SF_DW_ALT && !ctx->image->alt_sections.info.data)
		return false;
	memset(&target, 0, sizeof(target));
	target.offset = offset;
	target.alt = space == SF_DW_ALT;
	target.is_info = space != SF_DW_TYPES;
	*key = sf__die_key(&target);
	known = sf__die_type_find(ctx, *key);
	if (known && (layout ? known->layout_digest_state : known->name_digest_state) == DIGEST_DONE) {
		*out = layout ? known->layout_digest : known->name_digest;
		return true;
	}
	if (is_unit_local(v->form)) {
		/* Same unit: no unit lookup needed. */
		if (sf__dw_die_at(ctx->cursor, d->raw.unit, offset, &target.raw) < 0 || !target.raw.abbrev)
			return false;
	} else if (sf__die_open(ctx, target.alt, offset, target.is_info, &target) < 0) {
		return false;
	}
	return type_digest(ctx, &target, layout, depth + 1, out);
}

static void string_digest(sf_die_ctx *ctx, const char *s, sf_die_digest *out)
{
	uintptr_t at = (uintptr_t)s;
	sf_die_string_slot *slot = NULL;
	sf_die_digest h = { 0, 0 };

	if (ctx->known && ctx->known->str_distinct) {
		/* Equal offsets are equal text, and equal text has one
		 * offset: the same classes as by content, without reading it. */
		const sf_dwarf_bytes *str = &ctx->image->sections.str;
		if ((const unsigned char *)s >= str->data && (const unsigned char *)s < str->data + str->size) {
			out->lo = (uint64_t)((const unsigned char *)s - str->data);
			out->hi = UINT64_C(0x7374726f66667365);
			return;
		}
		/* The rest are mostly short DW_FORM_string names, one copy
		 * per unit: caching them by address would only miss. */
		mix_bytes(&h, (const uint8_t *)s, strlen(s));
		*out = h;
		return;
	}
	if (ctx->known && !ctx->known->strings) {
		/* Not calloc: reading its fresh zero pages first makes every
		 * first store a copy-on-write fault with a TLB flush on all
		 * threads, which showed in -C runs. */
		ctx->known->strings = sf__alloc_cleared(SF_DIE_STRING_SLOTS, sizeof(*ctx->known->strings));
	}
	if (ctx->known && ctx->known->strings) {
		slot = &ctx->known->strings[((at >> 3) ^ (at >> 17)) & (SF_DIE_STRING_SLOTS - 1)];
		if (slot->s == s) {
			*out = slot->digest;
			return;
		}
	}
	mix_bytes(&h, (const uint8_t *)s, strlen(s));
	*out = h;
	if (slot) {
		slot->s = s;
		slot->digest = h;
	}
}

/* decl_file by the file's name, which differs between units for the same
 * number; cached per value for the unit at hand. */
static bool file_digest(sf_die_ctx *ctx, const sf_die *d, uint64_t value, sf_die_digest *out)
{
	const char *file = NULL;
	sf_die_digest h = { 0, 0 };

	if (ctx->file_digest_unit != d->raw.unit) {
		if (ctx->file_digest_state)
			memset(ctx->file_digest_state, 0, ctx->file_digest_capacity);
		ctx->file_digest_unit = d->raw.unit;
	}
	if (value < ctx->file_digest_capacity && ctx->file_digest_state[value]) {
		*out = ctx->file_digests[value];
		return true;
	}
	if (sf__die_decl_file(ctx, d, &file) < 0)
		return false;
	if (file)
		mix_bytes(&h, (const uint8_t *)file, strlen(file));
	else
		mix(&h, 0);
	*out = h;
	if (value >= 4096)
		return true;
	if (value >= ctx->file_digest_capacity) {
		size_t capacity = ctx->file_digest_capacity ? ctx->file_digest_capacity : 64;
		sf_die_digest *digests;
		unsigned char *state;
		while (capacity <= value)
			capacity *= 2;
		digests = realloc(ctx->file_digests, capacity * sizeof(*digests));
		if (!digests)
			return true;
		ctx->file_digests = digests;
		state = realloc(ctx->file_digest_state, capacity);
		if (!state)
			return true;
		memset(state + ctx->file_digest_capacity, 0, capacity - ctx->file_digest_capacity);
		ctx->file_digest_state = state;
		ctx->file_digest_capacity = capacity;
	}
	ctx->file_digests[value] = h;
	ctx->file_digest_state[value] = 1;
	return true;
}

/* Flags seen by mix_attrs(), for telling layout members apart, and the
 * references it left for the caller when asked to (`defer`). */
#define MAX_DEFERRED 4
typedef struct attr_facts {
	bool external;
	bool declaration;
	bool defer;
	const uint8_t *end;         /* just past the attributes */
	unsigned deferred_count;
	uint16_t deferred_name[MAX_DEFERRED];
	sf_dw_value deferred[MAX_DEFERRED];
} attr_facts;

/* Not `= { 0 }`: clearing the deferred values for every member DIE was a
 * measurable part of a vmlinux load, and only the first count are read. */
static inline void facts_init(attr_facts *facts, bool defer)
{
	facts->external = false;
	facts->declaration = false;
	facts->defer = defer;
	facts->end = NULL;
	facts->deferred_count = 0;
}

/*
 * Every attribute of `d`.  References by the name digest of their target
 * when `by_name`; otherwise DW_AT_type and DW_AT_signature (what the
 * builder follows for a layout) by the layout digest and the others
 * (containing types, origins: never read by the builder) by name.
 */
static bool mix_attrs(sf_die_ctx *ctx, const sf_die *d, bool by_name, unsigned depth, sf_die_digest *h,
		      attr_facts *facts)
{
	sf_dw_attr_iter it;
	sf_dw_value v;
	uint16_t name = 0;
	int res;
	/* In registers across the loop, not stored back per attribute. */
	sf_die_digest acc = *h;

	/* The (name, form) list once per DIE, by the abbreviation's hash of
	 * it, then only values; DW_FORM_indirect puts forms in the DIE. */
	bool per_attribute = d->raw.abbrev->has_indirect;

	if (!per_attribute) {
		mix(&acc, d->raw.abbrev->list_lo);
		mix(&acc, d->raw.abbrev->list_hi);
	}
	sf__dw_attr_iter_init(ctx->cursor, &d->raw, &it);
	facts->end = it.p;
	while ((res = sf__dw_attr_iter_next(ctx->cursor, &it, &name, &v)) > 0) {
		facts->end = it.p;
		if (name == DW_AT_sibling)
			continue;
		if (per_attribute)
			mix(&acc, ((uint64_t)name << 16) | v.form);
		if (name == DW_AT_external && v.u)
			facts->external = true;
		else if (name == DW_AT_declaration && v.u)
			facts->declaration = true;
		if (name == DW_AT_decl_file) {
			sf_die_digest file;
			if (!file_digest(ctx, d, v.u, &file))
				return false;
			mix_digest(&acc, &file);
		} else if (v.form == DW_FORM_string || is_section_string(v.form)) {
			/* By content: `ld -r` (kernel modules) keeps one copy of
			 * each string per object, so addresses differ. */
			const char *s = NULL;
			sf_die_digest content;
			if (sf__dw_string(ctx->cursor, &d->raw, &v, &s) < 0 || !s)
				return false;
			string_digest(ctx, s, &content);
			mix_digest(&acc, &content);
		} else if (is_reference(v.form) && facts->defer) {
			/* Static members are not laid out: only once every flag
			 * is known can the member's type be followed rightly. */
			if (facts->deferred_count == MAX_DEFERRED)
				return false;
			facts->deferred_name[facts->deferred_count] = name;
			facts->deferred[facts->deferred_count++] = v;
		} else if (is_reference(v.form)) {
			sf_die_digest sub;
			uint64_t key = 0;
			bool layout = !by_name && (name == DW_AT_type || name == DW_AT_signature);
			if (!reference_digest(ctx, d, &v, layout, depth, &sub, &key))
				return false;
			mix_digest(&acc, &sub);
		} else if (v.block) {
			sf_die_digest block = acc;
			mix_bytes(&block, v.block, (size_t)v.block_len);
			acc = block;
		} else {
			/* Signed forms keep their value in `u` as well. */
			mix(&acc, v.u);
		}
	}
	*h = acc;
	return res == 0;
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
			 unsigned depth, sf_die_digest *h)
{
	sf_die child;
	uint64_t count = 0;
	int res = sf__die_first_child(ctx, d, &child);

	while (res > 0) {
		uint16_t tag = child.raw.abbrev->tag;
		/* The builder reads variant parts its own way: no digest. */
		if (members && tag == DW_TAG_variant_part)
			return false;
		if (!members || tag == DW_TAG_member || tag == DW_TAG_inheritance) {
			attr_facts facts;
			facts_init(&facts, members);
			mix(h, UINT64_C(0xc0de0000) | tag);
			if (!mix_attrs(ctx, &child, by_name, depth, h, &facts))
				return false;
			if (members) {
				/* The builder's is_layout_member(). */
				bool laid_out = tag == DW_TAG_inheritance || (!facts.external && !facts.declaration);
				bool done = false;
				for (unsigned i = 0; i < facts.deferred_count; i++) {
					sf_die_digest sub;
					uint64_t key = 0;
					bool layout = laid_out && facts.deferred_name[i] == DW_AT_type;
					mix(h, ((uint64_t)facts.deferred_name[i] << 16) | facts.deferred[i].form);
					if (!reference_digest(ctx, &child, &facts.deferred[i], layout, depth, &sub, &key))
						return false;
					mix_digest(h, &sub);
					if (layout && key) {
						/* Mostly laid out already (int, list_head...). */
						const sf_die_type *t = sf__die_type_find(ctx, key);
						done = t && t->laid_out;
					}
				}
				if (laid_out && !done) {
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
	mix(h, count);
	return res == 0;
}

static bool name_only_digest(sf_die_ctx *ctx, const sf_die *d, unsigned depth, sf_die_digest *h)
{
	const char *name = NULL;
	sf_dw_value v;
	int res;

	mix(h, UINT64_C(0x6e616d65) << 16 | d->raw.abbrev->tag);
	if (sf__die_string(ctx, d, DW_AT_name, &name) < 0)
		return false;
	if (name) {
		sf_die_digest content;
		string_digest(ctx, name, &content);
		mix_digest(h, &content);
		return true;
	}
	res = sf__dw_attr(ctx->cursor, &d->raw, DW_AT_signature, &v);
	if (res < 0)
		return false;
	mix(h, (uint64_t)res);
	if (res > 0) {
		sf_die_digest sub;
		uint64_t key = 0;
		if (!is_reference(v.form) || !reference_digest(ctx, d, &v, false, depth, &sub, &key))
			return false;
		mix_digest(h, &sub);
	}
	return true;
}

static bool type_digest(sf_die_ctx *ctx, const sf_die *d, bool layout, unsigned depth,
			sf_die_digest *out)
{
	sf_die_type *t = sf__die_type_slot(ctx, d);
	uint16_t tag;
	uint8_t *state;
	attr_facts facts;
	sf_die_digest h = { UINT64_C(0x243f6a8885a308d3), UINT64_C(0x13198a2e03707344) };
	bool ok;

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
			mix_bytes(&h, (const uint8_t *)prefix, strlen(prefix));
		else
			mix(&h, UINT64_C(0x676c6f62616c));
	}
	if (!layout && (is_struct_tag(tag) || tag == DW_TAG_enumeration_type)) {
		/* Spelled as keyword and name (die_name.c's name_tagged()),
		 * or as the type unit's definition: read nothing else. */
		ok = name_only_digest(ctx, d, depth, &h);
		goto done;
	}
	mix(&h, ((uint64_t)layout << 32) | tag);
	mix(&h, d->raw.abbrev->has_children);
	/* A struct's references are followed for its layout only when it
	 * is a declaration standing for a type unit's definition. */
	facts_init(&facts, layout && is_struct_tag(tag));
	ok = mix_attrs(ctx, d, !layout || !layout_follows(tag), depth, &h, &facts);
	for (unsigned i = 0; ok && i < facts.deferred_count; i++) {
		sf_die_digest sub;
		bool follow = facts.declaration && facts.deferred_name[i] == DW_AT_signature;
		mix(&h, ((uint64_t)facts.deferred_name[i] << 16) | facts.deferred[i].form);
		uint64_t key = 0;
		ok = reference_digest(ctx, d, &facts.deferred[i], follow, depth, &sub, &key);
		if (ok)
			mix_digest(&h, &sub);
	}
	if (ok && d->raw.abbrev->has_children) {
		if (is_struct_tag(tag)) {
			/* By name a struct is its tag and attributes; so is a
			 * declaration, whose children the builder ignores. */
			if (layout && !facts.declaration)
				ok = mix_children(ctx, d, false, true, depth, &h);
		} else if (tag != DW_TAG_enumeration_type) {
			/* Enumerators change neither size nor spelling. */
			ok = mix_children(ctx, d, !layout || !layout_follows(tag), false, depth, &h);
		}
	}
done:
	*state = ok ? DIGEST_DONE : DIGEST_IMPOSSIBLE;
	if (ok) {
		if (layout)
			t->layout_digest = h;
		else
			t->name_digest = h;
		*out = h;
	}
	return ok;
}

bool sf__die_struct_digest(sf_die_ctx *ctx, const sf_die *d, const char *typedef_name, bool nested_body,
			   sf_die_digest *out)
{
	sf_die_digest h = { UINT64_C(0xa4093822299f31d0), UINT64_C(0x082efa98ec4e6c89) };
	sf_die_digest body;

	if (!d->raw.abbrev || !is_struct_tag(d->raw.abbrev->tag) || !type_digest(ctx, d, true, 0, &body))
		return false;
	mix_digest(&h, &body);
	/* What sf__die_build_struct() takes besides the DWARF. */
	mix(&h, nested_body);
	if (typedef_name)
		mix_bytes(&h, (const uint8_t *)typedef_name, strlen(typedef_name));
	else
		mix(&h, UINT64_C(0x7479706564656600));
	/* The same DWARF lays out differently under other ABI rules. */
	mix(&h, (uint64_t)(uintptr_t)ctx->target);
	mix(&h, d->raw.unit->version);
	/* Array lower bounds and field order depend on the language. */
	mix(&h, ctx->language);
	mix(&h, ctx->variant_view_key == sf__die_key(d));
	mix(&h, ((uint64_t)ctx->image->address_size << 1) | ctx->image->big_endian);
	*out = h;
	return true;
}
