/* One struct definition as text, in the format pahole prints, plus marked structfit notes. */
#include <structfit/emit.h>

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "emit/text_common.h"
#include "layout/selection.h"
#include "util/buf.h"
#include "util/fail.h"

/*
 * pahole's columns, which its users read by position: the type is padded
 * so the member name starts at column 35 whatever the nesting, and the
 * offset/size comment starts at column 57 (55 inside a top-level union).
 */
#define TYPE_WIDTH 26
#define COMMENT_COLUMN 57
#define UNION_COMMENT_COLUMN 55
/* With -E pahole widens the name column to 55 for structs and unions
 * alike, which puts the comment at 8 + 26 + 55. */
#define EXPAND_COMMENT_COLUMN 89

#define COLOR_HOLE "\033[33m"
#define COLOR_WARN "\033[31m"
#define COLOR_RESET "\033[0m"

typedef struct printer {
	sf_buf *buf;
	sf_buf line;             /* the line being assembled, for measuring */
	bool color;
	bool go;                 /* Go syntax: `type T struct {`, "name type" fields */
	bool hex;                /* offsets and sizes in hexadecimal (pahole --hex) */
	bool expand;             /* -E: struct-typed members printed inline */
	bool blank;              /* the last line written was empty */
	/* -E: the empty line after a member's notes waits for what follows;
	 * pahole writes none before the closing brace of a body. */
	bool blank_pending;
	unsigned comment_column;
	unsigned cacheline;
} printer;

static void indent(printer *p, unsigned depth)
{
	sf__buf_fill(p->buf, '\t', depth);
}

static void blank_line(printer *p)
{
	if (!p->blank)
		sf__buf_putc(p->buf, '\n');
	p->blank = true;
}

#if defined(__GNUC__)
__attribute__((format(printf, 4, 5)))
#endif
static void comment(printer *p, unsigned depth, const char *color, const char *fmt, ...)
{
	va_list ap;

	indent(p, depth);
	if (color && p->color)
		sf__buf_puts(p->buf, color);
	sf__buf_puts(p->buf, "/* ");
	va_start(ap, fmt);
	sf__buf_vprintf(p->buf, fmt, ap);
	va_end(ap);
	sf__buf_puts(p->buf, " */");
	if (color && p->color)
		sf__buf_puts(p->buf, COLOR_RESET);
	sf__buf_putc(p->buf, '\n');
	p->blank = false;
}

/* Writes the assembled line at `depth`, then the offset comment aligned
 * to the comment column (tabs count as 8). */
static void finish_line(printer *p, unsigned depth, const char *offsets)
{
	size_t width = (size_t)depth * 8 + p->line.len;

	indent(p, depth);
	if (p->line.len)
		sf__buf_put(p->buf, p->line.data, p->line.len);
	/* At least one space, then up to the column. */
	sf__buf_fill(p->buf, ' ', width + 1 < p->comment_column ? p->comment_column - width : 1);
	sf__buf_puts(p->buf, "/* ");
	sf__buf_puts(p->buf, offsets);
	sf__buf_puts(p->buf, " */\n");
	p->line.len = 0;
	p->blank = false;
}

static const char *plural(uint64_t n)
{
	return n == 1 ? "" : "s";
}

/*
 * `value` right-aligned in `width` columns at `out`, like "%*" PRIu64;
 * returns the end.  Every member line has two or three numbers, and
 * snprintf was a tenth of a whole report's time.  `out` has room for
 * max(width, 20) characters.
 */
static char *decimal(char *out, uint64_t value, unsigned width)
{
	char digits[20];
	unsigned count = 0;

	do {
		digits[sizeof(digits) - ++count] = (char)('0' + value % 10);
		value /= 10;
	} while (value);
	for (; width > count; width--)
		*out++ = ' ';
	memcpy(out, digits + sizeof(digits) - count, count);
	return out + count;
}

/* "offset size" as pahole prints them, in decimal or (--hex) like printf's %#x. */
static void offset_size(const printer *p, char *out, size_t size, uint64_t offset, uint64_t bytes)
{
	if (p->hex) {
		snprintf(out, size, "%#5" PRIx64 " %#5" PRIx64, offset, bytes);
		return;
	}
	out = decimal(out, offset, 5);
	*out++ = ' ';
	*decimal(out, bytes, 5) = '\0';
}

