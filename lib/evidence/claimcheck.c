/*
 * What a claim says, checked against what its re-parsed records say (the record step of
 * c2c_verify_case). A checker is set up from the claim's JSON; every cited record is re-parsed
 * into the checker's sink between c2c__chk_rec_begin() and c2c__chk_rec_end(), which decides
 * whether that record supports the claim; c2c__chk_finish() then compares the claim's counts
 * with what all its records showed together:
 *   - every type: the record names the claim's host and peer (either direction), the peer's
 *     port and a time inside [first_seen, last_seen], or an observation names its FQDN;
 *   - intel-hit: the record also shows the indicator (address or prefix as an endpoint or a
 *     DNS answer, name as a DNS query or answer, TLS SNI or HTTP Host, JA3, certificate);
 *   - beacon, strobe: at least `connections` distinct connection records;
 *   - long-connection: the connections' durations add up to `total_duration_us`;
 *   - dns-tunnel: each record is a DNS query below the FQDN from the host; `queries` records
 *     and `unique_names` distinct names;
 *   - infrastructure: each record involves the endpoint (address or DNS answer); every listed
 *     certificate and JA3S is shown by a cited record;
 *   - cluster-edge: each record shows the shared value (FQDN, certificate, JA3S) at one of the
 *     two endpoints, and both endpoints are covered.
 * Counts are compared only for claims whose recheck is "records" (the cited records are all
 * the method saw); other claims are re-derived from the full inputs instead.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "evidence/internal.h"

#define CHK_MAX_VALUES 16 /* certificates / JA3S values tracked per infrastructure claim */

enum ctype { CT_GENERIC, CT_INTEL, CT_SERIES, CT_LONG, CT_DNST, CT_INFRA, CT_EDGE };
enum ind { IND_NONE, IND_IP, IND_CIDR, IND_NAME, IND_URL, IND_JA3, IND_CERT };
enum ekind { EK_OTHER, EK_FQDN, EK_CERT, EK_JA3S };

struct grp {
	uint8_t key[48];
	c2c_time lo, hi;
};

struct c2c__chk {
	enum ctype type;
	bool records; /* recheck == "records": counts are compared */
	/* subject and window */
	bool have_host, have_peer, have_port, have_t1, have_t2, have_fqdn;
	struct c2c_ip host, peer;
	uint16_t port;
	c2c_time t1, t2;
	char fqdn[C2C_NAME_MAX];
	/* intel-hit indicator */
	enum ind ind;
	struct c2c_ip ind_ip;
	unsigned ind_plen;
	char ind_val[C2C_NAME_MAX];
	uint8_t ind_cert[32];
	/* infrastructure (ip in host) and cluster-edge (a in host, b in peer) */
	enum ekind ek;
	char value[C2C_NAME_MAX];
	uint8_t cert[32];
	size_t n_certs, n_ja3s;
	uint8_t certs[CHK_MAX_VALUES][32];
	char ja3s[CHK_MAX_VALUES][33];
	bool cert_seen[CHK_MAX_VALUES], ja3s_seen[CHK_MAX_VALUES];
	bool a_seen, b_seen;
	uint64_t client_only; /* TLS records showing only the client's side of the handshake */
	/* the record being re-parsed */
	uint64_t rec_off;
	int32_t rec_idx;
	uint32_t rec_input;
	unsigned delivered, matched;
	bool rec_flow, rec_dns;
	char seen[240];
	/* claim totals */
	uint64_t n_records, flow_records, dns_records;
	struct grp *g;
	size_t ng, gcap;
	uint64_t *names;
	size_t nn, ncap;
	c2c_err err;
};

