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
/* Fewer definitions format faster than a thread starts.  python3.11's
 * 596 took 1 ms alone, 0.7 ms with a helper, with the other core idle. */
#define PARALLEL_MIN 256
#define MAX_JOBS 8
#define CHUNK 64

typedef struct text_chunks {
	const sf_report *report;
	const sf_emit_options *opts;
	const size_t *order;
	sf_buf *bufs;               /* a helper's text of each chunk */
	sf_chunk_queue chunks;
} text_chunks;

static void *helper_main(void *arg)
{
	text_chunks *c = arg;
	size_t k, begin, end;

	while (sf__chunk_take(&c->chunks, false, &k, &begin, &end))
		format_range(&c->bufs[k], c->report, c->opts, NULL, c->order, begin, end);
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
	text_chunks c = { report, opts, order, NULL, { .count = 0 } };
	size_t chunks = (shown + CHUNK - 1) / CHUNK, k, begin, end;
	pthread_t threads[MAX_JOBS];
	unsigned started = 0;

	c.bufs = calloc(chunks, sizeof(*c.bufs));
	if (!c.bufs)
		return false;
	sf__chunk_queue_init(&c.chunks, shown, CHUNK);
	for (unsigned t = 1; t < jobs; t++)
		if (pthread_create(&threads[started], NULL, helper_main, &c) == 0)
			started++;
	while (sf__chunk_take(&c.chunks, true, &k, &begin, &end))
		format_range(buf, report, opts, NULL, order, begin, end);
	for (unsigned t = 0; t < started; t++)
		pthread_join(threads[t], NULL);
	/* Every chunk from the first the helpers took on is theirs. */
	for (k = sf__chunk_queue_release(&c.chunks); k < chunks; k++) {
		if (c.bufs[k].failed)
			buf->failed = 1;
		else if (c.bufs[k].len)
			sf__buf_put(buf, c.bufs[k].data, c.bufs[k].len);
		sf_buf_free(&c.bufs[k]);
	}
	free(c.bufs);
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
