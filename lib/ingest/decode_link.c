/*
 * Link layers and the shims between link and IP: the capture link types (Ethernet, raw IP,
 * BSD null/loopback, Linux cooked v1/v2, PPP, Cisco HDLC, IEEE 802.11 and radiotap), then what
 * an EtherType can announce: 802.1Q/802.1ad tags in any number, MPLS label stacks, PPPoE
 * sessions, 802.1ah PBB, Cisco FabricPath, VN-Tag and 802.2 LLC/SNAP. Each step consumes one
 * header from the frame and names the next; every short or unusable header has its own counter.
 */
#include "ingest/decode.h"

/* LINKTYPE_* values (tcpdump.org/linktypes.html). */
enum {
	LT_NULL = 0,
	LT_ETHERNET = 1,
	LT_PPP = 9,
	LT_RAW_12 = 12, /* DLT_RAW on most BSDs */
	LT_RAW_14 = 14, /* DLT_RAW on OpenBSD */
	LT_PPP_HDLC = 50,
	LT_RAW = 101,
	LT_C_HDLC = 104,
	LT_IEEE802_11 = 105,
	LT_LOOP = 108,
	LT_LINUX_SLL = 113,
	LT_RADIOTAP = 127,
	LT_IPV4 = 228,
	LT_IPV6 = 229,
	LT_LINUX_SLL2 = 276
};

static inline uint16_t
le16(const uint8_t *p)
{
	return (uint16_t)((unsigned)p[1] << 8 | p[0]);
}

