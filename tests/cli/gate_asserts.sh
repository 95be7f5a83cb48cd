#!/bin/sh
# Compiler oracle for `structfit assert`: the header generated from a build of
# fixtures/gate_layouts.c compiles against that source, and fails to compile
# once a member is added or retyped, for several targets; on another target
# it is skipped (or an error with STRUCTFIT_REQUIRE_TARGET).
set -u

: "${STRUCTFIT_BIN:?}" "${STRUCTFIT_SOURCE_DIR:?}" "${STRUCTFIT_SCRATCH_DIR:?}"
command -v clang >/dev/null 2>&1 || { echo "SKIP: clang not found"; exit 77; }
src=$STRUCTFIT_SOURCE_DIR/fixtures/gate_layouts.c
work=$STRUCTFIT_SCRATCH_DIR
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

printf '#include "%s"\n#include "asserts.h"\n' "$src" >"$work/use.c"

for target in x86_64-linux-gnu i386-linux-gnu s390x-linux-gnu; do
	dir=$work/$target
	mkdir -p "$dir"
	cc="clang --target=$target -std=c11 -w"
	$cc -g -c "$src" -o "$dir/ref.o" || { fail "$target: cannot compile the fixture"; continue; }
	"$STRUCTFIT_BIN" assert --offsets --align --include-local -C 'gate_*' -o "$dir/asserts.h" "$dir/ref.o" ||
		{ fail "$target: structfit assert failed"; continue; }
	grep -q "_Static_assert" "$dir/asserts.h" || fail "$target: no _Static_assert in the header"
	grep -q 'sizeof(struct gate_mixed) == ' "$dir/asserts.h" || fail "$target: no size assertion"
	grep -q 'offsetof(struct gate_mixed, l) == ' "$dir/asserts.h" || fail "$target: anonymous member field not asserted"
	grep -q 'offsetof(struct gate_mixed, u.f) == ' "$dir/asserts.h" || fail "$target: union field not asserted by path"
	grep -q 'sizeof(gate_pair_t) == ' "$dir/asserts.h" || fail "$target: typedef name not used"
	grep -q 'offsetof(struct gate_mixed, ready)' "$dir/asserts.h" && fail "$target: bitfield asserted"
	cp "$dir/asserts.h" "$work/asserts.h"
	$cc -fsyntax-only -DSTRUCTFIT_REQUIRE_TARGET "$work/use.c" ||
		fail "$target: header does not compile against its own source"
	for change in GATE_ADD_MEMBER GATE_RETYPE; do
		if $cc -fsyntax-only -D$change "$work/use.c" 2>"$dir/$change.err"; then
			fail "$target: header still compiles with -D$change"
		elif ! grep -q "in the reference build" "$dir/$change.err"; then
			fail "$target: -D$change failed for another reason: $(head -n 3 "$dir/$change.err")"
		fi
	done
done

# Target guard: the x86-64 header is inert on i386 unless the target is required.
cp "$work/x86_64-linux-gnu/asserts.h" "$work/asserts.h"
clang --target=i386-linux-gnu -std=c11 -w -fsyntax-only -DGATE_RETYPE "$work/use.c" ||
	fail "x86-64 header fires on i386"
if clang --target=i386-linux-gnu -std=c11 -w -fsyntax-only -DSTRUCTFIT_REQUIRE_TARGET "$work/use.c" 2>/dev/null; then
	fail "STRUCTFIT_REQUIRE_TARGET does not reject another target"
fi
# C++: the same header through static_assert/alignof, with gcc's and clang's front ends.
for cxx in clang++ g++; do
	command -v $cxx >/dev/null 2>&1 || continue
	$cxx -x c++ -std=c++11 -w -fsyntax-only "$work/use.c" || fail "$cxx: header does not compile as C++"
	if $cxx -x c++ -std=c++11 -w -fsyntax-only -DGATE_ADD_MEMBER "$work/use.c" 2>/dev/null; then
		fail "$cxx: header still compiles as C++ after a member was added"
	fi
done
# gcc as well, native build.
if command -v gcc >/dev/null 2>&1; then
	gcc -g -std=c11 -w -c "$src" -o "$work/gcc.o" &&
		"$STRUCTFIT_BIN" assert --offsets --align --include-local -C 'gate_*' -o "$work/asserts.h" "$work/gcc.o" &&
		gcc -std=c11 -fsyntax-only -Wall -Wextra -pedantic -Wno-pedantic "$work/use.c" ||
		fail "gcc: header does not compile against its own source"
	gcc -std=c11 -w -fsyntax-only -DGATE_RETYPE "$work/use.c" 2>/dev/null && fail "gcc: header compiles after retype"
fi
# Mixed targets are refused rather than guarded wrongly.
if "$STRUCTFIT_BIN" assert "$work/x86_64-linux-gnu/ref.o" "$work/i386-linux-gnu/ref.o" >/dev/null 2>"$work/mixed.err"; then
	fail "assert accepted inputs of two targets"
fi
grep -q "different targets" "$work/mixed.err" || fail "no message for mixed targets: $(cat "$work/mixed.err")"

# gcc's predefined struct __va_list_tag (decl file "<built-in>") cannot be
# named by any source: it is left out, and the header of a unit that uses
# va_list still compiles.
if command -v gcc >/dev/null 2>&1; then
	printf '#include <stdarg.h>\nstruct va_user { int n; va_list ap; } va_user_g;\n' >"$work/va.c"
	gcc -g -c "$work/va.c" -o "$work/va.o" &&
		"$STRUCTFIT_BIN" assert --offsets --align --include-local -o "$work/va_asserts.h" "$work/va.o" ||
		fail "assert on a va_list user failed"
	grep -q '__va_list_tag.*skipped, a compiler built-in type' "$work/va_asserts.h" ||
		fail "built-in struct __va_list_tag not skipped: $(grep -n va_list_tag "$work/va_asserts.h")"
	printf '#include "%s"\n#include "va_asserts.h"\n' "$work/va.c" >"$work/va_use.c"
	gcc -std=c11 -fsyntax-only -I"$work" "$work/va_use.c" || fail "header of a va_list user does not compile"
fi

[ "$failures" -eq 0 ] && echo "assertion headers: all checks passed"
[ "$failures" -eq 0 ]
