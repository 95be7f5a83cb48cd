#!/usr/bin/env bash
# Checks report's pahole options (-i, -f, -s, -n, --bit-holes, --packed,
# --with-flexible-array, -C comma lists) and `structfit FILE` on a small
# program compiled here, and, when pahole is installed, that each gives the
# lines pahole 1.24 gives on it and on the libc6-dbg debug file (where the
# two differ by design, the test says which lines and why: see
# docs/pahole-options.md).
# Usage: cli_pahole_habits.sh [STRUCTFIT]  (default: $STRUCTFIT_BIN)
# ctest runs this with `sh`; the checks below need bash.
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
set -uo pipefail

bin=${1:-${STRUCTFIT_BIN:-}}
[[ -n $bin ]] || { echo "usage: cli_pahole_habits.sh STRUCTFIT" >&2; exit 2; }
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
# expect NAME EXPECTED COMMAND...: stdout of COMMAND must equal EXPECTED.
expect() {
	local name=$1 want=$2 got
	shift 2
	got=$("$@" 2>&1)
	[[ $got == "$want" ]] || fail "$name: got [$got], want [$want]"
}

cat >habits.c <<'C'
struct inner { int a; char b; };
typedef struct inner inner_t;
struct outer { char c; struct inner in; struct inner arr[2]; struct inner *p; };
struct other { inner_t t; const struct inner *cp; struct outer *op; };
struct flex { int n; char data[]; };
struct __attribute__((packed)) pk { char a; int b; };
struct bits { unsigned a:3; unsigned b:2; int c; };
struct outer o; struct other ot; struct flex *f; struct pk p; struct bits bb;
C
"$cc" -g -c habits.c -o habits.o || { echo "FAIL: $cc cannot compile" >&2; exit 1; }
tab=$'\t'

expect sizes "inner${tab}8${tab}0
outer${tab}40${tab}2
other${tab}24${tab}0
flex${tab}4${tab}0
pk${tab}5${tab}0
bits${tab}8${tab}0" "$bin" report -s habits.o
expect nr-members "inner${tab}2
outer${tab}4
other${tab}3
flex${tab}2
pk${tab}2
bits${tab}3" "$bin" report -n habits.o
# -i: embedded or arrays of it, not pointers; a typedef'd member is found by the typedef's name.
expect contains "outer${tab}40${tab}2" "$bin" report -i inner -s habits.o
expect contains-typedef "other${tab}24${tab}0" "$bin" report --contains=inner_t -s habits.o
# -f: pointers, const ones too (pahole 1.24 misses `const struct inner *`).
expect pointers "outer: p
other: cp" "$bin" report -f inner habits.o
expect packed "pk${tab}5${tab}0" "$bin" report --packed -s habits.o
expect flexible "flex${tab}4${tab}0" "$bin" report --with-flexible-array -s habits.o
expect bit-holes "bits${tab}8${tab}0" "$bin" report --bit-holes=1 -s habits.o
expect bit-holes-2 "" "$bin" report --bit-holes=2 -s habits.o
expect bit-holes-bad "structfit: invalid value '0' for --bit-holes: expected a count >= 1 (see structfit report --help)" \
	"$bin" report --bit-holes=0 habits.o
# Filters combine with the layout output and with each other.
"$bin" report --packed habits.o >packed.txt || fail "report --packed exits $?"
grep -q '^struct pk {' packed.txt && ! grep -q '^struct outer' packed.txt ||
	fail "report --packed prints other structs: $(cat packed.txt)"
expect packed-and-flexible "" "$bin" report --packed --with-flexible-array -s habits.o
# -C lists, and names no struct has.
expect comma-list "inner${tab}8${tab}0
outer${tab}40${tab}2" "$bin" report -C outer,inner -s habits.o
"$bin" report -C outer,nosuch -s habits.o >/dev/null 2>err.txt
rc=$?
[[ $rc == 1 ]] && grep -q "no struct matches 'nosuch'" err.txt || fail "-C outer,nosuch: exit $rc, $(cat err.txt)"
# structfit FILE is structfit report FILE.
"$bin" report habits.o >report.txt
"$bin" habits.o >default.txt || fail "structfit FILE exits $?"
cmp -s report.txt default.txt || fail "structfit FILE differs from structfit report FILE"
expect default-options "pk${tab}5${tab}0" "$bin" habits.o --packed -s
"$bin" nosuch-command >/dev/null 2>err.txt
rc=$?
[[ $rc == 2 ]] && grep -q "unknown command 'nosuch-command'" err.txt || fail "unknown command: exit $rc, $(cat err.txt)"
mkdir adir
"$bin" adir >/dev/null 2>err.txt
rc=$?
[[ $rc == 2 ]] && grep -q "names a directory" err.txt || fail "directory as command: exit $rc, $(cat err.txt)"
"$bin" --help | grep -q 'the same as structfit report' || fail "--help does not say structfit FILE runs report"

