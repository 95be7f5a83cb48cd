/* A thread for frees nobody waits for (reaper.h). */
#include "util/reaper.h"

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct reaper_task {
	void (*release)(void *object);
	struct reaper_task *next;
	max_align_t object[];   /* the copy released */
} reaper_task;

/* Invariants: `head`..`tail` are the tasks not started, oldest first;
 * `running` says the thread is between its start and the moment it found
 * the list empty with `linger` false; `joinable` says a thread was started
 * and not joined.  All under `lock`; `more` signals a task or the end of
 * `linger`. */
struct sf_reaper {
	pthread_mutex_t lock;
	pthread_cond_t more;
	reaper_task *head, *tail;
	bool linger;
	bool running;
	bool joinable;
	pthread_t thread;
};

sf_reaper *sf__reaper_new(void)
{
	sf_reaper *reaper = calloc(1, sizeof(*reaper));

	if (!reaper)
		return NULL;
	if (pthread_mutex_init(&reaper->lock, NULL) != 0) {
		free(reaper);
		return NULL;
	}
	if (pthread_cond_init(&reaper->more, NULL) != 0) {
		pthread_mutex_destroy(&reaper->lock);
		free(reaper);
		return NULL;
	}
	return reaper;
}

static void *reaper_main(void *arg)
{
	sf_reaper *reaper = arg;

	for (;;) {
		reaper_task *task;
		pthread_mutex_lock(&reaper->lock);
		while (!reaper->head && reaper->linger)
			pthread_cond_wait(&reaper->more, &reaper->lock);
		task = reaper->head;
		if (!task) {
			reaper->running = false;
			pthread_mutex_unlock(&reaper->lock);
			return NULL;
		}
		reaper->head = task->next;
		if (!reaper->head)
			reaper->tail = NULL;
		pthread_mutex_unlock(&reaper->lock);
		task->release(task->object);
		free(task);
	}
}

void sf__reaper_release(sf_reaper *reaper, void (*release)(void *object), void *object, size_t size)
{
	reaper_task *task = reaper && size <= SIZE_MAX - sizeof(*task) ? malloc(sizeof(*task) + size) : NULL;
	bool started = true;

	if (!task) {
		release(object);
		return;
	}
	task->release = release;
	task->next = NULL;
	memcpy(task->object, object, size);
	pthread_mutex_lock(&reaper->lock);
	reaper->linger = true;
	if (reaper->running) {
		if (reaper->tail)
			reaper->tail->next = task;
		else
			reaper->head = task;
		reaper->tail = task;
		pthread_cond_signal(&reaper->more);
		pthread_mutex_unlock(&reaper->lock);
		return;
	}
	/* The last thread found nothing more to do and is ending (or was
	 * never started): a new one takes this task. */
	if (reaper->joinable)
		pthread_join(reaper->thread, NULL);
	reaper->joinable = false;
	reaper->head = reaper->tail = task;
	reaper->running = true;
	if (pthread_create(&reaper->thread, NULL, reaper_main, reaper) != 0) {
		reaper->head = reaper->tail = NULL;
		reaper->running = false;
		started = false;
	}
	reaper->joinable = started;
	pthread_mutex_unlock(&reaper->lock);
	if (!started) {
		free(task);
		release(object);
	}
}

void sf__reaper_let_go(sf_reaper *reaper)
{
	if (!reaper)
		return;
	pthread_mutex_lock(&reaper->lock);
	reaper->linger = false;
	pthread_cond_signal(&reaper->more);
	pthread_mutex_unlock(&reaper->lock);
}

void sf__reaper_free(sf_reaper *reaper)
{
	if (!reaper)
		return;
	/* The thread ends once the list is empty, and only this reaper's
	 * owner could add to it. */
	sf__reaper_let_go(reaper);
	if (reaper->joinable)
		pthread_join(reaper->thread, NULL);
	pthread_cond_destroy(&reaper->more);
	pthread_mutex_destroy(&reaper->lock);
	free(reaper);
}
