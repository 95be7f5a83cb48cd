/* Thread counts as the options give them. */
#ifndef SF_UTIL_JOBS_H
#define SF_UTIL_JOBS_H

#include <stddef.h>
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

/* Threads for `count` items of work split among them: one when a single
 * job is asked for or there are fewer than `least` items (the work is
 * done before a thread starts), else the jobs asked, each with at least
 * least / 2 items, and at most `most`. */
static inline unsigned sf__jobs_for_items(unsigned jobs, size_t count, size_t least, unsigned most)
{
	if (jobs == 1 || count < least)
		return 1;
	jobs = sf__jobs_or_online(jobs);
	if (jobs > count / (least / 2))
		jobs = (unsigned)(count / (least / 2));
	return jobs > most ? most : jobs;
}

#endif
