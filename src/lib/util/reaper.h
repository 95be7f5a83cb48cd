/* Frees that need not hold up the caller, run in order on a thread of their own. */
#ifndef SF_UTIL_REAPER_H
#define SF_UTIL_REAPER_H

/*
 * The end of a load frees what only the load used (the inflated
 * sections, the workers' models, the ELF handle): a few milliseconds on
 * one core while the others idle, before the report can start.  A reaper
 * takes them over and runs them on its thread, one after the other in
 * the order given, while the caller goes on.
 *
 * The thread starts with the first task and waits for more until
 * sf__reaper_let_go(); it then ends once it has none left, and a later
 * task starts another.  sf__reaper_free() waits for every task, so
 * nothing a reaper was given outlives its owner.
 */
typedef struct sf_reaper sf_reaper;

/* A new reaper, or NULL when there is no memory for one: callers then
 * free at once, so NULL is a valid reaper everywhere below. */
sf_reaper *sf__reaper_new(void);

/* Runs `task(arg)` on the reaper's thread after the tasks given before;
 * at once on the calling thread when `reaper` is NULL or no thread or
 * memory can be had.  A task must not fail, nor use anything the caller
 * goes on using. */
void sf__reaper_run(sf_reaper *reaper, void (*task)(void *arg), void *arg);

/* No task is coming soon (a load ended): the thread ends when it has
 * run those it has, rather than wait.  NULL is a no-op. */
void sf__reaper_let_go(sf_reaper *reaper);

/* Waits for every task given, then frees the reaper.  NULL is a no-op. */
void sf__reaper_free(sf_reaper *reaper);

#endif
