#!/usr/bin/env python3
"""Seed corpora for the telemetry fuzz targets (netflow5, netflow9, ipfix, zeek_tsv,
zeek_json): small synthetic inputs, valid ones and deliberately broken ones. Run from fuzz/."""
import os
import struct

def w(target, name, data):
    d = os.path.join("corpus", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())

def nf5(count, seq=0, sampling=0):
    h = struct.pack("!HHIIIIBBH", 5, count, 100000, 1700000000, 5000, seq, 1, 2, sampling)
    r = b"".join(struct.pack("!IIIHHIIIIHHBBBBHHBBH", 0x0a000000 + i, 0x08080808, 0, 1, 2, 4,
                             400, 90000, 99000, 1000 + i, 53, 0, 0x12, 17 if i % 2 else 1, 0,
                             0, 0, 24, 24, 0) for i in range(count))
    return h + r

w("netflow5", "valid_3", nf5(3, 7, 0x4064))
w("netflow5", "count_0", nf5(3)[:2] + b"\0\0" + nf5(3)[4:])
w("netflow5", "truncated", nf5(5)[:150])
w("netflow5", "count_31", struct.pack("!HH", 5, 31) + nf5(1)[4:])

def v9_hdr(seq, src=0):
    return struct.pack("!HHIIII", 9, 0, 100000, 1700000000, seq, src)

def fs(fid, body):
    pad = (-len(body)) % 4
    return struct.pack("!HH", fid, 4 + len(body) + pad) + body + b"\0" * pad

tpl = struct.pack("!HH", 260, 6) + b"".join(struct.pack("!HH", t, l) for t, l in
      [(8, 4), (12, 4), (7, 2), (11, 2), (4, 1), (1, 8)])
rec = struct.pack("!IIHHBQ", 0x0a000001, 0xc0a80001, 1234, 80, 6, 999)
opt = struct.pack("!HHH", 256, 4, 8) + struct.pack("!HHHHHH", 1, 4, 48, 1, 34, 4)
orec = struct.pack("!IBI", 0, 1, 100)
w("netflow9", "tpl_data", v9_hdr(0) + fs(0, tpl) + fs(260, rec * 3))
w("netflow9", "options", v9_hdr(1) + fs(1, opt) + fs(256, orec) + fs(0, tpl) + fs(260, rec))
w("netflow9", "stream_gap", v9_hdr(0) + fs(0, tpl) + v9_hdr(5) + fs(260, rec * 2))
w("netflow9", "zero_fill", v9_hdr(0) + fs(0, tpl) + fs(260, rec) + b"\0" * 64)
w("netflow9", "varlen", v9_hdr(0) + fs(0, struct.pack("!HHHHHH", 300, 2, 8, 4, 82, 65535))
  + fs(300, struct.pack("!I", 1) + b"\x05hello" + struct.pack("!I", 2) + b"\xff\x00\x03abc"))
w("netflow9", "bad_lengths", v9_hdr(0) + struct.pack("!HH", 0, 500) + tpl)

def ipfix(seq, dom, sets):
    body = b"".join(sets)
    return struct.pack("!HHIII", 10, 16 + len(body), 1700000000, seq, dom) + body

def iset(sid, body):
    return struct.pack("!HH", sid, 4 + len(body)) + body

itpl = struct.pack("!HH", 256, 7) + b"".join(struct.pack("!HH", t, l) for t, l in
       [(8, 4), (12, 4), (4, 1), (152, 8), (153, 8)]) + \
       struct.pack("!HHI", 0x8001, 8, 29305) + struct.pack("!HHI", 0x8000 | 5, 65535, 9999)
irec = struct.pack("!IIBQQQ", 0x0a000001, 0xc0a80001, 6, 1700000000000, 1700000001000, 77) + \
       b"\x03abc"
iopt = struct.pack("!HHH", 400, 3, 1) + struct.pack("!HHHHHH", 302, 4, 309, 4, 310, 4)
w("ipfix", "tpl_data_biflow", ipfix(0, 1, [iset(2, itpl), iset(256, irec * 2)]))
w("ipfix", "options_sampling", ipfix(0, 1, [iset(3, iopt), iset(400, struct.pack("!III", 1, 1, 64)),
                                            iset(2, itpl), iset(256, irec)]))
w("ipfix", "withdraw", ipfix(0, 1, [iset(2, itpl), iset(2, struct.pack("!HH", 256, 0)),
                                    iset(256, irec), iset(2, struct.pack("!HH", 2, 0))]))
w("ipfix", "two_messages", ipfix(0, 1, [iset(2, itpl)]) + ipfix(0, 1, [iset(256, irec)]))
w("ipfix", "long_varlen", ipfix(0, 2, [iset(2, struct.pack("!HHHH", 257, 1, 82, 65535)),
                                       iset(257, b"\xff\x01\x00" + b"x" * 256)]))
w("ipfix", "bad_set", ipfix(0, 1, [struct.pack("!HH", 256, 2), b"\0" * 8]))
w("ipfix", "truncated", ipfix(0, 1, [iset(2, itpl), iset(256, irec)])[:60])

hdr = ("#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n"
       "#path\t%s\n#fields\t%s\n#types\t%s\n")
conn_f = ["ts", "uid", "id.orig_h", "id.orig_p", "id.resp_h", "id.resp_p", "proto", "service",
          "duration", "orig_bytes", "resp_bytes", "conn_state", "local_orig", "local_resp",
          "missed_bytes", "history", "orig_pkts", "orig_ip_bytes", "resp_pkts", "resp_ip_bytes"]
