/* Go structs for fix: the definition found in its package's files, the refusals, whole field lines moved. */
#include "fix/fix_go.h"

#include <stdlib.h>
#include <string.h>

#include "fix/fix_go_body.h"
#include "fix/fix_go_index.h"
#include "fix/fix_go_lex.h"
#include "fix/fix_result.h"
#include "util/fail.h"

/*
 * Go's DWARF gives a type's package path in its name ("example.com/m/pkg.T")
 * and no declaration file, so the definition is looked up in the .go files
 * below the source root whose package clause names that package and whose
 * directory ends the path (any directory for "main").  Everything here is
 * textual, like the C side: no type checking, so the refusals look for the
 * type's name and its variables' names, and say where.
 */
typedef struct go_site {
	const sf_go_file *file;
	size_t type_kw;    /* the `type` keyword or the name inside a `type (` group */
	size_t open;
	size_t close;
} go_site;

static size_t skip_space(const char *t, size_t len, size_t i)
{
	while (i < len && (t[i] == ' ' || t[i] == '\t' || t[i] == '\n' || t[i] == '\r'))
		i++;
	return i;
}

/* Package path and type name of "path/pkg.T": splits at the last '.' after the last '/'. */
static bool split_name(const char *full, char *pkg, size_t pkg_cap, const char **type)
{
	const char *slash = strrchr(full, '/');
	const char *dot = strchr(slash ? slash : full, '.');

	if (!dot || (size_t)(dot - full) >= pkg_cap || strchr(dot + 1, '[') || !dot[1])
		return false;
	memcpy(pkg, full, (size_t)(dot - full));
	pkg[dot - full] = '\0';
	*type = dot + 1;
	return true;
}

static bool dir_matches(const sf_go_file *f, const char *pkg_path)
{
	size_t dl = strlen(f->dir), pl = strlen(pkg_path);
	const char *last = strrchr(pkg_path, '/');

	if (strcmp(pkg_path, "main") == 0)
		return strcmp(f->package, "main") == 0;
	/* The toolchain's vendored packages (vendor/golang.org/x/...) are
	 * the standard library's copies, not the tree's. */
	if (strncmp(pkg_path, "vendor/", 7) == 0)
		return false;
	if (strcmp(f->package, last ? last + 1 : pkg_path) != 0)
		return false;
	if (dl == 0)
		return true;
	return pl >= dl && strcmp(pkg_path + pl - dl, f->dir) == 0 && (pl == dl || pkg_path[pl - dl - 1] == '/');
}

/* `type T struct {` (or `T struct {` in a type group) in one file. */
static bool find_in_file(const sf_go_file *f, const char *type, go_site *out)
{
	const char *t = f->text;
	size_t len = f->len;

	for (size_t i = 0; i < len;) {
		size_t next = sf__go_skip_literal(t, len, i), j, open;
		int depth = 0;
		if (next != i) {
			i = next;
			continue;
		}
		if (!sf__go_word_at(t, len, i, type)) {
			i++;
			continue;
		}
		j = skip_space(t, len, i + strlen(type));
		if (!sf__go_word_at(t, len, j, "struct")) {
			i++;
			continue;
		}
		open = skip_space(t, len, j + 6);
		if (open >= len || t[open] != '{') {
			i++;
			continue;
		}
		/* Preceded by `type` or the start of a line (a type group). */
		j = i;
		while (j > 0 && (t[j - 1] == ' ' || t[j - 1] == '\t'))
			j--;
		if (!(j == 0 || t[j - 1] == '\n' || (j >= 4 && sf__go_word_at(t, len, j - 4, "type")))) {
			i++;
			continue;
		}
		for (size_t k = open; k < len;) {
			size_t n = sf__go_skip_literal(t, len, k);
			if (n != k) {
				k = n;
				continue;
			}
			if (t[k] == '{')
				depth++;
			else if (t[k] == '}' && --depth == 0) {
				out->file = f;
				out->type_kw = j >= 4 && sf__go_word_at(t, len, j - 4, "type") ? j - 4 : i;
				out->open = open;
				out->close = k;
				return true;
			}
			k++;
		}
		return false;
	}
	return false;
}

