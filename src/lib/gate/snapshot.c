/* Building snapshots from reports, selecting and freeing them. */
#include "gate/snapshot.h"

#include <stdlib.h>
#include <string.h>

#include "layout/selection.h"
#include "util/fail.h"
#include "util/name_glob.h"

uint64_t sf__snap_sum_holes(const sf_snap_struct *s)
{
	uint64_t sum = 0;
	for (uint32_t i = 0; i < s->hole_count; i++) {
		if (__builtin_add_overflow(sum, s->holes[i].size, &sum))
			return UINT64_MAX;
	}
	return sum;
}

static const char *kind_name(sf_struct_kind kind)
{
	switch (kind) {
	case SF_UNION: return "union";
	case SF_CLASS: return "class";
	case SF_STRUCT: break;
	}
	return "struct";
}

/* Counts what a layout flattens to. */
static void count_layout(const sf_struct_layout *l, uint32_t *members, uint32_t *holes,
			 uint32_t *bit_holes)
{
	*members += l->member_count;
	*holes += l->hole_count;
	*bit_holes += l->bit_hole_count;
	for (uint32_t i = 0; i < l->member_count; i++) {
		if (l->members[i].nested)
			count_layout(l->members[i].nested, members, holes, bit_holes);
	}
}

typedef struct flattener {
	sf_arena *arena;
	sf_snap_struct *out;
	bool failed;
} flattener;

/* Copies model strings: a snapshot outlives the model it was taken from. */
static const char *dup(flattener *f, const char *s)
{
	char *copy;

	if (!s)
		return NULL;
	copy = sf__arena_strdup(f->arena, s);
	if (!copy)
		f->failed = true;
	return copy;
}

const char *sf__snap_member_path(sf_arena *arena, const char *prefix, const char *name)
{
	size_t a, b;
	char *s;

	if (!prefix)
		return name;
	a = strlen(prefix);
	b = strlen(name);
	s = sf__arena_alloc(arena, a + b + 2);
	if (!s)
		return NULL;
	memcpy(s, prefix, a);
	s[a] = '.';
	memcpy(s + a + 1, name, b + 1);
	return s;
}

static int flatten(flattener *f, const sf_struct_layout *l, const char *prefix, uint32_t depth,
		   uint32_t owner)
{
	sf_snap_struct *out = f->out;

	for (uint32_t i = 0; i < l->hole_count; i++)
		out->holes[out->hole_count++] = (sf_snap_hole){ l->holes[i].offset, l->holes[i].size, owner };
	for (uint32_t i = 0; i < l->bit_hole_count; i++)
		out->bit_holes[out->bit_hole_count++] =
			(sf_snap_bit_hole){ l->bit_holes[i].bit_offset, l->bit_holes[i].bits, owner };
	for (uint32_t i = 0; i < l->member_count; i++) {
		const sf_member_layout *ml = &l->members[i];
		const sf_member *m = ml->member;
		uint32_t at = out->member_count++;
		sf_snap_member *sm = &out->members[at];

		sm->name = dup(f, m->name);
		sm->path = sm->name ? sf__snap_member_path(f->arena, prefix, sm->name) : NULL;
		if ((m->name && !sm->path) || f->failed)
			return sf__fail(SF_ENOMEM, "out of memory while taking a snapshot");
		sm->type = dup(f, m->type_name);
		sm->offset = ml->offset;
		sm->size = m->size;
		sm->align = m->align;
		if ((m->flags & SF_MEMBER_BITFIELD) && m->bit_size) {
			sm->bit_size = m->bit_size;
			sm->bit_offset = ml->bit_offset;
		}
		sm->depth = depth;
		sm->index = i;
		if (ml->nested) {
			int error;
			sm->body = true;
			sm->body_kind = kind_name(ml->nested->def->kind);
			/* Fields of an anonymous body are named as if they were the parent's. */
			error = flatten(f, ml->nested, m->name ? sm->path : prefix, depth + 1, at);
			if (error)
				return error;
		}
	}
	return 0;
}

static int copy_entry(sf_snapshot *snap, const sf_report_entry *e, sf_snap_struct *out)
{
	const sf_struct *s = e->def;
	const sf_struct_layout *l = e->layout;
	uint32_t members = 0, holes = 0, bit_holes = 0;
	flattener f = { snap->arena, out, false };
	int error;

	out->kind = kind_name(s->kind);
	out->name = dup(&f, s->name);
	out->typedef_name = s->name ? NULL : dup(&f, s->typedef_name);
	out->size = s->size;
	out->align = s->align;
	out->align_certain = s->align_certain;
	out->packed = s->packed;
	out->decl_file = dup(&f, s->decl_file);
	out->decl_rel = out->decl_file;
	out->decl_line = s->decl_line;
	out->cachelines = l->cachelines;
	out->padding = l->padding;
	out->bit_padding = l->bit_padding;
	count_layout(l, &members, &holes, &bit_holes);
	if (f.failed ||
	    (members && !(out->members = sf__arena_calloc(snap->arena, members, sizeof(*out->members)))) ||
	    (holes && !(out->holes = sf__arena_calloc(snap->arena, holes, sizeof(*out->holes)))) ||
	    (bit_holes && !(out->bit_holes = sf__arena_calloc(snap->arena, bit_holes,
								sizeof(*out->bit_holes)))))
		return sf__fail(SF_ENOMEM, "out of memory while taking a snapshot");
	error = flatten(&f, l, NULL, 0, SF_SNAP_TOP);
	if (!error && f.failed)
		error = sf__fail(SF_ENOMEM, "out of memory while taking a snapshot");
	return error;
}

