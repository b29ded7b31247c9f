"""Slips test-cc captures, read from the pcaps directly: the HTTPS C2 polling about every 2.2 s
in test-cc-capture-1.pcap and the jittered (2-3 s) one in capture-2 are beacons."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import detect_common as dc  # noqa: E402

c2, shared = dc.env()
d = os.path.join(shared, "slips", "dataset", "test-cc")
# Least connections expected per capture: the TCP SYNs to the C2 (tshark): 299 in capture 1,
# 22 in capture 2.
minimum = {"test-cc-capture-1.pcap": 100, "test-cc-capture-2.pcap": 20}
for name in ("test-cc-capture-1.pcap", "test-cc-capture-2.pcap"):
    path = os.path.join(d, name)
    if not os.path.exists(path):
        dc.skip("%s absent" % path)
    found, err = dc.detect(c2, [path])
    b = [f for f in found if f["type"] == "beacon" and dc.sub(f, "peer_port") == 443
         and dc.res(f, "connections", 0) >= minimum[name]
         and 1500000 <= dc.res(f, "median_interval_us", 0) <= 3500000]
    for f in b:
        print("%s: beacon %s -> %s (%s) connections %d score %.6f median %.3f s jitter %.3f s"
              % (name, dc.sub(f, "host"), dc.sub(f, "peer"), dc.sub(f, "fqdn"),
                 dc.res(f, "connections"), dc.res(f, "score_e6") / 1e6,
                 dc.res(f, "median_interval_us") / 1e6, dc.res(f, "jitter_us") / 1e6))
    if not b:
        dc.fail("%s: no HTTPS beacon with a 1.5-3.5 s median interval; findings: %s"
                % (name, [(f["type"], f["subject"]) for f in found]))
print("PASS")
