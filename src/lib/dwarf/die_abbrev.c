/* Abbreviation tables: decoded once per table and unit shape into the
 * cursor's arena, with what the value reader precomputes per attribute
 * (fixed offsets, fast widths, the list hash digests use). */
#include "dwarf/die_reader_impl.h"

#include <stdlib.h>
#include <string.h>

#include "util/fail.h"

/* Abbreviation codes up to this are looked up by index; producers number
 * them 1, 2, 3... so the sparse path is for odd or hostile files. */
#define DENSE_CODE_LIMIT 65536u

/* sf_dw_spec.fast_width: the little-endian forms whose value is just
 * their bytes (or nothing), which is what nearly every DIE uses. */
static int8_t fast_width(uint16_t form, unsigned offset_size)
{
	switch (form) {
	case DW_FORM_data1: case DW_FORM_ref1: case DW_FORM_flag:
		return 1;
	case DW_FORM_data2: case DW_FORM_ref2:
		return 2;
	case DW_FORM_data4: case DW_FORM_ref4:
		return 4;
	case DW_FORM_data8: case DW_FORM_ref8:
		return 8;
	case DW_FORM_strp: case DW_FORM_line_strp: case DW_FORM_sec_offset:
		return offset_size == 8 ? 8 : 4;
	case DW_FORM_flag_present: case DW_FORM_implicit_const:
		return 0;
	default:
		return -1;
	}
}

/* Attributes a digest cannot take as raw bytes (see sf_dw_abbrev.special). */
static bool digest_special(uint16_t name, uint16_t form)
{
	switch (form) {
	case DW_FORM_ref1: case DW_FORM_ref2: case DW_FORM_ref4: case DW_FORM_ref8:
	case DW_FORM_ref_udata: case DW_FORM_ref_addr: case DW_FORM_ref_sig8:
	case DW_FORM_GNU_ref_alt: case DW_FORM_ref_sup4: case DW_FORM_ref_sup8:
	case DW_FORM_string: case DW_FORM_strp: case DW_FORM_line_strp: case DW_FORM_strx:
	case DW_FORM_strx1: case DW_FORM_strx2: case DW_FORM_strx3: case DW_FORM_strx4:
	case DW_FORM_GNU_str_index: case DW_FORM_GNU_strp_alt: case DW_FORM_strp_sup:
		return true;
	default:
		return sf__dw_digest_skips(name) || name == DW_AT_decl_file || name == DW_AT_external ||
		       name == DW_AT_declaration;
	}
}

/* Bits of the bytes [at, at + width) of a 16-byte little-endian pair. */
static void keep_clear(uint64_t keep[2], size_t at, size_t width)
{
	/* Bytes [from, to) of word w, for each of the two words: masks, not
	 * a loop per byte (every declaration of every unit comes here). */
	for (size_t w = 0; w < 2; w++) {
		size_t from = at > 8 * w ? at - 8 * w : 0, to = at + width > 8 * w ? at + width - 8 * w : 0;
		uint64_t upto, below;
		from = from < 8 ? from : 8;
		to = to < 8 ? to : 8;
		if (from >= to)
			continue;
		upto = to == 8 ? ~UINT64_C(0) : (UINT64_C(1) << (8 * to)) - 1;
		below = (UINT64_C(1) << (8 * from)) - 1;
		keep[w] &= ~(upto & ~below);
	}
}

/* The step of small_ops for raw_act's spec `spec`. */
static uint8_t small_kind(const sf_dw_spec *spec)
{
	const bool flag_byte = spec->form == DW_FORM_flag;

	if (spec->name == DW_AT_external)
		return flag_byte ? SF_DW_SMALL_EXTERNAL : SF_DW_SMALL_OTHER;
	if (spec->name == DW_AT_declaration)
		return flag_byte ? SF_DW_SMALL_DECLARATION : SF_DW_SMALL_OTHER;
	if (spec->name == DW_AT_decl_file)
		return spec->fast_width > 0 ? SF_DW_SMALL_FILE : SF_DW_SMALL_OTHER;
	switch (spec->form) {
	case DW_FORM_ref1: case DW_FORM_ref2: case DW_FORM_ref4: case DW_FORM_ref8:
		return SF_DW_SMALL_REF;
	case DW_FORM_strp:
		return SF_DW_SMALL_STRP;
	default:
		return SF_DW_SMALL_OTHER;
	}
}

