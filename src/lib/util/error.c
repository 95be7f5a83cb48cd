/* Per-thread storage of the last error message. */
#include "util/fail.h"

#include <stdarg.h>
#include <stdio.h>

/* Thread-local so that units loaded on several threads never race. */
static _Thread_local char last_message[512];

int sf__fail(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(last_message, sizeof(last_message), fmt, ap);
	va_end(ap);
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
