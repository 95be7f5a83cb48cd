#!/bin/sh
# Error paths of `structfit report`: bad inputs give the documented exit code and one stderr line, never a crash.
#
# Exit codes under test: 3 unreadable/missing/directory, 4 not ELF/corrupt,
# 5 no debug info.  Any exit >= 128 (a signal) fails.
set -u

bin=${STRUCTFIT_BIN:-}
src=${STRUCTFIT_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
scratch=${STRUCTFIT_SCRATCH_DIR:-$(mktemp -d)}
cc=${CC:-gcc}
fixture=$src/fixtures/basic.c
failures=0
cases=0

if [ -z "$bin" ] || [ ! -x "$bin" ]; then
	echo "FAIL: STRUCTFIT_BIN not set or not executable ('$bin')"
	exit 1
fi
if ! command -v "$cc" >/dev/null 2>&1; then
	echo "SKIP: no C compiler ($cc) to build test objects"
	exit 77
fi

fail() {
	echo "FAIL: $*"
	failures=$((failures + 1))
}

# run NAME ARGS...: runs the tool, leaving $status, $scratch/NAME.out, .err
run() {
	name=$1
	shift
	cases=$((cases + 1))
	"$bin" report "$@" >"$scratch/$name.out" 2>"$scratch/$name.err"
	status=$?
	if [ "$status" -ge 128 ]; then
		fail "$name: killed by signal $((status - 128)) (exit $status); stderr: $(head -c 300 "$scratch/$name.err")"
		return 1
	fi
	return 0
}

# expect_status NAME ALLOWED...: $status must be one of ALLOWED
expect_status() {
	name=$1
	shift
	for allowed in "$@"; do
		[ "$status" -eq "$allowed" ] && return 0
	done
	fail "$name: exit $status, expected $*; stderr: $(head -c 300 "$scratch/$name.err")"
	return 1
}

# expect_one_error_line NAME FILE: stderr is exactly "structfit: FILE: ..."
expect_one_error_line() {
	name=$1
	file=$2
	lines=$(wc -l <"$scratch/$name.err")
	if [ "$lines" -ne 1 ]; then
		fail "$name: expected one stderr line, got $lines:"
		sed 's/^/    /' "$scratch/$name.err" | head -5
		return 1
	fi
	case $(cat "$scratch/$name.err") in
	"structfit: $file: "?*) return 0 ;;
	*) fail "$name: stderr not 'structfit: $file: ...': $(cat "$scratch/$name.err")" ;;
	esac
	return 1
}

good=$scratch/good.o
if ! "$cc" -g -O0 -w -c "$fixture" -o "$good"; then
	echo "FAIL: cannot compile $fixture"
	exit 1
fi
size=$(wc -c <"$good")

# A good object works, as the baseline for everything below.
run good "$good" && expect_status good 0
grep -q 'holes' "$scratch/good.out" || fail "good: output lacks struct holes"

# Garbage: text, random bytes, an empty file.
printf 'this is not an ELF file\n' >"$scratch/garbage.txt"
run garbage "$scratch/garbage.txt" && expect_status garbage 4 &&
	expect_one_error_line garbage "$scratch/garbage.txt"
head -c 4096 /dev/urandom >"$scratch/random.bin" 2>/dev/null ||
	dd if=/dev/urandom of="$scratch/random.bin" bs=4096 count=1 2>/dev/null
run random "$scratch/random.bin" && expect_status random 4 &&
	expect_one_error_line random "$scratch/random.bin"
: >"$scratch/empty.o"
run empty "$scratch/empty.o" && expect_status empty 4 &&
	expect_one_error_line empty "$scratch/empty.o"

# ELF magic followed by nonsense.
printf '\177ELF\002\001\001\000garbagegarbagegarbagegarbagegarbage' >"$scratch/magic_only.o"
run magic_only "$scratch/magic_only.o" && expect_status magic_only 4 &&
	expect_one_error_line magic_only "$scratch/magic_only.o"

