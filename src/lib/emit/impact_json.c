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
		sf__json_u64_field(buf, "reads", info.reads, false);
		sf__json_u64_field(buf, "writes", info.writes, false);
		sf__json_u64_or_null_field(buf, "threads", info.threads, info.threads != 0, false);
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
	sf__json_bool_field(buf, "profiled", info.profiled, true);
	sf__json_bool_field(buf, "counted", info.counted, false);
	sf__json_u64_or_null_field(buf, "allocations", info.allocations, info.counted, false);
	sf__json_u64_or_null_field(buf, "peak_instances", info.peak_instances, info.counted, false);
	sf__json_u64_or_null_field(buf, "max_live", info.max_live, info.counted, false);
	sf__json_u64_or_null_field(buf, "bytes_allocated", info.bytes_allocated, info.counted, false);
	sf__json_key(buf, "sites", false);
	sf__buf_printf(buf, "%" PRIu32, info.site_count);
	sf__json_u64_field(buf, "proposed_size", info.proposed_size, false);
	sf__json_u64_field(buf, "size_class", info.size_class, false);
	sf__json_u64_field(buf, "proposed_size_class", info.proposed_size_class, false);
	sf__json_u64_field(buf, "saved_per_instance", info.saved_per_instance, false);
	sf__json_u64_or_null_field(buf, "saved_at_peak", info.saved_at_peak, info.counted, false);
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
		sf__json_u64_or_null_field(buf, "line", s.line, s.line != 0, false);
		sf__json_u64_or_null_field(buf, "block_size", s.block_size, s.block_size != 0, false);
		sf__json_u64_field(buf, "blocks", s.blocks, false);
		sf__json_string_field(buf, "status", status_name(s.status), false);
		sf__json_key(buf, "type", false);
		if (s.status == SF_SITE_MATCHED)
			type_name(buf, report, s.index);
		else
			sf__buf_puts(buf, "null");
		sf__json_u64_or_null_field(buf, "elements", s.elements, s.status == SF_SITE_MATCHED, false);
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
