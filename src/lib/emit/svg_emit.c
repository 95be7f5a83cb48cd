/* One struct's byte map as a standalone SVG image (for READMEs, reviews and docs). */
#include <structfit/emit.h>
#include <structfit/structfit.h>

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "layout/selection.h"
#include "util/buf.h"
#include "util/fail.h"

/* Geometry in SVG user units; one byte is one cell. */
enum { CELL = 12, ROW = 30, GAP = 8, LEFT = 64, TOP = 40, LEGEND = 30 };

/* Okabe-Ito colours, told apart with the common colour-vision deficiencies;
 * labels are dark on all of them. */
static const char *const palette[] = {
	"#E69F00", "#56B4E9", "#009E73", "#F0E442", "#6FA8DC", "#E07B39", "#CC79A7", "#B5B5B5"
};

typedef enum span_kind { SPAN_MEMBER, SPAN_BITS, SPAN_HOLE, SPAN_PADDING, SPAN_UNUSED } span_kind;

/* Bytes [start, end) drawn as one labelled piece. */
typedef struct span {
	uint64_t start, end;
	span_kind kind;
	uint32_t member;      /* first member (declaration index) for members and bits */
	bool crosses;         /* straddles a cache-line boundary */
} span;

static void xml_text(sf_buf *buf, const char *s, size_t max_chars)
{
	size_t n = 0;

	for (; s && *s; s++) {
		/* Cut labels by characters, not inside a UTF-8 sequence. */
		if (((unsigned char)*s & 0xC0) != 0x80 && ++n > max_chars) {
			sf__buf_puts(buf, "\xE2\x80\xA6");
			return;
		}
		switch (*s) {
		case '&': sf__buf_puts(buf, "&amp;"); break;
		case '<': sf__buf_puts(buf, "&lt;"); break;
		case '>': sf__buf_puts(buf, "&gt;"); break;
		case '"': sf__buf_puts(buf, "&quot;"); break;
		default:
			if ((unsigned char)*s >= 0x20)
				sf__buf_putc(buf, *s);
		}
	}
}

static const char *member_label(const sf_member *m)
{
	return m->name ? m->name : "(anonymous)";
}

/*
 * The pieces of `l` in memory order: members (bitfields sharing bytes
 * merged into one SPAN_BITS piece), holes, tail padding, and bytes no
 * member uses otherwise (unused bits of a bitfield unit).  Returns the
 * count, or SIZE_MAX on ENOMEM.
 */
