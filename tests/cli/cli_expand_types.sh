#!/usr/bin/env bash
# Checks report -E/--expand-types on a program compiled here: every offset
# and size printed inside the expanded bodies (named structs, typedefs,
# qualifiers, arrays, unions, anonymous bodies, a flexible array) is turned
# into _Static_assert(offsetof/sizeof) on the member's path and compiled,
# so the compiler is the oracle; then, when pahole is installed, that the
# text is pahole 1.24's -E text where pahole is right (on the program and
# on structs of the libc6-dbg debug file), and our own spelling where it is
# not (docs/pahole-options.md, -E row).
# Usage: cli_expand_types.sh [STRUCTFIT]  (default: $STRUCTFIT_BIN)
# ctest runs this with `sh`; the checks below need bash.
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
set -uo pipefail

bin=${1:-${STRUCTFIT_BIN:-}}
[[ -n $bin ]] || { echo "usage: cli_expand_types.sh STRUCTFIT" >&2; exit 2; }
[[ $bin == /* ]] || bin="$PWD/$bin"
cc=${CC:-gcc}
command -v "$cc" >/dev/null || { echo "SKIP: no $cc"; exit 77; }
command -v python3 >/dev/null || { echo "SKIP: no python3"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 2

failures=0
fail() {
	echo "FAIL: $*" >&2
	failures=$((failures + 1))
}

cat >expand.h <<'C'
struct inner { char c; int i; };
typedef struct inner inner_t;
typedef struct { int a; char b; } anon_t;
union u { int a; struct inner in; };
struct bf { unsigned a:3; unsigned b:5; int c; };
struct mid { long l; struct inner in; char tail; };
struct __attribute__((packed)) pk { char a; int b; };
struct l2 { char buf[52]; struct bf x; long y; };
struct l1 { struct l2 two; };
/* Everything pahole 1.24 expands as it should. */
struct outer {
	char a;
	struct mid m;
	inner_t t;
	struct inner arr[2];
	union u un;
	struct { short s; struct inner deep; } anon_named;
	struct { char x; struct mid m2; };
	struct pk p;
	struct l1 one;
	union { long y; struct { long a0; struct l1 n; } x; } tailu;
	int after;
	struct inner *ptr;
};
/* Where pahole 1.24 loses the name (const), does not expand (volatile
 * typedef) or differs for other reasons (see the -E row of the doc). */
struct quirks {
	const struct inner ci;
	volatile inner_t vt;
	anon_t at;
	anon_t grid[2][3];
	struct mid list[];
};
/* Members declared with typedefs are spelled through them, as pahole -E
 * does: chains, arrays of them, function pointers, bitfields; not
 * through a qualifier or a pointer. */
typedef unsigned int u32_t;
typedef u32_t my_u32;
typedef void (*handler_t)(int);
typedef struct inner2 { char c; my_u32 v; } inner2_t;
typedef inner2_t inner2b_t;
struct chains { my_u32 a; u32_t many[4]; handler_t h; inner2b_t in; my_u32 bits:3; const my_u32 c; my_u32 *p; };
/* Without -E too: the last member of a union crosses a cache line. */
struct after_union { char pad[56]; union { long y; struct { long a; long b; } x; }; int after; };
C
printf '#include "expand.h"\nstruct outer o; struct quirks *q; struct after_union au; struct chains ch;\n' >expand.c
"$cc" -g -c expand.c -o expand.o || { echo "FAIL: $cc cannot compile" >&2; exit 1; }

# offsets.py STRUCT < TEXT: one _Static_assert per member line of the -E
# text, on its path from STRUCT (anonymous bodies add nothing to it, an
# array's body is its element [0]); bitfields are left to the other tests.
cat >offsets.py <<'PY'
import re, sys
top = sys.argv[1]
comment = re.compile(r'\s*/\*\s*(\d+)\s+(\d+) \*/$')
declarator = re.compile(r'([A-Za-z_]\w*)\s*((?:\[\d*\])*)$')
stack = []   # per open body: its (path, offset, size) rows
rows = []
for line in sys.stdin:
    text = line.strip()
    # Comment lines; "/* typedef T */ unsigned int x;  /* 0 4 */" is a member.
    if not text or (text.startswith('/*') and text.find('*/') == len(text) - 2):
        continue
    if text.endswith('{'):
        stack.append([])
        continue
    m = comment.search(text)
    decl = (text[:m.start()] if m else text).rstrip().rstrip(';')
    decl = re.sub(r'__attribute__\(\(.*?\)\)\)?', '', decl).strip()
    if decl.startswith('}'):
        inner = stack.pop()
        name = declarator.search(decl[1:].strip())
        if not stack:
            rows = inner
            break
        if name:
            prefix = name.group(1) + '[0]' * name.group(2).count('[')
            inner = [(prefix + '.' + p, o, s) for p, o, s in inner]
            inner.append((name.group(1), int(m.group(1)), int(m.group(2))))
        stack[-1].extend(inner)
        continue
    name = declarator.search(decl)
    if m and name:
        stack[-1].append((name.group(1), int(m.group(1)), int(m.group(2))))
for path, offset, size in rows:
    print(f'_Static_assert(__builtin_offsetof(struct {top}, {path}) == {offset}, "{path} at {offset}");')
    if size:
        print(f'_Static_assert(sizeof(((struct {top} *)0)->{path}) == {size}, "{path} size {size}");')
PY

for s in outer quirks chains; do
	"$bin" report -E -C "$s" expand.o >"$s.txt" || fail "report -E -C $s exits $?"
	{
		echo '#include "expand.h"'
		python3 offsets.py "$s" <"$s.txt"
	} >"probe_$s.c"
	n=$(grep -c _Static_assert "probe_$s.c")
	((n >= 14)) || fail "-E -C $s: only $n checks made from: $(head -20 "$s.txt")"
	for compiler in "$cc" clang; do
		command -v "$compiler" >/dev/null || continue
		"$compiler" -std=gnu11 -c "probe_$s.c" -o /dev/null 2>err.txt ||
			fail "-E -C $s: $compiler rejects the offsets: $(head -5 err.txt)"
	done
done
# Bodies of named types at their absolute offsets, nested four deep with a
# cache-line boundary inside, the typedef and qualifier kept, the name kept
# for const members (pahole 1.24 drops it), no summary inside a body.
grep -q $'^\t\t\t\t\t\tint            c;  *\\/\\*   256     4 \\*\\/$' outer.txt ||
	fail "-E: member six levels deep: $(cat outer.txt)"
grep -q $'^\t\t\t\t\t\t/\\* --- cacheline 4 boundary (256 bytes) --- \\*/$' outer.txt ||
	fail "-E: boundary inside a body not marked: $(cat outer.txt)"
grep -q $'^\t/\\* --- cacheline 4 boundary (256 bytes) was 16 bytes ago --- \\*/$' outer.txt ||
	fail "-E: boundary after a union not marked again: $(cat outer.txt)"
grep -q $'^\t/\\* typedef inner_t \\*/ struct inner {$' outer.txt || fail "-E: typedef not shown: $(cat outer.txt)"
grep -q $'^\t} ci; /\\*     0     8 \\*/$' quirks.txt || fail "-E: const member: $(cat quirks.txt)"
grep -q $'^\tvolatile /\\* typedef inner_t \\*/ struct inner {$' quirks.txt || fail "-E: volatile typedef: $(cat quirks.txt)"
grep -q $'^\t} grid\\[2\\]\\[3\\]; /\\*    24    48 \\*/$' quirks.txt || fail "-E: array of typedef: $(cat quirks.txt)"
[[ $(grep -c 'size:' quirks.txt) == 1 ]] || fail "-E: a summary inside a body: $(cat quirks.txt)"
grep -q $'^\t/\\* typedef my_u32 -> u32_t \\*/ unsigned int  *a;' chains.txt || fail "-E: typedef chain: $(cat chains.txt)"
grep -q $'^\t/\\* typedef u32_t \\*/ unsigned int  *many\\[4\\];' chains.txt || fail "-E: array of typedef: $(cat chains.txt)"
grep -q $'^\t/\\* typedef inner2b_t -> inner2_t \\*/ struct inner2 {$' chains.txt || fail "-E: chain to a struct: $(cat chains.txt)"
grep -q $'^\tconst my_u32  *c;' chains.txt || fail "-E: const typedef spelled through: $(cat chains.txt)"
"$bin" report -C chains expand.o | grep -q $'^\tmy_u32  *a;' || fail "report without -E spells through typedefs"
# --hex inside bodies; without -E nothing is expanded; --expand-types is -E.
"$bin" report -E --hex -C outer expand.o | grep -q $'^\t\t\t\t\t\tint            c;  *\\/\\* 0x100   0x4 \\*\\/$' ||
	fail "-E --hex: deep member not in hex"
"$bin" report -C outer expand.o | grep -q $'^\tstruct mid  *m;' || fail "report without -E expands"
"$bin" report --expand-types -C outer expand.o | cmp -s - outer.txt || fail "--expand-types differs from -E"

# pahole returns to a union's cache line after each member, the last too.
"$bin" report -C after_union expand.o >au.txt
grep -B1 $'^\tint  *after;' au.txt | grep -q 'cacheline 1 boundary (64 bytes) was 8 bytes ago' ||
	fail "boundary after a union whose last member crosses it: $(cat au.txt)"

if command -v pahole >/dev/null; then
	pahole -C after_union expand.o >p.txt
	grep -v 'structfit:' au.txt >s.txt
	cmp -s p.txt s.txt || fail "-C after_union: pahole and structfit differ: $(diff p.txt s.txt)"
	# outer: pahole's text but for the space it leaves out between a
	# packed attribute and the member name.
	pahole -E -C outer expand.o | sed 's/__packed__))p;/__packed__)) p;/' >p.txt
	grep -v 'structfit:' outer.txt >s.txt
	cmp -s p.txt s.txt || fail "-E -C outer: pahole and structfit differ: $(diff p.txt s.txt | head -20)"
	pahole -E -C chains expand.o >p.txt
	grep -v 'structfit:' chains.txt >s.txt
	cmp -s p.txt s.txt || fail "-E -C chains: pahole and structfit differ: $(diff p.txt s.txt | head -20)"
	build_id=$(readelf -n /lib/x86_64-linux-gnu/libc.so.6 2>/dev/null | awk '/Build ID/ { print $3 }')
	dbg=/usr/lib/debug/.build-id/${build_id:0:2}/${build_id:2}.debug
	if [[ -n $build_id && -f $dbg ]]; then
		# Seven and nine levels of bodies, unions, arrays of structs.
		for s in cpu_features _IO_codecvt __pthread_cond_s obstack __gconv_step_data sockaddr_in6 \
			ifaddrs_storage __jmp_buf_tag scratch_buffer; do
			pahole -E -C "$s" "$dbg" >p.txt
			"$bin" report -E -C "$s" "$dbg" | grep -v 'structfit:' >s.txt
			cmp -s p.txt s.txt || fail "-E -C $s on $dbg: $(diff p.txt s.txt | head)"
		done
	else
		echo "note: no libc6-dbg debug file; pahole -E compared on the small program only"
	fi
else
	echo "note: pahole not installed; checked against the compiler only"
fi

if ((failures)); then
	echo "$failures failure(s)" >&2
	exit 1
fi
echo "PASS"
