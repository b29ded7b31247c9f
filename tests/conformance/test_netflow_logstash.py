#!/usr/bin/env python3
"""NetFlow v5/v9 and IPFIX decoding against logstash-codec-netflow's test vectors.

Data: $C2C_SHARED/netflow-logstash-codec (raw UDP payloads from real exporters and the
peer's expected results, expected_from_netflow_spec.json). For every rspec context the .dat
files are fed in order as one stream from one exporter; then
  - the number of decoded data records equals the peer's event count,
  - every field assertion of the peer holds, through one table (FIELDS) from Logstash's field
    names to our flow record or to the raw information element (enterprise, id),
  - the deliberately invalid packets are counted as malformed, and nothing is fatal.
Every .dat file is also decoded on its own (must not fail).
"""
import ipaddress
import json
import os
import subprocess
import sys

SHARED = os.environ.get("C2C_SHARED", "../shared/data")
BUILD = os.environ.get("C2C_BUILD", "build")
DATA = os.path.join(SHARED, "netflow-logstash-codec")
DUMP = os.path.join(BUILD, "tests", "test_exportdump")

# Logstash field name -> where we have it.
#   ("flow", key[, conv])  our decoded flow record (types.h struct c2c_flow)
#   ("el", pen, id, type)  the raw information element (RFC 7012 / vendor registry)
#   ("rec", key)           the record's header context (version, set id)
FIELDS = {
    "version": ("rec", "v"),
    "flowset_id": ("rec", "set"),
    "ipv4_src_addr": ("flow", "orig"),
    "ipv4_dst_addr": ("flow", "resp"),
    "sourceIPv4Address": ("flow", "orig"),
    "destinationIPv4Address": ("flow", "resp"),
    "sourceIPv6Address": ("flow", "orig"),
    "destinationIPv6Address": ("flow", "resp"),
    "l4_src_port": ("flow", "orig_port"),
    "l4_dst_port": ("flow", "resp_port"),
    "sourceTransportPort": ("flow", "orig_port"),
    "destinationTransportPort": ("flow", "resp_port"),
    "protocol": ("flow", "proto"),
    "protocolIdentifier": ("flow", "proto"),
    "in_bytes": ("flow", "orig_ip_bytes"),
    "in_pkts": ("flow", "orig_pkts"),
    "octetDeltaCount": ("flow", "orig_ip_bytes"),
    "fwd_flow_delta_bytes": ("flow", "orig_ip_bytes"),
    "rev_flow_delta_bytes": ("el", 0, 232, "uint"),
    "flowStartSeconds": ("flow", "ts", "sec"),
    "flowEndSeconds": ("flow", "last", "sec"),
    "flowEndMicroseconds": ("flow", "last", "iso_sec"),
    "tcp_flags": ("el", 0, 6, "uint"),
    "tcpControlBits": ("el", 0, 6, "uint"),
    "src_tos": ("el", 0, 5, "uint"),
    "src_as": ("el", 0, 16, "uint"),
    "dst_as": ("el", 0, 17, "uint"),
    "in_src_mac": ("el", 0, 56, "mac"),
    "in_dst_mac": ("el", 0, 80, "mac"),
    "scope_system": ("el", 0, 1, "uint"),          # NetFlow v9 options scope type 1
    "total_flows_exp": ("el", 0, 42, "uint"),
    "total_bytes_exp": ("el", 0, 40, "uint"),
    "systemInitTimeMilliseconds": ("el", 0, 160, "uint"),
    "conn_id": ("el", 0, 148, "uint"),
    "flowId": ("el", 0, 148, "uint"),
    "src_traffic_index": ("el", 0, 92, "uint"),
    "dst_traffic_index": ("el", 0, 93, "uint"),
    "observationPointId": ("el", 0, 138, "uint"),
    "exporterIPv4Address": ("el", 0, 130, "ip"),
    "postNATDestinationIPv4Address": ("el", 0, 226, "ip"),
    "ipNextHopIPv6Address": ("el", 0, 62, "ip"),
    "VRFname": ("el", 0, 236, "str"),
    "egressVRFID": ("el", 0, 235, "uint"),
    "firewallEvent": ("el", 0, 233, "uint"),
    "if_desc": ("el", 0, 83, "str"),
    "application_description": ("el", 0, 94, "str"),
    "application_id": ("el", 0, 95, "appid"),
    "sampling_algorithm": ("el", 0, 35, "uint"),
    "layer2SegmentId": ("el", 0, 351, "uint"),
    "app_id": ("el", 0, 56701, "str"),             # Palo Alto (v9 vendor type)
    "nprobe_proto": ("el", 0, 57590, "uint"),      # nProbe (v9 vendor type)
    "streamcore_id_rule_1": ("el", 0, 8384, "uint"),
    "streamcore_hostname": ("el", 0, 8256, "str"),
    "natInsideSvcid": ("el", 637, 91, "uint"),     # Nokia
    "natOutsideSvcid": ("el", 637, 92, "uint"),
    "natSubString": ("el", 637, 93, "str"),
    "netscalerRoundTripTime": ("el", 5951, 128, "uint"),  # Citrix
    "netscalerHttpReqUrl": ("el", 5951, 130, "str"),
    "netscalerHttpReqCookie": ("el", 5951, 131, "str"),
    "netscalerFlowFlags": ("el", 5951, 132, "uint"),
    "netscalerConnectionId": ("el", 5951, 133, "uint"),
    "netscalerHttpReqHost": ("el", 5951, 142, "str"),
    "netscalerHttpReqUserAgent": ("el", 5951, 143, "str"),
    "netscalerAppUnitNameAppId": ("el", 5951, 171, "uint"),
    "netscalerHttpReqVia": ("el", 5951, 186, "str"),
    "netscalerHttpReqXForwardedFor": ("el", 5951, 190, "str"),
    "netscalerConnectionChainID": ("el", 5951, 192, "hex"),
    "ixiaDstAsName": ("el", 3054, 187, "str"),     # Ixia
    "proceraBaseService": ("el", 15397, 2, "str"),  # Procera
    "proceraFlowBehavior": ("el", 15397, 15, "str"),
    "FW_Rule": ("el", 10704, 4, "str"),            # Barracuda
    "ReasonText": ("el", 10704, 7, "str"),
    "BindIPv4Address": ("el", 10704, 8, "ip"),
    "viptelaVPNId": ("el", 41916, 4321, "uint"),   # Viptela
    "silkAppLabel": ("el", 6871, 33, "uint"),      # CERT (YAF)
    "initialTCPFlags": ("el", 6871, 14, "uint"),
    "flowTablePeakCount": ("el", 6871, 105, "uint"),
}


