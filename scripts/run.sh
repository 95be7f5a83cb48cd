#!/usr/bin/env bash
# Builds the structfit tool (not the test suite) and runs it with the given
# arguments; without arguments, reports the bundled example (fixtures/example.c).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=scripts/deps.sh
source "$root/scripts/deps.sh"

build="$root/build"
log=$(mktemp)
trap 'rm -f "$log"' EXIT

# Progress on stderr: cmake's percentage in place on a terminal, one line
# per phase otherwise; the full log only when something fails.
progress() {
	if [[ -t 2 ]]; then
		while IFS= read -r line; do
			printf '%s\n' "$line" >>"$log"
			if [[ $line =~ ^\[\ *([0-9]+)%\] ]]; then
				printf '\rstructfit: building %3s%%' "${BASH_REMATCH[1]}" >&2
			fi
		done
		printf '\r\033[K' >&2
	else
		cat >>"$log"
	fi
}

echo "structfit: configuring $build" >&2
if ! cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release >"$log" 2>&1; then
	cat "$log" >&2
	echo "structfit: configuring failed" >&2
	exit 1
fi
echo "structfit: building the tool" >&2
if ! cmake --build "$build" --target structfit --parallel "$(nproc)" 2>&1 | progress; then
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
