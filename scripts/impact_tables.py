#!/usr/bin/env python3
"""Tables for impact-realworld.sh from one `structfit report --summary
--sort=impact --profile=...` output: the top 10 by impact, the byte-only
ranking it replaces, and the structs whose byte saving the allocator's
size classes cancel."""
import sys

COLUMNS = 9  # SIZE PROPOSED SAVES ALLOCS PEAK CLASS SAVED/INST SAVED@PEAK DECLARED


def rows(path):
    out = []
    with open(path) as f:
        lines = f.read().splitlines()
    for line in lines[1:]:
        parts = line.split()
        if len(parts) <= COLUMNS or not parts[0] or line.startswith(("total", "(")):
            continue
        name = " ".join(parts[:-COLUMNS])
        size, proposed, saves, allocs, peak, cls, per_inst, at_peak, decl = parts[-COLUMNS:]
        out.append(dict(name=name, size=int(size), proposed=int(proposed), saves=int(saves),
                        allocs=allocs, peak=peak, cls=cls, per_inst=int(per_inst),
                        at_peak=at_peak, decl=decl, counted=allocs != "-"))
    return lines, out


def main():
    lines, structs = rows(sys.argv[1])
    print("-- top 10 by impact (report --summary --sort=impact)")
    body = [line for line in lines[1:] if not line.startswith(("total", "("))]
    for line in lines[:1] + body[:10]:
        print(line)
    for line in lines:
        if line.startswith(("total", "(")):
            print(line)
    counted = sorted((s for s in structs if s["counted"] and s["peak"] != "-"),
                     key=lambda s: -int(s["peak"]) * s["size"])
    print("-- which structs matter: bytes live at the peak (peak instances x size), top 5")
    for s in counted[:5]:
        print("   %-28s %8s x %5d = %10d bytes, saving after size classes %s at peak" % (
            s["name"], s["peak"], s["size"], int(s["peak"]) * s["size"], s["at_peak"]))
    print("-- byte-only ranking (by bytes saved per struct, as without a profile): top 10")
    byte_rank = sorted(structs, key=lambda s: -s["saves"])  # stable: report order on ties
    impact_pos = {s["name"]: i + 1 for i, s in enumerate(structs)}
    print("%-4s %-28s %5s %6s %10s %10s %11s" % ("RANK", "NAME", "SAVES", "ALLOCS", "PEAK",
                                               "SAVED/INST", "IMPACT RANK"))
    for i, s in enumerate(byte_rank[:10]):
        print("%-4d %-28s %5d %6s %10s %10d %11d" % (i + 1, s["name"], s["saves"], s["allocs"],
                                                   s["peak"], s["per_inst"], impact_pos[s["name"]]))
    cancelled = [s for s in structs if s["saves"] > 0 and s["per_inst"] == 0]
    print("-- byte saving real, zero after size classes: %d struct(s)" % len(cancelled))
    for s in cancelled:
        print("   %-28s %d -> %d bytes, size class %s, allocations %s, peak %s" % (
            s["name"], s["size"], s["proposed"], s["cls"], s["allocs"], s["peak"]))
    allocated = [s for s in cancelled if s["counted"]]
    print("   of these allocated in this run: %s" % (", ".join(s["name"] for s in allocated) or "none"))


if __name__ == "__main__":
    main()
