/* The model container: inputs, canonical definitions and the merge step. */
#include "model/structs.h"

#include <stdlib.h>
#include <string.h>

#include "util/fail.h"
#include "util/jobs.h"

int sf__struct_list_push(sf_struct_list *list, sf_struct *s)
{
	if (list->count == list->capacity) {
		size_t capacity = list->capacity ? list->capacity * 2 : 64;
		sf_struct **items = realloc(list->items, capacity * sizeof(*items));
		if (!items)
			return -1;
		list->items = items;
		list->capacity = capacity;
	}
	list->items[list->count++] = s;
	return 0;
}

void sf__struct_list_free(sf_struct_list *list)
{
	free(list->items);
	memset(list, 0, sizeof(*list));
}

int sf__unit_init(sf_unit *unit, uint32_t file_index)
{
	return sf__unit_init_pooled(unit, file_index, NULL);
}

int sf__unit_init_pooled(sf_unit *unit, uint32_t file_index, sf_arena_pool *pool)
{
	memset(unit, 0, sizeof(*unit));
	unit->file_index = file_index;
	return sf__arena_new_pooled(&unit->arena, pool) < 0 ? SF_ENOMEM : 0;
}

void sf__unit_release(sf_unit *unit)
{
	sf__arena_free(unit->arena);
	sf__struct_list_free(&unit->structs);
	memset(unit, 0, sizeof(*unit));
}

int sf_model_new(sf_model **out)
{
	sf_model *model = calloc(1, sizeof(*model));
	if (!model || sf__arena_new(&model->arena) < 0) {
		free(model);
		*out = NULL;
		return sf__fail(SF_ENOMEM, "out of memory");
	}
	*out = model;
	return 0;
}

void sf_model_free(sf_model *model)
{
	if (!model)
		return;
	sf__reaper_free(model->reaper);
	sf__arena_free(model->arena);
	free(model->files);
	sf__struct_list_free(&model->structs);
	sf__struct_list_free(&model->declared);
	sf__hashmap_free(&model->by_hash);
	sf__hashmap_free(&model->by_name);
	sf__typedef_list_free(&model->typedefs);
	free(model);
}

sf_reaper *sf__model_reaper(sf_model *model, unsigned jobs)
{
	if (!model->reaper && sf__jobs_or_online(jobs) > 1)
		model->reaper = sf__reaper_new();
	return model->reaper;
}

size_t sf_model_file_count(const sf_model *model)
{
	return model->file_count;
}

const sf_file_info *sf_model_file(const sf_model *model, size_t index)
{
	return index < model->file_count ? &model->files[index] : NULL;
}

size_t sf_model_struct_count(const sf_model *model)
{
	return model->structs.count;
}

static const char *copy_or_null(sf_arena *arena, const char *s)
{
	return s ? sf__arena_strdup(arena, s) : NULL;
}

int sf__model_add_file(sf_model *model, const sf_file_info *info)
{
	sf_file_info *slot;

	if (model->file_count == model->file_capacity) {
		size_t capacity = model->file_capacity ? model->file_capacity * 2 : 8;
		sf_file_info *files = realloc(model->files, capacity * sizeof(*files));
		if (!files)
			return -1;
		model->files = files;
		model->file_capacity = capacity;
	}
	slot = &model->files[model->file_count];
	slot->path = copy_or_null(model->arena, info->path);
	slot->debug_path = copy_or_null(model->arena, info->debug_path);
	slot->arch = copy_or_null(model->arena, info->arch);
	slot->big_endian = info->big_endian;
	slot->address_size = info->address_size;
	/* Static strings; the DWARF loader leaves it unset. */
	slot->format = info->format ? info->format : "dwarf";
	if ((info->path && !slot->path) || (info->arch && !slot->arch))
		return -1;
	return (int)model->file_count++;
}

/* ---- identity ---- */

