"""Slow beacons (1 h, 4 h, 8 h periods over 5 days) from `c2chain gen`: the default mode finds
every infected pair with a score of at least 0.9; the rita mode's score (24 h window) is shown
beside it and must be lower for periods above 3 h. RITA scores a
regular 4 h beacon about 0.72 and cannot score an 8 h one (fewer than 4 connections in 24 h)."""
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import detect_common as dc  # noqa: E402

c2, _ = dc.env()
tmp = tempfile.mkdtemp(prefix="c2c-slow-")
p = subprocess.run([c2, "gen", "-o", tmp, "-H", "120", "--slow", "3600,14400,28800",
                    "--formats", "zeek", "-q"], capture_output=True, text=True)
if p.returncode != 0:
    dc.fail("c2chain gen failed: " + p.stderr)
truth = json.load(open(os.path.join(tmp, "truth.json")))
zeek = [os.path.join(tmp, "zeek", n) for n in ("conn.log", "dns.log", "ssl.log", "http.log")]
conf = os.path.join(tmp, "c2chain.conf")
dflt, _ = dc.detect(c2, zeek, "--config", conf)
rita, _ = dc.detect(c2, zeek, "--config", conf, "--mode", "rita", "--set", "beacon.min_score=0")


def index(found):
    m = {}
    for f in found:
        if f["type"] == "beacon":
            m[(dc.sub(f, "host"), dc.sub(f, "fqdn") or dc.sub(f, "peer"))] = f
    return m


di, ri = index(dflt), index(rita)
print("%-28s %-13s %9s %12s %12s" % ("family", "victim", "period", "default", "rita"))
bad = []
for fam in truth["families"]:
    if not fam["name"].startswith("slow-"):
        continue
    for v in fam["victims"]:
        key = (v["ip"], fam["domain"])
        d = di.get(key)
        r = ri.get(key)
        ds = "%.6f" % (dc.res(d, "score_e6") / 1e6) if d else "missed"
        rs = "%.3f" % (dc.res(r, "score_e6") / 1e6) if r else "not scored"
        print("%-28s %-13s %8ds %12s %12s" % (fam["domain"], v["ip"], fam["interval_s"], ds, rs))
        if d is None or dc.res(d, "score_e6") < 900000:
            bad.append(key)
        elif (fam["interval_s"] > 3 * 3600 and r is not None
              and dc.res(r, "score_e6") >= dc.res(d, "score_e6")):
            bad.append(key + ("rita not lower",))
if bad:
    dc.fail("slow beacons not found by the default mode: %s" % bad)
print("PASS")
