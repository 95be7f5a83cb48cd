#!/usr/bin/env bash
# Manual (network) check of fix and assert/check on a real project, zlib from
# Debian sources: build with -g, fix, git apply, rebuild, run zlib's own tests,
# compare every patched struct's new size with the prediction; then assert
# headers compiled against zlib's own headers and the check gate after a
# member is added.  Not part of ctest: it downloads with `apt-get source`.
# Usage: scripts/realworld.sh [STRUCTFIT [WORKDIR]]  (needs deb-src, gcc, git)
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
set -euo pipefail

sf=${1:-$(dirname "$0")/../build/structfit}
work=${2:-/tmp/structfit-realworld}
[[ $sf == /* ]] || sf="$PWD/$sf"
step() { printf '\n== %s\n' "$*"; }
die() { echo "FAIL: $*" >&2; exit 1; }

rm -rf "$work" && mkdir -p "$work" && cd "$work"
step "download zlib sources"
apt-get source zlib >/dev/null 2>&1 || die "apt-get source zlib (is deb-src configured?)"
src=$(find "$work" -maxdepth 1 -type d -name 'zlib-*' | head -1)
cd "$src"
git init -q . && git add -A && git -c user.email=sf@localhost -c user.name=structfit commit -qm base

build() {
	make distclean >/dev/null 2>&1 || true
	git checkout -q -- Makefile zconf.h 2>/dev/null || true
	CFLAGS="-g -O0" ./configure >/dev/null && make -j"$(nproc)" >/dev/null
}
so() { ls libz.so.*.*.* | head -1; }

step "build with -g -O0, zlib's own tests"
build && make test >/dev/null || die "zlib does not build or pass its tests before the fix"

step "fix without --allow-abi-change (shared library: exported structs are refused)"
"$sf" fix --diff --source-root . "$(so)" >"$work/plain.diff" 2>"$work/plain.sum" || die "fix failed"
cat "$work/plain.sum"
[[ ! -s $work/plain.diff ]] || die "an ABI-visible struct was patched without --allow-abi-change"

step "fix --allow-abi-change (tests and library rebuilt together)"
"$sf" fix --diff --allow-abi-change --source-root . "$(so)" >"$work/fix.diff" 2>"$work/fix.sum" ||
	die "fix failed"
cat "$work/fix.sum"
git apply --check "$work/fix.diff" && git apply "$work/fix.diff" || die "git apply rejected the diff"
git diff --stat -- '*.h' '*.c'

step "rebuild, zlib's own tests"
build || die "patched zlib does not compile"
make test 2>&1 | tail -1
make test >/dev/null 2>&1 || die "zlib's tests fail after the patch"

step "every patched struct has its predicted size"
"$sf" report --format json "$(so)" >"$work/after.json"
sed -n 's/^patched  \([^ ]*\) .*-> \([0-9]*\) bytes.*/\1 \2/p' "$work/fix.sum" |
	while read -r name want; do
		got=$(python3 -c '
import json, sys
for s in json.load(open(sys.argv[1]))["structs"]:
    if sys.argv[2] in (s.get("name"), s.get("typedef")):
        print(s["size"]); break' "$work/after.json" "$name")
		[[ $got == "$want" ]] || die "$name is ${got:-missing} bytes after the patch, predicted $want"
		echo "$name: $got bytes, as predicted"
	done

step "assert: header compiled against zlib's own headers"
git checkout -q -- . && build >/dev/null
structs=(-C code -C ct_data_s -C gzFile_s -C gz_header_s -C gz_state -C inflate_state
	-C internal_state -C tree_desc_s -C z_stream_s)
"$sf" assert --offsets --align "${structs[@]}" -o "$work/zlib_layout.h" "$(so)"
"$sf" snapshot "${structs[@]}" -o "$work/zlib_layout.json" "$(so)"
printf '#include "deflate.h"\n#include "inftrees.h"\n#include "inflate.h"\n#include "gzguts.h"\n#include "zlib_layout.h"\n' \
	>"$work/probe.c"
gcc -std=c11 -fsyntax-only -I. -I"$work" "$work/probe.c" || die "header does not compile against zlib"
echo "$(grep -c STRUCTFIT_ASSERT_\( "$work/zlib_layout.h") assertions compile"
"$sf" check --baseline "$work/zlib_layout.json" "${structs[@]}" "$(so)" || die "check fails on the reference build"

# Not at the end: an int added into the tail padding changes no size or
# offset, so only check (member added) could see it, not the header.
step "add a member to struct inflate_state, rebuild"
sed -i 's/^\( *\)z_streamp strm; /\1z_streamp strm;\n\1int structfit_added;/' inflate.h
grep -q structfit_added inflate.h || die "could not edit inflate.h"
build || die "zlib with the added member does not compile"
if gcc -std=c11 -fsyntax-only -I. -I"$work" "$work/probe.c" 2>"$work/probe.err"; then
	die "the header still compiles after a member was added"
fi
grep -m2 'error' "$work/probe.err"
set +e
"$sf" check --baseline "$work/zlib_layout.json" "${structs[@]}" "$(so)"
rc=$?
set -e
[[ $rc == 1 ]] || die "check exited $rc, want 1"
echo "check exited 1"
step "all good"
