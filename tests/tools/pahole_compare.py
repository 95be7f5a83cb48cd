"""Parsing pahole's text output and comparing it with structfit's JSON, struct by struct."""

import re
import subprocess

COMMENT = re.compile(r"/\*\s*(\d+)(?::\s*(\d+))?\s+(\d+)\s*\*/\s*$")
HEADER = re.compile(r"^(typedef )?(struct|union|class)\s*([\w:<>,]*)\s*\{$")


def run_pahole(path, extra=()):
    """pahole's text for every struct, union and class in `path` (anonymous typedefs too)."""
    proc = subprocess.run(["pahole", "-F", "dwarf", "-a"] + list(extra) + [path],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    return proc.returncode, proc.stdout.decode(errors="replace"), proc.stderr.decode(errors="replace")


def member_name(text):
    """Name of a member declaration as pahole prints it, None if unnamed."""
    text = re.sub(r"__attribute__\s*\(\(.*\)\)", "", text).strip().rstrip(";").rstrip()
    m = re.search(r"\(\*\s*(\w+)\)", text)
    if m:
        return m.group(1)
    bits = re.search(r":\s*\d+$", text)
    if bits:
        # "int :5" (blank before the colon) is an unnamed bitfield.
        if bits.start() == 0 or text[bits.start() - 1].isspace():
            return None
        text = text[:bits.start()]
    text = re.sub(r"(\[\d*\])+$", "", text).rstrip()
    m = re.search(r"(\w+)$", text)
    return m.group(1) if m else None


def parse(text):
    """List of dicts: spelling, kind, size, cachelines, members, holes, sum_holes,
    padding, bit_holes, sum_bit_holes, bit_padding, sum_members, fields[]."""
    out = []
    cur = None
    depth = 0
    for line in text.splitlines():
        if cur is None:
            m = HEADER.match(line)
            if m:
                cur = {"kind": m.group(2), "name": m.group(3) or None, "typedef": bool(m.group(1)),
                       "fields": [], "holes": 0, "sum_holes": 0, "padding": 0,
                       "bit_holes": 0, "sum_bit_holes": 0, "bit_padding": 0,
                       "size": None, "cachelines": None, "members": None, "sum_members": None,
                       "xxx_holes": 0}
                depth = 1
            continue
        stripped = line.strip()
        if line.startswith("}"):
            m = re.match(r"^\}\s*(?:__attribute__\(\(.*?\)\))?\s*(\w*)\s*;", line)
            if cur["typedef"] and m and m.group(1):
                cur["spelling"] = m.group(1)
            elif cur["name"]:
                keyword = "union" if cur["kind"] == "union" else "struct"
                cur["spelling"] = "%s %s" % (keyword, cur["name"])
            else:
                cur["spelling"] = None
            out.append(cur)
            cur = None
            continue
        if stripped.endswith("{"):
            depth += 1
            continue
        if stripped.startswith("}"):
            depth -= 1
            if depth == 1:
                c = COMMENT.search(stripped)
                if c:
                    cur["fields"].append({"name": None, "offset": int(c.group(1)),
                                          "bit": None, "size": int(c.group(3))})
            continue
        if stripped.startswith("/*"):
            if depth != 1:
                continue
            body = stripped
            m = re.search(r"size: (\d+), cachelines: (\d+), members: (\d+)", body)
            if m:
                cur["size"], cur["cachelines"], cur["members"] = map(int, m.groups())
                continue
            m = re.search(r"sum members: (\d+)(?:, holes: (\d+), sum holes: (\d+))?", body)
            if m:
                cur["sum_members"] = int(m.group(1))
                if m.group(2):
                    cur["holes"], cur["sum_holes"] = int(m.group(2)), int(m.group(3))
                continue
            m = re.search(r"bit holes: (\d+), sum bit holes: (\d+) bits", body)
            if m:
                cur["bit_holes"], cur["sum_bit_holes"] = int(m.group(1)), int(m.group(2))
                continue
            m = re.match(r"/\* padding: (\d+)", body)
            if m:
                cur["padding"] = int(m.group(1))
                continue
            m = re.match(r"/\* bit_padding: (\d+) bits", body)
            if m:
                cur["bit_padding"] = int(m.group(1))
            continue
        if depth != 1 or not stripped:
            continue
        c = COMMENT.search(stripped)
        if not c:
            continue  # zero-width bitfields carry no position
        decl = stripped[:c.start()]
        cur["fields"].append({"name": member_name(decl), "offset": int(c.group(1)),
                              "bit": int(c.group(2)) if c.group(2) is not None else None,
                              "size": int(c.group(3)),
                              "bit_size": int(re.search(r":\s*(\d+)\s*;", decl).group(1))
                              if c.group(2) is not None and re.search(r":\s*(\d+)\s*;", decl) else None})
    return out


def json_summary(js):
    """The numbers pahole prints, computed from one structfit JSON struct."""
    members = js.get("members", [])
    counted = [m for m in members if m.get("name") or m.get("members") is not None]
    return {
        "size": js.get("size"),
        "cachelines": js.get("cachelines"),
        "members": len(counted),
        "holes": len(js.get("holes", [])),
        "sum_holes": sum(h.get("size", 0) for h in js.get("holes", [])),
        "padding": js.get("padding", 0),
        "bit_holes": len(js.get("bit_holes", [])),
        "sum_bit_holes": sum(h.get("bits", 0) for h in js.get("bit_holes", [])),
        "bit_padding": js.get("bit_padding", 0),
        "sum_members": js.get("sum_members"),
    }


SUMMARY_KEYS = ["size", "cachelines", "members", "holes", "sum_holes", "padding",
                "bit_holes", "sum_bit_holes", "bit_padding", "sum_members"]


def compare(pahole_struct, js, big_endian=False):
    """List of (field, pahole value, structfit value) disagreements."""
    diffs = []
    ours = json_summary(js)
    # pahole 1.24 prints no summary for unions: nothing to compare there.
    keys = SUMMARY_KEYS if pahole_struct.get("size") is not None else []
    for key in keys:
        theirs = pahole_struct.get(key)
        if key == "sum_members" and theirs is None:
            continue  # pahole prints it only next to holes or bitfields
        if key == "padding" and js.get("contents_known") is False:
            # Deliberate: bytes DWARF does not describe (a memberless
            # type such as the kernel's struct bpf_timer, made of unnamed
            # bitfields) are not counted as padding; pahole counts them.
            continue
        if theirs != ours[key]:
            diffs.append((key, theirs, ours[key]))
    by_name = {}
    for m in js.get("members", []):
        if m.get("name"):
            by_name.setdefault(m["name"], m)
    for f in pahole_struct["fields"]:
        if not f["name"]:
            continue
        m = by_name.get(f["name"])
        if m is None:
            diffs.append(("member %s" % f["name"], "present", "missing"))
            continue
        if m.get("offset") != f["offset"]:
            diffs.append(("%s.offset" % f["name"], f["offset"], m.get("offset")))
        if m.get("size") != f["size"]:
            diffs.append(("%s.size" % f["name"], f["size"], m.get("size")))
        if f["bit"] is not None and not big_endian and m.get("bit_offset") is not None:
            if m["bit_offset"] != m.get("offset", 0) * 8 + f["bit"]:
                diffs.append(("%s.bit" % f["name"], "%d:%d" % (f["offset"], f["bit"]),
                              "bit_offset %s" % m["bit_offset"]))
        if f.get("bit_size") is not None and m.get("bit_size") != f["bit_size"]:
            diffs.append(("%s.bit_size" % f["name"], f["bit_size"], m.get("bit_size")))
    return diffs


def compare_file(pahole_text, doc, index_structs):
    """Returns (compared, agreed, list of (spelling, diffs)), first definition per name on both sides."""
    big_endian = any(f.get("byte_order") == "big" for f in doc.get("files", []))
    ours = index_structs(doc)
    seen = set()
    compared = agreed = 0
    failures = []
    for p in parse(pahole_text):
        spelling = p.get("spelling")
        if not spelling or spelling in seen:
            continue
        seen.add(spelling)
        js = ours.get(spelling)
        if js is None:
            failures.append((spelling, [("struct", "present", "missing")]))
            compared += 1
            continue
        compared += 1
        diffs = compare(p, js, big_endian)
        if diffs:
            failures.append((spelling, diffs))
        else:
            agreed += 1
    return compared, agreed, failures
