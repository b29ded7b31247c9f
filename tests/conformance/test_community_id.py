#!/usr/bin/env python3
"""Community ID v1 of `c2chain flows` against the community-id-spec baselines.

$C2C_SHARED/corelight/community-id-spec/baseline/baseline_{deflt,seed1,nob64}.json list, for
every packet direction of pcaps/combined.pcap.gz, the tuple and its expected Community ID.
Each entry is matched to the flow of `$C2CHAIN flows --json` with the same IP protocol and the
same two endpoints (in either order) and its community_id compared: with the default seed,
with --community-id-seed 1, and (no-base64) the hex form of the default digest. Every entry
must agree. Also checks Zeek's own bifs.community_id.run-pcaps outputs on Traces/communityid.
"""
import base64
import json
import os
import re
import subprocess
import sys


def skip(msg):
    print("SKIP: " + msg)
    sys.exit(77)


def flows(c2chain, path, extra):
    p = subprocess.run([c2chain, "flows", "--json"] + extra + [path], capture_output=True,
                       text=True, timeout=300)
    if p.returncode != 0:
        raise RuntimeError("c2chain flows failed: " + p.stderr.strip())
    return [json.loads(l) for l in p.stdout.splitlines() if l.strip()]


def index(fl):
    idx = {}
    for f in fl:
        ends = frozenset([(f["id.orig_h"], f["id.orig_p"]), (f["id.resp_h"], f["id.resp_p"])])
        idx.setdefault((f["ip_proto"], ends), f.get("community_id"))
    return idx


def main():
    c2chain = os.environ.get("C2CHAIN")
    shared = os.environ.get("C2C_SHARED", "")
    spec = os.path.join(shared, "corelight", "community-id-spec")
    pcap = os.path.join(spec, "pcaps", "combined.pcap.gz")
    if not c2chain or not os.path.exists(pcap):
        skip("community-id-spec data or C2CHAIN not available")
    runs = {"deflt": index(flows(c2chain, pcap, [])),
            "seed1": index(flows(c2chain, pcap, ["--community-id-seed", "1"]))}
    total = bad = 0
    for variant, src in (("deflt", "deflt"), ("seed1", "seed1"), ("nob64", "deflt")):
        with open(os.path.join(spec, "baseline", "baseline_%s.json" % variant)) as f:
            entries = json.load(f)
        n = ok = 0
        for e in entries:
            n += 1
            ends = frozenset([(e["saddr"], e["sport"] or 0), (e["daddr"], e["dport"] or 0)])
            got = runs[src].get((e["proto"], ends))
            if got is not None and variant == "nob64":
                got = "1:" + base64.b64decode(got[2:]).hex()
            if got == e["communityid"]:
                ok += 1
            else:
                print("  %s: %s -> ours %s, want %s" % (variant, e, got, e["communityid"]))
        print("%s: %d of %d entries agree" % (variant, ok, n))
        total += n
        bad += n - ok
    # Zeek's btest outputs for its own community-id traces (TCP/UDP/ICMP/ICMPv6/IPv6).
    zroot = os.path.join(shared, "zeek-btest")
    outs = os.path.join(zroot, "Baseline", "bifs.community_id.run-pcaps")
    pat = re.compile(r"orig_h=([^,]+), orig_p=(\d+)/(\w+), resp_h=([^,]+), resp_p=(\d+)/\w+, "
                     r"proto=(\d+).*\], (1:\S+)")
    if os.path.isdir(outs):
        n = ok = 0
        for name in sorted(os.listdir(outs)):
            trace = os.path.join(zroot, "Traces", "communityid", name[:-4])
            if not os.path.exists(trace):
                continue
            idx = index(flows(c2chain, trace, []))
            for line in open(os.path.join(outs, name)):
                m = pat.search(line)
                if not m or m.group(3) == "unknown":
                    continue  # Zeek hashes transports it does not parse with ports 0
                oh, op, _, rh, rp, proto, cid = m.groups()
                n += 1
                got = idx.get((int(proto), frozenset([(oh, int(op)), (rh, int(rp))])))
                if got == cid:
                    ok += 1
                else:
                    print("  zeek %s: %s -> ours %s" % (name, line.strip(), got))
        print("zeek run-pcaps: %d of %d connections agree" % (ok, n))
        total += n
        bad += n - ok
    if bad:
        print("FAIL: %d of %d Community IDs differ" % (bad, total))
        return 1
    print("all %d Community IDs agree" % total)
    return 0


if __name__ == "__main__":
    sys.exit(main())
