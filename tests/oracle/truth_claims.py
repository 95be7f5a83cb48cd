#!/usr/bin/env python3
"""What the tool claims about fixtures/truth_claims.c, checked by the compiler.

For gcc and for clang on x86-64, i386, aarch64 and s390x:

  * packed structs align to 1 (the compiler's _Alignof), and a struct that
    only embeds one is not packed and gets a proposal that recompiles to
    exactly the predicted size;
  * `align_certain` is false exactly where DWARF cannot tell a packed
    layout from an unpacked one, and `assert --align` leaves those out: the
    generated header compiles against the fixture;
  * aligned(N) below the members' alignment is refused as "may be packed",
    not called packed or planned as if it were not;
  * "minimal" is only said of the unconstrained optimum: the leading-member
    rule names itself and the size without it, which --no-keep-first then
    proposes; a constraints file that binds is named the same way;
  * a flexible array member stays last in every proposal (as documented).

Usage: truth_claims.py   (environment as set by tests/CMakeLists.txt)
"""

import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tools"))
import oracle_common as oc  # noqa: E402

TARGETS = ["x86_64-linux-gnu", "i386-linux-gnu", "aarch64-linux-gnu", "s390x-linux-gnu"]
failures = []


def fail(label, what):
    failures.append("%s: %s" % (label, what))


def tool(*args, expect=0):
    proc = subprocess.run([oc.structfit_bin()] + list(args), stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE)
    if proc.returncode != expect:
        raise oc.OracleError("structfit %s exited %d: %s" % (
            " ".join(args), proc.returncode, proc.stderr.decode(errors="replace")))
    return proc.stdout.decode()


def compiler_values(compiler, scratch, src, exprs):
    """The compiler's value of each integer constant expression."""
    path = os.path.join(scratch, "values.c")
    with open(path, "w") as f:
        f.write('#include "%s"\n' % src)
        f.write('__attribute__((section(".sfvals"), used)) const unsigned long long sf_values[] = {\n')
        for e in exprs:
            f.write("\t%s,\n" % e)
        f.write("};\n")
    obj = path + ".o"
    oc.run(compiler + ["-w", "-c", path, "-o", obj])
    sections, order = oc.elf_sections(obj)
    raw = sections[".sfvals"]
    return [int.from_bytes(raw[i:i + 8], "little" if order == "<" else "big")
            for i in range(0, len(raw), 8)]


def proposal_compiles(compiler, scratch, js, prop, label):
    """Writes the struct in the proposed order and checks sizeof."""
    members = js["members"]
    body = []
    for i in prop["order"]:
        m = members[i]
        t = m["type"]
        if t.endswith("[]"):
            body.append("\t%s %s[];" % (t[:-2], m["name"]))
        elif t == "char" and m["align"] > 1:
            body.append("\t_Alignas(%d) %s %s;" % (m["align"], t, m["name"]))
        else:
            body.append("\t%s %s;" % (t, m["name"]))
    path = os.path.join(scratch, "proposal_%s.c" % js["name"])
    with open(path, "w") as f:
        f.write('#include "%s"\n' % os.path.join(oc.source_dir(), "fixtures", "truth_claims.c"))
        f.write("struct proposed {\n%s\n};\n" % "\n".join(body))
        f.write('_Static_assert(sizeof(struct proposed) == %d, "predicted size");\n' % prop["size"])
    proc = oc.run(compiler + ["-w", "-fsyntax-only", path], check=False)
    if proc.returncode != 0:
        fail(label, "proposal %s for %s does not compile to %d bytes: %s" % (
            prop["order"], js["name"], prop["size"],
            proc.stderr.decode(errors="replace").strip().splitlines()[:2]))


