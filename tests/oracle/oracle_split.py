#!/usr/bin/env python3
"""Split DWARF (issue 15): gcc and clang -gsplit-dwarf objects, executables
with their .dwo files, .dwp packages made by binutils' dwp and llvm-dwp,
with and without -fdebug-types-section, at DWARF 4 and 5, must report every
struct exactly as the same sources built with plain -g (size, every
member's offset, size, bit offset and bit size).  Also: a missing .dwo is
one warning naming the paths looked for, exit 5, the other units still
reported; --dwo-dir finds moved .dwo files; a .dwo of another build (id
mismatch) is one line and exit 4.  Prints a table of input kinds."""

import json
import os
import re
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"))
import oracle_common as oc  # noqa: E402

OBJECTS = 3
COMMON = """
struct split_common { char tag; long value; unsigned bits : 3, more : 9; short tail; };
struct split_common split_common_v%d;
"""


def write_sources(work, gen):
    """OBJECTS C files: generated structs renamed per file, a struct they
    all share, and main() in the first."""
    names = []
    for k in range(OBJECTS):
        base = os.path.join(work, "gen%d" % k)
        subprocess.run([gen, "--seed", str(1500 + k), "--count", "12", "--lp64", "-o", base],
                       check=True)
        with open(base + ".c") as f:
            text = f.read()
        text = re.sub(r"\bs(\d+)\b", r"o%ds\1" % k, text)
        text = text.replace("sfgen_", "sfgen%d_" % k).replace("SFGEN_", "SFGEN%d_" % k)
        text += COMMON % k
        if k == 0:
            text += "int main(void) { return 0; }\n"
        name = "unit%d.c" % k
        with open(os.path.join(work, name), "w") as f:
            f.write(text)
        names.append(name)
    return names


CXX_UNIT = """
namespace split%(k)d {
struct Base { virtual ~Base() {} char tag; };
struct Derived : Base { short s; long l; unsigned bits : 5, more : 11; };
template <typename T> struct Box { T value; char after; };
struct Holder { Box<int> a; Box<double> b; Derived d; };
Holder holder;
Box<char> box;
}
struct SplitShared { char c; long v; unsigned b : 3; };
SplitShared split_shared_%(k)d;
"""


def write_cxx_sources(work):
    """C++ sources for clang++: LLVM puts only types with a mangled name
    (C++, not C) into type units."""
    names = []
    for k in range(OBJECTS):
        name = "cxx%d.cpp" % k
        with open(os.path.join(work, name), "w") as f:
            f.write(CXX_UNIT % {"k": k} + ("int main() { return 0; }\n" if k == 0 else ""))
        names.append(name)
    return names


