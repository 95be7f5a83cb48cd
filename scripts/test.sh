#!/usr/bin/env bash
# Builds structfit with warnings as errors and runs the whole test suite.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=scripts/deps.sh
source "$root/scripts/deps.sh"

build="$root/build"
cmake -S "$root" -B "$build" -DSTRUCTFIT_WERROR=ON
cmake --build "$build" --parallel "$(nproc)"
status=0
ctest --test-dir "$build" --output-on-failure -j2 || status=$?
exit "$status"
