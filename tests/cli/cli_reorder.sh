#!/usr/bin/env bash
# Checks `structfit reorder` and `report --reorder` on the example fixture:
# saving and moves lines, --summary, JSON proposals, --min-savings,
# --strategy sort, constraints files and their errors, exit codes.
# Usage: cli_reorder.sh [STRUCTFIT [FIXTURE_DIR]]  (default: $STRUCTFIT_BIN, $STRUCTFIT_FIXTURE_DIR)
# ctest runs this with `sh`; the checks below need bash.
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
set -euo pipefail

bin=${1:-${STRUCTFIT_BIN:-}}
fixtures=${2:-${STRUCTFIT_FIXTURE_DIR:-}}
if [[ -z $bin || -z $fixtures ]]; then
	echo "usage: cli_reorder.sh STRUCTFIT FIXTURE_DIR (or set STRUCTFIT_BIN, STRUCTFIT_FIXTURE_DIR)" >&2
	exit 2
fi
[[ $bin == /* ]] || bin="$PWD/$bin"
[[ $fixtures == /* ]] || fixtures="$PWD/$fixtures"
obj=$fixtures/example.o
if [[ ! -x $bin || ! -f $obj ]]; then
	echo "FAIL: need $bin and $obj (build the fixtures)" >&2
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

# run EXPECTED_CODE ARGS...: runs structfit, keeps stdout/stderr in out/err.
run() {
	local expected=$1 code=0
	shift
	"$bin" "$@" >out 2>err </dev/null || code=$?
	if [[ $code != "$expected" ]]; then
		fail "structfit $* exited $code, expected $expected; stderr: $(head -c 300 err)"
		return 1
	fi
}

# expect FILE LINE WHAT: FILE must contain LINE verbatim.
expect() {
	grep -Fxq -- "$2" "$1" || fail "$3: '$2' not in $1: $(head -c 600 "$1")"
}

# The fixture's structs were written carelessly on purpose; these savings
# are minimal (checked by the compiler oracles) on x86-64.
if [[ $(uname -m) == x86_64 ]]; then
	run 0 reorder "$obj" && {
		expect out '/* size 104 -> 80 (saves 24 bytes, 23.1 %), cachelines 2 -> 2, moved 3 of 12 members */' "connection saving"
		expect out '/* moved: timeout_ms (11 -> 4), retries (9 -> 7), bytes_in (3 -> 11) */' "connection moves"
		expect out '/* size 24 -> 16 (saves 8 bytes, 33.3 %), cachelines 1 -> 1, moved 1 of 9 members */' "request_flags saving"
		expect out '/* size 56 -> 40 (saves 16 bytes, 28.6 %), cachelines 1 -> 1, moved 2 of 5 members */' "stats_window saving"
		expect out '/* struct sockaddr_v4: 8 bytes, unchanged: already minimal */' "unchanged reason"
		expect out '	/* size: 80, cachelines: 2, members: 12 */' "proposed struct printed pahole-style"
		[[ ! -s err ]] || fail "reorder wrote to stderr: $(head -c 300 err)"
	}
	run 0 reorder --summary "$obj" && {
		grep -Eq '^struct connection +104 +80 +24 +3 +2 +23\.1 %' out || fail "summary row: $(cat out)"
		grep -Eq '^total \(4 of 6 structs shrink\) +232 +168 +64 ' out || fail "summary total: $(cat out)"
	}
	run 0 reorder --min-savings 17 "$obj" && {
		grep -q 'struct connection {' out || fail "--min-savings 17 dropped connection"
		! grep -q 'struct packet {' out || fail "--min-savings 17 kept packet (saves 16)"
		! grep -q 'unchanged' out || fail "--min-savings lists unchanged structs"
	}
	run 0 reorder --strategy sort -C request_flags "$obj" && {
		# The classic sort: alignment descending, bitfields by their declared type.
		grep -q 'size 24 -> 16 (saves 8 bytes, 33.3 %), cachelines 1 -> 1, moved 3 of 9 members' out ||
			fail "--strategy sort: $(cat out)"
		grep -q 'content_length (2 -> 0)' out || fail "--strategy sort order: $(cat out)"
	}
	run 0 report --reorder -C packet "$obj" && {
		expect out '/* structfit: proposed order: */' "report --reorder label"
		expect out '/* size 48 -> 32 (saves 16 bytes, 33.3 %), cachelines 1 -> 1, moved 2 of 5 members */' "report --reorder saving"
	}
fi

# JSON: every struct has a proposal whose order is a permutation.
run 0 reorder --format json "$obj" && {
	python3 - out <<'EOF' || fail "JSON proposals"
import json, sys
doc = json.load(open(sys.argv[1]))
assert doc["structs"], "no structs"
for s in doc["structs"]:
    p = s["proposal"]
    assert sorted(p["order"]) == list(range(len(s["members"]))), (s["name"], p)
    assert p["size"] <= s["size"] and p["saves"] == s["size"] - p["size"], (s["name"], p)
    assert p["optimal"] in ("proven", "heuristic"), p
    assert (p["reason"] is None) == (p["order"] != list(range(len(p["order"])))) or p["reason"] is not None, p
    assert set(p) >= {"order", "size", "saves", "cachelines", "moved", "optimal", "reason"}, p
EOF
}
run 0 report --reorder --format json -C packet_header "$obj" && {
	grep -q '"reason": "union"' out || fail "union proposal reason: $(head -c 600 out)"
}

# Constraints: a pin keeps the member in place; bad rules are FILE:LINE, exit 2.
printf '# keep the descriptor where it is\npin connection.fd\ngroup connection: bytes_in bytes_out\n' >rules
run 0 reorder --constraints rules -C connection --format json "$obj" && {
	python3 - out <<'EOF' || fail "constraints respected"
import json, sys
s = json.load(open(sys.argv[1]))["structs"][0]
names = [s["members"][i]["name"] for i in s["proposal"]["order"]]
assert names[0] == "fd", names
i = names.index("bytes_in")
assert names[i + 1] == "bytes_out", names
EOF
}
printf 'pin connection.fd\nfrobnicate connection\n' >bad
run 2 reorder --constraints bad "$obj" && grep -Eq '^structfit: bad:2: ' err || fail "bad rule message: $(cat err)"
printf 'pin connection.no_such_member\n' >unknown
run 2 reorder --constraints unknown "$obj" && grep -Eq 'unknown:1: ' err || fail "unknown member message: $(cat err)"
run 3 reorder --constraints "$tmp/missing" "$obj"
run 2 reorder --strategy best "$obj"
run 2 reorder --min-savings lots "$obj"
# Without FILE, reorder reads the running kernel's BTF when there is one.
[ -r /sys/kernel/btf/vmlinux ] || run 2 reorder
run 1 reorder -C no_such_struct "$obj" && grep -q "no struct matches 'no_such_struct'" err || fail "-C no match"
run 0 reorder --help && grep -q -- '--min-savings=N' out || fail "help lists --min-savings"
run 0 help reorder

if ((failures)); then
	echo "$failures failure(s)" >&2
	exit 1
fi
echo "cli_reorder: all checks passed"
