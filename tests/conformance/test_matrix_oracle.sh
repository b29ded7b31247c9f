#!/bin/bash
# The national statistic ("N C2 servers in country X controlled M hosts in CN") computed twice
# on the same generated capture and required to be identical per controller country:
#   peers only  nfpcapd -> nfdump -f 'dst ip in [C2] and src ip in [CN CIDRs]' -> mmdblookup
#               -> awk, exactly the commands of anchors.md §13 W4;
#   c2chain     `c2chain scan` of the capture with the Feodo feed (-i), the same GeoLite2
#               database (--geo) and the CN and US CIDR lists as host maps (--host-map), read
#               back from the case's report.json (control matrix, docs/report-schema.md).
# The capture comes from tests/conformance/c2gen.py capture (a generator with ground truth);
# nothing but c2chain computes c2chain's side. Both results must also equal the generator's
# ground truth, for host country CN and for US (the peer chain is run for both).
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

# ---- the peer chain (anchors.md §13 W3/W4), once per host country ----
mkdir -p out/nfp
nfpcapd -r D.pcap -w out/nfp > /dev/null 2>&1
grep -v '^#' "$FEODO" | tail -n +2 | cut -d, -f2 | tr -d '" ' | sort -u > c2.txt
peers() { # peers CC CIDR-LIST > "CC<TAB>C2=n<TAB>victims=m" per controller country
	{ printf 'dst ip in [ '; tr '\n' ' ' < c2.txt; printf '] and src ip in [ ';
	  tr '\n' ' ' < "$2"; printf ']\n'; } > "ti_$1.nf"
	nfdump -R out/nfp -q -f "ti_$1.nf" -A srcip,dstip -o csv > "pairs_$1.csv"
	cut -d, -f5 "pairs_$1.csv" | sort -u | while read -r ip; do
		cc=$(mmdblookup --file "$MMDB" --ip "$ip" country iso_code \
			| grep -o '"[A-Z][A-Z]"' | tr -d '"'); echo "${cc:-??} $ip"; done > "c2_cc_$1.txt"
	awk -F, 'NR==FNR{split($0,a," "); cc[a[2]]=a[1]; next}
	  {x=cc[$5]; if(!((x SUBSEP $5) in sc)){sc[x SUBSEP $5]=1; nc[x]++}
	   if(!((x SUBSEP $4) in sv)){sv[x SUBSEP $4]=1; nv[x]++}}
	  END{for(x in nc) printf "%s\tC2=%d\tvictims=%d\n", x, nc[x], nv[x]}' \
		"c2_cc_$1.txt" "pairs_$1.csv" | sort
}
peers CN "$CN" > peers_CN.txt
peers US "$US" > peers_US.txt

# ---- c2chain: the real scan ----
"$C2CHAIN" scan -q -j 1 -i "$FEODO" --geo "$MMDB" --host-map "CN:$CN" --host-map "US:$US" \
	-o case D.pcap
# Fields of case/report.json, printed as they are (no counting here): `field EXPR` evaluates
# EXPR with r = the report and prints each resulting line.
field() { python3 -c 'import json, sys; r = json.load(open("case/report.json"))
for x in eval(sys.argv[1]): print(x)' "$1"; }
# Rows of the control matrix for one host country, in the peers' layout.
ours() {
	field "['%s\tC2=%d\tvictims=%d' % (p['controller_country'], p['c2_servers'],
		p['controlled_hosts']) for p in r['matrix']['result']['pairs']
		if p['host_country'] == '$1' and p['c2_servers'] > 0]" | sort
}
ours CN > ours_CN.txt
ours US > ours_US.txt

status=0
for h in CN US; do
	echo "host country $h, peer chain (nfpcapd | nfdump | mmdblookup | awk):"
	sort -t= -k3 -nr "peers_$h.txt"
	if [ ! -s "peers_$h.txt" ]; then echo "FAIL: the peer chain found nothing for $h"; status=1; fi
	if ! diff -u "peers_$h.txt" "ours_$h.txt"; then
		echo "FAIL: c2chain's per-country counts for hosts in $h differ from the peer chain"
		status=1
	fi
done
[ "$status" -eq 0 ] || exit 1

# Ground truth: distinct victims and C2 servers per host country, from the generator; the
# totals of the matrix rows and of the peer chain (servers and victims per host country).
for h in CN US; do
	want=$(python3 -c 'import json, sys; t = json.load(open("truth.json"))["by_host_country"][sys.argv[1]]
print("C2=%d\tvictims=%d" % (len(t), len({v for vs in t.values() for v in vs})))' "$h")
	got=$(field "['C2=%d\tvictims=%d' % (c['c2_servers'], c['controlled_hosts'])
		for c in r['matrix']['result']['by_host_country'] if c['country'] == '$h']")
	peer=$(awk -F, '{c[$5]=1; v[$4]=1} END{printf "C2=%d\tvictims=%d", length(c), length(v)}' \
		"pairs_$h.csv")
	echo "host country $h: truth $want; c2chain $got; peer chain $peer"
	if [ "$want" != "$got" ] || [ "$want" != "$peer" ]; then
		echo "FAIL: host country $h differs from the generator's ground truth"; exit 1
	fi
done
# Every controlled host was placed by the host maps (none by the database, none unknown),
# and the lists are pinned in the case.
src=$(field "[r['matrix']['result']['host_country_source']['config'] ==
	r['matrix']['result']['controlled_hosts'] and
	r['matrix']['result']['host_country_source']['geo'] == 0 and
	[x['detail'] for x in r['scope']['refdata'] if x['kind'] == 'host-map'] == ['CN', 'US']]")
[ "$src" = True ] || { echo "FAIL: host country source or pins"; exit 1; }
# The exchange format has one row per (host, C2 endpoint, port) contact, in Shadowserver's
# layout, with the host's country from the same maps.
"$C2CHAIN" report case --format events-csv -o events.csv
head -1 events.csv | grep -q '^timestamp,protocol,src_ip,src_port,src_asn,src_geo,'
test "$(($(wc -l < events.csv) - 1))" -eq "$(field "[r['summary']['findings']['intel-hit']]")"
test "$(awk -F, 'NR > 1 && $6 == "CN"' events.csv | wc -l)" -eq \
	"$(python3 -c 'import json; print(sum(map(len, json.load(open("truth.json"))["by_host_country"]["CN"].values())))')"
# The case verifies offline (the matrix is recounted from the cited findings).
"$C2CHAIN" verify case > verify.txt || { cat verify.txt; echo "FAIL: verify"; exit 1; }
echo "OK: identical per-country counts ($(wc -l < peers_CN.txt) controller countries for CN hosts, $(wc -l < peers_US.txt) for US hosts)"
