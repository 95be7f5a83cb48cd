/* Tests of the layout analysis and of report selection and sorting, on hand-built models. */
#include <criterion/criterion.h>

#include <string.h>

#include <structfit/structfit.h>

#include "layout/analysis.h"
#include "layout/selection.h"
#include "model_builder.h"

static sf_unit unit;
static sf_model *model;
static sf_struct_layout *layout;
static sf_report *report;

static void setup(void)
{
	cr_assert_eq(sf__unit_init(&unit, 0), 0);
	cr_assert_eq(sf_model_new(&model), 0);
	layout = NULL;
	report = NULL;
}

static void teardown(void)
{
	sf__layout_free(layout);
	sf_report_free(report);
	sf_model_free(model);
	sf__unit_release(&unit);
}

TestSuite(layout, .init = setup, .fini = teardown);

static const sf_struct_layout *analyze(const sf_struct *s)
{
	cr_assert_not_null(s);
	cr_assert_eq(sf__layout_analyze(s, 64, &layout), 0, "%s", sf_error_last());
	return layout;
}

Test(layout, holes_between_members_are_found)
{
	mb_member rows[] = {
		MB_PLAIN("a", "char", 0, 1, 1),
		MB_PLAIN("b", "int", 4, 4, 4),
		MB_PLAIN("c", "char", 8, 1, 1),
		MB_PLAIN("d", "long", 16, 8, 8),
	};
	const sf_struct_layout *l = analyze(mb_add(&unit, SF_STRUCT, "h", 24, rows, 4));

	cr_assert_eq(l->hole_count, 2);
	cr_assert_eq(l->holes[0].offset, 1);
	cr_assert_eq(l->holes[0].size, 3);
	cr_assert_eq(l->holes[0].before, 1);
	cr_assert_eq(l->holes[1].offset, 9);
	cr_assert_eq(l->holes[1].size, 7);
	cr_assert_eq(l->sum_holes, 10);
	cr_assert_eq(l->members[0].hole_after, 3);
	cr_assert_eq(l->members[2].hole_after, 7);
	cr_assert_eq(l->sum_members, 14);
	cr_assert_eq(l->padding, 0);
	cr_assert_eq(l->cachelines, 1);
	cr_assert_eq(l->last_cacheline, 24);
}

Test(layout, tail_padding_is_reported)
{
	mb_member rows[] = {
		MB_PLAIN("x", "long", 0, 8, 8),
		MB_PLAIN("y", "char", 8, 1, 1),
	};
	sf_struct *s = mb_add(&unit, SF_STRUCT, "p", 16, rows, 2);
	const sf_struct_layout *l = analyze(s);

	cr_assert_eq(l->hole_count, 0);
	cr_assert_eq(l->padding, 7);
	cr_assert_eq(sf__layout_tail_padding(s), 7);
	cr_assert_eq(l->bit_padding, 0);
}

Test(layout, bit_holes_follow_bitfield_units)
{
	mb_member rows[] = {
		MB_BITS("a", "unsigned int", 0, 4, 0, 3),
		MB_BITS("b", "unsigned int", 0, 4, 3, 5),
		MB_PLAIN("c", "int", 4, 4, 4),
		MB_BITS("d", "unsigned int", 8, 4, 64, 1),
		MB_BITS("e", "unsigned int", 8, 4, 65, 2),
		MB_PLAIN("f", "char", 9, 1, 1),
		MB_BITS("g", "unsigned long", 8, 8, 80, 40),
		MB_BITS("h", "unsigned long", 16, 8, 128, 30),
	};
	const sf_struct_layout *l = analyze(mb_add(&unit, SF_STRUCT, "bits", 24, rows, 8));

	cr_assert_eq(l->hole_count, 0);
	cr_assert_eq(l->bit_hole_count, 3);
	cr_assert_eq(l->bit_holes[0].bit_offset, 8);
	cr_assert_eq(l->bit_holes[0].bits, 24);
	cr_assert_eq(l->bit_holes[0].after, 1);
	cr_assert_eq(l->bit_holes[1].bit_offset, 67);
	cr_assert_eq(l->bit_holes[1].bits, 5);
	cr_assert_eq(l->bit_holes[2].bits, 8);
	cr_assert_eq(l->sum_bit_holes, 37);
	cr_assert_eq(l->sum_bitfield_bits, 81);
	cr_assert_eq(l->sum_members, 5);
	cr_assert_eq(l->bit_padding, 34);
	cr_assert_eq(l->padding, 0);
	cr_assert(l->members[4].combined_with_next);
	cr_assert(l->members[6].combined_with_previous);
}

Test(layout, bitfield_unit_then_byte_hole_gives_both)
{
	mb_member rows[] = {
		MB_BITS("a", "int", 0, 4, 0, 4),
		MB_PLAIN("b", "long", 8, 8, 8),
	};
	const sf_struct_layout *l = analyze(mb_add(&unit, SF_STRUCT, "bh", 16, rows, 2));

	cr_assert_eq(l->bit_hole_count, 1);
	cr_assert_eq(l->bit_holes[0].bits, 28);
	cr_assert_eq(l->hole_count, 1);
	cr_assert_eq(l->holes[0].offset, 4);
	cr_assert_eq(l->holes[0].size, 4);
}

Test(layout, plain_member_inside_a_bitfield_unit_ends_the_storage)
{
	/* pahole counts the padding after `e` from e's end, not the unit's. */
	mb_member rows[] = {
		MB_BITS("c", "unsigned int", 0, 4, 0, 2),
		MB_PLAIN("e", "char", 1, 1, 1),
	};
	const sf_struct_layout *l = analyze(mb_add(&unit, SF_STRUCT, "ce", 4, rows, 2));

	cr_assert_eq(l->bit_hole_count, 1);
	cr_assert_eq(l->bit_holes[0].bits, 6);
	cr_assert_eq(l->padding, 2);
	cr_assert_eq(l->bit_padding, 0);
}

