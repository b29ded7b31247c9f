#!/usr/bin/env python3
"""Compare a scanned case of `c2chain gen` output with the generator's truth.json.

Per C2 family: recall = victims with a finding naming one of the family's C2 endpoints (peer
address) or its domain, over all victims; precision = of the hosts with such findings, those
that are the family's victims. The control matrix of the report must equal the truth's
(controller country, host country, role) -> (C2 servers, controlled hosts) exactly; DNS
tunnels have no contacted C2 address and are checked by recall only.

usage: check_truth.py TRUTH.json REPORT.json [--min-precision P] [--min-recall R]
                      [--skip-kind KIND]   (families of that kind are listed, not bounded:
                                            flow records carry no DNS names for dns-tunnel)
Prints one line per family and exits 1 when a bound or the matrix fails."""
import json
import sys


def main():
    args = sys.argv[1:]
    min_p, min_r = 0.99, 0.95
    if "--min-precision" in args:
        i = args.index("--min-precision")
        min_p = float(args[i + 1])
        del args[i:i + 2]
    if "--min-recall" in args:
        i = args.index("--min-recall")
        min_r = float(args[i + 1])
        del args[i:i + 2]
    skip = set()
    while "--skip-kind" in args:
        i = args.index("--skip-kind")
        skip.add(args[i + 1])
        del args[i:i + 2]
    truth = json.load(open(args[0]))
    rep = json.load(open(args[1]))
    ok = True
    findings = rep["findings"]
    for fam in truth["families"]:
        c2 = {c["ip"] for c in fam["c2"]}
        dom = fam["domain"]
        victims = {v["ip"] for v in fam["victims"]}
        hits = set()
        for f in findings:
            s = f["subject"]
            names = {s.get("fqdn", ""), s.get("domain", "")}
            if s.get("peer") in c2 or dom in names or any(
                    n and (dom.endswith("." + n) or n.endswith("." + dom)) for n in names):
                hits.add(s.get("host"))
        tp = len(hits & victims)
        recall = tp / len(victims) if victims else 1.0
        precision = tp / len(hits) if hits else (1.0 if not victims else 0.0)
        good = recall >= min_r and precision >= min_p
        if fam["kind"] in skip:
            verdict = "not expected from this view"
        else:
            ok &= good
            verdict = "ok" if good else "BELOW BOUND"
        print("%-16s %-16s victims %3d found %3d other %3d  recall %.3f precision %.3f %s" % (
            fam["name"], fam["kind"], len(victims), tp, len(hits - victims), recall, precision,
            verdict))
    want = {}
    for p in truth["matrix"]:
        want[(p["controller_country"], p["host_country"], p["role"])] = (p["c2_servers"], p["controlled_hosts"])
    got = {}
    mres = rep.get("matrix", {}).get("result", {})
    for p in mres.get("pairs", []):
        for role, v in p.get("by_role", {}).items():
            if v.get("c2_servers", 0) or v.get("controlled_hosts", 0):
                got[(p["controller_country"], p["host_country"], role)] = (v["c2_servers"], v["controlled_hosts"])
    if got == want:
        print("control matrix: equal to the truth (%d cells)" % len(want))
    else:
        ok = False
        print("control matrix differs from the truth:")
        for k in sorted(set(got) | set(want)):
            if got.get(k) != want.get(k):
                print("  %s: report %s, truth %s" % (k, got.get(k), want.get(k)))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
