#!/usr/bin/env python3
"""Mutation test: randomly corrupted fixture objects must give exit 0 or a clean one-line error, never a signal or a hang.

usage: corrupt_mutate.py [--count N] [--seed S] [--jobs J] [--only INDEX]

Mutant INDEX of seed S is always the same file: bytes flipped inside
.debug_info, .debug_abbrev, .debug_str, .debug_line, .debug_str_offsets or
the section headers of an object compiled from the fixtures (gcc and clang,
DWARF 4 and 5, type units, compressed sections, objects and shared
objects), and of split DWARF read on its own: .dwo files (gcc DWARF 4 and
5, clang DWARF 5 with type units) and .dwp packages (binutils' dwp, and
llvm-dwp on clang's DWARF 5), where the unit indexes are mutated too.  A failing mutant is kept in the scratch directory and printed
with the command that reproduces it.  CI runs a few hundred; pass
--count 5000 for a long run.
"""

import argparse
import collections
import concurrent.futures
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tools"))
import corrupt_dwarf as cd  # noqa: E402

SKIP = 77
# Exit codes of a clean run: ok, corrupt input, no debug info, unsupported,
# out of memory for absurd sizes (README "Exit codes").
CLEAN_CODES = {0, 4, 5, 6, 7}
TIME_LIMIT = int(os.environ.get("STRUCTFIT_CORRUPT_TIMEOUT", "30"))
REGIONS = [".debug_info", ".debug_info", ".debug_info", ".debug_abbrev", ".debug_abbrev",
           ".debug_str", ".debug_line", ".debug_str_offsets", "section headers"]
# Split DWARF's sections end in .dwo; a package adds its unit indexes.
SPLIT_REGIONS = [".debug_info.dwo", ".debug_info.dwo", ".debug_abbrev.dwo", ".debug_str.dwo",
                 ".debug_str_offsets.dwo", ".debug_cu_index", ".debug_tu_index", "section headers"]
INTERESTING = [0x00, 0xff, 0x7f, 0x80, 0x01, 0xfe, 0x40]
STDERR_LINE = re.compile(r"^structfit: .+")


def source_dir():
    return os.environ.get("STRUCTFIT_SOURCE_DIR") or os.path.dirname(os.path.dirname(
        os.path.dirname(os.path.abspath(__file__))))


