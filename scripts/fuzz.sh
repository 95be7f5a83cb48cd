#!/usr/bin/env bash
# Builds the libFuzzer harness (clang, ASan + UBSan) and fuzzes the whole pipeline for SECONDS (default 60).
#
# usage: scripts/fuzz.sh [SECONDS] [extra libFuzzer options...]
#   FUZZ_JOBS=N        parallel fuzzing processes (default 1)
#   FUZZ_KEEP_GOING=1  fork mode: record crashes and timeouts, keep fuzzing
# The corpus grows in build-fuzz/corpus; crashes land in build-fuzz/crashes.
# Minimize a crash with:
#   build-fuzz/fuzz_load -minimize_crash=1 -runs=100000 build-fuzz/crashes/crash-...
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
seconds=${1:-60}
shift || true
build=${FUZZ_BUILD_DIR:-$root/build-fuzz}

command -v clang >/dev/null || { echo "fuzz.sh: clang is required" >&2; exit 2; }
cmake -S "$root" -B "$build" -DCMAKE_C_COMPILER=clang -DSTRUCTFIT_FUZZ=ON \
	-DSTRUCTFIT_BUILD_TESTS=OFF -DSTRUCTFIT_WERROR=ON >/dev/null
cmake --build "$build" --parallel "$(nproc)" --target fuzz_load

mkdir -p "$build/corpus" "$build/seeds" "$build/crashes"
if [ -z "$(ls -A "$build/seeds")" ]; then
	sh "$root/tests/fuzz/make_seeds.sh" "$build/seeds"
fi

# Leaks are checked by the valgrind and ASan test passes; here they would
# only slow libFuzzer down.  -rss_limit guards against absurd allocations.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:allocator_may_return_null=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
jobs=${FUZZ_JOBS:-1}
args=(-max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536
	-artifact_prefix="$build/crashes/" -print_final_stats=1)
if [ "$jobs" -gt 1 ] || [ -n "${FUZZ_KEEP_GOING:-}" ]; then
	args+=(-fork="$jobs" -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1)
fi
cd "$build"
exec "$build/fuzz_load" "${args[@]}" "$@" "$build/corpus" "$build/seeds"
