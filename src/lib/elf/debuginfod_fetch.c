/* Fetching a separate debug file by build-id from debuginfod servers. */
#include "elf/debuginfod_fetch.h"

#include "util/fail.h"

#include <dlfcn.h>
#include <pthread.h>
#include <elfutils/debuginfod.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/*
 * libdebuginfod is opened at run time, not linked: it brings libcurl and a
 * TLS stack whose start-up every run would pay (and every program linking
 * libstructfit would inherit), while only the rare run that misses a debug
 * file needs it; elfutils' own libdw does the same.  The declarations come
 * from <elfutils/debuginfod.h>, so the types are checked at build time.
 */
typedef struct debuginfod_api {
	void *handle;
	__typeof__(debuginfod_begin) *begin;
	__typeof__(debuginfod_end) *end;
	__typeof__(debuginfod_find_debuginfo) *find_debuginfo;
	__typeof__(debuginfod_set_progressfn) *set_progressfn;
} debuginfod_api;

#define LIBDEBUGINFOD_SONAME "libdebuginfod.so.1"

/*
 * Opened once and never closed: libcurl and its TLS stack allocate in
 * their constructors, and unloading them after each fetch leaks that (and
 * costs a reload on the next input).  The handle is the library's only
 * process-wide state, written once under pthread_once.
 */
static debuginfod_api shared_api;
static pthread_once_t shared_api_once = PTHREAD_ONCE_INIT;

static void api_load(void)
{
	debuginfod_api api = { 0 };

	api.handle = dlopen(LIBDEBUGINFOD_SONAME, RTLD_NOW | RTLD_LOCAL);
	if (!api.handle)
		return;
	/* POSIX: dlsym's void * converts to a function pointer. */
	*(void **)&api.begin = dlsym(api.handle, "debuginfod_begin");
	*(void **)&api.end = dlsym(api.handle, "debuginfod_end");
	*(void **)&api.find_debuginfo = dlsym(api.handle, "debuginfod_find_debuginfo");
	*(void **)&api.set_progressfn = dlsym(api.handle, "debuginfod_set_progressfn");
	if (!api.begin || !api.end || !api.find_debuginfo || !api.set_progressfn) {
		dlclose(api.handle);
		return;
	}
	shared_api = api;
}

static const debuginfod_api *api_get(void)
{
	pthread_once(&shared_api_once, api_load);
	return shared_api.handle ? &shared_api : NULL;
}

/* The progress callback gets only the client; the fetch running on this
 * thread says where progress goes. */
static _Thread_local const sf_load_options *fetching;

static int on_progress(debuginfod_client *client, long done, long total)
{
	(void)client;
	if (fetching && fetching->on_fetch_progress)
		fetching->on_fetch_progress(fetching->on_fetch_progress_ctx, done, total);
	return 0;   /* non-zero would cancel the download */
}

static void hex_of(const unsigned char *id, size_t size, char *hex)
{
	for (size_t i = 0; i < size; i++)
		snprintf(hex + 2 * i, 3, "%02x", id[i]);
}

int sf__debuginfod_fetch(const sf_load_options *opts, const char *display_name,
			 const unsigned char *build_id, size_t build_id_size, char **path)
{
	const debuginfod_api *api;
	debuginfod_client *client = NULL;
	char *found = NULL;
	int fd, error = 0;

	*path = NULL;
	if (!build_id || build_id_size < 2 || build_id_size > 64)
		return sf__fail(SF_ENODEBUG, "%s: no DWARF debug info and no build-id to fetch it by "
				"from debuginfod", display_name);
	if (!(api = api_get()))
		return sf__fail(SF_ENODEBUG, "%s: no DWARF debug info found locally, and %s cannot be "
				"loaded to fetch it (install libdebuginfod1)", display_name, LIBDEBUGINFOD_SONAME);
	client = api->begin();
	if (!client) {
		error = sf__fail(SF_ENOMEM, "%s: debuginfod: out of memory", display_name);
		goto done;
	}
	api->set_progressfn(client, on_progress);
	fetching = opts;
	fd = api->find_debuginfo(client, build_id, (int)build_id_size, &found);
	fetching = NULL;
	if (fd < 0) {
		char hex[2 * 64 + 1];

		hex_of(build_id, build_id_size, hex);
		if (fd == -ENOSYS)
			error = sf__fail(SF_ENODEBUG, "%s: no DWARF debug info found locally, and no debuginfod "
					 "server is configured (DEBUGINFOD_URLS)", display_name);
		else if (fd == -ENOENT)
			error = sf__fail(SF_ENODEBUG, "%s: no DWARF debug info found locally, and the debuginfod "
					 "servers have none for build-id %s", display_name, hex);
		else
			error = sf__fail(SF_ENODEBUG, "%s: no DWARF debug info found locally, and fetching "
					 "build-id %s from debuginfod failed: %s", display_name, hex,
					 strerror(-fd));
		goto done;
	}
	close(fd);
	*path = found;
	found = NULL;
done:
	free(found);
	if (client)
		api->end(client);
	return error;
}
