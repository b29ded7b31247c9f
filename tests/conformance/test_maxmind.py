#!/usr/bin/env python3
"""MaxMind DB conformance against MaxMind's own test data (maxmind-test-data).

1. Every test database with a source-data/<name>.json answers as that JSON says: for the first
   and last address of every network in it, `c2chain geodb lookup --record` returns the record
   of the most specific source network holding the address (deep equality; reals to 1e-6).
2. For every such database that carries country or ASN fields, `c2chain geodb lookup` (the
   enrichment path, with its cache) prints exactly the country (country.iso_code, else
   registered_country.iso_code) and ASN/organisation of those records; a database with neither
   is refused with exit 65 and a message saying so.
3. Every database under bad-data, and the deliberately broken test databases, give exit 65 and
   a one-line message naming the file, for enrichment lookups, record dumps and info; never a
   crash or a sanitizer report.
"""
import glob
import ipaddress
import json
import os
import subprocess
import sys

C2CHAIN = os.environ.get('C2CHAIN')
SHARED = os.environ.get('C2C_SHARED', '')
ROOT = os.path.join(SHARED, 'maxmind-test-data')
if not C2CHAIN or not os.path.isdir(os.path.join(ROOT, 'source-data')):
    print('SKIP: %s not present' % ROOT)
    sys.exit(77)

failures = []


def fail(msg):
    failures.append(msg)
    if len(failures) <= 20:
        print('FAIL: ' + msg)


def run(args, stdin=None):
    p = subprocess.run([C2CHAIN] + args, input=stdin, capture_output=True, text=True)
    for bad in ('AddressSanitizer', 'runtime error', 'LeakSanitizer'):
        if bad in p.stderr:
            fail('%s: sanitizer report:\n%s' % (' '.join(args), p.stderr[:2000]))
    if p.returncode < 0:
        fail('%s: killed by signal %d' % (' '.join(args), -p.returncode))
    return p


def same(a, b):
    if isinstance(a, float) or isinstance(b, float):
        if not isinstance(a, (int, float)) or not isinstance(b, (int, float)):
            return False
        return abs(a - b) <= 1e-6 * max(1.0, abs(a), abs(b))
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return isinstance(b, list) and len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return a == b and type(a) == type(b)


def network(text):
    n = ipaddress.ip_network(text, strict=False)
    return n


def expected_for(nets, addr):
    """MaxMind's test writer inserts the source networks in order, each insert replacing what
    lies under it: the answer is the last listed network that holds the address."""
    best = None
    for n, rec in nets:
        if n.version == addr.version and addr in n:
            best = (n, rec)
    return best


def country_of(rec):
    for top in ('country', 'registered_country'):
        v = rec.get(top)
        if isinstance(v, dict) and isinstance(v.get('iso_code'), str) and len(v['iso_code']) == 2:
            return v['iso_code'].upper()
    return '-'


def asn_of(rec):
    a = rec.get('autonomous_system_number')
    if isinstance(a, int) and 0 < a < 2**32:
        org = rec.get('autonomous_system_organization')
        return 'AS%d' % a, (org if isinstance(org, str) and org else '-')
    return '-', '-'


