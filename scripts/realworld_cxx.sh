#!/usr/bin/env bash
# Manual (network) check of `structfit fix` on real C++ projects: tinyxml2,
# jsoncpp and yaml-cpp at pinned commits, cloned from GitHub.  Each is built
# with -g -O0, fixed (--source-root at its checkout), the diff applied with
# git apply, rebuilt, its own test suite run, the patched files compiled with
# -Wall -Wextra -Werror (-Wreorder quiet), and every patched class's size
# read back from the rebuilt objects against the prediction.  Not part of
# ctest: it downloads.  Set SRC_tinyxml2=DIR (etc.) to clone a local mirror.
# Usage: [PROJECT=tinyxml2|jsoncpp|yaml-cpp|all] scripts/realworld_cxx.sh [STRUCTFIT [WORKDIR]]
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
set -euo pipefail

sf=${1:-$(dirname "$0")/../build/structfit}
work=${2:-/tmp/structfit-realworld-cxx}
[[ $sf == /* ]] || sf="$PWD/$sf"
step() { printf '\n== %s\n' "$*"; }
die() { echo "FAIL: $*" >&2; exit 1; }
project=${PROJECT:-all}

clone() { # NAME URL COMMIT
	local var="SRC_${1//-/_}"
	git clone -q "${!var:-$2}" "$work/$1"
	git -C "$work/$1" checkout -q "$3"
}

# Every "patched NAME ... -> N bytes" line of summary $1 against the objects $2...
check_sizes() {
	local summary=$1 name want got
	shift
	while read -r name want; do
		got=$("$sf" report -C "$name" "$@" 2>/dev/null | sed -n 's/.*size: \([0-9]*\),.*/\1/p' | sort -u)
		[[ $got == "$want" ]] || die "$name is ${got:-missing} bytes after the patch, predicted $want"
		echo "$name: $got bytes, as predicted"
	done < <(sed -n 's/^patched  \([^ ]*\) .*-> \([0-9]*\) bytes.*/\1 \2/p' "$summary")
}

fix_and_apply() { # NAME OBJECTS...
	local name=$1
	shift
	(cd "$work/$name" && "$sf" fix --diff --source-root=. "$@" >"$work/$name.diff" 2>"$work/$name.sum") ||
		die "$name: fix failed"
	grep -E '^(patched|skipped) |structs? patched' "$work/$name.sum" | grep -v 'outside the source root' || true
	(cd "$work/$name" && git apply "$work/$name.diff") || die "$name: git apply rejected the diff"
}

strict() { # NAME FLAGS -- FILES...: the patched sources compile warning-free
	local name=$1 flags=()
	shift
	while [[ $1 != -- ]]; do flags+=("$1"); shift; done
	shift
	for f in "$@"; do
		(cd "$work/$name" && g++ -std=c++17 -Wall -Wextra -Werror "${flags[@]}" -c "$f" -o /dev/null) ||
			die "$name: $f does not compile warning-free after the patch"
	done
}

changed_sources() { # NAME: patched .cpp/.cc files
	git -C "$work/$1" diff --name-only | grep -E '\.(cpp|cc|cxx)$' || true
}

rm -rf "$work" && mkdir -p "$work"

if [[ $project == tinyxml2 || $project == all ]]; then
	step "tinyxml2"
	clone tinyxml2 https://github.com/leethomason/tinyxml2 3dcad8e3c38e7091ae3771bf63020027f91715ce
	d=$work/tinyxml2
	(cd "$d" && g++ -g -O0 -c tinyxml2.cpp -o tinyxml2.o && g++ -g -O0 xmltest.cpp tinyxml2.o -o xmltest &&
		./xmltest >"$work/tinyxml2.before" 2>&1) || die "tinyxml2: build or tests fail before the patch"
	fix_and_apply tinyxml2 tinyxml2.o
	(cd "$d" && g++ -g -O0 -Wall -Wextra -Werror -c tinyxml2.cpp -o tinyxml2.o &&
		g++ -g -O0 xmltest.cpp tinyxml2.o -o xmltest && ./xmltest >"$work/tinyxml2.after" 2>&1) ||
		die "tinyxml2: build or tests fail after the patch"
	tail -1 "$work/tinyxml2.after"
	check_sizes "$work/tinyxml2.sum" "$d/tinyxml2.o"
fi

if [[ $project == jsoncpp || $project == all ]]; then
	step "jsoncpp"
	clone jsoncpp https://github.com/open-source-parsers/jsoncpp edc01ab10f52135ec80e3589b6b4e0a9c65b27fd
	d=$work/jsoncpp
	cmake -S "$d" -B "$d/build" -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS="-g -O0" \
		-DJSONCPP_WITH_POST_BUILD_UNITTEST=OFF -DBUILD_SHARED_LIBS=OFF -DBUILD_OBJECT_LIBS=OFF >/dev/null
	cmake --build "$d/build" --parallel 2 >/dev/null && (cd "$d/build" && ctest >/dev/null) ||
		die "jsoncpp: build or tests fail before the patch"
	fix_and_apply jsoncpp build/lib/libjsoncpp.a
	mapfile -t files < <(changed_sources jsoncpp)
	[[ ${#files[@]} -eq 0 ]] || strict jsoncpp -Iinclude -- "${files[@]}"
	cmake --build "$d/build" --parallel 2 >/dev/null && (cd "$d/build" && ctest | tail -3) ||
		die "jsoncpp: build or tests fail after the patch"
	check_sizes "$work/jsoncpp.sum" "$d/build/lib/libjsoncpp.a"
fi

if [[ $project == yaml-cpp || $project == all ]]; then
	step "yaml-cpp"
	clone yaml-cpp https://github.com/jbeder/yaml-cpp c3f81127320662deb3e28f4da0a511f1faecd860
	d=$work/yaml-cpp
	cmake -S "$d" -B "$d/build" -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS="-g -O0" \
		-DYAML_CPP_BUILD_TESTS=ON -DYAML_CPP_BUILD_TOOLS=OFF >/dev/null
	cmake --build "$d/build" --parallel 2 >/dev/null && "$d/build/test/yaml-cpp-tests" >/dev/null ||
		die "yaml-cpp: build or tests fail before the patch"
	fix_and_apply yaml-cpp build/libyaml-cppd.a
	mapfile -t files < <(changed_sources yaml-cpp)
	[[ ${#files[@]} -eq 0 ]] || strict yaml-cpp -Iinclude -Isrc -- "${files[@]}"
	cmake --build "$d/build" --parallel 2 >/dev/null && "$d/build/test/yaml-cpp-tests" | grep -E 'PASSED|FAILED' ||
		die "yaml-cpp: build or tests fail after the patch"
	check_sizes "$work/yaml-cpp.sum" "$d/build/libyaml-cppd.a"
fi
echo "realworld_cxx: ok"
