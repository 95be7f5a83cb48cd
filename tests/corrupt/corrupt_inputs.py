#!/usr/bin/env python3
"""Corrupt-input corpus: builds each recipe of fixtures/corrupt/recipes.txt and checks structfit fails cleanly.

usage: corrupt_inputs.py [--only NAME]... [--keep DIR]

For each recipe the input is compiled, patched, then given to
`structfit report` (text and JSON).  A run passes when it exits with one of
the recipe's codes within the time limit, and stderr holds only
`structfit: FILE: ...` lines (no sanitizer report, no signal).  Recipes
marked `xfail:` are known bugs: their failure is printed, not counted.
"""

import argparse
import base64
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tools"))
import corrupt_dwarf as cd  # noqa: E402

SKIP = 77
# Generous for ASan; a clean run of any recipe takes well under a second.
TIME_LIMIT = int(os.environ.get("STRUCTFIT_CORRUPT_TIMEOUT", "20"))


def source_dir():
    return os.environ.get("STRUCTFIT_SOURCE_DIR") or os.path.dirname(os.path.dirname(
        os.path.dirname(os.path.abspath(__file__))))


def generated_source(kind):
    """Valid C whose DWARF is deep or wide; exercises recursion and work bounds."""
    lines = []
    if kind == "deep_typedefs":
        lines.append("typedef int t0;")
        lines += ["typedef t%d t%d;" % (i - 1, i) for i in range(1, 20000)]
        lines.append("struct deep { t19999 v; char c; } g_deep;")
    elif kind == "deep_pointers":
        lines.append("typedef int *p0;")
        lines += ["typedef p%d *p%d;" % (i - 1, i) for i in range(1, 10000)]
        lines.append("struct deep { p9999 v; char c; } g_deep;")
    elif kind == "deep_structs":
        lines.append("struct s0 { char c; int i; };")
        lines += ["struct s%d { char c; struct s%d in; };" % (i, i - 1) for i in range(1, 5000)]
        lines.append("struct s4999 g_deep;")
    elif kind == "many_members":
        lines.append("struct wide {")
        lines += ["\tchar c%d; int i%d;" % (i, i) for i in range(50000)]
        lines.append("} g_wide;")
    elif kind == "deep_blocks":
        # Nested lexical blocks: a DIE tree thousands of levels deep.
        lines.append("int f(void) {")
        lines += ["{ volatile int v%d = %d;" % (i, i) for i in range(3000)]
        lines.append("}" * 3000)
        lines.append("return 0; }")
        lines.append("struct after { char c; long l; } g_after;")
    elif kind == "many_strings":
        # Past 65,536 strings clang indexes names with DW_FORM_strx3.
        lines += ["int v%d;" % i for i in range(70000)]
        lines.append("struct late { char c; long l; } g_late;")
    elif kind == "many_structs":
        for i in range(20000):
            lines.append("struct m%d { char c; long l%d; } g_m%d;" % (i, i, i))
    else:
        raise ValueError("unknown generator " + kind)
    return "\n".join(lines) + "\n"


# gcc needs ~20 s for the typedef chain, and clang overflows its stack on
# 5,000 nested struct definitions; clang emits the chain from its far end,
# which is what makes the reader recurse deeply.
GENERATOR_COMPILER = {"deep_typedefs": "clang", "many_strings": "clang"}


def crafted(kind):
    """DWARF written byte by byte, for shapes no compiler emits."""
    cu = (0x11, 1, [(0x03, 0x08)])                  # compile_unit, name: string
    block = (0x0b, 1, [])                           # lexical_block with children
    struct_t = (0x13, 1, [(0x03, 0x08), (0x0b, 0x0b)])   # name: string, byte_size: data1
    member = (0x0d, 0, [(0x03, 0x08), (0x49, 0x13), (0x38, 0x0b)])  # name, type: ref4, location
    base = (0x24, 0, [(0x03, 0x08), (0x0b, 0x0b), (0x3e, 0x0b)])    # name, byte_size, encoding
    if kind == "nesting_million":
        # A million nested blocks in 2 MB: recursion must be bounded by a
        # depth limit, not by the stack.
        depth = 1000000
        dies = b"\x01x\0" + b"\x02" * depth + b"\0" * depth + b"\0"
        abbrev, info = cd.crafted_unit({1: cu, 2: block}, dies)
    elif kind == "members_many":
        # One struct with 200,000 members, all of one base type at offset 0.
        head = b"\x01x\0"
        base_off = 11 + len(head)
        dies = head + b"\x02int\0\x04\x05" + b"\x03s\0\x08"
        dies += (b"\x04m\0" + struct.pack("<I", base_off) + b"\0") * 200000 + b"\0\0"
        abbrev, info = cd.crafted_unit({1: cu, 2: base, 3: struct_t, 4: member}, dies)
    elif kind == "no_attributes":
        # No abbreviation has an attribute: an empty attribute table.
        abbrev, info = cd.crafted_unit({1: (0x11, 1, []), 2: (0x13, 0, [])},
                                       b"\x01\x02\x02\0")
    else:
        raise ValueError("unknown crafted input " + kind)
    return cd.write_elf([(".debug_abbrev", abbrev), (".debug_info", info)])


