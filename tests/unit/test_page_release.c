/* Tests of handing walked section pages back to the kernel: which bytes
 * count as the file's own (elf/elf_mapped.c), and that dropping them
 * (sf__dw_drop_pages) frees their memory and keeps every byte readable;
 * and of a cursor dropping its decoded abbreviation tables between units
 * (sf__dw_cursor_trim). */
#include <criterion/criterion.h>

#include "dwarf/die_reader_impl.h"
#include "elf/elf_image.h"

#include <structfit/error.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define FILE_BYTES (UINT64_C(2) << 20)

/* A temporary file of FILE_BYTES with a byte pattern, unlinked; its fd. */
static int pattern_file(void)
{
	char path[] = "/tmp/structfit-pages-XXXXXX";
	int fd = mkstemp(path);
	unsigned char *buffer = malloc(FILE_BYTES);

	cr_assert(fd >= 0 && buffer);
	unlink(path);
	for (uint64_t i = 0; i < FILE_BYTES; i++)
		buffer[i] = (unsigned char)(i * 7 + i / 4096);
	cr_assert(write(fd, buffer, FILE_BYTES) == (ssize_t)FILE_BYTES);
	free(buffer);
	return fd;
}

/* Resident kB of the mapping starting at `start`, from /proc/self/smaps. */
static long resident_kb(const void *start)
{
	char line[512], head[32];
	FILE *smaps = fopen("/proc/self/smaps", "r");
	bool in_mapping = false;
	long kb = -1;

	cr_assert(smaps);
	snprintf(head, sizeof(head), "%lx-", (unsigned long)(uintptr_t)start);
	while (fgets(line, sizeof(line), smaps)) {
		if (strncmp(line, head, strlen(head)) == 0)
			in_mapping = true;
		else if (in_mapping && sscanf(line, "Rss: %ld kB", &kb) == 1)
			break;
	}
	fclose(smaps);
	return kb;
}

static sf_dw_image image_over(const unsigned char *data, uint64_t size, bool file_backed)
{
	sf_dw_image image;

	memset(&image, 0, sizeof(image));
	image.spaces[SF_DW_INFO].data = data;
	image.spaces[SF_DW_INFO].size = size;
	image.spaces[SF_DW_INFO].file_backed = file_backed;
	return image;
}

static uint64_t checksum(const unsigned char *p, uint64_t size)
{
	uint64_t sum = 0;
	for (uint64_t i = 0; i < size; i++)
		sum = sum * 31 + p[i];
	return sum;
}

Test(page_release, read_only_file_mapping_counts_as_the_files_own)
{
	int fd = pattern_file();
	void *map = mmap(NULL, FILE_BYTES, PROT_READ, MAP_PRIVATE, fd, 0);

	cr_assert(map != MAP_FAILED);
	cr_expect(sf__elf_file_mapped(map, FILE_BYTES));
	cr_expect(sf__elf_file_mapped((const char *)map + 4096, 8192));
	/* Past the mapping's end is not inside it. */
	cr_expect(!sf__elf_file_mapped(map, FILE_BYTES + 4096));
	munmap(map, FILE_BYTES);
	close(fd);
}

