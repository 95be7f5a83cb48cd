/* The unit listing: unit headers of .debug_info, .debug_types and the dwz
 * file, type-unit signatures, the distinct-strings check, and handing
 * walked pages back. */
#include "dwarf/die_reader_impl.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "util/fail.h"

static int corrupt_header(const sf_dw_image *image, unsigned space, uint64_t offset, const char *what)
{
	return sf__fail(SF_EINVALID, "%s: corrupt DWARF: %s in unit header at 0x%llx%s", sf__dw_image_name(image),
			what, (unsigned long long)offset,
			space == SF_DW_ALT ? " of the dwz file" : space == SF_DW_TYPES ? " in .debug_types" : "");
}

static int push_unit(sf_dw_space_units *s, size_t *capacity, const sf_dw_unit *unit)
{
	if (s->count == *capacity) {
		size_t grown = *capacity ? *capacity * 2 : 64;
		sf_dw_unit *units = realloc(s->units, grown * sizeof(*units));
		if (!units)
			return sf__fail(SF_ENOMEM, "out of memory");
		s->units = units;
		*capacity = grown;
	}
	s->units[s->count++] = *unit;
	return 0;
}

int sf__dw_signature_push(sf_dw_image *image, size_t *capacity, const sf_dw_unit *unit)
{
	if (image->signature_count == *capacity) {
		size_t grown = *capacity ? *capacity * 2 : 64;
		sf_dw_signature *items = realloc(image->signatures, grown * sizeof(*items));
		if (!items)
			return sf__fail(SF_ENOMEM, "out of memory");
		image->signatures = items;
		*capacity = grown;
	}
	image->signatures[image->signature_count++] = (sf_dw_signature){
		.signature = unit->signature, .die_offset = unit->type_offset, .space = unit->space
	};
	return 0;
}

int sf__dw_unit_header(const sf_dw_image *image, unsigned space, const uint8_t *data, uint64_t size,
		       uint64_t offset, sf_dw_unit *u)
{
	const bool be = image->big_endian;
	const uint8_t *p = data + offset, *end = data + size;
	uint64_t length;

	memset(u, 0, sizeof(*u));
	u->offset = offset;
	u->space = (uint8_t)space;
	if (end - p < 4)
		return corrupt_header(image, space, offset, "truncated length");
	length = sf__dw_read_uint(p, 4, be);
	p += 4;
	u->offset_size = 4;
	if (length == 0xffffffffu) {
		if (end - p < 8)
			return corrupt_header(image, space, offset, "truncated length");
		length = sf__dw_read_uint(p, 8, be);
		p += 8;
		u->offset_size = 8;
	} else if (length >= 0xfffffff0u) {
		return corrupt_header(image, space, offset, "reserved length value");
	}
	if (length > (uint64_t)(end - p) || length < 2)
		return corrupt_header(image, space, offset, "unit length beyond the section");
	end = p + length;
	u->end = (uint64_t)(end - data);
	u->version = (uint8_t)sf__dw_read_uint(p, 2, be);
	p += 2;
	if (u->version < 2 || u->version > 5)
		return corrupt_header(image, space, offset, "unsupported DWARF version");
	if (u->version < 5) {
		if ((uint64_t)(end - p) < u->offset_size + 1u)
			return corrupt_header(image, space, offset, "truncated header");
		u->abbrev_offset = sf__dw_read_uint(p, u->offset_size, be);
		p += u->offset_size;
		u->address_size = *p++;
		u->unit_type = space == SF_DW_TYPES ? DW_UT_type : DW_UT_compile;
	} else {
		if ((uint64_t)(end - p) < u->offset_size + 2u)
			return corrupt_header(image, space, offset, "truncated header");
		u->unit_type = *p++;
		u->address_size = *p++;
		u->abbrev_offset = sf__dw_read_uint(p, u->offset_size, be);
		p += u->offset_size;
		if (u->unit_type == DW_UT_skeleton || u->unit_type == DW_UT_split_compile) {
			if (end - p < 8)
				return corrupt_header(image, space, offset, "truncated header");
			u->dwo_id = sf__dw_read_uint(p, 8, be);
			p += 8;
		}
	}
	if (u->unit_type == DW_UT_type || u->unit_type == DW_UT_split_type) {
		uint64_t type_offset;
		if ((uint64_t)(end - p) < 8u + u->offset_size)
			return corrupt_header(image, space, offset, "truncated type unit header");
		u->signature = sf__dw_read_uint(p, 8, be);
		p += 8;
		type_offset = sf__dw_read_uint(p, u->offset_size, be);
		p += u->offset_size;
		if (type_offset >= length)
			return corrupt_header(image, space, offset, "type offset outside the unit");
		u->type_offset = offset + type_offset;
	}
	if (u->address_size != 4 && u->address_size != 8 && u->address_size != 2)
		return corrupt_header(image, space, offset, "unsupported address size");
	u->die_offset = (uint64_t)(p - data);
	/* The DWARF 5 default: the table right after the section header;
	 * DWARF 4's GNU_str_index tables (.dwo) have no header. */
	if (u->version >= 5)
		u->str_offsets_base = u->offset_size == 8 ? 16 : 8;
	return 0;
}

