#!/bin/sh
# dwz-compressed debug info: types moved into a supplementary file's partial
# units (.gnu_debugaltlink) must load with the sizes and offsets the
# compiler gave them.  pahole 1.24 prints nothing for such files.
set -eu
bin=${STRUCTFIT_BIN:?}
command -v dwz >/dev/null 2>&1 || { echo "SKIP: dwz not installed"; exit 77; }
command -v python3 >/dev/null 2>&1 || { echo "SKIP: python3 not installed"; exit 77; }
work=$(mktemp -d "${STRUCTFIT_SCRATCH_DIR:-/tmp}/dwz.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work"

cat > common.h <<'C'
struct big_shared { char c; long l; int i; double d[4]; struct { short s; char t; } inner; unsigned f1:3, f2:5; };
struct big_shared2 { struct big_shared a, b; char *name; const char *const cname; int (*fn)(int); };
typedef struct { int q; char r; } anon_t;
C
for n in 1 2 3; do
	printf '#include "common.h"\nstruct big_shared2 g%s; anon_t t%s;\nstruct own%s { int a; char b; } o%s;\nint main(void) { return 0; }\n' \
		"$n" "$n" "$n" "$n" > "p$n.c"
	cc -g -O0 "p$n.c" -o "p$n"
done
dwz -m common.debug -M "$work/common.debug" p1 p2 p3
readelf -S p1 | grep -q gnu_debugaltlink || { echo "FAIL: dwz did not write .gnu_debugaltlink"; exit 1; }
readelf -S common.debug | grep -q '\.debug_info' || { echo "FAIL: dwz moved no types"; exit 1; }

"$bin" report --format json p1 > p1.json
# Every struct must be there and its numbers must compile as assertions.
python3 - p1.json > asserts.c <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
want = {"big_shared", "big_shared2", "own1", "anon_t"}
seen = set()
print('#include "common.h"\nstruct own1 { int a; char b; };')
for s in doc["structs"]:
    spelled = "struct " + s["name"] if s["name"] else s.get("typedef_name")
    seen.add(s["name"] or s.get("typedef_name"))
    print("_Static_assert(sizeof(%s) == %d, \"%s size\");" % (spelled, s["size"], spelled))
    for m in s["members"]:
        if m["name"] and m["bit_size"] is None:
            print("_Static_assert(__builtin_offsetof(%s, %s) == %d, \"%s.%s\");"
                  % (spelled, m["name"], m["offset"], spelled, m["name"]))
missing = want - seen
if missing:
    sys.exit("missing from the report: %s" % sorted(missing))
PY
cc -fsyntax-only asserts.c
echo "ok: dwz file loaded, $(grep -c _Static_assert asserts.c) assertions hold"
