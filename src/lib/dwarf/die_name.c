/* Spelling DWARF types the way C declares them: `const char *const`, `int (*)[4]`. */
#include "dwarf/die_ctx.h"
#include "dwarf/die_type_cache.h"

#include <stdio.h>
#include <string.h>

#include "util/fail.h"

/*
 * A type's spelling is kept split around the place a declarator would go
 * ("int (*" + ")[4]"), so wrapping it in another pointer, array or function
 * only edits the edges: arrays and functions append to the suffix, pointers
 * to the prefix, with parentheses when the pointee is an array or function.
 */

static const char *concat(sf_die_ctx *ctx, const char *a, const char *b, const char *c)
{
	size_t la = strlen(a), lb = strlen(b), lc = strlen(c);
	char *s = sf__arena_alloc(ctx->unit->arena, la + lb + lc + 1);
	if (!s)
		return NULL;
	memcpy(s, a, la);
	memcpy(s + la, b, lb);
	memcpy(s + la + lb, c, lc);
	s[la + lb + lc] = '\0';
	return s;
}

static char last_char(const char *s)
{
	size_t n = strlen(s);
	return n ? s[n - 1] : '\0';
}

/* Separator before a `*` or `(` appended to `prefix`. */
static const char *gap_before(const char *prefix, bool paren)
{
	char c = last_char(prefix);
	if (c == '\0' || c == ' ' || c == '(')
		return "";
	if (c == '*' || c == '&')
		return paren ? " " : "";
	return " ";
}

static int set_name(sf_die_ctx *ctx, sf_die_type *t, const char *prefix, const char *suffix,
		    sf_declarator declarator)
{
	if (!prefix || !suffix)
		return sf__fail(SF_ENOMEM, "out of memory");
	t->prefix = prefix;
	t->suffix = suffix;
	t->declarator = declarator;
	t->full = suffix[0] ? concat(ctx, prefix, suffix, "") : prefix;
	if (!t->full)
		return sf__fail(SF_ENOMEM, "out of memory");
	t->named = true;
	return 0;
}

static const char *tag_keyword(uint16_t tag)
{
	switch (tag) {
	case DW_TAG_structure_type: return "struct";
	case DW_TAG_union_type: return "union";
	case DW_TAG_class_type: return "class";
	case DW_TAG_enumeration_type: return "enum";
	default: return NULL;
	}
}

static const char *qualifier_keyword(uint16_t tag)
{
	switch (tag) {
	case DW_TAG_const_type: return "const";
	case DW_TAG_volatile_type: return "volatile";
	case DW_TAG_restrict_type: return "restrict";
	case DW_TAG_atomic_type: return "_Atomic";
	default: return NULL;
	}
}

static const sf_die_type void_type = {
	.prefix = "void", .suffix = "", .full = "void", .declarator = SF_DECL_PLAIN, .named = true
};

/* "(int, char *)", "(void)", "(int, ...)", or "()" for unprototyped. */
static int parameter_list(sf_die_ctx *ctx, const sf_die *d, unsigned depth, const char **out)
{
	const char *list = "(";
	bool prototyped = false, any = false;
	sf_die child;
	int res;

	res = sf__die_flag(ctx, d, DW_AT_prototyped, &prototyped);
	if (res < 0)
		return res;
	res = sf__die_first_child(ctx, d, &child);
	while (res > 0) {
		uint16_t tag = 0;
		const char *piece = NULL;
		res = sf__die_tag(ctx, &child, &tag);
		if (res < 0)
			break;
		if (tag == DW_TAG_formal_parameter) {
			const sf_die_type *param = NULL;
			res = sf__die_target_name(ctx, &child, depth, &param);
			if (res < 0)
				break;
			piece = param->full;
		} else if (tag == DW_TAG_unspecified_parameters) {
			piece = "...";
		}
		if (piece) {
			list = concat(ctx, list, any ? ", " : "", piece);
			if (!list) {
				res = sf__fail(SF_ENOMEM, "out of memory");
				break;
			}
			any = true;
		}
		res = sf__die_next_sibling(ctx, &child);
	}
	if (res < 0) {
		sf__die_release(&child);
		return res;
	}
	list = concat(ctx, list, !any && prototyped ? "void" : "", ")");
	if (!list)
		return sf__fail(SF_ENOMEM, "out of memory");
	*out = list;
	return 0;
}

