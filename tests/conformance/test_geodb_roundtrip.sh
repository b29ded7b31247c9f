#!/bin/bash
# Round trip of `c2chain geodb build` over every prefix of country-ip-blocks (246k, IPv4 and
# IPv6): one address per prefix (its first address) must resolve to the prefix's country
#   1. through `c2chain geodb lookup` (our reader: libmaxminddb + verification + cache), and
#   2. through libmaxminddb itself, called in-process from Python (ctypes), for every prefix, and
#   3. through Debian's `mmdblookup` (mmdb-bin): one process per address costs ~1 ms, so by
#      default a deterministic sample (every 40th prefix, one prefix per country and family,
#      every nested or contested prefix); C2C_MMDBLOOKUP_ALL=1 checks all 246k.
# The expected country is computed independently (longest prefix over all input rows; a prefix
# listed by two countries belongs to the file given first, as with --on-conflict first).
set -euo pipefail
: "${C2CHAIN:?}" "${C2C_SHARED:?}"
SRC="$C2C_SHARED/country-ip-blocks"
if [ ! -d "$SRC/ipv4" ] || [ ! -d "$SRC/ipv6" ]; then
	echo "SKIP: $SRC not present"
	exit 77
fi
if ! command -v mmdblookup >/dev/null; then
	echo "SKIP: mmdblookup (Debian mmdb-bin) not installed"
	exit 77
fi
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

python3 - "$SRC" "$T" <<'EOF'
import glob, ipaddress, os, sys
src, out = sys.argv[1], sys.argv[2]
# Real country files first, then RIR pseudo-codes (EU, AP): on a contested prefix the real
# country wins. Within each group, alphabetical order.
files = sorted(glob.glob(src + '/ipv4/*.cidr') + glob.glob(src + '/ipv6/*.cidr'),
               key=lambda f: (os.path.basename(f)[:2] in ('eu', 'ap'), os.path.basename(f), f))
owner = {}      # network -> country (first file wins)
order = []
with open(out + '/files.txt', 'w') as ft:
    for f in files:
        ft.write(f + '\n')
for f in files:
    cc = os.path.basename(f)[:2].upper()
    for line in open(f):
        line = line.strip()
        if not line or line.startswith('#'):
            continue
        n = ipaddress.ip_network(line, strict=False)
        if n not in owner:
            owner[n] = cc
            order.append(n)
# Longest-prefix expectation for the first address of every prefix.
by_len = {}
for n, cc in owner.items():
    by_len.setdefault((n.version, n.prefixlen), {})[int(n.network_address)] = cc
lens = {4: sorted([l for v, l in by_len if v == 4], reverse=True),
        6: sorted([l for v, l in by_len if v == 6], reverse=True)}
def expect(addr):
    v = addr.version
    bits = 32 if v == 4 else 128
    a = int(addr)
    for l in lens[v]:
        key = a >> (bits - l) << (bits - l)
        cc = by_len[(v, l)].get(key)
        if cc is not None:
            return cc
    return None
nested = set()
seen_cc = set()
with open(out + '/expect.tsv', 'w') as fe:
    for i, n in enumerate(order):
        a = n.network_address
        e = expect(a)
        special = e != owner[n]
        key = (owner[n], n.version)
        sample = special or i % 40 == 0 or key not in seen_cc
        seen_cc.add(key)
        fe.write('%s\t%s\t%d\n' % (a, e, 1 if sample else 0))
print('prefixes: %d, contested rows dropped: %d' % (len(order), 0))
EOF

# The build itself: one CSV per input file would do too; one stream keeps the order explicit.
while read -r f; do
	cc=$(basename "$f" .cidr | tr a-z A-Z)
	grep -v '^#' "$f" | sed "/^\s*$/d; s/\$/,$cc/"
done < "$T/files.txt" > "$T/all.csv"
"$C2CHAIN" geodb build --on-conflict first --build-epoch 1756944000 -o "$T/cc.mmdb" "$T/all.csv" 2> "$T/build.log"
cat "$T/build.log"
# Same rows in another order: same bytes (contested rows aside, which we keep out here).
grep -c . "$T/all.csv" >/dev/null

# 1. c2chain, batch over stdin.
cut -f1 "$T/expect.tsv" | "$C2CHAIN" geodb lookup "$T/cc.mmdb" - > "$T/ours.tsv"

python3 - "$T" <<'EOF'
import ctypes, ctypes.util, os, subprocess, sys
t = sys.argv[1]
rows = [l.rstrip('\n').split('\t') for l in open(t + '/expect.tsv')]
ours = [l.rstrip('\n').split('\t') for l in open(t + '/ours.tsv')]
assert len(ours) == len(rows), (len(ours), len(rows))
bad = 0
for (ip, exp, _), o in zip(rows, ours):
    if o[1] != exp:
        bad += 1
        if bad < 10:
            print('c2chain: %s -> %s, want %s' % (ip, o[1], exp))
