#!/usr/bin/env bash
# Checks cache-aware reorder from the command line: hot and apart rules,
# --allow-growth, the hot-set line of text and JSON, kernel cache-line
# groups kept together (fixtures/cacheline_groups.c) and check's
# cacheline-group rule.
# Usage: cli_cacheorder.sh [STRUCTFIT [FIXTURE_DIR]]  (default: $STRUCTFIT_BIN, $STRUCTFIT_FIXTURE_DIR)
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
set -euo pipefail

bin=${1:-${STRUCTFIT_BIN:-}}
fixtures=${2:-${STRUCTFIT_FIXTURE_DIR:-}}
if [[ -z $bin || -z $fixtures ]]; then
	echo "usage: cli_cacheorder.sh STRUCTFIT FIXTURE_DIR (or set STRUCTFIT_BIN, STRUCTFIT_FIXTURE_DIR)" >&2
	exit 2
fi
[[ $bin == /* ]] || bin="$PWD/$bin"
[[ $fixtures == /* ]] || fixtures="$PWD/$fixtures"
groups=$fixtures/cacheline_groups.o
example=$fixtures/example.o
if [[ ! -x $bin || ! -f $groups || ! -f $example ]]; then
	echo "FAIL: need $bin, $groups and $example (build the fixtures)" >&2
	exit 1
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"

failures=0
fail() {
	echo "FAIL: $*" >&2
	failures=$((failures + 1))
}

run() {
	local expected=$1 code=0
	shift
	"$bin" "$@" >out 2>err </dev/null || code=$?
	if [[ $code != "$expected" ]]; then
		fail "structfit $* exited $code, expected $expected; stderr: $(head -c 300 err)"
		return 1
	fi
}

# Kernel groups: the markers keep their index and each group keeps exactly
# the members declared inside it (the reference planner moved ifindex out).
run 0 reorder --format=json "$groups" && python3 - out <<'PY' || fail "cache-line groups: $(cat out | head -c 300)"
import json, sys
s = [s for s in json.load(open(sys.argv[1]))["structs"] if s["name"] == "netdev_like"][0]
names = [m["name"] for m in s["members"]]
order = s["proposal"]["order"]
assert s["proposal"]["reason"] is None, s["proposal"]
for marker in ("__cacheline_group_begin__read_tx", "__cacheline_group_end__read_tx",
               "__cacheline_group_begin__read_rx", "__cacheline_group_end__read_rx"):
    i = names.index(marker)
    assert order[i] == i, marker
for g in ("read_tx", "read_rx"):
    b, e = names.index("__cacheline_group_begin__" + g), names.index("__cacheline_group_end__" + g)
    assert sorted(order[b + 1:e]) == list(range(b + 1, e)), (g, order)
PY

# check: the rx group (28 bytes at 52) touches 2 lines where 1 would do.
run 1 check --max-size='*=100000' "$groups" && {
	grep -q 'cache-line group read_rx (28 bytes at 52) touches 2 lines, its size needs 1 \[cacheline-group\]' out ||
		fail "cacheline-group finding: $(cat out)"
}
run 0 snapshot -o base.json "$groups"
run 0 check --baseline=base.json "$groups" && {
	grep -q 'note: struct netdev_like: cache-line group read_rx' out || fail "same as baseline is a note: $(cat out)"
}

# hot and apart rules, --allow-growth.
printf 'hot connection: bytes_in bytes_out\napart connection: bytes_in bytes_out\n' >rules.cf
run 0 reorder --no-keep-first --constraints=rules.cf -C connection "$example" && {
	grep -q '^/\* hot members (2): ' out || fail "hot-members line: $(cat out)"
}
run 0 reorder --no-keep-first --constraints=rules.cf --allow-growth=64 --format=json -C connection "$example" && {
	python3 - out <<'PY' || fail "JSON hot object: $(head -c 400 out)"
import json, sys
p = json.load(open(sys.argv[1]))["structs"][0]["proposal"]
h = p["hot"]
assert h["members"] == 2 and h["budget_bound"] == "none", h
assert p["size"] <= 104 + 64, p
PY
}
printf 'apart connection: bytes_in\n' >bad.cf
run 2 reorder --constraints=bad.cf "$example" && {
	grep -q 'bad.cf:1: apart needs at least two members' err || fail "apart error: $(cat err)"
}
run 2 reorder --allow-growth=lots "$example"
run 0 reorder --help && grep -q -- '--allow-growth=N' out || fail "help lists --allow-growth"

if ((failures)); then
	echo "$failures failure(s)" >&2
	exit 1
fi
echo "cli_cacheorder: all checks passed"
