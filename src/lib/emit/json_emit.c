/* JSON rendering of a report, one struct per line, schema in docs/json-schema.md. */
#include <structfit/emit.h>
#include <structfit/structfit.h>

#include <inttypes.h>
#include <stdlib.h>

#include "emit/text_common.h"
#include "layout/selection.h"
#include "reorder/plan.h"
#include "util/buf.h"
#include "util/fail.h"
#include "util/json_write.h"


static void holes(sf_buf *buf, const sf_struct_layout *l)
{
	sf__json_key(buf, "holes", false);
	sf__buf_putc(buf, '[');
	for (uint32_t i = 0; i < l->hole_count; i++) {
		sf__json_next(buf, i == 0);
		sf__buf_putc(buf, '{');
		sf__json_u64_field(buf, "offset", l->holes[i].offset, true);
		sf__json_u64_field(buf, "size", l->holes[i].size, false);
		sf__buf_putc(buf, '}');
	}
	sf__buf_putc(buf, ']');
	sf__json_key(buf, "bit_holes", false);
	sf__buf_putc(buf, '[');
	for (uint32_t i = 0; i < l->bit_hole_count; i++) {
		sf__json_next(buf, i == 0);
		sf__buf_putc(buf, '{');
		sf__json_u64_field(buf, "bit_offset", l->bit_holes[i].bit_offset, true);
		sf__json_u64_field(buf, "bits", l->bit_holes[i].bits, false);
		sf__buf_putc(buf, '}');
	}
	sf__buf_putc(buf, ']');
}

static void members(sf_buf *buf, const sf_struct_layout *l)
{
	sf__json_key(buf, "members", false);
	sf__buf_putc(buf, '[');
	for (uint32_t i = 0; i < l->member_count; i++) {
		const sf_member_layout *ml = &l->members[i];
		const sf_member *m = ml->member;
		bool bitfield = (m->flags & SF_MEMBER_BITFIELD) && m->bit_size;

		sf__json_next(buf, i == 0);
		sf__buf_putc(buf, '{');
		sf__json_u64_field(buf, "index", i, true);
		sf__json_string_field(buf, "name", m->name, false);
		sf__json_string_field(buf, "type", m->type_name, false);
		sf__json_u64_field(buf, "offset", ml->offset, false);
		sf__json_u64_field(buf, "size", m->size, false);
		sf__json_u64_field(buf, "align", m->align, false);
		sf__json_u64_or_null_field(buf, "bit_offset", ml->bit_offset, bitfield, false);
		sf__json_u64_or_null_field(buf, "bit_size", m->bit_size, bitfield, false);
		sf__json_u64_or_null_field(buf, "decl_line", m->decl_line, m->decl_line != 0, false);
		sf__json_bool_field(buf, "crosses_cacheline", ml->crosses_cacheline, false);
		sf__json_bool_field(buf, "unsized", m->flags & SF_MEMBER_UNSIZED, false);
		if (l->def->go) {
			sf__json_u64_field(buf, "pointer_bytes", m->pointer_bytes, false);
		}
		/* Only where they are false, so C reports keep their shape. */
		if (m->flags & SF_MEMBER_OFFSET_UNKNOWN) {
			sf__json_bool_field(buf, "offset_known", false, false);
		}
		if ((m->flags & SF_MEMBER_DECL_ONLY) && m->size == 0) {
			sf__json_bool_field(buf, "size_known", false, false);
		}
		if (m->flags & SF_MEMBER_VIRTUAL_BASE) {
			sf__json_bool_field(buf, "virtual_base", true, false);
		}
		if (ml->nested) {
			sf__json_string_field(buf, "kind", sf__struct_kind_name(ml->nested->def->kind), false);
			members(buf, ml->nested);
			holes(buf, ml->nested);
		}
		sf__buf_putc(buf, '}');
	}
	sf__buf_putc(buf, ']');
}

static void site(sf_buf *buf, const sf_struct *s, bool first)
{
	sf__json_key(buf, "decl_file", first);
	sf__buf_json_string(buf, s->decl_file);
	sf__json_u64_or_null_field(buf, "decl_line", s->decl_line, s->decl_line != 0, false);
}

/* The cache-aware part of a proposal (only when it has one, so the output
 * of a plan without heat or hot/apart rules is unchanged). */
