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
expect_line() { # FILE LINE: a whole line, indentation included
	grep -qxF -- "$2" "$1" || { fail "$1 lacks the line: $2"; sed 's/^/    /' "$1"; }
}
count() { # FILE TEXT EXPECTED: lines holding TEXT
	n=$(grep -cF -- "$2" "$1")
	[ "$n" -eq "$3" ] || { fail "$1: $n lines hold '$2', expected $3"; sed 's/^/    /' "$1"; }
}

build ref
for v in GROW MOVE REMOVE RETYPE SHRINK DROP NEW_STRUCT INSERT; do
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
# The struct's other findings are indented under its first violation.
expect_line "$w/grow.txt" "    member 'c' (long long int) added at offset 16 [member-added]"
expect "$w/grow.txt" "structfit check: FAILED"
run 1 "$w/move.txt" check --baseline "$w/base.json" -C 'gate_*' "$w/v_MOVE.o"
expect "$w/move.txt" "struct gate_move: member 'a' moved from offset 0 to 4 [member-moved]"
run 1 "$w/remove.txt" check --baseline "$w/base.json" -C 'gate_*' "$w/v_REMOVE.o"
expect "$w/remove.txt" "struct gate_remove: member 'b' (int) removed, was at offset 4 [member-removed]"
expect_line "$w/remove.txt" "    holes grew from 0 to 4 bytes [holes-grew]"
run 1 "$w/retype.txt" check --baseline "$w/base.json" -C 'gate_*' "$w/v_RETYPE.o"
expect "$w/retype.txt" "struct gate_retype: member 'b' changed from 'int' (4 bytes) to 'short int' (2 bytes) [member-retyped]"
expect_line "$w/retype.txt" "    tail padding grew from 0 to 2 bytes [padding-grew]"
# (dropping the member that made it shrink is itself a violation)
run 1 "$w/shrink.txt" check --baseline "$w/base.json" -C 'gate_*' "$w/v_SHRINK.o"
expect "$w/shrink.txt" "error: struct gate_shrink: member 'pad' (char[8]) removed, was at offset 9 [member-removed]"
expect_line "$w/shrink.txt" "    note: size shrank from 24 to 16 bytes (-8) [struct-shrank]"
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
expect "$w/u1.txt" "--baseline=FILE or a budget (--max-padding, --max-size, --max-cachelines, --no-new-holes) is required"
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

# Text output: one block per struct; one inserted member is one line for its 14 moves.
run 1 "$w/insert.txt" check --baseline "$w/base.json" -C 'gate_*' "$w/v_INSERT.o"
expect "$w/insert.txt" "gate_rules.c:$(line gate_insert): error: struct gate_insert: size grew from 60 to 64 bytes (+4) [struct-grew]"
expect_line "$w/insert.txt" "    14 members moved by +4 bytes: 'm1', 'm2', 'm3' and 11 more [member-moved]"
expect_line "$w/insert.txt" "    member 'x' (int) added at offset 4 [member-added]"
count "$w/insert.txt" "[member-moved]" 1
count "$w/insert.txt" "gate_insert" 1
# Budget findings join their struct's block although they are computed last.
run 1 "$w/insert_pad.txt" check --baseline "$w/base.json" -C 'gate_*' --max-size='gate_*=60' "$w/v_INSERT.o"
count "$w/insert_pad.txt" "gate_insert" 1
expect_line "$w/insert_pad.txt" "    size 64 bytes exceeds the --max-size budget of 60 [max-size]"
# JSON keeps one finding per moved member.
run 1 "$w/insert.json" check --baseline "$w/base.json" -C 'gate_*' --format=json "$w/v_INSERT.o"
python3 - "$w/insert.json" <<'PY' || fail "check --format=json keeps every move"
import json, sys
d = json.load(open(sys.argv[1]))
moved = [f for f in d["findings"] if f["rule"] == "member-moved"]
assert len(moved) == 14 and {f["new"] - f["old"] for f in moved} == {4}, moved
PY

