#!/usr/bin/env bash
# Every option in the code's option tables appears in some command's
# --help and in the man page; every option each `structfit help CMD`
# lists is in the man page; every command has its entry there.
# Usage: cli_docs_coverage.sh [STRUCTFIT [SOURCE_DIR]]
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
set -uo pipefail

bin=${1:-${STRUCTFIT_BIN:-}}
src=${2:-${STRUCTFIT_SOURCE_DIR:-}}
[[ -n $bin && -n $src ]] || { echo "usage: cli_docs_coverage.sh STRUCTFIT SOURCE_DIR" >&2; exit 2; }
man=$src/docs/structfit.1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() {
	echo "FAIL: $*" >&2
	failures=$((failures + 1))
}
# The man page without roff escapes ("\-\-hex" -> "--hex").
sed 's/\\//g' "$man" >"$tmp/man.txt"
in_man() { grep -qE -- "--$1([^a-z-]|\$)" "$tmp/man.txt"; }
options_of() { sed -n 's/^ *\(-[A-Za-z], \)\{0,1\}--\([a-z][a-z-]*\).*/\2/p'; }

commands=$("$bin" --help | sed -n '/^Commands:/,/^$/s/^  \([a-z]\+\) .*/\1/p')
[[ -n $commands ]] || fail "no commands in structfit --help"
"$bin" --help | options_of >"$tmp/help-options.txt"
for cmd in $commands; do
	grep -qE "^\.B(R)? $cmd( |\$)" "$man" || fail "man page: no entry for command $cmd"
	"$bin" help "$cmd" >"$tmp/help.txt" || fail "help $cmd exits $?"
	"$bin" "$cmd" --help | cmp -s - "$tmp/help.txt" || fail "help $cmd differs from $cmd --help"
	grep -q "^Options:" "$tmp/help.txt" || fail "help $cmd shows no options"
	options_of <"$tmp/help.txt" >>"$tmp/help-options.txt"
	for o in $(options_of <"$tmp/help.txt"); do
		in_man "$o" || fail "man page lacks $cmd --$o"
	done
done
# Rows of the option tables in the sources: { "long-name", KEY, ...
code_options=$(grep -ho '{ "[a-z][a-z-]*", [A-Z_0-9'"'"']' "$src"/src/cli/*.c "$src"/src/cli/*.h |
	sed 's/{ "\([a-z-]*\)".*/\1/' | sort -u)
[[ -n $code_options ]] || fail "no option rows found in src/cli"
for o in $code_options; do
	grep -qx -- "$o" "$tmp/help-options.txt" || fail "--$o is in the code but in no --help"
	in_man "$o" || fail "--$o is in the code but not in the man page"
done

if ((failures)); then
	echo "$failures failure(s)" >&2
	exit 1
fi
echo "PASS ($(echo "$code_options" | wc -l) options, $(echo $commands | wc -w) commands)"
