#!/usr/bin/env bash
# `c2chain gen` at scale (issue: 10 million hosts, 1 billion connections, streamed).
# Usage: bench/run_gen.sh [C2CHAIN] [HOSTS] [CONNECTIONS]
#   defaults: build/c2chain 10000000 1000000000
# The IPFIX view is the only one written (62 bytes per connection: 1e9 connections would be
# 62 GB on disk), and it goes through a named pipe into `wc -c`: gen opens its temporary output
# name for writing, so a FIFO placed there receives the stream and gen does exactly the work of
# a run to disk, minus the disk. Peak RSS shows memory does not grow with connections.
set -eu
SRC=$(cd "$(dirname "$0")/.." && pwd)
BIN=${1:-$SRC/build/c2chain}
HOSTS=${2:-10000000}
CONNS=${3:-1000000000}
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
echo "== machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2-)"
run() { # label hosts conns
	local d="$W/$1"
	mkdir -p "$d"
	mkfifo "$d/flows.ipfix.tmp"
	wc -c < "$d/flows.ipfix.tmp" > "$d/bytes" &
	local reader=$!
	command time -f "%e %U %S %M" -o "$d/time" "$BIN" gen -q -n "$2" --formats ipfix \
		--max-connections "$3" -o "$d" 2> "$d/err" || { cat "$d/err"; exit 1; }
	wait $reader
	read -r wall user sys rss < "$d/time"
	awk -v l="$1" -v h="$2" -v c="$3" -v w="$wall" -v u="$user" -v s="$sys" -v r="$rss" \
		-v b="$(cat "$d/bytes")" 'BEGIN { cpu = u + s; if (cpu <= 0) cpu = 0.01;
		printf "| %s | %.0f | %.0f | %.1f s | %.1f s | %.0f | %.2f GiB | %.0f |\n",
			l, h, c, w, cpu, c / cpu, r / 1048576, b }'
}
echo "| run | hosts | connections | wall | CPU | connections per CPU-s | peak RSS | IPFIX bytes |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|"
run small "$HOSTS" 1000
run medium "$HOSTS" $((CONNS / 20))
run full "$HOSTS" "$CONNS"
