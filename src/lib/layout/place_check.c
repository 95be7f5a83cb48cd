/* The safety gate of every proposal: which engine checks a struct, and the verdicts in words. */
#include "layout/place.h"

#include "layout/place_cxx.h"

const char *sf__place_verdict_text(sf_place_verdict verdict)
{
	switch (verdict) {
	case SF_PLACE_OK:
		return "layout reproduced";
	case SF_PLACE_PACKED:
		return "packed";
	case SF_PLACE_UNION:
		return "union";
	case SF_PLACE_UNPLACEABLE:
		return "member of unknown type or alignment";
	case SF_PLACE_MISMATCH:
		return "layout not reproducible from debug info";
	case SF_PLACE_TOO_LARGE:
		return "struct too large to place";
	case SF_PLACE_VIRTUAL_BASE:
		return "virtual base";
	}
	return "layout not reproducible from debug info";
}

sf_place_verdict sf__place_check(const sf_struct *s, uint32_t *member)
{
	if (member)
		*member = 0;
	if (s->kind == SF_UNION)
		return SF_PLACE_UNION;
	if (s->packed)
		return SF_PLACE_PACKED;
	if (sf__place_cxx_applies(s)) {
		sf_arena *scratch = NULL;
		sf_place_cxx *hyps = NULL;
		uint32_t count = 0;
		sf_place_verdict v = SF_PLACE_TOO_LARGE;
		if (sf__arena_new(&scratch) == 0)
			v = sf__place_cxx_infer(s, scratch, &hyps, &count, member);
		sf__arena_free(scratch);
		return v;
	}
	return sf__place_c_check(s, member);
}
