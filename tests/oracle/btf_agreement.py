#!/usr/bin/env python3
"""BTF against DWARF from the same sources: every struct's size and member offsets must agree.

usage: btf_agreement.py --clang-bpf | --detached | --split | --kernel [--keep DIR]
       btf_agreement.py --module FILE --base BASE   (FILE: a .ko with .BTF, or split BTF)

--clang-bpf  fixtures compiled with `clang -target bpf -g -c` (BTF in .BTF),
             read with --format-in=btf, against the DWARF of the same
             sources compiled for x86_64 with clang -mlong-double-64 (BPF's
             layout rules are LP64 little-endian natural alignment with an
             8-byte long double; structfit does not relocate BPF objects'
             DWARF).
--detached   fixtures compiled with gcc -g -c, BTF encoded by
             `pahole --btf_encode_detached`, against the object's DWARF.
--split      split BTF: a "module" object's types encoded by pahole on the
             BTF of a "kernel" object (--btf_base), read with --btf-base,
             against the module object's DWARF.
--module     the same for a real kernel module: FILE's BTF on BASE (a
             vmlinux or raw BTF) against FILE's own DWARF (not in ctest:
             it needs a distribution's kernel debug package).
--kernel     /sys/kernel/btf/vmlinux: every struct's and union's size against
             `pahole -F btf --sizes` (skips when the file is absent).

Sizes, offsets and bit positions must agree on 100 % of the structs named
once on both sides; alignment differences (BTF records none, structfit
infers it) are listed, not failed.
"""

import argparse
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tools"))
import oracle_common as oc  # noqa: E402

KERNEL_BTF = "/sys/kernel/btf/vmlinux"


def fixtures(tmp):
    """The C fixtures, and seeded random structs (bitfields, packing, unions) from gen_structs."""
    src = oc.source_dir()
    files = sorted(glob.glob(os.path.join(src, "fixtures", "*.c")))
    files.append(os.path.join(src, "tests", "fuzz", "seed_types.c"))
    for seed in (1, 2, 3):
        base = os.path.join(tmp, "gen%d" % seed)
        res = run([oc.gen_structs_bin(), "--seed", str(seed), "--count", "150", "--lp64", "--no-vectors",
                   "-o", base])
        if res.returncode:
            print("FAIL: gen_structs: " + res.stderr)
            sys.exit(1)
        files.append(base + ".c")
    return files


def run(cmd, **kw):
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)


def report(path, fmt, base=None):
    extra = ["--btf-base", base] if base else []
    res = run([oc.structfit_bin(), "report", "--format", "json", "--format-in", fmt] + extra + [path])
    if res.returncode != 0:
        print("FAIL: structfit report --format-in %s %s: exit %d: %s" % (fmt, path, res.returncode,
                                                                      res.stderr.strip()))
        sys.exit(1)
    return json.loads(res.stdout)["structs"]


def by_key(structs):
    """(kind, name) -> struct, for names that occur once."""
    seen = {}
    for s in structs:
        name = s.get("name") or s.get("typedef_name")
        if not name:
            continue
        seen.setdefault((s["kind"], name), []).append(s)
    return {k: v[0] for k, v in seen.items() if len(v) == 1}


def member_key(m):
    """A full-width, byte-aligned bitfield (`short m : 16`) is laid out as a
    plain member: clang's DWARF drops its DW_AT_bit_size, its BTF keeps it."""
    bits, first = m.get("bit_size"), m.get("bit_offset")
    if bits is not None and bits == m["size"] * 8 and first == m["offset"] * 8:
        bits = first = None
    return (m.get("name"), m["offset"], first, bits, m["size"])


