/* Building a fix: sources found and checked, initializers scanned, struct bodies rewritten in memory. */
/* realpath, opendir and lstat are POSIX, hidden by a bare -std=c17. */
#ifndef _GNU_SOURCE
#define _XOPEN_SOURCE 700
#endif

#include "fix/fix_result.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fix/fix_body.h"
#include "fix/fix_builder.h"
#include "fix/fix_cxx.h"
#include "fix/fix_cxx_build.h"
#include "fix/fix_go.h"
#include "fix/fix_go_predict.h"
#include "fix/fix_inits.h"
#include "layout/selection.h"
#include "reorder/constraints.h"
#include "reorder/plan.h"
#include "util/fail.h"
#include "util/file_read.h"

/* Same definition recorded with another layout (an #ifdef-dependent body). */
static bool defined_twice(const sf_report_entry *e)
{
	const sf_struct *def = e->def;
	for (size_t i = 0; i < e->conflict_count; i++) {
		const sf_struct *c = e->conflicts[i];
		if (c->decl_line == def->decl_line && c->decl_file && def->decl_file &&
		    strcmp(c->decl_file, def->decl_file) == 0)
			return true;
	}
	return false;
}

/*
 * Plans `def` again with a group rule for each unit holding several
 * members, so a line is never split.  Fills order/size; returns 1 when
 * no such order saves anything, 0, or a negative code.
 */
static int replan_grouped(builder *b, const sf_struct *def, const sf_fix_body *body, uint32_t **order,
			  uint64_t *size)
{
	sf_reorder_options opts = SF_REORDER_OPTIONS_INIT;
	const sf_constraints *user = NULL;
	sf_constraints local;
	sf_plan_entry entry;
	size_t rule_count = 0;
	const char *name = sf__report_struct_name(def);
	int rc;

	if (b->opts->reorder)
		opts = *b->opts->reorder;
	user = opts.constraints;
	memset(&local, 0, sizeof(local));
	local.file = "(declarations sharing a line)";
	local.rules = sf__arena_calloc(b->arena, (user ? user->count : 0) + body->unit_count + 1, sizeof(sf_rule));
	if (!local.rules)
		return SF_ENOMEM;
	for (size_t i = 0; user && i < user->count; i++)
		local.rules[rule_count++] = user->rules[i];
	for (uint32_t u = 0; u < body->unit_count; u++) {
		const sf_fix_unit *unit = &body->units[u];
		sf_rule *r;
		if (unit->member_count < 2)
			continue;
		if (!name)
			return 1;
		r = &local.rules[rule_count++];
		r->kind = SF_RULE_GROUP;
		r->struct_name = name;
		r->line = unit->first_line;
		r->member_count = unit->member_count;
		r->members = sf__arena_calloc(b->arena, unit->member_count, sizeof(*r->members));
		if (!r->members)
			return SF_ENOMEM;
		for (uint32_t k = 0; k < unit->member_count; k++) {
			const char *mname = def->members[unit->member_first + k].name;
			if (!mname)
				return 1; /* groups name members; anonymous ones cannot be named */
			r->members[k] = mname;
		}
	}
	local.count = local.capacity = rule_count;
	opts.constraints = &local;
	rc = sf__reorder_struct(&entry, def, NULL, &opts, b->plan->cacheline, &b->ws, b->arena);
	sf__layout_free(entry.owned_layout);
	if (rc == SF_EUSAGE)
		return 1; /* the user's rules contradict the groups */
	if (rc < 0)
		return rc;
	if (entry.proposal.reason != SF_REASON_NONE)
		return 1;
	*order = (uint32_t *)entry.proposal.order;
	*size = entry.proposal.size;
	return 0;
}

static int add_record(sf_fix *fix, const sf_proposal *prop, const sf_struct *def, size_t *index)
{
	sf_fix_struct *more = sf__fix_grow(fix->arena, fix->structs, fix->struct_count, &fix->struct_cap, sizeof(*more));
	sf_fix_struct *r;
	if (!more)
		return SF_ENOMEM;
	fix->structs = more;
	r = &fix->structs[fix->struct_count];
	memset(r, 0, sizeof(*r));
	r->name = prop->name ? prop->name : "(anonymous)";
	r->file = def->decl_file;
	r->line = def->decl_line;
	r->original_size = prop->original_size;
	r->size = prop->size;
	r->saves = prop->saves;
	r->planned_saves = prop->saves;
	*index = fix->struct_count++;
	return 0;
}

