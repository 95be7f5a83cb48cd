/* Static-assertion headers: the sizes, alignments and offsets of a build, checked by the compiler. */
#include <structfit/gate.h>
#include <structfit/structfit.h>

#include <inttypes.h>
#include <stdbool.h>
#include <string.h>

#include "gate/snapshot.h"
#include "util/buf.h"
#include "util/fail.h"

/*
 * Predefined macros that identify each architecture the model names, with
 * gcc and clang alike.  Pointer size and byte order are checked separately,
 * which is what tells x32 from x86-64 and s390 from s390x.
 */
static const struct {
	const char *arch;
	const char *macro;
} arch_macros[] = {
	{ "x86_64", "__x86_64__" }, { "x32", "__x86_64__" }, { "i386", "__i386__" },
	{ "arm", "__arm__" }, { "armeb", "__arm__" },
	{ "aarch64", "__aarch64__" }, { "aarch64_be", "__aarch64__" },
	{ "s390x", "__s390__" }, { "s390", "__s390__" },
	{ "ppc64", "__powerpc64__" }, { "ppc64le", "__powerpc64__" },
	{ "riscv64", "__riscv" }, { "riscv32", "__riscv" },
};

static const char *arch_macro(const char *arch)
{
	for (size_t i = 0; i < sizeof(arch_macros) / sizeof(arch_macros[0]); i++) {
		if (strcmp(arch_macros[i].arch, arch) == 0)
			return arch_macros[i].macro;
	}
	return NULL;
}

static bool ident_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

static bool is_identifier(const char *s)
{
	if (!s || !*s || (*s >= '0' && *s <= '9'))
		return false;
	for (; *s; s++) {
		if (!ident_char(*s))
			return false;
	}
	return true;
}

/* A C++ qualified name: identifiers joined by "::" (`a::S`, `Outer::Inner`).
 * Anonymous namespaces and template arguments cannot be spelled from
 * another translation unit this simply. */
static bool is_qualified_name(const char *s)
{
	char part[256];
	const char *sep;
	bool any = false;

	if (!s)
		return false;
	while ((sep = strstr(s, "::"))) {
		size_t n = (size_t)(sep - s);
		if (n == 0 || n >= sizeof(part))
			return false;
		memcpy(part, s, n);
		part[n] = '\0';
		if (!is_identifier(part))
			return false;
		s = sep + 2;
		any = true;
	}
	return any && is_identifier(s);
}

/* C++ layouts offsetof() may not be applied to (-Winvalid-offsetof): with
 * a base class (unnamed, no body) or a vtable pointer. */
static bool has_bases_or_vptr(const sf_snap_struct *s)
{
	for (uint32_t i = 0; i < s->member_count; i++) {
		const sf_snap_member *m = &s->members[i];
		if ((!m->name && !m->body) || (m->name && strncmp(m->name, "_vptr.", 6) == 0))
			return true;
	}
	return false;
}

/* A member path usable in offsetof: identifiers joined by dots. */
static bool is_member_path(const char *s)
{
	const char *start = s;

	if (!s)
		return false;
	for (;; s++) {
		if (*s == '.' || *s == '\0') {
			char part[256];
			size_t n = (size_t)(s - start);
			if (n == 0 || n >= sizeof(part))
				return false;
			memcpy(part, start, n);
			part[n] = '\0';
			if (!is_identifier(part))
				return false;
			if (*s == '\0')
				return true;
			start = s + 1;
		}
	}
}

/* How the header spells the type: `struct tag`, `union tag`, or the typedef
 * name; C++ qualified names as they are. */
static void type_spelling(sf_buf *buf, const sf_snap_struct *s)
{
	if (is_qualified_name(sf__snap_name(s)))
		sf__buf_puts(buf, sf__snap_name(s));
	else if (s->name)
		sf__buf_printf(buf, "%s %s", strcmp(s->kind, "union") == 0 ? "union" : "struct", s->name);
	else
		sf__buf_puts(buf, s->typedef_name);
}

/* Comments must not be closed early by a file name. */
static void comment_text(sf_buf *buf, const char *s)
{
	for (; s && *s; s++) {
		if (s[0] == '*' && s[1] == '/')
			sf__buf_puts(buf, "*\\");
		else if (*s == '\n')
			sf__buf_putc(buf, ' ');
		else
			sf__buf_putc(buf, *s);
	}
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}

/* gcc records its predefined types (x86-64's struct __va_list_tag) as
 * declared in "<built-in>", joined to the compilation directory. */
