/* Whether a section's bytes are the file's own pages, which the DWARF
 * layer may hand back to the kernel once it has read them. */
#include "elf/elf_image.h"

#include <inttypes.h>
#include <stdio.h>

/*
 * libelf maps a file read-only and private for ELF_C_READ_MMAP, but reads
 * it into the heap when it cannot map it; dropping heap pages would lose
 * their bytes, so only a range inside one read-only private mapping of a
 * file (an inode) counts.  /proc/self/maps is the one place that says so;
 * elsewhere nothing counts, and pages simply stay resident.
 */
bool sf__elf_file_mapped(const void *data, uint64_t size)
{
#ifdef __linux__
	const uintptr_t start = (uintptr_t)data;
	char line[512];
	bool found = false;
	FILE *maps;

	if (!data || size == 0 || start + size < start)
		return false;
	maps = fopen("/proc/self/maps", "re");
	if (!maps)
		return false;
	while (!found && fgets(line, sizeof(line), maps)) {
		uintptr_t lo = 0, hi = 0;
		unsigned long long inode = 0;
		char perms[8] = "";
		/* "lo-hi perms offset dev inode path" */
		if (sscanf(line, "%" SCNxPTR "-%" SCNxPTR " %7s %*s %*s %llu", &lo, &hi, perms, &inode) != 4)
			continue;
		if (start >= lo && start + size <= hi)
			found = inode != 0 && perms[0] == 'r' && perms[1] == '-' && perms[3] == 'p';
	}
	fclose(maps);
	return found;
#else
	(void)data;
	(void)size;
	return false;
#endif
}
