/* Growable byte buffer that emitters write into. */
#ifndef SF_UTIL_BUF_H
#define SF_UTIL_BUF_H

#include <structfit/emit.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

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
/* Inline: emitters call it for most characters they write. */
static inline void sf__buf_putc(sf_buf *buf, char c)
{
	if (buf->failed || buf->len + 2 > buf->cap) {
		sf__buf_put(buf, &c, 1);
		return;
	}
	buf->data[buf->len++] = c;
	buf->data[buf->len] = '\0';
}
/* Appends `count` copies of `c`. */
void sf__buf_fill(sf_buf *buf, char c, size_t count);
/* Appends `value` in decimal, right-aligned in `width` columns like
 * printf's "%*" PRIu64 (never truncated). */
void sf__buf_put_u64(sf_buf *buf, uint64_t value, unsigned width);
/* Appends `s` as a JSON string literal, quotes included; NULL gives null. */
void sf__buf_json_string(sf_buf *buf, const char *s);

#endif