/* "[3][4]" for the subranges of an array DIE; "[]" for unknown bounds. */
static int array_dimensions(sf_die_ctx *ctx, const sf_die *d, const char **out)
{
	const char *dims = "";
	sf_die child;
	int res = sf__die_first_child(ctx, d, &child);

	while (res > 0) {
		uint16_t tag = 0;
		res = sf__die_tag(ctx, &child, &tag);
		if (res < 0)
			break;
		if (tag == DW_TAG_subrange_type || tag == DW_TAG_enumeration_type) {
			int64_t count = 0, upper = 0, lower = 0;
			char number[32];
			int has_count = sf__die_sdata(ctx, &child, DW_AT_count, &count);
			int has_upper = has_count ? 0 : sf__die_sdata(ctx, &child, DW_AT_upper_bound, &upper);
			if (has_count < 0 || has_upper < 0) {
				res = has_count < 0 ? has_count : has_upper;
				break;
			}
			int has_lower = has_upper ? sf__die_sdata(ctx, &child, DW_AT_lower_bound, &lower) : 0;
			if (has_lower < 0) {
				res = SF_EINVALID;
				break;
			}
			if (has_lower == 0)
				lower = sf__die_default_lower_bound(ctx->language);
			if (has_upper) {
				count = upper - lower + 1;
				has_count = upper >= lower - 1;
			}
			if (has_count > 0 && count >= 0)
				snprintf(number, sizeof(number), "[%lld]", (long long)count);
			else
				strcpy(number, "[]");
			dims = concat(ctx, dims, number, "");
			if (!dims) {
				res = sf__fail(SF_ENOMEM, "out of memory");
				break;
			}
		}
		res = sf__die_next_sibling(ctx, &child);
	}
	if (res < 0) {
		sf__die_release(&child);
		return res;
	}
	*out = dims[0] ? dims : "[]";
	return 0;
}

static int name_tagged(sf_die_ctx *ctx, const sf_die *d, sf_die_type *t, const char *keyword,
		       unsigned depth)
{
	const char *name = NULL;
	sf_die definition;
	int res = sf__die_string(ctx, d, DW_AT_name, &name);
	if (res >= 0)
		res = sf__die_qualified_name(ctx, d, name, &name);
	if (res < 0)
		return res;
	/* clang's stand-in for a type-unit type may carry only the signature. */
	if (!name) {
		res = sf__die_ref(ctx, d, DW_AT_signature, &definition);
		if (res < 0)
			return res;
		if (res > 0) {
			const sf_die_type *def = NULL;
			res = sf__die_type_name(ctx, &definition, depth + 1, &def);
			sf__die_release(&definition);
			if (res < 0)
				return res;
			return set_name(ctx, t, def->prefix, def->suffix, def->declarator);
		}
	}
	/* Go has no struct keyword, and its names ("[]int32", "main.T")
	 * are the types as Go spells them. */
	if (name && ctx->language == DW_LANG_Go)
		return set_name(ctx, t, concat(ctx, name, "", ""), "", SF_DECL_PLAIN);
	if (name)
		return set_name(ctx, t, concat(ctx, keyword, " ", name), "", SF_DECL_PLAIN);
	return set_name(ctx, t, concat(ctx, keyword, " {...}", ""), "", SF_DECL_PLAIN);
}

static int name_pointer(sf_die_ctx *ctx, const sf_die *d, sf_die_type *t, const char *token,
			unsigned depth)
{
	const sf_die_type *to = NULL;
	const char *open;
	int res = sf__die_target_name(ctx, d, depth, &to);
	if (res < 0)
		return res;
	if (to->declarator == SF_DECL_ARRAY || to->declarator == SF_DECL_FUNCTION) {
		open = concat(ctx, to->prefix, gap_before(to->prefix, true), "(");
		return set_name(ctx, t, open ? concat(ctx, open, token, "") : NULL,
				concat(ctx, ")", to->suffix, ""), SF_DECL_POINTER);
	}
	return set_name(ctx, t, concat(ctx, to->prefix, gap_before(to->prefix, false), token),
			to->suffix, SF_DECL_POINTER);
}

static int name_qualified(sf_die_ctx *ctx, const sf_die *d, sf_die_type *t, const char *keyword,
			  unsigned depth)
{
	const sf_die_type *to = NULL;
	int res = sf__die_target_name(ctx, d, depth, &to);
	if (res < 0)
		return res;
	/* A qualified pointer takes the qualifier after its star
	 * (`char *const`); anything else before the type (`const int`). */
	if (to->declarator == SF_DECL_POINTER)
		return set_name(ctx, t, concat(ctx, to->prefix, keyword, ""), to->suffix, SF_DECL_POINTER);
	if (to->declarator == SF_DECL_FUNCTION)
		return set_name(ctx, t, to->prefix, to->suffix, to->declarator);
	return set_name(ctx, t, concat(ctx, keyword, " ", to->prefix), to->suffix, to->declarator);
}

static int name_array(sf_die_ctx *ctx, const sf_die *d, sf_die_type *t, unsigned depth)
{
	const sf_die_type *of = NULL;
	const char *dims = NULL;
	bool vector = false;
	int res = sf__die_target_name(ctx, d, depth, &of);

	if (res >= 0)
		res = sf__die_flag(ctx, d, DW_AT_GNU_vector, &vector);
	if (res < 0)
		return res;
	if (vector) {
		/* GNU vectors are spelled with the attribute that declares them. */
		const sf_die_type *layout = NULL;
		char attribute[64];
		res = sf__die_type_layout(ctx, d, depth + 1, &layout);
		if (res < 0)
			return res;
		snprintf(attribute, sizeof(attribute), " __attribute__((vector_size(%llu)))",
			 (unsigned long long)layout->size);
		return set_name(ctx, t, concat(ctx, of->full, attribute, ""), "", SF_DECL_PLAIN);
	}
	res = array_dimensions(ctx, d, &dims);
	if (res < 0)
		return res;
	return set_name(ctx, t, of->prefix, concat(ctx, dims, of->suffix, ""), SF_DECL_ARRAY);
}

