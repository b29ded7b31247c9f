/*
 * IPv4 and IPv6 (RFC 791, RFC 8200) with options, extension headers and fragments, and the
 * transport headers a flow is keyed on: TCP, UDP, ICMP, ICMPv6 (type/code in the port fields,
 * as Zeek logs them), SCTP ports, and any other protocol as a port-less layer. IP-in-IP, GRE
 * and the UDP tunnels hand the inner bytes back to the state machine.
 *
 * Lengths follow Zeek: a datagram whose IP length exceeds what the wire carried is dropped
 * (truncated_IP_len); one that the capture cut short (snaplen) still counts with its IP length.
 */
#include <string.h>

#include "ingest/decode.h"

static enum c2c_dnext
drop(struct c2c_dec *d, enum c2c_stat s)
{
	c2c__dec_count(d, s);
	return DN_END;
}

/* The layer being filled: out->l[out->n], committed by emit(). */
static struct c2c_l4 *
layer_begin(struct c2c_dec *d)
{
	struct c2c_l4 *l;
	if (d->out->n >= C2C_MAX_LAYERS)
		return NULL;
	l = &d->out->l[d->out->n];
	memset(l, 0, sizeof(*l));
	l->tunnel = d->tun;
	l->tunnel_id = d->tun_id;
	if (d->tun != 0) {
		l->tun_src = d->tun_src;
		l->tun_dst = d->tun_dst;
	}
	l->parent = d->parent;
	l->depth = d->depth;
	return l;
}

static unsigned
emit(struct c2c_dec *d)
{
	return d->out->n++;
}

/* Transport header at q (l4len bytes per IP, l4cap captured). Fills the layer and emits it
 * unless the protocol is a tunnel carrier or the header is unusable. */
static enum c2c_dnext
transport(struct c2c_dec *d, struct c2c_l4 *l, const uint8_t *q, uint32_t l4len, uint32_t l4cap,
    struct c2c_dframe *f)
{
	unsigned li;

