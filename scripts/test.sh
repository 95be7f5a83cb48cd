#!/usr/bin/env bash
# Builds structfit with warnings as errors and runs the whole test suite, then the
# unit and corrupt-input tests again under ASan + UBSan (build-asan), and the
# threaded loads under ThreadSanitizer (build-tsan; STRUCTFIT_SKIP_TSAN=1 skips it).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
STRUCTFIT_DEPS_FOR_TESTS=1
# shellcheck source=scripts/deps.sh
source "$root/scripts/deps.sh"

build="$root/build"
cmake -S "$root" -B "$build" -DSTRUCTFIT_WERROR=ON
cmake --build "$build" --parallel "$(nproc)"
status=0
ctest --test-dir "$build" --output-on-failure -j2 || status=$?

# Sanitizer pass: the unit tests, the corrupt-input corpus, the mutation
# test and the non-C producers again under AddressSanitizer +
# UndefinedBehaviorSanitizer (any report aborts the run), with one heap
# block per arena object so overruns inside the model are seen too.
# Built with clang when it is there: its UBSan checks more than gcc's (a
# null pointer plus zero, for one), and a second compiler's warnings.
# STRUCTFIT_SKIP_ASAN=1 skips it for a quick local loop.
if [ -z "${STRUCTFIT_SKIP_ASAN:-}" ]; then
	asan="$root/build-asan"
	asan_cc=$(command -v clang || command -v gcc)
	cmake -S "$root" -B "$asan" -DCMAKE_C_COMPILER="$asan_cc" -DSTRUCTFIT_WERROR=ON \
		-DSTRUCTFIT_SANITIZE=ON -DSTRUCTFIT_ARENA_MALLOC=ON
	cmake --build "$asan" --parallel "$(nproc)"
	export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:check_initialization_order=1:strict_string_checks=1}
	export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
	ctest --test-dir "$asan" --output-on-failure -j2 -L 'unit|corrupt' || status=$?
	ctest --test-dir "$asan" --output-on-failure -j2 -R '^(cli_surface|oracle_errors|oracle_dwz)$' || status=$?
fi

# The load's threads (stream, lister, workers, reaper, report helpers)
# under ThreadSanitizer: the tool alone is built so (Criterion's runner
# does not start under it), and tests/cli/tsan_load.sh drives it.
if [ -z "${STRUCTFIT_SKIP_TSAN:-}" ]; then
	tsan="$root/build-tsan"
	tsan_cc=$(command -v clang || command -v gcc)
	cmake -S "$root" -B "$tsan" -DCMAKE_C_COMPILER="$tsan_cc" -DSTRUCTFIT_WERROR=ON -DSTRUCTFIT_TSAN=ON
	cmake --build "$tsan" --parallel "$(nproc)" --target structfit
	ctest --test-dir "$tsan" --output-on-failure -L tsan || status=$?
fi
exit "$status"