Test(layout, trailing_bitfield_has_bit_padding_and_padding)
{
	mb_member rows[] = {
		MB_PLAIN("x", "long", 0, 8, 8),
		MB_BITS("a", "unsigned int", 8, 4, 64, 4),
	};
	const sf_struct_layout *l = analyze(mb_add(&unit, SF_STRUCT, "tb", 16, rows, 2));

	cr_assert_eq(l->padding, 4);
	cr_assert_eq(l->bit_padding, 28);
}

/* gcc x86-64, struct __attribute__((packed)) { int m0:20; unsigned short
 * m1:8; unsigned long long m2:39; _Alignas(8) unsigned m3; }: m2 runs from
 * bit 28 to bit 66, past its 8-byte unit, so the gap before m3 is 61 bits,
 * not 8 bytes (pahole 1.24 agrees). */
Test(layout, bitfield_running_past_its_unit_ends_at_its_last_bit)
{
	mb_member rows[] = {
		MB_BITS("m0", "int", 0, 4, 0, 20),
		MB_BITS("m1", "short unsigned int", 2, 2, 20, 8),
		MB_BITS("m2", "long long unsigned int", 0, 8, 28, 39),
		MB_PLAIN("m3", "unsigned int", 16, 4, 4),
	};
	rows[3].explicit_align = 8;
	sf_struct *s = mb_add(&unit, SF_STRUCT, "s22", 24, rows, MB_COUNT(rows));
	cr_assert_not_null(s);
	s->explicit_align = 8;
	mb_reinfer(s);
	const sf_struct_layout *l = analyze(s);

	cr_assert(s->packed);
	cr_assert_eq(l->hole_count, 0);
	cr_assert_eq(l->forced_holes, 0);
	cr_assert_eq(l->bit_hole_count, 1);
	cr_assert_eq(l->bit_holes[0].bit_offset, 67);
	cr_assert_eq(l->bit_holes[0].bits, 61);
	cr_assert_eq(l->bit_holes[0].after, 2);
	cr_assert_eq(l->members[2].bit_hole_after, 61);
	cr_assert_eq(l->members[2].hole_after, 0);
	cr_assert_eq(l->padding, 4);
	cr_assert_eq(l->bit_padding, 0);
	cr_assert(l->packed_attribute, "packing it again gives the same layout");
}

/* clang --target=i386-linux-gnu, fixtures/basic.c struct bits: long long
 * is 4-aligned in structs there, so `straddle:30` covers bits 53..82 of an
 * 8-byte unit at 0 and `sc` follows in byte 11: bit holes, no byte hole. */
Test(layout, i386_long_long_bitfield_straddles_into_the_next_word)
{
	mb_member rows[] = {
		MB_BITS("a", "unsigned int", 0, 4, 0, 3),
		MB_BITS("b", "unsigned int", 0, 4, 3, 5),
		MB_BITS("flag", "sf_bool", 1, 1, 8, 1),
		MB_BITS("ch", "char", 1, 1, 9, 4),
		MB_BITS("wide", "unsigned long long", 0, 8, 13, 40),
		MB_BITS("straddle", "long long", 0, 8, 53, 30),
		MB_BITS("sc", "signed char", 11, 1, 88, 7),
		MB_BITS("after_zero", "int", 12, 4, 96, 4),
		MB_BITS("us", "unsigned short", 14, 2, 112, 9),
		MB_PLAIN("plain", "int", 16, 4, 4),
	};
	rows[4].type_align = rows[5].type_align = 4;
	sf_struct *s = mb_add(&unit, SF_STRUCT, "bits", 20, rows, MB_COUNT(rows));
	const sf_struct_layout *l = analyze(s);
	static const uint64_t offsets[] = { 83, 95, 100, 121 };
	static const uint64_t bits[] = { 5, 1, 12, 7 };

	cr_assert_not(s->packed);
	cr_assert_eq(l->hole_count, 0);
	cr_assert_eq(l->sum_holes, 0);
	cr_assert_eq(l->bit_hole_count, 4);
	for (uint32_t i = 0; i < 4; i++) {
		cr_assert_eq(l->bit_holes[i].bit_offset, offsets[i], "bit hole %u", i);
		cr_assert_eq(l->bit_holes[i].bits, bits[i], "bit hole %u", i);
	}
	cr_assert_eq(l->members[5].bit_hole_after, 5);
	cr_assert_eq(l->sum_bit_holes, 25);
	cr_assert_eq(l->sum_bitfield_bits, 103);
	cr_assert_eq(l->padding, 0);
	cr_assert_eq(l->bit_padding, 0);
	cr_assert_not(l->packed_attribute);
}

/* Same target, struct bit_straddle: `more:3` takes bit 63 of big's unit and
 * two bits of the next word, so the tail is 30 unused bits, not 4 bytes. */
Test(layout, trailing_bitfield_past_its_unit_gives_bit_padding_not_padding)
{
	mb_member rows[] = {
		MB_BITS("low", "unsigned int", 0, 4, 0, 30),
		MB_BITS("next", "unsigned int", 4, 4, 32, 4),
		MB_PLAIN("c", "char", 5, 1, 1),
		MB_BITS("big", "unsigned long long", 8, 8, 64, 63),
		MB_BITS("more", "unsigned long long", 8, 8, 127, 3),
	};
	rows[3].type_align = rows[4].type_align = 4;
	sf_struct *s = mb_add(&unit, SF_STRUCT, "bit_straddle", 20, rows, MB_COUNT(rows));
	const sf_struct_layout *l = analyze(s);

	cr_assert_eq(l->padding, 0);
	cr_assert_eq(l->bit_padding, 30);
	cr_assert_eq(sf__layout_tail_padding(s), 0);
	cr_assert_eq(l->hole_count, 1);
	cr_assert_eq(l->holes[0].offset, 6);
	cr_assert_eq(l->holes[0].size, 2);
	cr_assert_eq(l->bit_hole_count, 2);
	cr_assert_eq(l->sum_bit_holes, 6);
}

