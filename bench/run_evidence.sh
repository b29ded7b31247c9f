#!/usr/bin/env bash
# What the chain of evidence costs a scan. A release build (build-rel, RelWithDebInfo like
# `make`) scans a generated capture large enough that a scan takes >= 10 s, BENCH_RUNS times
# (default 3), each run paired with `scan --analysis-only` on the same input (the same reading
# and analysis with no input fingerprint, no case and no reports: the scan without its chain of
# evidence). Every figure is the median over the runs. Evidence work is
#   - the evidence stage, timed by `scan` itself ("evidence (case, ledger)": case files,
#     reference lists, ledger, record commitments re-read from the input, signature), and
#   - the SHA-256 fingerprint of the input, computed in the same read as parsing (on a thread
#     of its own for a large file), so it has no phase of its own: what it adds is measured as
#     the scan's "reading and analysis" time minus that of the --analysis-only run. For
#     reference, `openssl dgst -sha256` over the same (page-cached) bytes gives the CPU time
#     the digest takes with the same libcrypto.
# Share: evidence work / (scan wall time - evidence work), what it adds to the scan without it.
# Also per run: the CPU seconds (user + system) of the scan and of the analysis-only run, less
# sensitive to other load on the machine than wall times.
# Usage: bench/run_evidence.sh [c2chain]  (default: build-rel/c2chain of this tree)
# Env: BENCH_HOURS (generated hours, default 48), BENCH_HOSTS (default 5000), BENCH_RUNS (3),
#      BENCH_DATA (reuse a folder written by `c2chain gen -n HOSTS -H HOURS --formats pcap`).
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
hosts=${BENCH_HOSTS:-5000}
runs=${BENCH_RUNS:-5}
work=$(mktemp -d "${TMPDIR:-/tmp}/c2c-bench-ev-XXXXXX")
trap 'rm -rf "$work"' EXIT

if [ -n "${BENCH_DATA:-}" ]; then
  data=$BENCH_DATA
else
  data=$work/data
  "$c2chain" gen -q -o "$data" -n "$hosts" -H "$hours" --formats pcap
fi
pcap=$data/traffic.pcap
size=$(stat -c %s "$pcap")
echo "capture: $((size / 1000000)) MB, $hosts hosts, $hours h (c2chain gen, seed 1);" \
  "$(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"

secs() { awk -v s="$1" -v e="$2" 'BEGIN { printf "%.3f", e - s }'; }
median() { printf '%s\n' "$@" | sort -g | awk -v n="$#" 'NR == int((n + 1) / 2)'; }
phase() { awk -v k="$1" 'index($0, k) { print $(NF-1) }' "$2"; }
scan() {
  /usr/bin/time -f '%U %S' -o "$work/cpu" "$c2chain" scan "$@" -c "$data/c2chain.conf" -i "$data/feeds/c2-ips.txt" \
    -i "$data/feeds/apt_violettyphoon.txt" -i "$data/feeds/warninglist-services.json" \
    --refdata "sinkhole=$data/refdata/sinkholes.json" "$pcap" 2> "$work/scan.err" > /dev/null
}
cpu() { awk '{ printf "%.2f", $1 + $2 }' "$work/cpu"; }
walls=() evids=() hashes=() bases=() dgsts=() cpus=() bcpus=()
for i in $(seq 1 "$runs"); do
  rm -rf "$work/case"
  sync
  s=$(date +%s.%N)
  scan -o "$work/case"
  e=$(date +%s.%N)
  wall=$(secs "$s" "$e")
  ana=$(phase "reading and analysis" "$work/scan.err")
  evid=$(phase "evidence (case, ledger)" "$work/scan.err")
  scpu=$(cpu)
  s=$(date +%s.%N)
  scan --analysis-only
  e=$(date +%s.%N)
  base=$(secs "$s" "$e")
  bcpu=$(cpu)
  hash=$(awk -v a="$ana" -v b="$(phase "reading and analysis" "$work/scan.err")" \
    'BEGIN { printf "%.3f", a - b }')
  s=$(date +%s.%N)
  openssl dgst -sha256 "$pcap" > /dev/null
  e=$(date +%s.%N)
  dgst=$(secs "$s" "$e")
  echo "run $i: scan ${wall} s (analysis only ${base} s); evidence stage ${evid} s;" \
    "input SHA-256 adds ${hash} s (openssl dgst ${dgst} s); CPU ${scpu} s (analysis only ${bcpu} s)"
  walls+=("$wall") evids+=("$evid") hashes+=("$hash") bases+=("$base") dgsts+=("$dgst")
  cpus+=("$scpu") bcpus+=("$bcpu")
done
wall=$(median "${walls[@]}")
evid=$(median "${evids[@]}")
hash=$(median "${hashes[@]}")
base=$(median "${bases[@]}")
dgst=$(median "${dgsts[@]}")
scpu=$(median "${cpus[@]}")
bcpu=$(median "${bcpus[@]}")
awk -v w="$wall" -v ev="$evid" -v h="$hash" -v b="$base" -v d="$dgst" -v sc="$scpu" \
  -v bc="$bcpu" 'BEGIN {
  printf "median: scan %.2f s (analysis only %.2f s); evidence stage %.2f s;", w, b, ev
  printf " input SHA-256 adds %.2f s (openssl dgst %.2f s)\n", h, d
  printf "CPU: scan %.2f s, analysis only %.2f s (scan with case and reports: +%.1f%%)\n", sc, bc,
    100 * (sc - bc) / bc
  printf "evidence stage adds %.1f%%, input SHA-256 %.1f%%; evidence work adds %.1f%%",
    100 * ev / (w - ev - h), 100 * h / (w - ev - h), 100 * (ev + h) / (w - ev - h)
  printf " to the scan (limit 15%%)\n" }'
