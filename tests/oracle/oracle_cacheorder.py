#!/usr/bin/env python3
"""Compiler oracle for cache-aware proposals (`hot` and `apart` rules, --allow-growth).

Random structs (seeded) are compiled with gcc -g; a constraints file names
random hot members and, for some structs, two members to keep apart.
`structfit reorder --no-keep-first --format json --constraints ...` is run
with --allow-growth 0 and 16.  Every proposal that carries a "hot" object
is written back in its proposed order into a C program that prints sizeof
and every member's offsetof; gcc compiles it and it runs.  From the
compiler's offsets:
  - sizeof equals the predicted size, and the size is at most the minimal
    size (the plain `reorder` answer without rules) plus the growth;
  - the end of the last hot member equals "hot.end" and the cache lines the
    hot bytes touch at the worst 16-byte-aligned start equal "hot.lines";
  - members of an apart rule never share a 64-byte line at any
    16-byte-aligned start;
  - when the declared order is itself within the size limit and keeps the
    rules, the proposal's hot lines are no more than the declared ones.

Usage: oracle_cacheorder.py [--seed N] [--count N] [--keep]
"""

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile

TYPES = [("char", 1), ("short", 2), ("int", 4), ("long", 8), ("double", 8), ("char", 3), ("char", 13),
         ("int", 3), ("char", 40), ("long", 3), ("char", 29)]
LINE, BASE = 64, 16


