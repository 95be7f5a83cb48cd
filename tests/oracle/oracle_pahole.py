#!/usr/bin/env python3
"""pahole differential test: structfit's numbers must equal pahole's on the fixtures.

Fixture objects (gcc and clang on x86-64 with DWARF 4 and 5, clang for i386
and s390x) must agree 100 %, except for entries in tests/oracle/pahole_known_diffs.txt,
each of which names the compiler-oracle test showing pahole is the one that is
wrong.  Random-struct objects are compared too and their agreement rate is
reported, but only the fixtures gate the test (pahole has known blind spots
with packed and over-aligned layouts that the compiler oracle settles).

Allowlist lines:  CONFIG-GLOB | STRUCT SPELLING | FIELD-OR-* | PROOF (test name and reason)
"""

import fnmatch
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tools"))
import oracle_common as oc  # noqa: E402
import pahole_compare as pc  # noqa: E402

MAX_REPORTED = 30


def load_allowlist(path):
    entries = []
    if not os.path.exists(path):
        return entries
    with open(path) as f:
        for lineno, line in enumerate(f, 1):
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            fields = [x.strip() for x in line.split("|")]
            if len(fields) != 4 or not fields[3]:
                print("FAIL: %s:%d: need 'config | struct | field | proof'" % (path, lineno))
                sys.exit(1)
            entries.append(fields)
    return entries


def allowed(allowlist, config, spelling, field):
    for cfg_glob, struct_name, field_glob, _proof in allowlist:
        if fnmatch.fnmatch(config, cfg_glob) and struct_name == spelling and \
                fnmatch.fnmatch(field, field_glob):
            return True
    return False


def compare_object(label, obj):
    rc, text, err = pc.run_pahole(obj)
    if rc != 0 or not text.strip():
        return None, "pahole failed (exit %d): %s" % (rc, err.strip()[:300])
    doc = oc.structfit_json(obj)
    return pc.compare_file(text, doc, oc.index_structs), None


def main():
    if not oc.have("pahole"):
        oc.skip("pahole not installed")
    scratch = oc.scratch_dir("pahole")
    allowlist = load_allowlist(os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                            "pahole_known_diffs.txt"))
    fixture_dir = os.path.join(oc.source_dir(), "fixtures")
    fixtures = sorted(f for f in os.listdir(fixture_dir) if f.endswith(".c"))

    compilers = []
    if oc.have("gcc"):
        compilers += [("gcc-dwarf4", ["gcc", "-gdwarf-4"]), ("gcc-dwarf5", ["gcc", "-gdwarf-5"])]
    if oc.have("clang"):
        compilers += [("clang-x86_64-dwarf4", ["clang", "--target=x86_64-linux-gnu", "-gdwarf-4"]),
                      ("clang-x86_64-dwarf5", ["clang", "--target=x86_64-linux-gnu", "-gdwarf-5"]),
                      ("clang-i386-dwarf5", ["clang", "--target=i386-linux-gnu", "-gdwarf-5"]),
                      ("clang-s390x-dwarf5", ["clang", "--target=s390x-linux-gnu", "-gdwarf-5"])]
    if not compilers:
        oc.skip("neither gcc nor clang installed")

    gate_failures = 0
    reported = 0
    totals = {"fixtures": [0, 0], "random": [0, 0]}

    jobs = []
    for fixture in fixtures:
        for label, cmd in compilers:
            jobs.append(("fixtures", "%s:%s" % (fixture, label), cmd, os.path.join(fixture_dir, fixture)))
    gen = oc.gen_structs_bin()
    for i, (label, cmd) in enumerate(compilers[:2] + compilers[2:4]):
        seed = 7000 + i
        base = os.path.join(scratch, "rand_%d" % seed)
        oc.run([gen, "--seed", str(seed), "--count", "150", "--lp64", "-o", base])
        jobs.append(("random", "random-seed%d:%s" % (seed, label), cmd, base + ".c"))

    for group, config, cmd, src in jobs:
        obj = os.path.join(scratch, config.replace(":", "_").replace("/", "_") + ".o")
        try:
            oc.run(cmd + ["-O0", "-w", "-c", src, "-o", obj])
            result, problem = compare_object(config, obj)
        except oc.OracleError as e:
            result, problem = None, str(e)
        if result is None:
            print("%-50s ERROR %s" % (config, problem))
            if group == "fixtures":
                gate_failures += 1
            continue
        compared, agreed, failures = result
        totals[group][0] += compared
        totals[group][1] += agreed
        unexplained = []
        for spelling, diffs in failures:
            left = [d for d in diffs if not allowed(allowlist, config, spelling, d[0])]
            if left:
                unexplained.append((spelling, left))
        pct = 100.0 * agreed / compared if compared else 100.0
        print("%-50s %4d structs, %5.1f %% agree, %d unexplained" % (config, compared, pct, len(unexplained)))
        if group == "fixtures" and unexplained:
            gate_failures += 1
        for spelling, diffs in unexplained:
            if reported >= MAX_REPORTED:
                break
            reported += 1
            shown = ", ".join("%s: pahole %s, structfit %s" % d for d in diffs[:6])
            print("    [%s] %s: %s" % (config, spelling, shown))

    for group, (compared, agreed) in totals.items():
        if compared:
            print("%s: %d/%d structs agree (%.1f %%)" % (group, agreed, compared, 100.0 * agreed / compared))
    if gate_failures:
        print("FAIL: %d fixture configurations disagree with pahole outside %s"
              % (gate_failures, "tests/oracle/pahole_known_diffs.txt"))
    return 1 if gate_failures else 0


if __name__ == "__main__":
    sys.exit(main())
