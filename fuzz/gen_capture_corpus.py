#!/usr/bin/env python3
"""Writes the seed corpora of fuzz_pcap, fuzz_pcapng and fuzz_decode (fuzz/corpus/<target>/):
frames for each link type, shim and tunnel the decoder knows, wrapped in pcap and pcapng files
in both byte orders, plus truncated and corrupted variants. Run from the repository root."""
import gzip
import os
import struct


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def ip4(proto, payload, src=b"\x0a\0\0\x01", dst=b"\x0a\0\0\x02", frag=0x4000, ident=1):
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), ident, frag, 64, proto, 0,
                    src, dst)
    h = h[:10] + struct.pack("!H", csum(h)) + h[12:]
    return h + payload


def ip6(nh, payload, src=b"\x20\x01\x0d\xb8" + b"\0" * 11 + b"\x01",
        dst=b"\x20\x01\x0d\xb8" + b"\0" * 11 + b"\x02"):
    return struct.pack("!IHBB", 0x60000000, len(payload), nh, 64) + src + dst + payload


def udp(sp, dp, payload):
    return struct.pack("!HHHH", sp, dp, 8 + len(payload), 0) + payload


def tcp(sp, dp, flags=0x18, payload=b"GET / HTTP/1.1\r\nHost: example\r\n\r\n"):
    return struct.pack("!HHIIBBHHH", sp, dp, 1, 2, 0x50, flags, 8192, 0, 0) + payload


def eth(t, payload):
    return b"\x00\x01\x02\x03\x04\x05\x00\x06\x07\x08\x09\x0a" + struct.pack("!H", t) + payload


T4 = ip4(6, tcp(1234, 80))
U6 = ip6(17, udp(5353, 53, b"\x12\x34\x01\0\0\x01\0\0\0\0\0\0\x07example\x03com\0\0\x01\0\x01"))
teredo_src = b"\x20\x01\0\0\x41\x37\x9e\x50" + b"\0" * 8

FRAMES = {
    # name: (linktype, frame)
    "eth_tcp": (1, eth(0x0800, T4)),
    "qinq_v6": (1, eth(0x88A8, b"\x00\x64\x81\x00\x00\xc8\x86\xdd" + U6)),
    "mpls_vxlan": (1, eth(0x8847, b"\x00\x01\x01\x40" + ip4(17, udp(40000, 4789,
        b"\x08\0\0\0\0\0\x7b\0" + eth(0x0800, ip4(1, b"\x08\0\xf7\xfd\0\x01\0\x01")))))),
    "gre_erspan2": (101, ip4(47, b"\x10\0\x88\xbe\0\0\0\x01\x10\0\0\x05\0\0\0\0" +
                             eth(0x0800, T4))),
    "gre_key_pptp": (101, ip4(47, b"\x30\x01\x88\x0b\0\x2d\x42\x42\0\0\0\x01\xff\x03\0\x21" +
                              T4)),
    "erspan3": (101, ip4(47, b"\0\0\x22\xeb\x20\0\0\x09\0\0\0\0\0\0\0\x01" + b"\0" * 8 +
                         eth(0x0800, T4))),
    "teredo": (101, ip4(17, udp(3797, 3544, b"\0\0\xf2\x1b\xbe\x5a\x6a\x3f" +
        ip6(6, tcp(1286, 80), src=teredo_src, dst=teredo_src)))),
    "gtpu": (101, ip4(17, udp(2152, 2152, b"\x36\xff" + struct.pack("!H", 4 + 4 + len(T4)) +
        b"\0\0\x12\x34\0\x01\0\x85\x01\x10\0\0" + T4))),
    "geneve_v6": (101, ip4(17, udp(50901, 6081, b"\x02\0\x86\xdd\0\0\x63\0" + b"\0" * 8 + U6))),
    "ayiya": (101, ip4(17, udp(53859, 5072, b"\x10\0\x11\x29\0\0\0\0\xaa\xbb" +
        ip6(58, b"\x80\0\0\0\0\x01\0\x01")))),
    "ipip_6in4": (101, ip4(41, U6)),
    "v6_ext_frag": (276, b"\x86\xdd" + b"\0" * 18 + ip6(0, b"\x2c\0\x01\x04\0\0\0\0" +
        b"\x11\0\0\x01\0\0\0\x07" + udp(1, 2, b"x" * 32)[:24])),
    "pppoe": (1, eth(0x8864, b"\x11\0\0\x01" + struct.pack("!H", len(T4) + 2) + b"\0\x21" + T4)),
    "pbb_fabricpath": (1, eth(0x88E7, b"\0\0\x01\0" + b"\0" * 12 + b"\x89\x03\0\x01" +
                              b"\0" * 12 + b"\x08\0" + T4)),
    "wifi_qos": (105, b"\x88\x01" + b"\0" * 24 + b"\xaa\xaa\x03\0\0\0\x08\0" + T4),
    "radiotap": (127, b"\0\0\x08\0\0\0\0\0" + b"\x08\x02" + b"\0" * 22 +
                 b"\xaa\xaa\x03\0\0\0\x86\xdd" + U6),
    "null_bsd": (0, b"\x1c\0\0\0" + U6),
    "loop": (108, b"\0\0\0\x02" + T4),
    "sll": (113, b"\0" * 14 + b"\x08\x00" + T4),
    "ppp": (9, b"\xff\x03\0\x21" + T4),
    "chdlc": (104, b"\x0f\0\x08\0" + T4),
    "sctp": (228, ip4(132, struct.pack("!HHII", 2905, 2906, 0, 0))),
    "icmp6": (229, ip6(58, b"\x81\0\0\0\0\x01\0\x01")),
}