static size_t collect_spans(const sf_struct_layout *l, uint64_t size, span **out)
{
	size_t cap = (size_t)l->member_count * 2 + (size_t)l->hole_count * 2 + 4, n = 0;
	span *spans = calloc(cap, sizeof(*spans));
	uint64_t at = 0;

	if (!spans)
		return SIZE_MAX;
	for (uint32_t k = 0; k < l->member_count; k++) {
		uint32_t i = l->order ? l->order[k] : k;
		const sf_member_layout *ml = &l->members[i];
		const sf_member *m = ml->member;
		bool bits = (m->flags & SF_MEMBER_BITFIELD) && m->bit_size;
		uint64_t start = bits ? ml->bit_offset / 8 : ml->offset;
		uint64_t end = bits ? (ml->bit_offset + m->bit_size + 7) / 8 : ml->offset + m->size;

		if (end > size)
			end = size;
		if (end <= start && !bits)
			continue;
		if (bits && n > 0 && spans[n - 1].kind == SPAN_BITS && start < spans[n - 1].end) {
			if (end > spans[n - 1].end)
				spans[n - 1].end = end;
			spans[n - 1].crosses |= ml->crosses_cacheline;
			at = spans[n - 1].end;
			continue;
		}
		if (start > at && n + 1 < cap)
			spans[n++] = (span){ at, start, SPAN_UNUSED, 0, false };
		if (start < at)
			start = at;
		if (end <= start || n + 1 >= cap)
			continue;
		spans[n++] = (span){ start, end, bits ? SPAN_BITS : SPAN_MEMBER, i, ml->crosses_cacheline };
		at = end;
	}
	/* Holes come from the analysis: a gap holding one is split around it. */
	for (size_t s = 0; s < n; s++) {
		for (uint32_t h = 0; h < l->hole_count && n + 2 <= cap; h++) {
			const sf_hole *hole = &l->holes[h];
			span gap = spans[s];
			uint64_t hole_end = hole->offset + hole->size;

			if (gap.kind != SPAN_UNUSED || hole->offset < gap.start || hole->offset >= gap.end)
				continue;
			if (hole_end > gap.end)
				hole_end = gap.end;
			memmove(&spans[s + 2], &spans[s], (n - s) * sizeof(*spans));
			n += 2;
			spans[s] = (span){ gap.start, hole->offset, SPAN_UNUSED, 0, false };
			spans[s + 1] = (span){ hole->offset, hole_end, SPAN_HOLE, 0, false };
			spans[s + 2] = (span){ hole_end, gap.end, SPAN_UNUSED, 0, false };
		}
	}
	/* Splitting leaves empty gaps where a hole starts or ends one. */
	size_t kept = 0;
	for (size_t s = 0; s < n; s++)
		if (spans[s].end > spans[s].start)
			spans[kept++] = spans[s];
	n = kept;
	if (l->padding && size >= l->padding && at < size) {
		if (size - l->padding > at)
			spans[n++] = (span){ at, size - l->padding, SPAN_UNUSED, 0, false };
		spans[n++] = (span){ size - l->padding, size, SPAN_PADDING, 0, false };
	} else if (at < size) {
		spans[n++] = (span){ at, size, SPAN_UNUSED, 0, false };
	}
	*out = spans;
	return n;
}

static void span_title(sf_buf *buf, const span *sp, const sf_struct *def)
{
	const sf_member *m = &def->members[sp->member];
	uint64_t len = sp->end - sp->start;

	sf__buf_puts(buf, "<title>");
	switch (sp->kind) {
	case SPAN_MEMBER:
	case SPAN_BITS:
		xml_text(buf, member_label(m), SIZE_MAX);
		sf__buf_puts(buf, ": ");
		xml_text(buf, m->type_name, SIZE_MAX);
		sf__buf_printf(buf, sp->kind == SPAN_BITS ? ", bitfields in bytes %" PRIu64 "-%" PRIu64
			       : ", offset %" PRIu64 ", end %" PRIu64, sp->start, sp->end);
		break;
	case SPAN_HOLE:
		sf__buf_printf(buf, "hole: %" PRIu64 " bytes at %" PRIu64, len, sp->start);
		break;
	case SPAN_PADDING:
		sf__buf_printf(buf, "tail padding: %" PRIu64 " bytes at %" PRIu64, len, sp->start);
		break;
	case SPAN_UNUSED:
		sf__buf_printf(buf, "bytes %" PRIu64 "-%" PRIu64 " unused here (free bits of a bitfield unit, "
			       "another union member's bytes, or undescribed)", sp->start, sp->end);
		break;
	}
	sf__buf_puts(buf, "</title>");
}

