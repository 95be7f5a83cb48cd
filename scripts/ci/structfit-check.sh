#!/usr/bin/env bash
# The GitHub Action's step (action.yml), runnable anywhere: runs
# `structfit check` on the inputs, writes its SARIF log for code scanning,
# and appends a Markdown summary (check --format=markdown: the verdict and
# a table of the findings; then the report's summary table of the structs
# wasting most) to $GITHUB_STEP_SUMMARY when that is set.
# Inputs are environment variables, as GitHub passes them:
#   INPUT_FILES      ELF files to check, separated by spaces (required)
#   INPUT_BASELINE   baseline from `structfit snapshot` (optional)
#   INPUT_SARIF      SARIF file to write (default structfit.sarif)
#   INPUT_ARGS       more options for check (budgets, -C, -x...)
#   STRUCTFIT        the binary (default: structfit in PATH)
# Exits with check's status: 0 ok, 1 findings, 2 usage, 3+ input errors.
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
set -uo pipefail

bin=${STRUCTFIT:-structfit}
sarif=${INPUT_SARIF:-structfit.sarif}
read -r -a files <<<"${INPUT_FILES:-}"
read -r -a extra <<<"${INPUT_ARGS:-}"
if ((${#files[@]} == 0)); then
	echo "structfit-check: INPUT_FILES names no file" >&2
	exit 2
fi
baseline=()
[[ -n ${INPUT_BASELINE:-} ]] && baseline=(--baseline="$INPUT_BASELINE")

# SARIF for code scanning, then the same verdict as text for the log and summary.
"$bin" check "${baseline[@]}" "${extra[@]}" --format=sarif -o "$sarif" "${files[@]}"
status=$?
text=$("$bin" check "${baseline[@]}" "${extra[@]}" "${files[@]}" 2>&1)
printf '%s\n' "$text"
if [[ -n ${GITHUB_STEP_SUMMARY:-} ]]; then
	{
		echo "## structfit check"
		echo
		if ((status < 2)); then
			"$bin" check "${baseline[@]}" "${extra[@]}" --format=markdown "${files[@]}" 2>/dev/null
		else
			# No verdict to render: the error messages as check printed them.
			echo "**structfit check: error** (exit $status)"
			echo
			echo '```'
			printf '%s\n' "$text"
			echo '```'
		fi
		echo
		echo "### Structs wasting the most bytes"
		echo
		"$bin" report --format=markdown --sort=waste --top=20 "${files[@]}" 2>/dev/null
	} >>"$GITHUB_STEP_SUMMARY"
fi
exit "$status"
