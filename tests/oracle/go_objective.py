#!/usr/bin/env python3
"""Go structs against the Go compiler: Go-syntax reports, sizes and pointer bytes, reorder proposals.

A Go program with the article's Data/Better pair, a struct of every
pointer kind, trailing zero-size fields and 40 seeded random structs
prints unsafe.Sizeof and the pointer bytes of each (the runtime's ptrdata,
computed with reflect: the end of the last pointer-holding word).  The
JSON report must agree; every reorder proposal is compiled as a second
program whose structs take the proposed field order, and must have exactly
the predicted size and pointer bytes; for structs of up to 7 fields a
brute force over all orders (fields' sizes, alignments and pointer bytes
from reflect) must find nothing smaller in (size, pointer bytes).  The
text must read in Go syntax, say "32 bytes either way" for the article's
pair, and --syntax=c must give C back.  STRUCTFIT_GO chooses the compiler.
"""
import itertools
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tools"))
import go_rules  # noqa: E402

BIN = os.environ.get("STRUCTFIT_BIN", "")
GO = os.environ.get("STRUCTFIT_GO", "go")
failures = 0


def fail(msg):
    global failures
    failures += 1
    print("FAIL: " + msg)


def ok(msg):
    print("ok: " + msg)


if not BIN or not os.access(BIN, os.X_OK):
    print("FAIL: STRUCTFIT_BIN not set or not executable (%r)" % BIN)
    sys.exit(1)
BIN = os.path.abspath(BIN)
if not shutil.which(GO):
    print("SKIP: go not installed")
    sys.exit(77)

scratch = os.environ.get("STRUCTFIT_SCRATCH_DIR") or tempfile.mkdtemp()
os.makedirs(scratch, exist_ok=True)
env = dict(os.environ, GOCACHE=os.path.join(scratch, "gocache"), GOPATH=os.path.join(scratch, "gopath"),
           GOPROXY="off", GOFLAGS="-mod=mod", GOTOOLCHAIN="local", CGO_ENABLED="0", GO111MODULE="on")

FIXED = {
    "Data": [("id", "int64"), ("name", "string"), ("flag", "bool")],
    "Better": [("name", "string"), ("id", "int64"), ("flag", "bool")],
    "Kinds": [("flag", "bool"), ("count", "int64"), ("ok", "bool"), ("name", "string"), ("b2", "bool"),
              ("ptr", "*int"), ("n32", "int32"), ("m", "map[string]int"), ("ch", "chan int"),
              ("fn", "func(int) bool"), ("e", "interface{}"), ("i", "interface{ Foo() }"),
              ("sl", "[]int32"), ("arr", "[2]*int"), ("up", "unsafe.Pointer"), ("Inner", None),
              ("mixed", "[3]Inner"), ("_", "[0]func()")],
    "Tail": [("a", "int64"), ("b", "int32"), ("z", "struct{}")],
    "Marker": [("_", "[0]func()"), ("a", "bool"), ("p", "*int"), ("b", "bool")],
    "Inner": [("a", "int16"), ("b", "*int")],
}
POOL = ["bool", "int8", "int16", "int32", "int64", "float64", "string", "[]int32", "*int", "map[string]int",
        "chan int", "func(int) bool", "interface{}", "[3]byte", "[2]*int", "complex128", "struct{}", "Inner",
        "uintptr", "unsafe.Pointer", "[2]Inner", "uint16", "[5]uint16"]
rng = random.Random(16)
structs = dict(FIXED)
for k in range(40):
    n = rng.randint(2, 11)
    structs["R%d" % k] = [("f%d" % i, rng.choice(POOL)) for i in range(n)]

PROBE = go_rules.ptrdata_func() + '''
func probe(name string, v interface{}) {
	t := reflect.TypeOf(v).Elem()
	fmt.Printf("struct\\t%s\\t%d\\t%d\\n", name, t.Size(), ptrdata(t))
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		fmt.Printf("field\\t%s\\t%d\\t%d\\t%d\\t%d\\n", name, f.Offset, f.Type.Size(), f.Type.Align(), ptrdata(f.Type))
	}
}
'''