static bool is_builtin(const sf_snap_struct *s)
{
	return s->decl_file && base_name(s->decl_file)[0] == '<';
}

static bool in_c_file(const sf_snap_struct *s)
{
	static const char *const exts[] = { ".c", ".cc", ".cpp", ".cxx", NULL };
	const char *dot = s->decl_file ? strrchr(base_name(s->decl_file), '.') : NULL;
	for (size_t i = 0; dot && exts[i]; i++)
		if (strcmp(dot, exts[i]) == 0)
			return true;
	return false;
}

/*
 * A C identifier naming one assertion, for dialects without static
 * assertions: the compiler's error then quotes it ("structfit_size_of_
 * struct_conn_is_24"), so the failure names the struct and the figure.
 */
static void assertion_name(sf_buf *buf, const char *what, const sf_snap_struct *s, const char *member,
			   uint64_t figure)
{
	const char *parts[3] = { s->name ? s->kind : NULL, sf__snap_name(s), member };

	sf__buf_printf(buf, "structfit_%s", what);
	for (size_t i = 0; i < 3; i++) {
		if (!parts[i])
			continue;
		sf__buf_putc(buf, '_');
		for (const char *c = parts[i]; *c; c++)
			sf__buf_putc(buf, ident_char(*c) ? *c : '_');
	}
	sf__buf_printf(buf, "_is_%" PRIu64, figure);
}

/* One assertion: `cond` must hold; `msg` is what C11/C++11 print when not. */
static void assertion(sf_buf *buf, const sf_buf *cond, const sf_buf *msg, const char *what,
		      const sf_snap_struct *s, const char *member, uint64_t figure)
{
	if (cond->failed || msg->failed) {
		buf->failed = 1;
		return;
	}
	sf__buf_printf(buf, "STRUCTFIT_ASSERT_(%s, \"%s\", ", cond->data, msg->data);
	assertion_name(buf, what, s, member, figure);
	sf__buf_puts(buf, ");\n");
}

/* Why `s` gets no assertions (a comment says so), or NULL. */
static const char *skip_reason(const sf_snap_struct *s, const sf_assert_options *opts,
			       sf_assert_stats *stats)
{
	if (s->conflicting) {
		stats->conflicting++;
		return "skipped, the inputs define it with different layouts";
	}
	if (!is_identifier(sf__snap_name(s)) && !is_qualified_name(sf__snap_name(s))) {
		stats->unnamed++;
		return "skipped, the name cannot be spelled in C";
	}
	/* Its size is the compiler's, and no C source can complete the type. */
	if (is_builtin(s)) {
		stats->unnamed++;
		return "skipped, a compiler built-in type";
	}
	/* Only the file's own translation unit can name it. */
	if (in_c_file(s) && !opts->include_local) {
		stats->local++;
		return "skipped, declared in a .c file that other files cannot include "
		       "(--include-local keeps it)";
	}
	return NULL;
}

