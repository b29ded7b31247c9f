#!/usr/bin/env python3
"""suricata-verify iprep-* and datasets-match-subdomain: the alert counts each test.yaml expects,
computed with c2chain's matcher (`c2chain intel match`) over the same pcap, lists and rules.

What is compared: IP/CIDR reputation (iprep:<side>,<category>,<op>,<score> and isset/isnotset,
side any/src/dst/both) and dataset membership with `match subdomain` (domain suffix semantics).
Packets are decoded with tshark (a peer tool, used here only to list addresses, ICMP types and
DNS query names); every reputation and membership decision comes from c2chain. Suricata's rule
engine semantics are reproduced only as far as the cases need: a rule with `itype` is inspected
per packet, an IP-only rule once per flow direction (its first packet).
Out of scope (not matching questions): iprep-12 (rule-type analysis), datasets-01/04/05/07/08
(sets learned at run time with `dataset:set` and saved state files)."""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

shared = os.environ.get("C2C_SHARED", "../shared/data")
root = os.path.join(shared, "suricata-verify", "tests")
if not os.path.isdir(root):
    print("SKIP: suricata-verify not present")
    sys.exit(77)
if shutil.which("tshark") is None:
    print("SKIP: tshark not installed (Debian package tshark)")
    sys.exit(77)
C2CHAIN = os.environ["C2CHAIN"]
tmp = tempfile.mkdtemp()


def expected_counts(test_yaml):
    """count/sid pairs of the filters that only name a signature id (tiny YAML subset)."""
    out, cur = [], {}
    for line in open(test_yaml):
        s = line.strip()
        if s.startswith("- filter:"):
            if cur:
                out.append(cur)
            cur = {}
        elif s.startswith("count:"):
            cur["count"] = int(s.split(":")[1])
        elif s.startswith("alert.signature_id:"):
            cur["sid"] = int(s.split(":")[1])
        elif ":" in s and not s.startswith(("match:", "filename", "expected")):
            k = s.split(":")[0]
            if k not in ("count", "alert.signature_id", "event_type", "requires", "min-version"):
                cur.setdefault("extra", {})[k] = s.split(":", 1)[1].strip().strip('"')
        elif s.startswith("event_type:"):
            cur["event_type"] = s.split(":")[1].strip()
    if cur:
        out.append(cur)
    return [c for c in out if "count" in c]


def packets(pcap):
    r = subprocess.run(["tshark", "-r", pcap, "-n", "-T", "fields", "-E", "separator=\t",
                        "-e", "frame.number", "-e", "ip.src", "-e", "ip.dst", "-e", "icmp.type",
                        "-e", "icmp.ident", "-e", "dns.qry.name", "-e", "dns.flags.response"],
                       check=True, capture_output=True, text=True)
    pk = []
    for line in r.stdout.splitlines():
        f = (line.split("\t") + [""] * 7)[:7]
        pk.append({"n": int(f[0]), "src": f[1], "dst": f[2], "itype": f[3], "ident": f[4],
                   "qname": f[5], "response": f[6]})
    return pk


def match(feeds, values, kind=None):
    """value -> list of hits (indicator dicts), via one `c2chain intel match -q` run."""
    q = os.path.join(tmp, "queries.txt")
    with open(q, "w") as fp:
        fp.write("".join(v + "\n" for v in values))
    cmd = [C2CHAIN, "intel", "match"]
    if kind:
        cmd += ["--kind", kind]
    for f in feeds:
        cmd += ["-i", f]
    cmd += ["-q", q]
    r = subprocess.run(cmd, check=True, capture_output=True, text=True)
    hits = {v: [] for v in values}
    for line in r.stdout.splitlines():
        h = json.loads(line)
        hits[values[h["query_line"] - 1]].append(h)
    return hits


fail = 0
checked = 0

