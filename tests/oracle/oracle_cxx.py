#!/usr/bin/env python3
"""C++ layouts against g++ and clang++: bases only declared in a unit, virtual
bases, namespaces and nested classes, memberless types.

Every size and member offset structfit reports for the fixtures in
fixtures/cxx is compared with what a probe program, compiled with the same
compiler, prints for sizeof and for the member's (or base subobject's)
address minus the object's.  Bytes structfit cannot know are marked, never
counted as holes or padding."""

import json
import os
import re
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tools"))
import oracle_common as oc  # noqa: E402

FIXTURES = os.path.join(oc.source_dir(), "fixtures", "cxx")
# The DWARF version of the current pass (virtual base locations and type
# declarations are encoded alike in 4 and 5, but checked in both).
DWARF = ["-gdwarf-5"]
failures = []


def fail(msg):
    msg = "[%s] %s" % (DWARF[0], msg)
    failures.append(msg)
    print("FAIL: " + msg)


def run(cmd, cwd, check=True):
    p = subprocess.run(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       universal_newlines=True)
    if check and p.returncode != 0:
        raise RuntimeError("%s failed (%d): %s" % (" ".join(cmd), p.returncode, p.stderr))
    return p


def report(work, *args):
    p = run([oc.structfit_bin(), "report", "--format=json"] + list(args), work)
    return {s["name"] or s["typedef_name"]: s for s in json.loads(p.stdout)["structs"]}


def spelling(name):
    # Types of the probe's own unit are reachable without the unnamed namespace.
    return name.replace("(anonymous namespace)::", "")


IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(::[A-Za-z_][A-Za-z0-9_]*)*$")


def probe_lines(structs, names):
    """C++ statements printing name|size and name|member|offset."""
    out = []
    for name in names:
        s = structs[name]
        t = spelling(name)
        out.append("{ static %s o; char *b = (char *)&o;" % t)
        out.append('  std::printf("%s|size|%%zu\\n", sizeof(%s));' % (name, t))
        for i, m in enumerate(s["members"]):
            if m["type"] and m["name"] is None and m["type"].split(" ", 1)[0] in ("struct", "class"):
                base = m["type"].split(" ", 1)[1]
                expr = "(char *)static_cast<%s *>(&o) - b" % spelling(base)
            elif m["name"] and IDENT.match(m["name"]) and m["bit_size"] is None:
                expr = "(char *)&o.%s - b" % m["name"]
            else:
                continue
            out.append('  std::printf("%s|%d|%%ld\\n", (long)(%s));' % (name, i, expr))
        out.append("}")
    return out


def probe(work, cxx, tag, include, link, structs, names):
    src = os.path.join(work, "probe-%s.cc" % tag)
    with open(src, "w") as f:
        f.write("#include <cstdio>\n#include \"%s\"\n" % include)
        f.write("int main() {\n%s\nreturn 0; }\n" % "\n".join(probe_lines(structs, names)))
    exe = os.path.join(work, "probe-%s" % tag)
    run([cxx, "-std=c++11", "-w", "-I", FIXTURES, src] + link + ["-o", exe], work)
    facts = {}
    for line in run([exe], work).stdout.splitlines():
        name, what, value = line.rsplit("|", 2)
        facts[(name, what)] = int(value)
    return facts


def compare(cxx, what, structs, facts, names):
    """Every size and offset equal to the compiler's; unknowns only when allowed."""
    for name in names:
        s = structs.get(name)
        if s is None:
            fail("%s %s: struct %s not reported" % (cxx, what, name))
            continue
        if s["size"] != facts[(name, "size")]:
            fail("%s %s: %s size %d, compiler %d" % (cxx, what, name, s["size"], facts[(name, "size")]))
        for i, m in enumerate(s["members"]):
            key = (name, str(i))
            if key not in facts:
                continue
            if m.get("offset_known") is False:
                fail("%s %s: %s member %d (%s) has no offset, compiler says %d"
                     % (cxx, what, name, i, m["type"], facts[key]))
            elif m["offset"] != facts[key]:
                fail("%s %s: %s member %d (%s %s) at %d, compiler %d"
                     % (cxx, what, name, i, m["type"], m["name"], m["offset"], facts[key]))
        if s["contents_known"]:
            total = s["sum_members"] + sum(h["size"] for h in s["holes"]) + s["padding"]
            if total != s["size"] and s["kind"] != "union":
                fail("%s %s: %s members+holes+padding %d != size %d" % (cxx, what, name, total, s["size"]))


