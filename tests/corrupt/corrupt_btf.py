#!/usr/bin/env python3
"""Corrupt BTF (issue 15): raw BTF files written byte by byte, each broken one way, must fail cleanly.

usage: corrupt_btf.py [--keep DIR]

Every case runs `structfit report` with --format-in=btf and with the
default (auto): it must exit with one of the case's codes (4: corrupt or
not BTF/ELF) within the time limit, print exactly one `structfit: FILE:`
line on stderr when it fails, and never die by a signal.  The valid
baseline and a .BTF section patched into a clang -target bpf object run
the same way.
"""

import argparse
import os
import shutil
import struct
import subprocess
import sys
import tempfile

TIME_LIMIT = int(os.environ.get("STRUCTFIT_CORRUPT_TIMEOUT", "20"))
INT, PTR, ARRAY, STRUCT, UNION, ENUM, FWD, TYPEDEF, VOLATILE, CONST = range(1, 11)


def structfit_bin():
    path = os.environ.get("STRUCTFIT_BIN") or os.path.join(
        os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "build", "structfit")
    if not os.access(path, os.X_OK):
        print("FAIL: structfit binary not found at %s (set STRUCTFIT_BIN)" % path)
        sys.exit(1)
    return path


class Btf:
    """A raw BTF image: types are appended in id order (id 1 first)."""

    def __init__(self):
        self.strings = b"\0"
        self.types = []

    def s(self, text):
        off = len(self.strings)
        self.strings += text.encode() + b"\0"
        return off

    def add(self, kind, name=0, vlen=0, size_or_type=0, extra=b"", kflag=0):
        info = (kflag << 31) | (kind << 24) | vlen
        self.types.append(struct.pack("<III", name, info, size_or_type) + extra)
        return len(self.types)

    def int_type(self, name, size):
        return self.add(INT, self.s(name), 0, size, struct.pack("<I", size * 8 | (1 << 24)))

    def struct_type(self, name, size, members, kind=STRUCT, kflag=0):
        extra = b"".join(struct.pack("<III", n, t, off) for n, t, off in members)
        return self.add(kind, name, len(members), size, extra, kflag)

    def bytes(self, magic=0xEB9F, type_len_delta=0, str_off_delta=0, str_len_delta=0):
        types = b"".join(self.types)
        header = struct.pack("<HBBIIIII", magic, 1, 0, 24, 0, len(types) + type_len_delta,
                             len(types) + str_off_delta, len(self.strings) + str_len_delta)
        return header + types + self.strings


def baseline():
    """struct pair { int a; struct pair *next; char tag[3]; unsigned bits:3; union { int u; }; }."""
    b = Btf()
    i32 = b.int_type("int", 4)                # id 1
    char = b.int_type("char", 1)              # id 2
    pair, anon = 5, 6
    ptr = b.add(PTR, 0, 0, pair)              # id 3
    arr = b.add(ARRAY, 0, 0, 0, struct.pack("<III", char, i32, 3))   # id 4
    b.struct_type(b.s("pair"), 32, [(b.s("a"), i32, 0), (b.s("next"), ptr, 64), (b.s("tag"), arr, 128),
                                     (b.s("bits"), i32, (3 << 24) | 152), (0, anon, 192)], kflag=1)
    b.struct_type(0, 4, [(b.s("u"), i32, 0)], kind=UNION)
    b.add(TYPEDEF, b.s("pair_t"), 0, pair)
    return b