def program(dirname, defs):
    """Writes and builds a module whose main probes every struct of `defs`; returns the probe lines."""
    os.makedirs(dirname, exist_ok=True)
    with open(os.path.join(dirname, "go.mod"), "w") as f:
        f.write("module gomod\n\ngo 1.13\n")
    with open(os.path.join(dirname, "main.go"), "w") as f:
        f.write('package main\n\nimport (\n\t"fmt"\n\t"reflect"\n\t"unsafe"\n)\n\n')
        f.write("type Foo interface{ Foo() }\n\n")
        for name, fields in defs.items():
            f.write("type %s struct {\n" % name)
            for fname, ftype in fields:
                f.write("\t%s\n" % fname if ftype is None else "\t%s %s\n" % (fname, ftype))
            f.write("}\n\nvar G%s %s\n\n" % (name, name))
        f.write("var keep []interface{}\n")
        f.write(PROBE)
        f.write("\nfunc main() {\n")
        for name in defs:
            f.write("\tkeep = append(keep, &G%s)\n" % name)
        for name in defs:
            f.write('\tprobe("main.%s", &G%s)\n' % (name, name))
        f.write("}\n")
    res = subprocess.run([GO, "build", "-o", "prog", "."], cwd=dirname, env=env, capture_output=True, text=True)
    if res.returncode != 0:
        fail("go build in %s: %s" % (dirname, res.stderr[:600]))
        return None
    out = subprocess.run([os.path.join(dirname, "prog")], capture_output=True, text=True).stdout
    probe = {}
    for line in out.splitlines():
        w = line.split("\t")
        if w[0] == "struct":
            probe[w[1]] = {"size": int(w[2]), "ptr": int(w[3]), "fields": []}
        elif w[0] == "field":
            probe[w[1]]["fields"].append(tuple(int(x) for x in w[2:]))
    return probe


def structfit(*args):
    res = subprocess.run([BIN] + list(args), capture_output=True, text=True)
    if res.returncode != 0:
        fail("structfit %s: exit %d: %s" % (" ".join(args), res.returncode, res.stderr[:300]))
    return res.stdout


first = program(os.path.join(scratch, "declared"), structs)
if first is None:
    sys.exit(1)
binary = os.path.join(scratch, "declared", "prog")
report = {s["name"]: s for s in json.loads(structfit("report", "--format=json", binary))["structs"]
          if s["name"] and s["name"].startswith("main.")}
reorder = {s["name"]: s for s in json.loads(structfit("reorder", "--format=json", binary))["structs"]
           if s["name"] and s["name"].startswith("main.")}

for name, want in first.items():
    s = report.get(name)
    if s is None:
        fail("%s is not reported" % name)
        continue
    if s.get("language") != "go":
        fail("%s: language %r" % (name, s.get("language")))
    if (s["size"], s.get("pointer_bytes")) != (want["size"], want["ptr"]):
        fail("%s: size %d pointer bytes %s, the compiler says %d and %d"
             % (name, s["size"], s.get("pointer_bytes"), want["size"], want["ptr"]))
    elif [(m["offset"], m["size"]) for m in s["members"]] != [(f[0], f[1]) for f in want["fields"]]:
        fail("%s: member offsets/sizes differ from the compiler's" % name)
ok("%d Go structs: size, offsets and pointer bytes equal the compiler's" % len(first))

# Every proposal, compiled: exactly the predicted size and pointer bytes.
proposed = {}
for name, s in reorder.items():
    short = name[len("main."):]
    p = s["proposal"]
    if short not in structs or p["reason"] is not None:
        continue
    if p.get("pointer_bytes") is None:
        fail("%s: proposal without pointer_bytes" % name)
        continue
    proposed[short] = [structs[short][i] for i in p["order"]]
