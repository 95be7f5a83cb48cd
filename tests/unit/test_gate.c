/* Unit tests of the JSON reader, baseline parsing and the gate's comparison rules. */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <structfit/structfit.h>

#include "gate/snapshot.h"
#include "util/arena.h"
#include "util/json_read.h"

static const char base_doc[] =
	"{\"tool\": \"structfit\", \"version\": \"0.1.0\", \"cacheline\": 64,\n"
	"\"files\": [{\"path\": \"a.o\", \"arch\": \"x86_64\", \"byte_order\": \"little\", \"address_size\": 8}],\n"
	"\"structs\": [\n"
	"{\"kind\": \"struct\", \"name\": \"s\", \"typedef_name\": null, \"size\": 16, \"align\": 8, "
	"\"packed\": false, \"decl_file\": \"s.h\", \"decl_line\": 3, \"cachelines\": 1, "
	"\"holes\": [{\"offset\": 1, \"size\": 7}], \"bit_holes\": [], \"padding\": 0, \"bit_padding\": 0, "
	"\"members\": [{\"index\": 0, \"name\": \"a\", \"type\": \"char\", \"offset\": 0, \"size\": 1, "
	"\"align\": 1, \"bit_offset\": null, \"bit_size\": null}, "
	"{\"index\": 1, \"name\": null, \"type\": \"union {...}\", \"offset\": 8, \"size\": 8, \"align\": 8, "
	"\"bit_offset\": null, \"bit_size\": null, \"kind\": \"union\", \"members\": ["
	"{\"index\": 0, \"name\": \"l\", \"type\": \"long\", \"offset\": 8, \"size\": 8, \"align\": 8, "
	"\"bit_offset\": null, \"bit_size\": null}], \"holes\": [], \"bit_holes\": []}]}\n"
	"]}\n";

static int parse_json(const char *text, const sf_json_value **out, sf_arena **arena)
{
	cr_assert_eq(sf__arena_new(arena), 0);
	return sf__json_parse(text, strlen(text), "t.json", *arena, out);
}

Test(json_read, reads_values_with_positions)
{
	const sf_json_value *v;
	sf_arena *arena;

	cr_assert_eq(parse_json("{\"a\": [1, true, null],\n \"b\": \"x\\u00e9\\ud83d\\ude00\"}", &v, &arena), 0);
	cr_assert_eq(v->type, SF_JSON_OBJECT);
	cr_assert_eq(sf__json_get(v, "a")->count, 3);
	cr_assert(sf__json_get(v, "a")->items[0]->is_uint);
	cr_assert_str_eq(sf__json_get(v, "b")->string, "x\xc3\xa9\xf0\x9f\x98\x80");
	cr_assert_eq(sf__json_get(v, "b")->line, 2);
	cr_assert_eq(sf__json_get(v, "b")->column, 7);
	sf__arena_free(arena);
}

