/* Building struct, union and class definitions and their members from DIEs. */
#include "dwarf/die_ctx.h"
#include "dwarf/die_type_cache.h"

#include <stdlib.h>
#include <string.h>

#include "util/checked.h"
#include "util/fail.h"

/* Members under construction, before they move into the unit's arena. */
typedef struct member_list {
	sf_member *items;
	size_t count;
	size_t capacity;
} member_list;

static sf_member *member_push(member_list *list)
{
	if (list->count == list->capacity) {
		size_t capacity = list->capacity ? list->capacity * 2 : 16;
		sf_member *items = realloc(list->items, capacity * sizeof(*items));
		if (!items)
			return NULL;
		list->items = items;
		list->capacity = capacity;
	}
	memset(&list->items[list->count], 0, sizeof(sf_member));
	return &list->items[list->count++];
}

/* Static data members are not part of the layout: DWARF 4 marks them as
 * external or declared members, DWARF 5 makes them variables. */
static int is_layout_member(const sf_die_ctx *ctx, const sf_die *m, uint16_t tag, bool *yes)
{
	bool flag = false;
	int res;

	*yes = false;
	if (tag == DW_TAG_inheritance) {
		*yes = true;
		return 0;
	}
	if (tag != DW_TAG_member)
		return 0;
	res = sf__die_flag(ctx, m, DW_AT_external, &flag);
	if (res >= 0 && !flag)
		res = sf__die_flag(ctx, m, DW_AT_declaration, &flag);
	if (res < 0)
		return res;
	*yes = !flag;
	return 0;
}

/*
 * Lowest DW_AT_data_member_location among the members of a variant part
 * (the discriminant, when it is inside, and the members of each
 * DW_TAG_variant): *found false when none states one.
 */
static int variant_part_start(sf_die_ctx *ctx, const sf_die *part, unsigned level, uint64_t *start,
			      bool *found)
{
	sf_die child;
	int res = sf__die_first_child(ctx, part, &child);

	while (res > 0) {
		uint16_t tag = 0;
		res = sf__die_tag(ctx, &child, &tag);
		if (res >= 0 && tag == DW_TAG_member) {
			uint64_t location = 0;
			bool known = true;
			res = sf__die_member_location(ctx, &child, &location, &known);
			if (res > 0 && known && (!*found || location < *start)) {
				*start = location;
				*found = true;
			}
		} else if (res >= 0 && tag == DW_TAG_variant && level == 0) {
			res = variant_part_start(ctx, &child, level + 1, start, found);
		}
		if (res < 0)
			break;
		res = sf__die_next_sibling(ctx, &child);
	}
	if (res < 0)
		sf__die_release(&child);
	return res < 0 ? res : 0;
}

/*
 * A variant part (Rust enum payloads, Ada variant records) overlays its
 * variants from its first member on; the model has no overlapping
 * alternatives inside a struct, so one opaque member stands for it and
 * keeps its bytes from being counted as holes or padding.
 */
static int add_variant_part(sf_die_ctx *ctx, const sf_die *part, sf_struct *s, const member_list *list,
			    sf_member *out)
{
	uint64_t start = 0;
	bool found = false;
	int res = variant_part_start(ctx, part, 0, &start, &found);

	if (res < 0)
		return res;
	if (!found) {
		/* Nothing placed: it begins after the members before it. */
		for (size_t i = 0; i < list->count; i++) {
			uint64_t end = list->items[i].offset + list->items[i].size;
			if (end > start)
				start = end;
		}
	}
	if (start > s->size)
		return sf__die_corrupt(ctx, part, "variant part beyond the struct");
	out->type_name = "<variant part>";
	out->offset = start;
	out->bit_offset = start * 8;
	out->type_align = 1;
	out->flags = SF_MEMBER_UNKNOWN_TYPE | SF_MEMBER_VARIANT_PART;
	s->has_variant_part = true;
	return 0;
}

/* Members DWARF gives no size for (descriptors, variant parts) reach up
 * to the next member that starts after them, or to the struct's end. */
static void size_open_members(sf_struct *s, sf_member *members, size_t count, const unsigned char *open)
{
	for (size_t i = 0; i < count; i++) {
		uint64_t end = s->size;
		if (!open[i])
			continue;
		if (s->kind != SF_UNION) {
			for (size_t j = 0; j < count; j++) {
				if (members[j].offset > members[i].offset && members[j].offset < end)
					end = members[j].offset;
			}
		}
		members[i].size = end > members[i].offset ? end - members[i].offset : 0;
	}
}

/* A user-declared constructor, destructor or copy assignment. */
static bool is_special_member(const sf_struct *s, const char *name)
{
	if (!name || !s->name)
		return false;
	if (name[0] == '~')
		name++;
	return strcmp(name, s->name) == 0 || strcmp(name, "operator=") == 0;
}

