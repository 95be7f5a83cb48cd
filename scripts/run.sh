#!/usr/bin/env bash
# Builds structfit and runs it with the given arguments; without arguments,
# reports the bundled example (fixtures/example.c).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=scripts/deps.sh
source "$root/scripts/deps.sh"

build="$root/build"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
# Quiet on success; the full log when configuring or building fails.
if ! { cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release &&
       cmake --build "$build" --parallel "$(nproc)"; } >"$log" 2>&1; then
	cat "$log" >&2
	echo "structfit: build failed" >&2
	exit 1
fi

# Arguments are passed from the caller's directory, so relative paths keep working.
if (($# > 0)); then
	exec "$build/structfit" "$@"
fi
cc -g -c "$root/fixtures/example.c" -o "$build/example.o"
"$build/structfit" report "$build/example.o"
