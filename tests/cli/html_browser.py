#!/usr/bin/env python3
"""The HTML layout map and the SVG byte map, checked in headless Chromium.

Compiles fixtures/example.c, writes `structfit report --format=html` and
`reorder --format=html` pages, opens them in Chromium's #selftest mode
(which sorts, filters, opens a struct and reads the drawn cells back from
the DOM) and checks: no console error, CSP violation or loadable URL;
every struct listed; sorting and filtering; the cells of each member,
hole and the tail padding of struct connection at the byte positions the
compiler gives (offsetof/sizeof of a probe program); the bits of
request_flags' bitfields where the compiler sets them; the proposal view's
moved members equal to `structfit reorder`'s; the SVG is XML and renders.
Screenshots are checked to be non-blank.  Chromium missing is a failure.

Other modes (not run by ctest):
  --measure FILE [--struct NAME]   size of the page for FILE and time until
                                   the summary is interactive
  --png OUT --struct NAME FILE...  a screenshot of NAME's map
  --readme-png OUT                 the README's picture (struct connection of the example)
"""

import argparse
import fnmatch
import json
import os
import re
import subprocess
import sys
import time
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tools"))
import browser_common as bc  # noqa: E402
import oracle_common as oc  # noqa: E402

FAILURES = []


def check(cond, what):
    if not cond:
        FAILURES.append(what)
        print("FAIL: " + what)
    return cond


def structfit(*args):
    return oc.run([oc.structfit_bin()] + list(args)).stdout.decode()


def compile_example(scratch):
    src = os.path.join(oc.source_dir(), "fixtures", "example.c")
    obj = os.path.join(scratch, "example.o")
    # The prefix map keeps machine paths out of the page and the screenshots.
    oc.run(["gcc", "-g", "-c", "-fno-eliminate-unused-debug-types",
            "-fdebug-prefix-map=%s=." % oc.source_dir(), os.path.join("fixtures", "example.c"), "-o", obj],
           cwd=oc.source_dir())
    return src, obj


def compiler_layout(src, scratch, struct, members):
    """{member: (offset, size)} and sizeof from a probe compiled with the same gcc."""
    probe = os.path.join(scratch, "probe_%s.c" % struct)
    with open(probe, "w") as f:
        f.write('#include <stdio.h>\n#include <stddef.h>\n#include "%s"\nint main(void) {\n' % src)
        for m in members:
            f.write('  printf("%s %%zu %%zu\\n", offsetof(struct %s, %s), sizeof(((struct %s *)0)->%s));\n'
                    % (m, struct, m, struct, m))
        f.write('  printf("sizeof %%zu\\n", sizeof(struct %s));\n  return 0;\n}\n' % struct)
    exe = probe[:-2]
    oc.run(["gcc", "-w", probe, "-o", exe])
    out = {}
    for line in oc.run([exe]).stdout.decode().splitlines():
        parts = line.split()
        out[parts[0]] = tuple(int(x) for x in parts[1:])
    return out


def compiler_bits(src, scratch, struct, fields):
    """{field: set of bit indices (byte * 8 + bit, LSB first)} from setting each field to all ones."""
    probe = os.path.join(scratch, "bits_%s.c" % struct)
    with open(probe, "w") as f:
        f.write('#include <stdio.h>\n#include <string.h>\n#include "%s"\nint main(void) {\n' % src)
        for fld in fields:
            f.write('  { struct %s s; memset(&s, 0, sizeof s); s.%s = -1; unsigned char *p = (unsigned char *)&s;\n'
                    '    printf("%s"); for (size_t i = 0; i < sizeof s * 8; i++) if (p[i / 8] >> (i %% 8) & 1)'
                    ' printf(" %%zu", i); printf("\\n"); }\n' % (struct, fld, fld))
        f.write('  return 0;\n}\n')
    exe = probe[:-2]
    oc.run(["gcc", "-w", probe, "-o", exe])
    out = {}
    for line in oc.run([exe]).stdout.decode().splitlines():
        parts = line.split()
        out[parts[0]] = set(int(x) for x in parts[1:])
    return out


