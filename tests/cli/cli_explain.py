#!/usr/bin/env python3
"""Checks `structfit reorder --explain` against the compiler.

Compiles a few structs, asks for the steps from each declared order to its
proposal, replays the moves, and compiles every intermediate order with
_Static_assert(sizeof(...) == size) for the size each step claims: the
steps are placed by the library's ABI engine, so the compiler must agree.
Also checks that the steps end at the proposal (its size, as many steps as
the proposal's moved members) and that a struct left alone gets none.
Environment: STRUCTFIT_BIN, CC (default gcc).  Exit 0 pass, 1 fail, 77 skip.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

SOURCE = r"""
struct two_moves { char a; long b; char c; int d; char e; short f; char g; long h; char i; };
struct one_move { char a; double b; char c; };
struct bits_and_more { char a; unsigned x:3; long b; unsigned y:5; char c; short d; };
struct already { long a; int b; char c; };
struct two_moves g1; struct one_move g2; struct bits_and_more g3; struct already g4;
"""

MEMBERS = {
    "two_moves": ["char a", "long b", "char c", "int d", "char e", "short f", "char g", "long h", "char i"],
    "one_move": ["char a", "double b", "char c"],
    "bits_and_more": ["char a", "unsigned x:3", "long b", "unsigned y:5", "char c", "short d"],
}


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


def main():
    binary = os.environ.get("STRUCTFIT_BIN") or (sys.argv[1] if len(sys.argv) > 1 else None)
    cc = os.environ.get("CC", "gcc")
    if not binary or not shutil.which(cc):
        print("SKIP: need STRUCTFIT_BIN and " + cc)
        sys.exit(77)
    tmp = tempfile.mkdtemp()
    try:
        run(binary, cc, tmp)
    finally:
        shutil.rmtree(tmp)
    print("PASS")


def run(binary, cc, tmp):
    src = os.path.join(tmp, "explain.c")
    with open(src, "w") as f:
        f.write(SOURCE)
    obj = os.path.join(tmp, "explain.o")
    subprocess.run([cc, "-g", "-c", src, "-o", obj], check=True)
    out = subprocess.run([binary, "reorder", "--explain", obj], capture_output=True, text=True)
    if out.returncode != 0:
        fail("reorder --explain exits %d: %s" % (out.returncode, out.stderr))
    lines = out.stdout.splitlines()
    moved = {}
    for line in lines:
        m = re.match(r"/\* size (\d+) -> (\d+) .*moved (\d+) of", line)
        if m:
            moved[len(moved)] = (int(m.group(1)), int(m.group(2)), int(m.group(3)))
    checks = []
    explained = 0
    i = 0
    while i < len(lines):
        m = re.match(r"/\* structfit: steps for (\w+): (\d+) -> (\d+) bytes in (\d+) moves? \*/", lines[i])
        i += 1
        if not m:
            continue
        name, before, after, count = m.group(1), int(m.group(2)), int(m.group(3)), int(m.group(4))
        if (before, after, count) != moved.get(explained):
            fail("%s: steps say %d -> %d in %d, the proposal %s" % (name, before, after, count, moved.get(explained)))
        explained += 1
        order = list(range(len(MEMBERS[name])))
        size = before
        for k in range(count):
            s = re.match(r"/\* structfit: %d\. move \w+ \((\d+) -> (\d+)\) .*: (\d+) bytes, (saves|grows) (\d+) \*/" % (k + 1),
                         lines[i + k])
            if not s:
                fail("%s: step %d unreadable: %s" % (name, k + 1, lines[i + k]))
            frm, to, new_size = int(s.group(1)), int(s.group(2)), int(s.group(3))
            delta = int(s.group(5)) * (1 if s.group(4) == "saves" else -1)
            if size - new_size != delta:
                fail("%s: step %d: %d -> %d but says %s %s" % (name, k + 1, size, new_size, s.group(4), s.group(5)))
            order.insert(to, order.pop(frm))
            checks.append((name, k, list(order), new_size))
            size = new_size
        if size != after:
            fail("%s: the last step leaves %d bytes, the proposal has %d" % (name, size, after))
        i += count
    names = {c[0] for c in checks}
    if names != set(MEMBERS):
        fail("explained %s, expected %s:\n%s" % (sorted(names), sorted(MEMBERS), out.stdout))
    if "already" in out.stdout.split("steps for")[-1]:
        fail("a struct left alone got steps")
    # The compiler is the oracle for every intermediate order.
    test = os.path.join(tmp, "steps.c")
    with open(test, "w") as f:
        for name, k, order, size in checks:
            fields = "; ".join(MEMBERS[name][j] for j in order)
            f.write("struct %s_%d { %s; };\n" % (name, k, fields))
            f.write("_Static_assert(sizeof(struct %s_%d) == %d, \"%s step %d\");\n" % (name, k, size, name, k + 1))
    res = subprocess.run([cc, "-std=c11", "-c", test, "-o", os.path.join(tmp, "steps.o")],
                         capture_output=True, text=True)
    if res.returncode != 0:
        fail("the compiler disagrees with a step's size:\n" + res.stderr)
    print("%d steps of %d structs agree with %s" % (len(checks), len(names), cc))


if __name__ == "__main__":
    main()
