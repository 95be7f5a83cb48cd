#!/usr/bin/env bash
# Checks which structs -C NAME finds besides the one tagged NAME: a struct
# through a typedef naming it (`-C PyTypeObject` finds struct _typeobject,
# also in BTF), and a C++ class by its qualified name or any tail of it
# (`-C ns::Outer::Inner`, `-C Outer::Inner` and `-C Inner` all find
# ns::Outer::Inner; pahole 1.24 finds it by `Inner` only).  The layouts
# found are checked against the compiler with _Static_asserts.
# Usage: cli_struct_names.sh [STRUCTFIT]  (default: $STRUCTFIT_BIN)
# ctest runs this with `sh`; the checks below need bash.
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
set -uo pipefail

bin=${1:-${STRUCTFIT_BIN:-}}
[[ -n $bin ]] || { echo "usage: cli_struct_names.sh STRUCTFIT" >&2; exit 2; }
[[ $bin == /* ]] || bin="$PWD/$bin"
cc=${CC:-gcc}
cxx=${CXX:-g++}
command -v "$cc" >/dev/null || { echo "SKIP: no $cc"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 2

failures=0
fail() {
	echo "FAIL: $*" >&2
	failures=$((failures + 1))
}
# expect NAME EXPECTED COMMAND...: stdout and stderr of COMMAND must equal EXPECTED.
expect() {
	local name=$1 want=$2 got
	shift 2
	got=$("$@" 2>&1)
	[[ $got == "$want" ]] || fail "$name: got [$got], want [$want]"
}
tab=$'\t'

cat >names.h <<'C'
typedef struct _typeobject { long refcnt; char kind; const char *name; } PyTypeObject;
typedef union value_u { double d; char bytes[12]; } value_t;
struct plain { int a; };
typedef struct plain plain_t;
typedef plain_t plain2_t;           /* a typedef of a typedef */
typedef struct { short s; } anon_t; /* found by its typedef already */
C
printf '#include "names.h"\nPyTypeObject t; value_t v; plain2_t p; anon_t a;\n' >names.c
"$cc" -g -c names.c -o names.o || { echo "FAIL: $cc cannot compile" >&2; exit 1; }

expect typedef "_typeobject${tab}24${tab}1" "$bin" report -s -C PyTypeObject names.o
expect typedef-glob "_typeobject${tab}24${tab}1" "$bin" report -s -C 'PyType*' names.o
expect typedef-union "value_u${tab}16${tab}0" "$bin" report -s -C value_t names.o
expect typedef-chain "plain${tab}4${tab}0" "$bin" report -s -C plain2_t names.o
expect typedef-and-tag "_typeobject${tab}24${tab}1" "$bin" report -s -C PyTypeObject,_typeobject names.o
expect anonymous "anon_t${tab}2${tab}0" "$bin" report -s -C anon_t names.o
"$bin" report -C nosuch_t names.o >/dev/null 2>err.txt
[[ $? == 1 ]] && grep -q "no struct matches 'nosuch_t'" err.txt || fail "-C nosuch_t: $(cat err.txt)"
# The layout found through the typedef is the compiler's.
"$bin" report -C PyTypeObject names.o >t.txt
grep -q '^struct _typeobject {$' t.txt || fail "-C PyTypeObject prints: $(cat t.txt)"
{
	echo '#include <stddef.h>'
	echo '#include "names.h"'
	awk '/^\t[^\t\/].*\/\*/ { n = $0; sub(/;.*/, "", n); sub(/.*[ *]/, "", n); o = $0; sub(/.*\/\* */, "", o); split(o, f, " ");
		printf "_Static_assert(offsetof(PyTypeObject, %s) == %s && sizeof(((PyTypeObject *)0)->%s) == %s, \"%s\");\n", n, f[1], n, f[2], n }' t.txt
} >probe.c
[[ $(grep -c _Static_assert probe.c) == 3 ]] || fail "probe: $(cat probe.c)"
"$cc" -c probe.c -o /dev/null 2>err.txt || fail "offsets through the typedef: $(head -5 err.txt)"

# Gates: a JSON baseline records no typedefs, yet -C PyTypeObject must
# compare struct _typeobject there too (not call it new and skip it).
"$bin" snapshot -o base.json names.o || fail "snapshot exits $?"
sed 's/char kind;/char kind; long extra;/' names.h >names2.h
sed 's/names.h/names2.h/' names.c >names2.c
"$cc" -g -c names2.c -o names2.o || { echo "FAIL: $cc cannot compile" >&2; exit 1; }
"$bin" check --baseline base.json -C PyTypeObject names2.o >out.txt 2>&1
rc=$?
[[ $rc == 1 ]] && grep -q 'struct _typeobject: size grew from 24 to 32' out.txt ||
	fail "check -C PyTypeObject against a JSON baseline: exit $rc: $(cat out.txt)"
"$bin" diff base.json names2.o -C PyTypeObject >out.txt 2>&1
rc=$?
[[ $rc == 1 ]] && grep -q 'size grew from 24 to 32' out.txt || fail "diff JSON ELF -C PyTypeObject: exit $rc: $(cat out.txt)"
"$bin" diff names.o base.json -C PyTypeObject >out.txt 2>&1
[[ $? == 0 ]] || fail "diff ELF JSON -C PyTypeObject, same layout: $(cat out.txt)"

# C++: qualified names, any tail of them, typedefs inside namespaces.
if command -v "$cxx" >/dev/null; then
	cat >names.cc <<'CXX'
namespace ns {
struct Outer {
	struct Inner { int a; char b; };
	Inner in;
	long z;
};
typedef Outer::Inner InnerAlias;
}
template <class T> struct Wrap { T t; };
struct Inner { double d; };  // a global Inner too
ns::Outer o; ns::InnerAlias ia; Wrap<ns::Outer::Inner> w; Inner gi;
CXX
	"$cxx" -g -c names.cc -o names_cc.o || { echo "FAIL: $cxx cannot compile" >&2; exit 1; }
	expect qualified "ns::Outer::Inner${tab}8${tab}0" "$bin" report -s -C ns::Outer::Inner names_cc.o
	expect partly-qualified "ns::Outer::Inner${tab}8${tab}0" "$bin" report -s -C Outer::Inner names_cc.o
	expect unqualified "ns::Outer::Inner${tab}8${tab}0
Inner${tab}8${tab}0" "$bin" report -s -C Inner names_cc.o
	expect namespace-typedef "ns::Outer::Inner${tab}8${tab}0" "$bin" report -s -C InnerAlias names_cc.o
	expect qualified-typedef "ns::Outer::Inner${tab}8${tab}0" "$bin" report -s -C ns::InnerAlias names_cc.o
	# The `::` inside template arguments is not a scope of the name.
	"$bin" report -s -C 'Inner>' names_cc.o >/dev/null 2>&1 && fail "-C 'Inner>' matches inside template arguments"
	expect template "Wrap<ns::Outer::Inner>${tab}8${tab}0" "$bin" report -s -C 'Wrap<*>' names_cc.o
else
	echo "note: no $cxx; C++ names not checked"
fi

# BTF: the typedef is read from the BTF itself.
if command -v pahole >/dev/null && pahole --btf_encode_detached=names.btf names.o >/dev/null 2>&1; then
	expect btf-typedef "_typeobject${tab}24${tab}1" "$bin" report -s -C PyTypeObject names.btf
	expect btf-typedef-union "value_u${tab}16${tab}0" "$bin" report -s -C value_t names.btf
else
	echo "note: pahole cannot write BTF here; the BTF typedef is not checked"
fi

if ((failures)); then
	echo "$failures failure(s)" >&2
	exit 1
fi
echo "PASS"
