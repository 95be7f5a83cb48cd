/* Snapshots for the gate commands: from ELF inputs or from a JSON baseline. */
#include "cli_gate.h"

#include "cli_exit.h"
#include "cli_output.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Baselines beyond this are refused rather than read into memory. */
#define MAX_BASELINE_BYTES (512u << 20)

/* Reads a whole file; returns an exit code after printing why on failure. */
static int read_file(const char *path, char **data, size_t *len)
{
	FILE *f = fopen(path, "rb");
	size_t cap = 0, n = 0;
	char *buf = NULL;
	int code = CLI_EXIT_READ;

	*data = NULL;
	*len = 0;
	if (!f) {
		cli_error("%s: %s", path, strerror(errno));
		return CLI_EXIT_READ;
	}
	for (;;) {
		size_t got;
		if (n == cap) {
			char *bigger;
			if (cap >= MAX_BASELINE_BYTES) {
				cli_error("%s: larger than %u MiB, not a baseline", path, MAX_BASELINE_BYTES >> 20);
				code = CLI_EXIT_BAD_INPUT;
				goto done;
			}
			cap = cap ? cap * 2 : 65536;
			bigger = realloc(buf, cap);
			if (!bigger) {
				cli_error("%s: out of memory", path);
				code = CLI_EXIT_INTERNAL;
				goto done;
			}
			buf = bigger;
		}
		got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (got == 0)
			break;
	}
	if (ferror(f)) {
		cli_error("%s: %s", path, strerror(errno));
		goto done;
	}
	*data = buf;
	*len = n;
	buf = NULL;
	code = CLI_EXIT_OK;
done:
	free(buf);
	fclose(f);
	return code;
}

/* A baseline is JSON text: its first non-blank byte opens an object.  ELF and ar never do. */
static int is_json_file(const char *path)
{
	FILE *f;
	int c;

	if (strcmp(path, "-") == 0 || !(f = fopen(path, "rb")))
		return 0;
	do
		c = fgetc(f);
	while (c == ' ' || c == '\t' || c == '\r' || c == '\n');
	if (c == 0xEF) /* UTF-8 byte order mark */
		c = fgetc(f) == 0xBB && fgetc(f) == 0xBF ? fgetc(f) : EOF;
	fclose(f);
	return c == '{';
}

static int snapshot_from_json(const cli_inputs *in, const char *path, sf_snapshot **out)
{
	char *data = NULL;
	size_t len = 0;
	int code = read_file(path, &data, &len);
	int rc;

	if (code != CLI_EXIT_OK)
		return code;
	rc = sf_snapshot_parse(out, data, len, path);
	free(data);
	if (rc != 0) {
		cli_error("%s", sf_error_last());
		return cli_exit_from_error(rc);
	}
	sf_snapshot_select(*out, in->globs, in->glob_count);
	sf_snapshot_exclude(*out, in->excludes, in->exclude_count, NULL, 0);
	return CLI_EXIT_OK;
}

static int snapshot_from_elf(const cli_inputs *in, char *const *files, size_t count,
			     sf_snapshot **out)
{
	cli_inputs side = *in;
	sf_model *model = NULL;
	sf_report *report = NULL;
	int code;
	int rc;

	side.files = (char **)files;
	side.file_count = count;
	/* Every definition matters to a gate, not just the first. */
	code = cli_inputs_load(&side, 0, &model, &report);
	if (!report)
		return code;
	rc = sf_snapshot_from_report(out, report);
	if (rc != 0) {
		cli_error("%s", sf_error_last());
		code = cli_exit_worst(code, cli_exit_from_error(rc));
	}
	sf_report_free(report);
	sf_model_free(model);
	return code;
}

