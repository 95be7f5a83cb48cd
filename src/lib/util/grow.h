/* Room for one more item in an array grown with realloc. */
#ifndef SF_UTIL_GROW_H
#define SF_UTIL_GROW_H

#include <stddef.h>
#include <stdlib.h>

/*
 * For an array of `count` items of `size` bytes with room for *capacity:
 * `items` itself while there is room, else the array regrown to twice
 * the capacity (`first` items when it had none), *capacity updated.
 * NULL when that cannot be had (no memory, or a size past SIZE_MAX): the
 * array is then as it was, still the caller's.  Callers keep the result
 * in their pointer, then append:
 *
 *	more = sf__grow(list->items, &list->capacity, list->count, sizeof(*more), 16);
 *	if (!more)
 *		return sf__fail(SF_ENOMEM, "out of memory");
 *	list->items = more;
 */
static inline void *sf__grow(void *items, size_t *capacity, size_t count, size_t size, size_t first)
{
	size_t grown = *capacity ? *capacity * 2 : first, bytes;
	void *more;

	if (count < *capacity)
		return items;
	if (grown < *capacity || __builtin_mul_overflow(grown, size, &bytes))
		return NULL;
	more = realloc(items, bytes);
	if (more)
		*capacity = grown;
	return more;
}

#endif
