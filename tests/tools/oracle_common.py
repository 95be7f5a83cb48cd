"""Shared helpers for the oracle tests: environment, running tools, reading ELF sections."""

import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile

SKIP = 77

TARGETS = [
    "x86_64-linux-gnu",
    "i386-linux-gnu",
    "armv7-linux-gnueabihf",
    "aarch64-linux-gnu",
    "s390x-linux-gnu",
    "powerpc64-linux-gnu",
    "riscv64-linux-gnu",
]
LP64_TARGETS = {"x86_64-linux-gnu", "aarch64-linux-gnu", "s390x-linux-gnu",
                "powerpc64-linux-gnu", "riscv64-linux-gnu"}


def skip(why):
    print("SKIP: " + why)
    sys.exit(SKIP)


def source_dir():
    return os.environ.get("STRUCTFIT_SOURCE_DIR") or os.path.dirname(os.path.dirname(
        os.path.dirname(os.path.abspath(__file__))))


def structfit_bin():
    path = os.environ.get("STRUCTFIT_BIN") or os.path.join(source_dir(), "build", "structfit")
    if not os.access(path, os.X_OK):
        # The tool under test missing is a failure, not a skip.
        print("FAIL: structfit binary not found at %s (set STRUCTFIT_BIN)" % path)
        sys.exit(1)
    return path


def gen_structs_bin():
    path = os.environ.get("STRUCTFIT_GEN_STRUCTS")
    if path and os.access(path, os.X_OK):
        return path
    print("FAIL: gen_structs not found (set STRUCTFIT_GEN_STRUCTS or run through ctest)")
    sys.exit(1)


def scratch_dir(name):
    base = os.environ.get("STRUCTFIT_SCRATCH_DIR")
    if not base:
        base = tempfile.mkdtemp(prefix="structfit-")
    path = os.path.join(base, name)
    if os.path.isdir(path):
        shutil.rmtree(path)
    os.makedirs(path)
    return path


def have(tool):
    return shutil.which(tool) is not None


def run(cmd, check=True, **kw):
    """Runs cmd; on failure raises with the command and its stderr."""
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kw)
    if check and proc.returncode != 0:
        raise OracleError("command failed (exit %d): %s\n%s" % (
            proc.returncode, " ".join(cmd), proc.stderr.decode(errors="replace")[:4000]))
    return proc


class OracleError(Exception):
    pass


def compiler_works(cmd_prefix, scratch):
    probe = os.path.join(scratch, "probe_compiler.c")
    with open(probe, "w") as f:
        f.write("struct s { char c; long l; } v;\n")
    proc = subprocess.run(cmd_prefix + ["-g", "-c", probe, "-o", probe + ".o"],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    return proc.returncode == 0


def structfit_json(obj):
    """Runs `structfit report --format json obj` and returns the parsed JSON."""
    proc = subprocess.run([structfit_bin(), "report", "--format", "json", obj],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if proc.returncode < 0 or proc.returncode >= 128:
        raise OracleError("structfit died with signal on %s: %s" % (
            obj, proc.stderr.decode(errors="replace")))
    if proc.returncode != 0:
        raise OracleError("structfit exit %d on %s: %s" % (
            proc.returncode, obj, proc.stderr.decode(errors="replace").strip()))
    try:
        return json.loads(proc.stdout.decode())
    except ValueError as e:
        raise OracleError("structfit printed invalid JSON for %s: %s\n%s" % (
            obj, e, proc.stdout.decode(errors="replace")[:2000]))


def index_structs(doc):
    """Maps C spellings ("struct s1", "union u2", "t3") to JSON structs; first wins."""
    out = {}
    for s in doc.get("structs", []):
        kind = s.get("kind")
        keyword = "union" if kind == "union" else "struct"
        if s.get("name"):
            out.setdefault("%s %s" % (keyword, s["name"]), s)
            if kind == "class":
                out.setdefault("class %s" % s["name"], s)
        if s.get("typedef_name"):
            out.setdefault(s["typedef_name"], s)
    return out


def elf_sections(path):
    """Returns ({name: bytes}, byte order char) for an ELF relocatable file."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:4] != b"\x7fELF":
        raise OracleError("%s is not ELF" % path)
    is64 = data[4] == 2
    order = "<" if data[5] == 1 else ">"
    if is64:
        shoff, = struct.unpack_from(order + "Q", data, 0x28)
        shentsize, shnum, shstrndx = struct.unpack_from(order + "HHH", data, 0x3A)
    else:
        shoff, = struct.unpack_from(order + "I", data, 0x20)
        shentsize, shnum, shstrndx = struct.unpack_from(order + "HHH", data, 0x2E)
    headers = []
    for i in range(shnum):
        base = shoff + i * shentsize
        if is64:
            name, stype, _flags, _addr, off, size = struct.unpack_from(order + "IIQQQQ", data, base)
        else:
            name, stype, _flags, _addr, off, size = struct.unpack_from(order + "IIIIII", data, base)
        headers.append((name, stype, off, size))
    strtab_off = headers[shstrndx][2]
    sections = {}
    for name, stype, off, size in headers:
        end = data.index(b"\0", strtab_off + name)
        sname = data[strtab_off + name:end].decode()
        sections[sname] = data[off:off + size] if stype != 8 else bytes(size)
    return sections, order


def first_bit(blob, big_endian):
    """(first bit in memory order, number of set bits) of a byte string."""
    first, count = -1, 0
    for i, byte in enumerate(blob):
        for b in range(8):
            if byte & (1 << b):
                pos = i * 8 + (7 - b if big_endian else b)
                if first < 0 or pos < first:
                    first = pos
                count += 1
    return first, count


def distinct_orders(keys):
    """Every distinct permutation of a list of keys, as index lists."""
    groups = {}
    for i, k in enumerate(keys):
        groups.setdefault(k, []).append(i)
    kinds = list(groups)
    counts = [len(groups[k]) for k in kinds]
    n = len(keys)
    out = []
    seq = []

    def rec():
        if len(seq) == n:
            # The i-th use of a kind takes its i-th declaration: any order
            # of identical declarations is the same layout.
            used = [0] * len(kinds)
            order = []
            for c in seq:
                order.append(groups[kinds[c]][used[c]])
                used[c] += 1
            out.append(order)
            return
        for c in range(len(kinds)):
            if counts[c]:
                counts[c] -= 1
                seq.append(c)
                rec()
                seq.pop()
                counts[c] += 1
    rec()
    return out
