/*
 * Tunnels: GRE (RFC 2784/2890, PPTP's enhanced GRE of RFC 2637), ERSPAN types I-III inside
 * GRE, and the UDP-borne ones: VXLAN (RFC 7348), Geneve (RFC 8926), Teredo (RFC 4380, with
 * Zeek's validity checks and its detection on other ports), GTP-U v1 (3GPP TS 29.281), AYIYA
 * and GRE-in-UDP (RFC 8086). Each hands the inner frame back to the state machine after tagging
 * the next layers with tunnel type, id and outer endpoints. A UDP tunnel's outer datagram is a
 * layer of its own (Zeek logs that connection too) and becomes the inner layers' parent.
 */
#include "ingest/decode.h"

enum {
	PORT_GTP_C = 2123,
	PORT_GTP_U = 2152,
	PORT_TEREDO = 3544,
	PORT_GRE_UDP = 4754,
	PORT_VXLAN = 4789,
	PORT_AYIYA = 5072,
	PORT_GENEVE = 6081
};

static enum c2c_dnext
bad(struct c2c_dec *d, enum c2c_stat s)
{
	c2c__dec_count(d, s);
	return DN_END;
}

static inline void
eat(struct c2c_dframe *f, uint32_t n)
{
	f->p += n;
	f->len -= n;
}

static unsigned
gre_header_len(uint16_t flags)
{
	unsigned len = 4;
	if (flags & 0x8000u)
		len += 4; /* checksum + reserved1 */
	if (flags & 0x2000u)
		len += 4; /* key */
	if (flags & 0x1000u)
		len += 4; /* sequence number */
	if (flags & 0x0080u)
		len += 4; /* acknowledgment (enhanced GRE) */
	return len;
}

enum c2c_dnext
c2c__dec_gre(struct c2c_dec *d, const struct c2c_ip *src, const struct c2c_ip *dst,
    struct c2c_dframe *f)
{
	const uint8_t *p = f->p;
	uint16_t flags, proto;
	unsigned ver, hl, erspan = 0;
	uint32_t key = 0;
	int parent = d->parent;

	if (f->len < 4)
		return bad(d, C2C_ST_DEC_GRE_BAD);
	flags = c2c_be16(p);
	proto = c2c_be16(p + 2);
	ver = flags & 7u;
	hl = gre_header_len(flags);
	if (ver > 1 || (flags & 0x4000u) || (flags & 0x0078u))
		return bad(d, C2C_ST_DEC_GRE_BAD); /* unknown version, routing, reserved flags */
	if (f->len < hl)
		return bad(d, C2C_ST_DEC_GRE_BAD);
	if (flags & 0x2000u)
		key = c2c_be32(p + ((flags & 0x8000u) ? 8 : 4));
	if (ver == 1) {
		/* Enhanced GRE (PPTP): the key holds payload length and call id; PPP follows. */
		uint16_t ppp;
		if (proto != 0x880b || f->len < hl + 4)
			return bad(d, C2C_ST_DEC_GRE_BAD);
		ppp = c2c_be16(p + hl + 2);
		if (ppp != 0x0021 && ppp != 0x0057)
			return bad(d, C2C_ST_DEC_NON_IP);
		eat(f, hl + 4);
		c2c__dec_enter_tunnel(d, C2C_TUN_GRE, key & 0xffffu, src, dst, parent);
		return ppp == 0x0021 ? DN_IP4 : DN_IP6;
	}
	switch (proto) {
	case 0x6558: /* transparent Ethernet bridging */
		if (f->len <= hl + 14)
			return bad(d, C2C_ST_DEC_GRE_BAD);
		eat(f, hl);
		c2c__dec_enter_tunnel(d, C2C_TUN_GRE, key, src, dst, parent);
		return DN_ETH;
	case 0x88be: { /* ERSPAN type I (no header) or II (8 bytes, when a sequence is present) */
		uint32_t session = 0;
		if (f->len <= hl + 14)
			return bad(d, C2C_ST_DEC_ERSPAN_BAD);
		if (flags & 0x1000u) {
			erspan = 8;
			if (f->len < hl + erspan + 14)
				return bad(d, C2C_ST_DEC_ERSPAN_BAD);
			session = c2c_be16(p + hl + 2) & 0x3ffu;
		}
		eat(f, hl + erspan);
		c2c__dec_enter_tunnel(d, C2C_TUN_ERSPAN, session, src, dst, parent);
		return DN_ETH;
	}
	case 0x22eb: { /* ERSPAN type III: 12 bytes, plus 8 with the platform sub-header */
		uint32_t session;
		if (f->len <= hl + 12 + 14)
			return bad(d, C2C_ST_DEC_ERSPAN_BAD);
		erspan = 12;
		session = c2c_be16(p + hl + 2) & 0x3ffu;
		if (p[hl + 11] & 1) {
			if (f->len <= hl + 12 + 8 + 14)
				return bad(d, C2C_ST_DEC_ERSPAN_BAD);
			erspan += 8;
		}
		eat(f, hl + erspan);
		c2c__dec_enter_tunnel(d, C2C_TUN_ERSPAN, session, src, dst, parent);
		return DN_ETH;
	}
	default:
		break;
	}
	if (((proto & 0x8200u) == 0x8200u && (proto & 0x0fu) == 0) ||
	    ((proto & 0x8300u) == 0x8300u && (proto & 0x0fu) == 0 && proto <= 0x8370u) ||
	    proto == 0x9000u) {
		/* Aruba access points tunnel raw 802.11 frames in GRE. */
		if (f->len <= hl)
			return bad(d, C2C_ST_DEC_GRE_BAD);
		eat(f, hl);
		c2c__dec_enter_tunnel(d, C2C_TUN_GRE, key, src, dst, parent);
		return DN_80211;
	}
	eat(f, hl);
	c2c__dec_enter_tunnel(d, C2C_TUN_GRE, key, src, dst, parent);
	return c2c__dec_ethertype(d, proto, f);
}

