/* Loading debug info into a type model: the first stage of the pipeline. */
#ifndef STRUCTFIT_MODEL_H
#define STRUCTFIT_MODEL_H

#include <structfit/export.h>

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif
SF_API_BEGIN

/* All structs, unions and classes found in the loaded inputs, deduplicated. */
typedef struct sf_model sf_model;

/* One loaded input (an ELF file, or one member of an archive). */
typedef struct sf_file_info {
	const char *path;        /* "lib.a(member.o)" for archive members */
	const char *debug_path;  /* separate debug file used, or NULL */
	const char *arch;        /* "x86_64", "i386", "arm", "aarch64", "s390x", "ppc64", "riscv64", ... */
	int big_endian;          /* 1 for big-endian targets */
	unsigned address_size;   /* bytes in a pointer: 4 or 8 */
	/* Since load options version 5: the debug format the layouts came
	 * from, "dwarf" or "btf" (a static string).  BTF records neither
	 * alignment nor source lines: alignments are inferred. */
	const char *format;
} sf_file_info;

/* Called for each input (or archive member) that fails while others go on. */
typedef void (*sf_load_error_fn)(void *ctx, int code, const char *message);

/*
 * Progress of one image's load: `done` of `total` units walked.  Called on
 * the thread that called sf_model_load(), never concurrently.
 */
typedef void (*sf_load_progress_fn)(void *ctx, size_t done, size_t total);

/* Which debug format sf_model_load() reads (sf_load_options.format_in). */
typedef enum sf_format_in {
	SF_FORMAT_IN_AUTO = 0,  /* DWARF when present (in the file or a local debug file), else BTF */
	SF_FORMAT_IN_DWARF = 1,
	SF_FORMAT_IN_BTF = 2
} sf_format_in;

/*
 * Progress of a debug-file download: `done` of `total` bytes (total 0 or
 * less while unknown).  Called on the loading thread.
 */
typedef void (*sf_fetch_progress_fn)(void *ctx, long done, long total);

typedef struct sf_load_options {
	unsigned version;
	/* Extra roots searched for separate debug files, before the system ones. */
	const char *const *debug_dirs;
	size_t debug_dir_count;
	/* Worker threads; 0 means one per online CPU.  With more than one,
	 * a thread of the model may still be freeing what the load used
	 * after sf_model_load() returns; sf_model_free() waits for it. */
	unsigned jobs;
	/* Reports each failing archive member; NULL to stay silent. */
	sf_load_error_fn on_error;
	void *on_error_ctx;
	/* Since version 2. */
	/* Shell globs: only structs whose name (or typedef name, for unnamed
	 * ones) matches are built, with what they contain; none loads all.
	 * Matched as sf_report_options.name_globs are: a tail of a qualified
	 * C++ name, or a typedef naming the struct, matches too. */
	const char *const *only_names;
	size_t only_name_count;
	/* Stop reading an image once every glob of only_names matched a
	 * definition (in unit order), instead of looking for more definitions
	 * of the same names.  Meant for exact names. */
	int first_match_only;
	/* Also collect struct types defined inside functions (pahole does
	 * not list them; walking function bodies costs time). */
	int local_types;
	/* Unit-level progress; NULL for none. */
	sf_load_progress_fn on_progress;
	void *on_progress_ctx;
	/* Since version 3. */
	/* Work out which structs are reachable from the input's exported
	 * functions and variables (.dynsym), for sf_struct's abi_visible and
	 * the JSON "abi_visible" field.  Costs a walk of the functions'
	 * parameter lists when the input exports functions; 0 skips it and
	 * leaves every struct not visible.  Older versions behave as 1. */
	int want_abi;
	/* Since version 4. */
	/* Build every struct again instead of reusing an identical one met in
	 * another unit (by DWARF digest): slower, for checking that reuse
	 * changes nothing.  The CLI sets it from STRUCTFIT_NO_REUSE=1. */
	int no_reuse;
	/* Since version 5. */
	/* An sf_format_in: which format to read. */
	int format_in;
	/* BTF: the base BTF (a vmlinux's .BTF, a raw BTF file or
	 * /sys/kernel/btf/vmlinux) that split BTF (kernel modules) builds
	 * on; NULL uses /sys/kernel/btf/vmlinux for split BTF when present. */
	const char *btf_base;
	/* When no local debug file is found, fetch it by build-id through
	 * libdebuginfod (loaded at run time), which takes its servers, cache
	 * and timeout from DEBUGINFOD_URLS, DEBUGINFOD_CACHE_PATH and
	 * DEBUGINFOD_TIMEOUT itself: the caller decides whether it may. */
	int debuginfod;
	/* Download progress; NULL for none. */
	sf_fetch_progress_fn on_fetch_progress;
	void *on_fetch_progress_ctx;
	/* Split DWARF (-gsplit-dwarf): directories searched first for the
	 * .dwo files that skeleton units name (by their relative name, then
	 * by their file name) and for the input's .dwp package
	 * (FILE.dwp).  Without them, .dwo files are looked for relative to
	 * the unit's DW_AT_comp_dir and next to the input, the package next
	 * to the input. */
	const char *const *dwo_dirs;
	size_t dwo_dir_count;
	/* Since version 6. */
	/* DWARF: also record, for each member declared with a typedef, the
	 * chain of typedef names down to the first type that is not one and
	 * that type's spelling, which pahole -E prints
	 * (sf_emit_options.expand_types).  Costs a walk of every member's
	 * typedef chain, and definitions are built in every unit instead of
	 * reused from an identical one (the chain is not part of it). */
	int typedef_chains;
} sf_load_options;

