#!/usr/bin/env bash
# The target column of the summaries: the same fixture compiled for i386,
# x86-64 and aarch64 (clang --target) gives report/reorder --summary and
# their Markdown tables a TARGET column naming each struct's target; one
# target alone keeps the columns as they were.
# Usage: cli_target_column.sh [STRUCTFIT]  (default: $STRUCTFIT_BIN)
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
set -uo pipefail

bin=${1:-${STRUCTFIT_BIN:-}}
[[ -n $bin ]] || { echo "usage: cli_target_column.sh STRUCTFIT" >&2; exit 2; }
[[ $bin == /* ]] || bin="$PWD/$bin"
command -v clang >/dev/null || { echo "SKIP: no clang"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 2
failures=0
fail() {
	echo "FAIL: $*" >&2
	failures=$((failures + 1))
}

cat >t.c <<'C'
struct rec { char tag; double value; long count; char flag; };
struct only { int a; char b; };
struct rec r; struct only o;
#ifdef CHECK_I386
_Static_assert(sizeof(struct rec) == 20, "i386 aligns double to 4 in structs");
#else
_Static_assert(sizeof(struct rec) == 32, "LP64");
#endif
_Static_assert(sizeof(struct only) == 8, "");
C
for target in i386 x86_64 aarch64; do
	flags=()
	[[ $target == i386 ]] && flags=(-DCHECK_I386)
	clang --target="$target-linux-gnu" "${flags[@]}" -g -c t.c -o "t-$target.o" 2>err.txt ||
		{ echo "SKIP: clang cannot build for $target: $(head -c 200 err.txt)"; exit 77; }
done

# struct only has one layout everywhere: listed once, with the first input's target.
got=$("$bin" report --summary t-i386.o t-x86_64.o)
want='NAME               SIZE  HOLES  PADDING  WASTE  CACHELINES  TARGET  DECLARED
struct rec           20      1        3      6           1  i386    t.c:1
struct only           8      0        3      3           1  i386    t.c:2
struct rec           32      1        7     14           1  x86_64  t.c:1
total (3 structs)    60      2       13     23           3'
[[ $got == "$want" ]] || fail "report --summary i386 + x86_64: got
$got"
got=$("$bin" report --format=markdown t-aarch64.o t-i386.o)
want='| struct | size | holes | padding | waste | cache lines | target | declared |
|---|--:|--:|--:|--:|--:|---|---|
| `struct rec` | 32 | 1 | 7 | 14 | 1 | aarch64 | t.c:1 |
| `struct only` | 8 | 0 | 3 | 3 | 1 | aarch64 | t.c:2 |
| `struct rec` | 20 | 1 | 3 | 6 | 1 | i386 | t.c:1 |
| **total (3 structs)** | 60 | 2 | 13 | 23 | 3 | | |'
[[ $got == "$want" ]] || fail "report markdown aarch64 + i386: got
$got"
got=$("$bin" reorder --summary t-i386.o t-x86_64.o)
want='NAME                           SIZE  PROPOSED  SAVES  MOVED  CACHELINES    SAVED  TARGET  DECLARED
struct rec                       20        16      4      1           1   20.0 %  i386    t.c:1
struct rec                       32        24      8      1           1   25.0 %  x86_64  t.c:1
total (2 of 3 structs shrink)    52        40     12      2           2   23.1 %'
[[ $got == "$want" ]] || fail "reorder --summary i386 + x86_64: got
$got"
got=$("$bin" reorder --format=markdown t-i386.o t-x86_64.o)
want='| struct | size | proposed | saves | moved | cache lines | target | declared |
|---|--:|--:|--:|--:|--:|---|---|
| `struct rec` | 20 | 16 | 4 | 1 | 1 → 1 | i386 | t.c:1 |
| `struct rec` | 32 | 24 | 8 | 1 | 1 → 1 | x86\_64 | t.c:1 |
| **total (2 structs)** | 52 | 40 | 12 | | | | |'
[[ $got == "$want" ]] || fail "reorder markdown i386 + x86_64: got
$got"
# The impact summary too.
printf 'type,member,reads,writes,threads\nrec,tag,10,1,1\n' >p.csv
got=$("$bin" report --summary --profile=p.csv t-i386.o t-x86_64.o | sed -n '1p;4p')
want='NAME               SIZE  PROPOSED  SAVES  ALLOCS  PEAK   CLASS  SAVED/INST  SAVED@PEAK  TARGET  DECLARED
struct rec           32        24      8       -     -  48->32          16           -  x86_64  t.c:1'
[[ $got == "$want" ]] || fail "impact summary i386 + x86_64: got
$got"

# One target, even in several inputs: no column.
cp t-x86_64.o u-x86_64.o
for args in "report --summary" "report --format=markdown" "reorder --summary" "reorder --format=markdown"; do
	"$bin" $args t-x86_64.o u-x86_64.o | grep -qi 'target' && fail "$args: a target column with one target"
	"$bin" $args t-x86_64.o | grep -qi 'target' && fail "$args: a target column with one input"
done

if ((failures)); then
	echo "$failures failure(s)" >&2
	exit 1
fi
echo "PASS"
