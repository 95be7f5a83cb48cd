#!/usr/bin/env bash
# Checks report and reorder --format=markdown (summaries as GitHub tables) and the
# summary filters --top and --min-waste on a program compiled here.
# Usage: cli_markdown.sh [STRUCTFIT]  (default: $STRUCTFIT_BIN)
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
set -uo pipefail

bin=${1:-${STRUCTFIT_BIN:-}}
[[ -n $bin ]] || { echo "usage: cli_markdown.sh STRUCTFIT" >&2; exit 2; }
[[ $bin == /* ]] || bin="$PWD/$bin"
cc=${CC:-gcc}
command -v "$cc" >/dev/null || { echo "SKIP: no $cc"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 2
failures=0
fail() {
	echo "FAIL: $*" >&2
	failures=$((failures + 1))
}

cat >md.c <<'C'
struct small { char a; int b; };
struct big { char a; long b; char c; long d; char e; };
struct tight { long a; int b; int c; };
typedef struct { char x; short y; } anon_t;
struct small s; struct big b; struct tight t; anon_t an;
C
"$cc" -g -c md.c -o md.o || { echo "FAIL: $cc cannot compile" >&2; exit 1; }

want='| struct | size | holes | padding | waste | cache lines | declared |
|---|--:|--:|--:|--:|--:|---|
| `struct small` | 8 | 1 | 0 | 3 | 1 | md.c:1 |
| `struct big` | 40 | 2 | 7 | 21 | 1 | md.c:2 |
| `struct tight` | 16 | 0 | 0 | 0 | 1 | md.c:3 |
| `anon_t` | 4 | 1 | 0 | 1 | 1 | md.c:4 |
| **total (4 structs)** | 68 | 4 | 7 | 25 | 4 | |'
got=$("$bin" report --format=markdown md.o)
[[ $got == "$want" ]] || fail "markdown: got
$got"
got=$("$bin" report --format=markdown --sort=waste --top=2 md.o)
want='| struct | size | holes | padding | waste | cache lines | declared |
|---|--:|--:|--:|--:|--:|---|
| `struct big` | 40 | 2 | 7 | 21 | 1 | md.c:2 |
| `struct small` | 8 | 1 | 0 | 3 | 1 | md.c:1 |
| **total (2 structs)** | 48 | 3 | 7 | 24 | 2 | |'
[[ $got == "$want" ]] || fail "markdown --top: got
$got"
got=$("$bin" report --summary --min-waste=3 md.o | awk '{ print $1, $2 }')
want='NAME SIZE
struct small
struct big
total (2'
[[ $got == "$want" ]] || fail "--min-waste=3: got
$got"
got=$("$bin" reorder --format=markdown md.o)
want='| struct | size | proposed | saves | moved | cache lines | declared |
|---|--:|--:|--:|--:|--:|---|
| `struct big` | 40 | 24 | 16 | 2 | 1 → 1 | md.c:2 |
| **total (1 struct)** | 40 | 24 | 16 | | | |'
[[ $got == "$want" ]] || fail "reorder markdown: got
$got"
"$bin" report --top=0 md.o >/dev/null 2>err.txt
[[ $? == 2 ]] && grep -q "invalid value '0' for --top" err.txt || fail "--top=0: $(cat err.txt)"
"$bin" report --format=no-such-format md.o >/dev/null 2>err.txt
grep -q "svg or markdown" err.txt || fail "--format error does not list markdown: $(cat err.txt)"

if ((failures)); then
	echo "$failures failure(s)" >&2
	exit 1
fi
echo "PASS"
