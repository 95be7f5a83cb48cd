#!/usr/bin/env bash
# Checks the command-line surface of structfit: help, version, usage errors
# and the exit codes of unreadable inputs.
# Usage: cli_surface.sh [STRUCTFIT]  (default: $STRUCTFIT_BIN)
# ctest runs this with `sh`; the checks below need bash.
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
set -euo pipefail

bin=${1:-${STRUCTFIT_BIN:-}}
if [[ -z $bin ]]; then
	echo "usage: cli_surface.sh PATH_TO_STRUCTFIT (or set STRUCTFIT_BIN)" >&2
	exit 2
fi
if [[ ! -x $bin ]]; then
	echo "FAIL: structfit binary not found at $bin" >&2
	exit 1
fi
[[ $bin == /* ]] || bin="$PWD/$bin"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"

failures=0
fail() {
	echo "FAIL: $*" >&2
	failures=$((failures + 1))
}

# run EXPECTED_CODE ARGS...: runs structfit, keeps stdout/stderr in out/err.
run() {
	local expected=$1 code=0
	shift
	"$bin" "$@" >out 2>err </dev/null || code=$?
	if [[ $code != "$expected" ]]; then
		fail "structfit $* exited $code, expected $expected; stderr: $(head -c 300 err)"
		return 1
	fi
}

# expect FILE PATTERN WHAT: FILE must contain the extended regex PATTERN.
expect() {
	grep -Eq -- "$2" "$1" || fail "$3: '$2' not in $1: $(head -c 300 "$1")"
}

run 0 --help && {
	expect out '^Usage: structfit <command>' "--help"
	expect out '^  report ' "--help lists report"
	expect out '^  help ' "--help lists help"
	expect out '^Exit status' "--help documents exit codes"
	[[ ! -s err ]] || fail "--help wrote to stderr"
}
run 0 -h && expect out '^Usage: structfit' "-h"
run 0 --version && {
	[[ $(head -n 1 out) == "structfit 0.1.0" ]] || fail "--version first line: $(head -n 1 out)"
	expect out '^libstructfit [0-9]' "--version names the library version"
}
run 0 help report && {
	expect out '^Usage: structfit report' "help report"
	expect out -- '--struct=NAME' "help report lists --struct"
	expect out -- '--format=FMT' "help report lists --format"
	# The exit-code table lives in structfit --help and the man page only.
	expect out "the table is in 'structfit --help' and structfit\\(1\\) EXIT STATUS" "help report points to the exit codes"
	! grep -q '^  7  out of memory' out || fail "help report repeats the exit-code table"
}
if run 0 report --help; then
	"$bin" help report >help_report 2>&1 || true
	cmp -s out help_report || fail "report --help differs from help report"
fi

run 2 && expect err 'no command' "no arguments"
run 2 bogus && expect err "unknown command 'bogus'" "unknown command"
run 2 --x && expect err "^structfit: unknown option '--x' \(see structfit --help\)$" "unknown global option"
run 2 report --x a.o && expect err "^structfit: unknown option '--x' \(see structfit report --help\)$" "unknown option"
run 2 report -Z a.o && expect err "unknown option '-Z'" "unknown short option"
run 2 report --struct && expect err "requires an argument" "missing option argument"
run 2 report --summary=1 a.o && expect err "does not take an argument" "argument to a flag"
run 2 report --sort=bogus a.o && expect err "invalid value 'bogus' for --sort" "bad --sort"
run 2 report --format=xml a.o && expect err "invalid value 'xml' for --format" "bad --format"
run 2 report --color=sometimes a.o
run 2 report --holes=-1 a.o
run 2 report --cacheline=48 a.o
# Without FILE, report reads the running kernel's BTF when there is one
# (btf_cli checks that); fix never does.
run 2 fix && expect err 'no input files' "fix without files"
if [ ! -r /sys/kernel/btf/vmlinux ]; then
	run 2 report && expect err 'no input files' "report without files"
fi
run 2 help bogus

run 3 report "$tmp/missing.o" && expect err "^structfit: .*missing\.o" "missing file is named"
mkdir dir
run 3 report dir && expect err "^structfit: dir: " "directory is named"
printf 'this is not an ELF file\n' >garbage.o
run 4 report garbage.o && expect err "^structfit: .*garbage\.o" "garbage file is named"
# The highest code wins; nothing is printed when no input loaded.
run 4 report missing.o garbage.o
[[ ! -s out ]] || fail "output printed although no input loaded"

if ((failures)); then
	echo "cli_surface: $failures failure(s)" >&2
	exit 1
fi
echo "cli_surface: ok"
