#!/bin/bash
# Collector benchmark against nfdump (nfcapd + nfdump -r), loopback only.
#
#  1. Decode throughput, records per CPU second. The same NetFlow v9 stream (bench/nfsend.c:
#     30 records per datagram, a template in every 20th) is received by `c2chain collect` and by
#     nfcapd at a rate both take without loss; c2chain then decodes the raw stream file and its
#     evidence file (bench/nfsend decode), and `nfdump -r` reads nfcapd's file (-o null). The
#     same for an IPFIX stream: softflowd -v 10 exporting dataset D1 (anchors.md §13) to each
#     collector. Both tools are measured the same way: CPU (user + system) of the whole process,
#     median of 5 interleaved runs, records as each timed run reports them (nfsend's flows=,
#     nfdump's "Total flows processed").
#     When run as root, c2chain collect is also run as user nobody (setpriv), whose socket
#     buffer is capped at net.core.rmem_max, in parts 2-4 ("unprivileged").
#  2. Loss versus offered rate: each rate is held for LOSS_S seconds against each collector
#     alone, then one burst as fast as possible; delivered records are counted (c2chain's exit counters; nfcapd's own
#     count at exit). nfcapd runs with its default socket buffer and with -B 128 MiB (the kernel
#     caps SO_RCVBUF at net.core.rmem_max unless raised); c2chain asks for 256 MiB
#     (SO_RCVBUFFORCE when root). net.core.rmem_max is not changed.
#  3. softflowd -r D1.pcap -v 9 and -v 10 to each collector (anchors.md §13 W1): delivered flow
#     records against the number softflowd reports exported.
#  4. nfreplay (anchors.md §13 W2) of an nfcapd file (NR datagrams) at -d 10 and -d 0 to each
#     collector.
#
# Usage: bench/run_collector.sh [OUTDIR]   (keep it short: the machine is shared)
#   ONLY=decode        part 1 only (decode throughput, v9 and IPFIX), its table alone
#   D1=path/to/D1.pcap   use an existing D1 (else bench/gen_d1_pcap.py writes one to OUTDIR)
# Needs: nfdump (nfcapd, nfdump, nfreplay), softflowd, python3, cmake, ninja, a C compiler.
set -euo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
OUT=${1:-$(mktemp -d /tmp/c2c-bench.XXXXXX)}
LOSS_S=${LOSS_S:-4}    # seconds each sustained loss run lasts
BURST=${BURST:-20000}  # datagrams of the as-fast-as-possible burst run (x30 records)
NR=${NR:-50000}        # datagrams in the file nfreplay sends (x30 records)
ND=${ND:-200000}       # datagrams for the decode run (x30 records: 6 M, 216 MB)
RATES=${RATES:-"10000 25000 50000 100000 150000"}   # datagrams/s (x30 records/s)
ONLY=${ONLY:-}         # "decode": run part 1 (decode throughput) only
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
for t in nfcapd nfdump nfreplay softflowd python3 cmake cc; do
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
D1=${D1:-$OUT/D1.pcap}
if [ ! -s "$D1" ]; then
	echo "writing dataset D1 (430 MB) with bench/gen_d1_pcap.py..." >&2
	python3 "$SRC/bench/gen_d1_pcap.py" "$D1" 2000 200 24 200000
fi

start_c2c() { # dir
	"$C2CHAIN" collect --listen 127.0.0.1:$PA -o "$1" --max-seconds 600 > "$1.out" 2> "$1.err" &
	C2C=$!
	sleep 0.5
}
# The same collector without privileges (user nobody: SO_RCVBUFFORCE is refused, the socket
# buffer is net.core.rmem_max), when this script runs as root and setpriv is there.
UNPRIV=""
if [ "$(id -u)" = 0 ] && command -v setpriv > /dev/null && id nobody > /dev/null 2>&1; then
	UNPRIV=c2cU
