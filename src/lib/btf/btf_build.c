/* From BTF types to the model's structs: members, sizes, inferred alignment. */
#include "btf/btf_build.h"

#include "util/checked.h"
#include "util/fail.h"
#include "util/name_glob.h"

#include <bpf/btf.h>
#include <stdlib.h>
#include <string.h>

/* Struct nesting by value and modifier chains deeper than these are
 * cycles or hostile input: no C type comes close. */
#define MAX_NESTING 1024
#define MAX_CHAIN 64
/* Same bound as the DWARF decoder: no real struct is near 1 TiB. */
#define MAX_OFFSET (UINT64_C(1) << 40)

/* TYPEDEF_WANTED: a typedef naming the struct matches a -C glob. */
enum { BUSY = 1u << 0, NESTED_BODY = 1u << 1, TYPEDEF_WANTED = 1u << 2 };

/* Per-load state.  Arrays are indexed by type id (type_count entries). */
typedef struct build_ctx {
	const sf__btf_source *src;
	const struct btf *btf;
	uint32_t type_count;
	sf_unit unit;
	sf_struct **built;
	uint32_t *align;            /* natural alignment cache, 0 = not yet */
	const char **typedef_name;  /* of anonymous structs, from a typedef naming them */
	const char **spelled;       /* member type names, spelled once per type */
	unsigned char *state;
	sf_typedef_list typedefs;   /* typedefs of tagged structs, for the model */
} build_ctx;

static int corrupt(const build_ctx *ctx, uint32_t id, const char *what)
{
	return sf__fail(SF_EINVALID, "%s: corrupt BTF: %s (type id %u)", ctx->src->display_name, what, id);
}

/* Type `id`, checked; id 0 (void) gives *t NULL. */
static int type_at(const build_ctx *ctx, uint32_t from, uint32_t id, const struct btf_type **t)
{
	*t = NULL;
	if (id == 0)
		return 0;
	if (id >= ctx->type_count)
		return sf__fail(SF_EINVALID, "%s: corrupt BTF: type id %u past the end (%u types), referred to by type id %u",
				ctx->src->display_name, id, ctx->type_count - 1, from);
	*t = btf__type_by_id(ctx->btf, id);
	return *t ? 0 : corrupt(ctx, id, "unreadable type");
}

static int name_at(const build_ctx *ctx, uint32_t id, uint32_t offset, const char **name)
{
	*name = btf__name_by_offset(ctx->btf, offset);
	if (!*name)
		return corrupt(ctx, id, "string offset out of range");
	if (!**name)
		*name = NULL;
	return 0;
}

static bool is_modifier(const struct btf_type *t)
{
	return btf_is_mod(t) || btf_is_typedef(t) || btf_is_decl_tag(t);
}

/* Follows typedefs, qualifiers and tags from `id` (bounded). */
static int strip(const build_ctx *ctx, uint32_t referrer, uint32_t id, bool through_typedefs,
		 uint32_t *out, const struct btf_type **t)
{
	uint32_t from = referrer;

	for (unsigned step = 0;; step++) {
		int res = type_at(ctx, from, id, t);

		if (res)
			return res;
		if (!*t || !is_modifier(*t) || (!through_typedefs && btf_is_typedef(*t)))
			break;
		if (step >= MAX_CHAIN)
			return corrupt(ctx, from, "type chain loops or is absurdly deep");
		from = id;
		id = (*t)->type;
	}
	*out = id;
	return 0;
}

static int build_struct(build_ctx *ctx, uint32_t id, unsigned depth, sf_struct **out);

/* Alignment of type `id` inside a struct on the target: natural, as BTF
 * records no alignment (a type's aligned(N) is lost). */