static void hot_set(sf_buf *buf, const sf_proposal *prop)
{
	sf__json_key(buf, "hot", false);
	sf__buf_putc(buf, '{');
	sf__json_key(buf, "members", true);
	sf__buf_printf(buf, "%" PRIu32, prop->hot_count);
	sf__json_key(buf, "lines", false);
	sf__buf_printf(buf, "%" PRIu32, prop->hot_lines);
	sf__json_key(buf, "original_lines", false);
	sf__buf_printf(buf, "%" PRIu32, prop->original_hot_lines);
	sf__json_u64_field(buf, "end", prop->hot_end, false);
	sf__json_u64_field(buf, "original_end", prop->original_hot_end, false);
	sf__json_string_field(buf, "budget_bound", sf_objective_name(prop->budget_bound), false);
	sf__json_key(buf, "shared_writers", false);
	sf__buf_printf(buf, "%" PRIu32, prop->shared_writers);
	sf__buf_putc(buf, '}');
}

/* The reorder proposal of one struct; schema in docs/json-schema.md. */
static void proposal(sf_buf *buf, const sf_proposal *prop, bool go)
{
	sf__json_key(buf, "proposal", false);
	sf__buf_putc(buf, '{');
	sf__json_key(buf, "order", true);
	sf__buf_putc(buf, '[');
	for (uint32_t i = 0; i < prop->member_count; i++) {
		sf__json_next(buf, i == 0);
		sf__json_u64(buf, prop->order[i]);
	}
	sf__buf_putc(buf, ']');
	sf__json_u64_field(buf, "size", prop->size, false);
	sf__json_u64_field(buf, "saves", prop->saves, false);
	sf__json_u64_field(buf, "cachelines", prop->cachelines, false);
	sf__json_u64_field(buf, "crossings", prop->crossings, false);
	sf__json_u64_field(buf, "moved", prop->moved, false);
	sf__json_string_field(buf, "optimal", sf_optimality_name(prop->optimal), false);
	sf__json_string_field(buf, "moves_optimal", sf_optimality_name(prop->moves_optimal), false);
	sf__json_string_field(buf, "reason", prop->reason == SF_REASON_NONE ? NULL : sf_reorder_reason_text(prop->reason), false);
	sf__json_u64_field(buf, "unconstrained_size", prop->unconstrained_size, false);
	sf__json_key(buf, "bound_by", false);
	sf__buf_putc(buf, '[');
	if (prop->bound_by & SF_RULE_BOUND_KEEP_FIRST)
		sf__buf_json_string(buf, "keep_first");
	if (prop->bound_by & SF_RULE_BOUND_CONSTRAINTS) {
		sf__json_next(buf, !(prop->bound_by & SF_RULE_BOUND_KEEP_FIRST));
		sf__buf_json_string(buf, "constraints");
	}
	if (prop->bound_by & SF_RULE_BOUND_HEAT) {
		sf__json_next(buf, !(prop->bound_by & (SF_RULE_BOUND_KEEP_FIRST | SF_RULE_BOUND_CONSTRAINTS)));
		sf__buf_json_string(buf, "heat");
	}
	sf__buf_putc(buf, ']');
	sf__json_string_field(buf, "assumed_alignment", prop->assumed_alignment, false);
	if (go) {
		sf__json_u64_field(buf, "pointer_bytes", prop->pointer_bytes, false);
		sf__json_u64_field(buf, "original_pointer_bytes", prop->original_pointer_bytes, false);
	}
	if (prop->cache_aware)
		hot_set(buf, prop);
	sf__buf_putc(buf, '}');
}

