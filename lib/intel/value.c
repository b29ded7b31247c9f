/*
 * The value classifier every loader shares: one textual indicator ("1.2.3.4", "1.2.3.4:443",
 * "[2001:db8::1]:443", "10.0.0.0/8", "evil.example", ".evil.example", "*.evil.example",
 * "http://evil.example/gate.php", "evil.example/gate.php") to a typed c2c__ioc. URL keys are
 * canonical: scheme dropped, host lower-case, default ports (80, 443) dropped, fragment dropped,
 * empty path = "/"; a URL that names only a host ("http://1.2.3.4/") becomes a host indicator.
 */
#include <string.h>

#include "intel/internal.h"

static char
lower(char c)
{
	return (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
}

bool
c2c__domain_canon(const char *s, size_t len, char *out)
{
	size_t label = 0, labels = 1;
	bool digits_only = true;
	if (len == 0 || len > 253 || s[0] == '.' || s[len - 1] == '.')
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (c == '.') {
			if (label == 0)
				return false;
			label = 0;
			labels++;
			digits_only = true;
			out[i] = '.';
			continue;
		}
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '_';
		if (!ok || ++label > 63)
			return false;
		if (c < '0' || c > '9')
			digits_only = false;
		out[i] = lower(c);
	}
	out[len] = '\0';
	return labels >= 2 && !digits_only;
}

