/* Giving members whose type a unit only declared the definition another unit of the load has. */
#include "model/structs.h"

#include <string.h>

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

/* See structs.h. */
const char *sf__declared_name(const char *type_name, bool *is_union)
{
	static const char *const qualifiers[] = { "const ", "volatile ", "restrict ", "_Atomic " };
	const char *p = type_name;
	bool again = true;

	if (!p)
		return NULL;
	while (again) {
		again = false;
		for (size_t i = 0; i < sizeof(qualifiers) / sizeof(qualifiers[0]); i++) {
			size_t n = strlen(qualifiers[i]);
			if (strncmp(p, qualifiers[i], n) == 0) {
				p += n;
				again = true;
			}
		}
	}
	*is_union = strncmp(p, "union ", 6) == 0;
	if (*is_union)
		p += 6;
	else if (strncmp(p, "struct ", 7) == 0)
		p += 7;
	else if (strncmp(p, "class ", 6) == 0)
		p += 6;
	else
		return NULL;
	/* Pointers, arrays and functions never reach here as DECL_ONLY, but a
	 * spelling with a declarator is not a name to look up. */
	if (!*p || strpbrk(p, "*[]()&{}"))
		return NULL;
	return p;
}

static bool unresolved(const sf_member *m)
{
	return (m->flags & SF_MEMBER_DECL_ONLY) && m->size == 0;
}

bool sf__struct_has_declared(const sf_struct *s)
{
	for (uint32_t i = 0; i < s->member_count; i++)
		if (unresolved(&s->members[i]))
			return true;
	return false;
}

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

		if (!unresolved(m))
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
	return changed;
}

int sf__model_resolve_declared(sf_model *model)
{
	size_t kept = 0;
	bool collapsed = false;
	int res = 0;

	for (size_t i = 0; i < model->declared.count; i++) {
		sf_struct *s = model->declared.items[i];
		sf_struct *same;

		if (s->canonical) {
			/* Collapsed into another definition earlier. */
			continue;
		}
		if (!resolve_members(model, s)) {
			model->declared.items[kept++] = s;
			continue;
		}
		sf__struct_fit_bases(s);
		sf__struct_infer_alignment(s);
		s->hash = sf__struct_hash(s);
		same = sf__model_find(model, s);
		if (same && same != s) {
			/* Now the same layout as a definition the model has:
			 * one canonical copy, like a merge would have made. */
			same->abi_visible |= s->abi_visible;
			s->canonical = same;
			collapsed = true;
		} else if (sf__hashmap_insert(&model->by_hash, s->hash, s) < 0) {
			res = sf__fail(SF_ENOMEM, "out of memory while resolving declarations");
			break;
		}
		if (sf__struct_has_declared(s) && !s->canonical)
			model->declared.items[kept++] = s;
	}
	if (res == 0) {
		model->declared.count = kept;
		if (collapsed)
			res = sf__model_drop_collapsed(model);
	}
	return res;
}
