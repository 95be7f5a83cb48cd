#!/bin/sh
# Strict header test: every public header compiles alone as C11 (and C++ when available).
# Usage: header_check.sh INCLUDE_DIR... (the source tree's and the generated headers' directories)
set -u

[ $# -gt 0 ] || { echo "usage: header_check.sh INCLUDE_DIR..." >&2; exit 2; }
for dir do
	set -- "$@" -I "$dir"
	shift
done
# From here on "$@" is the compiler's -I options, one pair per directory.
cc=${CC:-cc}
cxx=${CXX:-c++}
scratch=${STRUCTFIT_SCRATCH_DIR:-$(mktemp -d)}
failures=0
checked=0

if ! command -v "$cc" >/dev/null 2>&1; then
	echo "SKIP: no C compiler ($cc)"
	exit 77
fi

for dir in "$@"; do
	[ "$dir" = -I ] && continue
	for header in "$dir"/structfit/*.h; do
		name=$(basename "$header")
		# Including through a one-line file proves the header is self-contained;
		# the typedef keeps a header of macros only from being an empty unit.
		printf '#include <structfit/%s>\ntypedef int header_check_unit;\n' "$name" >"$scratch/hdr_$name.c"
		checked=$((checked + 1))
		if ! "$cc" -std=c11 -pedantic -Werror -Wall -Wextra -fsyntax-only \
			"$@" "$scratch/hdr_$name.c"; then
			echo "FAIL: $name does not compile alone as C11"
			failures=$((failures + 1))
		fi
		if ! "$cc" -std=c11 -pedantic -Werror -Wall -Wextra -fsyntax-only \
			"$@" -include "$header" "$scratch/hdr_$name.c"; then
			echo "FAIL: $name is not safe to include twice"
			failures=$((failures + 1))
		fi
		if command -v "$cxx" >/dev/null 2>&1; then
			if ! "$cxx" -x c++ -std=c++11 -pedantic -Werror -Wall -Wextra -fsyntax-only \
				"$@" "$scratch/hdr_$name.c"; then
				echo "FAIL: $name does not compile alone as C++11"
				failures=$((failures + 1))
			fi
		fi
	done
done

if [ "$checked" -eq 0 ]; then
	echo "FAIL: no public headers in the include directories"
	exit 1
fi
command -v "$cxx" >/dev/null 2>&1 || echo "note: no C++ compiler ($cxx); C++ pass skipped"
echo "$checked headers checked, $failures failures"
[ "$failures" -eq 0 ]