class Tally:
    def __init__(self):
        self.compared = self.agree = 0
        self.failures = []
        self.align_diffs = []
        self.only_dwarf = 0
        self.dwarf_errors = 0

    @staticmethod
    def dwarf_wrong(probe, spelling, bm, dm):
        """How many members DWARF got wrong where BTF matches the compiler's
        own bit positions; None when some difference is not settled so."""
        count = 0
        for b, d in zip(bm, dm):
            if b == d:
                continue
            placed = probe.get((spelling, b[0]), probe.get((spelling.split(" ", 1)[1], b[0])))
            if placed is None or (b[2], b[3]) != placed:
                return None
            count += 1
        return count

    def compare(self, label, btf_structs, dwarf_structs, probe=None):
        """`probe`: (spelling, member) -> (first bit, bits) as the compiler
        placed them, which settles a bitfield the two encodings disagree on."""
        btf, dwarf = by_key(btf_structs), by_key(dwarf_structs)
        self.only_dwarf += len(set(dwarf) - set(btf))
        for key in sorted(set(btf) & set(dwarf)):
            b, d = btf[key], dwarf[key]
            self.compared += 1
            why = []
            if b["size"] != d["size"]:
                why.append("size %d, DWARF %d" % (b["size"], d["size"]))
            bm = [member_key(m) for m in b["members"]]
            dm = [member_key(m) for m in d["members"]]
            if bm != dm and probe is not None and len(bm) == len(dm):
                wrong = self.dwarf_wrong(probe, "%s %s" % key, bm, dm)
                if wrong is not None:
                    self.dwarf_errors += wrong
                    dm = bm
            if bm != dm:
                diff = [(x, y) for x, y in zip(bm, dm) if x != y][:2]
                why.append("members differ (%d vs %d) first: %s" % (len(bm), len(dm), diff))
            if why:
                self.failures.append("%s: %s %s: %s" % (label, key[0], key[1], "; ".join(why)))
            else:
                self.agree += 1
            if b["align"] != d["align"]:
                self.align_diffs.append("%s: %s %s: align %d inferred from BTF, %d from DWARF" % (
                    label, key[0], key[1], b["align"], d["align"]))

    def finish(self, what):
        pct = 100.0 * self.agree / self.compared if self.compared else 0.0
        print("%s: %d structs compared, %d agree in size and member offsets (%.1f %%), "
              "%d alignment differences, %d only in DWARF (not in the BTF)" % (
                  what, self.compared, self.agree, pct, len(self.align_diffs), self.only_dwarf))
        if self.dwarf_errors:
            print("  %d bitfields where the DWARF reference is wrong and BTF matches the compiler's "
                  "bit positions (clang 14 drops DW_AT_bit_size of an 8-bit field at a bit offset)"
                  % self.dwarf_errors)
        for line in self.align_diffs[:25]:
            print("  align: " + line)
        if len(self.align_diffs) > 25:
            print("  align: ... %d more" % (len(self.align_diffs) - 25))
        for line in self.failures:
            print("FAIL: " + line)
        if self.compared == 0:
            print("FAIL: nothing compared")
            return 1
        return 1 if self.failures else 0


def probe_bits(src, base):
    """Bitfield positions gen_structs' probe prints, compiled like the
    reference (x86_64 with an 8-byte long double); {} for fixtures."""
    probe_src = src.replace("_nocomplex.c", ".c")[:-2] + "_probe.c"
    if not os.path.exists(probe_src):
        return {}
    with open(probe_src) as f:
        text = f.read().replace(os.path.basename(src.replace("_nocomplex.c", ".c")), os.path.basename(src))
    with open(base + "_probe.c", "w") as f:
        f.write(text)
    built = run(["clang", "-mlong-double-64", "-w", "-I", os.path.dirname(src), base + "_probe.c",
                 "-o", base + "_probe"])
    if built.returncode:
        print("FAIL: probe does not build: " + built.stderr)
        sys.exit(1)
    out = run([base + "_probe"]).stdout
    bits = {}
    for line in out.splitlines():
        spelling, member, first, count = line.split("\t")
        bits[(spelling, member)] = (int(first), int(count))
    return bits


def without_complex(src):
    """BTF has no complex types, and clang 14's BPF backend then writes a
    wrong element type for arrays of them (`_Complex double m[1][2]` came
    out as an array of an unrelated struct): the random sources get a
    scalar of the same alignment instead, on both sides."""
    with open(src) as f:
        text = f.read()
    for complex_type, scalar in (("_Complex long double", "long double"),
                                 ("_Complex double", "double"),
                                 ("_Complex float", "float")):
        text = text.replace(complex_type, scalar)
    out = src[:-2] + "_nocomplex.c"
    with open(out, "w") as f:
        f.write(text)
    return out


def clang_bpf(tmp):
    if not shutil.which("clang"):
        print("FAIL: clang not found (a test dependency)")
        return 1
    tally = Tally()
    for src in fixtures(tmp):
        base = os.path.join(tmp, os.path.basename(src)[:-2])
        if os.path.basename(src).startswith("gen"):
            src = without_complex(src)
        bpf = run(["clang", "-target", "bpf", "-g", "-O0", "-w", "-c", src, "-o", base + ".bpf.o"])
        x86 = run(["clang", "--target=x86_64-linux-gnu", "-mlong-double-64", "-g", "-O0", "-w", "-c", src,
                   "-o", base + ".o"])
        if bpf.returncode or x86.returncode:
            print("FAIL: %s does not compile: %s%s" % (src, bpf.stderr, x86.stderr))
            return 1
        tally.compare(os.path.basename(src), report(base + ".bpf.o", "btf"), report(base + ".o", "dwarf"),
                      probe_bits(src, base))
    return tally.finish("clang -target bpf (.BTF)")


def detached(tmp):
    if not shutil.which("pahole") or not shutil.which("gcc"):
        print("FAIL: pahole and gcc are test dependencies (Debian: dwarves, gcc)")
        return 1
    tally = Tally()
    for src in fixtures(tmp):
        base = os.path.join(tmp, os.path.basename(src)[:-2])
        obj = run(["gcc", "-g", "-O0", "-w", "-c", src, "-o", base + ".o"])
        enc = obj.returncode or run(["pahole", "--btf_encode_detached=" + base + ".btf", base + ".o"]).returncode
        if obj.returncode or enc or not os.path.exists(base + ".btf"):
            print("FAIL: %s: could not build or encode: %s" % (src, obj.stderr))
            return 1
        tally.compare(os.path.basename(src), report(base + ".btf", "btf"), report(base + ".o", "dwarf"))
    return tally.finish("pahole --btf_encode_detached")