/* struct { long long :27; unsigned char m0:5; unsigned short m1:14; }: the
 * unnamed field leaves no member, so the first one starts at bit 27. */
Test(layout, gap_before_the_first_member_is_a_hole)
{
	mb_member rows[] = {
		MB_BITS("m0", "unsigned char", 3, 1, 27, 5),
		MB_BITS("m1", "short unsigned int", 4, 2, 32, 14),
	};
	const sf_struct_layout *l = analyze(mb_add(&unit, SF_STRUCT, "lead", 6, rows, 2));

	cr_assert_eq(l->leading_hole, 3);
	cr_assert_eq(l->leading_bit_hole, 3);
	cr_assert_eq(l->hole_count, 1);
	cr_assert_eq(l->holes[0].offset, 0);
	cr_assert_eq(l->holes[0].before, 0);
	cr_assert_eq(l->bit_hole_count, 1);
	cr_assert_eq(l->bit_holes[0].bit_offset, 24);
	cr_assert_eq(l->bit_holes[0].after, SF_LAYOUT_NO_MEMBER);
	cr_assert_eq(l->bit_padding, 2);
	cr_assert_eq(l->padding, 0);
}

/* clang records a full-width `char m5:8` as a plain char at the byte its
 * first bit falls in, overlapping the bitfield before it; an overlap is no
 * hole (pahole 1.24 wraps it to 252 bits). */
Test(layout, member_overlapping_the_previous_bits_makes_no_hole)
{
	mb_member rows[] = {
		MB_BITS("m3", "short", 32, 2, 260, 4),
		MB_BITS("m4", "unsigned long long", 32, 8, 264, 4),
		MB_PLAIN("m5", "char", 33, 1, 1),
		MB_BITS("m6", "int", 36, 4, 288, 26),
	};
	const sf_struct_layout *l = analyze(mb_add(&unit, SF_STRUCT, "lossy", 40, rows, 4));

	cr_assert_eq(l->members[1].bit_hole_after, 0);
	cr_assert_eq(l->bit_hole_count, 1, "only the leading gap before m3");
	cr_assert_eq(l->leading_hole, 32);
	cr_assert_eq(l->leading_bit_hole, 4);
	cr_assert_eq(l->hole_count, 2);
	cr_assert_eq(l->holes[1].offset, 34);
	cr_assert_eq(l->holes[1].size, 2);
	cr_assert_eq(l->bit_padding, 6);
}

/* fixtures/basic.c: packed_member packs two members one by one and keeps
 * a hole, so the struct is not packed as a whole; packed_header is. */
Test(layout, packed_attribute_only_when_packing_reproduces_the_layout)
{
	mb_member one_by_one[] = {
		MB_PLAIN("c", "char", 0, 1, 1),
		MB_PLAIN("unaligned", "int", 1, 4, 4),
		MB_PLAIN("s", "short int", 6, 2, 2),
		MB_PLAIN("l", "long long int", 8, 8, 8),
	};
	mb_member whole[] = {
		MB_PLAIN("magic", "char", 0, 1, 1),
		MB_PLAIN("length", "int", 1, 4, 4),
		MB_PLAIN("flags", "short int", 5, 2, 2),
		MB_PLAIN("stamp", "long long int", 7, 8, 8),
	};
	mb_member with_aligned[] = {
		MB_PLAIN("a", "char", 0, 1, 1),
		MB_PLAIN("b", "int", 1, 4, 4),
		MB_PLAIN("c", "int", 8, 4, 4),
		MB_PLAIN("d", "char", 12, 1, 1),
	};
	with_aligned[2].explicit_align = 8;
	sf_struct *a = mb_add(&unit, SF_STRUCT, "packed_member", 16, one_by_one, 4);
	sf_struct *b = mb_add(&unit, SF_STRUCT, "packed_header", 15, whole, 4);
	sf_struct *c = mb_add(&unit, SF_STRUCT, "packed_aligned", 16, with_aligned, 4);

	cr_assert(a && b && c);
	cr_assert(a->packed, "the model still says some alignment is violated");
	analyze(a);
	cr_assert_not(layout->packed_attribute);
	sf__layout_free(layout);
	cr_assert(b->packed);
	analyze(b);
	cr_assert(layout->packed_attribute);
	sf__layout_free(layout);
	/* An explicit member alignment survives packing: still reproducible. */
	cr_assert(c->packed);
	analyze(c);
	cr_assert(layout->packed_attribute);
}

Test(layout, union_has_no_holes_and_pads_to_its_size)
{
	mb_member rows[] = {
		MB_PLAIN("a", "char", 0, 1, 1),
		MB_PLAIN("b", "char[5]", 0, 5, 1),
		MB_PLAIN("c", "int", 0, 4, 4),
	};
	const sf_struct_layout *l = analyze(mb_add(&unit, SF_UNION, "u", 8, rows, 3));

	cr_assert_eq(l->hole_count, 0);
	cr_assert_eq(l->bit_hole_count, 0);
	cr_assert_eq(l->padding, 3);
}

