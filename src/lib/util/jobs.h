/* Thread counts as the options give them. */
#ifndef SF_UTIL_JOBS_H
#define SF_UTIL_JOBS_H

#include <unistd.h>

/* `jobs` as asked, 0 meaning one per online CPU (1 when that is unknown). */
static inline unsigned sf__jobs_or_online(unsigned jobs)
{
	long online;

	if (jobs)
		return jobs;
	online = sysconf(_SC_NPROCESSORS_ONLN);
	return online > 0 ? (unsigned)online : 1;
}

#endif