static bool overlaps(const builder *b, size_t source, const sf_fix_body *body)
{
	for (size_t i = 0; i < b->cand_count; i++) {
		const candidate *c = &b->cands[i];
		if (!c->abi_blocked && c->source == source && c->body.open < body->close && body->open < c->body.close)
			return true;
	}
	return false;
}

/* Source checks for plan entry `index`; adds a candidate or records why not. */
static int consider_sources(builder *b, size_t index)
{
	sf_fix *fix = b->fix;
	const sf_plan_entry *pe = &b->plan->entries[index];
	const sf_proposal *prop = &pe->proposal;
	const sf_struct *def = pe->def;
	const sf_report_entry *re = &b->plan->report->entries[index];
	sf_fix_struct *r;
	sf_fix_source *src;
	sf_fix_body body;
	const uint32_t *order = prop->order;
	uint32_t *units = NULL;
	const char *why = NULL;
	char reason[1024];
	uint32_t label_line = 0;
	size_t record;
	long source;
	int rc;

	if (prop->reason != SF_REASON_NONE)
		return 0;
	rc = add_record(fix, prop, def, &record);
	if (rc < 0)
		return rc;
	r = &fix->structs[record];
	if (defined_twice(re)) {
		r->skip_reason = "the inputs hold several layouts of this definition";
		return 0;
	}
	if (def->go)
		return sf__fix_go_consider(b, index, record);
	if (!def->decl_file) {
		r->skip_reason = "debug info gives no source file";
		return 0;
	}
	source = sf__fix_source_for(b, def->decl_file, &why);
	if (source == SF_ENOMEM)
		return SF_ENOMEM;
	r = &fix->structs[record];
	if (source < 0) {
		r->skip_reason = why;
		r->outside_source_root = strncmp(why, SF_FIX_OUTSIDE_ROOT, strlen(SF_FIX_OUTSIDE_ROOT)) == 0;
		return 0;
	}
	src = &fix->sources[source];
	r->file = src->rel;
	rc = sf__fix_body_find_cxx(&body, src->text, src->len, &src->tokens, def,
				   sf__fix_cxx_hint(def, src->path), reason, sizeof(reason));
	if (rc < 0)
		return rc;
	if (rc > 0) {
		/* The shared prefix is one more obstacle, as far as the body tells. */
		r->skip_reason = sf__fix_format(fix, "%s", reason);
		rc = r->skip_reason ? sf__fix_shared_prefix_refused(b, record, def, order, &body, src->text) : SF_ENOMEM;
		sf__fix_body_free(&body);
		return rc;
	}
	units = sf__arena_calloc(b->arena, body.unit_count + 1, sizeof(*units));
	if (!units) {
		sf__fix_body_free(&body);
		return SF_ENOMEM;
	}
	if (!sf__fix_body_unit_order(&body, order, def->member_count, units)) {
		uint32_t *grouped = NULL;
		uint64_t size = 0;
		rc = replan_grouped(b, def, &body, &grouped, &size);
		if (rc == 0 && !sf__fix_body_unit_order(&body, grouped, def->member_count, units))
			rc = 1;
		if (rc != 0) {
			sf__fix_body_free(&body);
			if (rc < 0)
				return rc;
			r->skip_reason = "the proposal splits members declared on one line, and no order "
					 "keeping them together saves bytes";
			return 0;
		}
		r->size = size;
		r->saves = r->original_size - size;
	}
	if (body.cxx && !sf__fix_body_sections_kept(&body, units, &label_line)) {
		uint64_t size = 0;
		rc = sf__fix_cxx_replan_sections(def, &body, units, &size, b->arena);
		if (rc != 0) {
			sf__fix_body_free(&body);
			if (rc < 0)
				return rc;
			r->skip_reason = sf__fix_format(fix, "the proposal moves members across line %u (an access "
							     "label, or a declaration sharing a name with a member), and no "
							     "order within those bounds saves bytes", label_line);
			return r->skip_reason ? 0 : SF_ENOMEM;
		}
		r->size = size;
		r->saves = r->original_size - size;
	}
	if (overlaps(b, (size_t)source, &body)) {
		sf__fix_body_free(&body);
		r->skip_reason = "nested inside another struct being patched";
		return 0;
	}
	{
		candidate *more = sf__fix_grow(b->arena, b->cands, b->cand_count, &b->cand_cap, sizeof(*more));
		if (!more) {
			sf__fix_body_free(&body);
			return SF_ENOMEM;
		}
		b->cands = more;
		b->cands[b->cand_count++] = (candidate){ record, (size_t)source, body, units, def,
							 def->abi_visible && !b->opts->allow_abi_change };
	}
	return 0;
}