# Budgets without a baseline check the build alone.
run 1 "$w/nb_pad.txt" check -C 'gate_*' --max-padding=8 "$w/ref.o"
expect "$w/nb_pad.txt" "error: struct gate_big: pads 11 bytes (holes + tail padding), over the --max-padding budget of 8 [max-padding]"
expect "$w/nb_pad.txt" "structfit check: FAILED, 1 violation of the layout budgets"
count "$w/nb_pad.txt" "struct-added" 0
run 0 "$w/nb_size.txt" check -C 'gate_*' --max-size=gate_big=120 --max-cachelines='gate_*=2' "$w/ref.o"
expect "$w/nb_size.txt" "structfit check: passed, 8 structs checked against the budgets"
run 1 "$w/nb_lines.txt" check -C 'gate_*' --max-cachelines=gate_big=1 "$w/ref.o"
expect "$w/nb_lines.txt" "struct gate_big: spans 2 cache lines of 64 bytes, over the --max-cachelines budget of 1 [max-cachelines]"
run 1 "$w/nb_holes.txt" check -C 'gate_*' --no-new-holes --format=json "$w/ref.o"
python3 - "$w/nb_holes.txt" <<'PY' || fail "check --no-new-holes without a baseline"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["violations"] == 1, d
assert [(f["rule"], f["name"]) for f in d["findings"]] == [("new-hole", "gate_big")], d
PY
run 1 "$w/nb_typo.txt" check -C 'gate_*' --max-size=gate_bgi=10 "$w/ref.o"
expect "$w/nb_typo.txt" "--max-size budget 'gate_bgi' matches no struct in the build [budget-unmatched]"

