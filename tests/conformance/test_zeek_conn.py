#!/usr/bin/env python3
"""Conformance of `c2chain flows` with Zeek's conn.log (zeek-btest baselines).

Reads $C2C_SHARED/zeek-btest/MANIFEST.tsv, keeps the conn baselines that Zeek produced in its
default mode (`zeek -r`, not bare mode `-b`, no BPF filter `-f`, one trace), runs
`$C2CHAIN flows --json` (with -C when Zeek ran with -C) and matches our flows to Zeek's by
proto and 5-tuple (baselines mask timestamps, so flows sharing a tuple pair up in start
order). Compared: proto, orig/resp pkts, orig/resp IP bytes, orig/resp bytes, conn_state (the
subset a zeek-cut baseline kept). Fails when fewer than 98% of the baseline connections are
identical on those fields. Prints a markdown table (trace, connections, matched, differing
fields); C2C_CONFORMANCE_VERBOSE=1 lists every difference.
"""
import json
import os
import shlex
import subprocess
import sys
from collections import defaultdict

FIELDS = ["proto", "orig_pkts", "resp_pkts", "orig_ip_bytes", "resp_ip_bytes", "orig_bytes",
          "resp_bytes", "conn_state"]
ID = ["id.orig_h", "id.orig_p", "id.resp_h", "id.resp_p"]
TARGET = 0.98


def skip(msg):
    print("SKIP: " + msg)
    sys.exit(77)


def parse_zeek_log(path):
    """Rows of a Zeek TSV log or a `zeek-cut -m` output (header line of names)."""
    rows, fields = [], None
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("#fields"):
                fields = line.split("\t")[1:]
                continue
            if line.startswith("#") or not line.strip():
                continue
            if fields is None:  # zeek-cut -m: first line names the columns
                fields = line.split("\t")
                continue
            vals = line.split("\t")
            rows.append({k: (None if v == "-" else v) for k, v in zip(fields, vals)})
    return fields or [], rows


def zeek_runs(cmdline):
    """(args of the zeek run that wrote conn.log, cut columns or None, output name)."""
    parts = [p.strip() for p in cmdline.split(";")]
    return parts


def select(manifest_line, kinds=("conn.log", "conn.cut")):
    """Decide whether a baseline is a default-mode baseline of `kinds`; returns
    (trace, opts, why-not)."""
    base, traces, script, cmd = (manifest_line + ["", "", "", ""])[:4]
    name = os.path.basename(base)
    if not name.startswith(kinds):
        return None, None, "other log"
    if "conn_key" in base or "connkey" in base:
        return None, None, "test replaces the connection key (VLAN-aware or plugin)"
    parts = [p.strip() for p in cmd.split(";")]
    # The run that wrote the baseline is the last zeek run before the first command that
    # reads the baseline's file (btest-diff, btest-diff-cut, zeek-cut > file).
    stem = name.split(".")[0] + "." + name.split(".")[1] if name.count(".") >= 1 else name
    upto = len(parts)
    for i, p in enumerate(parts):
        if "zeek " in p and " -r" in p:
            continue
        if ("btest-diff" in p or "zeek-cut" in p) and (name in p or stem in p):
            upto = i
            break
    zeek = [p for p in parts[:upto] if "zeek " in p and (" -r" in p or "-Cr" in p)]
    if not zeek:
        return None, None, "no zeek -r run"
    run = zeek[-1]
    try:
        argv = shlex.split(run)
    except ValueError:
        return None, None, "unparsable command"
    gz = None
    if "gunzip" in argv and "|" in argv:
        gz = argv[argv.index("gunzip") + 2]
    if "zeek" not in argv:
        return None, None, "unparsable command"
    argv = argv[argv.index("zeek"):]
    trace = None
    for i, a in enumerate(argv[1:], 1):
        if a.startswith("-") and not a.startswith("--") and a.endswith("r") and i + 1 < len(argv):
            trace = argv[i + 1]
    if trace == "-" and gz:
        trace = gz
    if trace is None:
        return None, None, "no trace"
    trace = trace.replace("${TRACES}", "Traces").replace("$TRACES", "Traces")
    if not trace.startswith("Traces/"):
        return None, None, "trace outside the data set"
    flags = [a for a in argv[1:] if a.startswith("-") and not a.startswith("--")]
    joined = "".join(f.lstrip("-") for f in flags)
    if "b" in joined:
        return None, None, "bare mode (-b)"
    if "-f" in argv or any("restricted_filter" in a for a in argv):
        return None, None, "BPF filter (-f / PacketFilter)"
    opts = []
    if "C" in joined:
        opts.append("-C")
    return trace, opts, ""


def run_ours(c2chain, trace, opts):
    p = subprocess.run([c2chain, "flows", "--json"] + opts + [trace], capture_output=True,
                       text=True, timeout=600)
    if p.returncode != 0:
        raise RuntimeError("c2chain flows failed on %s: %s" % (trace, p.stderr.strip()))
    return [json.loads(l) for l in p.stdout.splitlines() if l.strip()]


