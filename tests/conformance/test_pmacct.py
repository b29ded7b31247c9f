#!/usr/bin/env python3
"""Flow exports in pcaps against pmacct's nfacctd (pmacct-test-automation).

For each test folder, the export captures traffic-*.pcap are read as c2chain inputs (detected
as captures of NetFlow v9 / IPFIX packets) and their flows are compared with nfacctd's expected
output-flow-00.json:
  - both sides are summed per key (ip_src, ip_dst, port_src, port_dst, protocol), and the key
    sets must be equal; when nfacctd aggregates on timestamp_start, the flow start seconds
    under each key must agree too (within 1 s for NetFlow v9, whose header has whole seconds);
  - per key, packets and bytes must be equal (multiplied by the sampling interval from the
    options data when the test runs nfacctd with nfacctd_renormalize: true);
  - the byte and packet totals must be equal.
ICMP: nfacctd reports ports 0; we follow Zeek (type and code in the ports), so ports are not
compared for ICMP.
"""
import collections
import glob
import json
import os
import subprocess
import sys

SHARED = os.environ.get("C2C_SHARED", "../shared/data")
BUILD = os.environ.get("C2C_BUILD", "build")
DATA = os.path.join(SHARED, "pmacct-test-automation", "tests")
DUMP = os.path.join(BUILD, "tests", "test_exportdump")
PROTO = {"tcp": 6, "udp": 17, "icmp": 1, "ipv6-icmp": 58, "vrrp": 112, "gre": 47, "esp": 50}


def conf(test):
    c = {}
    for line in open(os.path.join(test, "nfacctd-00.conf")):
        if ":" in line and not line.lstrip().startswith("!"):
            k, v = line.split(":", 1)
            c[k.split("[")[0].strip()] = v.strip()
    return c


def key(src, dst, sp, dp, proto):
    if proto in (1, 58):
        sp = dp = 0
    return (src, dst, sp, dp, proto)


def main():
    if not os.path.isdir(DATA):
        print("SKIP: %s not present" % DATA)
        return 77
    if not os.access(DUMP, os.X_OK):
        print("SKIP: %s not built" % DUMP)
        return 77
    bad = 0
    tests = sorted(glob.glob(os.path.join(DATA, "*")))
    for test in tests:
        name = os.path.basename(test)
        c = conf(test)
        by_start = "timestamp_start" in c.get("aggregate", "")
        renorm = c.get("nfacctd_renormalize", "false").startswith("true")
        want = collections.defaultdict(lambda: [0, 0])
        want_start = collections.defaultdict(list)
        got_start = collections.defaultdict(list)
        for line in open(os.path.join(test, "output-flow-00.json")):
            r = json.loads(line)
            k = key(r["ip_src"], r["ip_dst"], r["port_src"], r["port_dst"],
                    PROTO.get(r["ip_proto"], r["ip_proto"]))
            want[k][0] += r["packets"]
            want[k][1] += r["bytes"]
            if by_start:
                want_start[k].append(int(float(r["timestamp_start"])))
        pcaps = sorted(glob.glob(os.path.join(test, "traffic-*.pcap")))
        p = subprocess.run([DUMP, "flows"] + pcaps, capture_output=True, text=True)
        if p.returncode != 0:
            print("FAIL: %s: %s" % (name, p.stderr.strip()))
            bad += 1
            continue
        got = collections.defaultdict(lambda: [0, 0])
        nflows = 0
        for line in p.stdout.splitlines():
            o = json.loads(line)
            if "stats" in o:
                if o["info"]["malformed"]:
                    print("FAIL: %s: malformed content in %s" % (name, o["path"]))
                    bad += 1
                continue
            if "flow" not in o:
                continue
            f = o["flow"]
            nflows += 1
            if f["src"] not in (3, 4):
                print("FAIL: %s: flow not from NetFlow v9/IPFIX: %s" % (name, f))
                bad += 1
            mult = f["sampling"] if renorm and f["sampling"] > 1 else 1
            k = key(f["orig"], f["resp"], f["orig_port"], f["resp_port"], f["proto"])
            got[k][0] += f["orig_pkts"] * mult
            got[k][1] += f["orig_ip_bytes"] * mult
            got_start[k].append((f["ts"] // 1000000, f["src"]))
        if set(got) != set(want):
            print("FAIL: %s: keys differ: only ours %s, only pmacct %s" % (
                name, sorted(set(got) - set(want))[:3], sorted(set(want) - set(got))[:3]))
            bad += 1
        for k in sorted(set(got) & set(want), key=str):
            if got[k] != want[k]:
                print("FAIL: %s: %s packets/bytes %s, pmacct %s" % (name, k, got[k], want[k]))
                bad += 1
        # Flow start seconds: NetFlow v9 headers carry whole seconds and uptime in ms, so the
        # wall-clock start is known to within a second (nfacctd truncates the uptime
        # difference, we keep the millisecond offset): a difference of 1 s is allowed for v9.
        for k in sorted(set(want_start) & set(got_start), key=str):
            w = sorted(want_start[k])
            g = sorted(got_start[k])
            if len(w) != len(g) or any(abs(a - b[0]) > (1 if b[1] == 3 else 0)
                                       for a, b in zip(w, g)):
                print("FAIL: %s: %s starts %s, pmacct %s" % (name, k, [x[0] for x in g], w))
                bad += 1
        tg = [sum(v[i] for v in got.values()) for i in (0, 1)]
        tw = [sum(v[i] for v in want.values()) for i in (0, 1)]
        if tg != tw:
            print("FAIL: %s: totals %s, pmacct %s" % (name, tg, tw))
            bad += 1
        print("%s: %d flows, %d keys, packets/bytes %s%s" % (
            name, nflows, len(got), tg, " (renormalised)" if renorm else ""))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
