#!/usr/bin/env python3
"""Synthetic C2 capture with known ground truth (Python standard library only) for
test_matrix_oracle.sh: victims drawn from given country CIDR lists, so the host country is known
by construction, and C2 addresses from a Feodo CSV. It only generates; `c2chain scan` and the
peer chain analyse the capture.

  c2gen.py capture OUT.pcap FEODO_CSV CN_CIDR US_CIDR N_CN N_US N_BG SEED > truth.json
      Victims are drawn from the two CIDR lists (host country by construction); each victim
      connects 3 times to one C2 of the Feodo list (anchors.md §13 D2, scaled down); N_BG
      background connections go to random non-C2 addresses. Every connection is 5 packets
      (SYN, SYN/ACK, data, response, FIN). Seeded and byte-reproducible. truth.json gives
      by_host_country: {CC: {C2 address: [victims]}}.
"""
import ipaddress
import json
import random
import struct
import sys


def feodo(path):
    out = []
    for line in open(path, encoding='utf-8'):
        if line.startswith('#') or not line.strip():
            continue
        cols = [c.strip().strip('"') for c in line.rstrip('\n').split(',')]
        if len(cols) < 6:
            continue
        try:
            ipaddress.ip_address(cols[1])
        except ValueError:
            continue
        out.append((cols[1], int(cols[2]), cols[5]))
    return sorted(set(out))


def cidrs(path):
    return [ipaddress.ip_network(l.strip(), strict=False) for l in open(path)
            if l.strip() and not l.startswith('#')]


def csum(b):
    if len(b) % 2:
        b += b'\0'
    s = sum(struct.unpack('!%dH' % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def packet(src, dst, sport, dport, flags, seq, ack, payload):
    tcp = struct.pack('!HHIIBBHHH', sport, dport, seq, ack, 5 << 4, flags, 65535, 0, 0)
    total = 20 + len(tcp) + len(payload)
    ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, total, 0, 0x4000, 64, 6, 0,
                     ipaddress.ip_address(src).packed, ipaddress.ip_address(dst).packed)
    ip = ip[:10] + struct.pack('!H', csum(ip)) + ip[12:]
    eth = b'\x02\x00\x00\x00\x00\x01\x02\x00\x00\x00\x00\x02\x08\x00'
    return eth + ip + tcp + payload


def capture(args):
    out, feodo_csv, cn, us, n_cn, n_us, n_bg, seed = args
    rnd = random.Random(int(seed))
    c2 = feodo(feodo_csv)
    c2set = {ip for ip, _, _ in c2}
    nets = {'CN': cidrs(cn), 'US': cidrs(us)}

    def victim(cc):
        n = rnd.choice(nets[cc])
        return str(n.network_address + rnd.randrange(1, max(2, n.num_addresses - 1)))

    victims = []
    seen = set()
    for cc, k in (('CN', int(n_cn)), ('US', int(n_us))):
        while sum(1 for v in victims if v[1] == cc) < k:
            v = victim(cc)
            if v not in seen and v not in c2set:
                seen.add(v)
                victims.append((v, cc, c2[rnd.randrange(len(c2))]))
    conns = []
    t0 = 1600000000 * 1000000
    for v, cc, (ip, port, fam) in victims:
        start = t0 + rnd.randrange(0, 3600 * 1000000)
        period = rnd.choice((60, 300, 900)) * 1000000
        for k in range(3):
            conns.append((start + k * period, v, ip, port))
    for _ in range(int(n_bg)):
        v = rnd.choice(victims)[0]
        while True:
            d = str(ipaddress.ip_address(rnd.randrange(1 << 24, 223 << 24)))
            if d not in c2set:
                break
        conns.append((t0 + rnd.randrange(0, 4 * 3600 * 1000000), v, d, 443))
    conns.sort()
    pkts = []
    for i, (ts, v, d, port) in enumerate(conns):
        sport = 1024 + i % 60000
        pkts.append((ts, packet(v, d, sport, port, 0x02, 1000, 0, b'')))
        pkts.append((ts + 1000, packet(d, v, port, sport, 0x12, 5000, 1001, b'')))
        pkts.append((ts + 2000, packet(v, d, sport, port, 0x18, 1001, 5001, b'q' * 100)))
        pkts.append((ts + 3000, packet(d, v, port, sport, 0x18, 5001, 1101, b'r' * 200)))
        pkts.append((ts + 4000, packet(v, d, sport, port, 0x11, 1101, 5201, b'')))
    pkts.sort(key=lambda p: p[0])
    with open(out, 'wb') as f:
        f.write(struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
        for ts, p in pkts:
            f.write(struct.pack('<IIII', ts // 1000000, ts % 1000000, len(p), len(p)))
            f.write(p)
    truth = {}
    for v, cc, (ip, port, fam) in victims:
        truth.setdefault(cc, {}).setdefault(ip, []).append(v)
    json.dump({'victims': len(victims), 'packets': len(pkts),
               'by_host_country': {cc: {ip: sorted(vs) for ip, vs in d.items()}
                                   for cc, d in truth.items()}}, sys.stdout, sort_keys=True)
    sys.stdout.write('\n')


if __name__ == '__main__':
    if len(sys.argv) >= 2 and sys.argv[1] == 'capture' and len(sys.argv) == 10:
        capture(sys.argv[2:])
    else:
        sys.exit(__doc__)
