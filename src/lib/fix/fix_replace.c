/* A patched file's text replaced by the caller's (a formatter's output). */
#include "fix/fix_result.h"

#include <string.h>

#include "util/fail.h"

int sf_fix_file_replace(sf_fix *fix, size_t index, const char *text, size_t len)
{
	sf_fix_source *src;
	char *copy;

	if (!fix || index >= fix->file_count || (!text && len))
		return sf__fail(SF_EUSAGE, "no patched file %zu", index);
	copy = sf__arena_alloc(fix->arena, len + 1);
	if (!copy)
		return sf__fail(SF_ENOMEM, "out of memory while replacing a patched file");
	if (len)
		memcpy(copy, text, len);
	copy[len] = '\0';
	src = &fix->sources[fix->file_source[index]];
	src->patched = copy;
	src->patched_len = len;
	fix->files[index].patched = copy;
	fix->files[index].patched_len = len;
	return 0;
}