static const char *first_site(sf_fix *fix, const sf_go_file *f, size_t at, const char *what)
{
	return sf__fix_format(fix, "%s at %s:%u", what, f->rel, sf__go_line_of(f->text, at));
}

/* Whether text[i] starts a keyed element (`Name:`), or the literal is empty. */
static bool keyed_or_empty(const char *t, size_t len, size_t i)
{
	size_t e;

	for (;;) {
		size_t n;
		i = skip_space(t, len, i);
		n = sf__go_skip_literal(t, len, i);
		if (n == i || t[i] == '"' || t[i] == '`' || t[i] == '\'')
			break;
		i = n;
	}
	if (i >= len || t[i] == '}' || t[i] == '{')
		return true;   /* empty, or elided element types: not judged */
	e = i;
	while (e < len && sf__go_ident_char(t[e]))
		e++;
	if (e == i)
		return false;
	e = skip_space(t, len, e);
	return e < len && t[e] == ':' && !(e + 1 < len && t[e + 1] == '=');
}

/*
 * Whether `T {` at text[at] starts a literal of T itself: not a function's
 * result type before its body (`) *T {`), and not the element type of a
 * slice, array or map literal (`[]T{`, `map[K]T{`), whose elements this
 * textual scan does not judge.
 */
static bool literal_of_t(const char *t, size_t at)
{
	size_t p = at;

	while (p > 0 && t[p - 1] == '.')   /* pkg.T: look before the package */
		for (p--; p > 0 && sf__go_ident_char(t[p - 1]); p--)
			;
	while (p > 0 && (t[p - 1] == ' ' || t[p - 1] == '\t' || t[p - 1] == '*'))
		p--;
	return p == 0 || (t[p - 1] != ')' && t[p - 1] != ']');
}

/* Whether no top-level `func` starts between byte a and byte b: a variable's scope, roughly. */
static bool same_function(const char *t, size_t a, size_t b)
{
	size_t from = a < b ? a : b, to = a < b ? b : a;

	for (size_t i = from; i + 5 < to; i++) {
		if (t[i] == '\n' && memcmp(t + i + 1, "func ", 5) == 0)
			return false;
	}
	return true;
}

/* Variables of type T declared in `f` (`x T`, `x *T`, `x := T{`, `x := &T{`), up to 16. */
static size_t variables_of(const sf_go_file *f, const char *type, size_t *off, size_t *vlen)
{
	const char *t = f->text;
	size_t n = 0;

	for (size_t i = 0; i < f->len && n < 16; i++) {
		size_t j, e, skip = sf__go_skip_literal(t, f->len, i);
		if (skip != i) {
			i = skip - 1;
			continue;
		}
		if (!sf__go_word_at(t, f->len, i, type))
			continue;
		j = i;
		while (j > 0 && (t[j - 1] == '*' || t[j - 1] == '&' || t[j - 1] == ' ' || t[j - 1] == '\t'))
			j--;
		if (j >= 2 && t[j - 1] == '=' && t[j - 2] == ':') {
			j -= 2;
			while (j > 0 && (t[j - 1] == ' ' || t[j - 1] == '\t'))
				j--;
		}
		e = j;
		while (j > 0 && sf__go_ident_char(t[j - 1]))
			j--;
		if (e > j && !sf__go_word_at(t, f->len, j, "type") && !sf__go_word_at(t, f->len, j, "var") &&
		    !sf__go_word_at(t, f->len, j, "func")) {
			off[n] = j;
			vlen[n++] = e - j;
		}
	}
	return n;
}

static bool line_mentions(const char *t, size_t len, size_t from, size_t to, const char *word, size_t wlen)
{
	char buf[128];

	if (wlen >= sizeof(buf))
		return false;
	memcpy(buf, word, wlen);
	buf[wlen] = '\0';
	for (size_t i = from; i < to; i++) {
		if (sf__go_word_at(t, len, i, buf))
			return true;
	}
	(void)len;
	return false;
}

