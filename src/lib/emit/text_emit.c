/* The report as text: each struct pahole-style, with its proposal when a plan is given, or the summary table. */
#include <structfit/emit.h>

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "emit/text_common.h"
#include "layout/selection.h"
#include "util/buf.h"
#include "util/fail.h"
#include "util/jobs.h"

/* Definitions order[from..to) with what goes after each. */
static void format_range(sf_buf *buf, const sf_report *report, const sf_emit_options *opts, const sf_plan *plan,
			 const size_t *order, size_t from, size_t to)
{
	for (size_t k = from; k < to; k++) {
		size_t i = order[k];
		sf__emit_report_entry(buf, &report->entries[i], sf__text_style(opts), report->cacheline);
		sf__emit_impact_line(buf, sf__emit_impact(report, opts), sf__emit_savings_plan(report, opts), i);
		if (plan)
			sf__emit_proposal_text(buf, plan, i, sf__text_style(opts));
	}
}

/*
 * A whole vmlinux's 7,500 definitions took ~15 ms to format, alone on one
 * core after a load that used them all.  The order is cut into chunks of
 * CHUNK definitions.  The calling thread formats chunks from the front,
 * straight into `buf`; helper threads take chunks from the back, each
 * into a buffer of its own, until they meet; the helpers' chunks are then
 * appended in order: the text is the one-thread text.  Who formats how
 * much is decided as they go: a fixed split left the calling thread idle
 * when a helper started late on a busy machine, or the helper idle when
 * the calling thread's definitions were the slower ones.  Plain reports
 * only (no proposals, no profile lines), which read nothing but the
 * report.
 */
#define PARALLEL_MIN 1024   /* fewer definitions format faster than a thread starts */
#define MAX_JOBS 8
#define CHUNK 64

typedef struct text_chunks {
	const sf_report *report;
	const sf_emit_options *opts;
	const size_t *order;
	size_t shown;
	sf_buf *bufs;               /* a helper's text of each chunk */
	pthread_mutex_t lock;
	size_t front, back;         /* chunks [front, back) are not taken yet */
} text_chunks;

static void *helper_main(void *arg)
{
	text_chunks *c = arg;

	for (;;) {
		size_t k;
		pthread_mutex_lock(&c->lock);
		k = c->front < c->back ? --c->back : SIZE_MAX;
		pthread_mutex_unlock(&c->lock);
		if (k == SIZE_MAX)
			break;
		format_range(&c->bufs[k], c->report, c->opts, NULL, c->order, k * CHUNK,
			     (k + 1) * CHUNK < c->shown ? (k + 1) * CHUNK : c->shown);
	}
	return NULL;
}

static unsigned text_jobs(const sf_emit_options *opts, size_t shown)
{
	return opts->version < 7 ? 1 : sf__jobs_for_items(opts->jobs, shown, PARALLEL_MIN, MAX_JOBS);
}

/* Formats order[0, shown) into `buf` with up to `jobs` - 1 helpers; false
 * (nothing written) when their buffers or lock cannot be had. */
static bool format_parallel(sf_buf *buf, const sf_report *report, const sf_emit_options *opts,
			    const size_t *order, size_t shown, unsigned jobs)
{
	text_chunks c = { report, opts, order, shown, NULL, PTHREAD_MUTEX_INITIALIZER, 0, 0 };
	size_t chunks = (shown + CHUNK - 1) / CHUNK, helped;
	pthread_t threads[MAX_JOBS];
	unsigned started = 0;

	c.back = chunks;
	c.bufs = calloc(chunks, sizeof(*c.bufs));
	if (!c.bufs)
		return false;
	for (unsigned t = 1; t < jobs; t++)
		if (pthread_create(&threads[started], NULL, helper_main, &c) == 0)
			started++;
	for (;;) {
		size_t k;
		pthread_mutex_lock(&c.lock);
		k = c.front < c.back ? c.front++ : SIZE_MAX;
		pthread_mutex_unlock(&c.lock);
		if (k == SIZE_MAX)
			break;
		format_range(buf, report, opts, NULL, order, k * CHUNK, (k + 1) * CHUNK < shown ? (k + 1) * CHUNK : shown);
	}
	for (unsigned t = 0; t < started; t++)
		pthread_join(threads[t], NULL);
	/* Every chunk from `front` on is a helper's. */
	helped = c.front;
	for (size_t k = helped; k < chunks; k++) {
		if (c.bufs[k].failed)
			buf->failed = 1;
		else if (c.bufs[k].len)
			sf__buf_put(buf, c.bufs[k].data, c.bufs[k].len);
		sf_buf_free(&c.bufs[k]);
	}
	free(c.bufs);
	pthread_mutex_destroy(&c.lock);
	return true;
}

int sf_emit_text(sf_buf *buf, const sf_report *report, const sf_emit_options *opts)
{
	static const sf_emit_options defaults = SF_EMIT_OPTIONS_INIT;
	const sf_plan *plan = NULL;
	size_t *order = NULL, shown;
	unsigned jobs;
	int error = 0;

	if (!opts)
		opts = &defaults;
	if (opts->summary && sf__emit_impact(report, opts))
		return sf__emit_impact_summary(buf, report, opts, 0);
	if (opts->summary)
		return sf__emit_summary(buf, report, opts);
	error = sf__emit_order(&order, report, opts);
	if (error)
		return error;
	/* A plan made from another report would index other structs. */
	if (opts->version >= 2 && opts->plan && sf_plan_count(opts->plan) == report->count)
		plan = opts->plan;
	shown = sf__emit_shown(opts, report->count);
	jobs = plan || sf__emit_impact(report, opts) ? 1 : text_jobs(opts, shown);
	if (jobs < 2 || !format_parallel(buf, report, opts, order, shown, jobs))
		format_range(buf, report, opts, plan, order, 0, shown);
	free(order);
	if (buf->failed)
		error = sf__fail(SF_ENOMEM, "out of memory while writing the report");
	return error;
}