/*
 * What makes a C++ class non-POD for the purpose of layout (C++03 POD,
 * which gcc and clang both use) without showing in its layout: a data
 * member that is not public, or a user-declared constructor, destructor or
 * copy assignment.  One declared `= default` may or may not count, so it
 * is only a hint.
 */
static int note_nonpod(const sf_die_ctx *ctx, const sf_die *child, uint16_t tag, bool data_member,
		       sf_struct *s)
{
	uint64_t access = 0, defaulted = 0;
	const char *name = NULL;
	bool artificial = false;
	int res = 0;

	if (tag == DW_TAG_subprogram) {
		res = sf__die_flag(ctx, child, DW_AT_artificial, &artificial);
		if (res >= 0 && !artificial)
			res = sf__die_string(ctx, child, DW_AT_name, &name);
		if (res >= 0 && !artificial && is_special_member(s, name)) {
			res = sf__die_udata(ctx, child, DW_AT_defaulted, &defaulted);
			if (res >= 0 && defaulted)
				s->cxx_nonpod_hint = true;
			else if (res >= 0)
				s->cxx_nonpod = true;
		}
	} else if (tag == DW_TAG_member && data_member) {
		res = sf__die_udata(ctx, child, DW_AT_accessibility, &access);
		/* Members of a `class` are private unless DWARF says otherwise. */
		if (res > 0 ? access != DW_ACCESS_public : (res == 0 && s->kind == SF_CLASS))
			s->cxx_nonpod = true;
	}
	return res < 0 ? res : 0;
}

static int build_members(sf_die_ctx *ctx, const sf_die *d, sf_struct *s, unsigned depth, bool *plain)
{
	member_list list = { 0 };
	unsigned char *open = NULL;
	size_t open_capacity = 0;
	bool any_open = false;
	sf_die child;
	int res = sf__die_first_child(ctx, d, &child);

	*plain = true;
	while (res > 0) {
		uint16_t tag = 0;
		bool wanted = false, unsized = false;
		res = sf__die_tag(ctx, &child, &tag);
		if (res >= 0 && sf__die_walk_acts_on(tag))
			*plain = false;
		if (res >= 0)
			res = is_layout_member(ctx, &child, tag, &wanted);
		if (res >= 0 && sf__die_language_cxx(ctx->language) && !s->cxx_nonpod)
			res = note_nonpod(ctx, &child, tag, wanted, s);
		if (res < 0)
			break;
		if (wanted || tag == DW_TAG_variant_part) {
			sf_member *m = member_push(&list);
			if (!m) {
				res = sf__fail(SF_ENOMEM, "out of memory");
				break;
			}
			if (tag == DW_TAG_variant_part) {
				res = add_variant_part(ctx, &child, s, &list, m);
				unsized = true;
			} else {
				res = sf__die_build_member(ctx, s, &child, tag, depth, m, &unsized);
			}
			if (res < 0)
				break;
			if (open_capacity < list.capacity) {
				unsigned char *grown = realloc(open, list.capacity);
				if (!grown) {
					res = sf__fail(SF_ENOMEM, "out of memory");
					break;
				}
				memset(grown + open_capacity, 0, list.capacity - open_capacity);
				open = grown;
				open_capacity = list.capacity;
			}
			open[list.count - 1] = unsized;
			any_open |= unsized;
		}
		res = sf__die_next_sibling(ctx, &child);
	}
	if (res < 0) {
		sf__die_release(&child);
		goto done;
	}
	if (any_open)
		size_open_members(s, list.items, list.count, open);
	if (list.count > UINT32_MAX) {
		res = sf__die_corrupt(ctx, d, "too many members");
		goto done;
	}
	if (list.count) {
		s->members = sf__arena_array_uninit(ctx->unit->arena, list.count, sizeof(sf_member));
		if (!s->members) {
			res = sf__fail(SF_ENOMEM, "out of memory");
			goto done;
		}
		memcpy(s->members, list.items, list.count * sizeof(sf_member));
	}
	s->member_count = (uint32_t)list.count;
	res = 0;
done:
	free(list.items);
	free(open);
	return res;
}

static bool same_name(const char *a, const char *b)
{
	return a && b ? strcmp(a, b) == 0 : a == b;
}

static sf_struct_kind kind_of(uint16_t tag)
{
	return tag == DW_TAG_union_type ? SF_UNION : tag == DW_TAG_class_type ? SF_CLASS : SF_STRUCT;
}

/* A declaration may point at its definition in a type unit. */
static int build_from_signature(sf_die_ctx *ctx, const sf_die *d, const char *typedef_name,
				bool nested_body, unsigned depth, sf_struct **out)
{
	sf_die def;
	int res = sf__die_ref(ctx, d, DW_AT_signature, &def);
	if (res <= 0)
		return res;
	if (def.offset == d->offset && def.is_info == d->is_info && def.alt == d->alt)
		res = sf__die_corrupt(ctx, d, "declaration is its own definition");
	else
		res = sf__die_build_struct(ctx, &def, typedef_name, nested_body, depth + 1, out);
	sf__die_release(&def);
	return res;
}

