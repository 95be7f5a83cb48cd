/* Building getopt_long arguments and help text from one option table. */
#include "cli_options.h"

#include "cli_exit.h"

#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Help lines start after this column unless an option spelling is longer. */
#define HELP_COLUMN 26

void cli_getopt_build(cli_getopt *out, const cli_option *options, int stop_at_operand)
{
	size_t n = 0;
	size_t s = 0;

	memset(out, 0, sizeof(*out));
	if (stop_at_operand)
		out->shortopts[s++] = '+';
	/* A leading ':' makes getopt report a missing argument as ':' and stay quiet. */
	out->shortopts[s++] = ':';
	for (const cli_option *o = options; o->long_name; o++, n++) {
		assert(n < CLI_MAX_OPTIONS);
		out->longopts[n].name = o->long_name;
		out->longopts[n].has_arg = o->arg_name ? required_argument : no_argument;
		out->longopts[n].flag = NULL;
		out->longopts[n].val = o->key;
		if (CLI_HAS_SHORT(o->key)) {
			out->shortopts[s++] = (char)o->key;
			if (o->arg_name)
				out->shortopts[s++] = ':';
		}
	}
	out->shortopts[s] = '\0';
}

const cli_option *cli_option_find(const cli_option *options, int key)
{
	for (const cli_option *o = options; o->long_name; o++)
		if (o->key == key)
			return o;
	return NULL;
}

static int spelling(char *dst, size_t cap, const cli_option *o)
{
	char shortpart[8] = "    ";

	if (CLI_HAS_SHORT(o->key))
		snprintf(shortpart, sizeof(shortpart), "-%c, ", o->key);
	if (o->arg_name)
		return snprintf(dst, cap, "  %s--%s=%s", shortpart, o->long_name, o->arg_name);
	return snprintf(dst, cap, "  %s--%s", shortpart, o->long_name);
}

/* Help strings may hold '\n'; continuation lines line up with the first. */
static void print_help_text(FILE *out, const char *help)
{
	for (const char *p = help; *p; p++) {
		fputc(*p, out);
		if (*p == '\n')
			fprintf(out, "%*s", HELP_COLUMN, "");
	}
	fputc('\n', out);
}

void cli_options_print(FILE *out, const cli_option *options)
{
	char left[128];

	for (const cli_option *o = options; o->long_name; o++) {
		int width = spelling(left, sizeof(left), o);

		if (width < 0)
			continue;
		if (width + 2 > HELP_COLUMN)
			fprintf(out, "%s\n%*s", left, HELP_COLUMN, "");
		else
			fprintf(out, "%-*s", HELP_COLUMN, left);
		print_help_text(out, o->help);
	}
}

void cli_command_help(FILE *out, const cli_command *cmd)
{
	fprintf(out, "Usage: structfit %s %s\n\n%s\n", cmd->name, cmd->operands, cmd->description);
	if (cmd->options && cmd->options->long_name) {
		fputs("\nOptions:\n", out);
		cli_options_print(out, cmd->options);
	}
	/* One table, in structfit --help and the man page: a copy per command would drift. */
	fputs("\nExit status: 0 success, 1 findings or no match, 2 usage error, 3-7 input or\n"
	      "internal errors: the table is in 'structfit --help' and structfit(1) EXIT STATUS.\n", out);
}

/* Counts long options that `given` (without "--" and "=value") abbreviates. */
static int prefix_matches(const cli_option *options, const char *given, size_t len)
{
	int count = 0;

	for (const cli_option *o = options; o->long_name; o++)
		if (strncmp(o->long_name, given, len) == 0)
			count++;
	return count;
}

int cli_option_error(const cli_command *cmd, int ret, char **argv, const cli_option *options)
{
	const char *given = optind > 0 ? argv[optind - 1] : "";
	int is_long = strncmp(given, "--", 2) == 0;
	size_t len = is_long ? strcspn(given, "=") : 0;
	char name[64];
	char hint[64];

	if (cmd)
		snprintf(hint, sizeof(hint), "see structfit %s --help", cmd->name);
	else
		snprintf(hint, sizeof(hint), "see structfit --help");

	if (is_long)
		snprintf(name, sizeof(name), "%.*s", (int)len, given);
	else
		snprintf(name, sizeof(name), "-%c", optopt ? optopt : '?');

	if (ret == ':') {
		fprintf(stderr, "structfit: option '%s' requires an argument (%s)\n", name, hint);
	} else if (optopt && cli_option_find(options, optopt) && is_long) {
		fprintf(stderr, "structfit: option '%s' does not take an argument (%s)\n", name, hint);
	} else if (is_long && prefix_matches(options, given + 2, len - 2) > 1) {
		fprintf(stderr, "structfit: ambiguous option '%s' (%s)\n", name, hint);
	} else {
		fprintf(stderr, "structfit: unknown option '%s' (%s)\n", name, hint);
	}
	return CLI_EXIT_USAGE;
}

int cli_parse_uint(const char *text, unsigned min, unsigned max, unsigned *out)
{
	char *end = NULL;
	unsigned long value;

	/* strtoul accepts "-1" and leading blanks; a count must be plain digits. */
	if (!text || text[0] < '0' || text[0] > '9')
		return -1;
	errno = 0;
	value = strtoul(text, &end, 10);
	if (errno || *end != '\0' || value < min || value > max)
		return -1;
	*out = (unsigned)value;
	return 0;
}

int cli_parse_choice(const char *text, const char *const *choices)
{
	for (int i = 0; choices[i]; i++)
		if (strcmp(text, choices[i]) == 0)
			return i;
	return -1;
}

int cli_parse_syntax(const char *text)
{
	/* In the order of sf_syntax. */
	static const char *const names[] = { "auto", "c", "go", NULL };

	return cli_parse_choice(text, names);
}