static void member_offsets(const printer *p, char *out, size_t size, const sf_member_layout *ml)
{
	const sf_member *m = ml->member;

	if ((m->flags & SF_MEMBER_BITFIELD) && m->bit_size) {
		uint64_t unit_bit = ml->offset * 8;
		uint64_t within = ml->bit_offset > unit_bit ? ml->bit_offset - unit_bit : 0;
		if (p->hex)
			snprintf(out, size, "%#5" PRIx64 ":%#2" PRIx64 " %#2" PRIx64, ml->offset, within, m->size);
		else {
			out = decimal(out, ml->offset, 5);
			*out++ = ':';
			out = decimal(out, within, 2);
			*out++ = ' ';
			*decimal(out, m->size, 2) = '\0';
		}
	} else if (m->flags & SF_MEMBER_OFFSET_UNKNOWN) {
		snprintf(out, size, p->hex ? "%5s %#5" PRIx64 : "%5s %5" PRIu64, "?", m->size);
	} else {
		offset_size(p, out, size, ml->offset, m->size);
	}
}

static void member_line(printer *p, unsigned depth, const sf_member_layout *ml)
{
	const sf_member *m = ml->member;
	const char *type = m->type_name ? m->type_name : "<unknown>";
	const char *name = m->name;
	size_t base_len, type_width;
	char offsets[64];

	if (p->go) {
		sf__go_field_decl(&p->line, m);
		member_offsets(p, offsets, sizeof(offsets), ml);
		finish_line(p, depth, offsets);
		return;
	}
	if (!name && (m->flags & SF_MEMBER_BASE_CLASS))
		name = "<ancestor>";
	/* -E spells a typedef'd member through its typedefs, when the loader
	 * recorded them (sf_load_options.typedef_chains); the comment column
	 * stays where it was, so the offsets move right by the prefix only
	 * when the line is too long. */
	if (p->expand && m->typedef_chain && m->resolved_type_name) {
		sf__buf_printf(&p->line, "/* typedef %s */ ", m->typedef_chain);
		type = m->resolved_type_name;
	}
	base_len = sf__declarator_base_len(type);
	type_width = depth >= 1 && (depth - 1) * 8 < TYPE_WIDTH ? TYPE_WIDTH - (depth - 1) * 8 : 0;
	/* pahole narrows the type column by 8 per level and, once that goes
	 * negative, pads to its magnitude (a printf width of -N); -E reaches
	 * such depths. */
	if (p->expand && depth >= 1 && (depth - 1) * 8 > TYPE_WIDTH)
		type_width = (depth - 1) * 8 - TYPE_WIDTH;
	/* An enum's name is padded on its own, to the column width less
	 * "enum ", which goes negative five columns earlier. */
	if (p->expand && depth >= 1 && (depth - 1) * 8 + 5 > TYPE_WIDTH && strncmp(type, "enum ", 5) == 0 &&
	    type[base_len] == '\0' && !strchr(type, '*'))
		type_width = 5 + ((depth - 1) * 8 + 5 - TYPE_WIDTH);
	sf__buf_put(&p->line, type, base_len);
	sf__buf_fill(&p->line, ' ', base_len < type_width ? type_width - base_len + 1 : 1);
	sf__declarator_rest(&p->line, type, base_len, name);
	if ((m->flags & SF_MEMBER_BITFIELD) && m->bit_size) {
		sf__buf_putc(&p->line, ':');
		sf__buf_put_u64(&p->line, m->bit_size, 0);
	}
	if (m->explicit_align)
		sf__buf_printf(&p->line, " __attribute__((__aligned__(%" PRIu32 ")))", m->explicit_align);
	sf__buf_putc(&p->line, ';');
	member_offsets(p, offsets, sizeof(offsets), ml);
	finish_line(p, depth, offsets);
}

static void body(printer *p, const sf_struct_layout *l, unsigned depth);

static void expanded_member(printer *p, unsigned depth, const sf_member_layout *ml)
{
	const sf_member *m = ml->member;
	char offsets[64];

	indent(p, depth);
	/* `const struct {...} x;` keeps its qualifiers, which the type name
	 * spells before the keyword. */
	if (m->type_name) {
		const char *keyword = strstr(m->type_name, sf__struct_kind_name(ml->nested->def->kind));
		if (keyword && keyword > m->type_name)
			sf__buf_put(p->buf, m->type_name, (size_t)(keyword - m->type_name));
	}
	sf__buf_printf(p->buf, "%s {\n", sf__struct_kind_name(ml->nested->def->kind));
	p->blank = false;
	body(p, ml->nested, depth + 1);
	sf__buf_putc(&p->line, '}');
	if (m->name)
		sf__buf_printf(&p->line, " %s", m->name);
	if (m->explicit_align)
		sf__buf_printf(&p->line, " __attribute__((__aligned__(%" PRIu32 ")))", m->explicit_align);
	sf__buf_putc(&p->line, ';');
	offset_size(p, offsets, sizeof(offsets), ml->offset, m->size);
	finish_line(p, depth, offsets);
}