/* Whether a hit with this digest may stand for the definition: what the
 * digest holds, checked once more against the definition itself. */
static bool check_hit(const sf_struct *known, const sf_die_fresh *want)
{
	return known->kind == want->kind && same_name(known->name, want->name) &&
	       same_name(known->typedef_name, want->as_typedef) && known->is_nested_body == want->as_body;
}

/*
 * check_hit()'s inputs in one word, where the name (or typedef name) it
 * compares is in the main .debug_str: its offset there (equal offsets are
 * equal text) above the kind, nesting and which name it is; 0 when the
 * text is elsewhere (a qualified name, a DW_FORM_string, the dwz file).
 */
static uint64_t hit_ident(const sf_die_ctx *ctx, const sf_die_fresh *want)
{
	const sf_dwarf_bytes *str = &ctx->image->sections.str;
	const char *text = want->name ? want->name : want->as_typedef;
	uint64_t at = 0;

	if (text) {
		if (!sf__die_in_section(str, text))
			return 0;
		at = (uint64_t)((const unsigned char *)text - str->data) + 1;
	}
	return at << 5 | (uint64_t)want->kind << 3 | (uint64_t)want->as_body << 2 |
	       (uint64_t)(want->name != NULL) << 1 | 1;
}

uint64_t sf__die_fresh_ident(const sf_die_fresh *fresh)
{
	/* A canonical copy merged from another definition may fail the
	 * check this one passes: then every hit reads it. */
	return fresh->ident && check_hit(fresh->s->canonical, fresh) ? fresh->ident : fresh->ident & ~UINT64_C(1);
}

/* A definition this worker built before from the same DWARF, under the
 * same typedef name and nesting (see die_digest.c), or NULL.  `want`
 * gets the digest when it could be had (*have_digest) and the check's
 * inputs, for sf__die_fresh_remember(). */
static const sf_struct *known_definition(sf_die_ctx *ctx, const sf_die *d, uint16_t tag, const char *name,
					 const char *typedef_name, bool nested_body, sf_die_fresh *want,
					 bool *have_digest, const sf_die_known_entry **hit)
{
	const sf_die_known_entry *e;

	want->kind = kind_of(tag);
	want->name = name;
	want->as_typedef = name ? NULL : typedef_name;
	want->as_body = nested_body && !name && !typedef_name;
	want->ident = hit_ident(ctx, want);
	sf__die_known_prefetch(ctx->known, want->ident);
	*have_digest = sf__die_struct_digest(ctx, d, want->as_typedef, want->as_body, &want->digest);
	if (!*have_digest)
		return NULL;
	e = sf__die_known_find(ctx->known, &want->digest, want->ident);
	if (!e) {
		/* Built earlier in this unit, not merged yet. */
		const sf_die_fresh *f = sf__die_fresh_find(ctx, &want->digest);
		return f && check_hit(f->s, want) ? f->s : NULL;
	}
	/* Passed by these very inputs when it was recorded. */
	if (want->ident && e->ident == want->ident) {
		*hit = e;
		return e->s;
	}
	return check_hit(e->s, want) ? e->s : NULL;
}

/* The definition at `d` with everything but its members, in the unit's arena. */
static int new_struct(sf_die_ctx *ctx, const sf_die *d, uint16_t tag, const char *name,
		      const char *typedef_name, bool nested_body, sf_struct **out)
{
	const char *file = NULL;
	uint64_t size = 0, line = 0, align = 0;
	sf_struct *s;
	int res = sf__die_udata(ctx, d, DW_AT_byte_size, &size);

	if (res >= 0)
		res = sf__die_udata(ctx, d, DW_AT_decl_line, &line);
	if (res >= 0)
		res = sf__die_decl_file(ctx, d, &file);
	if (res < 0)
		return res;
	if (size > SF_DIE_MAX_OFFSET)
		return sf__die_corrupt(ctx, d, "struct size beyond 1 TiB");
	s = sf__arena_alloc(ctx->unit->arena, sizeof(*s));
	if (!s)
		return sf__fail(SF_ENOMEM, "out of memory");
	s->kind = kind_of(tag);
	s->size = size;
	s->compiler_reorders = s->kind != SF_UNION && sf__die_language_reorders(ctx->language);
	s->variant_view = ctx->variant_view_key == sf__die_key(d);
	s->cxx = sf__die_language_cxx(ctx->language);
	s->go = ctx->language == DW_LANG_Go;
	s->decl_line = line > UINT32_MAX ? 0 : (uint32_t)line;
	s->file_index = ctx->unit->file_index;
	s->is_nested_body = nested_body && !name && !typedef_name;
	s->name = sf__die_copy_string(ctx, name, &res);
	if (!name)
		s->typedef_name = sf__die_copy_string(ctx, typedef_name, &res);
	s->decl_file = sf__die_copy_string(ctx, file, &res);
	if (res < 0)
		return res;
	res = sf__die_udata(ctx, d, DW_AT_alignment, &align);
	if (res > 0 && (!sf__is_pow2(align) || align > (UINT64_C(1) << 29)))
		res = sf__die_corrupt(ctx, d, "alignment not a power of two");
	if (res < 0)
		return res;
	s->explicit_align = (uint32_t)align;
	*out = s;
	return 0;
}

