#!/usr/bin/env python3
"""Compiler oracle: the tool's JSON layouts must match what the compiler itself computes.

For each configuration (compiler, target, DWARF flags) this generates random
structs with gen_structs (or takes fixtures/*.c), compiles them with -g, runs
`structfit report --format json`, and then asks the same compiler for the
truth in two ways:

  * a C file of _Static_assert(sizeof/offsetof/_Alignof == value-from-JSON)
    that must compile (the check the style guide asks for);
  * a C file that stores sizeof/_Alignof/offsetof in a data section and, for
    each named bitfield, a constant object with only that field set to all
    ones in its own section.  Reading those sections back gives the real
    values, so a failure prints "expected (compiler) vs got (structfit)"
    instead of a bare compile error, and bitfield positions are checked on
    every target (big-endian ones included) without running target code.

With --gcc the host-run probe from gen_structs is compared too.

Usage: oracle_layout.py (--target TRIPLE | --gcc | --fixtures) [--count N] [--keep]
"""

import argparse
import os
import platform
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tools"))
import oracle_common as oc  # noqa: E402

MAX_REPORTED = 25


class TypeSpec:
    """What the oracle checks for one type, from the manifest or the JSON."""

    def __init__(self, spelling, flags=()):
        self.spelling = spelling
        self.flags = set(flags)
        self.members = []      # named top-level non-bitfield members
        self.bitfields = []    # (name, is_bool)


def read_manifest(path):
    types = {}
    order = []
    with open(path) as f:
        for line in f:
            fields = line.rstrip("\n").split("\t")
            if fields[0] == "type":
                spec = TypeSpec(fields[1], [] if fields[3] == "-" else fields[3].split(","))
                types[fields[1]] = spec
                order.append(spec)
            elif fields[0] == "member":
                types[fields[1]].members.append(fields[2])
            elif fields[0] == "bitfield":
                types[fields[1]].bitfields.append((fields[2], fields[3] == "bool"))
    return order


def specs_from_json(doc):
    specs = []
    for s in doc.get("structs", []):
        keyword = "union" if s.get("kind") == "union" else "struct"
        if s.get("name"):
            spelling = "%s %s" % (keyword, s["name"])
        elif s.get("typedef_name"):
            spelling = s["typedef_name"]
        else:
            continue
        spec = TypeSpec(spelling)
        for m in s.get("members", []):
            if not m.get("name"):
                continue
            if m.get("bit_size"):
                spec.bitfields.append((m["name"], "bool" in (m.get("type") or "").lower()))
            else:
                spec.members.append(m["name"])
        specs.append(spec)
    return specs


def find_member(js, name):
    for m in js.get("members", []):
        if m.get("name") == name:
            return m
    return None


def write_truth_source(path, c_file, specs):
    """C file whose data sections hold the compiler's answers; returns the value keys."""
    keys = []
    lines = ['#include "%s"' % c_file, ""]
    values = []
    for spec in specs:
        t = spec.spelling
        values.append("sizeof(%s)" % t)
        keys.append((spec, "size", None))
        values.append("_Alignof(%s)" % t)
        keys.append((spec, "align", None))
        for m in spec.members:
            values.append("__builtin_offsetof(%s, %s)" % (t, m))
            keys.append((spec, "offset", m))
    lines.append('__attribute__((section(".sfvals"), used))')
    lines.append("const unsigned long long sfvals[] = {")
    lines.extend("\t%s," % v for v in values)
    lines.append("};")
    bit_objects = []
    for spec in specs:
        for name, is_bool in spec.bitfields:
            index = len(bit_objects)
            lines.append('__attribute__((section(".sfb.%d"), used)) static const %s sfbit%d = { .%s = %s };'
                         % (index, spec.spelling, index, name, "1" if is_bool else "-1"))
            bit_objects.append((spec, name))
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    return keys, bit_objects


