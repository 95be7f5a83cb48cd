#!/usr/bin/env python3
"""Compiler oracle for C++ classes: layouts and `structfit reorder` proposals under the Itanium ABI.

Random class hierarchies (seeded; STRUCTFIT_ORACLE_SEED varies them) with
POD bases, non-POD bases whose tail padding the ABI reuses (user-declared
constructor, vptr, private members, bases of their own), empty bases,
several bases, vptrs, members of class type and [[no_unique_address]]
members are compiled with g++ and clang++ (-std=c++20 -g -c, x86-64 and i386;
a compiler that cannot build a target is skipped).  For every generated class:

(1) the size and every data member offset structfit reports must equal
    sizeof/offsetof from the compiler (read back from a data section);
(2) every distinct order of its own data members (identical declarations
    merged) becomes its own class with the same bases and is compiled; the
    smallest size found tells whether the class can shrink.  At least 95 %
    of the classes that can shrink must get a proposal, and every proposal
    must compile to exactly its predicted size (100 %).

Virtual bases are not generated (proposals refuse them, see docs).
Usage: oracle_reorder_cxx.py [--seed N] [--count N]
"""

import argparse
import json
import os
import random
import re
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tools"))
import oracle_common as oc  # noqa: E402

SCALARS = [("char", 6), ("short", 3), ("int", 5), ("long long", 3), ("double", 2), ("bool", 2),
           ("char[3]", 1), ("short[3]", 1)]
NUA = "[[no_unique_address]] "
CLASS_MEMBER_RE = re.compile(r"^(\[\[no_unique_address\]\] )?[LD]\d+ @$")
LEAF_KINDS = ["pod", "ctor", "virt", "empty", "priv", "pod", "ctor"]
MAX_REPORTED = 25


def decl(type_name, name):
    m = re.match(r"^(.*)\[(\d+)\]$", type_name)
    if m:
        return "%s %s[%s]" % (m.group(1), name, m.group(2))
    return "%s %s" % (type_name, name)


class Cls:
    def __init__(self, name, kind):
        self.name = name
        self.kind = kind          # pod ctor virt empty priv derived
        self.bases = []
        self.virtual = False
        self.ctor = False
        self.private = False
        self.members = []         # (text without name, name)
        self.tested = False

    def twin(self, toggled, k):
        """The class with [[no_unique_address]] toggled on the members `toggled`."""
        t = Cls("%s_twin%d" % (self.name, k), self.kind)
        t.bases, t.virtual, t.ctor, t.private = self.bases, self.virtual, False, self.private
        t.members = list(self.members)
        for i in toggled:
            text, name = t.members[i]
            t.members[i] = (text[len(NUA):] if text.startswith(NUA) else NUA + text, name)
        return t

    def member_lines(self, order):
        return ["\t%s;" % self.members[i][0].replace("@", self.members[i][1]) for i in order]

    def definition(self, name, order, with_friend=True):
        head = "class" if self.private else "struct"
        bases = (" : " + ", ".join("public " + b.name for b in self.bases)) if self.bases else ""
        lines = ["%s %s%s {" % (head, name, bases)]
        if with_friend:
            lines.append("\tfriend void sf_probe();")
        lines += self.member_lines(order)
        if self.private:
            lines.append("public:")
        if self.virtual:
            lines.append("\tvirtual void vf();")
        if self.ctor:
            lines.append("\t%s();" % name)
        lines.append("};")
        return "\n".join(lines)


def pick_scalar(rng):
    total = sum(w for _t, w in SCALARS)
    x = rng.randrange(total)
    for t, w in SCALARS:
        if x < w:
            return t
        x -= w
    return "int"