/* Teredo encapsulation (RFC 4380 §5.1.1): optional authentication, then optional origin
 * indication, then an IPv6 header. Sets *hdr to the IPv6 header's offset. */
static bool
teredo_parse(const uint8_t *p, uint32_t len, uint32_t *hdr)
{
	uint32_t off = 0;
	bool origin = false, auth = false;

	for (;;) {
		uint16_t tag;
		if (len - off < 2)
			return false;
		tag = c2c_be16(p + off);
		if (tag == 0) {
			if (origin || len - off < 8)
				return false;
			origin = true;
			off += 8;
		} else if (tag == 1) {
			uint32_t tl;
			if (origin || auth || len - off < 4)
				return false;
			tl = 13u + p[off + 2] + p[off + 3];
			if (len - off < tl)
				return false;
			auth = true;
			off += tl;
		} else if ((tag >> 12) == 6) {
			if (len - off < 40)
				return false;
			*hdr = off;
			return true;
		} else {
			return false;
		}
	}
}

/* Zeek's heuristic for Teredo on ports other than 3544. */
static bool
teredo_detect(const uint8_t *p, uint32_t len)
{
	uint16_t val;

	if (len < 40 || ((p[0] >> 4) != 6 && (p[0] != 0 || (p[1] != 0 && p[1] != 1))))
		return false;
	if ((p[0] >> 4) == 6)
		/* An IPv6 header with a Teredo (2001::/32) source or destination. */
		return c2c_be32(p + 8) == 0x20010000u || c2c_be32(p + 24) == 0x20010000u;
	val = p[1];
	if (val == 1) {
		uint32_t skip = 13u + p[2] + p[3];
		if (len < skip || len - skip < 40)
			return false;
		p += skip;
		len -= skip;
		val = c2c_be16(p);
	}
	if (val == 0)
		return len >= 48 && (p[8] >> 4) == 6;
	return false;
}

static enum c2c_dnext
teredo(struct c2c_dec *d, const struct c2c_l4 *l, unsigned li, struct c2c_dframe *f, bool by_port)
{
	uint32_t hdr = 0, tot, rem;
	const uint8_t *ip;

	if (!teredo_parse(f->p, f->len, &hdr))
		return by_port ? bad(d, C2C_ST_DEC_TEREDO_BAD) : DN_END;
	ip = f->p + hdr;
	rem = f->len - hdr;
	tot = 40u + c2c_be16(ip + 4);
	if (rem < tot) /* truncated inner packet */
		return by_port ? bad(d, C2C_ST_DEC_TEREDO_BAD) : DN_END;
	if (rem > tot) {
		/* Only a bubble (no next header, empty) may carry trailing bytes. */
		if (ip[6] != 59 || tot != 40)
			return by_port ? bad(d, C2C_ST_DEC_TEREDO_BAD) : DN_END;
		rem = tot;
	}
	f->p = ip;
	f->len = rem;
	c2c__dec_enter_tunnel(d, C2C_TUN_TEREDO, 0, &l->src, &l->dst, (int)li);
	return DN_IP6;
}

static enum c2c_dnext
ayiya(struct c2c_dec *d, const struct c2c_l4 *l, unsigned li, struct c2c_dframe *f, bool by_port)
{
	const uint8_t *p = f->p;
	uint32_t hl;
	uint8_t next;

	if (f->len < 8)
		return by_port ? bad(d, C2C_ST_DEC_AYIYA_BAD) : DN_END;
	/* Identity of 2^n bytes (up to 32 KiB), signature of 4*m bytes. */
	hl = 8u + (1u << (p[0] >> 4)) + (uint32_t)(p[1] >> 4) * 4;
	if (f->len < hl)
		return by_port ? bad(d, C2C_ST_DEC_AYIYA_BAD) : DN_END;
	if ((p[2] & 0x0f) != 1)
		return DN_END; /* not a "forward" message: nothing inside */
	next = p[3];
	if (f->len == hl || (next != 4 && next != 41))
		return by_port ? bad(d, C2C_ST_DEC_AYIYA_BAD) : DN_END;
	eat(f, hl);
	c2c__dec_enter_tunnel(d, C2C_TUN_AYIYA, 0, &l->src, &l->dst, (int)li);
	return next == 4 ? DN_IP4 : DN_IP6;
}

