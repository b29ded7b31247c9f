/*
 * Shared inside lib/ingest only (never installed): the captured-packet and decoded-packet records
 * that flow from the capture readers (pcap.c, pcapng.c) through the decoder (decode.c) into the
 * flow table (flowtab.c) and the application parsers (dns.c, tls.c, http.c).
 */
#ifndef C2C_INGEST_INTERNAL_H
#define C2C_INGEST_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "c2chain/ingest.h"
#include "core/cursor.h"

/* One captured packet as a capture reader hands it out. `data` is borrowed until the next
 * packet. `ev` names the whole pcap record / pcapng block (header included). */
struct c2c_pkt {
	c2c_time ts;
	const uint8_t *data;
	uint32_t caplen, wirelen;
	uint16_t linktype; /* LINKTYPE_* of its interface */
	uint32_t ifindex;  /* pcapng interface id; 0 for pcap */
	struct c2c_evref ev;
};

/* Capture reader: pcap and pcapng behind one interface. */
struct c2c_capture;
c2c_err c2c__capture_open(struct c2c_capture **out, struct c2c_rd *rd, uint32_t input,
    struct c2c_ingest_stats *st, struct c2c_input_info *info, struct c2c_diag *diag);
/* C2C_OK with *pkt filled; C2C_EEND at the end; C2C_EFORMAT only when the file cannot go on. */
c2c_err c2c__capture_next(struct c2c_capture *c, struct c2c_pkt *pkt, struct c2c_diag *diag);
void c2c__capture_free(struct c2c_capture *c);

#define C2C_MAX_LAYERS 8 /* encapsulation depth the decoder follows (nfdump caps at 32 steps) */

/* One transport-bearing IP layer of a decoded packet. A tunnelled packet gives several: the
 * outer one (e.g. the UDP connection carrying VXLAN, which Zeek logs too) and the inner one,
 * tagged by its tunnel. */
struct c2c_l4 {
	struct c2c_ip src, dst;
	uint8_t proto;
	uint8_t ttl;
	uint16_t sport, dport; /* for ICMP/ICMPv6: type and code, as Zeek logs them */
	uint32_t ip_len;       /* IP total length on the wire (header + payload) */
	uint32_t l4_len;       /* transport header + payload length from the IP header */
	const uint8_t *payload; /* application payload within the captured bytes */
	uint32_t payload_caplen; /* bytes of payload actually captured */
	uint32_t payload_len;    /* payload length per IP/UDP header (may exceed caplen) */
	/* TCP */
	uint32_t seq, ack;
	uint8_t tcp_flags;
	uint16_t win;
	/* context */
	uint8_t tunnel; /* enum c2c_tunnel that encapsulates this layer, 0 = none */
	uint32_t tunnel_id;
	struct c2c_ip tun_src, tun_dst;
	bool fragment; /* a non-first or incomplete fragment: no transport header */
	/* Added by the decoder (decode_*.c): */
	uint8_t flags;  /* C2C_L4F_* */
	int8_t parent;  /* index in c2c_decoded.l of the UDP layer whose payload carries this one
			 * (VXLAN, Geneve, Teredo, GTP-U, AYIYA: Zeek's tunnel_parents); -1 none */
	uint8_t depth;  /* tunnels enclosing this layer (0 = outermost IP) */
	uint8_t ip_hlen; /* IPv4 header length / IPv6 40 (extension headers count in l4 offset) */
	const uint8_t *l4hdr; /* transport header within the captured bytes (NULL if none) */
	uint32_t l4_caplen;   /* captured bytes from l4hdr on (<= l4_len) */
};

/* c2c_l4.flags. Zeek in its default mode drops a packet at a layer marked IP_CSUM_BAD or
 * IP_LEN_ZERO (that layer and every later one); with -C it keeps them. */
enum {
	C2C_L4F_IP_CSUM_BAD = 1u << 0, /* IPv4 header checksum wrong */
	C2C_L4F_IP_LEN_ZERO = 1u << 1, /* IPv4 total length 0 (segmentation offload): ip_len is
				       * taken from the captured bytes */
	C2C_L4F_SNAPPED = 1u << 2,     /* datagram not fully captured (snaplen) */
	C2C_L4F_REASSEMBLED = 1u << 3, /* rebuilt from IP fragments (borrowed from c2c_defrag) */
	C2C_L4F_L4_TRUNC = 1u << 4     /* TCP header cut short (ports valid, the rest not): Zeek
				       * opens the connection but does not count the packet */
};

/* Transport checksum (TCP, UDP, ICMP, ICMPv6, with the IP pseudo-header where it applies):
 * true when correct or not checkable (segment not fully captured, fragment, UDP/IPv4 checksum
 * 0, other protocols). Computed on demand: the decoder itself never sums payload bytes. */
bool c2c__l4_checksum_ok(const struct c2c_l4 *l);

struct c2c_decoded {
	uint16_t vlan, inner_vlan;
	uint8_t n; /* layers in `l`, outermost first */
	struct c2c_l4 l[C2C_MAX_LAYERS];
};

/* Fragment reassembly state, per input (bounded). */
struct c2c_defrag;
void c2c__defrag_free(struct c2c_defrag *d);
struct c2c_defrag *c2c__defrag_new(void) C2C_MALLOC(c2c__defrag_free);

/* Decode one frame. Returns true when at least one layer was decoded into `out`; false when the
 * packet carries nothing a flow can be built from (the reason is counted in `st`). `df` may be
 * NULL (no reassembly). Borrowed pointers in `out` are valid until the next call. */
bool c2c__decode(const struct c2c_pkt *pkt, struct c2c_defrag *df, struct c2c_decoded *out,
    struct c2c_ingest_stats *st);


/* Per-format drivers behind c2c_ingest_file (ingest.c detects the format and dispatches). Each
 * reads `rd` to its end, delivers records to `sink`, fills `info` and counts into `st`. */
struct c2c_ingest_ctx {
	const char *path;
	uint32_t input;
	const struct c2c_ingest_opts *opts;
	const struct c2c_sink *sink;
	struct c2c_input_info *info;
	struct c2c_ingest_stats *st;
	struct c2c_diag *diag;
	uint64_t total; /* raw size, for progress */
};
c2c_err c2c__ingest_capture(struct c2c_ingest_ctx *cx, struct c2c_rd *rd);  /* pcap, pcapng */
c2c_err c2c__ingest_export(struct c2c_ingest_ctx *cx, struct c2c_rd *rd);   /* IPFIX, NetFlow */
c2c_err c2c__ingest_zeek(struct c2c_ingest_ctx *cx, struct c2c_rd *rd);     /* TSV, JSON */
/* A Zeek conn.log with no header (e.g. the top of a log cut off from its header lines): true
 * when the first line of `p` splits on tabs into columns that parse as Zeek's default conn.log
 * fields (ts, uid, addresses, ports, proto, ...). A complete first line needs all 21 of them;
 * a line cut by `len` needs at least ts, uid and id.orig_h. */
bool c2c__zeek_conn_probe(const uint8_t *p, size_t len);
c2c_err c2c__ingest_evidence(struct c2c_ingest_ctx *cx, struct c2c_rd *rd); /* collector */
/* Captures (pcap/pcapng) whose UDP packets carry NetFlow/IPFIX exports: `p`/`len` are the first
 * bytes of the file (up to 1 MiB); true when it should be read as an export capture. */
bool c2c__export_pcap_probe(const uint8_t *p, size_t len);
c2c_err c2c__ingest_export_pcap(struct c2c_ingest_ctx *cx, struct c2c_rd *rd);

#endif
