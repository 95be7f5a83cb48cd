/* Frees that need not hold up the caller, run in order on a thread of their own. */
#ifndef SF_UTIL_REAPER_H
#define SF_UTIL_REAPER_H

#include <stddef.h>

/*
 * The end of a load frees what only the load used (the inflated
 * sections, the workers' models, the ELF handle): a few milliseconds on
 * one core while the others idle, before the report can start.  A reaper
 * takes them over and runs them on its thread, one after the other in
 * the order given, while the caller goes on.
 *
 * The thread starts with the first release and waits for more until
 * sf__reaper_let_go(); it then ends once it has none left, and a later
 * one starts another.  sf__reaper_free() waits for every release, so
 * nothing a reaper was given outlives its owner.
 */
typedef struct sf_reaper sf_reaper;

/* A new reaper, or NULL when there is no memory for one: callers then
 * free at once, so NULL is a valid reaper everywhere below. */
sf_reaper *sf__reaper_new(void);

/*
 * Releases `object` (what it holds; not its own `size` bytes) with
 * `release`: on a copy of those bytes, on the reaper's thread after the
 * releases given before, the copy freed after; or at once on `object`
 * itself when `reaper` is NULL or no thread or memory can be had.
 * Either way, once this returns, what `object` held is no longer the
 * caller's (released already, or to be); its own bytes are.  A release
 * must not fail, nor touch anything the caller goes on using.
 */
void sf__reaper_release(sf_reaper *reaper, void (*release)(void *object), void *object, size_t size);

/* No release is coming soon (a load ended): the thread ends when it has
 * run those it has, rather than wait.  NULL is a no-op. */
void sf__reaper_let_go(sf_reaper *reaper);

/* Waits for every release given, then frees the reaper.  NULL is a no-op. */
void sf__reaper_free(sf_reaper *reaper);

#endif