	l->l4_len = l4len;
	l->l4hdr = q;
	l->l4_caplen = l4cap;
	if (l->fragment) {
		/* A fragment we cannot reassemble: no transport header beyond what the first one
		 * carries, and never a tunnel. */
		if (l->proto == 6 && l4cap >= 4) {
			l->sport = c2c_be16(q);
			l->dport = c2c_be16(q + 2);
		} else if (l->proto == 17 && l4cap >= 4) {
			l->sport = c2c_be16(q);
			l->dport = c2c_be16(q + 2);
		}
		l->payload = q;
		emit(d);
		return DN_END;
	}
	switch (l->proto) {
	case 6: { /* TCP (RFC 9293) */
		uint32_t doff;
		if (l4cap < 20 || l4len < 20)
			return drop(d, C2C_ST_DEC_TCP_SHORT);
		doff = (uint32_t)(q[12] >> 4) * 4;
		l->sport = c2c_be16(q);
		l->dport = c2c_be16(q + 2);
		if (doff < 20 || doff > l4len || doff > l4cap) {
			/* The ports are there, so Zeek opens the connection, but it does not
			 * count a packet whose header it cannot read. */
			c2c__dec_count(d, C2C_ST_DEC_TCP_SHORT);
			l->flags |= C2C_L4F_L4_TRUNC;
			emit(d);
			return DN_END;
		}
		l->seq = c2c_be32(q + 4);
		l->ack = c2c_be32(q + 8);
		l->tcp_flags = q[13];
		l->win = c2c_be16(q + 14);
		l->payload = q + doff;
		l->payload_len = l4len - doff;
		l->payload_caplen = l4cap - doff;
		emit(d);
		return DN_END;
	}
	case 17: { /* UDP (RFC 768) */
		uint32_t ulen;
		if (l4cap < 8 || l4len < 8)
			return drop(d, C2C_ST_DEC_UDP_SHORT);
		l->sport = c2c_be16(q);
		l->dport = c2c_be16(q + 2);
		ulen = c2c_be16(q + 4);
		l->payload = q + 8;
		l->payload_len = (ulen >= 8 && ulen <= l4len) ? ulen - 8 : l4len - 8;
		l->payload_caplen = l4cap - 8;
		if (l->payload_caplen > l->payload_len)
			l->payload_caplen = l->payload_len;
		li = emit(d);
		d->wire_extra = l->payload_len - l->payload_caplen;
		return c2c__dec_udp_tunnel(d, li, f);
	}
	case 1:  /* ICMP (RFC 792) */
	case 58: /* ICMPv6 (RFC 4443) */
		if (l4cap < 8 || l4len < 8)
			return drop(d, C2C_ST_DEC_ICMP_SHORT);
		l->sport = q[0];
		l->dport = q[1];
		l->payload = q + 8;
		l->payload_len = l4len - 8;
		l->payload_caplen = l4cap - 8;
		emit(d);
		return DN_END;
	case 132: /* SCTP (RFC 9260): ports of the common header */
		if (l4cap < 12 || l4len < 12) {
			c2c__dec_count(d, C2C_ST_DEC_SCTP_SHORT);
		} else {
			l->sport = c2c_be16(q);
			l->dport = c2c_be16(q + 2);
			l->payload = q + 12;
			l->payload_len = l4len - 12;
			l->payload_caplen = l4cap - 12;
		}
		emit(d);
		return DN_END;
	case 4:  /* IPv4 in IP (RFC 2003), 4in6 */
	case 41: /* IPv6 in IP (RFC 4213), 6in6 */
		/* The carrier is not a connection of its own (Zeek logs only the inner one). */
		c2c__dec_enter_tunnel(d, C2C_TUN_IPIP, 0, &l->src, &l->dst, -1);
		d->wire_extra = l4len - (l4cap < l4len ? l4cap : l4len);
		f->p = q;
		f->len = l4cap < l4len ? l4cap : l4len;
		return l->proto == 4 ? DN_IP4 : DN_IP6;
	case 2: /* IGMP: group management, never a connection (Zeek has a packet analyzer) */
		return drop(d, C2C_ST_DEC_IGMP);
	case 47: /* GRE */
		f->p = q;
		f->len = l4cap < l4len ? l4cap : l4len;
		d->parent = -1;
		d->wire_extra = l4len - f->len;
		return c2c__dec_gre(d, &l->src, &l->dst, f);
	default:
		/* Any other protocol is a port-less connection (Zeek's unknown_transport). */
		l->payload = q;
		l->payload_len = l4len;
		l->payload_caplen = l4cap;
		emit(d);
		return DN_END;
	}
}

/* Folded one's-complement sum of an IPv4 header (0xffff when the checksum is right). The
 * header is 20..60 bytes, an even count: sum 16-bit words inline, it runs for every packet. */
static inline uint16_t
ip4_csum(const uint8_t *p, uint32_t hlen)
{
	uint32_t sum = 0;
	for (uint32_t i = 0; i < hlen; i += 4)
		sum += (uint32_t)c2c_be16(p + i) + c2c_be16(p + i + 2);
	return c2c__csum_fold(sum);
}

