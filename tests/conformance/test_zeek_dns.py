#!/usr/bin/env python3
"""Conformance of `c2chain flows --dns` with Zeek's dns.log (zeek-btest baselines).

Every dns.log baseline of $C2C_SHARED/zeek-btest whose trace is in the data set is compared:
the target (98% identical records) applies to the baselines Zeek produced in its default mode;
bare-mode (-b) runs that loaded the DNS scripts are compared and reported too. Runs with a BPF
filter are left out. Records are matched by 5-tuple and transaction id (by query name, then
in order, for repeats) and compared on query, qtype, rcode and answers.
"""
import json
import os
import subprocess
import sys
from collections import defaultdict

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_zeek_conn import parse_zeek_log, select, skip  # noqa: E402

TARGET = 0.98


def run_ours(c2chain, trace, opts):
    p = subprocess.run([c2chain, "flows", "--dns", "--json"] + opts + [trace],
                       capture_output=True, text=True, timeout=600)
    if p.returncode != 0:
        raise RuntimeError("c2chain flows --dns failed on %s: %s" % (trace, p.stderr.strip()))
    return [json.loads(l) for l in p.stdout.splitlines() if l.strip()]


def key(oh, op, rh, rp, tid):
    return (oh, str(op), rh, str(rp), str(tid))


def main():
    c2chain = os.environ.get("C2CHAIN")
    root = os.path.join(os.environ.get("C2C_SHARED", ""), "zeek-btest")
    manifest = os.path.join(root, "MANIFEST.tsv")
    if not c2chain or not os.path.exists(manifest):
        skip("zeek-btest data or C2CHAIN not available")
    verbose = os.environ.get("C2C_CONFORMANCE_VERBOSE") == "1"
    with open(manifest, encoding="utf-8") as mf:
        lines = [l.rstrip("\n").split("\t") for l in mf][1:]
    total = ident = 0
    dtotal = dident = 0
    rows = []
    for ml in lines:
        if not ml[0].endswith("/dns.log"):
            continue
        trace, opts, why = select(ml, kinds=("dns.log",))
        mode = "default"
        if trace is None and why.startswith("bare mode"):
            # A dns.log means the DNS scripts were loaded: the analysis is the same.
            saved = ml[3]
            ml2 = list(ml)
            ml2[3] = saved.replace("zeek -b -C", "zeek -C").replace("zeek -C -b", "zeek -C") \
                .replace("zeek -b", "zeek")
            trace, opts, why = select(ml2, kinds=("dns.log",))
            mode = "bare (-b) with DNS scripts"
        if trace is None or not os.path.exists(os.path.join(root, trace)):
            continue
        zfields, zrows = parse_zeek_log(os.path.join(root, ml[0]))
        ours = run_ours(c2chain, os.path.join(root, trace), opts)
        mine = defaultdict(list)
        for o in ours:
            mine[key(o["id.orig_h"], o["id.orig_p"], o["id.resp_h"], o["id.resp_p"],
                     o["trans_id"])].append(o)
        used = defaultdict(int)
        n = ok = 0
        diffs = defaultdict(int)
        for z in zrows:
            n += 1
            k = key(z.get("id.orig_h"), z.get("id.orig_p"), z.get("id.resp_h"),
                    z.get("id.resp_p"), z.get("trans_id"))
            # Zeek logs a query and its reply as one record; pick the first of ours with the
            # same query name when several share the tuple and id.
            cands = mine.get(k, [])
            if used[k] >= len(cands):
                diffs["unmatched"] += 1
                if verbose:
                    print("  %s: unmatched %s" % (ml[0], k))
                continue
            # Several records can share tuple and id (mDNS uses id 0): take the first unused
            # one with the same query name, else the first unused one.
            taken = used.setdefault(("taken",) + k, set())
            pick = next((i for i, c in enumerate(cands) if i not in taken and
                         (c.get("query") or None) == z.get("query")), None)
            if pick is None:
                pick = next(i for i, c in enumerate(cands) if i not in taken)
            taken.add(pick)
            o = cands[pick]
            used[k] += 1
            mine_v = {
                "query": o.get("query") or None,
                "qtype": str(o["qtype"]) if "qtype" in o else None,
                "rcode": str(o["rcode"]) if "rcode" in o else None,
                "answers": ",".join(o["answers"]) if o.get("answers") else None,
            }
            bad = [f for f in ("query", "qtype", "rcode", "answers")
                   if f in zfields and mine_v[f] != z.get(f)]
            if bad:
                for b in bad:
                    diffs[b] += 1
                if verbose:
                    print("  %s: %s %s" % (ml[0], k, "; ".join(
                        "%s zeek=%s ours=%s" % (b, z.get(b), mine_v[b]) for b in bad)))
            else:
                ok += 1
        total += n
        ident += ok
        if mode == "default":
            dtotal += n
            dident += ok
        rows.append((ml[0].replace("Baseline/", ""), trace.replace("Traces/", ""), mode, n, ok,
                     ", ".join("%s %d" % kv for kv in sorted(diffs.items())) or "-"))
    print("| baseline | trace | Zeek mode | records | identical | differing fields |")
    print("|---|---|---|---:|---:|---|")
    for r in rows:
        print("| %s | %s | %s | %d | %d | %s |" % r)
    if total == 0:
        skip("no dns.log baselines with traces")
    print("\nTOTAL: %d of %d dns.log records identical (%.2f%%)" % (ident, total,
                                                                    100.0 * ident / total))
    if dtotal == 0:
        skip("no default-mode dns.log baselines")
    print("DEFAULT MODE: %d of %d dns.log records identical (%.2f%%)" % (
        dident, dtotal, 100.0 * dident / dtotal))
    if dident < TARGET * dtotal:
        print("FAIL: below the %.0f%% target" % (TARGET * 100))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