fi
start_c2cU() { # dir
	chmod 777 "$1"
	setpriv --reuid=nobody --regid="$(id -gn nobody)" --clear-groups \
		"$C2CHAIN" collect --listen 127.0.0.1:$PA -o "$1" --max-seconds 600 > "$1.out" 2> "$1.err" &
	C2C=$!
	sleep 0.5
}
# CPU seconds (user + system, all threads) a running process has used so far.
cpu_pid() {
	awk -v hz="$(getconf CLK_TCK)" '{ printf "%.3f", ($14 + $15) / hz }' "/proc/$1/stat"
}
stop_c2c() { # dir -> GOT (flows decoded), CPU (collector CPU seconds)
	CPU=$(cpu_pid $C2C)
	kill -INT $C2C; wait $C2C || true
	GOT=$(sed -n 's/.* flows=\([0-9]*\).*/\1/p' "$1.out" | tail -1)
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
median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
# CPU seconds (user + system, all threads) of one run of a command, from wait4()'s rusage of
# that child alone; its output goes to $OUT/cpu_of.out.
cpu_of() {
	python3 - "$OUT/cpu_of.out" "$@" <<'PY'
import os, sys
pid = os.fork()
if pid == 0:
    fd = os.open(sys.argv[1], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    os.execvp(sys.argv[2], sys.argv[2:])
_, status, ru = os.wait4(pid, 0)
print("%.4f" % (ru.ru_utime + ru.ru_stime))
sys.exit(0 if os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0 else 1)
PY
}
nf_flows() { nfdump -r "$1" -I | sed -n 's/^Flows: *\([0-9]*\).*/\1/p'; }
our_flows() { "$NFSEND" decode "$1" | sed -n 's/flows=\([0-9]*\).*/\1/p'; }
# softflowd reading a pcap (with -r it opens no control socket; -c after -r would make it
# block on accept). Prints the flow records it exported.
softflowd_to() { # port version
	softflowd -r "$D1" -n 127.0.0.1:$1 -v $2 -d -a -t maxlife=300 -m 1000000 < /dev/null 2>&1 |
		sed -n 's/.*Flows exported: [0-9]* (\([0-9]*\) records).*/\1/p'
}
# Decode CPU of both tools, the same way: five runs each, interleaved, median (the machine is
# shared, so single runs vary by tens of percent); the records are the ones
# each timed run reports (nfsend's flows=, nfdump's "Total flows processed"), and a run that
# did not process every record of its input fails the benchmark.
decode_cpu() { # our-file their-file -> CO CN FO FN
	local ours=() theirs=() f
	FO=$(our_flows "$1"); FN=$(nf_flows "$2")
	for _ in 1 2 3 4 5; do
		ours+=("$(cpu_of "$NFSEND" decode "$1")")
		f=$(sed -n 's/^flows=\([0-9]*\).*/\1/p' "$OUT/cpu_of.out")
		[ "$f" = "$FO" ] || { echo "FAIL: c2chain decoded $f of $FO records" >&2; exit 1; }
		theirs+=("$(cpu_of nfdump -r "$2" -o null)")
		f=$(sed -n 's/^Total flows processed: \([0-9]*\),.*/\1/p' "$OUT/cpu_of.out")
		[ "$f" = "$FN" ] || { echo "FAIL: nfdump processed $f of $FN records" >&2; exit 1; }
	done
	CO=$(printf '%s\n' "${ours[@]}" | median)
	CN=$(printf '%s\n' "${theirs[@]}" | median)
	CO_MIN=$(printf '%s\n' "${ours[@]}" | sort -g | head -1)
	CN_MIN=$(printf '%s\n' "${theirs[@]}" | sort -g | head -1)
}

pct() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f%%", (b ? 100 * a / b : 0) }'; }
rate() { awk -v n="$1" -v c="$2" 'BEGIN { printf "%.1f M", ((c > 0) ? n / c / 1e6 : 0) }'; }
ratio() { awk -v a="$1" -v ca="$2" -v b="$3" -v cb="$4" \
	'BEGIN { printf "%.2fx", (ca > 0 && cb > 0 && b > 0) ? (a / ca) / (b / cb) : 0 }'; }
# The decode-throughput table (part 1).
decode_table() {
	echo "Decode throughput. CPU = user + system of the whole process (wait4 rusage), 5 interleaved"
	echo "runs per tool: median and minimum (the minimum is the least disturbed by other jobs); records as"
	echo "each timed run reports them. NetFlow v9: $SENT_DEC records sent by bench/nfsend at 20k"
	echo "datagrams/s (c2chain collect kept $REC_C2C, nfcapd $REC_NFC). IPFIX: softflowd -v 10 of D1"
	echo "(exported $X_SENT_C / $X_SENT_N records; c2chain collect kept $X_RX_C2C, nfcapd $X_RX_NFC)."
	echo
	echo "| Decoder | Input | Records | CPU s, median / min of 5 | Records per CPU second, median / min | vs nfdump -r, median / min |"
	echo "|---|---|---|---|---|---|"
	echo "| c2chain (c2c_ingest_file, no hashing) | raw NetFlow v9 stream file | $F_RAW | $CR / $CR_MIN | $(rate "$F_RAW" "$CR") / $(rate "$F_RAW" "$CR_MIN") | $(ratio "$F_RAW" "$CR" "$F_NFD" "$NCN") / $(ratio "$F_RAW" "$CR_MIN" "$F_NFD" "$NCN_MIN") |"
	echo "| c2chain (c2c_ingest_file, no hashing) | its evidence file of that stream (CRC-32 checked) | $F_EV | $CE / $CE_MIN | $(rate "$F_EV" "$CE") / $(rate "$F_EV" "$CE_MIN") | $(ratio "$F_EV" "$CE" "$F_NFD" "$NCN") / $(ratio "$F_EV" "$CE_MIN" "$F_NFD" "$NCN_MIN") |"
	echo "| nfdump -r -o null | nfcapd's file of that stream (decoded by nfcapd) | $F_NFD | $NCN / $NCN_MIN | $(rate "$F_NFD" "$NCN") / $(rate "$F_NFD" "$NCN_MIN") | 1 |"
	echo "| c2chain (c2c_ingest_file, no hashing) | its evidence file of the IPFIX stream | $XF_EV | $XCE / $XCE_MIN | $(rate "$XF_EV" "$XCE") / $(rate "$XF_EV" "$XCE_MIN") | $(ratio "$XF_EV" "$XCE" "$XF_NFD" "$XCN") / $(ratio "$XF_EV" "$XCE_MIN" "$XF_NFD" "$XCN_MIN") |"
	echo "| nfdump -r -o null | nfcapd's file of the IPFIX stream | $XF_NFD | $XCN / $XCN_MIN | $(rate "$XF_NFD" "$XCN") / $(rate "$XF_NFD" "$XCN_MIN") | 1 |"
	echo "| c2chain collect while receiving v9 (recv + decode + write) | UDP | $REC_C2C | $RX_C2C (one run) | $(rate "$REC_C2C" "$RX_C2C") | |"
	echo "| nfcapd while receiving v9 (recv + decode + write) | UDP | $REC_NFC | $RX_NFC (one run) | $(rate "$REC_NFC" "$RX_NFC") | |"
	echo
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
decode_cpu "$OUT/stream.nf9" "$NFFILE"; CR=$CO; CR_MIN=$CO_MIN; CN1=$CN; CN1_MIN=$CN_MIN
F_RAW=$FO; F_NFD=$FN
decode_cpu "$EV" "$NFFILE"; CE=$CO; CE_MIN=$CO_MIN; F_EV=$FO; CN2=$CN; CN2_MIN=$CN_MIN
# nfdump ran 10 times against this file: the lower of its two medians and its minimum
NCN=$(printf '%s\n' "$CN1" "$CN2" | sort -g | head -1)
NCN_MIN=$(printf '%s\n' "$CN1_MIN" "$CN2_MIN" | sort -g | head -1)

# the IPFIX stream: softflowd -v 10 of D1, received by each collector at softflowd's pace
mkdir -p "$OUT/ipfix_c2c" "$OUT/ipfix_nfc"
start_c2c "$OUT/ipfix_c2c"; X_SENT_C=$(softflowd_to $PA 10); sleep 1; stop_c2c "$OUT/ipfix_c2c"
X_RX_C2C=$GOT
start_nfc "$OUT/ipfix_nfc" "-B 134217728"; X_SENT_N=$(softflowd_to $PB 10); sleep 1
stop_nfc "$OUT/ipfix_nfc"; X_RX_NFC=$GOT
XEV=$(ls "$OUT"/ipfix_c2c/c2c-*.c2ce)
XNF=$(ls "$OUT"/ipfix_nfc/nfcapd.* | grep -v current | head -1)
decode_cpu "$XEV" "$XNF"; XCE=$CO; XCN=$CN; XCE_MIN=$CO_MIN; XCN_MIN=$CN_MIN
XF_EV=$FO; XF_NFD=$FN

if [ "$ONLY" = decode ]; then
	{
		echo "### Collector benchmark, decode part ($(date -u +%Y-%m-%d), $(nproc) vCPU, shared machine, load $(cut -d' ' -f1-3 /proc/loadavg))"
		echo
		decode_table
	} | tee "$OUT/results.md"
	exit 0
fi

# ---- 2. loss versus offered rate ------------------------------------------------------------
# Each rate is held for LOSS_S seconds (longer than a socket buffer can hide), then one burst
# of BURST datagrams as fast as nfsend can send.
declare -A LOSS LOSSN
for r in $RATES 0; do
	n=$([ "$r" = 0 ] && echo $BURST || echo $((r * LOSS_S)))
	LOSSN[$r]=$((n * 30))
	for who in c2c $UNPRIV nfc nfcB; do
		d="$OUT/loss_${who}_$r"; mkdir -p "$d"
		if [ $who = c2c ] || [ $who = c2cU ]; then
			start_$who "$d"
			"$NFSEND" send 127.0.0.1 $PA $n $r > "$d.send"
			sleep 1; stop_c2c "$d"; got=$GOT
		else
			start_nfc "$d" "$([ $who = nfcB ] && echo -B 134217728 || true)"
			"$NFSEND" send 127.0.0.1 $PB $n $r > "$d.send"
			sleep 1; stop_nfc "$d"; got=$GOT
		fi
		offered=$(sed -n 's/.*offered_rps=\([0-9]*\).*/\1/p' "$d.send")
		LOSS[$who,$r]="${got:-0} ${offered}"
	done
done

# ---- 3. softflowd -r D1.pcap (W1) -----------------------------------------------------------
declare -A SFD
for v in 9 10; do
	for who in c2c $UNPRIV nfc nfcB; do
		d="$OUT/sfd_${who}_v$v"; mkdir -p "$d"
		if [ $who = c2c ] || [ $who = c2cU ]; then
			start_$who "$d"; t0=$(date +%s.%N); sent=$(softflowd_to $PA $v)
			t1=$(date +%s.%N); sleep 1; stop_c2c "$d"
		else
			start_nfc "$d" "$([ $who = nfcB ] && echo -B 134217728 || true)"
			t0=$(date +%s.%N); sent=$(softflowd_to $PB $v)
			t1=$(date +%s.%N); sleep 1; stop_nfc "$d"
		fi
		SFD[$who,$v]="${GOT:-0} ${sent:-0} $(echo "$t1 - $t0" | bc)"
	done
done

# ---- 4. nfreplay (W2) -----------------------------------------------------------------------
# the file to replay: NR datagrams received by nfcapd at a gentle rate
mkdir -p "$OUT/replay_src"
start_nfc "$OUT/replay_src" "-B 134217728"
"$NFSEND" send 127.0.0.1 $PB $NR 20000 > "$OUT/replay_src.send"
sleep 1; stop_nfc "$OUT/replay_src"
RFILE=$(ls "$OUT"/replay_src/nfcapd.* | grep -v current | head -1)
F_REP=$(nf_flows "$RFILE")
declare -A REPLAY
for dly in 10 0; do
	for who in c2c $UNPRIV; do
		d="$OUT/replay_${who}_$dly"; mkdir -p "$d"
		start_$who "$d"
		t0=$(date +%s.%N); nfreplay -r "$RFILE" -H 127.0.0.1 -p $PA -v 9 -d $dly > /dev/null 2>&1
		t1=$(date +%s.%N); sleep 1
		stop_c2c "$d"; REPLAY[$who,$dly]="${GOT:-0} $(echo "$t1 - $t0" | bc)"
	done
	for who in nfc nfcB; do
		d="$OUT/replay_${who}_$dly"; mkdir -p "$d"
		start_nfc "$d" "$([ $who = nfcB ] && echo -B 134217728 || true)"
		t0=$(date +%s.%N); nfreplay -r "$RFILE" -H 127.0.0.1 -p $PB -v 9 -d $dly > /dev/null 2>&1
		t1=$(date +%s.%N); sleep 1
		stop_nfc "$d"; REPLAY[$who,$dly]="${GOT:-0} $(echo "$t1 - $t0" | bc)"
	done
done

# ---- report ---------------------------------------------------------------------------------
{
	echo "### Collector benchmark ($(date -u +%Y-%m-%d), $(nproc) vCPU, shared machine, load $(cut -d' ' -f1-3 /proc/loadavg))"
	echo
	decode_table
	echo "Loss versus offered rate (bench/nfsend, NetFlow v9, 30 records per datagram): each rate"
	echo "held for $LOSS_S s, then one burst of $BURST datagrams as fast as nfsend sends."
	echo
	UH=""; US=""
	if [ -n "$UNPRIV" ]; then UH=" c2chain collect, unprivileged |"; US="---|"; fi
	echo "| Offered (records/s) | Records sent | c2chain collect |$UH nfcapd (default buffer) | nfcapd -B 128 MiB |"
	echo "|---|---|---|$US---|---|"
	for r in $RATES 0; do
		sent=${LOSSN[$r]}
		row="| ${LOSS[c2c,$r]#* }$([ "$r" = 0 ] && echo ' (burst)' || true) | $sent"
		for who in c2c $UNPRIV nfc nfcB; do
			set -- ${LOSS[$who,$r]}; row="$row | $1 ($(pct $1 $sent))"
		done
		echo "$row |"
	done
	echo
	echo "softflowd -r D1.pcap -a -t maxlife=300 -m 1000000 (anchors.md §13 W1): flow records"
	echo "delivered / exported, and softflowd's run time (its offered rate):"
	echo
	echo "| softflowd | c2chain collect |$UH nfcapd (default buffer) | nfcapd -B 128 MiB |"
	echo "|---|---|$US---|---|"
	for v in 9 10; do
		row="| -v $v"
		for who in c2c $UNPRIV nfc nfcB; do
			set -- ${SFD[$who,$v]}; row="$row | $1 / $2 ($(pct $1 $2), ${3}s)"
		done
		echo "$row |"
	done
	echo
	echo "nfreplay of an nfcapd v9 file ($F_REP flows), anchors.md §13 W2:"
	echo
	echo "| nfreplay | c2chain collect (send s) |$UH nfcapd (default buffer) | nfcapd -B 128 MiB |"
	echo "|---|---|$US---|---|"
	for dly in 10 0; do
		row="| -v 9 -d $dly"
		for who in c2c $UNPRIV nfc nfcB; do
			set -- ${REPLAY[$who,$dly]}; row="$row | $1 ($(pct $1 $F_REP), ${2}s)"
		done
		echo "$row |"
	done
	echo
	echo "c2chain granted receive buffer: $(sed -n 's/.*rcvbuf=\([0-9]*\).*/\1/p' "$OUT/dec_c2c.out" | tail -1) bytes$([ -n "$UNPRIV" ] && echo ", unprivileged $(sed -n 's/.*rcvbuf=\([0-9]*\).*/\1/p' "$OUT/sfd_c2cU_v9.out" | tail -1) bytes"); net.core.rmem_max = $(sysctl -n net.core.rmem_max)."
} | tee "$OUT/results.md"
