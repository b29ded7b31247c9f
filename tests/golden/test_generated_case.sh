#!/usr/bin/env bash
# End to end on a generated case (no shared data needed): `c2chain demo` generates, scans,
# verifies; then
#  - ground truth: per C2 family precision >= 0.99 and recall >= 0.95, control matrix equal
#    to the truth (check_truth.py);
#  - determinism: a single-threaded re-scan gives a byte-identical report.json;
#  - tamper: a flipped byte of report.json, of the ledger, of the checkpoint or of the input
#    makes verify fail; a wrong trust key fails; a truncated case fails clearly;
#  - the reports: report.html is rendered by headless Chromium (when installed) to a non-blank
#    PNG, and its DOM holds the charts.
set -euo pipefail
C2CHAIN=${C2CHAIN:?}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/c2c-golden-XXXXXX")
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

"$C2CHAIN" demo -d "$work/demo" > "$work/demo.out" || { cat "$work/demo.out"; fail "demo did not verify"; }
grep -q "0 FAILED" "$work/demo.out" || fail "demo verification reported failures"
data=$work/demo/data case=$work/demo/case
python3 "$here/check_truth.py" "$data/truth.json" "$case/report.json" || fail "ground truth"

# Determinism: one thread, another case folder, same report bytes.
"$C2CHAIN" scan -q -j1 -o "$work/case1" -c "$data/c2chain.conf" \
  -i "$data/feeds/c2-ips.txt" -i "$data/feeds/apt_violettyphoon.txt" \
  -i "$data/feeds/warninglist-services.json" --geo "$data/geo/country.mmdb" \
  --asn "$data/geo/asn.mmdb" --catalogue "$data/catalogue/actors.json" \
  --refdata "sinkhole=$data/refdata/sinkholes.json" \
  --refdata "residential=$data/refdata/residential-asns.txt" \
  --refdata "hosting=$data/refdata/hosting-ranges.txt" \
  --title "c2chain demo: a synthetic day" "$data/traffic.pcap"
cmp "$case/report.json" "$work/case1/report.json" || fail "report.json differs between 2 threads and 1"
echo "determinism: report.json identical with 1 and 2 threads"

# The untouched case verifies against its own key given as the trusted one.
"$C2CHAIN" verify -q "$case" --trust "$case/key/verifier.pub" || fail "clean case does not verify"

flip() { # flip one byte of $1 at offset $2 (a copy of the case is modified)
  python3 - "$1" "$2" <<'PY'
import sys
p, off = sys.argv[1], int(sys.argv[2])
b = bytearray(open(p, 'rb').read())
off %= len(b)
b[off] ^= 0x01
open(p, 'wb').write(b)
PY
}
tamper() { # tamper CASE-RELATIVE-FILE SEED
  rm -rf "$work/t" && cp -r "$case" "$work/t"
  local f="$work/t/$1" size
  size=$(stat -c %s "$f")
  flip "$f" $(( ($2 * 2654435761) % size ))
  if "$C2CHAIN" verify -q "$work/t" > "$work/v.out" 2>&1; then
    fail "verify accepted a flipped byte in $1 (seed $2)"
  fi
}
for seed in 1 2 3 4 5 6; do
  tamper report.json $seed
  tamper ledger/entries.jsonl $seed
  tamper checkpoint.note $seed
done
echo "tamper: 18 single-byte flips of report, ledger and checkpoint all rejected"
# A flipped byte inside the input: copy the input, point verify at the copy.
mkdir -p "$work/inputs" && cp "$data/traffic.pcap" "$work/inputs/traffic.pcap"
flip "$work/inputs/traffic.pcap" 5000
if "$C2CHAIN" verify -q "$case" --inputs "$work/inputs" > "$work/v.out" 2>&1; then
  fail "verify accepted a modified input"
fi
grep -q "FAILED" "$work/v.out" || fail "no FAILED verdict for a modified input"
# Wrong trust key.
"$C2CHAIN" demo -d "$work/other" > /dev/null 2>&1 || true
if "$C2CHAIN" verify -q "$case" --trust "$work/other/case/key/verifier.pub" > /dev/null 2>&1; then
  fail "verify accepted a wrong trust key"
