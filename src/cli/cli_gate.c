/* Shared option handling and input loading of the gate commands. */
#include "cli_gate.h"

#include "cli_exit.h"
#include "cli_load.h"
#include "cli_output.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Baselines beyond this are refused rather than read into memory. */
#define MAX_BASELINE_BYTES (512u << 20)

int cli_gate_inputs_init(cli_gate_inputs *in, const char *command, int argc)
{
	static const sf_load_options load = SF_LOAD_OPTIONS_INIT;
	static const sf_report_options report = SF_REPORT_OPTIONS_INIT;

	memset(in, 0, sizeof(*in));
	in->command = command;
	in->load = load;
	in->report = report;
	in->globs = calloc((size_t)argc + 1, sizeof(*in->globs));
	in->debug_dirs = calloc((size_t)argc + 1, sizeof(*in->debug_dirs));
	if (!in->globs || !in->debug_dirs) {
		cli_error("out of memory");
		return CLI_EXIT_INTERNAL;
	}
	return CLI_EXIT_OK;
}

void cli_gate_inputs_release(cli_gate_inputs *in)
{
	free(in->globs);
	free(in->debug_dirs);
	in->globs = NULL;
	in->debug_dirs = NULL;
}

int cli_gate_usage_error(const cli_gate_inputs *in, const char *option, const char *value,
			 const char *expected)
{
	cli_error("invalid value '%s' for --%s: expected %s (see structfit %s --help)", value, option,
		  expected, in->command);
	return CLI_EXIT_USAGE;
}

int cli_gate_option(cli_gate_inputs *in, int key, const char *arg)
{
	unsigned value;

	switch (key) {
	case 'C':
		in->globs[in->glob_count++] = arg;
		return 1;
	case CLI_GATE_CACHELINE:
		if (cli_parse_uint(arg, 8, 1u << 20, &value) != 0 || (value & (value - 1)) != 0)
			return cli_gate_usage_error(in, "cacheline", arg, "a power of two >= 8");
		in->report.cacheline = value;
		return 1;
	case 'j':
		if (cli_parse_uint(arg, 0, 4096, &value) != 0)
			return cli_gate_usage_error(in, "jobs", arg, "a thread count (0 for one per CPU)");
		in->load.jobs = value;
		return 1;
	case CLI_GATE_DEBUG_DIR:
		in->debug_dirs[in->debug_dir_count++] = arg;
		return 1;
	default:
		return 0;
	}
}

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

static int snapshot_from_json(const cli_gate_inputs *in, const char *path, sf_snapshot **out)
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
	return CLI_EXIT_OK;
}

static int snapshot_from_elf(const cli_gate_inputs *in, char *const *files, size_t count,
			     sf_snapshot **out)
{
	sf_load_options load = in->load;
	sf_report_options report = in->report;
	sf_model *model = NULL;
	sf_report *rep = NULL;
	int loaded = 0;
	int code;
	int rc;

	load.debug_dirs = in->debug_dirs;
	load.debug_dir_count = in->debug_dir_count;
	report.name_globs = in->globs;
	report.name_glob_count = in->glob_count;
	rc = sf_model_new(&model);
	if (rc != 0) {
		cli_error("%s", sf_error_last());
		return cli_exit_from_error(rc);
	}
	code = cli_load_files(model, files, count, &load, &loaded);
	if (!loaded && sf_model_file_count(model) == 0)
		goto done;
	rc = sf_report_build(&rep, model, &report);
	if (rc == 0)
		rc = sf_snapshot_from_report(out, rep);
	if (rc != 0) {
		cli_error("%s", sf_error_last());
		code = cli_exit_worst(code, cli_exit_from_error(rc));
	}
done:
	sf_report_free(rep);
	sf_model_free(model);
	return code;
}

int cli_gate_snapshot(const cli_gate_inputs *in, char *const *files, size_t count,
		      sf_snapshot **out)
{
	size_t json = 0;
	int code;

	*out = NULL;
	for (size_t i = 0; i < count; i++)
		json += is_json_file(files[i]) != 0;
	if (json && count > 1) {
		cli_error("a JSON baseline must be the only input of its side (see structfit %s --help)",
			  in->command);
		return CLI_EXIT_USAGE;
	}
	code = json ? snapshot_from_json(in, files[0], out) : snapshot_from_elf(in, files, count, out);
	if (*out && in->glob_count && sf_snapshot_count(*out) == 0) {
		for (size_t i = 0; i < in->glob_count; i++)
			cli_error("no struct matches '%s'", in->globs[i]);
		code = cli_exit_worst(code, CLI_EXIT_FINDINGS);
	}
	return code;
}

int cli_gate_write(const sf_buf *buf, const char *output)
{
	if (output)
		return cli_write_file(output, buf->data ? buf->data : "", buf->len);
	return cli_write_stdout(buf->data ? buf->data : "", buf->len);
}
