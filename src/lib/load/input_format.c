/* sf_model_load(): picks the decoder (DWARF or BTF) and when to ask debuginfod. */
#include <structfit/model.h>

#include "btf/btf_load.h"
#include "dwarf/dwarf_model_load.h"
#include "util/fail.h"

#include <stddef.h>
#include <string.h>

/*
 * Copies the caller's options into the current version: fields an older
 * caller's struct lacks take their defaults, so the decoders read every
 * field without checking the version.
 */
static int current_options(const sf_load_options *opts, sf_load_options *out)
{
	static const sf_load_options defaults = SF_LOAD_OPTIONS_INIT;
	static const size_t size_of_version[] = {
		0, offsetof(sf_load_options, only_names), offsetof(sf_load_options, want_abi),
		offsetof(sf_load_options, no_reuse), offsetof(sf_load_options, format_in),
		offsetof(sf_load_options, typedef_chains), sizeof(sf_load_options),
	};

	*out = defaults;
	if (!opts)
		return 0;
	if (opts->version < 1 || opts->version > SF_LOAD_OPTIONS_VERSION)
		return sf__fail(SF_EUSAGE, "unknown load options version %u", opts->version);
	memcpy(out, opts, size_of_version[opts->version]);
	/* Before version 3 every load worked the exported symbols out. */
	if (opts->version < 3)
		out->want_abi = 1;
	out->version = SF_LOAD_OPTIONS_VERSION;
	if (out->format_in < SF_FORMAT_IN_AUTO || out->format_in > SF_FORMAT_IN_BTF)
		return sf__fail(SF_EUSAGE, "unknown input format %d", out->format_in);
	return 0;
}

/*
 * auto: DWARF found locally (in the file, a separate debug file or a dwz
 * file) wins; then BTF in the file; only then is a debug file fetched
 * from debuginfod, so a vmlinux with .BTF never starts a download.
 */
int sf_model_load(sf_model *model, const char *path, const sf_load_options *opts)
{
	sf_load_options o;
	int res = current_options(opts, &o);
	int want_debuginfod;

	if (res)
		return res;
	if (o.format_in == SF_FORMAT_IN_BTF)
		return sf__btf_model_load(model, path, &o);
	want_debuginfod = o.debuginfod;
	if (o.format_in == SF_FORMAT_IN_AUTO)
		o.debuginfod = 0;
	res = sf__dwarf_model_load(model, path, &o);
	if (o.format_in == SF_FORMAT_IN_DWARF || (res != SF_ENODEBUG && res != SF_ENOTELF))
		return res;
	if (sf__btf_present(path))
		return sf__btf_model_load(model, path, &o);
	if (res == SF_ENODEBUG && want_debuginfod) {
		o.debuginfod = 1;
		res = sf__dwarf_model_load(model, path, &o);
	}
	return res;
}
