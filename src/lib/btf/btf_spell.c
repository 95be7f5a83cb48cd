/* C spellings of BTF types for member type names, as the DWARF decoder writes them. */
#include "btf/btf_build.h"

#include "util/buf.h"

#include <bpf/btf.h>
#include <stdio.h>
#include <string.h>

/* Deeper declarators are loops in corrupt BTF. */
#define MAX_SPELL_DEPTH 32

static const char *name_or(const struct btf *btf, const struct btf_type *t, const char *fallback)
{
	const char *name = btf__name_by_offset(btf, t->name_off);

	return name && *name ? name : fallback;
}

/* Puts `before` and `after` around the declarator built so far. */
static void wrap(sf_buf *declarator, const char *before, const char *after)
{
	sf_buf next = SF_BUF_INIT;

	/* Spelling runs for every member type of a kernel: no printf here. */
	sf__buf_puts(&next, before);
	if (declarator->data)
		sf__buf_put(&next, declarator->data, declarator->len);
	sf__buf_puts(&next, after);
	sf_buf_free(declarator);
	*declarator = next;
}

/* `base` followed by the declarator, with a space unless it starts an array. */
static void finish(sf_buf *out, const char *qualifiers, const char *base, const sf_buf *declarator)
{
	const char *d = declarator->data ? declarator->data : "";

	sf__buf_puts(out, qualifiers);
	sf__buf_puts(out, base);
	if (*d && *d != '[')
		sf__buf_putc(out, ' ');
	sf__buf_puts(out, d);
}

static void spell(const struct btf *btf, uint32_t id, sf_buf *declarator, unsigned depth, sf_buf *out);

static void spell_proto(const struct btf *btf, const struct btf_type *t, sf_buf *declarator,
			unsigned depth, sf_buf *out)
{
	const struct btf_param *params = btf_params(t);
	sf_buf args = SF_BUF_INIT;
	uint16_t count = btf_vlen(t);

	sf__buf_printf(&args, "(");
	for (uint16_t i = 0; i < count; i++) {
		sf_buf none = SF_BUF_INIT;

		if (i)
			sf__buf_printf(&args, ", ");
		/* A last parameter of type void is the ellipsis. */
		if (params[i].type == 0 && i + 1 == count)
			sf__buf_printf(&args, "...");
		else
			spell(btf, params[i].type, &none, depth + 1, &args);
		sf_buf_free(&none);
	}
	sf__buf_printf(&args, "%s)", count ? "" : "void");
	if (declarator->data && declarator->data[0] == '*')
		wrap(declarator, "(", ")");
	wrap(declarator, "", args.data ? args.data : "()");
	sf_buf_free(&args);
	spell(btf, t->type, declarator, depth + 1, out);
}

static void spell(const struct btf *btf, uint32_t id, sf_buf *declarator, unsigned depth, sf_buf *out)
{
	const struct btf_type *t = id ? btf__type_by_id(btf, id) : NULL;
	char count[32];

	if (depth > MAX_SPELL_DEPTH || (id && !t)) {
		finish(out, "", "?", declarator);
		return;
	}
	if (!t) {
		finish(out, "", "void", declarator);
		return;
	}
	switch (btf_kind(t)) {
	case BTF_KIND_PTR:
		wrap(declarator, "*", "");
		spell(btf, t->type, declarator, depth + 1, out);
		return;
	case BTF_KIND_ARRAY:
		if (declarator->data && declarator->data[0] == '*')
			wrap(declarator, "(", ")");
		snprintf(count, sizeof(count), "[%u]", btf_array(t)->nelems);
		wrap(declarator, "", count);
		spell(btf, btf_array(t)->type, declarator, depth + 1, out);
		return;
	case BTF_KIND_FUNC_PROTO:
		spell_proto(btf, t, declarator, depth, out);
		return;
	case BTF_KIND_CONST:
	case BTF_KIND_VOLATILE:
	case BTF_KIND_RESTRICT: {
		const char *word = btf_is_const(t) ? "const" : btf_is_volatile(t) ? "volatile" : "restrict";
		const struct btf_type *target = t->type ? btf__type_by_id(btf, t->type) : NULL;

		/* After a pointer the qualifier binds to it: `char * const`. */
		if (target && btf_is_ptr(target)) {
			if (declarator->data && declarator->data[0])
				wrap(declarator, " ", "");
			wrap(declarator, word, "");
			wrap(declarator, " ", "");
			spell(btf, t->type, declarator, depth + 1, out);
		} else {
			sf__buf_printf(out, "%s ", word);
			spell(btf, t->type, declarator, depth + 1, out);
		}
		return;
	}
	case BTF_KIND_TYPE_TAG:
	case BTF_KIND_DECL_TAG:
		spell(btf, t->type, declarator, depth + 1, out);
		return;
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
	case BTF_KIND_FWD: {
		const char *tag = btf_is_union(t) || (btf_is_fwd(t) && btf_kflag(t)) ? "union " :
				  btf_is_any_enum(t) ? "enum " : "struct ";
		const char *name = name_or(btf, t, NULL);
		finish(out, tag, name ? name : "(anonymous)", declarator);
		return;
	}
	default:
		finish(out, "", name_or(btf, t, "?"), declarator);
		return;
	}
}

const char *sf__btf_spell(const struct btf *btf, uint32_t id, sf_arena *arena)
{
	sf_buf declarator = SF_BUF_INIT, out = SF_BUF_INIT;
	const char *result;

	spell(btf, id, &declarator, 0, &out);
	result = sf__arena_strdup(arena, out.data ? out.data : "?");
	sf_buf_free(&declarator);
	sf_buf_free(&out);
	return result;
}