# The peer's invalid packets: records we must decode from them. The v5 ones are malformed
# (count and length disagree). The v9 one only has FlowSets that are not 4-byte aligned, which
# RFC 3954 §5.3 allows (padding is a SHOULD); the peer's parser assumes alignment and rejects
# the packet, we decode its options record and two flows.
INVALID = {"Netflow 5 invalid 01": 0, "Netflow 5 invalid 02": 0, "Netflow 9 invalid 01": 3}


def fail(msg):
    print("FAIL:", msg)
    return 1


def conv_el(typ, hexv):
    b = bytes.fromhex(hexv)
    if typ == "uint":
        return int.from_bytes(b, "big") if b else 0
    if typ == "ip":
        return str(ipaddress.ip_address(b))
    if typ == "mac":
        return ":".join("%02x" % x for x in b)
    if typ == "str":
        return b.split(b"\0", 1)[0].decode("utf-8", "replace")
    if typ == "hex":
        return b.hex()
    if typ == "appid":
        # RFC 6759: classification engine id (1 byte), then the selector id; Logstash prints
        # the engine and the selector's parts separated by "..".
        eng, sel = b[0], b[1:]
        if len(sel) == 3:           # Cisco: 24-bit selector
            return "%d..%d" % (eng, int.from_bytes(sel, "big"))
        if len(sel) == 8:           # Fortigate: vendor id (4 bytes) + two 16-bit values
            return "%d..%d..%d" % (eng, int.from_bytes(sel[2:4], "big"),
                                   int.from_bytes(sel[6:8], "big"))
        return "%d..%d" % (eng, int.from_bytes(sel, "big"))
    raise ValueError(typ)