def norm_ours(f):
    return {
        "proto": f.get("proto"),
        "orig_pkts": str(f.get("orig_pkts")) if "orig_pkts" in f else None,
        "resp_pkts": str(f.get("resp_pkts")) if "resp_pkts" in f else None,
        "orig_ip_bytes": str(f.get("orig_ip_bytes")) if "orig_ip_bytes" in f else None,
        "resp_ip_bytes": str(f.get("resp_ip_bytes")) if "resp_ip_bytes" in f else None,
        "orig_bytes": str(f["orig_bytes"]) if "orig_bytes" in f else None,
        "resp_bytes": str(f["resp_bytes"]) if "resp_bytes" in f else None,
        "conn_state": f.get("conn_state"),
    }


def key_of(proto, oh, op, rh, rp):
    return (proto, oh, str(op), rh, str(rp))


def compare(zrows, zfields, ours):
    """Returns (n, identical, per-field differences, unmatched, notes)."""
    have = [f for f in FIELDS if f in zfields]
    mine = defaultdict(list)
    for f in ours:
        mine[key_of(f["proto"], f["id.orig_h"], f["id.orig_p"], f["id.resp_h"],
                    f["id.resp_p"])].append(f)
    for k in mine:
        mine[k].sort(key=lambda f: f["ts"])
    used = defaultdict(int)
    n = ident = 0
    diffs = defaultdict(int)
    notes = []
    for z in zrows:
        n += 1
        proto = z.get("proto")
        k = key_of(proto, z.get("id.orig_h"), z.get("id.orig_p"), z.get("id.resp_h"),
                   z.get("id.resp_p"))
        if proto is None:
            # no proto column: try each
            cands = [kk for kk in mine if kk[1:] == k[1:]]
            k = cands[0] if cands else k
        if proto == "unknown_transport" and z.get("ip_proto") == "132":
            # Zeek has no SCTP analyzer: it logs SCTP as unknown_transport with ports 0,
            # c2chain as "sctp" with the association's ports. Pair them by addresses.
            k = next((kk for kk in mine if kk[0] == "sctp" and kk[1] == k[1] and
                      kk[3] == k[3] and used[kk] < len(mine[kk])), k)
        lst = mine.get(k, [])
        if used[k] >= len(lst):
            rk = (k[0], k[3], k[4], k[1], k[2])
            diffs["unmatched" if not mine.get(rk) else "direction"] += 1
            notes.append("unmatched %s" % (k,))
            continue
        f = lst[used[k]]
        used[k] += 1
        o = norm_ours(f)
        if o["proto"] == "sctp" and proto == "unknown_transport":
            o["proto"] = proto
        bad = [fld for fld in have if o.get(fld) != z.get(fld)]
        if bad:
            for b in bad:
                diffs[b] += 1
            notes.append("%s: %s" % (k, ", ".join("%s zeek=%s ours=%s" % (b, z.get(b), o.get(b))
                                                  for b in bad)))
        else:
            ident += 1
    return n, ident, diffs, notes


def main():
    c2chain = os.environ.get("C2CHAIN")
    shared = os.environ.get("C2C_SHARED", "")
    root = os.path.join(shared, "zeek-btest")
    manifest = os.path.join(root, "MANIFEST.tsv")
    if not c2chain or not os.path.exists(manifest):
        skip("zeek-btest data or C2CHAIN not available")
    verbose = os.environ.get("C2C_CONFORMANCE_VERBOSE") == "1"
    total = total_ident = 0
    table = []
    skipped = defaultdict(int)
    with open(manifest, encoding="utf-8") as mf:
        lines = [l.rstrip("\n").split("\t") for l in mf][1:]
    for ml in lines:
        trace, opts, why = select(ml)
        if trace is None:
            if why != "other log":
                skipped[why] += 1
            continue
        base = os.path.join(root, ml[0])
        tpath = os.path.join(root, trace)
        if not os.path.exists(tpath) or not os.path.exists(base):
            skipped["trace missing"] += 1
            continue
        zfields, zrows = parse_zeek_log(base)
        if not all(i in zfields for i in ID):
            skipped["baseline without the 5-tuple"] += 1
            continue
        if not any(f in zfields for f in FIELDS):
            skipped["baseline without compared fields"] += 1
            continue
        ours = run_ours(c2chain, tpath, opts)
        n, ident, diffs, notes = compare(zrows, zfields, ours)
        total += n
        total_ident += ident
        dtext = ", ".join("%s %d" % (k, v) for k, v in sorted(diffs.items())) or "-"
        table.append((ml[0].replace("Baseline/", ""), trace.replace("Traces/", ""),
                      " ".join(opts) or "", n, ident, dtext))
        if verbose:
            for nt in notes:
                print("  %s: %s" % (ml[0], nt))
    print("| baseline | trace | opts | connections | identical | differing fields |")
    print("|---|---|---|---:|---:|---|")
    for row in table:
        print("| %s | %s | %s | %d | %d | %s |" % row)
    pct = 100.0 * total_ident / total if total else 0.0
    print("\nTOTAL: %d of %d baseline connections identical (%.2f%%)" % (total_ident, total, pct))
    for why, k in sorted(skipped.items()):
        print("not compared: %d baselines (%s)" % (k, why))
    if total == 0:
        skip("no default-mode conn baselines found")
    if total_ident < TARGET * total:
        print("FAIL: below the %.0f%% target" % (TARGET * 100))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