/* sf_dw_abbrev.small_shape of small_ops. */
static uint8_t small_shape(const sf_dw_abbrev *a)
{
	static const uint8_t kinds[3] = { SF_DW_SMALL_STRP, SF_DW_SMALL_FILE, SF_DW_SMALL_REF };
	uint8_t shape = 0;
	unsigned k = 0;

	if (a->small_flags)
		return 0;
	/* Each kind at most once and in this order; nothing else. */
	for (unsigned step = 0; step < 3 && k < a->small_count; step++) {
		if (a->small_ops[k].kind == kinds[step]) {
			shape |= (uint8_t)(1u << step);
			k++;
		}
	}
	return k == a->small_count ? shape : 0;
}

/* small_ops and small_flags from raw_act, spec i's value at byte at[i];
 * too many steps for small_ops leave the declaration to the general raw
 * digest. */
static void plan_small_ops(sf_dw_abbrev *a, const sf_dw_spec *specs, const int *at)
{
	for (uint64_t m = a->raw_act; m; m &= m - 1) {
		const unsigned i = (unsigned)__builtin_ctzll(m);
		const sf_dw_spec *spec = &specs[i];
		sf_dw_small_op *op;
		if (spec->form == DW_FORM_flag_present &&
		    (spec->name == DW_AT_external || spec->name == DW_AT_declaration)) {
			a->small_flags |= spec->name == DW_AT_external ? 1 : 2;
			continue;
		}
		if (a->small_count == SF_DW_SMALL_OPS) {
			a->raw_small = false;
			return;
		}
		op = &a->small_ops[a->small_count++];
		op->kind = small_kind(spec);
		op->at = (uint8_t)at[i];
		op->width = (uint8_t)(spec->fast_width > 0 ? spec->fast_width : 0);
		op->spec = (uint8_t)i;
	}
	a->small_shape = small_shape(a);
}

/* raw_keep, raw_act and the steps for the specs of `special`, spec i's
 * value at byte at[i] of the `size` bytes hashed. */
static void plan_steps(sf_dw_abbrev *a, const sf_dw_spec *specs, uint64_t special, const int *at, size_t size)
{
	keep_clear(a->raw_keep, size, 16);
	for (uint64_t m = special; m; m &= m - 1) {
		const unsigned i = (unsigned)__builtin_ctzll(m);
		const sf_dw_spec *spec = &specs[i];
		const bool flag = spec->name == DW_AT_external || spec->name == DW_AT_declaration;
		const bool strp = spec->form == DW_FORM_strp && spec->name != DW_AT_decl_file;
		/* Flags and strp offsets keep their bytes; strp offsets
		 * are still looked at, for their bound. */
		if (!flag && !strp)
			keep_clear(a->raw_keep, (size_t)at[i], (size_t)spec->fast_width);
		if (!sf__dw_digest_skips(spec->name) || flag || strp)
			a->raw_act |= UINT64_C(1) << i;
	}
	plan_small_ops(a, specs, at);
}

/*
 * raw_small, raw_keep and raw_act (see sf_dw_abbrev): the masks and the
 * list of specs a small raw digest looks at, worked out once per
 * declaration instead of per DIE, as die_digest_attrs.c's mix_attrs_raw()
 * would for a unit whose strp offsets stand for their text.
 */
static void plan_small(sf_dw_abbrev *a, const sf_dw_spec *specs)
{
	int at[64];

	a->raw_small = a->raw_digest && a->fixed_size <= 16;
	a->raw_keep[0] = a->raw_keep[1] = ~UINT64_C(0);
	a->raw_act = 0;
	a->small_count = 0;
	a->small_flags = 0;
	a->small_shape = 0;
	a->string_led = false;
	if (!a->raw_small)
		return;
	for (uint32_t i = 0; i < a->spec_count; i++)
		at[i] = specs[i].fixed_offset;
	plan_steps(a, specs, a->special, at, (size_t)a->fixed_size);
}

