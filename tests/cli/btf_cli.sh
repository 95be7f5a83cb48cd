#!/bin/sh
# BTF on the command line (issue 15): the running kernel's BTF without
# FILE, --format-in choices and errors, fix refusing BTF, a module's split
# BTF under /sys/kernel/btf when the machine has one.
set -u

bin=${STRUCTFIT_BIN:?set STRUCTFIT_BIN}
status=0
fail() { echo "FAIL: $*"; status=1; }
tmp=$(mktemp -d "${STRUCTFIT_SCRATCH_DIR:-${TMPDIR:-/tmp}}/btfcli.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

expect() { # CODE DESCRIPTION COMMAND...: runs COMMAND, checks its exit code
	want=$1
	what=$2
	shift 2
	"$@" >"$tmp/out" 2>"$tmp/err"
	got=$?
	[ "$got" -eq "$want" ] || fail "$what: exit $got, expected $want ($(head -c 300 "$tmp/err"))"
}

cat >"$tmp/t.c" <<'C'
struct pair { char c; long l; int i; } g_pair;
C
gcc -g -O0 -c "$tmp/t.c" -o "$tmp/t.o" || { echo "SKIP: gcc cannot compile"; exit 77; }
objcopy --remove-section .BTF "$tmp/t.o" 2>/dev/null
if command -v pahole >/dev/null 2>&1 && pahole --btf_encode_detached="$tmp/t.btf" "$tmp/t.o" >/dev/null 2>&1; then
	expect 0 "report of raw BTF" "$bin" report "$tmp/t.btf"
	grep -q "struct pair {" "$tmp/out" || fail "report of raw BTF lacks struct pair"
	expect 0 "--format-in=btf on raw BTF" "$bin" report --format-in=btf "$tmp/t.btf"
	expect 4 "--format-in=dwarf on raw BTF" "$bin" report --format-in=dwarf "$tmp/t.btf"
	expect 6 "fix on BTF" "$bin" fix --diff "$tmp/t.btf"
	grep -q "fix cannot work from BTF" "$tmp/err" || fail "fix on BTF does not say why: $(cat "$tmp/err")"
	expect 0 "assert on BTF" "$bin" assert "$tmp/t.btf"
else
	fail "pahole --btf_encode_detached failed (pahole is a test dependency: Debian dwarves)"
fi
expect 5 "--format-in=btf on an object without .BTF" "$bin" report --format-in=btf "$tmp/t.o"
grep -q "no .BTF section" "$tmp/err" || fail "no .BTF: unclear message: $(cat "$tmp/err")"
expect 2 "--format-in=xml" "$bin" report --format-in=xml "$tmp/t.o"
expect 0 "auto on an object with DWARF" "$bin" report "$tmp/t.o"

kernel=/sys/kernel/btf/vmlinux
if [ -r "$kernel" ]; then
	for cmd in report reorder; do
		expect 0 "$cmd without FILE" "$bin" $cmd -C task_struct
		[ "$(grep -c "running kernel's BTF" "$tmp/err")" -eq 1 ] ||
			fail "$cmd without FILE: expected one note on stderr, got: $(cat "$tmp/err")"
		grep -q "task_struct" "$tmp/out" || fail "$cmd without FILE: no task_struct"
	done
	module=$(ls /sys/kernel/btf | grep -v '^vmlinux$' | head -n 1)
	if [ -n "$module" ]; then
		expect 0 "split BTF of module $module" "$bin" report "/sys/kernel/btf/$module"
	else
		echo "note: no module BTF under /sys/kernel/btf; split BTF is covered by btf_agreement_split"
	fi
else
	echo "note: $kernel absent: the no-FILE default is not exercised here"
	expect 2 "report without FILE and without kernel BTF" "$bin" report
fi
expect 2 "check without FILE never reads the kernel's BTF" "$bin" check

[ $status -eq 0 ] && echo "btf_cli: ok"
exit $status
