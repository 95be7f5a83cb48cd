/* The members a reorder proposal keeps in place (the others are its moves). */
#include "emit/moved.h"

#include <stdlib.h>
#include <string.h>

bool sf__emit_kept_members(const uint32_t *order, uint32_t n, bool *kept)
{
	/* Score of the best chain ending at i: length first, then fixed points. */
	uint64_t *score = calloc(n ? n : 1, sizeof(*score));
	uint32_t *prev = calloc(n ? n : 1, sizeof(*prev));
	uint64_t best = 0;
	uint32_t best_at = UINT32_MAX;

	if (!score || !prev) {
		free(score);
		free(prev);
		return false;
	}
	/* n is small (members of one struct); quadratic is fine and simple. */
	for (uint32_t i = 0; i < n; i++) {
		uint64_t self = ((uint64_t)1 << 32) + (order[i] == i);
		score[i] = self;
		prev[i] = UINT32_MAX;
		for (uint32_t j = 0; j < i; j++) {
			if (order[j] < order[i] && score[j] + self > score[i]) {
				score[i] = score[j] + self;
				prev[i] = j;
			}
		}
		if (score[i] > best) {
			best = score[i];
			best_at = i;
		}
	}
	memset(kept, 0, n * sizeof(*kept));
	for (uint32_t i = best_at; i != UINT32_MAX; i = prev[i])
		kept[order[i]] = true;
	free(score);
	free(prev);
	return true;
}