def check(label, compiler, scratch):
    src = os.path.join(oc.source_dir(), "fixtures", "truth_claims.c")
    obj = os.path.join(scratch, "truth.o")
    oc.run(compiler + ["-g", "-O0", "-w", "-c", src, "-o", obj])
    doc = oc.structfit_json(obj)
    by_name = {s["name"]: s for s in doc["structs"] if s.get("name")}
    names = [n for n in by_name if n.startswith("tc_")]
    truth = compiler_values(compiler, scratch, src, ["_Alignof(struct %s)" % n for n in names])
    align = dict(zip(names, truth))

    # Alignment: right wherever certain; the packed ones are 1 even when
    # the JSON cannot be sure.
    for n in names:
        js = by_name[n]
        if js.get("align_certain", True) and js["align"] != align[n]:
            fail(label, "%s: align %d (certain), compiler %d" % (n, js["align"], align[n]))
    packed = ["tc_packed_pair", "tc_packed_odd"]
    # i386 long double is 12 bytes aligned to 4: packing changes nothing.
    if "i386" not in label:
        packed.append("tc_packed_wide")
    for n in packed:
        if by_name[n]["align"] != 1 or not by_name[n]["packed"]:
            fail(label, "%s: align %d packed %s, expected 1 and packed" % (
                n, by_name[n]["align"], by_name[n]["packed"]))
    if not by_name["tc_packed_odd"].get("align_certain", True):
        fail(label, "tc_packed_odd: no member can keep an alignment, so 1 is certain")
    for n in ("tc_packed_pair", "tc_packed_natural"):
        if by_name[n].get("align_certain", True):
            fail(label, "%s: DWARF cannot tell its alignment, yet align_certain" % n)
    if by_name["tc_outer"]["packed"] or not by_name["tc_outer"].get("align_certain", True):
        fail(label, "tc_outer: embeds a packed struct but is not packed itself")

    # assert --align: the header compiles with the fixture.
    header = os.path.join(scratch, "asserts.h")
    tool("assert", "--align", "--offsets", "--include-local", "-o", header, obj)
    with open(header) as f:
        text = f.read()
    if "alignment 4 not asserted" not in text:
        fail(label, "assert --align does not say which alignments it leaves out")
    use = os.path.join(scratch, "use_asserts.c")
    with open(use, "w") as f:
        f.write('#include "%s"\n#include "%s"\n' % (src, header))
    proc = oc.run(compiler + ["-w", "-fsyntax-only", use], check=False)
    if proc.returncode != 0:
        fail(label, "assert --align header does not compile: %s" %
             proc.stderr.decode(errors="replace").strip().splitlines()[:3])

    # Proposals.
    plan = json.loads(tool("reorder", "--format", "json", obj))
    props = {s["name"]: s for s in plan["structs"] if s.get("name")}
    outer = props["tc_outer"]["proposal"]
    if outer["reason"] is not None or outer["size"] >= props["tc_outer"]["size"]:
        fail(label, "tc_outer: no smaller proposal (%s)" % outer["reason"])
    else:
        proposal_compiles(compiler, scratch, props["tc_outer"], outer, label)
    # gcc records the alignment in effect (4), clang the attribute's (2):
    # only the latter leaves `packed, aligned(2)` possible.
    low = props["tc_low_aligned"]["proposal"]
    if (not by_name["tc_low_aligned"].get("align_certain", True) and
            low["reason"] != "may be packed: the debug info cannot tell"):
        fail(label, "tc_low_aligned: uncertain alignment, yet reason %r" % low["reason"])
    if "clang" in label and by_name["tc_low_aligned"].get("align_certain", True):
        fail(label, "tc_low_aligned: DW_AT_alignment 2 below int's, yet align_certain")
    lead = props["tc_leading"]["proposal"]
    if (lead["optimal"] != "constrained" or lead.get("bound_by") != ["keep_first"] or
            "leading struct member" not in (lead["reason"] or "") or
            lead.get("unconstrained_size", 0) >= props["tc_leading"]["size"]):
        fail(label, "tc_leading: claims %s/%s (reason %r, %d bytes without the rule)" % (
            lead["optimal"], lead.get("bound_by"), lead["reason"], lead.get("unconstrained_size", 0)))
    text = tool("reorder", "-C", "tc_leading", obj)
    if "%d bytes with --no-keep-first" % lead.get("unconstrained_size", 0) not in text:
        fail(label, "tc_leading: text does not name the rule: %s" % text.strip())
    free = json.loads(tool("reorder", "--no-keep-first", "--format", "json", "-C", "tc_leading", obj))
    free_prop = free["structs"][0]["proposal"]
    if free_prop["size"] != lead.get("unconstrained_size", 0) or free_prop["optimal"] != "proven":
        fail(label, "tc_leading: --no-keep-first gives %d (%s), the rule said %d" % (
            free_prop["size"], free_prop["optimal"], lead.get("unconstrained_size", 0)))
    else:
        proposal_compiles(compiler, scratch, free["structs"][0], free_prop, label)
    rules = os.path.join(scratch, "rules.txt")
    with open(rules, "w") as f:
        f.write("pin tc_outer.x\npin tc_outer.d\n")
    bound = json.loads(tool("reorder", "--constraints", rules, "--format", "json", "-C", "tc_outer", obj))
    bprop = bound["structs"][0]["proposal"]
    if bprop["optimal"] == "proven" or "constraints" not in bprop.get("bound_by", []):
        fail(label, "tc_outer pinned: claims %s, bound_by %s" % (bprop["optimal"], bprop.get("bound_by", [])))
    flex = props["tc_flex"]["proposal"]
    last = len(props["tc_flex"]["members"]) - 1
    if flex["reason"] is None and flex["order"][-1] != last:
        fail(label, "tc_flex: flexible array moved: %s" % flex["order"])
    if flex["reason"] is not None:
        fail(label, "tc_flex: refused (%s), though the README says the array just stays last" % flex["reason"])
    elif flex["size"] >= props["tc_flex"]["size"]:
        fail(label, "tc_flex: no smaller order")


def main():
    compilers = []
    if oc.have("gcc"):
        compilers.append(("gcc", ["gcc"]))
    if oc.have("clang"):
        compilers += [("clang %s" % t, ["clang", "--target=" + t]) for t in TARGETS]
    if not compilers:
        oc.skip("neither gcc nor clang installed")
    root = oc.scratch_dir("truth_claims")
    checked = 0
    for label, compiler in compilers:
        scratch = os.path.join(root, label.replace(" ", "_"))
        os.makedirs(scratch, exist_ok=True)
        if not oc.compiler_works(compiler, scratch):
            continue
        try:
            check(label, compiler, scratch)
        except oc.OracleError as e:
            fail(label, "error: %s" % e)
        checked += 1
    for f in failures:
        print("FAIL: %s" % f)
    print("%d configurations, %d failures" % (checked, len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
