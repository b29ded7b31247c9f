#!/bin/bash
# Collector benchmark against nfdump (nfcapd + nfdump -r), loopback only.
#
#  1. Decode throughput, records per CPU second: the same NetFlow v9 stream (bench/nfsend.c:
#     30 records per datagram, a template in every 20th) is received by `c2chain collect` and by
#     nfcapd at a rate both take without loss; then c2chain decodes its evidence file (and the
#     raw stream file) and `nfdump -r` reads nfcapd's file (-o null). CPU = user + system,
#     median of 3 runs.
#  2. Loss versus offered rate: the same number of datagrams is sent at increasing rates to each
#     collector alone; delivered records are counted (c2chain's exit counters; nfdump -I for
#     nfcapd). nfcapd runs with its default socket buffer and with -B 128 MiB (the kernel caps
#     SO_RCVBUF at net.core.rmem_max unless raised); c2chain asks for 256 MiB (SO_RCVBUFFORCE
#     when root). net.core.rmem_max is not changed.
#  3. nfreplay (anchors.md §13 W2) of nfcapd's file at -d 10 and -d 0 to each collector.
#
# Usage: bench/run_collector.sh [OUTDIR]   (keep it short: the machine is shared)
# Needs: nfdump (nfcapd, nfdump, nfreplay), cmake, ninja, a C compiler.
set -euo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
OUT=${1:-$(mktemp -d /tmp/c2c-bench.XXXXXX)}
N=${N:-20000}          # datagrams per loss run (x30 records)
ND=${ND:-50000}        # datagrams for the decode run
RATES=${RATES:-"10000 25000 50000 100000 200000 0"}   # datagrams/s, 0 = as fast as possible
mkdir -p "$OUT"
for t in nfcapd nfdump nfreplay cmake cc; do
	command -v $t > /dev/null || { echo "SKIP: $t not installed"; exit 77; }
done

echo "building release binaries..." >&2
cmake -S "$SRC" -B "$SRC/build-rel" -G Ninja -DCMAKE_BUILD_TYPE=Release > /dev/null
cmake --build "$SRC/build-rel" -j2 --target c2chain c2c_ingest > /dev/null
C2CHAIN="$SRC/build-rel/c2chain"
cc -O2 -std=c11 -D_DEFAULT_SOURCE -D_POSIX_C_SOURCE=200809L -I"$SRC/include" \
	"$SRC/bench/nfsend.c" -o "$OUT/nfsend" "$SRC/build-rel/libc2c_ingest.a" \
	"$SRC/build-rel/libc2c_core.a" -ljansson -lcrypto -lz -lpthread -lm
NFSEND="$OUT/nfsend"
PA=39995; PB=39996

start_c2c() { # dir
	"$C2CHAIN" collect --listen 127.0.0.1:$PA -o "$1" --max-seconds 600 > "$1.out" 2> "$1.err" &
	C2C=$!
	sleep 0.5
}
# CPU seconds (user + system, all threads) a running process has used so far.
cpu_pid() {
	awk -v hz="$(getconf CLK_TCK)" '{ printf "%.3f", ($14 + $15) / hz }' "/proc/$1/stat"
}
stop_c2c() { # dir -> GOT (records decoded), CPU (collector CPU seconds)
	CPU=$(cpu_pid $C2C)
	kill -INT $C2C; wait $C2C || true
	GOT=$(sed -n 's/.*[^_]records=\([0-9]*\).*/\1/p' "$1.out" | tail -1)
}
start_nfc() { # dir [bufopt]
	nfcapd -w "$1" -p $PB -b 127.0.0.1 -t 3600 ${2:-} > "$1.log" 2>&1 &
	NFC=$!
	sleep 0.5
}
stop_nfc() { # dir -> GOT (flows, nfcapd's own count at exit; nfdump -I agrees), CPU
	CPU=$(cpu_pid $NFC)
	kill -TERM $NFC; wait $NFC || true
	GOT=$(sed -n "s/.*Flows: *\([0-9]*\),.*/\1/p" "$1.log" | tail -1)
}
median3() { sort -g | sed -n 2p; }
cpu_of() { # command... -> user+sys seconds
	local s
	s=$( { TIMEFORMAT='%3U %3S'; time "$@" > /dev/null 2>&1; } 2>&1 | tail -1)
	echo "$s" | awk '{print $1 + $2}'
}