/* The first use of T in `f` that a new field order would break, or NULL. */
static const char *unsafe_use(sf_fix *fix, const sf_go_file *f, const go_site *def, const char *type)
{
	const char *t = f->text;
	size_t len = f->len, var_off[16], var_len[16];
	size_t vars = variables_of(f, type, var_off, var_len);

	for (size_t i = 0; i < len;) {
		size_t next = sf__go_skip_literal(t, len, i), ls, le;
		bool binary, unsafe_ptr;
		if (next != i) {
			i = next;
			continue;
		}
		if (sf__go_word_at(t, len, i, type) && !(f == def->file && i <= def->open)) {
			size_t j = skip_space(t, len, i + strlen(type));
			if (j < len && t[j] == '{' && literal_of_t(t, i) && !keyed_or_empty(t, len, j + 1))
				return first_site(fix, f, i, "unkeyed composite literal");
		}
		binary = sf__go_word_at(t, len, i, "binary") && i + 7 < len && t[i + 6] == '.' &&
			 (strncmp(t + i + 7, "Read", 4) == 0 || strncmp(t + i + 7, "Write", 5) == 0 ||
			  strncmp(t + i + 7, "Size", 4) == 0);
		unsafe_ptr = sf__go_word_at(t, len, i, "unsafe") && i + 7 < len && t[i + 6] == '.';
		if (!binary && !unsafe_ptr) {
			i++;
			continue;
		}
		ls = i;
		while (ls > 0 && t[ls - 1] != '\n')
			ls--;
		le = i;
		while (le < len && t[le] != '\n')
			le++;
		if (line_mentions(t, len, ls, le, type, strlen(type)))
			return first_site(fix, f, i, binary ? "encoding/binary use" : "unsafe use");
		for (size_t v = 0; v < vars; v++) {
			if (same_function(t, var_off[v], ls) && line_mentions(t, len, ls, le, t + var_off[v], var_len[v]))
				return first_site(fix, f, i, binary ? "encoding/binary use" : "unsafe use");
		}
		i = le;
	}
	return NULL;
}

/* The definition's own obstacles: //structfit:ignore in its doc comment or body, cgo. */
static const char *own_obstacle(sf_fix *fix, const go_site *d, const sf_go_body *body)
{
	const sf_go_file *f = d->file;
	const char *t = f->text;
	size_t doc = d->type_kw;
	const char *mark;

	/* The comment lines directly above `type`. */
	while (doc > 0) {
		size_t prev = doc - 1, ls = prev;
		while (ls > 0 && t[ls - 1] != '\n')
			ls--;
		while (ls < prev && (t[ls] == ' ' || t[ls] == '\t'))
			ls++;
		if (prev == 0 || t[ls] != '/' || t[ls + 1] != '/')
			break;
		doc = ls;
	}
	mark = strstr(t + doc, "//structfit:ignore");
	if (mark && (size_t)(mark - t) < d->close)
		return first_site(fix, f, (size_t)(mark - t), "//structfit:ignore");
	for (size_t i = 0; i + 10 < f->len; i++) {
		if (sf__go_word_at(t, f->len, i, "import") &&
		    strncmp(t + skip_space(t, f->len, i + 6), "\"C\"", 3) == 0)
			return first_site(fix, f, i, "cgo (import \"C\")");
	}
	for (size_t i = d->open; i < d->close; i++) {
		if (sf__go_word_at(t, f->len, i, "C") && t[i + 1] == '.')
			return first_site(fix, f, i, "cgo type");
	}
	(void)body;
	return NULL;
}

/* Whether the members of unit `u` stay together, in order, at new positions. */
static bool unit_kept(const sf_go_body *body, const sf_go_unit *u, const uint32_t *position)
{
	for (size_t k = 1; k < u->name_count; k++) {
		if (position[u->first_name + k] != position[u->first_name] + k)
			return false;
	}
	(void)body;
	return true;
}

static void put(char *out, size_t *n, const char *from, size_t len)
{
	memcpy(out + *n, from, len);
	*n += len;
}

