#!/usr/bin/env python3
"""Checks a SARIF log against the fields SARIF 2.1.0 requires and those GitHub code scanning reads.

Usage: gate_sarif_check.py FILE [EXPECTED_RULE_ID...]
Only the standard library: the required-field checks below follow the
2.1.0 schema (sarifLog, run, tool, toolComponent, result, message,
location, physicalLocation, artifactLocation, region).
"""
import json
import sys


def fail(msg):
    print("FAIL: SARIF: " + msg)
    sys.exit(1)


def need(obj, key, kind, where):
    if not isinstance(obj, dict) or key not in obj:
        fail("%s: missing required '%s'" % (where, key))
    if not isinstance(obj[key], kind):
        fail("%s: '%s' has the wrong type" % (where, key))
    return obj[key]


def check_message(msg, where):
    if not isinstance(msg, dict) or not ("text" in msg or "id" in msg):
        fail(where + ": message needs 'text' or 'id'")
    if "text" in msg and not isinstance(msg["text"], str):
        fail(where + ": message.text must be a string")


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        log = json.load(f)
    expected = set(sys.argv[2:])
    if need(log, "version", str, "log") != "2.1.0":
        fail("version is not 2.1.0")
    if "$schema" in log and not isinstance(log["$schema"], str):
        fail("$schema must be a string")
    runs = need(log, "runs", list, "log")
    if not runs:
        fail("no runs")
    seen = set()
    for r, run in enumerate(runs):
        where = "runs[%d]" % r
        tool = need(run, "tool", dict, where)
        driver = need(tool, "driver", dict, where + ".tool")
        need(driver, "name", str, where + ".tool.driver")
        rules = driver.get("rules", [])
        ids = []
        for i, rule in enumerate(rules):
            rid = need(rule, "id", str, "%s.rules[%d]" % (where, i))
            if rid in ids:
                fail("duplicate rule id " + rid)
            ids.append(rid)
            if "shortDescription" in rule:
                check_message(rule["shortDescription"], "rule " + rid)
            level = rule.get("defaultConfiguration", {}).get("level", "warning")
            if level not in ("none", "note", "warning", "error"):
                fail("rule %s: bad level %r" % (rid, level))
        for i, res in enumerate(need(run, "results", list, where)):
            rw = "%s.results[%d]" % (where, i)
            check_message(need(res, "message", dict, rw), rw)
            rid = res.get("ruleId")
            if not isinstance(rid, str) or rid not in ids:
                fail(rw + ": ruleId not among the driver's rules")
            if "ruleIndex" in res and (not isinstance(res["ruleIndex"], int) or ids[res["ruleIndex"]] != rid):
                fail(rw + ": ruleIndex does not point at ruleId")
            if res.get("level", "warning") not in ("none", "note", "warning", "error"):
                fail(rw + ": bad level")
            for loc in res.get("locations", []):
                phys = need(loc, "physicalLocation", dict, rw + ".locations")
                art = need(phys, "artifactLocation", dict, rw + ".physicalLocation")
                need(art, "uri", str, rw + ".artifactLocation")
                if "region" in phys:
                    line = need(phys["region"], "startLine", int, rw + ".region")
                    if line < 1:
                        fail(rw + ": startLine < 1")
            if rid in expected and not res.get("locations"):
                fail(rw + ": no location for GitHub to show")
            seen.add(rid)
    missing = expected - seen
    if missing:
        fail("expected results for rules: " + ", ".join(sorted(missing)))
    print("SARIF ok: %d results" % sum(len(r["results"]) for r in runs))


if __name__ == "__main__":
    main()