/* Two passes over the tree: typedef names first, then initializers. */
static int scan_initializers(builder *b)
{
	sf_fix *fix = b->fix;
	sf_fix_target *targets;
	path_list files = { NULL, 0 };
	size_t rl = strlen(b->root);
	int rc = 0;

	size_t total = b->cand_count + b->refused_count;

	targets = calloc(total + 1, sizeof(*targets));
	if (!targets)
		return SF_ENOMEM;
	for (size_t i = 0; i < total; i++) {
		bool refused = i >= b->cand_count;
		const sf_struct *def = refused ? b->refused_defs[i - b->cand_count] : b->cands[i].def;
		bool cxx = !refused && b->cands[i].body.cxx;
		targets[i].tag = cxx ? sf__fix_cxx_short_name(def) : def->name;
		targets[i].is_union = def->kind == SF_UNION;
		/* C++: only an aggregate is initialized member by member (a
		 * refused struct's body was not read: its initializers count). */
		targets[i].cxx = cxx || sf__fix_cxx_hint(def, def->decl_file);
		targets[i].ignore = cxx && !b->cands[i].body.aggregate;
		if (def->typedef_name) {
			targets[i].aliases = malloc(sizeof(char *));
			if (!targets[i].aliases || !(targets[i].aliases[0] = strdup(def->typedef_name))) {
				rc = SF_ENOMEM;
				goto done;
			}
			targets[i].alias_count = 1;
		}
	}
	rc = sf__fix_list_sources(&files, b->root, 0);
	for (int pass = 0; rc == 0 && pass < 2; pass++) {
		for (size_t f = 0; rc == 0 && f < files.count; f++) {
			char *text = NULL;
			size_t len = 0;
			sf_fix_tokens toks;
			int r = sf__read_file(files.items[f], &text, &len);
			if (r == SF_ENOMEM) {
				rc = r;
				break;
			}
			if (r < 0)
				continue;
			rc = sf__fix_lex(&toks, text, len);
			if (rc == 0) {
				if (pass == 0)
					rc = sf__fix_inits_aliases(targets, total, text, &toks);
				else
					rc = sf__fix_inits_scan(targets, total, files.items[f] + rl + 1, text, &toks);
				sf__fix_tokens_free(&toks);
			}
			free(text);
		}
	}
	for (size_t i = 0; rc == 0 && i < total; i++) {
		size_t record = i < b->cand_count ? b->cands[i].record : b->refused_records[i - b->cand_count];
		sf_fix_struct *r = &fix->structs[record];
		const sf_fix_target *t = &targets[i];
		char more[48] = "";
		const char *what = t->hit_count > 1 ? "positional initializers" : "positional initializer";
		if (!t->hit)
			continue;
		if (t->hit_count > 32)
			snprintf(more, sizeof(more), " and %zu more", t->hit_count - 32);
		if (i >= b->cand_count) {
			/* Already refused: the initializers are one more obstacle. */
			r->skip_reason = sf__fix_format(fix, "%s; also %s at %s%s", r->skip_reason, what, t->hit, more);
			if (!r->skip_reason)
				rc = SF_ENOMEM;
			continue;
		}
		/* Every one of them: each is a line to fix by hand (with --force,
		 * the lines that will not compile or will initialise the wrong member). */
		if (b->opts->force)
			r->warning = sf__fix_format(fix, "%s at %s%s: update them by hand after the patch", what,
						    t->hit, more);
		else
			r->skip_reason = sf__fix_format(fix, "%s at %s%s (--force patches anyway)", what, t->hit, more);
		if (!r->warning && !r->skip_reason)
			rc = SF_ENOMEM;
	}
done:
	for (size_t i = 0; i < total; i++)
		sf__fix_target_release(&targets[i]);
	free(targets);
	for (size_t f = 0; f < files.count; f++)
		free(files.items[f]);
	free(files.items);
	return rc;
}

/* "ABI-visible: ..." naming the exported symbol that makes `def` part of the ABI, kept in the result. */
static const char *abi_visible(sf_fix *fix, const sf_struct *def)
{
	const char *via = def->abi_via;
	return sf__fix_format(fix, "ABI-visible: reachable from an exported symbol%s%s", via ? " via " : "",
			      via ? via : "");
}

/*
 * A struct refused by a source check may be ABI-visible too: say so in the
 * same reason, so fixing the first obstacle does not reveal a second one
 * only on the next run.  Structs outside the source root are not the
 * user's to patch at all.
 */
