/* ABI visibility: structs reachable from the exported functions and variables of shared libraries and executables. */
#include <criterion/criterion.h>

#include <structfit/structfit.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "model/structs.h"

static char scratch[4096];
static char library[4200];
static char object[4200];
static char program[4200];
static char exported_program[4200];

static int run(const char *cmd)
{
	int status = system(cmd);
	return status == -1 ? -1 : WEXITSTATUS(status);
}

/* Exported, static and hidden functions, an exported variable, and
 * structs reached only through another one's members or a typedef. */
static const char source[] =
	"struct pub { int a; char b; long c; };\n"
	"struct priv { char x; double y; };\n"
	"struct var_t { short s; int t; };\n"
	"struct hid { int h; char g; };\n"
	"struct inner { char i; long j; };\n"
	"struct pointee { int q; };\n"
	"struct outer { struct inner in; struct pointee *p; };\n"
	"struct unused { char u; long v; };\n"
	"typedef struct { int k; char l; } anon_t;\n"
	"union pub_u { int i; float f; };\n"
	"struct var_t exported_var;\n"
	"struct unused *unused_ptr __attribute__((visibility(\"hidden\")));\n"
	"static int use_priv(struct priv *p) { return p->x; }\n"
	"int pub_fn(struct pub *p) { struct priv q = { 0 }; return p->a + use_priv(&q); }\n"
	"__attribute__((visibility(\"hidden\"))) int hid_fn(struct hid *h) { return h->h; }\n"
	"int outer_fn(const struct outer o[2]) { return o[0].in.i; }\n"
	"anon_t *anon_fn(void) { static anon_t a; return &a; }\n"
	"union pub_u union_fn(int x) { union pub_u u; u.i = x; return u; }\n"
	"int call_hidden(void) { return hid_fn(0) + (unused_ptr != 0); }\n";

/* A program using libc variables: the executable gets copy relocations
 * for them and defines them in its .dynsym. */
static const char program_source[] =
	"#include <stdio.h>\n"
	"#include <unistd.h>\n"
	"extern char **environ;\n"
	"struct api { char a; long b; };\n"
	"struct internal { char c; double d; };\n"
	"struct internal state;\n"
	"int plugin_hook(struct api *p) { return p->a; }\n"
	"int main(int argc, char **argv)\n"
	"{\n"
	"\tstruct api x = { 0 };\n"
	"\tint c = getopt(argc, argv, \"o:\");\n"
	"\tfprintf(stdout, \"%d %s\\n\", c, optarg ? optarg : \"\");\n"
	"\tfputs(environ[0] ? \"\" : \"-\", stderr);\n"
	"\treturn plugin_hook(&x) + state.c + (getc(stdin) == 0);\n"
	"}\n";

static void build_programs(void)
{
	const char *dir = getenv("STRUCTFIT_SCRATCH_DIR");
	char cmd[16384];
	FILE *f;

	if (dir)
		snprintf(scratch, sizeof(scratch), "%s/abi-exe", dir);
	else
		snprintf(scratch, sizeof(scratch), "/tmp/structfit-abi-exe-%ld", (long)getpid());
	snprintf(program, sizeof(program), "%s/prog", scratch);
	snprintf(exported_program, sizeof(exported_program), "%s/prog-rdynamic", scratch);
	snprintf(cmd, sizeof(cmd), "mkdir -p '%s'", scratch);
	cr_assert_eq(run(cmd), 0);
	snprintf(cmd, sizeof(cmd), "%s/prog.c", scratch);
	f = fopen(cmd, "w");
	cr_assert_not_null(f);
	fputs(program_source, f);
	fclose(f);
	/* Non-PIE too: copy relocations are certain there, and usual in PIE. */
	snprintf(cmd, sizeof(cmd),
		 "cd '%s' && cc -g -O0 -no-pie prog.c -o prog && cc -g -O0 -rdynamic prog.c -o prog-rdynamic"
		 " && readelf -rW prog | grep -q '_COPY.*stdout'",
		 scratch);
	cr_assert_eq(run(cmd), 0, "compiling the executable fixtures failed (or no copy relocation)");
}

static void build_inputs(void)
{
	const char *dir = getenv("STRUCTFIT_SCRATCH_DIR");
	char cmd[16384];
	FILE *f;

	if (dir)
		snprintf(scratch, sizeof(scratch), "%s/abi", dir);
	else
		snprintf(scratch, sizeof(scratch), "/tmp/structfit-abi-%ld", (long)getpid());
	snprintf(library, sizeof(library), "%s/libabi.so", scratch);
	snprintf(object, sizeof(object), "%s/abi.o", scratch);
	snprintf(cmd, sizeof(cmd), "mkdir -p '%s'", scratch);
	cr_assert_eq(run(cmd), 0);
	snprintf(cmd, sizeof(cmd), "%s/abi.c", scratch);
	f = fopen(cmd, "w");
	cr_assert_not_null(f);
	fputs(source, f);
	fclose(f);
	snprintf(cmd, sizeof(cmd),
		 "cd '%s' && cc -g -O0 -fPIC -c abi.c -o abi.o && cc -shared -o libabi.so abi.o", scratch);
	cr_assert_eq(run(cmd), 0, "compiling the shared-library fixture failed");
}