def build_split(kind, workdir, name, src):
    """Split DWARF: (file to run, file to patch): an object and its .dwo
    (gcc's DWARF 5), or a shared object and its .dwp (binutils' dwp reads
    only DWARF 4)."""
    if kind == "dwo":
        out = os.path.join(workdir, name + ".o")
        subprocess.run(["gcc", "-g", "-gsplit-dwarf", "-O0", "-w", "-c", src, "-o", out], check=True)
        return out, os.path.join(workdir, name + ".dwo")
    out = os.path.join(workdir, name + ".so")
    subprocess.run(["gcc", "-g", "-gdwarf-4", "-gsplit-dwarf", "-O0", "-w", "-shared", "-nostdlib", "-fPIC",
                    src, "-o", out], check=True, cwd=workdir)
    subprocess.run(["dwp", "-e", out, "-o", out + ".dwp"], check=True, cwd=workdir)
    return out, out + ".dwp"


def build(kind, workdir, name):
    """(file to run, file to patch): the same file but for split DWARF."""
    src = os.path.join(source_dir(), "fixtures", "corrupt", "guards.c")
    if kind in ("dwo", "dwp4"):
        return build_split(kind, workdir, name, src)
    out = build_one(kind, workdir, name, src)
    return out, out


def build_one(kind, workdir, name, src):
    if kind == "found":
        # A fuzzer find, kept as base64 text (fixtures/corrupt/found/NAME.b64).
        out = os.path.join(workdir, name + ".o")
        with open(os.path.join(source_dir(), "fixtures", "corrupt", "found", name + ".b64")) as f:
            data = base64.b64decode(f.read())
        with open(out, "wb") as f:
            f.write(data)
        return out
    if kind.startswith("craft:"):
        out = os.path.join(workdir, name + ".o")
        with open(out, "wb") as f:
            f.write(crafted(kind[6:]))
        return out
    out = os.path.join(workdir, name + (".o" if kind == "o" or kind.startswith("gen:") else ".so"))
    if kind.startswith("gen:"):
        src = os.path.join(workdir, name + ".c")
        with open(src, "w") as f:
            f.write(generated_source(kind[4:]))
        cc = GENERATOR_COMPILER.get(kind[4:], "gcc")
        if shutil.which(cc) is None:
            cc = "gcc"
        cmd = [cc, "-g", "-O0", "-w", "-c", src, "-o", out]
    elif kind == "o":
        cmd = ["gcc", "-g", "-O0", "-w", "-c", src, "-o", out]
    elif kind == "ar":
        obj = os.path.join(workdir, name + ".o")
        subprocess.run(["gcc", "-g", "-O0", "-w", "-c", src, "-o", obj], check=True)
        out = os.path.join(workdir, name + ".a")
        if os.path.exists(out):
            os.unlink(out)
        cmd = ["ar", "rc", out, obj]
    elif kind in ("so", "so4"):
        cmd = ["gcc", "-g", "-O0", "-w", "-shared", "-nostdlib", "-fPIC", src, "-o", out]
        if kind == "so4":
            cmd.insert(1, "-gdwarf-4")
    else:
        raise ValueError("unknown build " + kind)
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    return out


DIE_SPEC = re.compile(r"^(DW_TAG_\w+)(?::([\w]+))?(?:#(\d+))?$")


def find(elf, spec):
    m = DIE_SPEC.match(spec)
    if not m:
        raise ValueError("bad DIE spec " + spec)
    return cd.find_die(elf, m.group(1), m.group(2), int(m.group(3) or 0))


