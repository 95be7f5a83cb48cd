/* Error lines, progress, and writing reports to stdout or atomically to a file. */
/* mkstemp, realpath, lstat, clock_gettime are POSIX/XSI, hidden by a bare -std=c17. */
#ifndef _GNU_SOURCE
#define _XOPEN_SOURCE 700
#endif

#include "cli_output.h"

#include "cli_exit.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void cli_error(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("structfit: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void cli_note(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("structfit: note: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static int write_all(int fd, const char *data, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, data, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

int cli_write_stdout(const char *data, size_t len)
{
	if ((len > 0 && fwrite(data, 1, len, stdout) != len) || fflush(stdout) != 0) {
		cli_error("standard output: %s", strerror(errno));
		return CLI_EXIT_READ;
	}
	return CLI_EXIT_OK;
}

static mode_t default_mode(void)
{
	/* umask can only be read by setting it; the CLI is single-threaded here. */
	mode_t mask = umask(0);

	umask(mask);
	return 0666 & ~mask;
}

static int write_in_place(const char *path, const char *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_TRUNC);
	int error = CLI_EXIT_OK;

	if (fd < 0 || write_all(fd, data, len) != 0) {
		cli_error("%s: %s", path, strerror(errno));
		error = CLI_EXIT_READ;
	}
	if (fd >= 0 && close(fd) != 0 && error == CLI_EXIT_OK) {
		cli_error("%s: %s", path, strerror(errno));
		error = CLI_EXIT_READ;
	}
	return error;
}

int cli_write_file(const char *path, const char *data, size_t len)
{
	char resolved[PATH_MAX];
	char tmp[PATH_MAX + 32];
	const char *target = path;
	const char *slash;
	mode_t mode;
	struct stat st;
	int fd = -1;
	int created = 0;
	int error = CLI_EXIT_READ;

	/* Renaming over a symlink would replace the link, not the file it names. */
	if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode) && realpath(path, resolved))
		target = resolved;
	if (stat(target, &st) == 0) {
		if (!S_ISREG(st.st_mode))
			return write_in_place(target, data, len);
		mode = st.st_mode & 07777;
	} else {
		mode = default_mode();
	}

	slash = strrchr(target, '/');
	if (slash)
		snprintf(tmp, sizeof(tmp), "%.*s/.%s.XXXXXX", (int)(slash - target), target, slash + 1);
	else
		snprintf(tmp, sizeof(tmp), ".%s.XXXXXX", target);

	fd = mkstemp(tmp);
	if (fd < 0) {
		cli_error("%s: %s", path, strerror(errno));
		goto done;
	}
	created = 1;
	if (write_all(fd, data, len) != 0 || fchmod(fd, mode) != 0) {
		cli_error("%s: %s", path, strerror(errno));
		goto done;
	}
	/* Without fsync a crash after rename can leave an empty file behind the new name. */
	if (fsync(fd) != 0 && errno != EINVAL) {
		cli_error("%s: %s", path, strerror(errno));
		goto done;
	}
	if (close(fd) != 0) {
		fd = -1;
		cli_error("%s: %s", path, strerror(errno));
		goto done;
	}
	fd = -1;
	if (rename(tmp, target) != 0) {
		cli_error("%s: %s", path, strerror(errno));
		goto done;
	}
	created = 0;
	error = CLI_EXIT_OK;
done:
	if (fd >= 0)
		close(fd);
	if (created)
		unlink(tmp);
	return error;
}

static double seconds_since(const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - start->tv_sec) + (double)(now.tv_nsec - start->tv_nsec) / 1e9;
}

void cli_progress_start(cli_progress *progress, size_t total)
{
	progress->tty = isatty(STDERR_FILENO);
	progress->shown = 0;
	progress->total = total;
	progress->done = 0;
	progress->units_done = progress->units_total = 0;
	clock_gettime(CLOCK_MONOTONIC, &progress->start);
}

static void progress_show(cli_progress *progress)
{
	double elapsed = seconds_since(&progress->start);

	if (!progress->tty || elapsed < 1.0)
		return;
	fputs("\rstructfit: loading", stderr);
	if (progress->total > 1)
		fprintf(stderr, " file %zu/%zu", progress->done, progress->total);
	if (progress->units_total > 0)
		fprintf(stderr, "%s units %zu/%zu", progress->total > 1 ? "," : "",
			progress->units_done, progress->units_total);
	fprintf(stderr, ", %.0f s\033[K", elapsed);
	fflush(stderr);
	progress->shown = 1;
}

void cli_progress_update(cli_progress *progress, size_t done)
{
	progress->done = done;
	progress->units_done = progress->units_total = 0;
	progress_show(progress);
}

void cli_progress_units(cli_progress *progress, size_t done, size_t total)
{
	progress->units_done = done;
	progress->units_total = done >= total ? 0 : total;
	progress_show(progress);
}

void cli_progress_clear(cli_progress *progress)
{
	if (!progress->shown)
		return;
	/* Carriage return + erase-line: only ever sent to a terminal. */
	fputs("\r\033[K", stderr);
	progress->shown = 0;
}

int cli_stdin_spool(char *path, size_t cap)
{
	const char *dir = getenv("TMPDIR");
	char chunk[65536];
	int error = CLI_EXIT_READ;
	int fd;
	size_t n;

	if (!dir || !*dir)
		dir = "/tmp";
	if ((size_t)snprintf(path, cap, "%s/structfit-stdin.XXXXXX", dir) >= cap) {
		cli_error("%s: path too long", dir);
		return CLI_EXIT_READ;
	}
	fd = mkstemp(path);
	if (fd < 0) {
		cli_error("%s: %s", path, strerror(errno));
		path[0] = '\0';
		return CLI_EXIT_READ;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), stdin)) > 0) {
		if (write_all(fd, chunk, n) != 0) {
			cli_error("%s: %s", path, strerror(errno));
			goto done;
		}
	}
	if (ferror(stdin)) {
		cli_error("standard input: %s", strerror(errno));
		goto done;
	}
	error = CLI_EXIT_OK;
done:
	if (close(fd) != 0 && error == CLI_EXIT_OK) {
		cli_error("%s: %s", path, strerror(errno));
		error = CLI_EXIT_READ;
	}
	if (error != CLI_EXIT_OK) {
		unlink(path);
		path[0] = '\0';
	}
	return error;
}

/* The CLI has no access to the library's buffer helpers: grow the public struct by hand. */
void cli_buf_printf(sf_buf *buf, const char *fmt, ...)
{
	va_list ap;
	int need;

	if (buf->failed)
		return;
	va_start(ap, fmt);
	need = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (need < 0 || buf->len + (size_t)need + 1 > buf->cap) {
		size_t cap = (buf->cap ? buf->cap * 2 : 256) + (need > 0 ? (size_t)need : 0);
		char *grown = need < 0 ? NULL : realloc(buf->data, cap);

		if (!grown) {
			buf->failed = 1;
			return;
		}
		buf->data = grown;
		buf->cap = cap;
	}
	va_start(ap, fmt);
	vsnprintf(buf->data + buf->len, buf->cap - buf->len, fmt, ap);
	va_end(ap);
	buf->len += (size_t)need;
}