def check_page_static(path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    check("default-src 'none'" in text, "%s: Content-Security-Policy default-src 'none' present" % path)
    urls = re.findall(r"(?i)(?:https?|ftp|wss?):/", text)
    check(not urls, "%s: no URL that could load anything (found %s)" % (path, urls[:3]))
    return text


def check_connection(result, src, scratch, doc):
    conn = [s for s in doc["structs"] if s["name"] == "connection"][0]
    names = [m["name"] for m in conn["members"]]
    lay = compiler_layout(src, scratch, "connection", names)
    size = lay["sizeof"][0]
    expected = ["h"] * size
    owner = [None] * size
    last_end = 0
    for name in names:
        off, msize = lay[name]
        for b in range(off, off + msize):
            expected[b], owner[b] = "m", name
        last_end = max(last_end, off + msize)
    for b in range(last_end, size):
        expected[b] = "p"
    first = names[0]
    want_info = "%s: %s, offset %d, size %d" % (first, conn["members"][0]["type"], lay[first][0], lay[first][1])
    check(result.get("info") == want_info, "focusing %s shows '%s' (page: '%s')" % (first, want_info, result.get("info")))
    cells = result["current"]
    check(result.get("opened") == "connection", "Enter on the filtered row opens struct connection")
    check([c[0] for c in cells] == list(range(size)), "one cell per byte 0..%d of connection" % (size - 1))
    for off, kind, members in cells:
        if off >= size:
            break
        want = (expected[off], [owner[off]] if owner[off] else [])
        if not check((kind, members) == want, "connection byte %d drawn as %s %s, compiler says %s %s"
                     % (off, kind, members, want[0], want[1])):
            break


def check_proposal(result, obj, rdoc):
    conn = [s for s in rdoc["structs"] if s["name"] == "connection"][0]
    text = structfit("reorder", "-C", "connection", obj)
    m = re.search(r"/\* moved: (.*) \*/", text)
    lib_moved = [re.sub(r" \(.*", "", x) for x in m.group(1).split(", ")] if m else []
    check(lib_moved and result["movedShown"] == lib_moved,
          "proposal lists the moved members %s (page: %s)" % (lib_moved, result["movedShown"]))
    prop = result["proposal"] or []
    check(len(prop) == conn["proposal"]["size"], "proposal map has one cell per byte of %d"
          % conn["proposal"]["size"])
    starts = {}
    for off, kind, members in prop:
        if kind == "m" and members[0] not in starts:
            starts[members[0]] = off
    check(len(result["movedCells"]) == len(lib_moved) and
          sorted(result["movedCells"]) == sorted(starts[n] for n in lib_moved),
          "moved members highlighted in the proposal map (%s)" % result["movedCells"])


def check_summary(result, doc, problems, label):
    names = sorted(s["name"] or s["typedef_name"] or "" for s in doc["structs"])
    sizes = [s["size"] for s in doc["structs"]]
    check(not problems, "%s: no console errors (%s)" % (label, problems[:3]))
    check(not result["errors"], "%s: no script errors (%s)" % (label, result["errors"][:3]))
    check(result["rows"] == len(doc["structs"]) == result["structs"],
          "%s: summary lists all %d structs (%d rows)" % (label, len(doc["structs"]), result["rows"]))
    check(result["sizeDesc"] == sorted(sizes, reverse=True), "%s: size sorts descending" % label)
    check(result["sizeAsc"] == sorted(sizes), "%s: size sorts ascending on a second click" % label)
    check(sorted(result["nameAsc"]) == names and result["nameAsc"] == sorted(names, key=str.lower),
          "%s: names sort (%s)" % (label, result["nameAsc"][:5]))
    want = [n for n in result["nameAsc"] if fnmatch.fnmatchcase(n, result["filter"])]
    check(result["filtered"] == want, "%s: filter %s shows %s (page: %s)" % (label, result["filter"], want,
                                                                              result["filtered"]))


def check_bits(src, scratch, obj, html):
    result, problems = bc.selftest(html, "request_flags")
    check(not problems and not result["errors"], "request_flags page: no errors")
    fields = ["keep_alive", "chunked", "method", "version", "compressed", "priority"]
    want = compiler_bits(src, scratch, "request_flags", fields)
    drawn = {}
    for bit, name in result["bits"]:
        if name:
            drawn.setdefault(name, set()).add(bit)
    for fld in fields:
        check(drawn.get(fld) == want[fld], "bit row of %s: page %s, compiler %s"
              % (fld, sorted(drawn.get(fld, [])), sorted(want[fld])))


def check_nested(src, scratch, html):
    """Expanding stats_window.first draws struct stats_sample at first's offset, compiler-checked."""
    result, problems = bc.selftest(html, "stats_window")
    check(not problems and not result["errors"], "stats_window page: no errors")
    nested = result.get("nested") or {}
    check(nested.get("member") == "first", "stats_window.first expands (%s)" % nested.get("member"))
    outer = compiler_layout(src, scratch, "stats_window", ["first"])
    inner = compiler_layout(src, scratch, "stats_sample", ["timestamp", "kind"])
    base, size = outer["first"]
    want = []
    for b in range(size):
        owner = [n for n in ("timestamp", "kind") if inner[n][0] <= b < inner[n][0] + inner[n][1]]
        end = max(inner[n][0] + inner[n][1] for n in ("timestamp", "kind"))
        want.append([base + b, "m" if owner else ("p" if b >= end else "h"), owner])
    check(nested.get("cells") == want, "nested cells of stats_window.first: page %s, compiler %s"
          % (nested.get("cells"), want))


def check_diff(src, obj, scratch):
    """diff --format=html: old and new maps, the library's findings listed, the retyped member marked."""
    changed = os.path.join(scratch, "example_changed.c")
    with open(src) as f:
        text = f.read()
    with open(changed, "w") as f:
        f.write(text.replace("\tu8 state;", "\tu16 state;", 1))
    new_obj = os.path.join(scratch, "example_changed.o")
    oc.run(["gcc", "-g", "-c", "-fno-eliminate-unused-debug-types", changed, "-o", new_obj])
    html = os.path.join(scratch, "diff.html")
    proc = oc.run([oc.structfit_bin(), "diff", "--format=html", "-o", html, obj, new_obj], check=False)
    check(proc.returncode == 1, "diff --format=html exits 1 when layouts changed (%d)" % proc.returncode)
    check_page_static(html)
    findings = json.loads(oc.run([oc.structfit_bin(), "diff", "--format=json", obj, new_obj],
                                 check=False).stdout.decode())["findings"]
    result, problems = bc.selftest(html, "connection")
    check(not problems and not result["errors"], "diff page: no errors (%s)" % problems[:2])
    want = ["%s: %s [%s]" % (f["level"], f["message"], f["rule"]) for f in findings if f["name"] == "connection"]
    check(result["findings"] == want, "diff page lists the findings %s (page: %s)" % (want, result["findings"]))
    state = compiler_layout(changed, scratch, "connection", ["state"])["state"][0]
    check(sorted(result["markedCells"]) == [["map-current", state], ["map-old", state]],
          "the retyped member is marked in both maps (%s)" % result["markedCells"])
    check(result["old"] and result["current"] and len(result["old"]) == len(result["current"]),
          "old and new maps drawn")


def check_svg(obj, scratch):
    svg = os.path.join(scratch, "connection.svg")
    with open(svg, "w") as f:
        f.write(structfit("report", "--format=svg", "-C", "connection", obj))
    root = ET.parse(svg).getroot()
    check(root.tag == "{http://www.w3.org/2000/svg}svg", "the SVG's root is an svg element")
    titles = [t.text for t in root.iter("{http://www.w3.org/2000/svg}title")]
    check(any(t and t.startswith("hole: 4 bytes at 4") for t in titles), "the SVG names the hole at 4")
    union = ET.fromstring(structfit("report", "--format=svg", "-C", "packet_header", obj))
    members = [t.text.split(":")[0] for t in union.iter("{http://www.w3.org/2000/svg}title")
               if t.text and ", offset 0, end " in t.text]
    check(members == ["raw", "common", "magic"], "a union's SVG draws each member from 0 (%s)" % members)
    png = os.path.join(scratch, "connection-svg.png")
    bc.screenshot("file://" + svg, png, 860, 160)
    w, h, distinct = bc.png_summary(png)
    check(w == 860 and distinct > 8, "the SVG renders (%dx%d, %d distinct bytes)" % (w, h, distinct))


def run_suite():
    scratch = oc.scratch_dir("html_browser")
    src, obj = compile_example(scratch)
    doc = oc.structfit_json(obj)
    html = os.path.join(scratch, "example.html")
    structfit("report", "--format=html", "-o", html, obj)
    check_page_static(html)
    result, problems = bc.selftest(html, "connection")
    check_summary(result, doc, problems, "report page")
    check_connection(result, src, scratch, doc)
    rdoc = json.loads(structfit("reorder", "--format=json", obj))
    check_proposal(result, obj, rdoc)
    check_bits(src, scratch, obj, html)
    check_nested(src, scratch, html)
    check_diff(src, obj, scratch)
    reorder_html = os.path.join(scratch, "reorder.html")
    structfit("reorder", "--format=html", "-o", reorder_html, obj)
    check_page_static(reorder_html)
    result, problems = bc.selftest(reorder_html, "connection")
    check_summary(result, rdoc, problems, "reorder page")
    check(result["movedShown"] != [], "reorder page shows the moved members")
    png = os.path.join(os.environ.get("STRUCTFIT_SCREENSHOT_DIR") or scratch, "example-map.png")
    bc.screenshot("file://" + html + "#s=connection", png)
    w, h, distinct = bc.png_summary(png)
    check(w == 1200 and h == 700 and distinct > 8, "map screenshot is not blank (%dx%d, %d distinct)"
          % (w, h, distinct))
    check_svg(obj, scratch)
    if FAILURES:
        print("%d check(s) failed" % len(FAILURES))
        return 1
    print("ok: HTML map and SVG checked in %s" % bc.chromium())
    return 0


def measure(path, struct):
    scratch = oc.scratch_dir("html_measure")
    html = os.path.join(scratch, "map.html")
    t0 = time.time()
    structfit("report", "--format=html", "-o", html, path)
    gen = time.time() - t0
    t0 = time.time()
    result, problems = bc.selftest(html, struct, timeout=600)
    wall = time.time() - t0
    print("structs %d, rows %d, html %.1f MiB, structfit %.1f s, summary interactive after %.0f ms "
          "(performance.now at the end of init), sort by size %.0f ms, filter %.0f ms, open %s %.0f ms (opened %s), "
          "chromium run %.1f s, console problems %d, errors %s"
          % (result["structs"], result["rows"], os.path.getsize(html) / 1048576.0, gen, result["readyMs"],
             result["sortMs"], result["filterMs"], struct, result.get("openMs", 0), result.get("opened"),
             wall, len(problems), result["errors"][:3]))
    print("page: %s" % html)
    return 0 if not problems and not result["errors"] and result["rows"] == result["structs"] else 1


def readme_png(path):
    """The README's picture: struct connection of the bundled example, no machine paths."""
    scratch = oc.scratch_dir("html_readme")
    compile_example(scratch)
    oc.run([oc.structfit_bin(), "report", "--format=html", "-o", "map.html", "example.o"], cwd=scratch)
    bc.screenshot("file://" + os.path.join(scratch, "map.html") + "#s=connection", os.path.abspath(path), 1280, 520)
    w, h, distinct = bc.png_summary(path)
    print("%s: %dx%d, %d bytes" % (path, w, h, os.path.getsize(path)))
    return 0 if distinct > 8 else 1


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--measure")
    ap.add_argument("--struct", default="")
    ap.add_argument("--png")
    ap.add_argument("--readme-png")
    ap.add_argument("--size", default="1200x700")
    ap.add_argument("files", nargs="*")
    args = ap.parse_args()
    try:
        if args.measure:
            return measure(args.measure, args.struct)
        if args.readme_png:
            return readme_png(args.readme_png)
        if args.png:
            scratch = oc.scratch_dir("html_png")
            html = os.path.join(scratch, "map.html")
            structfit("report", "--format=html", "-o", html, *args.files)
            w, h = (int(x) for x in args.size.split("x"))
            bc.screenshot("file://" + html + "#s=" + args.struct, args.png, w, h)
            print(args.png, bc.png_summary(args.png))
            return 0
        return run_suite()
    except (bc.BrowserError, oc.OracleError, subprocess.TimeoutExpired) as e:
        print("FAIL: %s" % e)
        return 1


if __name__ == "__main__":
    sys.exit(main())