Test(layout, nested_struct_padding_is_counted)
{
	mb_member inner_rows[] = {
		MB_PLAIN("x", "long", 0, 8, 8),
		MB_PLAIN("y", "char", 8, 1, 1),
	};
	sf_struct *inner = mb_add(&unit, SF_STRUCT, "inner", 16, inner_rows, 2);
	cr_assert_not_null(inner);
	mb_member rows[] = {
		MB_STRUCT("i", "struct inner", 0, inner),
		MB_PLAIN("z", "char", 16, 1, 1),
		MB_STRUCT("j", "struct inner", 24, inner),
	};
	const sf_struct_layout *l = analyze(mb_add(&unit, SF_STRUCT, "outer", 40, rows, 3));

	cr_assert_eq(l->paddings, 2);
	cr_assert_eq(l->sum_paddings, 14);
	cr_assert_eq(l->members[0].nested_padding, 7);
	cr_assert_null(l->members[0].nested, "named struct types are not expanded");
	cr_assert_eq(l->sum_members, 33);
}

Test(layout, cacheline_crossing_and_boundaries)
{
	mb_member rows[] = {
		MB_PLAIN("a", "char", 0, 1, 1),
		MB_PLAIN("pad", "char[200]", 1, 200, 1),
		MB_PLAIN("b", "int", 204, 4, 4),
		MB_PLAIN("c", "char[48]", 208, 48, 1),
		MB_PLAIN("d", "long", 256, 8, 8),
	};
	const sf_struct_layout *l = analyze(mb_add(&unit, SF_STRUCT, "big", 264, rows, 5));

	cr_assert(l->members[1].crosses_cacheline);
	cr_assert_not(l->members[2].crosses_cacheline);
	cr_assert_not(l->members[3].crosses_cacheline, "ends exactly at 256");
	cr_assert_eq(l->crossing_count, 1);
	/* Only the last boundary passed inside pad[] is announced, before b. */
	cr_assert_eq(l->members[1].cacheline_before, 0);
	cr_assert_eq(l->members[2].cacheline_before, 3);
	cr_assert_eq(l->members[2].boundary_ago, 12);
	cr_assert_eq(l->members[4].cacheline_before, 4);
	cr_assert_eq(l->members[4].boundary_ago, 0);
	cr_assert_eq(l->cachelines, 5);
	cr_assert_eq(l->last_cacheline, 8);
}

Test(layout, other_cacheline_sizes_change_the_boundaries)
{
	mb_member rows[] = {
		MB_PLAIN("a", "char[20]", 0, 20, 1),
		MB_PLAIN("b", "long", 24, 8, 8),
	};
	sf_struct *s = mb_add(&unit, SF_STRUCT, "small", 32, rows, 2);
	cr_assert_not_null(s);
	cr_assert_eq(sf__layout_analyze(s, 16, &layout), 0);
	cr_assert(layout->members[0].crosses_cacheline);
	cr_assert_eq(layout->members[1].cacheline_before, 1);
	cr_assert_eq(layout->members[1].boundary_ago, 8);
	cr_assert_eq(layout->cachelines, 2);
	cr_assert_eq(layout->last_cacheline, 0);
	sf__layout_free(layout);
	layout = NULL;
	cr_assert_eq(sf__layout_analyze(s, 24, &layout), SF_EUSAGE);
	cr_assert_null(layout);
	cr_assert_eq(sf__layout_analyze(s, 4, &layout), SF_EUSAGE);
}

Test(layout, anonymous_bodies_are_analysed_in_place)
{
	mb_member body_rows[] = {
		MB_PLAIN("f", "char", 0, 1, 1),
		MB_PLAIN("g", "long", 8, 8, 8),
	};
	sf_struct *body = mb_add(&unit, SF_STRUCT, NULL, 16, body_rows, 2);
	cr_assert_not_null(body);
	body->is_nested_body = true;
	mb_member rows[] = {
		MB_PLAIN("a", "char[60]", 0, 60, 1),
		MB_ANON(64, body),
	};
	const sf_struct_layout *l = analyze(mb_add(&unit, SF_STRUCT, "a", 80, rows, 2));
	const sf_struct_layout *n = l->members[1].nested;

	cr_assert_eq(l->hole_count, 1);
	cr_assert_eq(l->sum_members, 76);
	cr_assert_not_null(n);
	cr_assert_eq(n->depth, 1);
	cr_assert_eq(n->base_offset, 64);
	cr_assert_eq(n->hole_count, 1);
	cr_assert_eq(n->holes[0].offset, 65, "nested holes are absolute");
	cr_assert_eq(n->members[1].offset, 72);
	cr_assert_eq(l->members[1].cacheline_before, 1);
	cr_assert_eq(n->members[0].cacheline_before, 0, "announced once, before the body");
}

Test(layout, self_referencing_anonymous_body_does_not_recurse_forever)
{
	mb_member rows[] = { MB_PLAIN("x", "int", 0, 4, 4), MB_PLAIN("y", "int", 0, 4, 4) };
	sf_struct *s = mb_add(&unit, SF_STRUCT, "loop", 4, rows, 2);
	cr_assert_not_null(s);
	s->members[1].flags = SF_MEMBER_ANONYMOUS;
	s->members[1].nested = s;
	analyze(s);
	cr_assert_not_null(layout->members[1].nested);
}

Test(layout, packed_struct_has_no_holes)
{
	mb_member rows[] = {
		MB_PLAIN("a", "char", 0, 1, 1),
		MB_PLAIN("b", "int", 1, 4, 4),
		MB_PLAIN("c", "long", 5, 8, 8),
	};
	sf_struct *s = mb_add(&unit, SF_STRUCT, "pk", 13, rows, 3);
	const sf_struct_layout *l = analyze(s);

	cr_assert(s->packed);
	cr_assert_eq(l->hole_count, 0);
	cr_assert_eq(l->padding, 0);
	cr_assert_eq(l->sum_members, 13);
	cr_assert_eq(l->aligned_attribute, 0);
}