def value_of(elf, text, die=None):
    """A patch value: number, `self`, `@DIE[+N]`, `filesize+N`, `strsize-N`."""
    text = text.strip()
    m = re.match(r"^(self|@[\w:#]+|filesize|strsize)?\s*([+-]\s*(?:0x[0-9a-fA-F]+|\d+))?$", text)
    if m and m.group(1):
        base_name = m.group(1)
        if base_name == "self":
            base = die.offset - die.unit
        elif base_name.startswith("@"):
            other = find(elf, base_name[1:])
            base = other.offset - other.unit
        elif base_name == "filesize":
            base = len(elf.data)
        else:
            base = elf.section(".debug_str")[1]
        return base + (int(m.group(2).replace(" ", ""), 0) if m.group(2) else 0)
    return int(text, 0)


def apply_patch(data, patch):
    words = patch.split()
    op = words[0]
    if op == "raw":
        _, offset, width, eq, value = words
        cd.put(data, int(offset, 0), int(width), int(value, 0))
        return
    elf = cd.Elf(data)
    if op == "sname":
        _, section, index, eq, value = words
        strtab = elf.header(elf.shstrndx)["offset"]
        name_pos = strtab + elf.header(elf.names[section])["name"]
        cd.put(data, name_pos + int(index, 0), 1, int(value, 0))
    elif op == "linedir":
        # linedir FILE = VALUE: directory index of a DWARF 5 line-table file entry
        _, index, eq, *rest = words
        dir_count, files = cd.line_file_entries(elf)
        form, pos, size = files[int(index)][2]    # DW_LNCT_directory_index
        value = " ".join(rest).replace("dircount", str(dir_count))
        if form in cd.ULEB_FORMS and size == 1 and int(value, 0) > 0x7f:
            raise ValueError("directory index %s does not fit the entry's 1-byte ULEB" % value)
        cd.put(data, pos, size, int(value, 0))
    elif op == "attr":
        _, spec, attr, eq, *rest = words
        assert eq == "="
        die = find(elf, spec)
        if cd.ATTRS[attr] not in die.attrs:
            raise LookupError("%s has no %s" % (spec, attr))
        form, pos, size = die.attrs[cd.ATTRS[attr]]
        if size == 0 or form in cd.ULEB_FORMS or form == cd.FORM_STRING:
            raise ValueError("%s %s: form 0x%x cannot be patched in place" % (spec, attr, form))
        cd.put(data, pos, size, value_of(elf, " ".join(rest), die))
    elif op == "lastcode":
        # lastcode = DIE: the null entry ending the first unit becomes a DIE
        # with DIE's abbreviation, whose attributes lie past the unit end.
        _, eq, spec = words
        die = find(elf, spec)
        code, _ = cd.uleb(data, die.code_pos)
        info_off, _ = elf.section(".debug_info")
        length, = struct.unpack_from("<I", data, info_off)
        if code > 0x7f:
            raise ValueError("abbreviation code %d needs more than one byte" % code)
        data[info_off + 4 + length - 1] = code
    elif op == "code":
        _, spec, eq, value = words
        die = find(elf, spec)
        code = int(value, 0)
        encoded = bytearray()
        for i in range(die.code_len):   # same width: pad the ULEB with continuation bytes
            byte = (code >> (7 * i)) & 0x7f
            encoded.append(byte | (0x80 if i + 1 < die.code_len else 0))
        data[die.code_pos:die.code_pos + die.code_len] = encoded
    elif op == "shdr":
        _, section, field, eq, *rest = words
        pos, size = elf.field_location(section, field)
        cd.put(data, pos, size, value_of(elf, " ".join(rest)))
    elif op == "bytes":
        _, section, offset, width, eq, *rest = words
        base = 0 if section == "ELF" else elf.section(section)[0]
        cd.put(data, base + int(offset, 0), int(width), value_of(elf, " ".join(rest)))
    elif op == "dwpcell":
        # dwpcell INDEX ROW SECTION_ID offset|size = VALUE: one cell of a
        # .dwp unit index (DWARF 5 section 7.3.5.3)
        _, index, row, section_id, which, eq, value = words
        base = elf.section(index)[0]
        version, columns, units, slots = struct.unpack_from("<IIII", data, base)
        ids = struct.unpack_from("<%dI" % columns, data, base + 16 + slots * 12)
        table = base + 16 + slots * 12 + columns * 4 + (units * columns * 4 if which == "size" else 0)
        cd.put(data, table + (int(row) * columns + ids.index(int(section_id))) * 4, 4, int(value, 0))
    elif op == "truncate":
        _, section, amount = words
        del data[elf.section(section)[0] + int(amount, 0):]
    else:
        raise ValueError("unknown patch " + op)


