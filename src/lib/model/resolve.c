/* Giving members whose type a unit only declared the definition another unit of the load has. */
#include "model/structs.h"

#include "util/fail.h"

/*
 * gcc emits a C++ class only as a declaration in units that do not hold
 * its key function (the first non-inline virtual function), and C code
 * embeds structs whose definition is in another header only through
 * pointers, but a base class or member by value still needs the size.
 * Such a member is built with SF_MEMBER_DECL_ONLY and size 0; once every
 * unit of an input is merged, the definition with the same kind and name
 * usually is in the model.  It is only taken when it is the only layout
 * under that name, or all of them agree on size and alignment, and when
 * it fits where the member stands.
 */

/* The one layout defined under this name, or NULL. */
static const sf_struct *definition_of(const sf_model *model, const char *name, bool is_union)
{
	const sf_struct *first = sf__model_first_named(model, name, is_union);

	if (!first)
		return NULL;
	for (const sf_struct *other = first->conflict; other; other = other->conflict) {
		if (other->size != first->size || other->align != first->align)
			return NULL;
	}
	return first;
}

/* Patches the declared members of `s` it can; true when one changed. */
static bool resolve_members(const sf_model *model, sf_struct *s)
{
	bool changed = false;

	for (uint32_t i = 0; i < s->member_count; i++) {
		sf_member *m = &s->members[i];
		const sf_struct *def;
		bool is_union = false;
		const char *name;
		uint64_t end;

		if (!sf__member_unresolved(m))
			continue;
		name = sf__declared_name(m->type_name, &is_union);
		def = name ? definition_of(model, name, is_union) : NULL;
		if (!def || def == s || def->size == 0)
			continue;
		end = m->offset + def->size;
		if (end < m->offset || end > s->size)
			continue;
		m->size = def->size;
		m->type_align = def->align;
		m->nested = def;
		m->flags &= ~(uint32_t)(SF_MEMBER_DECL_ONLY | SF_MEMBER_UNKNOWN_TYPE);
		changed = true;
	}
	if (changed)
		sf__struct_fit_bases(s);
	return changed;
}

/* Re-places virtual bases (their bases may have been resolved); true
 * when one got its offset. */
static int place_again(sf_model *model, sf_struct *s, bool *changed)
{
	if (!sf__struct_vbase_unplaced(s))
		return 0;
	if (sf__struct_place_virtual_bases(s, model->arena) < 0)
		return sf__fail(SF_ENOMEM, "out of memory while resolving declarations");
	*changed = !sf__struct_vbase_unplaced(s);
	return 0;
}

/* Rehashes a changed definition, or folds it into an equal one. */
static int reindex(sf_model *model, sf_struct *s, bool *collapsed)
{
	sf_struct *same;

	sf__struct_infer_alignment(s);
	s->hash = sf__struct_hash(s);
	same = sf__model_find_other(model, s);
	if (same) {
		/* Now the same layout as a definition the model has: one
		 * canonical copy, like a merge would have made. */
		same->abi_visible |= s->abi_visible;
		if (!same->abi_via)
			same->abi_via = s->abi_via;
		s->canonical = same;
		*collapsed = true;
		return 0;
	}
	if (sf__hashmap_insert(&model->by_hash, s->hash, s) < 0)
		return sf__fail(SF_ENOMEM, "out of memory while resolving declarations");
	return 0;
}

/* Passes until nothing changes: a class may wait on its bases. */
#define MAX_ROUNDS 8

int sf__model_resolve_declared(sf_model *model)
{
	bool collapsed = false, progress = true;
	int res = 0;

	for (unsigned round = 0; progress && round < MAX_ROUNDS && res == 0; round++) {
		size_t kept = 0;
		progress = false;
		for (size_t i = 0; i < model->declared.count && res == 0; i++) {
			sf_struct *s = model->declared.items[i];
			bool changed = resolve_members(model, s);

			/* Collapsed ones are dropped from the list. */
			if (s->canonical)
				continue;
			res = place_again(model, s, &changed);
			if (res == 0 && changed)
				res = reindex(model, s, &collapsed);
			progress |= changed;
			if (!s->canonical && sf__struct_needs_resolution(s))
				model->declared.items[kept++] = s;
		}
		if (res == 0)
			model->declared.count = kept;
	}
	if (res == 0 && collapsed)
		res = sf__model_drop_collapsed(model);
	return res;
}
