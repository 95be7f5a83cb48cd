/* Mapping of library error codes to exit codes, and their help text. */
#include "cli_exit.h"

#include <structfit/error.h>

int cli_exit_from_error(int sf_code)
{
	switch (sf_code) {
	case SF_OK: return CLI_EXIT_OK;
	case SF_ENOTFOUND:
	case SF_EIO: return CLI_EXIT_READ;
	case SF_ENOTELF:
	case SF_EINVALID: return CLI_EXIT_BAD_INPUT;
	case SF_ENODEBUG: return CLI_EXIT_NO_DEBUG;
	case SF_EUNSUPPORTED: return CLI_EXIT_UNSUPPORTED;
	case SF_EUSAGE: return CLI_EXIT_USAGE;
	case SF_ENOMEM:
	default: return CLI_EXIT_INTERNAL;
	}
}

int cli_exit_worst(int a, int b)
{
	return a > b ? a : b;
}

void cli_exit_status_print(FILE *out)
{
	fputs("Exit status (with several inputs, the highest one seen):\n"
	      "  0  success\n"
	      "  1  nothing matched a --struct pattern; check: a rule was broken; diff: layouts changed\n"
	      "  2  usage error; check: the baseline is of another target\n"
	      "  3  a file could not be read (missing, unreadable, a directory) or written\n"
	      "  4  not an ELF file or archive, or corrupt/truncated input (also a .dwo\n"
	      "     whose id does not match its skeleton, a .dwp index out of bounds); a\n"
	      "     bad or mismatched --profile\n"
	      "  5  no debug info (and no separate debug file found, nor fetched by\n"
	      "     debuginfod), or a split-DWARF .dwo file not found (the other units\n"
	      "     are still reported)\n"
	      "  6  unsupported input\n"
	      "  7  out of memory or internal error\n", out);
}
