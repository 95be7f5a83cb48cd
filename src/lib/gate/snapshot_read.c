/* Reading a baseline document (snapshot or full report JSON) back into a snapshot. */
#include "gate/snapshot.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/fail.h"
#include "util/json_read.h"

/* Inline bodies nest at most this deep, like the analysis's own bound. */
#define MAX_BODY_DEPTH 16

typedef struct reader {
	const char *name;
	sf_snapshot *snap;
	const char *where;   /* "struct 'foo'" once known, for messages */
} reader;

static int fail_at(const reader *r, const sf_json_value *v, const char *what, const char *key)
{
	return sf__fail(SF_EINVALID, "%s:%u:%u: %s%s'%s' %s", r->name, v->line, v->column,
			r->where ? r->where : "", r->where ? ": " : "", key, what);
}

static int need(const reader *r, const sf_json_value *obj, const char *key, sf_json_type type,
		bool nullable, const sf_json_value **out)
{
	const sf_json_value *v = sf__json_get(obj, key);

	*out = NULL;
	if (!v)
		return fail_at(r, obj, "is missing", key);
	if (v->type == SF_JSON_NULL && nullable)
		return 0;
	if (v->type != type) {
		char what[96];
		snprintf(what, sizeof(what), "must be %s%s, not %s", sf__json_type_name(type),
			 nullable ? " or null" : "", sf__json_type_name(v->type));
		return fail_at(r, v, what, key);
	}
	*out = v;
	return 0;
}

/* An optional key: absent and null both leave *out NULL. */
static int maybe(const reader *r, const sf_json_value *obj, const char *key, sf_json_type type,
		 const sf_json_value **out)
{
	if (!sf__json_get(obj, key)) {
		*out = NULL;
		return 0;
	}
	return need(r, obj, key, type, true, out);
}

static int get_u64(const reader *r, const sf_json_value *obj, const char *key, bool required,
		   uint64_t max, uint64_t *out)
{
	const sf_json_value *v;
	int error = required ? need(r, obj, key, SF_JSON_NUMBER, false, &v)
			     : maybe(r, obj, key, SF_JSON_NUMBER, &v);
	if (error)
		return error;
	if (!v)
		return 0;
	if (!v->is_uint || v->uint > max)
		return fail_at(r, v, "must be a non-negative integer in range", key);
	*out = v->uint;
	return 0;
}

static int get_string(const reader *r, const sf_json_value *obj, const char *key, bool required,
		      const char **out)
{
	const sf_json_value *v;
	int error = required ? need(r, obj, key, SF_JSON_STRING, true, &v)
			     : maybe(r, obj, key, SF_JSON_STRING, &v);
	*out = v ? v->string : NULL;
	return error;
}

static int get_array(const reader *r, const sf_json_value *obj, const char *key, bool required,
		     const sf_json_value **out)
{
	return required ? need(r, obj, key, SF_JSON_ARRAY, false, out)
			: maybe(r, obj, key, SF_JSON_ARRAY, out);
}

static int item_object(const reader *r, const sf_json_value *array, size_t i, const char *key)
{
	if (array->items[i]->type != SF_JSON_OBJECT)
		return fail_at(r, array->items[i], "items must be objects", key);
	return 0;
}

/* Totals for the arrays of one struct, inline bodies included. */
static int count_body(const reader *r, const sf_json_value *members, unsigned depth,
		      size_t *member_count, size_t *hole_count, size_t *bit_hole_count)
{
	if (depth > MAX_BODY_DEPTH)
		return fail_at(r, members, "nests inline bodies too deeply", "members");
	*member_count += members->count;
	for (size_t i = 0; i < members->count; i++) {
		const sf_json_value *m = members->items[i], *sub, *holes, *bits;
		int error = item_object(r, members, i, "members");
		if (!error)
			error = get_array(r, m, "members", false, &sub);
		if (!error)
			error = get_array(r, m, "holes", false, &holes);
		if (!error)
			error = get_array(r, m, "bit_holes", false, &bits);
		if (error)
			return error;
		if (!sub)
			continue;
		*hole_count += holes ? holes->count : 0;
		*bit_hole_count += bits ? bits->count : 0;
		error = count_body(r, sub, depth + 1, member_count, hole_count, bit_hole_count);
		if (error)
			return error;
	}
	return 0;
}

static int read_holes(const reader *r, const sf_json_value *holes, const sf_json_value *bits,
		      uint32_t owner, sf_snap_struct *s)
{
	int error = 0;

	for (size_t i = 0; holes && i < holes->count && !error; i++) {
		sf_snap_hole *h = &s->holes[s->hole_count++];
		h->owner = owner;
		error = item_object(r, holes, i, "holes");
		if (!error)
			error = get_u64(r, holes->items[i], "offset", true, UINT64_MAX, &h->offset);
		if (!error)
			error = get_u64(r, holes->items[i], "size", true, UINT64_MAX, &h->size);
	}
	for (size_t i = 0; bits && i < bits->count && !error; i++) {
		sf_snap_bit_hole *h = &s->bit_holes[s->bit_hole_count++];
		h->owner = owner;
		error = item_object(r, bits, i, "bit_holes");
		if (!error)
			error = get_u64(r, bits->items[i], "bit_offset", true, UINT64_MAX, &h->bit_offset);
		if (!error)
			error = get_u64(r, bits->items[i], "bits", true, UINT64_MAX, &h->bits);
	}
	return error;
}