/*
 * string_led (see sf_dw_abbrev): gcc writes names of up to three
 * characters in the DIE (DW_FORM_string), which leaves every member
 * named so without fixed offsets.  When the name comes first and all
 * else has a fixed size, the small plan is made for the attributes after
 * the name, at offsets from its end.
 */
static void plan_string_led(sf_dw_abbrev *a, const sf_dw_spec *specs, const sf_dw_unit *unit)
{
	uint64_t special = 0;
	int at[64];
	int size = 0;

	if (a->raw_small || a->has_indirect || a->spec_count < 2 || a->spec_count > 64 ||
	    specs[0].name != DW_AT_name || specs[0].form != DW_FORM_string)
		return;
	for (uint32_t i = 1; i < a->spec_count; i++) {
		int width = sf__dw_form_size(specs[i].form, unit->offset_size, unit->address_size, unit->version);
		if (width < 0 || size + width > 16)
			return;
		if (digest_special(specs[i].name, specs[i].form)) {
			if (specs[i].fast_width < 0)
				return;
			special |= UINT64_C(1) << i;
		}
		at[i] = size;
		size += width;
	}
	/* plan_small_ops() clears raw_small when the steps do not fit. */
	a->raw_small = true;
	plan_steps(a, specs, special, at, (size_t)size);
	a->string_led = a->raw_small;
	a->raw_small = false;
	a->small_shape = 0;
	a->tail_size = (uint8_t)size;
}

/*
 * Tags of code and its data, which a struct digest never takes in: a
 * third of a kernel unit's declarations, each planned for nothing.  A
 * digest that met one anyway would take its attributes the general way,
 * as for any declaration without a plan.
 */
static bool never_digested(uint16_t tag)
{
	switch (tag) {
	case DW_TAG_subprogram: case DW_TAG_lexical_block: case DW_TAG_inlined_subroutine:
	case DW_TAG_variable: case DW_TAG_label: case DW_TAG_call_site:
	case DW_TAG_call_site_parameter: case DW_TAG_GNU_call_site: case DW_TAG_GNU_call_site_parameter:
	case DW_TAG_compile_unit: case DW_TAG_partial_unit: case DW_TAG_imported_unit:
	case DW_TAG_imported_declaration: case DW_TAG_imported_module: case DW_TAG_dwarf_procedure:
		return true;
	default:
		return false;
	}
}

/* Sets a->special and a->raw_digest once its specs are read. */
static void plan_digest(sf_dw_abbrev *a, const sf_dw_spec *specs, const sf_dw_unit *unit)
{
	const bool digested = !never_digested(a->tag);

	a->special = 0;
	a->raw_digest = digested && !a->has_indirect && a->fixed_size >= 0 && a->fixed_size <= SF_DW_RAW_LIMIT &&
			a->spec_count <= 64;
	for (uint32_t i = 0; a->raw_digest && i < a->spec_count; i++) {
		if (!digest_special(specs[i].name, specs[i].form))
			continue;
		a->special |= UINT64_C(1) << i;
		if (specs[i].fast_width < 0)
			a->raw_digest = false;
	}
	if (!a->raw_digest)
		a->special = 0;
	/* Clears every plan, then plans the small raw digest. */
	plan_small(a, specs);
	if (digested)
		plan_string_led(a, specs, unit);
}

/*
 * Decoded tables kept before sf__dw_cursor_trim() drops them.  Units that
 * share a table (type units, dwz, some linkers) find it decoded; but
 * most compilers give every compile unit a table of its own, so a kernel
 * decoded one per unit and kept them all: 52 MB, two fifths of the peak
 * memory of a Debian vmlinux report, each page first touched at a fault.
 * Dropped, a table costs one more decode, and the blocks go round.
 */
#define KEEP_BYTES (UINT64_C(4) << 20)

