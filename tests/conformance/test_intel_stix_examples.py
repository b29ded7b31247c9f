#!/usr/bin/env python3
"""STIX 2.1 examples: apt1.json and poisonivy.json load every supported indicator (ipv4-addr and
domain-name comparisons, OR-ed), each with its STIX id, valid_from, and labels from its
`indicates` relationships (malware, threat actor, campaign) plus the intrusion set behind them
(attributed-to). Expected values are derived here independently from the bundle."""
import ipaddress
import json
import os
import re
import subprocess
import sys

shared = os.environ.get("C2C_SHARED", "../shared/data")
base = os.path.join(shared, "threat-intel", "stix2-examples")
files = [os.path.join(base, "cti-stix2-json-schemas/examples/threat-reports", n)
         for n in ("apt1.json", "poisonivy.json")]
files += [os.path.join(base, "cti-documentation/examples/example_json", n)
          for n in ("apt1.json", "poisonivy.json")]
files = [f for f in files if os.path.exists(f)]
if not files:
    print("SKIP: stix2-examples not present")
    sys.exit(77)

DOMAIN = re.compile(r"^(?=.{1,253}$)([A-Za-z0-9_-]{1,63}\.)+[A-Za-z0-9_-]{1,63}$")
CMP = re.compile(r"(ipv4-addr|domain-name):value = '([^']*)'")
LABEL_TYPES = {"malware": "malware", "tool": "malware", "intrusion-set": "intrusion-set",
               "threat-actor": "threat-actor", "campaign": "campaign"}


def expected(bundle):
    objs = {o["id"]: o for o in bundle["objects"]}
    rels = [o for o in bundle["objects"] if o["type"] == "relationship"]
    out = {}
    for o in bundle["objects"]:
        if o["type"] != "indicator":
            continue
        vals = set()
        for typ, v in CMP.findall(o["pattern"]):
            if typ == "ipv4-addr":
                net = ipaddress.ip_network(v, strict=False)
                vals.add(("cidr" if net.prefixlen < 32 else "ipv4", str(net) if net.prefixlen < 32 else v))
            elif DOMAIN.match(v):
                vals.add(("domain", v.lower()))
        labels = set()
        for r in rels:
            if r["source_ref"] == o["id"] and r["relationship_type"] == "indicates":
                t = objs.get(r["target_ref"])
                if t and t["type"] in LABEL_TYPES:
                    labels.add((LABEL_TYPES[t["type"]], t["name"]))
                    for r2 in rels:
                        if r2["relationship_type"] != "attributed-to":
                            continue
                        if r2["source_ref"] == t["id"] or r2["target_ref"] == t["id"]:
                            other = objs[r2["target_ref"] if r2["source_ref"] == t["id"] else r2["source_ref"]]
                            if other["type"] == "intrusion-set":
                                labels.add(("intrusion-set", other["name"]))
        out[o["id"]] = (vals, labels, o.get("valid_from"))
    return out


fail = 0
for f in files:
    bundle = json.load(open(f))
    exp = expected(bundle)
    dump = json.loads(subprocess.run([os.environ["C2CHAIN"], "intel", "check", "--dump", f],
                                     check=True, capture_output=True, text=True).stdout)
    got = {}
    for ind in dump["indicators"]:
        got.setdefault(ind["object"], []).append(ind)
    n_exp = 0
    for oid, (vals, labels, vf) in exp.items():
        n_exp += len(vals)
        have = got.get(oid, [])
        hv = {(i["type"], i["value"]) for i in have}
        if hv != vals:
            print(f"FAIL {f} {oid}: values {sorted(hv)} != {sorted(vals)}")
            fail = 1
        for i in have:
            hl = {(l["type"], l["value"]) for l in i["labels"]}
            if not labels <= hl:
                print(f"FAIL {f} {oid}: labels {sorted(hl)} lack {sorted(labels - hl)}")
                fail = 1
            if vf and i.get("valid_from", "")[:19] != vf[:19]:
                print(f"FAIL {f} {oid}: valid_from {i.get('valid_from')} != {vf}")
                fail = 1
    total = sum(len(v) for v in got.values())
    if total != n_exp:
        print(f"FAIL {f}: {total} indicators loaded, {n_exp} expected")
        fail = 1
    unsupported = {n["object"] for n in dump["notes"]}
    silent = [oid for oid, (vals, _, _) in exp.items() if not vals and oid not in unsupported]
    if silent:
        print(f"FAIL {f}: indicators dropped without a note: {silent}")
        fail = 1
    print(f"ok: {os.path.relpath(f, base)}: {total} indicators from {len(exp)} STIX indicators, "
          f"{len(unsupported)} with notes")
# the apt1 domains carry the intrusion set APT1 through the threat actor they indicate
apt1 = json.loads(subprocess.run([os.environ["C2CHAIN"], "intel", "match", "-i", files[0],
                                  "--query", "hugesoft.org"], check=True, capture_output=True,
                                 text=True).stdout)
if {"type": "intrusion-set", "value": "APT1"} not in apt1["indicator"]["labels"]:
    print("FAIL: hugesoft.org lacks intrusion-set APT1")
    fail = 1
sys.exit(fail)