static enum c2c_dnext
ip4(struct c2c_dec *d, struct c2c_dframe *f)
{
	const uint8_t *p = f->p;
	struct c2c_l4 *l;
	uint32_t hlen, tot, cap, wire, foff;
	bool mf;

	if (f->len < 20)
		return drop(d, C2C_ST_DEC_IP4_SHORT);
	if ((p[0] >> 4) != 4)
		return drop(d, C2C_ST_DEC_IP_BAD_VERSION);
	l = layer_begin(d);
	if (l == NULL)
		return drop(d, C2C_ST_DEC_TOO_MANY_LAYERS);
	hlen = (uint32_t)(p[0] & 0x0f) * 4;
	tot = c2c_be16(p + 2);
	wire = f->len + d->wire_extra;
	if (tot == 0) {
		/* Segmentation offload zeroes the length: take what was captured. */
		c2c__dec_count(d, C2C_ST_DEC_IP4_LEN_ZERO);
		l->flags |= C2C_L4F_IP_LEN_ZERO;
		tot = f->len;
	}
	if (tot > wire)
		return drop(d, C2C_ST_DEC_IP4_BAD_LEN);
	if (hlen < 20 || hlen > tot)
		return drop(d, C2C_ST_DEC_IP4_BAD_HLEN);
	if (hlen > f->len)
		return drop(d, C2C_ST_DEC_IP4_SHORT);
	cap = f->len < tot ? f->len : tot;
	if (cap < tot) {
		c2c__dec_count(d, C2C_ST_DEC_TRUNCATED);
		l->flags |= C2C_L4F_SNAPPED;
	}
	if (ip4_csum(p, hlen) != 0xffff) {
		c2c__dec_count(d, C2C_ST_DEC_IP4_BAD_CSUM);
		l->flags |= C2C_L4F_IP_CSUM_BAD;
	}
	c2c_ip_from_v4_bytes(&l->src, p + 12);
	c2c_ip_from_v4_bytes(&l->dst, p + 16);
	l->proto = p[9];
	l->ttl = p[8];
	l->ip_hlen = (uint8_t)hlen;
	l->ip_len = tot;
	mf = (p[6] & 0x20) != 0;
	foff = (uint32_t)(c2c_be16(p + 6) & 0x1fff) * 8;
	if (mf || foff != 0) {
		struct c2c_frag_in fi;
		const uint8_t *dg;
		uint32_t dglen;
		int r;

		c2c__dec_count(d, C2C_ST_DEC_FRAGMENTS);
		if (cap < tot) {
			/* Zeek keeps only the first fragment of a snapped datagram. */
			c2c__dec_count(d, C2C_ST_DEC_FRAG_SNAPPED);
			if (foff != 0)
				return DN_END;
			l->fragment = true;
			return transport(d, l, p + hlen, tot - hlen, cap - hlen, f);
		}
		if (d->df == NULL) {
			l->fragment = true;
			if (foff != 0)
				return transport(d, l, p + hlen, tot - hlen, 0, f);
			return transport(d, l, p + hlen, tot - hlen, cap - hlen, f);
		}
		memset(&fi, 0, sizeof(fi));
		fi.src = l->src;
		fi.dst = l->dst;
		fi.id = c2c_be16(p + 4);
		fi.proto = l->proto;
		fi.ts = d->pkt->ts;
		fi.hdr = p;
		fi.hdr_len = hlen;
		fi.off = foff;
		fi.more = mf;
		fi.data = p + hlen;
		fi.len = tot - hlen;
		r = c2c__defrag_add(d->df, &fi, d->st, &dg, &dglen);
		if (r <= 0)
			return DN_END;
		/* The rebuilt datagram: header from the first fragment, fixed up. */
		p = dg;
		hlen = (uint32_t)(p[0] & 0x0f) * 4;
		tot = dglen;
		cap = dglen;
		l->ip_hlen = (uint8_t)hlen;
		l->ip_len = tot;
		l->flags |= C2C_L4F_REASSEMBLED;
		l->flags &= (uint8_t)~C2C_L4F_SNAPPED;
	}
	if (l->proto == 50)
		return drop(d, C2C_ST_DEC_ESP); /* encrypted: no transport, no connection */
	return transport(d, l, p + hlen, tot - hlen, cap - hlen, f);
}

