#!/usr/bin/env bash
# Cases built from Zeek logs (no shared data needed): `c2chain gen` writes the same synthetic day
# as Zeek TSV logs and as Zeek JSON logs; each is scanned (the TSV logs also gzip-compressed and
# as IPFIX), and `verify` must accept every claim, re-parsing the cited Zeek lines (after their
# header lines) and IPFIX records (after their template messages). Then one byte inside a record
# cited by a claim is flipped, in a copy of the input: verify must fail, and name that claim.
set -euo pipefail
C2CHAIN=${C2CHAIN:?}
work=$(mktemp -d "${TMPDIR:-/tmp}/c2c-zeek-XXXXXX")
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

"$C2CHAIN" gen -q -o "$work/data" -n 40 -H 14 --formats zeek,zeek-json,ipfix
data=$work/data
mkdir -p "$work/zeek-gz"
for f in "$data"/zeek/*.log; do gzip -c "$f" > "$work/zeek-gz/$(basename "$f").gz"; done

scan() { # scan CASE INPUT
  "$C2CHAIN" scan -q -o "$1" -c "$data/c2chain.conf" -i "$data/feeds/c2-ips.txt" \
    -i "$data/feeds/apt_violettyphoon.txt" -i "$data/feeds/warninglist-services.json" \
    --refdata "sinkhole=$data/refdata/sinkholes.json" "$2"
}

# The first claim of type $2 in CASE $1 citing a record of a Zeek/IPFIX input directly:
# prints "<claim id> <input name> <offset> <length>".
cited() {
  python3 - "$1" "$2" <<'PY'
import json, sys
case, want = sys.argv[1], sys.argv[2]
rep = json.load(open(case + "/report.json"))
names = {i["sha256"]: i["name"] for i in json.load(open(case + "/inputs.json"))["inputs"]}
for arr in ("findings", "infrastructure", "cluster_edges"):
    for f in rep.get(arr, []):
        if f["type"] != want or f.get("recheck") not in ("records", "refdata"):
            continue
        ev = f.get("evidence", {})
        for r in ev.get("refs", []) + ev.get("samples", []):
            sha, rest = r[3:].split("/", 1)
            off, ln = rest.split("#")[0].split("+")
            print(f["id"], names[sha], off, ln)
            sys.exit(0)
sys.exit(1)
PY
}

for kind in zeek zeek-json zeek-gz ipfix; do
  case $kind in
    zeek|zeek-json) input=$data/$kind ;;
    zeek-gz) input=$work/zeek-gz ;;
    ipfix) input=$data/flows.ipfix ;;
  esac
  c=$work/case-$kind
  scan "$c" "$input"
  "$C2CHAIN" verify "$c" > "$work/v.out" 2>&1 || { cat "$work/v.out"; fail "$kind: clean case"; }
  grep -q ", 0 FAILED" "$work/v.out" || fail "$kind: failures in a clean case"
  n=$(grep -c "^ok  *finding" "$work/v.out" || true)
  [ "$n" -gt 5 ] || fail "$kind: only $n findings verified"
  types=(beacon intel-hit long-connection)
  [ "$kind" = ipfix ] || types+=(dns-tunnel infrastructure)
  tested=()
  for type in "${types[@]}"; do
    if ! read -r id name off len < <(cited "$c" "$type"); then
      [ "$type" = dns-tunnel ] && continue # not every generated day has a tunnel in this view
      fail "$kind: no $type claim"
    fi
    tested+=("$type")
    rm -rf "$work/in" && mkdir -p "$work/in"
    if [ -d "$input" ]; then cp "$input"/* "$work/in/"; else cp "$input" "$work/in/"; fi
    target=$work/in/$name
    if [ "$kind" = zeek-gz ]; then
      # Offsets name the decompressed log: flip there and compress again.
      gunzip -c "$target" > "$work/plain"
      python3 -c "
import sys; p, o = sys.argv[1], int(sys.argv[2]); b = bytearray(open(p, 'rb').read())
b[o] ^= 0x01; open(p, 'wb').write(b)" "$work/plain" $((off + len / 2))
      gzip -c "$work/plain" > "$target"
    else
      python3 -c "
import sys; p, o = sys.argv[1], int(sys.argv[2]); b = bytearray(open(p, 'rb').read())
b[o] ^= 0x01; open(p, 'wb').write(b)" "$target" $((off + len / 2))
    fi
    if "$C2CHAIN" verify "$c" --inputs "$work/in" > "$work/v.out" 2>&1; then
      fail "$kind: verify accepted a flipped byte in $name at $((off + len / 2)) (cited by $id)"
    fi
    grep -A1 "^FAILED *finding *$id\$" "$work/v.out" | grep -q "step input-digest at $name:$off" ||
      { grep -A1 "$id" "$work/v.out"; fail "$kind: $id did not fail on its record $name:$off"; }
  done
  # An excerpt package carries only the cited records: nothing may fail.
  "$C2CHAIN" report "$c" --package excerpt -o "$work/excerpt-$kind.tar" > /dev/null
  "$C2CHAIN" verify "$work/excerpt-$kind.tar" > "$work/v.out" 2>&1 || [ $? -eq 2 ] ||
    { cat "$work/v.out"; fail "$kind: excerpt package"; }
  grep -q ", 0 FAILED" "$work/v.out" || fail "$kind: failures in an excerpt package"
  echo "$kind: $n findings verified, excerpt too; a flipped byte in a cited record fails its" \
    "claim (${tested[*]})"
done
echo "zeek cases: all checks passed"