static enum c2c_dnext
gtpu(struct c2c_dec *d, const struct c2c_l4 *l, unsigned li, struct c2c_dframe *f)
{
	const uint8_t *p = f->p;
	uint32_t hl = 8, end;
	uint32_t teid;

	if (f->len < 8 || (p[0] >> 5) != 1 || !(p[0] & 0x10))
		return bad(d, C2C_ST_DEC_GTP_BAD); /* GTPv1 with PT = 1 only */
	teid = c2c_be32(p + 4);
	end = 8u + c2c_be16(p + 2);
	if (end > f->len)
		end = f->len;
	if (p[0] & 0x07) {
		/* Sequence number, N-PDU number, next extension type; then extensions. */
		uint8_t next;
		if (end < 12)
			return bad(d, C2C_ST_DEC_GTP_BAD);
		next = p[11];
		hl = 12;
		while (next != 0) {
			uint32_t el;
			if (!c2c__dec_step(d))
				return DN_END;
			if (hl + 1 > end || p[hl] == 0)
				return bad(d, C2C_ST_DEC_GTP_BAD);
			el = (uint32_t)p[hl] * 4;
			if (hl + el > end)
				return bad(d, C2C_ST_DEC_GTP_BAD);
			next = p[hl + el - 1];
			hl += el;
		}
	}
	if (p[1] != 0xff)
		return bad(d, C2C_ST_DEC_GTP_NOT_TPDU); /* signalling, echo: no user data */
	if (end <= hl || ((p[hl] >> 4) != 4 && (p[hl] >> 4) != 6))
		return bad(d, C2C_ST_DEC_GTP_BAD);
	f->p = p + hl;
	f->len = end - hl;
	c2c__dec_enter_tunnel(d, C2C_TUN_GTPU, teid, &l->src, &l->dst, (int)li);
	return DN_IP;
}

static bool
port_is(const struct c2c_l4 *l, uint16_t port)
{
	/* The responder's port decides, as in Zeek; a reply from the tunnel port to an
	 * ephemeral one counts too. */
	return l->dport == port || (l->sport == port && l->dport >= 1024);
}

enum c2c_dnext
c2c__dec_udp_tunnel(struct c2c_dec *d, unsigned li, struct c2c_dframe *f)
{
	const struct c2c_l4 *l = &d->out->l[li];
	uint32_t len = l->payload_caplen;
	const uint8_t *p = l->payload;

	f->p = p;
	f->len = len;
	if (port_is(l, PORT_VXLAN)) {
		if (len < 8 + 14)
			return bad(d, C2C_ST_DEC_VXLAN_BAD);
		eat(f, 8);
		c2c__dec_enter_tunnel(d, C2C_TUN_VXLAN, c2c_be32(p + 4) >> 8, &l->src, &l->dst,
		    (int)li);
		return DN_ETH;
	}
	if (port_is(l, PORT_GENEVE)) {
		uint32_t hl;
		uint16_t proto;
		if (len < 8 || (p[0] >> 6) != 0)
			return bad(d, C2C_ST_DEC_GENEVE_BAD);
		hl = 8u + (uint32_t)(p[0] & 0x3f) * 4;
		if (len < hl)
			return bad(d, C2C_ST_DEC_GENEVE_BAD);
		proto = c2c_be16(p + 2);
		eat(f, hl);
		c2c__dec_enter_tunnel(d, C2C_TUN_GENEVE, c2c_be32(p + 4) >> 8, &l->src, &l->dst,
		    (int)li);
		if (proto == 0x6558)
			return DN_ETH;
		return c2c__dec_ethertype(d, proto, f);
	}
	if (port_is(l, PORT_GTP_U) || port_is(l, PORT_GTP_C))
		return gtpu(d, l, li, f);
	if (port_is(l, PORT_TEREDO))
		return teredo(d, l, li, f, true);
	if (port_is(l, PORT_AYIYA))
		return ayiya(d, l, li, f, true);
	if (port_is(l, PORT_GRE_UDP)) {
		d->parent = (int8_t)li;
		return c2c__dec_gre(d, &l->src, &l->dst, f);
	}
	/* No tunnel port: Zeek's protocol detection for Teredo and AYIYA. */
	if (teredo_detect(p, len))
		return teredo(d, l, li, f, false);
	if (len >= 3 && p[1] == 0x52 && p[2] == 0x11)
		return ayiya(d, l, li, f, false);
	return DN_END;
}
