#!/bin/sh
# Detect benchmark: 10 million (host, server) pairs, 100 million connections over one day,
# streamed into the analyzer in process (bench/gen_conns.c), default mode. Prints wall time
# and peak RSS. Usage: bench/run_detect.sh [PAIRS CONNS [rita]]  (from the repository root)
set -eu
PAIRS=${1:-10000000}
CONNS=${2:-100000000}
MODE=${3:-default}
BUILD=${BUILD:-build-bench}
cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release -DC2C_SANITIZE=OFF >/dev/null
cmake --build "$BUILD" -j2 --target c2c_detect >/dev/null
cc -O2 -std=c11 -D_DEFAULT_SOURCE -D_POSIX_C_SOURCE=200809L -Iinclude bench/gen_conns.c \
    "$BUILD/libc2c_detect.a" "$BUILD/libc2c_ingest.a" "$BUILD/libc2c_core.a" \
    -ljansson -lcrypto -lz -lm -lpthread -o "$BUILD/gen_conns"
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo)"
/usr/bin/time -v "$BUILD/gen_conns" bench "$PAIRS" "$CONNS" "$MODE" 2>"$BUILD/time.txt"
grep -E "Elapsed|Maximum resident" "$BUILD/time.txt"
