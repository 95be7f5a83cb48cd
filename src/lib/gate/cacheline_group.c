/* Kernel cache-line groups of a snapshot struct and the lines they touch, for check's cacheline-group rule. */
#include "gate/cacheline_group.h"

#include <string.h>

#define BEGIN "__cacheline_group_begin__"
#define END "__cacheline_group_end__"

static bool starts_with(const char *s, const char *prefix)
{
	return s && strncmp(s, prefix, strlen(prefix)) == 0;
}

uint32_t sf__snap_groups(const sf_snap_struct *s, sf_snap_group *out, uint32_t max)
{
	uint32_t count = 0;

	for (uint32_t i = 0; i < s->member_count; i++) {
		const sf_snap_member *b = &s->members[i];
		const char *name;
		if (b->depth != 0 || !starts_with(b->name, BEGIN))
			continue;
		name = b->name + strlen(BEGIN);
		for (uint32_t j = i + 1; j < s->member_count; j++) {
			const sf_snap_member *e = &s->members[j];
			if (e->depth != 0 || !starts_with(e->name, END) || strcmp(e->name + strlen(END), name) != 0)
				continue;
			if (count < max && e->offset >= b->offset) {
				out[count].name = name;
				out[count].name_len = (uint32_t)strlen(name);
				out[count].first = b->offset;
				out[count].end = e->offset;
			}
			count++;
			break;
		}
	}
	return count;
}

uint64_t sf__snap_group_lines(const sf_snap_group *g, unsigned line)
{
	if (g->end <= g->first || line == 0)
		return 0;
	return (g->end - 1) / line - g->first / line + 1;
}

uint64_t sf__snap_group_needed(const sf_snap_group *g, unsigned line)
{
	if (g->end <= g->first || line == 0)
		return 0;
	return (g->end - g->first + line - 1) / line;
}