SPLIT_BASE = """
struct list_node { struct list_node *next, *prev; };
struct kobject_like { const char *name; struct list_node entry; unsigned refs : 20, state : 3; long flags; };
struct kobject_like g_kobj;
"""
SPLIT_MODULE = """
struct list_node { struct list_node *next, *prev; };
struct kobject_like { const char *name; struct list_node entry; unsigned refs : 20, state : 3; long flags; };
struct mod_state { char tag; struct kobject_like kobj; short id; struct list_node *head; double avg; };
struct mod_packed { char c; int i; long l; } __attribute__((packed));
union mod_u { struct mod_state s; char raw[3]; };
struct mod_state g_state; struct mod_packed g_packed; union mod_u g_u;
"""


def split(tmp):
    if not shutil.which("pahole") or not shutil.which("gcc"):
        print("FAIL: pahole and gcc are test dependencies (Debian: dwarves, gcc)")
        return 1
    paths = {}
    for name, text in (("base", SPLIT_BASE), ("module", SPLIT_MODULE)):
        with open(os.path.join(tmp, name + ".c"), "w") as f:
            f.write(text)
        paths[name] = os.path.join(tmp, name + ".o")
        if run(["gcc", "-g", "-O0", "-c", os.path.join(tmp, name + ".c"), "-o", paths[name]]).returncode:
            print("FAIL: gcc cannot compile the split BTF sources")
            return 1
    base_btf, mod_btf = os.path.join(tmp, "base.btf"), os.path.join(tmp, "module.btf")
    if run(["pahole", "--btf_encode_detached=" + base_btf, paths["base"]]).returncode or \
            run(["pahole", "--btf_encode_detached=" + mod_btf, "--btf_base=" + base_btf,
                 paths["module"]]).returncode:
        print("FAIL: pahole cannot encode split BTF")
        return 1
    return module(mod_btf, base_btf, paths["module"], "split BTF (pahole --btf_base)")


def module(path, base, dwarf_path=None, what=None):
    """Split BTF of `path` on `base` against the DWARF of `dwarf_path` (default: `path`)."""
    tally = Tally()
    tally.compare(os.path.basename(path), report(path, "btf", base), report(dwarf_path or path, "dwarf"))
    # The split part's own structs are all in the BTF; DWARF also lists the
    # base's that the module's units use, which is not a disagreement.
    tally.only_dwarf = 0
    return tally.finish(what or "%s on %s" % (path, base))


def kernel():
    if not os.access(KERNEL_BTF, os.R_OK):
        oc.skip("%s not present: the running kernel has no BTF" % KERNEL_BTF)
    if not shutil.which("pahole"):
        print("FAIL: pahole is a test dependency (Debian: dwarves)")
        return 1
    res = run(["pahole", "-F", "btf", "--sizes", KERNEL_BTF])
    if res.returncode:
        oc.skip("pahole cannot read %s: %s" % (KERNEL_BTF, res.stderr.strip()))
    pahole = {}
    for line in res.stdout.splitlines():
        fields = line.split("\t")
        if len(fields) >= 2 and fields[1].isdigit():
            pahole.setdefault(fields[0], set()).add(int(fields[1]))
    ours = {}
    for s in report(KERNEL_BTF, "btf"):
        if s.get("name"):   # pahole --sizes lists structs and unions by name
            ours.setdefault(s["name"], set()).add(s["size"])
    compared = [n for n in pahole if n in ours]
    bad = [n for n in compared if not (pahole[n] & ours[n])]
    print("%s: %d structs named by pahole, %d compared, %d sizes agree (%.2f %%)" % (
        KERNEL_BTF, len(pahole), len(compared), len(compared) - len(bad),
        100.0 * (len(compared) - len(bad)) / max(1, len(compared))))
    for n in bad[:20]:
        print("FAIL: struct %s: pahole %s, structfit %s" % (n, sorted(pahole[n]), sorted(ours[n])))
    return 1 if bad or not compared else 0


def main():
    ap = argparse.ArgumentParser()
    mode = ap.add_mutually_exclusive_group(required=True)
    mode.add_argument("--clang-bpf", action="store_true")
    mode.add_argument("--detached", action="store_true")
    mode.add_argument("--kernel", action="store_true")
    mode.add_argument("--split", action="store_true")
    mode.add_argument("--module", metavar="FILE")
    ap.add_argument("--base", help="base BTF of --module")
    ap.add_argument("--keep", help="build in DIR and keep it")
    args = ap.parse_args()
    if args.kernel:
        return kernel()
    if args.module:
        if not args.base:
            ap.error("--module needs --base")
        return module(args.module, args.base)
    tmp = args.keep or tempfile.mkdtemp(prefix="structfit-btf-")
    os.makedirs(tmp, exist_ok=True)
    try:
        if args.split:
            return split(tmp)
        return clang_bpf(tmp) if args.clang_bpf else detached(tmp)
    finally:
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