/*
 * Inputs are recorded without their directory: a baseline is committed and
 * compared on other machines, where the build directory differs.
 */
static const char *base_name(const char *path)
{
	const char *paren = strchr(path, '(');
	const char *slash = NULL;

	for (const char *p = path; *p && (!paren || p < paren); p++) {
		if (*p == '/')
			slash = p;
	}
	return slash ? slash + 1 : path;
}

int sf_snapshot_from_report(sf_snapshot **out, const sf_report *report)
{
	sf_snapshot *snap = calloc(1, sizeof(*snap));
	size_t file_count = sf_model_file_count(report->model);
	int error = 0;

	*out = NULL;
	if (!snap || sf__arena_new(&snap->arena) < 0) {
		error = sf__fail(SF_ENOMEM, "out of memory while taking a snapshot");
		goto done;
	}
	snap->cacheline = report->cacheline;
	if (file_count) {
		snap->files = sf__arena_calloc(snap->arena, file_count, sizeof(*snap->files));
		if (!snap->files) {
			error = sf__fail(SF_ENOMEM, "out of memory while taking a snapshot");
			goto done;
		}
	}
	/* Strings are copied so the snapshot outlives the model. */
	for (size_t i = 0; i < file_count; i++) {
		const sf_file_info *fi = sf_model_file(report->model, i);
		sf_snap_file *sf = &snap->files[i];
		sf->path = sf__arena_strdup(snap->arena, base_name(fi->path));
		sf->arch = sf__arena_strdup(snap->arena, fi->arch ? fi->arch : "unknown");
		sf->big_endian = fi->big_endian != 0;
		sf->address_size = fi->address_size;
		if (!sf->path || !sf->arch) {
			error = sf__fail(SF_ENOMEM, "out of memory while taking a snapshot");
			goto done;
		}
	}
	snap->file_count = file_count;
	error = sf__snap_describe_target(snap);
	if (error)
		goto done;
	if (report->count) {
		snap->structs = sf__arena_calloc(snap->arena, report->count, sizeof(*snap->structs));
		if (!snap->structs) {
			error = sf__fail(SF_ENOMEM, "out of memory while taking a snapshot");
			goto done;
		}
	}
	for (size_t i = 0; i < report->count; i++) {
		error = copy_entry(snap, &report->entries[i], &snap->structs[snap->count]);
		if (error)
			goto done;
		snap->count++;
	}
	sf__snap_finish(snap);
done:
	if (error) {
		sf_snapshot_free(snap);
		return error;
	}
	*out = snap;
	return 0;
}

/* Whether `also` holds a struct named `name` (snapshots are small). */
static bool holds(const sf_snapshot *also, const char *name)
{
	for (size_t i = 0; also && name && i < also->count; i++) {
		const char *other = sf__snap_name(&also->structs[i]);
		if (other && strcmp(other, name) == 0)
			return true;
	}
	return false;
}

void sf_snapshot_select_with(sf_snapshot *snap, const char *const *globs, size_t glob_count,
			     const sf_snapshot *also)
{
	size_t kept = 0;

	if (!snap || glob_count == 0)
		return;
	for (size_t i = 0; i < snap->count; i++) {
		const char *name = sf__snap_name(&snap->structs[i]);
		bool match = false;
		for (size_t g = 0; g < glob_count && !match; g++)
			match = name && globs[g] && sf__name_glob_match(globs[g], name);
		if (match || holds(also, name))
			snap->structs[kept++] = snap->structs[i];
	}
	snap->count = kept;
	sf__snap_finish(snap);
}

void sf_snapshot_select(sf_snapshot *snap, const char *const *globs, size_t glob_count)
{
	sf_snapshot_select_with(snap, globs, glob_count, NULL);
}

void sf_snapshot_exclude(sf_snapshot *snap, const char *const *globs, size_t glob_count,
			 const char *const *names, size_t name_count)
{
	size_t kept = 0;

	if (!snap || (glob_count == 0 && name_count == 0))
		return;
	for (size_t i = 0; i < snap->count; i++) {
		const char *name = sf__snap_name(&snap->structs[i]);
		bool match = false;
		for (size_t g = 0; name && g < glob_count && !match; g++)
			match = globs[g] && sf__name_glob_match(globs[g], name);
		for (size_t n = 0; name && n < name_count && !match; n++)
			match = strcmp(names[n], name) == 0;
		if (!match)
			snap->structs[kept++] = snap->structs[i];
	}
	snap->count = kept;
	sf__snap_finish(snap);
}

size_t sf_snapshot_count(const sf_snapshot *snap)
{
	return snap ? snap->count : 0;
}

void sf_snapshot_free(sf_snapshot *snap)
{
	if (!snap)
		return;
	sf__arena_free(snap->arena);
	free(snap);
}