Test(layout, forced_alignment_is_noticed)
{
	mb_member rows[] = {
		MB_PLAIN("a", "char", 0, 1, 1),
		MB_PLAIN("b", "int", 16, 4, 4),
	};
	rows[1].explicit_align = 16;
	const sf_struct_layout *l = analyze(mb_add(&unit, SF_STRUCT, "alm", 32, rows, 2));

	cr_assert_eq(l->forced_alignments, 1);
	cr_assert_eq(l->forced_holes, 1);
	cr_assert_eq(l->sum_forced_holes, 15);
	cr_assert(l->holes[0].forced);
	cr_assert_eq(l->aligned_attribute, 16);
}

Test(layout, flexible_array_counts_zero_bytes)
{
	mb_member rows[] = {
		MB_PLAIN("n", "int", 0, 4, 4),
		MB_PLAIN("c", "char", 4, 1, 1),
		MB_PLAIN("data", "long[]", 8, 0, 8),
	};
	rows[2].flags = SF_MEMBER_FLEXIBLE;
	const sf_struct_layout *l = analyze(mb_add(&unit, SF_STRUCT, "flex", 8, rows, 3));

	cr_assert_eq(l->hole_count, 1);
	cr_assert_eq(l->sum_holes, 3);
	cr_assert_eq(l->padding, 0);
	cr_assert_eq(l->sum_members, 5);
	cr_assert_not(l->members[2].crosses_cacheline);
}

Test(layout, corrupt_models_give_no_negative_numbers)
{
	mb_member rows[] = {
		MB_PLAIN("a", "long", 0, 16, 8),
		MB_PLAIN("b", "int", 4, 4, 4),          /* overlaps a */
		MB_PLAIN("c", "int", 16, 4, 4),         /* no hole: a ends at 16 */
		MB_PLAIN("d", "long", 100, 8, 8),       /* beyond the size */
		MB_PLAIN("e", "char", UINT64_MAX - 1, 1, 1),
		MB_BITS("f", "int", 0, 4, UINT64_MAX - 2, 30),
	};
	const sf_struct_layout *l = analyze(mb_add(&unit, SF_STRUCT, "bad", 24, rows, 6));

	/* Only the gap inside the struct's 24 bytes is a hole; overlap is none. */
	cr_assert_eq(l->hole_count, 1);
	cr_assert_eq(l->holes[0].offset, 20);
	cr_assert_eq(l->holes[0].size, 4);
	cr_assert_eq(l->bit_hole_count, 0);
	cr_assert_eq(l->padding, 0);
	cr_assert_eq(l->bit_padding, 0);
}

Test(layout, empty_struct_has_no_cachelines)
{
	const sf_struct_layout *l = analyze(mb_add(&unit, SF_STRUCT, "empty", 0, NULL, 0));
	cr_assert_eq(l->cachelines, 0);
	cr_assert_eq(l->padding, 0);
	cr_assert_eq(l->member_count, 0);
}

Test(layout, analysis_leaves_the_model_unchanged)
{
	mb_member rows[] = {
		MB_PLAIN("a", "char", 0, 1, 1),
		MB_PLAIN("b", "int", 4, 4, 4),
	};
	sf_struct *s = mb_add(&unit, SF_STRUCT, "pure", 8, rows, 2);
	sf_member before[2];
	sf_struct copy;

	cr_assert_not_null(s);
	copy = *s;
	memcpy(before, s->members, sizeof(before));
	analyze(s);
	cr_assert_eq(memcmp(&copy, s, sizeof(copy)), 0);
	cr_assert_eq(memcmp(before, s->members, sizeof(before)), 0);
}

/* ---- selection and sorting ---- */

static void add_named(const char *name, sf_struct_kind kind, uint64_t size, unsigned holes)
{
	mb_member rows[] = {
		MB_PLAIN("a", "char", 0, 1, 1),
		MB_PLAIN("b", "char", 2, 1, 1),
		MB_PLAIN("c", "char", 4, 1, 1),
		MB_PLAIN("d", "char", 6, 1, 1),
	};
	uint32_t count = holes + 1;
	if (kind == SF_UNION) {
		for (uint32_t i = 0; i < 4; i++)
			rows[i].offset = 0;
	}
	cr_assert_not_null(mb_add(&unit, kind, name, size, rows, count));
}

static void build(const sf_report_options *opts)
{
	cr_assert_eq(sf__model_merge_unit(model, &unit), 0);
	cr_assert_eq(sf_report_build(&report, model, opts), 0, "%s", sf_error_last());
}

static const char *nth(size_t i)
{
	cr_assert(i < report->count);
	return sf__report_struct_name(report->entries[i].def);
}

Test(layout, default_selection_skips_nested_and_unnamed_bodies)
{
	sf_struct *body, *unnamed, *typedefd;
	mb_member rows[] = { MB_PLAIN("x", "int", 0, 4, 4) };

	body = mb_add(&unit, SF_STRUCT, NULL, 4, rows, 1);
	unnamed = mb_add(&unit, SF_UNION, NULL, 4, rows, 1);
	typedefd = mb_add(&unit, SF_STRUCT, NULL, 8, rows, 1);
	cr_assert(body && unnamed && typedefd);
	body->is_nested_body = true;
	typedefd->typedef_name = "td_t";
	add_named("named", SF_STRUCT, 8, 1);
	build(NULL);
	cr_assert_eq(sf_report_count(report), 2);
	cr_assert_str_eq(nth(0), "td_t");
	cr_assert_str_eq(nth(1), "named");
}