static int natural_align(build_ctx *ctx, uint32_t owner, uint32_t id, unsigned depth, uint32_t *align)
{
	const struct btf_type *t;
	const sf_target *target = ctx->src->target;
	sf_struct *s;
	uint32_t resolved;
	int res = strip(ctx, owner, id, true, &resolved, &t);

	*align = 1;
	if (res || !t)
		return res;
	if (ctx->align[resolved]) {
		*align = ctx->align[resolved];
		return 0;
	}
	switch (btf_kind(t)) {
	case BTF_KIND_INT:
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
		*align = sf__target_scalar_align(target, SF_SCALAR_INTEGER, t->size);
		break;
	case BTF_KIND_PTR:
		*align = sf__target_scalar_align(target, SF_SCALAR_INTEGER, target->address_size);
		break;
	case BTF_KIND_FLOAT:
		*align = sf__target_scalar_align(target, SF_SCALAR_FLOAT, t->size);
		break;
	case BTF_KIND_ARRAY:
		if (depth > MAX_NESTING)
			return corrupt(ctx, resolved, "array nesting loops");
		res = natural_align(ctx, resolved, btf_array(t)->type, depth + 1, align);
		break;
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		res = build_struct(ctx, resolved, depth + 1, &s);
		if (res == 0)
			*align = s->align;
		break;
	default:
		break;
	}
	if (res == 0 && *align)
		ctx->align[resolved] = *align;
	return res;
}

/* The struct a member's bytes hold (through typedefs), and for arrays the
 * struct of their elements, built first so merging sees them before us. */
static int member_structs(build_ctx *ctx, uint32_t owner, uint32_t type, unsigned depth, sf_member *m)
{
	const struct btf_type *t;
	uint32_t resolved;
	int res = strip(ctx, owner, type, true, &resolved, &t);

	for (unsigned step = 0; res == 0 && t && btf_is_array(t); step++) {
		if (step > MAX_CHAIN)
			return corrupt(ctx, resolved, "array of itself");
		res = strip(ctx, resolved, btf_array(t)->type, true, &resolved, &t);
		if (res == 0 && t && btf_is_composite(t))
			return build_struct(ctx, resolved, depth + 1, (sf_struct **)&m->element);
	}
	if (res)
		return res;
	if (!t) {
		/* Encoders write void for types BTF cannot say (_Atomic): the
		 * bytes are there, what they hold is not; sized by the struct. */
		m->flags |= SF_MEMBER_UNKNOWN_TYPE;
		return 0;
	}
	if (btf_is_composite(t))
		return build_struct(ctx, resolved, depth + 1, (sf_struct **)&m->nested);
	if (btf_is_fwd(t))
		m->flags |= SF_MEMBER_DECL_ONLY;
	return 0;
}

/* Array without elements: flexible at the end, GNU zero-length elsewhere. */
static int array_flags(build_ctx *ctx, uint32_t owner, uint32_t type, bool last, sf_member *m)
{
	const struct btf_type *t;
	uint32_t resolved;
	int res = strip(ctx, owner, type, true, &resolved, &t);

	if (res == 0 && t && btf_is_array(t) && btf_array(t)->nelems == 0)
		m->flags |= last ? SF_MEMBER_FLEXIBLE : SF_MEMBER_ZERO_LENGTH;
	return res;
}

