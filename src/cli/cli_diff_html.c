/* `diff --format=html`: loads OLD and NEW as reports and writes the side-by-side page. */
#include "cli_diff_html.h"

#include "cli_exit.h"
#include "cli_output.h"

#include <string.h>

/* One side of the diff as a report; a JSON baseline has no layout to draw. */
static int load_side(const cli_inputs *in, char *file, sf_model **model, sf_report **report)
{
	cli_inputs side = *in;
	size_t len = strlen(file);

	if (len > 5 && strcmp(file + len - 5, ".json") == 0) {
		cli_error("%s: diff --format=html draws layouts and needs ELF inputs, not a baseline", file);
		return CLI_EXIT_USAGE;
	}
	side.files = &file;
	side.file_count = 1;
	return cli_inputs_load(&side, 1, model, report);
}

int cli_diff_html(const cli_inputs *in, const sf_findings *changes, sf_buf *buf)
{
	sf_model *old_model = NULL, *new_model = NULL;
	sf_report *old_report = NULL, *new_report = NULL;
	sf_buf findings = SF_BUF_INIT;
	int code;
	int rc;

	code = load_side(in, in->files[0], &old_model, &old_report);
	if (old_report)
		code = cli_exit_worst(code, load_side(in, in->files[1], &new_model, &new_report));
	if (!old_report || !new_report)
		goto done;
	rc = sf_emit_findings(&findings, changes, SF_FINDINGS_JSON, NULL);
	if (rc == 0)
		rc = sf_emit_html_diff(buf, old_report, new_report, findings.data, findings.len, NULL);
	if (rc != 0 || buf->failed) {
		cli_error("%s", rc != 0 ? sf_error_last() : "out of memory");
		code = cli_exit_worst(code, CLI_EXIT_INTERNAL);
	}
done:
	sf_buf_free(&findings);
	sf_report_free(old_report);
	sf_report_free(new_report);
	sf_model_free(old_model);
	sf_model_free(new_model);
	return code;
}