/* Builds the members of `s`, checks that they fit, completes its layout
 * facts and adds it to the unit. */
static int finish_struct(sf_die_ctx *ctx, const sf_die *d, sf_struct *s, unsigned depth, bool *plain)
{
	char why[256];
	int res = build_members(ctx, d, s, depth, plain);

	if (res >= 0)
		res = sf__die_mark_unsized(ctx, d, s);
	if (res < 0)
		return res;
	if (!sf__struct_members_fit(s, why, sizeof(why)))
		return sf__die_corrupt(ctx, d, why);
	if (sf__struct_place_virtual_bases(s, ctx->unit->arena) < 0)
		return sf__fail(SF_ENOMEM, "out of memory");
	sf__struct_infer_alignment(s);
	if (sf__struct_list_push(&ctx->unit->structs, s) < 0)
		return sf__fail(SF_ENOMEM, "out of memory");
	return 0;
}

/* sf__die_build_struct(); `walked`, when not NULL, is what the walk read
 * of `d` (no declaration, DW_AT_name *walked), and is not read again. */
static int build_struct(sf_die_ctx *ctx, const sf_die *d, const char *const *walked, const char *typedef_name,
			bool nested_body, unsigned depth, sf_struct **out)
{
	sf_die_type *t = sf__die_type_slot(ctx, d);
	const char *name = NULL;
	bool declaration = false, have_digest = false, plain = false;
	sf_die_fresh fresh = { .s = NULL };
	const sf_die_known_entry *hit = NULL;
	uint16_t tag = 0;
	sf_struct *s = NULL;
	int res;

	*out = NULL;
	ctx->hit = NULL;
	if (!t)
		return SF_ENOMEM;
	if (t->built) {
		*out = t->built;
		return 0;
	}
	if (t->struct_busy || depth > SF_DIE_MAX_DEPTH)
		return sf__die_corrupt(ctx, d, "struct contains itself");
	res = walked ? 0 : sf__die_flag(ctx, d, DW_AT_declaration, &declaration);
	if (res < 0)
		return res;
	t->struct_busy = true;
	if (declaration) {
		res = build_from_signature(ctx, d, typedef_name, nested_body, depth, out);
		if (res > 0)
			res = 0;
		t->built = *out;
		goto done;
	}
	res = sf__die_tag(ctx, d, &tag);
	if (res >= 0 && walked)
		name = *walked;
	else if (res >= 0)
		res = sf__die_string(ctx, d, DW_AT_name, &name);
	if (res >= 0)
		res = sf__die_qualified_name(ctx, d, name, &name);
	if (res >= 0 && ctx->known) {
		const sf_struct *known = known_definition(ctx, d, tag, name, typedef_name, nested_body,
							  &fresh, &have_digest, &hit);
		if (known) {
			t->built = (sf_struct *)known;
			*out = t->built;
			goto done;
		}
	}
	if (res >= 0)
		res = new_struct(ctx, d, tag, name, typedef_name, nested_body, &s);
	if (res >= 0)
		res = finish_struct(ctx, d, s, depth, &plain);
	if (res >= 0)
		s->loaded_pointer_bytes = sf__struct_pointer_bytes(s);
	if (res >= 0 && have_digest) {
		fresh.s = s;
		res = sf__die_fresh_remember(ctx, &fresh);
	}
	if (res < 0)
		goto done;
	t->built = s;
	t->plain_children |= plain;
	*out = s;
done:
	t->struct_busy = false;
	/* Nested builds above set it for themselves. */
	ctx->hit = hit && *out == hit->s ? hit : NULL;
	return res < 0 ? res : 0;
}

int sf__die_build_struct(sf_die_ctx *ctx, const sf_die *d, const char *typedef_name,
			 bool nested_body, unsigned depth, sf_struct **out)
{
	return build_struct(ctx, d, NULL, typedef_name, nested_body, depth, out);
}

int sf__die_build_walked_struct(sf_die_ctx *ctx, const sf_die *d, const char *name, unsigned depth,
				sf_struct **out)
{
	return build_struct(ctx, d, &name, NULL, false, depth, out);
}
