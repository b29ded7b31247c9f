#!/usr/bin/env bash
# maltrail's remcos list hits the labelled RemcosRAT C2 66.63.168.35:5888 in the slips
# CTU-SME-11 Zeek conn.log: every conn.log line to it is a match, and no line labelled Benign is.
set -u
S="${C2C_SHARED:-../shared/data}"
F="$S/threat-intel/maltrail/malware/remcos.txt"
Z="$S/slips/dataset/test18-malicious-ctu-sme-11-win/zeek-labeled/conn.log.labeled"
if [ ! -f "$F" ] || [ ! -f "$Z" ]; then echo "SKIP: data not present"; exit 77; fi
out=$("$C2CHAIN" intel match -i "$F" "$Z" 2>&1)
rc=$?
if [ $rc -ne 0 ] && echo "$out" | grep -q "not supported by this build"; then
	echo "SKIP: Zeek log ingest is not in this build ($out)"; exit 77
fi
[ $rc -eq 0 ] || { echo "FAIL: intel match exit $rc: $out"; exit 1; }
want=$(awk -F'\t' '!/^#/ && $5 == "66.63.168.35" && $6 == "5888"' "$Z" | wc -l)
echo "$out" | WANT=$want python3 -c '
import json, os, sys
hits = [json.loads(l) for l in sys.stdin if l.strip()]
c2 = [h for h in hits if h.get("peer") == "66.63.168.35" and h.get("peer_port") == 5888]
want = int(os.environ["WANT"])
assert len(c2) == want, "%d matches, conn.log has %d lines to the C2" % (len(c2), want)
assert all(h["host"] == "192.168.1.107" for h in c2)
assert {"type": "malware", "value": "remcos"} in c2[0]["indicator"]["labels"]
print("ok: %d of %d conn.log lines to 66.63.168.35:5888 match remcos.txt line %s" % (len(c2), want, c2[0]["indicator"]["line"]))
'
