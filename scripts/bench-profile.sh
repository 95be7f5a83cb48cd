#!/usr/bin/env bash
# Proof on a real workload: does structfit's profile-guided member order cut
# cache misses?  Runs fixtures/bench/hotcold.c (a connection table whose
# lookups touch 6 of struct conn's 29 members) under valgrind's DHAT, asks
# structfit for an order from that profile, then builds the program with
#   declared   the order in fixtures/bench/conn_fields.def
#   sorted     stable sort by alignment, then size, largest first (the classic
#              advice: pahole --reorganize, Go's fieldalignment)
#   minimal    structfit's order without a profile (smallest size, then
#              fewest moves): shows what the profile adds to the size alone
#   structfit  structfit's profile-guided order
# and compares cachegrind-simulated D1/LL misses (deterministic: fixed cache
# geometry, fixed seed) and native wall time (median of RUNS runs).
#
# Usage: scripts/bench-profile.sh
# Environment: STRUCTFIT_BIN (default build/structfit), CC (default gcc),
#   RUNS (default 7), CG_CONNS/CG_LOOKUPS (cachegrind workload, default
#   100000/1000000), NATIVE_CONNS/NATIVE_LOOKUPS (timed workload, default
#   400000/4000000), DHAT_CONNS/DHAT_LOOKUPS (profiled workload, default
#   4000/20000: valgrind 3.19 keeps DHAT's per-byte totals in 16 bits, so they
#   must stay below 65536 — checked against the site's read/write bytes),
#   KEEP_DIR (if set: keep the order files, builds, DHAT and cachegrind
#   outputs there; by default they go with the temporary directory).
#
# How the order is obtained (the script says which path it took):
#   profile  `structfit reorder --help` lists --profile: structfit reads the
#            DHAT file itself (reorder --profile=dhat.out -C conn --format=json).
#   hot      otherwise: the struct's allocation site in dhat.out (the site of
#            sizeof(struct conn)-byte blocks with an access histogram) gives
#            per-byte access counts; a member's count is its hottest byte's;
#            members with at least twice the median member's count are hot
#            (the median member is touched only by the constructor), and
#            structfit plans with the rule `hot conn: <those members>`.
# Exit status: 0 the structfit order is no larger than the minimal size and
# has at least 30 % fewer simulated D1 misses in the lookup loop than both
# other orders; 1 it does not; 2 a tool is missing or a step failed.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
sf=${STRUCTFIT_BIN:-$repo/build/structfit}
cc=${CC:-gcc}
runs=${RUNS:-7}
cg_conns=${CG_CONNS:-100000}
cg_lookups=${CG_LOOKUPS:-1000000}
native_conns=${NATIVE_CONNS:-400000}
native_lookups=${NATIVE_LOOKUPS:-4000000}
dhat_conns=${DHAT_CONNS:-4000}
dhat_lookups=${DHAT_LOOKUPS:-20000}
bench=$repo/fixtures/bench
struct=conn
# A typical x86-64 core's L1d and a small last level, so that the workload
# (CG_CONNS objects of about 200 bytes) is many times larger than LL.
# shellcheck disable=SC2054 # the commas are inside each option
cache_geometry=(--I1=32768,8,64 --D1=32768,8,64 --LL=2097152,16,64)
variants=(declared sorted minimal structfit)

die() { echo "bench-profile.sh: $*" >&2; exit 2; }
command -v valgrind >/dev/null ||
	die "valgrind not found: install it (Debian: apt-get install valgrind); DHAT and cachegrind come with it"
command -v python3 >/dev/null || die "python3 not found (it parses DHAT's JSON and cachegrind's output)"
command -v "$cc" >/dev/null || die "no C compiler '$cc' (set CC)"
[ -x "$sf" ] || die "no structfit binary at $sf (build it: cmake --build build, or set STRUCTFIT_BIN)"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/bench-profile.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
helper=$tmp/helper.py

# Small parsers; each subcommand prints what the shell needs.
cat >"$helper" <<'PY'
import json, statistics, sys

def load(path):
    with open(path) as f:
        return json.load(f)

def the_struct(report_path):
    doc = load(report_path)
    found = [s for s in doc["structs"] if s["name"] == STRUCT]
    if len(found) != 1:
        sys.exit(f"bench-profile.sh: {report_path}: expected one struct {STRUCT}, found {len(found)}")
    return found[0]

def unrle(acc):
    """DHAT's `acc` is run-length coded: -N, V stands for N copies of V."""
    out, i = [], 0
    while i < len(acc):
        if acc[i] < 0:
            out += [acc[i + 1]] * -acc[i]
            i += 2
        else:
            out.append(acc[i])
            i += 1
    return out

