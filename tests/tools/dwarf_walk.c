/* The floor of a DWARF load: one thread decodes every DIE's abbreviation
 * code and skips its attributes by form, building nothing.  bench.sh
 * times it beside `structfit report -j1` as the reference the tool's CPU
 * time is a multiple of.  Prints the units and DIEs seen.
 * Usage: dwarf_walk FILE */
#include <stdio.h>

#include <structfit/structfit.h>

#include "dwarf/die_reader.h"
#include "elf/input.h"

typedef struct walk_counts {
	unsigned long long units;
	unsigned long long dies;
} walk_counts;

/* Every DIE of one unit in file order: a null entry is one byte. */
static int walk_unit(sf_dw_cursor *cursor, const sf_dw_unit *unit, walk_counts *counts)
{
	uint64_t at = unit->die_offset;

	while (at < unit->end) {
		sf_dw_die die;
		int res = sf__dw_die_at(cursor, unit, at, &die);
		if (res < 0)
			return res;
		if (!die.abbrev) {
			at = (uint64_t)(die.attrs - cursor->image->spaces[unit->space].data);
			continue;
		}
		counts->dies++;
		res = sf__dw_die_attrs_end(cursor, &die, &at);
		if (res < 0)
			return res;
	}
	counts->units++;
	return 0;
}

static int visit(void *arg, const sf_debug_image *image)
{
	walk_counts *counts = arg;
	sf_dw_image dw;
	sf_dw_cursor cursor;
	int res = sf__dw_image_open(&dw, image, UINT64_MAX);

	if (res < 0)
		return res;
	res = sf__dw_cursor_init(&cursor, &dw);
	for (unsigned space = 0; res >= 0 && space < SF_DW_SPACES; space++)
		for (size_t i = 0; res >= 0 && i < dw.spaces[space].count; i++)
			res = walk_unit(&cursor, &dw.spaces[space].units[i], counts);
	sf__dw_cursor_release(&cursor);
	sf__dw_image_close(&dw);
	return res;
}

int main(int argc, char **argv)
{
	sf_load_options opts = SF_LOAD_OPTIONS_INIT;
	walk_counts counts = { 0, 0 };

	if (argc != 2) {
		fprintf(stderr, "usage: dwarf_walk FILE\n");
		return 2;
	}
	opts.jobs = 1;
	if (sf__input_each_image(argv[1], &opts, NULL, visit, &counts) < 0) {
		fprintf(stderr, "dwarf_walk: %s\n", sf_error_last());
		return 3;
	}
	printf("%llu units, %llu DIEs\n", counts.units, counts.dies);
	return 0;
}