checked = 0
for src in sorted(glob.glob(os.path.join(ROOT, 'source-data', '*.json'))):
    name = os.path.basename(src)[:-5]
    db = os.path.join(ROOT, 'test-data', name + '.mmdb')
    if not os.path.exists(db):
        continue
    data = json.load(open(src, encoding='utf-8'))
    nets = []
    for item in data:
        for k, v in item.items():
            nets.append((network(k), v))
    addrs = []
    for n, _ in nets:
        for a in (n.network_address, n.broadcast_address):
            if str(a) not in addrs:
                addrs.append(str(a))
    p = run(['geodb', 'lookup', '--record', db, '-'], stdin='\n'.join(addrs) + '\n')
    if p.returncode != 0:
        fail('%s: lookup --record exit %d: %s' % (name, p.returncode, p.stderr.strip()))
        continue
    lines = p.stdout.splitlines()
    if len(lines) != len(addrs):
        fail('%s: %d answers for %d addresses' % (name, len(lines), len(addrs)))
        continue
    want_rows = []
    for a, line in zip(addrs, lines):
        got = json.loads(line)
        exp = expected_for(nets, ipaddress.ip_address(a))
        want_rows.append(exp[1] if exp else None)
        if exp is None:
            continue
        if not same(exp[1], got.get('record')):
            fail('%s %s: record differs from source-data (%s):\n  want %s\n  got  %s' % (
                name, a, exp[0], json.dumps(exp[1], sort_keys=True)[:300],
                json.dumps(got.get('record'), sort_keys=True)[:300]))
        checked += 1
    # Enrichment path.
    has_geo = any(country_of(r) != '-' or asn_of(r)[0] != '-' for _, r in nets)
    p = run(['geodb', 'lookup', db, '-'], stdin='\n'.join(addrs) + '\n')
    if not has_geo:
        if p.returncode != 65 or 'no country or ASN data' not in p.stderr:
            fail('%s: expected refusal (no country or ASN data), got exit %d %s' % (
                name, p.returncode, p.stderr.strip()))
        print('%-40s %5d addresses match source-data (no country/ASN fields: refused for '
              'enrichment)' % (name, len(addrs)))
        continue
    if p.returncode != 0:
        fail('%s: lookup exit %d: %s' % (name, p.returncode, p.stderr.strip()))
        continue
    for a, line, rec in zip(addrs, p.stdout.splitlines(), want_rows):
        if rec is None:
            continue
        ip, cc, asn, org = line.split('\t')
        want = (country_of(rec),) + asn_of(rec)
        if (cc, asn, org) != want:
            fail('%s %s: enrichment gives %s, want %s' % (name, a, (cc, asn, org), want))
    print('%-40s %5d addresses match source-data%s' % (
        name, len(addrs), '' if has_geo else ' (not a country/ASN database: refused)'))

bad = sorted(glob.glob(os.path.join(ROOT, 'bad-data', '*', '*.mmdb')))
broken = [os.path.join(ROOT, 'test-data', n) for n in (
    'GeoIP2-City-Test-Broken-Double-Format.mmdb', 'GeoIP2-City-Test-Invalid-Node-Count.mmdb',
    'MaxMind-DB-test-broken-pointers-24.mmdb', 'MaxMind-DB-test-broken-search-tree-24.mmdb')]
for db in bad + broken:
    p = run(['geodb', 'lookup', db, '1.1.1.1', '::1'])
    msg = p.stderr.strip()
    if not (p.returncode == 65 and msg.startswith('c2chain: ' + db) and len(msg.splitlines()) == 1):
        fail('lookup %s: exit %d, stderr %r' % (db, p.returncode, msg[:300]))
    # `info` inspects any structurally valid database: it may only accept the ones that the
    # enrichment path refused for carrying no country/ASN fields (valid "Test" databases).
    valid_but_useless = 'no country or ASN data' in msg
    p = run(['geodb', 'info', db])
    if not (p.returncode == 65 or (p.returncode == 0 and valid_but_useless)):
        fail('info %s: exit %d, stderr %r' % (db, p.returncode, p.stderr.strip()[:300]))
    # Record dumps never crash (a structurally valid "Test" database may be dumped).
    p = run(['geodb', 'lookup', '--record', db, '1.1.1.1'])
    if p.returncode not in (0, 65):
        fail('lookup --record %s: exit %d' % (db, p.returncode))
    print('%-60s %s' % (os.path.relpath(db, ROOT), run(['geodb', 'lookup', db, '1.1.1.1']).stderr.strip()[len('c2chain: ') + len(db) + 2:][:110]))

print('%d record comparisons, %d bad databases, %d failures' % (checked, len(bad) + len(broken), len(failures)))
sys.exit(1 if failures else 0)
