/* Run-wide sizes of patched Go structs: the patched structs they hold by value shrink too. */
#include "fix/fix_go_predict.h"

#include "fix/fix_go_index.h"

#include <string.h>

#include "fix/fix_result.h"
#include "layout/place_member.h"

/* Patched size of `s` when it is patched in this run, else its size. */
static uint64_t size_now(const sf_go_index *ix, const sf_fix *fix, const sf_struct *s)
{
	for (size_t i = 0; i < ix->patched_count; i++) {
		if (ix->patched[i].def == s)
			return fix->structs[ix->patched[i].record].size;
	}
	return s->size;
}

/* Size of patched struct `p` in its new order with the current sizes of what it holds. */
static uint64_t predict(const sf_go_index *ix, const sf_fix *fix, const struct sf_go_patched *p,
		       const char **depends)
{
	const sf_struct *def = p->def;
	uint64_t at = 0, align = sf__place_struct_align(def), last_size = 1;

	*depends = NULL;
	for (uint32_t k = 0; k < def->member_count; k++) {
		const sf_member *m = &def->members[p->order[k]];
		uint64_t a = sf__place_member_align(m), size = m->size;
		if (m->nested && size_now(ix, fix, m->nested) != m->nested->size) {
			size = size_now(ix, fix, m->nested);
			*depends = m->nested->name;
		} else if (m->element && m->element->size && size_now(ix, fix, m->element) != m->element->size) {
			size = m->size / m->element->size * size_now(ix, fix, m->element);
			*depends = m->element->name;
		}
		at = (at + a - 1) / a * a + size;
		last_size = size;
	}
	if (def->member_count && last_size == 0 && at > 0)
		at++;
	return (at + align - 1) / align * align;
}

int sf__fix_go_predict(builder *b)
{
	sf_go_index *ix = &b->go_index;
	sf_fix *fix = b->fix;
	bool changed = true;

	/* Nesting is finite and sizes only shrink: a few passes settle it. */
	for (int pass = 0; changed && pass < 16; pass++) {
		changed = false;
		for (size_t i = 0; i < ix->patched_count; i++) {
			sf_fix_struct *r = &fix->structs[ix->patched[i].record];
			const char *depends = NULL;
			uint64_t size = predict(ix, fix, &ix->patched[i], &depends);
			if (size != r->size) {
				r->size = size;
				r->saves = r->original_size > size ? r->original_size - size : 0;
				changed = true;
			}
			if (depends && !r->size_depends_on)
				r->size_depends_on = depends;
		}
	}
	return 0;
}