def expect(cond, msg):
    if not cond:
        fail(msg)


def declared_bases(cxx, work):
    names = ["Der", "Der2", "Holder"]
    for unit in ("declbase_key", "declbase_use"):
        run([cxx, DWARF[0], "-O0", "-c", os.path.join(FIXTURES, unit + ".cc"), "-o", unit + ".o"], work)
    run([cxx, DWARF[0], "-O0", "-shared", "-fPIC", "-o", "libdecl.so",
         os.path.join(FIXTURES, "declbase_key.cc"), os.path.join(FIXTURES, "declbase_use.cc")], work)
    both = report(work, "declbase_key.o", "declbase_use.o")
    facts = probe(work, cxx, "decl", os.path.join(FIXTURES, "declbase_use.cc"),
                  [os.path.join(work, "declbase_key.o")], both, names)
    for what, args in (("two objects", ["declbase_use.o", "declbase_key.o"]),
                       ("two objects, other order", ["declbase_key.o", "declbase_use.o"]),
                       ("linked library", ["libdecl.so"]),
                       ("linked library with -C", ["-C", "Der", "-C", "Der2", "libdecl.so"])):
        structs = report(work, *args)
        compare(cxx, what, structs, facts, [n for n in names if n in structs or "-C" not in args])
        for n in names:
            if n in structs:
                expect(structs[n]["contents_known"], "%s %s: %s still has unknown contents" % (cxx, what, n))
        # The base takes its bytes: no phantom hole behind a 0-byte base.
        holes = {n: [(h["offset"], h["size"]) for h in structs[n]["holes"]] for n in names if n in structs}
        expect(holes == {"Der": [], "Der2": [], "Holder": [(1, 7)]} or "-C" in args and
               holes == {"Der": [], "Der2": []}, "%s %s: holes %s" % (cxx, what, holes))
    compile_asserts(cxx, work, "decl", ["declbase_use.o", "declbase_key.o"], "declbase_use.cc")
    # Alone, the use unit may have no definition of Base (gcc): then its
    # bytes are unknown, never a hole.
    alone = report(work, "declbase_use.o")
    der = alone.get("Der")
    if der:
        base = der["members"][0]
        declared = base.get("size_known") is False
        expect(der["holes"] == [] and der["padding"] == facts[("Der", "size")] - 20 and
               der["contents_known"] != declared and (declared or base["size"] == 16),
               "%s alone: Der base %s holes %s padding %d contents_known %s" %
               (cxx, base, der["holes"], der["padding"], der["contents_known"]))
    else:
        fail("%s alone: Der not reported" % cxx)


def virtual_bases(cxx, work):
    names = ["V1", "B1", "B2", "D", "Y", "X", "W", "Q"]
    run([cxx, DWARF[0], "-O0", "-c", os.path.join(FIXTURES, "vbases.cc"), "-o", "vbases.o"], work)
    structs = report(work, "vbases.o")
    facts = probe(work, cxx, "vbase", os.path.join(FIXTURES, "vbases.cc"), [], structs, names)
    compare(cxx, "virtual bases", structs, facts, names)
    for n in names:
        expect(structs[n]["contents_known"], "%s: %s has unknown contents" % (cxx, n))
    # Indirect virtual bases are part of the object, listed or not.
    types = lambda n: [m["type"] for m in structs[n]["members"] if m.get("virtual_base")]  # noqa: E731
    expect(types("D") == ["struct A"], "%s: D's virtual bases %s" % (cxx, types("D")))
    expect(sorted(types("W")) == ["struct Y", "struct Z"], "%s: W's virtual bases %s" % (cxx, types("W")))


