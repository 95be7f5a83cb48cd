#!/usr/bin/env python3
"""structfit's own DWARF decoder against libdwarf.

tests/tools/dwarf_ref reads each input through libdwarf alone (its ELF
reader, relocations and decompression; no structfit code) and lists every
named struct/union/class definition with its members.  This test compares
that with `structfit report --format json --local-types` on the fixture
objects, on clang --target objects (little- and big-endian, DWARF 2 to 5,
compressed sections), on g++/clang++ C++ fixtures, and on real debug files
when installed: the libc6-dbg file of libc.so.6 and one kernel module of a
linux-image-*-dbg package.  With FILE arguments it compares just those
(STRUCTFIT_BIN and STRUCTFIT_DWARF_REF set).

structfit merges identical definitions and lists other same-named layouts
as conflicts, so both sides are compared as sets keyed by (name, size):
every key libdwarf sees must be a struct or a conflict of structfit, every
named struct of structfit must be a key libdwarf saw, and each struct's
members (name, offset, bit offset, bit size) must equal one of libdwarf's
definitions of that key.  Bitfield offsets are compared in structfit's
convention (the type-sized storage unit holding the first bit; bits in
memory order from the struct start), which dwarf_ref computes from the
raw attributes on its own.  Member locations that are DWARF expressions
other than a lone DW_OP_plus_uconst are not evaluated by dwarf_ref and
are counted as skipped, not compared.
"""

import glob
import json
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tools"))
import oracle_common as oc  # noqa: E402

# (label, compiler, flags): --target objects, one big-endian, DWARF 2-5,
# and compressed sections (libdwarf 20210528 is built with zlib).
CLANG_VARIANTS = [
    ("clang-x86_64-dwarf5", ["--target=x86_64-linux-gnu", "-gdwarf-5"]),
    ("clang-i386-dwarf4", ["--target=i386-linux-gnu", "-gdwarf-4"]),
    ("clang-aarch64-dwarf5", ["--target=aarch64-linux-gnu", "-gdwarf-5"]),
    ("clang-armv7-dwarf4", ["--target=armv7-linux-gnueabihf", "-gdwarf-4"]),
    ("clang-s390x-dwarf4", ["--target=s390x-linux-gnu", "-gdwarf-4"]),
    ("clang-s390x-dwarf5", ["--target=s390x-linux-gnu", "-gdwarf-5"]),
    ("clang-s390x-dwarf2", ["--target=s390x-linux-gnu", "-gdwarf-2"]),
    ("clang-x86_64-dwarf2", ["--target=x86_64-linux-gnu", "-gdwarf-2"]),
    ("clang-s390x-dwarf5-gz", ["--target=s390x-linux-gnu", "-gdwarf-5", "-gz=zlib"]),
]
GCC_VARIANTS = [
    ("gcc-dwarf2", ["-gdwarf-2"]),
    ("gcc-dwarf3", ["-gdwarf-3"]),
    ("gcc-dwarf5-gz", ["-gdwarf-5", "-gz=zlib"]),
    ("gcc-dwarf4-zdebug", ["-gdwarf-4", "-gz=zlib-gnu"]),
    ("gcc-dwarf4-types", ["-gdwarf-4", "-fdebug-types-section"]),
]

failures = []
skipped_inputs = []


def fail(msg):
    failures.append(msg)
    print("FAIL: " + msg)


def dwarf_ref_bin():
    path = os.environ.get("STRUCTFIT_DWARF_REF")
    if path and os.access(path, os.X_OK):
        return path
    print("FAIL: dwarf_ref not found (set STRUCTFIT_DWARF_REF or run through ctest)")
    sys.exit(1)


def parse_ref(text):
    """dwarf_ref's lines -> {(name, size): [(kind, members), ...]}."""
    defs = {}
    current = None
    for line in text.splitlines():
        fields = line.split("\t")
        if fields[0] == "S":
            current = []
            defs.setdefault((fields[2], int(fields[3])), []).append((fields[1], current))
        elif fields[0] in ("M", "B"):
            current.append(ref_member(fields))
    return defs


def ref_member(fields):
    """A member in structfit's convention: (name, offset, bit_offset, bit_size)."""
    _, name, location, bit_offset, bit_size, type_size = fields
    if not bit_size:
        return (name, location, None, None)
    if bit_offset == "?":
        return (name, "?", "?", int(bit_size))
    bit = int(bit_offset)
    unit = int(type_size) if type_size != "?" else 0
    offset = bit // (unit * 8) * unit if unit else bit // 8
    return (name, str(offset), bit, int(bit_size))


