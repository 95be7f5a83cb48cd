#!/usr/bin/env python3
"""structfit vs fieldalignment on one Go package (GOPATH mode): sizes, pointer bytes, moved fields.

usage: go-fieldalignment.py GOPATH IMPORT_PATH STRUCTFIT FIELDALIGNMENT
Builds the package's test binary, reads structfit's proposals (reorder
--format=json) and fieldalignment's (-json suggested fixes: its new field
order per struct), measures every declared struct with reflect (size and
pointer bytes, in a throw-away in-package test, so GOPATH must be a
writable copy), and computes each tool's proposed (size, pointer bytes)
by Go's rules from the member facts in structfit's JSON.  Prints one row
per struct either tool changes and the totals: how often structfit is
worse in size or pointer bytes (the claim is never), and the average
number of moved fields (fields minus the longest run kept in order).
Build fieldalignment from Debian's golang-golang-x-tools-dev:
  GOPATH=/usr/share/gocode GO111MODULE=off go build \
    golang.org/x/tools/go/analysis/passes/fieldalignment/cmd/fieldalignment
"""
import json, os, re, shutil, subprocess, sys, tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tests", "tools"))
import go_rules  # noqa: E402

gopath, ipath, structfit, fa = sys.argv[1:5]
structfit, fa = os.path.abspath(structfit), os.path.abspath(fa)
work = tempfile.mkdtemp(prefix="structfit-fa-")
env = dict(os.environ, GOPATH=gopath, GO111MODULE="off", GOFLAGS="", GOCACHE=os.environ.get("GOCACHE", os.path.join(work, "cache")),
           CGO_ENABLED="0")
pkgdir = os.path.join(gopath, "src", ipath)
PROBE = r'''package pflag

import (
	"fmt"
	"reflect"
	"testing"
	"unsafe"
)
''' + go_rules.ptrdata_func("zzPtrdata") + r'''
func TestZZProbe(t *testing.T) {
	for _, v := range []interface{}{FlagSet{}, Flag{}} {
		ty := reflect.TypeOf(v)
		fmt.Printf("size %s %d %d\n", ty.Name(), ty.Size(), zzPtrdata(ty))
	}
}
'''

def run(cmd, cwd, check=True):
    r = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    if check and r.returncode != 0:
        sys.exit("%s failed: %s" % (cmd, (r.stderr + r.stdout)[:800]))
    return r

pkgname = run(["go", "list", "-f", "{{.Name}}", "."], pkgdir).stdout.strip()
run(["go", "test", "-vet=off", "-c", "-o", os.path.join(work, "pkg.test"), "."], pkgdir)
doc = json.loads(run([structfit, "reorder", "--format=json", os.path.join(work, "pkg.test")], pkgdir).stdout)
mine = {}
for s in doc["structs"]:
    n = s["name"] or ""
    # Go describes named string, slice and interface types as structs too.
    members = [m["name"] for m in s["members"]]
    if members in (["str", "len"], ["array", "len", "cap"], ["tab", "data"], ["_type", "data"]):
        continue
    if n.startswith(ipath + ".") and "[" not in n and "." not in n[len(ipath) + 1:] and "\u00b7" not in n:
        mine[n[len(ipath) + 1:]] = s

def probe(dirname, names):
    src = PROBE.replace("package pflag", "package " + pkgname).replace("TestZZProbe", "TestZZProbeX")
    src = re.sub(r"\[\]interface\{\}\{FlagSet\{\}, Flag\{\}\}", "[]interface{}{" + ", ".join("%s{}" % n for n in names) + "}", src)
    path = os.path.join(dirname, "zz_probe_test.go")
    open(path, "w").write(src)
    out = run(["go", "test", "-vet=off", "-run", "TestZZProbeX", "-v", "."], dirname).stdout
    os.remove(path)
    return {m.group(1): (int(m.group(2)), int(m.group(3))) for m in re.finditer(r"^size (\S+) (\d+) (\d+)$", out, re.M)}

