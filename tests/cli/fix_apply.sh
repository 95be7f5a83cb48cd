#!/usr/bin/env bash
# Checks `structfit fix` on fixtures/fix_project with gcc and clang: the diff
# applies with `git apply` and `patch -p1`, the patched project recompiles
# and every patched struct has exactly the predicted size (the compiler is
# the oracle), untouched files stay byte-identical, the skip reasons, the
# golden diff, --in-place (mode kept, read-only refused, nothing partial),
# --output-dir, and refusal of a source edited since the build.
# Usage: fix_apply.sh [STRUCTFIT [SOURCE_DIR]]  (default: $STRUCTFIT_BIN, $STRUCTFIT_SOURCE_DIR)
# Set STRUCTFIT_UPDATE_GOLDEN=1 to rewrite the golden diff (review it!).
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
set -euo pipefail

bin=${1:-${STRUCTFIT_BIN:-}}
src=${2:-${STRUCTFIT_SOURCE_DIR:-}}
if [[ -z $bin || -z $src ]]; then
	echo "usage: fix_apply.sh STRUCTFIT SOURCE_DIR (or set STRUCTFIT_BIN, STRUCTFIT_SOURCE_DIR)" >&2
	exit 2
fi
[[ $bin == /* ]] || bin="$PWD/$bin"
[[ $src == /* ]] || src="$PWD/$src"
fixture=$src/fixtures/fix_project
golden=$src/tests/cli/fix_golden/fix_project.diff
tmp=$(mktemp -d)
trap 'chmod -R u+w "$tmp"; rm -rf "$tmp"' EXIT

failures=0
fail() {
	echo "FAIL: $*" >&2
	failures=$((failures + 1))
}

build() { # DIR CC
	(cd "$1" && "$2" -g -O0 -Iinclude src/main.c src/table.c -o prog)
}

fresh() { # NAME CC -> a compiled copy of the fixture in $tmp/NAME
	rm -rf "${tmp:?}/$1"
	cp -r "$fixture" "$tmp/$1"
	build "$tmp/$1" "$2"
}

# Sizes printed by the patched program against the predictions of the summary.
check_sizes() { # DIR SUMMARY LABEL
	local name predicted actual
	while read -r name predicted; do
		actual=$(awk -v n="$name" '$1 == n { print $2 }' <(cd "$1" && ./prog))
		if [[ -z $actual ]]; then
			continue # not printed by the probe
		fi
		[[ $actual == "$predicted" ]] || fail "$3: $name is $actual bytes after the patch, predicted $predicted"
	done < <(sed -n 's/^patched  \([^ ]*\) .*-> \([0-9]*\) bytes.*/\1 \2/p' "$2")
}

for cc in gcc clang; do
	command -v $cc >/dev/null || continue
	fresh base-$cc $cc
	(cd "$tmp/base-$cc" && "$bin" fix prog >"$tmp/$cc.diff" 2>"$tmp/$cc.sum") ||
		fail "$cc: fix exited $?"
	grep -q 'patched  commented' "$tmp/$cc.sum" || fail "$cc: commented not patched"
	for want in "unnamed_bits.*unnamed bitfield" "macro_pair.*defined by a macro" \
		"config.*preprocessor directive" "tuned.*positional initializer at src/table.c:4"; do
		grep -q "^skipped  $want" "$tmp/$cc.sum" || fail "$cc: no skip line matching '$want'"
	done

	# git apply
	fresh git-$cc $cc
	(cd "$tmp/git-$cc" && git init -q . && git apply --check "$tmp/$cc.diff" && git apply "$tmp/$cc.diff") ||
		fail "$cc: git apply rejected the diff"
	build "$tmp/git-$cc" $cc || fail "$cc: patched project does not compile"
	check_sizes "$tmp/git-$cc" "$tmp/$cc.sum" "$cc/git"
	for f in src/main.c src/table.c src/config.h; do
		cmp -s "$fixture/$f" "$tmp/git-$cc/$f" || fail "$cc: untouched $f changed"
	done
	# The patched build has nothing left to fix.
	(cd "$tmp/git-$cc" && "$bin" fix prog >"$tmp/$cc.again" 2>/dev/null) || true
	[[ ! -s $tmp/$cc.again ]] || fail "$cc: fixing the patched build changes it again"
	# The sizes structfit reads back agree with the predictions.
	"$bin" report --format json "$tmp/git-$cc/prog" >"$tmp/$cc.json"

	# patch -p1 gives the same files.
	fresh patch-$cc $cc
	(cd "$tmp/patch-$cc" && patch -s -F0 -p1 <"$tmp/$cc.diff") || fail "$cc: patch -p1 rejected the diff"
	diff -r -x prog -x .git "$tmp/git-$cc" "$tmp/patch-$cc" >/dev/null ||
		fail "$cc: git apply and patch -p1 disagree"
done

# Golden diff (gcc).
if [[ ${STRUCTFIT_UPDATE_GOLDEN:-} == 1 ]]; then
	cp "$tmp/gcc.diff" "$golden"
elif ! diff -u "$golden" "$tmp/gcc.diff"; then
	fail "diff differs from $golden (STRUCTFIT_UPDATE_GOLDEN=1 to accept)"
fi

# --output-dir: copies mirror the tree, originals untouched.
fresh outdir gcc
(cd "$tmp/outdir" && "$bin" fix --output-dir "$tmp/out" prog 2>/dev/null) || fail "--output-dir failed"
[[ -f $tmp/out/include/shapes.h && -f $tmp/out/src/crlf.h ]] || fail "--output-dir did not mirror the tree"
cmp -s "$fixture/include/shapes.h" "$tmp/outdir/include/shapes.h" || fail "--output-dir touched the original"
cp -r "$tmp/outdir" "$tmp/outdir-applied"
(cd "$tmp/outdir-applied" && patch -s -p1 <"$tmp/gcc.diff")
cmp -s "$tmp/out/include/shapes.h" "$tmp/outdir-applied/include/shapes.h" ||
	fail "--output-dir copy differs from the applied diff"

# --in-place: mode kept.
fresh inplace gcc
chmod 640 "$tmp/inplace/include/shapes.h"
(cd "$tmp/inplace" && "$bin" fix --in-place prog 2>/dev/null) || fail "--in-place failed"
cmp -s "$tmp/inplace/include/shapes.h" "$tmp/out/include/shapes.h" || fail "--in-place result differs"
[[ $(stat -c %a "$tmp/inplace/include/shapes.h") == 640 ]] || fail "--in-place lost the file mode"
[[ -z $(find "$tmp/inplace" -name '.*.XXXXXX' -o -name '.shapes.h.*') ]] || fail "--in-place left a temp file"

# --in-place on a read-only file: refused, and nothing else written either.
fresh readonly gcc
chmod 444 "$tmp/readonly/src/crlf.h"
if (cd "$tmp/readonly" && "$bin" fix --in-place prog 2>"$tmp/ro.err"); then
	fail "--in-place on a read-only file succeeded"
fi
grep -q 'read-only' "$tmp/ro.err" || fail "read-only refusal not explained: $(cat "$tmp/ro.err")"
cmp -s "$fixture/src/crlf.h" "$tmp/readonly/src/crlf.h" || fail "read-only file changed"
cmp -s "$fixture/include/shapes.h" "$tmp/readonly/include/shapes.h" || fail "other file written despite the refusal"

# A source edited since the build is refused for the edited struct only.
fresh edited gcc
sed -i 's/double weight;/double mass;/' "$tmp/edited/include/shapes.h"
(cd "$tmp/edited" && "$bin" fix prog >"$tmp/edited.diff" 2>"$tmp/edited.sum") || true
grep -q '^skipped  commented.*does not match the debug info' "$tmp/edited.sum" || fail "edited struct not refused"
grep -q '^patched  attributed' "$tmp/edited.sum" || fail "unedited struct not patched beside an edited one"
grep -q 'double mass' "$tmp/edited.diff" && fail "edited struct appears in the diff"

# --force patches the struct with a positional initializer.
(cd "$tmp/base-gcc" && "$bin" fix --force prog 2>"$tmp/force.sum" >/dev/null) || fail "--force failed"
grep -q '^patched  tuned' "$tmp/force.sum" || fail "--force did not patch tuned"

# Every positional initializer under the source root is named, not only the
# first; under --force as a warning beside the patched struct.
fresh inits gcc
mkdir -p "$tmp/inits/src/more"
printf '#include "../config.h"\nstruct tuned one = { 7, 8.0, 9 };\n\nstruct tuned *p = &(struct tuned){ 1, 2.0, 3 };\n' \
	>"$tmp/inits/src/more/extra.c"
(cd "$tmp/inits" && "$bin" fix prog 2>"$tmp/inits.sum" >/dev/null) || true
grep -q '^skipped  tuned.*positional initializers at src/more/extra.c:2, src/more/extra.c:4, src/table.c:4 (--force' \
	"$tmp/inits.sum" || grep -q '^skipped  tuned.*positional initializers at src/table.c:4, src/more/extra.c:2, src/more/extra.c:4 (--force' \
	"$tmp/inits.sum" || fail "not every positional initializer named: $(grep tuned "$tmp/inits.sum")"
(cd "$tmp/inits" && "$bin" fix --force prog 2>"$tmp/inits-force.sum" >/dev/null) || fail "--force failed"
grep -q '^patched  tuned' "$tmp/inits-force.sum" || fail "--force did not patch tuned"
grep -q '^warning: tuned .*positional initializers at .*src/more/extra.c:4.*by hand' "$tmp/inits-force.sum" ||
	fail "--force does not warn about the positional initializers: $(grep tuned "$tmp/inits-force.sum")"

# A struct reachable from an exported function of a shared object is ABI-visible.
fresh abi gcc
printf '#include "shapes.h"\nlong api_weight(const struct commented *c) { return (long)c->weight; }\n' \
	>"$tmp/abi/src/api.c"
(cd "$tmp/abi" && gcc -g -shared -fPIC -Iinclude src/api.c -o libapi.so)
(cd "$tmp/abi" && "$bin" fix libapi.so >/dev/null 2>"$tmp/abi.sum") || true
grep -q '^skipped  commented.*ABI-visible' "$tmp/abi.sum" || fail "ABI-visible struct not refused: $(cat "$tmp/abi.sum")"
grep -q '^skipped  commented.*ABI-visible: reachable from an exported symbol via api_weight ' "$tmp/abi.sum" ||
	fail "ABI-visible refusal does not name the exported symbol: $(grep commented "$tmp/abi.sum")"
(cd "$tmp/abi" && "$bin" fix --allow-abi-change libapi.so >/dev/null 2>"$tmp/abi2.sum") || true
grep -q '^patched  commented' "$tmp/abi2.sum" || fail "--allow-abi-change did not patch"

# ABI visibility is reported last: an exported struct that cannot be patched
# for a source reason is skipped for that reason first, with the ABI named
# as a further obstacle (never with the hint "--allow-abi-change patches
# anyway", which would be false), and one that needs two overrides names both.
printf '#include "config.h"\nint api_cfg(const struct config *c, const struct tuned *t) { return c->verbose + (t != 0); }\n' \
	>"$tmp/abi/src/api2.c"
(cd "$tmp/abi" && gcc -g -shared -fPIC -Iinclude -Isrc src/api.c src/api2.c -o libapi2.so)
(cd "$tmp/abi" && "$bin" fix libapi2.so >/dev/null 2>"$tmp/abi3.sum") || true
grep -q '^skipped  config.*B  preprocessor directive' "$tmp/abi3.sum" ||
	fail "exported struct with #if in its body not skipped for the directive: $(cat "$tmp/abi3.sum")"
grep -q '^skipped  config.*preprocessor directive.*; also ABI-visible: .*needs --allow-abi-change' "$tmp/abi3.sum" ||
	fail "exported struct with #if in its body does not name the ABI as a further obstacle: $(grep config "$tmp/abi3.sum")"
grep -q '^skipped  config.*patches anyway' "$tmp/abi3.sum" && fail "ABI hint claims --allow-abi-change can patch config"
grep -q '^skipped  tuned.*ABI-visible.*also positional initializer at src/table.c:4' "$tmp/abi3.sum" ||
	fail "exported struct with a positional initializer does not name both reasons: $(cat "$tmp/abi3.sum")"
grep -q '^skipped  commented.*ABI-visible.*patches anyway' "$tmp/abi3.sum" || fail "plain ABI skip lost"
# Objects export nothing yet: the summary says ABI visibility went unchecked.
(cd "$tmp/abi" && gcc -g -c -fPIC -Iinclude src/api.c -o api.o && "$bin" fix api.o >/dev/null 2>"$tmp/abi4.sum") || true
grep -q '^note: api.o: an object file or archive exports nothing yet' "$tmp/abi4.sum" ||
	fail "no note that objects leave ABI visibility unchecked: $(cat "$tmp/abi4.sum")"
(cd "$tmp/abi" && "$bin" fix libapi.so >/dev/null 2>"$tmp/abi5.sum") || true
grep -q '^note:' "$tmp/abi5.sum" && fail "ABI note printed for a shared object"

# Patched structs embedding patched structs (by value, as arrays, through a
# struct that is not patched): each prediction includes the inner shrink,
# the summary says which struct it depends on, the total adds real savings.
for cc in gcc clang; do
	command -v $cc >/dev/null || continue
	rm -rf "$tmp/nested-$cc"
	cp -r "$src/fixtures/fix_nested" "$tmp/nested-$cc"
	(cd "$tmp/nested-$cc" && $cc -g -O0 -Iinclude src/main.c -o prog)
	(cd "$tmp/nested-$cc" && "$bin" fix prog >"$tmp/nested-$cc.diff" 2>"$tmp/nested-$cc.sum") ||
		fail "$cc: fix on the nested fixture exited $?"
	for want in "inner .*: 24 -> 16 bytes, saves 8$" \
		"outer .*: 128 -> 80 bytes, saves 48 (includes inner's shrink)" \
		"holder .*: 48 -> 32 bytes, saves 16 (includes mid's shrink)" \
		"3 structs patched, 72 bytes saved, 1 skipped" \
		"^skipped  with_macro .*the body uses macro PLATFORM_FIELDS at line 38, which the debug info shows expanded to no member"; do
		grep -q "$want" "$tmp/nested-$cc.sum" || fail "$cc: nested summary lacks '$want': $(cat "$tmp/nested-$cc.sum")"
	done
	(cd "$tmp/nested-$cc" && git init -q . && git apply "$tmp/nested-$cc.diff") || fail "$cc: nested diff rejected"
	(cd "$tmp/nested-$cc" && $cc -g -O0 -Iinclude src/main.c -o prog) || fail "$cc: patched nested fixture does not compile"
	check_sizes "$tmp/nested-$cc" "$tmp/nested-$cc.sum" "$cc/nested"
done

# Totals reconcile with reorder's, structs outside the source root are
# counted apart, every skip is a row of the closing table, and a run where
# nothing is under the source root (from a build directory) hints at
# --source-root.
cp -r "$src/fixtures/fix_nested" "$tmp/nested-out"
mkdir -p "$tmp/nested-out/build"
(cd "$tmp/nested-out" && gcc -g -O0 -Iinclude src/main.c -o prog)
(cd "$tmp/nested-out/build" && "$bin" fix ../prog >/dev/null 2>"$tmp/outside.sum") || fail "fix from a build directory failed"
for want in "^0 structs patched, 0 bytes saved, 4 skipped" \
	"^4 structs / 40 B could shrink (as reorder counts them), of which 4 / 40 B outside the source root" \
	"^not patched (4):" "^skipped  outer  *[^ ]*include/nest.h:10  *16 B  outside the source root" \
	"^hint: .*--source-root"; do
	grep -q "$want" "$tmp/outside.sum" || fail "outside-root summary lacks '$want': $(cat "$tmp/outside.sum")"
done
(cd "$tmp/nested-out/build" && "$bin" fix --source-root .. ../prog >/dev/null 2>"$tmp/inside.sum") || true
grep -q "^hint:" "$tmp/inside.sum" && fail "--source-root hint printed although structs were patched"

# The common initial sequence idiom: a proposal that shifts members of
# macro-built field groups another struct also begins with is refused;
# with no such struct in the program, it is patched.
rm -rf "$tmp/prefix"
cp -r "$src/fixtures/fix_prefix" "$tmp/prefix"
(cd "$tmp/prefix" && gcc -g -O0 src/main.c -o prog && "$bin" fix prog >"$tmp/prefix.diff" 2>"$tmp/prefix.sum") ||
	fail "fix on the prefix fixture failed"
grep -q '^skipped  tcp .*moves member mode, of the common initial sequence built by macro HANDLE_FIELDS (line 20) that struct stream also begins with' \
	"$tmp/prefix.sum" || fail "shared prefix not refused: $(cat "$tmp/prefix.sum")"
grep -q '^skipped  doc_node .*moves member type, of the common initial sequence struct elem_node also begins with' \
	"$tmp/prefix.sum" || fail "plain shared prefix not refused: $(cat "$tmp/prefix.sum")"
[[ ! -s $tmp/prefix.diff ]] || fail "shared prefix patched anyway"
# Every obstacle is named: a positional initializer and the shared prefix.
printf '#include "handles.h"\nstruct tcp t0 = { 0, 1, 2, 3, 4, 5, 6 };\n' >"$tmp/prefix/src/init.c"
(cd "$tmp/prefix" && "$bin" fix prog >/dev/null 2>"$tmp/prefix3.sum") || true
grep -q '^skipped  tcp .*positional initializer at src/init.c:2 (--force patches anyway); also the proposal moves member mode' \
	"$tmp/prefix3.sum" || fail "not every refusal reason named: $(grep tcp "$tmp/prefix3.sum")"
rm "$tmp/prefix/src/init.c"
(cd "$tmp/prefix" && gcc -g -O0 -DNO_STREAM src/main.c -o prog && "$bin" fix prog >"$tmp/prefix2.diff" 2>"$tmp/prefix2.sum") ||
	fail "fix on the prefix fixture without stream failed"
grep -q '^patched  tcp .*48 -> 32 bytes' "$tmp/prefix2.sum" || fail "tcp not patched without a struct sharing its groups: $(cat "$tmp/prefix2.sum")"

if ((failures)); then
	echo "$failures failure(s)" >&2
	exit 1
fi
echo "fix_apply: all checks passed"