/* Length of the qualifier words ("const volatile ") that open `type`. */
static size_t qualifiers_len(const char *type, size_t len)
{
	static const char *const words[] = { "const ", "volatile ", "restrict " };
	size_t at = 0;

	for (bool more = true; more;) {
		more = false;
		for (size_t w = 0; w < sizeof(words) / sizeof(words[0]); w++) {
			size_t n = strlen(words[w]);
			if (len - at >= n && strncmp(type + at, words[w], n) == 0) {
				at += n;
				more = true;
			}
		}
	}
	return at;
}

static bool starts_with_keyword(const char *text, size_t len)
{
	static const char *const keywords[] = { "struct ", "union ", "class " };

	for (size_t k = 0; k < sizeof(keywords) / sizeof(keywords[0]); k++) {
		size_t n = strlen(keywords[k]);
		if (len >= n && strncmp(text, keywords[k], n) == 0)
			return true;
	}
	return false;
}

/*
 * -E: a member whose type is a named struct, or is reached through a
 * typedef, qualifiers or an array, with its body inline.  The opening
 * keeps the spelling pahole shows ("/ * typedef inner_t * / struct inner {",
 * "const struct inner {"), the closing names the member, after the array
 * bounds for arrays, and the offset comment follows it directly, as
 * pahole prints them ("}in; / *    16     8 * /" for a plain struct type).
 */
static void expanded_typed_member(printer *p, unsigned depth, const sf_member_layout *ml)
{
	const sf_member *m = ml->member;
	const sf_struct_layout *inner = ml->nested;
	const char *type = m->type_name ? m->type_name : "";
	size_t base_len = sf__declarator_base_len(type);
	size_t quals = qualifiers_len(type, base_len);
	bool keyword = starts_with_keyword(type + quals, base_len - quals);
	/* pahole glues the name to the brace when the member's type is the
	 * struct itself; through anything else it writes a space. */
	bool glued = keyword && quals == 0 && type[base_len] == '\0';
	bool struct_body = inner->def->kind != SF_UNION;
	bool attributes = false;
	size_t header_start;
	long spacing;
	char offsets[64];

	indent(p, depth);
	header_start = p->buf->len;
	sf__buf_put(p->buf, type, quals);
	if (!keyword && m->typedef_chain) {
		sf__buf_printf(p->buf, "/* typedef %s */ ", m->typedef_chain);
	} else if (!keyword) {
		size_t name_len = base_len - quals;
		while (name_len && type[quals + name_len - 1] == ' ')
			name_len--;
		sf__buf_printf(p->buf, "/* typedef %.*s */ ", (int)name_len, type + quals);
	}
	sf__buf_puts(p->buf, sf__struct_kind_name(inner->def->kind));
	if (inner->def->name)
		sf__buf_printf(p->buf, " %s", inner->def->name);
	sf__buf_puts(p->buf, " {\n");
	/* What pahole counts against its columns: the opening line, the
	 * closing one with its tabs, and the body, which for any member is
	 * more than the columns hold. */
	spacing = inner->def->member_count ? 0 :
		  (long)TYPE_WIDTH - 8 * ((long)depth - 1) + 55 - (long)(p->buf->len - header_start) - (long)depth;
	p->blank = false;
	body(p, inner, depth + 1);
	sf__buf_putc(&p->line, '}');
	/* pahole writes a struct's attributes after its closing brace, a
	 * union's never; the type's own alignment comes after the member's
	 * name unless the name is glued to the brace. */
	if (struct_body && inner->packed_attribute) {
		sf__buf_puts(&p->line, " __attribute__((__packed__))");
		attributes = true;
	} else if (struct_body && glued && inner->def->explicit_align) {
		sf__buf_printf(&p->line, " __attribute__((__aligned__(%" PRIu32 ")))", inner->def->explicit_align);
		attributes = true;
	}
	if (m->name || type[base_len]) {
		if (!glued || attributes)
			sf__buf_putc(&p->line, ' ');
		sf__declarator_rest(&p->line, type, base_len, m->name);
	}
	if (struct_body && !glued && !inner->packed_attribute && inner->def->explicit_align)
		sf__buf_printf(&p->line, " __attribute__((__aligned__(%" PRIu32 ")))", inner->def->explicit_align);
	if (m->explicit_align)
		sf__buf_printf(&p->line, " __attribute__((__aligned__(%" PRIu32 ")))", m->explicit_align);
	sf__buf_putc(&p->line, ';');
	offset_size(p, offsets, sizeof(offsets), ml->offset, m->size);
	indent(p, depth);
	sf__buf_put(p->buf, p->line.data, p->line.len);
	/* So an empty body's closing line gets its comment in the column. */
	for (long pad = spacing - (long)p->line.len; pad > 1; pad--)
		sf__buf_putc(p->buf, ' ');
	sf__buf_printf(p->buf, " /* %s */\n", offsets);
	p->line.len = 0;
	p->blank = false;
}

