#!/bin/bash
# Zeek TSV and JSON copies of the same dns.log (zed-sample-data, Zeek 6.2, WRCCDC 2018) must
# give identical DNS observations: 53,615 records, field by field, in the same order (only the
# line references differ), with no malformed line.
set -u
Z="${C2C_SHARED:-../shared/data}/zed-sample-data"
DUMP="${C2C_BUILD:-build}/tests/test_exportdump"
if [ ! -f "$Z/zeek-default/dns.log.gz" ] || [ ! -f "$Z/zeek-json/dns.json.gz" ]; then
	echo "SKIP: $Z dns logs not present"; exit 77
fi
if [ ! -x "$DUMP" ]; then echo "SKIP: $DUMP not built"; exit 77; fi
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
"$DUMP" flows "$Z/zeek-default/dns.log.gz" > "$T/tsv" || { echo "FAIL: TSV read failed"; exit 1; }
"$DUMP" flows "$Z/zeek-json/dns.json.gz" > "$T/json" || { echo "FAIL: JSON read failed"; exit 1; }
python3 - "$T/tsv" "$T/json" <<'PY'
import json, sys
def load(p):
    obs, summ = [], None
    for l in open(p):
        o = json.loads(l)
        if "obs" in o:
            x = o["obs"]; x.pop("ev")
            obs.append(json.dumps(x, sort_keys=True))
        elif "stats" in o:
            summ = o
    return obs, summ
a, sa = load(sys.argv[1]); b, sb = load(sys.argv[2])
bad = 0
for name, s in (("tsv", sa), ("json", sb)):
    if s["info"]["malformed"] != 0 or s["info"]["records"] != 53615:
        print("FAIL: %s: %s" % (name, s["info"])); bad += 1
if len(a) != 53615 or len(b) != 53615:
    print("FAIL: %d TSV and %d JSON observations, want 53615" % (len(a), len(b))); bad += 1
diff = [i for i, (x, y) in enumerate(zip(a, b)) if x != y]
if diff:
    i = diff[0]
    print("FAIL: %d observations differ; first at %d:\n  %s\n  %s" % (len(diff), i, a[i], b[i]))
    bad += 1
queries = {json.loads(x)["u"]["query"] for x in a}
print("%d observations identical, %d distinct queries" % (len(a), len(queries)))
sys.exit(1 if bad else 0)
PY
