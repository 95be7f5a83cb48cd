#!/bin/sh
# Whole Go and Rust programs: every probed struct's size, member offsets and sizes equal the compiler's.
#
# Go: a program with func, chan, map, interface, string, slice,
# unsafe.Pointer, complex, array-of-struct and embedded fields prints
# unsafe.Sizeof / unsafe.Offsetof of every field itself; the JSON report
# must agree on sizes, offsets, holes and padding (no phantom hole after a
# func field), and `--summary --sort=waste` must count only real waste.
# Rust: a normal `rustc -g` binary with main, linking std (whose
# dynamically sized types once made the load fail with exit 4), must load
# completely; its own repr(C), default-repr, fn-pointer and unsized
# ([T] tail) structs are compared with what the program prints
# (std::mem::size_of and field addresses; the code stays within rustc
# 1.63, Debian 12's: no offset_of!, no black_box, no let-else).
# STRUCTFIT_RUSTC and STRUCTFIT_GO choose the compilers (default: PATH).
set -u

bin=${STRUCTFIT_BIN:-}
scratch=${STRUCTFIT_SCRATCH_DIR:-$(mktemp -d)}
rustc=${STRUCTFIT_RUSTC:-rustc}
go=${STRUCTFIT_GO:-go}
failures=0
languages=0

if [ -z "$bin" ] || [ ! -x "$bin" ]; then
	echo "FAIL: STRUCTFIT_BIN not set or not executable ('$bin')"
	exit 1
fi
if ! command -v python3 >/dev/null 2>&1; then
	echo "SKIP: python3 is needed to read the JSON reports"
	exit 77