static int read_members(const reader *r, const sf_json_value *members, const char *prefix,
			uint32_t depth, sf_snap_struct *s)
{
	for (size_t i = 0; i < members->count; i++) {
		const sf_json_value *m = members->items[i], *sub = NULL, *holes = NULL, *bits = NULL;
		uint32_t at = s->member_count++;
		sf_snap_member *sm = &s->members[at];
		uint64_t bit_size = 0, align = 0;
		int error = 0;

		sm->depth = depth;
		sm->index = (uint32_t)i;
		error = get_string(r, m, "name", true, &sm->name);
		if (!error)
			error = get_string(r, m, "type", false, &sm->type);
		if (!error)
			error = get_u64(r, m, "offset", true, UINT64_MAX, &sm->offset);
		if (!error)
			error = get_u64(r, m, "size", true, UINT64_MAX, &sm->size);
		if (!error)
			error = get_u64(r, m, "align", false, UINT32_MAX, &align);
		if (!error)
			error = get_u64(r, m, "bit_size", false, UINT32_MAX, &bit_size);
		if (!error && bit_size)
			error = get_u64(r, m, "bit_offset", true, UINT64_MAX, &sm->bit_offset);
		if (!error)
			error = get_array(r, m, "members", false, &sub);
		if (error)
			return error;
		sm->align = (uint32_t)align;
		sm->bit_size = (uint32_t)bit_size;
		if (sm->name) {
			sm->path = sf__snap_member_path(r->snap->arena, prefix, sm->name);
			if (!sm->path)
				return sf__fail(SF_ENOMEM, "%s: out of memory", r->name);
		}
		if (!sub)
			continue;
		sm->body = true;
		error = get_string(r, m, "kind", false, &sm->body_kind);
		if (!error && sm->body_kind && strcmp(sm->body_kind, "union") != 0)
			sm->body_kind = "struct";
		if (!sm->body_kind)
			sm->body_kind = "struct";
		if (!error)
			error = get_array(r, m, "holes", false, &holes);
		if (!error)
			error = get_array(r, m, "bit_holes", false, &bits);
		if (!error)
			error = read_holes(r, holes, bits, at, s);
		if (!error)
			error = read_members(r, sub, sm->name ? sm->path : prefix, depth + 1, s);
		if (error)
			return error;
	}
	return 0;
}

static int read_struct(reader *r, const sf_json_value *obj, sf_snap_struct *s)
{
	char where[160];
	const sf_json_value *members, *holes, *bits, *packed, *align_certain;
	size_t member_count = 0, hole_count = 0, bit_hole_count = 0;
	uint64_t align = 1, line = 0;
	int error;

	r->where = NULL;
	error = get_string(r, obj, "kind", true, &s->kind);
	if (!error && (!s->kind || (strcmp(s->kind, "struct") != 0 && strcmp(s->kind, "union") != 0 &&
				    strcmp(s->kind, "class") != 0)))
		return fail_at(r, sf__json_get(obj, "kind"), "must be \"struct\", \"union\" or \"class\"", "kind");
	if (!error)
		error = get_string(r, obj, "name", true, &s->name);
	if (!error)
		error = get_string(r, obj, "typedef_name", false, &s->typedef_name);
	if (error)
		return error;
	if (s->name)
		s->typedef_name = NULL;
	if (!sf__snap_name(s))
		return fail_at(r, obj, "or 'typedef_name' must be a string", "name");
	snprintf(where, sizeof(where), "%s '%s'", s->kind, sf__snap_name(s));
	r->where = where;
	error = get_u64(r, obj, "size", true, UINT64_MAX, &s->size);
	if (!error)
		error = get_u64(r, obj, "align", false, UINT32_MAX, &align);
	if (!error)
		error = maybe(r, obj, "packed", SF_JSON_BOOL, &packed);
	if (!error)
		error = maybe(r, obj, "align_certain", SF_JSON_BOOL, &align_certain);
	if (!error)
		error = get_string(r, obj, "decl_file", false, &s->decl_file);
	if (!error)
		error = get_u64(r, obj, "decl_line", false, UINT32_MAX, &line);
	if (!error)
		error = get_u64(r, obj, "padding", false, UINT64_MAX, &s->padding);
	if (!error)
		error = get_u64(r, obj, "bit_padding", false, UINT64_MAX, &s->bit_padding);
	if (!error)
		error = get_array(r, obj, "members", true, &members);
	if (!error)
		error = get_array(r, obj, "holes", false, &holes);
	if (!error)
		error = get_array(r, obj, "bit_holes", false, &bits);
	if (!error)
		error = count_body(r, members, 0, &member_count, &hole_count, &bit_hole_count);
	if (error)
		return error;
	s->align = (uint32_t)align;
	s->packed = packed && packed->boolean;
	/* Baselines from before the key existed made no such distinction. */
	s->align_certain = !align_certain || align_certain->boolean;
	s->decl_line = (uint32_t)line;
	s->decl_rel = s->decl_file;
	/* Recomputed rather than read: the baseline may use another cache-line size. */
	s->cachelines = s->size / r->snap->cacheline + (s->size % r->snap->cacheline != 0);
	hole_count += holes ? holes->count : 0;
	bit_hole_count += bits ? bits->count : 0;
	if (member_count > UINT32_MAX || hole_count > UINT32_MAX || bit_hole_count > UINT32_MAX)
		return fail_at(r, obj, "has too many items", "members");
	if ((member_count && !(s->members = sf__arena_calloc(r->snap->arena, member_count,
							      sizeof(*s->members)))) ||
	    (hole_count && !(s->holes = sf__arena_calloc(r->snap->arena, hole_count, sizeof(*s->holes)))) ||
	    (bit_hole_count && !(s->bit_holes = sf__arena_calloc(r->snap->arena, bit_hole_count,
								   sizeof(*s->bit_holes)))))
		return sf__fail(SF_ENOMEM, "%s: out of memory", r->name);
	error = read_holes(r, holes, bits, SF_SNAP_TOP, s);
	if (!error)
		error = read_members(r, members, NULL, 0, s);
	r->where = NULL;
	return error;
}