# ---- 1. decode throughput -------------------------------------------------------------------
mkdir -p "$OUT/dec_c2c" "$OUT/dec_nfc"
start_c2c "$OUT/dec_c2c"
"$NFSEND" send 127.0.0.1 $PA $ND 20000 "$OUT/stream.nf9" > "$OUT/send_dec_c2c.txt"
sleep 1
stop_c2c "$OUT/dec_c2c"; REC_C2C=$GOT; RX_C2C=$CPU
start_nfc "$OUT/dec_nfc" "-B 134217728"
"$NFSEND" send 127.0.0.1 $PB $ND 20000 > "$OUT/send_dec_nfc.txt"
sleep 1
stop_nfc "$OUT/dec_nfc"; REC_NFC=$GOT; RX_NFC=$CPU
SENT_DEC=$((ND * 30))
EV=$(ls "$OUT"/dec_c2c/c2c-*.c2ce)
NFFILE=$(ls "$OUT"/dec_nfc/nfcapd.* | grep -v current | head -1)

ours_ev=(); ours_raw=(); theirs=()
for _ in 1 2 3; do
	ours_ev+=("$("$NFSEND" decode $EV | sed -n 's/.*cpu_seconds=\([0-9.]*\).*/\1/p')")
	ours_raw+=("$("$NFSEND" decode "$OUT/stream.nf9" | sed -n 's/.*cpu_seconds=\([0-9.]*\).*/\1/p')")
	theirs+=("$(cpu_of nfdump -r "$NFFILE" -o null)")
done
DEC_FLOWS=$("$NFSEND" decode $EV | sed -n 's/flows=\([0-9]*\).*/\1/p')
CE=$(printf '%s\n' "${ours_ev[@]}" | median3)
CR=$(printf '%s\n' "${ours_raw[@]}" | median3)
CN=$(printf '%s\n' "${theirs[@]}" | median3)

# ---- 2. loss versus offered rate ------------------------------------------------------------
declare -A LOSS
for r in $RATES; do
	for who in c2c nfc nfcB; do
		d="$OUT/loss_${who}_$r"; mkdir -p "$d"
		if [ $who = c2c ]; then
			start_c2c "$d"
			"$NFSEND" send 127.0.0.1 $PA $N $r > "$d.send"
			sleep 1; stop_c2c "$d"; got=$GOT
		else
			start_nfc "$d" "$([ $who = nfcB ] && echo -B 134217728 || true)"
			"$NFSEND" send 127.0.0.1 $PB $N $r > "$d.send"
			sleep 1; stop_nfc "$d"; got=$GOT
		fi
		offered=$(sed -n 's/.*offered_rps=\([0-9]*\).*/\1/p' "$d.send")
		LOSS[$who,$r]="${got:-0} ${offered}"
	done
done

# ---- 3. nfreplay ----------------------------------------------------------------------------
declare -A REPLAY
for dly in 10 0; do
	d="$OUT/replay_c2c_$dly"; mkdir -p "$d"
	start_c2c "$d"
	t0=$(date +%s.%N); nfreplay -r "$NFFILE" -H 127.0.0.1 -p $PA -v 9 -d $dly > /dev/null 2>&1
	t1=$(date +%s.%N); sleep 1
	stop_c2c "$d"; REPLAY[c2c,$dly]="${GOT:-0} $(echo "$t1 - $t0" | bc)"
	d="$OUT/replay_nfc_$dly"; mkdir -p "$d"
	start_nfc "$d" "-B 134217728"
	t0=$(date +%s.%N); nfreplay -r "$NFFILE" -H 127.0.0.1 -p $PB -v 9 -d $dly > /dev/null 2>&1
	t1=$(date +%s.%N); sleep 1
	stop_nfc "$d"; REPLAY[nfc,$dly]="${GOT:-0} $(echo "$t1 - $t0" | bc)"
