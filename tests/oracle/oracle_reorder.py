#!/usr/bin/env python3
"""Compiler oracle for `structfit reorder`: proposals are minimal and compile to their predicted size.

(a) Brute force by the compiler.  gen_structs --max-members 7 makes small
    random structs (bitfields, _Alignas, nested structs, arrays, aligned
    types) for x86-64, i386 and s390x (big-endian).  For every struct the
    tool did not refuse, every distinct order of its top-level declarations
    (identical declarations merged, a trailing flexible or zero-length array
    kept last) becomes its own struct definition in one C file per target;
    their sizeof values go to a named data section, the file is compiled
    once and the sizes are read back from the object.  The proposal of
    `structfit reorder --no-keep-first --format json` must have the minimum
    size, be no larger than the original, and the compiled order it names
    must have exactly the predicted size.

(b) Recompiling proposals.  Random structs of every size (gen_structs
    defaults) for x86-64, i386, armv7, aarch64 and s390x: each proposal of
    `structfit reorder --format json` is written out in the proposed order
    and compiled for the target; sizeof must equal the predicted size.

Structs whose alignment DWARF cannot show (a packed member or nested
type whose size happens to be a multiple of its natural alignment) pass the
tool's safety gate and get safe proposals, but the optimum over orders may
use the hidden alignment of 1: those misses are counted, not failed.
Structs with unnamed bitfields have no DWARF member for them, so their
proposals cannot be written back unambiguously: counted as unmappable.

Structs the tool refuses (layout not reproducible from debug info, e.g.
unnamed bitfields, packed members) are skipped and counted; a refusal of a
struct the generator knows to be plain is a failure.

Usage: oracle_reorder.py [--seed N] [--brute-count N] [--recompile-count N] [--keep]
"""

import argparse
import concurrent.futures
import json
import os
import re
import struct
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tools"))
import oracle_common as oc  # noqa: E402

BRUTE_TARGETS = ["x86_64-linux-gnu", "i386-linux-gnu", "s390x-linux-gnu"]
RECOMPILE_TARGETS = ["x86_64-linux-gnu", "i386-linux-gnu", "armv7-linux-gnueabihf",
                     "aarch64-linux-gnu", "s390x-linux-gnu"]
MAX_REPORTED = 20
SIZES_SECTION = "sf_sizes"

HEADER_RE = re.compile(r"^(typedef )?(struct|union)((?: __attribute__\(\(.*?\)\))?)(?: (\w+))? \{$")
MEMBER_NAME_RE = re.compile(r"\bm\d+\b")


class Decl:
    """One top-level declaration of a generated type: its source lines."""

    def __init__(self, lines):
        self.lines = lines
        self.text = "\n".join(lines)
        # Same declaration up to member names: interchangeable for the size.
        self.key = MEMBER_NAME_RE.sub("M", self.text)
        self.unnamed_bitfield = len(lines) == 1 and re.match(r"^\t[\w ]+ :\d+;$", lines[0]) is not None
        self.packed = "packed" in self.text
        self.trailing_array = len(lines) == 1 and re.search(r"\[0?\];$", lines[0]) is not None


class GenType:
    def __init__(self, spelling, attrs, is_union):
        self.spelling = spelling
        self.attrs = attrs
        self.is_union = is_union
        self.decls = []
        self.flags = set()


def parse_generated(c_path, manifest_path):
    """Generated types in order, with their top-level declarations."""
    types = []
    current = None
    nested = None
    with open(c_path) as f:
        for line in f:
            line = line.rstrip("\n")
            if current is None:
                m = HEADER_RE.match(line)
                if m:
                    keyword = m.group(2)
                    tag = m.group(4)
                    current = GenType("%s %s" % (keyword, tag) if tag else None,
                                      m.group(3).strip(), keyword == "union")
                continue
            if nested is not None:
                nested.append(line)
                if line == "\t};":
                    current.decls.append(Decl(nested))
                    nested = None
                continue
            if line.startswith("}"):
                if current.spelling is None:
                    current.spelling = line[1:].strip(" ;")
                types.append(current)
                current = None
            elif line in ("\tstruct {", "\tunion {"):
                nested = [line]
            else:
                current.decls.append(Decl([line]))
    by_spelling = {t.spelling: t for t in types}
    with open(manifest_path) as f:
        for line in f:
            fields = line.rstrip("\n").split("\t")
            if fields[0] == "type" and fields[1] in by_spelling and fields[3] != "-":
                by_spelling[fields[1]].flags = set(fields[3].split(","))
    return types


