/* The BTF decoder's entry points, which load/ dispatches to. */
#ifndef SF_BTF_LOAD_H
#define SF_BTF_LOAD_H

#include <structfit/model.h>

#include <stdbool.h>

/*
 * Whether `path` holds BTF: a raw BTF file (magic 0xeB9F in either byte
 * order) or an ELF file with a .BTF section.  Reading errors count as no.
 */
bool sf__btf_present(const char *path);

/*
 * Adds every struct and union of the BTF in `path` to `model`: raw BTF,
 * or the .BTF section of an ELF file.  Split BTF (a kernel module's)
 * is read on opts->btf_base, or on /sys/kernel/btf/vmlinux when that is
 * not set and exists; only the split part's own types are roots then.
 * `opts` is of the current version.  Alignments are inferred (BTF has
 * none).  Returns 0, SF_ENOTFOUND, SF_EIO, SF_ENOTELF (neither ELF nor
 * BTF), SF_ENODEBUG (ELF without .BTF), SF_EINVALID (corrupt BTF) or
 * SF_ENOMEM; the message names the file.
 */
int sf__btf_model_load(sf_model *model, const char *path, const sf_load_options *opts);

#endif
