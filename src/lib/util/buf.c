/* Growable byte buffer implementation. */
#include "util/buf.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int grow(sf_buf *buf, size_t extra)
{
	size_t need, cap;
	char *p;

	if (buf->failed)
		return -1;
	if (__builtin_add_overflow(buf->len, extra + 1, &need))
		goto fail;
	if (need <= buf->cap)
		return 0;
	cap = buf->cap ? buf->cap : 256;
	while (cap < need) {
		if (cap > SIZE_MAX / 2)
			goto fail;
		cap *= 2;
	}
	p = realloc(buf->data, cap);
	if (!p)
		goto fail;
	buf->data = p;
	buf->cap = cap;
	return 0;
fail:
	buf->failed = 1;
	return -1;
}

void sf__buf_put(sf_buf *buf, const char *data, size_t len)
{
	if (grow(buf, len) < 0)
		return;
	memcpy(buf->data + buf->len, data, len);
	buf->len += len;
	buf->data[buf->len] = '\0';
}

void sf__buf_puts(sf_buf *buf, const char *s)
{
	sf__buf_put(buf, s, strlen(s));
}

void sf__buf_fill(sf_buf *buf, char c, size_t count)
{
	if (count == 0 || grow(buf, count) < 0)
		return;
	memset(buf->data + buf->len, c, count);
	buf->len += count;
	buf->data[buf->len] = '\0';
}

void sf__buf_put_u64(sf_buf *buf, uint64_t value, unsigned width)
{
	char digits[20];
	size_t count = 0;

	do {
		digits[sizeof(digits) - ++count] = (char)('0' + value % 10);
		value /= 10;
	} while (value);
	if (width > count)
		sf__buf_fill(buf, ' ', width - count);
	sf__buf_put(buf, digits + sizeof(digits) - count, count);
}

/* True when every conversion of `fmt` is %s, %u, %lu or %llu (what
 * PRIu32 and PRIu64 spell on the targets we build for), which
 * simple_vprintf() writes. */
static bool simple_format(const char *fmt)
{
	for (const char *pct = strchr(fmt, '%'); pct; pct = strchr(pct + 1, '%')) {
		const char *c = pct + 1;
		if (c[0] == 'l')
			c += c[1] == 'l' ? 2 : 1;
		if (*c != 'u' && (*c != 's' || c != pct + 1))
			return false;
	}
	return true;
}

/*
 * What vsnprintf() writes for a format simple_format() accepts.  The
 * text report's comment lines (sizes, holes, cache-line boundaries) are
 * such formats, ~34,000 of them for a vmlinux, and glibc's set-up for
 * each call was ~15 % of formatting the report.
 */
static void simple_vprintf(sf_buf *buf, const char *fmt, va_list ap)
{
	const char *pct;

	while ((pct = strchr(fmt, '%')) != NULL) {
		unsigned longs = 0;
		sf__buf_put(buf, fmt, (size_t)(pct - fmt));
		for (fmt = pct + 1; *fmt == 'l'; fmt++)
			longs++;
		if (*fmt == 's') {
			const char *text = va_arg(ap, const char *);
			sf__buf_puts(buf, text ? text : "(null)");
		} else if (longs == 0) {
			sf__buf_put_u64(buf, va_arg(ap, unsigned), 0);
		} else if (longs == 1) {
			sf__buf_put_u64(buf, va_arg(ap, unsigned long), 0);
		} else {
			sf__buf_put_u64(buf, va_arg(ap, unsigned long long), 0);
		}
		fmt++;
	}
	sf__buf_puts(buf, fmt);
}

void sf__buf_vprintf(sf_buf *buf, const char *fmt, va_list ap)
{
	va_list copy;
	size_t room = buf->cap > buf->len ? buf->cap - buf->len : 0;
	int n;

	if (buf->failed)
		return;
	if (simple_format(fmt)) {
		simple_vprintf(buf, fmt, ap);
		return;
	}
	/* Formatting is the cost, so format once into the free space and
	 * only format again when it did not fit. */
	va_copy(copy, ap);
	n = vsnprintf(room ? buf->data + buf->len : NULL, room, fmt, copy);
	va_end(copy);
	if (n < 0) {
		buf->failed = 1;
		if (room)
			buf->data[buf->len] = '\0';
		return;
	}
	if ((size_t)n < room) {
		buf->len += (size_t)n;
		return;
	}
	if (room)
		buf->data[buf->len] = '\0';
	if (grow(buf, (size_t)n) < 0)
		return;
	vsnprintf(buf->data + buf->len, (size_t)n + 1, fmt, ap);
	buf->len += (size_t)n;
}

void sf__buf_printf(sf_buf *buf, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	sf__buf_vprintf(buf, fmt, ap);
	va_end(ap);
}

void sf__buf_json_string(sf_buf *buf, const char *s)
{
	if (!s) {
		sf__buf_puts(buf, "null");
		return;
	}
	sf__buf_putc(buf, '"');
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"': sf__buf_puts(buf, "\\\""); break;
		case '\\': sf__buf_puts(buf, "\\\\"); break;
		case '\n': sf__buf_puts(buf, "\\n"); break;
		case '\t': sf__buf_puts(buf, "\\t"); break;
		case '\r': sf__buf_puts(buf, "\\r"); break;
		default:
			if (*p < 0x20)
				sf__buf_printf(buf, "\\u%04x", *p);
			else
				sf__buf_putc(buf, (char)*p);
		}
	}
	sf__buf_putc(buf, '"');
}

void sf_buf_free(sf_buf *buf)
{
	if (!buf)
		return;
	free(buf->data);
	buf->data = NULL;
	buf->len = buf->cap = 0;
	buf->failed = 0;
}
