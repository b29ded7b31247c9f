/*
 * IPv4/IPv6 addresses. IPv4 lives IPv4-mapped in the same 16 bytes as IPv6 (core.h), so one
 * comparison orders both families; the `family` byte keeps a real ::ffff:0:0/96 IPv6 address
 * distinct. Text forms follow RFC 5952 on output and accept RFC 4291 forms on input.
 */
#include <stdio.h>
#include <string.h>

#include "c2chain/core.h"

static const uint8_t v4mapped_prefix[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

void
c2c_ip_from_v4(struct c2c_ip *ip, uint32_t v)
{
	memcpy(ip->a, v4mapped_prefix, 12);
	ip->a[12] = (uint8_t)(v >> 24);
	ip->a[13] = (uint8_t)(v >> 16);
	ip->a[14] = (uint8_t)(v >> 8);
	ip->a[15] = (uint8_t)v;
	ip->family = 4;
}

void
c2c_ip_from_v4_bytes(struct c2c_ip *ip, const uint8_t b[4])
{
	memcpy(ip->a, v4mapped_prefix, 12);
	memcpy(ip->a + 12, b, 4);
	ip->family = 4;
}

void
c2c_ip_from_v6_bytes(struct c2c_ip *ip, const uint8_t b[16])
{
	memcpy(ip->a, b, 16);
	ip->family = 6;
}

uint32_t
c2c_ip_v4(const struct c2c_ip *ip)
{
	return (uint32_t)ip->a[12] << 24 | (uint32_t)ip->a[13] << 16 | (uint32_t)ip->a[14] << 8 |
	    ip->a[15];
}

int
c2c_ip_cmp(const struct c2c_ip *x, const struct c2c_ip *y)
{
	int c;
	if (x->family != y->family)
		return x->family < y->family ? -1 : 1;
	c = memcmp(x->a, y->a, 16);
	return c < 0 ? -1 : c > 0;
}

bool
c2c_ip_eq(const struct c2c_ip *x, const struct c2c_ip *y)
{
	return x->family == y->family && memcmp(x->a, y->a, 16) == 0;
}

static int
parse_v4(const char *s, size_t len, uint8_t out[4])
{
	size_t i = 0;
	for (int k = 0; k < 4; k++) {
		unsigned v = 0, digits = 0;
		if (k > 0) {
			if (i >= len || s[i] != '.')
				return -1;
			i++;
		}
		while (i < len && s[i] >= '0' && s[i] <= '9') {
			if (digits > 0 && v == 0)
				return -1; /* no leading zeros: 010 is ambiguous (octal) */
			v = v * 10 + (unsigned)(s[i] - '0');
			if (v > 255)
				return -1;
			digits++;
			i++;
		}
		if (digits == 0)
			return -1;
		out[k] = (uint8_t)v;
	}
	return i == len ? 0 : -1;
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int
parse_v6(const char *s, size_t len, uint8_t out[16])
{
	uint16_t words[8];
	int n = 0, gap = -1;
	size_t i = 0;

	if (len >= 2 && s[0] == ':' && s[1] == ':') {
		gap = 0;
		i = 2;
	} else if (len >= 1 && s[0] == ':') {
		return -1;
	}
	while (i < len) {
		size_t start = i;
		unsigned v = 0;
		int digits = 0, h;
		if (n >= 8)
			return -1;
		/* An embedded IPv4 tail (::ffff:1.2.3.4). */
		{
			size_t j = i;
			while (j < len && s[j] != ':')
				j++;
			if (memchr(s + i, '.', j - i) != NULL) {
				uint8_t v4[4];
				if (j != len || n > 6 || parse_v4(s + i, len - i, v4) != 0)
					return -1;
				words[n++] = (uint16_t)(v4[0] << 8 | v4[1]);
				words[n++] = (uint16_t)(v4[2] << 8 | v4[3]);
				i = len;
				break;
			}
		}
		while (i < len && (h = hexval(s[i])) >= 0) {
			v = v << 4 | (unsigned)h;
			if (++digits > 4)
				return -1;
			i++;
		}
		if (digits == 0)
			return -1;
		words[n++] = (uint16_t)v;
		(void)start;
		if (i == len)
			break;
		if (s[i] != ':')
			return -1;
		i++;
		if (i < len && s[i] == ':') {
			if (gap >= 0)
				return -1;
			gap = n;
			i++;
		} else if (i == len) {
			return -1; /* trailing single colon */
		}
	}
	if (gap < 0 && n != 8)
		return -1;
	if (gap >= 0 && n > 7)
		return -1;
	memset(out, 0, 16);
	if (gap < 0) {
		for (int k = 0; k < 8; k++) {
			out[2 * k] = (uint8_t)(words[k] >> 8);
			out[2 * k + 1] = (uint8_t)words[k];
		}
	} else {
		int tail = n - gap;
		for (int k = 0; k < gap; k++) {
			out[2 * k] = (uint8_t)(words[k] >> 8);
			out[2 * k + 1] = (uint8_t)words[k];
		}
		for (int k = 0; k < tail; k++) {
			int pos = 8 - tail + k;
			out[2 * pos] = (uint8_t)(words[gap + k] >> 8);
			out[2 * pos + 1] = (uint8_t)words[gap + k];
		}
	}
	return 0;
}

c2c_err
c2c_ip_parsen(struct c2c_ip *ip, const char *s, size_t len)
{
	uint8_t b[16];
	if (len == 0 || len >= C2C_IP_STRLEN)
		return C2C_EFORMAT;
	if (memchr(s, ':', len) == NULL) {
		if (parse_v4(s, len, b) != 0)
			return C2C_EFORMAT;
		c2c_ip_from_v4_bytes(ip, b);
		return C2C_OK;
	}
	if (parse_v6(s, len, b) != 0)
		return C2C_EFORMAT;
	c2c_ip_from_v6_bytes(ip, b);
	return C2C_OK;
}

c2c_err
c2c_ip_parse(struct c2c_ip *ip, const char *s)
{
	return c2c_ip_parsen(ip, s, strlen(s));
}

char *
c2c_ip_format(const struct c2c_ip *ip, char *buf, size_t len)
{
	int best = -1, bestlen = 0, cur = -1, curlen = 0;
	size_t o = 0;
	uint16_t w[8];

	if (ip->family == 4) {
		(void)snprintf(buf, len, "%u.%u.%u.%u", ip->a[12], ip->a[13], ip->a[14], ip->a[15]);
		return buf;
	}
	if (ip->family != 6) {
		(void)snprintf(buf, len, "-");
		return buf;
	}
	for (int k = 0; k < 8; k++)
		w[k] = (uint16_t)(ip->a[2 * k] << 8 | ip->a[2 * k + 1]);
	/* RFC 5952 §4.2: the longest run of two or more zero words, the first if tied. */
	for (int k = 0; k < 8; k++) {
		if (w[k] == 0) {
			if (cur < 0) {
				cur = k;
				curlen = 0;
			}
			curlen++;
			if (curlen > bestlen) {
				best = cur;
				bestlen = curlen;
			}
		} else {
			cur = -1;
		}
	}
	if (bestlen < 2)
		best = -1;
	/* IPv4-mapped and IPv4-compatible forms keep a dotted tail, as inet_ntop does. */
	if (best == 0 && (bestlen == 6 || (bestlen == 5 && w[5] == 0xffff)) &&
	    (w[6] != 0 || w[7] > 1 || bestlen == 5)) {
		(void)snprintf(buf, len, "::%s%u.%u.%u.%u", bestlen == 5 ? "ffff:" : "", ip->a[12],
		    ip->a[13], ip->a[14], ip->a[15]);
		return buf;
	}
	buf[0] = '\0';
	for (int k = 0; k < 8; k++) {
		int n;
		if (k == best) {
			n = snprintf(buf + o, len > o ? len - o : 0, "::");
			k += bestlen - 1;
		} else {
			n = snprintf(buf + o, len > o ? len - o : 0, "%s%x",
			    (k > 0 && k != best + bestlen) || (k > 0 && best < 0) ? ":" : "", w[k]);
		}
		if (n > 0)
			o += (size_t)n;
	}
	return buf;
}

c2c_err
c2c_cidr_parse(struct c2c_ip *net, unsigned *prefix_len, const char *s)
{
	const char *slash = strchr(s, '/');
	size_t alen = slash ? (size_t)(slash - s) : strlen(s);
	unsigned plen, maxlen;
	c2c_err rc = c2c_ip_parsen(net, s, alen);

	if (rc != C2C_OK)
		return rc;
	maxlen = net->family == 4 ? 32 : 128;
	if (slash == NULL) {
		plen = maxlen;
	} else {
		const char *p = slash + 1;
		plen = 0;
		if (*p == '\0')
			return C2C_EFORMAT;
		for (; *p; p++) {
			if (*p < '0' || *p > '9')
				return C2C_EFORMAT;
			plen = plen * 10 + (unsigned)(*p - '0');
			if (plen > maxlen)
				return C2C_EFORMAT;
		}
	}
	/* Clear host bits (bit positions counted within the family's own width). */
	{
		unsigned base = net->family == 4 ? 96 : 0, bits = base + plen;
		for (unsigned i = bits; i < 128; i++)
			net->a[i / 8] &= (uint8_t) ~(0x80u >> (i % 8));
	}
	*prefix_len = plen;
	return C2C_OK;
}

bool
c2c_ip_in_cidr(const struct c2c_ip *ip, const struct c2c_ip *net, unsigned len)
{
	unsigned bits;
	if (ip->family != net->family)
		return false;
	bits = (ip->family == 4 ? 96 : 0) + len;
	if (memcmp(ip->a, net->a, bits / 8) != 0)
		return false;
	if (bits % 8) {
		uint8_t mask = (uint8_t)(0xff00u >> (bits % 8));
		if ((ip->a[bits / 8] & mask) != (net->a[bits / 8] & mask))
			return false;
	}
	return true;
}

bool
c2c_ip_is_private(const struct c2c_ip *ip)
{
	static const struct {
		const char *cidr;
	} nets[] = { { "10.0.0.0/8" }, { "172.16.0.0/12" }, { "192.168.0.0/16" },
		{ "127.0.0.0/8" }, { "169.254.0.0/16" }, { "100.64.0.0/10" }, { "0.0.0.0/8" },
		{ "fc00::/7" }, { "fe80::/10" }, { "::1/128" }, { "::/128" } };
	if (ip->family == 4) {
		uint32_t v = c2c_ip_v4(ip);
		return (v >> 24) == 10 || (v >> 20) == 0xac1 || (v >> 16) == 0xc0a8 ||
		    (v >> 24) == 127 || (v >> 16) == 0xa9fe || (v >> 22) == (100u << 2 | 1) ||
		    (v >> 24) == 0;
	}
	for (size_t i = 7; i < C2C_ARRAY_LEN(nets); i++) {
		struct c2c_ip n;
		unsigned l;
		if (c2c_cidr_parse(&n, &l, nets[i].cidr) == C2C_OK && c2c_ip_in_cidr(ip, &n, l))
			return true;
	}
	return false;
}

uint64_t
c2c_ip_hash(const struct c2c_ip *ip, uint64_t seed)
{
	/* A fast multiplicative mix: addresses are not attacker-chosen keys of a DoS-sensitive
	 * table everywhere, but tables that are (flows) use c2c_siphash instead. */
	uint64_t a, b;
	memcpy(&a, ip->a, 8);
	memcpy(&b, ip->a + 8, 8);
	uint64_t h = seed ^ 0x9e3779b97f4a7c15ull ^ ip->family;
	h = (h ^ a) * 0xff51afd7ed558ccdull;
	h = (h ^ (h >> 33) ^ b) * 0xc4ceb9fe1a85ec53ull;
	return h ^ (h >> 33);
}