Test(layout, kinds_globs_and_min_holes_filter)
{
	sf_report_options opts = SF_REPORT_OPTIONS_INIT;
	static const char *const globs[] = { "net_*", "*_ops" };

	add_named("net_dev", SF_STRUCT, 8, 3);
	add_named("net_u", SF_UNION, 4, 0);
	add_named("file_ops", SF_STRUCT, 8, 1);
	add_named("other", SF_STRUCT, 8, 3);
	opts.name_globs = globs;
	opts.name_glob_count = 2;
	opts.kinds = SF_KINDS_STRUCT;
	opts.min_holes = 2;
	build(&opts);
	cr_assert_eq(sf_report_count(report), 1);
	cr_assert_str_eq(nth(0), "net_dev");
}

Test(layout, unions_only)
{
	sf_report_options opts = SF_REPORT_OPTIONS_INIT;
	add_named("s", SF_STRUCT, 8, 1);
	add_named("u", SF_UNION, 4, 0);
	opts.kinds = SF_KINDS_UNION;
	build(&opts);
	cr_assert_eq(sf_report_count(report), 1);
	cr_assert_str_eq(nth(0), "u");
}

Test(layout, sorting_is_deterministic_with_name_ties)
{
	sf_report_options opts = SF_REPORT_OPTIONS_INIT;

	add_named("b", SF_STRUCT, 8, 1);
	add_named("c", SF_STRUCT, 16, 3);
	add_named("a", SF_STRUCT, 8, 2);
	add_named("d", SF_STRUCT, 8, 3);
	opts.sort = SF_SORT_SIZE;
	build(&opts);
	cr_assert_str_eq(nth(0), "c");
	cr_assert_str_eq(nth(1), "a");
	cr_assert_str_eq(nth(2), "b");
	cr_assert_str_eq(nth(3), "d");
	sf_report_free(report);

	opts.sort = SF_SORT_HOLES;
	cr_assert_eq(sf_report_build(&report, model, &opts), 0);
	cr_assert_str_eq(nth(0), "c");
	cr_assert_str_eq(nth(1), "d");
	cr_assert_str_eq(nth(2), "a");
	cr_assert_str_eq(nth(3), "b");
	sf_report_free(report);

	opts.sort = SF_SORT_WASTE;
	cr_assert_eq(sf_report_build(&report, model, &opts), 0);
	for (size_t i = 1; i < report->count; i++) {
		const sf_struct_layout *x = report->entries[i - 1].layout, *y = report->entries[i].layout;
		cr_assert(x->sum_holes + x->padding >= y->sum_holes + y->padding);
	}
	sf_report_free(report);

	opts.sort = SF_SORT_NAME;
	cr_assert_eq(sf_report_build(&report, model, &opts), 0);
	cr_assert_str_eq(nth(0), "a");
	cr_assert_str_eq(nth(3), "d");
	sf_report_free(report);

	opts.sort = SF_SORT_NONE;
	cr_assert_eq(sf_report_build(&report, model, &opts), 0);
	cr_assert_str_eq(nth(0), "b");
	cr_assert_str_eq(nth(1), "c");
}

Test(layout, bad_options_are_usage_errors)
{
	sf_report_options opts = SF_REPORT_OPTIONS_INIT;
	add_named("s", SF_STRUCT, 8, 1);
	cr_assert_eq(sf__model_merge_unit(model, &unit), 0);
	opts.cacheline = 48;
	cr_assert_eq(sf_report_build(&report, model, &opts), SF_EUSAGE);
	cr_assert_null(report);
	cr_assert(strstr(sf_error_last(), "48"));
	opts.cacheline = 4;
	cr_assert_eq(sf_report_build(&report, model, &opts), SF_EUSAGE);
	opts.cacheline = 0; /* default */
	cr_assert_eq(sf_report_build(&report, model, &opts), 0);
	cr_assert_eq(report->cacheline, 64);
}

Test(layout, conflicts_link_every_other_definition)
{
	mb_member r4[] = { MB_PLAIN("x", "int", 0, 4, 4) };
	mb_member r8[] = { MB_PLAIN("x", "long", 0, 8, 8) };
	mb_member r2[] = { MB_PLAIN("x", "short", 0, 2, 2) };
	sf_struct *a = mb_add(&unit, SF_STRUCT, "foo", 4, r4, 1);
	sf_struct *b = mb_add(&unit, SF_STRUCT, "foo", 8, r8, 1);
	sf_struct *c = mb_add(&unit, SF_STRUCT, "foo", 2, r2, 1);
	sf_struct *u = mb_add(&unit, SF_UNION, "foo", 4, r4, 1);
	sf_report_options opts = SF_REPORT_OPTIONS_INIT;

	cr_assert(a && b && c && u);
	opts.kinds = SF_KINDS_STRUCT;
	build(&opts);
	cr_assert_eq(report->count, 3);
	for (size_t i = 0; i < 3; i++) {
		cr_assert(report->entries[i].def->is_conflicting);
		cr_assert_eq(report->entries[i].conflict_count, 2);
		for (size_t j = 0; j < 2; j++) {
			cr_assert_neq(report->entries[i].conflicts[j], report->entries[i].def);
			cr_assert_neq(report->entries[i].conflicts[j]->kind, SF_UNION);
		}
	}
	/* The middle definition sees the first and the last, in model order. */
	cr_assert_eq(report->entries[1].conflicts[0]->size, 4);
	cr_assert_eq(report->entries[1].conflicts[1]->size, 2);
}

/* glibc's __SOCKADDR_ARG: a transparent union DWARF lists no member of. */
Test(layout, struct_without_members_has_unknown_contents_not_padding)
{
	const sf_struct_layout *l = analyze(mb_add(&unit, SF_STRUCT, "opaque", 16, NULL, 0));
	cr_assert_eq(l->padding, 0);
	cr_assert_eq(l->sum_holes, 0);
	cr_assert_not(l->contents_known);
	cr_assert_eq(l->cachelines, 1);
	cr_assert_eq(sf__layout_tail_padding(l->def), 0);
}