static int build_member(build_ctx *ctx, uint32_t id, const struct btf_type *t, uint32_t index,
			unsigned depth, sf_member *m)
{
	const struct btf_member *bm = btf_members(t) + index;
	uint64_t bit_offset = btf_member_bit_offset(t, index);
	uint32_t bit_size = btf_member_bitfield_size(t, index);
	uint64_t end;
	const char *name;
	__s64 size;
	int res = name_at(ctx, id, bm->name_off, &name);

	if (res == 0)
		res = member_structs(ctx, id, bm->type, depth, m);
	if (res == 0)
		res = natural_align(ctx, id, bm->type, depth, &m->type_align);
	if (res == 0)
		res = array_flags(ctx, id, bm->type, index + 1 == btf_vlen(t), m);
	if (res)
		return res;
	if (m->flags & (SF_MEMBER_DECL_ONLY | SF_MEMBER_UNKNOWN_TYPE)) {
		size = 0;
	} else {
		size = btf__resolve_size(ctx->btf, bm->type);
		if (size < 0 || (uint64_t)size > MAX_OFFSET)
			return corrupt(ctx, id, "member type without a size");
	}
	m->name = name ? sf__arena_strdup(ctx->unit.arena, name) : NULL;
	if (m->flags & SF_MEMBER_UNKNOWN_TYPE)
		m->type_name = "<type not in BTF>";
	else if (!(m->type_name = ctx->spelled[bm->type]))
		m->type_name = ctx->spelled[bm->type] = sf__btf_spell(ctx->btf, bm->type, ctx->unit.arena);
	if ((name && !m->name) || !m->type_name)
		return sf__fail(SF_ENOMEM, "out of memory");
	m->size = (uint64_t)size;
	if (bit_size) {
		m->flags |= SF_MEMBER_BITFIELD;
		m->bit_size = bit_size;
		m->bit_offset = bit_offset;
		/* The type-sized, type-aligned storage unit holding the first
		 * bit, as the DWARF decoder records it. */
		m->offset = m->size ? bit_offset / (m->size * 8) * m->size : bit_offset / 8;
	} else {
		if (bit_offset % 8)
			return corrupt(ctx, id, "member at a bit offset without a bitfield size");
		m->offset = bit_offset / 8;
		m->bit_offset = bit_offset;
		if (!name && m->nested)
			m->flags |= SF_MEMBER_ANONYMOUS;
	}
	if (!sf__add_u64(m->offset, m->size, &end) || end > MAX_OFFSET)
		return corrupt(ctx, id, "member ends beyond 1 TiB");
	return 0;
}

/* Members of unknown type take the bytes up to the next member (or the
 * end); their alignment is guessed as a scalar's of that size. */
static void size_unknown_members(const build_ctx *ctx, sf_struct *s)
{
	for (uint32_t i = 0; i < s->member_count; i++) {
		sf_member *m = &s->members[i];
		uint64_t end = s->size;

		if (!(m->flags & SF_MEMBER_UNKNOWN_TYPE) || sf__member_is_bitfield(m))
			continue;
		for (uint32_t k = i + 1; s->kind != SF_UNION && k < s->member_count; k++)
			if (s->members[k].offset > m->offset) {
				end = s->members[k].offset;
				break;
			}
		m->size = end > m->offset ? end - m->offset : 0;
		m->type_align = 1;
		while (m->type_align < ctx->src->target->max_align && m->type_align * 2 <= m->size &&
		       m->size % (m->type_align * 2) == 0)
			m->type_align *= 2;
	}
}

static int build_struct(build_ctx *ctx, uint32_t id, unsigned depth, sf_struct **out)
{
	const struct btf_type *t;
	sf_struct *s;
	const char *name;
	char why[256];
	int res;

	*out = ctx->built[id];
	if (*out)
		return 0;
	if ((ctx->state[id] & BUSY) || depth > MAX_NESTING)
		return corrupt(ctx, id, "struct contains itself");
	t = btf__type_by_id(ctx->btf, id);
	res = name_at(ctx, id, t->name_off, &name);
	if (res)
		return res;
	s = sf__arena_calloc(ctx->unit.arena, 1, sizeof(*s));
	if (!s || (btf_vlen(t) && !(s->members = sf__arena_calloc(ctx->unit.arena, btf_vlen(t), sizeof(sf_member)))))
		return sf__fail(SF_ENOMEM, "out of memory");
	s->kind = btf_is_union(t) ? SF_UNION : SF_STRUCT;
	s->size = t->size;
	s->file_index = ctx->src->file_index;
	s->name = name ? sf__arena_strdup(ctx->unit.arena, name) : NULL;
	s->typedef_name = name ? NULL : ctx->typedef_name[id];
	s->is_nested_body = !name && !s->typedef_name && (ctx->state[id] & NESTED_BODY);
	if (name && !s->name)
		return sf__fail(SF_ENOMEM, "out of memory");
	ctx->state[id] |= BUSY;
	for (uint32_t i = 0; i < btf_vlen(t) && res == 0; i++, s->member_count++)
		res = build_member(ctx, id, t, i, depth, &s->members[i]);
	ctx->state[id] &= (unsigned char)~BUSY;
	if (res)
		return res;
	size_unknown_members(ctx, s);
	if (!sf__struct_members_fit(s, why, sizeof(why)))
		return sf__fail(SF_EINVALID, "%s: corrupt BTF: %s %s: %s (type id %u)", ctx->src->display_name,
				sf__struct_kind_name(s->kind), name ? name : "(anonymous)", why, id);
	sf__struct_infer_alignment(s);
	if (sf__struct_list_push(&ctx->unit.structs, s) < 0)
		return sf__fail(SF_ENOMEM, "out of memory");
	ctx->built[id] = s;
	*out = s;
	return 0;
}