static const sf_struct *find(const sf_model *model, const char *name)
{
	for (size_t i = 0; i < model->structs.count; i++) {
		const sf_struct *s = model->structs.items[i];
		const char *n = s->name ? s->name : s->typedef_name;
		if (n && strcmp(n, name) == 0)
			return s;
	}
	cr_assert_fail("struct %s not loaded", name);
	return NULL;
}

static sf_model *load(const char *path, int want_abi, unsigned jobs)
{
	sf_load_options opts = SF_LOAD_OPTIONS_INIT;
	sf_model *model = NULL;

	opts.want_abi = want_abi;
	opts.jobs = jobs;
	cr_assert_eq(sf_model_new(&model), 0);
	cr_assert_eq(sf_model_load(model, path, &opts), 0, "%s", sf_error_last());
	return model;
}

Test(abi_visible, exported_symbols_expose_their_types)
{
	sf_model *model;

	build_inputs();
	model = load(library, 1, 1);
	cr_expect(find(model, "pub")->abi_visible, "parameter of an exported function");
	cr_expect(find(model, "var_t")->abi_visible, "type of an exported variable");
	cr_expect(find(model, "outer")->abi_visible, "array parameter, through const");
	cr_expect(find(model, "inner")->abi_visible, "member by value of a visible struct");
	cr_expect(find(model, "pointee")->abi_visible, "member pointer of a visible struct");
	cr_expect(find(model, "anon_t")->abi_visible, "returned through a pointer to a typedef");
	cr_expect(find(model, "pub_u")->abi_visible, "returned union");
	cr_expect_not(find(model, "priv")->abi_visible, "only a static function takes it");
	cr_expect_not(find(model, "hid")->abi_visible, "only a hidden function takes it");
	cr_expect_not(find(model, "unused")->abi_visible, "only a hidden variable has it");
	sf_model_free(model);
}

Test(abi_visible, same_for_every_job_count)
{
	sf_model *one, *two;

	build_inputs();
	one = load(library, 1, 1);
	two = load(library, 1, 2);
	cr_assert_eq(one->structs.count, two->structs.count);
	for (size_t i = 0; i < one->structs.count; i++)
		cr_expect_eq(one->structs.items[i]->abi_visible, two->structs.items[i]->abi_visible);
	sf_model_free(one);
	sf_model_free(two);
}

Test(abi_visible, off_on_request_and_for_objects)
{
	sf_model *off, *obj;

	build_inputs();
	off = load(library, 0, 1);
	obj = load(object, 1, 1);
	/* A relocatable object has no .dynsym: nothing is exported yet. */
	for (size_t i = 0; i < off->structs.count; i++)
		cr_expect_not(off->structs.items[i]->abi_visible);
	for (size_t i = 0; i < obj->structs.count; i++)
		cr_expect_not(obj->structs.items[i]->abi_visible);
	sf_model_free(off);
	sf_model_free(obj);
}

Test(abi_visible, json_report_carries_the_flag)
{
	sf_report_options ropts = SF_REPORT_OPTIONS_INIT;
	sf_emit_options eopts = SF_EMIT_OPTIONS_INIT;
	sf_buf buf = SF_BUF_INIT;
	sf_report *report = NULL;
	sf_model *model;
	const char *pub, *priv;

	build_inputs();
	model = load(library, 1, 1);
	cr_assert_eq(sf_report_build(&report, model, &ropts), 0);
	cr_assert_eq(sf_emit_json(&buf, report, &eopts), 0);
	pub = strstr(buf.data, "\"name\": \"pub\"");
	priv = strstr(buf.data, "\"name\": \"priv\"");
	cr_assert(pub && priv);
	cr_expect_eq(strncmp(strstr(pub, "\"abi_visible\""), "\"abi_visible\": true", 19), 0);
	cr_expect_eq(strncmp(strstr(priv, "\"abi_visible\""), "\"abi_visible\": false", 20), 0);
	free(buf.data);
	sf_report_free(report);
	sf_model_free(model);
}

Test(abi_visible, copy_relocated_libc_variables_expose_nothing)
{
	sf_model *model;

	build_programs();
	model = load(program, 1, 1);
	/* stdout, stdin, stderr, optarg, environ are defined objects of the
	 * executable's .dynsym, but only as targets of copy relocations. */
	cr_expect_not(find(model, "_IO_FILE")->abi_visible, "FILE reached only through copied stdout");
	cr_expect_not(find(model, "api")->abi_visible, "no -rdynamic: main's helpers are not exported");
	cr_expect_not(find(model, "internal")->abi_visible, "global of a program without -rdynamic");
	sf_model_free(model);
}

Test(abi_visible, rdynamic_program_exports_its_functions)
{
	sf_model *model;

	build_programs();
	model = load(exported_program, 1, 1);
	cr_expect(find(model, "api")->abi_visible, "parameter of a function exported with -rdynamic");
	cr_expect(find(model, "internal")->abi_visible, "variable exported with -rdynamic");
	cr_expect_not(find(model, "_IO_FILE")->abi_visible, "still only copied from libc");
	sf_model_free(model);
}
