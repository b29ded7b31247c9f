#!/bin/bash
# kill -9 of `c2chain collect` in the middle of a stream (loopback only): afterwards only
# complete evidence files carry a final name, and each of them reloads without error, with no
# truncated record and no CRC mismatch; the interrupted file is left under its temporary name,
# and the next start of the collector reports it.
set -u
C2CHAIN="${C2CHAIN:-build/c2chain}"
DUMP="${C2C_BUILD:-build}/tests/test_exportdump"
if [ ! -x "$C2CHAIN" ] || [ ! -x "$DUMP" ]; then echo "SKIP: binaries not built"; exit 77; fi
T=$(mktemp -d); trap 'kill -9 $COL $SND 2>/dev/null; rm -rf "$T"' EXIT
COL=""; SND=""
mkdir "$T/ev"
"$C2CHAIN" collect --listen 127.0.0.1:0 -o "$T/ev" --rotate-bytes 65536 --max-seconds 60 \
	> "$T/out" 2> "$T/err" &
COL=$!
for _ in $(seq 50); do grep -q 'port [0-9]' "$T/err" 2>/dev/null && break; sleep 0.1; done
PORT=$(grep -o 'port [0-9]*' "$T/err" | cut -d' ' -f2)
[ -n "$PORT" ] || { echo "FAIL: collector did not start"; cat "$T/err"; exit 1; }
# a steady NetFlow v5 stream: 30 records per datagram, sequence numbers continuous
python3 - "$PORT" <<'PY' &
import socket, struct, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
seq = 0
end = time.time() + 20
while time.time() < end:
    hdr = struct.pack("!HHIIIIBBH", 5, 30, 100000, int(time.time()), 0, seq, 0, 0, 0)
    recs = b"".join(struct.pack("!IIIHHIIIIHHBBBBHHBBH", 0x0a000000 + i, 0xc6336401, 0, 1, 2,
                                3, 300, 99000, 99500, 1024 + i, 443, 0, 0x10, 6, 0, 0, 0, 24,
                                24, 0) for i in range(30))
    s.sendto(hdr + recs, ("127.0.0.1", int(sys.argv[1])))
    seq += 30
    time.sleep(0.0005)
PY
SND=$!
sleep 2
kill -9 "$COL"; wait "$COL" 2>/dev/null; COL=""
kill "$SND" 2>/dev/null; wait "$SND" 2>/dev/null; SND=""
bad=0
final=$(find "$T/ev" -name 'c2c-*.c2ce' | sort)
tmp=$(find "$T/ev" -name '.c2c-*.tmp')
nfinal=$(echo "$final" | grep -c . || true)
if [ "$nfinal" -lt 2 ]; then echo "FAIL: only $nfinal complete files (rotation expected)"; bad=1; fi
if [ -z "$tmp" ]; then echo "FAIL: the interrupted file should remain under its temporary name"; bad=1; fi
total=0
for f in $final; do
	if ! "$DUMP" flows "$f" > "$T/d" 2> "$T/de"; then
		echo "FAIL: $f does not reload: $(cat "$T/de")"; bad=1; continue
	fi
	python3 - "$T/d" "$f" <<'PY' || bad=1
import json, sys
s = [json.loads(l) for l in open(sys.argv[1]) if '"stats"' in l][-1]
st = s["stats"]
for k in ("export.evidence_truncated", "export.evidence_bad_crc", "export.malformed"):
    if st.get(k, 0):
        print("FAIL: %s: %s = %d" % (sys.argv[2], k, st[k])); sys.exit(1)
if st.get("export.records", 0) != 30 * s["info"]["records"]:
    print("FAIL: %s: %s" % (sys.argv[2], st)); sys.exit(1)
PY
	total=$((total + $(grep -c '"flow"' "$T/d")))
done
# the next start reports the leftover
"$C2CHAIN" collect --listen 127.0.0.1:0 -o "$T/ev" --max-seconds 1 > /dev/null 2> "$T/err2"
if ! grep -q "incomplete evidence file" "$T/err2"; then
	echo "FAIL: leftover temporary file not reported"; cat "$T/err2"; bad=1
fi
echo "$nfinal complete evidence files, $total flows reloaded; leftover: $(basename $tmp)"
exit $bad