def member_heat(dhat_path, report_path):
    """Access count of each member: the hottest of its bytes, summed over
    the allocation sites of sizeof(struct)-byte blocks."""
    st, doc = the_struct(report_path), load(dhat_path)
    size, ftbl = st["size"], doc["ftbl"]
    hist, sites = [0] * size, []
    for pp in doc["pps"]:
        if "acc" not in pp or pp["tbk"] == 0 or pp["tb"] != pp["tbk"] * size:
            continue
        acc = unrle(pp["acc"])
        if len(acc) != size:
            continue
        # Equal sums prove no per-byte counter wrapped (16 bits in valgrind 3.19).
        if sum(acc) != pp["rb"] + pp["wb"]:
            sys.exit("bench-profile.sh: DHAT's per-byte counters overflowed; lower DHAT_CONNS/DHAT_LOOKUPS")
        sites.append(ftbl[pp["fs"][1]] if len(pp["fs"]) > 1 else ftbl[pp["fs"][0]])
        hist = [a + b for a, b in zip(hist, acc)]
    if not sites:
        sys.exit(f"bench-profile.sh: {dhat_path}: no allocation site of {size}-byte blocks with an access histogram")
    heat = {}
    for m in st["members"]:
        span = hist[m["offset"]:m["offset"] + max(m["size"], 1)]
        heat[m["name"]] = max(span)
    return heat, sites

def cmd_hot(dhat_path, report_path, hot_path):
    """Writes the hot members to hot_path; prints how they were chosen."""
    heat, sites = member_heat(dhat_path, report_path)
    median = statistics.median(heat.values())
    hot = [name for name, count in heat.items() if count > 0 and count >= 2 * median]
    with open(hot_path, "w") as f:
        f.write(" ".join(hot) + "\n")
    print(f"  DHAT site: {'; '.join(sites)}")
    print("  member accesses (hottest byte, all objects): " +
          ", ".join(f"{n} {c}" for n, c in sorted(heat.items(), key=lambda kv: -kv[1])))
    print(f"  median {median:g}; hot: at least {2 * median:g}")

def cmd_orders(report_path, reorder_path, minimal_path, def_path, outdir):
    """Writes declared.def, sorted.def, minimal.def and structfit.def: the
    lines of the declared FIELD list, permuted."""
    st = the_struct(report_path)
    members = st["members"]
    names = [m["name"] for m in members]
    lines = {}
    with open(def_path) as f:
        for line in f:
            if line.startswith("FIELD("):
                name = [p.strip() for p in line[len("FIELD("):].rsplit(")", 1)[0].split(",")][1]
                lines[name] = line
    if sorted(lines) != sorted(names):
        sys.exit(f"bench-profile.sh: {def_path} and the debug info list different members")
    proposal = the_struct(reorder_path)["proposal"]
    minimal = the_struct(minimal_path)["proposal"]
    orders = {
        "declared": names,
        # Python's sort is stable: equal keys keep their declared order.
        "sorted": [m["name"] for m in sorted(members, key=lambda m: (-m["align"], -m["size"]))],
        "minimal": [names[i] for i in minimal["order"]],
        "structfit": [names[i] for i in proposal["order"]],
    }
    for variant, order in orders.items():
        with open(f"{outdir}/{variant}.def", "w") as f:
            f.writelines(lines[n] for n in order)

def cmd_proposal_size(reorder_path):
    print(the_struct(reorder_path)["proposal"]["size"])

def cmd_check_order(report_path, def_path):
    """Prints the built struct's size and, on stderr, fails unless its members
    lie in the order of def_path (the compiler did what was asked)."""
    st = the_struct(report_path)
    with open(def_path) as f:
        want = [[p.strip() for p in l[len("FIELD("):].split(",")][1] for l in f if l.startswith("FIELD(")]
    got = [m["name"] for m in sorted(st["members"], key=lambda m: m["offset"])]
    if got != want:
        sys.exit(f"bench-profile.sh: the build of {def_path} has another member order")
    print(st["size"])

def cmd_hot_lines(report_path, *hot):
    """Cache lines the hot members touch when the object starts on a line."""
    st = the_struct(report_path)
    lines = set()
    for m in st["members"]:
        if m["name"] in hot:
            first, last = m["offset"] // 64, (m["offset"] + m["size"] - 1) // 64
            lines.update(range(first, last + 1))
    print(len(lines))

