#!/usr/bin/env bash
# The threads of a load under ThreadSanitizer: a linked program of many
# units, its debug sections compressed (the stream, the lister, the
# workers, an out-of-turn unit, the reaper) and not (the mapped lister),
# the same objects in an archive, and enough structs that the report's
# analysis and text have helpers.  Each run must exit 0 with nothing from
# the sanitizer, and every -j must print what -j1 prints.
# Usage: tsan_load.sh [STRUCTFIT]  (default: $STRUCTFIT_BIN; built with
# -DSTRUCTFIT_TSAN=ON)
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
set -uo pipefail

bin=${1:-${STRUCTFIT_BIN:-}}
if [[ -z $bin ]]; then
	echo "usage: tsan_load.sh STRUCTFIT (or set STRUCTFIT_BIN)" >&2
	exit 2
fi
[[ $bin == /* ]] || bin="$PWD/$bin"
command -v cc >/dev/null || { echo "SKIP: cc not installed"; exit 77; }
command -v objcopy >/dev/null || { echo "SKIP: objcopy not installed"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1

# halt_on_error: the first race fails the run (exit 66), with its report.
export TSAN_OPTIONS="halt_on_error=1:exitcode=66:second_deadlock_stack=1${TSAN_OPTIONS:+:$TSAN_OPTIONS}"

# The runtime refuses some kernels' address-space layouts (high mmap
# randomisation); that says nothing about the code.
"$bin" --version >/dev/null 2>version.err
if grep -q 'ThreadSanitizer' version.err; then
	if grep -qi 'unexpected memory mapping\|failed to allocate\|mmap_rnd' version.err; then
		echo "SKIP: the ThreadSanitizer runtime cannot start here: $(head -n 1 version.err)"
		exit 77
	fi
	echo "FAIL: structfit --version under ThreadSanitizer:" >&2
	cat version.err >&2
	exit 1
fi
# grep -c reads to the end: with -q, nm could die of SIGPIPE under pipefail.
if ! { nm "$bin" 2>/dev/null; nm -D "$bin" 2>/dev/null; } | grep -c '__tsan_init' >/dev/null; then
	echo "SKIP: $bin is not built with ThreadSanitizer (configure with -DSTRUCTFIT_TSAN=ON)"
	exit 77
fi

failures=0
fail() {
	echo "FAIL: $*" >&2
	failures=$((failures + 1))
}

# 80 units of 8 structs each, every one a layout of its own, sharing a
# header; then one unit four times a batch and more, which a worker takes
# out of turn.
cat >shared.h <<'EOF'
struct shared_head { struct shared_head *next, *prev; };
struct shared_box { char tag; struct shared_head link; int count; };
EOF
for u in $(seq 1 80); do
	{
		echo '#include "shared.h"'
		for k in $(seq 1 8); do
			printf 'struct u%d_s%d { char c; long v[%d]; short s; struct shared_box box; } g_u%d_s%d;\n' \
				"$u" "$k" "$((u % 7 + k))" "$u" "$k"
		done
	} >"unit$u.c"
done
{
	echo '#include "shared.h"'
	for i in $(seq 1 3000); do
		printf 'struct big_%d { int a; char b[%d]; long c; } g_big_%d;\n' "$i" "$((i % 13 + 1))" "$i"
	done
} >zbig.c
echo 'int main(void) { return 0; }' >main.c
if ! cc -g -O0 -c unit*.c zbig.c main.c 2>cc.err ||
	! cc -o prog unit*.o zbig.o main.o 2>>cc.err ||
	! objcopy --compress-debug-sections=zlib prog prog.gz 2>>cc.err ||
	! ar rcs lib.a unit*.o zbig.o 2>>cc.err; then
	echo "SKIP: cannot build the test program: $(head -n 1 cc.err)"
	exit 77
fi
readelf -S -W prog.gz | grep -c ' \.debug_info .* C ' >/dev/null || fail "objcopy left .debug_info uncompressed"

run() {
	local out=$1
	shift
	"$bin" "$@" >"$out" 2>"$out.err"
	local rc=$?
	if ((rc != 0)) || grep -q 'ThreadSanitizer' "$out.err"; then
		fail "structfit $* exited $rc:"
		head -n 60 "$out.err" >&2
		return 1
	fi
	return 0
}

for input in prog.gz prog lib.a; do
	run "$input.j1" report -j1 "$input" || continue
	[ "$(grep -c '^struct ' "$input.j1")" -ge 600 ] || fail "$input: fewer than 600 structs reported"
	for jobs in 2 4; do
		# Thread timing differs from run to run: a few runs each.
		for round in 1 2 3; do
			run "$input.j$jobs" report -j"$jobs" "$input" || break
			cmp -s "$input.j1" "$input.j$jobs" || { fail "$input: -j$jobs prints another report than -j1"; break; }
		done
	done
done
# JSON, and a load of two inputs into one model (two loads, one reaper).
run json.j1 report -j1 --format=json prog.gz prog &&
	run json.j4 report -j4 --format=json prog.gz prog &&
	{ cmp -s json.j1 json.j4 || fail "JSON of two inputs differs between -j1 and -j4"; }

if ((failures)); then
	echo "tsan_load: $failures failure(s)" >&2
	exit 1
fi
echo "tsan_load: ok"