def parse_recipes(path):
    recipes = []
    with open(path) as f:
        for number, line in enumerate(f, 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            fields = [x.strip() for x in line.split("|")]
            if len(fields) != 4:
                raise ValueError("%s:%d: expected 4 fields" % (path, number))
            name, kind, patches, expect = fields
            xfail = expect.startswith("xfail:")
            codes = {int(c) for c in expect.replace("xfail:", "").split(",")}
            patch_list = [] if patches == "-" else [p.strip() for p in patches.split(";")]
            recipes.append((name, kind, patch_list, codes, xfail))
    return recipes


STDERR_LINE = re.compile(r"^structfit: .+")


def check_run(binary, path, extra, codes):
    """None when the run is clean, else what went wrong."""
    try:
        proc = subprocess.run([binary, "report"] + extra + [path], stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, timeout=TIME_LIMIT)
    except subprocess.TimeoutExpired:
        return "no answer within %d s (hang?)" % TIME_LIMIT
    err = proc.stderr.decode("utf-8", "replace")
    if proc.returncode < 0 or proc.returncode >= 128:
        return "killed by signal (%d): %s" % (proc.returncode, err[-600:])
    lines = err.splitlines()
    bad = [line for line in lines if not STDERR_LINE.match(line)]
    if bad:
        return "stderr is not one-line errors: %s" % err[-800:]
    if proc.returncode not in codes:
        return "exit %d, expected %s; stderr: %s" % (
            proc.returncode, ",".join(map(str, sorted(codes))), err.strip()[:300])
    if proc.returncode != 0 and not lines:
        return "exit %d without a message" % proc.returncode
    return None


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", action="append", default=[])
    parser.add_argument("--keep", help="directory to keep the built inputs in")
    args = parser.parse_args()

    binary = os.environ.get("STRUCTFIT_BIN") or os.path.join(source_dir(), "build", "structfit")
    if not os.access(binary, os.X_OK):
        print("FAIL: structfit binary not found at %s (set STRUCTFIT_BIN)" % binary)
        return 1
    if shutil.which("gcc") is None:
        print("SKIP: gcc is needed to build the corrupt inputs")
        return SKIP
    workdir = args.keep or os.environ.get("STRUCTFIT_SCRATCH_DIR") or tempfile.mkdtemp()
    os.makedirs(workdir, exist_ok=True)
    recipes = parse_recipes(os.path.join(source_dir(), "fixtures", "corrupt", "recipes.txt"))
    failures = xfails = runs = 0
    for name, kind, patches, codes, xfail in recipes:
        if args.only and name not in args.only:
            continue
        try:
            path, target = build(kind, workdir, name)
            data = bytearray(open(target, "rb").read())
            for patch in patches:
                apply_patch(data, patch)
            with open(target, "wb") as f:
                f.write(data)
        except (subprocess.CalledProcessError, LookupError, ValueError) as e:
            # A recipe that no longer finds its bytes must be fixed, not skipped.
            print("FAIL: %s: recipe does not apply: %s" % (name, e))
            failures += 1
            continue
        problems = []
        # A known hang would cost the time limit twice.
        for extra in ([], ["--format=json"])[:1 if xfail else 2]:
            runs += 1
            problem = check_run(binary, path, extra, codes)
            if problem:
                problems.append("%s%s" % (" ".join(extra) + ": " if extra else "", problem))
        if not problems and xfail:
            print("XPASS: %s: the known bug seems fixed; drop its xfail mark" % name)
        elif not problems:
            print("ok: %s" % name)
        elif xfail:
            xfails += 1
            print("XFAIL: %s (known bug): %s" % (name, problems[0]))
        else:
            failures += 1
            for p in problems:
                print("FAIL: %s: %s" % (name, p))
    print("corrupt_inputs: %d runs, %d failures, %d known bugs" % (runs, failures, xfails))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