# fieldalignment's suggestions: its new field order per struct (by position of the struct keyword).
fa_out = json.loads(run([fa, "-json", "."], pkgdir, check=False).stdout or "{}")
fa_orders = {}
fa_edits = {}
text_of = {}
for diag in fa_out.get(ipath, {}).get("fieldalignment", []):
    for fix in diag.get("suggested_fixes", []):
        for e in fix["edits"]:
            fname = e["filename"]
            text = text_of.setdefault(fname, open(fname, "rb").read())
            before = text[:e["start"]].decode()
            m = re.search(r"(\w+)\s*(\[[^\]]*\])?\s*$", before)
            tname = m.group(1) if m else None
            names = [l.split()[0] for l in e["new"].splitlines()[1:-1] if l.strip() and not l.strip().startswith("//")]
            fa_orders[tname] = (names, diag["message"])
            fa_edits.setdefault(fname, []).append((e["start"], e["end"], e["new"], tname))
def go_measure(members, order):
    return go_rules.measure([(m["size"], m["align"], m["pointer_bytes"]) for m in members], order)

broken_anonymous = sum(1 for k in fa_orders if k not in mine)
fa_sizes = {}
for name, (names, _) in fa_orders.items():
    if name in mine:
        declared = [m["name"] for m in mine[name]["members"]]
        try:
            fa_sizes[name] = go_measure(mine[name]["members"], [declared.index(x) for x in names])
        except ValueError:
            pass
orig = probe(pkgdir, sorted(mine))

def moved(order):
    # n - longest increasing subsequence
    import bisect
    tails = []
    for x in order:
        i = bisect.bisect_left(tails, x)
        tails[i:i + 1] = [x]
    return len(order) - len(tails)

rows = []
for name, s in sorted(mine.items()):
    if name not in orig:
        continue
    p = s["proposal"]
    sf = (p["size"], p["pointer_bytes"]) if p["reason"] is None else orig[name]
    sf_moved = p["moved"] if p["reason"] is None else 0
    fa_sz = fa_sizes.get(name, orig[name])
    ours = go_measure(s["members"], p["order"])
    if p["reason"] is None and ours != sf:
        print("MISMATCH: %s: structfit predicts %s, its own order measures %s" % (name, sf, ours))
    if name in fa_orders:
        declared = [m["name"] for m in s["members"]]
        try:
            fa_moved = moved([declared.index(n) for n in fa_orders[name][0]])
        except ValueError:
            fa_moved = None
    else:
        fa_moved = 0
    rows.append((name, orig[name], sf, sf_moved, fa_sz, fa_moved))
worse = [r for r in rows if r[2] > r[4] and (r[2][0] > r[4][0] or r[2][1] > r[4][1])]
print("%-32s %-12s %-14s %-6s %-14s %-6s" % ("struct", "declared", "structfit", "moved", "fieldalign.", "moved"))
for r in rows:
    if r[2] != r[1] or r[4] != r[1]:
        print("%-32s %-12s %-14s %-6s %-14s %-6s" % (r[0], "%d/%d" % r[1], "%d/%d" % r[2], r[3], "%d/%d" % r[4], r[5]))
changed_sf = [r for r in rows if r[2] != r[1]]
changed_fa = [r for r in rows if r[5]]
print("fieldalignment edits of other (anonymous or unused) struct types not applied: %d" % broken_anonymous)
print("structs in DWARF: %d; structfit improves %d, fieldalignment rearranges %d" % (len(rows), len(changed_sf), len(changed_fa)))
print("structfit size > fieldalignment: %d; pointer bytes > fieldalignment: %d" %
      (sum(1 for r in rows if r[2][0] > r[4][0]), sum(1 for r in rows if r[2][1] > r[4][1])))
both = [r for r in rows if r[5] and r[3] is not None]
if both:
    print("moved fields on structs fieldalignment rearranges: structfit %.2f, fieldalignment %.2f (avg of %d)" %
          (sum(r[3] for r in both) / len(both), sum(r[5] for r in both) / len(both), len(both)))
