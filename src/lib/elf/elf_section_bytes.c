/* One section's bytes: bounds-checked against the image and decompressed
 * (SHF_COMPRESSED or GNU .zdebug), for the section reader and the relocator. */
#include "elf/elf_image.h"
#include "elf/elf_inflate.h"

#include "util/checked.h"
#include "util/fail.h"
#include "util/jobs.h"

#include <pthread.h>
#include <string.h>

/* zlib never inflates more than about 1032:1; anything claiming more is
 * corrupt, and the cap keeps a forged header from asking for terabytes. */
#define MAX_INFLATION 1100u
#define MAX_DECOMPRESSED ((uint64_t)1 << 34)

static int check_inflated_size(uint64_t claimed, uint64_t compressed,
			       const char *name, const char *section_name)
{
	uint64_t limit;

	if (!sf__mul_u64(compressed, MAX_INFLATION, &limit) || limit > MAX_DECOMPRESSED)
		limit = MAX_DECOMPRESSED;
	if (claimed > limit)
		return sf__fail(SF_EINVALID,
				"%s: corrupt compressed section %s: claims %llu bytes from %llu",
				name, section_name, (unsigned long long)claimed,
				(unsigned long long)compressed);
	return 0;
}

int sf__elf_section_bytes(Elf_Scn *scn, const GElf_Shdr *shdr, const char *section_name,
			  uint64_t image_size, const char *name,
			  const unsigned char **data, uint64_t *size)
{
	uint64_t end;
	Elf_Data *elf_data;
	int error;

	*data = NULL;
	*size = 0;
	if (shdr->sh_type == SHT_NOBITS || shdr->sh_size == 0)
		return 0;
	if (!sf__add_u64(shdr->sh_offset, shdr->sh_size, &end) || end > image_size)
		return sf__fail(SF_EINVALID, "%s: section %s extends beyond the end of the file",
				name, section_name);

	if (shdr->sh_flags & SHF_COMPRESSED) {
		GElf_Chdr chdr;

		if (gelf_getchdr(scn, &chdr) == NULL)
			return sf__fail(SF_EINVALID, "%s: corrupt compressed section %s: %s",
					name, section_name, elf_errmsg(-1));
		if (chdr.ch_type != ELFCOMPRESS_ZLIB)
			return sf__fail(SF_EUNSUPPORTED,
					"%s: section %s uses compression type %u; only zlib is supported",
					name, section_name, (unsigned)chdr.ch_type);
		error = check_inflated_size(chdr.ch_size, shdr->sh_size, name, section_name);
		if (error)
			return error;
		if (elf_compress(scn, 0, 0) < 0)
			return sf__fail(SF_EINVALID, "%s: corrupt compressed section %s: %s",
					name, section_name, elf_errmsg(-1));
	} else if (strncmp(section_name, ".zdebug", 7) == 0) {
		/* GNU style: "ZLIB", the size as 8 big-endian bytes, the stream. */
		const unsigned char *raw;
		size_t raw_size;
		uint64_t claimed = 0;

		elf_data = elf_rawdata(scn, NULL);
		if (elf_data == NULL || elf_data->d_buf == NULL)
			return sf__fail(SF_EINVALID, "%s: cannot read section %s: %s",
					name, section_name, elf_errmsg(-1));
		raw = elf_data->d_buf;
		raw_size = elf_data->d_size;
		if (raw_size < 12 || memcmp(raw, "ZLIB", 4) != 0)
			return sf__fail(SF_EINVALID,
					"%s: corrupt compressed section %s: no ZLIB header",
					name, section_name);
		for (int i = 4; i < 12; i++)
			claimed = (claimed << 8) | raw[i];
		error = check_inflated_size(claimed, raw_size, name, section_name);
		if (error)
			return error;
		if (elf_compress_gnu(scn, 0, 0) < 0)
			return sf__fail(SF_EINVALID, "%s: corrupt compressed section %s: %s",
					name, section_name, elf_errmsg(-1));
	}

	elf_data = elf_getdata(scn, NULL);
	if (elf_data == NULL)
		return sf__fail(SF_EINVALID, "%s: cannot read section %s: %s",
				name, section_name, elf_errmsg(-1));
	if (elf_data->d_size == 0)
		return 0;
	if (elf_data->d_buf == NULL)
		return sf__fail(SF_EINVALID, "%s: cannot read section %s", name, section_name);
	*data = elf_data->d_buf;
	*size = elf_data->d_size;
	return 0;
}

int sf__elf_section_zlib(Elf_Scn *scn, const GElf_Shdr *shdr, bool is64, const char *section_name,
			 uint64_t image_size, const char *name, sf__deflated *out)
{
	const size_t header = is64 ? sizeof(Elf64_Chdr) : sizeof(Elf32_Chdr);
	uint64_t end;
	GElf_Chdr chdr;
	Elf_Data *raw;
	int error;

	if (!(shdr->sh_flags & SHF_COMPRESSED) || shdr->sh_type == SHT_NOBITS || shdr->sh_size == 0)
		return 0;
	if (!sf__add_u64(shdr->sh_offset, shdr->sh_size, &end) || end > image_size)
		return sf__fail(SF_EINVALID, "%s: section %s extends beyond the end of the file",
				name, section_name);
	/* Anything unusual goes the libelf way, which says what is wrong. */
	if (gelf_getchdr(scn, &chdr) == NULL || chdr.ch_type != ELFCOMPRESS_ZLIB || chdr.ch_size == 0)
		return 0;
	error = check_inflated_size(chdr.ch_size, shdr->sh_size, name, section_name);
	if (error)
		return error;
	raw = elf_rawdata(scn, NULL);
	if (raw == NULL || raw->d_buf == NULL || raw->d_size <= header)
		return 0;
	out->stream = (const unsigned char *)raw->d_buf + header;
	out->stream_size = raw->d_size - header;
	out->size = chdr.ch_size;
	return 1;
}

bool sf__elf_inflate(const sf__deflated *in, unsigned char *out)
{
	return sf__inflater_all(in->stream, in->stream_size, out, in->size);
}

typedef struct inflate_run {
	sf__inflate_job *jobs;
	size_t count;
	size_t next;      /* atomic: the next job to take */
	bool failed;      /* atomic */
} inflate_run;

static void *inflate_worker(void *arg)
{
	inflate_run *run = arg;
	size_t k;

	while ((k = __atomic_fetch_add(&run->next, 1, __ATOMIC_RELAXED)) < run->count)
		if (!sf__elf_inflate(&run->jobs[k].in, run->jobs[k].out)) {
			run->jobs[k].failed = true;
			__atomic_store_n(&run->failed, true, __ATOMIC_RELAXED);
		}
	return NULL;
}

bool sf__elf_inflate_all(sf__inflate_job *jobs, size_t count, unsigned threads)
{
	inflate_run run = { .jobs = jobs, .count = count };
	pthread_t helpers[7];
	size_t started = 0;

	threads = sf__jobs_or_online(threads);
	/* Jobs come largest first: the calling thread takes the biggest and
	 * helpers the rest, up to one thread per job. */
	for (size_t t = 1; t < threads && t < count && t <= 7; t++)
		if (pthread_create(&helpers[started], NULL, inflate_worker, &run) == 0)
			started++;
	inflate_worker(&run);
	for (size_t t = 0; t < started; t++)
		pthread_join(helpers[t], NULL);
	return !run.failed;
}