# A baseline of another target: one error, exit 2, no findings.
if command -v clang >/dev/null 2>&1; then
	host=$(python3 -c "import json,sys; f=json.load(open(sys.argv[1]))['files'][0]; print('%s (%d-byte pointers, %s-endian)' % (f['arch'], f['address_size'], f['byte_order']))" "$w/base.json")
	for t in "i386-linux-gnu:i386 (4-byte pointers, little-endian)" "s390x-linux-gnu:s390x (8-byte pointers, big-endian)"; do
		triple=${t%%:*}
		target_text=${t#*:}
		[ "$target_text" = "$host" ] && continue
		clang --target="$triple" -g -c "$src" -o "$w/$triple.o" 2>/dev/null || { fail "clang --target=$triple"; continue; }
		run 0 "$w/$triple.log" snapshot -C 'gate_*' -o "$w/$triple.json" "$w/$triple.o"
		run 2 "$w/$triple.txt" check --baseline "$w/$triple.json" -C 'gate_*' "$w/ref.o"
		expect_line "$w/$triple.txt" "structfit: $w/$triple.json: baseline is for $target_text, this build is $host"
		count "$w/$triple.txt" "[" 0
		# diff compares targets on purpose.
		run 1 "$w/$triple.diff" diff -C 'gate_*' "$w/$triple.json" "$w/ref.o"
	done
else
	echo "note: clang not found, target mismatch not tested"
fi

# Baselines travel between checkouts: declaration paths relative to the source root,
# definitions of one name paired by that relative path.
twin=$STRUCTFIT_SOURCE_DIR/fixtures/gate_twin.c
for co in co_a co_b; do
	mkdir -p "$w/$co/src" "$w/$co/build"
	cp "$twin" "$w/$co/src/one.c"
	cp "$twin" "$w/$co/src/two.c"
	(cd "$w/$co/build" && $cc -g -c ../src/one.c -o one.o && $cc -g -c -DTWIN_WIDE "$w/$co/src/two.c" -o two.o) ||
		fail "compiling the twins in $co"
done
(cd "$w/co_a" && "$sf" snapshot -C twin -o base.json build/one.o build/two.o) || fail "snapshot in co_a"
expect "$w/co_a/base.json" '"decl_file": "src/one.c"'
expect "$w/co_a/base.json" '"decl_file": "src/two.c"'
count "$w/co_a/base.json" "$w/co_a" 0
(cd "$w/co_b" && "$sf" snapshot -C twin build/one.o build/two.o) | cmp -s - "$w/co_a/base.json" ||
	fail "the baselines of two checkouts differ"
(cd "$w/co_b" && "$sf" check --baseline ../co_a/base.json -C twin build/one.o build/two.o) >"$w/co_same.txt" 2>&1 ||
	{ fail "checkout b fails the baseline of checkout a"; cat "$w/co_same.txt"; }
# Without one.c the other definition still pairs with its own file, not in order.
(cd "$w/co_b" && "$sf" check --baseline ../co_a/base.json -C twin build/two.o) >"$w/co_one.txt" 2>&1
[ $? -eq 1 ] || fail "check without one.o did not exit 1"
expect "$w/co_one.txt" "src/one.c:3: error: struct twin: is in the baseline (4 bytes) but not in the build [struct-removed]"
count "$w/co_one.txt" "[struct-grew]" 0
count "$w/co_one.txt" "error:" 1
run 1 "$w/co_root.txt" check --baseline "$w/co_a/base.json" --source-root "$w/co_b" -C twin "$w/co_b/build/two.o"
count "$w/co_root.txt" "[struct-grew]" 0
count "$w/co_root.txt" "error:" 1
run 3 "$w/co_noroot.txt" check --baseline "$w/co_a/base.json" --source-root "$w/nowhere" -C twin "$w/co_b/build/two.o"
expect "$w/co_noroot.txt" "nowhere: source root not usable"
run 3 "$w/co_fileroot.txt" snapshot --source-root "$twin" -C twin "$w/co_b/build/two.o"
expect "$w/co_fileroot.txt" "gate_twin.c: source root not usable: Not a directory"
# Baselines written with absolute paths still pair in the checkout they were made in.
(cd "$w/co_a" && "$sf" snapshot -C twin --source-root "$w/co_b" -o abs.json build/one.o build/two.o) || fail "snapshot abs.json"
expect "$w/co_a/abs.json" "\"decl_file\": \"$w/co_a/src/one.c\""
(cd "$w/co_a" && "$sf" check --baseline abs.json -C twin build/two.o) >"$w/co_abs.txt" 2>&1
expect "$w/co_abs.txt" "error: struct twin: is in the baseline (4 bytes) but not in the build [struct-removed]"
count "$w/co_abs.txt" "[struct-grew]" 0

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
python3 "$STRUCTFIT_SOURCE_DIR/tests/cli/gate_sarif_check.py" "$w/GROW.sarif" struct-grew member-added || fail "SARIF (grow)"
python3 "$STRUCTFIT_SOURCE_DIR/tests/cli/gate_sarif_check.py" "$w/MOVE.sarif" member-moved || fail "SARIF (move)"
python3 "$STRUCTFIT_SOURCE_DIR/tests/cli/gate_sarif_check.py" "$w/REMOVE.sarif" member-removed holes-grew || fail "SARIF (remove)"
python3 "$STRUCTFIT_SOURCE_DIR/tests/cli/gate_sarif_check.py" "$w/RETYPE.sarif" member-retyped padding-grew || fail "SARIF (retype)"
expect "$w/GROW.sarif" '"uri": "fixtures/gate_rules.c"'
expect "$w/GROW.sarif" "\"startLine\": $(line gate_grow)"
run 0 "$w/empty.sarif" check --baseline "$w/base.json" -C 'gate_*' --format=sarif "$w/ref.o"
python3 "$STRUCTFIT_SOURCE_DIR/tests/cli/gate_sarif_check.py" "$w/empty.sarif" || fail "SARIF (no results)"

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
