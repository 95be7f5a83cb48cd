#!/usr/bin/env bash
# Manual (network) check of fix and assert/check on real projects from Debian
# sources.  zlib (a shared library): build with -g, fix, git apply, rebuild,
# run zlib's own tests, compare every patched struct's new size with the
# prediction; then assert headers compiled against zlib's own headers and the
# check gate after a member is added.  gawk (an executable): fix without
# --allow-abi-change patches internal structs (libc's FILE, reached through
# copy-relocated stdout, is not ABI-visible), gawk's own test suite passes
# before and after, every patched size is the predicted one.  Not part of
# ctest: it downloads with `apt-get source`.
# Usage: [PROJECT=zlib|gawk|all] scripts/realworld.sh [STRUCTFIT [WORKDIR]]
# (needs deb-src, gcc, git, python3; gawk also localedef for its locale tests)
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
set -euo pipefail

sf=${1:-$(dirname "$0")/../build/structfit}
work=${2:-/tmp/structfit-realworld}
[[ $sf == /* ]] || sf="$PWD/$sf"
step() { printf '\n== %s\n' "$*"; }
die() { echo "FAIL: $*" >&2; exit 1; }

project=${PROJECT:-all}
case $project in zlib | gawk | all) ;; *) die "PROJECT must be zlib, gawk or all" ;; esac

# Every "patched NAME ... -> N bytes" line of summary $1 against report $2.
check_sizes() {
	local summary=$1 json=$2 name want got
	sed -n 's/^patched  \([^ ]*\) .*-> \([0-9]*\) bytes.*/\1 \2/p' "$summary" |
		while read -r name want; do
			got=$(python3 -c '
import json, sys
for s in json.load(open(sys.argv[1]))["structs"]:
    if sys.argv[2] in (s.get("name"), s.get("typedef_name")):
        print(s["size"]); break' "$json" "$name")
			[[ $got == "$want" ]] || die "$name is ${got:-missing} bytes after the patch, predicted $want"
			echo "$name: $got bytes, as predicted"
		done
}

rm -rf "$work" && mkdir -p "$work"

run_zlib() {
cd "$work"
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
check_sizes "$work/fix.sum" "$work/after.json"

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
}

# gawk: an executable with its own test suite (test/Makefile: make check).
# The Debian source lacks the non-free manual, so `make` stops in doc/:
# build the parts the tests need.  gawk's locale tests want en_US.UTF-8,
# generated into the work directory (LOCPATH) when the system lacks it.
run_gawk() {
cd "$work"
step "download gawk sources"
apt-get source gawk >/dev/null 2>&1 || die "apt-get source gawk (is deb-src configured?)"
local src
src=$(find "$work" -maxdepth 1 -type d -name 'gawk-*' | head -1)
cd "$src"
git init -q . && git add -A && git -c user.email=sf@localhost -c user.name=structfit commit -qm base
gbuild() {
	make -C support -j"$(nproc)" >/dev/null && make gawk -j"$(nproc)" >/dev/null &&
		make -C extension -j"$(nproc)" >/dev/null
}
gcheck() {
	LOCPATH="$work/locale" make -C test check >"$work/gawk-$1.log" 2>&1 ||
		{ grep -E 'TESTS FAILED|^=====' "$work/gawk-$1.log"; return 1; }
	grep -E 'ALL TESTS PASSED' "$work/gawk-$1.log"
}
mkdir -p "$work/locale"
localedef -i en_US -f UTF-8 "$work/locale/en_US.UTF-8" 2>/dev/null ||
	echo "note: no en_US.UTF-8 locale: gawk's locale tests will fail before and after"

step "gawk: build with -g -O0, gawk's own tests"
CFLAGS="-g -O0" ./configure >/dev/null && gbuild || die "gawk does not build"
gcheck before || die "gawk's tests fail before the fix"

step "gawk: libc's FILE is not ABI-visible (stdout is a copy relocation)"
"$sf" report --format json gawk >"$work/gawk-before.json"
python3 - "$work/gawk-before.json" <<'EOF' || die "copy-relocated libc variables make FILE ABI-visible"
import json, sys
structs = json.load(open(sys.argv[1]))["structs"]
file = [s for s in structs if s.get("name") == "_IO_FILE"]
sys.exit(1 if not file or file[0]["abi_visible"] else 0)
EOF
echo "_IO_FILE: abi_visible false"

step "gawk: fix without --allow-abi-change"
"$sf" fix --diff --source-root . gawk >"$work/gawk.diff" 2>"$work/gawk.sum" || die "fix failed"
cat "$work/gawk.sum"
grep -q '^patched' "$work/gawk.sum" || die "no internal struct of gawk was patched"
git apply --check "$work/gawk.diff" && git apply "$work/gawk.diff" || die "git apply rejected the diff"
git diff --stat

step "gawk: rebuild, gawk's own tests"
gbuild || die "patched gawk does not compile"
gcheck after || die "gawk's tests fail after the patch"

step "gawk: every patched struct has its predicted size"
"$sf" report --format json gawk >"$work/gawk-after.json"
check_sizes "$work/gawk.sum" "$work/gawk-after.json"
}

if [[ $project == zlib || $project == all ]]; then run_zlib; fi
if [[ $project == gawk || $project == all ]]; then run_gawk; fi
step "all good"