fi
case $bin in /*) ;; *) bin=$(pwd)/$bin ;; esac
mkdir -p "$scratch"
cd "$scratch" || exit 1

fail() {
	echo "FAIL: $*"
	failures=$((failures + 1))
}

# report NAME FILE: text, JSON and the waste summary must all exit 0 with
# nothing on stderr: the whole file is reported.
report() {
	for format in text json; do
		"$bin" report --format=$format "$2" >"$1.$format" 2>"$1.$format.err"
		status=$?
		if [ "$status" -ne 0 ] || [ -s "$1.$format.err" ]; then
			fail "$1 ($format): exit $status: $(head -c 300 "$1.$format.err")"
			return 1
		fi
	done
	"$bin" report --summary --sort=waste "$2" >"$1.summary" 2>"$1.summary.err"
	status=$?
	if [ "$status" -ne 0 ]; then
		fail "$1 (summary): exit $status: $(head -c 300 "$1.summary.err")"
		return 1
	fi
	# Go names anonymous structs by their whole body: such a name overflows
	# its row instead of widening the NAME column of every row.
	header=$(head -n 1 "$1.summary")
	if [ "${#header}" -gt 140 ]; then
		fail "$1 (summary): header line is ${#header} characters wide"
	fi
	"$bin" reorder --format=json "$2" >"$1.reorder" 2>"$1.reorder.err"
	status=$?
	if [ "$status" -ne 0 ]; then
		fail "$1 (reorder): exit $status: $(head -c 300 "$1.reorder.err")"
		return 1
	fi
	echo "ok: $1 reports completely ($(grep -c '^struct\|^class\|^union\|^type ' "$1.text") types)"
	return 0
}

# compare NAME PROBE-OUTPUT: the checks in compare.py, one line per finding
compare() {
	python3 "$scratch/compare.py" "$1" "$2" >"$1.compare"
	status=$?
	cat "$1.compare"
	if [ "$status" -ne 0 ]; then
		found=$(grep -c '^FAIL' "$1.compare")
		[ "$found" -gt 0 ] || fail "$1: compare.py exit $status"
		failures=$((failures + found))
	fi
}

# The probe prints "struct NAME SIZE [unsized]" and "field NAME MEMBER
# OFFSET SIZE [TYPE]" lines; the reports must say the same.
cat >compare.py <<'EOF'
import json, sys

name = sys.argv[1]
doc = json.load(open(name + ".json"))
structs = {}
for s in doc["structs"]:
    structs.setdefault(s["name"], []).append(s)
probe = {}
for line in open(sys.argv[2]):
    words = line.rstrip("\n").split("\t")
    if words[0] == "struct":
        probe[words[1]] = {"size": int(words[2]), "unsized": words[3:] == ["unsized"], "fields": []}
    elif words[0] == "field":
        probe[words[1]]["fields"].append((words[2], int(words[3]), int(words[4]), words[5] if len(words) > 5 else None))
failed = 0

def fail(msg):
    global failed
    failed += 1
    print("FAIL: %s: %s" % (name, msg))

def find(sname, want):
    """The definition of that name whose size the compiler gives."""
    for s in structs.get(sname, []):
        if s["size"] == want["size"]:
            return s
    return structs.get(sname, [None])[0]

for sname, want in probe.items():
    s = find(sname, want)
    if s is None:
        fail("struct %s is not reported" % sname)
        continue
    if s["size"] != want["size"]:
        fail("size of %s is %d, the compiler says %d" % (sname, s["size"], want["size"]))
    if s.get("unsized") != want["unsized"]:
        fail("%s: unsized is %s, should be %s" % (sname, s.get("unsized"), want["unsized"]))
    members = {m["name"]: m for m in s["members"]}
    expected_gaps = []
    end = 0
    for fname, offset, size, tname in sorted(want["fields"], key=lambda f: (f[1], f[2])):
        m = members.get(fname)
        if m is None:
            fail("%s.%s is not reported" % (sname, fname))
            continue
        if (m["offset"], m["size"]) != (offset, size):
            fail("%s.%s at %d size %d, the compiler says %d size %d"
                 % (sname, fname, m["offset"], m["size"], offset, size))
        if tname and m["type"] != tname:
            fail("%s.%s has type %r, should be %r" % (sname, fname, m["type"], tname))
        if offset > end:
            expected_gaps.append({"offset": end, "size": offset - end})
        end = max(end, offset + size)
    if len(members) != len(want["fields"]):
        fail("%s has %d members, the compiler %d" % (sname, len(members), len(want["fields"])))
    padding = 0 if want["unsized"] else want["size"] - end
    want["waste"] = [len(expected_gaps), padding, sum(g["size"] for g in expected_gaps) + padding]
    if s["holes"] != expected_gaps or s["padding"] != padding:
        fail("%s: holes %s padding %d, the compiler's offsets give %s padding %d"
             % (sname, s["holes"], s["padding"], expected_gaps, padding))
    else:
        print("ok: %s: %s: size %d, %d members, holes %s, padding %d"
              % (name, sname, s["size"], len(members), [h["size"] for h in expected_gaps], padding))

# The waste summary (SIZE HOLES PADDING WASTE CACHELINES DECLARED)
# counts the compiler's gaps, nothing else.
rows = {}
for line in open(name + ".summary"):
    words = line.split()
    if len(words) >= 7 and words[0] in ("struct", "class", "union", "type"):
        rows.setdefault(" ".join(words[1:-6]), []).append([int(w) for w in words[-6:-2]])
for sname, want in probe.items():
    row = [want["size"]] + want.get("waste", [])
    if row not in rows.get(sname, []):
        fail("summary rows of %s are %s, the compiler's layout gives %s" % (sname, rows.get(sname), row))
    else:
        print("ok: %s: summary row of %s: size, holes, padding, waste = %s" % (name, sname, row))

# Every reported struct is consistent: members inside the size, unsized
# structs only with an unsized member or as trait objects.
for s in doc["structs"]:
    for m in s["members"]:
        if m["offset"] + m["size"] > s["size"]:
            fail("%s.%s ends at %d, past the size %d" % (s["name"], m["name"], m["offset"] + m["size"], s["size"]))
    if s.get("unsized") and not any(m.get("unsized") for m in s["members"]) and not (s["name"] or "").startswith("dyn "):
        fail("%s is unsized without an unsized member" % s["name"])
    if any(m.get("unsized") for m in s["members"]) and (not s.get("unsized") or s["padding"]):
        fail("%s has an unsized member but unsized %s, padding %d" % (s["name"], s["unsized"], s["padding"]))

# std's own dynamically sized types, where its debug info is linked in.
for s in doc["structs"]:
    if s["name"] in ("OsStr", "Path", "CStr") and not s.get("unsized"):
        fail("std's %s is not marked unsized" % s["name"])

# Reorder refuses unsized structs with a reason saying so.
reorder = json.load(open(name + ".reorder"))
for s in reorder["structs"]:
    if s.get("unsized") and s["proposal"]["reason"] != "unsized: size known only at run time":
        fail("reorder of unsized %s: reason %r" % (s["name"], s["proposal"]["reason"]))
sys.exit(1 if failed else 0)
EOF

# ---- Go ----
if command -v "$go" >/dev/null 2>&1; then
	mkdir -p gomod
	printf 'module gomod\n\ngo 1.13\n' >gomod/go.mod
	python3 - <<'EOF'
structs = {
    "Funcs": [("A", "int8"), ("Fn", "func(int) bool"), ("B", "int64")],
    "Inner": [("a", "int16"), ("b", "*int"), ("c", "int8")],
    "Kinds": [("Flag", "bool"), ("Ch", "chan int"), ("M", "map[string]int"),
              ("I", "interface { Foo() }"), ("E", "interface {}"), ("S", "string"),
              ("Sl", "[]byte"), ("P", "unsafe.Pointer"), ("C", "complex128"),
              ("C64", "complex64"), ("Ar", "[3]Inner"), ("Inner", None),
              ("F", "func()"), ("R", "rune"), ("U", "uint8"), ("Rch", "<-chan string")],
    "Nested": [("K", "Kinds"), ("Fs", "[2]Funcs"), ("T", "bool"), ("Cb", "func(string, ...int) (int, error)")],
}
# Go's own spelling in DWARF, where it differs from the source.
spelled = {"[]byte": "[]uint8", "rune": "int32", "[3]Inner": "[3]main.Inner",
           "Kinds": "main.Kinds", "[2]Funcs": "[2]main.Funcs", "Inner": "main.Inner"}
with open("gomod/main.go", "w") as f:
    f.write('package main\n\nimport (\n\t"fmt"\n\t"unsafe"\n)\n\n')
    for name, fields in structs.items():
        f.write("type %s struct {\n" % name)
        for fname, ftype in fields:
            f.write("\t%s\n" % fname if ftype is None else "\t%s %s\n" % (fname, ftype))
        f.write("}\n\nvar G%s %s\n\n" % (name, name))
    f.write("var keep []interface{}\n\nfunc main() {\n")
    f.write("\tGFuncs.Fn = func(int) bool { return true }\n")
    # Globals only used by unsafe.Offsetof are dropped by the linker.
    for name in structs:
        f.write("\tkeep = append(keep, &G%s)\n" % name)
    for name, fields in structs.items():
        f.write('\tfmt.Printf("struct\\tmain.%s\\t%%d\\n", unsafe.Sizeof(G%s))\n' % (name, name))
        for fname, ftype in fields:
            tname = "main.Inner" if ftype is None else spelled.get(ftype, ftype)
            f.write('\tfmt.Printf("field\\tmain.%s\\t%s\\t%%d\\t%%d\\t%s\\n", unsafe.Offsetof(G%s.%s), unsafe.Sizeof(G%s.%s))\n'
                    % (name, fname, tname, name, fname, name, fname))
    f.write("}\n")
EOF
	if (cd gomod && GOCACHE="$scratch/gocache" GOPATH="$scratch/gopath" GOFLAGS=-mod=mod \
		GOPROXY=off GOTOOLCHAIN=local "$go" build -gcflags=all='-N -l' -o ../goprog . ) 2>go.cc.err; then
		languages=$((languages + 1))
		./goprog >go.probe
		if report go goprog; then
			compare go go.probe
			# Go units print in Go syntax (report --syntax=auto).
			if grep -q '^	Fn  *func(int) bool  *\/\* *8  *8 \*\/$' go.text; then
				echo "ok: go: Fn reads 'Fn func(int) bool' at 8, 8 bytes"
			else
				fail "go: Fn is printed as: $(grep '	Fn;' go.text | head -c 200)"
			fi
		fi
	else
		fail "go cannot build the Go program: $(head -c 300 go.cc.err)"
	fi
else
	echo "skip: go not installed"
fi

# ---- Rust ----
if command -v "$rustc" >/dev/null 2>&1; then
	cat >rs.rs <<'EOF'
use std::mem::{size_of, size_of_val, MaybeUninit};
use std::ptr::addr_of;

#[repr(C)]
pub struct CLike { pub a: u8, pub b: u64, pub c: u16 }
pub struct Plain { pub a: u8, pub b: u64, pub c: u16, pub d: u32 }
#[repr(C)]
pub struct WithFn { pub tag: u8, pub f: fn(u32) -> u32, pub n: u16 }
pub struct Gen<T: ?Sized> { pub a: u8, pub t: T }
pub struct Holder { pub g: Box<Gen<[u32]>>, pub s: String, pub p: std::path::PathBuf, pub w: WithFn }
// Its variants' structs are views of its 72 bytes: Small's unused bytes
// hold Big's payload, they are no padding of Small.
pub enum Sizes { Big([u64; 8]), Small(u8) }

// Offset of a field from a struct's start, without offset_of! (1.77).
macro_rules! field {
    ($t:ty, $name:expr, $f:ident, $fty:ty) => {{
        let u = MaybeUninit::<$t>::uninit();
        let base = u.as_ptr();
        let at = unsafe { addr_of!((*base).$f) as usize - base as usize };
        println!("field\t{}\t{}\t{}\t{}", $name, stringify!($f), at, size_of::<$fty>());
    }};
}

fn add1(x: u32) -> u32 { x + 1 }

fn main() {
    println!("struct\tCLike\t{}", size_of::<CLike>());
    field!(CLike, "CLike", a, u8);
    field!(CLike, "CLike", b, u64);
    field!(CLike, "CLike", c, u16);
    println!("struct\tPlain\t{}", size_of::<Plain>());
    field!(Plain, "Plain", a, u8);
    field!(Plain, "Plain", b, u64);
    field!(Plain, "Plain", c, u16);
    field!(Plain, "Plain", d, u32);
    println!("struct\tWithFn\t{}", size_of::<WithFn>());
    field!(WithFn, "WithFn", tag, u8);
    field!(WithFn, "WithFn", f, fn(u32) -> u32);
    field!(WithFn, "WithFn", n, u16);
    println!("struct\tHolder\t{}", size_of::<Holder>());
    field!(Holder, "Holder", g, Box<Gen<[u32]>>);
    field!(Holder, "Holder", s, String);
    field!(Holder, "Holder", p, std::path::PathBuf);
    field!(Holder, "Holder", w, WithFn);
    // A dynamically sized struct: its static part is what an empty
    // slice leaves, and the slice starts at the same offset whatever
    // its length.
    let empty: Box<Gen<[u32]>> = Box::new(Gen { a: 1, t: [] });
    let h = Holder { g: Box::new(Gen { a: 2, t: [7, 8, 9] }), s: String::from("x"),
                     p: std::path::PathBuf::from("/"), w: WithFn { tag: 1, f: add1, n: 2 } };
    let base = &*h.g as *const Gen<[u32]> as *const u8 as usize;
    println!("struct\tGen<[u32]>\t{}\tunsized", size_of_val(&*empty));
    println!("field\tGen<[u32]>\ta\t{}\t1", &h.g.a as *const u8 as usize - base);
    println!("field\tGen<[u32]>\tt\t{}\t0\t[u32] (unsized)", h.g.t.as_ptr() as usize - base);
    let sizes = [Sizes::Big([1; 8]), Sizes::Small(2)];
    println!("# {} {} {} {}", h.g.t.len() + empty.t.len(), h.s, (h.w.f)(u32::from(h.w.n)) + h.w.tag as u32,
             size_of_val(&sizes));
}
EOF
	if "$rustc" -g -C opt-level=0 rs.rs -o rs 2>rs.cc.err; then
		languages=$((languages + 1))
		./rs | grep -v '^#' >rust.probe
		if report rust rs; then
			compare rust rust.probe
			# No waste in enum variant views: --sort=waste ranks real gaps.
			if grep -q '^struct Small .* 0  *0  *0  *[0-9]*  *[^ ]*$' rust.summary &&
			   grep -q '^struct Big .* 0  *0  *0  *[0-9]*  *[^ ]*$' rust.summary; then
				echo "ok: rust: the variants of enum Sizes have no holes, padding or waste"
			else
				fail "rust: enum variants in the summary: $(grep '^struct \(Small\|Big\) ' rust.summary | tr -s ' ')"
			fi
			if grep -q 'structfit: unsized: its size is only known at run time' rust.text; then
				echo "ok: rust: the text report marks unsized members"
			else
				fail "rust: no 'unsized' note in the text report"
			fi
		fi
	else
		fail "$rustc cannot build the Rust program: $(head -c 300 rs.cc.err)"
	fi
else
	echo "skip: $rustc not installed"
fi

if [ "$languages" -eq 0 ]; then
	echo "SKIP: neither go nor rustc found"
	exit 77
fi
echo "nonc_go_rust: $languages languages, $failures failures"
[ "$failures" -eq 0 ]
