#!/usr/bin/env python3
"""structfit fix on a Go module: the diff applies, gofmt is clean, go build/vet/test pass, sizes match.

A two-package module (main and store) built with Debian's go: structs
with savings (a doc comment and struct tags to carry along, an `A, B int32`
line, a struct in a `type (...)` group, one embedding a patched struct by
value), and one struct per refusal: an unkeyed composite literal, unsafe
use, encoding/binary use, //structfit:ignore, a cgo-free keyed literal
that must not be refused.  The program prints reflect's size of every
struct before and after; each patched struct must have exactly the size
`fix` predicted, every other struct its old size.  A line gofmt would
change elsewhere in a patched file must stay as it was (fix keeps gofmt's
changes to the moved fields only).  STRUCTFIT_GO and STRUCTFIT_GOFMT
choose the tools.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

BIN = os.environ.get("STRUCTFIT_BIN", "")
GO = os.environ.get("STRUCTFIT_GO", "go")
GOFMT = os.environ.get("STRUCTFIT_GOFMT", "gofmt")
failures = 0


def fail(msg):
    global failures
    failures += 1
    print("FAIL: " + msg)


if not BIN or not os.access(BIN, os.X_OK):
    print("FAIL: STRUCTFIT_BIN not set or not executable (%r)" % BIN)
    sys.exit(1)
BIN = os.path.abspath(BIN)
if not shutil.which(GO) or not shutil.which(GOFMT) or not shutil.which("patch"):
    print("SKIP: go, gofmt or patch not installed")
    sys.exit(77)
scratch = os.environ.get("STRUCTFIT_SCRATCH_DIR") or tempfile.mkdtemp()
proj = os.path.join(scratch, "proj")
shutil.rmtree(proj, ignore_errors=True)
os.makedirs(os.path.join(proj, "store"))
env = dict(os.environ, GOCACHE=os.path.join(scratch, "gocache"), GOPATH=os.path.join(scratch, "gopath"),
           GOPROXY="off", GOFLAGS="-mod=mod", GOTOOLCHAIN="local", CGO_ENABLED="0", GO111MODULE="on")

STORE = '''// Package store holds structs with padding to remove.
package store

import (
	"encoding/binary"
	"io"
	"unsafe"
)

// Item is laid out badly.
type Item struct {
	// Flag says whether it is live.
	Flag  bool   `json:"flag"`
	Count int64  `json:"count"` // how many
	Ok    bool
	Name  string `json:"name"`
	A, B  int32
	Ptr   *int
	Small int8
}

// Pair keeps a two-name line.
type Pair struct {
	x, y int8
	p    *int
	z    int64
}

type (
	// Grouped sits in a type group.
	Grouped struct {
		on   bool
		when int64
		off  bool
	}
)

// Literal is used in an unkeyed composite literal.
type Literal struct {
	a bool
	b int64
	c bool
}

var lit = Literal{true, 2, false}

// Offsetted is measured with unsafe.
type Offsetted struct {
	a bool
	b int64
	c bool
}

var offB = unsafe.Offsetof(Offsetted{}.b)

// Wire goes through encoding/binary.
type Wire struct {
	a uint8
	b uint64
	c uint8
}

// ReadWire reads one Wire.
func ReadWire(r io.Reader) (Wire, error) {
	var w Wire
	err := binary.Read(r, binary.LittleEndian, &w)
	return w, err
}

//structfit:ignore
type Ignored struct {
	a bool
	b int64
	c bool
}

// Keyed has keyed literals only.
type Keyed struct {
	a bool
	b int64
	c bool
}

var keyed = Keyed{a: true, c: true}

// Unformatted on purpose: fix keeps gofmt's changes to the moved fields only.
var  spaced = 1

// NewKeyed returns a Keyed: a result type before a body is no literal.
func NewKeyed() *Keyed {
	k := &Keyed{b: 1}
	return k
}

// sizeOther measures another k: Keyed's variables are local to NewKeyed.
func sizeOther() uintptr {
	var k int64
	return unsafe.Sizeof(k)
}

// Keep keeps every type in the binary.
var Keep = []interface{}{ReadWire, &Wire{}, &Item{}, &Pair{}, &Grouped{}, &lit, &Offsetted{}, &Ignored{}, &keyed, offB, NewKeyed, sizeOther, spaced}
'''
STORE_TEST = '''package store

import "testing"

func TestKeyed(t *testing.T) {
	if !keyed.a || !keyed.c || keyed.b != 0 {
		t.Fatal("keyed literal changed meaning")
	}
	it := Item{Name: "x", Count: 3, A: 1, B: 2}
	if it.Name != "x" || it.Count != 3 || it.A+it.B != 3 {
		t.Fatal("fields")
	}
}
'''
MAIN = '''package main

import (
	"fmt"
	"reflect"

	"example.com/proj/store"
)

type Local struct {
	flag bool
	n    int64
	s    string
	b    bool
	store.Grouped
}

var L Local

func main() {
	fmt.Println(len(store.Keep), L.flag)
	for _, v := range []interface{}{store.Item{}, store.Pair{}, store.Grouped{}, store.Literal{}, store.Offsetted{},
		store.Wire{}, store.Ignored{}, store.Keyed{}, Local{}} {
		t := reflect.TypeOf(v)
		fmt.Printf("size %s.%s %d\\n", t.PkgPath(), t.Name(), t.Size())
	}
}
'''
CGO = '''package cg

// int twice(int x) { return 2 * x; }
import "C"

// CG holds a C type.
type CG struct {
	a bool
	b int64
	c bool
	n C.int
}

// Keep keeps CG in the binary.
var Keep = []interface{}{&CG{}}
'''
# cgo needs a C compiler; without one the cgo refusal is not checked.
cgo = shutil.which("gcc") is not None
if cgo:
    env["CGO_ENABLED"] = "1"
    MAIN = MAIN.replace('"example.com/proj/store"', '"example.com/proj/cg"\n\t"example.com/proj/store"')
    MAIN = MAIN.replace("fmt.Println(len(store.Keep), L.flag)", "fmt.Println(len(store.Keep), len(cg.Keep), L.flag)")
    os.makedirs(os.path.join(proj, "cg"))
files = {"go.mod": "module example.com/proj\n\ngo 1.19\n", "store/store.go": STORE,
         "store/store_test.go": STORE_TEST, "main.go": MAIN}
if cgo:
    files["cg/cg.go"] = CGO
for rel, text in files.items():
    with open(os.path.join(proj, rel), "w") as f:
        f.write(text)


def run(*cmd, check=True):
    res = subprocess.run(list(cmd), cwd=proj, env=env, capture_output=True, text=True)
    if check and res.returncode != 0:
        fail("%s: exit %d: %s" % (" ".join(cmd), res.returncode, (res.stderr + res.stdout)[:600]))
    return res


def sizes():
    if run(GO, "build", "-o", "prog", ".").returncode != 0:
        sys.exit(1)
    out = run(os.path.join(proj, "prog")).stdout
    return {m.group(1): int(m.group(2)) for m in re.finditer(r"^size (\S+) (\d+)$", out, re.M)}


before = sizes()
res = run(BIN, "fix", "--diff", "--source-root", ".", "prog", check=False)
if res.returncode != 0:
    fail("fix exits %d: %s" % (res.returncode, res.stderr[:400]))
diff = res.stdout
with open(os.path.join(scratch, "go.diff"), "w") as f:
    f.write(diff)
predicted = {m.group(1): (int(m.group(2)), int(m.group(3)))
             for m in re.finditer(r"^patched  (\S+) \(\S+\): (\d+) -> (\d+) bytes", res.stderr, re.M)}
skipped = {m.group(1): m.group(2).strip()
           for m in re.finditer(r"^skipped  (example\.com\S+|main\.\S+)\s+\S+\s+\d+ B\s+(.*)$", res.stderr, re.M)}
want_patched = {"example.com/proj/store.Item", "example.com/proj/store.Grouped", "example.com/proj/store.Keyed",
                "example.com/proj/store.Pair", "main.Local"}
if set(predicted) != want_patched:
    fail("patched %s, expected %s" % (sorted(predicted), sorted(want_patched)))


def line_of(text, needle):
    return text.splitlines().index(needle) + 1


refusals = {
    "example.com/proj/store.Literal": "unkeyed composite literal at store/store.go:%d"
    % line_of(STORE, "var lit = Literal{true, 2, false}"),
    "example.com/proj/store.Offsetted": "unsafe use at store/store.go:%d"
    % line_of(STORE, "var offB = unsafe.Offsetof(Offsetted{}.b)"),
    "example.com/proj/store.Wire": "encoding/binary use at store/store.go:%d"
    % line_of(STORE, "\terr := binary.Read(r, binary.LittleEndian, &w)"),
    "example.com/proj/store.Ignored": "//structfit:ignore at store/store.go:%d" % line_of(STORE, "//structfit:ignore"),
}
if cgo:
    refusals["example.com/proj/cg.CG"] = 'cgo (import "C") at cg/cg.go:%d' % line_of(CGO, 'import "C"')
for name, reason in refusals.items():
    if skipped.get(name) != reason:
        fail("%s: reason %r, expected %r" % (name, skipped.get(name), reason))
    else:
        print("ok: %s refused: %s" % (name, reason))
if "embedded fields moved" not in res.stderr:
    fail("no note on the embedded field of main.Local")

patch = subprocess.run(["patch", "-p1", "--quiet"], input=diff, cwd=proj, capture_output=True, text=True)
if patch.returncode != 0:
    fail("the diff does not apply: %s" % (patch.stdout + patch.stderr)[:400])
unformatted = run(GOFMT, "-l", ".").stdout.split()
if unformatted != ["store/store.go"]:
    fail("gofmt -l lists %s, expected only store/store.go (its unformatted var line)" % unformatted)
changes = [l for l in run(GOFMT, "-d", "store/store.go").stdout.splitlines()
           if l.startswith(("-", "+")) and not l.startswith(("---", "+++"))]
if changes != ["-var  spaced = 1", "+var spaced = 1"]:
    fail("gofmt would still change %s in store/store.go" % changes)
run(GO, "vet", "./...")
run(GO, "test", "./...")
after = sizes()
for name, size in after.items():
    want = predicted[name][1] if name in predicted else before[name]
    if size != want:
        fail("%s: %d bytes after the patch, predicted %d" % (name, size, want))
    else:
        print("ok: %s: %d -> %d bytes as predicted" % (name, before[name], size))
patched = open(os.path.join(proj, "store/store.go")).read()
if "\t// Flag says whether it is live.\n\tFlag " not in patched or \
        not re.search(r'\tCount +int64 +`json:"count"` // how many\n', patched):
    fail("comments or tags did not move with their fields:\n" + patched[:800])
if re.search(r"^\tA, B ", patched, re.M) and sum(1 for _ in re.finditer(r"^\t[AB] +int32", patched, re.M)):
    fail("A, B both kept and split")
if run(GO, "build", "./...").returncode == 0 and not failures:
    print("ok: diff applied, gofmt clean but for the line left unformatted on purpose, go build, vet and test pass")
print("go_fix: %d failures" % failures)
sys.exit(1 if failures else 0)