static void struct_json(sf_buf *buf, const sf_report_entry *e, const sf_proposal *prop,
			const sf_impact *impact, const sf_plan *savings, size_t index)
{
	const sf_struct *s = e->def;
	const sf_struct_layout *l = e->layout;

	sf__buf_putc(buf, '{');
	sf__json_string_field(buf, "kind", sf__struct_kind_name(s->kind), true);
	sf__json_string_field(buf, "name", s->name, false);
	sf__json_string_field(buf, "typedef_name", s->typedef_name, false);
	sf__json_u64_field(buf, "size", s->size, false);
	sf__json_u64_field(buf, "align", s->align, false);
	sf__json_bool_field(buf, "align_certain", s->align_certain, false);
	sf__json_bool_field(buf, "packed", s->packed, false);
	sf__json_bool_field(buf, "unsized", s->unsized, false);
	/* Go only, so C documents stay as they were. */
	if (s->go) {
		sf__json_string_field(buf, "language", "go", false);
		sf__json_u64_field(buf, "pointer_bytes", sf__struct_pointer_bytes(s), false);
	}
	site(buf, s, false);
	sf__json_u64_field(buf, "file", s->file_index, false);
	sf__json_u64_field(buf, "cachelines", l->cachelines, false);
	sf__json_u64_field(buf, "sum_members", l->sum_members, false);
	holes(buf, l);
	sf__json_u64_field(buf, "padding", l->padding, false);
	sf__json_u64_field(buf, "bit_padding", l->bit_padding, false);
	sf__json_bool_field(buf, "contents_known", l->contents_known, false);
	members(buf, l);
	sf__json_bool_field(buf, "abi_visible", s->abi_visible, false);
	sf__json_key(buf, "conflicts", false);
	sf__buf_putc(buf, '[');
	for (size_t i = 0; i < e->conflict_count; i++) {
		const sf_struct *other = e->conflicts[i];
		sf__json_next(buf, i == 0);
		sf__buf_putc(buf, '{');
		site(buf, other, true);
		sf__json_u64_field(buf, "size", other->size, false);
		sf__json_u64_field(buf, "file", other->file_index, false);
		sf__buf_putc(buf, '}');
	}
	sf__buf_putc(buf, ']');
	if (prop)
		proposal(buf, prop, s->go);
	if (impact)
		sf__emit_impact_json(buf, impact, savings, index);
	sf__buf_putc(buf, '}');
}

int sf_emit_json(sf_buf *buf, const sf_report *report, const sf_emit_options *opts)
{
	size_t file_count = sf_model_file_count(report->model);
	const sf_impact *impact = sf__emit_impact(report, opts);
	const sf_plan *plan = NULL;
	size_t *order = NULL;
	int error;

	/* A plan made from another report would index other structs. */
	if (opts && opts->version >= 2 && opts->plan && sf_plan_count(opts->plan) == report->count)
		plan = opts->plan;
	sf__buf_putc(buf, '{');
	sf__json_string_field(buf, "tool", "structfit", true);
	sf__json_string_field(buf, "version", sf_version(), false);
	sf__json_u64_field(buf, "cacheline", report->cacheline, false);
	sf__json_line(buf, false, 0);
	sf__json_key(buf, "files", true);
	sf__buf_putc(buf, '[');
	for (size_t i = 0; i < file_count; i++) {
		const sf_file_info *f = sf_model_file(report->model, i);
		sf__json_line(buf, i == 0, 0);
		sf__buf_putc(buf, '{');
		sf__json_string_field(buf, "path", f->path, true);
		sf__json_string_field(buf, "arch", f->arch, false);
		sf__json_string_field(buf, "byte_order", f->big_endian ? "big" : "little", false);
		sf__json_u64_field(buf, "address_size", f->address_size, false);
		sf__buf_putc(buf, '}');
	}
	if (file_count)
		sf__json_line(buf, true, 0);
	sf__buf_putc(buf, ']');
	sf__json_line(buf, false, 0);
	sf__json_key(buf, "structs", true);
	sf__buf_putc(buf, '[');
	error = sf__emit_order(&order, report, opts);
	if (error)
		return error;
	for (size_t k = 0; k < sf__emit_shown(opts, report->count); k++) {
		size_t i = order[k];
		sf__json_line(buf, k == 0, 0);
		struct_json(buf, &report->entries[i], plan ? sf_plan_proposal(plan, i) : NULL, impact,
			    sf__emit_savings_plan(report, opts), i);
	}
	free(order);
	if (report->count)
		sf__json_line(buf, true, 0);
	sf__buf_putc(buf, ']');
	if (impact)
		sf__emit_profile_json(buf, impact, report);
	sf__buf_puts(buf, "}\n");
	if (buf->failed)
		return sf__fail(SF_ENOMEM, "out of memory while writing JSON");
	return 0;
}