def lines(first, end):
    if end <= first:
        return 0
    return max((s + end - 1) // LINE - (s + first) // LINE + 1 for s in range(0, LINE, BASE))


def may_share(a, b):
    for s in range(0, LINE, BASE):
        a_lo, a_hi = (s + a[0]) // LINE, (s + a[1] - 1) // LINE
        b_lo, b_hi = (s + b[0]) // LINE, (s + b[1] - 1) // LINE
        if a_lo <= b_hi and b_lo <= a_hi:
            return True
    return False


def generate(rng, count):
    structs, rules = [], []
    for k in range(count):
        members = []
        for i in range(rng.randint(3, 12)):
            base, n = rng.choice(TYPES)
            members.append((f"m{i}", base, n if n > 1 and base != "short" else 1))
        hot = rng.sample([m[0] for m in members], rng.randint(1, min(4, len(members))))
        rules.append(f"hot s{k}: {' '.join(hot)}")
        if rng.random() < 0.3:
            a, b = rng.sample([m[0] for m in members], 2)
            rules.append(f"apart s{k}: {a} {b}")
        structs.append((f"s{k}", members))
    return structs, rules


def decl(name, base, n):
    return f"{base} {name}[{n}];" if n > 1 else f"{base} {name};"


def run_json(tool, args):
    out = subprocess.run([tool, "reorder", "--no-keep-first", "--format=json"] + args,
                         check=True, capture_output=True, text=True).stdout
    return {s["name"]: s for s in json.loads(out)["structs"]}


def check(tool, work, structs, rules, growth, failures, refused):
    obj = os.path.join(work, "gen.o")
    minimal = run_json(tool, [obj])
    cf = os.path.join(work, "rules.cf")
    planned = run_json(tool, ["--constraints=" + cf, f"--allow-growth={growth}", obj])
    hot_of = {r.split()[1][:-1]: r.split()[2:] for r in rules if r.startswith("hot ")}
    apart_of = {r.split()[1][:-1]: r.split()[2:] for r in rules if r.startswith("apart ")}
    prog = ["#include <stdio.h>", "#include <stddef.h>", "int main(void) {"]
    checked = []
    for name, members in structs:
        s = planned[name]
        prop = s["proposal"]
        if "hot" not in prop:
            failures.append(f"{name}: no hot object in the proposal")
            continue
        by_index = {m["index"]: m["name"] for m in s["members"]}
        order = [by_index[i] for i in prop["order"]]
        spec = {m[0]: m for m in members}
        body = " ".join(decl(*spec[m]) for m in order)
        prog.append(f"  {{ struct p_{name} {{ {body} }}; printf(\"{name} %zu\", sizeof(struct p_{name}));")
        for m in order:
            prog.append(f"    printf(\" {m}:%zu:%zu\", offsetof(struct p_{name}, {m}),"
                        f" sizeof(((struct p_{name} *)0)->{m}));")
        prog.append('    printf("\\n"); }')
        checked.append(name)
    prog.append("  return 0; }")
    src = os.path.join(work, f"check{growth}.c")
    exe = os.path.join(work, f"check{growth}")
    with open(src, "w") as f:
        f.write("\n".join(prog) + "\n")
    subprocess.run(["gcc", "-w", "-o", exe, src], check=True)
    out = subprocess.run([exe], check=True, capture_output=True, text=True).stdout
    for row in out.splitlines():
        name, size, *fields = row.split()
        place = {f.split(":")[0]: (int(f.split(":")[1]), int(f.split(":")[1]) + int(f.split(":")[2]))
                 for f in fields}
        s, prop = planned[name], planned[name]["proposal"]
        hot = prop["hot"]
        min_size = minimal[name]["proposal"]["size"]
        if prop["reason"] == "constraints allow no smaller order":
            # No order keeps the apart rule within the size limit: the
            # declared order is shown and nothing is claimed.
            if prop["order"] != sorted(prop["order"]) or "heat" in prop["bound_by"]:
                failures.append(f"{name}: a refusal that is not the declared order")
            refused[0] += 1
            continue
        if int(size) != prop["size"]:
            failures.append(f"{name}: gcc sizeof {size}, predicted {prop['size']}")
        if prop["size"] > min_size + growth:
            failures.append(f"{name}: {prop['size']} bytes, minimal {min_size} + growth {growth}")
        hm = [place[m] for m in hot_of[name]]
        first, end = min(a for a, _ in hm), max(b for _, b in hm)
        if end != hot["end"] or lines(first, end) != hot["lines"]:
            failures.append(f"{name}: gcc puts the hot set at [{first}, {end}) = {lines(first, end)} lines,"
                            f" predicted end {hot['end']}, {hot['lines']} lines")
        if name in apart_of and may_share(place[apart_of[name][0]], place[apart_of[name][1]]):
            failures.append(f"{name}: apart members {apart_of[name]} share a line")
        declared_ok = s["size"] <= min_size + growth and prop["reason"] != "constraints allow no smaller order"
        if declared_ok and name not in apart_of and hot["lines"] > hot["original_lines"]:
            failures.append(f"{name}: {hot['original_lines']} -> {hot['lines']} hot lines")
    return len(checked)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=4242)
    ap.add_argument("--count", type=int, default=150)
    ap.add_argument("--keep", action="store_true")
    args = ap.parse_args()
    tool = os.environ.get("STRUCTFIT_BIN")
    if not tool:
        print("set STRUCTFIT_BIN", file=sys.stderr)
        return 2
    rng = random.Random(args.seed)
    structs, rules = generate(rng, args.count)
    work = tempfile.mkdtemp(prefix="structfit-cacheorder-", dir=os.environ.get("STRUCTFIT_SCRATCH_DIR"))
    src = os.path.join(work, "gen.c")
    with open(src, "w") as f:
        for name, members in structs:
            f.write(f"struct {name} {{ {' '.join(decl(*m) for m in members)} }};\nstruct {name} g_{name};\n")
    with open(os.path.join(work, "rules.cf"), "w") as f:
        f.write("\n".join(rules) + "\n")
    subprocess.run(["gcc", "-g", "-c", "-o", os.path.join(work, "gen.o"), src], check=True)
    failures, total, refused = [], 0, [0]
    for growth in (0, 16):
        total += check(tool, work, structs, rules, growth, failures, refused)
    for f in failures[:30]:
        print("FAIL:", f)
    print(f"oracle_cacheorder: {total} cache-aware proposals recompiled by gcc"
          f" ({refused[0]} refused: apart impossible within the size), {len(failures)} failures")
    if not args.keep:
        subprocess.run(["rm", "-rf", work])
    else:
        print("kept", work)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
