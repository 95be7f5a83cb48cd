#!/usr/bin/env bash
# Profiles end to end: a C program compiled here and run under valgrind
# DHAT (deterministic counts), then report/reorder with --profile:
# allocations, peak instances, member heat, glibc size-class savings,
# --sort=impact, an ambiguous site and --profile-map, CSV input, and bad
# or mismatched profiles with their exit code (4) and message.
# Usage: cli_profile.sh [STRUCTFIT]  (default: $STRUCTFIT_BIN)
# ctest runs this with `sh`; the checks below need bash.
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
set -euo pipefail

bin=${1:-${STRUCTFIT_BIN:-}}
if [[ -z $bin ]]; then
	echo "usage: cli_profile.sh STRUCTFIT (or set STRUCTFIT_BIN)" >&2
	exit 2
fi
[[ $bin == /* ]] || bin="$PWD/$bin"
command -v gcc >/dev/null || { echo "SKIP: gcc not installed"; exit 77; }
command -v valgrind >/dev/null || { echo "SKIP: valgrind not installed"; exit 77; }
command -v python3 >/dev/null || { echo "SKIP: python3 not installed"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"

failures=0
fail() {
	echo "FAIL: $*" >&2
	failures=$((failures + 1))
}

# run EXPECTED_CODE ARGS...: runs structfit, keeps stdout/stderr in out/err.
run() {
	local expected=$1 code=0
	shift
	"$bin" "$@" >out 2>err </dev/null || code=$?
	if [[ $code != "$expected" ]]; then
		fail "structfit $* exited $code, expected $expected; stderr: $(head -c 300 err)"
		return 1
	fi
}

# has FILE TEXT WHAT: FILE must contain TEXT (fixed string).
has() {
	grep -Fq -- "$2" "$1" || fail "$3: '$2' not in $1: $(head -c 800 "$1")"
}

# json EXPR WHAT: the Python expression over `d` (out parsed) must hold.
json() {
	python3 -c "import json,sys; d=json.load(open('out')); sys.exit(0 if ($1) else 1)" ||
		fail "$2: $1 is false"
}

# node shrinks 48 -> 32 bytes (glibc chunks 64 -> 48); pair and span have
# the same size, and line 22's malloc(16) names neither.
cat >prog.c <<'C'
#include <stdlib.h>

struct node { char tag; long key; char flag; long value; char kind; long next_id; };
struct pair { long a; long b; };
struct span { int lo; int hi; long len; };

#define NODES 50
#define PAIRS 20
#define SPANS 10

int main(void)
{
	struct node *nodes[NODES];
	struct pair *pairs[PAIRS];
	void *spans[SPANS];
	long sum = 0;

	for (int i = 0; i < NODES; i++)
		nodes[i] = calloc(1, sizeof(struct node));
	for (int i = 0; i < PAIRS; i++)
		pairs[i] = malloc(sizeof *pairs[i]);
	for (int i = 0; i < SPANS; i++) spans[i] = malloc(16);
	for (int k = 0; k < 100; k++)
		for (int i = 0; i < NODES; i++) {
			nodes[i]->key += k;
			sum += nodes[i]->value;
		}
	for (int i = 0; i < NODES; i++)
		nodes[i]->flag = 1;
	for (int i = 0; i < PAIRS; i++)
		pairs[i]->a = i;
	for (int i = 0; i < SPANS; i++)
		((struct span *)spans[i])->len = i;
	for (int i = 0; i < NODES; i++)
		free(nodes[i]);
	for (int i = 0; i < PAIRS; i++)
		free(pairs[i]);
	for (int i = 0; i < SPANS; i++)
		free(spans[i]);
	return (int)(sum & 1);
}
C
gcc -g -O0 -o prog prog.c
valgrind -q --tool=dhat --dhat-out-file=dhat.json ./prog 2>valgrind.err ||
	{ fail "valgrind failed: $(head -c 300 valgrind.err)"; exit 1; }

# Report: counts, size classes, heat.
run 0 report --format json --profile=dhat.json prog
json "[s['impact']['allocations'] for s in d['structs'] if s['name'] == 'node'] == [50]" "node allocations"
json "[s['impact']['peak_instances'] for s in d['structs'] if s['name'] == 'node'] == [50]" "node peak"
json "[s['impact']['saved_per_instance'] for s in d['structs'] if s['name'] == 'node'] == [16]" "node 64->48"
json "[s['impact']['saved_at_peak'] for s in d['structs'] if s['name'] == 'node'] == [800]" "node at peak"
json "[s['impact']['allocations'] for s in d['structs'] if s['name'] == 'pair'] == [20]" "pair via sizeof *p"
json "{m['name']: m['heat'] for s in d['structs'] if s['name'] == 'node' for m in s['impact']['members']} == {'tag': 'cold', 'key': 'hot', 'flag': 'cold', 'value': 'hot', 'kind': 'cold', 'next_id': 'cold'}" "node heat"
json "[m['accesses_per_object'] for s in d['structs'] if s['name'] == 'node' for m in s['impact']['members'] if m['name'] == 'key'] == [200.0]" "key accesses"
json "[x['status'] for x in d['profile']['sites'] if x['line'] == 22] == ['ambiguous']" "malloc(16) ambiguous"
json "[x['candidates'] for x in d['profile']['sites'] if x['line'] == 22] == [['pair', 'span']]" "candidates"
json "d['profile']['allocator'] == 'glibc'" "allocator"
has err "dhat.json: allocation site prog.c:22 (16-byte blocks) is ambiguous: pair, span; settle it with --profile-map prog.c:22=TYPE" "ambiguous warning"

# The map settles it.
run 0 report --format json --profile=dhat.json --profile-map=prog.c:22=span prog
json "[s['impact']['allocations'] for s in d['structs'] if s['name'] == 'span'] == [10]" "mapped span"
[[ ! -s err ]] || fail "no warning expected once mapped: $(cat err)"
run 2 report --profile=dhat.json --profile-map=prog.c:22=nosuch prog
has err "no struct 'nosuch'" "map to a missing type"

# One note per ambiguous line, however many stacks DHAT recorded through
# it (three program points at prog.c:22 from different callers), and
# libc's own allocations (setlocale's l10nflist.c, strdup.c: not the
# program's sources) counted in one line, not listed as ambiguous.
pp() { # BLOCKS FRAMES...
	local frames
	frames=$(IFS=,; echo "${*:2}")
	printf '{"tb":%d,"tbk":%d,"mb":16,"mbk":1,"gb":16,"gbk":1,"fs":[%s]}' $(($1 * 16)) "$1" "$frames"
}
{
	printf '{"dhatFileVersion":2,"mode":"heap","cmd":"./prog","pps":['
	printf '%s,%s,%s,%s,%s' "$(pp 2 1 2 3)" "$(pp 3 1 2 4)" "$(pp 1 1 2 5)" "$(pp 1 1 6 7 3)" "$(pp 1 1 8 3)"
	printf '],"ftbl":["[root]","0x1: malloc (in vgpreload_dhat-amd64-linux.so)","0x2: main (prog.c:22)",'
	printf '"0x3: a (caller.c:1)","0x4: b (caller.c:2)","0x5: c (caller.c:3)",'
	printf '"0x6: _nl_make_l10nflist (l10nflist.c:242)","0x7: setlocale (setlocale.c:414)","0x8: strdup (strdup.c:42)"]}\n'
} >dup.json
run 0 report --summary --profile=dup.json --profile=dhat.json prog
[[ $(grep -c 'prog.c:22' err) == 2 ]] || fail "one note per profile for prog.c:22: $(cat err)"
has err "dup.json: allocation site prog.c:22 (16-byte blocks; 3 program points, 6 blocks) is ambiguous: pair, span" "merged note"
has err "2 allocation sites (2 blocks) in library code were left out" "library sites counted"
grep -q 'l10nflist\|strdup' err && fail "library sites listed: $(cat err)"

# Summary by impact: node first, pair/span save nothing.
run 0 report --summary --sort=impact --profile=dhat.json --profile-map=prog.c:22=span prog
sed -n 2p out | grep -q '^struct node ' || fail "node not first by impact: $(cat out)"
has out "struct node          48        32     16      50    50  64->48          16         800  prog.c:3" "node row"
run 0 reorder --summary --sort=impact --allocator=jemalloc --profile=dhat.json --profile-map=prog.c:22=span prog
has out "48->32" "jemalloc classes (48 is one)"
has out "(jemalloc size classes;" "allocator named"
run 0 reorder --profile=dhat.json --profile-map=prog.c:22=span prog
has out "/* profile: 50 allocations, 50 live at peak; glibc 64 -> 48 bytes: 16 saved per instance, 800 at peak; hot: key value; cold: tag flag kind next_id */" "profile line"
run 2 reorder --sort=impact prog
run 2 reorder --allocator=dlmalloc --profile=dhat.json prog

# CSV from another profiler.
printf 'type,member,reads,writes,threads\n# from perf c2c\nnode,key,900,100,2\nnode,tag,1,0\n' >prof.csv
run 0 report --summary --profile=prof.csv prog
has out "struct node          48        32     16       -     -  64->48          16           -  prog.c:3" "csv row has no counts"
run 0 reorder --profile=prof.csv -C node prog
has out "/* profile: no allocation counts; glibc 64 -> 48 bytes: 16 saved per instance; hot: key; cold: tag flag value kind next_id */" "csv heat"
printf 'node,nosuch,1,1\n' >bad.csv
run 4 reorder --profile=bad.csv prog
has err "bad.csv:1: node has no member 'nosuch'" "unknown member"

# Bad profiles: truncated, not a profile, another program's.
head -c 200 dhat.json >trunc.json
run 4 report --profile=trunc.json prog
has err "trunc.json:" "truncated named"
has err "(truncated or not JSON)" "truncated said"
run 4 report --profile=prog.c prog
has err "not a profile: neither DHAT JSON nor CSV" "not a profile"
cat >other.c <<'C'
#include <stdlib.h>
int main(void) { for (int i = 0; i < 4; i++) free(malloc(1000 + i)); char *p = malloc(333); free(p); return 0; }
C
gcc -g -O0 -o other other.c
valgrind -q --tool=dhat --dhat-out-file=other.json ./other 2>/dev/null
run 4 report --profile=other.json prog
has err "other.json: none of its" "another program"
has err "matches a struct of the inputs (profile of another program?)" "another program said"
# With -C the selected structs may simply not be allocated: a note.
run 0 report -C pair --profile=dhat.json --profile=prof.csv prog
run 0 reorder -C span --profile=other.json prog
has err "no allocation site of the profile matches the selected structs" "filtered: a note, not an error"
run 3 report --profile=missing.json prog
# fix accepts the profile and plans with its heat.
run 0 fix --diff --profile=dhat.json --profile-map=prog.c:22=span prog

if ((failures)); then
	echo "cli_profile: $failures failure(s)" >&2
	exit 1
fi
echo "cli_profile: ok"