#define SF_LOAD_OPTIONS_VERSION 6
#define SF_LOAD_OPTIONS_INIT { SF_LOAD_OPTIONS_VERSION, NULL, 0, 0, NULL, NULL, NULL, 0, 0, 0, NULL, NULL, 1, 0, \
	SF_FORMAT_IN_AUTO, NULL, 0, NULL, NULL, NULL, 0, 0 }

/*
 * Creates an empty model in *out.  Caller frees it with sf_model_free().
 * Returns 0 or SF_ENOMEM (*out is then NULL).
 */
int sf_model_new(sf_model **out);

/* Frees the model and every string and struct borrowed from it; NULL is fine.
 * Reports and plans built on it must be freed first. */
void sf_model_free(sf_model *model);

/*
 * Adds every struct, union and class defined in `path` (an ELF object,
 * executable, shared object, kernel module, separate debug file or a static
 * archive) to `model`.  A file whose DWARF turns out corrupt contributes
 * nothing.  For archives, every loadable member is added; failing members
 * are passed to opts->on_error and the worst code is returned after all
 * members were tried.
 *
 * Since options version 5 it also reads BTF (opts->format_in): a raw BTF
 * file (/sys/kernel/btf/vmlinux, a module's split BTF under /sys/kernel/btf
 * on opts->btf_base), or the .BTF section of an ELF file (vmlinux, .ko,
 * BPF objects); and may fetch a missing debug file through debuginfod.
 *
 * Split DWARF (-gsplit-dwarf): the types of skeleton units are read from
 * their .dwo files or the input's .dwp package (see dwo_dirs).  A .dwo
 * that is missing (SF_ENODEBUG), corrupt or not the one its skeleton names
 * (SF_EINVALID) is passed to opts->on_error once per file; the other
 * units are still loaded and the worst such code is returned at the end.
 *
 * Returns 0, SF_ENOTFOUND, SF_EIO, SF_ENOTELF, SF_ENODEBUG (also when a
 * debuginfod server failed or timed out, or a .dwo is missing), SF_EINVALID
 * (corrupt DWARF or BTF, a .dwo not the one its skeleton names),
 * SF_EUNSUPPORTED, SF_EUSAGE (unknown options version or format_in) or
 * SF_ENOMEM; the message names the file.
 */
int sf_model_load(sf_model *model, const char *path, const sf_load_options *opts);

/*
 * Loaded inputs, in load order.  sf_model_file() returns input `index`, or
 * NULL when index >= sf_model_file_count(); the struct and its strings are
 * borrowed and live as long as the model.  `model` must not be NULL.
 */
size_t sf_model_file_count(const sf_model *model);
const sf_file_info *sf_model_file(const sf_model *model, size_t index);

/* Number of distinct struct/union/class definitions after deduplication.
 * Their layouts are read through a report (report.h). */
size_t sf_model_struct_count(const sf_model *model);

SF_API_END
#ifdef __cplusplus
}
#endif
#endif
