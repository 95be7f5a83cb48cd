/* Growable byte buffer that emitters write into. */
#ifndef SF_UTIL_BUF_H
#define SF_UTIL_BUF_H

#include <structfit/emit.h>

#include <stdarg.h>
#include <stddef.h>

/*
 * sf_buf itself is public (include/structfit/emit.h).  Appending functions
 * never fail loudly: on allocation failure the buffer is marked `failed`
 * and later appends are ignored, so emitters check once at the end.
 */
#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
void sf__buf_printf(sf_buf *buf, const char *fmt, ...);
void sf__buf_vprintf(sf_buf *buf, const char *fmt, va_list ap);
void sf__buf_put(sf_buf *buf, const char *data, size_t len);
void sf__buf_puts(sf_buf *buf, const char *s);
void sf__buf_putc(sf_buf *buf, char c);
/* Appends `s` as a JSON string literal, quotes included; NULL gives null. */
void sf__buf_json_string(sf_buf *buf, const char *s);

#endif