static void one_struct(sf_buf *buf, const sf_snap_struct *s, const sf_assert_options *opts,
		       sf_assert_stats *stats)
{
	sf_buf type = SF_BUF_INIT, cond = SF_BUF_INIT, msg = SF_BUF_INIT;
	const char *label = sf__snap_name(s);
	const char *skipped = skip_reason(s, opts, stats);
	/* C++ classes and names in namespaces or classes have no C spelling;
	 * their checks are compiled as C++ only. */
	bool cxx_only = is_qualified_name(label) || strcmp(s->kind, "class") == 0;
	bool offsets = opts->offsets && !has_bases_or_vptr(s) && strcmp(s->kind, "class") != 0;

	sf__buf_printf(buf, "\n/* %s %s", s->kind, label);
	if (s->decl_file) {
		sf__buf_puts(buf, ", ");
		comment_text(buf, s->decl_file);
		if (s->decl_line)
			sf__buf_printf(buf, ":%u", s->decl_line);
	}
	if (skipped) {
		sf__buf_printf(buf, ": %s */\n", skipped);
		return;
	}
	if (in_c_file(s))
		sf__buf_puts(buf, ": declared in a .c file, so only a translation unit that\n"
			     " * includes that file can name it");
	sf__buf_puts(buf, " */\n");
	type_spelling(&type, s);
	if (type.failed) {
		buf->failed = 1;
		return;
	}
	stats->asserted++;
	if (cxx_only)
		sf__buf_puts(buf, "#ifdef __cplusplus\n");
	sf__buf_printf(&cond, "sizeof(%s) == %" PRIu64, type.data, s->size);
	sf__buf_printf(&msg, "%s %s: size is %" PRIu64 " bytes in the reference build", s->kind, label, s->size);
	assertion(buf, &cond, &msg, "size_of", s, NULL, s->size);
	if (opts->align && s->align && !s->align_certain) {
		stats->align_unknown++;
		sf__buf_printf(buf, "/* alignment %" PRIu32 " not asserted: the debug info cannot tell "
			       "a packed layout from an unpacked one */\n", s->align);
	} else if (opts->align && s->align) {
		sf_buf_free(&cond);
		sf_buf_free(&msg);
		sf__buf_printf(&cond, "STRUCTFIT_ALIGNOF_(%s) == %" PRIu32, type.data, s->align);
		sf__buf_printf(&msg, "%s %s: alignment is %" PRIu32 " in the reference build", s->kind, label,
			       s->align);
		/* Pre-C11 compilers that are not GNU-compatible cannot ask. */
		sf__buf_puts(buf, "#ifdef STRUCTFIT_ALIGNOF_\n");
		assertion(buf, &cond, &msg, "align_of", s, NULL, s->align);
		sf__buf_puts(buf, "#endif\n");
	}
	if (opts->offsets && !offsets)
		sf__buf_puts(buf, "/* offsets not asserted: a C++ class with bases or virtual functions */\n");
	if (offsets) {
		for (uint32_t i = 0; i < s->member_count; i++) {
			const sf_snap_member *m = &s->members[i];
			/* Bitfields have no address; anonymous members are reached through their fields. */
			if (m->bit_size || !is_member_path(m->path))
				continue;
			sf_buf_free(&cond);
			sf_buf_free(&msg);
			sf__buf_printf(&cond, "offsetof(%s, %s) == %" PRIu64, type.data, m->path, m->offset);
			sf__buf_printf(&msg, "%s %s: member %s is at offset %" PRIu64 " in the reference build",
				       s->kind, label, m->path, m->offset);
			assertion(buf, &cond, &msg, "offset_of", s, m->path, m->offset);
		}
	}
	if (cxx_only)
		sf__buf_puts(buf, "#endif\n");
	sf_buf_free(&cond);
	sf_buf_free(&msg);
	sf_buf_free(&type);
}

/* The single target of the snapshot's inputs; SF_EUSAGE when they disagree. */
static int common_target(const sf_snapshot *snap, const sf_snap_file **out)
{
	*out = snap->file_count ? &snap->files[0] : NULL;
	for (size_t i = 1; i < snap->file_count; i++) {
		const sf_snap_file *a = &snap->files[0], *b = &snap->files[i];
		if (strcmp(a->arch, b->arch) != 0 || a->address_size != b->address_size ||
		    a->big_endian != b->big_endian)
			return sf__fail(SF_EUSAGE, "inputs are built for different targets (%s and %s): "
					"write one assertion header per target", a->arch, b->arch);
	}
	return 0;
}

static void target_condition(sf_buf *buf, const sf_snap_file *t)
{
	const char *macro = arch_macro(t->arch);

	sf__buf_puts(buf, "#if ");
	if (macro)
		sf__buf_printf(buf, "defined(%s) && ", macro);
	sf__buf_printf(buf, "defined(__SIZEOF_POINTER__) && __SIZEOF_POINTER__ == %u && \\\n"
		       "    defined(__BYTE_ORDER__) && __BYTE_ORDER__ == %s\n", t->address_size,
		       t->big_endian ? "__ORDER_BIG_ENDIAN__" : "__ORDER_LITTLE_ENDIAN__");
}

/*
 * The assertion and alignment macros for every dialect: C11 and C++11
 * have static assertions; older ones get a typedef whose array size is
 * negative when the condition fails (file-scope typedefs draw no warning
 * under -pedantic), and __alignof__ where the compiler is GNU-compatible.
 */
