/* Writing JSON into a growable buffer: the few shapes every JSON emitter uses. */
#ifndef SF_UTIL_JSON_WRITE_H
#define SF_UTIL_JSON_WRITE_H

#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>

#include "util/buf.h"

/*
 * Documents are written in two layouts: inline ({"a": 1, "b": [2, 3]},
 * one struct per line) and one item per line with an indent (arrays of
 * structs or findings, SARIF's outer levels).  The caller writes the
 * brackets; these write separators, keys and scalars.
 */

/* ", " before every element of an inline array but the first. */
static inline void sf__json_next(sf_buf *buf, bool first)
{
	if (!first)
		sf__buf_puts(buf, ", ");
}

/*
 * The start of a new line indented by `indent` spaces, after "," unless
 * `first`: the next key or element in the one-item-per-line layout (with
 * `first` also the line a closing bracket goes on).
 */
static inline void sf__json_line(sf_buf *buf, bool first, unsigned indent)
{
	sf__buf_puts(buf, first ? "\n" : ",\n");
	sf__buf_printf(buf, "%*s", (int)indent, "");
}

/* `"name": `, after ", " unless it is the object's first key. */
static inline void sf__json_key(sf_buf *buf, const char *name, bool first)
{
	sf__buf_printf(buf, first ? "\"%s\": " : ", \"%s\": ", name);
}

static inline void sf__json_bool(sf_buf *buf, bool value)
{
	sf__buf_puts(buf, value ? "true" : "false");
}

static inline void sf__json_u64(sf_buf *buf, uint64_t value)
{
	sf__buf_printf(buf, "%" PRIu64, value);
}

/* The number, or null when the value does not apply. */
static inline void sf__json_u64_or_null(sf_buf *buf, uint64_t value, bool present)
{
	if (present)
		sf__json_u64(buf, value);
	else
		sf__buf_puts(buf, "null");
}

/* A string key/value pair: the string escaped, or null for NULL. */
static inline void sf__json_string_field(sf_buf *buf, const char *name, const char *value, bool first)
{
	sf__json_key(buf, name, first);
	sf__buf_json_string(buf, value);
}

/* A number key/value pair. */
static inline void sf__json_u64_field(sf_buf *buf, const char *name, uint64_t value, bool first)
{
	sf__json_key(buf, name, first);
	sf__json_u64(buf, value);
}

/* A number key/value pair whose value is null when it does not apply. */
static inline void sf__json_u64_or_null_field(sf_buf *buf, const char *name, uint64_t value, bool present,
					      bool first)
{
	sf__json_key(buf, name, first);
	sf__json_u64_or_null(buf, value, present);
}

/* A true/false key/value pair. */
static inline void sf__json_bool_field(sf_buf *buf, const char *name, bool value, bool first)
{
	sf__json_key(buf, name, first);
	sf__json_bool(buf, value);
}

#endif
