/* Waiting on a growing count (fill.h). */
#include "util/fill.h"

#include <structfit/error.h>

int sf__fill_init(sf_fill *fill)
{
	fill->ready = 0;
	fill->ended = false;
	if (pthread_mutex_init(&fill->lock, NULL) != 0)
		return SF_ENOMEM;
	if (pthread_cond_init(&fill->grown, NULL) != 0) {
		pthread_mutex_destroy(&fill->lock);
		return SF_ENOMEM;
	}
	return 0;
}

void sf__fill_destroy(sf_fill *fill)
{
	pthread_cond_destroy(&fill->grown);
	pthread_mutex_destroy(&fill->lock);
}

void sf__fill_publish(sf_fill *fill, uint64_t ready, bool ended)
{
	pthread_mutex_lock(&fill->lock);
	if (ready > fill->ready)
		__atomic_store_n(&fill->ready, ready, __ATOMIC_RELEASE);
	if (ended)
		__atomic_store_n(&fill->ended, true, __ATOMIC_RELEASE);
	pthread_cond_broadcast(&fill->grown);
	pthread_mutex_unlock(&fill->lock);
}

uint64_t sf__fill_wait(sf_fill *fill, uint64_t want)
{
	uint64_t ready = __atomic_load_n(&fill->ready, __ATOMIC_ACQUIRE);

	/* The common case, once the bytes are there: no lock. */
	if (ready >= want)
		return ready;
	pthread_mutex_lock(&fill->lock);
	while (fill->ready < want && !fill->ended)
		pthread_cond_wait(&fill->grown, &fill->lock);
	ready = fill->ready;
	pthread_mutex_unlock(&fill->lock);
	return ready;
}

bool sf__fill_ended(sf_fill *fill)
{
	return __atomic_load_n(&fill->ended, __ATOMIC_ACQUIRE);
}
