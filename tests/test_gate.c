/* Unit tests of the JSON reader, baseline parsing and the gate's comparison rules. */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <structfit/structfit.h>

#include "layout/snapshot.h"
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
