/*
 * Host map: network -> country of the controlled hosts behind it, for the control matrix.
 * Entries come from the configuration (`internal_subnet CIDR CC`) and from CIDR lists
 * (`c2chain scan --host-map CC:FILE`, e.g. the country-ip-blocks lists a CERT uses to say
 * "these are hosts in our country"). A national list has tens of thousands of prefixes, so the
 * map is indexed: entries sorted by (family, start address, prefix length), repeated networks
 * dropped, and each entry linked to the nearest entry that encloses it. CIDR prefixes either
 * nest or are disjoint, so every prefix holding an address encloses the last entry starting at
 * or before it: a binary search and a walk up at most 129 parents find the longest match.
 */
#include "c2chain/infra.h"

#include <stdlib.h>
#include <string.h>

#include "attribute/internal.h"

#define NO_PARENT UINT32_MAX
#define MAX_ENTRIES ((size_t)1 << 31)

void
c2c_host_map_init(struct c2c_host_map *m)
{
	memset(m, 0, sizeof(*m));
}

void
c2c_host_map_fini(struct c2c_host_map *m)
{
	c2c_free(m->v);
	c2c_free(m->parent);
	memset(m, 0, sizeof(*m));
}

static bool
country_ok(const char *cc)
{
	return cc != NULL && cc[0] >= 'A' && cc[0] <= 'Z' && cc[1] >= 'A' && cc[1] <= 'Z' &&
	    cc[2] == '\0';
}

c2c_err
c2c_host_map_add(struct c2c_host_map *m, const struct c2c_ip *net, unsigned len,
    const char *country)
{
	struct c2c_host_country *e;
	unsigned width, bits;
	if (!country_ok(country) || (net->family != 4 && net->family != 6))
		return C2C_EINVAL;
	width = net->family == 4 ? 32 : 128;
	if (len > width)
		return C2C_EINVAL;
	if (m->n >= MAX_ENTRIES)
		return C2C_ELIMIT;
	if (m->n == m->cap) {
		size_t nc = m->cap ? m->cap * 2 : 64;
		struct c2c_host_country *nv = c2c_reallocarray(m->v, nc, sizeof(*nv));
		if (nv == NULL)
			return C2C_ENOMEM;
		m->v = nv;
		m->cap = nc;
	}
	c2c_free(m->parent);
	m->parent = NULL;
	e = &m->v[m->n++];
	memset(e, 0, sizeof(*e));
	e->net = *net;
	e->len = len;
	memcpy(e->country, country, 3);
	/* Clear host bits: the address bytes hold IPv4 in the last four. */
	bits = (net->family == 4 ? 96 : 0) + len;
	if (bits % 8)
		e->net.a[bits / 8] &= (uint8_t)(0xff00u >> (bits % 8));
	for (unsigned i = (bits + 7) / 8; i < 16; i++)
		e->net.a[i] = 0;
	return C2C_OK;
}

c2c_err
c2c_host_map_parse(struct c2c_host_map *m, const char *text, size_t len, const char *country,
    const char *src, struct c2c_diag *diag)
{
	size_t i = 0;
	uint64_t line = 0;
	if (!country_ok(country))
		return c2c_diag_set(diag, C2C_EINVAL, src, 0,
		    "host map country '%s' is not an ISO 3166 alpha-2 code", country ? country : "");
	while (i < len) {
		size_t s = i, e, k;
		char buf[64];
		struct c2c_ip net;
		unsigned plen;
		c2c_err rc;
		while (i < len && text[i] != '\n')
			i++;
		e = i;
		if (i < len)
			i++; /* the newline */
		line++;
		for (k = s; k < e && text[k] != '#'; k++)
			;
		e = k;
		while (s < e && (text[s] == ' ' || text[s] == '\t'))
			s++;
		while (e > s && (text[e - 1] == ' ' || text[e - 1] == '\t' || text[e - 1] == '\r'))
			e--;
		if (s == e)
			continue;
		if (e - s >= sizeof(buf) || memchr(text + s, '\0', e - s) != NULL)
			return c2c_diag_line(diag, C2C_EFORMAT, src, line, "not a network");
		memcpy(buf, text + s, e - s);
		buf[e - s] = '\0';
		if (strchr(buf, '/') != NULL) {
			if (c2c_cidr_parse(&net, &plen, buf) != C2C_OK)
				return c2c_diag_line(diag, C2C_EFORMAT, src, line,
				    "'%s' is not a network", buf);
		} else {
			if (c2c_ip_parse(&net, buf) != C2C_OK)
				return c2c_diag_line(diag, C2C_EFORMAT, src, line,
				    "'%s' is not a network", buf);
			plen = net.family == 4 ? 32 : 128;
		}
		rc = c2c_host_map_add(m, &net, plen, country);
		if (rc != C2C_OK)
			return c2c_diag_line(diag, rc, src, line, "host map: %s", c2c_strerror(rc));
	}
	return C2C_OK;
}

