/* A count that only grows, published by one thread and awaited by others:
 * how many bytes of a buffer are final, or how far a listing has got. */
#ifndef SF_UTIL_FILL_H
#define SF_UTIL_FILL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

/*
 * Invariants: `ready` never decreases and `ended` never goes back to
 * false; both change only under `lock`, and are read with acquire loads,
 * so what the publisher wrote before sf__fill_publish() is visible to a
 * thread that saw the new value.
 */
typedef struct sf_fill {
	pthread_mutex_t lock;
	pthread_cond_t grown;
	uint64_t ready;
	bool ended;     /* no more growth */
} sf_fill;

/* 0, or SF_ENOMEM when the mutex or condition cannot be made. */
int sf__fill_init(sf_fill *fill);
void sf__fill_destroy(sf_fill *fill);

/* Raises the count to `ready` (never lowers it); `ended` says it stays
 * there.  Wakes every waiter. */
void sf__fill_publish(sf_fill *fill, uint64_t ready, bool ended);

/* Waits until the count reaches `want` or the fill ended; returns the
 * count then (below `want` only when it ended short). */
uint64_t sf__fill_wait(sf_fill *fill, uint64_t want);

/* Whether the fill ended, without waiting. */
bool sf__fill_ended(sf_fill *fill);

#endif
