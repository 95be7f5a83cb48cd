/* Embedding libstructfit: prints one struct's layout and its smallest member order. */
#include <structfit/structfit.h>

#include <inttypes.h>
#include <stdio.h>

int main(int argc, char **argv)
{
	sf_model *model = NULL;
	sf_report *report = NULL;
	sf_plan *plan = NULL;
	sf_load_options load = SF_LOAD_OPTIONS_INIT;
	sf_report_options select = SF_REPORT_OPTIONS_INIT;
	sf_reorder_options reorder = SF_REORDER_OPTIONS_INIT;
	sf_report_struct_info s = SF_REPORT_STRUCT_INFO_INIT;
	sf_report_member_info m = SF_REPORT_MEMBER_INFO_INIT;
	int error;

	if (argc != 3) {
		fprintf(stderr, "usage: embed FILE STRUCT\n");
		return 2;
	}
	select.name_globs = (const char *const *)&argv[2];
	select.name_glob_count = 1;
	if ((error = sf_model_new(&model)) == 0 && (error = sf_model_load(model, argv[1], &load)) == 0 &&
	    (error = sf_report_build(&report, model, &select)) == 0 &&
	    (error = sf_reorder_plan(&plan, report, &reorder)) == 0)
		error = sf_report_struct(&s, report, 0);
	if (error == 0) {
		printf("struct %s size %" PRIu64 " holes %" PRIu32 " (%" PRIu64 " bytes) padding %" PRIu64 "\n",
		       argv[2], s.size, s.hole_count, s.sum_holes, s.padding);
		for (uint32_t i = 0; i < s.member_count && sf_report_member(&m, report, 0, i) == 0; i++)
			printf("member %s offset %" PRIu64 " size %" PRIu64 " hole %" PRIu64 "\n", m.name ? m.name : "?",
			       m.offset, m.size, m.hole_after);
		for (uint32_t i = 0; sf_plan_member(&m, plan, 0, i) == 0; i++)
			printf("proposed %s offset %" PRIu64 "\n", m.name ? m.name : "?", m.offset);
		printf("size %" PRIu64 " -> %" PRIu64 "\n", s.size, sf_plan_proposal(plan, 0)->size);
	} else {
		fprintf(stderr, "embed: %s\n", sf_error_last());
	}
	sf_plan_free(plan);
	sf_report_free(report);
	sf_model_free(model);
	return error == 0 ? 0 : 1;
}
