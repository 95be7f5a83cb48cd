#!/usr/bin/env python3
"""A Go heap profile drives --sort=impact: a program built with go at test time writes it with runtime/pprof.

The module has three structs allocated in very different numbers and
ways: 100000 of main.Hot by `&Hot{...}` kept alive in a slice, 10 of
main.Cold by a constructor the compiler inlines (the profile's location
holds the inlined frame), 300 of store.Item by a function of another
package, and one backing array of 1024 main.Pair by make([]Pair, n).
With runtime.MemProfileRate = 1 every allocation is recorded (objects
of at least 16 bytes or with pointers: none goes through the tiny
allocator), so the counts must be exact.  The profile is read gzipped as
runtime/pprof writes it, inflated, and as `go tool pprof -raw` text:
the same numbers each time.  A truncated gzip file, a truncated protobuf
and a CPU profile are refused with one line and exit 4; seeded mutations
of the profile are read or refused, never a crash.  STRUCTFIT_GO
chooses the go tool.
"""
import gzip
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile

BIN = os.environ.get("STRUCTFIT_BIN", "")
GO = os.environ.get("STRUCTFIT_GO", "go")
failures = 0


def fail(msg):
    global failures
    failures += 1
    print("FAIL: " + msg)


if not BIN or not os.access(BIN, os.X_OK):
    print("FAIL: STRUCTFIT_BIN not set or not executable (%r)" % BIN)
    sys.exit(1)
BIN = os.path.abspath(BIN)
if not shutil.which(GO):
    print("SKIP: go not installed")
    sys.exit(77)
scratch = os.environ.get("STRUCTFIT_SCRATCH_DIR") or tempfile.mkdtemp()
proj = os.path.join(scratch, "prof")
shutil.rmtree(proj, ignore_errors=True)
os.makedirs(os.path.join(proj, "store"))
env = dict(os.environ, GOCACHE=os.path.join(scratch, "gocache"), GOPATH=os.path.join(scratch, "gopath"),
           GOPROXY="off", GOFLAGS="-mod=mod", GOTOOLCHAIN="local", CGO_ENABLED="0", GO111MODULE="on")

STORE = '''// Package store allocates its own items.
package store

// Item is allocated by New, outside package main.
type Item struct {
	Live  bool
	Key   string
	Valid bool
	Count int64
	Small int8
}

// New is kept out of line so the allocating frame is store's.
//
//go:noinline
func New(i int) *Item {
	return &Item{Key: "k", Count: int64(i)}
}
'''

MAIN = '''package main

import (
	"os"
	"runtime"
	"runtime/pprof"

	"example.com/prof/store"
)

// Hot is padded and allocated 100000 times.
type Hot struct {
	flag  bool
	id    int64
	ok    bool
	next  *Hot
	small int8
}

// Cold is padded too but allocated 10 times.
type Cold struct {
	a    bool
	name string
	b    bool
	n    int64
}

// Pair lives in one backing array.
type Pair struct {
	k  int64
	on bool
	v  *int
}

var (
	hot   []*Hot
	cold  []*Cold
	items []*store.Item
	pairs []Pair
)

func newCold(i int) *Cold {
	return &Cold{name: "c", n: int64(i)}
}

func main() {
	runtime.MemProfileRate = 1
	hot = make([]*Hot, 0, 100000)
	for i := 0; i < 100000; i++ {
		hot = append(hot, &Hot{id: int64(i)})
	}
	for i := 0; i < 10; i++ {
		cold = append(cold, newCold(i))
	}
	for i := 0; i < 300; i++ {
		items = append(items, store.New(i))
	}
	pairs = make([]Pair, 1024)
	// The profile shows the heap as of the last GC.
	runtime.GC()
	f, err := os.Create(os.Args[1])
	if err != nil {
		panic(err)
	}
	if err := pprof.WriteHeapProfile(f); err != nil {
		panic(err)
	}
	f.Close()
	if len(os.Args) > 2 {
		g, err := os.Create(os.Args[2])
		if err != nil {
			panic(err)
		}
		if err := pprof.StartCPUProfile(g); err != nil {
			panic(err)
		}
		pprof.StopCPUProfile()
		g.Close()
	}
	runtime.KeepAlive(hot)
	runtime.KeepAlive(cold)
	runtime.KeepAlive(items)
	runtime.KeepAlive(pairs)
}
'''


def write(path, text):
    with open(os.path.join(proj, path), "w") as f:
        f.write(text)


def run(*cmd, check=True):
    res = subprocess.run(list(cmd), cwd=proj, env=env, capture_output=True)
    if check and res.returncode != 0:
        fail("%s exited %d: %s" % (" ".join(cmd), res.returncode, (res.stdout + res.stderr)[-600:]))
    return res


write("go.mod", "module example.com/prof\n\ngo 1.19\n")
write("store/store.go", STORE)
write("main.go", MAIN)
if run(GO, "build", "-o", "prog", ".").returncode != 0:
    sys.exit(1)
if run("./prog", "heap.pprof", "cpu.pprof").returncode != 0:
    sys.exit(1)
heap = os.path.join(proj, "heap.pprof")
with open(heap, "rb") as f:
    packed = f.read()
if packed[:2] != b"\x1f\x8b":
    fail("runtime/pprof did not write gzip data")
with open(os.path.join(proj, "heap.pb"), "wb") as f:
    f.write(gzip.decompress(packed))
raw = run(GO, "tool", "pprof", "-raw", "prog", "heap.pprof")
with open(os.path.join(proj, "heap.raw"), "wb") as f:
    f.write(raw.stdout)