static int name_function(sf_die_ctx *ctx, const sf_die *d, sf_die_type *t, unsigned depth)
{
	const sf_die_type *ret = NULL;
	const char *params = NULL;
	int res = sf__die_target_name(ctx, d, depth, &ret);
	if (res >= 0)
		res = parameter_list(ctx, d, depth, &params);
	if (res < 0)
		return res;
	return set_name(ctx, t, ret->prefix, concat(ctx, params, ret->suffix, ""), SF_DECL_FUNCTION);
}

/*
 * Go names its pointer, array and func types as Go writes them
 * ("*main.T", "unsafe.Pointer", "[3]main.Inner", "func(int) bool"); the
 * C spelling of the same DWARF ("void *", "main.Inner[3]") would be wrong
 * for Go.  1 when `d` was spelled so, 0 when it has no name.
 */
static int go_spelling(sf_die_ctx *ctx, const sf_die *d, sf_die_type *t, uint16_t tag)
{
	const char *name = NULL;
	int res;

	if (ctx->language != DW_LANG_Go ||
	    (tag != DW_TAG_pointer_type && tag != DW_TAG_array_type && tag != DW_TAG_subroutine_type))
		return 0;
	res = sf__die_string(ctx, d, DW_AT_name, &name);
	if (res <= 0 || !name)
		return res < 0 ? res : 0;
	res = set_name(ctx, t, concat(ctx, name, "", ""), "", SF_DECL_PLAIN);
	return res < 0 ? res : 1;
}

int sf__die_target_name(sf_die_ctx *ctx, const sf_die *d, unsigned depth, const sf_die_type **out)
{
	return sf__die_target_cached(ctx, d, depth, true, sf__die_type_name, out);
}

int sf__die_type_name(sf_die_ctx *ctx, const sf_die *d, unsigned depth, const sf_die_type **out)
{
	sf_die_type *t;
	uint16_t tag = 0;
	const char *keyword;
	int res;

	if (!d) {
		*out = &void_type;
		return 0;
	}
	t = sf__die_type_slot(ctx, d);
	if (!t)
		return SF_ENOMEM;
	*out = t;
	if (t->named)
		return 0;
	if (t->name_busy)
		return sf__die_corrupt(ctx, d, "type refers to itself");
	if (depth > SF_DIE_MAX_DEPTH)
		return sf__die_too_deep(ctx, d, SF_DIE_MAX_DEPTH);
	t->name_busy = true;
	res = sf__die_tag(ctx, d, &tag);
	if (res >= 0)
		res = go_spelling(ctx, d, t, tag);
	if (res != 0) {
		res = res < 0 ? res : 0;
		goto done;
	}
	if ((keyword = tag_keyword(tag))) {
		res = name_tagged(ctx, d, t, keyword, depth);
	} else if ((keyword = qualifier_keyword(tag))) {
		res = name_qualified(ctx, d, t, keyword, depth);
	} else {
		switch (tag) {
		case DW_TAG_base_type:
		case DW_TAG_typedef:
		case DW_TAG_unspecified_type: {
			const char *name = NULL;
			res = sf__die_string(ctx, d, DW_AT_name, &name);
			if (res >= 0 && tag == DW_TAG_typedef)
				res = sf__die_qualified_name(ctx, d, name, &name);
			if (res >= 0)
				res = set_name(ctx, t, concat(ctx, name ? name : "<unnamed>", "", ""), "",
					       SF_DECL_PLAIN);
			break;
		}
		case DW_TAG_pointer_type:
			res = name_pointer(ctx, d, t, "*", depth);
			break;
		case DW_TAG_reference_type:
			res = name_pointer(ctx, d, t, "&", depth);
			break;
		case DW_TAG_rvalue_reference_type:
			res = name_pointer(ctx, d, t, "&&", depth);
			break;
		case DW_TAG_ptr_to_member_type:
			res = name_pointer(ctx, d, t, "::*", depth);
			break;
		case DW_TAG_array_type:
			res = name_array(ctx, d, t, depth);
			break;
		case DW_TAG_subroutine_type:
			res = name_function(ctx, d, t, depth);
			break;
		default:
			/* Qualifier-like tags we do not spell (DW_TAG_immutable_type,
			 * DW_TAG_packed_type...) show their target. */
			if (tag == DW_TAG_immutable_type || tag == DW_TAG_packed_type ||
			    tag == DW_TAG_shared_type) {
				const sf_die_type *to = NULL;
				res = sf__die_target_name(ctx, d, depth, &to);
				if (res >= 0)
					res = set_name(ctx, t, to->prefix, to->suffix, to->declarator);
			} else {
				res = set_name(ctx, t, "<unknown type>", "", SF_DECL_PLAIN);
			}
			break;
		}
	}
done:
	t->name_busy = false;
	return res;
}
