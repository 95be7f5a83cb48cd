/* Comparing two snapshots: the gate's rules and budgets, and the diff of two builds. */
#include "gate/snapshot.h"

#include <fnmatch.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gate/cacheline_group.h"
#include "util/fail.h"

static const struct {
	const char *id;
	const char *text;
} rules[SF_FINDING_KIND_COUNT] = {
	[SF_FINDING_STRUCT_GREW] = { "struct-grew", "A struct is larger than in the baseline." },
	[SF_FINDING_STRUCT_SHRANK] = { "struct-shrank", "A struct is smaller than in the baseline." },
	[SF_FINDING_STRUCT_REMOVED] = { "struct-removed", "A struct of the baseline is not in the build." },
	[SF_FINDING_STRUCT_ADDED] = { "struct-added", "A struct of the build is not in the baseline." },
	[SF_FINDING_ALIGN_CHANGED] = { "align-changed", "A struct's alignment differs from the baseline." },
	[SF_FINDING_MEMBER_MOVED] = { "member-moved", "A member's offset differs from the baseline." },
	[SF_FINDING_MEMBER_ADDED] = { "member-added", "A struct has a member the baseline does not have." },
	[SF_FINDING_MEMBER_REMOVED] = { "member-removed", "A member of the baseline is gone." },
	[SF_FINDING_MEMBER_RETYPED] = { "member-retyped", "A member's type or size differs from the baseline." },
	[SF_FINDING_HOLES_GREW] = { "holes-grew", "A struct has more bytes in holes than in the baseline." },
	[SF_FINDING_HOLES_SHRANK] = { "holes-shrank", "A struct has fewer bytes in holes than in the baseline." },
	[SF_FINDING_PADDING_GREW] = { "padding-grew", "A struct has more tail padding than in the baseline." },
	[SF_FINDING_PADDING_SHRANK] = { "padding-shrank", "A struct has less tail padding than in the baseline." },
	[SF_FINDING_NEW_HOLE] = { "new-hole", "A hole that the baseline does not have (--no-new-holes)." },
	[SF_FINDING_MAX_PADDING] = { "max-padding", "Holes plus tail padding exceed the --max-padding budget." },
	[SF_FINDING_MAX_SIZE] = { "max-size", "A struct exceeds its --max-size budget." },
	[SF_FINDING_MAX_CACHELINES] = { "max-cachelines", "A struct spans more cache lines than its --max-cachelines budget." },
	[SF_FINDING_BUDGET_UNMATCHED] = { "budget-unmatched", "A budget names a struct the build does not have." },
	[SF_FINDING_CACHELINE_GROUP] = { "cacheline-group", "A kernel cache-line group touches more cache lines than its size needs." },
};

const char *sf_finding_rule(sf_finding_kind kind)
{
	return (unsigned)kind < SF_FINDING_KIND_COUNT ? rules[kind].id : "unknown";
}

const char *sf_finding_rule_text(sf_finding_kind kind)
{
	return (unsigned)kind < SF_FINDING_KIND_COUNT ? rules[kind].text : "Unknown rule.";
}

size_t sf_findings_count(const sf_findings *findings)
{
	return findings ? findings->count : 0;
}

size_t sf_findings_violations(const sf_findings *findings)
{
	return findings ? findings->violations : 0;
}

const sf_finding *sf_findings_get(const sf_findings *findings, size_t index)
{
	return findings && index < findings->count ? &findings->items[index] : NULL;
}

void sf_findings_free(sf_findings *findings)
{
	if (!findings)
		return;
	free(findings->items);
	sf__arena_free(findings->arena);
	free(findings);
}

/* State of one comparison; the first allocation failure sticks in `error`. */
typedef struct comparer {
	sf_findings *out;
	const sf_gate_options *opts;
	bool diff;
	int error;
} comparer;