def sf_members(struct, ref_like):
    """structfit's top-level members in the same shape.  Locations dwarf_ref
    left unevaluated ("?") are masked so only the rest is compared."""
    out = []
    members = list(struct["members"])
    # Virtual bases of bases are added after the members DWARF lists.
    while len(members) > len(ref_like) and members and members[-1].get("virtual_base"):
        members.pop()
    for i, m in enumerate(members):
        known = m.get("offset_known", True)
        offset = str(m["offset"]) if known else "?"
        bit_offset = m["bit_offset"]
        if i < len(ref_like) and ref_like[i][1] == "?":
            offset = "?"
            if bit_offset is not None:
                bit_offset = "?"
        out.append((m["name"] or "", offset, bit_offset, m["bit_size"]))
    return out


def structfit_doc(path):
    proc = subprocess.run([oc.structfit_bin(), "report", "--format", "json", "--local-types", path],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if proc.returncode != 0:
        raise oc.OracleError("structfit exit %d on %s: %s" % (
            proc.returncode, path, proc.stderr.decode(errors="replace").strip()))
    return json.loads(proc.stdout.decode())


def dwarf_ref(path):
    proc = subprocess.run([dwarf_ref_bin(), path], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if proc.returncode != 0:
        raise oc.OracleError("dwarf_ref exit %d on %s: %s" % (
            proc.returncode, path, proc.stderr.decode(errors="replace").strip()[:2000]))
    return parse_ref(proc.stdout.decode(errors="replace"))


# libdwarf 20210528 refuses to inflate a section whose uncompressed size is
# many times its compressed one ("Surely an invalid uncompress length"),
# which a small, mostly-zero section legitimately is (clang's unrelocated
# .debug_str_offsets in a RELA object).  Such files are skipped with a note,
# after checking that structfit loads them.
LIBDWARF_ZLIB_LIMIT = "DW_DLE_ZLIB_UNCOMPRESS_ERROR"


def compare(label, path, limit=20):
    """Compares one input; prints and returns (structs, members, mismatches)."""
    try:
        doc = structfit_doc(path)
        ref = dwarf_ref(path)
    except oc.OracleError as e:
        if LIBDWARF_ZLIB_LIMIT in str(e):
            print("note: %s: skipped, libdwarf 20210528 cannot inflate a highly compressed"
                  " section (structfit loaded it)" % label)
            skipped_inputs.append(label)
            return 0, 0, 0
        fail("%s: %s" % (label, e))
        return 0, 0, 1
    structs = members = skipped = 0
    problems = []
    seen = set()
    conflicts = set()
    for s in doc["structs"]:
        if not s["name"]:
            continue
        for c in s["conflicts"]:
            conflicts.add((s["name"], c["size"]))
        key = (s["name"], s["size"])
        seen.add(key)
        if key not in ref:
            problems.append("%s %s (%d bytes) only in structfit" % (s["kind"], key[0], key[1]))
            continue
        structs += 1
        candidates = [m for _, m in ref[key]]
        mine = [sf_members(s, c) for c in candidates]
        if any(a == b for a, b in zip(mine, candidates)):
            match = next(c for a, c in zip(mine, candidates) if a == c)
            members += len(match)
            skipped += sum(1 for m in match if m[1] == "?")
            continue
        problems.append("%s %s (%d bytes): structfit %s, libdwarf %s" % (
            s["kind"], key[0], key[1], mine[0], candidates[0]))
    for key in ref:
        if key not in seen and key not in conflicts:
            problems.append("%s (%d bytes) only in libdwarf" % key)
    for p in problems[:limit]:
        fail("%s: %s" % (label, p))
    if len(problems) > limit:
        fail("%s: ... and %d more" % (label, len(problems) - limit))
    print("%s: %d structs, %d members (%d expression locations not compared), %d mismatches"
          % (label, structs, members, skipped, len(problems)))
    return structs, members, len(problems)


def compile_variants(scratch):
    """Fixtures/*.c and fixtures/cxx/*.cc under each compiler variant."""
    sources = sorted(glob.glob(os.path.join(oc.source_dir(), "fixtures", "*.c")))
    cxx = sorted(glob.glob(os.path.join(oc.source_dir(), "fixtures", "cxx", "*.cc")))
    jobs = []
    if oc.have("clang"):
        for label, flags in CLANG_VARIANTS:
            jobs += [(label, ["clang"] + flags, src) for src in sources]
        jobs += [("clang++-dwarf5", ["clang++", "-gdwarf-5"], src) for src in cxx]
    else:
        print("note: clang not found, --target objects not compared")
    if oc.have("gcc"):
        for label, flags in GCC_VARIANTS:
            jobs += [(label, ["gcc"] + flags, src) for src in sources]
    if oc.have("g++"):
        jobs += [("g++-dwarf4", ["g++", "-gdwarf-4"], src) for src in cxx]
        jobs += [("g++-dwarf5", ["g++", "-gdwarf-5"], src) for src in cxx]
    out = []
    for label, cmd, src in jobs:
        name = os.path.splitext(os.path.basename(src))[0]
        obj = os.path.join(scratch, "%s-%s.o" % (name, label))
        proc = subprocess.run(cmd + ["-O0", "-w", "-fno-eliminate-unused-debug-types", "-c", src,
                                     "-o", obj], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        if proc.returncode != 0:
            # A cross target this clang lacks, or a fixture for another compiler.
            print("note: %s cannot compile %s" % (" ".join(cmd), os.path.basename(src)))
            continue
        out.append(("%s %s" % (label, os.path.basename(src)), obj))
    return out


def libc_debug_file():
    libc = "/lib/x86_64-linux-gnu/libc.so.6"
    if not os.path.exists(libc) or not oc.have("readelf"):
        return None
    proc = subprocess.run(["readelf", "-n", libc], stdout=subprocess.PIPE, universal_newlines=True)
    m = re.search(r"Build ID: ([0-9a-f]{2})([0-9a-f]+)", proc.stdout)
    if not m:
        return None
    path = "/usr/lib/debug/.build-id/%s/%s.debug" % (m.group(1), m.group(2))
    return path if os.path.exists(path) else None


def kernel_module():
    """One module of an installed linux-image-*-dbg package (or the copy
    scripts/bench.sh unpacks), or None."""
    roots = glob.glob("/usr/lib/debug/lib/modules/*/kernel")
    roots += glob.glob(os.path.expanduser(
        "~/.cache/structfit-bench/linux-image-*-dbg/usr/lib/debug/lib/modules/*/kernel"))
    for root in sorted(roots):
        for rel in ("net/key/af_key.ko", "fs/fat/fat.ko"):
            if os.path.exists(os.path.join(root, rel)):
                return os.path.join(root, rel)
        found = sorted(glob.glob(os.path.join(root, "*", "*", "*.ko")))
        if found:
            return found[0]
    return None


def main():
    if len(sys.argv) > 1:
        # By hand on other files (a vmlinux takes a minute and ~2 GB):
        # tests/oracle/oracle_libdwarf.py FILE...
        mismatches = sum(compare(os.path.basename(p), p)[2] for p in sys.argv[1:])
        return 1 if mismatches or failures else 0
    scratch = oc.scratch_dir("oracle_libdwarf")
    inputs = []
    fixture_dir = os.environ.get("STRUCTFIT_FIXTURE_DIR")
    if fixture_dir:
        inputs += [("fixture %s" % os.path.basename(p), p)
                   for p in sorted(glob.glob(os.path.join(fixture_dir, "*.o")))]
    inputs += compile_variants(scratch)
    libc = libc_debug_file()
    if libc:
        inputs.append(("libc", libc))
    else:
        print("note: no libc6-dbg debug file for libc.so.6, skipped")
    module = kernel_module()
    if module:
        inputs.append(("kernel module %s" % os.path.basename(module), module))
    else:
        print("note: no linux-image-*-dbg installed, kernel module skipped")
    if not inputs:
        oc.skip("no inputs")
    totals = [0, 0, 0]
    for label, path in inputs:
        for i, n in enumerate(compare(label, path)):
            totals[i] += n
    print("total: %d inputs (%d skipped), %d structs, %d members, %d mismatches"
          % (len(inputs), len(skipped_inputs), totals[0], totals[1], totals[2]))
    if failures:
        print("%d failures" % len(failures))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