# Inner is a field type of others: its proposal is compiled on its own,
# so the others are measured with the Inner they were planned with.
changed = dict(structs)
changed.update({k: v for k, v in proposed.items() if k != "Inner"})
second = program(os.path.join(scratch, "proposed"), changed)
if second is not None and "Inner" in proposed:
    second.update(program(os.path.join(scratch, "proposed_inner"), {"Inner": proposed["Inner"]}) or {})
better_somewhere = 0
for short in proposed:
    name = "main." + short
    p = reorder[name]["proposal"]
    got = second[name] if second else None
    if got is None or (got["size"], got["ptr"]) != (p["size"], p["pointer_bytes"]):
        fail("%s: proposal predicts size %d pointer bytes %d, the compiler gives %s"
             % (name, p["size"], p["pointer_bytes"], got and (got["size"], got["ptr"])))
    if (p["size"], p["pointer_bytes"]) >= (first[name]["size"], first[name]["ptr"]):
        fail("%s: proposal %d/%d is no better than the declaration %d/%d"
             % (name, p["size"], p["pointer_bytes"], first[name]["size"], first[name]["ptr"]))
    if p["size"] < first[name]["size"] or p["pointer_bytes"] < first[name]["ptr"]:
        better_somewhere += 1
ok("%d proposals compiled with the predicted size and pointer bytes" % len(proposed))

# Nothing better exists for the small ones; identity answers are minimal.
checked = 0
for short, fields in structs.items():
    name = "main." + short
    f = [(x[1], x[2], x[3]) for x in first[name]["fields"]]
    if len(f) > 7 or name not in reorder:
        continue
    zero_pins = [i for i, (fn, ft) in enumerate(fields) if ft and ft.startswith("[0]")]
    best = min(go_rules.measure(f, o) for o in itertools.permutations(range(len(f)))
               if all(o[i] == i for i in zero_pins))
    p = reorder[name]["proposal"]
    have = (p["size"], p["pointer_bytes"])
    if have != best:
        fail("%s: proposal %s, brute force finds %s" % (name, have, best))
    checked += 1
ok("%d structs of up to 7 fields: (size, pointer bytes) equal the brute-force minimum" % checked)

# The article's pair: 32 bytes either way.
text = structfit("reorder", binary)
if "type main.Data struct {" not in text:
    fail("no Go-syntax proposal for main.Data")
if "/* size 32 -> 32 (saves 0 bytes, 0.0 %), pointer bytes 16 -> 8," not in text or \
        "no order is smaller: 7 bytes of tail padding no order removes" not in text:
    fail("main.Data: the saving line does not say 32 -> 32, pointer bytes 16 -> 8, 7 bytes of tail padding")
if ("/* type main.Better: 32 bytes, pointer bytes 8, unchanged: already minimal: "
        "7 bytes of tail padding no order removes */") not in text:
    fail("main.Better is not reported as minimal with 7 bytes of tail padding")
else:
    ok("article example: Data and Better 32 bytes either way, 7 bytes of tail padding")
kinds = structfit("report", binary)
for line in ["type main.Kinds struct {", "\tname            string ", "\tm               map[string]int ",
             "\tfn              func(int) bool ", "\tsl              []int32 ", "\tarr             [2]*int ",
             "\tmain.Inner  ", "\tmixed           [3]main.Inner ", "\t_               [0]func() ",
             "\t/* pointer bytes: %d */" % first["main.Kinds"]["ptr"]]:
    if line not in kinds:
        fail("Go-syntax report lacks %r" % line)
c_text = structfit("report", "--syntax=c", binary)
if "struct main.Kinds {" not in c_text or "type main.Kinds struct" in c_text:
    fail("--syntax=c does not print C")
res = subprocess.run([BIN, "report", "--syntax=rust", binary], capture_output=True, text=True)
if res.returncode != 2:
    fail("--syntax=rust exits %d, not 2" % res.returncode)
if better_somewhere < 10:
    fail("only %d proposals improve a struct" % better_somewhere)
print("go_objective: %d failures" % failures)
sys.exit(1 if failures else 0)
