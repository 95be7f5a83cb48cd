#!/bin/sh
# `structfit snapshot`, `check` and `diff` on variants of fixtures/gate_rules.c:
# the exit code and the message of every rule and budget, all three formats.
set -u

: "${STRUCTFIT_BIN:?}" "${STRUCTFIT_SOURCE_DIR:?}" "${STRUCTFIT_SCRATCH_DIR:?}"
cc=${CC:-cc}
command -v "$cc" >/dev/null 2>&1 || { echo "SKIP: no C compiler"; exit 77; }
src=$STRUCTFIT_SOURCE_DIR/fixtures/gate_rules.c
w=$STRUCTFIT_SCRATCH_DIR
sf=$STRUCTFIT_BIN
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

build() { # NAME [DEFINES...]
	name=$1
	shift
	$cc -g -c "$src" "$@" -o "$w/$name.o" || { echo "FAIL: compiling $name"; exit 1; }
}

# run EXPECTED_EXIT OUTFILE ARGS...: runs structfit, keeps stdout+stderr.
run() {
	want=$1
	out=$2
	shift 2
	"$sf" "$@" >"$out" 2>&1
	got=$?
	[ "$got" -eq "$want" ] || { fail "structfit $* exited $got, expected $want"; cat "$out"; }
}

expect() { # FILE TEXT
	grep -qF -- "$2" "$1" || { fail "$1 lacks: $2"; sed 's/^/    /' "$1"; }
}

build ref
for v in GROW MOVE REMOVE RETYPE SHRINK DROP NEW_STRUCT; do
	build "v_$v" -DGATE_$v
done
run 0 "$w/snap.log" snapshot -C 'gate_*' -o "$w/base.json" "$w/ref.o"
python3 -c "import json,sys; json.load(open(sys.argv[1]))" "$w/base.json" || fail "baseline is not JSON"
# Stable: the same build gives the same bytes.
"$sf" snapshot -C 'gate_*' "$w/ref.o" | cmp -s - "$w/base.json" || fail "snapshot is not reproducible"
# Sorted by kind and name.
grep -o '"name": "gate_[a-z]*", "typedef_name"' "$w/base.json" | sort -c 2>/dev/null || fail "baseline not sorted"

run 0 "$w/same.txt" check --baseline "$w/base.json" -C 'gate_*' "$w/ref.o"
expect "$w/same.txt" "structfit check: passed"

line() { grep -n "^struct $1 {" "$src" | cut -d: -f1; }

run 1 "$w/grow.txt" check --baseline "$w/base.json" -C 'gate_*' "$w/v_GROW.o"
expect "$w/grow.txt" "gate_rules.c:$(line gate_grow): error: struct gate_grow: size grew from 16 to 24 bytes (+8) [struct-grew]"
expect "$w/grow.txt" "struct gate_grow: member 'c' (long long int) added at offset 16 [member-added]"
expect "$w/grow.txt" "structfit check: FAILED"
run 1 "$w/move.txt" check --baseline "$w/base.json" -C 'gate_*' "$w/v_MOVE.o"
expect "$w/move.txt" "struct gate_move: member 'a' moved from offset 0 to 4 [member-moved]"
run 1 "$w/remove.txt" check --baseline "$w/base.json" -C 'gate_*' "$w/v_REMOVE.o"
expect "$w/remove.txt" "struct gate_remove: member 'b' (int) removed, was at offset 4 [member-removed]"
expect "$w/remove.txt" "struct gate_remove: holes grew from 0 to 4 bytes [holes-grew]"
run 1 "$w/retype.txt" check --baseline "$w/base.json" -C 'gate_*' "$w/v_RETYPE.o"
expect "$w/retype.txt" "struct gate_retype: member 'b' changed from 'int' (4 bytes) to 'short int' (2 bytes) [member-retyped]"
expect "$w/retype.txt" "struct gate_retype: tail padding grew from 0 to 2 bytes [padding-grew]"
# (dropping the member that made it shrink is itself a violation)
run 1 "$w/shrink.txt" check --baseline "$w/base.json" -C 'gate_*' "$w/v_SHRINK.o"
expect "$w/shrink.txt" "note: struct gate_shrink: size shrank from 24 to 16 bytes (-8) [struct-shrank]"
run 1 "$w/drop.txt" check --baseline "$w/base.json" -C 'gate_*' "$w/v_DROP.o"
expect "$w/drop.txt" "error: struct gate_gone: is in the baseline (4 bytes) but not in the build [struct-removed]"
run 0 "$w/new.txt" check --baseline "$w/base.json" -C 'gate_*' "$w/v_NEW_STRUCT.o"
expect "$w/new.txt" "note: struct gate_new: is not in the baseline (16 bytes); not checked [struct-added]"
run 1 "$w/newholes.txt" check --baseline "$w/base.json" -C 'gate_*' --no-new-holes "$w/v_NEW_STRUCT.o"
expect "$w/newholes.txt" "error: struct gate_new: new 7-byte hole at offset 1 [new-hole]"

# Budgets on the unchanged build.
run 1 "$w/pad.txt" check --baseline "$w/base.json" -C 'gate_*' --max-padding=8 "$w/ref.o"
expect "$w/pad.txt" "struct gate_big: pads 11 bytes (holes + tail padding), over the --max-padding budget of 8 [max-padding]"
run 1 "$w/size.txt" check --baseline "$w/base.json" -C 'gate_*' --max-size=gate_big=100 "$w/ref.o"
expect "$w/size.txt" "struct gate_big: size 120 bytes exceeds the --max-size budget of 100 [max-size]"
run 0 "$w/size_ok.txt" check --baseline "$w/base.json" -C 'gate_*' --max-size=gate_big=120 "$w/ref.o"
run 1 "$w/lines.txt" check --baseline "$w/base.json" -C 'gate_*' --max-cachelines=gate_big=1 "$w/ref.o"
expect "$w/lines.txt" "struct gate_big: spans 2 cache lines of 64 bytes, over the --max-cachelines budget of 1 [max-cachelines]"
run 1 "$w/typo.txt" check --baseline "$w/base.json" -C 'gate_*' --max-size=gate_bgi=10 "$w/ref.o"
expect "$w/typo.txt" "--max-size budget 'gate_bgi' matches no struct in the build [budget-unmatched]"