# Two fragments of one UDP datagram.
_dg = udp(1234, 53, bytes(range(256)) * 4)
FRAGS = [ip4(17, _dg[:512], frag=0x2000, ident=77), ip4(17, _dg[512:], frag=512 // 8, ident=77)]


def pcap(frames, le=True, nsec=False):
    e = "<" if le else ">"
    out = struct.pack(e + "IHHiIII", 0xA1B23C4D if nsec else 0xA1B2C3D4, 2, 4, 0, 0, 65535,
                      frames[0][0])
    for i, (_, fr) in enumerate(frames):
        out += struct.pack(e + "IIII", 1600000000 + i, i * 1000, len(fr), len(fr)) + fr
    return out


def block(t, body, e):
    body += b"\0" * (-len(body) % 4)
    n = 12 + len(body)
    return struct.pack(e + "II", t, n) + body + struct.pack(e + "I", n)


def pcapng(frames, le=True):
    e = "<" if le else ">"
    out = block(0x0A0D0D0A, struct.pack(e + "IHHq", 0x1A2B3C4D, 1, 0, -1), e)
    lts = []
    for lt, _ in frames:
        if lt not in lts:
            lts.append(lt)
            opts = struct.pack(e + "HHB3x", 9, 1, 9) + struct.pack(e + "HH", 0, 0)
            out += block(1, struct.pack(e + "HHI", lt, 0, 0) + opts, e)
    for i, (lt, fr) in enumerate(frames):
        ts = (1600000000 + i) * 10**9
        out += block(6, struct.pack(e + "IIIII", lts.index(lt), ts >> 32, ts & 0xFFFFFFFF,
                                    len(fr), len(fr)) + fr, e)
    out += block(3, struct.pack(e + "I", len(frames[0][1])) + frames[0][1], e)
    out += block(5, struct.pack(e + "III", 0, 0, 0) + struct.pack(e + "HHQHHQHH", 5, 8, 3, 7,
                                                                  8, 1, 0, 0), e)
    out += block(0x1234, b"unknown", e)
    return out


def write(target, name, data):
    d = os.path.join("fuzz", "corpus", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def main():
    for name, (lt, fr) in FRAMES.items():
        write("decode", name, struct.pack("!H", lt) + fr)
    write("decode", "truncated_vxlan", struct.pack("!H", 1) + FRAMES["mpls_vxlan"][1][:60])
    write("decode", "snapped_teredo", struct.pack("!H", 0x8000 | 101) + b"\x45" +
          FRAMES["teredo"][1][1:80])
    write("decode", "frag_first", struct.pack("!H", 101) + FRAGS[0])
    eths = [(1, FRAMES[k][1]) for k in ("eth_tcp", "qinq_v6", "mpls_vxlan", "pppoe")]
    raws = [(101, FRAMES[k][1]) for k in ("gre_erspan2", "teredo", "gtpu", "geneve_v6",
                                          "ayiya", "ipip_6in4")] + [(101, f) for f in FRAGS]
    write("pcap", "eth_le_us", pcap(eths))
    write("pcap", "raw_be_ns", pcap(raws, le=False, nsec=True))
    write("pcap", "raw_gzip", gzip.compress(pcap(raws), mtime=0))
    write("pcap", "truncated_tail", pcap(eths)[:-9])
    bad = bytearray(pcap(eths))
    bad[24 + 8:24 + 12] = b"\xff\xff\xff\x7f"
    write("pcap", "bad_caplen", bytes(bad))
    write("pcap", "bad_magic", b"\xd4\xc3\xb2\xa2" + pcap(eths)[4:40])
    mixed = [(1, FRAMES["eth_tcp"][1]), (101, FRAMES["teredo"][1]), (113, FRAMES["sll"][1]),
             (105, FRAMES["wifi_qos"][1])]
    write("pcapng", "multi_if_le", pcapng(mixed))
    write("pcapng", "multi_if_be", pcapng(mixed, le=False))
    write("pcapng", "two_sections", pcapng(mixed[:2]) + pcapng(mixed[2:], le=False))
    write("pcapng", "gzip", gzip.compress(pcapng(raws), mtime=0))
    write("pcapng", "truncated", pcapng(mixed)[:-30])
    bad = bytearray(pcapng(mixed))
    bad[28 + 4] = 0x13
    write("pcapng", "bad_idb_length", bytes(bad))


if __name__ == "__main__":
    main()