def write_assert_source(path, c_file, doc, specs, has_dw_alignment):
    """_Static_asserts built from the JSON alone."""
    by_spelling = {s.spelling: s for s in specs}
    index = oc.index_structs(doc)
    lines = ['#include "%s"' % c_file, ""]
    for spelling, js in sorted(index.items()):
        spec = by_spelling.get(spelling)
        if spec is None:
            continue
        lines.append('_Static_assert(sizeof(%s) == %d, "%s: size %d");'
                     % (spelling, js["size"], spelling, js["size"]))
        if not spec.flags & {"align_unknown", "blind"} and ("over_aligned" not in spec.flags or has_dw_alignment):
            lines.append('_Static_assert(_Alignof(%s) == %d, "%s: align %d");'
                         % (spelling, js["align"], spelling, js["align"]))
        known_bitfields = {name for name, _ in spec.bitfields}
        for m in js.get("members", []):
            if not m.get("name") or m.get("bit_size") or m["name"] in known_bitfields:
                continue
            lines.append('_Static_assert(__builtin_offsetof(%s, %s) == %d, "%s.%s: offset %d");'
                         % (spelling, m["name"], m["offset"], spelling, m["name"], m["offset"]))
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


class Config:
    def __init__(self, label, compiler, c_file, base, manifest=None, probe=None):
        self.label = label
        self.compiler = compiler   # command prefix: compiler, target and ABI flags
        self.c_file = c_file
        self.base = base           # scratch path prefix for outputs
        self.manifest = manifest
        self.uncertain = 0         # alignments the JSON marks as not known
        self.blind = 0             # hidden by unnamed bitfields (generator's manifest)
        self.uncertain_right = 0
        self.probe = probe         # host probe source (gcc runs only)
        # Only clang records explicit alignment (DW_AT_alignment); with gcc
        # an over-aligned type's alignment is not in the DWARF at all.
        self.has_dw_alignment = compiler[0] == "clang"
        self.notes = []