int sf__dw_cursor_init(sf_dw_cursor *cursor, const sf_dw_image *image)
{
	memset(cursor, 0, sizeof(*cursor));
	cursor->image = image;
	cursor->pool.limit = KEEP_BYTES / SF_ARENA_BLOCK_BYTES;
	return sf__arena_new_pooled(&cursor->arena, &cursor->pool) < 0 ? sf__fail(SF_ENOMEM, "out of memory")
									 : 0;
}

void sf__dw_cursor_release(sf_dw_cursor *cursor)
{
	sf__arena_free(cursor->arena);
	sf__arena_pool_release(&cursor->pool);
	sf__hashmap_free(&cursor->abbrevs);
	memset(cursor, 0, sizeof(*cursor));
}

int sf__dw_cursor_trim(sf_dw_cursor *cursor)
{
	sf_arena *fresh;

	if (sf__arena_used(cursor->arena) <= KEEP_BYTES)
		return 0;
	/* It takes no block before the old arena gives its blocks back. */
	if (sf__arena_new_pooled(&fresh, &cursor->pool) < 0)
		return sf__fail(SF_ENOMEM, "out of memory");
	sf__arena_free(cursor->arena);
	cursor->arena = fresh;
	sf__hashmap_free(&cursor->abbrevs);
	cursor->last = NULL;
	cursor->last_unit = NULL;
	return 0;
}

typedef struct grow {
	void *items;
	size_t count;
	size_t capacity;
} grow;

static void *grow_push(grow *g, size_t size)
{
	if (g->count == g->capacity) {
		size_t capacity = g->capacity ? g->capacity * 2 : 32;
		void *items = realloc(g->items, capacity * size);
		if (!items)
			return NULL;
		g->items = items;
		g->capacity = capacity;
	}
	return (char *)g->items + size * g->count++;
}

static int corrupt_abbrev(const sf_dw_cursor *cursor, uint64_t offset, const char *what)
{
	return sf__fail(SF_EINVALID, "%s: corrupt DWARF: %s in abbreviation table at 0x%llx",
			sf__dw_image_name(cursor->image), what, (unsigned long long)offset);
}

static int cmp_abbrev(const void *a, const void *b)
{
	const sf_dw_abbrev *x = a, *y = b;
	return x->code < y->code ? -1 : x->code > y->code;
}

/* Mixes one word into the declaration's list hash. */
static inline void hash_word(sf_dw_abbrev *a, uint64_t word)
{
	a->list_lo = (a->list_lo ^ word) * UINT64_C(0x9e3779b97f4a7c15);
	a->list_lo ^= a->list_lo >> 29;
	a->list_hi = ((a->list_hi ^ word) * UINT64_C(0xc4ceb9fe1a85ec53)) + UINT64_C(0x52dce729);
	a->list_hi ^= a->list_hi >> 31;
}

/* Mixes one (name, form) pair into the declaration's list hash. */
static inline void hash_spec(sf_dw_abbrev *a, uint64_t name, uint64_t form)
{
	hash_word(a, name << 16 | form);
}

/*
 * Reads the attribute list of declaration `a` at *p into `specs`, with
 * each spec's fixed offset and fast width for this unit's shape.  The
 * specs are copied out once the whole table is read, so a->specs holds
 * the index of the first one until then.
 */