/* Pointer keys: one multiply, looked up for every member pointing at a struct. */
static inline uint64_t hash_ptr(const void *p)
{
	uint64_t h = (uint64_t)(uintptr_t)p * UINT64_C(0x9e3779b97f4a7c15);
	return h ^ (h >> 31);
}

/*
 * Every definition of every unit is hashed once when merged (millions for
 * a kernel), so this mixes a word per step instead of a byte like
 * sf__hash_bytes().  The value only has to be consistent within a run.
 */
static inline uint64_t mix(uint64_t h, uint64_t v)
{
	h = (h ^ v) * UINT64_C(0x9e3779b97f4a7c15);
	return h ^ (h >> 29);
}

static uint64_t mix_str(uint64_t h, const char *s)
{
	size_t len;
	uint64_t word;

	if (!s)
		return mix(h, UINT64_C(0x51ed270b27d7a3c1));
	len = strlen(s);
	for (; len >= 8; s += 8, len -= 8) {
		memcpy(&word, s, 8);
		h = mix(h, word);
	}
	word = 0;
	memcpy(&word, s, len);
	/* The length byte keeps ("ab","c") apart from ("a","bc"). */
	return mix(h, word ^ ((uint64_t)(len + 1) << 56));
}

static uint64_t hash_struct(uint64_t h, const sf_struct *s, unsigned depth)
{
	h = mix(h, (uint64_t)s->kind);
	h = mix_str(h, s->name ? s->name : s->typedef_name);
	h = mix(h, s->size);
	h = mix(h, s->align);
	h = mix(h, s->member_count);
	for (uint32_t i = 0; i < s->member_count; i++) {
		const sf_member *m = &s->members[i];
		h = mix_str(h, m->name);
		h = mix_str(h, m->type_name);
		h = mix(h, m->offset);
		h = mix(h, m->bit_offset);
		h = mix(h, m->bit_size);
		if ((m->flags & SF_MEMBER_ANONYMOUS) && m->nested && depth < 64)
			h = hash_struct(h, m->nested, depth + 1);
	}
	return h;
}

uint64_t sf__struct_hash(const sf_struct *s)
{
	return hash_struct(SF_HASH_SEED, s, 0);
}

static bool str_eq(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return strcmp(a, b) == 0;
}

static bool same_struct(const sf_struct *a, const sf_struct *b, unsigned depth)
{
	if (a == b)
		return true;
	if (a->kind != b->kind || a->size != b->size || a->align != b->align ||
	    a->member_count != b->member_count || !str_eq(a->name, b->name) ||
	    (!a->name && !str_eq(a->typedef_name, b->typedef_name)))
		return false;
	for (uint32_t i = 0; i < a->member_count; i++) {
		const sf_member *x = &a->members[i], *y = &b->members[i];
		if (x->offset != y->offset || x->bit_offset != y->bit_offset ||
		    x->bit_size != y->bit_size || x->size != y->size ||
		    !str_eq(x->name, y->name) || !str_eq(x->type_name, y->type_name))
			return false;
		if ((x->flags & SF_MEMBER_ANONYMOUS) && x->nested && y->nested) {
			if (depth >= 64 || !same_struct(x->nested, y->nested, depth + 1))
				return false;
		}
	}
	return true;
}

bool sf__struct_same(const sf_struct *a, const sf_struct *b)
{
	return same_struct(a, b, 0);
}

/* ---- merge ---- */

static uint64_t name_key(const sf_struct *s)
{
	const char *name = s->name ? s->name : s->typedef_name;
	uint64_t h = sf__hash_u64(SF_HASH_SEED, s->kind == SF_UNION);
	return sf__hash_str(h, name);
}

static const sf_struct *resolve(const sf_struct *s)
{
	return s && s->canonical ? s->canonical : s;
}

/* Pointer of another model -> its canonical copy here, or NULL. */
static sf_struct *map_find(const sf_hashmap *map, const sf_struct *s)
{
	uint64_t hash = hash_ptr(s);
	size_t cursor = 0;
	sf_struct **pair;

	while ((pair = sf__hashmap_next(map, hash, &cursor)))
		if (pair[0] == s)
			return pair[1];
	return NULL;
}

