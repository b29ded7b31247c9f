/*
 * Private to the packet decoder (decode.c, decode_link.c, decode_ip.c, decode_tunnel.c,
 * defrag.c). Decoding is a state machine: each step consumes one header from a frame and names
 * the next header kind, until an IP layer ends the chain or a tunnel starts a new one. The
 * number of steps and of emitted layers is capped, so no input can make it loop.
 */
#ifndef C2C_INGEST_DECODE_H
#define C2C_INGEST_DECODE_H

#include <stdbool.h>
#include <stdint.h>

#include "ingest/internal.h"

/* Header steps one packet may take (VLAN tags, MPLS labels, extension headers, tunnels). */
#define C2C_DEC_MAX_STEPS 64u

/* What the next bytes of a frame are. */
enum c2c_dnext {
	DN_END = 0,
	DN_ETH,  /* Ethernet II / 802.3 frame */
	DN_IP,   /* IPv4 or IPv6, by the version nibble */
	DN_IP4,
	DN_IP6,
	DN_PPP,  /* PPP: optional ff 03, then a 1- or 2-byte protocol */
	DN_MPLS, /* MPLS label stack */
	DN_80211 /* IEEE 802.11 frame */
};

/* Unconsumed bytes of the current frame. */
struct c2c_dframe {
	const uint8_t *p;
	uint32_t len;
};

struct c2c_dec {
	const struct c2c_pkt *pkt;
	struct c2c_defrag *df;
	struct c2c_decoded *out;
	struct c2c_ingest_stats *st;
	unsigned steps;
	unsigned n_vlan;
	/* Bytes the wire carried beyond the capture at this point: wirelen - caplen for the
	 * outermost frame; inside a datagram, what the snaplen cut off of it. */
	uint32_t wire_extra;
	/* Tunnel context applied to the next IP layer. */
	uint8_t tun;
	uint32_t tun_id;
	struct c2c_ip tun_src, tun_dst;
	int8_t parent;
	uint8_t depth;
};

static inline void
c2c__dec_count(struct c2c_dec *d, enum c2c_stat s)
{
	d->st->n[s]++;
}

/* True while another step is allowed; counts decode.too_many_layers once when exhausted. */
static inline bool
c2c__dec_step(struct c2c_dec *d)
{
	if (++d->steps > C2C_DEC_MAX_STEPS) {
		if (d->steps == C2C_DEC_MAX_STEPS + 1)
			c2c__dec_count(d, C2C_ST_DEC_TOO_MANY_LAYERS);
		return false;
	}
	return true;
}

/* decode.c: run the state machine from `next` until the chain ends. decode_link.c calls it
 * for all but the last subframe of an 802.11 A-MSDU (bounded by the step cap). */
void c2c__dec_run(struct c2c_dec *d, enum c2c_dnext next, struct c2c_dframe *f);

/* decode_link.c */
enum c2c_dnext c2c__dec_link(struct c2c_dec *d, uint16_t linktype, struct c2c_dframe *f);
enum c2c_dnext c2c__dec_eth(struct c2c_dec *d, struct c2c_dframe *f);
/* Dispatch on an EtherType whose payload starts at f->p (VLAN, PBB, PPPoE... are walked). */
enum c2c_dnext c2c__dec_ethertype(struct c2c_dec *d, uint16_t type, struct c2c_dframe *f);
enum c2c_dnext c2c__dec_ppp(struct c2c_dec *d, struct c2c_dframe *f);
enum c2c_dnext c2c__dec_mpls(struct c2c_dec *d, struct c2c_dframe *f);
enum c2c_dnext c2c__dec_80211(struct c2c_dec *d, struct c2c_dframe *f);

/* decode_ip.c: one IP datagram (and its transport header) at f->p; `version` is 4, 6 or 0 for
 * "by nibble". Emits a layer unless the datagram carries a tunnel or is unusable. */
enum c2c_dnext c2c__dec_ip(struct c2c_dec *d, unsigned version, struct c2c_dframe *f);

/* decode_tunnel.c */
/* GRE (and ERSPAN) at f->p, carried between src and dst. */
enum c2c_dnext c2c__dec_gre(struct c2c_dec *d, const struct c2c_ip *src, const struct c2c_ip *dst,
    struct c2c_dframe *f);
/* UDP-borne tunnels (VXLAN, Geneve, Teredo, GTP-U, AYIYA, GRE-in-UDP) in the payload of layer
 * `li`; DN_END when the datagram is not a tunnel. */
enum c2c_dnext c2c__dec_udp_tunnel(struct c2c_dec *d, unsigned li, struct c2c_dframe *f);
/* Enter a tunnel: the next IP layer is tagged with it. */
void c2c__dec_enter_tunnel(struct c2c_dec *d, uint8_t type, uint32_t id, const struct c2c_ip *src,
    const struct c2c_ip *dst, int parent);

/* defrag.c: bounded IPv4/IPv6 reassembly. */
struct c2c_frag_in {
	struct c2c_ip src, dst;
	uint32_t id;
	uint8_t proto; /* IPv4 protocol; 0 for IPv6 */
	c2c_time ts;
	/* The header to rebuild the datagram with (from the fragment at offset 0): IPv4 header, or
	 * IPv6 header plus the extension headers before the fragment header. */
	const uint8_t *hdr;
	uint32_t hdr_len;
	uint32_t nh_off; /* IPv6: offset in hdr of the next-header byte naming the fragment hdr */
	uint8_t next;    /* IPv6: next header after the fragment header */
	uint32_t off;    /* fragment offset in bytes */
	bool more;
	const uint8_t *data;
	uint32_t len;
};
/* Release the datagrams handed out for the previous packet (called once per packet). */
void c2c__defrag_begin(struct c2c_defrag *df);
/* Add one fragment: 0 held (datagram incomplete), 1 complete (*dg, *dglen: the whole datagram,
 * borrowed until the next c2c__defrag_begin), -1 dropped (counted). */
int c2c__defrag_add(struct c2c_defrag *df, const struct c2c_frag_in *in,
    struct c2c_ingest_stats *st, const uint8_t **dg, uint32_t *dglen);

/* One's-complement sum helpers (RFC 1071). */
uint32_t c2c__csum_add(uint32_t sum, const uint8_t *p, uint32_t len);
static inline uint16_t
c2c__csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

#endif
