#!/usr/bin/env bash
# Sources the bash completion and calls its function with COMP_WORDS set:
# commands, global and per-command options (new ones included, read from
# --help), struct names after -C/-i/-f from a file earlier on the line;
# checks that zsh's file parses when zsh is installed and that
# cmake --install puts both where the shells look.
# Usage: cli_completion.sh [STRUCTFIT [SOURCE_DIR [BUILD_DIR]]]
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
set -uo pipefail

bin=${1:-${STRUCTFIT_BIN:-}}
src=${2:-${STRUCTFIT_SOURCE_DIR:-}}
[[ -n $bin && -n $src ]] || { echo "usage: cli_completion.sh STRUCTFIT SOURCE_DIR [BUILD_DIR]" >&2; exit 2; }
[[ $bin == /* ]] || bin="$PWD/$bin"
[[ $src == /* ]] || src="$PWD/$src"
build=${3:-$(dirname "$bin")}
cc=${CC:-gcc}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 2
failures=0
fail() {
	echo "FAIL: $*" >&2
	failures=$((failures + 1))
}
complete() { :; } # not an interactive shell: the registration line is a no-op here
# shellcheck source=/dev/null
source "$src/scripts/completion/structfit.bash"
unset -f complete

# complete_line WORD...: completions of the last word, sorted, one line.
complete_line() {
	COMP_WORDS=("$bin" "$@")
	COMP_CWORD=$#
	COMPREPLY=()
	_structfit
	printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' '
}
printf 'struct alpha { int a; };\nstruct alps { char b; };\nstruct beta { long c; };\nstruct alpha x; struct alps y; struct beta z;\n' >c.c
"$cc" -g -c c.c -o c.o || { echo "FAIL: $cc" >&2; exit 1; }

got=$(complete_line re)
[[ $got == "reorder report " ]] || fail "commands for 're': [$got]"
got=$(complete_line report --with)
[[ $got == "--with-flexible-array " ]] || fail "report options for '--with': [$got]"
got=$(complete_line report --exp)
[[ $got == "--expand-types " ]] || fail "report options for '--exp': [$got]"
got=$(complete_line reorder --ex)
[[ $got == "--exclude --explain " ]] || fail "reorder options for '--ex': [$got]"
got=$(complete_line --v)
[[ $got == "--version " ]] || fail "global options for '--v': [$got]"
got=$(complete_line report c.o -C al)
[[ $got == "alpha alps " ]] || fail "struct names after -C: [$got]"
got=$(complete_line report c.o --contains b)
[[ $got == "beta " ]] || fail "struct names after --contains: [$got]"
got=$(complete_line help ch)
[[ $got == "check " ]] || fail "help COMMAND: [$got]"
# --format values come from the command itself; bash splits "--format=m" at '='.
got=$(complete_line check --format = m)
[[ $got == "markdown " ]] || fail "check --format=m: [$got]"
got=$(complete_line diff --format =)
[[ $got == "html json markdown text " ]] || fail "diff --format=: [$got]"
got=$(complete_line report --format "")
[[ $got == "html json markdown svg text " ]] || fail "report --format: [$got]"
got=$(complete_line reorder c.o --format = "")
[[ $got == "html json markdown text " ]] || fail "reorder --format=: [$got]"
got=$(complete_line report c.)
[[ $got == "c.c c.o " ]] || fail "files: [$got]"
if command -v zsh >/dev/null; then
	zsh -n "$src/scripts/completion/_structfit" || fail "zsh completion does not parse"
fi
if command -v cmake >/dev/null && [[ -f $build/cmake_install.cmake ]]; then
	cmake --install "$build" --prefix "$tmp/prefix" >/dev/null || fail "cmake --install failed"
	[[ -f $tmp/prefix/share/bash-completion/completions/structfit ]] || fail "bash completion not installed"
	[[ -f $tmp/prefix/share/zsh/site-functions/_structfit ]] || fail "zsh completion not installed"
fi

if ((failures)); then
	echo "$failures failure(s)" >&2
	exit 1
fi
echo "PASS"
