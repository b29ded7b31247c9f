#!/usr/bin/env python3
# Dataset D1 of the side-by-side workloads (../shared/reference/anchors.md §13.1 and Appendix A,
# reproduced unchanged so that bench/run_collector.sh can make it): synthetic LAN beacons,
# 1.59 M packets, 430,277,650 bytes, sha256 54269c5658a1ad4c... for the arguments
#   gen_d1_pcap.py D1.pcap 2000 200 24 200000
# Seeded and byte-reproducible; plain Python 3.
# gen_pcap.py  OUT N_HOSTS N_BEACONERS HOURS N_BACKGROUND   (dataset D1)
import struct, random, sys, socket
out, n_hosts, n_beacons, hours, n_bg = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5])
random.seed(42); T0 = 1700000000.0; dur = hours*3600
def csum(b):
    if len(b) % 2: b += b'\0'
    s = sum(struct.unpack('!%dH' % (len(b)//2), b)); s = (s >> 16) + (s & 0xffff); s += s >> 16; return (~s) & 0xffff
def pkt(src, dst, sp, dp, flags, pl=b''):
    tcp = struct.pack('!HHIIBBHHH', sp, dp, 1, 1, 5 << 4, flags, 65535, 0, 0) + pl
    ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20+len(tcp), 0, 0, 64, 6, 0, socket.inet_aton(src), socket.inet_aton(dst))
    ip = ip[:10] + struct.pack('!H', csum(ip)) + ip[12:]
    return b'\x00\x11\x22\x33\x44\x55\x66\x77\x88\x99\xaa\xbb\x08\x00' + ip + tcp
ev = []; c2s = ['198.51.100.%d' % i for i in range(1, 11)]
for h in range(n_beacons):                                  # beaconers 10.0.x.y -> one of 10 C2s
    src = '10.0.%d.%d' % (h//250, h % 250 + 1); c2 = c2s[h % len(c2s)]; per = random.choice([60, 300, 900])
    t = T0 + random.random()*per
    while t < T0 + dur:
        ev.append((t, src, c2, 443, random.choice([180, 190, 200]))); t += per + random.uniform(-0.1, 0.1)*per
for i in range(n_bg):                                       # background: 30 % to 203.0.113.0/24, rest random
    h = random.randrange(n_hosts); src = '10.0.%d.%d' % (h//250, h % 250 + 1)
    dst = '203.0.%d.%d' % (random.randrange(113, 114), random.randrange(1, 255)) if random.random() < 0.3 else \
          '%d.%d.%d.%d' % (random.randrange(1, 223), random.randrange(256), random.randrange(256), random.randrange(1, 255))
    ev.append((T0 + random.random()*dur, src, dst, random.choice([80, 443, 53, 8080]), random.randrange(40, 4000)))
ev.sort()
with open(out, 'wb') as f:
    f.write(struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
    for n, (t, s, d, dp, sz) in enumerate(ev):
        sp = 1024 + (n % 60000)
        for dt, a, b, x, y, fl, pl in ((0, s, d, sp, dp, 0x02, b''), (0.01, d, s, dp, sp, 0x12, b''), (0.02, s, d, sp, dp, 0x18, b'x'*min(sz, 1400)),
                                       (0.05, d, s, dp, sp, 0x18, b'y'*200), (0.06, s, d, sp, dp, 0x11, b'')):
            p = pkt(a, b, x, y, fl, pl); ts = t + dt
            f.write(struct.pack('<IIII', int(ts), int((ts % 1)*1e6), len(p), len(p))); f.write(p)
