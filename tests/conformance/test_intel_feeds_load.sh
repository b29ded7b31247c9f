#!/usr/bin/env bash
# Every file under threat-intel loads without error (licences and schemas load as "other"),
# and the known feeds give their documented counts (SOURCE.md).
set -u
TI="${C2C_SHARED:-../shared/data}/threat-intel"
if [ ! -d "$TI" ]; then echo "SKIP: $TI not present"; exit 77; fi
fail=0
n=0
while IFS= read -r -d '' f; do
	n=$((n + 1))
	if ! out=$("$C2CHAIN" intel check --json "$f" 2>&1 >/dev/null); then
		echo "FAIL: $f: $out"; fail=1
	fi
done < <(find "$TI" -type f -print0 | sort -z)
echo "checked $n files"
count() { # file jq-like python expression
	"$C2CHAIN" intel check --json "$1" | python3 -c "import json,sys; d=json.load(sys.stdin); print($2)"
}
expect() {
	if [ "$1" != "$2" ]; then echo "FAIL: $3: got $1, want $2"; fail=1; else echo "ok: $3 = $2"; fi
}
expect "$(count "$TI/feodo-csv-snapshot/ipblocklist.csv" "d['feeds'][0]['by_type']['ipv4']")" 28 "feodo ipv4 (ip:port) indicators"
expect "$(count "$TI/feodo-csv-snapshot/ipblocklist.csv" "d['feeds'][0]['kind']")" feodo-csv "feodo kind"
expect "$(count "$TI/firehol-level1-2017/firehol_level1.netset" "d['feeds'][0]['indicators']")" 6612 "firehol entries"
expect "$(count "$TI/ipsum/ipsum.txt" "d['feeds'][0]['indicators']")" 120430 "ipsum addresses"
# 19,863 lines: SOURCE.md says 19,862 because the last line has no newline (wc -l)
expect "$(count "$TI/threatfox-ioc-ips/ips.txt" "d['feeds'][0]['indicators']")" 19863 "threatfox ips"
expect "$(count "$TI/misp-events-pymisp/tests/reportlab_testfiles/to_delete3.json" "d['feeds'][0]['by_type']['ipv4']")" 43 "qakbot event ip-dst"
expect "$(count "$TI/misp-events-pymisp/tests/reportlab_testfiles/to_delete2.json" "d['totals']['indicators']")" 93 "hidden cobra event ip-dst + ip-dst|port"
expect "$(count "$TI/misp-warninglists/lists/public-dns-v4/list.json" "d['feeds'][0]['allow']")" True "warninglists are allow-lists"
# the whole tree at once, in one process
if ! "$C2CHAIN" intel check --json $(find "$TI" -type f | sort) > /dev/null; then
	echo "FAIL: loading all files together"; fail=1
fi
exit $fail
