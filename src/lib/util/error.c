/* Per-thread storage of the last error message. */
#include "util/fail.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Thread-local so that units loaded on several threads never race. */
static _Thread_local char last_message[512];

int sf__fail(int code, const char *fmt, ...)
{
	char message[sizeof(last_message)];
	va_list ap;

	/* Formatted aside first: callers may pass sf_error_last() as an argument. */
	va_start(ap, fmt);
	vsnprintf(message, sizeof(message), fmt, ap);
	va_end(ap);
	/* Names and libdwarf texts come from the input: a control character
	 * in them must not break the one-line message. */
	for (char *c = message; *c != '\0'; c++) {
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			*c = '?';
	}
	memcpy(last_message, message, sizeof(last_message));
	return code;
}

const char *sf_error_last(void)
{
	return last_message[0] ? last_message : "no error";
}

const char *sf_error_name(int code)
{
	switch (code) {
	case SF_OK: return "ok";
	case SF_ENOTFOUND: return "not found";
	case SF_EIO: return "I/O error";
	case SF_ENOTELF: return "not an ELF file";
	case SF_ENODEBUG: return "no debug info";
	case SF_EINVALID: return "corrupt input";
	case SF_EUNSUPPORTED: return "unsupported input";
	case SF_ENOMEM: return "out of memory";
	case SF_EUSAGE: return "invalid usage";
	default: return "unknown error";
	}
}
