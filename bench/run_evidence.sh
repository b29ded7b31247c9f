#!/usr/bin/env bash
# What the chain of evidence costs a scan. A release build (build-rel, RelWithDebInfo like
# `make`) scans a generated capture large enough to take >= 10 s, three times; the median run
# is reported. Evidence work is
#   - the evidence stage, timed by `scan` itself ("evidence (case, ledger)": case files,
#     reference lists, ledger, record commitments re-read from the input, signature), and
#   - the SHA-256 fingerprint of the input, computed inline in the same read as parsing; it is
#     measured as the time libcrypto's SHA-256 takes over the same bytes (`openssl dgst
#     -sha256`, the same implementation), which is what the inline hashing adds at most.
# The share is evidence / (wall time - evidence): what evidence adds to the scan without it.
# Usage: bench/run_evidence.sh [c2chain]  (default: build-rel/c2chain of this tree)
# Env: BENCH_HOURS (generated hours, default 48), BENCH_HOSTS (default 400), BENCH_RUNS (3).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
c2chain=${1:-$root/build-rel/c2chain}
if [ ! -x "$c2chain" ]; then
  cmake -S "$root" -B "$root/build-rel" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DC2C_WERROR=OFF > /dev/null
  cmake --build "$root/build-rel" -j2 --target c2chain > /dev/null
fi
hours=${BENCH_HOURS:-48}
hosts=${BENCH_HOSTS:-400}
runs=${BENCH_RUNS:-3}
work=$(mktemp -d "${TMPDIR:-/tmp}/c2c-bench-ev-XXXXXX")
trap 'rm -rf "$work"' EXIT

"$c2chain" gen -q -o "$work/data" -n "$hosts" -H "$hours" --formats pcap
data=$work/data
pcap=$data/traffic.pcap
size=$(stat -c %s "$pcap")
echo "capture: $((size / 1000000)) MB, $hosts hosts, $hours h (c2chain gen, seed 1)"

secs() { awk -v s="$1" -v e="$2" 'BEGIN { printf "%.3f", e - s }'; }
results=()
for i in $(seq 1 "$runs"); do
  rm -rf "$work/case"
  sync
  s=$(date +%s.%N)
  "$c2chain" scan -o "$work/case" -c "$data/c2chain.conf" -i "$data/feeds/c2-ips.txt" \
    -i "$data/feeds/apt_violettyphoon.txt" -i "$data/feeds/warninglist-services.json" \
    --refdata "sinkhole=$data/refdata/sinkholes.json" "$pcap" 2> "$work/scan.err" > /dev/null
  e=$(date +%s.%N)
  wall=$(secs "$s" "$e")
  evid=$(awk '/evidence \(case, ledger\)/ { print $(NF-1) }' "$work/scan.err")
  s=$(date +%s.%N)
  openssl dgst -sha256 "$pcap" > /dev/null
  e=$(date +%s.%N)
  hash=$(secs "$s" "$e")
  share=$(awk -v w="$wall" -v ev="$evid" -v h="$hash" \
    'BEGIN { printf "%.1f", 100 * (ev + h) / (w - ev - h) }')
  echo "run $i: scan ${wall} s; evidence stage ${evid} s; SHA-256 of the input ${hash} s;" \
    "evidence adds ${share}%"
  results+=("$share $wall $evid $hash")
done
median=$(printf '%s\n' "${results[@]}" | sort -n | awk -v n="$runs" 'NR == int((n + 1) / 2)')
read -r share wall evid hash <<< "$median"
echo "median: scan ${wall} s, evidence ${evid} s + hashing ${hash} s: evidence adds ${share}%" \
  "to the scan (limit 15%)"