static int cmp_signature(const void *a, const void *b)
{
	const sf_dw_signature *x = a, *y = b;
	return x->signature < y->signature ? -1 : x->signature > y->signature;
}

static int list_space(sf_dw_image *image, unsigned space, uint64_t limit, size_t *sig_capacity)
{
	sf_dw_space_units *s = &image->spaces[space];
	size_t capacity = 0;
	uint64_t offset = 0, dropped = 0;

	while (offset < s->size && offset < limit) {
		sf_dw_unit u;
		int res = sf__dw_unit_header(image, space, s->data, s->size, offset, &u);
		if (res < 0)
			return res;
		res = push_unit(s, &capacity, &u);
		if (res >= 0 && (u.unit_type == DW_UT_type || u.unit_type == DW_UT_split_type))
			res = sf__dw_signature_push(image, sig_capacity, &u);
		if (res < 0)
			return res;
		offset = u.end;
		/* Each header read maps the pages around it too: most of a
		 * kernel's .debug_info, for a few bytes per unit. */
		if (offset - dropped >= SF_DW_DROP_STEP) {
			sf__dw_drop_pages(image, space, dropped, offset);
			dropped = offset;
		}
	}
	sf__dw_drop_pages(image, space, dropped, offset);
	return 0;
}

int sf__dw_image_open(sf_dw_image *out, const sf_debug_image *image, uint64_t info_limit)
{
	return sf__dw_image_open_spaces(out, image, info_limit, false);
}

int sf__dw_image_open_spaces(sf_dw_image *out, const sf_debug_image *image, uint64_t info_limit,
			     bool later_info)
{
	size_t sig_capacity = 0;
	int res = 0;

	memset(out, 0, sizeof(*out));
	/* Everything is read at once: its bytes must all be there, and a
	 * section that fails to inflate fails the open as it would have
	 * failed the read. */
	if (!later_info && image->sections.info.arriving)
		res = sf__elf_stream_result(image->sections.info.arriving);
	if (res >= 0 && image->alt_sections.info.arriving)
		res = sf__elf_stream_result(image->alt_sections.info.arriving);
	if (res < 0)
		return res;
	out->name = image->display_name;
	out->big_endian = image->big_endian;
	out->alt_str = image->alt_str;
	out->alt_str_size = image->alt_str_size;
	out->spaces[SF_DW_INFO] = (sf_dw_space_units){
		.data = image->sections.info.data, .size = image->sections.info.size,
		.sections = &image->sections, .file_backed = image->sections.info.file_backed
	};
	out->spaces[SF_DW_TYPES] = (sf_dw_space_units){
		.data = image->sections.types.data, .size = image->sections.types.size,
		.sections = &image->sections, .file_backed = image->sections.types.file_backed
	};
	out->spaces[SF_DW_ALT] = (sf_dw_space_units){
		.data = image->alt_sections.info.data, .size = image->alt_sections.info.size,
		.sections = &image->alt_sections, .file_backed = image->alt_sections.info.file_backed
	};
	for (unsigned space = 0; space < SF_DW_SPACES && res >= 0; space++)
		if (out->spaces[space].data && !(later_info && space == SF_DW_INFO))
			res = list_space(out, space, space == SF_DW_INFO ? info_limit : UINT64_MAX,
					 &sig_capacity);
	/* A .dwp: its units' contributions to the other sections. */
	if (res >= 0 && (image->sections.cu_index.data || image->sections.tu_index.data))
		res = sf__dw_dwp_apply(out);
	if (res < 0)
		goto fail;
	/* qsort with a NULL base is undefined even for zero elements. */
	if (out->signature_count > 1)
		qsort(out->signatures, out->signature_count, sizeof(*out->signatures), cmp_signature);
	return 0;
fail:
	sf__dw_image_close(out);
	return res;
}

