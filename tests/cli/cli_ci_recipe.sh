#!/usr/bin/env bash
# Runs the CI recipe locally: the GitHub Action's script
# (scripts/ci/structfit-check.sh) with its inputs as environment variables,
# on a baseline that holds and one that drifts (exit codes, SARIF log,
# Markdown step summary), checks that action.yml passes those inputs to it,
# and runs the pre-commit hook's entry as pre-commit would.
# Usage: cli_ci_recipe.sh [STRUCTFIT [SOURCE_DIR]]  (default: $STRUCTFIT_BIN, $STRUCTFIT_SOURCE_DIR)
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
set -uo pipefail

bin=${1:-${STRUCTFIT_BIN:-}}
src=${2:-${STRUCTFIT_SOURCE_DIR:-}}
[[ -n $bin && -n $src ]] || { echo "usage: cli_ci_recipe.sh STRUCTFIT SOURCE_DIR" >&2; exit 2; }
[[ $bin == /* ]] || bin="$PWD/$bin"
[[ $src == /* ]] || src="$PWD/$src"
cc=${CC:-gcc}
command -v "$cc" >/dev/null || { echo "SKIP: no $cc"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 2
failures=0
fail() {
	echo "FAIL: $*" >&2
	failures=$((failures + 1))
}
script=$src/scripts/ci/structfit-check.sh

printf 'struct msg { long id; int len; char kind; };\nstruct msg m;\n' >old.c
printf 'struct msg { char kind; long id; int len; };\nstruct msg m;\n' >new.c
"$cc" -g -c old.c -o old.o && "$cc" -g -c new.c -o new.o || { echo "FAIL: $cc" >&2; exit 1; }
"$bin" snapshot -o baseline.json old.o || fail "snapshot exits $?"

# A baseline that holds: exit 0, SARIF written, summary says passed and has the table.
STRUCTFIT=$bin INPUT_FILES=old.o INPUT_BASELINE=baseline.json INPUT_SARIF=ok.sarif \
	GITHUB_STEP_SUMMARY=$tmp/summary-ok.md bash "$script" >out.txt 2>&1
rc=$?
[[ $rc == 0 ]] || fail "holding baseline: exit $rc: $(cat out.txt)"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["version"] == "2.1.0"' ok.sarif 2>/dev/null ||
	fail "ok.sarif is not a SARIF 2.1.0 log"
grep -q '^\*\*structfit check: passed\*\*, 1 struct checked against the baseline `baseline.json`$' summary-ok.md ||
	fail "summary does not say passed: $(cat summary-ok.md)"
grep -q '^| `struct msg` | 16 |' summary-ok.md || fail "summary lacks the table row: $(cat summary-ok.md)"

# A layout that drifts: exit 1, results in the SARIF log, summary says failed.
STRUCTFIT=$bin INPUT_FILES=new.o INPUT_BASELINE=baseline.json INPUT_SARIF=bad.sarif \
	GITHUB_STEP_SUMMARY=$tmp/summary-bad.md bash "$script" >out.txt 2>&1
rc=$?
[[ $rc == 1 ]] || fail "drifting layout: exit $rc, want 1: $(cat out.txt)"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["runs"][0]["results"]' bad.sarif 2>/dev/null ||
	fail "bad.sarif has no results"
grep -q '^\*\*structfit check: failed\*\*, 6 violations of the layout baseline `baseline.json`$' summary-bad.md ||
	fail "summary does not say failed: $(cat summary-bad.md)"
# The verdict and the findings come from check --format=markdown, not from its text in a code block.
grep -qF '| **error** | `struct msg` | struct-grew | 16 → 24 |  | size grew from 16 to 24 bytes (+8) | new.c:1 |' summary-bad.md ||
	fail "summary lacks check's Markdown findings table: $(cat summary-bad.md)"
grep -q '^```' summary-bad.md && fail "summary still holds check's text in a code block"
grep -q '^| `struct msg` | 24 |' summary-bad.md || fail "summary lacks the report table: $(cat summary-bad.md)"
# An input error has no verdict: the summary says so with check's messages.
STRUCTFIT=$bin INPUT_FILES=missing.o INPUT_SARIF=err.sarif GITHUB_STEP_SUMMARY=$tmp/summary-err.md \
	INPUT_ARGS=--max-padding=0 bash "$script" >out.txt 2>&1
rc=$?
[[ $rc == 3 ]] || fail "missing input: exit $rc, want 3"
grep -q '^\*\*structfit check: error\*\* (exit 3)$' summary-err.md || fail "error summary: $(cat summary-err.md)"
# Budgets through INPUT_ARGS, no baseline.
STRUCTFIT=$bin INPUT_FILES=new.o INPUT_ARGS=--max-padding=0 bash "$script" >out.txt 2>&1
[[ $? == 1 ]] || fail "--max-padding=0 through INPUT_ARGS does not fail: $(cat out.txt)"
STRUCTFIT=$bin INPUT_FILES= bash "$script" >/dev/null 2>&1
[[ $? == 2 ]] || fail "no INPUT_FILES is not a usage error"

# action.yml runs that script with those inputs.
for word in 'scripts/ci/structfit-check.sh' 'INPUT_FILES: ${{ inputs.files }}' \
	'INPUT_BASELINE: ${{ inputs.baseline }}' 'upload-sarif' 'using: composite'; do
	grep -qF "$word" "$src/action.yml" || fail "action.yml lacks $word"
done
# The pre-commit hook: its entry with the user's args, no file names.
entry=$(sed -n 's/^  entry: //p' "$src/.pre-commit-hooks.yaml")
[[ $entry == "structfit check" ]] || fail "pre-commit entry is '$entry'"
"$bin" ${entry#structfit } --baseline=baseline.json old.o >/dev/null || fail "pre-commit entry fails on a holding baseline"
"$bin" ${entry#structfit } --baseline=baseline.json new.o >/dev/null 2>&1 && fail "pre-commit entry passes a drift"

if ((failures)); then
	echo "$failures failure(s)" >&2
	exit 1
fi
echo "PASS"