/* Member pointers of `src` as this model's canonical structs: through the
 * foreign map when given, else through the per-unit `canonical` links. */
static const sf_struct *translate(const sf_hashmap *map, const sf_struct *s)
{
	if (!s)
		return NULL;
	if (map) {
		const sf_struct *found = map_find(map, s);
		return found ? found : s;
	}
	return resolve(s);
}

static sf_struct *copy_into_model(sf_model *model, const sf_struct *src, const sf_hashmap *map)
{
	sf_arena *arena = model->arena;
	sf_struct *dst = sf__arena_alloc(arena, sizeof(*dst));
	if (!dst)
		return NULL;
	*dst = *src;
	dst->canonical = NULL;
	dst->conflict = NULL;
	dst->is_conflicting = false;
	dst->name = copy_or_null(arena, src->name);
	dst->typedef_name = copy_or_null(arena, src->typedef_name);
	dst->decl_file = copy_or_null(arena, src->decl_file);
	dst->abi_via = copy_or_null(arena, src->abi_via);
	if ((src->name && !dst->name) || (src->typedef_name && !dst->typedef_name) ||
	    (src->decl_file && !dst->decl_file) || (src->abi_via && !dst->abi_via))
		return NULL;
	if (src->member_count) {
		/* Each is copied in whole below. */
		dst->members = sf__arena_array_uninit(arena, src->member_count, sizeof(sf_member));
		if (!dst->members)
			return NULL;
	}
	for (uint32_t i = 0; i < src->member_count; i++) {
		const sf_member *sm = &src->members[i];
		sf_member *dm = &dst->members[i];
		*dm = *sm;
		dm->name = copy_or_null(arena, sm->name);
		dm->type_name = copy_or_null(arena, sm->type_name);
		dm->typedef_chain = copy_or_null(arena, sm->typedef_chain);
		dm->resolved_type_name = copy_or_null(arena, sm->resolved_type_name);
		if ((sm->name && !dm->name) || (sm->type_name && !dm->type_name) ||
		    (sm->typedef_chain && !dm->typedef_chain) ||
		    (sm->resolved_type_name && !dm->resolved_type_name))
			return NULL;
		/* Units list structs in dependency order, so whatever a member
		 * points at has been merged already. */
		dm->nested = translate(map, sm->nested);
		dm->element = translate(map, sm->element);
	}
	return dst;
}

static void note_conflict(sf_model *model, sf_struct *fresh)
{
	size_t cursor = 0;
	uint64_t key = name_key(fresh);
	sf_struct *first;

	if ((!fresh->name && !fresh->typedef_name) || model->skip_conflicts)
		return;
	while ((first = sf__hashmap_next(&model->by_name, key, &cursor))) {
		const char *a = first->name ? first->name : first->typedef_name;
		const char *b = fresh->name ? fresh->name : fresh->typedef_name;
		if ((first->kind == SF_UNION) != (fresh->kind == SF_UNION) || !str_eq(a, b))
			continue;
		/* Append to the chain starting at the first definition. */
		sf_struct *last = first;
		while (last->conflict)
			last = (sf_struct *)last->conflict;
		last->conflict = fresh;
		first->is_conflicting = true;
		fresh->is_conflicting = true;
		return;
	}
	sf__hashmap_insert(&model->by_name, key, fresh);
}

/* Canonical definition equal to `s` already in the model, or NULL. */
static sf_struct *find_same(const sf_model *model, const sf_struct *s, uint64_t hash)
{
	size_t cursor = 0;
	sf_struct *candidate;

	while ((candidate = sf__hashmap_next(&model->by_hash, hash, &cursor)))
		if (candidate->is_nested_body == s->is_nested_body && sf__struct_same(candidate, s))
			return candidate;
	return NULL;
}

