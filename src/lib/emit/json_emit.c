/* JSON rendering of a report, one struct per line, schema in docs/json-schema.md. */
#include <structfit/emit.h>
#include <structfit/structfit.h>

#include <inttypes.h>

#include "layout/selection.h"
#include "reorder/plan.h"
#include "util/buf.h"
#include "util/fail.h"

static void key(sf_buf *buf, const char *name, bool first)
{
	if (!first)
		sf__buf_puts(buf, ", ");
	sf__buf_printf(buf, "\"%s\": ", name);
}

static void u64_or_null(sf_buf *buf, uint64_t v, bool present)
{
	if (present)
		sf__buf_printf(buf, "%" PRIu64, v);
	else
		sf__buf_puts(buf, "null");
}

static void holes(sf_buf *buf, const sf_struct_layout *l)
{
	key(buf, "holes", false);
	sf__buf_putc(buf, '[');
	for (uint32_t i = 0; i < l->hole_count; i++)
		sf__buf_printf(buf, "%s{\"offset\": %" PRIu64 ", \"size\": %" PRIu64 "}",
			       i ? ", " : "", l->holes[i].offset, l->holes[i].size);
	sf__buf_putc(buf, ']');
	key(buf, "bit_holes", false);
	sf__buf_putc(buf, '[');
	for (uint32_t i = 0; i < l->bit_hole_count; i++)
		sf__buf_printf(buf, "%s{\"bit_offset\": %" PRIu64 ", \"bits\": %" PRIu64 "}",
			       i ? ", " : "", l->bit_holes[i].bit_offset, l->bit_holes[i].bits);
	sf__buf_putc(buf, ']');
}

static void members(sf_buf *buf, const sf_struct_layout *l)
{
	key(buf, "members", false);
	sf__buf_putc(buf, '[');
	for (uint32_t i = 0; i < l->member_count; i++) {
		const sf_member_layout *ml = &l->members[i];
		const sf_member *m = ml->member;
		bool bitfield = (m->flags & SF_MEMBER_BITFIELD) && m->bit_size;

		sf__buf_puts(buf, i ? ", {" : "{");
		key(buf, "index", true);
		sf__buf_printf(buf, "%" PRIu32, i);
		key(buf, "name", false);
		sf__buf_json_string(buf, m->name);
		key(buf, "type", false);
		sf__buf_json_string(buf, m->type_name);
		key(buf, "offset", false);
		sf__buf_printf(buf, "%" PRIu64, ml->offset);
		key(buf, "size", false);
		sf__buf_printf(buf, "%" PRIu64, m->size);
		key(buf, "align", false);
		sf__buf_printf(buf, "%" PRIu32, m->align);
		key(buf, "bit_offset", false);
		u64_or_null(buf, ml->bit_offset, bitfield);
		key(buf, "bit_size", false);
		u64_or_null(buf, m->bit_size, bitfield);
		key(buf, "decl_line", false);
		u64_or_null(buf, m->decl_line, m->decl_line != 0);
		key(buf, "crosses_cacheline", false);
		sf__buf_puts(buf, ml->crosses_cacheline ? "true" : "false");
		key(buf, "unsized", false);
		sf__buf_puts(buf, m->flags & SF_MEMBER_UNSIZED ? "true" : "false");
		/* Only where they are false, so C reports keep their shape. */
		if (m->flags & SF_MEMBER_OFFSET_UNKNOWN) {
			key(buf, "offset_known", false);
			sf__buf_puts(buf, "false");
		}
		if ((m->flags & SF_MEMBER_DECL_ONLY) && m->size == 0) {
			key(buf, "size_known", false);
			sf__buf_puts(buf, "false");
		}
		if (m->flags & SF_MEMBER_VIRTUAL_BASE) {
			key(buf, "virtual_base", false);
			sf__buf_puts(buf, "true");
		}
		if (ml->nested) {
			key(buf, "kind", false);
			sf__buf_json_string(buf, sf__struct_kind_name(ml->nested->def->kind));
			members(buf, ml->nested);
			holes(buf, ml->nested);
		}
		sf__buf_putc(buf, '}');
	}
	sf__buf_putc(buf, ']');
}

static void site(sf_buf *buf, const sf_struct *s, bool first)
{
	key(buf, "decl_file", first);
	sf__buf_json_string(buf, s->decl_file);
	key(buf, "decl_line", false);
	u64_or_null(buf, s->decl_line, s->decl_line != 0);
}