Test(layout, union_members_restart_the_cacheline_cursor)
{
	mb_member a_rows[] = {
		MB_PLAIN("x", "char[64]", 0, 64, 1),
		MB_PLAIN("y", "int", 64, 4, 4),
	};
	sf_struct *a = mb_add(&unit, SF_STRUCT, NULL, 68, a_rows, 2);
	sf_struct *b = mb_add(&unit, SF_STRUCT, NULL, 68, a_rows, 2);
	cr_assert(a && b);
	a->is_nested_body = b->is_nested_body = true;
	mb_member rows[] = { MB_ANON(0, a), MB_ANON(0, b) };
	const sf_struct_layout *l = analyze(mb_add(&unit, SF_UNION, "u", 68, rows, 2));

	cr_assert_eq(l->members[0].nested->members[1].cacheline_before, 1);
	cr_assert_eq(l->members[1].nested->members[1].cacheline_before, 1);
}

/* A base class only declared in the unit (gcc, key function elsewhere):
 * 0 bytes in the model, but its bytes are not a hole. */
Test(layout, declared_only_member_is_not_a_hole)
{
	mb_member rows[] = {
		{ NULL, "struct Base", 0, 0, 1, 0, 0, SF_MEMBER_BASE_CLASS | SF_MEMBER_DECL_ONLY | SF_MEMBER_UNKNOWN_TYPE,
		  NULL, 0 },
		MB_PLAIN("y", "int", 16, 4, 4),
	};
	const sf_struct_layout *l = analyze(mb_add(&unit, SF_STRUCT, "Der", 24, rows, MB_COUNT(rows)));
	cr_expect_eq(l->hole_count, 0);
	cr_expect_eq(l->sum_holes, 0);
	cr_expect_eq(l->padding, 4);
	cr_expect_not(l->contents_known);
}

Test(layout, trailing_declared_only_member_is_not_padding)
{
	mb_member rows[] = {
		MB_PLAIN("c", "char", 0, 1, 1),
		{ "b", "struct Base", 8, 0, 1, 64, 0, SF_MEMBER_DECL_ONLY | SF_MEMBER_UNKNOWN_TYPE, NULL, 0 },
	};
	const sf_struct_layout *l = analyze(mb_add(&unit, SF_STRUCT, "Holder", 24, rows, MB_COUNT(rows)));
	cr_expect_eq(l->sum_holes, 7);
	cr_expect_eq(l->padding, 0);
	cr_expect_eq(sf__layout_tail_padding(l->def), 0);
	/* A declared member in front leaves the tail known. */
	mb_member front[] = {
		{ "b", "struct Base", 0, 0, 1, 0, 0, SF_MEMBER_DECL_ONLY | SF_MEMBER_UNKNOWN_TYPE, NULL, 0 },
		MB_PLAIN("c", "char", 16, 1, 1),
	};
	const sf_struct *s = mb_add(&unit, SF_STRUCT, "Front", 24, front, MB_COUNT(front));
	cr_expect_eq(sf__layout_tail_padding(s), 7);
}

/* A virtual base whose offset is not known is listed but has no neighbours. */
Test(layout, virtual_base_without_offset_is_left_out_of_holes)
{
	sf_struct *vb = mb_add(&unit, SF_STRUCT, "VB", 4, (mb_member[]){ MB_PLAIN("vb", "int", 0, 4, 4) }, 1);
	mb_member rows[] = {
		{ NULL, "struct VB", 0, 4, 4, 0, 0,
		  SF_MEMBER_BASE_CLASS | SF_MEMBER_VIRTUAL_BASE | SF_MEMBER_OFFSET_UNKNOWN | SF_MEMBER_UNKNOWN_TYPE,
		  vb, 0 },
		MB_PLAIN("_vptr.V1", "int (**)(...)", 0, 8, 8),
		MB_PLAIN("v1", "char", 8, 1, 1),
	};
	const sf_struct_layout *l = analyze(mb_add(&unit, SF_STRUCT, "V1", 16, rows, MB_COUNT(rows)));
	cr_expect_eq(l->hole_count, 0);
	cr_expect_eq(l->padding, 0, "the tail holds the virtual base");
	cr_expect_not(l->contents_known);
	cr_expect_not(l->members[0].crosses_cacheline);
}

/* The Itanium placement: after the non-virtual part, at the base's alignment. */
Test(layout, virtual_base_is_placed_when_the_size_proves_it)
{
	sf_struct *vb = mb_add(&unit, SF_STRUCT, "VB", 4, (mb_member[]){ MB_PLAIN("vb", "int", 0, 4, 4) }, 1);
	mb_member rows[] = {
		{ NULL, "struct VB", 0, 4, 4, 0, 0,
		  SF_MEMBER_BASE_CLASS | SF_MEMBER_VIRTUAL_BASE | SF_MEMBER_OFFSET_UNKNOWN | SF_MEMBER_UNKNOWN_TYPE,
		  vb, 0 },
		MB_PLAIN("_vptr.V1", "int (**)(...)", 0, 8, 8),
		MB_PLAIN("v1", "char", 8, 1, 1),
	};
	sf_struct *v1 = mb_add(&unit, SF_STRUCT, "V1", 16, rows, MB_COUNT(rows));
	cr_assert_eq(sf__struct_place_virtual_bases(v1, unit.arena), 0);
	cr_expect_eq(v1->members[0].offset, 12);
	cr_expect_not(v1->members[0].flags & SF_MEMBER_OFFSET_UNKNOWN);
	/* A size the placement does not reproduce leaves it unknown. */
	sf_struct *odd = mb_add(&unit, SF_STRUCT, "Odd", 24, rows, MB_COUNT(rows));
	cr_assert_eq(sf__struct_place_virtual_bases(odd, unit.arena), 0);
	cr_expect(odd->members[0].flags & SF_MEMBER_OFFSET_UNKNOWN);
}