/* The part of `sp` on cache line `row` (bytes [row_start, row_end)). */
static void span_piece(sf_buf *buf, const span *sp, const sf_struct *def, uint64_t row_start,
		       uint64_t row_end, double y)
{
	uint64_t from = sp->start > row_start ? sp->start : row_start;
	uint64_t to = sp->end < row_end ? sp->end : row_end;
	double x = LEFT + (double)(from - row_start) * CELL, w = (double)(to - from) * CELL;
	bool is_member = sp->kind == SPAN_MEMBER || sp->kind == SPAN_BITS;
	const char *fill = is_member ? palette[sp->member % 8] : "url(#hatch)";

	sf__buf_printf(buf, "<g><rect x=\"%.0f\" y=\"%.0f\" width=\"%.0f\" height=\"%d\" fill=\"%s\"%s",
		       x, y, w, ROW, fill,
		       sp->crosses ? " stroke=\"#000\" stroke-width=\"2\" stroke-dasharray=\"4 3\""
				   : " stroke=\"#444\" stroke-width=\"0.5\"");
	if (sp->kind == SPAN_BITS)
		sf__buf_puts(buf, " fill-opacity=\"0.75\"");
	else if (sp->kind == SPAN_UNUSED)
		sf__buf_puts(buf, " fill-opacity=\"0.45\"");
	sf__buf_puts(buf, ">");
	span_title(buf, sp, def);
	sf__buf_puts(buf, "</rect>");
	if (w >= 2 * CELL) {
		const char *label = sp->kind == SPAN_HOLE ? "hole" : sp->kind == SPAN_PADDING ? "pad"
				    : sp->kind == SPAN_UNUSED ? "" : member_label(&def->members[sp->member]);
		size_t fit = (size_t)((w - 4) / 6.6);

		sf__buf_printf(buf, "<text x=\"%.0f\" y=\"%.0f\">", x + 3, y + ROW / 2 + 4);
		if (sp->kind == SPAN_BITS)
			sf__buf_puts(buf, fit > 2 ? ":" : "");
		xml_text(buf, label, fit > 1 ? fit - (sp->kind == SPAN_BITS) : 0);
		sf__buf_puts(buf, "</text>");
	}
	sf__buf_puts(buf, "</g>\n");
}

static void svg_head(sf_buf *buf, const sf_struct *def, const sf_struct_layout *l, unsigned line,
		     double width, double height)
{
	const char *name = sf__report_struct_name(def);

	sf__buf_printf(buf, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		       "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
		       "viewBox=\"0 0 %.0f %.0f\" font-family=\"sans-serif\" font-size=\"11\">\n",
		       width, height, width, height);
	sf__buf_puts(buf, "<defs><pattern id=\"hatch\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" "
		     "patternTransform=\"rotate(45)\"><rect width=\"6\" height=\"6\" fill=\"#fff\"/>"
		     "<line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"#C0392B\" stroke-width=\"2.5\"/>"
		     "</pattern></defs>\n");
	sf__buf_printf(buf, "<rect width=\"100%%\" height=\"100%%\" fill=\"#fff\"/>\n"
		       "<text x=\"8\" y=\"22\" font-size=\"14\" font-weight=\"bold\">%s ",
		       sf__struct_kind_name(def->kind));
	xml_text(buf, name ? name : "(anonymous)", SIZE_MAX);
	sf__buf_printf(buf, "</text><text x=\"%.0f\" y=\"22\" text-anchor=\"end\">%" PRIu64 " bytes, "
		       "%" PRIu32 " hole%s (%" PRIu64 " bytes), %" PRIu64 " bytes tail padding, %" PRIu64
		       " cache line%s of %u bytes</text>\n",
		       width - 8, def->size, l->hole_count, l->hole_count == 1 ? "" : "s", l->sum_holes, l->padding,
		       l->cachelines, l->cachelines == 1 ? "" : "s", line);
}

static void svg_legend(sf_buf *buf, double y)
{
	sf__buf_printf(buf, "<g transform=\"translate(8 %.0f)\">"
		       "<rect width=\"24\" height=\"14\" fill=\"url(#hatch)\" stroke=\"#444\"/>"
		       "<text x=\"30\" y=\"11\">hole / padding</text>"
		       "<rect x=\"130\" width=\"24\" height=\"14\" fill=\"#B5B5B5\" fill-opacity=\"0.75\" stroke=\"#444\"/>"
		       "<text x=\"160\" y=\"11\">:bitfields</text>"
		       "<rect x=\"240\" width=\"24\" height=\"14\" fill=\"#fff\" stroke=\"#000\" stroke-width=\"2\" "
		       "stroke-dasharray=\"4 3\"/><text x=\"270\" y=\"11\">straddles a cache line</text>"
		       "<text x=\"430\" y=\"11\">one cell per byte, one row per cache line</text></g>\n", y);
}