static int also_abi(builder *b, sf_fix_struct *r, const sf_struct *def)
{
	const char *abi;

	if (!r->skip_reason || r->outside_source_root || !def->abi_visible || b->opts->allow_abi_change)
		return 0;
	abi = abi_visible(b->fix, def);
	r->skip_reason = abi ? sf__fix_format(b->fix, "%s; also %s (needs --allow-abi-change)", r->skip_reason, abi)
			     : NULL;
	return r->skip_reason ? 0 : SF_ENOMEM;
}

static int consider(builder *b, size_t index)
{
	size_t before = b->fix->struct_count;
	int rc = consider_sources(b, index);

	sf_fix_struct *r;
	const sf_struct *def = b->plan->entries[index].def;

	if (rc < 0 || b->fix->struct_count == before)
		return rc;
	r = &b->fix->structs[b->fix->struct_count - 1];
	/* A refused struct of the user's own sources with a name an
	 * initializer can spell is scanned like the candidates. */
	if (r->skip_reason && !r->outside_source_root && def->decl_file && (def->name || def->typedef_name)) {
		size_t cap = b->refused_cap;
		size_t *records = sf__fix_grow(b->arena, b->refused_records, b->refused_count, &cap, sizeof(*records));
		const sf_struct **defs = sf__fix_grow(b->arena, b->refused_defs, b->refused_count, &b->refused_cap,
						      sizeof(*defs));
		if (!records || !defs)
			return SF_ENOMEM;
		b->refused_records = records;
		b->refused_defs = defs;
		records[b->refused_count] = b->fix->struct_count - 1;
		defs[b->refused_count++] = def;
	}
	return also_abi(b, r, def);
}

/* Last check, so the reason names every override the struct needs, and
 * the exported symbol that makes it part of the ABI. */
static int block_abi(sf_fix *fix, const candidate *c)
{
	sf_fix_struct *r = &fix->structs[c->record];
	const char *abi;

	if (!c->abi_blocked)
		return 0;
	abi = abi_visible(fix, c->def);
	if (!abi)
		return SF_ENOMEM;
	if (r->skip_reason)
		r->skip_reason = sf__fix_format(fix, "%s (needs --allow-abi-change); also %s", abi, r->skip_reason);
	else
		r->skip_reason = sf__fix_format(fix, "%s (--allow-abi-change patches anyway)", abi);
	return r->skip_reason ? 0 : SF_ENOMEM;
}

/*
 * The body with its units in the new order.  Each unit keeps the blank
 * lines that preceded it (a commented group stays set apart), except the
 * one that comes first.
 */
static int rewrite(sf_fix *fix, const candidate *c)
{
	sf_fix_source *src = &fix->sources[c->source];
	const sf_fix_body *body = &c->body;
	size_t start, end;
	char *text;

	if (body->has_fixed)
		return sf__fix_cxx_slot_edits(fix, src, body, c->unit_order);
	start = body->units[0].start;
	end = body->units[body->unit_count - 1].end;
	/* Gaps only shrink (the first unit's is dropped), so the size bounds the text. */
	text = sf__arena_alloc(fix->arena, end - start + 1);
	sf_fix_edit *more;
	size_t n = 0;

	if (!text)
		return SF_ENOMEM;
	for (uint32_t k = 0; k < body->unit_count; k++) {
		const sf_fix_unit *u = &body->units[c->unit_order[k]];
		uint32_t o = c->unit_order[k];
		if (k > 0 && o > 0) {
			size_t gap = body->units[o].start - body->units[o - 1].end;
			memcpy(text + n, src->text + body->units[o - 1].end, gap);
			n += gap;
		}
		memcpy(text + n, src->text + u->start, u->end - u->start);
		n += u->end - u->start;
	}
	more = sf__fix_grow(fix->arena, src->edits, src->edit_count, &src->edit_cap, sizeof(*more));
	if (!more)
		return SF_ENOMEM;
	src->edits = more;
	src->edits[src->edit_count++] = (sf_fix_edit){ start, end, text, n };
	return 0;
}

static int compare_edits(const void *a, const void *b)
{
	const sf_fix_edit *x = a, *y = b;
	return (x->start > y->start) - (x->start < y->start);
}

