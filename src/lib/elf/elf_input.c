/* Opening inputs: plain ELF files, static archives and their members, and
 * the separate debug and dwz files that carry their DWARF. */
#include "elf/input.h"

#include "elf/debuginfod_fetch.h"
#include "elf/elf_image.h"
#include "util/fail.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <stddef.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define NO_DEBUG_HINT \
	"no DWARF debug info (stripped? install its -dbg/-dbgsym package or rebuild with -g)"

/* An ELF file opened by path, with its contents read. */
typedef struct opened_elf {
	int fd;
	Elf *elf;
	char *path;       /* as found */
	char *real_path;  /* symlinks resolved, for relative lookups */
	sf__elf_contents contents;
} opened_elf;

#define OPENED_ELF_INIT { -1, NULL, NULL, NULL, { 0 } }

static void opened_elf_close(opened_elf *file)
{
	/* Contents borrow from the Elf, so they go first. */
	sf__elf_contents_free(&file->contents);
	if (file->elf != NULL)
		elf_end(file->elf);
	if (file->fd >= 0)
		close(file->fd);
	free(file->path);
	free(file->real_path);
	*file = (opened_elf)OPENED_ELF_INIT;
}

static void close_task(void *file)
{
	opened_elf_close(file);
}

/* `file` closed by `reaper` (NULL: at once); either way closed for the caller. */
static void close_later(opened_elf *file, sf_reaper *reaper)
{
	sf__reaper_release(file->fd >= 0 ? reaper : NULL, close_task, file, sizeof(*file));
	*file = (opened_elf)OPENED_ELF_INIT;
}

static char *real_path_of(const char *path)
{
	char *resolved = realpath(path, NULL);

	return resolved != NULL ? resolved : strdup(path);
}

/* What a debug-file or dwz search accepts. */
typedef struct candidate_search {
	opened_elf found;
	const char *self_real_path;        /* never accept the file itself */
	const unsigned char *want_build_id; /* dwz: must match when known */
	size_t want_build_id_size;
	/* dwz files may hold nothing but shared strings, no .debug_info. */
	bool allow_without_info;
	unsigned threads;                  /* for sf__elf_read_contents() */
} candidate_search;

static int accept_candidate(void *vctx, const char *path, const uint32_t *crc)
{
	candidate_search *search = vctx;
	opened_elf file = OPENED_ELF_INIT;
	struct stat st;
	int error;

	file.fd = open(path, O_RDONLY | O_CLOEXEC);
	if (file.fd < 0)
		return 1;
	if (fstat(file.fd, &st) != 0 || !S_ISREG(st.st_mode))
		goto reject;
	if (crc != NULL) {
		uint32_t actual;

		if (sf__debugfile_crc32(file.fd, &actual) != 0 || actual != *crc)
			goto reject;
	}
	file.path = strdup(path);
	file.real_path = real_path_of(path);
	if (file.path == NULL || file.real_path == NULL) {
		opened_elf_close(&file);
		return sf__fail(SF_ENOMEM, "%s: out of memory", path);
	}
	if (search->self_real_path != NULL && strcmp(file.real_path, search->self_real_path) == 0)
		goto reject;
	file.elf = elf_begin(file.fd, ELF_C_READ_MMAP, NULL);
	if (file.elf == NULL || elf_kind(file.elf) != ELF_K_ELF)
		goto reject;
	error = sf__elf_read_contents(file.elf, path, search->threads, &file.contents);
	if (error == SF_ENOMEM) {
		opened_elf_close(&file);
		return error;
	}
	if (error || (!file.contents.has_info && !search->allow_without_info))
		goto reject;
	if (search->want_build_id != NULL &&
	    (file.contents.build_id_size != search->want_build_id_size ||
	     memcmp(file.contents.build_id, search->want_build_id,
		    search->want_build_id_size) != 0))
		goto reject;
	search->found = file;
	return 0;
reject:
	opened_elf_close(&file);
	return 1;
}

/* Sections below this size keep their pages (sf_dwarf_bytes.file_backed). */
#define FILE_BACKED_MIN (UINT64_C(4) << 20)

/* Finds the sections the DIE reader parses directly; split-DWARF .dwo
 * names stand in when the plain ones are absent. */