static inline uint32_t
le32(const uint8_t *p)
{
	return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

static inline void
eat(struct c2c_dframe *f, uint32_t n)
{
	f->p += n;
	f->len -= n;
}

static enum c2c_dnext
short_hdr(struct c2c_dec *d, enum c2c_stat s)
{
	c2c__dec_count(d, s);
	return DN_END;
}

enum c2c_dnext
c2c__dec_link(struct c2c_dec *d, uint16_t linktype, struct c2c_dframe *f)
{
	uint32_t af;

	switch (linktype) {
	case LT_ETHERNET:
		return DN_ETH;
	case LT_RAW:
	case LT_RAW_12:
	case LT_RAW_14:
		return DN_IP;
	case LT_IPV4:
		return DN_IP4;
	case LT_IPV6:
		return DN_IP6;
	case LT_NULL:
	case LT_LOOP:
		/* A 4-byte address family, host order for NULL and network order for LOOP; writers
		 * disagree, so take whichever order gives a small value. */
		if (f->len < 4)
			return short_hdr(d, C2C_ST_DEC_L2_SHORT);
		af = le32(f->p);
		if (af > 0xffff)
			af = c2c_be32(f->p);
		eat(f, 4);
		switch (af) {
		case 2:
			return DN_IP4;
		case 10: /* Linux */
		case 24: /* NetBSD, OpenBSD, BSD/OS */
		case 28: /* FreeBSD, DragonFly */
		case 30: /* Darwin */
			return DN_IP6;
		default:
			return short_hdr(d, C2C_ST_DEC_NON_IP);
		}
	case LT_LINUX_SLL:
		if (f->len < 16)
			return short_hdr(d, C2C_ST_DEC_L2_SHORT);
		{
			uint16_t proto = c2c_be16(f->p + 14);
			eat(f, 16);
			return c2c__dec_ethertype(d, proto, f);
		}
	case LT_LINUX_SLL2:
		if (f->len < 20)
			return short_hdr(d, C2C_ST_DEC_L2_SHORT);
		{
			uint16_t proto = c2c_be16(f->p);
			eat(f, 20);
			return c2c__dec_ethertype(d, proto, f);
		}
	case LT_PPP:
	case LT_PPP_HDLC:
		return DN_PPP;
	case LT_C_HDLC:
		if (f->len < 4)
			return short_hdr(d, C2C_ST_DEC_L2_SHORT);
		{
			uint16_t proto = c2c_be16(f->p + 2);
			eat(f, 4);
			return c2c__dec_ethertype(d, proto, f);
		}
	case LT_IEEE802_11:
		return DN_80211;
	case LT_RADIOTAP: {
		uint32_t hl;
		if (f->len < 8 || f->p[0] != 0)
			return short_hdr(d, C2C_ST_DEC_RADIOTAP_BAD);
		hl = le16(f->p + 2);
		if (hl < 8 || hl > f->len)
			return short_hdr(d, C2C_ST_DEC_RADIOTAP_BAD);
		eat(f, hl);
		return DN_80211;
	}
	default:
		return short_hdr(d, C2C_ST_DEC_UNKNOWN_LINKTYPE);
	}
}

enum c2c_dnext
c2c__dec_eth(struct c2c_dec *d, struct c2c_dframe *f)
{
	uint16_t type;

	if (f->len < 14)
		return short_hdr(d, C2C_ST_DEC_L2_SHORT);
	type = c2c_be16(f->p + 12);
	eat(f, 14);
	return c2c__dec_ethertype(d, type, f);
}

/* 802.2 LLC, possibly with a SNAP header carrying an EtherType. */
static enum c2c_dnext
llc(struct c2c_dec *d, struct c2c_dframe *f, uint16_t *type)
{
	if (f->len < 3)
		return short_hdr(d, C2C_ST_DEC_LLC_SHORT);
	if (f->p[0] == 0xaa && f->p[1] == 0xaa && f->p[2] == 0x03) {
		if (f->len < 8)
			return short_hdr(d, C2C_ST_DEC_LLC_SHORT);
		*type = c2c_be16(f->p + 6);
		eat(f, 8);
		return DN_ETH; /* "continue with *type" */
	}
	return short_hdr(d, C2C_ST_DEC_NON_IP);
}

static enum c2c_dnext
ppp_proto(struct c2c_dec *d, uint16_t proto)
{
	switch (proto) {
	case 0x0021:
		return DN_IP4;
	case 0x0057:
		return DN_IP6;
	case 0x0281:
	case 0x0283:
		return DN_MPLS;
	default:
		return short_hdr(d, C2C_ST_DEC_NON_IP);
	}
}

enum c2c_dnext
c2c__dec_ethertype(struct c2c_dec *d, uint16_t type, struct c2c_dframe *f)
{
	for (;;) {
		if (!c2c__dec_step(d))
			return DN_END;
		switch (type) {
		case 0x0800:
			return DN_IP4;
		case 0x86dd:
			return DN_IP6;
		case 0x8100:
		case 0x88a8:
		case 0x9100: {
			uint16_t vid;
			if (f->len < 4)
				return short_hdr(d, C2C_ST_DEC_VLAN_SHORT);
			vid = c2c_be16(f->p) & 0x0fff;
			/* The outermost two tags of the outermost frame are the packet's VLANs. */
			if (d->depth == 0) {
				if (d->n_vlan == 0)
					d->out->vlan = vid;
				else if (d->n_vlan == 1)
					d->out->inner_vlan = vid;
				d->n_vlan++;
			}
			type = c2c_be16(f->p + 2);
			eat(f, 4);
			continue;
		}
		case 0x8847:
		case 0x8848:
			return DN_MPLS;
		case 0x8864: /* PPPoE session (RFC 2516): 6-byte header, then PPP protocol */
			if (f->len < 8)
				return short_hdr(d, C2C_ST_DEC_PPPOE_SHORT);
			type = c2c_be16(f->p + 6);
			eat(f, 8);
			return ppp_proto(d, type);
		case 0x88e7: /* 802.1ah PBB: I-TAG, customer DA and SA, then EtherType */
			if (f->len < 18)
				return short_hdr(d, C2C_ST_DEC_PBB_SHORT);
			type = c2c_be16(f->p + 16);
			eat(f, 18);
			continue;
		case 0x8903: /* Cisco FabricPath: FTag/TTL, then a whole Ethernet header */
			if (f->len < 16)
				return short_hdr(d, C2C_ST_DEC_FABRICPATH_SHORT);
			type = c2c_be16(f->p + 14);
			eat(f, 16);
			continue;
		case 0x8926: /* VN-Tag: 4 bytes, then EtherType */
			if (f->len < 6)
				return short_hdr(d, C2C_ST_DEC_VNTAG_SHORT);
			type = c2c_be16(f->p + 4);
			eat(f, 6);
			continue;
		default:
			if (type <= 1500) {
				/* 802.3 length field: LLC follows. Trim to it (the rest is padding). */
				if (type < f->len)
					f->len = type;
				if (llc(d, f, &type) == DN_END)
					return DN_END;
				continue;
			}
			return short_hdr(d, C2C_ST_DEC_NON_IP);
		}
	}
}

enum c2c_dnext
c2c__dec_ppp(struct c2c_dec *d, struct c2c_dframe *f)
{
	uint16_t proto;

	if (f->len < 2)
		return short_hdr(d, C2C_ST_DEC_PPP_BAD);
	if (f->p[0] == 0xff && f->p[1] == 0x03) {
		eat(f, 2);
	} else if ((f->p[0] == 0x0f || f->p[0] == 0x8f) && f->p[1] == 0x00) {
		/* Cisco HDLC framing inside a PPP_HDLC capture: address, control, EtherType. */
		if (f->len < 4)
			return short_hdr(d, C2C_ST_DEC_PPP_BAD);
		proto = c2c_be16(f->p + 2);
		eat(f, 4);
		return c2c__dec_ethertype(d, proto, f);
	}
	if (f->len < 1)
		return short_hdr(d, C2C_ST_DEC_PPP_BAD);
	if (f->p[0] & 1) { /* protocol field compression (RFC 1661 §6.5) */
		proto = f->p[0];
		eat(f, 1);
	} else {
		if (f->len < 2)
			return short_hdr(d, C2C_ST_DEC_PPP_BAD);
		proto = c2c_be16(f->p);
		eat(f, 2);
	}
	return ppp_proto(d, proto);
}

enum c2c_dnext
c2c__dec_mpls(struct c2c_dec *d, struct c2c_dframe *f)
{
	for (;;) {
		bool bottom;
		if (!c2c__dec_step(d))
			return DN_END;
		if (f->len < 4)
			return short_hdr(d, C2C_ST_DEC_MPLS_SHORT);
		bottom = (f->p[2] & 1) != 0;
		eat(f, 4);
		if (bottom)
			break;
	}
	/* RFC 3032 says nothing of what follows: guess from the first nibble as routers do. */
	if (f->len < 1)
		return short_hdr(d, C2C_ST_DEC_MPLS_SHORT);
	switch (f->p[0] >> 4) {
	case 4:
		return DN_IP4;
	case 6:
		return DN_IP6;
	case 0:
		/* Ethernet pseudowire with the RFC 4385 control word. */
		if (f->len < 4 + 14)
			return short_hdr(d, C2C_ST_DEC_MPLS_SHORT);
		eat(f, 4);
		return DN_ETH;
	default:
		return DN_ETH; /* pseudowire without a control word */
	}
}

enum c2c_dnext
c2c__dec_80211(struct c2c_dec *d, struct c2c_dframe *f)
{
	uint8_t fc0, fc1, subtype;
	uint32_t hl = 24;
	bool qos, amsdu = false;
	uint16_t type;

	if (f->len < 2)
		return short_hdr(d, C2C_ST_DEC_80211_SHORT);
	fc0 = f->p[0];
	fc1 = f->p[1];
	if ((fc0 & 3) != 0)
		return short_hdr(d, C2C_ST_DEC_80211_SHORT); /* protocol version must be 0 */
	if (((fc0 >> 2) & 3) != 2)
		return short_hdr(d, C2C_ST_DEC_80211_NON_DATA); /* management or control */
	subtype = fc0 >> 4;
	if (subtype & 0x4)
		return short_hdr(d, C2C_ST_DEC_80211_NON_DATA); /* null data: no body */
	qos = (subtype & 0x8) != 0;
	if ((fc1 & 3) == 3)
		hl += 6; /* four addresses (WDS) */
	if (qos) {
		if (f->len < hl + 2)
			return short_hdr(d, C2C_ST_DEC_80211_SHORT);
		amsdu = (f->p[hl] & 0x80) != 0;
		hl += 2;
		if (fc1 & 0x80)
			hl += 4; /* HT control */
	}
	if (f->len < hl)
		return short_hdr(d, C2C_ST_DEC_80211_SHORT);
	if (fc1 & 0x40)
		return short_hdr(d, C2C_ST_DEC_80211_PROTECTED);
	eat(f, hl);
	if (amsdu) {
		/* A-MSDU (802.11-2020 §9.3.2.2.2): subframes of DA, SA, length, LLC payload,
		 * each padded to 4 bytes. Each is a packet of its own, as in Zeek: all but the
		 * last are decoded here, the last is left to the caller's loop. */
		for (;;) {
			struct c2c_dframe sub;
			uint32_t sl, padded;
			if (!c2c__dec_step(d))
				return DN_END;
			if (f->len < 14)
				return short_hdr(d, C2C_ST_DEC_80211_SHORT);
			sl = c2c_be16(f->p + 12);
			eat(f, 14);
			if (sl > f->len)
				sl = f->len;
			padded = (14 + sl + 3u) / 4u * 4u - 14;
			if (padded >= f->len) {
				f->len = sl;
				break;
			}
			sub.p = f->p;
			sub.len = sl;
			if (llc(d, &sub, &type) != DN_END)
				c2c__dec_run(d, c2c__dec_ethertype(d, type, &sub), &sub);
			eat(f, padded);
		}
	}
	if (llc(d, f, &type) == DN_END)
		return DN_END;
	return c2c__dec_ethertype(d, type, f);
}
