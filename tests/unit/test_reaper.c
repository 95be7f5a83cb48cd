/* util/reaper.c: releases run in the order given, on a thread of their
 * own and on a copy of the object, all of them before sf__reaper_free()
 * returns; without a reaper they run at once on the caller's thread and
 * object. */
#include <criterion/criterion.h>

#include <pthread.h>
#include <stdbool.h>
#include <time.h>
#include <unistd.h>

#include "util/reaper.h"

#define TASKS 2000

typedef struct record {
	size_t order[TASKS];
	size_t count;
	pthread_t thread[TASKS];
	pid_t tid[TASKS];          /* kernel ids are not reused at once, unlike pthread_t */
	volatile bool release;   /* set by the test: the first task may end */
	volatile bool done;      /* set by each release */
} record;

typedef struct step {
	record *r;
	size_t index;
	const struct step *seen;   /* where the release found it */
} step;

static step steps[TASKS];

static void note(void *arg)
{
	step *s = arg;
	record *r = s->r;

	s->seen = s;
	r->thread[r->count] = pthread_self();
	r->tid[r->count] = gettid();
	r->order[r->count++] = s->index;
	__atomic_store_n(&r->done, true, __ATOMIC_RELEASE);
}

/* Waits (a second at most) for the test to let it go, so the tasks
 * after it are queued while it runs. */
static void hold(void *arg)
{
	step *s = arg;
	struct timespec pause = { 0, 1000000 };

	for (int i = 0; i < 1000 && !__atomic_load_n(&s->r->release, __ATOMIC_ACQUIRE); i++)
		nanosleep(&pause, NULL);
	note(arg);
}

static bool wait_done(record *r)
{
	struct timespec pause = { 0, 1000000 };

	for (int i = 0; i < 2000; i++) {
		if (__atomic_load_n(&r->done, __ATOMIC_ACQUIRE))
			return true;
		nanosleep(&pause, NULL);
	}
	return false;
}

Test(reaper, tasks_run_in_order_on_another_thread_and_all_before_free)
{
	static record r;
	sf_reaper *reaper = sf__reaper_new();

	cr_assert_not_null(reaper);
	for (size_t i = 0; i < TASKS; i++) {
		steps[i] = (step){ &r, i, NULL };
		/* The first one holds the thread: run() must not wait for it. */
		sf__reaper_release(reaper, i == 0 ? hold : note, &steps[i], sizeof(steps[i]));
	}
	cr_expect_lt(r.count, TASKS, "the caller waited for the tasks");
	__atomic_store_n(&r.release, true, __ATOMIC_RELEASE);
	sf__reaper_free(reaper);
	cr_assert_eq(r.count, TASKS);
	for (size_t i = 0; i < TASKS; i++) {
		cr_assert_eq(r.order[i], i, "task %zu ran as number %zu", r.order[i], i);
		cr_assert(!pthread_equal(r.thread[i], pthread_self()), "task %zu ran on the caller's thread", i);
	}
}

Test(reaper, without_a_reaper_a_task_runs_at_once_on_the_caller)
{
	static record r;

	steps[0] = (step){ &r, 7, NULL };
	sf__reaper_release(NULL, note, &steps[0], sizeof(steps[0]));
	cr_assert_eq(r.count, 1);
	cr_assert_eq(r.order[0], 7);
	cr_assert(pthread_equal(r.thread[0], pthread_self()));
	sf__reaper_let_go(NULL);
	sf__reaper_free(NULL);
}

Test(reaper, a_task_after_let_go_starts_a_thread_again)
{
	static record r;
	sf_reaper *reaper = sf__reaper_new();
	struct timespec pause = { 0, 20000000 };

	cr_assert_not_null(reaper);
	steps[0] = (step){ &r, 0, NULL };
	sf__reaper_release(reaper, note, &steps[0], sizeof(steps[0]));
	sf__reaper_let_go(reaper);
	cr_assert(wait_done(&r), "the first task never ran");
	nanosleep(&pause, NULL);   /* the thread has ended by now, or is ending */
	__atomic_store_n(&r.done, false, __ATOMIC_RELEASE);
	steps[1] = (step){ &r, 1, NULL };
	sf__reaper_release(reaper, note, &steps[1], sizeof(steps[1]));
	cr_assert(wait_done(&r), "a task after sf__reaper_let_go() never ran");
	sf__reaper_free(reaper);
	cr_assert_eq(r.count, 2);
	cr_assert_eq(r.order[1], 1);
	cr_assert(!pthread_equal(r.thread[1], pthread_self()));
}

Test(reaper, a_lingering_thread_takes_tasks_given_later)
{
	static record r;
	sf_reaper *reaper = sf__reaper_new();
	struct timespec pause = { 0, 5000000 };

	cr_assert_not_null(reaper);
	for (size_t i = 0; i < 3; i++) {
		__atomic_store_n(&r.done, false, __ATOMIC_RELEASE);
		steps[i] = (step){ &r, i, NULL };
		sf__reaper_release(reaper, note, &steps[i], sizeof(steps[i]));
		cr_assert(wait_done(&r), "task %zu never ran", i);
		nanosleep(&pause, NULL);   /* the thread waits, idle, for the next */
	}
	sf__reaper_free(reaper);
	cr_assert_eq(r.count, 3);
	cr_assert_eq(r.tid[0], r.tid[2], "the thread did not wait for more");
}

Test(reaper, a_release_gets_a_copy_of_the_object_and_the_caller_may_reuse_its_own)
{
	static record r;
	sf_reaper *reaper = sf__reaper_new();
	step mine = { &r, 5, NULL };

	cr_assert_not_null(reaper);
	sf__reaper_release(reaper, note, &mine, sizeof(mine));
	mine.index = 6;   /* the copy was taken: this is not what is released */
	sf__reaper_free(reaper);
	cr_assert_eq(r.count, 1);
	cr_assert_eq(r.order[0], 5);
	cr_assert_null(mine.seen, "the release ran on the caller's object");

	sf__reaper_release(NULL, note, &mine, sizeof(mine));
	cr_assert_eq(r.order[1], 6);
	cr_assert_eq(mine.seen, &mine, "without a reaper the release runs on the object itself");
}
