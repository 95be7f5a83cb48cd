/* Tests of handing walked section pages back to the kernel: which bytes
 * count as the file's own (elf/elf_mapped.c), and that dropping them
 * (sf__dw_drop_pages) frees their memory and keeps every byte readable. */
#include <criterion/criterion.h>

#include "dwarf/die_reader.h"
#include "elf/elf_image.h"

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
