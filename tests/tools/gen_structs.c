/* Seeded random C struct generator for the compiler-oracle tests. */
/*
 * gen_structs --seed S --count N [--lp64] [--no-vectors] [--max-members M]
 *             [--named-bitfields] -o BASE
 *
 * Writes three files:
 *   BASE.c         N struct/union definitions without system headers, each
 *                  with a global so every compiler keeps its debug info;
 *   BASE.manifest  one line per generated type and per named bitfield, so
 *                  the oracle knows what must appear in the tool's output:
 *                    type <spelling> <tag-or-typedef> <flags>
 *                    member <spelling> <member>      (named, not a bitfield)
 *                    bitfield <spelling> <member> <bool|int>
 *                  flags is a comma list of packed, align_unknown (packing
 *                  or an unnamed bitfield somewhere inside hides the
 *                  alignment from DWARF: unnamed bitfields have no DIE, yet
 *                  they raise alignment on AArch64/ARM and size elsewhere),
 *                  hidden_bitfield (an unnamed bitfield somewhere inside:
 *                  only that, not packing, is invisible to a DWARF reader),
 *                  over_aligned (aligned attribute or _Alignas somewhere
 *                  inside: only DW_AT_alignment reveals it), fam, union
 *                  ("-" when empty);
 *   BASE_probe.c   a host-only main() (includes BASE.c and <stdio.h>) that
 *                  prints "<spelling>\t<member>\t<first bit>\t<bits>" for each
 *                  named top-level bitfield, bits counted in memory order.
 *
 * The output depends only on the arguments (own PRNG, no libc rand), so a
 * failing seed reproduces anywhere.  --lp64 allows 64-bit long bitfields
 * and __int128, which only 64-bit targets have.  --max-members M keeps every
 * type at M top-level declarations or fewer (1 + a random count below M),
 * for oracles that try every order of the members; without it the output
 * is the same as before the option existed.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_TYPES 4096
#define MAX_MEMBERS 24

typedef struct scalar {
	const char *spelling;
	unsigned align_bound; /* largest alignment on any supported target */
	unsigned bit_width;   /* widest legal bitfield; 0 when not a bitfield type */
	bool needs_lp64;
} scalar;

/* Bitfield widths for `long` assume ILP32 unless --lp64 raises them. */
static const scalar scalars[] = {
	{ "char", 1, 8, false },
	{ "signed char", 1, 8, false },
	{ "unsigned char", 1, 8, false },
	{ "short", 2, 16, false },
	{ "unsigned short", 2, 16, false },
	{ "int", 4, 32, false },
	{ "unsigned int", 4, 32, false },
	{ "long", 8, 32, false },
	{ "unsigned long", 8, 32, false },
	{ "long long", 8, 64, false },
	{ "unsigned long long", 8, 64, false },
	{ "_Bool", 1, 1, false },
	{ "float", 4, 0, false },
	{ "double", 8, 0, false },
	{ "long double", 16, 0, false },
	{ "void *", 8, 0, false },
	{ "const char *", 8, 0, false },
	{ "const char *const", 8, 0, false },
	{ "int (*)(int, char)", 8, 0, false },
	{ "_Complex float", 4, 0, false },
	{ "_Complex double", 8, 0, false },
	{ "enum sfgen_color", 4, 0, false },
	{ "__int128", 16, 0, true },
	{ "unsigned __int128", 16, 0, true },
};

typedef struct gen_type {
	char spelling[48];   /* "struct s3", "union u4", "t5" */
	char tag[24];        /* "s3", or the typedef name for anonymous ones */
	unsigned align_bound;
	uint64_t size_bound; /* largest sizeof on any target, to keep nesting small */
	bool nestable;       /* no flexible array member */
	bool packed;
	bool align_unknown;  /* alignment cannot be recovered from DWARF */
	bool hidden_bitfield;/* an unnamed bitfield inside: no DIE at all */
	bool over_aligned;   /* explicit alignment somewhere inside */
	bool is_union;
	bool has_fam;
} gen_type;

typedef struct gen_state {
	uint64_t rng;
	bool lp64;
	bool vectors;
	bool named_bitfields; /* no `int :N;` or `int :0;`, which DWARF cannot show */
	unsigned max_members; /* 0: no cap */
	FILE *c_out;
	FILE *manifest;
	FILE *probe;
	gen_type types[MAX_TYPES];
	size_t type_count;
} gen_state;

