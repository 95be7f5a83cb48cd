/* From a loaded image's staging model to the caller's: nested bodies
 * ordered before their users, orphan copies left out. */
#include "dwarf/die_pass.h"

#include "util/fail.h"

/* Pointer set for the final ordering pass. */
static bool mark_seen(sf_hashmap *seen, const sf_struct *s, int *res)
{
	uint64_t hash = sf__hash_u64(SF_HASH_SEED, (uint64_t)(uintptr_t)s);
	size_t cursor = 0;
	void *v;
	while ((v = sf__hashmap_next(seen, hash, &cursor)))
		if (v == s)
			return false;
	if (sf__hashmap_insert(seen, hash, (void *)s) < 0)
		*res = sf__fail(SF_ENOMEM, "out of memory");
	return true;
}

/* A staging model lists only top-level definitions; merging wants the
 * nested bodies too, each after what it contains. */
static int order_struct(sf_struct_list *out, sf_hashmap *seen, sf_struct *s, unsigned depth)
{
	int res = 0;
	if (!mark_seen(seen, s, &res) || res < 0)
		return res;
	if (depth > SF_DIE_MAX_DEPTH)
		return sf__fail(SF_EINVALID, "corrupt DWARF: struct nesting too deep");
	for (uint32_t i = 0; i < s->member_count && res >= 0; i++) {
		const sf_member *m = &s->members[i];
		if (m->nested)
			res = order_struct(out, seen, (sf_struct *)m->nested, depth + 1);
		if (res >= 0 && m->element)
			res = order_struct(out, seen, (sf_struct *)m->element, depth + 1);
	}
	if (res >= 0 && sf__struct_list_push(out, s) < 0)
		res = sf__fail(SF_ENOMEM, "out of memory");
	return res;
}

/* Layout hash of a typedef'd anonymous struct as if it had no typedef. */
static uint64_t hash_without_typedef(const sf_struct *s)
{
	sf_struct bare = *s;
	bare.typedef_name = NULL;
	return sf__struct_hash(&bare);
}

/*
 * True for an unnamed, untypedef'd definition that repeats the body of an
 * anonymous member or typedef seen elsewhere in the image.  Type units make
 * these: the compile unit keeps its own copy of unnamed types whose users
 * moved to a type unit, and nothing in the compile unit claims the copy.
 */
static bool is_orphan_copy(const sf_model *staging, const sf_hashmap *typedefd, const sf_struct *s)
{
	size_t cursor = 0;
	const sf_struct *c;

	if (s->name || s->typedef_name || s->is_nested_body)
		return false;
	while ((c = sf__hashmap_next(&staging->by_hash, s->hash, &cursor)))
		if (c != s && c->is_nested_body && sf__struct_same(c, s))
			return true;
	cursor = 0;
	while ((c = sf__hashmap_next(typedefd, s->hash, &cursor))) {
		sf_struct bare = *c;
		bare.typedef_name = NULL;
		if (sf__struct_same(&bare, s))
			return true;
	}
	return false;
}

int sf__die_merge_model(sf_model *into, sf_model *from, uint32_t file_index)
{
	sf_unit batch = { .arena = NULL, .file_index = file_index };
	sf_hashmap seen = { 0 };
	int res = 0;

	for (size_t i = 0; i < from->structs.count && res >= 0; i++)
		res = order_struct(&batch.structs, &seen, from->structs.items[i], 0);
	if (res >= 0)
		res = sf__model_merge_unit(into, &batch);
	sf__hashmap_free(&seen);
	sf__struct_list_free(&batch.structs);
	return res;
}

/*
 * The staging model's definitions move into `model` where they are
 * (sf__model_adopt_unit): every string and member array of them lives in
 * the staging arena, which the model takes over.  Copying them was most
 * of the serial time between the end of the walk and the report.
 */
int sf__die_publish(sf_model *model, sf_model *staging, uint32_t file_index)
{
	sf_unit batch = { .arena = staging->arena, .file_index = file_index };
	sf_hashmap seen = { 0 }, typedefd = { 0 };
	int res = 0;

	for (size_t i = 0; i < staging->structs.count && res >= 0; i++) {
		sf_struct *s = staging->structs.items[i];
		if (!s->name && s->typedef_name &&
		    sf__hashmap_insert(&typedefd, hash_without_typedef(s), s) < 0)
			res = sf__fail(SF_ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < staging->structs.count && res >= 0; i++) {
		sf_struct *s = staging->structs.items[i];
		if (!is_orphan_copy(staging, &typedefd, s))
			res = order_struct(&batch.structs, &seen, s, 0);
	}
	sf__hashmap_free(&typedefd);
	if (res >= 0)
		res = sf__model_adopt_unit(model, &batch);
	if (res >= 0)
		res = sf__typedef_list_merge(&model->typedefs, &staging->typedefs);
	sf__hashmap_free(&seen);
	sf__struct_list_free(&batch.structs);
	return res;
}