static const char *copy(comparer *c, const char *s)
{
	char *p;
	if (!s || c->error)
		return NULL;
	p = sf__arena_strdup(c->out->arena, s);
	if (!p)
		c->error = sf__fail(SF_ENOMEM, "out of memory while comparing layouts");
	return p;
}

/* Which findings fail the gate: growth and change do, shrinking and new structs inform. */
static int is_violation(sf_finding_kind kind)
{
	switch (kind) {
	case SF_FINDING_STRUCT_SHRANK:
	case SF_FINDING_STRUCT_ADDED:
	case SF_FINDING_HOLES_SHRANK:
	case SF_FINDING_PADDING_SHRANK:
		return 0;
	default:
		return 1;
	}
}

#if defined(__GNUC__)
__attribute__((format(printf, 7, 8)))
#endif
static void add(comparer *c, sf_finding_kind kind, const sf_snap_struct *s, const char *member,
		uint64_t old_value, uint64_t new_value, const char *fmt, ...)
{
	sf_findings *f = c->out;
	sf_finding *item;
	char detail[512];
	va_list ap;

	if (c->error)
		return;
	if (f->count == f->capacity) {
		size_t cap = f->capacity ? f->capacity * 2 : 16;
		sf_finding *bigger = realloc(f->items, cap * sizeof(*bigger));
		if (!bigger) {
			c->error = sf__fail(SF_ENOMEM, "out of memory while comparing layouts");
			return;
		}
		f->items = bigger;
		f->capacity = cap;
	}
	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	item = &f->items[f->count];
	memset(item, 0, sizeof(*item));
	item->kind = kind;
	item->violation = is_violation(kind);
	item->old_value = old_value;
	item->new_value = new_value;
	if (s) {
		item->struct_kind = copy(c, s->kind);
		item->struct_name = copy(c, sf__snap_name(s));
		item->decl_file = copy(c, s->decl_file);
		item->decl_line = s->decl_line;
	}
	item->member = copy(c, member);
	item->detail = copy(c, detail);
	if (c->error)
		return;
	f->count++;
	f->violations += item->violation != 0;
}

/* Records the budget a finding just added broke (add() takes no limit: few findings have one). */
static void set_limit(comparer *c, size_t at, uint64_t limit)
{
	if (c->out->count > at)
		c->out->items[at].limit = limit;
}

static const char *type_or(const char *type)
{
	return type ? type : "?";
}