static void gap_after(printer *p, const sf_struct_layout *l, uint32_t i, unsigned depth)
{
	const sf_member_layout *ml = &l->members[i];
	bool in_union = l->def->kind == SF_UNION;

	if (ml->nested_padding && !in_union) {
		blank_line(p);
		comment(p, depth, NULL, "XXX last struct has %" PRIu64 " byte%s of padding",
			ml->nested_padding, plural(ml->nested_padding));
		if (p->expand)
			p->blank_pending = true;
		else
			blank_line(p);
	}
	if (ml->bit_hole_after || ml->hole_after || ml->combined_with_next) {
		blank_line(p);
		if (ml->bit_hole_after)
			comment(p, depth, COLOR_HOLE, "XXX %" PRIu64 " bit%s hole, try to pack",
				ml->bit_hole_after, plural(ml->bit_hole_after));
		if (ml->hole_after)
			comment(p, depth, COLOR_HOLE, "XXX %" PRIu64 " byte%s hole, try to pack",
				ml->hole_after, plural(ml->hole_after));
		if (ml->combined_with_next)
			comment(p, depth, NULL, "Bitfield combined with next fields");
		if (p->expand)
			p->blank_pending = true;
		else
			blank_line(p);
	}
}

static void body(printer *p, const sf_struct_layout *l, unsigned depth)
{
	if (l->leading_bit_hole || l->leading_hole) {
		blank_line(p);
		if (l->leading_bit_hole)
			comment(p, depth, COLOR_HOLE, "XXX %" PRIu64 " bit%s hole, try to pack",
				l->leading_bit_hole, plural(l->leading_bit_hole));
		if (l->leading_hole)
			comment(p, depth, COLOR_HOLE, "XXX %" PRIu64 " byte%s hole, try to pack",
				l->leading_hole, plural(l->leading_hole));
		blank_line(p);
	}
	/* In memory order, which is where the holes are. */
	for (uint32_t k = 0; k < l->member_count; k++) {
		uint32_t i = l->order ? l->order[k] : k;
		const sf_member_layout *ml = &l->members[i];

		if (p->blank_pending)
			blank_line(p);
		p->blank_pending = false;
		if (ml->combined_with_previous) {
			blank_line(p);
			comment(p, depth, NULL, "Bitfield combined with previous fields");
			blank_line(p);
		}
		if (ml->cacheline_before) {
			uint64_t at = ml->cacheline_before * p->cacheline;
			if (ml->boundary_ago)
				comment(p, depth, NULL,
					"--- cacheline %" PRIu64 " boundary (%" PRIu64 " bytes) was %" PRIu64
					" byte%s ago ---", ml->cacheline_before, at, ml->boundary_ago,
					plural(ml->boundary_ago));
			else
				comment(p, depth, NULL, "--- cacheline %" PRIu64 " boundary (%" PRIu64
					" bytes) ---", ml->cacheline_before, at);
		}
		if (ml->member->flags & SF_MEMBER_VARIANT_PART) {
			comment(p, depth, COLOR_WARN, "structfit: variant part not modelled: offsets %"
				PRIu64 "..%" PRIu64, ml->offset, ml->offset + ml->member->size);
		} else if (ml->nested && !p->go && sf__layout_member_expands(ml->member)) {
			expanded_member(p, depth, ml);
		} else if (ml->nested && !p->go) {
			expanded_typed_member(p, depth, ml);
		} else {
			member_line(p, depth, ml);
			if (ml->crosses_cacheline)
				comment(p, depth, COLOR_WARN,
					"structfit: member crosses cacheline boundary");
			if (ml->member->flags & SF_MEMBER_UNSIZED)
				comment(p, depth, NULL, "structfit: unsized: its size is only known at run time");
			if (ml->member->flags & SF_MEMBER_OFFSET_UNKNOWN)
				comment(p, depth, COLOR_WARN,
					"structfit: virtual base: offset not known");
			if ((ml->member->flags & SF_MEMBER_DECL_ONLY) && !ml->member->size)
				comment(p, depth, COLOR_WARN,
					"structfit: size unknown: declaration only");
		}
		gap_after(p, l, i, depth);
	}
	p->blank_pending = false;
}

