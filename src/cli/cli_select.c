/* pahole's selection (-i, --packed, --bit-holes, --with-flexible-array) and listing (-s, -n, -f) options. */
#include "cli_select.h"

#include "cli_exit.h"
#include "cli_output.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

int cli_select_option(cli_select *sel, cli_inputs *in, int key, const char *arg)
{
	switch (key) {
	case CLI_SELECT_CONTAINS:
		sel->contains = arg;
		return 1;
	case CLI_SELECT_POINTERS_TO:
		sel->pointers_to = arg;
		return 1;
	case CLI_SELECT_BIT_HOLES:
		if (cli_parse_uint(arg, 1, UINT_MAX, &sel->min_bit_holes) != 0)
			return cli_inputs_usage_error(in, "bit-holes", arg, "a count >= 1");
		return 1;
	case CLI_SELECT_MIN_WASTE:
		if (cli_parse_uint(arg, 1, UINT_MAX, &sel->min_waste) != 0)
			return cli_inputs_usage_error(in, "min-waste", arg, "a byte count >= 1");
		return 1;
	case CLI_SELECT_TOP:
		if (cli_parse_uint(arg, 1, UINT_MAX, &sel->top) != 0)
			return cli_inputs_usage_error(in, "top", arg, "a count >= 1");
		return 1;
	case CLI_SELECT_PACKED:
		sel->packed = 1;
		return 1;
	case CLI_SELECT_FLEXIBLE:
		sel->flexible = 1;
		return 1;
	case CLI_SELECT_SIZES:
		sel->sizes = 1;
		return 1;
	case CLI_SELECT_NR_MEMBERS:
		sel->nr_members = 1;
		return 1;
	default:
		return 0;
	}
}

static const char *skip_word(const char *text, const char *word)
{
	size_t len = strlen(word);

	if (strncmp(text, word, len) == 0 && text[len] == ' ')
		return text + len + 1;
	return text;
}

/*
 * What follows TYPE in a member's C spelling ("struct inner[2]" -> "[2]",
 * "const struct inner *" -> " *"), or NULL when the member's type is not
 * spelled with TYPE.  Qualifiers and the struct/union/class keyword are
 * not part of the name users give (pahole -i inner).
 */
static const char *after_type(const char *type_name, const char *type)
{
	const char *p = type_name;
	size_t len = strlen(type);

	if (!p)
		return NULL;
	for (const char *prev = NULL; prev != p;) {
		prev = p;
		p = skip_word(p, "const");
		p = skip_word(p, "volatile");
	}
	p = skip_word(skip_word(skip_word(p, "struct"), "union"), "class");
	if (strncmp(p, type, len) != 0)
		return NULL;
	return p + len;
}

/* An embedded TYPE or array of TYPE. */
static int embeds(const char *type_name, const char *type)
{
	const char *rest = after_type(type_name, type);

	return rest && (rest[0] == '\0' || rest[0] == '[');
}

/* A pointer (to pointer...) to TYPE, or an array of them. */
static int points_to(const char *type_name, const char *type)
{
	const char *rest = after_type(type_name, type);

	if (!rest)
		return 0;
	rest += strspn(rest, " ");
	return rest[0] == '*';
}

/* Whether the filters keep struct `index`; -1 when the report cannot be read. */
static int keeps(const cli_select *sel, const sf_report *report, size_t index)
{
	sf_report_struct_info info = SF_REPORT_STRUCT_INFO_INIT;
	unsigned bit_holes = 0;
	int contains = 0;
	int flexible = 0;

	if (sf_report_struct(&info, report, index) != 0)
		return -1;
	if (sel->packed && !info.packed)
		return 0;
	if (info.sum_holes + info.padding < sel->min_waste)
		return 0;
	for (uint32_t m = 0; m < info.member_count; m++) {
		sf_report_member_info member = SF_REPORT_MEMBER_INFO_INIT;

		if (sf_report_member(&member, report, index, m) != 0)
			return -1;
		bit_holes += member.bit_hole_after > 0;
		contains |= sel->contains && embeds(member.type_name, sel->contains);
		/* pahole counts `T x[0]` as flexible too; only the last member can be. */
		flexible = (member.flags & (SF_REPORT_MEMBER_FLEXIBLE | SF_REPORT_MEMBER_ZERO_LENGTH)) != 0;
	}
	if (sel->contains && !contains)
		return 0;
	if (sel->flexible && !flexible)
		return 0;
	return bit_holes >= sel->min_bit_holes;
}