/* Merged with a unit that defines Base, the declared base gets its size. */
Test(layout, declared_base_is_resolved_from_another_unit)
{
	mb_member base_rows[] = { MB_PLAIN("_vptr.Base", "int (**)(...)", 0, 8, 8), MB_PLAIN("x", "long", 8, 8, 8) };
	mb_member der_rows[] = {
		{ NULL, "struct Base", 0, 0, 1, 0, 0, SF_MEMBER_BASE_CLASS | SF_MEMBER_DECL_ONLY | SF_MEMBER_UNKNOWN_TYPE,
		  NULL, 0 },
		MB_PLAIN("y", "int", 16, 4, 4),
	};
	sf_unit other;
	cr_assert_not_null(mb_add(&unit, SF_STRUCT, "Der", 24, der_rows, MB_COUNT(der_rows)));
	cr_assert_eq(sf__model_merge_unit(model, &unit), 0);
	cr_assert_eq(sf__model_resolve_declared(model), 0);
	cr_expect_eq(sf__model_structs(model)->items[0]->members[0].size, 0, "no definition yet");
	cr_assert_eq(sf__unit_init(&other, 0), 0);
	sf_struct *base = mb_add(&other, SF_STRUCT, "Base", 16, base_rows, MB_COUNT(base_rows));
	cr_assert_not_null(base);
	/* That unit's Der has the definition: another layout until resolved. */
	mb_member full_rows[] = { MB_STRUCT(NULL, "struct Base", 0, base), MB_PLAIN("y", "int", 16, 4, 4) };
	full_rows[0].flags = SF_MEMBER_BASE_CLASS;
	cr_assert_not_null(mb_add(&other, SF_STRUCT, "Der", 24, full_rows, MB_COUNT(full_rows)));
	cr_assert_eq(sf__model_merge_unit(model, &other), 0);
	sf__unit_release(&other);
	cr_assert_eq(sf__model_resolve_declared(model), 0);
	const sf_struct_list *list = sf__model_structs(model);
	cr_assert_eq(list->count, 2, "one Der (the two collapsed), one Base");
	bool der_first = strcmp(list->items[0]->name, "Der") == 0;
	const sf_struct *der = list->items[der_first ? 0 : 1];
	cr_expect_str_eq(der->name, "Der");
	cr_expect_eq(der->members[0].size, 16);
	cr_expect_eq(der->members[0].nested, list->items[der_first ? 1 : 0]);
	cr_expect_not(der->members[0].flags & SF_MEMBER_DECL_ONLY);
	cr_expect_not(der->is_conflicting);
	cr_expect(sf__layout_contents_known(der));
}

/* A BTF image's unit is taken over, not copied: its structs become the
 * model's, duplicates still collapse and members are pointed at the
 * survivors, and everything outlives the unit's release. */
Test(layout, adopted_unit_keeps_its_structs_and_collapses_duplicates)
{
	mb_member leaf_rows[] = { MB_PLAIN("x", "int", 0, 4, 4) };
	char *name = sf__arena_strdup(unit.arena, "holder");
	sf_struct *first = mb_add(&unit, SF_STRUCT, "leaf", 4, leaf_rows, 1);
	sf_struct *again = mb_add(&unit, SF_STRUCT, "leaf", 4, leaf_rows, 1);
	cr_assert_not_null(first);
	cr_assert_not_null(again);
	mb_member holder_rows[] = { MB_STRUCT("l", "struct leaf", 0, again), MB_PLAIN("y", "long", 8, 8, 8) };
	sf_struct *holder = mb_add(&unit, SF_STRUCT, name, 16, holder_rows, MB_COUNT(holder_rows));
	cr_assert_not_null(holder);

	cr_assert_eq(sf__model_adopt_unit(model, &unit), 0);
	sf__unit_release(&unit);
	cr_assert_eq(sf__unit_init(&unit, 0), 0);

	const sf_struct_list *list = sf__model_structs(model);
	cr_assert_eq(list->count, 2, "the second leaf collapsed onto the first");
	cr_expect_eq(list->items[0], first, "adopted where it was built");
	cr_expect_eq(list->items[1], holder);
	cr_expect_eq(holder->members[0].nested, first, "member redirected to the survivor");
	cr_expect_null(first->canonical);
	cr_expect_str_eq(holder->name, "holder", "the unit's strings now live in the model's arena");
	cr_expect_eq(sf__model_first_named(model, "leaf", false), first);
}

/* A kernel's report has thousands of entries: their layouts share the
 * report's storage instead of an arena (and a 64 KiB block) each. */
Test(layout, report_layouts_share_the_report_arena)
{
	sf_report_options opts = SF_REPORT_OPTIONS_INIT;

	add_named("first", SF_STRUCT, 8, 1);
	add_named("second", SF_STRUCT, 8, 1);
	add_named("third", SF_UNION, 8, 0);
	opts.min_holes = 1;
	build(&opts);
	cr_assert_eq(sf_report_count(report), 2, "the union has no holes and is left out");
	for (size_t i = 0; i < report->count; i++) {
		cr_assert_not_null(report->entries[i].layout);
		cr_expect_null(report->entries[i].layout->arena, "entry %zu owns an arena", i);
		cr_expect_eq(report->entries[i].layout->hole_count, 1);
	}
}
