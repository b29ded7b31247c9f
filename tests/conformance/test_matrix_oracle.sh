#!/bin/bash
# The national statistic ("N C2 servers in country X controlled M hosts in CN") computed twice
# on the same generated capture and required to be identical per controller country:
#   peers only  nfpcapd -> nfdump -f 'dst ip in [C2] and src ip in [CN CIDRs]' -> mmdblookup
#               -> awk, exactly the commands of anchors.md §13 W4;
#   c2chain     `c2chain geodb matrix` over intel-hit findings for the same capture, with the CN
#               and US CIDR lists as the host map and the same GeoLite2 database.
# Until `c2chain scan` reads captures on this branch, the findings come from
# tests/conformance/c2gen.py intel-hits, a minimal pcap reader matching the C2 list (it cites
# each SYN record as ev:<sha256>/<off>+<len>). Both results must also equal the generator's
# ground truth.
set -euo pipefail
: "${C2CHAIN:?}" "${C2C_SHARED:?}"
HERE=$(cd "$(dirname "$0")" && pwd)
FEODO="$C2C_SHARED/threat-intel/feodo-csv-snapshot/ipblocklist.csv"
CN="$C2C_SHARED/country-ip-blocks/ipv4/cn.cidr"
US="$C2C_SHARED/country-ip-blocks/ipv4/us.cidr"
MMDB="$C2C_SHARED/slips/databases/GeoLite2-Country.mmdb"
for f in "$FEODO" "$CN" "$US" "$MMDB"; do
	if [ ! -f "$f" ]; then echo "SKIP: $f not present"; exit 77; fi
done
for t in nfpcapd nfdump mmdblookup; do
	if ! command -v $t >/dev/null; then echo "SKIP: $t not installed"; exit 77; fi
done
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cd "$T"

python3 "$HERE/c2gen.py" capture D.pcap "$FEODO" "$CN" "$US" 1500 400 3000 11 > truth.json

# ---- the peer chain (anchors.md §13 W3/W4) ----
mkdir -p out/nfp
nfpcapd -r D.pcap -w out/nfp > /dev/null 2>&1
grep -v '^#' "$FEODO" | tail -n +2 | cut -d, -f2 | tr -d '" ' | sort -u > c2.txt
{ printf 'dst ip in [ '; tr '\n' ' ' < c2.txt; printf '] and src ip in [ ';
  tr '\n' ' ' < "$CN"; printf ']\n'; } > ti_cn.nf
nfdump -R out/nfp -q -f ti_cn.nf -A srcip,dstip -o csv > pairs_cn.csv
cut -d, -f5 pairs_cn.csv | sort -u | while read -r ip; do
	cc=$(mmdblookup --file "$MMDB" --ip "$ip" country iso_code \
		| grep -o '"[A-Z][A-Z]"' | tr -d '"'); echo "${cc:-??} $ip"; done > c2_cc.txt
awk -F, 'NR==FNR{split($0,a," "); cc[a[2]]=a[1]; next}
  {x=cc[$5]; if(!((x SUBSEP $5) in sc)){sc[x SUBSEP $5]=1; nc[x]++}
   if(!((x SUBSEP $4) in sv)){sv[x SUBSEP $4]=1; nv[x]++}}
  END{for(x in nc) printf "%s\tC2=%d\tvictims=%d\n", x, nc[x], nv[x]}' c2_cc.txt pairs_cn.csv \
	| sort > peers.txt

# ---- c2chain ----
python3 "$HERE/c2gen.py" intel-hits D.pcap "$FEODO" > findings.jsonl
"$C2CHAIN" geodb matrix --geo "$MMDB" --host-map "CN:$CN" --host-map "US:$US" --home CN \
	--events-csv events.csv -o case.json findings.jsonl 2> matrix.log
cat matrix.log
python3 - <<'EOF' > ours.txt
import json
m = json.load(open('case.json'))['control_matrix']['result']
for r in m['pairs']:
    if r['host_country'] == 'CN' and r['c2_servers'] > 0:
        print('%s\tC2=%d\tvictims=%d' % (r['controller_country'], r['c2_servers'],
                                         r['controlled_hosts']))
EOF
sort -o ours.txt ours.txt

echo "peer chain (nfpcapd | nfdump | mmdblookup | awk):"; sort -t= -k3 -nr peers.txt
if ! diff -u peers.txt ours.txt; then
	echo "FAIL: c2chain's per-country counts differ from the peer chain"
	exit 1
fi
# Ground truth: distinct CN victims and C2 servers from the generator.
python3 - <<'EOF'
import json, sys
truth = json.load(open('truth.json'))['by_host_country']['CN']
m = json.load(open('case.json'))['control_matrix']['result']
cn = [r for r in m['by_host_country'] if r['country'] == 'CN'][0]
victims = {v for vs in truth.values() for v in vs}
assert cn['controlled_hosts'] == len(victims), (cn, len(victims))
assert cn['c2_servers'] == len(truth), (cn, len(truth))
assert m['home_country'] == 'CN'
assert m['host_country_source']['config'] == m['controlled_hosts'], m['host_country_source']
print('ground truth: %d C2 servers controlled %d CN hosts: equal' % (len(truth), len(victims)))
EOF
# The exchange format has one row per contact, in Shadowserver's layout.
head -1 events.csv | grep -q '^timestamp,protocol,src_ip,src_port,src_asn,src_geo,'
test "$(($(wc -l < events.csv) - 1))" -eq "$(wc -l < findings.jsonl)"
echo "OK: identical per-country counts ($(wc -l < peers.txt) controller countries)"
