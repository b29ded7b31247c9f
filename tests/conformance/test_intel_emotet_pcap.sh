#!/usr/bin/env bash
# maltrail's emotet list hits the Emotet C2 138.197.147.101 in ndpi's emotet.pcap (SOURCE.md),
# through pcap ingest, flows and the intel-hit findings.
set -u
S="${C2C_SHARED:-../shared/data}"
F="$S/threat-intel/maltrail/malware/emotet.txt"
P="$S/ndpi/pcap/emotet.pcap"
if [ ! -f "$F" ] || [ ! -f "$P" ]; then echo "SKIP: data not present"; exit 77; fi
out=$("$C2CHAIN" intel match -i "$F" "$P" 2>&1)
rc=$?
if [ $rc -ne 0 ] && echo "$out" | grep -q "not supported by this build"; then
	echo "SKIP: pcap ingest is not in this build ($out)"; exit 77
fi
[ $rc -eq 0 ] || { echo "FAIL: intel match exit $rc: $out"; exit 1; }
echo "$out" | python3 -c '
import json, sys
hits = [json.loads(l) for l in sys.stdin if l.strip()]
c2 = [h for h in hits if h.get("peer") == "138.197.147.101"]
assert c2, "no hit on 138.197.147.101: %d hits" % len(hits)
h = c2[0]
assert h["where"] == "conn.resp", h
assert {"type": "malware", "value": "emotet"} in h["indicator"]["labels"], h["indicator"]["labels"]
assert h["indicator"]["feed"].endswith("emotet.txt")
print("ok: %d matches on 138.197.147.101 (port %s, line %s)" % (len(c2), h.get("peer_port"), h["indicator"]["line"]))
' || exit 1
f=$("$C2CHAIN" intel match --findings -i "$F" "$P") || exit 1
echo "$f" | python3 -c '
import json, sys
fs = [json.loads(l) for l in sys.stdin if l.strip()]
c2 = [x["finding"] for x in fs if x["list"] == "findings" and x["finding"]["subject"].get("peer") == "138.197.147.101"]
assert c2, "no finding for the C2"
x = c2[0]
assert x["type"] == "intel-hit" and x["rung"] == "L1" and x["recheck"] == "refdata"
assert x["evidence"]["refs"] or x["evidence"]["samples"]
assert x["evidence"]["refdata"][0].startswith("sha256:")
print("ok: finding %s host %s -> %s" % (x["id"], x["subject"]["host"], x["subject"]["peer"]))
'
