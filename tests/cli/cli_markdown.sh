#!/usr/bin/env bash
# Checks report, reorder, check and diff --format=markdown (GitHub tables) and the
# summary filters --top and --min-waste on programs compiled here.
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

# reorder --top counts the shrinking structs, after --sort=impact's ranking;
# report --top too (it used to keep the first structs of the input, then rank them).
cat >r.c <<'C'
struct a { char x; long y; char z; };
struct b { char x; int y; char z; };
struct c { long y; int x; };
struct d { char x; double y; short z; char w; };
struct a A; struct b B; struct c C; struct d D;
C
"$cc" -g -c r.c -o r.o || { echo "FAIL: $cc cannot compile" >&2; exit 1; }
got=$("$bin" reorder --summary --top=2 r.o)
want='NAME                                     SIZE  PROPOSED  SAVES  MOVED  CACHELINES    SAVED  DECLARED
struct a                                   24        16      8      1           1   33.3 %  r.c:1
struct b                                   12         8      4      1           1   33.3 %  r.c:2
total (top 2 of 3 shrinking, 4 structs)    36        24     12      2           2   33.3 %'
[[ $got == "$want" ]] || fail "reorder --summary --top=2: got
$got"
got=$("$bin" reorder --summary --top=3 r.o | tail -n 1)
[[ $got == "total (3 of 4 structs shrink)    60        40     20      3           3   33.3 %" ]] ||
	fail "reorder --top not cutting changes the total line: $got"
got=$("$bin" reorder --summary --min-waste=10 r.o | awk '{ print $1, $2 }')
want='NAME SIZE
struct a
struct d
total (2'
[[ $got == "$want" ]] || fail "reorder --min-waste=10: got
$got"
got=$("$bin" reorder --format=markdown --top=1 r.o)
want='| struct | size | proposed | saves | moved | cache lines | declared |
|---|--:|--:|--:|--:|--:|---|
| `struct a` | 24 | 16 | 8 | 1 | 1 → 1 | r.c:1 |
| **total (1 struct)** | 24 | 16 | 8 | | | |'
[[ $got == "$want" ]] || fail "reorder markdown --top=1: got
$got"
[[ $("$bin" reorder --top=1 r.o | grep -c '^struct ') == 1 ]] || fail "reorder --top=1 prints more than one struct"
# Without allocation counts --sort=impact ranks by bytes saved: a and d (8) before b (4).
printf 'type,member,reads,writes,threads\na,x,10,1,1\n' >prof.csv
for cmd in "reorder --summary" "report --summary" "reorder --format=markdown" "report --format=markdown"; do
	got=$("$bin" $cmd --sort=impact --top=2 --profile=prof.csv r.o | grep -o 'struct [a-d]' | tr '\n' ' ')
	[[ $got == "struct a struct d " ]] || fail "$cmd --sort=impact --top=2 keeps: $got"
done
got=$("$bin" report --format=json --sort=impact --top=2 --profile=prof.csv r.o | grep -o '"name": "[a-d]"' | tr '\n' ' ')
[[ $got == '"name": "a" "name": "d" ' ]] || fail "report json --sort=impact --top=2 keeps: $got"
"$bin" reorder --format=html --top=1 r.o >/dev/null 2>err.txt
[[ $? == 2 ]] || fail "reorder --format=html --top is not a usage error: $(cat err.txt)"

# check and diff: the verdict, then one row per finding / per changed struct.
cat >g_old.c <<'C'
struct conn { long id; int fd; char state; };
struct gone { int a; };
struct conn c; struct gone g;
C
cat >g_new.c <<'C'
struct conn { char state; long id; char *fd; };
struct fresh { char *p; };
struct conn c; struct fresh f;
C
"$cc" -g -c g_old.c -o g_old.o && "$cc" -g -c g_new.c -o g_new.o || { echo "FAIL: $cc cannot compile" >&2; exit 1; }
"$bin" snapshot -o base.json g_old.o || fail "snapshot exits $?"
got=$("$bin" check --baseline=base.json --max-size=conn=16 --format=markdown g_new.o)
rc=$?
want='**structfit check: failed**, 8 violations of the layout baseline `base.json`

| level | struct | rule | old → new | budget | finding | declared |
|---|---|---|--:|--:|---|---|
| **error** | `struct conn` | struct-grew | 16 → 24 |  | size grew from 16 to 24 bytes (+8) | g\_new.c:1 |
| **error** | `struct conn` | member-moved | +8 |  | 2 members moved by +8 bytes: '"'id', 'fd'"' | g\_new.c:1 |
| **error** | `struct conn` | member-retyped | 4 → 8 |  | member '"'fd' changed from 'int' (4 bytes) to 'char \\*' (8 bytes)"' | g\_new.c:1 |
| **error** | `struct conn` | member-moved | 12 → 0 |  | member '"'state'"' moved from offset 12 to 0 | g\_new.c:1 |
| **error** | `struct conn` | holes-grew | 0 → 7 |  | holes grew from 0 to 7 bytes | g\_new.c:1 |
| note | `struct conn` | padding-shrank | 3 → 0 |  | tail padding shrank from 3 to 0 bytes | g\_new.c:1 |
| **error** | `struct conn` | max-size | 24 | 16 | size 24 bytes exceeds the --max-size budget of 16 | g\_new.c:1 |
| note | `struct fresh` | struct-added | – → 8 |  | is not in the baseline (8 bytes); not checked | g\_new.c:2 |
| **error** | `struct gone` | struct-removed | 4 → – |  | is in the baseline (4 bytes) but not in the build | g\_old.c:2 |'
[[ $rc == 1 && $got == "$want" ]] || fail "check markdown (exit $rc): got
$got"
got=$("$bin" check --baseline=base.json --format=markdown g_old.o)
rc=$?
want='**structfit check: passed**, 2 structs checked against the baseline `base.json`'
[[ $rc == 0 && $got == "$want" ]] || fail "check markdown, passing (exit $rc): got
$got"
got=$("$bin" check --max-padding=100 --format=markdown g_new.o)
want='**structfit check: passed**, 2 structs checked against the budgets'
[[ $got == "$want" ]] || fail "check markdown, budgets: got
$got"
got=$("$bin" diff --format=markdown g_old.o g_new.o)
rc=$?
want='**structfit diff**: 3 structs changed

| struct | size | changes | declared |
|---|--:|---|---|
| `struct conn` | 16 → 24 | size grew from 16 to 24 bytes (+8)<br>2 members moved by +8 bytes: '"'id', 'fd'<br>member 'fd' changed from 'int' (4 bytes) to 'char \\*' (8 bytes)<br>member 'state'"' moved from offset 12 to 0<br>holes grew from 0 to 7 bytes<br>tail padding shrank from 3 to 0 bytes | g\_new.c:1 |
| `struct fresh` | – → 8 | added (8 bytes) | g\_new.c:2 |
| `struct gone` | 4 → – | removed (was 4 bytes) | g\_old.c:2 |'
[[ $rc == 1 && $got == "$want" ]] || fail "diff markdown (exit $rc): got
$got"
got=$("$bin" diff --format=markdown g_old.o g_old.o)
[[ $got == '**structfit diff**: no layout changes (2 structs compared)' ]] || fail "diff markdown, no change: got
$got"
"$bin" check --baseline=base.json --format=no-such g_new.o >/dev/null 2>err.txt
grep -q "sarif or markdown" err.txt || fail "check --format error does not list markdown: $(cat err.txt)"

if ((failures)); then
	echo "$failures failure(s)" >&2
	exit 1
fi
echo "PASS"
