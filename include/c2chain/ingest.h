/*
 * Ingest: turns one input file (pcap, pcapng, NetFlow v5/v9 or IPFIX in a file or in a capture of
 * export packets, Zeek conn/dns/ssl/http logs in TSV or JSON, collector evidence files) into
 * flows and observations (types.h), with exact record offsets and counters for every malformed
 * case. The format is detected from content, never from the name.
 */
#ifndef C2C_INGEST_H
#define C2C_INGEST_H

#include <stdbool.h>
#include <stdint.h>

#include "c2chain/core.h"
#include "c2chain/types.h"

#ifdef __cplusplus
extern "C" {
#endif

enum c2c_format {
	C2C_FMT_UNKNOWN = 0,
	C2C_FMT_PCAP,
	C2C_FMT_PCAPNG,
	C2C_FMT_IPFIX,     /* RFC 5655 file: a stream of IPFIX messages */
	C2C_FMT_NETFLOW,   /* a stream of NetFlow v5/v9 datagrams (no framing) */
	C2C_FMT_ZEEK_TSV,
	C2C_FMT_ZEEK_JSON,
	C2C_FMT_EVIDENCE   /* c2chain collector evidence file (docs/collector.md) */
};
const char *c2c_format_name(enum c2c_format f);
/* Decide from the first bytes (gzip already inflated); C2C_FMT_UNKNOWN when none fits. A
 * Zeek conn.log without header lines is recognised from its first line's columns (with fewer
 * bytes than that line, from the columns given); pass up to C2C_FORMAT_PEEK bytes. */
#define C2C_FORMAT_PEEK 4096
enum c2c_format c2c_format_detect(const uint8_t *p, size_t len);

/*
 * Counters: every malformed or truncated case has its own, reported at the end of a run. One
 * X-macro per area keeps names and enum in step: X(ENUM_SUFFIX, "dotted.name").
 */
#define C2C_STATS_CAPTURE(X)                                                               \
	X(PCAP_RECORDS, "pcap.records")                                                  \
	X(PCAP_TRUNC_RECORD, "pcap.truncated_record")                                   \
	X(PCAP_BAD_CAPLEN, "pcap.bad_caplen")                                           \
	X(PCAPNG_BLOCKS, "pcapng.blocks")                                               \
	X(PCAPNG_BAD_BLOCK, "pcapng.bad_block")                                         \
	X(PCAPNG_UNKNOWN_BLOCK, "pcapng.unknown_block")                                 \
	X(PCAPNG_BAD_IFACE, "pcapng.bad_interface")                                     \
	X(PCAPNG_IF_DROPS, "pcapng.if_drops")                                           \
	X(CAPTURE_SNAPPED, "capture.snapped")

#define C2C_STATS_DECODE(X)                                                                \
	X(DEC_PACKETS, "decode.packets")                                                 \
	X(DEC_UNKNOWN_LINKTYPE, "decode.unknown_linktype")                              \
	X(DEC_L2_SHORT, "decode.l2_short")                                              \
	X(DEC_VLAN_SHORT, "decode.vlan_short")                                          \
	X(DEC_MPLS_SHORT, "decode.mpls_short")                                          \
	X(DEC_PPPOE_SHORT, "decode.pppoe_short")                                        \
	X(DEC_NON_IP, "decode.non_ip")                                                  \
	X(DEC_IP4_SHORT, "decode.ip4_short")                                            \
	X(DEC_IP4_BAD_HLEN, "decode.ip4_bad_hlen")                                      \
	X(DEC_IP4_BAD_LEN, "decode.ip4_bad_len")                                        \
	X(DEC_IP6_SHORT, "decode.ip6_short")                                            \
	X(DEC_IP6_BAD_EXT, "decode.ip6_bad_ext")                                        \
	X(DEC_FRAGMENTS, "decode.fragments")                                            \
	X(DEC_FRAG_REASSEMBLED, "decode.frag_reassembled")                              \
	X(DEC_FRAG_DROPPED, "decode.frag_dropped")                                      \
	X(DEC_TCP_SHORT, "decode.tcp_short")                                            \
	X(DEC_UDP_SHORT, "decode.udp_short")                                            \
	X(DEC_ICMP_SHORT, "decode.icmp_short")                                          \
	X(DEC_SCTP_SHORT, "decode.sctp_short")                                          \
	X(DEC_TUNNEL_BAD, "decode.tunnel_bad")                                          \
	X(DEC_TOO_MANY_LAYERS, "decode.too_many_layers")                                \
	X(DEC_TRUNCATED, "decode.truncated")                                            \
	X(DEC_IP_BAD_VERSION, "decode.ip_bad_version")                                  \
	X(DEC_IP4_BAD_CSUM, "decode.ip4_bad_checksum")                                  \
	X(DEC_IP4_LEN_ZERO, "decode.ip4_len_zero")                                      \
	X(DEC_IP6_BAD_LEN, "decode.ip6_bad_len")                                        \
	X(DEC_IP6_NO_NEXT, "decode.ip6_no_next")                                        \
	X(DEC_ESP, "decode.esp")                                                        \
	X(DEC_IGMP, "decode.igmp")                                                      \
	X(DEC_FRAG_TIMED_OUT, "decode.frag_timed_out")                                  \
	X(DEC_FRAG_BAD, "decode.frag_bad")                                              \
	X(DEC_FRAG_SNAPPED, "decode.frag_snapped")                                      \
	X(DEC_LLC_SHORT, "decode.llc_short")                                            \
	X(DEC_PBB_SHORT, "decode.pbb_short")                                            \
	X(DEC_FABRICPATH_SHORT, "decode.fabricpath_short")                              \
	X(DEC_VNTAG_SHORT, "decode.vntag_short")                                        \
	X(DEC_PPP_BAD, "decode.ppp_bad")                                                \
	X(DEC_80211_SHORT, "decode.ieee80211_short")                                    \
	X(DEC_80211_NON_DATA, "decode.ieee80211_non_data")                              \
	X(DEC_80211_PROTECTED, "decode.ieee80211_protected")                            \
	X(DEC_RADIOTAP_BAD, "decode.radiotap_bad")                                      \
	X(DEC_TUNNEL_LAYERS, "decode.tunnel_layers")                                    \
	X(DEC_GRE_BAD, "decode.gre_bad")                                                \
	X(DEC_ERSPAN_BAD, "decode.erspan_bad")                                          \
	X(DEC_VXLAN_BAD, "decode.vxlan_bad")                                            \
	X(DEC_GENEVE_BAD, "decode.geneve_bad")                                          \
	X(DEC_TEREDO_BAD, "decode.teredo_bad")                                          \
	X(DEC_GTP_BAD, "decode.gtp_bad")                                                \
	X(DEC_GTP_NOT_TPDU, "decode.gtp_not_tpdu")                                      \
	X(DEC_AYIYA_BAD, "decode.ayiya_bad")

#define C2C_STATS_FLOW(X)                                                                  \
	X(FLOW_CREATED, "flow.created")                                                  \
	X(FLOW_EMITTED, "flow.emitted")                                                  \
	X(FLOW_EVICTED_CAP, "flow.evicted_cap")                                         \
	X(FLOW_TIMED_OUT, "flow.timed_out")                                             \
	X(FLOW_OPEN_AT_END, "flow.open_at_end")                                         \
	X(FLOW_CLOSED, "flow.closed")                                                   \
	X(FLOW_REUSED, "flow.reused")                                                   \
	X(FLOW_BAD_CHECKSUM, "flow.bad_checksum")                                       \
	X(FLOW_NO_TRANSPORT, "flow.fragment_without_transport")

#define C2C_STATS_APP(X)                                                                   \
	X(DNS_MESSAGES, "dns.messages")                                                  \
	X(DNS_MALFORMED, "dns.malformed")                                               \
	X(TLS_HELLOS, "tls.hellos")                                                      \
	X(TLS_MALFORMED, "tls.malformed")                                               \
	X(HTTP_REQUESTS, "http.requests")                                               \
	X(HTTP_MALFORMED, "http.malformed")                                             \
	X(DNS_BAD_NAME, "dns.bad_name")                                                 \
	X(DNS_UNANSWERED, "dns.unanswered")                                             \
	X(TLS_CERTS, "tls.certificates")                                                \
	X(TLS_TOO_LARGE, "tls.handshake_too_large")                                     \
	X(HTTP_TOO_LARGE, "http.header_too_large")                                      \
	X(APP_STREAM_GAPS, "app.stream_gaps")

#define C2C_STATS_EXPORT(X)                                                                \
	X(NF_MESSAGES, "export.messages")                                                \
	X(NF_RECORDS, "export.records")                                                  \
	X(NF_MALFORMED, "export.malformed")                                             \
	X(NF_TEMPLATES, "export.templates")                                             \
	X(NF_NO_TEMPLATE, "export.no_template")                                         \
	X(NF_SEQ_GAPS, "export.seq_gap_records")                                        \
	X(NF_UNKNOWN_FIELDS, "export.unknown_fields")                                   \
	X(NF_SEQ_GAP_PACKETS, "export.seq_gap_packets")                                 \
	X(NF_SEQ_RESYNC, "export.seq_resync")                                           \
	X(NF_OPTIONS_RECORDS, "export.options_records")                                 \
	X(NF_NON_FLOW, "export.non_flow_records")                                       \
	X(NF_TEMPLATE_LIMIT, "export.template_limit")                                   \
	X(NF_WITHDRAWN, "export.templates_withdrawn")                                   \
	X(NF_BIFLOWS, "export.biflows")                                                 \
	X(NF_EVIDENCE_TRUNCATED, "export.evidence_truncated")                           \
	X(NF_EVIDENCE_BAD_CRC, "export.evidence_bad_crc")                               \
	X(NF_OTHER_PACKETS, "export.other_packets")

#define C2C_STATS_ZEEK(X)                                                                  \
	X(ZEEK_LINES, "zeek.lines")                                                      \
	X(ZEEK_MALFORMED, "zeek.malformed")                                             \
	X(ZEEK_TRUNCATED, "zeek.truncated")                                             \
	X(ZEEK_HEADERS, "zeek.header_lines")                                            \
	X(ZEEK_SKIPPED_PATH, "zeek.other_log_lines")                                    \
	X(ZEEK_BAD_ESCAPE, "zeek.bad_escape")                                           \
	X(ZEEK_NO_CLOSE, "zeek.missing_close")                                          \
	X(ZEEK_HEADERLESS, "zeek.headerless_files")

#define C2C_STATS_MAP(X)                                                                   \
	C2C_STATS_CAPTURE(X) C2C_STATS_DECODE(X) C2C_STATS_FLOW(X) C2C_STATS_APP(X)          \
	    C2C_STATS_EXPORT(X) C2C_STATS_ZEEK(X)

enum c2c_stat {
#define C2C_X_(e, n) C2C_ST_##e,
	C2C_STATS_MAP(C2C_X_)
#undef C2C_X_
	C2C_ST__COUNT
};

struct c2c_ingest_stats {
	uint64_t n[C2C_ST__COUNT];
};
const char *c2c_stat_name(enum c2c_stat s);
void c2c_ingest_stats_add(struct c2c_ingest_stats *dst, const struct c2c_ingest_stats *src);

/* What an input was and what reading it measured (fingerprint, inputs.json). */
struct c2c_input_info {
	enum c2c_format format;
	bool gzip;
	uint8_t sha256[32]; /* of the raw file bytes */
	uint64_t size;      /* raw file bytes */
	uint64_t records;   /* packets / export records / log lines read */
	uint64_t malformed; /* records counted as malformed */
	c2c_time first_ts, last_ts; /* INT64_MIN / INT64_MAX when none */
	uint64_t loss; /* measured loss: pcapng if_drop sum, export sequence gaps (records) */
	uint32_t sampling; /* largest sampling interval seen (0 = none) */
	/* Dependency records every reference into this input relies on (pcap global header,
	 * pcapng SHB + IDBs, Zeek header lines); IPFIX templates are cited per flow. */
	uint32_t n_deps;
	struct c2c_evref deps[16];
};

struct c2c_ingest_opts {
	uint32_t max_flows;      /* flow table cap; eviction past it is counted. 0 = default */
	bool community_id;       /* compute Community ID v1 (default true) */
	uint16_t community_seed; /* Community ID seed (default 0) */
	bool hash;               /* SHA-256 the raw input while reading (default true) */
	bool observations;       /* parse DNS/TLS/HTTP (default true) */
	/* Zeek's default inactivity timeouts, microseconds. */
	c2c_time tcp_inactivity, udp_inactivity, icmp_inactivity;
	/* Optional progress callback: raw bytes consumed, total raw bytes, records so far. */
	void (*progress)(void *ctx, uint64_t done, uint64_t total, uint64_t records);
	void *progress_ctx;
	/* Appended (flow assembly): keep TCP/UDP/ICMP packets whose checksum is wrong instead of
	 * dropping them as Zeek does by default (zeek -C). Default false. */
	bool ignore_checksums;
	/* Optional: called once every record of the input has been delivered to the sink, before
	 * its fingerprint is completed (which may still take a while for a large file hashed on a
	 * thread of its own). A non-OK return ends the ingest with that error. */
	c2c_err (*parsed)(void *ctx);
	void *parsed_ctx;
};
void c2c_ingest_opts_default(struct c2c_ingest_opts *o);

/* Read one input file and deliver its flows and observations to `sink`. `input` is the index
 * the caller gives this file (it lands in every c2c_evref). `info` (OUT, may be NULL) gets the
 * fingerprint and measurements; `stats` (may be NULL) is added to.
 * Returns C2C_OK; C2C_EIO (open/read), C2C_EUNSUPPORTED (format not recognised), C2C_EFORMAT
 * (the file as a whole is unusable, e.g. a bad pcap header), C2C_ENOMEM, or what the sink
 * returned. Malformed records inside a usable file are counted, never an error. */
c2c_err c2c_ingest_file(const char *path, uint32_t input, const struct c2c_ingest_opts *opts,
    const struct c2c_sink *sink, struct c2c_input_info *info, struct c2c_ingest_stats *stats,
    struct c2c_diag *diag);

/* Expand one input argument into the files to ingest: a file gives itself; a directory gives
 * its regular files, recursively, sorted by path (byte order), so rotated hourly Zeek logs load
 * as one ordered input set. Hidden entries (names starting with '.') are skipped. *paths is an
 * array of *n owned strings, freed with c2c_ingest_expand_free(). Returns C2C_OK; C2C_EIO
 * (stat/opendir failed, diag names the path); C2C_ELIMIT (more than 1,000,000 files or
 * directories nested deeper than 64); C2C_ENOMEM. */
c2c_err c2c_ingest_expand(const char *path, char ***paths, size_t *n, struct c2c_diag *diag);
void c2c_ingest_expand_free(char **paths, size_t n);

/* One record's bytes and where they sit in their input (decompressed offset for gzip). */
struct c2c_recbytes {
	uint64_t off;
	const uint8_t *p; /* borrowed */
	size_t len;
};

/* Re-parse exactly one cited record, for `c2chain verify`: `deps` are its dependency records
 * (pcap global header; pcapng SHB and IDBs; Zeek header lines; NetFlow v9/IPFIX template
 * messages) in file order, all before `rec`. The bytes are laid out as a miniature input and
 * read by the same driver as c2c_ingest_file; only flows and observations whose evidence
 * reference names `rec` (and, when rec_index >= 0, that record index inside an export
 * message) reach `sink`, with their references mapped back to the original offsets.
 * Returns C2C_OK (possibly with nothing delivered: the record carries no flow), C2C_EINVAL
 * (deps not before rec), C2C_EUNSUPPORTED, C2C_EFORMAT (the miniature input is unusable),
 * C2C_ENOMEM, or what the sink returned. */
c2c_err c2c_ingest_record(enum c2c_format fmt, const struct c2c_recbytes *deps, size_t n_deps,
    const struct c2c_recbytes *rec, int32_t rec_index, const struct c2c_sink *sink,
    struct c2c_diag *diag);

#ifdef __cplusplus
}
#endif
#endif