static inline int decode_specs(const sf_dw_cursor *cursor, const sf_dw_unit *unit, const uint8_t **p,
			       const uint8_t *end, sf_dw_abbrev *a, grow *specs)
{
	size_t first_spec = specs->count;
	int64_t fixed = 0;

	for (;;) {
		uint64_t name = 0, form = 0;
		int64_t implicit = 0;
		sf_dw_spec *spec;
		if (!sf__dw_uleb(p, end, &name) || !sf__dw_uleb(p, end, &form))
			return corrupt_abbrev(cursor, unit->abbrev_offset, "truncated attribute list");
		if (name == 0 && form == 0)
			break;
		if (form == DW_FORM_implicit_const && !sf__dw_sleb(p, end, &implicit))
			return corrupt_abbrev(cursor, unit->abbrev_offset, "truncated implicit constant");
		if (name > 0xffff || form > 0xffff || !sf__dw_form_known((uint16_t)form))
			return corrupt_abbrev(cursor, unit->abbrev_offset, "unknown attribute form");
		spec = grow_push(specs, sizeof(*spec));
		if (!spec)
			return sf__fail(SF_ENOMEM, "out of memory");
		spec->name = (uint16_t)name;
		spec->form = (uint16_t)form;
		spec->implicit_const = implicit;
		spec->fast_width = fast_width((uint16_t)form, unit->offset_size);
		a->name_bits |= UINT64_C(1) << (name % 64);
		if (form == DW_FORM_indirect)
			a->has_indirect = true;
		if (name != DW_AT_sibling)
			hash_spec(a, name, form);
		/* The value is the declaration's, not the DIE's: raw digests
		 * find it nowhere else.  But for decl_file, which they take by
		 * the file's name (its number differs from unit to unit), and
		 * for those they skip.
		 * The marker word is no (name, form) pair (those have 32
		 * bits), and a value always follows it. */
		if (form == DW_FORM_implicit_const && name != DW_AT_decl_file &&
		    !sf__dw_digest_skips((uint16_t)name)) {
			hash_word(a, UINT64_C(0x696d706c) << 32);
			hash_word(a, (uint64_t)implicit);
		}
		spec->fixed_offset = fixed >= 0 && fixed <= SF_DW_FIXED_LIMIT ? (int)fixed : -1;
		if (fixed >= 0) {
			int size = sf__dw_form_size((uint16_t)form, unit->offset_size, unit->address_size,
						    unit->version);
			fixed = size < 0 ? -1 : fixed + size;
		}
	}
	a->specs = (const sf_dw_spec *)(uintptr_t)first_spec;
	a->spec_count = (uint32_t)(specs->count - first_spec);
	a->fixed_size = fixed >= 0 && fixed < INT32_MAX ? (int32_t)fixed : -1;
	a->all_fixed = a->fixed_size >= 0 && a->spec_count &&
		       ((const sf_dw_spec *)specs->items)[specs->count - 1].fixed_offset >= 0;
	/* No spec at all (a DIE without attributes) leaves `items` NULL. */
	plan_digest(a, specs->items ? (const sf_dw_spec *)specs->items + first_spec : NULL, unit);
	return 0;
}

/* Copies the declarations and their specs into the cursor's arena: by
 * code when codes are small and dense, else sorted for binary search. */
static int store_table(sf_dw_cursor *cursor, const grow *decls, const grow *specs, uint64_t max_code,
		       sf_dw_abbrevs *table)
{
	sf_dw_spec *all = NULL;
	sf_dw_abbrev *list = decls->items;

	if (specs->count) {
		all = sf__arena_array_uninit(cursor->arena, specs->count, sizeof(*all));
		if (!all)
			return sf__fail(SF_ENOMEM, "out of memory");
		memcpy(all, specs->items, specs->count * sizeof(*all));
	}
	/* specs held indexes until now; no attribute at all leaves `all` NULL. */
	for (size_t i = 0; i < decls->count; i++)
		list[i].specs = all ? all + (size_t)(uintptr_t)list[i].specs : NULL;
	if (max_code < DENSE_CODE_LIMIT && max_code <= 4 * decls->count + 64) {
		table->dense = sf__arena_calloc(cursor->arena, (size_t)max_code + 1, sizeof(sf_dw_abbrev));
		if (!table->dense)
			return sf__fail(SF_ENOMEM, "out of memory");
		table->dense_count = (size_t)max_code + 1;
		/* The first declaration of a code wins, as in a lookup by scan. */
		for (size_t i = decls->count; i-- > 0;)
			table->dense[list[i].code] = list[i];
	} else if (decls->count) {
		qsort(list, decls->count, sizeof(*list), cmp_abbrev);
		table->sparse = sf__arena_array_uninit(cursor->arena, decls->count, sizeof(sf_dw_abbrev));
		if (!table->sparse)
			return sf__fail(SF_ENOMEM, "out of memory");
		memcpy(table->sparse, list, decls->count * sizeof(*list));
		table->sparse_count = decls->count;
	}
	return 0;
}

