/* What a unit only declared: tagged type names, members still unsized, structs waiting for resolve.c. */
#include "model/structs.h"

#include <string.h>

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

bool sf__struct_has_declared(const sf_struct *s)
{
	for (uint32_t i = 0; i < s->member_count; i++)
		if (sf__member_unresolved(&s->members[i]))
			return true;
	return false;
}

bool sf__struct_vbase_unplaced(const sf_struct *s)
{
	for (uint32_t i = 0; i < s->member_count; i++)
		if ((s->members[i].flags & (SF_MEMBER_VIRTUAL_BASE | SF_MEMBER_OFFSET_UNKNOWN)) ==
		    (SF_MEMBER_VIRTUAL_BASE | SF_MEMBER_OFFSET_UNKNOWN))
			return true;
	return false;
}

bool sf__struct_needs_resolution(const sf_struct *s)
{
	return sf__struct_has_declared(s) || sf__struct_vbase_unplaced(s);
}