/* Entry and the order it was added in (the tie-breaker that keeps the first one given). */
struct ent {
	struct c2c_host_country h;
	size_t idx;
};

static int
ent_cmp(const void *x, const void *y)
{
	const struct ent *a = x, *b = y;
	int c = c2c_ip_cmp(&a->h.net, &b->h.net);
	if (c != 0)
		return c;
	if (a->h.len != b->h.len)
		return a->h.len < b->h.len ? -1 : 1;
	return a->idx < b->idx ? -1 : a->idx > b->idx;
}

c2c_err
c2c_host_map_index(struct c2c_host_map *m)
{
	struct ent *t;
	uint32_t *parent, stack[130];
	size_t n = 0, depth = 0;
	if (m->parent != NULL)
		return C2C_OK;
	t = c2c_reallocarray(NULL, m->n ? m->n : 1, sizeof(*t));
	parent = c2c_reallocarray(NULL, m->n ? m->n : 1, sizeof(*parent));
	if (t == NULL || parent == NULL) {
		c2c_free(t);
		c2c_free(parent);
		return C2C_ENOMEM;
	}
	for (size_t i = 0; i < m->n; i++) {
		t[i].h = m->v[i];
		t[i].idx = i;
	}
	qsort(t, m->n, sizeof(*t), ent_cmp);
	for (size_t i = 0; i < m->n; i++) {
		if (n > 0 && c2c_ip_eq(&m->v[n - 1].net, &t[i].h.net) && m->v[n - 1].len == t[i].h.len) {
			m->duplicates++;
			if (memcmp(m->v[n - 1].country, t[i].h.country, 2) != 0)
				m->conflicts++;
			continue;
		}
		m->v[n] = t[i].h;
		/* Close the enclosing entries that end before this one starts. */
		while (depth > 0 && !c2c_ip_in_cidr(&m->v[n].net, &m->v[stack[depth - 1]].net,
					m->v[stack[depth - 1]].len))
			depth--;
		parent[n] = depth > 0 ? stack[depth - 1] : NO_PARENT;
		stack[depth++] = (uint32_t)n; /* nesting depth is at most 129 (lengths 0..128) */
		n++;
	}
	c2c_free(t);
	m->n = n;
	m->parent = parent;
	return C2C_OK;
}

/* Longest prefix of an indexed map holding `ip`, or NULL. */
const struct c2c_host_country *
c2c__host_map_find(const struct c2c_host_country *v, size_t n, const uint32_t *parent,
    const struct c2c_ip *ip)
{
	size_t lo = 0, hi = n; /* the answer is the last entry with net <= ip: index lo - 1 */
	uint32_t k;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (c2c_ip_cmp(&v[mid].net, ip) <= 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return NULL;
	for (k = (uint32_t)(lo - 1); k != NO_PARENT; k = parent[k])
		if (c2c_ip_in_cidr(ip, &v[k].net, v[k].len))
			return &v[k];
	return NULL;
}
