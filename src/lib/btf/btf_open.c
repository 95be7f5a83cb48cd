/* Opening BTF with libbpf: raw files, .BTF sections, split BTF on a base. */
#include "btf/btf_load.h"

#include "btf/btf_build.h"
#include "model/structs.h"
#include "model/target.h"
#include "util/fail.h"

#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define KERNEL_BTF_DIR "/sys/kernel/btf/"
#define KERNEL_BTF_VMLINUX KERNEL_BTF_DIR "vmlinux"

/* BTF's magic as the first two bytes of a little- and a big-endian file. */
static const unsigned char btf_magic_le[2] = { 0x9f, 0xeb };
static const unsigned char btf_magic_be[2] = { 0xeb, 0x9f };

/* The first bytes of a file: ELF identification and machine. */
typedef struct file_head {
	unsigned char bytes[20];
	size_t size;
} file_head;

static int read_head(const char *path, file_head *head)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t got;

	head->size = 0;
	if (fd < 0)
		return errno == ENOENT || errno == ENOTDIR ? SF_ENOTFOUND : SF_EIO;
	do {
		got = pread(fd, head->bytes, sizeof(head->bytes), 0);
	} while (got < 0 && errno == EINTR);
	close(fd);
	if (got < 0)
		return SF_EIO;
	head->size = (size_t)got;
	return 0;
}

static bool head_is_elf(const file_head *head)
{
	return head->size >= 20 && memcmp(head->bytes, ELFMAG, SELFMAG) == 0;
}

static bool head_is_raw_btf(const file_head *head)
{
	return head->size >= 2 && (memcmp(head->bytes, btf_magic_le, 2) == 0 ||
				   memcmp(head->bytes, btf_magic_be, 2) == 0);
}

/*
 * Whether the ELF file has a .BTF section, read through libbpf itself so
 * that the answer is the parser's: a missing section is its ENODATA/ENOENT.
 */
static bool elf_has_btf(const char *path);

bool sf__btf_present(const char *path)
{
	file_head head;

	if (read_head(path, &head) != 0)
		return false;
	if (head_is_raw_btf(&head))
		return true;
	return head_is_elf(&head) && elf_has_btf(path);
}

/*
 * libbpf reports why a parse failed through its print callback, which is
 * process-wide; the last warning is kept for our one-line message.  Loads
 * are not concurrent within one sf_model_load(), and the previous callback
 * is put back afterwards.
 */
static _Thread_local char libbpf_last[256];

static int capture_libbpf(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	size_t len;

	if (level == LIBBPF_DEBUG)
		return 0;
	vsnprintf(libbpf_last, sizeof(libbpf_last), fmt, ap);
	len = strlen(libbpf_last);
	while (len > 0 && (libbpf_last[len - 1] == '\n' || libbpf_last[len - 1] == ' '))
		libbpf_last[--len] = '\0';
	/* A message from the file's bytes stays one line. */
	for (char *c = libbpf_last; *c; c++)
		if ((unsigned char)*c < 0x20)
			*c = ' ';
	return 0;
}

static struct btf *parse_quietly(const char *path, bool elf, struct btf *base, int *err)
{
	libbpf_print_fn_t old = libbpf_set_print(capture_libbpf);
	struct btf *btf;

	libbpf_last[0] = '\0';
	errno = 0;
	if (elf)
		btf = base ? btf__parse_elf_split(path, base) : btf__parse_elf(path, NULL);
	else
		btf = base ? btf__parse_raw_split(path, base) : btf__parse_raw(path);
	*err = btf ? 0 : (errno ? errno : EINVAL);
	libbpf_set_print(old);
	return btf;
}

static bool elf_has_btf(const char *path)
{
	int err = 0;
	struct btf *btf = parse_quietly(path, true, NULL, &err);

	btf__free(btf);
	/* Split BTF fails to parse alone, but is there. */
	return btf != NULL || (err != ENOENT && err != ENODATA);
}

static int parse_error(const char *what, const char *path, int err)
{
	char fallback[128];
	const char *detail = libbpf_last;

	if (!detail[0]) {
		snprintf(fallback, sizeof(fallback), "bad header, section bounds or type encoding (%s)",
			 strerror(err));
		detail = fallback;
	}

	switch (err) {
	case ENOMEM:
		return sf__fail(SF_ENOMEM, "%s: out of memory", path);
	case EACCES:
	case EIO:
	case EISDIR:
		return sf__fail(SF_EIO, "%s: %s", path, strerror(err));
	case ENOENT:
	case ENODATA:
		return sf__fail(SF_ENODEBUG, "%s: no .BTF section (and no DWARF debug info)", path);
	default:
		return sf__fail(SF_EINVALID, "%s: corrupt %s: %s", path, what, detail);
	}
}

/* Kernel modules' BTF is split BTF on the kernel's: their files under
 * /sys/kernel/btf, and .ko files' .BTF sections. */