# Truncated copies of a real object at several points: corrupt (4), or no
# debug info (5) when the cut happens to leave a consistent ELF without DWARF.
for cut in 16 52 64 200 1000 $((size / 3)) $((size / 2)) $((size - 200)) $((size - 1)); do
	[ "$cut" -gt 0 ] && [ "$cut" -lt "$size" ] || continue
	t=$scratch/trunc_$cut.o
	head -c "$cut" "$good" >"$t"
	run "trunc_$cut" "$t" && expect_status "trunc_$cut" 4 5 &&
		expect_one_error_line "trunc_$cut" "$t"
done

# Stripped of debug info: exit 5 and a hint about -dbg packages.
if command -v strip >/dev/null 2>&1; then
	stripped=$scratch/stripped
	if "$cc" -g -O0 -w -o "$stripped" -x c - <<'EOF'
struct point { int x; long y; };
struct point origin;
int main(void) { return (int)origin.y; }
EOF
	then
		strip --strip-debug "$stripped"
		run stripped "$stripped" && expect_status stripped 5 &&
			expect_one_error_line stripped "$stripped" &&
			{ grep -q -- '-dbg' "$scratch/stripped.err" ||
				fail "stripped: message should mention -dbg packages: $(cat "$scratch/stripped.err")"; }
	else
		fail "cannot link a test executable with $cc"
	fi
else
	echo "note: strip not installed; stripped-binary case skipped"
fi

# An archive without members: a clean nonzero exit with a message.
if command -v ar >/dev/null 2>&1; then
	rm -f "$scratch/empty.a"
	printf '!<arch>\n' >"$scratch/empty.a"
	run empty_archive "$scratch/empty.a"
	if [ "$status" -lt 128 ]; then
		[ "$status" -ne 0 ] || fail "empty_archive: exit 0 for an archive without objects"
		lines=$(wc -l <"$scratch/empty_archive.err")
		[ "$lines" -eq 1 ] || fail "empty_archive: expected one stderr line, got $lines"
	fi
fi

# Directory and missing file: 3.
run directory "$scratch" && expect_status directory 3 && expect_one_error_line directory "$scratch"
run missing "$scratch/does-not-exist.o" && expect_status missing 3 &&
	expect_one_error_line missing "$scratch/does-not-exist.o"

# Unreadable file: 3 (root reads everything, so only as a normal user).
if [ "$(id -u)" -ne 0 ]; then
	cp "$good" "$scratch/unreadable.o"
	chmod 000 "$scratch/unreadable.o"
	run unreadable "$scratch/unreadable.o" && expect_status unreadable 3 &&
		expect_one_error_line unreadable "$scratch/unreadable.o"
	chmod 644 "$scratch/unreadable.o"
fi

# Several inputs, one bad: the good ones are still reported, the exit code
# is the bad one's and stderr has one line for it.
cp "$good" "$scratch/good2.o"
run mixed "$good" "$scratch/garbage.txt" "$scratch/good2.o"
if [ "$status" -lt 128 ]; then
	expect_status mixed 4 && expect_one_error_line mixed "$scratch/garbage.txt"
	grep -q 'holes' "$scratch/mixed.out" || fail "mixed: good inputs produced no report"
fi
run mixed_missing "$scratch/nope.o" "$good"
if [ "$status" -lt 128 ]; then
	expect_status mixed_missing 3 && expect_one_error_line mixed_missing "$scratch/nope.o"
	grep -q 'holes' "$scratch/mixed_missing.out" || fail "mixed_missing: good input produced no report"
fi
run mixed_json --format json "$scratch/garbage.txt" "$good"
if [ "$status" -lt 128 ]; then
	expect_status mixed_json 4
	if command -v python3 >/dev/null 2>&1; then
		python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$scratch/mixed_json.out" ||
			fail "mixed_json: stdout is not valid JSON"
	fi
fi

echo "$cases cases, $failures failures"
[ "$failures" -eq 0 ]