static int decode_abbrevs(sf_dw_cursor *cursor, const sf_dw_unit *unit, sf_dw_abbrevs *table)
{
	const sf_dwarf_bytes *section = &cursor->image->spaces[unit->space].sections->abbrev;
	const uint8_t *p, *end;
	grow decls = { 0 }, specs = { 0 };
	uint64_t max_code = 0;
	int res = 0;

	if (!section->data || unit->abbrev_offset >= section->size)
		return corrupt_abbrev(cursor, unit->abbrev_offset, "offset outside .debug_abbrev");
	p = section->data + unit->abbrev_offset;
	end = section->data + section->size;
	for (;;) {
		uint64_t code = 0, tag = 0;
		sf_dw_abbrev *a;

		if (!sf__dw_uleb(&p, end, &code)) {
			res = corrupt_abbrev(cursor, unit->abbrev_offset, "truncated table");
			goto done;
		}
		if (code == 0)
			break;
		if (!sf__dw_uleb(&p, end, &tag) || p >= end || tag > 0xffff) {
			res = corrupt_abbrev(cursor, unit->abbrev_offset, "bad tag");
			goto done;
		}
		a = grow_push(&decls, sizeof(*a));
		if (!a) {
			res = sf__fail(SF_ENOMEM, "out of memory");
			goto done;
		}
		a->code = code;
		a->tag = (uint16_t)tag;
		a->has_children = *p++ != 0;
		a->list_lo = UINT64_C(0x452821e638d01377);
		a->list_hi = UINT64_C(0xbe5466cf34e90c6c);
		a->has_indirect = false;
		a->name_bits = 0;
		res = decode_specs(cursor, unit, &p, end, a, &specs);
		if (res < 0)
			goto done;
		/* The tag and the children flag close the list, as a pair no
		 * real (name, form) makes (names and forms have 16 bits). */
		hash_spec(a, UINT64_C(0x746167) << 16 | a->tag, a->has_children);
		if (code > max_code)
			max_code = code;
	}
	res = store_table(cursor, &decls, &specs, max_code, table);
done:
	free(decls.items);
	free(specs.items);
	return res;
}

int sf__dw_abbrevs_for(sf_dw_cursor *cursor, const sf_dw_unit *unit, const sf_dw_abbrevs **out)
{
	uint64_t hash;
	size_t cursor_pos = 0;
	sf_dw_abbrevs *t;
	int res;

	/* Every DIE decode comes here: the common case must not hash. */
	if (cursor->last && sf__dw_abbrevs_fit(cursor->last, unit)) {
		cursor->last_unit = unit;
		*out = cursor->last;
		return 0;
	}
	hash = sf__hash_u64(sf__hash_u64(SF_HASH_SEED, unit->abbrev_offset),
			    ((uint64_t)(unit->space == SF_DW_ALT) << 24) |
			    ((uint64_t)unit->offset_size << 16) |
			    ((uint64_t)unit->address_size << 8) | unit->version);
	while ((t = sf__hashmap_next(&cursor->abbrevs, hash, &cursor_pos))) {
		if (sf__dw_abbrevs_fit(t, unit)) {
			cursor->last = t;
			cursor->last_unit = unit;
			*out = t;
			return 0;
		}
	}
	t = sf__arena_alloc(cursor->arena, sizeof(*t));
	if (!t)
		return sf__fail(SF_ENOMEM, "out of memory");
	t->offset = unit->abbrev_offset;
	t->space_file = unit->space == SF_DW_ALT;
	t->offset_size = unit->offset_size;
	t->address_size = unit->address_size;
	t->version = unit->version;
	res = decode_abbrevs(cursor, unit, t);
	if (res < 0)
		return res;
	if (sf__hashmap_insert(&cursor->abbrevs, hash, t) < 0)
		return sf__fail(SF_ENOMEM, "out of memory");
	cursor->last = t;
	cursor->last_unit = unit;
	*out = t;
	return 0;
}