Test(page_release, heap_and_writable_mappings_do_not_count)
{
	int fd = pattern_file();
	unsigned char *heap = malloc(FILE_BYTES);
	void *writable = mmap(NULL, FILE_BYTES, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	void *anonymous = mmap(NULL, FILE_BYTES, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	cr_assert(heap && writable != MAP_FAILED && anonymous != MAP_FAILED);
	memset(heap, 1, FILE_BYTES);
	/* Dropping pages of any of these would lose bytes or turn them to zero. */
	cr_expect(!sf__elf_file_mapped(heap, FILE_BYTES));
	cr_expect(!sf__elf_file_mapped(writable, FILE_BYTES));
	cr_expect(!sf__elf_file_mapped(anonymous, FILE_BYTES));
	cr_expect(!sf__elf_file_mapped(NULL, 0));
	free(heap);
	munmap(writable, FILE_BYTES);
	munmap(anonymous, FILE_BYTES);
	close(fd);
}

Test(page_release, dropped_pages_leave_memory_and_read_back_unchanged)
{
	int fd = pattern_file();
	const unsigned char *map = mmap(NULL, FILE_BYTES, PROT_READ, MAP_PRIVATE, fd, 0);
	sf_dw_image image;
	uint64_t before;
	long resident;

	cr_assert(map != MAP_FAILED);
	image = image_over(map, FILE_BYTES, true);
	before = checksum(map, FILE_BYTES);
	resident = resident_kb(map);
	cr_assert(resident >= (long)(FILE_BYTES / 1024) - 64, "mapped pages resident: %ld kB", resident);
	sf__dw_drop_pages(&image, SF_DW_INFO, 0, FILE_BYTES);
	resident = resident_kb(map);
	cr_expect(resident >= 0 && resident < 64, "after the drop: %ld kB", resident);
	cr_expect(checksum(map, FILE_BYTES) == before);
	munmap((void *)map, FILE_BYTES);
	close(fd);
}

Test(page_release, only_whole_pages_inside_the_range_and_never_heap_bytes)
{
	unsigned char *heap = malloc(FILE_BYTES);
	sf_dw_image image;
	uint64_t before;

	cr_assert(heap);
	for (uint64_t i = 0; i < FILE_BYTES; i++)
		heap[i] = (unsigned char)(i * 13);
	before = checksum(heap, FILE_BYTES);
	/* Not the file's own: nothing may happen to them. */
	image = image_over(heap, FILE_BYTES, false);
	sf__dw_drop_pages(&image, SF_DW_INFO, 0, FILE_BYTES);
	cr_expect(checksum(heap, FILE_BYTES) == before);
	/* Out-of-range and empty ranges are ignored. */
	image = image_over(heap, FILE_BYTES, false);
	sf__dw_drop_pages(&image, SF_DW_INFO, 10, 5);
	sf__dw_drop_pages(&image, SF_DW_INFO, 0, FILE_BYTES + 1);
	sf__dw_drop_pages(&image, SF_DW_SPACES, 0, 1);
	cr_expect(checksum(heap, FILE_BYTES) == before);
	free(heap);
}

/* Abbreviation codes per table: their decoded form is a few hundred KB. */
#define ABBREV_CODES 1500u
#define ABBREV_TABLES 64u

static size_t put_uleb(unsigned char *p, uint64_t value)
{
	size_t n = 0;

	do {
		unsigned char byte = value & 0x7f;
		value >>= 7;
		p[n++] = byte | (value ? 0x80 : 0);
	} while (value);
	return n;
}

/* ABBREV_TABLES copies of one table (codes 1..ABBREV_CODES, each a
 * DW_TAG_variable with a DW_AT_name of DW_FORM_data1); *table_size gets
 * the size of one. */
static unsigned char *abbrev_section(size_t *size, size_t *table_size)
{
	unsigned char *data = malloc((size_t)ABBREV_TABLES * ABBREV_CODES * 8 + ABBREV_TABLES), *p = data;

	cr_assert_not_null(data);
	for (unsigned t = 0; t < ABBREV_TABLES; t++) {
		for (unsigned code = 1; code <= ABBREV_CODES; code++) {
			p += put_uleb(p, code);
			*p++ = DW_TAG_variable;
			*p++ = DW_CHILDREN_no;
			*p++ = DW_AT_name;
			*p++ = DW_FORM_data1;
			*p++ = 0;
			*p++ = 0;
		}
		*p++ = 0;
		if (t == 0)
			*table_size = (size_t)(p - data);
	}
	*size = (size_t)(p - data);
	return data;
}

Test(page_release, cursor_trim_drops_abbreviation_tables_once_they_are_many)
{
	size_t size, table_size = 0;
	unsigned char *abbrev = abbrev_section(&size, &table_size);
	sf_dwarf_sections sections = { .abbrev = { .data = abbrev, .size = size } };
	sf_dw_image image;
	sf_dw_cursor cursor;
	const sf_dw_abbrevs *first = NULL, *t;
	unsigned dropped_at = 0;

	memset(&image, 0, sizeof(image));
	image.spaces[SF_DW_INFO].sections = &sections;
	cr_assert_eq(sf__dw_cursor_init(&cursor, &image), 0);
	for (unsigned i = 0; i < ABBREV_TABLES && !dropped_at; i++) {
		sf_dw_unit unit = { .abbrev_offset = i * table_size, .version = 4, .offset_size = 4,
				    .address_size = 8, .space = SF_DW_INFO };
		cr_assert_eq(sf__dw_abbrevs_for(&cursor, &unit, &t), 0, "%s", sf_error_last());
		cr_assert_eq(t->dense_count, ABBREV_CODES + 1);
		cr_assert_eq(t->dense[ABBREV_CODES].tag, DW_TAG_variable);
		if (i == 0)
			first = t;
		cr_assert_eq(sf__dw_cursor_trim(&cursor), 0);
		if (!cursor.last) {
			dropped_at = i;
			break;
		}
		/* Kept: the first unit's table is found, not decoded again. */
		sf_dw_unit again = { .abbrev_offset = 0, .version = 4, .offset_size = 4, .address_size = 8,
				     .space = SF_DW_INFO };
		cr_assert_eq(sf__dw_abbrevs_for(&cursor, &again, &t), 0);
		cr_expect_eq(t, first, "table %u: the kept table was decoded again", i);
	}
	cr_assert_gt(dropped_at, 1, "the tables were never dropped, or dropped at once");
	cr_expect_eq(sf__arena_used(cursor.arena), 0);
#ifndef STRUCTFIT_ARENA_MALLOC
	cr_expect_gt(sf__arena_pool_count(&cursor.pool), 0, "the dropped tables' blocks are not kept");
#endif
	/* Decoded again after the drop, the same. */
	sf_dw_unit unit = { .abbrev_offset = 0, .version = 4, .offset_size = 4, .address_size = 8,
			    .space = SF_DW_INFO };
	cr_assert_eq(sf__dw_abbrevs_for(&cursor, &unit, &t), 0);
	cr_expect_eq(t->dense_count, ABBREV_CODES + 1);
	cr_expect_eq(t->dense[1].tag, DW_TAG_variable);
	cr_expect_eq(t->dense[1].spec_count, 1);
	sf__dw_cursor_release(&cursor);
	free(abbrev);
}
