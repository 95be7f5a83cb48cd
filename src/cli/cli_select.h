/* pahole's selection and listing options of `report`: filters on a built report and one-line lists. */
#ifndef STRUCTFIT_CLI_SELECT_H
#define STRUCTFIT_CLI_SELECT_H

#include "cli_inputs.h"

#include <structfit/structfit.h>

/* Keys of the options, clear of the shared (+200) and profile (+300) ones. */
enum {
	CLI_SELECT_BIT_HOLES = CLI_KEY_LONG_ONLY + 700,
	CLI_SELECT_PACKED,
	CLI_SELECT_FLEXIBLE,
	CLI_SELECT_TOP,
	CLI_SELECT_MIN_WASTE,
	CLI_SELECT_CONTAINS = 'i',
	CLI_SELECT_POINTERS_TO = 'f',
	CLI_SELECT_SIZES = 's',
	CLI_SELECT_NR_MEMBERS = 'n'
};

#define CLI_SELECT_OPTIONS \
	{ "contains", CLI_SELECT_CONTAINS, "TYPE", "only structs with a member of type TYPE (or an\n" \
	  "array of it) embedded, as pahole -i" }, \
	{ "find-pointers-to", CLI_SELECT_POINTERS_TO, "TYPE", "list 'STRUCT: MEMBER' for each member that points\n" \
	  "to TYPE, as pahole -f" }, \
	{ "bit-holes", CLI_SELECT_BIT_HOLES, "N", "only structs with at least N bit holes" }, \
	{ "packed", CLI_SELECT_PACKED, NULL, "only packed structs" }, \
	{ "with-flexible-array", CLI_SELECT_FLEXIBLE, NULL, "only structs ending in a flexible array" }, \
	{ "sizes", CLI_SELECT_SIZES, NULL, "list 'NAME<TAB>SIZE<TAB>HOLES' per struct, as pahole -s" }, \
	{ "nr-members", CLI_SELECT_NR_MEMBERS, NULL, "list 'NAME<TAB>MEMBERS' per struct, as pahole -n" }, \
	{ "min-waste", CLI_SELECT_MIN_WASTE, "N", "only structs wasting at least N bytes (holes\n" \
	  "plus tail padding)" }, \
	{ "top", CLI_SELECT_TOP, "N", "only the first N structs (after --sort, also\n" \
	  "--sort=impact's ranking)" }

typedef struct cli_select {
	const char *contains;     /* -i TYPE, or NULL */
	const char *pointers_to;  /* -f TYPE, or NULL */
	unsigned min_bit_holes;   /* 0: no bit-hole filter */
	unsigned min_waste;       /* bytes of holes + tail padding; 0: no filter */
	unsigned top;             /* 0: all */
	int packed;
	int flexible;
	int sizes;
	int nr_members;
} cli_select;

/* Returns 1 when `key` is one of CLI_SELECT_OPTIONS, 0 when not, or an exit code after a bad value. */
int cli_select_option(cli_select *sel, cli_inputs *in, int key, const char *arg);

/*
 * Replaces *report (built from `model` with in->report) by one holding
 * only the structs the filters keep, in the same order.  Does nothing
 * without filters.  Returns an exit code.
 */
int cli_select_filter(const cli_select *sel, const cli_inputs *in, const sf_model *model,
		      sf_report **report);

/*
 * When a listing option is set, appends its lines for `report` to `buf`
 * (freed by the caller with sf_buf_free) and returns 1; else returns 0.
 * Returns -1 when out of memory.
 */
int cli_select_list(const cli_select *sel, const sf_report *report, sf_buf *buf);

#endif
