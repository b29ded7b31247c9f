#!/usr/bin/env bash
# Intel benchmarks (docs/intel.md, README "Benchmarks"): feed load time and memory, lookup
# throughput with 1 million mixed indicators against a plain open-addressing hash set, and
# against nfdump's `ip in [ ... ]` filter on the same flows (anchors.md §13 W3).
# Usage: bench/run_intel.sh [BUILD_DIR]   (release build; created when missing)
# Needs: cc, python3, GNU time; nfdump + nfpcapd for the nfdump rows (skipped when absent).
# Lookup rates are per CPU-second of the measuring thread (the goal is per core); load times are
# wall-clock, with the CPU time next to them (the shared machine's load shows in the difference).
set -eu
SRC=$(cd "$(dirname "$0")/.." && pwd)
B=${1:-$SRC/build-rel}
SHARED=${C2C_SHARED:-$SRC/../shared/data}
TI=$SHARED/threat-intel
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
if [ ! -x "$B/c2chain" ]; then
	cmake -S "$SRC" -B "$B" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
	cmake --build "$B" -j2 --target c2chain >"$W/build.log" 2>&1 || { tail -20 "$W/build.log"; exit 1; }
fi
cc -O2 -march=native -std=c11 -D_POSIX_C_SOURCE=200809L -I"$SRC/include" "$SRC/bench/intel_lookup.c" \
	"$B/libc2c_intel.a" "$B/libc2c_ingest.a" "$B/libc2c_core.a" -ljansson -lcrypto -lz -lm -lpthread \
	-o "$W/intel_lookup"
T="command time -f %e_s_%M_KB"
echo "== machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2-)"
echo "== all feeds under threat-intel ($(find "$TI" -type f | wc -l) files, $(du -sh "$TI" | cut -f1))"
echo -n "   library load + freeze: "
$T "$W/intel_lookup" feeds $(find "$TI" -type f | sort) 2>&1 | tr '\n' ' '; echo
echo -n "   c2chain intel check (load, freeze, duplicates, allow-list overlaps, report): "
$T "$B/c2chain" intel check --json $(find "$TI" -type f | sort) 2>&1 >"$W/all.json" | tail -1
python3 -c "import json; t=json.load(open('$W/all.json'))['totals']; print('   indicators', t['indicators'], t['by_type'])"
echo "== 1,000,000 mixed indicators (700k IPv4, 100k IPv6, 100k CIDR, 100k domains)"
$T "$W/intel_lookup" synth 700000 100000 100000 100000
echo "== 1,000,000 IPv4 addresses only (bytes per IPv4 indicator, lookups)"
"$W/intel_lookup" synth 1000000 0 0 0 | sed -n '2,10p'
for n in 100000 4000000; do
	echo "== $n IPv4 addresses only (does the rate stay flat as the list grows?)"
	"$W/intel_lookup" synth $n 0 0 0 | grep -E '^load|any'
done
if command -v nfpcapd >/dev/null && command -v nfdump >/dev/null; then
	echo "== nfdump 'dst ip in [ ... ]' vs c2chain on the same flows"
	python3 - "$W/flows.pcap" <<'PY'
import random, struct, sys
random.seed(1)
N = 1000000
with open(sys.argv[1], "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
    for i in range(N):
        src = 0x0A000000 | random.getrandbits(16)
        dst = random.getrandbits(32)
        ip = struct.pack(">BBHHHBBHII", 0x45, 0, 28, i & 0xffff, 0, 64, 17, 0, src, dst)
        udp = struct.pack(">HHHH", 1024 + (i % 50000), 443, 8, 0)
        pkt = b"\x00" * 12 + b"\x08\x00" + ip + udp
        f.write(struct.pack("<IIII", 1700000000 + i // 1000, (i % 1000) * 1000, len(pkt), len(pkt)))
        f.write(pkt)
PY
	mkdir -p "$W/nf"
	nfpcapd -r "$W/flows.pcap" -w "$W/nf" -t 86400 >/dev/null 2>&1 || true
	nfdump -R "$W/nf" -q -o 'fmt:%da' | tr -d ' ' > "$W/dst.txt"
	echo "   flows: $(wc -l < "$W/dst.txt")"
	grep -v '^#' "$TI/feodo-csv-snapshot/ipblocklist.csv" | tail -n +2 | cut -d, -f2 | tr -d '"' | sort -u > "$W/c2.txt"
	for n in 0 100000 1000000; do
		python3 -c "
import random,sys
random.seed(2)
s=set(l.strip() for l in open('$W/c2.txt'))
# half of the random addresses are flow destinations, so the list really matches
d=[l.strip() for l in open('$W/dst.txt')]
while len(s) < 28 + $n:
    s.add(random.choice(d) if random.random() < 0.5 else '.'.join(str(random.getrandbits(8)) for _ in range(4)))
open('$W/list.txt','w').write('\n'.join(sorted(s))+'\n')"
		{ printf 'dst ip in [ '; tr '\n' ' ' < "$W/list.txt"; printf ']\n'; } > "$W/ti.nf"
		m=$(wc -l < "$W/list.txt")
		r=$($T nfdump -R "$W/nf" -q -f "$W/ti.nf" -o csv 2>&1 >"$W/nf.out" | tail -1)
		echo "   list $m IPs: nfdump $r, $(wc -l < "$W/nf.out") flows matched"
		echo -n "   list $m IPs: c2chain "; "$W/intel_lookup" list "$W/list.txt" "$W/dst.txt"
	done
else
	echo "== nfdump rows skipped: nfdump/nfpcapd not installed"
fi