/* Lists `found`, already in the model's storage, as a new canonical definition. */
static int enlist(sf_model *model, sf_struct *found, uint64_t hash, uint32_t file_index)
{
	found->hash = hash;
	found->file_index = file_index;
	if (sf__hashmap_insert(&model->by_hash, hash, found) < 0)
		return -1;
	if (model->added && sf__struct_list_push(model->added, found) < 0)
		return -1;
	if (!found->is_nested_body) {
		if (sf__struct_list_push(&model->structs, found) < 0)
			return -1;
		note_conflict(model, found);
		if (!model->skip_conflicts && sf__struct_needs_resolution(found) &&
		    sf__struct_list_push(&model->declared, found) < 0)
			return -1;
	}
	return 0;
}

/* Copies `s` in as a new canonical definition. */
static sf_struct *add_new(sf_model *model, const sf_struct *s, uint64_t hash, uint32_t file_index,
			  const sf_hashmap *map)
{
	sf_struct *found = copy_into_model(model, s, map);

	if (!found || enlist(model, found, hash, file_index) < 0)
		return NULL;
	return found;
}

sf_struct *sf__model_find(const sf_model *model, const sf_struct *s)
{
	return find_same(model, s, s->hash ? s->hash : sf__struct_hash(s));
}

sf_struct *sf__model_find_other(const sf_model *model, const sf_struct *s)
{
	size_t cursor = 0;
	sf_struct *candidate;
	uint64_t hash = s->hash ? s->hash : sf__struct_hash(s);

	while ((candidate = sf__hashmap_next(&model->by_hash, hash, &cursor)))
		if (candidate != s && !candidate->canonical && candidate->is_nested_body == s->is_nested_body &&
		    sf__struct_same(candidate, s))
			return candidate;
	return NULL;
}

/*
 * A definition met again as `s`: what the duplicate adds (ABI visibility
 * and the first reason for it).  Stores only what changes: a worker's
 * model (die_batch.c) merges units here while the merging thread copies
 * the definitions it reported earlier, and during a load abi_visible is
 * still false everywhere.
 */
static void merge_duplicate(sf_model *model, sf_struct *found, const sf_struct *s)
{
	if (s->abi_visible && !found->abi_visible)
		found->abi_visible = true;
	if (!found->abi_via && s->abi_via)
		found->abi_via = copy_or_null(model->arena, s->abi_via);
}

int sf__model_merge_unit(sf_model *model, sf_unit *unit)
{
	for (size_t i = 0; i < unit->structs.count; i++) {
		sf_struct *s = unit->structs.items[i];
		/* Member pointers must refer to canonical structs before hashing
		 * and comparing, which only look at names and numbers anyway. */
		uint64_t hash = s->hash ? s->hash : sf__struct_hash(s);
		sf_struct *found = find_same(model, s, hash);

		if (found) {
			merge_duplicate(model, found, s);
			s->canonical = found;
			continue;
		}
		found = add_new(model, s, hash, unit->file_index, NULL);
		if (!found)
			return sf__fail(SF_ENOMEM, "out of memory while merging types");
		s->canonical = found;
	}
	return 0;
}

int sf__model_adopt_unit(sf_model *model, sf_unit *unit)
{
	int res = 0;

	for (size_t i = 0; i < unit->structs.count && res == 0; i++) {
		sf_struct *s = unit->structs.items[i];
		uint64_t hash;
		sf_struct *found;

		/* What copy_into_model() does to the copies, done in place. */
		for (uint32_t k = 0; k < s->member_count; k++) {
			s->members[k].nested = resolve(s->members[k].nested);
			s->members[k].element = resolve(s->members[k].element);
		}
		s->canonical = NULL;
		s->conflict = NULL;
		s->is_conflicting = false;
		hash = s->hash ? s->hash : sf__struct_hash(s);
		found = find_same(model, s, hash);
		if (found) {
			merge_duplicate(model, found, s);
			s->canonical = found;
			continue;
		}
		if (enlist(model, s, hash, unit->file_index) < 0)
			res = sf__fail(SF_ENOMEM, "out of memory while merging types");
	}
	/* Also after a failure, as the model may list some of them; the
	 * duplicates stay behind in it too, unreferenced. */
	sf__arena_adopt(model->arena, unit->arena);
	return res;
}

