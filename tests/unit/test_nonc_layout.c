/* Layouts of non-C producers on hand-built models: fields out of declaration order, variant parts, compiler-ordered and unsized structs. */
#include <criterion/criterion.h>

#include <string.h>

#include <structfit/structfit.h>

#include "emit/text_common.h"
#include "layout/analysis.h"
#include "model_builder.h"
#include "reorder/plan.h"
#include "util/buf.h"

static sf_unit unit;
static sf_arena *arena;
static sf_search_ws ws;
static sf_plan_entry entry;
static sf_struct_layout *layout;

static void setup(void)
{
	memset(&ws, 0, sizeof(ws));
	memset(&entry, 0, sizeof(entry));
	layout = NULL;
	cr_assert_eq(sf__unit_init(&unit, 0), 0);
	cr_assert_eq(sf__arena_new(&arena), 0);
}

static void teardown(void)
{
	sf__layout_free(layout);
	sf__layout_free(entry.owned_layout);
	sf__search_ws_free(&ws);
	sf__arena_free(arena);
	sf__unit_release(&unit);
}

TestSuite(nonc, .init = setup, .fini = teardown);

static const sf_struct_layout *analyze(const sf_struct *s)
{
	cr_assert_not_null(s);
	cr_assert_eq(sf__layout_analyze(s, 64, &layout), 0, "%s", sf_error_last());
	return layout;
}

/* rustc's `struct Reordered { a: u8, b: u64, c: u16, name: String }`. */
static sf_struct *rust_reordered(void)
{
	mb_member rows[] = {
		MB_PLAIN("a", "u8", 34, 1, 1),
		MB_PLAIN("b", "u64", 24, 8, 8),
		MB_PLAIN("c", "u16", 32, 2, 2),
		MB_PLAIN("name", "struct String", 0, 24, 8),
	};
	return mb_add(&unit, SF_STRUCT, "Reordered", 40, rows, MB_COUNT(rows));
}

Test(nonc, holes_are_found_in_memory_order)
{
	const sf_struct_layout *l = analyze(rust_reordered());

	cr_assert_eq(l->hole_count, 0);
	cr_assert_eq(l->padding, 5);
	cr_assert_not_null(l->order);
	cr_assert_eq(l->order[0], 3);
	cr_assert_eq(l->order[1], 1);
	cr_assert_eq(l->order[2], 2);
	cr_assert_eq(l->order[3], 0);
	cr_assert_eq(l->members[0].offset, 34, "members keep declaration order");
	cr_assert_eq(sf__layout_tail_padding(l->def), 5);
}

Test(nonc, a_hole_belongs_to_the_member_before_it_in_memory)
{
	mb_member rows[] = {
		MB_PLAIN("late", "char", 8, 1, 1),
		MB_PLAIN("early", "int", 0, 4, 4),
	};
	const sf_struct_layout *l = analyze(mb_add(&unit, SF_STRUCT, "swapped", 16, rows, 2));

	cr_assert_eq(l->hole_count, 1);
	cr_assert_eq(l->holes[0].offset, 4);
	cr_assert_eq(l->holes[0].size, 4);
	cr_assert_eq(l->holes[0].before, 0);
	cr_assert_eq(l->members[1].hole_after, 4);
	cr_assert_eq(l->members[0].hole_after, 0);
	cr_assert_eq(l->padding, 7);
}

Test(nonc, c_order_has_no_order_array)
{
	mb_member rows[] = {
		MB_PLAIN("a", "char", 0, 1, 1),
		MB_PLAIN("b", "int", 4, 4, 4),
	};
	cr_assert_null(analyze(mb_add(&unit, SF_STRUCT, "c", 8, rows, 2))->order);
}

Test(nonc, text_lists_members_in_memory_order)
{
	sf_buf buf = { 0 };
	const sf_struct_layout *l = analyze(rust_reordered());
	const char *name, *b, *c, *a;

	sf__emit_struct_layout(&buf, l, 0);
	cr_assert_not_null(buf.data);
	name = strstr(buf.data, " name;");
	b = strstr(buf.data, " b;");
	c = strstr(buf.data, " c;");
	a = strstr(buf.data, " a;");
	cr_assert(name && b && c && a, "%s", buf.data);
	cr_assert(name < b && b < c && c < a, "%s", buf.data);
	cr_assert_null(strstr(buf.data, "hole"), "%s", buf.data);
	sf_buf_free(&buf);
}

static sf_struct *variant_record(void)
{
	mb_member rows[] = {
		MB_PLAIN("kind", "boolean", 0, 1, 1),
		MB_PLAIN(NULL, "<variant part>", 8, 8, 1),
	};
	sf_struct *s;

	rows[1].flags = SF_MEMBER_UNKNOWN_TYPE | SF_MEMBER_VARIANT_PART;
	s = mb_add(&unit, SF_STRUCT, "var", 16, rows, 2);
	cr_assert_not_null(s);
	s->has_variant_part = true;
	return s;
}

Test(nonc, variant_part_is_marked_and_not_padding)
{
	sf_buf buf = { 0 };
	const sf_struct_layout *l = analyze(variant_record());

	cr_assert_eq(l->padding, 0);
	sf__emit_struct_layout(&buf, l, 0);
	cr_assert_not_null(strstr(buf.data, "/* structfit: variant part not modelled: offsets 8..16 */"), "%s",
			   buf.data);
	sf_buf_free(&buf);
}