static void contents_note(printer *p, const sf_struct_layout *l)
{
	if (!l->contents_known)
		comment(p, 1, COLOR_WARN, "structfit: contents not fully known: %s",
			l->def->member_count ? "unknown bytes are not counted as holes or padding"
					     : "no members described, padding not counted");
}

static void summary_lines(printer *p, const sf_struct_layout *l)
{
	const sf_struct *s = l->def;

	if (s->kind == SF_UNION) {
		/* pahole prints no summary for unions, but the size matters;
		 * no blank line, so the output minus our lines is pahole's. */
		comment(p, 1, NULL, "structfit: size: %" PRIu64 ", cachelines: %" PRIu64
			", members: %" PRIu32, s->size, l->cachelines, s->member_count);
		contents_note(p, l);
		return;
	}
	blank_line(p);
	comment(p, 1, NULL, "size: %" PRIu64 ", cachelines: %" PRIu64 ", members: %" PRIu32,
		s->size, l->cachelines, s->member_count);
	/* What Go's garbage collector scans of each object. */
	if (p->go)
		comment(p, 1, NULL, "pointer bytes: %" PRIu64, sf__struct_pointer_bytes(s));
	if (s->unsized)
		comment(p, 1, NULL, "structfit: unsized: the size is the statically known part,"
			" no tail padding");
	if (s->variant_view)
		comment(p, 1, NULL, "structfit: variant of a Rust enum: the bytes outside its fields"
			" hold the tag or other variants, not holes or padding");
	if (l->hole_count || l->bit_hole_count) {
		if (l->hole_count)
			comment(p, 1, NULL, "sum members: %" PRIu64 ", holes: %" PRIu32
				", sum holes: %" PRIu64, l->sum_members, l->hole_count, l->sum_holes);
		else
			comment(p, 1, NULL, "sum members: %" PRIu64, l->sum_members);
		if (l->sum_bitfield_bits && l->bit_hole_count)
			comment(p, 1, NULL, "sum bitfield members: %" PRIu64 " bits, bit holes: %"
				PRIu32 ", sum bit holes: %" PRIu64 " bits", l->sum_bitfield_bits,
				l->bit_hole_count, l->sum_bit_holes);
		else if (l->sum_bitfield_bits)
			comment(p, 1, NULL, "sum bitfield members: %" PRIu64 " bits (%" PRIu64
				" bytes)", l->sum_bitfield_bits, l->sum_bitfield_bits / 8);
	}
	/* pahole's order: the nested paddings come between the two. */
	if (l->padding)
		comment(p, 1, NULL, "padding: %" PRIu64, l->padding);
	if (l->paddings)
		comment(p, 1, NULL, "paddings: %" PRIu32 ", sum paddings: %" PRIu64,
			l->paddings, l->sum_paddings);
	if (l->bit_padding)
		comment(p, 1, NULL, "bit_padding: %" PRIu64 " bits", l->bit_padding);
	if (l->forced_alignments && l->forced_holes)
		comment(p, 1, NULL, "forced alignments: %" PRIu32 ", forced holes: %" PRIu32
			", sum forced holes: %" PRIu64, l->forced_alignments, l->forced_holes,
			l->sum_forced_holes);
	else if (l->forced_alignments)
		comment(p, 1, NULL, "forced alignments: %" PRIu32, l->forced_alignments);
	if (l->last_cacheline)
		comment(p, 1, NULL, "last cacheline: %" PRIu64 " bytes", l->last_cacheline);
	contents_note(p, l);
}