fi
# Truncated case.
rm -rf "$work/t" && cp -r "$case" "$work/t" && rm "$work/t/report.json"
if "$C2CHAIN" verify -q "$work/t" > "$work/v.out" 2>&1; then fail "verify accepted a truncated case"; fi
echo "verify: modified input, wrong key and truncated case rejected"

# The reports.
for f in report.md report.html report.stix.json; do [ -s "$case/$f" ] || fail "$f missing"; done
grep -q "<svg" "$case/report.html" || fail "report.html has no charts"
if grep -Eq "<script|https?://[^\"]*\.(js|css|woff)" "$case/report.html"; then
  fail "report.html is not self-contained"
fi
# Every claim in report.json has its evidence appendix entry in report.html, every in-page link
# resolves, and each infrastructure row and the matrix link to their entries.
python3 - "$case" <<'PY' || fail "report.html links"
import json, re, sys
case = sys.argv[1]
r = json.load(open(case + "/report.json"))
html = open(case + "/report.html").read()
ids = set(re.findall(r'id="([^"]+)"', html))
hrefs = set(re.findall(r'href="#([^"]+)"', html))
def anchor(i): return "ev-" + re.sub(r"[^a-z0-9-]", "-", i)
claims = [c["id"] for k in ("findings", "infrastructure", "cluster_edges", "clusters",
                            "assessments") for c in r.get(k, [])]
if "id" in r.get("matrix", {}): claims.append(r["matrix"]["id"])
missing = [c for c in claims if anchor(c) not in ids]
dangling = sorted(h for h in hrefs if h not in ids)
unlinked = [c for c in claims if anchor(c) not in hrefs]
if missing or dangling or unlinked:
    print("appendix entries missing:", missing[:5], "dangling links:", dangling[:5],
          "claims never linked:", unlinked[:5])
    sys.exit(1)
print("report.html: %d claims with appendix entries, %d in-page links all resolve"
      % (len(claims), len(hrefs)))
PY
browser=$(command -v chromium || command -v chromium-browser || true)
if [ -n "$browser" ]; then
  flags="--headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir=$work/profile"
  timeout 120 "$browser" $flags --window-size=1200,2400 --screenshot="$work/report.png" \
    "file://$case/report.html" > /dev/null 2>&1 || fail "chromium could not render report.html"
  timeout 120 "$browser" $flags --dump-dom "file://$case/report.html" > "$work/dom.html" 2>/dev/null ||
    fail "chromium could not load report.html"
  grep -q 'class="chart heatmap"' "$work/dom.html" || fail "no heat map in the rendered DOM"
  grep -q 'class="chart bars"' "$work/dom.html" || fail "no endpoint chart in the rendered DOM"
  grep -q 'class="chart histogram"' "$work/dom.html" || fail "no beacon histogram in the DOM"
  python3 - "$work/report.png" <<'PY' || fail "the rendered page is blank"
import sys, zlib, struct
data = open(sys.argv[1], 'rb').read()
assert data[:8] == b'\x89PNG\r\n\x1a\n'
pos, idat, w, h, depth, ctype = 8, b'', 0, 0, 0, 0
while pos < len(data):
    n, t = struct.unpack('>I4s', data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + n]
    if t == b'IHDR':
        w, h, depth, ctype = struct.unpack('>IIBB', body[:10])
    elif t == b'IDAT':
        idat += body
    pos += 12 + n
raw = zlib.decompress(idat)
# Count distinct byte values in the decoded scanlines: a blank page has one or two.
distinct = len(set(raw[:2_000_000]))
print("screenshot %dx%d, %d distinct byte values" % (w, h, distinct))
sys.exit(0 if distinct > 16 else 1)
PY
  echo "browser: report.html rendered by $(basename "$browser") with its charts"
else
  echo "SKIP: browser check (chromium not installed)"
fi
echo "generated case: all checks passed"