int cli_gate_reselect_json(const cli_inputs *in, const char *path, const sf_snapshot *build,
			   sf_snapshot **snap)
{
	sf_snapshot *again = NULL;
	char *data = NULL;
	size_t len = 0;
	int code;

	if (!in->glob_count || !build || !*snap || !is_json_file(path))
		return CLI_EXIT_OK;
	code = read_file(path, &data, &len);
	if (code != CLI_EXIT_OK)
		return code;
	if (sf_snapshot_parse(&again, data, len, path) != 0) {
		free(data);
		cli_error("%s", sf_error_last());
		return CLI_EXIT_INTERNAL;
	}
	free(data);
	sf_snapshot_select_with(again, in->globs, in->glob_count, build);
	sf_snapshot_exclude(again, in->excludes, in->exclude_count, NULL, 0);
	sf_snapshot_free(*snap);
	*snap = again;
	return CLI_EXIT_OK;
}

int cli_gate_snapshot(const cli_inputs *in, char *const *files, size_t count,
		      sf_snapshot **out)
{
	size_t json = 0;

	*out = NULL;
	for (size_t i = 0; i < count; i++)
		json += is_json_file(files[i]) != 0;
	if (json && count > 1) {
		cli_error("a JSON baseline must be the only input of its side (see structfit %s --help)",
			  in->command);
		return CLI_EXIT_USAGE;
	}
	return json ? snapshot_from_json(in, files[0], out) : snapshot_from_elf(in, files, count, out);
}

void cli_gate_exclude_marked(const cli_inputs *in, sf_snapshot *snap)
{
	sf_snapshot_exclude(snap, NULL, 0, (const char *const *)in->ignore->names, in->ignore->name_count);
}

int cli_gate_require_structs(const cli_inputs *in, const sf_snapshot *a, const sf_snapshot *b,
			     const char *what)
{
	if ((a && sf_snapshot_count(a)) || (b && sf_snapshot_count(b)))
		return CLI_EXIT_OK;
	if (in->glob_count == 0) {
		cli_error("%s: the input%s hold%s no struct", what, b ? "s" : "", b ? "" : "s");
		return CLI_EXIT_FINDINGS;
	}
	for (size_t i = 0; i < in->glob_count; i++)
		cli_error("no struct matches '%s'", in->globs[i]);
	return CLI_EXIT_FINDINGS;
}

/* The current directory as the shell spells it: $PWD when it names it, as getpwd() does for gcc. */
static char *logical_cwd(void)
{
	const char *pwd = getenv("PWD");
	struct stat a, b;

	if (pwd && pwd[0] == '/' && stat(pwd, &a) == 0 && stat(".", &b) == 0 && a.st_dev == b.st_dev &&
	    a.st_ino == b.st_ino)
		return strdup(pwd);
	return getcwd(NULL, 0);
}

int cli_gate_source_root(cli_source_root *root, const char *dir)
{
	struct stat st;

	root->logical = root->physical = NULL;
	if (!dir)
		dir = ".";
	root->physical = realpath(dir, NULL);
	if (!root->physical || stat(root->physical, &st) != 0 || !S_ISDIR(st.st_mode)) {
		cli_error("%s: source root not usable: %s", dir, root->physical ? strerror(ENOTDIR) :
			  strerror(errno));
		cli_gate_source_root_release(root);
		return CLI_EXIT_READ;
	}
	if (dir[0] == '/')
		root->logical = strdup(dir);
	else if (strcmp(dir, ".") == 0 || strcmp(dir, "./") == 0)
		root->logical = logical_cwd();
	else
		root->logical = strdup(root->physical);
	if (!root->logical) {
		cli_error("%s: %s", dir, strerror(errno));
		cli_gate_source_root_release(root);
		return CLI_EXIT_INTERNAL;
	}
	return CLI_EXIT_OK;
}

void cli_gate_source_root_release(cli_source_root *root)
{
	free(root->logical);
	free(root->physical);
	root->logical = root->physical = NULL;
}

int cli_gate_relate(sf_snapshot *snap, const cli_source_root *root)
{
	int rc = sf_snapshot_set_source_root(snap, root->logical);

	if (rc == 0 && strcmp(root->logical, root->physical) != 0)
		rc = sf_snapshot_set_source_root(snap, root->physical);
	if (rc != 0) {
		cli_error("%s", sf_error_last());
		return cli_exit_from_error(rc);
	}
	return CLI_EXIT_OK;
}