def generate(rng, count):
    pool = []
    classes = []
    for i in range(rng.randint(5, 8)):
        kind = rng.choice(LEAF_KINDS)
        c = Cls("L%d" % i, kind)
        if kind != "empty":
            for k in range(rng.randint(1, 3)):
                c.members.append((decl(pick_scalar(rng), "@"), "m%d" % k))
        c.ctor = kind == "ctor"
        c.virtual = kind == "virt"
        c.private = kind == "priv"
        pool.append(c)
        classes.append(c)
    for i in range(count):
        c = Cls("D%d" % i, "derived")
        nbases = rng.choice([0, 1, 1, 1, 2, 2, 3])
        for b in rng.sample(pool, min(nbases, len(pool))):
            c.bases.append(b)
        c.virtual = rng.random() < 0.15
        c.ctor = rng.random() < 0.3
        n = rng.randint(2, 6)
        for k in range(n):
            r = rng.random()
            name = "m%d" % k
            if r < 0.12:
                t = rng.choice(pool)
                c.members.append((NUA + "%s @" % t.name, name))
            elif r < 0.2:
                t = rng.choice(pool)
                c.members.append(("%s @" % t.name, name))
            else:
                c.members.append((decl(pick_scalar(rng), "@"), name))
        c.tested = True
        classes.append(c)
        if rng.random() < 0.35:
            pool.append(c)
    return classes


def source(classes):
    out = ["void sf_probe();", ""]
    for c in classes:
        out.append(c.definition(c.name, range(len(c.members))))
        if c.ctor:
            out.append("%s::%s() {}" % (c.name, c.name))
        if c.virtual:
            out.append("void %s::vf() {}" % c.name)
        out.append("%s g_%s;" % (c.name, c.name))
        out.append("")
    return out