static void conflict_line(printer *p, const sf_report_entry *e)
{
	const sf_struct *s = e->def;

	if (!e->conflict_count)
		return;
	if (p->color)
		sf__buf_puts(p->buf, COLOR_WARN);
	sf__buf_printf(p->buf, "/* structfit: conflicting definitions of %s %s: ",
		       sf__struct_kind_name(s->kind), sf__report_struct_name(s));
	sf__emit_decl_site(p->buf, s);
	sf__buf_printf(p->buf, " (%" PRIu64 " bytes)", s->size);
	for (size_t i = 0; i < e->conflict_count; i++) {
		sf__buf_puts(p->buf, " vs ");
		sf__emit_decl_site(p->buf, e->conflicts[i]);
		sf__buf_printf(p->buf, " (%" PRIu64 " bytes)", e->conflicts[i]->size);
	}
	sf__buf_puts(p->buf, " */");
	if (p->color)
		sf__buf_puts(p->buf, COLOR_RESET);
	sf__buf_putc(p->buf, '\n');
}

/* The definition itself, from its opening line to its closing one. */
static void definition_text(printer *p, const sf_struct_layout *l)
{
	const sf_struct *s = l->def;

	p->comment_column = s->kind == SF_UNION ? UNION_COMMENT_COLUMN : COMMENT_COLUMN;
	if (p->expand)
		p->comment_column = EXPAND_COMMENT_COLUMN;
	p->blank = false;
	if (p->go) {
		sf__buf_printf(p->buf, "type %s struct {\n", s->name ? s->name : s->typedef_name ? s->typedef_name : "_");
		body(p, l, 1);
		summary_lines(p, l);
		sf__buf_puts(p->buf, "}\n");
		return;
	}
	if (s->name) {
		sf__buf_puts(p->buf, sf__struct_kind_name(s->kind));
		sf__buf_putc(p->buf, ' ');
		sf__buf_puts(p->buf, s->name);
		sf__buf_puts(p->buf, " {\n");
	}
	else if (s->typedef_name)
		sf__buf_printf(p->buf, "typedef %s {\n", sf__struct_kind_name(s->kind));
	else
		sf__buf_printf(p->buf, "%s {\n", sf__struct_kind_name(s->kind));
	body(p, l, 1);
	summary_lines(p, l);
	sf__buf_putc(p->buf, '}');
	if (l->packed_attribute)
		sf__buf_puts(p->buf, " __attribute__((__packed__))");
	if (l->aligned_attribute)
		sf__buf_printf(p->buf, " __attribute__((__aligned__(%" PRIu32 ")))", l->aligned_attribute);
	if (!s->name && s->typedef_name)
		sf__buf_printf(p->buf, " %s", s->typedef_name);
	sf__buf_puts(p->buf, ";\n");
}

/* Prints with a fresh printer whose cache line is `cacheline`. */
static void print_struct(sf_buf *buf, const sf_report_entry *entry, const sf_struct_layout *layout,
			 int style, unsigned cacheline)
{
	printer p = { 0 };

	p.buf = buf;
	p.color = (style & SF__TEXT_COLOR) != 0;
	p.go = sf__text_go(style, layout->def);
	p.hex = (style & SF__TEXT_HEX) != 0;
	p.expand = (style & SF__TEXT_EXPAND) != 0 && !p.go;
	p.cacheline = cacheline;
	if (entry)
		conflict_line(&p, entry);
	definition_text(&p, layout);
	if (p.line.failed)
		buf->failed = 1;
	sf_buf_free(&p.line);
}

void sf__emit_struct_layout(sf_buf *buf, const sf_struct_layout *layout, int style)
{
	/* Proposals are printed as analysed, without -E's bodies. */
	print_struct(buf, NULL, layout, style & ~SF__TEXT_EXPAND, layout->cacheline);
}

void sf__emit_report_entry(sf_buf *buf, const sf_report_entry *entry, int style, unsigned cacheline)
{
	sf_struct_layout *expanded = NULL;

	if (!(style & SF__TEXT_EXPAND) || sf__text_go(style, entry->def)) {
		print_struct(buf, entry, entry->layout, style & ~SF__TEXT_EXPAND, cacheline);
		return;
	}
	/* The report's layouts stop at named types; -E needs one whose
	 * bodies go all the way down, made for this print only. */
	if (sf__layout_analyze_expanded(entry->def, cacheline, &expanded) != 0) {
		buf->failed = 1;
		return;
	}
	print_struct(buf, entry, expanded, style, cacheline);
	sf__layout_free(expanded);
}
