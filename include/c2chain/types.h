/*
 * The record model of DESIGN.md ("Core records"): flows with Zeek conn semantics, observations
 * joined to flows, and evidence references. Every ingest path (pcap, pcapng, NetFlow v5/v9,
 * IPFIX, Zeek logs) produces these same records; later stages consume nothing else.
 *
 * Records handed to callbacks are borrowed for the duration of the call.
 */
#ifndef C2C_TYPES_H
#define C2C_TYPES_H

#include <stdbool.h>
#include <stdint.h>

#include "c2chain/core.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- evidence references ------------------------------------------------------------------ */
/* One record of one input: `ev:<sha256 of input>/<off>+<len>`. Inside a run the input is named
 * by its index in the run's input table (struct c2c_inputs, see ingest.h); the digest is filled
 * in when the reference is rendered. For gzip inputs the offset is into the decompressed
 * stream. For NetFlow/IPFIX the reference names the export message, and `rec` is the record's
 * index inside it (0-based, -1 when the reference names the whole record). */
struct c2c_evref {
	uint32_t input;
	int32_t rec;
	uint64_t off;
	uint32_t len;
};

/* Render `ref` as "ev:<sha256 hex>/<off>+<len>" (with "#<rec>" appended when rec >= 0), given
 * the SHA-256 of the input it names. `buf` needs C2C_EVREF_STRLEN bytes. Returns buf. */
#define C2C_EVREF_STRLEN 112
char *c2c_evref_format(const struct c2c_evref *ref, const uint8_t sha256[32], char *buf,
    size_t len);
/* Parse that form back: C2C_OK, or C2C_EFORMAT. */
c2c_err c2c_evref_parse(const char *s, uint8_t sha256[32], struct c2c_evref *ref);
/* The byte order (strcmp) of the rendered references of `a` (input digest sha_a) and `b`
 * (sha_b), computed without rendering them: negative, zero exactly when the two strings are
 * equal, or positive. The order reference lists are stored and Merkle-hashed in. */
int c2c_evref_text_cmp(const struct c2c_evref *a, const uint8_t sha_a[32],
    const struct c2c_evref *b, const uint8_t sha_b[32]);

/* ---- flows ------------------------------------------------------------------------------- */
/* Zeek's conn_state letters. */
#define C2C_CONN_STATE_MAP(X)                                                                \
	X(UNKNOWN, "-") X(S0, "S0") X(S1, "S1") X(SF, "SF") X(REJ, "REJ") X(S2, "S2")        \
	    X(S3, "S3") X(RSTO, "RSTO") X(RSTR, "RSTR") X(RSTOS0, "RSTOS0")                  \
		X(RSTRH, "RSTRH") X(SH, "SH") X(SHR, "SHR") X(OTH, "OTH")
enum c2c_conn_state {
#define C2C_X_(n, s) C2C_CS_##n,
	C2C_CONN_STATE_MAP(C2C_X_)
#undef C2C_X_
	C2C_CS__COUNT
};
const char *c2c_conn_state_name(enum c2c_conn_state s);
/* C2C_OK and *out, or C2C_ENOTFOUND. */
c2c_err c2c_conn_state_parse(const char *s, enum c2c_conn_state *out);

/* Where a flow record came from. */
enum c2c_flow_src {
	C2C_SRC_PCAP = 1, /* assembled from packets (pcap / pcapng) */
	C2C_SRC_NETFLOW5,
	C2C_SRC_NETFLOW9,
	C2C_SRC_IPFIX,
	C2C_SRC_ZEEK /* a Zeek conn.log line */
};

/* Which optional fields the source supplied (flow->have). A NetFlow v5 record has no payload
 * bytes, no conn_state and no history; a unidirectional export has no responder counters. */
enum {
	C2C_HAVE_RESP_COUNTERS = 1u << 0, /* resp_pkts / resp_ip_bytes are measured */
	C2C_HAVE_PAYLOAD_BYTES = 1u << 1, /* orig_bytes / resp_bytes */
	C2C_HAVE_STATE = 1u << 2,         /* conn_state */
	C2C_HAVE_HISTORY = 1u << 3,
	C2C_HAVE_DURATION = 1u << 4,      /* last is meaningful */
	C2C_HAVE_UID = 1u << 5,
	C2C_HAVE_SAMPLING = 1u << 6,
	C2C_HAVE_SERVICE = 1u << 7,
	C2C_HAVE_OPEN = 1u << 8 /* still open at the end of input (not timed out or closed) */
};

/* Tunnel encapsulation of an inner flow (flow->tunnel). */
enum c2c_tunnel {
	C2C_TUN_NONE = 0,
	C2C_TUN_GRE,
	C2C_TUN_ERSPAN,
	C2C_TUN_VXLAN,
	C2C_TUN_GENEVE,
	C2C_TUN_IPIP, /* IP-in-IP, 6in4, 4in6, 6in6 */
	C2C_TUN_TEREDO,
	C2C_TUN_GTPU,
	C2C_TUN_AYIYA
};

#define C2C_HISTORY_MAX 24
#define C2C_UID_MAX 24
#define C2C_SERVICE_MAX 24

/* One bidirectional connection. Counters follow Zeek's conn.log: *_ip_bytes are IP-layer
 * lengths, *_bytes payload bytes (for TCP from sequence numbers). For flows of ICMP, Zeek's
 * convention applies: orig_port = type, resp_port = code. */