void sf__dw_image_close(sf_dw_image *image)
{
	for (unsigned space = 0; space < SF_DW_SPACES; space++)
		free(image->spaces[space].units);
	free(image->signatures);
	if (image->feed)
		image->feed_ops->free(image->feed);
	memset(image, 0, sizeof(*image));
}

void sf__dw_drop_pages(const sf_dw_image *image, unsigned space, uint64_t from, uint64_t to)
{
	const sf_dw_space_units *s;
	uintptr_t page, lo, hi;
	long page_size = sysconf(_SC_PAGESIZE);

	if (space >= SF_DW_SPACES || page_size <= 0)
		return;
	s = &image->spaces[space];
	if (!s->file_backed || !s->data || from >= to || to > s->size)
		return;
	/* Whole pages only: the bytes around the range may still be read. */
	page = (uintptr_t)page_size;
	lo = ((uintptr_t)(s->data + from) + page - 1) & ~(page - 1);
	hi = (uintptr_t)(s->data + to) & ~(page - 1);
	if (lo < hi)
		(void)madvise((void *)lo, hi - lo, MADV_DONTNEED);
}

const sf_dw_unit *sf__dw_unit_at(const sf_dw_image *image, unsigned space, uint64_t offset)
{
	const sf_dw_space_units *s;
	const sf_dw_unit *units;
	size_t lo = 0, hi;

	if (space >= SF_DW_SPACES)
		return NULL;
	s = &image->spaces[space];
	units = s->units;
	hi = s->count;
	if (space == SF_DW_INFO && image->streaming) {
		if (offset >= s->size)
			return NULL;
		image->feed_ops->view(image->feed, offset, &units, &hi);
	}
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const sf_dw_unit *u = &units[mid];
		if (offset < u->offset)
			hi = mid;
		else if (offset >= u->end)
			lo = mid + 1;
		else
			return u;
	}
	return NULL;
}

bool sf__dw_signature_find(const sf_dw_image *image, uint64_t signature, unsigned *space,
			   uint64_t *die_offset)
{
	size_t lo, hi;

	/* Type units may be anywhere in .debug_info: the table is complete
	 * (and sorted) only once all of it is listed. */
	if (image->streaming)
		image->feed_ops->wait_all(image->feed);
	lo = 0;
	hi = image->signature_count;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const sf_dw_signature *s = &image->signatures[mid];
		if (signature < s->signature) {
			hi = mid;
		} else if (signature > s->signature) {
			lo = mid + 1;
		} else {
			*space = s->space;
			*die_offset = s->die_offset;
			return true;
		}
	}
	return false;
}

static uint64_t string_hash(const uint8_t *p, size_t len)
{
	uint64_t h = UINT64_C(0x9e3779b97f4a7c15) ^ len, word;

	for (; len >= 8; p += 8, len -= 8) {
		memcpy(&word, p, 8);
		h = (h ^ word) * UINT64_C(0xff51afd7ed558ccd);
		h ^= h >> 32;
	}
	word = 0;
	memcpy(&word, p, len);
	h = (h ^ word) * UINT64_C(0xc4ceb9fe1a85ec53);
	return h ^ (h >> 29);
}

bool sf__dw_strings_distinct(const uint8_t *data, uint64_t size)
{
	/* Open addressing over (offset + 1, hash bits); 0 is an empty slot. */
	typedef struct seen {
		uint32_t at;
		uint32_t check;
	} seen;
	seen *table = NULL;
	size_t count = 0, capacity = 64, mask;
	const uint8_t *p, *end;
	bool distinct = false;

	if (!data || size == 0 || size >= UINT32_MAX || data[size - 1] != 0)
		return false;
	end = data + size;
	for (p = data; p < end; p = (const uint8_t *)memchr(p, 0, (size_t)(end - p)) + 1)
		count++;
	while (capacity < 2 * count)
		capacity *= 2;
	table = sf__alloc_cleared(capacity, sizeof(*table));
	if (!table)
		return false;
	mask = capacity - 1;
	for (p = data; p < end;) {
		size_t len = strlen((const char *)p);
		uint64_t h = string_hash(p, len);
		size_t i = (size_t)h & mask;
		for (; table[i].at; i = (i + 1) & mask) {
			const uint8_t *other = data + table[i].at - 1;
			if (table[i].check == (uint32_t)(h >> 32) && memcmp(other, p, len + 1) == 0)
				goto done;
		}
		table[i].at = (uint32_t)(p - data) + 1;
		table[i].check = (uint32_t)(h >> 32);
		p += len + 1;
	}
	distinct = true;
done:
	free(table);
	return distinct;
}