static bool looks_split(const char *path)
{
	size_t len = strlen(path);

	if (strncmp(path, KERNEL_BTF_DIR, strlen(KERNEL_BTF_DIR)) == 0)
		return strcmp(path, KERNEL_BTF_VMLINUX) != 0;
	return len > 3 && strcmp(path + len - 3, ".ko") == 0;
}

/* Split BTF's base: the option, or the running kernel's for modules. */
static const char *base_path(const char *path, const sf_load_options *opts)
{
	struct stat st;

	if (opts->btf_base)
		return opts->btf_base;
	if (strcmp(path, KERNEL_BTF_VMLINUX) == 0 || stat(KERNEL_BTF_VMLINUX, &st) != 0)
		return NULL;
	return KERNEL_BTF_VMLINUX;
}

/* Parses `path`, as split BTF on a base when --btf-base names one or it
 * is a kernel module's.  Other files are never retried as split BTF: a
 * corrupt file would cost a parse of the kernel's BTF for nothing. */
static int open_btf(const char *path, const sf_load_options *opts, bool elf, struct btf **base,
		    struct btf **out)
{
	const char *what = elf ? "BTF (.BTF section)" : "BTF";
	const char *base_file = base_path(path, opts);
	int err = 0;
	file_head head;

	*out = NULL;
	*base = NULL;
	if (!opts->btf_base && !(looks_split(path) && base_file)) {
		*out = parse_quietly(path, elf, NULL, &err);
		return *out ? 0 : parse_error(what, path, err);
	}
	*base = parse_quietly(base_file, read_head(base_file, &head) == 0 && head_is_elf(&head), NULL, &err);
	if (!*base)
		return parse_error("base BTF", base_file, err);
	*out = parse_quietly(path, elf, *base, &err);
	if (!*out)
		return parse_error(what, path, err);
	return 0;
}

/* The ELF file's machine, or the host's for raw BTF, which names none. */
static const sf_target *btf_target(const file_head *head, bool elf, const struct btf *btf)
{
	size_t pointer = btf__pointer_size(btf);
	bool big = btf__endianness(btf) == BTF_BIG_ENDIAN;
	uint16_t machine = 0;

	if (elf) {
		big = head->bytes[EI_DATA] == ELFDATA2MSB;
		machine = big ? (uint16_t)(head->bytes[18] << 8 | head->bytes[19])
			      : (uint16_t)(head->bytes[19] << 8 | head->bytes[18]);
		if (!pointer)
			pointer = head->bytes[EI_CLASS] == ELFCLASS32 ? 4 : 8;
	} else {
#if defined(__x86_64__)
		machine = EM_X86_64;
#elif defined(__aarch64__)
		machine = EM_AARCH64;
#elif defined(__i386__)
		machine = EM_386;
#elif defined(__s390x__)
		machine = EM_S390;
#elif defined(__powerpc64__)
		machine = EM_PPC64;
#elif defined(__riscv)
		machine = EM_RISCV;
#elif defined(__arm__)
		machine = EM_ARM;
#endif
		if (!pointer)
			pointer = sizeof(void *);
	}
	return sf__target_lookup(machine, pointer == 4 ? 4 : 8, big);
}

int sf__btf_model_load(sf_model *model, const char *path, const sf_load_options *opts)
{
	struct btf *btf = NULL, *base = NULL;
	file_head head;
	sf__btf_source source;
	sf_file_info info;
	bool elf;
	int index, res;

	res = read_head(path, &head);
	if (res)
		return sf__fail(res, "%s: %s", path, res == SF_ENOTFOUND ? "no such file" : strerror(errno));
	elf = head_is_elf(&head);
	if (!elf && !head_is_raw_btf(&head))
		return sf__fail(head.size < 2 ? SF_EINVALID : SF_ENOTELF,
				"%s: neither BTF (bad magic) nor an ELF file", path);
	res = open_btf(path, opts, elf, &base, &btf);
	if (res)
		goto done;
	source = (sf__btf_source){
		.btf = btf,
		.display_name = path,
		.first_id = base ? btf__type_cnt(base) : 1,
		.target = btf_target(&head, elf, btf),
		.opts = opts,
	};
	info = (sf_file_info){
		.path = path,
		.arch = source.target->arch,
		.big_endian = source.target->big_endian,
		.address_size = source.target->address_size,
		.format = "btf",
	};
	index = sf__model_add_file(model, &info);
	if (index < 0) {
		res = sf__fail(SF_ENOMEM, "out of memory");
		goto done;
	}
	source.file_index = (uint32_t)index;
	res = sf__btf_build(model, &source);
	/* Earlier inputs may have declared what this one defines. */
	if (res == 0)
		res = sf__model_resolve_declared(model);
	/* As for DWARF: a failed input is not listed. */
	if (res < 0 && model->file_count == (size_t)index + 1)
		model->file_count--;
done:
	btf__free(btf);
	btf__free(base);
	return res;
}
