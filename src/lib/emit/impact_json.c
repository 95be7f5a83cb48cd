/* JSON of profile data: each struct's `impact` object and the top-level `profile` (schema in docs/json-schema.md). */
#include "emit/text_common.h"

#include <inttypes.h>

#include "impact/impact_private.h"
#include "layout/selection.h"
#include "util/buf.h"
#include "util/json_write.h"

static void member_heat(sf_buf *buf, const sf_impact *impact, size_t index)
{
	const sf_struct *s = impact->report->entries[index].def;
	bool first = true;

	sf__json_key(buf, "members", false);
	sf__buf_putc(buf, '[');
	for (uint32_t m = 0; m < s->member_count; m++) {
		sf_impact_member_info info = SF_IMPACT_MEMBER_INFO_INIT;
		if (sf_impact_member(&info, impact, index, m) != 0)
			continue;
		sf__buf_puts(buf, first ? "{" : ", {");
		first = false;
		sf__json_key(buf, "index", true);
		sf__buf_printf(buf, "%" PRIu32, m);
		sf__json_string_field(buf, "name", s->members[m].name, false);
		sf__json_key(buf, "reads", false);
		sf__json_u64(buf, info.reads);
		sf__json_key(buf, "writes", false);
		sf__json_u64(buf, info.writes);
		sf__json_key(buf, "threads", false);
		sf__json_u64_or_null(buf, info.threads, info.threads != 0);
		sf__json_key(buf, "accesses_per_object", false);
		sf__buf_printf(buf, "%" PRIu64 ".%03" PRIu64, info.milli_accesses_per_object / 1000,
			       info.milli_accesses_per_object % 1000);
		sf__json_string_field(buf, "heat", sf_heat_class_name(info.heat), false);
		sf__buf_putc(buf, '}');
	}
	sf__buf_putc(buf, ']');
}

void sf__emit_impact_json(sf_buf *buf, const sf_impact *impact, const sf_plan *plan, size_t index)
{
	sf_impact_struct_info info = SF_IMPACT_STRUCT_INFO_INIT;

	if (!impact || sf_impact_struct(&info, impact, plan, index) != 0)
		return;
	sf__json_key(buf, "impact", false);
	sf__buf_putc(buf, '{');
	sf__json_key(buf, "profiled", true);
	sf__json_bool(buf, info.profiled);
	sf__json_key(buf, "counted", false);
	sf__json_bool(buf, info.counted);
	sf__json_key(buf, "allocations", false);
	sf__json_u64_or_null(buf, info.allocations, info.counted);
	sf__json_key(buf, "peak_instances", false);
	sf__json_u64_or_null(buf, info.peak_instances, info.counted);
	sf__json_key(buf, "max_live", false);
	sf__json_u64_or_null(buf, info.max_live, info.counted);
	sf__json_key(buf, "bytes_allocated", false);
	sf__json_u64_or_null(buf, info.bytes_allocated, info.counted);
	sf__json_key(buf, "sites", false);
	sf__buf_printf(buf, "%" PRIu32, info.site_count);
	sf__json_key(buf, "proposed_size", false);
	sf__json_u64(buf, info.proposed_size);
	sf__json_key(buf, "size_class", false);
	sf__json_u64(buf, info.size_class);
	sf__json_key(buf, "proposed_size_class", false);
	sf__json_u64(buf, info.proposed_size_class);
	sf__json_key(buf, "saved_per_instance", false);
	sf__json_u64(buf, info.saved_per_instance);
	sf__json_key(buf, "saved_at_peak", false);
	sf__json_u64_or_null(buf, info.saved_at_peak, info.counted);
	if (info.profiled)
		member_heat(buf, impact, index);
	sf__buf_putc(buf, '}');
}

static const char *status_name(sf_site_status status)
{
	switch (status) {
	case SF_SITE_MATCHED: return "matched";
	case SF_SITE_AMBIGUOUS: return "ambiguous";
	default: return "unmatched";
	}
}

static void type_name(sf_buf *buf, const sf_report *report, size_t index)
{
	const sf_struct *s = report->entries[index].def;
	sf__buf_json_string(buf, s->name ? s->name : s->typedef_name);
}

void sf__emit_profile_json(sf_buf *buf, const sf_impact *impact, const sf_report *report)
{
	sf__buf_puts(buf, ",\n\"profile\": {");
	sf__json_string_field(buf, "allocator", sf_allocator_name(impact->allocator), true);
	sf__json_key(buf, "sites", false);
	sf__buf_putc(buf, '[');
	for (size_t i = 0; i < sf_impact_site_count(impact); i++) {
		sf_impact_site_info s = SF_IMPACT_SITE_INFO_INIT;
		if (sf_impact_site(&s, impact, i) != 0)
			continue;
		sf__buf_puts(buf, i ? ",\n{" : "\n{");
		sf__json_string_field(buf, "profile", s.profile, true);
		sf__json_string_field(buf, "function", s.function, false);
		sf__json_string_field(buf, "file", s.file, false);
		sf__json_key(buf, "line", false);
		sf__json_u64_or_null(buf, s.line, s.line != 0);
		sf__json_key(buf, "block_size", false);
		sf__json_u64_or_null(buf, s.block_size, s.block_size != 0);
		sf__json_key(buf, "blocks", false);
		sf__json_u64(buf, s.blocks);
		sf__json_string_field(buf, "status", status_name(s.status), false);
		sf__json_key(buf, "type", false);
		if (s.status == SF_SITE_MATCHED)
			type_name(buf, report, s.index);
		else
			sf__buf_puts(buf, "null");
		sf__json_key(buf, "elements", false);
		sf__json_u64_or_null(buf, s.elements, s.status == SF_SITE_MATCHED);
		sf__json_string_field(buf, "how", s.how, false);
		sf__json_key(buf, "candidates", false);
		sf__buf_putc(buf, '[');
		for (size_t c = 0; c < s.candidate_count; c++) {
			if (c)
				sf__buf_puts(buf, ", ");
			type_name(buf, report, s.candidates[c]);
		}
		sf__buf_puts(buf, "]}");
	}
	sf__buf_puts(buf, sf_impact_site_count(impact) ? "\n]}" : "]}");
}