def is_plain(t):
    """The generator knows the layout is fully visible in DWARF."""
    return not t.is_union and not (t.flags & {"packed", "align_unknown", "union"})


def ambiguous_alignment(t, prop):
    """aligned(N) below the members' alignment on a layout packing would
    also give: DWARF cannot tell `packed, aligned(N)` from the no-op, and
    the tool refuses rather than guess.  Only an aligned attribute can
    cause it."""
    return "over_aligned" in t.flags and prop["reason"] == "may be packed: the debug info cannot tell"


def mappable(t):
    """Top-level declarations map one to one onto DWARF members."""
    return not t.is_union and not any(d.unnamed_bitfield for d in t.decls)


def struct_definition(t, name, order):
    lines = ["struct%s %s {" % (" " + t.attrs if t.attrs else "", name)]
    for i in order:
        lines.extend(t.decls[i].lines)
    lines.append("};")
    return "\n".join(lines)


def compile_sizes(cfg, base_name, include, definitions, scratch):
    """Compiles definitions [(name, text)] and returns their sizeof values."""
    path = os.path.join(scratch, base_name + ".c")
    with open(path, "w") as f:
        f.write('#include "%s"\n\n' % include)
        for _name, text in definitions:
            f.write(text + "\n")
        f.write("__attribute__((used, section(\"%s\"))) const unsigned int sfperm_sizes[] = {\n" % SIZES_SECTION)
        for name, _text in definitions:
            f.write("\tsizeof(struct %s),\n" % name)
        f.write("\t0\n};\n")
    obj = path + ".o"
    oc.run(cfg.compiler + ["-g0", "-O0", "-w", "-c", path, "-o", obj])
    sections, order = oc.elf_sections(obj)
    data = sections[SIZES_SECTION]
    values = struct.unpack(order + "%dI" % (len(data) // 4), data)
    return list(values[:len(definitions)])


class Config:
    def __init__(self, target, scratch):
        self.target = target
        self.compiler = ["clang", "--target=" + target]
        self.scratch = scratch
        self.lp64 = target in oc.LP64_TARGETS


def generate(cfg, name, seed, count, max_members):
    base = os.path.join(cfg.scratch, name)
    cmd = [oc.gen_structs_bin(), "--seed", str(seed), "--count", str(count), "-o", base]
    if cfg.lp64:
        cmd.append("--lp64")
    if max_members:
        cmd += ["--max-members", str(max_members)]
    oc.run(cmd)
    obj = base + ".o"
    oc.run(cfg.compiler + ["-g", "-O0", "-w", "-c", base + ".c", "-o", obj])
    return base, obj


def reorder_json(obj, extra):
    proc = oc.run([oc.structfit_bin(), "reorder", "--format", "json"] + extra + [obj], check=False)
    if proc.returncode != 0:
        raise oc.OracleError("structfit reorder exit %d on %s: %s" % (
            proc.returncode, obj, proc.stderr.decode(errors="replace").strip()[:2000]))
    return json.loads(proc.stdout.decode())


def check_proposal_shape(label, js, t, failures):
    prop = js.get("proposal")
    if prop is None:
        failures.append("%s: no proposal object" % label)
        return None
    order = prop["order"]
    if sorted(order) != list(range(len(js["members"]))):
        failures.append("%s: order %s is not a permutation of %d members" % (
            label, order, len(js["members"])))
        return None
    if prop["size"] > js["size"]:
        failures.append("%s: proposal %d bytes is larger than the original %d" % (
            label, prop["size"], js["size"]))
    if prop["reason"] is not None and order != list(range(len(order))):
        failures.append("%s: reason %r but order is not the identity" % (label, prop["reason"]))
    if t is not None and mappable(t) and len(t.decls) != len(js["members"]):
        failures.append("%s: %d declarations but %d members in JSON" % (
            label, len(t.decls), len(js["members"])))
        return None
    return prop


REFUSALS = {"layout not reproducible from debug info", "member of unknown type or alignment", "packed",
            "may be packed: the debug info cannot tell"}


class Stats:
    def __init__(self):
        self.structs = 0
        self.proposals = 0
        self.exact = 0
        self.optimal = 0
        self.refused = 0
        self.unmappable = 0
        self.perms = 0
        self.heuristic = 0
        self.hidden_misses = 0


def brute_force(cfg, seed, count):
    """Part (a) for one target: returns (Stats, failures)."""
    stats, failures = Stats(), []
    base, obj = generate(cfg, "brute", seed, count, 7)
    types = parse_generated(base + ".c", base + ".manifest")
    doc = reorder_json(obj, ["--no-keep-first"])
    index = oc.index_structs(doc)
    definitions = []
    jobs = []  # (type, label, json, proposal, first definition index, orders)
    for ti, t in enumerate(types):
        if t.is_union or "packed" in t.flags:
            continue
        label = "%s %s" % (cfg.target, t.spelling)
        js = index.get(t.spelling)
        if js is None:
            failures.append("%s: missing from the JSON" % label)
            continue
        prop = check_proposal_shape(label, js, t, failures)
        if prop is None:
            continue
        if prop["reason"] in REFUSALS:
            stats.refused += 1
            if is_plain(t) and not ambiguous_alignment(t, prop):
                failures.append("%s: plain struct refused: %s" % (label, prop["reason"]))
            continue
        if not mappable(t):
            stats.unmappable += 1
            continue
        if len(t.decls) < 2:
            continue
        decls = t.decls
        fixed_last = decls[-1].trailing_array
        movable = decls[:-1] if fixed_last else decls
        orders = oc.distinct_orders([d.key for d in movable])
        if fixed_last:
            orders = [o + [len(decls) - 1] for o in orders]
        first = len(definitions)
        for k, order in enumerate(orders):
            definitions.append(("sfperm_%d_%d" % (ti, k), struct_definition(t, "sfperm_%d_%d" % (ti, k), order)))
        jobs.append((t, label, js, prop, first, orders))
    sizes = compile_sizes(cfg, "brute_perms", os.path.basename(base) + ".c", definitions, cfg.scratch)
    stats.perms = len(definitions)
    for t, label, js, prop, first, orders in jobs:
        stats.structs += 1
        mine = sizes[first:first + len(orders)]
        best = min(mine)
        # Compiled sizes by the sequence of declaration kinds (identical
        # declarations merged), to find the proposal's and the original's.
        by_keys = {tuple(t.decls[i].key for i in order): size for order, size in zip(orders, mine)}
        own = by_keys.get(tuple(t.decls[i].key for i in prop["order"]))
        declared = by_keys.get(tuple(d.key for d in t.decls))
        if declared != js["size"]:
            failures.append("%s: declared order compiles to %d, JSON says %d" % (label, declared, js["size"]))
        if own is None:
            failures.append("%s: proposal order %s breaks the trailing-array rule" % (label, prop["order"]))
            continue
        stats.proposals += 1
        if own == prop["size"]:
            stats.exact += 1
        else:
            failures.append("%s: order %s predicted %d bytes, compiler says %d" % (
                label, prop["order"], prop["size"], own))
        if prop["size"] == best:
            stats.optimal += 1
        elif "align_unknown" in t.flags and prop.get("assumed_alignment"):
            # A packed member or nested type whose alignment DWARF does not
            # record: the tool plans with the alignment it can see and says
            # which one it assumed, so the proposal is safe (checked above)
            # and its claim of optimality names its premise.
            stats.hidden_misses += 1
        else:
            failures.append("%s: proposal %d bytes (%s) but the compiler's best order is %d bytes" % (
                label, prop["size"], prop["optimal"], best))
        if prop["optimal"] != "proven":
            stats.heuristic += 1
    return stats, failures


def recompile(cfg, seed, count):
    """Part (b) for one target: returns (Stats, failures)."""
    stats, failures = Stats(), []
    base, obj = generate(cfg, "recompile", seed, count, 0)
    types = parse_generated(base + ".c", base + ".manifest")
    doc = reorder_json(obj, [])
    index = oc.index_structs(doc)
    definitions, checks = [], []
    for ti, t in enumerate(types):
        if t.is_union:
            continue
        label = "%s %s" % (cfg.target, t.spelling)
        js = index.get(t.spelling)
        if js is None:
            failures.append("%s: missing from the JSON" % label)
            continue
        stats.structs += 1
        prop = check_proposal_shape(label, js, t, failures)
        if prop is None:
            continue
        if prop["reason"] in REFUSALS:
            stats.refused += 1
            if is_plain(t) and not ambiguous_alignment(t, prop):
                failures.append("%s: plain struct refused: %s" % (label, prop["reason"]))
            continue
        if prop["optimal"] != "proven":
            stats.heuristic += 1
        if not mappable(t):
            stats.unmappable += 1
            continue
        # Identity proposals are recompiled too: their size is a claim as well.
        name = "sfprop_%d" % ti
        definitions.append((name, struct_definition(t, name, prop["order"])))
        checks.append((label, prop))
    sizes = compile_sizes(cfg, "recompile_props", os.path.basename(base) + ".c", definitions, cfg.scratch)
    for (label, prop), size in zip(checks, sizes):
        stats.proposals += 1
        if size == prop["size"]:
            stats.exact += 1
        else:
            failures.append("%s: order %s predicted %d bytes, compiler says %d" % (
                label, prop["order"], prop["size"], size))
    return stats, failures


def pct(part, whole):
    return "%.1f %%" % (100.0 * part / whole) if whole else "n/a"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=int(os.environ.get("STRUCTFIT_ORACLE_SEED", "20240603")))
    ap.add_argument("--brute-count", type=int, default=350, help="generated types per brute-force target")
    ap.add_argument("--recompile-count", type=int, default=200, help="generated types per recompile target")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    args = ap.parse_args()

    if not oc.have("clang"):
        oc.skip("clang not installed")
    root = oc.scratch_dir("reorder")
    tasks = []
    for i, target in enumerate(BRUTE_TARGETS):
        scratch = os.path.join(root, "brute-" + target)
        os.makedirs(scratch)
        cfg = Config(target, scratch)
        if not oc.compiler_works(cfg.compiler, scratch):
            oc.skip("clang cannot compile for " + target)
        tasks.append(("brute", cfg, brute_force, args.seed + i, args.brute_count))
    for i, target in enumerate(RECOMPILE_TARGETS):
        scratch = os.path.join(root, "recompile-" + target)
        os.makedirs(scratch)
        cfg = Config(target, scratch)
        if not oc.compiler_works(cfg.compiler, scratch):
            oc.skip("clang cannot compile for " + target)
        tasks.append(("recompile", cfg, recompile, args.seed + 100 + i, args.recompile_count))

    failures = []
    totals = {"brute": Stats(), "recompile": Stats()}
    # Threads are enough: the work is in the compiler and structfit processes.
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        futures = [(kind, cfg, pool.submit(fn, cfg, seed, count)) for kind, cfg, fn, seed, count in tasks]
        for kind, cfg, fut in futures:
            try:
                stats, fails = fut.result()
            except oc.OracleError as e:
                failures.append("%s %s: %s" % (kind, cfg.target, e))
                continue
            failures.extend(fails)
            t = totals[kind]
            for field in vars(t):
                setattr(t, field, getattr(t, field) + getattr(stats, field))
            if kind == "brute":
                print("brute force %-24s %4d structs, %6d orders compiled, optimal %d/%d, exact %d/%d, "
                      "refused %d, unmappable %d, hidden-alignment misses %d" % (
                          cfg.target, stats.structs, stats.perms, stats.optimal, stats.proposals,
                          stats.exact, stats.proposals, stats.refused, stats.unmappable,
                          stats.hidden_misses))
            else:
                print("recompile   %-24s %4d structs, %4d proposals compiled, exact %d/%d, refused %d, "
                      "unmappable %d, heuristic %d" % (cfg.target, stats.structs, stats.proposals, stats.exact,
                                                       stats.proposals, stats.refused, stats.unmappable,
                                                       stats.heuristic))
    b, r = totals["brute"], totals["recompile"]
    print("brute force: %d structs, %d orders compiled; optimal %s (%d/%d; %d misses where DWARF hides a "
          "packed alignment), compiled == predicted %s; refused (skipped) %d, unmappable %d" % (
              b.structs, b.perms, pct(b.optimal, b.proposals), b.optimal, b.proposals, b.hidden_misses,
              pct(b.exact, b.proposals), b.refused, b.unmappable))
    print("recompile: %d proposals; compiled == predicted %s; refused (skipped) %d, unmappable %d, "
          "heuristic %d" % (r.proposals, pct(r.exact, r.proposals), r.refused, r.unmappable, r.heuristic))
    if b.structs < 500 and not failures:
        failures.append("only %d structs brute-forced (want at least 500): raise --brute-count" % b.structs)
    for line in failures[:MAX_REPORTED]:
        print("FAIL: " + line)
    if len(failures) > MAX_REPORTED:
        print("... and %d more failures" % (len(failures) - MAX_REPORTED))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
