#!/usr/bin/env bash
# Verdicts that cannot pass by mistake, and output files a failed run leaves
# alone: a -C that matches nothing is one message and exit 1 for every
# command; an empty baseline is refused; `assert` says what it skipped and
# exits 1 when it asserts nothing; structs of .c files are left out unless
# --include-local; the header compiles in C89/C99/C11, GNU90 and C++98/11
# under -pedantic -Werror and names the struct and figure when it fails;
# -x and `structfit: ignore` comments leave structs out of every command.
# Usage: cli_verdicts.sh [STRUCTFIT]  (default: $STRUCTFIT_BIN)
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
set -uo pipefail

bin=${1:-${STRUCTFIT_BIN:-}}
if [[ -z $bin ]]; then
	echo "usage: cli_verdicts.sh STRUCTFIT (or set STRUCTFIT_BIN)" >&2
	exit 2
fi
[[ $bin == /* ]] || bin="$PWD/$bin"
command -v gcc >/dev/null || { echo "SKIP: gcc not installed"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1

failures=0
fail() {
	echo "FAIL: $*" >&2
	failures=$((failures + 1))
}

# expect CODE ARGS...: runs structfit with stdout/stderr in out/err.
expect() {
	local want=$1 code=0
	shift
	"$bin" "$@" >out 2>err </dev/null || code=$?
	[[ $code == "$want" ]] || fail "structfit $* exited $code, expected $want: $(head -c 300 err)"
}

cat >conn.h <<'EOF'
#ifndef CONN_H
#define CONN_H
struct conn {
	int fd;
	char state;
	long bytes;
	union { int i; char c; } u;
};
#endif
EOF
printf '#include "conn.h"\nstruct conn g_conn;\nstruct local_only { char c; long l; } g_local;\n' >conn.c
gcc -g -c conn.c -o conn.o || { echo "FAIL: cannot compile the fixture" >&2; exit 1; }

# -C matching nothing: one line naming the pattern, exit 1, no verdict.
"$bin" snapshot -o base.json conn.o 2>/dev/null || fail "snapshot of conn.o failed"
for cmd in "report" "reorder" "snapshot" "assert" "fix" "check --baseline=base.json" "diff conn.o"; do
	# shellcheck disable=SC2086
	expect 1 $cmd -C 'zzz*' conn.o
	n=$(grep -c "no struct matches 'zzz\*'" err)
	[[ $n == 1 ]] || fail "$cmd -C zzz*: $n messages instead of one: $(cat err)"
	grep -qE 'passed|no layout changes' out err && fail "$cmd -C zzz*: prints a passing verdict"
done

# A failed run leaves an existing output file as it was.
for cmd in report reorder snapshot assert; do
	echo "keep me" >kept.txt
	expect 1 "$cmd" -C zzz -o kept.txt conn.o
	[[ $(cat kept.txt) == "keep me" ]] || fail "$cmd -C zzz -o: output file changed to '$(head -c 80 kept.txt)'"
done
expect 3 report -o kept.txt conn.o missing.o
[[ $(cat kept.txt) == "keep me" ]] || fail "report with a missing input replaced the output file"

# An empty baseline is refused, never passed.
python3 - <<'EOF' 2>/dev/null || sed 's/"structs": \[.*\]/"structs": []/' base.json >empty.json
import json
d = json.load(open("base.json")); d["structs"] = []; json.dump(d, open("empty.json", "w"))
EOF
expect 1 check --baseline=empty.json conn.o
grep -q "lists no structs" err || fail "empty baseline: no reason given: $(cat err)"
grep -q passed out err && fail "empty baseline: check says passed"

# assert: .c structs left out by default, counted on stderr; nothing left is exit 1.
expect 0 assert --align --offsets -o asserts.h conn.o
grep -q "local_only, .*conn.c:3: skipped, declared in a .c file" asserts.h || fail "struct of a .c file not skipped with a comment"
grep -q "1 struct skipped: declared in .c files" err || fail "skipped .c struct not counted on stderr: $(cat err)"
expect 1 assert -C local_only -o only_local.h conn.o
grep -q "nothing to assert" err || fail "assert of nothing does not say so: $(cat err)"
[[ -e only_local.h ]] && fail "assert of nothing wrote a header"
expect 0 assert --include-local -C local_only conn.o
grep -q "sizeof(struct local_only) == 16" out || fail "--include-local does not keep the .c struct"

# The header compiles in every dialect, pedantic and warning-free.
printf '#include "conn.h"\n#include "asserts.h"\nint main(void) { return 0; }\n' >use.c
for cc in gcc clang; do
	command -v $cc >/dev/null || continue
	for std in c89 gnu90 c99 c11 gnu17; do
		$cc -std=$std -pedantic -Wall -Wextra -Werror -fsyntax-only use.c 2>cc.err ||
			fail "$cc -std=$std: $(head -3 cc.err)"
	done
done
for cxx in g++ clang++; do
	command -v $cxx >/dev/null || continue
	for std in c++98 c++11 c++17; do
		$cxx -x c++ -std=$std -pedantic -Wall -Wextra -Werror -fsyntax-only use.c 2>cc.err ||
			fail "$cxx -std=$std: $(head -3 cc.err)"
	done
done

# A grown struct fails the build in C89 too, naming the struct and the figure.
sed -i 's/\tlong bytes;/\tlong bytes;\n\tlong added;/' conn.h
if gcc -std=c89 -pedantic -Werror -fsyntax-only use.c 2>cc.err; then
	fail "C89 build with a grown struct conn still compiles"
else
	grep -q "structfit_size_of_struct_conn_is_24" cc.err ||
		fail "C89 failure does not name struct conn and its size: $(head -3 cc.err)"
fi
if gcc -std=c11 -fsyntax-only use.c 2>cc.err; then
	fail "C11 build with a grown struct conn still compiles"
else
	grep -q "struct conn: size is 24 bytes" cc.err || fail "C11 failure message: $(head -3 cc.err)"
fi

# Exclusions: -x GLOB and a `structfit: ignore` comment, for every command.
cat >ex.h <<'EOF'
struct ex_keep {
	char c;
	long l;
	char d;
};
/* Wire format: the order is the protocol.
 * structfit: ignore */
struct ex_wire { char c; long l; char d; };
struct ex_glob { char c; long l; char d; };
EOF
printf '#include "ex.h"\nstruct ex_keep k;\nstruct ex_wire w;\nstruct ex_glob g;\n' >ex.c
gcc -g -c ex.c -o ex.o || fail "cannot compile the exclusion fixture"
for cmd in report reorder snapshot "assert --include-local"; do
	# shellcheck disable=SC2086
	expect 0 $cmd -x 'ex_g*' ex.o
	grep -q ex_keep out || fail "$cmd -x: ex_keep missing"
	grep -q ex_glob out && fail "$cmd -x 'ex_g*': ex_glob still there"
	grep -q ex_wire out && fail "$cmd: ex_wire is marked 'structfit: ignore' but still there"
done
expect 0 fix --source-root=. ex.o
grep -q "ex_keep" out || fail "fix: ex_keep not patched: $(cat err)"
grep -qE "ex_wire|ex_glob" out && fail "fix patched an excluded struct"
"$bin" snapshot -o ex_base.json ex.o 2>/dev/null
expect 0 check --baseline=ex_base.json ex.o
grep -q "ex_wire" ex_base.json && fail "baseline holds the ignored struct"
grep -q "removed" out err && fail "check reports the ignored struct as removed"

# fix names every obstacle of a refused struct in one run: a body problem
# and the exported symbol that makes it ABI-visible.
cat >api.h <<'EOF'
struct api_conf {
	char mode;
	long limit;
#if 1
	char flag;
#endif
};
long api_apply(const struct api_conf *c);
EOF
printf '#include "api.h"\nlong api_apply(const struct api_conf *c) { return c->limit + c->mode + c->flag; }\n' >api.c
if gcc -g -O0 -fPIC -shared api.c -o libapi.so; then
	expect 0 fix --source-root=. libapi.so
	grep -q "api_conf.*preprocessor directive.*also ABI-visible: reachable from an exported symbol via api_apply" err ||
		fail "fix does not name both obstacles of api_conf: $(grep api_conf err)"
else
	fail "cannot build the shared-library fixture"
fi

# ... and a positional initializer of a struct already refused for its body.
cat >cfg.h <<'EOF'
struct cfg_rec {
	char mode;
	long limit;
#if 1
	char flag;
#endif
};
EOF
printf '#include "cfg.h"\nstruct cfg_rec cfg_default = { 1, 2, 3 };\n' >cfg.c
if gcc -g -O0 -c cfg.c -o cfg.o; then
	expect 0 fix --source-root=. cfg.o
	grep -q "cfg_rec.*preprocessor directive.*; also positional initializer at cfg.c:2" err ||
		fail "fix does not name the initializer of a body-refused struct: $(grep cfg_rec err)"
else
	fail "cannot build the initializer fixture"
fi

# ... and a shared prefix of a struct refused for its body (issue 11 item 5):
# the body is read as far as it goes, so the macro group is still known;
# a body not read at all (a struct defined by a macro) says the check could
# not run when another struct begins with members the proposal moves.
cat >hdl.h <<'EOF'
#define HDL_FIELDS \
	void *data; \
	char type;
struct hdl_stream {
	HDL_FIELDS
	char mode;
	long len;
};
struct hdl_tcp {
	HDL_FIELDS
	char c;
#ifdef HDL_EXTRA
	long extra;
#endif
	long y;
	char d;
};
#define DEFINE_TCP(name) struct name { HDL_FIELDS long y; char d; }
DEFINE_TCP(hdl_tcp2);
EOF
printf '#include "hdl.h"\nstruct hdl_stream hs;\nstruct hdl_tcp ht;\nstruct hdl_tcp2 ht2;\n' >hdl.c
if gcc -g -O0 -c hdl.c -o hdl.o; then
	expect 0 fix --source-root=. hdl.o
	grep -q "hdl_tcp .*preprocessor directive inside the body (line 12); also the proposal moves member type, of the common initial sequence built by macro HDL_FIELDS (line 10) that struct hdl_stream also begins with" err ||
		fail "fix does not name the shared prefix of a body-refused struct: $(grep 'hdl_tcp ' err)"
	grep -q "hdl_tcp2 .*no struct keyword at line 19 .*; also the shared-prefix check could not run (body not read): the proposal moves member type, which struct hdl_stream also begins with" err ||
		fail "fix does not say the shared-prefix check of an unread body could not run: $(grep hdl_tcp2 err)"
else
	fail "cannot build the shared-prefix fixture"
fi

[[ $failures -eq 0 ]] && echo "cli verdicts: all checks passed"
[[ $failures -eq 0 ]]
