/*
 * The target column of the summaries: shown only when the inputs are of
 * several targets (an i386 and an x86-64 build of the same sources), so a
 * single-target summary keeps its columns.
 */
#include "emit/text_common.h"

#include <string.h>

#include <structfit/model.h>

static bool same_target(const sf_file_info *a, const sf_file_info *b)
{
	return a->address_size == b->address_size && !a->big_endian == !b->big_endian &&
	       (a->arch == b->arch || (a->arch && b->arch && strcmp(a->arch, b->arch) == 0));
}

bool sf__emit_mixed_targets(const sf_report *report)
{
	size_t count = report->model ? sf_model_file_count(report->model) : 0;
	const sf_file_info *first = count ? sf_model_file(report->model, 0) : NULL;

	for (size_t i = 1; i < count; i++) {
		const sf_file_info *f = sf_model_file(report->model, i);

		if (first && f && !same_target(first, f))
			return true;
	}
	return false;
}

const char *sf__emit_struct_target(const sf_report *report, const sf_struct *s)
{
	const sf_file_info *f = report->model ? sf_model_file(report->model, s->file_index) : NULL;

	return f && f->arch ? f->arch : "?";
}