/* The rest of a split field line after its names, without a trailing // comment (kept on the first piece). */
static size_t rest_len(const char *t, size_t len, size_t from, size_t to)
{
	if (to > from && t[to - 1] == '\n')
		to--;
	for (size_t i = from; i < to;) {
		size_t next = sf__go_skip_literal(t, len, i);
		if (t[i] == '/' && next != i && i + 1 < to && t[i + 1] == '/') {
			while (i > from && (t[i - 1] == ' ' || t[i - 1] == '\t'))
				i--;
			return i - from;
		}
		i = next != i ? next : i + 1;
	}
	return to - from;
}

/* The new body text from the first unit's start to the last unit's end. */
static char *rewrite(sf_arena *arena, const sf_go_file *f, const sf_go_body *body, const uint32_t *order,
		     uint32_t n, size_t *out_len)
{
	const char *t = f->text;
	size_t start = body->units[0].start, end = body->units[body->unit_count - 1].end, k = 0;
	uint32_t *position = sf__arena_calloc(arena, n + 1, sizeof(*position));
	char *out = sf__arena_alloc(arena, 2 * (end - start) + 64 * (size_t)n + 1);

	if (!position || !out)
		return NULL;
	for (uint32_t p = 0; p < n; p++)
		position[order[p]] = p;
	for (uint32_t p = 0; p < n; p++) {
		uint32_t m = order[p];
		const sf_go_unit *u = &body->units[body->names[m].unit];
		size_t ui = body->names[m].unit;
		bool kept = unit_kept(body, u, position);
		if (kept && m != u->first_name)
			continue;
		if (k > 0 && ui > 0 && (kept || m == u->first_name))
			put(out, &k, t + u->gap, u->start - u->gap);
		if (kept) {
			put(out, &k, t + u->start, u->end - u->start);
			continue;
		}
		if (m == u->first_name)
			put(out, &k, t + u->start, u->line - u->start);
		put(out, &k, t + u->line, u->field - u->line);
		put(out, &k, t + body->names[m].off, body->names[m].len);
		if (m == u->first_name) {
			put(out, &k, t + u->names_end, u->end - u->names_end);
		} else {
			put(out, &k, t + u->names_end, rest_len(t, f->len, u->names_end, u->end));
			out[k++] = '\n';
		}
	}
	*out_len = k;
	return out;
}

static int add_edit(builder *b, const go_site *d, const sf_go_body *body, const uint32_t *order, uint32_t n,
		    const char **why)
{
	sf_fix *fix = b->fix;
	long source = sf__fix_source_for(b, d->file->path, why);
	sf_fix_source *src;
	sf_fix_edit *more;
	size_t len = 0;
	char *text;

	if (source < 0)
		return source == SF_ENOMEM ? SF_ENOMEM : 1;
	src = &fix->sources[source];
	if (src->len != d->file->len || memcmp(src->text, d->file->text, src->len) != 0) {
		*why = "the source changed while structfit read it";
		return 1;
	}
	text = rewrite(fix->arena, d->file, body, order, n, &len);
	more = text ? sf__fix_grow(fix->arena, src->edits, src->edit_count, &src->edit_cap, sizeof(*more)) : NULL;
	if (!more)
		return SF_ENOMEM;
	src->edits = more;
	src->edits[src->edit_count++] = (sf_fix_edit){ body->units[0].start, body->units[body->unit_count - 1].end,
						      text, len };
	return 0;
}

/* The one definition of the type under the root; 1 with *why when none or several. */
static int locate(builder *b, const char *full, go_site *site, const char **type, const char **why)
{
	sf_fix *fix = b->fix;
	char pkg[512];
	size_t found = 0;

	if (!split_name(full, pkg, sizeof(pkg), type)) {
		*why = "not a named Go struct type (generic or anonymous)";
		return 1;
	}
	for (size_t i = 0; i < b->go_index.count; i++) {
		go_site s;
		const sf_go_file *f = &b->go_index.files[i];
		if (!dir_matches(f, pkg) || !find_in_file(f, *type, &s))
			continue;
		if (found++ == 0)
			*site = s;
	}
	if (found == 1)
		return 0;
	*why = found ? sf__fix_format(fix, "defined %zu times under the source root (package %s)", found, pkg)
		     : sf__fix_format(fix, "no Go package %s under the source root", pkg);
	return *why ? 1 : SF_ENOMEM;
}