static bool same_str(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

static const sf_snap_member *find_member(const sf_snap_struct *s, const char *path)
{
	for (uint32_t i = 0; i < s->member_count; i++) {
		if (s->members[i].path && strcmp(s->members[i].path, path) == 0)
			return &s->members[i];
	}
	return NULL;
}

static void compare_members(comparer *c, const sf_snap_struct *old_s, const sf_snap_struct *new_s)
{
	for (uint32_t i = 0; i < old_s->member_count; i++) {
		const sf_snap_member *om = &old_s->members[i];
		const sf_snap_member *nm;

		if (!om->path)
			continue;
		nm = find_member(new_s, om->path);
		if (!nm) {
			add(c, SF_FINDING_MEMBER_REMOVED, new_s, om->path, om->offset, 0,
			    "member '%s' (%s) removed, was at offset %" PRIu64, om->path, type_or(om->type),
			    om->offset);
			continue;
		}
		if (!same_str(om->type, nm->type) || om->size != nm->size || om->bit_size != nm->bit_size) {
			char old_t[160], new_t[160];
			if (om->bit_size || nm->bit_size) {
				snprintf(old_t, sizeof(old_t), "%s:%u", type_or(om->type), om->bit_size);
				snprintf(new_t, sizeof(new_t), "%s:%u", type_or(nm->type), nm->bit_size);
			} else {
				snprintf(old_t, sizeof(old_t), "%s", type_or(om->type));
				snprintf(new_t, sizeof(new_t), "%s", type_or(nm->type));
			}
			add(c, SF_FINDING_MEMBER_RETYPED, new_s, om->path, om->size, nm->size,
			    "member '%s' changed from '%s' (%" PRIu64 " bytes) to '%s' (%" PRIu64 " bytes)",
			    om->path, old_t, om->size, new_t, nm->size);
		}
		if (om->bit_size && nm->bit_size) {
			if (om->bit_offset != nm->bit_offset) {
				size_t at = c->out->count;
				add(c, SF_FINDING_MEMBER_MOVED, new_s, om->path, om->bit_offset, nm->bit_offset,
				    "member '%s' moved from bit %" PRIu64 " to bit %" PRIu64, om->path,
				    om->bit_offset, nm->bit_offset);
				if (c->out->count > at)
					c->out->items[at].in_bits = 1;
			}
		} else if (om->offset != nm->offset) {
			add(c, SF_FINDING_MEMBER_MOVED, new_s, om->path, om->offset, nm->offset,
			    "member '%s' moved from offset %" PRIu64 " to %" PRIu64, om->path, om->offset,
			    nm->offset);
		}
	}
	for (uint32_t i = 0; i < new_s->member_count; i++) {
		const sf_snap_member *nm = &new_s->members[i];
		if (nm->path && !find_member(old_s, nm->path))
			add(c, SF_FINDING_MEMBER_ADDED, new_s, nm->path, 0, nm->offset,
			    "member '%s' (%s) added at offset %" PRIu64, nm->path, type_or(nm->type),
			    nm->offset);
	}
}

static bool has_hole(const sf_snap_struct *s, const sf_snap_hole *h)
{
	for (uint32_t i = 0; s && i < s->hole_count; i++) {
		if (s->holes[i].offset == h->offset && s->holes[i].size == h->size)
			return true;
	}
	return false;
}

static void new_holes(comparer *c, const sf_snap_struct *old_s, const sf_snap_struct *new_s)
{
	for (uint32_t i = 0; i < new_s->hole_count; i++) {
		const sf_snap_hole *h = &new_s->holes[i];
		if (!has_hole(old_s, h))
			add(c, SF_FINDING_NEW_HOLE, new_s, NULL, 0, h->size,
			    "new %" PRIu64 "-byte hole at offset %" PRIu64, h->size, h->offset);
	}
}

static void compare_pair(comparer *c, const sf_snap_struct *o, const sf_snap_struct *n)
{
	uint64_t old_holes = sf__snap_sum_holes(o), new_holes_sum = sf__snap_sum_holes(n);

	if (n->size > o->size)
		add(c, SF_FINDING_STRUCT_GREW, n, NULL, o->size, n->size,
		    "size grew from %" PRIu64 " to %" PRIu64 " bytes (+%" PRIu64 ")", o->size, n->size,
		    n->size - o->size);
	else if (n->size < o->size)
		add(c, SF_FINDING_STRUCT_SHRANK, n, NULL, o->size, n->size,
		    "size shrank from %" PRIu64 " to %" PRIu64 " bytes (-%" PRIu64 ")", o->size, n->size,
		    o->size - n->size);
	if (o->align && n->align && o->align != n->align)
		add(c, SF_FINDING_ALIGN_CHANGED, n, NULL, o->align, n->align,
		    "alignment changed from %u to %u", o->align, n->align);
	compare_members(c, o, n);
	if (new_holes_sum > old_holes)
		add(c, SF_FINDING_HOLES_GREW, n, NULL, old_holes, new_holes_sum,
		    "holes grew from %" PRIu64 " to %" PRIu64 " bytes", old_holes, new_holes_sum);
	else if (new_holes_sum < old_holes)
		add(c, SF_FINDING_HOLES_SHRANK, n, NULL, old_holes, new_holes_sum,
		    "holes shrank from %" PRIu64 " to %" PRIu64 " bytes", old_holes, new_holes_sum);
	if (n->padding > o->padding)
		add(c, SF_FINDING_PADDING_GREW, n, NULL, o->padding, n->padding,
		    "tail padding grew from %" PRIu64 " to %" PRIu64 " bytes", o->padding, n->padding);
	else if (n->padding < o->padding)
		add(c, SF_FINDING_PADDING_SHRANK, n, NULL, o->padding, n->padding,
		    "tail padding shrank from %" PRIu64 " to %" PRIu64 " bytes", o->padding, n->padding);
	if (c->opts && c->opts->no_new_holes)
		new_holes(c, o, n);
}

static void only_old(comparer *c, const sf_snap_struct *o)
{
	if (c->diff)
		add(c, SF_FINDING_STRUCT_REMOVED, o, NULL, o->size, 0, "removed (was %" PRIu64 " bytes)",
		    o->size);
	else
		add(c, SF_FINDING_STRUCT_REMOVED, o, NULL, o->size, 0,
		    "is in the baseline (%" PRIu64 " bytes) but not in the build", o->size);
}

static void only_new(comparer *c, const sf_snap_struct *n)
{
	if (c->diff)
		add(c, SF_FINDING_STRUCT_ADDED, n, NULL, 0, n->size, "added (%" PRIu64 " bytes)", n->size);
	else
		add(c, SF_FINDING_STRUCT_ADDED, n, NULL, 0, n->size,
		    "is not in the baseline (%" PRIu64 " bytes); not checked", n->size);
	if (c->opts && c->opts->no_new_holes)
		new_holes(c, NULL, n);
}

static int key_compare(const sf_snap_struct *a, const sf_snap_struct *b)
{
	int k = strcmp(a->kind, b->kind);
	if (k == 0)
		k = strcmp(sf__snap_name(a), sf__snap_name(b));
	return k;
}

/*
 * Pairs two groups of definitions sharing kind and name: usually one each;
 * conflicting definitions pair by declaring file, then in order.
 */
static void compare_group(comparer *c, const sf_snap_struct *o, size_t on, const sf_snap_struct *n,
			  size_t nn)
{
	bool used_old[64] = { false }, used_new[64] = { false };

	if (on == 1 && nn == 1) {
		compare_pair(c, o, n);
		return;
	}
	/* More than 64 definitions of one name are compared in order only. */
	if (on > 64 || nn > 64) {
		size_t k;
		for (k = 0; k < on && k < nn; k++)
			compare_pair(c, &o[k], &n[k]);
		for (size_t i = k; i < on; i++)
			only_old(c, &o[i]);
		for (size_t j = k; j < nn; j++)
			only_new(c, &n[j]);
		return;
	}
	for (size_t i = 0; i < on; i++) {
		for (size_t j = 0; j < nn; j++) {
			if (!used_new[j] && same_str(o[i].decl_rel, n[j].decl_rel)) {
				used_old[i] = used_new[j] = true;
				compare_pair(c, &o[i], &n[j]);
				break;
			}
		}
	}
	for (size_t i = 0, j = 0; i < on; i++) {
		if (used_old[i])
			continue;
		while (j < nn && used_new[j])
			j++;
		if (j < nn) {
			used_new[j] = true;
			compare_pair(c, &o[i], &n[j]);
		} else {
			only_old(c, &o[i]);
		}
	}
	for (size_t j = 0; j < nn; j++) {
		if (!used_new[j])
			only_new(c, &n[j]);
	}
}

static void compare_all(comparer *c, const sf_snapshot *old_snap, const sf_snapshot *new_snap)
{
	size_t i = 0, j = 0;

	while ((i < old_snap->count || j < new_snap->count) && !c->error) {
		const sf_snap_struct *o = i < old_snap->count ? &old_snap->structs[i] : NULL;
		const sf_snap_struct *n = j < new_snap->count ? &new_snap->structs[j] : NULL;
		int k = !o ? 1 : !n ? -1 : key_compare(o, n);
		size_t oi = i, nj = j;

		if (k < 0) {
			only_old(c, o);
			i++;
			continue;
		}
		if (k > 0) {
			only_new(c, n);
			j++;
			continue;
		}
		while (i < old_snap->count && key_compare(&old_snap->structs[i], o) == 0)
			i++;
		while (j < new_snap->count && key_compare(&new_snap->structs[j], n) == 0)
			j++;
		compare_group(c, o, i - oi, n, j - nj);
	}
}

static bool glob_matches(const char *pattern, const sf_snap_struct *s)
{
	return fnmatch(pattern, sf__snap_name(s), 0) == 0;
}

static void budgets(comparer *c, const sf_snapshot *current)
{
	const sf_gate_options *o = c->opts;

	for (size_t i = 0; i < current->count; i++) {
		const sf_snap_struct *s = &current->structs[i];
		uint64_t waste = sf__snap_sum_holes(s);
		size_t at = c->out->count;

		if (__builtin_add_overflow(waste, s->padding, &waste))
			waste = UINT64_MAX;
		if (o->has_max_padding && waste > o->max_padding) {
			add(c, SF_FINDING_MAX_PADDING, s, NULL, 0, waste,
			    "pads %" PRIu64 " bytes (holes + tail padding), over the --max-padding budget of %"
			    PRIu64, waste, o->max_padding);
			set_limit(c, at, o->max_padding);
		}
		for (size_t b = 0; b < o->max_size_count; b++) {
			at = c->out->count;
			if (glob_matches(o->max_size[b].pattern, s) && s->size > o->max_size[b].limit) {
				add(c, SF_FINDING_MAX_SIZE, s, NULL, 0, s->size,
				    "size %" PRIu64 " bytes exceeds the --max-size budget of %" PRIu64,
				    s->size, o->max_size[b].limit);
				set_limit(c, at, o->max_size[b].limit);
			}
		}
		for (size_t b = 0; b < o->max_cachelines_count; b++) {
			at = c->out->count;
			if (glob_matches(o->max_cachelines[b].pattern, s) &&
			    s->cachelines > o->max_cachelines[b].limit) {
				add(c, SF_FINDING_MAX_CACHELINES, s, NULL, 0, s->cachelines,
				    "spans %" PRIu64 " cache lines of %u bytes, over the --max-cachelines "
				    "budget of %" PRIu64, s->cachelines, current->cacheline,
				    o->max_cachelines[b].limit);
				set_limit(c, at, o->max_cachelines[b].limit);
			}
		}
	}
}

/* A budget on a name the build lacks is a typo or a removed struct: never silently passed. */
static void unmatched_budgets(comparer *c, const sf_snapshot *current, const sf_gate_budget *list,
			      size_t count, const char *option)
{
	for (size_t b = 0; b < count; b++) {
		bool found = false;
		for (size_t i = 0; i < current->count && !found; i++)
			found = glob_matches(list[b].pattern, &current->structs[i]);
		if (!found && !c->error) {
			size_t before = c->out->count;
			add(c, SF_FINDING_BUDGET_UNMATCHED, NULL, NULL, 0, list[b].limit,
			    "%s budget '%s' matches no struct in the build", option, list[b].pattern);
			if (c->out->count > before)
				c->out->items[before].struct_name = copy(c, list[b].pattern);
			set_limit(c, before, list[b].limit);
		}
	}
}

/* The group of `old_s` named like `g`, or NULL. */
static bool baseline_group(const sf_snap_struct *old_s, const sf_snap_group *g, sf_snap_group *found)
{
	sf_snap_group list[64];
	uint32_t n = old_s ? sf__snap_groups(old_s, list, 64) : 0;
	for (uint32_t k = 0; k < n && k < 64; k++) {
		if (list[k].name_len == g->name_len && memcmp(list[k].name, g->name, g->name_len) == 0) {
			*found = list[k];
			return true;
		}
	}
	return false;
}

/* Kernel cache-line groups of the build that touch more lines than needed. */
static void cacheline_groups(comparer *c, const sf_snapshot *baseline, const sf_snapshot *current)
{
	unsigned line = current->cacheline;

	for (size_t i = 0; i < current->count && !c->error; i++) {
		const sf_snap_struct *n = &current->structs[i], *o = NULL;
		sf_snap_group list[64], old_g;
		uint32_t count = sf__snap_groups(n, list, 64);
		for (size_t j = 0; baseline && count && j < baseline->count && !o; j++) {
			if (strcmp(baseline->structs[j].kind, n->kind) == 0 &&
			    strcmp(sf__snap_name(&baseline->structs[j]), sf__snap_name(n)) == 0)
				o = &baseline->structs[j];
		}
		for (uint32_t k = 0; k < count && k < 64; k++) {
			uint64_t lines = sf__snap_group_lines(&list[k], line);
			uint64_t needed = sf__snap_group_needed(&list[k], line);
			bool known = baseline_group(o, &list[k], &old_g);
			if (lines <= needed)
				continue;
			add(c, SF_FINDING_CACHELINE_GROUP, n, NULL, needed, lines,
			    "cache-line group %.*s (%" PRIu64 " bytes at %" PRIu64 ") touches %" PRIu64
			    " lines, its size needs %" PRIu64, (int)list[k].name_len, list[k].name,
			    list[k].end - list[k].first, list[k].first, lines, needed);
			/* Already as bad in the baseline: information, not a regression. */
			if (!c->error && known && sf__snap_group_lines(&old_g, line) >= lines) {
				c->out->items[c->out->count - 1].violation = 0;
				c->out->violations--;
			}
		}
	}
}

static int new_findings(sf_findings **out)
{
	sf_findings *f = calloc(1, sizeof(*f));

	*out = NULL;
	if (!f || sf__arena_new(&f->arena) < 0) {
		free(f);
		return sf__fail(SF_ENOMEM, "out of memory while comparing layouts");
	}
	*out = f;
	return 0;
}

int sf_gate_check(sf_findings **out, const sf_snapshot *baseline, const sf_snapshot *current,
		  const sf_gate_options *opts)
{
	static const sf_gate_options none = SF_GATE_OPTIONS_INIT;
	comparer c = { NULL, opts ? opts : &none, false, 0 };
	int error = new_findings(&c.out);

	*out = NULL;
	if (error)
		return error;
	if (c.opts->version < 1) {
		sf_findings_free(c.out);
		return sf__fail(SF_EUSAGE, "gate options version %u is not supported", c.opts->version);
	}
	if (baseline) {
		compare_all(&c, baseline, current);
	} else if (c.opts->no_new_holes) {
		for (size_t i = 0; i < current->count; i++)
			new_holes(&c, NULL, &current->structs[i]);
	}
	budgets(&c, current);
	cacheline_groups(&c, baseline, current);
	unmatched_budgets(&c, current, c.opts->max_size, c.opts->max_size_count, "--max-size");
	unmatched_budgets(&c, current, c.opts->max_cachelines, c.opts->max_cachelines_count,
			  "--max-cachelines");
	if (c.error) {
		sf_findings_free(c.out);
		return c.error;
	}
	*out = c.out;
	return 0;
}

int sf_gate_diff(sf_findings **out, const sf_snapshot *old_build, const sf_snapshot *new_build)
{
	static const sf_gate_options none = SF_GATE_OPTIONS_INIT;
	comparer c = { NULL, &none, true, 0 };
	int error = new_findings(&c.out);

	*out = NULL;
	if (error)
		return error;
	c.out->diff = true;
	compare_all(&c, old_build, new_build);
	if (c.error) {
		sf_findings_free(c.out);
		return c.error;
	}
	*out = c.out;
	return 0;
}
