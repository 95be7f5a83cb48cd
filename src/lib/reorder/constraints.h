/* Parsed constraints file: rules that restrict the reorder search. */
#ifndef SF_REORDER_CONSTRAINTS_H
#define SF_REORDER_CONSTRAINTS_H

#include <structfit/reorder.h>

#include <stdint.h>

#include "util/arena.h"

typedef enum sf_rule_kind {
	SF_RULE_PIN,
	SF_RULE_GROUP,
	SF_RULE_HOT,
	SF_RULE_SKIP,
	SF_RULE_APART
} sf_rule_kind;

/*
 * One rule.  Invariants: names are C identifiers; pin has exactly one
 * member, group and apart at least two, hot at least one, skip none; no member is
 * named twice in one rule.
 */
typedef struct sf_rule {
	sf_rule_kind kind;
	const char *struct_name;
	const char **members;
	uint32_t member_count;
	uint32_t line;
} sf_rule;

/* Rules in file order; strings in the arena. */
struct sf_constraints {
	sf_arena *arena;
	const char *file;
	sf_rule *rules;
	size_t count;
	size_t capacity;
};

#endif
