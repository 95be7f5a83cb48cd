/* The baseline document: the report's JSON schema trimmed to what the gate compares. */
#include <structfit/gate.h>
#include <structfit/structfit.h>

#include "gate/snapshot.h"
#include "util/buf.h"
#include "util/fail.h"
#include "util/json_write.h"

/*
 * Left out on purpose, so a baseline only changes when a layout does:
 * cache-line crossings, member declaration lines and the index of the
 * input a struct came from.  Declaration paths are written relative to the
 * source root when under it (sf_snapshot_set_source_root).
 */


static void holes(sf_buf *buf, const sf_snap_struct *s, uint32_t owner)
{
	bool first = true;

	sf__json_key(buf, "holes", false);
	sf__buf_putc(buf, '[');
	for (uint32_t i = 0; i < s->hole_count; i++) {
		if (s->holes[i].owner != owner)
			continue;
		sf__json_next(buf, first);
		sf__buf_putc(buf, '{');
		sf__json_u64_field(buf, "offset", s->holes[i].offset, true);
		sf__json_u64_field(buf, "size", s->holes[i].size, false);
		sf__buf_putc(buf, '}');
		first = false;
	}
	sf__buf_putc(buf, ']');
	first = true;
	sf__json_key(buf, "bit_holes", false);
	sf__buf_putc(buf, '[');
	for (uint32_t i = 0; i < s->bit_hole_count; i++) {
		if (s->bit_holes[i].owner != owner)
			continue;
		sf__json_next(buf, first);
		sf__buf_putc(buf, '{');
		sf__json_u64_field(buf, "bit_offset", s->bit_holes[i].bit_offset, true);
		sf__json_u64_field(buf, "bits", s->bit_holes[i].bits, false);
		sf__buf_putc(buf, '}');
		first = false;
	}
	sf__buf_putc(buf, ']');
}

/* Emits the members at `depth` starting at *at; returns with *at past the body. */
static void members(sf_buf *buf, const sf_snap_struct *s, uint32_t *at, uint32_t depth)
{
	bool first = true;

	sf__json_key(buf, "members", false);
	sf__buf_putc(buf, '[');
	while (*at < s->member_count && s->members[*at].depth == depth) {
		uint32_t self = (*at)++;
		const sf_snap_member *m = &s->members[self];

		sf__json_next(buf, first);
		sf__buf_putc(buf, '{');
		first = false;
		sf__json_u64_field(buf, "index", m->index, true);
		sf__json_string_field(buf, "name", m->name, false);
		sf__json_string_field(buf, "type", m->type, false);
		sf__json_u64_field(buf, "offset", m->offset, false);
		sf__json_u64_field(buf, "size", m->size, false);
		sf__json_u64_field(buf, "align", m->align, false);
		sf__json_u64_or_null_field(buf, "bit_offset", m->bit_offset, m->bit_size != 0, false);
		sf__json_u64_or_null_field(buf, "bit_size", m->bit_size, m->bit_size != 0, false);
		if (m->body) {
			sf__json_string_field(buf, "kind", m->body_kind, false);
			members(buf, s, at, depth + 1);
			holes(buf, s, self);
		}
		sf__buf_putc(buf, '}');
	}
	sf__buf_putc(buf, ']');
}

static void one_struct(sf_buf *buf, const sf_snap_struct *s)
{
	uint32_t at = 0;

	sf__buf_putc(buf, '{');
	sf__json_string_field(buf, "kind", s->kind, true);
	sf__json_string_field(buf, "name", s->name, false);
	sf__json_string_field(buf, "typedef_name", s->typedef_name, false);
	sf__json_u64_field(buf, "size", s->size, false);
	sf__json_u64_field(buf, "align", s->align, false);
	sf__json_bool_field(buf, "align_certain", s->align_certain, false);
	sf__json_bool_field(buf, "packed", s->packed, false);
	sf__json_string_field(buf, "decl_file", s->decl_rel, false);
	sf__json_u64_or_null_field(buf, "decl_line", s->decl_line, s->decl_line != 0, false);
	sf__json_u64_field(buf, "cachelines", s->cachelines, false);
	holes(buf, s, SF_SNAP_TOP);
	sf__json_u64_field(buf, "padding", s->padding, false);
	sf__json_u64_field(buf, "bit_padding", s->bit_padding, false);
	members(buf, s, &at, 0);
	sf__buf_putc(buf, '}');
}

int sf_emit_snapshot(sf_buf *buf, const sf_snapshot *snap)
{
	sf__buf_putc(buf, '{');
	sf__json_string_field(buf, "tool", "structfit", true);
	sf__json_string_field(buf, "version", sf_version(), false);
	sf__json_string_field(buf, "document", "snapshot", false);
	sf__json_u64_field(buf, "cacheline", snap->cacheline, false);
	sf__json_line(buf, false, 0);
	sf__json_key(buf, "files", true);
	sf__buf_putc(buf, '[');
	for (size_t i = 0; i < snap->file_count; i++) {
		const sf_snap_file *f = &snap->files[i];
		sf__json_line(buf, i == 0, 0);
		sf__buf_putc(buf, '{');
		sf__json_string_field(buf, "path", f->path, true);
		sf__json_string_field(buf, "arch", f->arch, false);
		sf__json_string_field(buf, "byte_order", f->big_endian ? "big" : "little", false);
		sf__json_u64_field(buf, "address_size", f->address_size, false);
		sf__buf_putc(buf, '}');
	}
	if (snap->file_count)
		sf__json_line(buf, true, 0);
	sf__buf_putc(buf, ']');
	sf__json_line(buf, false, 0);
	sf__json_key(buf, "structs", true);
	sf__buf_putc(buf, '[');
	for (size_t i = 0; i < snap->count; i++) {
		sf__json_line(buf, i == 0, 0);
		one_struct(buf, &snap->structs[i]);
	}
	if (snap->count)
		sf__json_line(buf, true, 0);
	sf__buf_puts(buf, "]}\n");
	if (buf->failed)
		return sf__fail(SF_ENOMEM, "out of memory while writing the snapshot");
	return 0;
}
