/* Thread counts as the options give them. */
#ifndef SF_UTIL_JOBS_H
#define SF_UTIL_JOBS_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
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

/*
 * `count` items in chunks of `size`, taken one chunk at a time by
 * threads that share the work as they go: the calling thread from the
 * front, helpers from the back, until they meet.  Chunks [front, back)
 * are not taken yet.
 */
typedef struct sf_chunk_queue {
	pthread_mutex_t lock;
	size_t count, size;
	size_t front, back;
} sf_chunk_queue;

static inline void sf__chunk_queue_init(sf_chunk_queue *q, size_t count, size_t size)
{
	pthread_mutex_init(&q->lock, NULL);
	q->count = count;
	q->size = size;
	q->front = 0;
	q->back = (count + size - 1) / size;
}

/* The next chunk from the front or the back: its number and items
 * [*begin, *end); false when none is left. */
static inline bool sf__chunk_take(sf_chunk_queue *q, bool from_front, size_t *chunk, size_t *begin, size_t *end)
{
	size_t k;

	pthread_mutex_lock(&q->lock);
	k = q->front < q->back ? (from_front ? q->front++ : --q->back) : SIZE_MAX;
	pthread_mutex_unlock(&q->lock);
	if (k == SIZE_MAX)
		return false;
	*chunk = k;
	*begin = k * q->size;
	*end = (k + 1) * q->size < q->count ? (k + 1) * q->size : q->count;
	return true;
}

/* Leaves nothing more to take (a failure stops the helpers). */
static inline void sf__chunk_queue_stop(sf_chunk_queue *q)
{
	pthread_mutex_lock(&q->lock);
	q->back = q->front;
	pthread_mutex_unlock(&q->lock);
}

/* Once every thread is done: the first chunk the helpers took. */
static inline size_t sf__chunk_queue_release(sf_chunk_queue *q)
{
	pthread_mutex_destroy(&q->lock);
	return q->front;
}

#endif