def cases():
    """(name, file bytes, allowed exit codes)"""
    out = [("baseline", baseline().bytes(), {0})]
    out.append(("bad_magic", baseline().bytes(magic=0x1234), {4}))
    out.append(("truncated_header", baseline().bytes()[:10], {4}))
    out.append(("type_section_past_end", baseline().bytes(type_len_delta=4096), {4}))
    out.append(("string_section_past_end", baseline().bytes(str_len_delta=4096), {4}))
    out.append(("empty", b"", {4}))

    b = baseline()
    b.types[4] = b.types[4][:12] + struct.pack("<III", 60000, 1, 0) + b.types[4][24:]
    out.append(("member_name_offset_out_of_range", b.bytes(), {4}))
    b = baseline()
    b.types[0] = struct.pack("<III", 60000, INT << 24, 4) + b.types[0][12:]
    out.append(("type_name_offset_out_of_range", b.bytes(), {4}))

    b = baseline()
    b.types[4] = b.types[4][:12] + struct.pack("<III", 0, 999, 0) + b.types[4][24:]
    out.append(("member_type_id_past_end", b.bytes(), {4}))
    b = baseline()
    b.types[2] = struct.pack("<III", 0, PTR << 24, 999)
    out.append(("pointer_target_past_end", b.bytes(), {4}))

    b = Btf()
    i32 = b.int_type("int", 4)
    b.add(TYPEDEF, b.s("loop_a"), 0, 3)
    b.add(TYPEDEF, b.s("loop_b"), 0, 2)
    b.struct_type(b.s("holder"), 4, [(b.s("x"), 2, 0)])
    out.append(("typedef_loop", b.bytes(), {4}))

    b = Btf()
    b.int_type("int", 4)
    b.add(CONST, 0, 0, 2)
    b.struct_type(b.s("holder"), 4, [(b.s("x"), 2, 0)])
    out.append(("const_self_loop", b.bytes(), {4}))

    b = Btf()
    i32 = b.int_type("int", 4)
    b.struct_type(b.s("self"), 8, [(b.s("a"), i32, 0), (b.s("me"), 2, 32)])
    out.append(("struct_contains_itself", b.bytes(), {4}))

    b = Btf()
    i32 = b.int_type("int", 4)
    b.struct_type(b.s("a"), 8, [(b.s("b"), 3, 0)])
    b.struct_type(b.s("b"), 8, [(b.s("a"), 2, 0)])
    out.append(("structs_contain_each_other", b.bytes(), {4}))

    b = Btf()
    i32 = b.int_type("int", 4)
    b.add(ARRAY, 0, 0, 0, struct.pack("<III", 2, i32, 3))
    b.struct_type(b.s("holder"), 12, [(b.s("x"), 2, 0)])
    out.append(("array_of_itself", b.bytes(), {4}))

    b = Btf()
    i32 = b.int_type("int", 4)
    b.struct_type(b.s("outside"), 4, [(b.s("a"), i32, 0), (b.s("b"), i32, 64)])
    out.append(("member_outside_struct", b.bytes(), {4}))

    b = Btf()
    i32 = b.int_type("int", 4)
    big = b.add(ARRAY, 0, 0, 0, struct.pack("<III", i32, i32, 0xFFFFFFFF))
    b.add(ARRAY, 0, 0, 0, struct.pack("<III", big, i32, 0xFFFFFFFF))
    b.struct_type(b.s("huge"), 16, [(b.s("a"), 3, 0)])
    out.append(("array_size_overflow", b.bytes(), {4}))

    b = Btf()
    i32 = b.int_type("int", 4)
    b.add(STRUCT, b.s("many"), 0xFFFF, 4, struct.pack("<III", 0, i32, 0))
    out.append(("vlen_past_section", b.bytes(), {4}))

    b = Btf()
    b.add(31, b.s("weird"), 0, 4)
    out.append(("unknown_kind", b.bytes(), {4}))
    return out


def run_case(tmp, name, data, allowed, fmt):
    path = os.path.join(tmp, name + ".btf")
    with open(path, "wb") as f:
        f.write(data)
    cmd = [structfit_bin(), "report"] + (["--format-in", fmt] if fmt else []) + [path]
    try:
        res = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=TIME_LIMIT)
    except subprocess.TimeoutExpired:
        return "%s (%s): no answer within %d s" % (name, fmt or "auto", TIME_LIMIT)
    err = res.stderr.decode(errors="replace").splitlines()
    label = "%s (%s)" % (name, fmt or "auto")
    if res.returncode < 0:
        return "%s: killed by signal %d" % (label, -res.returncode)
    if res.returncode not in allowed:
        return "%s: exit %d, expected %s: %s" % (label, res.returncode, sorted(allowed), " | ".join(err))
    if res.returncode and (len(err) != 1 or not err[0].startswith("structfit: " + path + ": ")):
        return "%s: stderr is not one `structfit: FILE: ...` line: %r" % (label, err)
    print("ok   %-36s exit %d  %s" % (label, res.returncode, err[0] if err else ""))
    return None


def patched_bpf_object(tmp):
    """A clang -target bpf object whose .BTF gets a member type id past the end."""
    objcopy = shutil.which("llvm-objcopy")   # binutils' objcopy does not know EM_BPF
    if not shutil.which("clang") or not objcopy:
        return None
    src = os.path.join(tmp, "bpf.c")
    with open(src, "w") as f:
        f.write("struct pair { int a; long b; } g_pair;\n")
    obj = os.path.join(tmp, "bpf.o")
    if subprocess.run(["clang", "-target", "bpf", "-g", "-c", src, "-o", obj]).returncode:
        return None
    b = baseline()
    b.types[4] = b.types[4][:12] + struct.pack("<III", 0, 999, 0) + b.types[4][24:]
    with open(os.path.join(tmp, "bad.btf.bin"), "wb") as f:
        f.write(b.bytes())
    out = os.path.join(tmp, "bpf_bad_btf")
    if subprocess.run([objcopy, "--update-section", ".BTF=" + os.path.join(tmp, "bad.btf.bin"),
                       obj, out + ".btf"]).returncode:
        return None
    with open(out + ".btf", "rb") as f:
        return f.read()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--keep")
    args = ap.parse_args()
    tmp = args.keep or tempfile.mkdtemp(prefix="structfit-corrupt-btf-")
    os.makedirs(tmp, exist_ok=True)
    failures = []
    try:
        all_cases = cases()
        bpf = patched_bpf_object(tmp)
        if bpf is not None:
            all_cases.append(("bpf_object_bad_btf_section", bpf, {4}))
        else:
            print("note: no clang/llvm-objcopy: the .BTF section case is left out")
        for name, data, allowed in all_cases:
            for fmt in ("btf", None):
                # auto reads the DWARF of the BPF object first (exit 6: its
                # relocations are not supported), so only --format-in=btf counts there.
                ok_codes = allowed if fmt or name != "bpf_object_bad_btf_section" else allowed | {6}
                problem = run_case(tmp, name, data, ok_codes, fmt)
                if problem:
                    failures.append(problem)
    finally:
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
    for f in failures:
        print("FAIL: " + f)
    print("%d cases, %d failures" % (len(all_cases) * 2, len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
