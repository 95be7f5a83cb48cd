/* Where separate debug files and dwz supplementary files may live: the
 * candidate paths from build-ids, .gnu_debuglink and .gnu_debugaltlink. */
#include "elf/elf_image.h"

#include "util/fail.h"

#include <errno.h>
#include <stdarg.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define SYSTEM_DEBUG_ROOT "/usr/lib/debug"

static size_t root_count(const sf_load_options *opts)
{
	return (opts && opts->debug_dirs ? opts->debug_dir_count : 0) + 1;
}

static const char *root_at(const sf_load_options *opts, size_t i)
{
	if (opts && opts->debug_dirs && i < opts->debug_dir_count)
		return opts->debug_dirs[i];
	return SYSTEM_DEBUG_ROOT;
}

/* Paths that do not fit are skipped: they cannot exist either. */
#if defined(__GNUC__)
__attribute__((format(printf, 4, 5)))
#endif
static int try_path(sf__candidate_fn fn, void *ctx, const uint32_t *crc, const char *fmt, ...)
{
	char path[PATH_MAX];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(path))
		return 1;
	return fn(ctx, path, crc);
}

static int try_build_id(const sf_load_options *opts, const unsigned char *id, size_t size,
			sf__candidate_fn fn, void *ctx)
{
	char hex[2 * 64 + 1];

	/* Real build-ids are 16-20 bytes; very long ones are not ids. */
	if (id == NULL || size < 2 || size > 64)
		return 1;
	for (size_t i = 0; i < size; i++)
		snprintf(hex + 2 * i, 3, "%02x", id[i]);
	for (size_t r = 0; r < root_count(opts); r++) {
		int res = try_path(fn, ctx, NULL, "%s/.build-id/%.2s/%s.debug", root_at(opts, r),
				   hex, hex + 2);

		if (res <= 0)
			return res;
	}
	return 1;
}

/* Directory part of an absolute path, "/" for files at the root. */
static void directory_of(const char *path, char *out, size_t size)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL) {
		snprintf(out, size, ".");
	} else if (slash == path) {
		snprintf(out, size, "/");
	} else {
		size_t n = (size_t)(slash - path);

		snprintf(out, size, "%.*s", (int)n, path);
	}
}

int sf__debugfile_search(const sf_load_options *opts, const char *real_path,
			 const sf__elf_contents *contents, sf__candidate_fn fn, void *ctx)
{
	char dir[PATH_MAX];
	const char *sep;
	int res;

	res = try_build_id(opts, contents->build_id, contents->build_id_size, fn, ctx);
	if (res <= 0 || contents->debuglink == NULL)
		return res;
	/* A debuglink is a bare file name; anything with a slash is not ours
	 * to follow. */
	if (strchr(contents->debuglink, '/') != NULL)
		return 1;
	directory_of(real_path, dir, sizeof(dir));
	sep = strcmp(dir, "/") == 0 ? "" : "/";
	res = try_path(fn, ctx, &contents->debuglink_crc, "%s%s%s", dir, sep, contents->debuglink);
	if (res <= 0)
		return res;
	res = try_path(fn, ctx, &contents->debuglink_crc, "%s%s.debug/%s", dir, sep,
		       contents->debuglink);
	if (res <= 0)
		return res;
	for (size_t r = 0; r < root_count(opts); r++) {
		res = try_path(fn, ctx, &contents->debuglink_crc, "%s%s%s%s", root_at(opts, r),
			       dir, sep, contents->debuglink);
		if (res <= 0)
			return res;
	}
	return 1;
}

int sf__altfile_search(const sf_load_options *opts, const char *owner_real_path,
		       const sf__elf_contents *contents, sf__candidate_fn fn, void *ctx)
{
	const char *link = contents->altlink;
	const char *dwz;
	int res;

	if (link[0] == '/') {
		res = try_path(fn, ctx, NULL, "%s", link);
	} else {
		char dir[PATH_MAX];

		directory_of(owner_real_path, dir, sizeof(dir));
		res = try_path(fn, ctx, NULL, "%s/%s", dir, link);
	}
	if (res <= 0)
		return res;
	/* Distributions write the installed location (/usr/lib/debug/.dwz/...);
	 * a debug root unpacked elsewhere holds the same tail. */
	dwz = strstr(link, "/.dwz/");
	if (dwz != NULL || strncmp(link, ".dwz/", 5) == 0) {
		const char *tail = dwz != NULL ? dwz + 6 : link + 5;

		for (size_t r = 0; r < root_count(opts); r++) {
			res = try_path(fn, ctx, NULL, "%s/.dwz/%s", root_at(opts, r), tail);
			if (res <= 0)
				return res;
		}
	}
	return try_build_id(opts, contents->alt_build_id, contents->alt_build_id_size, fn, ctx);
}

/* Reflected CRC-32, polynomial 0xEDB88320, as zlib computes it; the table
 * is built per call to keep the library free of mutable globals. */
int sf__debugfile_crc32(int fd, uint32_t *out)
{
	uint32_t table[256];
	uint32_t crc = 0xffffffffu;
	unsigned char buffer[65536];
	off_t offset = 0;

	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;

		for (int k = 0; k < 8; k++)
			c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
		table[i] = c;
	}
	for (;;) {
		ssize_t n = pread(fd, buffer, sizeof(buffer), offset);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return SF_EIO;
		}
		if (n == 0)
			break;
		for (ssize_t i = 0; i < n; i++)
			crc = table[(crc ^ buffer[i]) & 0xff] ^ (crc >> 8);
		offset += n;
	}
	*out = crc ^ 0xffffffffu;
	return 0;
}