def check(cfg, debug_flags):
    """Returns (number of checks, list of mismatch lines) for one configuration."""
    obj = cfg.base + ".o"
    oc.run(cfg.compiler + debug_flags + ["-O0", "-w", "-c", cfg.c_file, "-o", obj])
    doc = oc.structfit_json(obj)
    index = oc.index_structs(doc)
    specs = read_manifest(cfg.manifest) if cfg.manifest else specs_from_json(doc)
    problems = []
    checks = 0
    # The JSON says when DWARF cannot tell a packed layout from an unpacked
    # one; every other alignment must be the compiler's, packed or not.
    # Only the generator knows of unnamed bitfields (no DIE at all), which
    # can pad or align a struct invisibly: those are DWARF's blind spot.
    for spec in specs:
        if "hidden_bitfield" in spec.flags:
            spec.flags.add("blind")
        spec.flags.discard("align_unknown")
        if spec.spelling in index and not index[spec.spelling].get("align_certain", False):
            spec.flags.add("align_unknown")

    present = [s for s in specs if s.spelling in index]
    for spec in specs:
        checks += 1
        if spec.spelling not in index:
            problems.append("%s: missing from the JSON output" % spec.spelling)

    truth_c = cfg.base + "_truth.c"
    keys, bit_objects = write_truth_source(truth_c, cfg.c_file, present)
    truth_o = cfg.base + "_truth.o"
    oc.run(cfg.compiler + ["-O0", "-w", "-c", truth_c, "-o", truth_o])
    sections, order = oc.elf_sections(truth_o)
    raw = sections[".sfvals"]
    values = [int.from_bytes(raw[i:i + 8], "little" if order == "<" else "big")
              for i in range(0, len(raw), 8)]
    sizes = {}
    for (spec, what, member), value in zip(keys, values):
        js = index[spec.spelling]
        checks += 1
        if what == "size":
            sizes[spec.spelling] = value
            if js.get("size") != value:
                problems.append("%s: size expected %d got %s" % (spec.spelling, value, js.get("size")))
        elif what == "align":
            if "blind" in spec.flags:
                cfg.blind += 1
                continue
            if "align_unknown" in spec.flags:
                cfg.uncertain += 1
                cfg.uncertain_right += js.get("align") == value
                continue
            if "over_aligned" in spec.flags and not cfg.has_dw_alignment:
                continue
            if js.get("align") != value:
                problems.append("%s: align expected %d got %s" % (spec.spelling, value, js.get("align")))
        else:
            m = find_member(js, member)
            if m is None:
                problems.append("%s.%s: member missing from the JSON" % (spec.spelling, member))
            elif m.get("offset") != value or m.get("bit_size"):
                problems.append("%s.%s: offset expected %d got %s%s" % (
                    spec.spelling, member, value, m.get("offset"),
                    " (and reported as a bitfield)" if m.get("bit_size") else ""))

    big_endian = order == ">"
    for i, (spec, name) in enumerate(bit_objects):
        blob = sections[".sfb.%d" % i][:sizes[spec.spelling]]
        first, bits = oc.first_bit(blob, big_endian)
        checks += 1
        m = find_member(index[spec.spelling], name)
        if m is None:
            problems.append("%s.%s: bitfield missing from the JSON" % (spec.spelling, name))
        elif not m.get("bit_size") and m.get("offset", -1) * 8 == first and m.get("size", -1) * 8 == bits:
            pass  # full-width bitfield on a byte boundary: the compiler emits a plain member
        elif (not m.get("bit_size") and cfg.compiler[0] == "clang" and m.get("size", -1) * 8 == bits
              and m.get("offset") == first // 8):
            # clang drops DW_AT_bit_size when the width equals the type's;
            # the DWARF itself then misplaces the field, nothing to fix here.
            cfg.notes.append("%s.%s: clang DWARF lost full-width bitfield at bit %d" % (spec.spelling, name, first))
        elif m.get("bit_offset") != first or m.get("bit_size") != bits:
            problems.append("%s.%s: bitfield expected bit_offset %d bit_size %d, got %s %s (type %s, offset %s)"
                            % (spec.spelling, name, first, bits, m.get("bit_offset"),
                               m.get("bit_size"), m.get("type"), m.get("offset")))

    if cfg.probe:
        probe_exe = cfg.base + "_probe"
        oc.run(["gcc", "-w", "-O0", cfg.probe, "-o", probe_exe])
        out = oc.run([probe_exe]).stdout.decode()
        for line in out.splitlines():
            spelling, name, first, bits = line.split("\t")
            js = index.get(spelling)
            m = find_member(js, name) if js else None
            checks += 1
            if m is None:
                problems.append("%s.%s: (host probe) bitfield missing from the JSON" % (spelling, name))
            elif m.get("bit_offset") != int(first) or m.get("bit_size") != int(bits):
                problems.append("%s.%s: (host probe) expected bit_offset %s bit_size %s, got %s %s"
                                % (spelling, name, first, bits, m.get("bit_offset"), m.get("bit_size")))

    asserts_c = cfg.base + "_asserts.c"
    write_assert_source(asserts_c, cfg.c_file, doc, specs, cfg.has_dw_alignment)
    proc = oc.run(cfg.compiler + ["-w", "-fsyntax-only", asserts_c], check=False)
    checks += 1
    if proc.returncode != 0:
        errors = [l for l in proc.stderr.decode(errors="replace").splitlines() if "error" in l]
        problems.append("static asserts from the JSON do not compile (%d errors), first: %s"
                        % (len(errors), "; ".join(errors[:3])))
    return checks, problems


def gen_config(label, compiler, scratch, seed, count, lp64, host_probe=False, named=False):
    base = os.path.join(scratch, "gen_%d%s" % (seed, "n" if named else ""))
    cmd = [oc.gen_structs_bin(), "--seed", str(seed), "--count", str(count), "-o", base]
    if lp64:
        cmd.append("--lp64")
    if named:
        # Without unnamed bitfields every alignment is visible or marked
        # uncertain by the tool itself: none is excused.
        cmd.append("--named-bitfields")
        label += " named-bitfields"
    oc.run(cmd)
    return Config("%s seed %d" % (label, seed), compiler, base + ".c", base,
                  manifest=base + ".manifest", probe=base + "_probe.c" if host_probe else None)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    mode = ap.add_mutually_exclusive_group(required=True)
    mode.add_argument("--target", help="clang --target triple")
    mode.add_argument("--gcc", action="store_true", help="host gcc, DWARF 2/4/5, -gz, type units")
    mode.add_argument("--fixtures", action="store_true", help="fixtures/*.c on every target")
    ap.add_argument("--count", type=int, default=250, help="structs per generated file")
    ap.add_argument("--seed-offset", type=int, default=int(os.environ.get("STRUCTFIT_ORACLE_SEED", "0")),
                    help="added to every seed: unseen structs (default $STRUCTFIT_ORACLE_SEED or 0)")
    args = ap.parse_args()

    runs = []  # (Config, debug flags, reproduce hint)
    if args.target:
        if not oc.have("clang"):
            oc.skip("clang not installed")
        scratch = oc.scratch_dir(args.target)
        compiler = ["clang", "--target=" + args.target]
        if not oc.compiler_works(compiler, scratch):
            oc.skip("clang cannot compile for " + args.target)
        t_index = oc.TARGETS.index(args.target) if args.target in oc.TARGETS else 9
        for dwarf in (4, 5):
            seed = 1000 * (t_index + 1) + dwarf + args.seed_offset
            cfg = gen_config("clang %s -gdwarf-%d" % (args.target, dwarf), compiler, scratch,
                             seed, args.count, args.target in oc.LP64_TARGETS)
            runs.append((cfg, ["-gdwarf-%d" % dwarf]))
        cfg = gen_config("clang %s -gdwarf-5" % args.target, compiler, scratch, seed + 7, args.count,
                         args.target in oc.LP64_TARGETS, named=True)
        runs.append((cfg, ["-gdwarf-5"]))
    elif args.gcc:
        if not oc.have("gcc"):
            oc.skip("gcc not installed")
        if platform.machine() not in ("x86_64", "amd64"):
            oc.skip("gcc pass is defined for x86-64 hosts")
        scratch = oc.scratch_dir("gcc")
        variants = [["-gdwarf-2"], ["-gdwarf-4"], ["-gdwarf-5"],
                    ["-gdwarf-4", "-fdebug-types-section"], ["-gdwarf-5", "-gz"]]
        for i, flags in enumerate(variants):
            seed = 9000 + i + args.seed_offset
            cfg = gen_config("gcc %s" % " ".join(flags), ["gcc"], scratch, seed, args.count,
                             True, host_probe=True)
            runs.append((cfg, flags))
        cfg = gen_config("gcc -gdwarf-5", ["gcc"], scratch, 9010 + args.seed_offset, args.count, True,
                         host_probe=True, named=True)
        runs.append((cfg, ["-gdwarf-5"]))
    else:
        scratch = oc.scratch_dir("fixtures")
        fixture_dir = os.path.join(oc.source_dir(), "fixtures")
        fixtures = sorted(f for f in os.listdir(fixture_dir) if f.endswith(".c"))
        compilers = []
        if oc.have("clang"):
            for target in oc.TARGETS:
                for dwarf in (4, 5):
                    compilers.append(("clang-%s-dwarf%d" % (target, dwarf),
                                      ["clang", "--target=" + target], ["-gdwarf-%d" % dwarf]))
        if oc.have("gcc"):
            for dwarf in (2, 4, 5):
                compilers.append(("gcc-dwarf%d" % dwarf, ["gcc"], ["-gdwarf-%d" % dwarf]))
        if not compilers:
            oc.skip("neither clang nor gcc installed")
        for fixture in fixtures:
            src = os.path.join(fixture_dir, fixture)
            for label, compiler, flags in compilers:
                if not oc.compiler_works(compiler, scratch):
                    continue
                base = os.path.join(scratch, "%s-%s" % (fixture[:-2], label))
                runs.append((Config("%s %s" % (fixture, label), compiler, src, base), flags))

    total_checks = 0
    failed_runs = 0
    reported = 0
    for cfg, flags in runs:
        try:
            checks, problems = check(cfg, flags)
        except oc.OracleError as e:
            checks, problems = 1, ["error: %s" % e]
        total_checks += checks
        status = "ok" if not problems else "%d MISMATCHES" % len(problems)
        print("%-60s %6d checks  %s" % (cfg.label, checks, status))
        if cfg.uncertain or cfg.blind:
            print("    note: %d alignments marked uncertain (not asserted), %d of them still the compiler's;"
                  " %d hidden by unnamed bitfields" % (cfg.uncertain, cfg.uncertain_right, cfg.blind))
        if cfg.notes:
            print("    note: %d compiler DWARF limitations tolerated, e.g. %s" % (len(cfg.notes), cfg.notes[0]))
        if problems:
            failed_runs += 1
            for p in problems:
                if reported >= MAX_REPORTED:
                    break
                print("    [%s] %s" % (cfg.label, p))
                reported += 1
    print("%d configurations, %d failed, %d checks" % (len(runs), failed_runs, total_checks))
    if failed_runs:
        print("reproduce: build/tests/gen_structs --seed SEED --count %d [--lp64] -o /tmp/x; "
              "compile /tmp/x.c as above; structfit report --format json /tmp/x.o" % args.count)
    return 1 if failed_runs else 0


if __name__ == "__main__":
    sys.exit(main())