static enum c2c_dnext
ip6(struct c2c_dec *d, struct c2c_dframe *f)
{
	const uint8_t *p = f->p;
	struct c2c_l4 *l;
	uint32_t tot, cap, off = 40, nh_off = 6;
	uint8_t nh;

	if (f->len < 40)
		return drop(d, C2C_ST_DEC_IP6_SHORT);
	if ((p[0] >> 4) != 6)
		return drop(d, C2C_ST_DEC_IP_BAD_VERSION);
	l = layer_begin(d);
	if (l == NULL)
		return drop(d, C2C_ST_DEC_TOO_MANY_LAYERS);
	tot = 40u + c2c_be16(p + 4);
	if (tot > f->len + d->wire_extra)
		return drop(d, C2C_ST_DEC_IP6_BAD_LEN);
	cap = f->len < tot ? f->len : tot;
	if (cap < tot) {
		c2c__dec_count(d, C2C_ST_DEC_TRUNCATED);
		l->flags |= C2C_L4F_SNAPPED;
	}
	c2c_ip_from_v6_bytes(&l->src, p + 8);
	c2c_ip_from_v6_bytes(&l->dst, p + 24);
	l->ttl = p[7];
	l->ip_hlen = 40;
	l->ip_len = tot;
	nh = p[6];
	/* Walk the extension headers (RFC 8200 §4) up to the transport. */
	for (;;) {
		uint32_t el;
		if (!c2c__dec_step(d))
			return DN_END;
		switch (nh) {
		case 0:  /* hop-by-hop options */
		case 43: /* routing */
		case 60: /* destination options */
			if (off + 2 > cap)
				return drop(d, C2C_ST_DEC_IP6_BAD_EXT);
			el = ((uint32_t)p[off + 1] + 1) * 8;
			if (off + el > cap)
				return drop(d, C2C_ST_DEC_IP6_BAD_EXT);
			nh_off = off;
			nh = p[off];
			off += el;
			continue;
		case 51: /* AH (RFC 4302): length in 4-byte units, minus 2 */
			if (off + 2 > cap)
				return drop(d, C2C_ST_DEC_IP6_BAD_EXT);
			el = ((uint32_t)p[off + 1] + 2) * 4;
			if (off + el > cap)
				return drop(d, C2C_ST_DEC_IP6_BAD_EXT);
			nh_off = off;
			nh = p[off];
			off += el;
			continue;
		case 44: { /* fragment */
			uint32_t foff;
			bool more;
			if (off + 8 > cap)
				return drop(d, C2C_ST_DEC_IP6_BAD_EXT);
			foff = c2c_be16(p + off + 2) & 0xfff8u;
			more = (p[off + 3] & 1) != 0;
			if (foff == 0 && !more) {
				/* Atomic fragment (RFC 6946): nothing to reassemble. */
				nh_off = off;
				nh = p[off];
				off += 8;
				continue;
			}
			c2c__dec_count(d, C2C_ST_DEC_FRAGMENTS);
			l->proto = p[off];
			if (cap < tot) {
				c2c__dec_count(d, C2C_ST_DEC_FRAG_SNAPPED);
				if (foff != 0)
					return DN_END;
				l->fragment = true;
				return transport(d, l, p + off + 8, tot - off - 8, cap - off - 8, f);
			}
			if (d->df == NULL) {
				l->fragment = true;
				return transport(d, l, p + off + 8, tot - off - 8,
				    foff == 0 ? cap - off - 8 : 0, f);
			}
			{
				struct c2c_frag_in fi;
				const uint8_t *dg;
				uint32_t dglen;
				int r;
				memset(&fi, 0, sizeof(fi));
				fi.src = l->src;
				fi.dst = l->dst;
				fi.id = c2c_be32(p + off + 4);
				fi.ts = d->pkt->ts;
				fi.hdr = p;
				fi.hdr_len = off;
				fi.nh_off = nh_off;
				fi.next = p[off];
				fi.off = foff;
				fi.more = more;
				fi.data = p + off + 8;
				fi.len = tot - off - 8;
				r = c2c__defrag_add(d->df, &fi, d->st, &dg, &dglen);
				if (r <= 0)
					return DN_END;
				/* Continue on the rebuilt datagram, past the unfragmentable part. */
				p = dg;
				tot = dglen;
				cap = dglen;
				l->ip_len = tot;
				l->flags |= C2C_L4F_REASSEMBLED;
				l->flags &= (uint8_t)~C2C_L4F_SNAPPED;
				nh = fi.next;
				continue;
			}
		}
		case 50:
			return drop(d, C2C_ST_DEC_ESP);
		case 59: /* no next header */
			if (d->tun == C2C_TUN_TEREDO)
				return DN_END; /* a Teredo bubble: keeps the NAT mapping alive */
			return drop(d, C2C_ST_DEC_IP6_NO_NEXT);
		default:
			break;
		}
		break;
	}
	l->proto = nh;
	return transport(d, l, p + off, tot - off, cap - off, f);
}

enum c2c_dnext
c2c__dec_ip(struct c2c_dec *d, unsigned version, struct c2c_dframe *f)
{
	if (f->len < 1)
		return drop(d, C2C_ST_DEC_IP4_SHORT);
	if (version == 0)
		version = f->p[0] >> 4;
	if (version == 4)
		return ip4(d, f);
	if (version == 6)
		return ip6(d, f);
	return drop(d, C2C_ST_DEC_IP_BAD_VERSION);
}