def cmd_cachegrind(out_path, function):
    """D1 and LL data misses of the whole run and of one function."""
    events, fn, whole, part = None, None, None, [0] * 9
    with open(out_path) as f:
        for line in f:
            if line.startswith("events:"):
                events = line.split()[1:]
            elif line.startswith("fn="):
                fn = line[3:].strip()
            elif line.startswith("summary:"):
                whole = [int(x) for x in line.split()[1:]]
            elif line[:1].isdigit() and fn == function:
                for i, x in enumerate(line.split()[1:]):
                    part[i] += int(x)
    ix = {e: i for i, e in enumerate(events)}
    d1 = lambda v: v[ix["D1mr"]] + v[ix["D1mw"]]
    ll = lambda v: v[ix["DLmr"]] + v[ix["DLmw"]]
    print(d1(part), ll(part), d1(whole), ll(whole))

def cmd_times(path, *variants):
    """Per variant: median wall ms, its ratios to declared and sorted, the
    same for CPU ms.  Ratios are medians of per-round ratios (the orders run
    in turn each round), which a drifting machine speed disturbs less."""
    runs = {}
    with open(path) as f:
        for line in f:
            r, v, wall, cpu = line.split()
            runs.setdefault(int(r), {})[v] = (int(wall), int(cpu))
    rounds = [runs[r] for r in sorted(runs)]
    for v in variants:
        out = []
        for k in (0, 1):
            out.append(f"{statistics.median(rd[v][k] for rd in rounds) / 1e6:.1f}")
            for base in ("declared", "sorted"):
                out.append(f"{statistics.median(rd[v][k] / rd[base][k] for rd in rounds):.3f}")
        print(v, *out)

STRUCT = sys.argv[1]
globals()["cmd_" + sys.argv[2].replace("-", "_")](*sys.argv[3:])
PY
py() { python3 "$helper" "$struct" "$@"; }

build() { # build VARIANT: the program with $tmp/VARIANT.def as struct conn's body
	mkdir -p "$tmp/$1"
	"$cc" -g -O2 -DCONN_FIELDS="\"$tmp/$1.def\"" -I"$bench" "$bench/hotcold.c" -o "$tmp/$1/hotcold" ||
		die "$cc failed on the $1 order"
}

echo "== 1. declared order, profiled with DHAT ($dhat_conns connections, $dhat_lookups lookups)"
cp "$bench/conn_fields.def" "$tmp/declared.def"
build declared
valgrind --tool=dhat --dhat-out-file="$tmp/dhat.out" "$tmp/declared/hotcold" "$dhat_conns" "$dhat_lookups" \
	>"$tmp/dhat.stdout" 2>"$tmp/dhat.log" || { cat "$tmp/dhat.log" >&2; die "valgrind --tool=dhat failed"; }
"$sf" report --format=json -C "$struct" "$tmp/declared/hotcold" >"$tmp/report.json" ||
	die "structfit report failed"
"$sf" reorder --format=json -C "$struct" "$tmp/declared/hotcold" >"$tmp/minimal.json" ||
	die "structfit reorder failed"
py hot "$tmp/dhat.out" "$tmp/report.json" "$tmp/hot.txt"
read -ra hot_members <"$tmp/hot.txt"
hot=${hot_members[*]}
echo "  hot members from the profile: $hot"

echo "== 2. structfit's order"
if "$sf" reorder --help 2>&1 | grep -q -- '--profile'; then
	echo "  path: profile (structfit reorder --profile=dhat.out reads the DHAT file itself)"
	"$sf" reorder --profile="$tmp/dhat.out" -C "$struct" --format=json "$tmp/declared/hotcold" \
		>"$tmp/structfit.json" || die "structfit reorder --profile failed"
else
	echo "  path: hot (this structfit has no --profile; rule from the DHAT histogram: hot $struct: $hot)"
	echo "hot $struct: $hot" >"$tmp/constraints.txt"
	"$sf" reorder --constraints="$tmp/constraints.txt" -C "$struct" --format=json "$tmp/declared/hotcold" \
		>"$tmp/structfit.json" || die "structfit reorder --constraints failed"
fi
py orders "$tmp/report.json" "$tmp/structfit.json" "$tmp/minimal.json" "$bench/conn_fields.def" "$tmp"
minimal_size=$(py proposal-size "$tmp/minimal.json")
echo "  minimal size (structfit reorder, no profile): $minimal_size bytes; structfit's order: $(py proposal-size "$tmp/structfit.json") bytes"

