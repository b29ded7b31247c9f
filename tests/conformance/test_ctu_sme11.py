"""CTU-SME-11 (Slips test18, first 5000 packets, Zeek logs labelled by hand): precision and
recall of the behavioural findings against the labels. A finding is a true positive when the
connections it names (host -> peer address, or the addresses behind its FQDN) are labelled
Malicious; recall counts the labelled-malicious (host, peer) pairs covered by a finding.
The figures are reported in docs/detection.md; the test fails below precision 0.5 or when
the RemcosRAT channel (66.63.168.35) is missed."""
import glob
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import detect_common as dc  # noqa: E402

c2, shared = dc.env()
d = os.path.join(shared, "slips", "dataset", "test18-malicious-ctu-sme-11-win", "zeek-labeled")
conn = os.path.join(d, "conn.log.labeled")
if not os.path.exists(conn):
    dc.skip("%s absent" % conn)
labels = {}
fields = None
for line in open(conn):
    if line.startswith("#fields"):
        fields = line.rstrip("\n").split("\t")[1:]
        continue
    if line.startswith("#"):
        continue
    v = dict(zip(fields, line.rstrip("\n").split("\t")))
    key = (v["id.orig_h"], v["id.resp_h"])
    lab = v.get("label", "")
    labels.setdefault(key, set()).add(lab)
malicious = {k for k, s in labels.items() if "Malicious" in s}
inputs = [os.path.join(d, n) for n in ("conn.log.labeled", "dns.log.labeled", "ssl.log.labeled")]
found, err = dc.detect(c2, inputs)
tp, fp, covered = [], [], set()
for f in found:
    host = dc.sub(f, "host")
    peers = [dc.sub(f, "peer")] if dc.sub(f, "peer") else dc.res(f, "peers", [])
    pairs = {(host, p) for p in peers if p}
    if pairs & malicious:
        tp.append(f)
        covered |= pairs & malicious
    else:
        fp.append(f)
n = len(found)
precision = len(tp) / n if n else 0.0
recall = len(covered) / len(malicious) if malicious else 0.0
print("findings %d, true positives %d, false positives %d" % (n, len(tp), len(fp)))
print("malicious (host, peer) pairs in the labels: %d %s" % (len(malicious), sorted(malicious)))
print("precision %.3f recall %.3f" % (precision, recall))
for f in fp:
    print("false positive: %s %s -> %s %s" % (f["type"], dc.sub(f, "host"), dc.sub(f, "peer"),
                                               dc.sub(f, "fqdn") or ""))
for f in tp:
    print("true positive: %s %s -> %s connections %s score %s" % (
        f["type"], dc.sub(f, "host"), dc.sub(f, "peer"), dc.res(f, "connections"),
        dc.res(f, "score_e6")))
if not any(dc.sub(f, "peer") == "66.63.168.35" for f in tp):
    dc.fail("RemcosRAT channel to 66.63.168.35 not found")
if precision < 0.5:
    dc.fail("precision %.3f below 0.5" % precision)
print("PASS")