EXPECT = {  # name: (allocations, peak, elements per block, size, size class)
    "main.Hot": (100000, 100000, 1, 40, 48),
    "main.Cold": (10, 10, 1, 40, 48),
    "example.com/prof/store.Item": (300, 300, 1, 48, 48),
    "main.Pair": (1024, 1024, 1024, 24, 24),
}


def check_profile(profile):
    summary = run(BIN, "report", "--summary", "--sort=impact", "--profile=" + profile, "prog")
    rows = [l.split() for l in summary.stdout.decode().splitlines()[1:] if l.strip()]
    if not rows or rows[0][:2] != ["struct", "main.Hot"] and rows[0][:2] != ["type", "main.Hot"]:
        fail("%s: --sort=impact does not rank main.Hot first: %s" % (profile, rows[:3]))
    else:
        print("ok: %s: main.Hot ranks first: %s" % (profile, " ".join(rows[0][1:8])))
    text = run(BIN, "report", "--sort=impact", "--profile=" + profile, "-C", "main.Hot", "prog").stdout.decode()
    want = "/* profile: 100000 allocations, 100000 live at peak; go 48 -> 24 bytes"
    if want not in text:
        fail("%s: text lacks %r:\n%s" % (profile, want, text[-400:]))
    res = run(BIN, "report", "--format=json", "--sort=impact", "--profile=" + profile, "prog")
    try:
        doc = json.loads(res.stdout)
    except ValueError:
        fail("%s: no JSON document" % profile)
        return {"structs": [], "profile": {"sites": []}}
    names = [s["name"] for s in doc["structs"]]
    if names[:1] != ["main.Hot"]:
        fail("%s: JSON order does not start with main.Hot: %s" % (profile, names[:3]))
    by_name = {s["name"]: s for s in doc["structs"]}
    for name, (allocs, peak, elements, size, cls) in EXPECT.items():
        imp = by_name.get(name, {}).get("impact") or {}
        got = (imp.get("allocations"), imp.get("peak_instances"), by_name.get(name, {}).get("size"),
               imp.get("size_class"))
        if got != (allocs, peak, size, cls):
            fail("%s: %s: (allocations, peak, size, class) %s, expected %s" %
                 (profile, name, got, (allocs, peak, size, cls)))
        else:
            print("ok: %s: %s: %d allocations, %d at peak, %d -> class %d" % (profile, name, allocs, peak, size, cls))
        if imp.get("members") and any(m["heat"] != "unknown" for m in imp["members"]):
            fail("%s: %s: member heat without access data" % (profile, name))
    sites = [s for s in doc["profile"]["sites"] if s["type"] in EXPECT]
    pair = [s for s in sites if s["type"] == "main.Pair"]
    if not pair or pair[0]["elements"] != EXPECT["main.Pair"][2] or pair[0]["block_size"] != 24576:
        fail("%s: main.Pair's array site: %s" % (profile, pair))
    cold = [s for s in sites if s["type"] == "main.Cold"]
    if not cold or cold[0]["function"] != "main.newCold" or cold[0]["how"] != "source line":
        fail("%s: main.Cold should be decided by the inlined newCold's line: %s" % (profile, cold))
    if doc["profile"].get("allocator") != "go":
        fail("%s: allocator %s, expected go" % (profile, doc["profile"].get("allocator")))
    return doc


docs = [check_profile(p) for p in ("heap.pprof", "heap.pb", "heap.raw")]
for doc in docs[1:]:
    if [s["impact"] for s in doc["structs"][:8]] != [s["impact"] for s in docs[0]["structs"][:8]]:
        fail("the inflated or -raw profile gives other numbers than the gzipped one")

# Bad profiles: one line on stderr, exit 4 as for DHAT.
with open(os.path.join(proj, "cut.pprof"), "wb") as f:
    f.write(packed[:len(packed) // 2])
with open(os.path.join(proj, "cut.pb"), "wb") as f:
    f.write(gzip.decompress(packed)[:200])
for bad, words in (("cut.pprof", "truncated or corrupt gzip data"),
                   ("cut.pb", "truncated or malformed protobuf at byte"),
                   ("cpu.pprof", "not a Go heap profile")):
    res = run(BIN, "report", "--profile=" + bad, "prog", check=False)
    err = res.stderr.decode()
    if res.returncode != 4 or words not in err or err.count("\n") != 1:
        fail("%s: exit %d, stderr %r; expected 4 and one line with %r" % (bad, res.returncode, err, words))
    else:
        print("ok: %s refused: %s" % (bad, err.strip()))

# Seeded byte mutations of the inflated and -raw profiles: each is read or
# refused (exit 0 or 4), never a crash.
rng = random.Random(16)
codes = {}
for i in range(120):
    with open(os.path.join(proj, "heap.pb" if i % 2 == 0 else "heap.raw"), "rb") as f:
        data = bytearray(f.read())
    for _ in range(rng.randint(1, 8)):
        data[rng.randrange(len(data))] = rng.randrange(256)
    with open(os.path.join(proj, "mutated"), "wb") as f:
        f.write(bytes(data))
    res = run(BIN, "report", "--summary", "-C", "main.*", "--profile=mutated", "prog", check=False)
    codes[res.returncode] = codes.get(res.returncode, 0) + 1
    if res.returncode not in (0, 4):
        fail("mutation %d: exit %d, %r" % (i, res.returncode, res.stderr[-300:]))
print("ok: 120 mutated profiles, exit statuses %s" % sorted(codes.items()))

print("go_profile: %d failures" % failures)
sys.exit(1 if failures else 0)