/*
 * A union's members overlap: one set of rows per member, each showing that
 * member, the bytes it leaves unused and the union's tail padding.
 * Returns the count (at most 3), written to `spans`.
 */
static size_t union_member_spans(const sf_struct_layout *l, uint64_t size, uint32_t k, span *spans)
{
	const sf_member_layout *ml = &l->members[k];
	uint64_t end = ml->offset + ml->member->size, used = size - (l->padding <= size ? l->padding : 0);
	size_t n = 0;

	if (end > size)
		end = size;
	if (end > ml->offset)
		spans[n++] = (span){ ml->offset, end, SPAN_MEMBER, k, ml->crosses_cacheline };
	if (used > end)
		spans[n++] = (span){ end, used, SPAN_UNUSED, 0, false };
	if (size > used && size > end)
		spans[n++] = (span){ used > end ? used : end, size, SPAN_PADDING, 0, false };
	return n;
}

/* Rows of `spans` from TOP + first_row; returns the rows drawn. */
static uint64_t draw_rows(sf_buf *buf, const span *spans, size_t count, const sf_struct *def, uint64_t line,
			  uint64_t first_row)
{
	uint64_t rows = (def->size + line - 1) / line;

	for (uint64_t r = 0; r < rows; r++) {
		uint64_t row_start = r * line, row_end = row_start + line;
		double y = TOP + (double)(first_row + r) * (ROW + GAP);

		if (row_end > def->size)
			row_end = def->size;
		sf__buf_printf(buf, "<text x=\"%d\" y=\"%.0f\" text-anchor=\"end\" fill=\"#555\">+%" PRIu64
			       "</text>\n", LEFT - 6, y + ROW / 2 + 4, row_start);
		for (size_t s = 0; s < count; s++)
			if (spans[s].start < row_end && spans[s].end > row_start)
				span_piece(buf, &spans[s], def, row_start, row_end, y);
	}
	return rows;
}

int sf_emit_svg(sf_buf *buf, const sf_report *report, size_t index, const sf_emit_options *opts)
{
	const sf_report_entry *e;
	const sf_struct_layout *l;
	span *spans = NULL;
	size_t count = 0;
	bool is_union;
	uint64_t rows, line = report->cacheline ? report->cacheline : 64;
	double width, height;

	(void)opts;
	if (index >= report->count)
		return sf__fail(SF_ENOTFOUND, "no struct %zu in the report (%zu structs)", index, report->count);
	e = &report->entries[index];
	l = e->layout;
	is_union = e->def->kind == SF_UNION && l->member_count > 0;
	if (!is_union)
		count = collect_spans(l, e->def->size, &spans);
	if (count == SIZE_MAX)
		return sf__fail(SF_ENOMEM, "out of memory while writing SVG");
	rows = (e->def->size + line - 1) / line * (is_union ? l->member_count : 1);
	width = LEFT + (double)line * CELL + 16;
	height = TOP + (double)rows * (ROW + GAP) + LEGEND;
	svg_head(buf, e->def, l, (unsigned)line, width, height);
	if (is_union) {
		uint64_t at = 0;
		for (uint32_t k = 0; k < l->member_count; k++) {
			span member_spans[3];
			size_t n = union_member_spans(l, e->def->size, k, member_spans);
			at += draw_rows(buf, member_spans, n, e->def, line, at);
		}
	} else {
		draw_rows(buf, spans, count, e->def, line, 0);
	}
	svg_legend(buf, height - LEGEND + 8);
	sf__buf_puts(buf, "</svg>\n");
	free(spans);
	if (buf->failed)
		return sf__fail(SF_ENOMEM, "out of memory while writing SVG");
	return 0;
}