# Against pahole: the same lines, sorted (pahole prints per unit, we print each struct once).
if command -v pahole >/dev/null; then
	same() { # NAME PAHOLE_ARGS STRUCTFIT_ARGS FILE
		pahole $2 "$4" 2>/dev/null | sort -u >p.txt
		"$bin" report $3 "$4" | sort -u >s.txt
		cmp -s p.txt s.txt || fail "$1 on $4: pahole and structfit differ: $(diff p.txt s.txt | head -20)"
	}
	# --hex: the same text as pahole --hex where the decimal text is the same.
	for s in bits pk flex inner; do
		pahole --hex -C "$s" habits.o >p.txt
		"$bin" report --hex -C "$s" habits.o | grep -v 'structfit:' >s.txt
		cmp -s p.txt s.txt || fail "--hex -C $s: $(diff p.txt s.txt)"
	done
	same sizes "-s" "-s" habits.o
	same nr-members "-n" "-n" habits.o
	same packed "--packed -s" "--packed -s" habits.o
	same flexible "--with_flexible_array -s" "--with-flexible-array -s" habits.o
	same bit-holes "-B 1 -s" "--bit-holes=1 -s" habits.o
	pahole -i inner habits.o >p.txt
	[[ $(cat p.txt) == outer ]] || fail "pahole -i inner prints $(cat p.txt)"
	# On a real debug file: pahole's lists leave out typedef'd anonymous
	# structs (structfit names them by their typedef), so pahole's lines
	# must be a subset, and -n (members of named structs) equal.
	build_id=$(readelf -n /lib/x86_64-linux-gnu/libc.so.6 2>/dev/null | awk '/Build ID/ { print $3 }')
	dbg=/usr/lib/debug/.build-id/${build_id:0:2}/${build_id:2}.debug
	if [[ -n $build_id && -f $dbg ]]; then
		subset() { # NAME PAHOLE_ARGS STRUCTFIT_ARGS
			pahole $2 "$dbg" 2>/dev/null | sort -u >p.txt
			"$bin" report $3 "$dbg" | sort -u >s.txt
			[[ -s p.txt ]] || fail "$1: pahole printed nothing"
			[[ -z $(comm -23 p.txt s.txt) ]] || fail "$1: lines only pahole prints: $(comm -23 p.txt s.txt | head)"
		}
		subset sizes "-s" "-s"
		# Bitfields in hex (bit offsets too) and a struct across cache lines.
		for s in _IO_FILE ieee754_double re_charset_t dl_x86_feature_control; do
			pahole --hex -C "$s" "$dbg" >p.txt
			"$bin" report --hex -C "$s" "$dbg" | grep -v 'structfit:' >s.txt
			cmp -s p.txt s.txt || fail "--hex -C $s on $dbg: $(diff p.txt s.txt | head)"
		done
		subset nr-members "-n" "-n"
		subset packed "--packed -s" "--packed -s"
		subset bit-holes "-B 1 -s" "--bit-holes=1 -s"
		subset pointers "-f _IO_FILE" "-f _IO_FILE"
		# pahole 1.24 also lists unions with no array at all here (YYSTYPE, epoll_data...).
		"$bin" report --with-flexible-array -s "$dbg" | sort -u >s.txt
		pahole --with_flexible_array -s "$dbg" | sort -u >p.txt
		[[ -z $(comm -23 s.txt p.txt) ]] || fail "flexible: lines only structfit prints: $(comm -23 s.txt p.txt | head)"
	else
		echo "note: no libc6-dbg debug file; pahole compared on the small program only"
	fi
else
	echo "note: pahole not installed; compared with the expected lines only"
fi

if ((failures)); then
	echo "$failures failure(s)" >&2
	exit 1
fi
echo "PASS"