static void collect_sections(const sf__elf_contents *contents, sf_dwarf_sections *out)
{

	memset(out, 0, sizeof(*out));
	for (size_t pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < contents->section_count; i++) {
			const sf__dwarf_section *section = &contents->sections[i];
			for (size_t w = 0; w < sf__elf_reader_section_count; w++) {
				const sf__elf_reader_section *wanted = &sf__elf_reader_sections[w];
				sf_dwarf_bytes *slot = (sf_dwarf_bytes *)((char *)out + wanted->field);
				size_t len = strlen(wanted->name);
				if (slot->data || strncmp(section->name, wanted->name, len) != 0)
					continue;
				if (pass == 0 ? section->name[len] == '\0' : strcmp(section->name + len, ".dwo") == 0) {
					slot->data = section->data;
					slot->size = section->size;
					/* Checked only where dropping pages pays: reading
					 * the process's map costs more than a small
					 * section's pages. */
					slot->file_backed = !section->owned && section->size >= FILE_BACKED_MIN &&
							    sf__elf_file_mapped(section->data, section->size);
					slot->arriving = section->arriving;
				}
			}
		}
	}
}

/*
 * Hands `contents` (and its dwz file's, if it names one) to the visitor.
 * `owner_real_path` is the file the contents came from, for resolving a
 * relative .gnu_debugaltlink.  No libdwarf handle is opened: the DIE
 * reader decodes the sections itself and checks every unit header it
 * reads, so a handle nothing reads would only cost its set-up (see
 * docs/architecture.md).
 */
static int visit_contents(const char *display_name, const char *debug_path,
			  const sf__elf_contents *contents, const char *owner_real_path,
			  const sf_load_options *opts, sf_image_visitor visit, void *ctx)
{
	candidate_search alt = { .found = OPENED_ELF_INIT, .allow_without_info = true,
				 .threads = opts ? opts->jobs : 1 };
	sf_debug_image image;
	int error = 0;

	if (contents->altlink != NULL) {
		alt.self_real_path = owner_real_path;
		alt.want_build_id = contents->alt_build_id;
		alt.want_build_id_size = contents->alt_build_id_size;
		error = sf__altfile_search(opts, owner_real_path, contents, accept_candidate, &alt);
		if (error < 0)
			goto done;
		if (error > 0) {
			error = sf__fail(SF_ENODEBUG,
					 "%s: supplementary debug file %s (dwz) not found",
					 display_name, contents->altlink);
			goto done;
		}
	}

	image = (sf_debug_image){
		.display_name = display_name,
		.debug_path = debug_path,
		.machine = contents->machine,
		.address_size = contents->address_size,
		.big_endian = contents->big_endian,
		.has_debug_types = contents->has_types,
		.relocatable = contents->type == ET_REL,
		.alt_path = contents->altlink != NULL ? alt.found.path : NULL,
	};
	for (size_t i = 0; contents->altlink != NULL && i < alt.found.contents.section_count; i++) {
		const sf__dwarf_section *section = &alt.found.contents.sections[i];
		if (strcmp(section->name, ".debug_str") == 0) {
			image.alt_str = (const char *)section->data;
			image.alt_str_size = section->size;
		}
	}
	collect_sections(contents, &image.sections);
	if (contents->altlink != NULL)
		collect_sections(&alt.found.contents, &image.alt_sections);
	error = visit(ctx, &image);
done:
	opened_elf_close(&alt.found);
	return error;
}

/* Not found locally: the debug file of the build-id from debuginfod.
 * Same returns as a search's candidate function. */
static int fetch_debug_file(const sf_load_options *opts, const char *display_name,
			    const sf__elf_contents *contents, candidate_search *search)
{
	char *fetched = NULL;
	int error = sf__debuginfod_fetch(opts, display_name, contents->build_id,
					 contents->build_id_size, &fetched);

	if (error == 0 && accept_candidate(search, fetched, NULL) > 0)
		error = sf__fail(SF_ENODEBUG, "%s: the debug file debuginfod served (%s) has no DWARF "
				 "debug info", display_name, fetched);
	free(fetched);
	return error;
}