# Usage and input errors keep their own codes.
run 2 "$w/u1.txt" check -C 'gate_*' "$w/ref.o"
expect "$w/u1.txt" "--baseline=FILE is required"
run 2 "$w/u2.txt" check --baseline "$w/base.json" --max-size=nolimit "$w/ref.o"
run 2 "$w/u3.txt" check --baseline "$w/base.json" --format=xml "$w/ref.o"
run 3 "$w/u4.txt" check --baseline "$w/missing.json" "$w/ref.o"
printf '{"tool": "structfit", "structs": [{"kind": "struct", "name": "x", "size": -1}]}' >"$w/bad.json"
run 4 "$w/u5.txt" check --baseline "$w/bad.json" "$w/ref.o"
expect "$w/u5.txt" "bad.json:1:"
expect "$w/u5.txt" "struct 'x': 'size' must be a non-negative integer"
printf '{"tool": "structfit",\n "structs": [\n  {"kind": "struct" "name": "x"}]}' >"$w/bad2.json"
run 4 "$w/u6.txt" check --baseline "$w/bad2.json" "$w/ref.o"
expect "$w/u6.txt" "bad2.json:3:21: unexpected character where ',' or '}' was expected"
run 3 "$w/u7.txt" check --baseline "$w/base.json" "$w/nothere.o"

# JSON and SARIF.
run 1 "$w/grow.json" check --baseline "$w/base.json" -C 'gate_*' --format=json "$w/v_GROW.o"
python3 - "$w/grow.json" <<'PY' || fail "check --format=json content"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["document"] == "check" and d["violations"] == 3, d
f = [x for x in d["findings"] if x["rule"] == "struct-grew"][0]
assert f["name"] == "gate_grow" and f["old"] == 16 and f["new"] == 24 and f["level"] == "error", f
assert f["decl_file"].endswith("gate_rules.c") and f["decl_line"] > 0, f
PY
for v in GROW MOVE REMOVE RETYPE; do
	run 1 "$w/$v.sarif" check --baseline "$w/base.json" -C 'gate_*' --format=sarif \
		--source-root "$STRUCTFIT_SOURCE_DIR" "$w/v_$v.o"
done
python3 "$STRUCTFIT_SOURCE_DIR/tests/gate_sarif_check.py" "$w/GROW.sarif" struct-grew member-added || fail "SARIF (grow)"
python3 "$STRUCTFIT_SOURCE_DIR/tests/gate_sarif_check.py" "$w/MOVE.sarif" member-moved || fail "SARIF (move)"
python3 "$STRUCTFIT_SOURCE_DIR/tests/gate_sarif_check.py" "$w/REMOVE.sarif" member-removed holes-grew || fail "SARIF (remove)"
python3 "$STRUCTFIT_SOURCE_DIR/tests/gate_sarif_check.py" "$w/RETYPE.sarif" member-retyped padding-grew || fail "SARIF (retype)"
expect "$w/GROW.sarif" '"uri": "fixtures/gate_rules.c"'
expect "$w/GROW.sarif" "\"startLine\": $(line gate_grow)"
run 0 "$w/empty.sarif" check --baseline "$w/base.json" -C 'gate_*' --format=sarif "$w/ref.o"
python3 "$STRUCTFIT_SOURCE_DIR/tests/gate_sarif_check.py" "$w/empty.sarif" || fail "SARIF (no results)"

# diff: 0 without changes, 1 with; ELF and baseline inputs alike.
run 0 "$w/d0.txt" diff -C 'gate_*' "$w/ref.o" "$w/base.json"
expect "$w/d0.txt" "no layout changes"
run 1 "$w/d1.txt" diff -C 'gate_*' "$w/base.json" "$w/v_GROW.o"
expect "$w/d1.txt" "struct gate_grow ("
expect "$w/d1.txt" "  size grew from 16 to 24 bytes (+8)"
run 1 "$w/d2.txt" diff -C 'gate_*' "$w/ref.o" "$w/v_MOVE.o"
expect "$w/d2.txt" "  member 'a' moved from offset 0 to 4"
expect "$w/d2.txt" "  member 'b' moved from offset 4 to 0"
run 1 "$w/d3.txt" diff -C 'gate_*' "$w/ref.o" "$w/v_DROP.o"
expect "$w/d3.txt" "  removed (was 4 bytes)"
run 1 "$w/d4.txt" diff -C 'gate_*' "$w/ref.o" "$w/v_NEW_STRUCT.o"
expect "$w/d4.txt" "  added (16 bytes)"
run 1 "$w/d5.json" diff -C 'gate_*' --format=json "$w/ref.o" "$w/v_REMOVE.o"
python3 - "$w/d5.json" <<'PY' || fail "diff --format=json content"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["document"] == "diff", d
rules = {f["rule"] for f in d["findings"]}
assert {"member-removed", "holes-grew"} <= rules, rules
PY
run 2 "$w/d6.txt" diff "$w/ref.o"

[ "$failures" -eq 0 ] && echo "gate commands: all checks passed"
[ "$failures" -eq 0 ]