static int apply_edits(sf_fix *fix)
{
	for (size_t s = 0; s < fix->source_count; s++) {
		sf_fix_source *src = &fix->sources[s];
		size_t at = 0, n = 0, cap = src->len + 1;
		if (src->edit_count == 0)
			continue;
		qsort(src->edits, src->edit_count, sizeof(*src->edits), compare_edits);
		for (size_t e = 0; e < src->edit_count; e++)
			cap += src->edits[e].len;
		src->patched = sf__arena_alloc(fix->arena, cap);
		if (!src->patched)
			return SF_ENOMEM;
		for (size_t e = 0; e < src->edit_count; e++) {
			const sf_fix_edit *ed = &src->edits[e];
			memcpy(src->patched + n, src->text + at, ed->start - at);
			n += ed->start - at;
			memcpy(src->patched + n, ed->text, ed->len);
			n += ed->len;
			at = ed->end;
		}
		memcpy(src->patched + n, src->text + at, src->len - at);
		n += src->len - at;
		src->patched_len = n;
	}
	fix->files = sf__arena_calloc(fix->arena, fix->source_count + 1, sizeof(*fix->files));
	fix->file_source = sf__arena_calloc(fix->arena, fix->source_count + 1, sizeof(*fix->file_source));
	if (!fix->files || !fix->file_source)
		return SF_ENOMEM;
	for (size_t s = 0; s < fix->source_count; s++) {
		const sf_fix_source *src = &fix->sources[s];
		if (!src->patched)
			continue;
		fix->file_source[fix->file_count] = s;
		fix->files[fix->file_count++] = (sf_fix_file){ src->path, src->rel, src->text, src->len,
							       src->patched, src->patched_len };
	}
	return 0;
}

int sf_fix_build(sf_fix **out, const sf_plan *plan, const sf_fix_options *opts)
{
	sf_fix_options defaults = SF_FIX_OPTIONS_INIT;
	builder b;
	sf_arena *result = NULL;
	int rc = 0;

	*out = NULL;
	if (!opts)
		opts = &defaults;
	if (opts->version != SF_FIX_OPTIONS_VERSION)
		return sf__fail(SF_EUSAGE, "unknown fix options version %u", opts->version);
	memset(&b, 0, sizeof(b));
	b.plan = plan;
	b.opts = opts;
	if (!realpath(opts->source_root ? opts->source_root : ".", b.root))
		return sf__fail(SF_ENOTFOUND, "%s: source root not found: %s",
				opts->source_root ? opts->source_root : ".", strerror(errno));
	if (sf__arena_new(&result) < 0 || !(b.fix = sf__arena_alloc(result, sizeof(*b.fix))) ||
	    sf__arena_new(&b.arena) < 0) {
		rc = SF_ENOMEM;
		goto done;
	}
	b.fix->arena = result;
	for (size_t i = 0; rc == 0 && i < plan->count; i++)
		rc = consider(&b, i);
	if (rc == 0)
		rc = sf__fix_go_predict(&b);
	if (rc == 0 && (b.cand_count > 0 || b.refused_count > 0))
		rc = scan_initializers(&b);
	for (size_t i = 0; rc == 0 && i < b.cand_count; i++)
		rc = sf__fix_shared_prefix(&b, &b.cands[i]);
	for (size_t i = 0; rc == 0 && i < b.cand_count; i++)
		rc = block_abi(b.fix, &b.cands[i]);
	if (rc == 0)
		rc = sf__fix_cxx_constructors(&b);
	/* Once the set of patched structs is final: the ones they embed shrink too. */
	if (rc == 0)
		rc = sf__fix_predict(&b);
	for (size_t i = 0; rc == 0 && i < b.cand_count; i++) {
		if (!b.fix->structs[b.cands[i].record].skip_reason)
			rc = rewrite(b.fix, &b.cands[i]);
	}
	if (rc == 0)
		rc = apply_edits(b.fix);
done:
	for (size_t i = 0; i < b.cand_count; i++)
		sf__fix_body_free(&b.cands[i].body);
	sf__search_ws_free(&b.ws);
	sf__arena_free(b.arena);
	if (rc < 0) {
		sf__arena_free(result);
		return rc == SF_ENOMEM ? sf__fail(SF_ENOMEM, "out of memory while building the fix") : rc;
	}
	*out = b.fix;
	return 0;
}

void sf_fix_free(sf_fix *fix)
{
	if (fix)
		sf__arena_free(fix->arena);
}

size_t sf_fix_struct_count(const sf_fix *fix)
{
	return fix->struct_count;
}

const sf_fix_struct *sf_fix_struct_at(const sf_fix *fix, size_t index)
{
	return index < fix->struct_count ? &fix->structs[index] : NULL;
}

size_t sf_fix_file_count(const sf_fix *fix)
{
	return fix->file_count;
}

const sf_fix_file *sf_fix_file_at(const sf_fix *fix, size_t index)
{
	return index < fix->file_count ? &fix->files[index] : NULL;
}
