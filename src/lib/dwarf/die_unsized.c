/* Members without bytes of their own in the static layout: Rust's dynamically sized fields and zero-sized fn items. */
#include "dwarf/die_ctx.h"

#include <stdio.h>
#include <string.h>

#include "util/fail.h"

/* A dynamically sized member takes no bytes of the static layout; its
 * DWARF type is the element ([T] and str are described by theirs), so
 * `inner: [u8]` is spelt "[u8] (unsized)". */
static int mark_unsized(sf_die_ctx *ctx, sf_member *out)
{
	char *spelled = sf__arena_alloc(ctx->unit->arena, strlen(out->type_name) + sizeof("[] (unsized)"));

	if (!spelled)
		return sf__fail(SF_ENOMEM, "out of memory");
	strcpy(spelled, "[");
	strcat(spelled, out->type_name);
	strcat(spelled, "] (unsized)");
	out->type_name = spelled;
	out->size = 0;
	out->flags |= SF_MEMBER_UNSIZED;
	return 0;
}

/*
 * LLVM marks a member whose own size (0 bits) differs from its type's with
 * DW_AT_bit_size 0; rustc 1.63 gets that for dynamically sized last fields
 * and for zero-sized fn items, which it describes as fn pointers.  Newer
 * rustc writes no mark: the member then reaches past the end of its
 * struct, whose size is the statically known part, which in Rust nothing
 * else does.
 */
static bool takes_no_bytes(const sf_die_ctx *ctx, const sf_struct *parent, uint64_t location,
			   bool zero_bits, uint64_t bit_size, const sf_member *out)
{
	if (zero_bits)
		return true;
	return ctx->language == DW_LANG_Rust && parent->kind != SF_UNION && !bit_size &&
	       location <= parent->size && out->size > parent->size - location;
}

int sf__die_sizeless_member(sf_die_ctx *ctx, const sf_struct *parent, uint64_t location, bool zero_bits,
			    uint64_t bit_size, const sf_die_type *spelling, sf_member *out)
{
	if (!takes_no_bytes(ctx, parent, location, zero_bits, bit_size, out))
		return 0;
	/* A fn item is always spelt as a pointer, and aligned to 1; a
	 * slice's element only in slices of pointers, which are then taken
	 * for zero-sized (rare, and offsets and sizes stay right).  A slice
	 * keeps its element's alignment. */
	if (spelling->declarator == SF_DECL_POINTER) {
		out->size = 0;
		out->type_align = 1;
		return 0;
	}
	return mark_unsized(ctx, out);
}

/* rustc describes `dyn Trait` as an empty 0-byte struct of that name:
 * a field of that type has the size of the value behind it. */
static bool is_trait_object(const sf_die_ctx *ctx, const sf_struct *s)
{
	return ctx->language == DW_LANG_Rust && s->name && strncmp(s->name, "dyn ", 4) == 0 &&
	       s->size == 0 && s->member_count == 0;
}

int sf__die_mark_unsized(const sf_die_ctx *ctx, const sf_die *d, sf_struct *s)
{
	s->unsized = is_trait_object(ctx, s);
	for (uint32_t i = 0; i < s->member_count; i++) {
		const sf_member *tail = &s->members[i];
		if (!(tail->flags & SF_MEMBER_UNSIZED))
			continue;
		s->unsized = true;
		if (s->kind == SF_UNION)
			continue;
		/* rustc puts the unsized field last, whatever it reorders. */
		for (uint32_t j = 0; j < s->member_count; j++) {
			const sf_member *m = &s->members[j];
			if (j != i && m->size && m->offset + m->size > tail->offset) {
				char why[200];
				snprintf(why, sizeof(why), "unsized member '%s' is not the last",
					 tail->name ? tail->name : "(anonymous)");
				return sf__die_corrupt(ctx, d, why);
			}
		}
	}
	return 0;
}
