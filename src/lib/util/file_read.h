/* Reading a whole file into memory: the one loop fix's and impact's source readers and the profile loader share. */
#ifndef SF_UTIL_FILE_READ_H
#define SF_UTIL_FILE_READ_H

#include <stddef.h>

/*
 * Reads all of `path` into a new NUL-terminated buffer (*out, *len bytes
 * without the NUL); the caller frees *out.  Returns 0, SF_ENOMEM, or -1
 * with errno set (the file cannot be opened or read; *out is NULL).
 */
int sf__read_file(const char *path, char **out, size_t *len);

#endif