Test(json_read, rejects_bad_input_with_location)
{
	static const struct {
		const char *text;
		const char *message;
	} cases[] = {
		{ "", "t.json:1:1: unexpected end of input" },
		{ "{\"a\": 1,}", "t.json:1:9: unexpected character where an object key" },
		{ "{\"a\": 1, \"a\": 2}", "t.json:1:10: duplicate key \"a\"" },
		{ "[1,\n 2,\n 03]", "t.json:3:2: leading zero" },
		{ "\"abc", "t.json:1:1: unterminated string" },
		{ "\"\\ud800\"", "unpaired surrogate" },
		{ "\"\\u0000\"", "\\u0000 is not allowed" },
		{ "\"\xc3\x28\"", "invalid UTF-8" },
		{ "[1] x", "t.json:1:5: unexpected text after" },
		{ "tru", "invalid literal" },
		{ "\"a\tb\"", "control character" },
		{ "-", "invalid number" },
		{ "1.e5", "digit expected after decimal point" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const sf_json_value *v = NULL;
		sf_arena *arena;
		cr_assert_eq(parse_json(cases[i].text, &v, &arena), SF_EINVALID, "case %zu", i);
		cr_assert(strstr(sf_error_last(), cases[i].message), "case %zu: %s", i, sf_error_last());
		sf__arena_free(arena);
	}
}

Test(json_read, bounds_nesting_depth)
{
	char deep[4 * SF_JSON_MAX_DEPTH + 8];
	const sf_json_value *v;
	sf_arena *arena;
	size_t n = 0;

	for (int i = 0; i < SF_JSON_MAX_DEPTH + 5; i++)
		deep[n++] = '[';
	deep[n] = '\0';
	cr_assert_eq(parse_json(deep, &v, &arena), SF_EINVALID);
	cr_assert(strstr(sf_error_last(), "nesting deeper than"), "%s", sf_error_last());
	sf__arena_free(arena);
}

Test(snapshot, parse_and_emit_round_trip)
{
	sf_snapshot *snap = NULL, *again = NULL;
	sf_buf one = SF_BUF_INIT, two = SF_BUF_INIT;

	cr_assert_eq(sf_snapshot_parse(&snap, base_doc, strlen(base_doc), "b.json"), 0, "%s", sf_error_last());
	cr_assert_eq(sf_snapshot_count(snap), 1);
	cr_assert_str_eq(snap->structs[0].members[2].path, "l");
	cr_assert_eq(sf_emit_snapshot(&one, snap), 0);
	cr_assert_eq(sf_snapshot_parse(&again, one.data, one.len, "one.json"), 0, "%s", sf_error_last());
	cr_assert_eq(sf_emit_snapshot(&two, again), 0);
	cr_assert_str_eq(one.data, two.data);
	sf_buf_free(&one);
	sf_buf_free(&two);
	sf_snapshot_free(snap);
	sf_snapshot_free(again);
}

Test(snapshot, names_missing_keys)
{
	static const char doc[] = "{\"tool\": \"structfit\", \"structs\": [\n{\"kind\": \"struct\", \"name\": \"s\", \"members\": []}]}";
	sf_snapshot *snap = NULL;

	cr_assert_eq(sf_snapshot_parse(&snap, doc, strlen(doc), "b.json"), SF_EINVALID);
	cr_assert_str_eq(sf_error_last(), "b.json:2:1: struct 's': 'size' is missing");
	cr_assert_null(snap);
}

/* Every truncation and many byte flips of a valid baseline: an error or a snapshot, never a crash. */
Test(snapshot, survives_mutated_baselines)
{
	size_t len = strlen(base_doc);
	char *copy = malloc(len + 1);
	unsigned seed = 12345;

	cr_assert_not_null(copy);
	for (size_t cut = 0; cut < len; cut++) {
		sf_snapshot *snap = NULL;
		int rc = sf_snapshot_parse(&snap, base_doc, cut, "cut.json");
		cr_assert(rc == SF_EINVALID || rc == 0, "cut %zu: %d", cut, rc);
		sf_snapshot_free(snap);
	}
	for (int round = 0; round < 3000; round++) {
		sf_snapshot *snap = NULL;
		int rc;
		memcpy(copy, base_doc, len + 1);
		for (int k = 0; k < 3; k++) {
			seed = seed * 1103515245u + 12345u;
			copy[(seed >> 8) % len] = (char)(seed >> 20);
		}
		rc = sf_snapshot_parse(&snap, copy, len, "flip.json");
		cr_assert(rc == SF_EINVALID || rc == 0, "round %d: %d", round, rc);
		if (rc == 0) {
			sf_buf out = SF_BUF_INIT;
			sf_assert_options aopts = SF_ASSERT_OPTIONS_INIT;
			aopts.offsets = 1;
			cr_assert_eq(sf_emit_snapshot(&out, snap), 0);
			cr_assert_eq(sf_emit_asserts(&out, snap, &aopts, NULL), 0);
			sf_buf_free(&out);
		}
		sf_snapshot_free(snap);
	}
	free(copy);
}

static sf_findings *check_docs(const char *old_doc, const char *new_doc, const sf_gate_options *opts)
{
	sf_snapshot *a = NULL, *b = NULL;
	sf_findings *f = NULL;

	cr_assert_eq(sf_snapshot_parse(&a, old_doc, strlen(old_doc), "old"), 0, "%s", sf_error_last());
	cr_assert_eq(sf_snapshot_parse(&b, new_doc, strlen(new_doc), "new"), 0, "%s", sf_error_last());
	cr_assert_eq(sf_gate_check(&f, a, b, opts), 0);
	sf_snapshot_free(a);
	sf_snapshot_free(b);
	return f;
}

static char *replace(const char *text, const char *from, const char *to)
{
	const char *at = strstr(text, from);
	size_t n;
	char *out;

	cr_assert_not_null(at, "'%s' not found", from);
	n = strlen(text) - strlen(from) + strlen(to);
	out = malloc(n + 1);
	cr_assert_not_null(out);
	sprintf(out, "%.*s%s%s", (int)(at - text), text, to, at + strlen(from));
	return out;
}

Test(gate, identical_snapshots_pass)
{
	sf_findings *f = check_docs(base_doc, base_doc, NULL);
	cr_assert_eq(sf_findings_count(f), 0);
	sf_findings_free(f);
}

Test(gate, member_of_anonymous_union_moved_by_path)
{
	char *moved = replace(base_doc, "\"name\": \"l\", \"type\": \"long\", \"offset\": 8",
			      "\"name\": \"l\", \"type\": \"long\", \"offset\": 16");
	sf_findings *f = check_docs(base_doc, moved, NULL);
	const sf_finding *x = sf_findings_get(f, 0);

	cr_assert_eq(sf_findings_count(f), 1);
	cr_assert_eq(x->kind, SF_FINDING_MEMBER_MOVED);
	cr_assert_str_eq(x->member, "l");
	cr_assert_str_eq(x->decl_file, "s.h");
	cr_assert_eq(x->decl_line, 3);
	cr_assert_eq(x->old_value, 8);
	cr_assert_eq(x->new_value, 16);
	sf_findings_free(f);
	free(moved);
}

Test(gate, budgets_and_sarif)
{
	sf_gate_budget size = { "s", 8 };
	sf_gate_options opts = SF_GATE_OPTIONS_INIT;
	sf_findings *f;
	sf_buf out = SF_BUF_INIT;

	opts.max_size = &size;
	opts.max_size_count = 1;
	opts.has_max_padding = 1;
	opts.max_padding = 6;
	f = check_docs(base_doc, base_doc, &opts);
	cr_assert_eq(sf_findings_violations(f), 2);
	cr_assert_eq(sf_findings_get(f, 0)->kind, SF_FINDING_MAX_PADDING);
	cr_assert_eq(sf_findings_get(f, 1)->kind, SF_FINDING_MAX_SIZE);
	cr_assert_eq(sf_emit_findings(&out, f, SF_FINDINGS_SARIF, NULL), 0);
	cr_assert(strstr(out.data, "\"ruleId\": \"max-size\""));
	cr_assert(strstr(out.data, "\"artifactLocation\": {\"uri\": \"s.h\"}, \"region\": {\"startLine\": 3}"));
	sf_buf_free(&out);
	sf_findings_free(f);
}

Test(gate, every_kind_has_a_distinct_rule_id)
{
	for (int a = 0; a < SF_FINDING_KIND_COUNT; a++) {
		cr_assert_neq(strcmp(sf_finding_rule((sf_finding_kind)a), "unknown"), 0);
		for (int b = a + 1; b < SF_FINDING_KIND_COUNT; b++)
			cr_assert_neq(strcmp(sf_finding_rule((sf_finding_kind)a), sf_finding_rule((sf_finding_kind)b)), 0);
	}
}

static sf_snapshot *parse_doc(const char *doc)
{
	sf_snapshot *snap = NULL;

	cr_assert_eq(sf_snapshot_parse(&snap, doc, strlen(doc), "doc"), 0, "%s", sf_error_last());
	return snap;
}

/* A baseline made in /co/a must not name /co/a: another checkout will check it. */
Test(snapshot, declarations_relative_to_the_source_root)
{
	static const struct {
		const char *recorded;
		const char *root;
		const char *written;
	} cases[] = {
		{ "/co/a/src/s.h", "/co/a", "src/s.h" },
		{ "/co/a/build/../src/./s.h", "/co/a/", "src/s.h" },
		{ "/co/a//src/s.h", "/co/./a", "src/s.h" },
		{ "/co/ab/s.h", "/co/a", "/co/ab/s.h" },
		{ "/usr/include/../include/s.h", "/co/a", "/usr/include/s.h" },
		{ "/s.h", "/", "s.h" },
		{ "src/s.h", "/co/a", "src/s.h" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char recorded[96], written[96];
		char *doc;
		sf_snapshot *snap;
		sf_buf out = SF_BUF_INIT;

		snprintf(recorded, sizeof(recorded), "\"decl_file\": \"%s\"", cases[i].recorded);
		snprintf(written, sizeof(written), "\"decl_file\": \"%s\"", cases[i].written);
		doc = replace(base_doc, "\"decl_file\": \"s.h\"", recorded);
		snap = parse_doc(doc);
		cr_assert_eq(sf_snapshot_set_source_root(snap, cases[i].root), 0, "case %zu", i);
		cr_assert_eq(sf_emit_snapshot(&out, snap), 0);
		cr_assert(strstr(out.data, written), "case %zu: %s", i, out.data);
		/* Messages keep the path the build recorded. */
		cr_assert_str_eq(snap->structs[0].decl_file, cases[i].recorded, "case %zu", i);
		sf_buf_free(&out);
		sf_snapshot_free(snap);
		free(doc);
	}
}

Test(snapshot, source_root_must_be_absolute)
{
	sf_snapshot *snap = parse_doc(base_doc);

	cr_assert_eq(sf_snapshot_set_source_root(snap, "co/a"), SF_EUSAGE);
	sf_snapshot_free(snap);
}

Test(snapshot, target_from_the_files)
{
	static const char no_files[] = "{\"tool\": \"structfit\", \"structs\": []}";
	char *s390 = replace(base_doc, "\"arch\": \"x86_64\", \"byte_order\": \"little\"",
			     "\"arch\": \"s390x\", \"byte_order\": \"big\"");
	sf_snapshot *a = parse_doc(base_doc), *b = parse_doc(s390), *c = parse_doc(no_files);

	cr_assert_str_eq(sf_snapshot_target(a), "x86_64 (8-byte pointers, little-endian)");
	cr_assert_str_eq(sf_snapshot_target(b), "s390x (8-byte pointers, big-endian)");
	cr_assert_null(sf_snapshot_target(c));
	sf_snapshot_free(a);
	sf_snapshot_free(b);
	sf_snapshot_free(c);
	free(s390);
}

/*
 * Two definitions of `s`; the build lost the one of one.h.  The other pairs
 * with its own file once both sides are relative, not with one.h by order.
 */
Test(gate, definitions_pair_by_file_relative_to_the_root)
{
	char *one = replace(base_doc, "\"decl_file\": \"s.h\"", "\"decl_file\": \"one.h\"");
	char *two_def = replace(strstr(base_doc, "{\"kind\""), "\"decl_file\": \"s.h\", \"decl_line\": 3, \"cachelines\": 1, "
				"\"holes\": [{\"offset\": 1, \"size\": 7}]",
				"\"decl_file\": \"two.h\", \"decl_line\": 3, \"cachelines\": 1, "
				"\"holes\": [{\"offset\": 1, \"size\": 7}]");
	char *baseline_doc = replace(one, "\n]}\n", "");
	char *both, *current_doc;
	sf_snapshot *baseline, *current;
	sf_findings *f = NULL;

	both = malloc(strlen(baseline_doc) + strlen(two_def) + 8);
	cr_assert_not_null(both);
	sprintf(both, "%s,\n%s", baseline_doc, two_def);
	/* two_def ends with the document's closing "]}". */
	current_doc = replace(base_doc, "\"decl_file\": \"s.h\"", "\"decl_file\": \"/co/b/two.h\"");
	baseline = parse_doc(both);
	current = parse_doc(current_doc);
	cr_assert_eq(sf_snapshot_count(baseline), 2);
	cr_assert_eq(sf_snapshot_set_source_root(current, "/co/b"), 0);
	cr_assert_eq(sf_gate_check(&f, baseline, current, NULL), 0);
	cr_assert_eq(sf_findings_count(f), 1);
	cr_assert_eq(sf_findings_get(f, 0)->kind, SF_FINDING_STRUCT_REMOVED);
	cr_assert_str_eq(sf_findings_get(f, 0)->decl_file, "one.h");
	sf_findings_free(f);
	sf_snapshot_free(baseline);
	sf_snapshot_free(current);
	free(one);
	free(two_def);
	free(baseline_doc);
	free(both);
	free(current_doc);
}

Test(gate, budgets_without_a_baseline)
{
	sf_gate_options opts = SF_GATE_OPTIONS_INIT;
	sf_snapshot *current = parse_doc(base_doc);
	sf_findings *f = NULL;

	opts.no_new_holes = 1;
	cr_assert_eq(sf_gate_check(&f, NULL, current, &opts), 0);
	cr_assert_eq(sf_findings_count(f), 1);
	cr_assert_eq(sf_findings_get(f, 0)->kind, SF_FINDING_NEW_HOLE);
	cr_assert_eq(sf_findings_get(f, 0)->new_value, 7);
	sf_findings_free(f);
	sf_snapshot_free(current);
}

/* One block per struct; equal moves on one line; JSON keeps every finding. */
Test(gate, check_text_counts_equal_moves)
{
	char *moved = replace(base_doc, "\"name\": \"l\", \"type\": \"long\", \"offset\": 8",
			      "\"name\": \"l\", \"type\": \"long\", \"offset\": 16");
	char *both = replace(moved, "\"name\": \"a\", \"type\": \"char\", \"offset\": 0",
			     "\"name\": \"a\", \"type\": \"char\", \"offset\": 8");
	sf_findings *f = check_docs(base_doc, both, NULL);
	sf_buf out = SF_BUF_INIT;

	cr_assert_eq(sf_findings_count(f), 2);
	cr_assert_eq(sf_emit_findings(&out, f, SF_FINDINGS_TEXT, NULL), 0);
	cr_assert_str_eq(out.data, "s.h:3: error: struct s: 2 members moved by +8 bytes: 'a', 'l' [member-moved]\n");
	sf_buf_free(&out);
	sf_findings_free(f);
	free(moved);
	free(both);
}

/* Budget findings carry the limit they broke (sf_finding.limit), which the Markdown table shows. */
Test(gate, budget_findings_carry_their_limit)
{
	sf_gate_budget size = { "s", 8 }, unmatched = { "nosuch", 5 };
	sf_gate_budget sizes[2] = { size, unmatched };
	sf_gate_options opts = SF_GATE_OPTIONS_INIT;
	sf_findings *f;

	opts.max_size = sizes;
	opts.max_size_count = 2;
	opts.has_max_padding = 1;
	opts.max_padding = 6;
	f = check_docs(base_doc, base_doc, &opts);
	cr_assert_eq(sf_findings_count(f), 3);
	cr_assert_eq(sf_findings_get(f, 0)->kind, SF_FINDING_MAX_PADDING);
	cr_assert_eq(sf_findings_get(f, 0)->limit, 6);
	cr_assert_eq(sf_findings_get(f, 1)->kind, SF_FINDING_MAX_SIZE);
	cr_assert_eq(sf_findings_get(f, 1)->limit, 8);
	cr_assert_eq(sf_findings_get(f, 2)->kind, SF_FINDING_BUDGET_UNMATCHED);
	cr_assert_eq(sf_findings_get(f, 2)->limit, 5);
	sf_findings_free(f);
}

/*
 * Markdown: one row per finding (equal moves on one), the budget in its
 * column, and cells escaped: a '|' in a name (a baseline may hold any) must
 * not end the cell, a '*' in a type must not start emphasis.
 */
Test(gate, findings_markdown_rows_and_escaping)
{
	char *renamed = replace(base_doc, "\"name\": \"s\"", "\"name\": \"s|t\"");
	char *retyped = replace(renamed, "\"type\": \"char\"", "\"type\": \"char *\"");
	char *bigger = replace(retyped, "\"size\": 16, \"align\": 8", "\"size\": 24, \"align\": 8");
	sf_gate_budget size = { "s|t", 20 };
	sf_gate_options opts = SF_GATE_OPTIONS_INIT;
	sf_findings *f;
	sf_buf out = SF_BUF_INIT;

	opts.max_size = &size;
	opts.max_size_count = 1;
	f = check_docs(renamed, bigger, &opts);
	cr_assert_eq(sf_emit_findings(&out, f, SF_FINDINGS_MARKDOWN, NULL), 0);
	cr_assert_str_eq(out.data,
			 "| level | struct | rule | old → new | budget | finding | declared |\n"
			 "|---|---|---|--:|--:|---|---|\n"
			 "| **error** | `struct s\\|t` | struct-grew | 16 → 24 |  | size grew from 16 to 24 bytes (+8) | s.h:3 |\n"
			 "| **error** | `struct s\\|t` | member-retyped | 1 → 1 |  | member 'a' changed from 'char' (1 bytes) "
			 "to 'char \\*' (1 bytes) | s.h:3 |\n"
			 "| **error** | `struct s\\|t` | max-size | 24 | 20 | size 24 bytes exceeds the --max-size budget of 20 "
			 "| s.h:3 |\n");
	sf_buf_free(&out);
	sf_findings_free(f);
	free(renamed);
	free(retyped);
	free(bigger);
}

/* A diff in Markdown: one row per struct, its changes joined by <br>; nothing without changes. */
Test(gate, diff_markdown_one_row_per_struct)
{
	char *moved = replace(base_doc, "\"name\": \"l\", \"type\": \"long\", \"offset\": 8",
			      "\"name\": \"l\", \"type\": \"long\", \"offset\": 16");
	char *both = replace(moved, "\"name\": \"a\", \"type\": \"char\", \"offset\": 0",
			     "\"name\": \"a\", \"type\": \"char\", \"offset\": 8");
	sf_snapshot *a = parse_doc(base_doc), *b = parse_doc(both);
	sf_findings *f = NULL;
	sf_buf out = SF_BUF_INIT;

	cr_assert_eq(sf_gate_diff(&f, a, b), 0);
	cr_assert_eq(sf_emit_findings(&out, f, SF_FINDINGS_MARKDOWN, "/src"), 0);
	cr_assert_str_eq(out.data, "| struct | size | changes | declared |\n"
				   "|---|--:|---|---|\n"
				   "| `struct s` |  | 2 members moved by +8 bytes: 'a', 'l' | s.h:3 |\n");
	sf_findings_free(f);
	sf_buf_free(&out);
	cr_assert_eq(sf_gate_diff(&f, a, a), 0);
	cr_assert_eq(sf_emit_findings(&out, f, SF_FINDINGS_MARKDOWN, NULL), 0);
	cr_assert_eq(out.len, 0);
	sf_findings_free(f);
	sf_buf_free(&out);
	sf_snapshot_free(a);
	sf_snapshot_free(b);
	free(moved);
	free(both);
}
