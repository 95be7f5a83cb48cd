/* Tests of the HTML page and SVG byte map emitters without a browser (tests/cli/html_browser.py drives one). */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <structfit/structfit.h>

#include "model_builder.h"

typedef struct fixture {
	sf_model *model;
	sf_unit unit;
	sf_report *report;
	sf_plan *plan;
	sf_buf out;
} fixture;

static fixture fx;

static void setup(void)
{
	sf_file_info info = { "test.o", NULL, "x86_64", 0, 8, "dwarf" };
	memset(&fx, 0, sizeof(fx));
	cr_assert_eq(sf_model_new(&fx.model), 0);
	cr_assert_eq(sf__model_add_file(fx.model, &info), 0);
	cr_assert_eq(sf__unit_init(&fx.unit, 0), 0);
}

static void teardown(void)
{
	sf_plan_free(fx.plan);
	sf_report_free(fx.report);
	sf__unit_release(&fx.unit);
	sf_model_free(fx.model);
	sf_buf_free(&fx.out);
}

TestSuite(html, .init = setup, .fini = teardown);

/* struct holes { char a; int b; char c; long d; short e; } (x86-64), and a
 * C++ template name that must not end a <script> or break the XML. */
static void build(void)
{
	sf_report_options ro = SF_REPORT_OPTIONS_INIT;
	mb_member rows[] = {
		MB_PLAIN("a", "char", 0, 1, 1),
		MB_PLAIN("b", "int", 4, 4, 4),
		MB_PLAIN("c", "char", 8, 1, 1),
		MB_PLAIN("d", "long int", 16, 8, 8),
		MB_PLAIN("e", "short int", 24, 2, 2),
	};
	mb_member tricky[] = {
		MB_PLAIN("v", "vec<int></script><b>&\"", 0, 8, 8),
	};
	cr_assert_not_null(mb_add(&fx.unit, SF_STRUCT, "holes", 32, rows, MB_COUNT(rows)));
	cr_assert_not_null(mb_add(&fx.unit, SF_STRUCT, "tricky", 8, tricky, MB_COUNT(tricky)));
	cr_assert_eq(sf__model_merge_unit(fx.model, &fx.unit), 0);
	cr_assert_eq(sf_report_build(&fx.report, fx.model, &ro), 0, "%s", sf_error_last());
	cr_assert_eq(sf_reorder_plan(&fx.plan, fx.report, NULL), 0, "%s", sf_error_last());
}

static size_t count(const char *text, const char *what)
{
	size_t n = 0;
	for (const char *p = strstr(text, what); p; p = strstr(p + 1, what))
		n++;
	return n;
}

Test(html, page_is_self_contained_and_embeds_the_data_once)
{
	sf_emit_options eo = SF_EMIT_OPTIONS_INIT;

	build();
	eo.plan = fx.plan;
	cr_assert_eq(sf_emit_html(&fx.out, fx.report, &eo), 0);
	cr_assert_not_null(strstr(fx.out.data, "default-src 'none'"));
	cr_assert_null(strstr(fx.out.data, "http://"));
	cr_assert_null(strstr(fx.out.data, "https://"));
	/* Three scripts (report, page data, code): a type name never closes one. */
	cr_assert_eq(count(fx.out.data, "</script>"), 3);
	cr_assert_not_null(strstr(fx.out.data, "vec\\u003cint>\\u003c/script>"));
	/* The summary row of `holes`: 2 holes, 10 hole bytes, 6 padding, waste 16. */
	cr_assert_not_null(strstr(fx.out.data, "\"summary\":[[2,10,6,16],[0,0,0,0]]"), "%s", fx.out.data);
	/* Compact: no blank after the JSON punctuation outside strings. */
	cr_assert_null(strstr(fx.out.data, "\"size\": "));
}

Test(html, placed_proposal_lists_members_in_memory_order)
{
	sf_emit_options eo = SF_EMIT_OPTIONS_INIT;
	const sf_proposal *prop;

	build();
	prop = sf_plan_proposal(fx.plan, 0);
	cr_assert_eq(prop->size, 16);
	eo.plan = fx.plan;
	cr_assert_eq(sf_emit_html(&fx.out, fx.report, &eo), 0);
	/* a stays first; then c, e, b, d packed into 16 bytes, b and d moved (as
	 * `reorder` lists them): [declaration index, offset, size, bit offset,
	 * bits, crosses, moved]. */
	cr_assert_not_null(strstr(fx.out.data, "{\"m\":[[0,0,1,-1,0,0,0],[2,1,1,-1,0,0,0],[4,2,2,-1,0,0,0],"
				  "[1,4,4,-1,0,0,1],[3,8,8,-1,0,0,1]],\"h\":[],\"bh\":[],\"pad\":0,\"cl\":1}"),
			   "%s", fx.out.data);
}

Test(html, svg_draws_holes_and_padding_and_escapes_names)
{
	sf_emit_options eo = SF_EMIT_OPTIONS_INIT;

	build();
	cr_assert_eq(sf_emit_svg(&fx.out, fx.report, 0, &eo), 0);
	cr_assert_not_null(strstr(fx.out.data, "<title>hole: 3 bytes at 1</title>"));
	cr_assert_not_null(strstr(fx.out.data, "<title>hole: 7 bytes at 9</title>"));
	cr_assert_not_null(strstr(fx.out.data, "<title>tail padding: 6 bytes at 26</title>"));
	cr_assert_not_null(strstr(fx.out.data, "</svg>\n"));
	sf_buf_free(&fx.out);
	cr_assert_eq(sf_emit_svg(&fx.out, fx.report, 1, &eo), 0);
	cr_assert_not_null(strstr(fx.out.data, "vec&lt;int&gt;&lt;/script&gt;&lt;b&gt;&amp;&quot;"));
	cr_assert_null(strstr(fx.out.data, "<b>"));
}

Test(html, svg_index_out_of_range_is_not_found)
{
	sf_emit_options eo = SF_EMIT_OPTIONS_INIT;

	build();
	cr_assert_eq(sf_emit_svg(&fx.out, fx.report, 2, &eo), SF_ENOTFOUND);
	cr_assert_not_null(strstr(sf_error_last(), "no struct 2"));
}
