/*
 * Packet decoder entry point: runs the header state machine of decode.h over one captured frame
 * and collects the transport-bearing IP layers into struct c2c_decoded, outermost first. The
 * per-header work lives in decode_link.c (L2 and its shims), decode_ip.c (IPv4/IPv6, extension
 * headers, fragments, transports) and decode_tunnel.c (GRE, ERSPAN and the UDP tunnels). Also
 * the on-demand transport checksum that a Zeek-like consumer needs.
 */
#include <string.h>

#include "ingest/decode.h"

void
c2c__dec_enter_tunnel(struct c2c_dec *d, uint8_t type, uint32_t id, const struct c2c_ip *src,
    const struct c2c_ip *dst, int parent)
{
	d->tun = type;
	d->tun_id = id;
	d->tun_src = *src;
	d->tun_dst = *dst;
	d->parent = (int8_t)parent;
	d->depth++;
	c2c__dec_count(d, C2C_ST_DEC_TUNNEL_LAYERS);
}

void
c2c__dec_run(struct c2c_dec *d, enum c2c_dnext next, struct c2c_dframe *f)
{
	while (next != DN_END) {
		if (!c2c__dec_step(d))
			break;
		switch (next) {
		case DN_ETH:
			next = c2c__dec_eth(d, f);
			break;
		case DN_IP:
			next = c2c__dec_ip(d, 0, f);
			break;
		case DN_IP4:
			next = c2c__dec_ip(d, 4, f);
			break;
		case DN_IP6:
			next = c2c__dec_ip(d, 6, f);
			break;
		case DN_PPP:
			next = c2c__dec_ppp(d, f);
			break;
		case DN_MPLS:
			next = c2c__dec_mpls(d, f);
			break;
		case DN_80211:
			next = c2c__dec_80211(d, f);
			break;
		case DN_END:
		default:
			next = DN_END;
			break;
		}
	}
}

bool
c2c__decode(const struct c2c_pkt *pkt, struct c2c_defrag *df, struct c2c_decoded *out,
    struct c2c_ingest_stats *st)
{
	struct c2c_dec d;
	struct c2c_dframe f;

	out->vlan = 0;
	out->inner_vlan = 0;
	out->n = 0;
	memset(&d, 0, sizeof(d));
	d.pkt = pkt;
	d.df = df;
	d.out = out;
	d.st = st;
	d.parent = -1;
	d.wire_extra = pkt->wirelen > pkt->caplen ? pkt->wirelen - pkt->caplen : 0;
	st->n[C2C_ST_DEC_PACKETS]++;
	if (df != NULL)
		c2c__defrag_begin(df);
	f.p = pkt->data;
	f.len = pkt->caplen;
	c2c__dec_run(&d, c2c__dec_link(&d, pkt->linktype, &f), &f);
	return out->n > 0;
}

uint32_t
c2c__csum_add(uint32_t sum, const uint8_t *p, uint32_t len)
{
	uint64_t s = sum;
	uint32_t i = 0;

	/* 64-bit accumulator: no carry handling inside the loop. */
	for (; i + 8 <= len; i += 8)
		s += (uint64_t)c2c_be16(p + i) + c2c_be16(p + i + 2) + c2c_be16(p + i + 4) +
		    c2c_be16(p + i + 6);
	for (; i + 2 <= len; i += 2)
		s += c2c_be16(p + i);
	if (i < len)
		s += (uint32_t)p[i] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint32_t)s;
}

bool
c2c__l4_checksum_ok(const struct c2c_l4 *l)
{
	uint32_t sum = 0;
	uint8_t ph[4];
	uint16_t stored;

	if (l->l4hdr == NULL || l->fragment || l->l4_caplen < l->l4_len)
		return true;
	switch (l->proto) {
	case 6:
		if (l->l4_len < 20)
			return true;
		break;
	case 17:
		if (l->l4_len < 8)
			return true;
		stored = c2c_be16(l->l4hdr + 6);
		if (stored == 0 && l->src.family == 4)
			return true; /* no checksum (RFC 768) */
		break;
	case 1:
		return c2c__csum_fold(c2c__csum_add(0, l->l4hdr, l->l4_len)) == 0xffff;
	case 58:
		if (l->l4_len < 4)
			return true;
		break;
	default:
		return true;
	}
	/* Pseudo-header: addresses, protocol, transport length (RFC 793, 768, 8200 §8.1). */
	if (l->src.family == 4) {
		sum = c2c__csum_add(sum, l->src.a + 12, 4);
		sum = c2c__csum_add(sum, l->dst.a + 12, 4);
	} else {
		sum = c2c__csum_add(sum, l->src.a, 16);
		sum = c2c__csum_add(sum, l->dst.a, 16);
	}
	ph[0] = 0;
	ph[1] = l->proto;
	ph[2] = (uint8_t)(l->l4_len >> 8);
	ph[3] = (uint8_t)l->l4_len;
	if (l->l4_len > 0xffff)
		sum += l->l4_len >> 16;
	sum = c2c__csum_add(sum, ph, 4);
	sum = c2c__csum_add(sum, l->l4hdr, l->l4_len);
	return c2c__csum_fold(sum) == 0xffff;
}