echo "== 3. four builds, each under cachegrind (${cg_conns} connections, ${cg_lookups} lookups; ${cache_geometry[*]})"
declare -A size hot_lines d1 ll d1_whole wall cpu
for v in "${variants[@]}"; do
	[ "$v" = declared ] || build "$v"
	"$sf" report --format=json -C "$struct" "$tmp/$v/hotcold" >"$tmp/$v/report.json" || die "structfit report failed on $v"
	size[$v]=$(py check-order "$tmp/$v/report.json" "$tmp/$v.def")
	hot_lines[$v]=$(py hot-lines "$tmp/$v/report.json" "${hot_members[@]}")
	valgrind --tool=cachegrind --cache-sim=yes "${cache_geometry[@]}" --cachegrind-out-file="$tmp/$v/cg.out" \
		"$tmp/$v/hotcold" "$cg_conns" "$cg_lookups" >"$tmp/$v/cg.stdout" 2>"$tmp/$v/cg.log" ||
		{ cat "$tmp/$v/cg.log" >&2; die "valgrind --tool=cachegrind failed on $v"; }
	read -r "d1[$v]" "ll[$v]" "d1_whole[$v]" _ < <(py cachegrind "$tmp/$v/cg.out" lookup_loop)
	grep -q "^sizeof ${size[$v]} " "$tmp/$v/cg.stdout" || die "$v: the program's sizeof differs from the debug info's"
	echo "  $v: sizeof ${size[$v]}, hot members on ${hot_lines[$v]} line(s), lookup loop D1 misses ${d1[$v]}"
done
sums=$(for v in "${variants[@]}"; do awk '{print $NF}' "$tmp/$v/cg.stdout"; done | sort -u | wc -l)
[ "$sums" -eq 1 ] || die "the orders computed different checksums"

echo "== 4. native wall time of the lookup loop (${native_conns} connections, ${native_lookups} lookups, median of $runs runs, orders interleaved)"
for ((r = 0; r < runs; r++)); do
	for v in "${variants[@]}"; do
		"$tmp/$v/hotcold" "$native_conns" "$native_lookups" |
			awk -v run="$r" -v v="$v" '{for (i = 1; i < NF; i++) { if ($i == "loop_ns") w = $(i + 1); if ($i == "loop_cpu_ns") c = $(i + 1) }
				print run, v, w, c}' >>"$tmp/times.txt"
	done
done
while read -r v w tw_decl tw_sort c tc_decl tc_sort; do
	wall[$v]="$w $tw_decl $tw_sort"
	cpu[$v]="$c $tc_decl $tc_sort"
done < <(py times "$tmp/times.txt" "${variants[@]}")

echo
echo "struct $struct: declared ${size[declared]} bytes, minimal $minimal_size bytes; hot: $hot"
row='%-10s %6s %9s %10s %10s %8s %8s %10s %8s %7s %7s %8s %7s %7s\n'
# shellcheck disable=SC2059 # one format for the header and the rows
printf "$row" variant sizeof hot_lines D1_misses LL_misses D1/decl D1/sort D1_whole wall_ms w/decl w/sort \
	cpu_ms c/decl c/sort
for v in "${variants[@]}"; do
	# shellcheck disable=SC2059,SC2086 # wall and cpu hold three fields each
	printf "$row" "$v" "${size[$v]}" "${hot_lines[$v]}" "${d1[$v]}" "${ll[$v]}" \
		"$(awk -v a="${d1[$v]}" -v b="${d1[declared]}" 'BEGIN{printf "%.3f", a / b}')" \
		"$(awk -v a="${d1[$v]}" -v b="${d1[sorted]}" 'BEGIN{printf "%.3f", a / b}')" \
		"${d1_whole[$v]}" ${wall[$v]} ${cpu[$v]}
done
echo "D1/LL_misses: simulated data misses (reads + writes) in lookup_loop; D1_whole: the whole run's;"
echo "hot_lines: cache lines the hot members touch in an object starting on a line boundary;"
echo "wall_ms, cpu_ms: median native wall and CPU time of lookup_loop; w/, c/: medians of the ratios"
echo "of each round (the orders run in turn); read them from an idle machine."

if [ -n "${KEEP_DIR:-}" ]; then
	mkdir -p "$KEEP_DIR" && cp -R "$tmp"/. "$KEEP_DIR"/ && rm -f "$KEEP_DIR/helper.py"
	echo "kept the builds and outputs in $KEEP_DIR"
fi
status=0
if [ "${size[structfit]}" -gt "$minimal_size" ]; then
	echo "FAIL: structfit's order is ${size[structfit]} bytes, larger than the minimal $minimal_size"
	status=1
fi
if awk -v s="${d1[structfit]}" -v a="${d1[declared]}" -v b="${d1[sorted]}" 'BEGIN{exit !(s <= 0.7 * a && s <= 0.7 * b)}'; then
	echo "OK: structfit's order has >= 30 % fewer simulated D1 misses than both the declared and the sorted order"
else
	echo "FAIL: structfit's order does not have >= 30 % fewer simulated D1 misses than both other orders"
	status=1
fi
exit $status
