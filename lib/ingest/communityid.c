/*
 * Community ID v1 (corelight/community-id-spec): SHA-1 over seed, the two endpoints in
 * canonical order, the IP protocol, a zero pad byte and the two ports, all in network byte
 * order, rendered as "1:" + base64 (or hex). ICMP and ICMPv6 map type/code to pseudo ports the
 * way Zeek does (ICMP4_counterpart / ICMP6_counterpart): a request/reply pair shares one ID and a
 * one-way message keeps its direction.
 */
#include <string.h>

#include "ingest/flowtab.h"

uint16_t
c2c__icmp_counterpart(uint8_t proto, uint8_t type, uint8_t code, bool *one_way)
{
	*one_way = false;
	if (proto == 1) {
		switch (type) {
		case 8: return 0;   /* echo request -> echo reply */
		case 0: return 8;
		case 13: return 14; /* timestamp */
		case 14: return 13;
		case 15: return 16; /* information */
		case 16: return 15;
		case 10: return 9;  /* router solicitation -> advertisement */
		case 9: return 10;
		case 17: return 18; /* address mask */
		case 18: return 17;
		default: break;
		}
	} else if (proto == 58) {
		switch (type) {
		case 128: return 129; /* echo */
		case 129: return 128;
		case 133: return 134; /* router solicitation / advertisement */
		case 134: return 133;
		case 135: return 136; /* neighbour solicitation / advertisement */
		case 136: return 135;
		case 130: return 131; /* MLD query / report */
		case 131: return 130;
		case 139: return 140; /* node information query / response */
		case 140: return 139;
		case 144: return 145; /* home agent address discovery */
		case 145: return 144;
		default: break;
		}
	}
	*one_way = true;
	return code;
}

/* Address bytes as they go on the wire: 4 for IPv4, 16 for IPv6. */
static const uint8_t *
addr_bytes(const struct c2c_ip *ip, size_t *len)
{
	if (ip->family == 4) {
		*len = 4;
		return ip->a + 12;
	}
	*len = 16;
	return ip->a;
}

bool
c2c__community_id(const struct c2c_ip *src, const struct c2c_ip *dst, uint16_t sport,
    uint16_t dport, uint8_t proto, uint16_t seed, bool base64, char *out, size_t outlen)
{
	uint8_t buf[2 + 16 + 16 + 2 + 4], dig[20];
	const uint8_t *sa, *da;
	size_t al, dl, n = 0;
	bool one_way = false, has_ports;

	if (outlen < (base64 ? 31u : 43u) || src->family == 0 || src->family != dst->family) {
		if (outlen > 0)
			out[0] = '\0';
		return false;
	}
	has_ports = proto == 6 || proto == 17 || proto == 132 || proto == 1 || proto == 58;
	if (proto == 1 || proto == 58) {
		/* Callers pass type as sport and code as dport; map like Zeek. */
		uint8_t type = (uint8_t)sport, code = (uint8_t)dport;
		dport = c2c__icmp_counterpart(proto, type, code, &one_way);
		sport = type;
	}
	if (!has_ports)
		sport = dport = 0;
	sa = addr_bytes(src, &al);
	da = addr_bytes(dst, &dl);
	/* Canonical order: the smaller address first; equal addresses are ordered by port. A
	 * one-way ICMP message is never reordered. */
	if (!one_way) {
		int c = memcmp(sa, da, al);
		if (c > 0 || (c == 0 && sport > dport)) {
			const uint8_t *t = sa;
			uint16_t tp = sport;
			sa = da;
			da = t;
			sport = dport;
			dport = tp;
		}
	}
	buf[n++] = (uint8_t)(seed >> 8);
	buf[n++] = (uint8_t)seed;
	memcpy(buf + n, sa, al);
	n += al;
	memcpy(buf + n, da, dl);
	n += dl;
	buf[n++] = proto;
	buf[n++] = 0;
	if (has_ports) {
		buf[n++] = (uint8_t)(sport >> 8);
		buf[n++] = (uint8_t)sport;
		buf[n++] = (uint8_t)(dport >> 8);
		buf[n++] = (uint8_t)dport;
	}
	c2c_sha1(buf, n, dig);
	out[0] = '1';
	out[1] = ':';
	if (base64)
		(void)c2c_base64(dig, sizeof(dig), out + 2);
	else
		(void)c2c_hex(dig, sizeof(dig), out + 2);
	return true;
}
