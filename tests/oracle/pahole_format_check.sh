#!/bin/sh
# Compares the numbers in `structfit report` comments with pahole's, struct by struct.
#
# For every struct both tools print, the /* ... */ comment lines must carry
# the same numbers in the same order (offsets, sizes, holes, padding, the
# summary).  Lines structfit adds are marked "structfit:" and ignored, and so
# are whitespace differences.  Exit 0 pass, 1 mismatch, 77 skip (no pahole,
# gcc or report command).
#
# Environment (set by ctest): STRUCTFIT_BIN, STRUCTFIT_SCRATCH_DIR,
# STRUCTFIT_FIXTURE_DIR (its *.o are checked too when present).
set -u

bin=${STRUCTFIT_BIN:-build/structfit}
scratch=${STRUCTFIT_SCRATCH_DIR:-$(mktemp -d)}
fixtures=${STRUCTFIT_FIXTURE_DIR:-}
cc=${CC:-gcc}

skip() { echo "SKIP: $*"; exit 77; }
command -v pahole >/dev/null 2>&1 || skip "pahole not installed"
command -v "$cc" >/dev/null 2>&1 || skip "$cc not installed"
[ -x "$bin" ] || skip "$bin not built"
"$bin" --help 2>&1 | grep -q report || skip "$bin has no report command yet"

mkdir -p "$scratch"
cat > "$scratch/layouts.c" <<'SNIPPET'
struct holes { char a; int b; char c; long d; short e; };
struct bits { unsigned a:3; unsigned b:5; int c; unsigned d:1; unsigned e:2; char f;
	unsigned long g:40; unsigned long h:30; };
struct inner { long x; char y; };
struct outer { struct inner i; char z; struct inner j; int k; };
union un { char a; int b; long c; };
struct big { char a; char pad[70]; long b; char c[60]; int d; long e; char tail; };
struct anon { int a; union { char b; long c; }; struct { char d; int e; } s;
	struct { char f; long g; }; char h; };
struct __attribute__((packed)) pk { char a; int b; long c; };
struct __attribute__((aligned(64))) al { int a; char b; };
struct flex { int n; char c; long data[]; };
struct alm { char a; int b __attribute__((aligned(16))); char c; };
struct bh { int a:4; long b; unsigned c:2; unsigned d:3; char e; };
struct nofit { char c; unsigned a:30; };
struct chbits { char a:3; char b:2; short c:5; int d:7; };
struct tb { long x; unsigned a:4; };
struct nestbound { char a[60]; struct { int b; long c; char d[70]; int e; }; int f; };
struct multi { char a; char x[200]; int b; };
struct fp { int (*fn)(int, char *); char c; const char *s; volatile int v; };
struct holes v1; struct bits v2; struct outer v3; union un v4; struct big v5;
struct anon v6; struct pk v7; struct al v8; struct flex *v9; struct alm v10;
struct bh v11; struct nofit v12; struct chbits v13; struct tb v14;
struct nestbound v15; struct multi v16; struct fp v17;
SNIPPET

objects=""
for dwarf in 4 5; do
	"$cc" -g -gdwarf-$dwarf -O0 -c "$scratch/layouts.c" -o "$scratch/layouts-dwarf$dwarf.o" ||
		{ echo "FAIL: cannot compile the snippet"; exit 1; }
	objects="$objects $scratch/layouts-dwarf$dwarf.o"
done
if [ -n "$fixtures" ] && [ -d "$fixtures" ]; then
	for o in "$fixtures"/*.o; do
		# pahole_blind_spots: layouts pahole gets wrong, proven by the
		# compiler oracle (see tests/oracle/pahole_known_diffs.txt).
		case $o in */pahole_blind_spots*) continue ;; esac
		[ -f "$o" ] && objects="$objects $o"
	done
fi

# One line per comment: "NAME<TAB>numbers", NAME from the enclosing
# top-level "struct NAME {" line; first definition of each name only.
numbers() {
	awk '
	/^(struct|union|class) [A-Za-z_][A-Za-z_0-9]* \{$/ { name = $1 " " $2; skip = (name in seen); seen[name] = 1; next }
	/^};|^} / { name = ""; next }
	name == "" || skip { next }
	/structfit:/ { next }
	/\/\*/ {
		c = substr($0, index($0, "/*"))
		out = ""
		while (match(c, /[0-9]+/)) {
			out = out " " substr(c, RSTART, RLENGTH)
			c = substr(c, RSTART + RLENGTH)
		}
		if (out != "") print name "\t" out
	}'
}

status=0
checked=0
for obj in $objects; do
	if ! "$bin" report "$obj" > "$scratch/ours.txt" 2> "$scratch/ours.err"; then
		echo "FAIL: $bin report $obj: $(head -n 1 "$scratch/ours.err")"
		status=1
		continue
	fi
	pahole -F dwarf "$obj" > "$scratch/pahole.txt" 2>/dev/null || continue
	numbers < "$scratch/ours.txt" > "$scratch/ours.num"
	numbers < "$scratch/pahole.txt" > "$scratch/pahole.num"
	for name in $(cut -f1 "$scratch/pahole.num" | sort -u | tr ' ' '#'); do
		name=$(echo "$name" | tr '#' ' ')
		awk -F '\t' -v n="$name" '$1 == n' "$scratch/pahole.num" > "$scratch/a"
		awk -F '\t' -v n="$name" '$1 == n' "$scratch/ours.num" > "$scratch/b"
		if [ ! -s "$scratch/b" ]; then
			echo "MISSING: $obj: $name not in structfit output"
			status=1
			continue
		fi
		checked=$((checked + 1))
		if ! cmp -s "$scratch/a" "$scratch/b"; then
			echo "MISMATCH: $obj: $name (pahole first, structfit second)"
			diff "$scratch/a" "$scratch/b" | sed 's/^/  /'
			status=1
		fi
	done
done
echo "checked $checked struct layouts"
[ "$checked" -gt 0 ] || { echo "FAIL: nothing compared"; exit 1; }
exit $status