struct c2c_flow {
	c2c_time ts;   /* first packet / flow start */
	c2c_time last; /* last packet / flow end; duration = last - ts */
	struct c2c_ip orig, resp;
	uint16_t orig_port, resp_port;
	uint8_t proto; /* IP protocol number: 6 TCP, 17 UDP, 1 ICMP, 58 ICMPv6, 132 SCTP */
	uint8_t src;   /* enum c2c_flow_src */
	uint8_t state; /* enum c2c_conn_state */
	uint8_t tunnel; /* enum c2c_tunnel of the outermost tunnel, or 0 */
	uint32_t have; /* C2C_HAVE_* */
	uint64_t orig_pkts, resp_pkts;
	uint64_t orig_ip_bytes, resp_ip_bytes;
	uint64_t orig_bytes, resp_bytes;
	uint64_t missed_bytes;
	uint32_t sampling; /* 1 in N packets sampled (0 or 1 = unsampled) */
	uint16_t vlan, inner_vlan; /* 802.1Q ids, 0 = none */
	uint32_t tunnel_id; /* VNI / GRE key / TEID / ERSPAN session, when tunnelled */
	struct c2c_ip tun_outer_src, tun_outer_dst; /* outer endpoints when tunnelled */
	char history[C2C_HISTORY_MAX];
	char uid[C2C_UID_MAX]; /* Zeek uid (from conn.log) or our own deterministic one */
	char service[C2C_SERVICE_MAX];
	char community_id[32]; /* "1:" + base64(SHA-1), NUL-terminated; "" when not computed */
	/* Evidence: the records of the first and last packet / the export record / the log line. */
	struct c2c_evref first_ev, last_ev;
	uint64_t seq; /* position in the output order of its input (deterministic tie-break) */
	/* Flow exports (NetFlow v9 / IPFIX): the template record this data record was decoded
	 * with, a dependency reference (len 0 when none, e.g. NetFlow v5 and Zeek). */
	struct c2c_evref tmpl_ev;
	/* Flow exports: the exporter's address (family 0 when unknown, e.g. an IPFIX file) and
	 * its NetFlow v9 source id / IPFIX observation domain (v5: engine_type << 8 | engine_id). */
	struct c2c_ip exporter;
	uint32_t obs_domain;
	/* Appended by the flow assembler (flowtab.c): */
	char tunnel_parent[C2C_UID_MAX]; /* uid of the enclosing flow (Zeek's tunnel_parents), "" */
	/* Zeek conn.log local_orig / local_resp: 0 = not known, 1 = F, 2 = T. */
	uint8_t local_orig, local_resp;
};

/* ---- observations ------------------------------------------------------------------------ */
enum c2c_obs_kind {
	C2C_OBS_DNS = 1,
	C2C_OBS_TLS, /* ClientHello (SNI, JA3) and/or ServerHello (JA3S) and certificate */
	C2C_OBS_HTTP
};

#define C2C_NAME_MAX 256 /* a DNS name in text form, NUL included */
#define C2C_DNS_MAX_ANSWERS 16

struct c2c_dns_answer {
	uint16_t type;  /* RR type: 1 A, 28 AAAA, 5 CNAME, 16 TXT, ... */
	uint32_t ttl;
	struct c2c_ip ip; /* for A / AAAA */
	char text[C2C_NAME_MAX]; /* CNAME/PTR/NS/MX target, TXT (first string, truncated) */
};

struct c2c_dns {
	uint16_t trans_id;
	uint16_t qtype, qclass;
	int16_t rcode; /* -1 = no response seen */
	bool is_response, aa, tc, rd, ra;
	char query[C2C_NAME_MAX]; /* lower-case, no trailing dot, escaped like Zeek (\x..) */
	c2c_time rtt; /* response time minus query time, -1 unknown */
	uint8_t n_answers;
	bool answers_truncated; /* more than C2C_DNS_MAX_ANSWERS */
	/* Last member: copies of an observation may stop after answers[n_answers - 1]. */
	struct c2c_dns_answer answers[C2C_DNS_MAX_ANSWERS];
};

struct c2c_tls {
	uint16_t version; /* negotiated (ServerHello) version, else the highest the client offered */
	char sni[C2C_NAME_MAX];
	char ja3[33];  /* MD5 hex of the JA3 string, "" when no ClientHello */
	char ja3s[33]; /* MD5 hex of the JA3S string, "" when no ServerHello */
	bool have_cert;
	uint8_t cert_sha256[32]; /* leaf certificate (TLS <= 1.2, where it is in the clear) */
};

struct c2c_http {
	char method[16];
	char host[C2C_NAME_MAX];
	char uri[1024];
	char user_agent[512];
	uint16_t status; /* 0 when no response seen */
	bool proxy; /* CONNECT or absolute-URI request: `host` names the real destination */
};

/* One observation joined to a flow by its 5-tuple / community id / uid. */
struct c2c_obs {
	uint8_t kind; /* enum c2c_obs_kind */
	c2c_time ts;
	struct c2c_ip orig, resp;
	uint16_t orig_port, resp_port;
	uint8_t proto;
	char uid[C2C_UID_MAX]; /* of the flow it belongs to, when known */
	char community_id[32];
	struct c2c_evref ev; /* the packet / log line it was read from */
	union {
		struct c2c_dns dns;
		struct c2c_tls tls;
		struct c2c_http http;
	} u;
};

/* ---- sinks -------------------------------------------------------------------------------- */
/* Where ingest delivers records. Either callback may be NULL. Records are borrowed for the call.
 * A non-OK return stops ingest and is passed back to the caller. */
struct c2c_sink {
	void *ctx;
	c2c_err (*flow)(void *ctx, const struct c2c_flow *f);
	c2c_err (*obs)(void *ctx, const struct c2c_obs *o);
};

#ifdef __cplusplus
}
#endif
#endif
