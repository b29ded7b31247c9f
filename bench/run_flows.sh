#!/usr/bin/env bash
# Benchmark `c2chain flows` against softflowd and nfpcapd on the same capture.
#
# usage: bench/run_flows.sh [C2CHAIN]        (default: build/c2chain)
#   env: C2C_SHARED   data folder (default: ../shared/data next to the repository)
#        BENCH_MB     minimum capture size in MB (default 500)
#        BENCH_RUNS   runs per tool; the median CPU time is reported (default 1)
#
# Builds one capture of at least BENCH_MB from the Ethernet pcap/pcapng files under C2C_SHARED:
# they are merged in time order (mergecap), then time-shifted copies (editcap -t, one span plus
# a day apart, so flows of different copies never merge) are concatenated. Each tool reads that
# file under /usr/bin/time -v; the table gives packets per CPU second (user+sys), wall time and
# peak RSS. Temporary files live under /tmp and are removed on exit.
# Needs: wireshark-common (mergecap, editcap, capinfos), softflowd, nfdump (nfpcapd), time.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
C2CHAIN=${1:-$here/build/c2chain}
SHARED=${C2C_SHARED:-$here/../shared/data}
MB=${BENCH_MB:-500}
RUNS=${BENCH_RUNS:-1}

for t in mergecap editcap capinfos softflowd nfpcapd /usr/bin/time; do
	command -v "$t" >/dev/null || { echo "missing tool: $t" >&2; exit 69; }
done
[ -x "$C2CHAIN" ] || { echo "no c2chain binary at $C2CHAIN" >&2; exit 66; }
[ -d "$SHARED" ] || { echo "no data folder at $SHARED" >&2; exit 66; }

work=$(mktemp -d /tmp/c2c-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT

# 1. Ethernet captures, merged in time order.
list=$work/inputs.txt
: >"$list"
while IFS= read -r -d '' f; do
	enc=$(capinfos -T -E "$f" 2>/dev/null | awk -F'\t' 'NR==2{print $2}')
	[ "$enc" = "ether" ] || [ "$enc" = "Ethernet" ] && echo "$f" >>"$list"
done < <(find "$SHARED" -type f \( -name '*.pcap' -o -name '*.pcapng' \) -print0 | sort -z)
n_in=$(wc -l <"$list")
[ "$n_in" -gt 0 ] || { echo "no Ethernet captures under $SHARED" >&2; exit 66; }
xargs -d '\n' mergecap -F pcap -w "$work/base.pcap" <"$list" 2>/dev/null
base_bytes=$(stat -c %s "$work/base.pcap")

# 2. Time-shifted copies until the capture reaches MB megabytes.
first=$(capinfos -T -a -r -S "$work/base.pcap" | awk -F'\t' '{print int($2)}')
last=$(capinfos -T -e -r -S "$work/base.pcap" | awk -F'\t' '{print int($2)}')
shift_s=$(( last - first + 86400 ))
copies=$(( (MB * 1000000 + base_bytes - 1) / base_bytes ))
parts=()
for ((i = 0; i < copies; i++)); do
	editcap -t $(( i * shift_s )) "$work/base.pcap" "$work/part$i.pcap"
	parts+=("$work/part$i.pcap")
done
mergecap -a -F pcap -w "$work/bench.pcap" "${parts[@]}"
rm -f "${parts[@]}"
size=$(stat -c %s "$work/bench.pcap")
pkts=$(capinfos -T -c -r "$work/bench.pcap" | awk -F'\t' '{print $2}')

# 3. Run the tools.
measure() { # name, command...
	local name=$1
	shift
	local best=""
	for ((r = 0; r < RUNS; r++)); do
		/usr/bin/time -v -o "$work/time.txt" "$@" >/dev/null 2>"$work/err.txt" || {
			echo "$name failed:" >&2
			cat "$work/err.txt" >&2
			return 1
		}
		local u s w m
		u=$(awk -F': ' '/User time/{print $2}' "$work/time.txt")
		s=$(awk -F': ' '/System time/{print $2}' "$work/time.txt")
		w=$(awk -F': ' '/Elapsed \(wall clock\)/{print $2}' "$work/time.txt")
		m=$(awk -F': ' '/Maximum resident/{print $2}' "$work/time.txt")
		echo "$(echo "$u + $s" | bc -l) $u $s $w $m" >>"$work/$name.runs"
	done
	sort -n "$work/$name.runs" | awk -v n="$RUNS" 'NR==int((n+1)/2)' >"$work/$name.median"
}

measure c2chain "$C2CHAIN" flows "$work/bench.pcap"
"$C2CHAIN" flows --stats "$work/bench.pcap" 2>"$work/c2c.stats" | grep -vc '^#' >"$work/c2c.flows"
measure softflowd softflowd -r "$work/bench.pcap" -n 127.0.0.1:9 -d -m 1000000
mkdir -p "$work/nfp"
measure nfpcapd nfpcapd -r "$work/bench.pcap" -w "$work/nfp"

# 4. Report.
printf '\nCapture: %s MB, %s packets (%d Ethernet inputs, %d time-shifted copies)\n' \
	"$(echo "scale=1; $size / 1000000" | bc)" "$pkts" "$n_in" "$copies"
printf 'c2chain: %s flows emitted\n\n' "$(cat "$work/c2c.flows")"
echo "| tool | CPU s (user+sys) | wall | peak RSS | packets per CPU second |"
echo "|---|---:|---:|---:|---:|"
for t in c2chain softflowd nfpcapd; do
	read -r cpu u s w m <"$work/$t.median"
	pps=$(echo "$pkts / $cpu" | bc -l)
	printf '| %s | %.2f (%.2f + %.2f) | %s | %.1f MB | %.0f |\n' "$t" "$cpu" "$u" "$s" "$w" \
		"$(echo "$m / 1024" | bc -l)" "$pps"
done
c=$(awk '{print $1}' "$work/c2chain.median")
sf=$(awk '{print $1}' "$work/softflowd.median")
nf=$(awk '{print $5}' "$work/nfpcapd.median")
cm=$(awk '{print $5}' "$work/c2chain.median")
printf '\nc2chain / softflowd packets per CPU second: %.2fx\n' "$(echo "$sf / $c" | bc -l)"
printf 'c2chain / nfpcapd peak RSS: %.2f\n' "$(echo "$cm / $nf" | bc -l)"
