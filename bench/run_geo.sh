#!/bin/bash
# Geo enrichment benchmark (issue: >= 5 M lookups/s/core on skewed streams).
#   bench/run_geo.sh [N_DISTINCT] [N_LOOKUPS]       defaults 10000000 20000000
# Builds a release library in build/ (enrich stage only), a full-size country database from
# ../shared/data/country-ip-blocks (246k prefixes) with `c2chain geodb build`, then measures on
# one core: our cached lookup, libmaxminddb without our cache, and `mmdblookup` in a loop
# (one process per address, as a shell pipeline would use it). Prints a Markdown table.
set -euo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
SHARED=${C2C_SHARED:-$SRC/../shared/data}
ND=${1:-10000000}
NL=${2:-20000000}
B=$SRC/build
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cmake -S "$SRC" -B "$B" -G Ninja -DCMAKE_BUILD_TYPE=Release > /dev/null
cmake --build "$B" -j2 --target c2chain c2c_enrich > /dev/null
for f in "$SHARED"/country-ip-blocks/ipv4/*.cidr "$SHARED"/country-ip-blocks/ipv6/*.cidr; do
	cc=$(basename "$f" .cidr | tr a-z A-Z)
	sed "/^\s*$/d; /^#/d; s/\$/,$cc/" "$f"
done > "$T/cc.csv"
"$B/c2chain" geodb build --on-conflict first --build-epoch 1756944000 -o "$T/cc.mmdb" "$T/cc.csv" 2>&1 | sed 's/^/# /'
cc -O2 -march=native -std=c11 -D_POSIX_C_SOURCE=200809L -I"$SRC/include" \
	"$SRC/bench/geo_lookup.c" -o "$T/geo_lookup" \
	"$B/libc2c_enrich.a" "$B/libc2c_ingest.a" "$B/libc2c_core.a" \
	$(pkg-config --libs libmaxminddb jansson) -lcrypto -lz -lpthread -lm
echo "# cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), 1 core"
taskset -c 0 "$T/geo_lookup" "$T/cc.mmdb" "$ND" "$NL" 20 > "$T/out.txt"
sed 's/^/# /' "$T/out.txt"
# mmdblookup in a loop: 2000 addresses from the same generator's first indices.
python3 - "$T" <<'PY'
import sys
t = sys.argv[1]
with open(t + '/ips.txt', 'w') as f:
    for i in range(2000):
        a = (i * 2654435761 + 0x01000000) & 0xffffffff
        f.write('%d.%d.%d.%d\n' % (a >> 24, a >> 16 & 255, a >> 8 & 255, a & 255))
PY
start=$(date +%s.%N)
while read -r ip; do mmdblookup --file "$T/cc.mmdb" --ip "$ip" country iso_code > /dev/null 2>&1 || true; done < "$T/ips.txt"
end=$(date +%s.%N)
mm=$(python3 -c "print('%.0f' % (2000 / ($end - $start)))")
get() { grep "^$1 " "$T/out.txt" | cut -d' ' -f2; }
printf '\n| workload (1 core, %s distinct IPv4, country DB of 246k prefixes) | lookups/s |\n|---|---:|\n' "$ND"
printf '| c2chain, skewed stream (%s lookups), cache 2^20 | %s |\n' "$NL" "$(get skewed/cached)"
printf '| libmaxminddb without our cache, same skewed stream | %s |\n' "$(get skewed/uncached)"
printf '| c2chain, every distinct address once (cache cannot help) | %s |\n' "$(get distinct/cached)"
printf '| libmaxminddb without our cache, every distinct address once | %s |\n' "$(get distinct/uncached)"
printf '| mmdblookup in a shell loop (2000 addresses) | %s |\n' "$mm"
