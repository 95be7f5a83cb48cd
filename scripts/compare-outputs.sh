#!/usr/bin/env bash
# Runs two structfit binaries on the same inputs and compares what they print
# (stdout, stderr and exit status of every command), for changes that must
# keep the output byte-identical: report (text, json, summary), reorder (text,
# json), fix --diff on the fix_* fixture projects, snapshot and check against
# the baseline (text, json, sarif, also with budgets and on the gate_rules
# variants), diff (text, json), and assert --offsets --align.
# Inputs: every fixtures/*.c and fixtures/cxx/*.cc compiled with -g into a
# temporary directory, and each DEBUG_FILE (default: the libc6-dbg debug file
# of libc.so.6, found by build-id, when installed).
# Prints one line per command compared and "N outputs compared, M differ";
# exits 1 when anything differs, 2 on a usage or setup error.
# A developer/reviewer tool, not a ctest test.
# Usage: scripts/compare-outputs.sh OLD_BINARY NEW_BINARY [DEBUG_FILE...]
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
set -uo pipefail

usage() {
	echo "usage: scripts/compare-outputs.sh OLD_BINARY NEW_BINARY [DEBUG_FILE...]" >&2
	exit 2
}
(($# >= 2)) || usage
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
absolute() { [[ $1 == /* ]] && echo "$1" || echo "$PWD/$1"; }
old=$(absolute "$1")
new=$(absolute "$2")
shift 2
for bin in "$old" "$new"; do
	[[ -x $bin && -f $bin ]] || { echo "compare-outputs: $bin is not an executable file" >&2; exit 2; }
done
cc=${CC:-gcc}
cxx=${CXX:-g++}
command -v "$cc" >/dev/null || { echo "compare-outputs: no C compiler $cc" >&2; exit 2; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/in" "$tmp/out"

# The default debug file: libc.so.6's separate debug file by build-id.
debug_files=()
if (($# > 0)); then
	for f in "$@"; do debug_files+=("$(absolute "$f")"); done
else
	libc=$("$cc" -print-file-name=libc.so.6 2>/dev/null)
	id=$(readelf -n "$libc" 2>/dev/null | sed -n 's/^ *Build ID: *\([0-9a-f]*\)$/\1/p' | head -n 1)
	dbg=/usr/lib/debug/.build-id/${id:0:2}/${id:2}.debug
	if [[ -n $id && -f $dbg ]]; then
		debug_files+=("$dbg")
	else
		echo "compare-outputs: no libc6-dbg debug file found; fixtures only" >&2
	fi
fi

# Fixture objects.  Paths are the same for both binaries, so file names in
# the outputs compare equal.
inputs=()
for src in "$root"/fixtures/*.c; do
	name=$(basename "$src" .c)
	"$cc" -g -O0 -w -c "$src" -o "$tmp/in/$name.o" || { echo "compare-outputs: cannot compile $src" >&2; exit 2; }
	inputs+=("$tmp/in/$name.o")
done
if command -v "$cxx" >/dev/null; then
	for src in "$root"/fixtures/cxx/*.cc; do
		name=cxx_$(basename "$src" .cc)
		"$cxx" -g -O0 -w -c "$src" -o "$tmp/in/$name.o" || { echo "compare-outputs: cannot compile $src" >&2; exit 2; }
		inputs+=("$tmp/in/$name.o")
	done
fi

# Fix projects: a copy of each fixture directory, built as the fix tests do.
projects=()
project() { # NAME BUILD-COMMAND...
	local name=$1
	shift
	[[ -d $root/fixtures/$name ]] || return 0
	cp -r "$root/fixtures/$name" "$tmp/$name"
	if (cd "$tmp/$name" && "$@" >/dev/null 2>&1); then
		projects+=("$name")
	else
		echo "compare-outputs: cannot build fixtures/$name" >&2
		exit 2
	fi
}
project fix_project "$cc" -g -O0 -Iinclude src/main.c src/table.c -o prog
project fix_nested "$cc" -g -O0 -Iinclude src/main.c -o prog
project fix_prefix "$cc" -g -O0 src/main.c -o prog
if command -v "$cxx" >/dev/null; then
	project fix_project_cxx "$cxx" -g -O0 -Iinclude src/main.cc src/shapes.cc -o prog
fi

# Variants of gate_rules.c so that check and diff have findings to print.
gate_variants=()
for v in GROW MOVE REMOVE RETYPE SHRINK DROP NEW_STRUCT INSERT; do
	"$cc" -g -O0 -w -c "$root/fixtures/gate_rules.c" -DGATE_$v -o "$tmp/in/gate_rules_$v.o" ||
		{ echo "compare-outputs: cannot compile gate_rules.c -DGATE_$v" >&2; exit 2; }
	gate_variants+=("$tmp/in/gate_rules_$v.o")
done

compared=0
differ=0
# compare LABEL DIR ARGS...: runs both binaries in DIR and compares stdout,
# stderr and exit status.  "{}" in ARGS is a directory of files each binary
# wrote earlier (baselines), under one path for both so that messages naming
# it compare equal.
compare() {
	local label=$1 dir=$2 side bin rc_old rc_new what=""
	shift 2
	for side in old new; do
		[[ $side == old ]] && bin=$old || bin=$new
		local args=("${@//\{\}/$tmp/out/files}")
		mv "$tmp/out/$side" "$tmp/out/files"
		(cd "$dir" && NO_COLOR=1 "$bin" "${args[@]}" >"$tmp/out/$side.stdout" 2>"$tmp/out/$side.stderr")
		echo $? >"$tmp/out/$side.rc"
		mv "$tmp/out/files" "$tmp/out/$side"
	done
	cmp -s "$tmp/out/old.stdout" "$tmp/out/new.stdout" || what+=" stdout"
	cmp -s "$tmp/out/old.stderr" "$tmp/out/new.stderr" || what+=" stderr"
	rc_old=$(cat "$tmp/out/old.rc")
	rc_new=$(cat "$tmp/out/new.rc")
	[[ $rc_old == "$rc_new" ]] || what+=" exit($rc_old/$rc_new)"
	compared=$((compared + 1))
	if [[ -n $what ]]; then
		differ=$((differ + 1))
		printf 'DIFFER %s:%s\n' "$label" "$what"
	else
		printf 'same   %s (exit %s)\n' "$label" "$rc_old"
	fi
}

mkdir -p "$tmp/out/old" "$tmp/out/new"
# gate_check: snapshot with each binary, then check against that baseline.
gate() { # LABEL DIR FILE
	local label=$1 dir=$2 file=$3 fmt
	compare "snapshot $label" "$dir" snapshot -o "{}/base.json" "$file"
	cmp -s "$tmp/out/old/base.json" "$tmp/out/new/base.json" ||
		{ differ=$((differ + 1)); printf 'DIFFER snapshot file %s\n' "$label"; }
	compared=$((compared + 1))
	for fmt in text json sarif; do
		compare "check --baseline --format=$fmt $label" "$dir" check --baseline "{}/base.json" --format=$fmt "$file"
		compare "check budgets --format=$fmt $label" "$dir" check --max-padding=4 --no-new-holes \
			'--max-size=*=32' '--max-cachelines=*=1' --format=$fmt "$file"
	done
}

all=("${inputs[@]}" "${debug_files[@]}")
for file in "${all[@]}"; do
	label=${file#"$tmp/in/"}
	compare "report $label" "$tmp" report "$file"
	compare "report --format=json $label" "$tmp" report --format=json "$file"
	compare "report --summary $label" "$tmp" report --summary "$file"
	compare "reorder $label" "$tmp" reorder "$file"
	compare "reorder --format=json $label" "$tmp" reorder --format=json "$file"
	compare "reorder --summary $label" "$tmp" reorder --summary "$file"
	compare "fix --diff $label" "$tmp" fix --diff --source-root "$root/fixtures" "$file"
	gate "$label" "$tmp" "$file"
	compare "assert --offsets --align $label" "$tmp" assert --offsets --align "$file"
done

for name in "${projects[@]}"; do
	compare "fix --diff $name" "$tmp/$name" fix --diff --source-root "$tmp/$name" prog
	compare "report $name" "$tmp/$name" report prog
	compare "reorder $name" "$tmp/$name" reorder prog
done

# Constraints: proposals bound by a pin, by keeping the first member, by both.
if [[ -f $tmp/in/truth_claims.o ]]; then
	printf 'pin tc_outer.x\npin tc_outer.d\npin tc_leading.m1\n' >"$tmp/pins.rules"
	for fmt in text json; do
		compare "reorder --constraints --format=$fmt truth_claims.o" "$tmp" reorder --constraints "$tmp/pins.rules" \
			--format=$fmt "$tmp/in/truth_claims.o"
	done
fi

# Findings: each gate_rules variant against the unchanged build's baseline.
compare "snapshot gate_rules baseline" "$tmp" snapshot -o "{}/gate.json" "$tmp/in/gate_rules.o"
for file in "${gate_variants[@]}"; do
	label=${file#"$tmp/in/"}
	for fmt in text json sarif; do
		compare "check --format=$fmt $label" "$tmp" check --baseline "{}/gate.json" --format=$fmt \
			--source-root "$root/fixtures" "$file"
	done
	compare "diff $label" "$tmp" diff "$tmp/in/gate_rules.o" "$file"
	compare "diff --format=json $label" "$tmp" diff --format=json "$tmp/in/gate_rules.o" "$file"
done

echo "$compared outputs compared, $differ differ"
((differ == 0))
