/* Allocator size classes: what a request of n bytes really occupies. */
#include "impact/impact_private.h"

#include <string.h>

#include "util/checked.h"
#include "util/fail.h"

/*
 * Sources (sizes are facts of each allocator's configuration; the tables
 * are written out here, not copied code):
 *
 * glibc: malloc/malloc.c, 64-bit: a chunk is the request plus the 8-byte
 *   size field, rounded up to MALLOC_ALIGNMENT (16), at least MINSIZE (32);
 *   usable size = chunk - 8.  The class reported is the chunk, what the
 *   heap gives up per instance (104 and 96 bytes both take 112).  Requests
 *   from M_MMAP_THRESHOLD (128 KiB) on are mmapped; not modelled.
 * jemalloc 5: size classes with LG_QUANTUM 4 (x86-64): 8, then 16..128 in
 *   steps of 16, then four classes per doubling (2^k + j * 2^(k-2),
 *   j = 1..4), small and large alike.
 * tcmalloc: tcmalloc/legacy_size_classes.cc, TCMALLOC_PAGE_SHIFT 13
 *   (8 KiB pages) with 16-byte aligned operator new: table below up to
 *   256 KiB, beyond it whole 8 KiB pages.
 * Go: runtime/sizeclasses.go (Go 1.19, 67 classes up to 32 KiB), beyond
 *   it whole 8 KiB pages.
 * kmalloc: the kmalloc-N slab caches of mm/slab_common.c (8, 16, 32, 64,
 *   96, 128, 192, 256, 512, 1k .. 8k); larger requests get a power-of-two
 *   number of 4 KiB pages.
 */
static const uint32_t tcmalloc_classes[] = {
	8, 16, 32, 48, 64, 80, 96, 112, 128, 144, 160, 176, 192, 208, 224, 240, 256, 272, 288,
	304, 320, 336, 352, 368, 384, 400, 416, 448, 480, 512, 576, 640, 704, 768, 896, 1024,
	1152, 1280, 1408, 1536, 1792, 2048, 2304, 2688, 2816, 3200, 3456, 3584, 4096, 4736,
	5376, 6144, 6528, 7168, 8192, 9472, 10240, 12288, 13568, 14336, 16384, 20480, 24576,
	28672, 32768, 40960, 49152, 57344, 65536, 73728, 81920, 90112, 98304, 106496, 114688,
	131072, 139264, 147456, 163840, 172032, 188416, 204800, 221184, 237568, 262144
};

static const uint32_t go_classes[] = {
	8, 16, 24, 32, 48, 64, 80, 96, 112, 128, 144, 160, 176, 192, 208, 224, 240, 256, 288,
	320, 352, 384, 416, 448, 480, 512, 576, 640, 704, 768, 896, 1024, 1152, 1280, 1408,
	1536, 1792, 2048, 2304, 2688, 3072, 3200, 3456, 4096, 4864, 5376, 6144, 6528, 6784,
	6912, 8192, 9472, 9728, 10240, 10880, 12288, 13568, 14336, 16384, 18432, 19072, 20480,
	21760, 24576, 27264, 28672, 32768
};

static const uint32_t kmalloc_classes[] = {
	8, 16, 32, 64, 96, 128, 192, 256, 512, 1024, 2048, 4096, 8192
};

static const char *const allocator_names[] = {
	"glibc", "jemalloc", "tcmalloc", "go", "kmalloc", "none"
};

int sf_allocator_parse(sf_allocator *out, const char *name)
{
	if (!out || !name)
		return sf__fail(SF_EUSAGE, "sf_allocator_parse: NULL argument");
	for (size_t i = 0; i < sizeof(allocator_names) / sizeof(allocator_names[0]); i++) {
		if (strcmp(name, allocator_names[i]) == 0) {
			*out = (sf_allocator)i;
			return 0;
		}
	}
	return sf__fail(SF_EUSAGE, "unknown allocator '%s' (glibc, jemalloc, tcmalloc, go, kmalloc or none)",
			name);
}

const char *sf_allocator_name(sf_allocator allocator)
{
	if ((unsigned)allocator < sizeof(allocator_names) / sizeof(allocator_names[0]))
		return allocator_names[allocator];
	return "unknown";
}

static uint64_t from_table(const uint32_t *table, size_t count, uint64_t size)
{
	size_t lo = 0, hi = count;

	/* The first class >= size. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (table[mid] < size)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < count ? table[lo] : 0;
}

static uint64_t round_up(uint64_t size, uint64_t unit)
{
	return sf__roundup_sat_u64(size, unit);
}

static uint64_t jemalloc_class(uint64_t size)
{
	uint64_t base = 128;

	if (size <= 8)
		return 8;
	if (size <= 128)
		return round_up(size, 16);
	/* Groups of four per doubling above 128: spacing base / 4. */
	while (base < UINT64_MAX / 2 && size > base * 2)
		base *= 2;
	return round_up(size, base / 4);
}

int sf_allocator_size_class(uint64_t *out, sf_allocator allocator, uint64_t size)
{
	uint64_t cls = 0;

	if (!out)
		return sf__fail(SF_EUSAGE, "sf_allocator_size_class: NULL argument");
	if (size > (UINT64_C(1) << 62))
		return sf__fail(SF_ENOMEM, "size class of %llu bytes: too large", (unsigned long long)size);
	switch (allocator) {
	case SF_ALLOCATOR_GLIBC:
		cls = round_up(size + 8, 16);
		if (cls < 32)
			cls = 32;
		break;
	case SF_ALLOCATOR_JEMALLOC:
		cls = jemalloc_class(size);
		break;
	case SF_ALLOCATOR_TCMALLOC:
		cls = from_table(tcmalloc_classes, sizeof(tcmalloc_classes) / sizeof(tcmalloc_classes[0]),
				 size ? size : 1);
		if (!cls)
			cls = round_up(size, 8192);
		break;
	case SF_ALLOCATOR_GO:
		cls = from_table(go_classes, sizeof(go_classes) / sizeof(go_classes[0]), size ? size : 1);
		if (!cls)
			cls = round_up(size, 8192);
		break;
	case SF_ALLOCATOR_KMALLOC:
		cls = from_table(kmalloc_classes, sizeof(kmalloc_classes) / sizeof(kmalloc_classes[0]),
				 size ? size : 1);
		if (!cls) {
			cls = 4096;
			while (cls < size)
				cls *= 2;
		}
		break;
	case SF_ALLOCATOR_NONE:
		cls = size;
		break;
	default:
		return sf__fail(SF_EUSAGE, "unknown allocator %d", (int)allocator);
	}
	*out = cls;
	return 0;
}
