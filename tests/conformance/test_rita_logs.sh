#!/bin/bash
# RITA test data: the 72 hourly conn logs of missing_host load as one input set (directories
# expanded and sorted) with 105,918 connections and none lost; the truncated logs load what is
# there and report the truncation; the open-connection cases load every line.
# Ground truth from RITA's README: the beacon 73.54.23.243 -> 64.225.56.201 (blank Host, user
# agent "Modzilla/0.0001 (Atari 7800)") is first seen at 1713470872 (the open SSH session).
set -u
R="${C2C_SHARED:-../shared/data}/rita/test_data"
DUMP="${C2C_BUILD:-build}/tests/test_exportdump"
if [ ! -d "$R/missing_host" ]; then echo "SKIP: $R not present"; exit 77; fi
if [ ! -x "$DUMP" ]; then echo "SKIP: $DUMP not built"; exit 77; fi
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
"$DUMP" flows "$R/missing_host/2024-04-19" "$R/missing_host/2024-04-20" \
	"$R/missing_host/2024-04-21" > "$T/mh" || { echo "FAIL: missing_host did not load"; exit 1; }
"$DUMP" flows "$R/truncated/conn.log" "$R/truncated/conn_json.log" > "$T/tr" \
	|| { echo "FAIL: truncated logs did not load"; exit 1; }
"$DUMP" flows "$R/open_conns/open" "$R/open_conns/closed" > "$T/oc" \
	|| { echo "FAIL: open_conns did not load"; exit 1; }
python3 - "$T/mh" "$T/tr" "$T/oc" <<'PY'
import json, os, sys
def load(p):
    """records and per-input summaries, joined by input index (inputs are numbered in order)"""
    recs, summ = [], []
    for l in open(p):
        o = json.loads(l)
        (summ if "stats" in o else recs).append(o)
    return recs, summ
bad = 0
def check(what, got, want):
    global bad
    if got != want:
        print("FAIL: %s: %r, want %r" % (what, got, want)); bad += 1

recs, summ = load(sys.argv[1])
paths = [s["path"] for s in summ]
conn_idx = {i for i, p in enumerate(paths) if os.path.basename(p).startswith("conn.")}
check("hourly conn logs", len(conn_idx), 72)
check("sorted input order", paths, sorted(paths))
flows = [r["flow"] for r in recs if "flow" in r]
conn = [f for f in flows if f["first_ev"]["input"] in conn_idx]
check("connections", len(conn), 105918)
check("malformed lines", sum(s["info"]["malformed"] for s in summ), 0)
check("truncated files", sum(s["stats"].get("zeek.truncated", 0) for s in summ), 0)
check("uids unique", len({f["uid"] for f in conn}), len(conn))
beacon = [f for f in conn if f["orig"] == "73.54.23.243" and f["resp"] == "64.225.56.201"
          and f["resp_port"] == 80]
check("first seen", min(f["ts"] for f in flows if f["orig"] == "73.54.23.243") // 1000000,
      1713470872)
http = [r["obs"] for r in recs if "obs" in r and r["obs"]["kind"] == 3
        and r["obs"]["orig"] == "73.54.23.243"]
check("beacon user agent", sorted({h["u"]["user_agent"] for h in http}),
      ["Modzilla/0.0001 (Atari 7800)"])
check("beacon host header blank", sorted({h["u"]["host"] for h in http}), [""])
check("one HTTP log line per beacon connection", sorted(h["uid"] for h in http),
      sorted(f["uid"] for f in beacon))

recs, summ = load(sys.argv[2])
for s in summ:
    check("%s truncation reported" % os.path.basename(s["path"]),
          s["stats"].get("zeek.truncated", 0), 1)
    if "truncated" not in s["diag"]:
        print("FAIL: %s: diag does not report the truncation" % s["path"]); bad += 1
n = [sum(1 for r in recs if "flow" in r and r["flow"]["first_ev"]["input"] == i)
     for i in range(len(summ))]
check("flows before the cut (TSV, JSON)", n, [58, 2])

recs, summ = load(sys.argv[3])
# RITA's open_conn.log files say "#path conn" (the name alone marks them open, and inputs are
# recognised from content), so they load as ordinary connections: every line, none malformed.
conn_lines = sum(s["info"]["records"] for s in summ
                 if os.path.basename(s["path"]).startswith(("conn", "open_conn")))
check("open_conns flows", sum(1 for r in recs if "flow" in r), conn_lines)
check("open_conns observations", sum(1 for r in recs if "obs" in r),
      sum(s["info"]["records"] for s in summ) - conn_lines)
check("open_conns malformed", sum(s["info"]["malformed"] for s in summ), 0)
print("missing_host: %d connections from 72 hourly logs; truncated and open cases checked" %
      len(conn))
sys.exit(1 if bad else 0)
PY