static int check_ref(const build_ctx *ctx, uint32_t id, uint32_t target)
{
	const struct btf_type *t;

	return type_at(ctx, id, target, &t);
}

/*
 * Every name and every type a type refers to must exist: libbpf 1.1
 * checks the sections' bounds and the types' lengths, not references
 * (newer versions do), and a corrupt file is one error, not "?" spellings.
 */
static int check_type(const build_ctx *ctx, uint32_t id, const struct btf_type *t)
{
	const char *name;
	int res = name_at(ctx, id, t->name_off, &name);

	switch (btf_kind(t)) {
	case BTF_KIND_PTR:
	case BTF_KIND_TYPEDEF:
	case BTF_KIND_VOLATILE:
	case BTF_KIND_CONST:
	case BTF_KIND_RESTRICT:
	case BTF_KIND_TYPE_TAG:
	case BTF_KIND_DECL_TAG:
	case BTF_KIND_FUNC:
	case BTF_KIND_VAR:
	case BTF_KIND_FUNC_PROTO:
		if (res == 0)
			res = check_ref(ctx, id, t->type);
		for (uint32_t i = 0; res == 0 && btf_is_func_proto(t) && i < btf_vlen(t); i++) {
			res = name_at(ctx, id, btf_params(t)[i].name_off, &name);
			if (res == 0)
				res = check_ref(ctx, id, btf_params(t)[i].type);
		}
		break;
	case BTF_KIND_ARRAY:
		if (res == 0)
			res = check_ref(ctx, id, btf_array(t)->type);
		if (res == 0)
			res = check_ref(ctx, id, btf_array(t)->index_type);
		break;
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		for (uint32_t i = 0; res == 0 && i < btf_vlen(t); i++) {
			res = name_at(ctx, id, btf_members(t)[i].name_off, &name);
			if (res == 0)
				res = check_ref(ctx, id, btf_members(t)[i].type);
		}
		break;
	default:
		break;
	}
	return res;
}

static bool name_wanted(const build_ctx *ctx, const char *name)
{
	const sf_load_options *opts = ctx->src->opts;

	for (size_t i = 0; name && i < opts->only_name_count; i++)
		if (opts->only_names[i] && sf__name_glob_match(opts->only_names[i], name))
			return true;
	return false;
}

/* `typedef struct tag name;`: listed for the model, and the struct is
 * wanted when -C names the typedef. */
static int tagged_typedef(build_ctx *ctx, uint32_t id, const struct btf_type *t, const struct btf_type *target)
{
	const char *name = NULL, *tag = NULL;

	if (name_at(ctx, id, t->name_off, &name) || name_at(ctx, id, target->name_off, &tag))
		return SF_EINVALID;
	if (!name || !tag || strcmp(name, tag) == 0)
		return 0;
	if (ctx->src->opts->only_names && name_wanted(ctx, name))
		ctx->state[t->type] |= TYPEDEF_WANTED;
	return sf__typedef_list_add(&ctx->typedefs, name, tag, btf_is_union(target));
}