conn = hdr % ("conn", "\t".join(conn_f), "\t".join(["x"] * len(conn_f))) + \
    "1517336042.090842\tC1\t10.0.0.1\t1\t10.0.0.2\t80\ttcp\t-\t3.0\t0\t0\tS0\tT\tF\t0\tS\t2\t104\t0\t0\n" + \
    "1517336042.1\tC2\t::1\t1\t::2\t53\tudp\tdns\t-\t1\t2\tSF\t-\t-\t0\tDd\t1\t1\t1\t1\n"
w("zeek_tsv", "conn", conn)
w("zeek_tsv", "conn_truncated", conn[:-20])
dns_f = ["ts", "uid", "id.orig_h", "id.orig_p", "id.resp_h", "id.resp_p", "proto", "trans_id",
         "rtt", "query", "qtype", "rcode", "AA", "answers", "TTLs"]
w("zeek_tsv", "dns_escapes", hdr % ("dns", "\t".join(dns_f), "\t".join(["x"] * len(dns_f))) +
  "1.5\tC\t10.0.0.1\t5\t10.0.0.2\t53\tudp\t7\t0.001\ta\\x09b\\x5c.ex\t1\t0\tF\ta.ex,1.2.3.4\t30.0,40.0\n"
  "1.5\tC\t10.0.0.1\t99999\t10.0.0.2\t53\tudp\t7\t-\t(empty)\t1\t-\tT\t(empty)\t(empty)\n")
w("zeek_tsv", "no_fields", "#separator \\x09\n1\t2\t3\n")
w("zeek_json", "conn",
  '{"ts":1517336042.090842,"uid":"C1","id.orig_h":"10.0.0.1","id.orig_p":1,"id.resp_h":'
  '"10.0.0.2","id.resp_p":80,"proto":"tcp","duration":3.0,"conn_state":"S0","local_orig":true}\n')
w("zeek_json", "dns_iso",
  '{"_path":"dns","ts":"2018-03-24T17:15:20.865716Z","id.orig_h":"10.0.0.1","id.orig_p":1,'
  '"id.resp_h":"10.0.0.2","id.resp_p":53,"query":"a\\u0009\\ud83d\\ude00","rtt":1e-05,'
  '"answers":["x",null,1],"TTLs":[1.5e2],"nested":{"a":[1,{"b":"]"}]}}\n')
w("zeek_json", "ssl_http",
  '{"ts":1,"id.orig_h":"1.1.1.1","id.resp_h":"2.2.2.2","server_name":"x","ja3":"0123456789abcdef0123456789abcdef"}\n'
  '{"ts":1,"id.orig_h":"1.1.1.1","id.resp_h":"2.2.2.2","method":"CONNECT","host":"h","uri":"h:443"}\n')
w("zeek_json", "broken", '{"ts":1,"id.orig_h":"1.1.1.1","id.resp_h":\n{"ts":"nope"}\n{"a":"\\u12"}\n{')
# inputs the fuzzers found (zero offset applied to a null pointer): an empty key, an empty list
w("zeek_json", "empty_key_and_list",
  '{"":1,"ts":1,"id.orig_h":"1.1.1.1","id.resp_h":"2.2.2.2","query":"q","answers":[],"TTLs":[]}\n')
w("zeek_tsv", "empty_list_field", hdr % ("dns", "\t".join(dns_f), "\t".join(["x"] * len(dns_f))) +
  "1.5\tC\t10.0.0.1\t5\t10.0.0.2\t53\tudp\t7\t0.001\tq\t1\t0\tF\t(empty)\t\n")
# a conn.log without its header (read in Zeek's default column order), cut in its last line;
# one with a #open and no #close; a headerless file whose lines disagree on the column count
top = ("1517336042.090842\tC1\t10.0.0.1\t1\t10.0.0.2\t80\ttcp\t-\t3.0\t0\t0\tS0\tT\tF\t0\tS\t2\t104"
       "\t0\t0\t(empty)\n"
       "1517336042.1\tC2\t::1\t1\t::2\t53\tudp\tdns\t-\t1\t2\tSF\t-\t-\t0\tDd\t1\t1\t1\t1\t-\t"
       "extra\n")
w("zeek_tsv", "headerless_conn", top + top[:40])
w("zeek_tsv", "headerless_extra_cols", top[top.index("\n") + 1:] + top)
w("zeek_tsv", "open_no_close", "#separator \\x09\n#open\t2019-02-28-12-07-01\n" + conn[conn.index("\n") + 1:] +
  "#close")
# compiled templates: every load width, reduced-size encoding, IPv6, a duplicated element (not
# compiled), and records ending right at the set end (the last ones take the per-length loads)
ctpl = struct.pack("!HH", 300, 9) + b"".join(struct.pack("!HH", t, l) for t, l in
       [(27, 16), (28, 16), (7, 2), (11, 2), (4, 1), (1, 3), (2, 8), (150, 4), (161, 4)])
crec = bytes(range(16)) + bytes(range(16, 32)) + struct.pack("!HHB", 1, 2, 58) + b"\0\1\2" + \
       struct.pack("!QII", 9, 1700000000, 1500)
dtpl = struct.pack("!HH", 301, 3) + b"".join(struct.pack("!HH", t, l) for t, l in
       [(8, 4), (58, 2), (58, 2)])
w("ipfix", "compiled_widths", ipfix(0, 7, [iset(2, ctpl + dtpl), iset(300, crec * 3),
                                            iset(301, struct.pack("!IHH", 0x0a000001, 0, 5))]))
w("netflow9", "compiled_tail", v9_hdr(0) + fs(0, struct.pack("!HH", 310, 3) +
  struct.pack("!HHHHHH", 8, 4, 12, 4, 1, 5)) + fs(310, (struct.pack("!II", 1, 2) + b"\0\0\0\1\0") * 2))