def scopes(cxx, work):
    run([cxx, DWARF[0], "-O0", "-c", os.path.join(FIXTURES, "scopes.cc"), "-o", "scopes.o"], work)
    structs = report(work, "scopes.o")
    want = {"a::S", "b::S", "a::inner::T", "Outer", "Outer::Inner", "(anonymous namespace)::S"}
    expect(want <= set(structs), "%s: names %s" % (cxx, sorted(structs)))
    facts = probe(work, cxx, "scope", os.path.join(FIXTURES, "scopes.cc"), [], structs, sorted(want & set(structs)))
    compare(cxx, "scopes", structs, facts, sorted(want & set(structs)))
    types = [m["type"] for m in structs.get("Outer", {"members": []})["members"]]
    expect(types == ["struct Outer::Inner", "struct a::S"], "%s: Outer's member types %s" % (cxx, types))
    one = report(work, "-C", "a::S", "scopes.o")
    expect(list(one) == ["a::S"], "%s: -C a::S selected %s" % (cxx, sorted(one)))
    header = compile_asserts(cxx, work, "scopes", ["scopes.o"], "scopes.cc")
    expect("sizeof(a::S) == 4" in header and "offsetof(a::inner::T, i)" in header,
           "%s: assert header lacks the qualified checks" % cxx)


def compile_asserts(cxx, work, tag, objects, fixture):
    """The assertion header of `objects` compiles as C++ next to the definitions."""
    header = run([oc.structfit_bin(), "assert", "--offsets", "--align", "--include-local"] + objects, work).stdout
    with open(os.path.join(work, "%s-asserts.h" % tag), "w") as f:
        f.write(header)
    with open(os.path.join(work, "%s-check.cc" % tag), "w") as f:
        f.write('#include "%s"\n#include "%s-asserts.h"\n' % (os.path.join(FIXTURES, fixture), tag))
    for compiler in ("g++", "clang++"):
        if shutil.which(compiler):
            p = run([compiler, "-std=c++11", "-Wall", "-Wextra", "-Werror", "-Wno-unused-variable",
                     "-I", FIXTURES, "-c", "%s-check.cc" % tag, "-o", "/dev/null"], work, check=False)
            expect(p.returncode == 0, "%s: %s assert header does not compile with %s: %s"
                   % (cxx, tag, compiler, p.stderr[:400]))
    return header


def memberless(cxx, work):
    run([cxx, DWARF[0], "-O0", "-c", os.path.join(FIXTURES, "opaque.cc"), "-o", "opaque.o"], work)
    structs = report(work, "opaque.o")
    u = structs.get("Memberless")
    if not u:
        fail("%s: Memberless not reported" % cxx)
        return
    expect(u["size"] == 8 and u["padding"] == 0 and u["contents_known"] is False,
           "%s: Memberless size %d padding %d contents_known %s" % (cxx, u["size"], u["padding"], u["contents_known"]))
    facts = probe(work, cxx, "opaque", os.path.join(FIXTURES, "opaque.cc"), [], structs, ["HoldsEmpty"])
    compare(cxx, "memberless", structs, facts, ["HoldsEmpty"])
    summary = run([oc.structfit_bin(), "report", "--summary", "--sort=waste", "opaque.o"], work).stdout
    row = [line.split() for line in summary.splitlines() if "Memberless" in line]
    # union Memberless SIZE HOLES PADDING WASTE ...: no waste to rank it by.
    expect(row and row[0][4] == "0" and row[0][5] == "0", "%s: summary row %s" % (cxx, row))


def main():
    compilers = [c for c in ("g++", "clang++") if shutil.which(c)]
    if not compilers:
        oc.skip("neither g++ nor clang++ found")
    root = os.environ.get("STRUCTFIT_SCRATCH_DIR") or "/tmp/structfit-oracle-cxx"
    for cxx in compilers:
        for version in ("-gdwarf-4", "-gdwarf-5"):
            DWARF[0] = version
            work = os.path.join(root, cxx + version)
            os.makedirs(work, exist_ok=True)
            for check in (declared_bases, virtual_bases, scopes, memberless):
                try:
                    check(cxx, work)
                except (RuntimeError, KeyError, json.JSONDecodeError) as e:
                    fail("%s %s: %s" % (cxx, check.__name__, e))
    if failures:
        print("%d failure(s)" % len(failures))
        sys.exit(1)
    print("PASS: C++ layouts agree with %s" % " and ".join(compilers))


if __name__ == "__main__":
    main()