def run(cmd, cwd, check=True, timeout=120):
    try:
        res = subprocess.run(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             universal_newlines=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        # llvm-dwp never returns on most of gcc's DWARF 5 .dwo files: its
        # scan for the unit's abbreviation does not skip DW_FORM_implicit_const
        # values (LLVM issue 203625; llvm-dwp-16 of Debian 12's llvm-16 hangs
        # the same way, binutils' dwp crashes).
        res = subprocess.CompletedProcess(cmd, 124, "", "timed out after %d s" % timeout)
    if check and res.returncode != 0:
        raise RuntimeError("%s: exit %d: %s" % (" ".join(cmd), res.returncode, res.stderr.strip()))
    return res


def layouts(tool, path, extra=(), cwd=None):
    res = run([tool, "report", "--format=json", "-j", "1"] + list(extra) + [path], cwd or os.path.dirname(path),
              check=False)
    out = {}
    if res.stdout.strip():
        doc = json.loads(res.stdout)

        def members(ms):
            return [(m["name"], m["offset"], m["size"], m["bit_offset"], m["bit_size"],
                     members(m.get("members", []))) for m in ms]
        for s in doc["structs"]:
            out[(s["kind"], s["name"], s["typedef_name"])] = (s["size"], members(s["members"]), s["decl_file"])
    return res.returncode, res.stderr, out


def compare(plain, split, files=True):
    """(structs agreeing, structs in the plain build).  Declaring files are
    compared too unless `files` is false: a package's compile units name
    no skeleton, so their line tables are not known."""
    def strip(v):
        return v if files or v is None else v[:2]
    return sum(1 for k, v in plain.items() if strip(split.get(k)) == strip(v)), len(plain)


def build(cc, work, sources, flags, out_dir):
    os.makedirs(out_dir)
    objs = []
    for src in sources:
        obj = os.path.join(out_dir, os.path.splitext(src)[0] + ".o")
        run([cc] + flags + ["-O0", "-w", "-fno-eliminate-unused-debug-types", "-c",
                            os.path.join(work, src), "-o", obj], out_dir)
        objs.append(obj)
    exe = os.path.join(out_dir, "prog")
    run([cc, "-fuse-ld=bfd"] + objs + ["-o", exe], out_dir)
    return objs, exe


def main():
    tool = oc.structfit_bin()
    gen = oc.gen_structs_bin()
    work = oc.scratch_dir("split")
    sources = write_sources(work, gen)
    dwp_tools = []
    for t in ("dwp", "llvm-dwp-14", "llvm-dwp"):
        path = shutil.which(t)
        if path and os.path.realpath(path) not in [os.path.realpath(shutil.which(d)) for d in dwp_tools]:
            dwp_tools.append(t)
    compilers = [c for c in ("gcc", "clang") if shutil.which(c)]
    if not compilers:
        oc.skip("neither gcc nor clang found")
    # (compiler, sources, with and without type units)
    configs = [(cc, sources, (False, True)) for cc in compilers]
    if shutil.which("clang++"):
        configs.append(("clang++", write_cxx_sources(work), (True,)))
    rows = []
    failures = []

    def record(kind, plain, split_path, extra=(), files=True):
        code, err, got = layouts(tool, split_path, extra)
        agree, total = compare(plain, got, files)
        rows.append((kind, agree, total, code))
        if code != 0 or agree != total or total == 0:
            failures.append("%s: %d/%d agree, exit %d %s" % (kind, agree, total, code, err.strip()[:300]))

    for cc, sources, type_choices in configs:
        for version in (4, 5):
            for types in type_choices:
                flags = ["-g", "-gdwarf-%d" % version] + (["-fdebug-types-section"] if types else [])
                tag = "%s -gdwarf-%d%s" % (cc, version, " -fdebug-types-section" if types else "")
                name = "%s-%d%s" % (cc.replace("+", "x"), version, "-t" if types else "")
                plain_objs, plain_exe = build(cc, work, sources, flags, os.path.join(work, name + "-plain"))
                objs, exe = build(cc, work, sources, flags + ["-gsplit-dwarf"], os.path.join(work, name + "-split"))
                _, _, plain = layouts(tool, plain_exe)
                for k in range(OBJECTS if cc != "clang++" else 0):
                    _, _, plain_obj = layouts(tool, plain_objs[k])
                    record("%s: %s .o + .dwo" % (tag, os.path.basename(objs[k])), plain_obj, objs[k])
                record("%s: executable + .dwo" % tag, plain, exe)
                for dwp in dwp_tools:
                    pkg_dir = os.path.join(work, name + "-" + dwp)
                    os.makedirs(pkg_dir)
                    shutil.copy(exe, os.path.join(pkg_dir, "prog"))
                    made = run([dwp, "-e", exe, "-o", os.path.join(pkg_dir, "prog.dwp")], pkg_dir, check=False,
                               timeout=10)
                    if made.returncode != 0:
                        why = (made.stderr.strip().splitlines() or [""])[-1]
                        rows.append(("%s: .dwp by %s" % (tag, dwp), None, "%s exit %d %s" % (dwp, made.returncode, why),
                                     None))
                        continue
                    # The package alone: the .dwo files must not be what is read.
                    hidden = os.path.join(work, name + "-split-hidden")
                    os.rename(os.path.join(work, name + "-split"), hidden)
                    try:
                        record("%s: executable + .dwp (%s)" % (tag, dwp), plain, os.path.join(pkg_dir, "prog"))
                    finally:
                        os.rename(hidden, os.path.join(work, name + "-split"))
                if cc == compilers[0] and not types:
                    check_errors(tool, work, name, tag, plain, exe, failures, rows)

    print("%-72s %s" % ("input kind", "structs agreeing with plain -g (size, members, decl_file)"))
    for kind, agree, total, code in rows:
        if agree is None:
            print("%-72s not made: %s" % (kind, total))
        else:
            print("%-72s %d/%d%s" % (kind, agree, total, "" if code == 0 else " (exit %d)" % code))
    if failures:
        print("FAIL:\n  " + "\n  ".join(failures))
        return 1
    print("PASS: %d inputs" % sum(1 for r in rows if r[1] is not None))
    return 0


def check_errors(tool, work, name, tag, plain, exe, failures, rows):
    """Missing .dwo, --dwo-dir, and a .dwo from another build."""
    split_dir = os.path.dirname(exe)
    moved = os.path.join(work, name + "-moved")
    os.makedirs(moved)
    dwos = sorted(f for f in os.listdir(split_dir) if f.endswith(".dwo"))
    if len(dwos) != OBJECTS:
        failures.append("%s: expected %d .dwo files, found %s" % (tag, OBJECTS, dwos))
        return
    shutil.move(os.path.join(split_dir, dwos[1]), os.path.join(moved, dwos[1]))
    try:
        code, err, got = layouts(tool, exe)
        agree, total = compare(plain, got)
        lines = [l for l in err.splitlines() if l.strip()]
        # The other units' structs are all there; only the moved unit's own are not.
        rows.append(("%s: one .dwo missing (exit 5 expected)" % tag, agree, total, code))
        if (code != 5 or len(lines) != 1 or dwos[1] not in lines[0] or "not found" not in lines[0]
                or split_dir not in lines[0] or agree == 0 or agree == total):
            failures.append("%s: missing .dwo: exit %d, %d/%d, stderr %r" % (tag, code, agree, total, err))
        code, err, got = layouts(tool, exe, ["--dwo-dir", moved])
        agree, total = compare(plain, got)
        rows.append(("%s: one .dwo moved, --dwo-dir" % tag, agree, total, code))
        if code != 0 or agree != total or err.strip():
            failures.append("%s: --dwo-dir: exit %d, %d/%d, stderr %r" % (tag, code, agree, total, err))
        # The .dwo of another object in its place: ids differ.
        shutil.copy(os.path.join(split_dir, dwos[0]), os.path.join(split_dir, dwos[1]))
        code, err, got = layouts(tool, exe)
        lines = [l for l in err.splitlines() if l.strip()]
        rows.append(("%s: a .dwo of another unit (exit 4 expected)" % tag, *compare(plain, got), code))
        if code != 4 or len(lines) != 1 or "does not match" not in lines[0]:
            failures.append("%s: mismatched .dwo: exit %d, stderr %r" % (tag, code, err))
    finally:
        shutil.move(os.path.join(moved, dwos[1]), os.path.join(split_dir, dwos[1]))


if __name__ == "__main__":
    sys.exit(main())
