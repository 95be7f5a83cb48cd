/* Recording failures: every error path returns through sf__fail(). */
#ifndef SF_UTIL_FAIL_H
#define SF_UTIL_FAIL_H

#include <structfit/error.h>

/*
 * Formats the thread's last error message and returns `code`, so callers
 * write `return sf__fail(SF_EINVALID, "%s: truncated .debug_info", path);`.
 */
#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
int sf__fail(int code, const char *fmt, ...);

#endif
