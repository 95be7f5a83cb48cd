/* Reading a report's structs and members through the public info structs. */
#include "layout/selection.h"

#include "util/fail.h"

int sf__info_version_check(unsigned version, unsigned current, const char *what)
{
	if (version == 0)
		return sf__fail(SF_EUSAGE, "%s: version 0 (initialize it with its _INIT macro)", what);
	/* A caller built against a newer header expects fields this library
	 * cannot fill; leaving them as they were would pass garbage as data. */
	if (version > current)
		return sf__fail(SF_EUSAGE, "%s: version %u is newer than this library's %u", what, version,
				current);
	return 0;
}

static unsigned public_flags(uint32_t flags)
{
	static const struct {
		uint32_t model;
		unsigned public;
	} map[] = {
		{ SF_MEMBER_BITFIELD, SF_REPORT_MEMBER_BITFIELD },
		{ SF_MEMBER_ANONYMOUS, SF_REPORT_MEMBER_ANONYMOUS },
		{ SF_MEMBER_FLEXIBLE, SF_REPORT_MEMBER_FLEXIBLE },
		{ SF_MEMBER_ZERO_LENGTH, SF_REPORT_MEMBER_ZERO_LENGTH },
		{ SF_MEMBER_BASE_CLASS, SF_REPORT_MEMBER_BASE_CLASS },
		{ SF_MEMBER_VIRTUAL_BASE, SF_REPORT_MEMBER_VIRTUAL_BASE },
		{ SF_MEMBER_OFFSET_UNKNOWN, SF_REPORT_MEMBER_OFFSET_UNKNOWN },
		{ SF_MEMBER_UNKNOWN_TYPE, SF_REPORT_MEMBER_UNKNOWN_TYPE },
		{ SF_MEMBER_DECL_ONLY, SF_REPORT_MEMBER_UNKNOWN_TYPE },
		{ SF_MEMBER_UNSIZED, SF_REPORT_MEMBER_UNSIZED },
	};
	unsigned out = 0;

	/* Mapped one by one so the model's internal bits can change
	 * without changing the public values. */
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		if (flags & map[i].model)
			out |= map[i].public;
	}
	return out;
}

void sf__report_member_fill(sf_report_member_info *out, const sf_struct_layout *layout,
			    uint32_t position, uint32_t index)
{
	const sf_member_layout *ml = &layout->members[position];
	const sf_member *m = ml->member;
	/* Only version 1 exists: every field is the caller's.  A version 2
	 * will copy just the version-1 prefix for version-1 callers. */
	sf_report_member_info info = {
		.version = out->version,
		.index = index,
		.name = m->name,
		.type_name = m->type_name,
		.offset = ml->offset,
		.size = m->size,
		.bit_offset = ml->bit_offset,
		.bit_size = m->bit_size,
		.align = m->align,
		.hole_after = ml->hole_after,
		.bit_hole_after = ml->bit_hole_after,
		.flags = public_flags(m->flags),
	};

	*out = info;
}

static sf_report_kind public_kind(sf_struct_kind kind)
{
	switch (kind) {
	case SF_UNION:
		return SF_REPORT_UNION;
	case SF_CLASS:
		return SF_REPORT_CLASS;
	case SF_STRUCT:
		break;
	}
	return SF_REPORT_STRUCT;
}

int sf_report_struct(sf_report_struct_info *out, const sf_report *report, size_t index)
{
	if (!out || !report)
		return sf__fail(SF_EUSAGE, "sf_report_struct: NULL argument");
	int err = sf__info_version_check(out->version, SF_REPORT_STRUCT_INFO_VERSION,
					 "sf_report_struct_info");
	if (err < 0)
		return err;
	if (index >= report->count)
		return sf__fail(SF_ENOTFOUND, "sf_report_struct: index %zu, the report has %zu structs",
				index, report->count);

	const sf_report_entry *entry = &report->entries[index];
	const sf_struct *s = entry->def;
	const sf_struct_layout *l = entry->layout;
	sf_report_struct_info info = {
		.version = out->version,
		.kind = public_kind(s->kind),
		.name = s->name,
		.typedef_name = s->typedef_name,
		.decl_file = s->decl_file,
		.decl_line = s->decl_line,
		.size = s->size,
		.align = s->align,
		.align_certain = s->align_certain,
		.packed = s->packed,
		.member_count = s->member_count,
		.hole_count = l->hole_count,
		.sum_holes = l->sum_holes,
		.padding = l->padding,
		.cachelines = l->cachelines,
	};

	*out = info;
	return 0;
}

int sf_report_member(sf_report_member_info *out, const sf_report *report, size_t index,
		     uint32_t member)
{
	if (!out || !report)
		return sf__fail(SF_EUSAGE, "sf_report_member: NULL argument");
	int err = sf__info_version_check(out->version, SF_REPORT_MEMBER_INFO_VERSION,
					 "sf_report_member_info");
	if (err < 0)
		return err;
	if (index >= report->count)
		return sf__fail(SF_ENOTFOUND, "sf_report_member: index %zu, the report has %zu structs",
				index, report->count);

	const sf_struct_layout *l = report->entries[index].layout;
	if (member >= l->member_count)
		return sf__fail(SF_ENOTFOUND, "sf_report_member: member %u, the struct has %u",
				(unsigned)member, (unsigned)l->member_count);
	sf__report_member_fill(out, l, member, member);
	return 0;
}
