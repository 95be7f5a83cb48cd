#!/usr/bin/env bash
# Checks the #include lines of src/lib/<layer>/ and src/cli/ against the
# layering table of STYLE.md; prints each violation and exits 1 if any.
# Usage: scripts/check-layering.sh [REPO_ROOT]
# ctest runs this with `sh`; the checks below need bash.
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
set -euo pipefail

root=$(cd "${1:-$(dirname "${BASH_SOURCE[0]}")/..}" && pwd)

# Private layers each layer may include ("" = none); a layer may always
# include its own headers.  Keep in step with the table in STYLE.md.
declare -A allowed=(
	[util]=""
	[model]="util"
	[elf]="model util"
	[dwarf]="elf model util"
	[btf]="model util"
	[load]="btf dwarf model util"
	[layout]="model util"
	[reorder]="layout model util"
	[impact]="reorder layout model util"
	[emit]="impact reorder layout model util"
	[gate]="reorder layout model util"
	[fix]="reorder layout model util"
	[cli]=""
)
# System headers of our dependencies, which only the decoder layers may see.
third_party='^(libdwarf(/.*)?|dwarf|libelf|gelf|elfutils/.*|zlib|bpf/.*|isa-l/.*)\.h$|^libdwarf/'
# Other libraries no layer includes at all (tests live outside src/).
forbidden='^(criterion/.*|zstd\.h|lzma\.h)$'

violations=0
report() {
	printf '%s:%s: %s\n' "${1#"$root"/}" "$2" "$3"
	violations=$((violations + 1))
}

check_file() {
	local file=$1 layer=$2 lineno line kind name target
	while IFS=: read -r lineno line; do
		if [[ $line =~ ^[[:space:]]*#[[:space:]]*include[[:space:]]*([\<\"])([^\>\"]+)[\>\"] ]]; then
			kind=${BASH_REMATCH[1]}
			name=${BASH_REMATCH[2]}
		else
			continue
		fi
		if [[ $kind == '<' ]]; then
			if [[ $name == structfit/* ]]; then
				continue # the public API is below every layer
			elif [[ $name =~ $third_party ]]; then
				# impact/ inflates gzipped pprof profiles, in pprof_wire.c alone.
				[[ $layer == dwarf || $layer == elf || $layer == btf ||
					($name == zlib.h && $file == */impact/pprof_wire.c) ]] ||
					report "$file" "$lineno" "<$name> is for src/lib/elf, src/lib/dwarf and src/lib/btf only"
			elif [[ $name =~ $forbidden ]]; then
				report "$file" "$lineno" "<$name> does not belong in src/"
			fi
			continue
		fi
		# Quoted: "layer/file.h" from src/lib, or a header next to the file.
		if [[ $name != */* ]]; then
			[[ -e $(dirname "$file")/$name ]] ||
				report "$file" "$lineno" "\"$name\" is not a header of this directory"
			continue
		fi
		target=${name%%/*}
		if [[ $layer == cli ]]; then
			report "$file" "$lineno" "\"$name\": src/cli may only include <structfit/...> and libc"
		elif [[ $target != "$layer" && " ${allowed[$layer]} " != *" $target "* ]]; then
			report "$file" "$lineno" "\"$name\": $layer may not include $target (allowed: ${allowed[$layer]:-none})"
		fi
	done < <(grep -n -E '^[[:space:]]*#[[:space:]]*include' "$file" || true)
}

shopt -s nullglob
for dir in "$root"/src/lib/*/ "$root"/src/cli/; do
	layer=$(basename "$dir")
	if [[ -z ${allowed[$layer]+set} ]]; then
		report "$dir" 0 "layer '$layer' is not in the layering table (STYLE.md, scripts/check-layering.sh)"
		continue
	fi
	for file in "$dir"*.c "$dir"*.h; do
		check_file "$file" "$layer"
	done
done

if ((violations)); then
	echo "check-layering: $violations violation(s)" >&2
	exit 1
fi
echo "check-layering: ok"
