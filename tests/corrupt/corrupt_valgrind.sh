#!/bin/sh
# Representative runs of structfit under valgrind memcheck: fixtures and a few corrupt inputs, no error allowed.
#
# Registered only for builds without sanitizers (valgrind and ASan do not
# mix).  Build with STRUCTFIT_ARENA_MALLOC=ON so that every model object is
# its own heap block and an overrun inside the arena is seen too.
set -u

bin=${STRUCTFIT_BIN:-}
scratch=${STRUCTFIT_SCRATCH_DIR:-$(mktemp -d)}
fixtures=${STRUCTFIT_FIXTURE_DIR:-}
src=${STRUCTFIT_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
failures=0
runs=0

if [ -z "$bin" ] || [ ! -x "$bin" ]; then
	echo "FAIL: STRUCTFIT_BIN not set or not executable ('$bin')"
	exit 1
fi
if ! command -v valgrind >/dev/null 2>&1; then
	echo "SKIP: valgrind not installed"
	exit 77
fi
mkdir -p "$scratch"

# vg NAME ARGS...: structfit ARGS under memcheck; any error or leak fails
vg() {
	name=$1
	shift
	runs=$((runs + 1))
	valgrind --quiet --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect \
		--log-file="$scratch/$name.vg" "$bin" "$@" >/dev/null 2>"$scratch/$name.err"
	status=$?
	if [ "$status" -eq 99 ] || [ -s "$scratch/$name.vg" ]; then
		echo "FAIL: $name: valgrind reports errors:"
		head -40 "$scratch/$name.vg"
		failures=$((failures + 1))
	elif [ "$status" -ge 128 ]; then
		echo "FAIL: $name: killed by signal $((status - 128))"
		failures=$((failures + 1))
	else
		echo "ok: $name (exit $status)"
	fi
}

objects=""
for f in "$fixtures"/*.o; do
	[ -f "$f" ] && objects="$objects $f"
done
if [ -z "$objects" ]; then
	cc -g -c "$src/fixtures/basic.c" -o "$scratch/basic.o" && objects=$scratch/basic.o
fi
# shellcheck disable=SC2086
vg fixtures_text report $objects
# shellcheck disable=SC2086
vg fixtures_json report --format=json --sort=waste $objects
# shellcheck disable=SC2086
vg fixtures_summary report --summary -j 4 $objects

# A few corrupt inputs through the error paths (libdwarf's included).
if command -v python3 >/dev/null 2>&1; then
	STRUCTFIT_SCRATCH_DIR=$scratch/corrupt python3 "$src/tests/corrupt/corrupt_inputs.py" --keep "$scratch/corrupt" \
		--only typedef_cycle --only bounds_overflow --only bad_abbrev_code \
		--only name_strp_out_of_range --only truncated_info --only type_ref_mid_die \
		--only line_dir_index_past_end --only line_dir_index_far >/dev/null 2>&1
	for f in "$scratch"/corrupt/*.so; do
		[ -f "$f" ] && vg "corrupt_$(basename "$f" .so)" report "$f"
	done
fi

echo "corrupt_valgrind: $runs runs, $failures failures"
[ "$failures" -eq 0 ]
