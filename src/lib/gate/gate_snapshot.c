/* The baseline document: the report's JSON schema trimmed to what the gate compares. */
#include <structfit/gate.h>
#include <structfit/structfit.h>

#include <inttypes.h>

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
		sf__buf_printf(buf, "%s{\"offset\": %" PRIu64 ", \"size\": %" PRIu64 "}",
			       first ? "" : ", ", s->holes[i].offset, s->holes[i].size);
		first = false;
	}
	sf__buf_putc(buf, ']');
	first = true;
	sf__json_key(buf, "bit_holes", false);
	sf__buf_putc(buf, '[');
	for (uint32_t i = 0; i < s->bit_hole_count; i++) {
		if (s->bit_holes[i].owner != owner)
			continue;
		sf__buf_printf(buf, "%s{\"bit_offset\": %" PRIu64 ", \"bits\": %" PRIu64 "}",
			       first ? "" : ", ", s->bit_holes[i].bit_offset, s->bit_holes[i].bits);
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

		sf__buf_puts(buf, first ? "{" : ", {");
		first = false;
		sf__json_key(buf, "index", true);
		sf__buf_printf(buf, "%" PRIu32, m->index);
		sf__json_string_field(buf, "name", m->name, false);
		sf__json_string_field(buf, "type", m->type, false);
		sf__buf_printf(buf, ", \"offset\": %" PRIu64 ", \"size\": %" PRIu64 ", \"align\": %" PRIu32,
			       m->offset, m->size, m->align);
		if (m->bit_size)
			sf__buf_printf(buf, ", \"bit_offset\": %" PRIu64 ", \"bit_size\": %" PRIu32,
				       m->bit_offset, m->bit_size);
		else
			sf__buf_puts(buf, ", \"bit_offset\": null, \"bit_size\": null");
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
	sf__buf_printf(buf, ", \"size\": %" PRIu64 ", \"align\": %" PRIu32 ", \"align_certain\": %s"
		       ", \"packed\": %s", s->size, s->align, s->align_certain ? "true" : "false",
		       s->packed ? "true" : "false");
	sf__json_string_field(buf, "decl_file", s->decl_rel, false);
	sf__json_key(buf, "decl_line", false);
	if (s->decl_line)
		sf__buf_printf(buf, "%" PRIu32, s->decl_line);
	else
		sf__buf_puts(buf, "null");
	sf__buf_printf(buf, ", \"cachelines\": %" PRIu64, s->cachelines);
	holes(buf, s, SF_SNAP_TOP);
	sf__buf_printf(buf, ", \"padding\": %" PRIu64 ", \"bit_padding\": %" PRIu64, s->padding,
		       s->bit_padding);
	members(buf, s, &at, 0);
	sf__buf_putc(buf, '}');
}

int sf_emit_snapshot(sf_buf *buf, const sf_snapshot *snap)
{
	sf__buf_puts(buf, "{\"tool\": \"structfit\", \"version\": ");
	sf__buf_json_string(buf, sf_version());
	sf__buf_printf(buf, ", \"document\": \"snapshot\", \"cacheline\": %u,\n\"files\": [",
		       snap->cacheline);
	for (size_t i = 0; i < snap->file_count; i++) {
		const sf_snap_file *f = &snap->files[i];
		sf__buf_puts(buf, i ? ",\n{" : "\n{");
		sf__json_string_field(buf, "path", f->path, true);
		sf__json_string_field(buf, "arch", f->arch, false);
		sf__buf_printf(buf, ", \"byte_order\": \"%s\", \"address_size\": %u}",
			       f->big_endian ? "big" : "little", f->address_size);
	}
	sf__buf_puts(buf, snap->file_count ? "\n],\n\"structs\": [" : "],\n\"structs\": [");
	for (size_t i = 0; i < snap->count; i++) {
		sf__buf_puts(buf, i ? ",\n" : "\n");
		one_struct(buf, &snap->structs[i]);
	}
	sf__buf_puts(buf, snap->count ? "\n]}\n" : "]}\n");
	if (buf->failed)
		return sf__fail(SF_ENOMEM, "out of memory while writing the snapshot");
	return 0;
}