/* A struct the first report kept, told apart as the exclude hook sees structs. */
typedef struct kept_key {
	const char *name;
	const char *decl_file;
	unsigned decl_line;
} kept_key;

typedef struct kept_set {
	kept_key *keys;
	size_t count;
	cli_ignore *ignore;
} kept_set;

static int same_string(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

/* sf_report_exclude_fn: leaves out what the first report's filters dropped. */
static int not_kept(void *ctx, const char *name, const char *decl_file, unsigned decl_line)
{
	const kept_set *set = ctx;

	if (cli_ignore_marked(set->ignore, name, decl_file, decl_line))
		return 1;
	for (size_t i = 0; i < set->count; i++) {
		const kept_key *k = &set->keys[i];

		if (k->decl_line == decl_line && same_string(k->name, name) &&
		    same_string(k->decl_file, decl_file))
			return 0;
	}
	return 1;
}

static int has_filter(const cli_select *sel)
{
	return sel->contains || sel->min_bit_holes || sel->packed || sel->flexible || sel->min_waste ||
	       sel->top;
}

int cli_select_filter(const cli_select *sel, const cli_inputs *in, const sf_model *model,
		      sf_report **report)
{
	size_t count = sf_report_count(*report);
	kept_set set = { .ignore = in->ignore };
	sf_report_options opts = in->report;
	sf_report *filtered = NULL;
	int code = CLI_EXIT_OK;

	if (!has_filter(sel))
		return CLI_EXIT_OK;
	set.keys = calloc(count + 1, sizeof(*set.keys));
	if (!set.keys) {
		cli_error("out of memory");
		return CLI_EXIT_INTERNAL;
	}
	for (size_t i = 0; i < count; i++) {
		sf_report_struct_info info = SF_REPORT_STRUCT_INFO_INIT;
		int keep = keeps(sel, *report, i);

		if (keep < 0 || sf_report_struct(&info, *report, i) != 0) {
			cli_error("%s", sf_error_last());
			code = CLI_EXIT_INTERNAL;
			goto done;
		}
		/* --top counts what the other filters keep, in the report's order. */
		if (keep && (!sel->top || set.count < sel->top))
			set.keys[set.count++] = (kept_key){ info.name ? info.name : info.typedef_name,
							    info.decl_file, info.decl_line };
	}
	/* Building again keeps the library's order, conflicts and totals right. */
	opts.exclude = not_kept;
	opts.exclude_ctx = &set;
	if (sf_report_build(&filtered, model, &opts) != 0) {
		cli_error("%s", sf_error_last());
		code = CLI_EXIT_INTERNAL;
		goto done;
	}
	sf_report_free(*report);
	*report = filtered;
done:
	free(set.keys);
	return code;
}

static void list_pointers(const cli_select *sel, const sf_report *report, size_t index,
			  const char *name, uint32_t member_count, sf_buf *buf)
{
	for (uint32_t m = 0; m < member_count; m++) {
		sf_report_member_info member = SF_REPORT_MEMBER_INFO_INIT;

		if (sf_report_member(&member, report, index, m) == 0 && member.name &&
		    points_to(member.type_name, sel->pointers_to))
			cli_buf_printf(buf, "%s: %s\n", name, member.name);
	}
}

int cli_select_list(const cli_select *sel, const sf_report *report, sf_buf *buf)
{
	if (!sel->sizes && !sel->nr_members && !sel->pointers_to)
		return 0;
	for (size_t i = 0; i < sf_report_count(report); i++) {
		sf_report_struct_info info = SF_REPORT_STRUCT_INFO_INIT;
		const char *name;

		if (sf_report_struct(&info, report, i) != 0)
			continue;
		name = info.name ? info.name : info.typedef_name ? info.typedef_name : "(anonymous)";
		if (sel->pointers_to)
			list_pointers(sel, report, i, name, info.member_count, buf);
		else if (sel->sizes)
			cli_buf_printf(buf, "%s\t%llu\t%u\n", name, (unsigned long long)info.size, info.hole_count);
		else
			cli_buf_printf(buf, "%s\t%u\n", name, info.member_count);
	}
	return buf->failed ? -1 : 1;
}
