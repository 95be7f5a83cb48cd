/* gofmt over the patched Go files of a fix: the only process structfit starts. */
#ifndef _GNU_SOURCE
#define _XOPEN_SOURCE 700
#endif
#include "cli_gofmt.h"

#include "cli_exit.h"
#include "cli_output.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

static int ends_with_go(const char *path)
{
	size_t n = path ? strlen(path) : 0;
	return n > 3 && strcmp(path + n - 3, ".go") == 0;
}

/* gofmt's output for `text`, malloc'd into *out; 0, or -1 (note printed). */
static int run_gofmt(const char *gofmt, const char *rel, const char *text, size_t len, char **out, size_t *out_len)
{
	char tmp[] = "/tmp/structfit-gofmt-XXXXXX";
	int fd = mkstemp(tmp), pipefd[2] = { -1, -1 }, status = 0;
	size_t cap = len + 4096, n = 0;
	char *buf = NULL;
	pid_t pid;

	if (fd < 0 || write(fd, text, len) != (ssize_t)len || lseek(fd, 0, SEEK_SET) != 0 || pipe(pipefd) != 0)
		goto fail;
	pid = fork();
	if (pid < 0)
		goto fail;
	if (pid == 0) {
		dup2(fd, 0);
		dup2(pipefd[1], 1);
		close(pipefd[0]);
		execlp(gofmt, gofmt, (char *)NULL);
		_exit(127);
	}
	close(pipefd[1]);
	pipefd[1] = -1;
	buf = malloc(cap);
	for (ssize_t got = 1; buf && got > 0;) {
		if (n == cap) {
			char *more = realloc(buf, cap * 2);
			if (!more) {
				free(buf);
				buf = NULL;
				break;
			}
			buf = more;
			cap *= 2;
		}
		got = read(pipefd[0], buf + n, cap - n);
		if (got > 0)
			n += (size_t)got;
	}
	waitpid(pid, &status, 0);
	if (!buf || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		cli_note("%s: %s could not format the patched file (exit %d); left as patched", rel, gofmt,
			 WIFEXITED(status) ? WEXITSTATUS(status) : -1);
		free(buf);
		buf = NULL;
	}
fail:
	if (fd >= 0) {
		close(fd);
		unlink(tmp);
	}
	if (pipefd[0] >= 0)
		close(pipefd[0]);
	if (pipefd[1] >= 0)
		close(pipefd[1]);
	*out = buf;
	*out_len = n;
	return buf ? 0 : -1;
}

int cli_gofmt_fix(sf_fix *fix, const char *gofmt)
{
	for (size_t i = 0; i < sf_fix_file_count(fix); i++) {
		const sf_fix_file *f = sf_fix_file_at(fix, i);
		char *text = NULL;
		size_t len = 0;
		int rc;
		if (!ends_with_go(f->rel_path))
			continue;
		if (run_gofmt(gofmt, f->rel_path, f->patched, f->patched_len, &text, &len) != 0)
			continue;
		rc = sf_fix_file_replace(fix, i, text, len);
		free(text);
		if (rc != 0) {
			cli_error("out of memory");
			return CLI_EXIT_INTERNAL;
		}
	}
	return CLI_EXIT_OK;
}
