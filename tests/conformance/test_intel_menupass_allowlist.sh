#!/usr/bin/env bash
# 204.79.197.200 (a Microsoft address) in maltrail's apt_menupass.txt is suppressed by the
# microsoft-azure warninglist: `intel check` lists it as allow-listed, `intel match` reports the
# hit as suppressed and names the allow-list.
set -u
TI="${C2C_SHARED:-../shared/data}/threat-intel"
F="$TI/maltrail/malware/apt_menupass.txt"
WL="$TI/misp-warninglists/lists"
if [ ! -f "$F" ] || [ ! -d "$WL" ]; then echo "SKIP: threat-intel data not present"; exit 77; fi
fail=0
out=$("$C2CHAIN" intel check "$F" $(find "$WL" -name list.json | sort)) || { echo "FAIL: check exit $?"; exit 1; }
line=$(grep -n '^204\.79\.197\.200' "$F" | head -1 | cut -d: -f1)
if echo "$out" | grep -q "allow-listed: 204.79.197.200:8443 ($F:$line) on List of known Microsoft Azure Datacenter IP Ranges (204.79.197.0/24)"; then
	echo "ok: check lists 204.79.197.200:8443 (line $line) as allow-listed"
else
	echo "FAIL: check output lacks the allow-listed line"; echo "$out" | grep allow-listed | head; fail=1
fi
m=$("$C2CHAIN" intel match -i "$F" $(for w in $(find "$WL" -name list.json | sort); do printf -- '-a %s ' "$w"; done) \
	--query 204.79.197.200:8443 --query 204.79.197.200)
echo "$m" | python3 -c '
import json, sys
lines = [json.loads(l) for l in sys.stdin if l.strip()]
assert len(lines) == 2, lines
for l in lines:
    by = [s["feed"] for s in l["suppressed_by"]]
    assert "List of known Microsoft Azure Datacenter IP Ranges" in by, by
    assert l["indicator"]["feed"].endswith("apt_menupass.txt")
    assert {"type": "intrusion-set", "value": "apt10"} in l["indicator"]["labels"]
print("ok: both queries suppressed by the Azure warninglist")
' || fail=1
# a hit that is not on any allow-list is not suppressed
n=$("$C2CHAIN" intel match -i "$F" -a "$WL/microsoft-azure/list.json" --query dick.ccfchrist.com | grep -c suppressed_by)
[ "$n" = 0 ] && echo "ok: unlisted domain not suppressed" || { echo "FAIL: domain suppressed"; fail=1; }
exit $fail