static int read_files(reader *r, const sf_json_value *root)
{
	const sf_json_value *files;
	int error = get_array(r, root, "files", false, &files);

	if (error || !files || files->count == 0)
		return error;
	r->snap->files = sf__arena_calloc(r->snap->arena, files->count, sizeof(*r->snap->files));
	if (!r->snap->files)
		return sf__fail(SF_ENOMEM, "%s: out of memory", r->name);
	for (size_t i = 0; i < files->count; i++) {
		const sf_json_value *f = files->items[i];
		sf_snap_file *out = &r->snap->files[i];
		const char *order = NULL;
		uint64_t address_size = 0;

		error = item_object(r, files, i, "files");
		if (!error)
			error = get_string(r, f, "path", false, &out->path);
		if (!error)
			error = get_string(r, f, "arch", false, &out->arch);
		if (!error)
			error = get_string(r, f, "byte_order", false, &order);
		if (!error)
			error = get_u64(r, f, "address_size", false, 64, &address_size);
		if (error)
			return error;
		out->big_endian = order && strcmp(order, "big") == 0;
		out->address_size = (unsigned)address_size;
		if (!out->path)
			out->path = "?";
		if (!out->arch)
			out->arch = "unknown";
		r->snap->file_count++;
	}
	return 0;
}

int sf_snapshot_parse(sf_snapshot **out, const char *text, size_t len, const char *name)
{
	reader r = { name ? name : "<baseline>", NULL, NULL };
	const sf_json_value *root, *structs, *tool;
	uint64_t cacheline = 64;
	sf_snapshot *snap = calloc(1, sizeof(*snap));
	int error;

	*out = NULL;
	if (!snap || sf__arena_new(&snap->arena) < 0) {
		error = sf__fail(SF_ENOMEM, "%s: out of memory", r.name);
		goto done;
	}
	r.snap = snap;
	error = sf__json_parse(text, len, r.name, snap->arena, &root);
	if (error)
		goto done;
	if (root->type != SF_JSON_OBJECT) {
		error = sf__fail(SF_EINVALID, "%s:%u:%u: a baseline is a JSON object written by "
				 "'structfit snapshot', not %s", r.name, root->line, root->column,
				 sf__json_type_name(root->type));
		goto done;
	}
	tool = sf__json_get(root, "tool");
	if (!tool || tool->type != SF_JSON_STRING || strcmp(tool->string, "structfit") != 0) {
		error = sf__fail(SF_EINVALID, "%s:%u:%u: not a structfit document (no \"tool\": "
				 "\"structfit\")", r.name, tool ? tool->line : root->line,
				 tool ? tool->column : root->column);
		goto done;
	}
	error = get_u64(&r, root, "cacheline", false, 1u << 20, &cacheline);
	if (!error && (cacheline < 8 || (cacheline & (cacheline - 1)) != 0))
		error = fail_at(&r, sf__json_get(root, "cacheline"), "must be a power of two >= 8",
				"cacheline");
	if (!error)
		error = read_files(&r, root);
	if (!error)
		error = sf__snap_describe_target(snap);
	if (!error)
		error = get_array(&r, root, "structs", true, &structs);
	if (error)
		goto done;
	snap->cacheline = (unsigned)cacheline;
	if (structs->count) {
		snap->structs = sf__arena_calloc(snap->arena, structs->count, sizeof(*snap->structs));
		if (!snap->structs) {
			error = sf__fail(SF_ENOMEM, "%s: out of memory", r.name);
			goto done;
		}
	}
	for (size_t i = 0; i < structs->count; i++) {
		error = item_object(&r, structs, i, "structs");
		if (!error)
			error = read_struct(&r, structs->items[i], &snap->structs[i]);
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
