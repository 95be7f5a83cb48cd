#!/bin/sh
# docs/examples/embed.c, the embedding example, as a user builds it: install
# structfit into a scratch prefix, compile the example with COMPILER (gcc,
# clang) from `pkg-config structfit` alone with -std=c11 -Werror, run it on
# fixtures/embed/request.c compiled by the same compiler, and check every
# number it prints: offsets and sizes of the struct and of the proposed order
# against the compiler (_Static_assert on the struct and on the members
# declared again in the proposed order), holes and padding against
# `structfit report --format=json`.
# Usage: embed_example.sh COMPILER
set -u

: "${STRUCTFIT_BIN:?}" "${STRUCTFIT_SOURCE_DIR:?}" "${STRUCTFIT_SCRATCH_DIR:?}"
compiler=${1:?usage: embed_example.sh COMPILER}
for tool in cmake pkg-config python3 "$compiler"; do
	command -v "$tool" >/dev/null 2>&1 || { echo "SKIP: no $tool"; exit 77; }
done
build_dir=$(dirname "$STRUCTFIT_BIN")
scratch=$STRUCTFIT_SCRATCH_DIR
prefix=$scratch/prefix
fixture=$STRUCTFIT_SOURCE_DIR/fixtures/embed
fail() { echo "FAIL: $*"; exit 1; }

rm -rf "$prefix" "$scratch"/embed* "$scratch"/check.c "$scratch"/*.log
cmake --install "$build_dir" --prefix "$prefix" >"$scratch/install.log" 2>&1 ||
	{ cat "$scratch/install.log"; fail "cmake --install"; }
pc=$(find "$prefix" -name structfit.pc | head -n 1)
[ -n "$pc" ] || fail "no structfit.pc"
PKG_CONFIG_PATH=$(dirname "$pc")
export PKG_CONFIG_PATH
unset PKG_CONFIG_SYSROOT_DIR PKG_CONFIG_LIBDIR
libdir=$(pkg-config --variable=libdir structfit) || fail "pkg-config cannot read $pc"

# shellcheck disable=SC2046 # pkg-config's output is a list of words
"$compiler" -std=c11 -Wall -Wextra -Werror -o "$scratch/embed" "$STRUCTFIT_SOURCE_DIR/docs/examples/embed.c" \
	$(pkg-config --cflags --libs structfit) >"$scratch/build.log" 2>&1 ||
	{ cat "$scratch/build.log"; fail "docs/examples/embed.c does not build against the installed package"; }
"$compiler" -g -c "$fixture/request.c" -o "$scratch/embed_input.o" || fail "compiling the input object"
LD_LIBRARY_PATH=$libdir "$scratch/embed" "$scratch/embed_input.o" request >"$scratch/embed.out" 2>&1 ||
	{ cat "$scratch/embed.out"; fail "embed exited with $?"; }
cat "$scratch/embed.out"

# The compiler checks the offsets and sizes printed; bitfields (declared
# with ':') have no offsetof, the struct sizes still cover them.
decl() { grep -E "[ *]$1( *: *[0-9]+)?;\$" "$fixture/request.h"; }
declared=$(grep -cE '^[[:space:]]+[^}]*;$' "$fixture/request.h")
{
	printf '#include <stddef.h>\n#include "request.h"\n'
	sed -n 's/^struct request size \([0-9]*\) .*/_Static_assert(sizeof(struct request) == \1, "size");/p' "$scratch/embed.out"
	grep '^member ' "$scratch/embed.out" | while read -r _ name _ offset _ size _ hole; do
		line=$(decl "$name") || { echo "#error unknown member $name"; continue; }
		case $line in *:*) continue ;; esac
		echo "_Static_assert(offsetof(struct request, $name) == $offset, \"$name\");"
		echo "_Static_assert(sizeof(((struct request *)0)->$name) == $size, \"$name size\");"
	done
	echo "struct proposed {"
	grep '^proposed ' "$scratch/embed.out" | while read -r _ name _; do decl "$name" || echo "#error unknown member $name"; done
	echo "};"
	sed -n 's/^size [0-9]* -> \([0-9]*\)$/_Static_assert(sizeof(struct proposed) == \1, "proposed size");/p' "$scratch/embed.out"
	grep '^proposed ' "$scratch/embed.out" | while read -r _ name _ offset; do
		case $(decl "$name") in *:*) continue ;; esac
		echo "_Static_assert(offsetof(struct proposed, $name) == $offset, \"proposed $name\");"
	done
} >"$scratch/check.c"
[ "$(grep -c '^member ' "$scratch/embed.out")" -eq "$declared" ] || fail "embed printed other members than the $declared declared"
[ "$(grep -c '^proposed ' "$scratch/embed.out")" -eq "$declared" ] || fail "the proposal does not list the $declared members"
grep -q '^_Static_assert(sizeof(struct proposed)' "$scratch/check.c" || fail "no size line in the output"
"$compiler" -std=c11 -fsyntax-only -I"$fixture" "$scratch/check.c" >"$scratch/check.log" 2>&1 ||
	{ cat "$scratch/check.c" "$scratch/check.log"; fail "the compiler disagrees with the numbers embed printed"; }
asserts=$(grep -c _Static_assert "$scratch/check.c")

# Holes and padding: what the JSON emitter says about the same struct.
"$STRUCTFIT_BIN" report --format=json -C request "$scratch/embed_input.o" >"$scratch/embed.json" ||
	fail "structfit report --format=json"
python3 - "$scratch/embed.json" "$scratch/embed.out" <<'PY' || fail "embed's holes differ from the JSON"
import json, re, sys
s = json.load(open(sys.argv[1]))["structs"][0]
lines = open(sys.argv[2]).read().splitlines()
head = re.match(r"struct request size (\d+) holes (\d+) \((\d+) bytes\) padding (\d+)$", lines[0])
want = (s["size"], len(s["holes"]), sum(h["size"] for h in s["holes"]), s["padding"])
got = tuple(int(x) for x in head.groups())
if got != want:
    sys.exit("embed says size/holes/bytes/padding %s, the JSON %s" % (got, want))
holes = [int(l.split()[-1]) for l in lines if l.startswith("member ")]
if sorted(h for h in holes if h) != sorted(h["size"] for h in s["holes"]):
    sys.exit("per-member holes %s, the JSON %s" % (holes, s["holes"]))
PY
echo "embed example ($compiler): builds from pkg-config, $asserts compiler assertions and the JSON's holes agree"