/* Typedef names of anonymous structs, and which anonymous structs are
 * the bodies of members (listed inside their parent, not on their own). */
static int scan_names(build_ctx *ctx)
{
	for (uint32_t id = 1; id < ctx->type_count; id++) {
		const struct btf_type *t = btf__type_by_id(ctx->btf, id), *target;
		uint32_t resolved = 0;
		const char *name;

		if (!t)
			return corrupt(ctx, id, "unreadable type");
		if (check_type(ctx, id, t))
			return SF_EINVALID;
		if (btf_is_typedef(t)) {
			if (type_at(ctx, id, t->type, &target) || !target || !btf_is_composite(target))
				continue;
			if (target->name_off) {
				int res = tagged_typedef(ctx, id, t, target);
				if (res)
					return res;
				continue;
			}
			if (ctx->typedef_name[t->type])
				continue;
			if (name_at(ctx, id, t->name_off, &name))
				return SF_EINVALID;
			if (name && !(ctx->typedef_name[t->type] = sf__arena_strdup(ctx->unit.arena, name)))
				return sf__fail(SF_ENOMEM, "out of memory");
		} else if (btf_is_composite(t)) {
			for (uint32_t i = 0; i < btf_vlen(t); i++) {
				if (strip(ctx, id, btf_members(t)[i].type, false, &resolved, &target) == 0 && target &&
				    btf_is_composite(target) && !target->name_off)
					ctx->state[resolved] |= NESTED_BODY;
			}
		}
	}
	return 0;
}

static bool wanted(const build_ctx *ctx, uint32_t id, const struct btf_type *t)
{
	const sf_load_options *opts = ctx->src->opts;
	const char *name = btf__name_by_offset(ctx->btf, t->name_off);

	if (!opts->only_names || !opts->only_name_count)
		return true;
	if (!name || !*name)
		name = ctx->typedef_name[id];
	return (ctx->state[id] & TYPEDEF_WANTED) || name_wanted(ctx, name);
}

int sf__btf_build(sf_model *model, const sf__btf_source *source)
{
	build_ctx ctx = { .src = source, .btf = source->btf, .type_count = btf__type_cnt(source->btf) };
	size_t n = ctx.type_count;
	int res = sf__unit_init(&ctx.unit, source->file_index);

	if (res)
		return sf__fail(SF_ENOMEM, "out of memory");
	ctx.built = calloc(n, sizeof(*ctx.built));
	ctx.align = calloc(n, sizeof(*ctx.align));
	ctx.typedef_name = calloc(n, sizeof(*ctx.typedef_name));
	ctx.state = calloc(n, 1);
	ctx.spelled = calloc(n, sizeof(*ctx.spelled));
	if (!ctx.built || !ctx.align || !ctx.typedef_name || !ctx.state || !ctx.spelled) {
		res = sf__fail(SF_ENOMEM, "out of memory");
		goto done;
	}
	res = scan_names(&ctx);
	for (uint32_t id = source->first_id; id < ctx.type_count && res == 0; id++) {
		const struct btf_type *t = btf__type_by_id(ctx.btf, id);
		sf_struct *s;

		if (btf_is_composite(t) && wanted(&ctx, id, t))
			res = build_struct(&ctx, id, 0, &s);
	}
	if (res == 0)
		res = sf__model_adopt_unit(model, &ctx.unit);
	if (res == 0)
		res = sf__typedef_list_merge(&model->typedefs, &ctx.typedefs);
done:
	sf__typedef_list_free(&ctx.typedefs);
	free(ctx.built);
	free(ctx.align);
	free(ctx.typedef_name);
	free(ctx.state);
	free(ctx.spelled);
	sf__unit_release(&ctx.unit);
	return res;
}
