#!/usr/bin/env bash
# Checks `structfit fix` on the C++ project fixtures/fix_project_cxx with g++
# and clang++: classes with access labels, methods, nested types, statics,
# default member initializers and constructors in and out of the class are
# patched, members stay in their access sections, constructors' initializer
# lists follow the new order (the patched project builds with -Wall -Wextra
# -Werror, so -Wreorder is quiet), every patched class has exactly the
# predicted size, the program still works, and the refusals name their
# reason (a member read in an initializer, aggregate initialization, a
# member type declared between members).
# Usage: fix_apply_cxx.sh [STRUCTFIT [SOURCE_DIR]]  (default: $STRUCTFIT_BIN, $STRUCTFIT_SOURCE_DIR)
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
set -euo pipefail

bin=${1:-${STRUCTFIT_BIN:-}}
src=${2:-${STRUCTFIT_SOURCE_DIR:-}}
if [[ -z $bin || -z $src ]]; then
	echo "usage: fix_apply_cxx.sh STRUCTFIT SOURCE_DIR (or set STRUCTFIT_BIN, STRUCTFIT_SOURCE_DIR)" >&2
	exit 2
fi
[[ $bin == /* ]] || bin="$PWD/$bin"
[[ $src == /* ]] || src="$PWD/$src"
fixture=$src/fixtures/fix_project_cxx
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

failures=0
fail() {
	echo "FAIL: $*" >&2
	failures=$((failures + 1))
}

build() { # DIR CXX [FLAGS...]  ($debug: the -g flags of the configuration)
	local dir=$1 cxx=$2
	shift 2
	(cd "$dir" && "$cxx" $debug -O0 "$@" -Iinclude src/main.cc src/shapes.cc -o prog)
}

# Members of the body of CLASS in FILE between the label LABEL and the next label or the end.
section_members() { # FILE CLASS LABEL
	awk -v cls="$2" -v label="$3" '
		$0 ~ "^(class|struct) " cls "[ {:]" { inside = 1; on = (label == "-"); next }
		inside && /^};/ { exit }
		inside && /^(public|private|protected):/ { on = ($0 == label ":"); next }
		inside && on && /^\t[a-z].*[a-z_]+;$/ && !/\(/ { sub(/;$/, ""); print $NF }
	' "$1" | sort | tr '\n' ' '
}

ran=0
# DWARF 4 too: static data members are DW_TAG_member declarations there.
for config in "g++ -g" "clang++ -g" "g++ -gdwarf-4"; do
	cxx=${config%% *}
	debug=${config#* }
	command -v $cxx >/dev/null || continue
	ran=$((ran + 1))
	work=$tmp/$cxx$debug
	cp -r "$fixture" "$work"
	build "$work" $cxx || { fail "$cxx $debug: fixture does not build"; continue; }
	(cd "$work" && "$bin" fix --diff prog >"$tmp/$cxx$debug.diff" 2>"$tmp/$cxx$debug.sum") || fail "$cxx $debug: fix exited $?"
	for want in Sections Widget Holder Indexed Derived; do
		grep -q "^patched  $want " "$tmp/$cxx$debug.sum" || fail "$cxx $debug: $want not patched: $(grep " $want " "$tmp/$cxx$debug.sum")"
	done
	for want in "Buffer .*the constructor at include/shapes.hpp:77 reads another member in an initializer" \
		"Point3 .*positional initializer at src/main.cc:5" "Triple .*positional initializer at src/main.cc:12" \
		"Split .*moves members across line 110 (an access label, or a declaration sharing a name"; do
		grep -q "^skipped  $want" "$tmp/$cxx$debug.sum" || fail "$cxx $debug: no skip line matching '$want'"
	done
	# The constructor call Holder h{'k'} is no aggregate initialization.
	grep -q "^skipped  Holder" "$tmp/$cxx$debug.sum" && fail "$cxx $debug: Holder refused"

	(cd "$work" && git init -q . && git apply --check "$tmp/$cxx$debug.diff" && git apply "$tmp/$cxx$debug.diff") ||
		{ fail "$cxx $debug: git apply rejected the diff"; continue; }
	cmp -s "$fixture/src/main.cc" "$work/src/main.cc" || fail "$cxx $debug: untouched main.cc changed"
	grep -q "Holder::Holder(char k) : kind(k), state('s'), count(3), names()" "$work/src/shapes.cc" ||
		fail "$cxx $debug: out-of-line initializer list of Holder not in the new order"
	# Warning-free: -Wreorder would fire on a list out of declaration order.
	build "$work" $cxx -Wall -Wextra -Werror 2>"$tmp/$cxx$debug.build" ||
		{ fail "$cxx $debug: patched project does not build warning-free: $(cat "$tmp/$cxx$debug.build")"; continue; }
	(cd "$work" && ./prog >"$tmp/$cxx$debug.out") || fail "$cxx $debug: patched program fails: $(cat "$tmp/$cxx$debug.out")"
	while read -r name predicted; do
		actual=$(awk -v n="$name" '$1 == n { print $2 }' "$tmp/$cxx$debug.out")
		[[ $actual == "$predicted" ]] || fail "$cxx $debug: $name is ${actual:-?} bytes after the patch, predicted $predicted"
	done < <(sed -n 's/^patched  \([^ ]*\) .*-> \([0-9]*\) bytes.*/\1 \2/p' "$tmp/$cxx$debug.sum")
	# Members stay in their access sections.
	[[ $(section_members "$work/include/shapes.hpp" Sections public) == "a b c " ]] ||
		fail "$cxx $debug: Sections public section is now '$(section_members "$work/include/shapes.hpp" Sections public)'"
	[[ $(section_members "$work/include/shapes.hpp" Sections private) == "d e f " ]] ||
		fail "$cxx $debug: Sections private section is now '$(section_members "$work/include/shapes.hpp" Sections private)'"
	# Methods, nested types and statics stay where they were.
	diff <(grep -n -E '\(|typedef|enum|static|friend' "$fixture/include/shapes.hpp" | grep -v -E ':\s+[a-z:<>, ]+ [a-z_]+(\{.*\}| = .*)?;$') \
		<(grep -n -E '\(|typedef|enum|static|friend' "$work/include/shapes.hpp" | grep -v -E ':\s+[a-z:<>, ]+ [a-z_]+(\{.*\}| = .*)?;$') \
		| grep -v -E '^[<>] [0-9]+:\s+[A-Za-z]+\(\) : ' | grep -q '^[<>]' &&
		fail "$cxx $debug: a declaration that is not a data member moved"
	# Nothing left that fix may change.
	build "$work" $cxx
	(cd "$work" && "$bin" fix --diff prog >"$tmp/$cxx$debug.again" 2>/dev/null) || true
	[[ ! -s $tmp/$cxx.again ]] || fail "$cxx $debug: fixing the patched build changes it again"
done
[[ $ran -gt 0 ]] || { echo "SKIP: no C++ compiler"; exit 77; }
if [[ $failures -gt 0 ]]; then
	echo "$failures failure(s)" >&2
	exit 1
fi
echo "fix_apply_cxx: ok"