static bool
all_digits(const char *s, size_t len)
{
	if (len == 0)
		return false;
	for (size_t i = 0; i < len; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

/* "1".."65535" */
static bool
parse_port(const char *s, size_t len, uint16_t *port)
{
	unsigned v = 0;
	if (!all_digits(s, len) || len > 5)
		return false;
	for (size_t i = 0; i < len; i++)
		v = v * 10 + (unsigned)(s[i] - '0');
	if (v == 0 || v > 65535)
		return false;
	*port = (uint16_t)v;
	return true;
}

/* Looks like an address attempt: only hex digits, dots, colons, slashes, brackets. */
static bool
addressy(const char *s, size_t len)
{
	bool dig = false;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (c >= '0' && c <= '9')
			dig = true;
		else if (!((c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == '.' || c == ':' ||
			     c == '/' || c == '[' || c == ']'))
			return false;
	}
	return dig;
}

/* Host part of a URL or host:port: an IP or a domain; fills ip/str. */
static bool
parse_host(const char *h, size_t hl, struct c2c__ioc *ioc, char *scratch)
{
	if (hl >= 2 && h[0] == '[' && h[hl - 1] == ']') {
		h++;
		hl -= 2;
	}
	if (c2c_ip_parsen(&ioc->ip, h, hl) == C2C_OK) {
		ioc->type = ioc->ip.family == 4 ? C2C_IOC_IPV4 : C2C_IOC_IPV6;
		ioc->prefix = ioc->ip.family == 4 ? 32 : 128;
		return true;
	}
	if (!c2c__domain_canon(h, hl, scratch))
		return false;
	ioc->type = C2C_IOC_DOMAIN;
	ioc->str = scratch;
	ioc->str_len = hl;
	return true;
}

/* URL without scheme: host[:port][/path][?query][#frag]. */
static bool
parse_url(const char *s, size_t len, struct c2c__ioc *ioc, char *scratch, const char **reason)
{
	size_t hend = 0;
	while (hend < len && s[hend] != '/' && s[hend] != '?' && s[hend] != '#')
		hend++;
	size_t hl = hend, pstart = hend;
	/* port: the last ':' outside brackets */
	const char *host = s;
	size_t portpos = 0;
	for (size_t i = hl; i > 0; i--) {
		if (s[i - 1] == ']')
			break;
		if (s[i - 1] == ':') {
			portpos = i;
			break;
		}
	}
	uint16_t port = 0;
	if (portpos > 0) {
		if (!parse_port(s + portpos, hl - portpos, &port)) {
			*reason = "bad port in URL";
			return false;
		}
		hl = portpos - 1;
	}
	if (hl == 0) {
		*reason = "URL without a host";
		return false;
	}
	size_t pend = len;
	for (size_t i = pstart; i < len; i++)
		if (s[i] == '#') {
			pend = i;
			break;
		}
	bool bare = pend == pstart || (pend - pstart == 1 && s[pstart] == '/');
	struct c2c__ioc h = *ioc;
	if (!parse_host(host, hl, &h, scratch)) {
		*reason = "URL host is neither an address nor a domain name";
		return false;
	}
	if (bare) {
		/* A URL that names only a host is that host (port kept when given). */
		*ioc = h;
		ioc->port = port;
		return true;
	}
	/* key = host[:port] + path */
	size_t n = 0;
	for (size_t i = 0; i < hl; i++)
		scratch[n++] = lower(host[i]);
	if (port != 0 && port != 80 && port != 443) {
		scratch[n++] = ':';
		memcpy(scratch + n, s + portpos, hend - portpos);
		n += hend - portpos;
	}
	if (s[pstart] != '/')
		scratch[n++] = '/';
	memcpy(scratch + n, s + pstart, pend - pstart);
	n += pend - pstart;
	scratch[n] = '\0';
	ioc->type = C2C_IOC_URL;
	ioc->str = scratch;
	ioc->str_len = n;
	ioc->port = 0;
	return true;
}

bool
c2c__ioc_parse_value(const char *s, size_t len, struct c2c__ioc *ioc, char *scratch,
    const char **reason, bool *malformed)
{
	while (len > 0 && c2c__is_space(*s)) {
		s++;
		len--;
	}
	while (len > 0 && c2c__is_space(s[len - 1]))
		len--;
	*malformed = false;
	if (len == 0) {
		*reason = "empty value";
		*malformed = true;
		return false;
	}
	if (len > 2000) {
		*reason = "value longer than 2000 bytes";
		*malformed = true;
		return false;
	}
	/* scheme://rest */
	for (size_t i = 0; i + 2 < len && i < 16; i++) {
		if (s[i] == ':' && s[i + 1] == '/' && s[i + 2] == '/') {
			if (i == 0) {
				*reason = "URL without a scheme name";
				*malformed = true;
				return false;
			}
			if (!parse_url(s + i + 3, len - i - 3, ioc, scratch, reason)) {
				*malformed = true;
				return false;
			}
			return true;
		}
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
			c == '+' || c == '-' || c == '.'))
			break;
	}
	/* [v6]:port */
	if (s[0] == '[') {
		const char *rb = memchr(s, ']', len);
		if (rb == NULL || (size_t)(rb - s) + 1 == len || rb[1] != ':' ||
		    !parse_port(rb + 2, len - (size_t)(rb - s) - 2, &ioc->port) ||
		    c2c_ip_parsen(&ioc->ip, s + 1, (size_t)(rb - s) - 1) != C2C_OK ||
		    ioc->ip.family != 6) {
			*reason = "bad [IPv6]:port";
			*malformed = true;
			return false;
		}
		ioc->type = C2C_IOC_IPV6;
		ioc->prefix = 128;
		return true;
	}
	const char *slash = memchr(s, '/', len);
	if (slash != NULL) {
		size_t hl = (size_t)(slash - s);
		struct c2c_ip ip;
		if (hl > 0 && c2c_ip_parsen(&ip, s, hl) == C2C_OK &&
		    all_digits(slash + 1, len - hl - 1)) {
			unsigned plen = 0, max = ip.family == 4 ? 32 : 128;
			for (size_t i = hl + 1; i < len && plen <= 128; i++)
				plen = plen * 10 + (unsigned)(s[i] - '0');
			if (plen > max || len - hl - 1 > 3) {
				*reason = "CIDR prefix length out of range";
				*malformed = true;
				return false;
			}
			/* clear host bits through the core helper */
			char tmp[80];
			memcpy(tmp, s, len);
			tmp[len] = '\0';
			if (c2c_cidr_parse(&ioc->ip, &ioc->prefix, tmp) != C2C_OK) {
				*reason = "bad CIDR";
				*malformed = true;
				return false;
			}
			if (ioc->prefix == max) {
				ioc->type = ip.family == 4 ? C2C_IOC_IPV4 : C2C_IOC_IPV6;
			} else {
				ioc->type = C2C_IOC_CIDR;
			}
			return true;
		}
		if (hl == 0) {
			*reason = "path without a host";
			return false;
		}
		if (!parse_url(s, len, ioc, scratch, reason)) {
			*malformed = addressy(s, hl);
			return false;
		}
		return true;
	}
	const char *colon = memchr(s, ':', len);
	if (colon != NULL && memchr(colon + 1, ':', len - (size_t)(colon - s) - 1) == NULL) {
		/* host:port */
		size_t hl = (size_t)(colon - s);
		if (!parse_port(colon + 1, len - hl - 1, &ioc->port)) {
			*reason = "bad port";
			*malformed = true;
			return false;
		}
		if (hl == 0 || !parse_host(s, hl, ioc, scratch) || ioc->type == C2C_IOC_IPV6) {
			*reason = "bad host before port";
			*malformed = true;
			return false;
		}
		return true;
	}
	if (c2c_ip_parsen(&ioc->ip, s, len) == C2C_OK) {
		ioc->type = ioc->ip.family == 4 ? C2C_IOC_IPV4 : C2C_IOC_IPV6;
		ioc->prefix = ioc->ip.family == 4 ? 32 : 128;
		return true;
	}
	bool suffix = false;
	if (len > 2 && s[0] == '*' && s[1] == '.') {
		s += 2;
		len -= 2;
		suffix = true;
	} else if (len > 1 && s[0] == '.') {
		s++;
		len--;
		suffix = true;
	}
	if (c2c__domain_canon(s, len, scratch)) {
		ioc->type = suffix ? C2C_IOC_DOMAIN_SUFFIX : C2C_IOC_DOMAIN;
		ioc->str = scratch;
		ioc->str_len = len;
		return true;
	}
	if (addressy(s, len)) {
		*reason = "malformed address";
		*malformed = true;
		return false;
	}
	*reason = "not an address, CIDR, domain or URL";
	return false;
}
