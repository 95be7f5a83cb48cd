#!/bin/sh
# debuginfod (issue 15): a stripped program's debug info fetched by build-id
# from a local debuginfod server gives the report of the unstripped build;
# an unreachable server is one line and exit 5, quickly; --no-debuginfod
# and an empty DEBUGINFOD_URLS never ask.  Nothing outside the machine is
# contacted: the server serves a directory this test builds, on a free
# port, and the client only ever talks to 127.0.0.1.
set -u

bin=${STRUCTFIT_BIN:?set STRUCTFIT_BIN}
skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*"; status=1; }
for tool in debuginfod gcc objcopy strip python3; do
	command -v "$tool" >/dev/null 2>&1 || skip "$tool not installed (Debian: debuginfod, gcc, binutils, python3)"
done

tmp=$(mktemp -d "${STRUCTFIT_SCRATCH_DIR:-${TMPDIR:-/tmp}}/debuginfod.XXXXXX")
server=
cleanup() {
	if [ -n "$server" ]; then
		kill "$server" 2>/dev/null
		wait "$server" 2>/dev/null
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM
status=0

cat >"$tmp/prog.c" <<'C'
struct pair { char c; long l; int i; } g_pair;
struct node { struct node *next; short s; double d; char tag[3]; unsigned flag : 3; } g_node;
int main(void) { return (int)g_pair.c + g_node.s; }
C
mkdir -p "$tmp/served" "$tmp/cache"
gcc -g -O0 -Wl,--build-id -o "$tmp/prog" "$tmp/prog.c" || skip "gcc cannot link a program"
objcopy --only-keep-debug "$tmp/prog" "$tmp/served/prog.debug"
# No .gnu_debuglink and no /usr/lib/debug/.build-id entry: only the
# server has the debug info.
strip --strip-debug -o "$tmp/prog.stripped" "$tmp/prog"
"$bin" report "$tmp/prog" >"$tmp/expected.txt" || fail "report of the unstripped program"

# The stripped file without a server: no debug info, exit 5.
env -u DEBUGINFOD_URLS "$bin" report "$tmp/prog.stripped" >/dev/null 2>"$tmp/err.txt"
[ $? -eq 5 ] || fail "stripped, no DEBUGINFOD_URLS: expected exit 5"

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
debuginfod -p "$port" -F "$tmp/served" -d "$tmp/index.sqlite" -t 600 -g 600 >"$tmp/server.log" 2>&1 &
server=$!
# Wait until the server has indexed the debug file (its metrics say so);
# asking earlier would leave a negative entry in the client cache.
python3 - "$port" <<'PY' || { cat "$tmp/server.log"; fail "debuginfod did not index the debug file"; exit 1; }
import sys, time, urllib.request
url = "http://127.0.0.1:%s/metrics" % sys.argv[1]
for _ in range(200):
    try:
        text = urllib.request.urlopen(url, timeout=2).read().decode()
        if any(l.startswith('scanned_files_total{source="file"}') and not l.endswith(" 0")
               for l in text.splitlines()) and 'thread_busy{role="scan"} 0' in text:
            sys.exit(0)
    except OSError:
        pass
    time.sleep(0.1)
sys.exit(1)
PY

url=http://127.0.0.1:$port
DEBUGINFOD_URLS=$url DEBUGINFOD_CACHE_PATH=$tmp/cache "$bin" report "$tmp/prog.stripped" \
	>"$tmp/fetched.txt" 2>"$tmp/err.txt" || fail "fetch from $url: exit $? ($(cat "$tmp/err.txt"))"
cmp -s "$tmp/expected.txt" "$tmp/fetched.txt" || {
	fail "report from the fetched debug file differs from the unstripped build's"
	diff "$tmp/expected.txt" "$tmp/fetched.txt" | head -20
}

# --no-debuginfod never asks.
DEBUGINFOD_URLS=$url DEBUGINFOD_CACHE_PATH=$tmp/cache-none "$bin" report --no-debuginfod \
	"$tmp/prog.stripped" >/dev/null 2>&1
[ $? -eq 5 ] || fail "--no-debuginfod: expected exit 5"
[ ! -d "$tmp/cache-none" ] || [ -z "$(ls -A "$tmp/cache-none")" ] || fail "--no-debuginfod touched the cache"

# With the server gone, the client's cache still answers.
kill "$server" && wait "$server" 2>/dev/null
server=
DEBUGINFOD_URLS=$url DEBUGINFOD_CACHE_PATH=$tmp/cache "$bin" report "$tmp/prog.stripped" \
	>"$tmp/cached.txt" 2>/dev/null || fail "second run did not use the debuginfod cache"
cmp -s "$tmp/expected.txt" "$tmp/cached.txt" || fail "report from the cache differs"

# An unreachable server (the port just closed): one line, exit 5, fast.
start=$(date +%s)
DEBUGINFOD_URLS=$url DEBUGINFOD_CACHE_PATH=$tmp/cache-fresh DEBUGINFOD_TIMEOUT=10 \
	"$bin" report "$tmp/prog.stripped" >/dev/null 2>"$tmp/err.txt"
code=$?
elapsed=$(($(date +%s) - start))
[ $code -eq 5 ] || fail "unreachable server: exit $code, expected 5"
[ "$(wc -l <"$tmp/err.txt")" -eq 1 ] || fail "unreachable server: expected one line, got: $(cat "$tmp/err.txt")"
grep -q "^structfit: .*prog.stripped: .*debuginfod" "$tmp/err.txt" ||
	fail "unreachable server: message does not name the file and debuginfod: $(cat "$tmp/err.txt")"
[ "$elapsed" -le 10 ] || fail "unreachable server took ${elapsed}s"

[ $status -eq 0 ] && echo "debuginfod: fetched report equals the unstripped one; cache, --no-debuginfod and unreachable server (exit 5 in ${elapsed}s) ok"
exit $status