static void contents_task(void *contents)
{
	sf__elf_contents_free(contents);
}

/* One ELF image: use its own DWARF, or (`real_path` non-NULL, i.e. not an
 * archive member) find its separate debug file. */
static int visit_elf(Elf *elf, const char *display_name, const char *real_path,
		     const char *archive_real_path, const sf_load_options *opts, sf_reaper *reaper,
		     sf_image_visitor visit, void *ctx)
{
	sf__elf_contents contents;
	candidate_search search = { .found = OPENED_ELF_INIT, .threads = opts ? opts->jobs : 1 };
	int error;

	error = sf__elf_read_contents(elf, display_name, opts ? opts->jobs : 1, &contents);
	if (error)
		return error;
	if (contents.has_info) {
		error = visit_contents(display_name, NULL, &contents,
				       real_path ? real_path : archive_real_path, opts, visit, ctx);
		goto done;
	}
	if (real_path == NULL) {
		error = sf__fail(SF_ENODEBUG, "%s: " NO_DEBUG_HINT, display_name);
		goto done;
	}
	search.self_real_path = real_path;
	error = sf__debugfile_search(opts, real_path, &contents, accept_candidate, &search);
	if (error > 0 && opts != NULL && opts->debuginfod)
		error = fetch_debug_file(opts, display_name, &contents, &search);
	if (error < 0)
		goto done;
	if (error > 0) {
		error = sf__fail(SF_ENODEBUG, "%s: " NO_DEBUG_HINT, display_name);
		goto done;
	}
	error = visit_contents(display_name, search.found.path, &search.found.contents,
			       search.found.real_path, opts, visit, ctx);
done:
	close_later(&search.found, reaper);
	sf__reaper_release(reaper, contents_task, &contents, sizeof(contents));
	return error;
}

static bool is_archive_index(const char *name)
{
	return strcmp(name, "/") == 0 || strcmp(name, "//") == 0 ||
	       strcmp(name, "/SYM64/") == 0;
}

static int walk_archive(Elf *archive, int fd, const char *path, const char *real_path,
			const sf_load_options *opts, sf_image_visitor visit, void *ctx)
{
	Elf_Cmd cmd = ELF_C_READ_MMAP;
	Elf *member;
	size_t members = 0, without_debug = 0;
	int first_error = 0;
	char first_message[512] = "";

	size_t archive_size = 0;
	uint64_t expected_end = 8;  /* after "!<arch>\n" */

	/* libelf ends the walk the same way at the end and at a corrupt
	 * member header, so where the last member ended tells them apart. */
	if (elf_rawfile(archive, &archive_size) == NULL)
		return sf__fail(SF_EINVALID, "%s: %s", path, elf_errmsg(-1));
	while ((member = elf_begin(fd, cmd, archive)) != NULL) {
		Elf_Arhdr *header = elf_getarhdr(member);
		const char *member_name = header && header->ar_name ? header->ar_name : "?";
		char *display_name = NULL;
		int64_t header_offset = elf_getaroff(member);
		int error;

		if (header != NULL && header_offset >= 0) {
			/* 60-byte member header, data, padding to even */
			expected_end = (uint64_t)header_offset + 60 + header->ar_size;
			expected_end += expected_end & 1;
		}

		if (header != NULL && header->ar_name != NULL && is_archive_index(header->ar_name)) {
			cmd = elf_next(member);
			elf_end(member);
			continue;
		}
		members++;
		if (asprintf(&display_name, "%s(%s)", path, member_name) < 0) {
			elf_end(member);
			return sf__fail(SF_ENOMEM, "%s: out of memory", path);
		}
		/* Member names come from the file: a newline or escape in one
		 * must not break the one-line error messages. */
		for (char *c = display_name + strlen(path); *c != '\0'; c++) {
			if ((unsigned char)*c < 0x20 || *c == 0x7f)
				*c = '?';
		}
		if (elf_kind(member) != ELF_K_ELF)
			error = sf__fail(SF_ENOTELF, "%s: not an ELF file", display_name);
		else
			error = visit_elf(member, display_name, NULL, real_path, opts, NULL, visit, ctx);
		free(display_name);
		cmd = elf_next(member);
		elf_end(member);
		/* Archives routinely mix in members built without -g (assembly,
		 * generated tables); they hold no types, so they are not errors. */
		if (error == SF_ENODEBUG) {
			without_debug++;
			continue;
		}
		if (error) {
			if (opts != NULL && opts->on_error != NULL)
				opts->on_error(opts->on_error_ctx, error, sf_error_last());
			if (first_error == 0) {
				first_error = error;
				snprintf(first_message, sizeof(first_message), "%s", sf_error_last());
			}
			/* Out of memory is no member's fault; the rest would fail too. */
			if (error == SF_ENOMEM)
				break;
		}
	}
	if (member == NULL && first_error == 0 &&
	    (expected_end < archive_size || expected_end > archive_size + 1))
		return sf__fail(SF_EINVALID, "%s: corrupt or truncated archive near offset %llu",
				path, (unsigned long long)expected_end);
	if (first_error != 0)
		return sf__fail(first_error, "%s", first_message);
	if (members == 0)
		return sf__fail(SF_ENODEBUG, "%s: empty archive", path);
	if (without_debug == members)
		return sf__fail(SF_ENODEBUG, "%s: no member has DWARF debug info (rebuild with -g)", path);
	return 0;
}

