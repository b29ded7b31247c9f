#!/usr/bin/env python3
"""Actor catalogue against the real MITRE ATT&CK and MISP galaxy files.

An independent reading of the same files (here, in Python) decides what must resolve:
every name and alias of every live ATT&CK intrusion set must resolve to its ATT&CK id; the
groups of the attribution disputes resolve as one set each (APT31 = ZIRCONIUM = JUDGMENT PANDA
= Violet Typhoon; APT40 = Leviathan; APT27 = Emissary Panda; Volt Typhoon); the free-text
`# Aliases:` headers of maltrail's apt_*.txt trails resolve by majority; a wrong pin fails.
"""
import collections
import hashlib
import json
import os
import subprocess
import sys

shared = os.environ.get("C2C_SHARED", "../shared/data")
c2chain = os.environ.get("C2CHAIN", "c2chain")
ti = os.path.join(shared, "threat-intel")
files = [
    os.path.join(ti, "mitre-attack/enterprise-groups-campaigns-software.stix20.json"),
    os.path.join(ti, "mitre-attack/ics-attack.json"),
    os.path.join(ti, "misp-galaxy/clusters/threat-actor.json"),
    os.path.join(ti, "misp-galaxy/clusters/mitre-intrusion-set.json"),
]
maltrail = os.path.join(ti, "maltrail/malware")
for f in files:
    if not os.path.exists(f):
        print(f"SKIP: {f} not present")
        sys.exit(77)
if not os.path.exists(c2chain):
    print(f"SKIP: {c2chain} not built")
    sys.exit(77)


def sha256(path):
    with open(path, "rb") as fh:
        return hashlib.sha256(fh.read()).hexdigest()


args = [c2chain, "actors"]
for f in files:
    args += ["-c", f"{f}={sha256(f)}"]


def resolve(labels):
    out = subprocess.run(args + ["--"] + labels, check=True, capture_output=True, text=True)
    res = {}
    for line in out.stdout.splitlines():
        o = json.loads(line)
        res[o["label"]] = [m["key"] for m in o["matches"]]
    return res


failures = []

# 1. Every live ATT&CK intrusion set: name and aliases resolve to (at least) its id.
expect = {}
for f in files[:2]:
    for o in json.load(open(f))["objects"]:
        if o.get("type") != "intrusion-set" or o.get("revoked") or o.get("x_mitre_deprecated"):
            continue
        gid = next(r["external_id"] for r in o["external_references"]
                   if r.get("source_name", "").startswith("mitre-"))
        for name in [o["name"]] + o.get("aliases", []):
            expect.setdefault(name, set()).add(gid)
got = resolve(sorted(expect))
n_amb = 0
for name, gids in sorted(expect.items()):
    keys = set(got.get(name, []))
    if not gids <= keys:
        failures.append(f"{name}: want {sorted(gids)}, got {sorted(keys)}")
    if len(keys) > 1:
        n_amb += 1
print(f"ATT&CK names/aliases: {len(expect)} checked, {n_amb} ambiguous with MISP synonyms")

# 2. The groups of the public disputes, each as exactly one set.
groups = {
    "G0128": ["APT31", "ZIRCONIUM", "JUDGMENT PANDA", "Violet Typhoon", "apt-31",
              "misp-galaxy:threat-actor=\"APT31\""],
    "G0065": ["APT40", "Leviathan", "MUDCARP", "TEMP.Periscope", "Gingham Typhoon"],
    "G0027": ["APT27", "Emissary Panda", "TG-3390", "LuckyMouse", "Threat Group-3390"],
    "G1017": ["Volt Typhoon", "VANGUARD PANDA", "BRONZE SILHOUETTE", "Voltzite"],
}
got = resolve([l for ls in groups.values() for l in ls])
for gid, labels in groups.items():
    for l in labels:
        if got.get(l) != [gid]:
            failures.append(f"{l}: want exactly {gid}, got {got.get(l)}")

# 3. maltrail apt_*.txt "# Aliases:" headers: majority vote per trail.
if os.path.isdir(maltrail):
    trails = {}
    for fn in sorted(os.listdir(maltrail)):
        if not fn.startswith("apt_") or not fn.endswith(".txt"):
            continue
        for line in open(os.path.join(maltrail, fn), errors="replace"):
            if line.startswith("# Aliases:"):
                trails[fn] = [a.strip() for a in line[10:].split(",") if a.strip()]
                break
    labels = sorted({a for al in trails.values() for a in al} | {t[:-4] for t in trails})
    got = resolve(labels)
    majority = {}
    for fn, al in trails.items():
        votes = collections.Counter()
        for a in al + [fn[:-4]]:
            m = got.get(a, [])
            if len(m) == 1:
                votes[m[0]] += 1
        if votes:
            majority[fn] = votes.most_common(1)[0][0]
    print(f"maltrail: {len(trails)} trails with aliases, {len(majority)} resolved by majority")
    for fn, gid in [("apt_judgmentpanda.txt", "G0128"), ("apt_mudcarp.txt", "G0065"),
                    ("apt_27.txt", "G0027")]:
        if majority.get(fn) != gid:
            failures.append(f"maltrail {fn}: majority {majority.get(fn)}, want {gid}")
    if len(majority) < len(trails) * 6 // 10:
        failures.append(f"maltrail: only {len(majority)} of {len(trails)} trails resolved")

# 4. A wrong pin is refused.
bad = [c2chain, "actors", "-c", files[2] + "=" + "0" * 64, "APT31"]
r = subprocess.run(bad, capture_output=True, text=True)
if r.returncode != 1 or "does not match the pinned" not in r.stderr:
    failures.append(f"wrong pin: exit {r.returncode}, stderr {r.stderr!r}")

for f in failures[:40]:
    print("FAIL:", f)
if failures:
    print(f"{len(failures)} failures")
    sys.exit(1)
print("PASS: actor catalogue")
