/* The model's list of typedef names of tagged structs, for -C by typedef name. */
#include "model/structs.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/fail.h"
#include "util/grow.h"

static uint64_t pair_hash(const char *alias, const char *target, bool is_union)
{
	return sf__hash_u64(sf__hash_str(sf__hash_str(SF_HASH_SEED, alias), target), is_union);
}

static bool present(const sf_typedef_list *list, uint64_t hash, const char *alias, const char *target,
		    bool is_union)
{
	size_t cursor = 0;
	void *v;

	while ((v = sf__hashmap_next(&list->set, hash, &cursor))) {
		const sf_typedef_alias *a = &list->items[(uintptr_t)v - 1];
		if (a->is_union == is_union && strcmp(a->alias, alias) == 0 && strcmp(a->target, target) == 0)
			return true;
	}
	return false;
}

int sf__typedef_list_add(sf_typedef_list *list, const char *alias, const char *target, bool is_union)
{
	uint64_t hash = pair_hash(alias, target, is_union);
	sf_typedef_alias *a, *items;

	if (present(list, hash, alias, target, is_union))
		return 0;
	if (!list->arena && sf__arena_new(&list->arena) < 0)
		return sf__fail(SF_ENOMEM, "out of memory");
	items = sf__grow(list->items, &list->capacity, list->count, sizeof(*items), 16);
	if (!items)
		return sf__fail(SF_ENOMEM, "out of memory");
	list->items = items;
	a = &list->items[list->count];
	a->alias = sf__arena_strdup(list->arena, alias);
	a->target = sf__arena_strdup(list->arena, target);
	a->is_union = is_union;
	if (!a->alias || !a->target ||
	    sf__hashmap_insert(&list->set, hash, (void *)(uintptr_t)(list->count + 1)) < 0)
		return sf__fail(SF_ENOMEM, "out of memory");
	list->count++;
	return 0;
}

int sf__typedef_list_merge(sf_typedef_list *into, const sf_typedef_list *from)
{
	int res = 0;

	for (size_t i = 0; i < from->count && res >= 0; i++)
		res = sf__typedef_list_add(into, from->items[i].alias, from->items[i].target,
					   from->items[i].is_union);
	return res;
}

void sf__typedef_list_free(sf_typedef_list *list)
{
	free(list->items);
	sf__hashmap_free(&list->set);
	sf__arena_free(list->arena);
	memset(list, 0, sizeof(*list));
}