static const sf_proposal *plan(const sf_struct *s)
{
	sf_reorder_options opts = SF_REORDER_OPTIONS_INIT;
	cr_assert_eq(sf__reorder_struct(&entry, s, NULL, &opts, 64, &ws, arena), 0, "%s", sf_error_last());
	return &entry.proposal;
}

Test(nonc, no_reorder_where_the_compiler_orders_fields)
{
	mb_member rows[] = {
		MB_PLAIN("a", "u8", 0, 1, 1),
		MB_PLAIN("b", "u64", 8, 8, 8),
		MB_PLAIN("c", "u8", 16, 1, 1),
	};
	sf_struct *s = mb_add(&unit, SF_STRUCT, "rusty", 24, rows, 3);
	const sf_proposal *p;

	cr_assert_not_null(s);
	s->compiler_reorders = true;
	p = plan(s);
	cr_assert_eq(p->reason, SF_REASON_COMPILER_REORDERS);
	cr_assert_str_eq(sf_reorder_reason_text(p->reason), "compiler reorders fields (Rust)");
	cr_assert_eq(p->size, 24);
}

Test(nonc, no_reorder_of_variant_records)
{
	const sf_proposal *p = plan(variant_record());

	cr_assert_eq(p->reason, SF_REASON_VARIANT_PART);
	cr_assert_str_eq(sf_reorder_reason_text(p->reason), "variant part");
}

/* rustc's `struct Tail { a: u32, b: u8, data: [u8] }`: the static part
 * is 8 bytes, data starts at 5 and runs as far as the value does. */
static sf_struct *rust_unsized_tail(void)
{
	mb_member rows[] = {
		MB_PLAIN("a", "u32", 0, 4, 4),
		MB_PLAIN("b", "u8", 4, 1, 1),
		MB_PLAIN("data", "[u8] (unsized)", 5, 0, 1),
	};
	sf_struct *s;

	rows[2].flags = SF_MEMBER_UNSIZED;
	s = mb_add(&unit, SF_STRUCT, "Tail", 8, rows, MB_COUNT(rows));
	cr_assert_not_null(s);
	s->unsized = true;
	s->compiler_reorders = true;
	return s;
}

Test(nonc, unsized_struct_has_no_tail_padding)
{
	sf_struct *tail = rust_unsized_tail();
	const sf_struct_layout *l = analyze(tail);

	cr_assert_eq(l->padding, 0, "the unsized member reaches the end");
	cr_assert_eq(l->hole_count, 0);
	cr_assert_eq(sf__layout_tail_padding(tail), 0);
}

Test(nonc, struct_ending_in_an_unsized_struct_has_no_padding_from_it)
{
	sf_struct *tail = rust_unsized_tail();
	mb_member rows[] = { MB_STRUCT("inner", "struct Tail", 0, tail) };
	sf_struct *outer;
	const sf_struct_layout *l;

	rows[0].flags = SF_MEMBER_UNSIZED;
	outer = mb_add(&unit, SF_STRUCT, "Outer", 8, rows, MB_COUNT(rows));
	cr_assert_not_null(outer);
	outer->unsized = true;
	l = analyze(outer);
	cr_assert_eq(l->members[0].nested_padding, 0);
	cr_assert_eq(l->paddings, 0);
	cr_assert_eq(l->padding, 0);
}

Test(nonc, unsized_member_and_struct_are_marked_in_text)
{
	sf_buf buf = { 0 };
	const sf_struct_layout *l = analyze(rust_unsized_tail());

	sf__emit_struct_layout(&buf, l, 0);
	cr_assert_not_null(buf.data);
	cr_assert_not_null(strstr(buf.data, "data;"), "%s", buf.data);
	cr_assert_not_null(strstr(buf.data, "/* structfit: unsized: its size is only known at run time */"),
			   "%s", buf.data);
	cr_assert_not_null(strstr(buf.data, "/* structfit: unsized: the size is the statically known part"),
			   "%s", buf.data);
	cr_assert_null(strstr(buf.data, "/* padding:"), "%s", buf.data);
	sf_buf_free(&buf);
}

Test(nonc, no_reorder_of_unsized_structs)
{
	const sf_proposal *p = plan(rust_unsized_tail());

	cr_assert_eq(p->reason, SF_REASON_UNSIZED, "named before the compiler's own order");
	cr_assert_str_eq(sf_reorder_reason_text(p->reason), "unsized: size known only at run time");
	cr_assert_eq(p->size, 8);
}

/* The struct of variant `Small(u8)` of `enum Sizes { Big([u64; 8]), Small(u8) }`:
 * the tag at 0, its field at 1, Big's payload in the rest. */
Test(nonc, enum_variant_view_has_no_holes_or_padding)
{
	mb_member rows[] = { MB_PLAIN("__0", "u8", 1, 1, 1) };
	sf_struct *s = mb_add(&unit, SF_STRUCT, "Small", 72, rows, MB_COUNT(rows));
	const sf_struct_layout *l;
	sf_buf buf = { 0 };

	cr_assert_not_null(s);
	s->variant_view = true;
	l = analyze(s);
	cr_assert_eq(l->hole_count, 0);
	cr_assert_eq(l->leading_hole, 0);
	cr_assert_eq(l->padding, 0);
	cr_assert_eq(sf__layout_tail_padding(s), 0);
	sf__emit_struct_layout(&buf, l, 0);
	cr_assert_not_null(buf.data);
	cr_assert_not_null(strstr(buf.data, "structfit: variant of a Rust enum"), "%s", buf.data);
	cr_assert_null(strstr(buf.data, "XXX"), "%s", buf.data);
	sf_buf_free(&buf);
}