def read_u32(obj, section):
    sections, order = oc.elf_sections(obj)
    data = sections[section]
    return list(struct.unpack(order + "%dI" % (len(data) // 4), data))


class Run:
    def __init__(self, label, compiler):
        self.label = label
        self.compiler = compiler
        self.classes = 0
        self.offsets = 0
        self.layout_ok = 0
        self.layout_checks = 0
        self.shrinkable = 0
        self.undecidable = 0
        self.proposed = 0
        self.proposals = 0
        self.exact = 0
        self.optimal = 0
        self.perms = 0
        self.reasons = {}


def run_one(run, classes, scratch, failures):
    base = os.path.join(scratch, "classes")
    lines = source(classes)
    # (1) sizes and offsets of every generated class, from the compiler.
    probe = ["void sf_probe() {", "\tstatic const unsigned sizes[] __attribute__((used, section(\"sf_sizes\"))) = {"]
    probe += ["\t\tsizeof(%s)," % c.name for c in classes] + ["\t\t0};"]
    probe.append("\tstatic const unsigned offs[] __attribute__((used, section(\"sf_offs\"))) = {")
    for c in classes:
        for text, name in c.members:
            probe.append("\t\t__builtin_offsetof(%s, %s)," % (c.name, name))
    probe += ["\t\t0};", "}"]
    # (2) every distinct order of the own members of the tested classes,
    # and of their twins with [[no_unique_address]] toggled on some of
    # their members of class type: where a twin has the same layout, DWARF
    # cannot tell the two apart.
    perms, twins = [], []
    for c in classes:
        if not c.tested:
            continue
        for k, order in enumerate(oc.distinct_orders([t for t, _n in c.members])):
            perms.append((c, order, "%s_p%d" % (c.name, k)))
        candidates = [i for i, (text, _n) in enumerate(c.members) if CLASS_MEMBER_RE.match(text)][:3]
        for k in range(1, 1 << len(candidates)):
            twin = c.twin([i for b, i in enumerate(candidates) if k & (1 << b)], k)
            twins.append((c, twin))
            for k, order in enumerate(oc.distinct_orders([t for t, _n in twin.members])):
                perms.append((twin, order, "%s_p%d" % (twin.name, k)))
    lines += [c.definition(name, order, with_friend=False) for c, order, name in perms]
    for _c, twin in twins:
        lines.append(twin.definition(twin.name, range(len(twin.members))))
        probe.insert(-2, "\t\tsizeof(%s)," % twin.name)
        probe.insert(-2, "\t\t0x7fffffff,")
        for _t, name in twin.members:
            probe.insert(-2, "\t\t__builtin_offsetof(%s, %s)," % (twin.name, name))
    lines.append("__attribute__((used, section(\"sf_perms\"))) const unsigned sf_perm_sizes[] = {")
    lines += ["\tsizeof(%s)," % name for _c, _o, name in perms] + ["\t0};"]
    with open(base + ".cpp", "w") as f:
        f.write("\n".join(lines + probe) + "\n")
    obj = base + ".o"
    oc.run(run.compiler + ["-std=c++20", "-g", "-O0", "-w", "-c", base + ".cpp", "-o", obj])
    sizes = read_u32(obj, "sf_sizes")
    offs = read_u32(obj, "sf_offs")
    perm_sizes = read_u32(obj, "sf_perms")
    run.perms += len(perms)

    proc = oc.run([oc.structfit_bin(), "reorder", "--format", "json", "--no-keep-first", obj], check=False)
    if proc.returncode != 0:
        raise oc.OracleError("structfit reorder exit %d: %s" % (proc.returncode, proc.stderr.decode()[:2000]))
    doc = json.loads(proc.stdout.decode())
    index = {}
    for s in doc.get("structs", []):
        if s.get("name"):
            index.setdefault(s["name"], s)

    oi = 0
    by_class = {}
    for ci, c in enumerate(classes):
        label = "%s %s" % (run.label, c.name)
        js = index.get(c.name)
        my_offs = offs[oi:oi + len(c.members)]
        oi += len(c.members)
        if js is None:
            failures.append("%s: missing from structfit's output" % label)
            continue
        run.classes += 1
        run.layout_checks += 1
        ok = js["size"] == sizes[ci]
        if not ok:
            failures.append("%s: size %d, compiler says %d" % (label, js["size"], sizes[ci]))
        named = {m["name"]: m for m in js["members"] if m["name"]}
        for (text, name), off in zip(c.members, my_offs):
            run.offsets += 1
            m = named.get(name)
            if m is None or m["offset"] != off:
                ok = False
                failures.append("%s.%s: offset %s, compiler says %d" % (
                    label, name, m["offset"] if m else "missing", off))
        run.layout_ok += ok
        by_class[c.name] = js

    twin_layout = {}
    for c, twin in twins:
        n = len(twin.members)
        twin_layout[twin.name] = offs[oi:oi + n + 2]
        oi += n + 2
    pi = 0
    for c in classes:
        if not c.tested:
            continue
        mine, twin_sizes = [], {}
        while pi < len(perms) and perms[pi][0] is c:
            mine.append((perms[pi][1], perm_sizes[pi]))
            pi += 1
        while pi < len(perms) and perms[pi][0].name.startswith(c.name + "_twin"):
            twin_sizes.setdefault(perms[pi][0].name, []).append(perm_sizes[pi])
            pi += 1
        js = by_class.get(c.name)
        if js is None:
            continue
        label = "%s %s" % (run.label, c.name)
        keys = [t for t, _n in c.members]
        by_keys = {tuple(keys[i] for i in order): size for order, size in mine}
        best = min(size for _o, size in mine)
        original = by_keys[tuple(keys)]
        prop = js["proposal"]
        names = [js["members"][i]["name"] for i in prop["order"]]
        own = [n for n in names if n and re.match(r"^m\d+$", n)]
        reason = prop["reason"]
        # A twin with the same size and offsets but another best size: no
        # tool reading DWARF can know which of the two it has.
        recorded = [js["size"], 0x7fffffff] + [
            next(m["offset"] for m in js["members"] if m["name"] == name) for _t, name in c.members]
        undecidable = any(twin_layout[twin] == recorded and min(sizes_of) != best
                          for twin, sizes_of in twin_sizes.items())
        if best < original and undecidable:
            run.undecidable += 1
        elif best < original:
            run.shrinkable += 1
        if reason is not None:
            run.reasons[reason] = run.reasons.get(reason, 0) + 1
            if best < original and not undecidable:
                failures.append("%s: can shrink %d -> %d but: %s" % (label, original, best, reason))
            continue
        order = [int(n[1:]) for n in own]
        if sorted(order) != list(range(len(c.members))):
            failures.append("%s: proposal order %s does not list the members" % (label, names))
            continue
        run.proposals += 1
        compiled = by_keys[tuple(keys[i] for i in order)]
        if compiled == prop["size"]:
            run.exact += 1
        else:
            failures.append("%s: order %s predicted %d bytes, compiler says %d" % (
                label, [c.members[i][1] for i in order], prop["size"], compiled))
        if best < original and prop["size"] < original and compiled == prop["size"] and not undecidable:
            run.proposed += 1
        if compiled == best:
            run.optimal += 1


def pct(a, b):
    return "%.1f %%" % (100.0 * a / b) if b else "n/a"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=int(os.environ.get("STRUCTFIT_ORACLE_SEED", "20261206")))
    ap.add_argument("--count", type=int, default=100, help="derived classes per compiler")
    args = ap.parse_args()

    compilers = []
    root = oc.scratch_dir("reorder_cxx")
    if oc.have("g++"):
        compilers.append(("g++ x86_64", ["g++", "-m64"]))
        compilers.append(("g++ i386", ["g++", "-m32"]))
    if oc.have("clang++"):
        compilers.append(("clang++ x86_64", ["clang++", "--target=x86_64-linux-gnu"]))
        compilers.append(("clang++ i386", ["clang++", "--target=i386-linux-gnu"]))
    if not compilers:
        oc.skip("neither g++ nor clang++ installed")
    failures = []
    runs = []
    rng = random.Random(args.seed)
    for k, (label, compiler) in enumerate(compilers):
        scratch = os.path.join(root, "run%d" % k)
        os.makedirs(scratch)
        probe = os.path.join(scratch, "probe.cpp")
        with open(probe, "w") as f:
            f.write("struct S { [[no_unique_address]] int i; } s;\n")
        if oc.run(compiler + ["-std=c++20", "-c", probe, "-o", probe + ".o"], check=False).returncode != 0:
            print("SKIP part: %s cannot compile C++20" % label)
            continue
        run = Run(label, compiler)
        classes = generate(random.Random(rng.randrange(1 << 30)), args.count)
        try:
            run_one(run, classes, scratch, failures)
        except oc.OracleError as e:
            failures.append("%s: %s" % (label, e))
            continue
        runs.append(run)
        print("%-15s %3d classes, %4d member offsets, layouts equal %d/%d; %5d orders compiled; "
              "can shrink %d (+%d undecidable from DWARF), proposed %d (%s); proposals %d, compiled == "
              "predicted %d (%s), optimal %d; reasons %s" % (
                  label, run.classes, run.offsets, run.layout_ok, run.layout_checks, run.perms,
                  run.shrinkable, run.undecidable, run.proposed, pct(run.proposed, run.shrinkable), run.proposals,
                  run.exact, pct(run.exact, run.proposals), run.optimal,
                  ", ".join("%s: %d" % kv for kv in sorted(run.reasons.items()))))
    shrink = sum(r.shrinkable for r in runs)
    proposed = sum(r.proposed for r in runs)
    proposals = sum(r.proposals for r in runs)
    exact = sum(r.exact for r in runs)
    layouts = sum(r.layout_ok for r in runs)
    checks = sum(r.layout_checks for r in runs)
    print("total: layouts equal %d/%d (%s); can shrink %d, proposed %d (%s); proposals compiled == "
          "predicted %d/%d (%s)" % (layouts, checks, pct(layouts, checks), shrink, proposed,
                                      pct(proposed, shrink), exact, proposals, pct(exact, proposals)))
    # Refusals of shrinkable classes are listed but only the rate fails.
    hard = [f for f in failures if "can shrink" not in f]
    soft = [f for f in failures if "can shrink" in f]
    for line in (hard + soft)[:MAX_REPORTED]:
        print(("FAIL: " if line in hard else "note: ") + line)
    if shrink and proposed * 100 < shrink * 95:
        hard.append("proposals for %s of the classes that can shrink (want >= 95 %%)" % pct(proposed, shrink))
        print("FAIL: " + hard[-1])
    if not runs:
        oc.skip("no C++20 compiler works")
    return 1 if hard else 0


if __name__ == "__main__":
    sys.exit(main())
