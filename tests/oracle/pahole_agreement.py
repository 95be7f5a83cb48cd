#!/usr/bin/env python3
"""Agreement rate between structfit and pahole on arbitrary debug files.

Usage: pahole_agreement.py [--examples N] [--structfit PATH] FILE...

For each FILE (object, executable, shared object, separate debug file,
kernel module) runs `pahole -F dwarf -a FILE` and `structfit report --format
json FILE`, compares every struct pahole prints (first definition per name
on both sides) and prints the share that agrees on size, cachelines, member
count, holes, padding, bit holes and member offsets/sizes, which fields
disagree most, and a few examples.  Exit 0 always unless a tool fails, so
it can survey large inputs; the gate on fixtures is oracle_pahole.py.
"""

import argparse
import collections
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tools"))
import oracle_common as oc  # noqa: E402
import pahole_compare as pc  # noqa: E402


def field_class(field):
    # "m3.offset" -> "member.offset", so per-member fields group together.
    return re.sub(r"^[^.]+\.", "member.", field) if "." in field else field


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("files", nargs="+")
    ap.add_argument("--examples", type=int, default=10)
    ap.add_argument("--structfit", help="structfit binary (default: $STRUCTFIT_BIN or build/structfit)")
    args = ap.parse_args()
    if args.structfit:
        os.environ["STRUCTFIT_BIN"] = args.structfit
    if not oc.have("pahole"):
        oc.skip("pahole not installed")

    grand_compared = grand_agreed = 0
    status = 0
    for path in args.files:
        rc, text, err = pc.run_pahole(path)
        if rc != 0:
            print("%s: pahole failed (exit %d): %s" % (path, rc, err.strip()[:200]))
            status = 1
            continue
        try:
            doc = oc.structfit_json(path)
        except oc.OracleError as e:
            print("%s: %s" % (path, e))
            status = 1
            continue
        compared, agreed, failures = pc.compare_file(text, doc, oc.index_structs)
        grand_compared += compared
        grand_agreed += agreed
        by_field = collections.Counter()
        for _spelling, diffs in failures:
            for key in {field_class(d[0]) for d in diffs}:
                by_field[key] += 1
        pct = 100.0 * agreed / compared if compared else 100.0
        print("%s: %d/%d structs agree (%.2f %%)" % (path, agreed, compared, pct))
        for key, n in by_field.most_common(12):
            print("    %-22s disagrees in %d structs" % (key, n))
        for spelling, diffs in failures[:args.examples]:
            shown = ", ".join("%s: pahole %s, structfit %s" % d for d in diffs[:5])
            print("    e.g. %s: %s" % (spelling, shown))
    if grand_compared:
        print("TOTAL: %d/%d structs agree (%.2f %%)" % (
            grand_agreed, grand_compared, 100.0 * grand_agreed / grand_compared))
    return status


if __name__ == "__main__":
    sys.exit(main())
