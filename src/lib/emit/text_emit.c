/* The report as text: each struct pahole-style, with its proposal when a plan is given, or the summary table. */
#include <structfit/emit.h>

#include <pthread.h>
#include <stdbool.h>
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
 * core after a load that used them all.  Threads format contiguous runs
 * of the order into buffers of their own, appended in order: the text is
 * the one-thread text.  Plain reports only (no proposals, no profile
 * lines), which read nothing but the report.
 */
#define PARALLEL_MIN 1024   /* fewer definitions format faster than a thread starts */
#define MAX_JOBS 8

typedef struct text_part {
	const sf_report *report;
	const sf_emit_options *opts;
	const size_t *order;
	size_t from, to;
	sf_buf buf;
} text_part;

static void *part_main(void *arg)
{
	text_part *part = arg;

	format_range(&part->buf, part->report, part->opts, NULL, part->order, part->from, part->to);
	return NULL;
}

static unsigned text_jobs(const sf_emit_options *opts, size_t shown)
{
	unsigned jobs;

	if (opts->version < 7 || opts->jobs == 1 || shown < PARALLEL_MIN)
		return 1;
	jobs = sf__jobs_or_online(opts->jobs);
	if (jobs > shown / (PARALLEL_MIN / 2))
		jobs = (unsigned)(shown / (PARALLEL_MIN / 2));
	return jobs > MAX_JOBS ? MAX_JOBS : jobs;
}

static void format_parallel(sf_buf *buf, const sf_report *report, const sf_emit_options *opts,
			    const size_t *order, size_t shown, unsigned jobs)
{
	text_part parts[MAX_JOBS];
	pthread_t threads[MAX_JOBS];
	bool started[MAX_JOBS] = { false };

	for (unsigned t = 0; t < jobs; t++)
		parts[t] = (text_part){ report, opts, order, shown * t / jobs, shown * (t + 1) / jobs, SF_BUF_INIT };
	for (unsigned t = 1; t < jobs; t++)
		started[t] = pthread_create(&threads[t], NULL, part_main, &parts[t]) == 0;
	/* The first run straight into `buf`; a thread that did not start
	 * has its run formatted here. */
	format_range(buf, report, opts, NULL, order, parts[0].from, parts[0].to);
	for (unsigned t = 1; t < jobs; t++) {
		if (started[t])
			pthread_join(threads[t], NULL);
		else
			part_main(&parts[t]);
		if (parts[t].buf.failed)
			buf->failed = 1;
		else if (parts[t].buf.len)
			sf__buf_put(buf, parts[t].buf.data, parts[t].buf.len);
		sf_buf_free(&parts[t].buf);
	}
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
	if (jobs > 1)
		format_parallel(buf, report, opts, order, shown, jobs);
	else
		format_range(buf, report, opts, plan, order, 0, shown);
	free(order);
	if (buf->failed)
		error = sf__fail(SF_ENOMEM, "out of memory while writing the report");
	return error;
}
