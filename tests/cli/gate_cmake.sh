#!/bin/sh
# The CMake package end to end: install structfit into a scratch prefix, then
# configure and build fixtures/cmake_consumer against it with COMPILER (gcc,
# clang); the build passes while layouts match the baseline and fails, naming
# the struct, after one grows.  Its programs linked against the shared and
# the static library load debug info through them.
# Usage: gate_cmake.sh [COMPILER]
set -u

: "${STRUCTFIT_BIN:?}" "${STRUCTFIT_SOURCE_DIR:?}" "${STRUCTFIT_SCRATCH_DIR:?}"
compiler=${1:-cc}
command -v cmake >/dev/null 2>&1 || { echo "SKIP: no cmake"; exit 77; }
command -v "$compiler" >/dev/null 2>&1 || { echo "SKIP: no $compiler"; exit 77; }
command -v readelf >/dev/null 2>&1 || { echo "SKIP: no readelf"; exit 77; }
build_dir=$(dirname "$STRUCTFIT_BIN")
scratch=$STRUCTFIT_SCRATCH_DIR
prefix=$scratch/prefix
src=$scratch/consumer
bin=$scratch/consumer-build
fail() { echo "FAIL: $*"; exit 1; }

rm -rf "$prefix" "$src" "$bin" "$bin-static"
cmake --install "$build_dir" --prefix "$prefix" >"$scratch/install.log" 2>&1 ||
	{ cat "$scratch/install.log"; fail "cmake --install"; }
for f in bin/structfit include/structfit/gate.h include/structfit/structfit.h; do
	[ -e "$prefix/$f" ] || fail "not installed: $f"
done
config=$(find "$prefix" -name structfit-config.cmake | head -n 1)
[ -n "$config" ] || fail "no structfit-config.cmake installed"
find "$prefix" -name structfit-config-version.cmake | grep -q . || fail "no version file"
find "$prefix" -name libstructfit.a | grep -q . || fail "no libstructfit.a"
find "$prefix" -name libstructfit.so | grep -q . || fail "no libstructfit.so"
find "$prefix" -name structfit.1 | grep -q . || fail "no man page"
pc=$(find "$prefix" -name structfit.pc | head -n 1)
[ -n "$pc" ] || fail "no structfit.pc"
if command -v pkg-config >/dev/null 2>&1; then
	PKG_CONFIG_PATH=$(dirname "$pc") pkg-config --cflags --libs structfit | grep -q -- -lstructfit ||
		fail "pkg-config structfit gives no -lstructfit"
fi

cp -r "$STRUCTFIT_SOURCE_DIR/fixtures/cmake_consumer" "$src"
# The baseline comes from this machine's compiler, so the test is target-neutral.
"$compiler" -g -c "$src/main.c" -I "$src" -o "$scratch/ref.o" || fail "compiling the reference"
"$prefix/bin/structfit" snapshot -C conn_state -C packet -o "$src/layout.json" "$scratch/ref.o" ||
	fail "snapshot of the reference"

cmake -S "$src" -B "$bin" -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_BUILD_TYPE=Release -DCMAKE_C_COMPILER="$compiler" \
	>"$scratch/configure.log" 2>&1 || { cat "$scratch/configure.log"; fail "configure"; }
if ! cmake --build "$bin" >"$scratch/build1.log" 2>&1; then
	cat "$scratch/build1.log"
	fail "the consumer does not build with matching layouts"
fi
grep -q "structfit check: passed" "$scratch/build1.log" || { cat "$scratch/build1.log"; fail "no gate verdict in the build log"; }
[ -f "$bin/app_layout.h" ] || fail "structfit_layout_asserts wrote no header"
printf '#include "conn.h"\n#include "app_layout.h"\n' >"$scratch/use.c"
"$compiler" -fsyntax-only -I "$src" -I "$bin" "$scratch/use.c" || fail "generated header does not compile"
"$bin/version_probe" | grep -q "libstructfit" || fail "version_probe did not link or run"
# Each program says how many structs the app's debug info holds: conn_state and packet.
for kind in shared static; do
	"$bin/api_$kind" "$bin/app" >"$scratch/api_$kind.out" 2>&1 ||
		{ cat "$scratch/api_$kind.out"; fail "api_$kind did not run"; }
	grep -q ": 2 structs$" "$scratch/api_$kind.out" || { cat "$scratch/api_$kind.out"; fail "api_$kind: wrong answer"; }
done
readelf -d "$bin/api_shared" | grep -q "NEEDED.*\[libstructfit\.so\." || fail "api_shared does not use libstructfit.so"
if readelf -d "$bin/api_static" | grep -q "NEEDED.*libstructfit"; then
	fail "api_static uses libstructfit.so"
fi
# STRUCTFIT_USE_STATIC_LIBS makes structfit::libstructfit the static library.
cmake -S "$src" -B "$bin-static" -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_BUILD_TYPE=Release \
	-DCMAKE_C_COMPILER="$compiler" -DSTRUCTFIT_USE_STATIC_LIBS=ON >"$scratch/static.log" 2>&1 ||
	{ cat "$scratch/static.log"; fail "configure with STRUCTFIT_USE_STATIC_LIBS"; }
cmake --build "$bin-static" --target version_probe >>"$scratch/static.log" 2>&1 ||
	{ cat "$scratch/static.log"; fail "version_probe with STRUCTFIT_USE_STATIC_LIBS"; }
"$bin-static/version_probe" | grep -q "libstructfit" || fail "the static version_probe did not run"
if readelf -d "$bin-static/version_probe" | grep -q "NEEDED.*libstructfit"; then
	fail "STRUCTFIT_USE_STATIC_LIBS still links libstructfit.so"
fi

# Grow the struct: the next build must fail with the tool's message.
sed 's/char flags;/char flags;\n\tlong long extra;/' "$src/conn.h" >"$src/conn.h.new" && mv "$src/conn.h.new" "$src/conn.h"
if cmake --build "$bin" >"$scratch/build2.log" 2>&1; then
	cat "$scratch/build2.log"
	fail "the consumer still builds after struct conn_state grew"
fi
grep -q "conn.h:5: error: struct conn_state: size grew from 16 to 24 bytes" "$scratch/build2.log" ||
	{ cat "$scratch/build2.log"; fail "the failed build does not name the struct and its file:line"; }
grep -q "structfit check: FAILED" "$scratch/build2.log" || fail "no FAILED verdict"
if "$compiler" -fsyntax-only -I "$src" -I "$bin" "$scratch/use.c" 2>/dev/null; then
	fail "the old assertion header still compiles after the struct grew"
fi
echo "cmake consumer ($compiler): passes with matching layouts, fails after struct conn_state grew; shared and static library programs run"
