/* Test helper: builds sf_struct definitions by hand and merges them into a model. */
#ifndef SF_TESTS_MODEL_BUILDER_H
#define SF_TESTS_MODEL_BUILDER_H

#include <stdint.h>
#include <string.h>

#include "model/structs.h"
#include "util/arena.h"

/* One member as a table row; use the MB_* macros below. */
typedef struct mb_member {
	const char *name;
	const char *type;
	uint64_t offset;
	uint64_t size;
	uint32_t type_align;
	uint64_t bit_offset;   /* bitfields only: from the struct start */
	uint32_t bit_size;
	uint32_t flags;
	const sf_struct *nested;
	uint32_t explicit_align;
} mb_member;

#define MB_PLAIN(name, type, offset, size, align) \
	{ name, type, offset, size, align, (uint64_t)(offset) * 8, 0, 0, NULL, 0 }
#define MB_BITS(name, type, unit_offset, size, bit_offset, bits) \
	{ name, type, unit_offset, size, size, bit_offset, bits, SF_MEMBER_BITFIELD, NULL, 0 }
#define MB_STRUCT(name, type, offset, nested) \
	{ name, type, offset, (nested)->size, (nested)->align, (uint64_t)(offset) * 8, 0, 0, nested, 0 }
#define MB_ANON(offset, nested) \
	{ NULL, NULL, offset, (nested)->size, (nested)->align, (uint64_t)(offset) * 8, 0, \
	  SF_MEMBER_ANONYMOUS, nested, 0 }
#define MB_COUNT(rows) ((uint32_t)(sizeof(rows) / sizeof((rows)[0])))

/*
 * Adds a definition to `unit` (structs must be added after the ones their
 * members point at) and infers its alignment the way the loader does.
 */
static inline sf_struct *mb_add(sf_unit *unit, sf_struct_kind kind, const char *name,
				uint64_t size, const mb_member *rows, uint32_t count)
{
	sf_struct *s = sf__arena_alloc(unit->arena, sizeof(*s));
	if (!s)
		return NULL;
	s->kind = kind;
	s->name = name;
	s->size = size;
	s->align = 1;
	s->decl_file = "test.c";
	s->decl_line = 1;
	s->file_index = unit->file_index;
	s->member_count = count;
	if (count) {
		s->members = sf__arena_calloc(unit->arena, count, sizeof(sf_member));
		if (!s->members)
			return NULL;
	}
	for (uint32_t i = 0; i < count; i++) {
		sf_member *m = &s->members[i];
		m->name = rows[i].name;
		m->type_name = rows[i].type;
		m->offset = rows[i].offset;
		m->size = rows[i].size;
		m->type_align = rows[i].type_align;
		m->explicit_align = rows[i].explicit_align;
		m->align_on_member = rows[i].explicit_align != 0;
		m->bit_offset = rows[i].bit_offset;
		m->bit_size = rows[i].bit_size;
		m->flags = rows[i].flags;
		m->nested = rows[i].nested;
		m->decl_line = i + 2;
	}
	sf__struct_infer_alignment(s);
	if (sf__struct_list_push(&unit->structs, s) < 0)
		return NULL;
	return s;
}

/* Re-runs inference after a test changed explicit alignments or flags. */
static inline void mb_reinfer(sf_struct *s)
{
	sf__struct_infer_alignment(s);
}

#endif
