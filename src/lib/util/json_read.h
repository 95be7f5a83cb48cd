/* A strict JSON reader for baselines: RFC 8259 text into a tree in an arena. */
#ifndef SF_UTIL_JSON_READ_H
#define SF_UTIL_JSON_READ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/arena.h"

typedef enum sf_json_type {
	SF_JSON_NULL,
	SF_JSON_BOOL,
	SF_JSON_NUMBER,
	SF_JSON_STRING,
	SF_JSON_ARRAY,
	SF_JSON_OBJECT
} sf_json_type;

/*
 * One value.  Invariants: line and column (1-based, columns count bytes)
 * locate its first character; strings are valid UTF-8 without NUL, so
 * they are usable as C strings; object keys are unique; `count` items
 * (and for objects as many keys, in document order).  Numbers keep
 * `is_uint` when they are integers in [0, UINT64_MAX] written without
 * fraction or exponent, which is all a baseline holds.
 */
typedef struct sf_json_value {
	sf_json_type type;
	uint32_t line;
	uint32_t column;
	bool boolean;
	bool is_uint;
	uint64_t uint;
	const char *string;
	const char *const *keys;
	const struct sf_json_value *const *items;
	size_t count;
	/* Integers without fraction or exponent that fit 64 bits, either
	 * sign: `negative` and the absolute value (DHAT's run-length
	 * encoded access counts are negative repeat counts). */
	bool is_int;
	bool negative;
	uint64_t magnitude;
} sf_json_value;

/* Nesting deeper than this is refused rather than recursed into. */
#define SF_JSON_MAX_DEPTH 64

/*
 * Parses `len` bytes of `text` into `arena`.  The whole text must be one
 * value plus whitespace.  On failure returns SF_EINVALID (bad JSON) or
 * SF_ENOMEM with the message "NAME:LINE:COL: what was wrong".
 */
int sf__json_parse(const char *text, size_t len, const char *name, sf_arena *arena,
		   const sf_json_value **out);

/* Member `key` of an object, or NULL when absent or `obj` is not an object. */
const sf_json_value *sf__json_get(const sf_json_value *obj, const char *key);

/* "null", "a boolean", "a number", ... for error messages. */
const char *sf__json_type_name(sf_json_type type);

#endif
