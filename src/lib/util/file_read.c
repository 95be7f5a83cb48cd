/* Reading a whole file into memory. */
#include "util/file_read.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include <structfit/error.h>

int sf__read_file(const char *path, char **out, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *data = NULL;
	size_t cap = 0, n = 0;

	*out = NULL;
	*len = 0;
	if (!f)
		return -1;
	for (;;) {
		size_t got;
		if (n == cap) {
			size_t grown = cap ? cap * 2 : 65536;
			char *more = realloc(data, grown + 1);
			if (!more) {
				free(data);
				fclose(f);
				return SF_ENOMEM;
			}
			data = more;
			cap = grown;
		}
		got = fread(data + n, 1, cap - n, f);
		n += got;
		if (got == 0)
			break;
	}
	if (ferror(f)) {
		int saved = errno ? errno : EIO;
		free(data);
		fclose(f);
		errno = saved;
		return -1;
	}
	fclose(f);
	data[n] = '\0';
	*out = data;
	*len = n;
	return 0;
}