static const char *
jstr(const json_t *o, const char *k)
{
	const json_t *v = json_object_get(o, k);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

static bool
jint(const json_t *o, const char *k, int64_t *out)
{
	const json_t *v = json_object_get(o, k);
	if (!json_is_integer(v))
		return false;
	*out = json_integer_value(v);
	return true;
}

static void
set_name(char *dst, const char *s)
{
	size_t n = strlen(s);
	if (n >= C2C_NAME_MAX)
		n = C2C_NAME_MAX - 1;
	for (size_t i = 0; i < n; i++)
		dst[i] = (char)(s[i] >= 'A' && s[i] <= 'Z' ? s[i] + 32 : s[i]);
	while (n > 0 && dst[n - 1] == '.')
		n--;
	dst[n] = '\0';
}

/* `name` is `want` or a name below it (case-insensitive, trailing dots ignored). */
static bool
name_under(const char *name, const char *want)
{
	size_t nl = strlen(name), wl = strlen(want);
	while (nl > 0 && name[nl - 1] == '.')
		nl--;
	if (wl == 0 || nl < wl)
		return false;
	return strncasecmp(name + nl - wl, want, wl) == 0 &&
	    (nl == wl || name[nl - wl - 1] == '.');
}

static void
setup_indicator(struct c2c__chk *c, const json_t *ind)
{
	const char *t = jstr(ind, "type"), *v = jstr(ind, "value");
	if (t == NULL || v == NULL)
		return;
	if ((strcmp(t, "ipv4") == 0 || strcmp(t, "ipv6") == 0) &&
	    c2c_ip_parse(&c->ind_ip, v) == C2C_OK) {
		c->ind = IND_IP;
	} else if (strcmp(t, "cidr") == 0 &&
	    c2c_cidr_parse(&c->ind_ip, &c->ind_plen, v) == C2C_OK) {
		c->ind = IND_CIDR;
	} else if (strcmp(t, "domain") == 0 || strcmp(t, "domain-suffix") == 0) {
		c->ind = IND_NAME;
		set_name(c->ind_val, v);
	} else if (strcmp(t, "url") == 0) {
		/* The host part: scheme://host[:port]/... or host/... */
		const char *h = strstr(v, "://");
		size_t n;
		h = h != NULL ? h + 3 : v;
		n = strcspn(h, ":/?#");
		if (n > 0 && n < sizeof(c->ind_val)) {
			char tmp[C2C_NAME_MAX];
			memcpy(tmp, h, n);
			tmp[n] = '\0';
			set_name(c->ind_val, tmp);
			c->ind = IND_URL;
		}
	} else if (strcmp(t, "ja3") == 0 && strlen(v) == 32) {
		set_name(c->ind_val, v);
		c->ind = IND_JA3;
	} else if (strcmp(t, "cert-sha256") == 0 &&
	    c2c_unhex(v, strlen(v), c->ind_cert, 32) == C2C_OK) {
		c->ind = IND_CERT;
	}
}

static void
setup_edge(struct c2c__chk *c, const json_t *claim)
{
	const json_t *res = json_object_get(claim, "result");
	const char *k = jstr(res, "kind"), *v = jstr(res, "value");
	c->type = CT_EDGE;
	c->have_host = jstr(json_object_get(claim, "subject"), "a") != NULL &&
	    c2c_ip_parse(&c->host, jstr(json_object_get(claim, "subject"), "a")) == C2C_OK;
	c->have_peer = jstr(json_object_get(claim, "subject"), "b") != NULL &&
	    c2c_ip_parse(&c->peer, jstr(json_object_get(claim, "subject"), "b")) == C2C_OK;
	if (k == NULL || v == NULL)
		return;
	if (strcmp(k, "shared-fqdn") == 0) {
		c->ek = EK_FQDN;
		set_name(c->value, v);
	} else if (strcmp(k, "same-certificate") == 0 &&
	    c2c_unhex(v, strlen(v), c->cert, 32) == C2C_OK) {
		c->ek = EK_CERT;
	} else if (strcmp(k, "same-ja3s-ports") == 0 && strcspn(v, " ") == 32) {
		memcpy(c->value, v, 32);
		c->value[32] = '\0';
		c->ek = EK_JA3S;
	}
}

static void
setup_infra(struct c2c__chk *c, const json_t *claim)
{
	const json_t *res = json_object_get(claim, "result"), *v;
	const char *ip = jstr(json_object_get(claim, "subject"), "ip");
	size_t i;
	c->type = CT_INFRA;
	c->have_host = ip != NULL && c2c_ip_parse(&c->host, ip) == C2C_OK;
	json_array_foreach(json_object_get(res, "cert_sha256"), i, v) {
		if (c->n_certs < CHK_MAX_VALUES && json_is_string(v) &&
		    c2c_unhex(json_string_value(v), strlen(json_string_value(v)),
			c->certs[c->n_certs], 32) == C2C_OK)
			c->n_certs++;
	}
	json_array_foreach(json_object_get(res, "ja3s"), i, v) {
		if (c->n_ja3s < CHK_MAX_VALUES && json_is_string(v) &&
		    strlen(json_string_value(v)) == 32) {
			memcpy(c->ja3s[c->n_ja3s], json_string_value(v), 33);
			c->n_ja3s++;
		}
	}
}

c2c_err
c2c__chk_new(const json_t *claim, struct c2c__chk **out)
{
	const json_t *subj = json_object_get(claim, "subject"), *port;
	const char *type = jstr(claim, "type"), *s, *rc;
	struct c2c__chk *c = c2c_calloc(1, sizeof(*c));

	if (c == NULL)
		return C2C_ENOMEM;
	rc = jstr(claim, "recheck");
	c->records = rc != NULL && strcmp(rc, "records") == 0;
	if (type == NULL)
		type = "";
	if (strcmp(type, "cluster-edge") == 0) {
		setup_edge(c, claim);
		*out = c;
		return C2C_OK;
	}
	if (strcmp(type, "infrastructure") == 0) {
		setup_infra(c, claim);
		*out = c;
		return C2C_OK;
	}
	c->type = strcmp(type, "intel-hit") == 0 ? CT_INTEL
	    : strcmp(type, "beacon") == 0 || strcmp(type, "strobe") == 0 ? CT_SERIES
	    : strcmp(type, "long-connection") == 0			     ? CT_LONG
	    : strcmp(type, "dns-tunnel") == 0				     ? CT_DNST
									     : CT_GENERIC;
	s = jstr(subj, "host");
	c->have_host = s != NULL && c2c_ip_parse(&c->host, s) == C2C_OK;
	s = jstr(subj, "peer");
	c->have_peer = s != NULL && c2c_ip_parse(&c->peer, s) == C2C_OK;
	port = json_object_get(subj, "peer_port");
	if (json_is_integer(port) && json_integer_value(port) >= 0 &&
	    json_integer_value(port) <= 65535) {
		c->have_port = true;
		c->port = (uint16_t)json_integer_value(port);
	}
	s = jstr(subj, "fqdn");
	if (s == NULL)
		s = jstr(subj, "domain");
	if (s != NULL) {
		c->have_fqdn = true;
		set_name(c->fqdn, s);
	}
	s = jstr(claim, "first_seen");
	c->have_t1 = s != NULL && c2c_time_parse(&c->t1, s, strlen(s)) == C2C_OK;
	s = jstr(claim, "last_seen");
	c->have_t2 = s != NULL && c2c_time_parse(&c->t2, s, strlen(s)) == C2C_OK;
	if (c->type == CT_INTEL)
		setup_indicator(c, json_object_get(json_object_get(claim, "result"), "indicator"));
	*out = c;
	return C2C_OK;
}

void
c2c__chk_free(struct c2c__chk *c)
{
	if (c == NULL)
		return;
	c2c_free(c->g);
	c2c_free(c->names);
	c2c_free(c);
}

void
c2c__chk_rec_begin(struct c2c__chk *c, uint32_t input, uint64_t off, int32_t rec)
{
	c->rec_input = input;
	c->rec_off = off;
	c->rec_idx = rec;
	c->delivered = c->matched = 0;
	c->rec_flow = c->rec_dns = false;
	c->seen[0] = '\0';
}

/* ---- one re-parsed flow or observation ---------------------------------------------------- */

static bool
in_window(const struct c2c__chk *c, c2c_time ts)
{
	return (!c->have_t1 || ts >= c->t1) && (!c->have_t2 || ts <= c->t2);
}

static bool
endpoint_match(const struct c2c__chk *c, const struct c2c_ip *a, uint16_t ap,
    const struct c2c_ip *b, uint16_t bp)
{
	/* a -> b in the record; the claim names host and peer (peer port on the peer side). */
	bool fwd = (!c->have_host || c2c_ip_eq(a, &c->host)) &&
	    (!c->have_peer || c2c_ip_eq(b, &c->peer)) && (!c->have_port || bp == c->port);
	bool rev = (!c->have_host || c2c_ip_eq(b, &c->host)) &&
	    (!c->have_peer || c2c_ip_eq(a, &c->peer)) && (!c->have_port || ap == c->port);
	return fwd || rev;
}

static void
note(struct c2c__chk *c, const char *what, const struct c2c_ip *a, uint16_t ap,
    const struct c2c_ip *b, uint16_t bp, c2c_time ts)
{
	char sa[C2C_IP_STRLEN], sb[C2C_IP_STRLEN], t[32];
	(void)snprintf(c->seen, sizeof(c->seen), "the record shows %s %s:%u -> %s:%u at %s", what,
	    c2c_ip_format(a, sa, sizeof(sa)), ap, c2c_ip_format(b, sb, sizeof(sb)), bp,
	    c2c_time_format_iso(ts, t, sizeof(t)));
}

static bool
ip_shown(const struct c2c_ip *want, unsigned plen, bool cidr, const struct c2c_ip *ip)
{
	if (ip->family == 0)
		return false;
	return cidr ? c2c_ip_in_cidr(ip, want, plen) : c2c_ip_eq(ip, want);
}

/* Does the observation name `ip` (as one of its endpoints or, for DNS, an A/AAAA answer)? */
static bool
obs_has_ip(const struct c2c_obs *o, const struct c2c_ip *ip, unsigned plen, bool cidr,
    bool endpoints)
{
	if (endpoints && (ip_shown(ip, plen, cidr, &o->orig) || ip_shown(ip, plen, cidr, &o->resp)))
		return true;
	if (o->kind == C2C_OBS_DNS)
		for (unsigned i = 0; i < o->u.dns.n_answers && i < C2C_DNS_MAX_ANSWERS; i++)
			if ((o->u.dns.answers[i].type == 1 || o->u.dns.answers[i].type == 28) &&
			    ip_shown(ip, plen, cidr, &o->u.dns.answers[i].ip))
				return true;
	return false;
}

/* Does the observation name `name` (or a name below it)? */
static bool
obs_has_name(const struct c2c_obs *o, const char *name)
{
	switch (o->kind) {
	case C2C_OBS_DNS:
		if (name_under(o->u.dns.query, name))
			return true;
		for (unsigned i = 0; i < o->u.dns.n_answers && i < C2C_DNS_MAX_ANSWERS; i++)
			if (o->u.dns.answers[i].type != 1 && o->u.dns.answers[i].type != 28 &&
			    name_under(o->u.dns.answers[i].text, name))
				return true;
		return false;
	case C2C_OBS_TLS:
		return name_under(o->u.tls.sni, name);
	case C2C_OBS_HTTP: {
		char h[C2C_NAME_MAX];
		size_t n = strcspn(o->u.http.host, ":");
		if (o->u.http.host[0] == '[' || n >= sizeof(h))
			return false;
		memcpy(h, o->u.http.host, n);
		h[n] = '\0';
		return name_under(h, name);
	}
	default:
		return false;
	}
}

static bool
flow_shows_indicator(const struct c2c__chk *c, const struct c2c_flow *f)
{
	switch (c->ind) {
	case IND_NONE:
		return true;
	case IND_IP:
	case IND_CIDR:
		return ip_shown(&c->ind_ip, c->ind_plen, c->ind == IND_CIDR, &f->orig) ||
		    ip_shown(&c->ind_ip, c->ind_plen, c->ind == IND_CIDR, &f->resp);
	default:
		return false; /* names, JA3 and certificates are seen in observations only */
	}
}

static bool
obs_shows_indicator(const struct c2c__chk *c, const struct c2c_obs *o)
{
	switch (c->ind) {
	case IND_NONE:
		return true;
	case IND_IP:
	case IND_CIDR:
		return obs_has_ip(o, &c->ind_ip, c->ind_plen, c->ind == IND_CIDR, true);
	case IND_NAME:
		return obs_has_name(o, c->ind_val);
	case IND_URL:
		return o->kind == C2C_OBS_HTTP && obs_has_name(o, c->ind_val);
	case IND_JA3:
		return o->kind == C2C_OBS_TLS && strcasecmp(o->u.tls.ja3, c->ind_val) == 0;
	case IND_CERT:
		return o->kind == C2C_OBS_TLS && o->u.tls.have_cert &&
		    memcmp(o->u.tls.cert_sha256, c->ind_cert, 32) == 0;
	}
	return false;
}

/* The connection a flow belongs to: its canonical 5-tuple for packets (the first and the last
 * packet of one connection are two records), the record itself for log lines and exports. */
static c2c_err
group_add(struct c2c__chk *c, const struct c2c_flow *f)
{
	struct grp *g;
	if (c->ng == c->gcap) {
		size_t ncap = c->gcap ? c->gcap * 2 : 64;
		struct grp *n = c2c_reallocarray(c->g, ncap, sizeof(*n));
		if (n == NULL)
			return C2C_ENOMEM;
		c->g = n;
		c->gcap = ncap;
	}
	g = &c->g[c->ng++];
	memset(g, 0, sizeof(*g));
	if (f->src == C2C_SRC_PCAP) {
		const struct c2c_ip *lo = &f->orig, *hi = &f->resp;
		uint16_t lp = f->orig_port, hp = f->resp_port;
		int cmp = c2c_ip_cmp(lo, hi);
		if (cmp > 0 || (cmp == 0 && lp > hp)) {
			lo = &f->resp;
			hi = &f->orig;
			lp = f->resp_port;
			hp = f->orig_port;
		}
		g->key[0] = 1;
		g->key[1] = f->proto;
		memcpy(g->key + 2, lo->a, 16);
		g->key[18] = lo->family;
		memcpy(g->key + 19, hi->a, 16);
		g->key[35] = hi->family;
		g->key[36] = (uint8_t)(lp >> 8);
		g->key[37] = (uint8_t)lp;
		g->key[38] = (uint8_t)(hp >> 8);
		g->key[39] = (uint8_t)hp;
	} else {
		g->key[0] = 2;
		for (int i = 0; i < 4; i++)
			g->key[1 + i] = (uint8_t)(c->rec_input >> (24 - 8 * i));
		for (int i = 0; i < 8; i++)
			g->key[5 + i] = (uint8_t)(c->rec_off >> (56 - 8 * i));
		for (int i = 0; i < 4; i++)
			g->key[13 + i] = (uint8_t)((uint32_t)c->rec_idx >> (24 - 8 * i));
	}
	g->lo = f->ts;
	g->hi = f->last > f->ts ? f->last : f->ts;
	return C2C_OK;
}

static c2c_err
name_add(struct c2c__chk *c, const char *query)
{
	char n[C2C_NAME_MAX];
	static const uint8_t key[16] = { 'c', '2', 'c', 'h', 'a', 'i', 'n', '.', 'n', 'a', 'm',
		'e', 's', 0, 0, 0 };
	if (c->nn == c->ncap) {
		size_t ncap = c->ncap ? c->ncap * 2 : 64;
		uint64_t *v = c2c_reallocarray(c->names, ncap, sizeof(*v));
		if (v == NULL)
			return C2C_ENOMEM;
		c->names = v;
		c->ncap = ncap;
	}
	set_name(n, query);
	c->names[c->nn++] = c2c_siphash(n, strlen(n), key);
	return C2C_OK;
}

static c2c_err
chk_flow(void *ctx, const struct c2c_flow *f)
{
	struct c2c__chk *c = ctx;
	bool ok;
	c->delivered++;
	switch (c->type) {
	case CT_DNST:
		ok = false; /* only the DNS observation of a query counts */
		break;
	case CT_INFRA:
		ok = c->have_host && (c2c_ip_eq(&f->orig, &c->host) || c2c_ip_eq(&f->resp, &c->host));
		break;
	case CT_EDGE:
		ok = false; /* the shared value is in an observation */
		break;
	default:
		ok = endpoint_match(c, &f->orig, f->orig_port, &f->resp, f->resp_port) &&
		    in_window(c, f->ts) && (c->type != CT_INTEL || flow_shows_indicator(c, f));
		break;
	}
	if (!ok) {
		if (c->seen[0] == '\0')
			note(c, "a flow", &f->orig, f->orig_port, &f->resp, f->resp_port, f->ts);
		return C2C_OK;
	}
	c->matched++;
	if (!c->rec_flow && (c->type == CT_SERIES || c->type == CT_LONG)) {
		c->rec_flow = true;
		c->flow_records++;
	}
	if (c->type == CT_LONG && c->err == C2C_OK)
		c->err = group_add(c, f);
	return C2C_OK;
}

static bool
obs_generic(const struct c2c__chk *c, const struct c2c_obs *o)
{
	bool host_ok = !c->have_host || c2c_ip_eq(&o->orig, &c->host) ||
	    c2c_ip_eq(&o->resp, &c->host);
	/* An observation names the claim's peer or FQDN in its content (a DNS answer resolving
	 * to the peer, a query, SNI or HTTP Host naming the FQDN) or in its endpoints. The name
	 * may have been learnt before the first connection (the lookup precedes it), never after
	 * the last. */
	if (host_ok && (!c->have_t2 || o->ts <= c->t2) &&
	    ((c->have_fqdn && obs_has_name(o, c->fqdn)) ||
		(c->have_peer && obs_has_ip(o, &c->peer, 0, false, false))))
		return true;
	return in_window(c, o->ts) &&
	    endpoint_match(c, &o->orig, o->orig_port, &o->resp, o->resp_port);
}

static bool
client_side_only(const struct c2c_obs *o)
{
	return o->kind == C2C_OBS_TLS && !o->u.tls.have_cert && o->u.tls.ja3s[0] == '\0';
}

static bool
obs_edge(struct c2c__chk *c, const struct c2c_obs *o)
{
	bool shows, at_a, at_b;
	switch (c->ek) {
	case EK_FQDN:
		shows = obs_has_name(o, c->value);
		break;
	case EK_CERT:
	case EK_JA3S:
		if (o->kind != C2C_OBS_TLS)
			return false;
		if (client_side_only(o)) {
			/* A capture cites the handshake by its ClientHello packet: the server's
			 * certificate and JA3S are in later packets, not in this record. */
			shows = true;
			c->client_only++;
		} else if (c->ek == EK_CERT) {
			shows = o->u.tls.have_cert && memcmp(o->u.tls.cert_sha256, c->cert, 32) == 0;
		} else {
			shows = strcasecmp(o->u.tls.ja3s, c->value) == 0;
		}
		break;
	case EK_OTHER:
	default:
		shows = true;
		break;
	}
	at_a = c->have_host && obs_has_ip(o, &c->host, 0, false, true);
	at_b = c->have_peer && obs_has_ip(o, &c->peer, 0, false, true);
	if (!shows || (!at_a && !at_b))
		return false;
	c->a_seen = c->a_seen || at_a;
	c->b_seen = c->b_seen || at_b;
	return true;
}

static c2c_err
chk_obs(void *ctx, const struct c2c_obs *o)
{
	struct c2c__chk *c = ctx;
	bool ok;
	c->delivered++;
	switch (c->type) {
	case CT_DNST:
		ok = o->kind == C2C_OBS_DNS && c->have_fqdn && name_under(o->u.dns.query, c->fqdn) &&
		    (!c->have_host || c2c_ip_eq(&o->orig, &c->host)) && in_window(c, o->ts);
		if (ok && !c->rec_dns) {
			c->rec_dns = true;
			c->dns_records++;
			if (c->err == C2C_OK)
				c->err = name_add(c, o->u.dns.query);
		}
		break;
	case CT_INFRA:
		ok = c->have_host && obs_has_ip(o, &c->host, 0, false, true);
		if (ok && client_side_only(o))
			c->client_only++;
		else if (ok && o->kind == C2C_OBS_TLS) {
			for (size_t i = 0; i < c->n_certs; i++)
				c->cert_seen[i] = c->cert_seen[i] ||
				    (o->u.tls.have_cert &&
					memcmp(o->u.tls.cert_sha256, c->certs[i], 32) == 0);
			for (size_t i = 0; i < c->n_ja3s; i++)
				c->ja3s_seen[i] = c->ja3s_seen[i] ||
				    strcasecmp(o->u.tls.ja3s, c->ja3s[i]) == 0;
		}
		break;
	case CT_EDGE:
		ok = obs_edge(c, o);
		break;
	default:
		ok = obs_generic(c, o) && (c->type != CT_INTEL || obs_shows_indicator(c, o));
		break;
	}
	if (!ok) {
		if (c->seen[0] == '\0') {
			const char *what = o->kind == C2C_OBS_DNS ? "a DNS observation"
			    : o->kind == C2C_OBS_TLS	       ? "a TLS observation"
							       : "an HTTP observation";
			note(c, what, &o->orig, o->orig_port, &o->resp, o->resp_port, o->ts);
			if (o->kind == C2C_OBS_DNS || o->kind == C2C_OBS_TLS) {
				size_t l = strlen(c->seen);
				(void)snprintf(c->seen + l, sizeof(c->seen) - l, " naming %.100s",
				    o->kind == C2C_OBS_DNS ? o->u.dns.query : o->u.tls.sni);
			}
		}
		return C2C_OK;
	}
	c->matched++;
	return C2C_OK;
}

void
c2c__chk_sink(struct c2c__chk *c, struct c2c_sink *out)
{
	out->ctx = c;
	out->flow = chk_flow;
	out->obs = chk_obs;
}

c2c_err
c2c__chk_rec_end(struct c2c__chk *c, const char **why, char *msg, size_t len)
{
	if (c->err != C2C_OK)
		return c->err;
	c->n_records++;
	*why = NULL;
	if (c->delivered == 0) {
		*why = "record-parse";
		(void)snprintf(msg, len, "yields no flow or observation");
	} else if (c->matched == 0) {
		*why = "record-content";
		(void)snprintf(msg, len, "does not say what the claim says: %s", c->seen);
	}
	return C2C_OK;
}

static int
grp_cmp(const void *a, const void *b)
{
	return memcmp(((const struct grp *)a)->key, ((const struct grp *)b)->key, 48);
}

static int
u64_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

bool
c2c__chk_finish(struct c2c__chk *c, const json_t *claim, char *msg, size_t len)
{
	const json_t *res = json_object_get(claim, "result");
	int64_t want;

	if (c->n_records == 0)
		return true; /* a claim citing no records rests on other claims */
	switch (c->type) {
	case CT_SERIES:
		if (c->records && jint(res, "connections", &want) &&
		    (want < 0 || c->flow_records < (uint64_t)want)) {
			(void)snprintf(msg, len, "the claim counts %lld connections, its records show "
			    "only %llu", (long long)want, (unsigned long long)c->flow_records);
			return false;
		}
		return true;
	case CT_LONG: {
		int64_t total = 0;
		if (!c->records || !jint(res, "total_duration_us", &want))
			return true;
		if (c->ng > 1)
			qsort(c->g, c->ng, sizeof(*c->g), grp_cmp);
		for (size_t i = 0; i < c->ng;) {
			c2c_time lo = c->g[i].lo, hi = c->g[i].hi;
			size_t j = i + 1;
			for (; j < c->ng && memcmp(c->g[j].key, c->g[i].key, 48) == 0; j++) {
				lo = c->g[j].lo < lo ? c->g[j].lo : lo;
				hi = c->g[j].hi > hi ? c->g[j].hi : hi;
			}
			total += hi - lo;
			i = j;
		}
		if (total != want) {
			(void)snprintf(msg, len, "the claim's connections last %lld us in total, its "
			    "records show %lld us", (long long)want, (long long)total);
			return false;
		}
		return true;
	}
	case CT_DNST: {
		size_t u = 0;
		if (!c->records)
			return true;
		if (jint(res, "queries", &want) && (want < 0 || c->dns_records != (uint64_t)want)) {
			(void)snprintf(msg, len, "the claim counts %lld queries, its records show %llu",
			    (long long)want, (unsigned long long)c->dns_records);
			return false;
		}
		if (c->nn > 1)
			qsort(c->names, c->nn, sizeof(*c->names), u64_cmp);
		for (size_t i = 0; i < c->nn; i++)
			u += i == 0 || c->names[i] != c->names[i - 1];
		if (!json_is_true(json_object_get(res, "names_capped")) &&
		    jint(res, "unique_names", &want) && (want < 0 || u != (uint64_t)want)) {
			(void)snprintf(msg, len, "the claim counts %lld distinct names, its records "
			    "show %zu", (long long)want, u);
			return false;
		}
		return true;
	}
	case CT_INFRA:
		for (size_t i = 0; i < c->n_certs; i++)
			if (!c->cert_seen[i] && c->client_only == 0) {
				char hex[65];
				(void)snprintf(msg, len, "no cited record shows certificate %s at the "
				    "endpoint", c2c_hex(c->certs[i], 32, hex));
				return false;
			}
		for (size_t i = 0; i < c->n_ja3s; i++)
			if (!c->ja3s_seen[i] && c->client_only == 0) {
				(void)snprintf(msg, len, "no cited record shows JA3S %s at the endpoint",
				    c->ja3s[i]);
				return false;
			}
		return true;
	case CT_EDGE:
		/* One record per end; a single record may show the value at both. */
		if ((!c->a_seen && !c->b_seen) || (c->n_records > 1 && (!c->a_seen || !c->b_seen))) {
			(void)snprintf(msg, len, "the cited records show the shared %s only at %s",
			    jstr(res, "kind") != NULL ? jstr(res, "kind") : "fact",
			    c->a_seen ? "endpoint a" : c->b_seen ? "endpoint b" : "neither endpoint");
			return false;
		}
		return true;
	case CT_GENERIC:
	case CT_INTEL:
	default:
		return true;
	}
}

size_t
c2c__chk_note(const struct c2c__chk *c, char *buf, size_t len)
{
	int n = 0;
	if (c->client_only > 0)
		n = snprintf(buf, len, "; %llu cited TLS record(s) hold only the ClientHello: the "
		    "server certificate and JA3S are not re-checked from them",
		    (unsigned long long)c->client_only);
	else if (len > 0)
		buf[0] = '\0';
	return n > 0 ? (size_t)n : 0;
}
