/* Fetching separate debug files by build-id through libdebuginfod. */
#ifndef SF_ELF_DEBUGINFOD_FETCH_H
#define SF_ELF_DEBUGINFOD_FETCH_H

#include <structfit/model.h>

#include <stddef.h>

/*
 * Asks the debuginfod servers (libdebuginfod reads DEBUGINFOD_URLS,
 * DEBUGINFOD_CACHE_PATH and DEBUGINFOD_TIMEOUT itself) for the debug file
 * of `build_id`; on success *path is the cached file (caller frees it).
 * Reports download progress to opts->on_fetch_progress.  Every failure
 * (no servers, not found, unreachable, timed out, no libdebuginfod) is
 * SF_ENODEBUG with one line naming `display_name`; or SF_ENOMEM.
 */
int sf__debuginfod_fetch(const sf_load_options *opts, const char *display_name,
			 const unsigned char *build_id, size_t build_id_size, char **path);

#endif