/* splitmix64: tiny, good enough, identical on every platform. */
static uint64_t next_random(gen_state *g)
{
	uint64_t z = (g->rng += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static unsigned pick(gen_state *g, unsigned n)
{
	return (unsigned)(next_random(g) % n);
}

static bool chance(gen_state *g, unsigned percent)
{
	return pick(g, 100) < percent;
}

static const scalar *pick_scalar(gen_state *g, bool bitfield)
{
	for (;;) {
		const scalar *s = &scalars[pick(g, sizeof(scalars) / sizeof(scalars[0]))];
		if (s->needs_lp64 && !g->lp64)
			continue;
		if (bitfield && s->bit_width == 0)
			continue;
		return s;
	}
}

static unsigned bitfield_width_limit(const gen_state *g, const scalar *s)
{
	if (g->lp64 && strstr(s->spelling, "long") && !strstr(s->spelling, "long long"))
		return 64;
	return s->bit_width;
}

/* Declares `name` of type `spelling`, putting array and function-pointer
 * declarators where C wants them. */
static void declare(FILE *out, const char *spelling, const char *name, const char *dims)
{
	const char *fp = strstr(spelling, "(*)");
	if (fp) {
		fprintf(out, "%.*s(*%s%s)%s", (int)(fp - spelling), spelling, name, dims, fp + 3);
		return;
	}
	const char *sep = spelling[strlen(spelling) - 1] == '*' ? "" : " ";
	fprintf(out, "%s%s%s%s", spelling, sep, name, dims);
}

typedef struct member_plan {
	unsigned align_bound;
	uint64_t size_bound;
	bool align_unknown;
	bool hidden_bitfield;
	bool over_aligned;
} member_plan;

/* Returns the element count of the dimensions written to `dims`. */
static unsigned random_dims(gen_state *g, char *dims, size_t cap)
{
	unsigned r = pick(g, 10);
	unsigned a = 1 + pick(g, 7), b = 1 + pick(g, 3);
	if (r < 6) {
		snprintf(dims, cap, "[%u]", a);
		return a;
	}
	a = 1 + pick(g, 4);
	snprintf(dims, cap, "[%u][%u]", a, b);
	return a * b;
}

static unsigned power_at_least(gen_state *g, unsigned bound)
{
	static const unsigned choices[] = { 8, 16, 32, 64 };
	for (;;) {
		unsigned n = choices[pick(g, 4)];
		if (n >= bound)
			return n;
	}
}

/* One ordinary (non-bitfield) member.  Returns what the enclosing type
 * inherits: an alignment bound and whether alignment became opaque. */
static member_plan emit_value_member(gen_state *g, const char *name, bool allow_attrs)
{
	member_plan plan = { 1, 16, false, false, false };
	char dims[32] = "";
	const char *spelling;
	unsigned r = pick(g, 100);

	if (r < 30 && g->type_count > 0) {
		const gen_type *t = &g->types[pick(g, (unsigned)g->type_count)];
		if (!t->nestable || t->size_bound > 2048)
			t = NULL;
		if (t) {
			spelling = t->spelling;
			plan.align_bound = t->align_bound;
			plan.align_unknown = t->align_unknown;
			plan.hidden_bitfield = t->hidden_bitfield;
			plan.over_aligned = t->over_aligned;
			plan.size_bound = t->size_bound;
			if (t->size_bound <= 256 && chance(g, 20))
				plan.size_bound *= random_dims(g, dims, sizeof(dims));
			goto attrs;
		}
	}
	if (g->vectors && r >= 97) {
		spelling = pick(g, 2) ? "sfgen_v4si" : "sfgen_v8qi";
		plan.align_bound = 16;
		goto attrs;
	}
	const scalar *s = pick_scalar(g, false);
	spelling = s->spelling;
	plan.align_bound = s->align_bound;
	if (chance(g, 25))
		plan.size_bound *= random_dims(g, dims, sizeof(dims));

attrs:
	fputs("\t", g->c_out);
	if (allow_attrs && chance(g, 8)) {
		unsigned n = power_at_least(g, plan.align_bound);
		fprintf(g->c_out, "_Alignas(%u) ", n);
		plan.align_bound = n;
		plan.over_aligned = true;
	}
	declare(g->c_out, spelling, name, dims);
	if (allow_attrs && chance(g, 7)) {
		/* packed, sometimes re-raised to 2: both hide the member's
		 * real alignment from DWARF. */
		if (chance(g, 30)) {
			/* Bounds stay conservative: _Alignas beats packed. */
			fputs(" __attribute__((packed, aligned(2)))", g->c_out);
			if (plan.align_bound < 2)
				plan.align_bound = 2;
			plan.over_aligned = true;
		} else {
			fputs(" __attribute__((packed))", g->c_out);
		}
		plan.align_unknown = true;
	}
	fputs(";\n", g->c_out);
	return plan;
}

typedef struct bitfield_note {
	char member[16];
	bool is_bool;
} bitfield_note;

typedef struct struct_body {
	bitfield_note bitfields[MAX_MEMBERS * 4];
	size_t bitfield_count;
	unsigned value_members[MAX_MEMBERS + 2]; /* name numbers of top-level named members */
	size_t value_member_count;
	unsigned align_bound;
	uint64_t size_bound;
	bool align_unknown;
	bool hidden_bitfield;
	bool over_aligned;
	unsigned named;
} struct_body;

/* Returns the number of declarations written (named or not). */
static unsigned emit_bitfields(gen_state *g, struct_body *body, unsigned *next_name, unsigned limit_count)
{
	unsigned n = 1 + pick(g, 4);
	if (limit_count && n > limit_count)
		n = limit_count;
	for (unsigned i = 0; i < n; i++) {
		const scalar *s = pick_scalar(g, true);
		unsigned limit = bitfield_width_limit(g, s);
		unsigned r = pick(g, 100);
		if (body->align_bound < s->align_bound)
			body->align_bound = s->align_bound;
		body->size_bound += 16;
		if (g->named_bitfields && r < 14)
			r = 14;
		if (r < 6) {
			fprintf(g->c_out, "\t%s :0;\n", strcmp(s->spelling, "_Bool") ? s->spelling : "int");
			body->align_unknown = true;
			body->hidden_bitfield = true;
			continue;
		}
		unsigned width = 1 + pick(g, limit);
		if (r < 14) {
			fprintf(g->c_out, "\t%s :%u;\n", s->spelling, width);
			body->align_unknown = true;
			body->hidden_bitfield = true;
			continue;
		}
		bitfield_note *note = &body->bitfields[body->bitfield_count++];
		snprintf(note->member, sizeof(note->member), "m%u", (*next_name)++);
		note->is_bool = strcmp(s->spelling, "_Bool") == 0;
		fprintf(g->c_out, "\t%s %s : %u;\n", s->spelling, note->member, width);
		body->named++;
	}
	return n;
}

static void emit_anonymous_member(gen_state *g, struct_body *body, unsigned *next_name)
{
	bool is_union = chance(g, 60);
	unsigned n = 1 + pick(g, 3);
	fprintf(g->c_out, "\t%s {\n", is_union ? "union" : "struct");
	for (unsigned i = 0; i < n; i++) {
		char name[16];
		snprintf(name, sizeof(name), "m%u", (*next_name)++);
		fputs("\t", g->c_out);
		member_plan plan = emit_value_member(g, name, false);
		if (body->align_bound < plan.align_bound)
			body->align_bound = plan.align_bound;
		body->size_bound += plan.size_bound + plan.align_bound;
		body->align_unknown |= plan.align_unknown;
		body->hidden_bitfield |= plan.hidden_bitfield;
		body->over_aligned |= plan.over_aligned;
	}
	fputs("\t};\n", g->c_out);
	body->named++;
}

static void manifest_type(gen_state *g, const gen_type *t)
{
	char flags[96] = "";
	if (t->packed)
		strcat(flags, ",packed");
	if (t->align_unknown)
		strcat(flags, ",align_unknown");
	if (t->hidden_bitfield)
		strcat(flags, ",hidden_bitfield");
	if (t->over_aligned)
		strcat(flags, ",over_aligned");
	if (t->has_fam)
		strcat(flags, ",fam");
	if (t->is_union)
		strcat(flags, ",union");
	fprintf(g->manifest, "type\t%s\t%s\t%s\n", t->spelling, t->tag,
		flags[0] ? flags + 1 : "-");
}

static void generate_type(gen_state *g, unsigned index)
{
	gen_type *t = &g->types[g->type_count];
	struct_body body;
	unsigned next_name = 0;
	bool anonymous_typedef = chance(g, 10);

	memset(t, 0, sizeof(*t));
	memset(&body, 0, sizeof(body));
	body.align_bound = 1;
	t->is_union = chance(g, 15);
	t->packed = chance(g, 15);
	unsigned aligned = chance(g, 10) ? 1u << (1 + pick(g, 6)) : 0;

	const char *keyword = t->is_union ? "union" : "struct";
	if (anonymous_typedef) {
		snprintf(t->tag, sizeof(t->tag), "t%u", index);
		snprintf(t->spelling, sizeof(t->spelling), "t%u", index);
		fprintf(g->c_out, "typedef %s", keyword);
	} else {
		char letter = t->is_union ? 'u' : 's';
		snprintf(t->tag, sizeof(t->tag), "%c%u", letter, index);
		snprintf(t->spelling, sizeof(t->spelling), "%s %c%u", keyword, letter, index);
		fprintf(g->c_out, "%s", keyword);
	}
	if (t->packed && aligned)
		fprintf(g->c_out, " __attribute__((packed, aligned(%u)))", aligned);
	else if (t->packed)
		fputs(" __attribute__((packed))", g->c_out);
	else if (aligned)
		fprintf(g->c_out, " __attribute__((aligned(%u)))", aligned);
	if (anonymous_typedef)
		fputs(" {\n", g->c_out);
	else
		fprintf(g->c_out, " %s {\n", t->tag);

	unsigned count = 1 + pick(g, g->max_members ? g->max_members : MAX_MEMBERS - 4);
	unsigned declarations = 0;
	for (unsigned i = 0; i < count; i++) {
		unsigned r = pick(g, 100);
		if (g->max_members && declarations >= count)
			break;
		if (r < 20) {
			declarations += emit_bitfields(g, &body, &next_name,
						       g->max_members ? count - declarations : 0);
		} else if (r < 25) {
			emit_anonymous_member(g, &body, &next_name);
			declarations++;
		} else {
			char name[16];
			body.value_members[body.value_member_count++] = next_name;
			snprintf(name, sizeof(name), "m%u", next_name++);
			member_plan plan = emit_value_member(g, name, true);
			declarations++;
			if (body.align_bound < plan.align_bound)
				body.align_bound = plan.align_bound;
			body.size_bound += plan.size_bound + plan.align_bound;
			body.align_unknown |= plan.align_unknown;
			body.hidden_bitfield |= plan.hidden_bitfield;
			body.over_aligned |= plan.over_aligned;
			body.named++;
		}
	}
	if (body.named == 0) {
		body.value_members[body.value_member_count++] = next_name;
		fprintf(g->c_out, "\tint m%u;\n", next_name++);
		if (body.align_bound < 4)
			body.align_bound = 4;
	}
	if (g->max_members && declarations >= g->max_members) {
		/* No room for a trailing array. */
	} else if (!t->is_union && chance(g, 10)) {
		const char *elem = pick(g, 2) ? "int" : "char";
		body.value_members[body.value_member_count++] = next_name;
		fprintf(g->c_out, "\t%s m%u[];\n", elem, next_name++);
		t->has_fam = true;
	} else if (!t->is_union && chance(g, 5)) {
		body.value_members[body.value_member_count++] = next_name;
		fprintf(g->c_out, "\tshort m%u[0];\n", next_name++);
	}
	if (anonymous_typedef)
		fprintf(g->c_out, "} %s;\n", t->tag);
	else
		fputs("};\n", g->c_out);

	/* Globals keep the type alive in gcc's debug info. */
	fprintf(g->c_out, "%s sfgen_v%u;\n\n", t->spelling, index);

	/* Not lowered for packed: an _Alignas member still raises it. */
	t->align_bound = body.align_bound;
	if (aligned > t->align_bound)
		t->align_bound = aligned;
	t->size_bound = body.size_bound + 16 + t->align_bound;
	t->align_unknown = t->packed || body.align_unknown;
	t->hidden_bitfield = body.hidden_bitfield;
	t->over_aligned = aligned != 0 || body.over_aligned;
	t->nestable = !t->has_fam;
	manifest_type(g, t);
	for (size_t i = 0; i < body.value_member_count; i++)
		fprintf(g->manifest, "member\t%s\tm%u\n", t->spelling, body.value_members[i]);
	for (size_t i = 0; i < body.bitfield_count; i++) {
		const bitfield_note *b = &body.bitfields[i];
		fprintf(g->manifest, "bitfield\t%s\t%s\t%s\n", t->spelling, b->member,
			b->is_bool ? "bool" : "int");
		fprintf(g->probe,
			"\tmemset(buf, 0, sizeof(buf));\n"
			"\t((%s *)(void *)buf)->%s = %s;\n"
			"\treport(\"%s\", \"%s\", buf, sizeof(%s));\n",
			t->spelling, b->member, b->is_bool ? "1" : "-1",
			t->spelling, b->member, t->spelling);
	}
	g->type_count++;
}

static void emit_prologue(gen_state *g, const char *base_name)
{
	fputs("/* Generated by gen_structs; do not edit. */\n"
	      "enum sfgen_color { SFGEN_RED, SFGEN_GREEN, SFGEN_BLUE = 1000 };\n", g->c_out);
	if (g->vectors)
		fputs("typedef int sfgen_v4si __attribute__((vector_size(16)));\n"
		      "typedef char sfgen_v8qi __attribute__((vector_size(8)));\n", g->c_out);
	fputs("\n", g->c_out);

	fprintf(g->probe,
		"/* Generated by gen_structs: bitfield positions seen by the host compiler. */\n"
		"#include <stdio.h>\n"
		"#include <string.h>\n"
		"#include \"%s.c\"\n\n"
		"static _Alignas(64) unsigned char buf[1 << 16];\n\n"
		"static void report(const char *type, const char *member,\n"
		"\t\t   const unsigned char *bytes, size_t size)\n"
		"{\n"
		"\tconst unsigned probe_word = 1;\n"
		"\tint little = *(const unsigned char *)&probe_word == 1;\n"
		"\tlong first = -1, bits = 0;\n"
		"\tfor (size_t i = 0; i < size; i++)\n"
		"\t\tfor (int b = 0; b < 8; b++)\n"
		"\t\t\tif (bytes[i] & (1u << b)) {\n"
		"\t\t\t\tlong pos = (long)i * 8 + (little ? b : 7 - b);\n"
		"\t\t\t\tif (first < 0 || pos < first)\n"
		"\t\t\t\t\tfirst = pos;\n"
		"\t\t\t\tbits++;\n"
		"\t\t\t}\n"
		"\tprintf(\"%%s\\t%%s\\t%%ld\\t%%ld\\n\", type, member, first, bits);\n"
		"}\n\n"
		"int main(void)\n"
		"{\n", base_name);
}

static int usage(void)
{
	fputs("usage: gen_structs --seed S --count N [--lp64] [--no-vectors] [--max-members M] "
	      "[--named-bitfields] -o BASE\n",
	      stderr);
	return 2;
}

static FILE *open_output(const char *base, const char *suffix)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s%s", base, suffix);
	FILE *f = fopen(path, "w");
	if (!f)
		perror(path);
	return f;
}

int main(int argc, char **argv)
{
	static gen_state g;
	const char *base = NULL;
	unsigned long count = 200;
	int status = 1;

	g.vectors = true;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--seed") && i + 1 < argc)
			g.rng = strtoull(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--count") && i + 1 < argc)
			count = strtoul(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "-o") && i + 1 < argc)
			base = argv[++i];
		else if (!strcmp(argv[i], "--lp64"))
			g.lp64 = true;
		else if (!strcmp(argv[i], "--named-bitfields"))
			g.named_bitfields = true;
		else if (!strcmp(argv[i], "--no-vectors"))
			g.vectors = false;
		else if (!strcmp(argv[i], "--max-members") && i + 1 < argc)
			g.max_members = (unsigned)strtoul(argv[++i], NULL, 0);
		else
			return usage();
	}
	if (!base || count == 0 || count > MAX_TYPES || g.max_members > MAX_MEMBERS - 4)
		return usage();

	g.c_out = open_output(base, ".c");
	g.manifest = open_output(base, ".manifest");
	g.probe = open_output(base, "_probe.c");
	if (!g.c_out || !g.manifest || !g.probe)
		goto done;

	const char *slash = strrchr(base, '/');
	emit_prologue(&g, slash ? slash + 1 : base);
	for (unsigned long i = 0; i < count; i++)
		generate_type(&g, (unsigned)i);
	fputs("\treturn 0;\n}\n", g.probe);
	status = 0;
done:
	if (g.c_out && fclose(g.c_out))
		status = 1;
	if (g.manifest && fclose(g.manifest))
		status = 1;
	if (g.probe && fclose(g.probe))
		status = 1;
	return status;
}