def get_value(rec, spec):
    kind = spec[0]
    if kind == "rec":
        return rec[spec[1]]
    if kind == "flow":
        f = rec["flow"]
        if f is None:
            return None
        v = f[spec[1]]
        if len(spec) > 2 and spec[2] == "sec":
            return v // 1000000
        if len(spec) > 2 and spec[2] == "iso_sec":
            import datetime
            return datetime.datetime.fromtimestamp(v // 1000000, datetime.timezone.utc) \
                .strftime("%Y-%m-%dT%H:%M:%S")
        return v
    _, pen, eid, typ = spec
    for p, i, hexv in rec["el"]:
        if p == pen and i == eid:
            return conv_el(typ, hexv)
    return None


def ruby_literal(s):
    s = s.strip()
    if s[:1] in "\"'":
        return s[1:-1]
    try:
        return int(s)
    except ValueError:
        return s


def run_dump(files):
    p = subprocess.run([DUMP, "raw"] + files, capture_output=True, text=True)
    lines = [json.loads(x) for x in p.stdout.splitlines() if x.strip()]
    recs = [x for x in lines if "stats" not in x]
    stats = [x for x in lines if "stats" in x][-1]
    return p.returncode, recs, stats, p.stderr


def main():
    if not os.path.isdir(DATA):
        print("SKIP: %s not present" % DATA)
        return 77
    if not os.access(DUMP, os.X_OK):
        print("SKIP: %s not built" % DUMP)
        return 77
    spec = json.load(open(os.path.join(DATA, "expected_from_netflow_spec.json")))
    bad = 0
    checked = 0
    # 1. every .dat decodes on its own
    dats = sorted(f for f in os.listdir(os.path.join(DATA, "dat")) if f.endswith(".dat"))
    for d in dats:
        rc, recs, stats, err = run_dump([os.path.join(DATA, "dat", d)])
        if rc != 0 or err:
            bad += fail("%s: exit %d %s" % (d, rc, err.strip()))
    # 2. per context: event count and field assertions
    for ctx in spec:
        files = [os.path.join(DATA, "dat", f) for f in ctx["dat_files_in_order"]]
        rc, recs, stats, err = run_dump(files)
        name = ctx["context"].strip()
        if rc != 0:
            bad += fail("%s: exit %d %s" % (name, rc, err))
            continue
        want = ctx["expected_event_count"]
        if want and len(recs) != max(want):
            bad += fail("%s: %d records, peer expects %s" % (name, len(recs), want))
        if name in INVALID:
            want_recs = INVALID[name]
            if want_recs == 0 and stats["stats"].get("export.malformed", 0) == 0:
                bad += fail("%s: invalid packet not counted as malformed" % name)
            if len(recs) != want_recs:
                bad += fail("%s: %d records, want %d" % (name, len(recs), want_recs))
            checked += 1
        for a in ctx["field_assertions"]:
            field = a["field"].split("][")[-1].rstrip("]")
            if field not in FIELDS:
                bad += fail("%s: no mapping for %s" % (name, field))
                continue
            if a["event"] >= len(recs):
                bad += fail("%s: event %d missing" % (name, a["event"]))
                continue
            got = get_value(recs[a["event"]], FIELDS[field])
            want_v = ruby_literal(a["value"])
            if field == "flowEndMicroseconds":
                want_v = want_v[:19]
            if got != want_v:
                bad += fail("%s: event %d %s = %r, peer %r" % (name, a["event"], field, got,
                                                               want_v))
            checked += 1
    print("%d .dat files decoded, %d contexts, %d assertions checked, %d failures"
          % (len(dats), len(spec), checked, bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