/* The reorder proposal of one struct; schema in docs/json-schema.md. */
static void proposal(sf_buf *buf, const sf_proposal *prop)
{
	key(buf, "proposal", false);
	sf__buf_putc(buf, '{');
	key(buf, "order", true);
	sf__buf_putc(buf, '[');
	for (uint32_t i = 0; i < prop->member_count; i++)
		sf__buf_printf(buf, "%s%" PRIu32, i ? ", " : "", prop->order[i]);
	sf__buf_putc(buf, ']');
	key(buf, "size", false);
	sf__buf_printf(buf, "%" PRIu64, prop->size);
	key(buf, "saves", false);
	sf__buf_printf(buf, "%" PRIu64, prop->saves);
	key(buf, "cachelines", false);
	sf__buf_printf(buf, "%" PRIu64, prop->cachelines);
	key(buf, "crossings", false);
	sf__buf_printf(buf, "%" PRIu32, prop->crossings);
	key(buf, "moved", false);
	sf__buf_printf(buf, "%" PRIu32, prop->moved);
	key(buf, "optimal", false);
	sf__buf_json_string(buf, sf_optimality_name(prop->optimal));
	key(buf, "moves_optimal", false);
	sf__buf_json_string(buf, sf_optimality_name(prop->moves_optimal));
	key(buf, "reason", false);
	sf__buf_json_string(buf, prop->reason == SF_REASON_NONE ? NULL : sf_reorder_reason_text(prop->reason));
	key(buf, "unconstrained_size", false);
	sf__buf_printf(buf, "%" PRIu64, prop->unconstrained_size);
	key(buf, "bound_by", false);
	sf__buf_printf(buf, "[%s%s%s]", (prop->bound_by & SF_RULE_BOUND_KEEP_FIRST) ? "\"keep_first\"" : "",
		       prop->bound_by == (SF_RULE_BOUND_KEEP_FIRST | SF_RULE_BOUND_CONSTRAINTS) ? ", " : "",
		       (prop->bound_by & SF_RULE_BOUND_CONSTRAINTS) ? "\"constraints\"" : "");
	sf__buf_putc(buf, '}');
}

static void struct_json(sf_buf *buf, const sf_report_entry *e, const sf_proposal *prop)
{
	const sf_struct *s = e->def;
	const sf_struct_layout *l = e->layout;

	sf__buf_putc(buf, '{');
	key(buf, "kind", true);
	sf__buf_json_string(buf, sf__struct_kind_name(s->kind));
	key(buf, "name", false);
	sf__buf_json_string(buf, s->name);
	key(buf, "typedef_name", false);
	sf__buf_json_string(buf, s->typedef_name);
	key(buf, "size", false);
	sf__buf_printf(buf, "%" PRIu64, s->size);
	key(buf, "align", false);
	sf__buf_printf(buf, "%" PRIu32, s->align);
	key(buf, "align_certain", false);
	sf__buf_puts(buf, s->align_certain ? "true" : "false");
	key(buf, "packed", false);
	sf__buf_puts(buf, s->packed ? "true" : "false");
	key(buf, "unsized", false);
	sf__buf_puts(buf, s->unsized ? "true" : "false");
	site(buf, s, false);
	key(buf, "file", false);
	sf__buf_printf(buf, "%" PRIu32, s->file_index);
	key(buf, "cachelines", false);
	sf__buf_printf(buf, "%" PRIu64, l->cachelines);
	key(buf, "sum_members", false);
	sf__buf_printf(buf, "%" PRIu64, l->sum_members);
	holes(buf, l);
	key(buf, "padding", false);
	sf__buf_printf(buf, "%" PRIu64, l->padding);
	key(buf, "bit_padding", false);
	sf__buf_printf(buf, "%" PRIu64, l->bit_padding);
	key(buf, "contents_known", false);
	sf__buf_puts(buf, l->contents_known ? "true" : "false");
	members(buf, l);
	key(buf, "abi_visible", false);
	sf__buf_puts(buf, s->abi_visible ? "true" : "false");
	key(buf, "conflicts", false);
	sf__buf_putc(buf, '[');
	for (size_t i = 0; i < e->conflict_count; i++) {
		const sf_struct *other = e->conflicts[i];
		sf__buf_puts(buf, i ? ", {" : "{");
		site(buf, other, true);
		key(buf, "size", false);
		sf__buf_printf(buf, "%" PRIu64, other->size);
		key(buf, "file", false);
		sf__buf_printf(buf, "%" PRIu32, other->file_index);
		sf__buf_putc(buf, '}');
	}
	sf__buf_putc(buf, ']');
	if (prop)
		proposal(buf, prop);
	sf__buf_putc(buf, '}');
}

int sf_emit_json(sf_buf *buf, const sf_report *report, const sf_emit_options *opts)
{
	size_t file_count = sf_model_file_count(report->model);
	const sf_plan *plan = NULL;

	/* A plan made from another report would index other structs. */
	if (opts && opts->version >= 2 && opts->plan && sf_plan_count(opts->plan) == report->count)
		plan = opts->plan;
	sf__buf_puts(buf, "{\"tool\": \"structfit\", \"version\": ");
	sf__buf_json_string(buf, sf_version());
	sf__buf_printf(buf, ", \"cacheline\": %u,\n\"files\": [", report->cacheline);
	for (size_t i = 0; i < file_count; i++) {
		const sf_file_info *f = sf_model_file(report->model, i);
		sf__buf_puts(buf, i ? ",\n{" : "\n{");
		key(buf, "path", true);
		sf__buf_json_string(buf, f->path);
		key(buf, "arch", false);
		sf__buf_json_string(buf, f->arch);
		key(buf, "byte_order", false);
		sf__buf_puts(buf, f->big_endian ? "\"big\"" : "\"little\"");
		key(buf, "address_size", false);
		sf__buf_printf(buf, "%u", f->address_size);
		sf__buf_putc(buf, '}');
	}
	sf__buf_puts(buf, file_count ? "\n],\n\"structs\": [" : "],\n\"structs\": [");
	for (size_t i = 0; i < report->count; i++) {
		sf__buf_puts(buf, i ? ",\n" : "\n");
		struct_json(buf, &report->entries[i], plan ? sf_plan_proposal(plan, i) : NULL);
	}
	sf__buf_puts(buf, report->count ? "\n]}\n" : "]}\n");
	if (buf->failed)
		return sf__fail(SF_ENOMEM, "out of memory while writing JSON");
	return 0;
}