done

# ---- report ---------------------------------------------------------------------------------
pct() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f%%", (b ? 100 * a / b : 0) }'; }
rate() { awk -v n="$1" -v c="$2" 'BEGIN { printf "%.2f M", ((c > 0) ? n / c / 1e6 : 0) }'; }
{
	echo "### Collector benchmark ($(date -u +%Y-%m-%d), $(nproc) vCPU, shared machine)"
	echo
	echo "Decode throughput: $SENT_DEC NetFlow v9 records sent at 20k datagrams/s; received by"
	echo "c2chain collect: $REC_C2C records, by nfcapd: $REC_NFC flows. CPU = user + system, median of 3."
	echo
	echo "| Decoder | Input | Records | CPU s | Records per CPU second |"
	echo "|---|---|---|---|---|"
	echo "| c2chain (c2c_ingest_file, no hashing) | its evidence file (raw v9 datagrams) | $DEC_FLOWS | $CE | $(rate "$DEC_FLOWS" "$CE") |"
	echo "| c2chain (c2c_ingest_file, no hashing) | raw NetFlow v9 stream file | $SENT_DEC | $CR | $(rate "$SENT_DEC" "$CR") |"
	echo "| nfdump -r -o null (reads nfcapd's binary records, no v9 decoding) | nfcapd file | $REC_NFC | $CN | $(rate "$REC_NFC" "$CN") |"
	echo "| c2chain collect while receiving (recv + decode + write) | UDP | $REC_C2C | $RX_C2C | $(rate "$REC_C2C" "$RX_C2C") |"
	echo "| nfcapd while receiving (recv + decode + write) | UDP | $REC_NFC | $RX_NFC | $(rate "$REC_NFC" "$RX_NFC") |"
	echo "| pipeline c2chain: collect + decode evidence | | $DEC_FLOWS | $(echo "$RX_C2C + $CE" | bc) | $(rate "$DEC_FLOWS" "$(echo "$RX_C2C + $CE" | bc)") |"
	echo "| pipeline nfdump: nfcapd + nfdump -r | | $REC_NFC | $(echo "$RX_NFC + $CN" | bc) | $(rate "$REC_NFC" "$(echo "$RX_NFC + $CN" | bc)") |"
	echo
	echo "Loss versus offered rate: $N datagrams ($((N * 30)) records) per run, loopback."
	echo
	echo "| Offered (records/s) | c2chain collect | nfcapd (default buffer) | nfcapd -B 128 MiB |"
	echo "|---|---|---|---|"
	for r in $RATES; do
		set -- ${LOSS[c2c,$r]}; a=$1; o=$2
		set -- ${LOSS[nfc,$r]}; b=$1
		set -- ${LOSS[nfcB,$r]}; c=$1
		echo "| $o$([ "$r" = 0 ] && echo ' (max)') | $a ($(pct $a $((N * 30)))) | $b ($(pct $b $((N * 30)))) | $c ($(pct $c $((N * 30)))) |"
	done
	echo
	echo "nfreplay of nfcapd's file ($REC_NFC flows), anchors.md §13 W2:"
	echo
	echo "| nfreplay | c2chain collect (send s) | nfcapd -B 128 MiB (send s) |"
	echo "|---|---|---|"
	for dly in 10 0; do
		set -- ${REPLAY[c2c,$dly]}; a=$1; ta=$2
		set -- ${REPLAY[nfc,$dly]}; b=$1; tb=$2
		echo "| -v 9 -d $dly | $a ($(pct $a $REC_NFC), ${ta}s) | $b ($(pct $b $REC_NFC), ${tb}s) |"
	done
	echo
	echo "c2chain granted receive buffer: $(sed -n 's/.*rcvbuf=\([0-9]*\).*/\1/p' "$OUT/dec_c2c.out" | tail -1) bytes; net.core.rmem_max = $(sysctl -n net.core.rmem_max)."
} | tee "$OUT/results.md"
