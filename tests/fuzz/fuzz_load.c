/* libFuzzer harness: ELF bytes through load, analysis, reordering and both emitters. */
#include <structfit/structfit.h>
#ifdef STRUCTFIT_FUZZ_REORDER
#include <structfit/reorder.h>
#endif

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Archive members fail one by one; the message must be a single line. */
static void on_error(void *ctx, int code, const char *message)
{
	(void)ctx;
	if (code >= 0 || message == NULL || strchr(message, '\n') != NULL)
		__builtin_trap();
}

static void check_message(int rc)
{
	const char *message = sf_error_last();

	if (rc > 0 || message == NULL || strchr(message, '\n') != NULL)
		__builtin_trap();
}

/* Writes the input to an anonymous file: the loader wants a path because
 * ELF is not read front to back, and a memfd leaves no debris behind. */
static int write_all(int fd, const uint8_t *data, size_t size)
{
	while (size > 0) {
		ssize_t n = write(fd, data, size);
		if (n <= 0)
			return -1;
		data += n;
		size -= (size_t)n;
	}
	return 0;
}

static void analyse(const sf_model *model, unsigned cacheline, int summary)
{
	sf_report_options ropts = SF_REPORT_OPTIONS_INIT;
	sf_emit_options eopts = SF_EMIT_OPTIONS_INIT;
	sf_report *report = NULL;
	sf_buf text = SF_BUF_INIT;
	sf_buf json = SF_BUF_INIT;

	ropts.cacheline = cacheline;
	ropts.sort = summary ? SF_SORT_WASTE : SF_SORT_NONE;
	if (sf_report_build(&report, model, &ropts) != 0)
		goto done;
	eopts.summary = summary;
	check_message(sf_emit_text(&text, report, &eopts));
	check_message(sf_emit_json(&json, report, &eopts));
#ifdef STRUCTFIT_FUZZ_REORDER
	{
		sf_reorder_options oopts = SF_REORDER_OPTIONS_INIT;
		sf_plan *plan = NULL;

		/* Small limits: the harness measures robustness, not search quality. */
		oopts.state_cap = 1u << 12;
		oopts.move_budget = 1u << 10;
		if (sf_reorder_plan(&plan, report, &oopts) == 0) {
			for (size_t i = 0; i < sf_plan_count(plan); i++) {
				const sf_proposal *p = sf_plan_proposal(plan, i);
				if (p->size > p->original_size && p->reason == SF_REASON_NONE)
					__builtin_trap();
			}
		}
		sf_plan_free(plan);
	}
#endif
done:
	sf_buf_free(&text);
	sf_buf_free(&json);
	sf_report_free(report);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	sf_load_options lopts = SF_LOAD_OPTIONS_INIT;
	sf_model *model = NULL;
	char path[64];
	int fd;
	int rc;

	fd = memfd_create("structfit-fuzz", MFD_CLOEXEC);
	if (fd < 0)
		return 0;
	if (write_all(fd, data, size) != 0)
		goto done;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if (sf_model_new(&model) != 0)
		goto done;
	lopts.jobs = 1;
	lopts.on_error = on_error;
	rc = sf_model_load(model, path, &lopts);
	check_message(rc);
	/* A failing input may still have contributed (archive members). */
	analyse(model, 64, 0);
	analyse(model, 32, 1);
done:
	sf_model_free(model);
	close(fd);
	return 0;
}