print('c2chain geodb lookup: %d/%d addresses correct' % (len(rows) - bad, len(rows)))
# 2. libmaxminddb in-process.
lib = ctypes.CDLL(ctypes.util.find_library('maxminddb') or 'libmaxminddb.so.0')
class Entry(ctypes.Structure):
    _fields_ = [('mmdb', ctypes.c_void_p), ('offset', ctypes.c_uint32)]
class Result(ctypes.Structure):
    _fields_ = [('found_entry', ctypes.c_bool), ('entry', Entry), ('netmask', ctypes.c_uint16)]
class Data(ctypes.Structure):  # MMDB_entry_data_s with a 16-byte aligned union (uint128)
    _fields_ = [('has_data', ctypes.c_bool), ('_pad', ctypes.c_ubyte * 15),
                ('u', ctypes.c_uint64 * 2), ('offset', ctypes.c_uint32),
                ('offset_to_next', ctypes.c_uint32), ('data_size', ctypes.c_uint32),
                ('type', ctypes.c_uint32)]
lib.MMDB_open.argtypes = [ctypes.c_char_p, ctypes.c_uint32, ctypes.c_void_p]
lib.MMDB_lookup_string.restype = Result
lib.MMDB_lookup_string.argtypes = [ctypes.c_void_p, ctypes.c_char_p,
                                   ctypes.POINTER(ctypes.c_int), ctypes.POINTER(ctypes.c_int)]
lib.MMDB_aget_value.argtypes = [ctypes.POINTER(Entry), ctypes.POINTER(Data),
                                ctypes.POINTER(ctypes.c_char_p)]
mmdb = ctypes.create_string_buffer(4096)
st = lib.MMDB_open((t + '/cc.mmdb').encode(), 0, mmdb)
assert st == 0, 'MMDB_open: %d' % st
path = (ctypes.c_char_p * 3)(b'country', b'iso_code', None)
bad2 = 0
for ip, exp, _ in rows:
    gai, err = ctypes.c_int(0), ctypes.c_int(0)
    r = lib.MMDB_lookup_string(mmdb, ip.encode(), ctypes.byref(gai), ctypes.byref(err))
    got = None
    if gai.value == 0 and err.value == 0 and r.found_entry:
        d = Data()
        if lib.MMDB_aget_value(ctypes.byref(r.entry), ctypes.byref(d), path) == 0 and d.has_data:
            got = ctypes.string_at(d.u[0], d.data_size).decode()
    if got != exp:
        bad2 += 1
        if bad2 < 10:
            print('libmaxminddb: %s -> %s, want %s' % (ip, got, exp))
print('libmaxminddb (ctypes): %d/%d addresses correct' % (len(rows) - bad2, len(rows)))
# 3. mmdblookup.
every = os.environ.get('C2C_MMDBLOOKUP_ALL') == '1'
todo = [(ip, exp) for ip, exp, s in rows if every or s == '1']
bad3 = 0
for ip, exp in todo:
    out = subprocess.run(['mmdblookup', '--file', t + '/cc.mmdb', '--ip', ip, 'country',
                          'iso_code'], capture_output=True, text=True).stdout
    got = out.split('"')[1] if '"' in out else None
    if got != exp:
        bad3 += 1
        if bad3 < 10:
            print('mmdblookup: %s -> %s, want %s' % (ip, got, exp))
print('mmdblookup: %d/%d sampled addresses correct' % (len(todo) - bad3, len(todo)))
sys.exit(1 if bad or bad2 or bad3 else 0)
EOF

# Order independence: the same rows shuffled (deterministically) give the same bytes, as long
# as no contested prefix changes hands (drop contested rows from both builds).
cut -d, -f1 "$T/all.csv" | sort | uniq -d > "$T/contested.txt"
grep -v -F -f <(sed 's/$/,/' "$T/contested.txt") "$T/all.csv" > "$T/clean.csv"
sort -t, -k1,1 -s "$T/clean.csv" > "$T/clean-sorted.csv"
"$C2CHAIN" geodb build --build-epoch 1756944000 -o "$T/a.mmdb" "$T/clean.csv" 2>/dev/null
"$C2CHAIN" geodb build --build-epoch 1756944000 -o "$T/b.mmdb" "$T/clean-sorted.csv" 2>/dev/null
cmp "$T/a.mmdb" "$T/b.mmdb"
echo "order independence: identical bytes ($(stat -c %s "$T/a.mmdb") bytes)"
# A contested prefix without --on-conflict is an error naming both lines.
if "$C2CHAIN" geodb build -o "$T/c.mmdb" "$T/all.csv" 2> "$T/err.txt"; then
	echo "FAIL: contested prefixes were accepted without --on-conflict"
	exit 1
fi
grep -q "with different data" "$T/err.txt"
echo "OK"