# ---- iprep -------------------------------------------------------------------------------
for case in sorted(d for d in os.listdir(root) if d.startswith("iprep-")):
    d = os.path.join(root, case)
    rules_f = os.path.join(d, "iprep.rules")
    ty = open(os.path.join(d, "test.yaml")).read()
    m = re.search(r"-r (\S+)", ty)
    lst = re.search(r"reputation-files=\$\{TEST_DIR\}/(\S+)", ty)
    cats_f = re.search(r"reputation-categories-file=\$\{TEST_DIR\}/(\S+)", ty)
    if not m or not lst or not cats_f:
        print(f"out of scope: {case} (no pcap run: {'engine analysis' if 'engine-analysis' in ty else 'other'})")
        continue
    pcap = os.path.normpath(os.path.join(d, m.group(1)))
    cats = {}
    for line in open(os.path.join(d, cats_f.group(1))):
        p = line.strip().split(",")
        if len(p) >= 2:
            cats[p[1]] = p[0]
    pk = packets(pcap)
    ips = sorted({p["src"] for p in pk} | {p["dst"] for p in pk})
    hits = match([os.path.join(d, lst.group(1))], ips, kind="suricata-iprep")
    # reputation of an address: category -> score of the most specific entry (exact first,
    # then longest prefix: c2chain's hit order), as Suricata's radix lookup returns
    rep = {}
    for ip in ips:
        rep[ip] = {}
        for h in hits[ip]:
            ind = h["indicator"]
            cat = next(l["value"] for l in ind["labels"] if l["type"] == "category")
            rep[ip].setdefault(cat, ind["score"])
    # flows for IP-only rules: key (sorted endpoints, ICMP id), direction = source address
    first_of_dir = set()
    seen = set()
    for p in pk:
        key = (tuple(sorted((p["src"], p["dst"]))), p["ident"], p["src"])
        if key not in seen:
            seen.add(key)
            first_of_dir.add(p["n"])
    rules = []
    for line in open(rules_f):
        if not line.strip() or line.startswith("#"):
            continue
        sid = int(re.search(r"sid:(\d+)", line).group(1))
        ip = re.search(r"iprep:\s*([^;]+);", line).group(1).split(",")
        it = re.search(r"itype:(\d+)", line)
        rules.append((sid, [x.strip() for x in ip], it.group(1) if it else None))

    def cond(addr, cat, op, val):
        s = rep[addr].get(cat)
        if op == "isset":
            return s is not None
        if op == "isnotset":
            return s is None
        if s is None:
            return False
        v = int(val)
        return {"=": s == v, "!=": s != v, "<": s < v, "<=": s <= v, ">": s > v, ">=": s >= v}[op]

    alerts = {}
    for sid, (side, catname, op, *val), itype in rules:
        cat = cats.get(catname, catname)
        v = val[0] if val else None
        n = 0
        for p in pk:
            if itype is not None and p["itype"] != itype:
                continue
            if itype is None and p["n"] not in first_of_dir:
                continue
            s, t = cond(p["src"], cat, op, v), cond(p["dst"], cat, op, v)
            ok = {"any": s or t, "src": s, "dst": t, "both": s and t}[side]
            if ok:
                n += 1
                alerts.setdefault(sid, []).append(p)
        alerts.setdefault(sid, [])
    for e in expected_counts(os.path.join(d, "test.yaml")):
        if "sid" not in e:
            continue
        got = alerts.get(e["sid"], [])
        extra = e.get("extra", {})
        if "dest_ip" in extra:
            got = [p for p in got if p["dst"] == extra["dest_ip"]]
        if "pcap_cnt" in extra:
            got = [p for p in got if p["n"] == int(extra["pcap_cnt"])]
        checked += 1
        if len(got) != e["count"]:
            print(f"FAIL {case} sid {e['sid']} {extra}: {len(got)} alerts, test.yaml expects {e['count']}")
            fail = 1
        else:
            print(f"ok: {case} sid {e['sid']} {extra or ''}: {e['count']}")

# ---- datasets with subdomain matching ----------------------------------------------------
d = os.path.join(root, "datasets-match-subdomain")
if os.path.isdir(d):
    pk = [p for p in packets(os.path.join(d, "input.pcap")) if p["qname"] and p["response"] in ("0", "False")]
    names = [p["qname"] for p in pk]
    # sid 1: the dataset file itself (base64 strings, as Suricata stores them)
    h1 = match([os.path.join(d, "domains.lst")], names, kind="suricata-dataset")
    # sid 2: ndjson with value_key "domain": the values become a plain list
    plain = os.path.join(tmp, "domains-json.txt")
    with open(plain, "w") as fp:
        for line in open(os.path.join(d, "domains.json")):
            if line.strip():
                fp.write(json.loads(line)["domain"] + "\n")
    h2 = match([plain], names)
    got = {1: sum(1 for n in names if h1[n]), 2: sum(1 for n in names if h2[n])}
    for e in expected_counts(os.path.join(d, "test.yaml")):
        want_sid = e.get("sid")
        n = got[want_sid] if want_sid else got[1] + got[2]
        checked += 1
        if n != e["count"]:
            print(f"FAIL datasets-match-subdomain sid {want_sid}: {n} != {e['count']}")
            fail = 1
        else:
            print(f"ok: datasets-match-subdomain sid {want_sid or 'all'}: {n}")
    if any(h1[n] for n in names if n == "example.com"):
        print("FAIL: example.com matched .evil.com")
        fail = 1
print("out of scope: datasets-01, datasets-04-http-dns, datasets-05/07/08 (run-time learned sets)")
shutil.rmtree(tmp)
if checked == 0:
    print("FAIL: nothing checked")
    fail = 1
sys.exit(fail)
