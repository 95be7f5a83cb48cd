#!/bin/sh
# The installed libraries as a plain Makefile sees them: install structfit into
# a scratch prefix, build fixtures/cmake_consumer/api.c with COMPILER (gcc,
# clang) from what `pkg-config structfit` says, against libstructfit.so and,
# with --static and -static, against libstructfit.a, and run both.  Also checks
# the libraries themselves: machine code in the archive (no GCC slim-LTO
# objects), the soname, exactly the public API exported, and a .pc file that
# follows the prefix of a `cmake --install --prefix` and of a DESTDIR install.
# Usage: pkg_consumer.sh COMPILER
set -u

: "${STRUCTFIT_BIN:?}" "${STRUCTFIT_SOURCE_DIR:?}" "${STRUCTFIT_SCRATCH_DIR:?}"
compiler=${1:?usage: pkg_consumer.sh COMPILER}
for tool in cmake pkg-config readelf nm "$compiler"; do
	command -v "$tool" >/dev/null 2>&1 || { echo "SKIP: no $tool"; exit 77; }
done
build_dir=$(dirname "$STRUCTFIT_BIN")
scratch=$STRUCTFIT_SCRATCH_DIR
prefix=$scratch/prefix
stage=$scratch/stage
api=$STRUCTFIT_SOURCE_DIR/fixtures/cmake_consumer/api.c
fail() { echo "FAIL: $*"; exit 1; }

rm -rf "$prefix" "$stage" "$scratch"/api_* "$scratch"/*.log
cmake --install "$build_dir" --prefix "$prefix" >"$scratch/install.log" 2>&1 ||
	{ cat "$scratch/install.log"; fail "cmake --install"; }
pc=$(find "$prefix" -name structfit.pc | head -n 1)
[ -n "$pc" ] || fail "no structfit.pc"
PKG_CONFIG_PATH=$(dirname "$pc")
export PKG_CONFIG_PATH
unset PKG_CONFIG_SYSROOT_DIR PKG_CONFIG_LIBDIR
version=$(pkg-config --modversion structfit) || fail "pkg-config cannot read $pc"
major=${version%%.*}
libdir=$(pkg-config --variable=libdir structfit)
[ -f "$libdir/libstructfit.a" ] || fail "pkg-config's libdir $libdir holds no libstructfit.a"

# The archive: real code, which any compiler's linker can use.
if readelf -S -W "$libdir/libstructfit.a" | grep -q '\.gnu\.lto_'; then
	fail "libstructfit.a holds LTO objects (only the GCC that built them can link them)"
fi

# The shared library: libstructfit.so -> .so.MAJOR -> .so.VERSION, soname .so.MAJOR.
[ "$(readlink "$libdir/libstructfit.so")" = "libstructfit.so.$major" ] ||
	fail "libstructfit.so is not a link to libstructfit.so.$major"
[ "$(readlink "$libdir/libstructfit.so.$major")" = "libstructfit.so.$version" ] ||
	fail "libstructfit.so.$major is not a link to libstructfit.so.$version"
readelf -d "$libdir/libstructfit.so.$version" | grep -q "SONAME.*\\[libstructfit\\.so\\.$major\\]" ||
	fail "the soname is not libstructfit.so.$major"

# Exported: the functions the public headers declare, nothing more or less.
# shellcheck disable=SC2046 # pkg-config's output is a list of words
printf '#include <structfit/structfit.h>\n' |
	"$compiler" -E -P $(pkg-config --cflags structfit) -x c - >"$scratch/api.i" ||
	fail "the installed headers do not preprocess"
grep -oE '(\(\*[[:space:]]*)?sf_[a-z0-9_]+[[:space:]]*\(' "$scratch/api.i" | grep -v '^(' |
	sed 's/[[:space:]]*($//' | sort -u >"$scratch/declared.txt"
nm -D --defined-only "$libdir/libstructfit.so" | awk '{ print $3 }' | sort -u >"$scratch/exported.txt"
[ -s "$scratch/declared.txt" ] || fail "no sf_ function found in the public headers"
if ! diff -u "$scratch/declared.txt" "$scratch/exported.txt" >"$scratch/exports.diff"; then
	cat "$scratch/exports.diff"
	fail "libstructfit.so exports other symbols than the public headers declare (- declared only, + exported only)"
fi

# The program loads the debug info of a small object: conn_state and packet.
"$compiler" -g -c "$STRUCTFIT_SOURCE_DIR/fixtures/cmake_consumer/main.c" -o "$scratch/input.o" ||
	fail "compiling the input object"
check_run() { # PROGRAM (in the scratch directory)
	LD_LIBRARY_PATH=$libdir "$scratch/$1" "$scratch/input.o" >"$scratch/$1.out" 2>&1
	grep -q "^libstructfit $version, header $version: 2 structs$" "$scratch/$1.out" ||
		{ cat "$scratch/$1.out"; fail "$1 did not load the input through the library"; }
}

# Shared: what `pkg-config --cflags --libs` gives is all it takes.
# shellcheck disable=SC2046 # pkg-config's output is a list of words
"$compiler" -o "$scratch/api_shared" "$api" $(pkg-config --cflags --libs structfit) \
	>"$scratch/shared.log" 2>&1 || { cat "$scratch/shared.log"; fail "linking against libstructfit.so"; }
readelf -d "$scratch/api_shared" | grep -q "NEEDED.*\\[libstructfit\\.so\\.$major\\]" ||
	fail "api_shared does not need libstructfit.so.$major"
check_run api_shared

# Static: `pkg-config --static` names every library libstructfit.a needs.
# shellcheck disable=SC2046
"$compiler" -static -o "$scratch/api_static" "$api" $(pkg-config --static --cflags --libs structfit) \
	>"$scratch/static.log" 2>&1 || { cat "$scratch/static.log"; fail "linking statically with pkg-config --static"; }
if readelf -d "$scratch/api_static" | grep -q NEEDED; then
	fail "api_static is not statically linked"
fi
check_run api_static

# A staged install (DESTDIR) keeps a .pc file that resolves where it lies.
DESTDIR=$stage cmake --install "$build_dir" --prefix /opt/structfit >"$scratch/destdir.log" 2>&1 ||
	{ cat "$scratch/destdir.log"; fail "DESTDIR install"; }
staged_pc=$(find "$stage/opt/structfit" -name structfit.pc | head -n 1)
[ -n "$staged_pc" ] || fail "the DESTDIR install holds no structfit.pc"
staged_include=$(PKG_CONFIG_PATH=$(dirname "$staged_pc") pkg-config --variable=includedir structfit)
[ -f "$staged_include/structfit/structfit.h" ] ||
	fail "the staged structfit.pc points to $staged_include, not to the staged headers"

echo "pkg-config consumer ($compiler): libstructfit $version shared and static link and run; $(wc -l <"$scratch/exported.txt") symbols exported"
