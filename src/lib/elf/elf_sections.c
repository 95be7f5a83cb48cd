/* Reading an ELF image's DWARF sections: header checks, merging of
 * same-named sections (their bytes come from elf_section_bytes.c), and
 * the notes that name debug files. */
#include "elf/elf_image.h"
#include "elf/input.h"

#include "util/checked.h"
#include "util/fail.h"

#include <stdlib.h>
#include <string.h>

#ifndef NT_GNU_BUILD_ID
#define NT_GNU_BUILD_ID 3
#endif

/* The header table must lie inside the image before libelf walks it. */
static int check_headers(Elf *elf, const char *name, uint64_t image_size,
			 GElf_Ehdr *ehdr, size_t *shnum, size_t *shstrndx)
{
	uint64_t table_size, table_end;
	size_t entry_size;

	if (gelf_getehdr(elf, ehdr) == NULL)
		return sf__fail(SF_EINVALID, "%s: bad ELF header: %s", name, elf_errmsg(-1));
	if (ehdr->e_ident[EI_CLASS] != ELFCLASS32 && ehdr->e_ident[EI_CLASS] != ELFCLASS64)
		return sf__fail(SF_EINVALID, "%s: bad ELF class %u", name,
				(unsigned)ehdr->e_ident[EI_CLASS]);
	if (ehdr->e_ident[EI_DATA] != ELFDATA2LSB && ehdr->e_ident[EI_DATA] != ELFDATA2MSB)
		return sf__fail(SF_EINVALID, "%s: bad ELF byte order %u", name,
				(unsigned)ehdr->e_ident[EI_DATA]);
	if (elf_getshdrnum(elf, shnum) != 0)
		return sf__fail(SF_EINVALID, "%s: bad section header count: %s", name,
				elf_errmsg(-1));
	/* libelf reports no sections when their table is cut off; the header
	 * still says how many there should be. */
	if (*shnum == 0 && ehdr->e_shoff != 0)
		*shnum = ehdr->e_shnum ? ehdr->e_shnum : 1;
	if (*shnum == 0)
		return 0;
	entry_size = ehdr->e_ident[EI_CLASS] == ELFCLASS32 ? sizeof(Elf32_Shdr) : sizeof(Elf64_Shdr);
	if (ehdr->e_shentsize != entry_size)
		return sf__fail(SF_EINVALID, "%s: bad section header size %u", name,
				(unsigned)ehdr->e_shentsize);
	if (!sf__mul_u64(*shnum, entry_size, &table_size) ||
	    !sf__add_u64(ehdr->e_shoff, table_size, &table_end) || table_end > image_size)
		return sf__fail(SF_EINVALID,
				"%s: section headers extend beyond the end of the file (truncated?)",
				name);
	if (elf_getshdrstrndx(elf, shstrndx) != 0 || *shstrndx == SHN_UNDEF || *shstrndx >= *shnum)
		return sf__fail(SF_EINVALID, "%s: bad section name table index", name);
	return 0;
}

static void read_build_id(Elf_Scn *scn, const GElf_Shdr *shdr, uint64_t image_size,
			  sf__elf_contents *out)
{
	Elf_Data *data;
	GElf_Nhdr nhdr;
	size_t offset = 0, next, name_offset, desc_offset;
	uint64_t end;

	if (shdr->sh_type == SHT_NOBITS ||
	    !sf__add_u64(shdr->sh_offset, shdr->sh_size, &end) || end > image_size)
		return;
	data = elf_getdata(scn, NULL);
	if (data == NULL || data->d_buf == NULL)
		return;
	while ((next = gelf_getnote(data, offset, &nhdr, &name_offset, &desc_offset)) > 0) {
		if (nhdr.n_type == NT_GNU_BUILD_ID && nhdr.n_namesz == 4 &&
		    memcmp((const char *)data->d_buf + name_offset, "GNU", 4) == 0 &&
		    nhdr.n_descsz > 0) {
			out->build_id = (const unsigned char *)data->d_buf + desc_offset;
			out->build_id_size = nhdr.n_descsz;
			return;
		}
		offset = next;
	}
}