int sf__fix_go_consider(builder *b, size_t index, size_t record)
{
	sf_fix *fix = b->fix;
	const sf_plan_entry *pe = &b->plan->entries[index];
	const sf_struct *def = pe->def;
	const char *type = NULL, *why = NULL;
	sf_go_body body = { 0 };
	go_site site = { 0 };
	int rc = sf__fix_go_index(b);

	if (rc < 0)
		return rc;
	rc = locate(b, fix->structs[record].name, &site, &type, &why);
	if (rc == 1 && strncmp(why, "no Go package", 13) == 0)
		fix->structs[record].outside_source_root = 1;
	if (rc == 0) {
		/* The index dies with the build; the result keeps its own copy. */
		fix->structs[record].file = sf__arena_strdup(fix->arena, site.file->rel);
		if (!fix->structs[record].file)
			return SF_ENOMEM;
		fix->structs[record].line = sf__go_line_of(site.file->text, site.type_kw);
		rc = sf__go_body_parse(&body, b->arena, site.file->text, site.file->len, site.open, site.close, &why);
	}
	if (rc == 0 && body.name_count != def->member_count) {
		why = sf__fix_format(fix, "the source declares %zu fields, the debug info %u", body.name_count,
				     def->member_count);
		rc = why ? 1 : SF_ENOMEM;
	}
	for (uint32_t m = 0; rc == 0 && m < def->member_count; m++) {
		const sf_go_name *nm = &body.names[m];
		const char *dn = def->members[m].name ? def->members[m].name : "";
		if (strlen(dn) != nm->len || memcmp(dn, site.file->text + nm->off, nm->len) != 0) {
			why = sf__fix_format(fix, "field %u is %.*s in the source, %s in the debug info", m,
					     (int)nm->len, site.file->text + nm->off, dn);
			rc = why ? 1 : SF_ENOMEM;
		}
	}
	for (size_t i = 0; rc == 0 && i < b->go_index.patched_count; i++) {
		/* The toolchain's vendored copies name the same source another way. */
		if (b->go_index.patched[i].file == site.file && b->go_index.patched[i].open == site.open) {
			why = "the same definition is patched under another package path";
			rc = 1;
		}
	}
	if (rc == 0)
		why = own_obstacle(fix, &site, &body);
	for (size_t i = 0; rc == 0 && !why && i < b->go_index.count; i++) {
		const sf_go_file *f = &b->go_index.files[i];
		size_t pl = strlen(site.file->package);
		/* The package's own files and its external tests. */
		if (strcmp(f->dir, site.file->dir) != 0 || strncmp(f->package, site.file->package, pl) != 0 ||
		    (f->package[pl] && strcmp(f->package + pl, "_test") != 0))
			continue;
		why = unsafe_use(fix, f, &site, type);
	}
	if (rc == 0 && why)
		rc = 1;
	if (rc == 0)
		rc = add_edit(b, &site, &body, pe->proposal.order, def->member_count, &why);
	if (rc < 0)
		return rc;
	if (rc > 0) {
		fix->structs[record].skip_reason = why ? why : "cannot patch this Go struct";
		return 0;
	}
	{
		sf_go_index *ix = &b->go_index;
		struct sf_go_patched *more = sf__fix_grow(b->arena, ix->patched, ix->patched_count, &ix->patched_cap,
							  sizeof(*more));
		if (!more)
			return SF_ENOMEM;
		ix->patched = more;
		more[ix->patched_count++] = (struct sf_go_patched){ record, def, pe->proposal.order, site.file, site.open };
	}
	for (size_t u = 0; u < body.unit_count; u++) {
		if (body.units[u].embedded) {
			fix->structs[record].warning = "embedded fields moved: promoted fields and methods "
						       "do not depend on their order";
			break;
		}
	}
	return 0;
}