def build_bases(workdir):
    """Compiles the objects mutants start from; returns their paths, in a fixed order."""
    src = source_dir()
    sources = [os.path.join(src, "fixtures", "basic.c"),
               os.path.join(src, "fixtures", "corrupt", "guards.c")]
    variants = [
        ("gcc5", ["gcc", "-g"], False),
        ("gcc4", ["gcc", "-gdwarf-4"], False),
        ("gcc4types", ["gcc", "-gdwarf-4", "-fdebug-types-section"], False),
        ("gccso", ["gcc", "-g", "-shared", "-nostdlib", "-fPIC"], True),
        ("clang5", ["clang", "-g"], False),
        ("clang4", ["clang", "-gdwarf-4"], False),
        ("clangso", ["clang", "-g", "-shared", "-nostdlib", "-fPIC"], True),
        ("gz", ["gcc", "-g", "-gz=zlib", "-shared", "-nostdlib", "-fPIC"], True),
    ]
    bases = []
    for source in sources:
        stem = os.path.splitext(os.path.basename(source))[0]
        for name, cmd, linked in variants:
            if shutil.which(cmd[0]) is None:
                continue
            out = os.path.join(workdir, "base-%s-%s.%s" % (stem, name, "so" if linked else "o"))
            full = cmd + ["-O0", "-w"] + ([] if linked else ["-c"]) + [source, "-o", out]
            if subprocess.run(full, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode == 0:
                bases.append(out)
        bases += build_split_bases(workdir, source, stem)
    return bases


def quiet(cmd, cwd, timeout=20):
    try:
        return subprocess.run(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              timeout=timeout).returncode == 0
    except subprocess.TimeoutExpired:
        return False


def build_split_bases(workdir, source, stem):
    """.dwo files and .dwp packages of `source`, each read on its own (the
    loader takes either without its skeleton)."""
    bases = []
    # (name, compiler and flags, packer): llvm-dwp 14 hangs on gcc's DWARF 5
    # and binutils' dwp only packs DWARF 4.
    variants = [
        ("gcc5", ["gcc", "-g"], None),
        ("gcc4", ["gcc", "-gdwarf-4"], "dwp"),
        ("clang5types", ["clang", "-g", "-fdebug-types-section"], "llvm-dwp"),
    ]
    for name, cmd, packer in variants:
        if shutil.which(cmd[0]) is None:
            continue
        obj = os.path.join(workdir, "split-%s-%s.o" % (stem, name))
        dwo = obj[:-2] + ".dwo"
        if not quiet(cmd + ["-gsplit-dwarf", "-O0", "-w", "-c", source, "-o", obj], workdir):
            continue
        if os.path.exists(dwo):
            bases.append(dwo)
        dwp = obj[:-2] + ".dwp"
        if packer and shutil.which(packer) and quiet([packer, "-o", dwp, dwo], workdir, timeout=10) and \
                os.path.exists(dwp):
            bases.append(dwp)
    return bases


def split_file(elf):
    try:
        elf.section(".debug_info.dwo")
        return True
    except KeyError:
        return False


def mutate(data, rng):
    """Flips a few bytes of one region; returns a description."""
    elf = cd.Elf(data)
    split = split_file(elf)
    region = rng.choice(SPLIT_REGIONS if split else REGIONS)
    if region == "section headers":
        start = elf.shoff
        size = elf.shnum * elf.shentsize
    else:
        try:
            start, size = elf.section(region)
        except KeyError:
            region = ".debug_info.dwo" if split else ".debug_info"
            start, size = elf.section(region)
        if start + size > len(data):
            size = max(0, len(data) - start)
    if size == 0:
        return "nothing to mutate in " + region
    edits = []
    for _ in range(rng.randint(1, 8)):
        pos = start + rng.randrange(size)
        kind = rng.randrange(3)
        if kind == 0:
            data[pos] ^= 1 << rng.randrange(8)
        elif kind == 1:
            data[pos] = rng.randrange(256)
        else:
            data[pos] = rng.choice(INTERESTING)
        edits.append("0x%x=0x%02x" % (pos, data[pos]))
    return "%s: %s" % (region, " ".join(edits))


def run_one(binary, bases, seed, index, workdir):
    rng = random.Random(seed * 1000003 + index)
    base = rng.choice(bases)
    data = bytearray(open(base, "rb").read())
    what = mutate(data, rng)
    ext = os.path.splitext(base)[1]
    path = os.path.join(workdir, "mutant-%d-%d%s" % (seed, index, ext))
    with open(path, "wb") as f:
        f.write(data)
    args = [binary, "report"] + (["--format=json"] if index % 2 else []) + [path]
    problem = None
    try:
        proc = subprocess.run(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                              timeout=TIME_LIMIT)
        code = proc.returncode
        err = proc.stderr.decode("utf-8", "replace")
        if code < 0 or code >= 128:
            problem = "killed by signal (exit %d): %s" % (code, err[-1500:])
        elif code not in CLEAN_CODES:
            problem = "exit %d: %s" % (code, err[-300:])
        elif any(not STDERR_LINE.match(line) for line in err.splitlines()):
            problem = "stderr is not one-line errors: %s" % err[-1500:]
        elif code != 0 and not err.strip():
            problem = "exit %d without a message" % code
    except subprocess.TimeoutExpired:
        code = "timeout"
        problem = "no answer within %d s (hang?)" % TIME_LIMIT
    if problem is None:
        os.unlink(path)
    return index, code, os.path.basename(base), what, problem, path


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=int(os.environ.get("STRUCTFIT_MUTANTS", "300")))
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--only", type=int, action="append", default=[])
    args = parser.parse_args()

    binary = os.environ.get("STRUCTFIT_BIN") or os.path.join(source_dir(), "build", "structfit")
    if not os.access(binary, os.X_OK):
        print("FAIL: structfit binary not found at %s (set STRUCTFIT_BIN)" % binary)
        return 1
    if shutil.which("gcc") is None:
        print("SKIP: gcc is needed to build the base objects")
        return SKIP
    workdir = os.environ.get("STRUCTFIT_SCRATCH_DIR") or tempfile.mkdtemp()
    workdir = os.path.join(workdir, "mutate")
    os.makedirs(workdir, exist_ok=True)
    bases = build_bases(workdir)
    if not bases:
        print("FAIL: no base object could be compiled")
        return 1
    indexes = args.only or range(args.count)
    codes = collections.Counter()
    failures = 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        futures = [pool.submit(run_one, binary, bases, args.seed, i, workdir) for i in indexes]
        for future in concurrent.futures.as_completed(futures):
            index, code, base, what, problem, path = future.result()
            codes[code] += 1
            if problem:
                failures += 1
                print("FAIL: mutant %d of seed %d (%s, %s): %s\n  input kept: %s\n"
                      "  reproduce: %s --seed %d --only %d"
                      % (index, args.seed, base, what, problem, path, sys.argv[0], args.seed, index))
    summary = ", ".join("exit %s: %d" % (k, v) for k, v in sorted(codes.items(), key=str))
    print("corrupt_mutate: %d mutants of %d bases, seed %d, %d failures (%s)"
          % (len(indexes), len(bases), args.seed, failures, summary))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