/* .gnu_debuglink: file name, NUL, padding to 4, CRC-32 in file byte order. */
static void read_debuglink(const unsigned char *bytes, uint64_t size, bool big_endian,
			   sf__elf_contents *out)
{
	size_t length;
	uint64_t crc_offset;
	const unsigned char *crc;

	length = strnlen((const char *)bytes, size);
	if (length == 0 || length >= size)
		return;
	if (!sf__roundup_u64(length + 1, 4, &crc_offset) || crc_offset + 4 > size)
		return;
	crc = bytes + crc_offset;
	out->debuglink = (const char *)bytes;
	out->debuglink_crc = big_endian
		? (uint32_t)crc[0] << 24 | (uint32_t)crc[1] << 16 | (uint32_t)crc[2] << 8 | crc[3]
		: (uint32_t)crc[3] << 24 | (uint32_t)crc[2] << 16 | (uint32_t)crc[1] << 8 | crc[0];
}

/* .gnu_debugaltlink: path, NUL, then the supplementary file's build-id. */
static void read_altlink(const unsigned char *bytes, uint64_t size, sf__elf_contents *out)
{
	size_t length = strnlen((const char *)bytes, size);

	if (length == 0 || length >= size)
		return;
	out->altlink = (const char *)bytes;
	out->alt_build_id = bytes + length + 1;
	out->alt_build_id_size = size - length - 1;
	if (out->alt_build_id_size == 0)
		out->alt_build_id = NULL;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

const sf__elf_reader_section sf__elf_reader_sections[] = {
	{ ".debug_info", offsetof(sf_dwarf_sections, info) },
	{ ".debug_types", offsetof(sf_dwarf_sections, types) },
	{ ".debug_abbrev", offsetof(sf_dwarf_sections, abbrev) },
	{ ".debug_str", offsetof(sf_dwarf_sections, str) },
	{ ".debug_line", offsetof(sf_dwarf_sections, line) },
	{ ".debug_line_str", offsetof(sf_dwarf_sections, line_str) },
	{ ".debug_str_offsets", offsetof(sf_dwarf_sections, str_offsets) },
	/* a .dwp package's unit indexes */
	{ ".debug_cu_index", offsetof(sf_dwarf_sections, cu_index) },
	{ ".debug_tu_index", offsetof(sf_dwarf_sections, tu_index) },
};
const size_t sf__elf_reader_section_count = sizeof(sf__elf_reader_sections) / sizeof(sf__elf_reader_sections[0]);

/*
 * Whether the DIE reader reads a DWARF section: the others (location and
 * range lists, aranges, frames, macros) are never read, and inflating them
 * was about a third of the serial time before the worker threads start on
 * a compressed python3.11 debug file.
 */
static bool reader_reads(const char *section_name)
{
	/* ".zdebug_x" and ".debug_x.dwo" stand for ".debug_x" */
	const char *base = section_name + (section_name[1] == 'z' ? 8 : 7);
	size_t len = strlen(base);

	if (ends_with(base, ".dwo"))
		len -= 4;
	for (size_t k = 0; k < sf__elf_reader_section_count; k++) {
		const char *known = sf__elf_reader_sections[k].name + 7;
		if (strlen(known) == len && strncmp(base, known, len) == 0)
			return true;
	}
	return false;
}

typedef struct input_section {
	size_t shndx;
	const unsigned char *data;
	uint64_t size;
	/* A compressed section inflated after the walk over the headers
	 * (inflate_inputs), into `buffer`, which the input owns until an
	 * output section takes it over. */
	bool deflated;
	sf__deflated stream;
	const char *section_name;
	unsigned char *buffer;
} input_section;

static int find_or_add_output(sf__elf_contents *out, size_t *capacity, const char *section_name,
			      size_t *index)
{
	char *name;

	/* ".zdebug_info" becomes ".debug_info": its bytes are inflated
	 * here, and the reader looks sections up by their plain name. */
	if (strncmp(section_name, ".zdebug_", 8) == 0) {
		size_t length = strlen(section_name);

		name = malloc(length);
		if (name == NULL)
			return SF_ENOMEM;
		name[0] = '.';
		memcpy(name + 1, section_name + 2, length - 1);
	} else {
		name = strdup(section_name);
		if (name == NULL)
			return SF_ENOMEM;
	}
	for (size_t i = 0; i < out->section_count; i++) {
		if (strcmp(out->sections[i].name, name) == 0) {
			free(name);
			*index = i;
			return 0;
		}
	}
	if (out->section_count == *capacity) {
		size_t grown = *capacity ? *capacity * 2 : 16;
		sf__dwarf_section *sections = realloc(out->sections, grown * sizeof(*sections));

		if (sections == NULL) {
			free(name);
			return SF_ENOMEM;
		}
		out->sections = sections;
		*capacity = grown;
	}
	out->sections[out->section_count] = (sf__dwarf_section){ .name = name };
	*index = out->section_count++;
	return 0;
}

/* Goes through the section headers: notes and debug links are read into
 * `out`, every DWARF section's bytes become an input with its output
 * section (by name) recorded in `places`.  Those compressed with zlib are
 * inflated by inflate_inputs(), with one thread too: libelf would use
 * zlib, elf_inflate.c igzip where the build has it. */
static int collect_inputs(Elf *elf, const char *name, size_t shnum, size_t shstrndx,
			  uint64_t image_size, sf__elf_contents *out,
			  input_section *inputs, size_t *input_count, sf__section_place *places)
{
	const bool is64 = gelf_getclass(elf) == ELFCLASS64;
	size_t capacity = 0;
	int error;

	for (size_t i = 1; i < shnum; i++) {
		Elf_Scn *scn = elf_getscn(elf, i);
		GElf_Shdr shdr;
		const char *section_name;
		const unsigned char *bytes;
		uint64_t size;
		sf__deflated stream;

		if (scn == NULL || gelf_getshdr(scn, &shdr) == NULL)
			return sf__fail(SF_EINVALID, "%s: bad section header %zu: %s", name, i,
					elf_errmsg(-1));
		section_name = elf_strptr(elf, shstrndx, shdr.sh_name);
		if (section_name == NULL)
			return sf__fail(SF_EINVALID, "%s: bad name of section %zu", name, i);
		if (shdr.sh_type == SHT_NOTE) {
			if (out->build_id == NULL)
				read_build_id(scn, &shdr, image_size, out);
			continue;
		}
		if (strcmp(section_name, ".gnu_debuglink") == 0 ||
		    strcmp(section_name, ".gnu_debugaltlink") == 0) {
			error = sf__elf_section_bytes(scn, &shdr, section_name, image_size, name,
						      &bytes, &size);
			if (error)
				return error;
			if (bytes == NULL)
				continue;
			if (strcmp(section_name, ".gnu_debuglink") == 0)
				read_debuglink(bytes, size, out->big_endian, out);
			else
				read_altlink(bytes, size, out);
			continue;
		}
		if (strncmp(section_name, ".debug_", 7) != 0 &&
		    strncmp(section_name, ".zdebug_", 8) != 0)
			continue;
		/* A .dwo file's sections keep their names: the reader takes
		 * them when no plain section of that name is there. */
		if (ends_with(section_name, ".dwo"))
			out->has_dwo = true;
		if (!reader_reads(section_name))
			continue;
		error = sf__elf_section_zlib(scn, &shdr, is64, section_name, image_size, name, &stream);
		if (error < 0)
			return error;
		if (error == 1) {
			inputs[(*input_count)++] = (input_section){
				.shndx = i, .size = stream.size, .deflated = true, .stream = stream,
				.section_name = section_name
			};
			error = find_or_add_output(out, &capacity, section_name, &places[i].out);
			if (error)
				return sf__fail(error, "%s: out of memory", name);
			places[i].size = stream.size;
			continue;
		}
		error = sf__elf_section_bytes(scn, &shdr, section_name, image_size, name,
					      &bytes, &size);
		if (error)
			return error;
		if (bytes == NULL)
			continue;
		inputs[(*input_count)++] = (input_section){ .shndx = i, .data = bytes, .size = size };
		error = find_or_add_output(out, &capacity, section_name, &places[i].out);
		if (error)
			return sf__fail(error, "%s: out of memory", name);
		places[i].size = size;
	}
	return 0;
}

static int larger_first(const void *a, const void *b)
{
	const sf__inflate_job *x = a, *y = b;
	return x->in.size < y->in.size ? 1 : x->in.size > y->in.size ? -1 : 0;
}

/* .debug_info inflated below this size is not worth a thread. */
#define STREAM_MIN_BYTES (UINT64_C(64) << 10)

/*
 * The input whose inflating is left running on a thread of its own while
 * the DIE reader starts on its first units: .debug_info, when it is the
 * only input of its section (no concatenation, no relocation) and large.
 * Not with a dwz file, whose search must come after any failure to
 * inflate, as when everything is inflated here.  SIZE_MAX when none.
 */
static size_t stream_candidate(const input_section *inputs, size_t input_count,
			       const sf__section_place *places)
{
	size_t found = SIZE_MAX;

	for (size_t k = 0; k < input_count; k++)
		if (inputs[k].deflated && strcmp(inputs[k].section_name, ".debug_info") == 0 &&
		    inputs[k].size >= STREAM_MIN_BYTES)
			found = k;
	for (size_t k = 0; found != SIZE_MAX && k < input_count; k++)
		if (k != found && places[inputs[k].shndx].out == places[inputs[found].shndx].out)
			return SIZE_MAX;
	return found;
}

/* Leaves `input` to a stream (out->stream); 0 also when none could be
 * started (the input stays to inflate with the others), or SF_ENOMEM. */
static int start_stream(const char *name, input_section *input, sf__elf_contents *out)
{
	int error;

	input->buffer = malloc(input->size);
	if (input->buffer == NULL)
		return sf__fail(SF_ENOMEM, "%s: out of memory (%llu bytes)", name,
				(unsigned long long)input->size);
	input->data = input->buffer;
	error = sf__elf_stream_start(&out->stream, &input->stream, input->buffer, name, input->section_name);
	if (error < 0)
		return sf__fail(error, "%s: out of memory", name);
	if (error == 0)
		input->deflated = false;
	return 0;
}

/*
 * Inflates the inputs collect_inputs() left compressed, side by side: on
 * a python3.11 debug file inflating .debug_info and .debug_line one after
 * the other was most of the time before the DIE walk's threads start.
 * With `may_stream`, .debug_info may go on inflating after the return
 * (stream_candidate), which took the remaining quarter.
 */
static int inflate_inputs(const char *name, input_section *inputs, size_t input_count,
			  const sf__section_place *places, bool may_stream, unsigned threads,
			  sf__elf_contents *out)
{
	sf__inflate_job *jobs = NULL;
	size_t count = 0, streamed = may_stream ? stream_candidate(inputs, input_count, places) : SIZE_MAX;
	int error = 0;

	if (streamed != SIZE_MAX) {
		error = start_stream(name, &inputs[streamed], out);
		if (error)
			return error;
		/* Its thread is one of the `threads`.  The stream's end
		 * bounds the load, the other sections only the start of the
		 * walk, which catches up with the stream: this thread maps the
		 * stream's pages first. */
		if (out->stream && threads > 1)
			threads--;
		if (out->stream)
			sf__elf_stream_prefault(out->stream);
	}
	for (size_t k = 0; k < input_count; k++)
		count += inputs[k].deflated;
	if (count == 0)
		return 0;
	jobs = calloc(count, sizeof(*jobs));
	if (jobs == NULL)
		return sf__fail(SF_ENOMEM, "%s: out of memory", name);
	count = 0;
	for (size_t k = 0; k < input_count; k++) {
		if (!inputs[k].deflated)
			continue;
		if (inputs[k].buffer == NULL)
			inputs[k].buffer = malloc(inputs[k].size);
		if (inputs[k].buffer == NULL) {
			error = sf__fail(SF_ENOMEM, "%s: out of memory (%llu bytes)", name,
					 (unsigned long long)inputs[k].size);
			goto done;
		}
		inputs[k].data = inputs[k].buffer;
		jobs[count++] = (sf__inflate_job){
			.in = inputs[k].stream, .out = inputs[k].buffer, .section_name = inputs[k].section_name
		};
	}
	qsort(jobs, count, sizeof(*jobs), larger_first);
	if (!sf__elf_inflate_all(jobs, count, threads)) {
		for (size_t k = 0; k < count; k++)
			if (jobs[k].failed) {
				error = sf__fail(SF_EINVALID, "%s: corrupt compressed section %s: inflating failed",
						 name, jobs[k].section_name);
				break;
			}
	}
done:
	free(jobs);
	return error;
}

/* Lays out the merged sections and decides which need their own bytes:
 * concatenations, and everything in a relocatable object (`relocatable`). */
static int merge_inputs(const char *name, bool relocatable, input_section *inputs,
			size_t input_count, sf__section_place *places, sf__elf_contents *out)
{
	for (size_t k = 0; k < input_count; k++) {
		sf__section_place *place = &places[inputs[k].shndx];
		sf__dwarf_section *section = &out->sections[place->out];

		place->base = section->size;
		if (!sf__add_u64(section->size, inputs[k].size, &section->size) ||
		    section->size > SIZE_MAX / 2)
			return sf__fail(SF_ENOMEM, "%s: %s is too large", name, section->name);
		if (place->base != 0 || relocatable)
			section->owned = true;
		else
			section->data = (unsigned char *)inputs[k].data;
	}
	for (size_t s = 0; s < out->section_count; s++) {
		sf__dwarf_section *section = &out->sections[s];

		if (!section->owned)
			continue;
		section->data = malloc(section->size);
		if (section->data == NULL)
			return sf__fail(SF_ENOMEM, "%s: out of memory for %s (%llu bytes)", name,
					section->name, (unsigned long long)section->size);
	}
	for (size_t k = 0; k < input_count; k++) {
		const sf__section_place *place = &places[inputs[k].shndx];
		sf__dwarf_section *section = &out->sections[place->out];

		if (section->owned)
			memcpy(section->data + place->base, inputs[k].data, inputs[k].size);
	}
	/* A section that is one inflated input takes its buffer over. */
	for (size_t k = 0; k < input_count; k++) {
		sf__dwarf_section *section = &out->sections[places[inputs[k].shndx].out];

		if (inputs[k].buffer && !section->owned && section->data == inputs[k].buffer) {
			section->owned = true;
			inputs[k].buffer = NULL;
		}
	}
	return 0;
}

/* The section the stream writes into has taken its buffer over. */
static void mark_arriving(sf__elf_contents *out)
{
	for (size_t s = 0; out->stream && s < out->section_count; s++)
		if (strcmp(out->sections[s].name, ".debug_info") == 0)
			out->sections[s].arriving = out->stream;
}

static void note_unit_sections(sf__elf_contents *out)
{
	for (size_t s = 0; s < out->section_count; s++) {
		if (strcmp(out->sections[s].name, ".debug_info") == 0 ||
		    strcmp(out->sections[s].name, ".debug_info.dwo") == 0)
			out->has_info = true;
		else if (strcmp(out->sections[s].name, ".debug_types") == 0 ||
			 strcmp(out->sections[s].name, ".debug_types.dwo") == 0)
			out->has_types = true;
	}
}

int sf__elf_read_contents(Elf *elf, const char *name, unsigned threads, sf__elf_contents *out)
{
	GElf_Ehdr ehdr;
	size_t shnum = 0, shstrndx = 0, input_count = 0;
	size_t image_size = 0;
	input_section *inputs = NULL;
	sf__section_place *places = NULL;
	int error = 0;

	memset(out, 0, sizeof(*out));
	if (elf_rawfile(elf, &image_size) == NULL)
		return sf__fail(SF_EINVALID, "%s: cannot read the ELF image: %s", name, elf_errmsg(-1));
	error = check_headers(elf, name, image_size, &ehdr, &shnum, &shstrndx);
	if (error)
		goto done;
	out->machine = ehdr.e_machine;
	out->type = ehdr.e_type;
	out->address_size = ehdr.e_ident[EI_CLASS] == ELFCLASS32 ? 4 : 8;
	out->big_endian = ehdr.e_ident[EI_DATA] == ELFDATA2MSB;
	if (shnum == 0)
		goto done;

	inputs = calloc(shnum, sizeof(*inputs));
	places = calloc(shnum, sizeof(*places));
	if (inputs == NULL || places == NULL) {
		error = sf__fail(SF_ENOMEM, "%s: out of memory", name);
		goto done;
	}
	for (size_t i = 0; i < shnum; i++)
		places[i].out = SF__NOT_PLACED;
	error = collect_inputs(elf, name, shnum, shstrndx, image_size, out, inputs, &input_count, places);
	if (!error)
		error = inflate_inputs(name, inputs, input_count, places,
				       threads != 1 && ehdr.e_type != ET_REL && out->altlink == NULL, threads, out);
	if (!error)
		error = merge_inputs(name, ehdr.e_type == ET_REL, inputs, input_count, places, out);
	if (error)
		goto done;
	note_unit_sections(out);
	mark_arriving(out);

	if (ehdr.e_type == ET_REL && out->section_count > 0)
		error = sf__elf_relocate(elf, name, &ehdr, shnum, shstrndx, image_size,
					 places, out->sections);
done:
	/* A stream still writes into its input's buffer until stopped. */
	if (error) {
		sf__elf_stream_free(out->stream);
		out->stream = NULL;
	}
	for (size_t k = 0; inputs && k < input_count; k++)
		free(inputs[k].buffer);
	free(inputs);
	free(places);
	if (error)
		sf__elf_contents_free(out);
	return error;
}

void sf__elf_contents_free(sf__elf_contents *contents)
{
	if (contents == NULL)
		return;
	/* Its thread writes into a section's buffer. */
	sf__elf_stream_free(contents->stream);
	for (size_t i = 0; i < contents->section_count; i++) {
		free(contents->sections[i].name);
		if (contents->sections[i].owned)
			free(contents->sections[i].data);
	}
	free(contents->sections);
	memset(contents, 0, sizeof(*contents));
}
