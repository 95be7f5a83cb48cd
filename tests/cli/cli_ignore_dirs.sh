#!/usr/bin/env bash
# `structfit: ignore` markers when the sources are not all here: a source
# directory that is missing is looked up once, not once per header under
# it (a Debian vmlinux names 2,000 headers of a build tree that is not on
# the machine); structs from there are still reported, and a marker in a
# source that is here still leaves its struct out.
# Usage: cli_ignore_dirs.sh [STRUCTFIT]  (default: $STRUCTFIT_BIN)
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
set -uo pipefail

bin=${1:-${STRUCTFIT_BIN:-}}
if [[ -z $bin ]]; then
	echo "usage: cli_ignore_dirs.sh STRUCTFIT (or set STRUCTFIT_BIN)" >&2
	exit 2
fi
[[ $bin == /* ]] || bin="$PWD/$bin"
command -v gcc >/dev/null || { echo "SKIP: gcc not installed"; exit 77; }
command -v strace >/dev/null || { echo "SKIP: strace not installed"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1

failures=0
fail() {
	echo "FAIL: $*" >&2
	failures=$((failures + 1))
}

# Forty headers in gone/inc/sub, and one marked header that stays.
mkdir -p gone/inc/sub here
: >all.c
for i in $(seq 1 40); do
	printf 'struct gone_%d { char c; long l; };\n' "$i" >"gone/inc/sub/h$i.h"
	printf '#include "gone/inc/sub/h%d.h"\nstruct gone_%d g%d;\n' "$i" "$i" "$i" >>all.c
done
cat >here/kept.h <<'EOF'
/* structfit: ignore */
struct here_marked { char c; long l; };
struct here_plain { char c; long l; };
EOF
printf '#include "here/kept.h"\nstruct here_marked hm;\nstruct here_plain hp;\n' >>all.c
gcc -g -c all.c -o all.o || { fail "cannot compile the fixture"; exit 1; }
rm -rf gone

# LeakSanitizer cannot run under ptrace: a sanitized build leaves it out here.
if ! ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
	strace -f -o trace.txt -e trace=open,openat,stat,lstat,newfstatat,statx "$bin" report all.o >out 2>err; then
	if grep -qi "ptrace\|operation not permitted" err trace.txt 2>/dev/null; then
		echo "SKIP: strace cannot trace here"
		exit 77
	fi
	fail "report exited non-zero: $(head -c 300 err)"
fi
for i in 1 20 40; do
	grep -q "struct gone_$i {" out || fail "gone_$i (source missing) not reported"
done
grep -q "struct here_plain {" out || fail "here_plain not reported"
grep -q "here_marked" out && fail "here_marked carries a marker but is reported"
lookups=$(grep -c 'gone/inc' trace.txt)
# The first header's open, its directory, then the shortest missing one.
if ((lookups > 4)); then
	fail "$lookups lookups under the missing gone/inc (expected at most 4 for 40 headers)"
fi

if ((failures)); then
	echo "$failures failure(s)" >&2
	exit 1
fi
echo "cli_ignore_dirs: ok"
