/* A worker's definitions by the digest of the DWARF they were built from
 * (open addressing), and the cache of string digests beside them. */
#include "dwarf/die_ctx.h"

#include <stdlib.h>

#include "util/fail.h"

/*
 * Where an entry's probe starts.  By the .debug_str offset of its name
 * where the ident has one: the lookup knows it before the digest, which
 * is a long walk through the unit, so the slot (more often than not a
 * cache miss in a large table) is fetched meanwhile.  Definitions of one
 * name share a probe sequence; the digest still tells them apart.  Only
 * where each text is stored once (str_distinct): elsewhere equal names
 * at other offsets must still meet.
 */
static bool home_by_name(const sf_die_known *known, uint64_t ident)
{
	return known->str_distinct && ident >> 5;
}

static size_t known_home(const sf_die_known *known, const sf_die_digest *digest, uint64_t ident)
{
	uint64_t h = home_by_name(known, ident) ? (ident >> 1) * UINT64_C(0x9e3779b97f4a7c15)
						: digest->lo ^ (digest->lo << 32);

	return (size_t)(h >> 32) & (known->capacity - 1);
}

void sf__die_known_prefetch(const sf_die_known *known, uint64_t ident)
{
	if (known->capacity && home_by_name(known, ident))
		__builtin_prefetch(&known->entries[known_home(known, NULL, ident)]);
}

const sf_die_known_entry *sf__die_known_find(const sf_die_known *known, const sf_die_digest *digest,
					     uint64_t ident)
{
	if (!known->capacity)
		return NULL;
	for (size_t i = known_home(known, digest, ident);; i = (i + 1) & (known->capacity - 1)) {
		const sf_die_known_entry *e = &known->entries[i];
		if (!e->s)
			return NULL;
		if (e->digest.lo == digest->lo && e->digest.hi == digest->hi)
			return e;
	}
}

int sf__die_known_add(sf_die_known *known, const sf_die_digest *digest, const sf_struct *s, uint64_t ident)
{
	size_t i;

	if (!s || sf__die_known_find(known, digest, ident))
		return 0;
	/* At most half full: probes stay short and a free slot always ends them. */
	if ((known->count + 1) * 2 > known->capacity) {
		sf_die_known old = *known;
		size_t capacity = known->capacity ? known->capacity * 2 : 1024;
		sf_die_known_entry *entries = sf__alloc_cleared(capacity, sizeof(*entries));
		if (!entries)
			return sf__fail(SF_ENOMEM, "out of memory");
		known->entries = entries;
		known->capacity = capacity;
		for (size_t k = 0; k < old.capacity; k++) {
			if (!old.entries[k].s)
				continue;
			for (i = known_home(known, &old.entries[k].digest, old.entries[k].ident); entries[i].s;
			     i = (i + 1) & (capacity - 1))
				;
			entries[i] = old.entries[k];
		}
		free(old.entries);
	}
	for (i = known_home(known, digest, ident); known->entries[i].s; i = (i + 1) & (known->capacity - 1))
		;
	known->entries[i].digest = *digest;
	known->entries[i].s = s;
	known->entries[i].ident = ident;
	known->entries[i].size = s->size;
	known->entries[i].align = s->align;
	known->entries[i].pointer_bytes = s->unsized || s->loaded_pointer_bytes >= UINT32_MAX
						  ? UINT32_MAX
						  : (uint32_t)s->loaded_pointer_bytes;
	known->count++;
	return 0;
}

void sf__die_known_release(sf_die_known *known)
{
	free(known->entries);
	known->entries = NULL;
	known->count = 0;
	known->capacity = 0;
	free(known->strings);
	known->strings = NULL;
	free(known->files);
	known->files = NULL;
}
