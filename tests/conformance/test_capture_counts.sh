#!/usr/bin/env bash
# Capture readers against tshark: every .pcap/.pcapng(.gz) under $C2C_SHARED/zeek-btest/Traces,
# suricata-verify and ndpi is read without error, and the packet count equals what tshark counts
# for the same file (`tshark -r FILE -T fields -e frame.number | wc -l`). Counts from our side come
# from the test helper test_capture_traces --count (reader + decoder, no flow table).
set -u
shared=${C2C_SHARED:-}
build=${C2C_BUILD:-}
helper="$build/tests/test_capture_traces"
if [ -z "$shared" ] || [ ! -d "$shared/zeek-btest/Traces" ]; then
	echo "SKIP: no shared traces under \$C2C_SHARED"
	exit 77
fi
if ! command -v tshark >/dev/null 2>&1; then
	echo "SKIP: tshark not installed (Debian package tshark)"
	exit 77
fi
if [ ! -x "$helper" ]; then
	echo "SKIP: $helper not built"
	exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
find "$shared/zeek-btest/Traces" "$shared/suricata-verify" "$shared/ndpi" -type f \
	\( -name '*.pcap' -o -name '*.pcapng' -o -name '*.pcap.gz' -o -name '*.pcapng.gz' \
	-o -name '*.cap' \) 2>/dev/null | LC_ALL=C sort >"$tmp/files"
n=$(wc -l <"$tmp/files")
[ "$n" -gt 0 ] || { echo "SKIP: no capture files found"; exit 77; }

fail=0
checked=0
while IFS= read -r f; do
	# tshark stops at a truncated or corrupt record and says so on stderr; it still prints the
	# packets before it, which is what we must match.
	want=$(tshark -n -r "$f" -T fields -e frame.number 2>/dev/null | wc -l)
	line=$("$helper" --count "$f" 2>"$tmp/err")
	rc=$?
	got=$(printf '%s' "$line" | cut -f1)
	status=$(printf '%s' "$line" | cut -f3)
	checked=$((checked + 1))
	if [ $rc -ne 0 ] || [ "$status" != C2C_OK ]; then
		echo "FAIL read: $f: $status $(cat "$tmp/err")"
		fail=$((fail + 1))
	elif [ "$got" != "$want" ]; then
		echo "FAIL count: $f: c2chain $got, tshark $want"
		fail=$((fail + 1))
	fi
done <"$tmp/files"
echo "capture counts: $checked files, $fail mismatches"
[ "$fail" -eq 0 ]