static const char dialect_macros[] =
	"#if defined(__cplusplus) && __cplusplus >= 201103L\n"
	"#define STRUCTFIT_ASSERT_(cond, msg, name) static_assert(cond, msg)\n"
	"#define STRUCTFIT_ALIGNOF_(type) alignof(type)\n"
	"#elif !defined(__cplusplus) && defined(__STDC_VERSION__) && __STDC_VERSION__ >= 201112L\n"
	"#define STRUCTFIT_ASSERT_(cond, msg, name) _Static_assert(cond, msg)\n"
	"#define STRUCTFIT_ALIGNOF_(type) _Alignof(type)\n"
	"#else\n"
	"#define STRUCTFIT_ASSERT_(cond, msg, name) typedef char name[(cond) ? 1 : -1]\n"
	"#if defined(__GNUC__)\n"
	"#define STRUCTFIT_ALIGNOF_(type) __alignof__(type)\n"
	"#endif\n"
	"#endif\n"
	/* A struct holding a C++ class with a vtable is not standard-layout;
	 * g++ and clang++ still give offsetof() of its members, but warn. */
	"#ifdef __cplusplus\n"
	"#pragma GCC diagnostic push\n"
	"#pragma GCC diagnostic ignored \"-Winvalid-offsetof\"\n"
	"#endif\n";

int sf_emit_asserts(sf_buf *buf, const sf_snapshot *snap, const sf_assert_options *opts,
		    sf_assert_stats *stats)
{
	static const sf_assert_options defaults = SF_ASSERT_OPTIONS_INIT;
	sf_assert_options o = defaults;
	sf_assert_stats ignored;
	const char *guard;
	const sf_snap_file *target = NULL;
	int error;

	if (!stats)
		stats = &ignored;
	memset(stats, 0, sizeof(*stats));
	if (opts && (opts->version < 1 || opts->version > SF_ASSERT_OPTIONS_VERSION))
		return sf__fail(SF_EUSAGE, "unknown assert options version %u", opts->version);
	/* Version 1 callers' structs end before include_local. */
	if (opts) {
		o.offsets = opts->offsets;
		o.align = opts->align;
		o.guard = opts->guard;
		o.include_local = opts->version >= 2 ? opts->include_local : 0;
	}
	opts = &o;
	guard = opts->guard ? opts->guard : "STRUCTFIT_LAYOUT_ASSERTS_H";
	if (!is_identifier(guard))
		return sf__fail(SF_EUSAGE, "'%s' is not a valid include guard name", guard);
	error = common_target(snap, &target);
	if (error)
		return error;

	sf__buf_printf(buf, "/* Generated by structfit %s: the struct layouts of a reference build,\n"
		       " * checked at compile time.  Do not edit; regenerate with structfit assert.\n",
		       sf_version());
	if (target) {
		sf__buf_puts(buf, " * Reference build: ");
		for (size_t i = 0; i < snap->file_count && i < 8; i++) {
			sf__buf_puts(buf, i ? ", " : "");
			comment_text(buf, snap->files[i].path);
		}
		if (snap->file_count > 8)
			sf__buf_printf(buf, " and %zu more", snap->file_count - 8);
		sf__buf_printf(buf, "\n * Target: %s, %u-byte pointers, %s-endian%s.\n", target->arch,
			       target->address_size, target->big_endian ? "big" : "little",
			       arch_macro(target->arch) ? "" : " (architecture macro unknown: "
			       "only pointer size and byte order are checked)");
		sf__buf_puts(buf, " * On any other target the assertions are skipped; define\n"
			     " * STRUCTFIT_REQUIRE_TARGET to make that an error instead.\n");
	} else {
		sf__buf_puts(buf, " * Target unknown (the baseline lists no inputs): the assertions\n"
			     " * apply wherever this header is included.\n");
	}
	sf__buf_printf(buf, " */\n#ifndef %s\n#define %s\n\n#include <stddef.h>\n\n", guard, guard);
	if (target)
		target_condition(buf, target);
	sf__buf_puts(buf, dialect_macros);
	for (size_t i = 0; i < snap->count; i++)
		one_struct(buf, &snap->structs[i], opts, stats);
	sf__buf_puts(buf, "\n#undef STRUCTFIT_ASSERT_\n#undef STRUCTFIT_ALIGNOF_\n"
		     "#ifdef __cplusplus\n#pragma GCC diagnostic pop\n#endif\n");
	if (target) {
		sf__buf_printf(buf, "#elif defined(STRUCTFIT_REQUIRE_TARGET)\n#error \"%s: layout assertions "
			       "for %s with %u-byte pointers, %s-endian, included on another target\"\n"
			       "#endif\n", guard, target->arch, target->address_size,
			       target->big_endian ? "big" : "little");
	}
	sf__buf_printf(buf, "\n#endif /* %s */\n", guard);
	if (buf->failed)
		return sf__fail(SF_ENOMEM, "out of memory while writing assertions");
	return 0;
}
