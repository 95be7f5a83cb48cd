/* The order of a snapshot: names, sorting, and the marks on structs defined in several ways. */
#include "gate/snapshot.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

const char *sf__snap_name(const sf_snap_struct *s)
{
	return s->name ? s->name : s->typedef_name;
}

static int compare_str(const char *a, const char *b)
{
	if (!a || !b)
		return (a != NULL) - (b != NULL);
	return strcmp(a, b);
}

int sf__snap_compare(const sf_snap_struct *a, const sf_snap_struct *b)
{
	int c = strcmp(a->kind, b->kind);
	if (c == 0)
		c = compare_str(sf__snap_name(a), sf__snap_name(b));
	/* The relative form, so that a baseline's order does not depend on its checkout. */
	if (c == 0)
		c = compare_str(a->decl_rel, b->decl_rel);
	if (c == 0)
		c = (a->decl_line > b->decl_line) - (a->decl_line < b->decl_line);
	if (c == 0)
		c = (a->size > b->size) - (a->size < b->size);
	return c;
}

static int compare_entries(const void *pa, const void *pb)
{
	return sf__snap_compare(pa, pb);
}

static bool same_key(const sf_snap_struct *a, const sf_snap_struct *b)
{
	return strcmp(a->kind, b->kind) == 0 && compare_str(sf__snap_name(a), sf__snap_name(b)) == 0;
}

void sf__snap_finish(sf_snapshot *snap)
{
	if (snap->count > 1)
		qsort(snap->structs, snap->count, sizeof(*snap->structs), compare_entries);
	for (size_t i = 0; i < snap->count; i++)
		snap->structs[i].conflicting = false;
	for (size_t i = 1; i < snap->count; i++) {
		if (same_key(&snap->structs[i - 1], &snap->structs[i]))
			snap->structs[i - 1].conflicting = snap->structs[i].conflicting = true;
	}
}