int sf__input_each_image(const char *path, const sf_load_options *opts, sf_reaper *reaper,
			 sf_image_visitor visit, void *ctx)
{
	unsigned char magic[8];
	struct stat st;
	ssize_t got;
	char *real_path = NULL;
	Elf *elf = NULL;
	Elf_Kind kind = ELF_K_NONE;
	int fd, error = 0;

	/* Idempotent; libelf needs it before any other call. */
	if (elf_version(EV_CURRENT) == EV_NONE)
		return sf__fail(SF_EUNSUPPORTED, "%s: libelf is too old", path);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		int saved = errno;

		return sf__fail(saved == ENOENT || saved == ENOTDIR ? SF_ENOTFOUND : SF_EIO,
				"%s: %s", path, strerror(saved));
	}
	if (fstat(fd, &st) != 0) {
		error = sf__fail(SF_EIO, "%s: %s", path, strerror(errno));
		goto done;
	}
	if (S_ISDIR(st.st_mode)) {
		error = sf__fail(SF_EIO, "%s: is a directory", path);
		goto done;
	}
	do {
		got = pread(fd, magic, sizeof(magic), 0);
	} while (got < 0 && errno == EINTR);
	if (got < 0) {
		error = sf__fail(SF_EIO, "%s: %s", path, strerror(errno));
		goto done;
	}
	if (got == (ssize_t)sizeof(magic) && memcmp(magic, "!<thin>\n", 8) == 0) {
		error = sf__fail(SF_EUNSUPPORTED, "%s: thin archives are not supported", path);
		goto done;
	}
	if (!(got >= SELFMAG && memcmp(magic, ELFMAG, SELFMAG) == 0) &&
	    !(got == (ssize_t)sizeof(magic) && memcmp(magic, "!<arch>\n", 8) == 0)) {
		error = sf__fail(SF_ENOTELF, "%s: not an ELF file or archive", path);
		goto done;
	}

	elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (elf == NULL) {
		error = sf__fail(SF_EINVALID, "%s: %s", path, elf_errmsg(-1));
		goto done;
	}
	real_path = real_path_of(path);
	if (real_path == NULL) {
		error = sf__fail(SF_ENOMEM, "%s: out of memory", path);
		goto done;
	}
	kind = elf_kind(elf);
	switch (kind) {
	case ELF_K_ELF:
		error = visit_elf(elf, path, real_path, NULL, opts, reaper, visit, ctx);
		break;
	case ELF_K_AR:
		error = walk_archive(elf, fd, path, real_path, opts, visit, ctx);
		break;
	default:
		error = sf__fail(SF_EINVALID, "%s: corrupt ELF file or archive", path);
		break;
	}
done:
	free(real_path);
	/* After the contents that borrow from it: the reaper keeps the
	 * order.  An archive's members were ended here, one by one. */
	close_later(&(opened_elf){ fd, elf, NULL, NULL, { 0 } }, kind == ELF_K_ELF ? reaper : NULL);
	return error;
}
