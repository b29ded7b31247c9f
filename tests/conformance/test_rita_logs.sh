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
"$DUMP" flows "$R/truncated/conn.log" "$R/truncated/conn_json.log" "$R/truncated/conn_top.log" \
	> "$T/tr" \
	|| { echo "FAIL: truncated logs did not load"; exit 1; }
"$DUMP" flows "$R/open_conns/open" "$R/open_conns/closed" > "$T/oc" \
	|| { echo "FAIL: open_conns did not load"; exit 1; }
python3 - "$T/mh" "$T/tr" "$T/oc" <<'PY'
import json, os, sys

def expect(path):
    """What the raw bytes say, independently of the reader: complete data lines, a cut last
    line and its number, which complete lines are well-formed connections (TSV: as many
    columns as the default conn.log / #fields, ports <= 65535; JSON: an object with valid
    ports), and whether a #open has its #close."""
    raw = open(path, "rb").read()
    lines = raw.split(b"\n")
    cut = lines[-1] != b""
    complete = [l for l in lines[:-1] if l]
    data = [l for l in complete if not l.startswith(b"#")]
    ok = 0
    for l in data:
        if l.startswith(b"{"):
            try:
                o = json.loads(l)
                ok += o["id.orig_p"] <= 65535 and o["id.resp_p"] <= 65535
            except ValueError:
                pass
        else:
            c = l.split(b"\t")
            ok += len(c) == 21 and int(c[3]) <= 65535 and int(c[5]) <= 65535
    return {"records": len(data) + cut, "flows": ok, "malformed": len(data) + cut - ok,
            "cut_line": len(lines[:-1]) + 1 if cut else 0,
            "headerless": not raw.startswith((b"#", b"{")),
            "no_close": any(l.startswith(b"#open") for l in complete)
                        and not any(l.startswith(b"#close") for l in complete)}

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
check("unclosed logs", sum(s["stats"].get("zeek.missing_close", 0) for s in summ), 0)
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
# conn.log (header, cut, no #close), conn_json.log (cut JSON line), conn_top.log (the same rows
# as conn.log with no header at all, cut at the same place)
check("truncated inputs", [os.path.basename(s["path"]) for s in summ],
      ["conn.log", "conn_json.log", "conn_top.log"])
flows_of = [[r["flow"] for r in recs if "flow" in r and r["flow"]["first_ev"]["input"] == i]
            for i in range(len(summ))]
for s, fl in zip(summ, flows_of):
    name, e, st = os.path.basename(s["path"]), expect(s["path"]), s["stats"]
    check("%s truncation reported" % name, st.get("zeek.truncated", 0), 1)
    check("%s records" % name, s["info"]["records"], e["records"])
    check("%s flows" % name, len(fl), e["flows"])
    check("%s malformed (the cut line included)" % name, s["info"]["malformed"], e["malformed"])
    check("%s missing #close" % name, st.get("zeek.missing_close", 0), int(e["no_close"]))
    check("%s headerless" % name, st.get("zeek.headerless_files", 0), int(e["headerless"]))
    if "last line (%d) truncated" % e["cut_line"] not in s["diag"]:
        print("FAIL: %s: diag does not name the cut line %d: %r" % (name, e["cut_line"], s["diag"]))
        bad += 1
    if e["no_close"] and "no #close" not in s["diag"]:
        print("FAIL: %s: diag does not report the missing #close" % name); bad += 1
    if e["headerless"] and "default conn.log column order" not in s["diag"]:
        print("FAIL: %s: diag does not say which columns were assumed" % name); bad += 1
check("flows before the cut (TSV, JSON, headerless TSV)", [len(f) for f in flows_of], [58, 2, 58])
# the headerless copy reads exactly as the one with its header (references aside)
strip = lambda f: {k: v for k, v in f.items() if not k.endswith("_ev")}
check("headerless rows equal the headed ones", [strip(f) for f in flows_of[2]],
      [strip(f) for f in flows_of[0]])
check("headerless references start at byte 0", flows_of[2][0]["first_ev"]["off"], 0)

recs, summ = load(sys.argv[3])
# RITA's open_conn.log files say "#path conn" (the name alone marks them open, and inputs are
# recognised from content), so they load as ordinary connections: every line, none malformed.
conn_lines = sum(s["info"]["records"] for s in summ
                 if os.path.basename(s["path"]).startswith(("conn", "open_conn")))
check("open_conns flows", sum(1 for r in recs if "flow" in r), conn_lines)
check("open_conns observations", sum(1 for r in recs if "obs" in r),
      sum(s["info"]["records"] for s in summ) - conn_lines)
check("open_conns malformed", sum(s["info"]["malformed"] for s in summ), 0)
check("open_conns truncated", sum(s["stats"].get("zeek.truncated", 0) for s in summ), 0)
# logs still open (RITA's open_* files, and closed/ whose #close lines are missing) are reported
check("open_conns missing #close",
      sorted(os.path.relpath(s["path"], os.path.dirname(os.path.dirname(s["path"])))
             for s in summ if s["stats"].get("zeek.missing_close", 0)),
      sorted(os.path.relpath(s["path"], os.path.dirname(os.path.dirname(s["path"])))
             for s in summ if expect(s["path"])["no_close"]))
check("open_conns files without #close", sum(expect(s["path"])["no_close"] for s in summ),
      sum(s["stats"].get("zeek.missing_close", 0) for s in summ))
print("missing_host: %d connections from 72 hourly logs; truncated and open cases checked" %
      len(conn))
sys.exit(1 if bad else 0)
PY