int sf__model_merge_foreign(sf_model *model, const sf_struct_list *list, sf_hashmap *map,
			    uint32_t file_index)
{
	for (size_t i = 0; i < list->count; i++) {
		const sf_struct *s = list->items[i];
		uint64_t hash = s->hash ? s->hash : sf__struct_hash(s);
		sf_struct *found = find_same(model, s, hash);
		sf_struct **pair;

		if (found)
			merge_duplicate(model, found, s);
		else if (!(found = add_new(model, s, hash, file_index, map)))
			return sf__fail(SF_ENOMEM, "out of memory while merging types");
		pair = sf__arena_alloc(model->arena, 2 * sizeof(*pair));
		if (!pair || sf__hashmap_insert(map, hash_ptr(s), pair) < 0)
			return sf__fail(SF_ENOMEM, "out of memory while merging types");
		pair[0] = (sf_struct *)s;
		pair[1] = found;
	}
	return 0;
}

const sf_struct *sf__model_first_named(const sf_model *model, const char *name, bool is_union)
{
	uint64_t key = sf__hash_str(sf__hash_u64(SF_HASH_SEED, is_union), name);
	size_t cursor = 0;
	const sf_struct *first;

	while ((first = sf__hashmap_next(&model->by_name, key, &cursor))) {
		const char *n = first->name ? first->name : first->typedef_name;
		if ((first->kind == SF_UNION) == is_union && str_eq(n, name))
			return first;
	}
	return NULL;
}

static const sf_struct *live(const sf_struct *s)
{
	while (s && s->canonical)
		s = s->canonical;
	return s;
}

/* by_hash holds the nested bodies too, reached through members. */
static int index_bodies(sf_model *model, sf_struct *s, unsigned depth)
{
	if (sf__hashmap_insert(&model->by_hash, s->hash ? s->hash : sf__struct_hash(s), s) < 0)
		return -1;
	for (uint32_t i = 0; i < s->member_count && depth < 64; i++) {
		sf_struct *body = (sf_struct *)s->members[i].nested;
		if (body && body->is_nested_body && (s->members[i].flags & SF_MEMBER_ANONYMOUS) &&
		    index_bodies(model, body, depth + 1) < 0)
			return -1;
	}
	return 0;
}

static void redirect(sf_struct *s, unsigned depth)
{
	for (uint32_t k = 0; k < s->member_count; k++) {
		sf_member *m = &s->members[k];
		m->nested = live(m->nested);
		m->element = live(m->element);
		if (m->nested && m->nested->is_nested_body && (m->flags & SF_MEMBER_ANONYMOUS) && depth < 64)
			redirect((sf_struct *)m->nested, depth + 1);
	}
}

int sf__model_drop_collapsed(sf_model *model)
{
	size_t kept = 0;

	for (size_t i = 0; i < model->structs.count; i++) {
		sf_struct *s = model->structs.items[i];
		redirect(s, 0);
		if (!s->canonical)
			model->structs.items[kept++] = s;
	}
	model->structs.count = kept;
	sf__hashmap_free(&model->by_hash);
	sf__hashmap_free(&model->by_name);
	for (size_t i = 0; i < model->structs.count; i++) {
		sf_struct *s = model->structs.items[i];
		s->conflict = NULL;
		s->is_conflicting = false;
	}
	for (size_t i = 0; i < model->structs.count; i++) {
		if (index_bodies(model, model->structs.items[i], 0) < 0)
			return sf__fail(SF_ENOMEM, "out of memory while resolving declarations");
		note_conflict(model, model->structs.items[i]);
	}
	return 0;
}
