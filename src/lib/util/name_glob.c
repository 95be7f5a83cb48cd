/* -C globs on struct names: the whole name, or the tail of a qualified C++ name. */
#include "util/name_glob.h"

#include <fnmatch.h>
#include <stddef.h>

bool sf__name_glob_match(const char *glob, const char *name)
{
	int nesting = 0;

	if (fnmatch(glob, name, 0) == 0)
		return true;
	/* Template arguments and function types hold `::` of other names. */
	for (const char *p = name; *p; p++) {
		if (*p == '<' || *p == '(')
			nesting++;
		else if ((*p == '>' || *p == ')') && nesting > 0)
			nesting--;
		else if (nesting == 0 && p[0] == ':' && p[1] == ':' && p[2] && fnmatch(glob, p + 2, 0) == 0)
			return true;
	}
	return false;
}
