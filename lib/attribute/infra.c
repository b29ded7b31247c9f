/*
 * C2 infrastructure objects (rung L2): an accumulator over observations (what each server
 * address was called, which certificate and JA3S it showed) and L1 findings (which controlled
 * host talked to which C2 endpoint, when, on which port), then one object per endpoint with
 * its ASN, country, the pinned databases used and an assessed role.
 *
 * Observations are kept per server address in an open-addressing table (capped); findings in
 * a flat array. The build sorts findings by (endpoint, host, id) and walks the groups, so the
 * output never depends on arrival order.
 */
#include "c2chain/infra.h"

#include <stdlib.h>
#include <string.h>

#include "attribute/internal.h"

#define MAX_SRV (4u << 20)
#define MAX_FQ 64
#define MAX_CERT 16
#define MAX_JA3S 16

enum { F_INTEL = 1, F_BEACON, F_LONGCONN, F_DNSTUNNEL };

struct fnd {
	struct c2c_ip host, peer;
	uint16_t port;
	bool has_port;
	uint8_t type;
	c2c_time first, last;
	char *id;
	char *fqdn;   /* subject.fqdn or NULL */
	char *labels; /* '\n'-joined, or NULL */
};

struct c2c_infra {
	struct c2c__srv *srv;
	size_t n_srv, cap_srv;
	uint32_t *tab; /* index + 1 into srv; 0 empty */
	size_t tab_cap;
	struct fnd *f;
	size_t n_f, cap_f;
	uint64_t f_skipped, obs_used, obs_dropped;
};

static const char *const role_names[] = {
#define C2C_X_(e, s) s,
	C2C_ROLE_MAP(C2C_X_)
#undef C2C_X_
};

const char *
c2c_role_name(enum c2c_role r)
{
	return (unsigned)r < C2C_ROLE__COUNT ? role_names[r] : "?";
}

c2c_err
c2c_role_parse(const char *s, enum c2c_role *out)
{
	for (unsigned i = 0; i < C2C_ROLE__COUNT; i++)
		if (strcmp(s, role_names[i]) == 0) {
			*out = (enum c2c_role)i;
			return C2C_OK;
		}
	return C2C_ENOTFOUND;
}

void
c2c_infra_opts_default(struct c2c_infra_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->tor_window = 24 * 3600 * C2C_USEC;
	o->shared_hosting_fqdns = 10;
	o->min_shared_hosts = 2;
	o->top_n = 10;
}

void
c2c_infra_result_fini(struct c2c_infra_result *r)
{
	json_decref(r->infrastructure);
	json_decref(r->edges);
	json_decref(r->clusters);
	json_decref(r->matrix);
	memset(r, 0, sizeof(*r));
}

c2c_err
c2c_infra_new(struct c2c_infra **out)
{
	struct c2c_infra *x = c2c_calloc(1, sizeof(*x));
	if (x == NULL)
		return C2C_ENOMEM;
	*out = x;
	return C2C_OK;
}

void
c2c_infra_free(struct c2c_infra *x)
{
	if (x == NULL)
		return;
	for (size_t i = 0; i < x->n_srv; i++) {
		for (unsigned j = 0; j < x->srv[i].n_fq; j++)
			c2c_free(x->srv[i].fq[j].name);
		c2c_free(x->srv[i].fq);
		c2c_free(x->srv[i].cert);
		c2c_free(x->srv[i].ja3s);
	}
	for (size_t i = 0; i < x->n_f; i++) {
		c2c_free(x->f[i].id);
		c2c_free(x->f[i].fqdn);
		c2c_free(x->f[i].labels);
	}
	c2c_free(x->srv);
	c2c_free(x->tab);
	c2c_free(x->f);
	c2c_free(x);
}

static c2c_err
grow(void **p, size_t *cap, size_t n, size_t size)
{
	size_t ncap;
	void *np;
	if (n < *cap)
		return C2C_OK;
	ncap = *cap ? *cap * 2 : 64;
	np = c2c_reallocarray(*p, ncap, size);
	if (np == NULL)
		return C2C_ENOMEM;
	*p = np;
	*cap = ncap;
	return C2C_OK;
}

static c2c_err
grow16(void **p, uint16_t *cap, uint16_t n, size_t size, uint16_t max)
{
	size_t c = *cap;
	c2c_err rc;
	if (n < *cap)
		return C2C_OK;
	rc = grow(p, &c, n, size);
	if (rc == C2C_OK)
		*cap = (uint16_t)(c > max ? max : c);
	return rc;
}

/* ---- the server table ------------------------------------------------------------------- */

static const struct c2c__srv *
srv_find(const struct c2c_infra *x, const struct c2c_ip *ip)
{
	size_t mask, i;
	if (x->tab_cap == 0)
		return NULL;
	mask = x->tab_cap - 1;
	for (i = (size_t)c2c_ip_hash(ip, 0x5eed) & mask; x->tab[i] != 0; i = (i + 1) & mask)
		if (c2c_ip_eq(&x->srv[x->tab[i] - 1].ip, ip))
			return &x->srv[x->tab[i] - 1];
	return NULL;
}

/* Find or add; *out NULL (not an error) when the table is full. */
static c2c_err
srv_get(struct c2c_infra *x, const struct c2c_ip *ip, struct c2c__srv **out)
{
	size_t mask, i;
	c2c_err rc;
	*out = NULL;
	if ((x->n_srv + 1) * 2 > x->tab_cap) {
		size_t ncap = x->tab_cap ? x->tab_cap * 2 : 1024;
		uint32_t *nt = c2c_calloc(ncap, sizeof(*nt));
		if (nt == NULL)
			return C2C_ENOMEM;
		for (size_t k = 0; k < x->n_srv; k++) {
			for (i = (size_t)c2c_ip_hash(&x->srv[k].ip, 0x5eed) & (ncap - 1); nt[i] != 0;
			     i = (i + 1) & (ncap - 1))
				;
			nt[i] = (uint32_t)k + 1;
		}
		c2c_free(x->tab);
		x->tab = nt;
		x->tab_cap = ncap;
	}
	mask = x->tab_cap - 1;
	for (i = (size_t)c2c_ip_hash(ip, 0x5eed) & mask; x->tab[i] != 0; i = (i + 1) & mask)
		if (c2c_ip_eq(&x->srv[x->tab[i] - 1].ip, ip)) {
			*out = &x->srv[x->tab[i] - 1];
			return C2C_OK;
		}
	if (x->n_srv >= MAX_SRV)
		return C2C_OK;
	rc = grow((void **)&x->srv, &x->cap_srv, x->n_srv, sizeof(*x->srv));
	if (rc != C2C_OK)
		return rc;
	memset(&x->srv[x->n_srv], 0, sizeof(x->srv[0]));
	x->srv[x->n_srv].ip = *ip;
	x->tab[i] = (uint32_t)++x->n_srv;
	*out = &x->srv[x->n_srv - 1];
	return C2C_OK;
}

/* Lower-case a hostname into buf (strip a trailing dot and an HTTP ":port"). */
static bool
norm_name(const char *s, char *buf, size_t len, bool strip_port)
{
	size_t n = 0;
	for (; *s && n + 1 < len; s++) {
		char c = *s;
		if (strip_port && c == ':')
			break;
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if ((unsigned char)c <= ' ' || c == '/' || c == '"' || c == '\\')
			return false;
		buf[n++] = c;
	}
	while (n > 0 && buf[n - 1] == '.')
		n--;
	buf[n] = '\0';
	return n > 0;
}

static c2c_err
srv_add_fq(struct c2c_infra *x, const struct c2c_ip *ip, const char *name, uint8_t src,
    const struct c2c_evref *ev, bool strip_port)
{
	struct c2c__srv *s;
	char nb[C2C_NAME_MAX];
	c2c_err rc;
	if (!norm_name(name, nb, sizeof(nb), strip_port))
		return C2C_OK;
	rc = srv_get(x, ip, &s);
	if (rc != C2C_OK)
		return rc;
	if (s == NULL) {
		x->obs_dropped++;
		return C2C_OK;
	}
	for (unsigned i = 0; i < s->n_fq; i++)
		if (strcmp(s->fq[i].name, nb) == 0) {
			/* Keep the evidence of the first DNS answer when there is one. */
			if ((src & C2C__FQ_DNS) && !(s->fq[i].src & C2C__FQ_DNS) && ev != NULL) {
				s->fq[i].ev = *ev;
				s->fq[i].has_ev = true;
			}
			s->fq[i].src |= src;
			return C2C_OK;
		}
	if (s->n_fq >= MAX_FQ) {
		x->obs_dropped++;
		return C2C_OK;
	}
	rc = grow16((void **)&s->fq, &s->cap_fq, s->n_fq, sizeof(*s->fq), MAX_FQ);
	if (rc != C2C_OK)
		return rc;
	s->fq[s->n_fq].name = c2c_strdup(nb);
	if (s->fq[s->n_fq].name == NULL)
		return C2C_ENOMEM;
	s->fq[s->n_fq].src = src;
	s->fq[s->n_fq].has_ev = ev != NULL;
	if (ev != NULL)
		s->fq[s->n_fq].ev = *ev;
	s->n_fq++;
	return C2C_OK;
}

c2c_err
c2c_infra_add_obs(struct c2c_infra *x, const struct c2c_obs *o)
{
	struct c2c__srv *s;
	c2c_err rc = C2C_OK;
	switch (o->kind) {
	case C2C_OBS_DNS: {
		const struct c2c_dns *d = &o->u.dns;
		if (!d->is_response || d->rcode != 0)
			return C2C_OK;
		for (unsigned i = 0; i < d->n_answers && i < C2C_DNS_MAX_ANSWERS && rc == C2C_OK; i++) {
			const struct c2c_dns_answer *a = &d->answers[i];
			if ((a->type != 1 && a->type != 28) || (a->ip.family != 4 && a->ip.family != 6))
				continue;
			/* The query name and every CNAME target of the answer resolve to it. */
			rc = srv_add_fq(x, &a->ip, d->query, C2C__FQ_DNS, &o->ev, false);
			for (unsigned j = 0; j < d->n_answers && j < C2C_DNS_MAX_ANSWERS && rc == C2C_OK;
			     j++)
				if (d->answers[j].type == 5)
					rc = srv_add_fq(x, &a->ip, d->answers[j].text, C2C__FQ_DNS,
					    &o->ev, false);
		}
		x->obs_used++;
		return rc;
	}
	case C2C_OBS_TLS: {
		const struct c2c_tls *t = &o->u.tls;
		if (o->resp.family != 4 && o->resp.family != 6)
			return C2C_OK;
		if (t->sni[0] != '\0')
			rc = srv_add_fq(x, &o->resp, t->sni, C2C__FQ_SNI, &o->ev, false);
		if (rc != C2C_OK || (!t->have_cert && t->ja3s[0] == '\0'))
			return rc;
		rc = srv_get(x, &o->resp, &s);
		if (rc != C2C_OK)
			return rc;
		if (s == NULL) {
			x->obs_dropped++;
			return C2C_OK;
		}
		if (t->have_cert) {
			bool seen = false;
			for (unsigned i = 0; i < s->n_cert && !seen; i++)
				seen = memcmp(s->cert[i].sha, t->cert_sha256, 32) == 0;
			if (!seen && s->n_cert >= MAX_CERT) {
				x->obs_dropped++;
			} else if (!seen) {
				rc = grow16((void **)&s->cert, &s->cap_cert, s->n_cert,
				    sizeof(*s->cert), MAX_CERT);
				if (rc != C2C_OK)
					return rc;
				memcpy(s->cert[s->n_cert].sha, t->cert_sha256, 32);
				s->cert[s->n_cert++].ev = o->ev;
			}
		}
		if (t->ja3s[0] != '\0') {
			bool seen = false;
			for (unsigned i = 0; i < s->n_ja3s && !seen; i++)
				seen = strcmp(s->ja3s[i].v, t->ja3s) == 0;
			if (!seen && s->n_ja3s >= MAX_JA3S) {
				x->obs_dropped++;
			} else if (!seen) {
				rc = grow16((void **)&s->ja3s, &s->cap_ja3s, s->n_ja3s,
				    sizeof(*s->ja3s), MAX_JA3S);
				if (rc != C2C_OK)
					return rc;
				(void)snprintf(s->ja3s[s->n_ja3s].v, sizeof(s->ja3s[0].v), "%s",
				    t->ja3s);
				s->ja3s[s->n_ja3s++].ev = o->ev;
			}
		}
		x->obs_used++;
		return C2C_OK;
	}
	case C2C_OBS_HTTP:
		/* A proxy request names the real destination, not the server it was sent to. */
		if (o->u.http.proxy || o->u.http.host[0] == '\0' ||
		    (o->resp.family != 4 && o->resp.family != 6))
			return C2C_OK;
		x->obs_used++;
		return srv_add_fq(x, &o->resp, o->u.http.host, C2C__FQ_HTTP, &o->ev, true);
	default:
		return C2C_OK;
	}
}

/* ---- findings ---------------------------------------------------------------------------- */

static c2c_err
get_ip(const json_t *subj, const char *key, struct c2c_ip *ip, const char *id,
    struct c2c_diag *diag, bool *present)
{
	const char *s = json_string_value(json_object_get(subj, key));
	*present = s != NULL;
	if (s == NULL)
		return C2C_OK;
	if (c2c_ip_parse(ip, s) != C2C_OK)
		return c2c_diag_set(diag, C2C_EFORMAT, id, 0, "subject.%s '%.60s' is not an address",
		    key, s);
	return C2C_OK;
}

static c2c_err
get_time(const json_t *f, const char *key, c2c_time *t, c2c_time dflt, const char *id,
    struct c2c_diag *diag)
{
	const char *s = json_string_value(json_object_get(f, key));
	*t = dflt;
	if (s == NULL)
		return C2C_OK;
	if (c2c_time_parse(t, s, strlen(s)) != C2C_OK)
		return c2c_diag_set(diag, C2C_EFORMAT, id, 0, "%s '%.40s' is not a time", key, s);
	return C2C_OK;
}

static c2c_err
labels_add(struct c2c_buf *b, const char *s)
{
	c2c_err rc;
	if (s == NULL || *s == '\0' || strchr(s, '\n') != NULL)
		return C2C_OK;
	if (b->len > 0 && (rc = c2c_buf_addc(b, '\n')) != C2C_OK)
		return rc;
	return c2c_buf_adds(b, s);
}

c2c_err
c2c_infra_add_finding(struct c2c_infra *x, const json_t *finding, struct c2c_diag *diag)
{
	const char *id = json_string_value(json_object_get(finding, "id"));
	const char *type = json_string_value(json_object_get(finding, "type"));
	const json_t *subj = json_object_get(finding, "subject"), *res, *pp, *v;
	const char *fq;
	struct fnd f;
	struct c2c_buf lb;
	bool has_h = false, has_p = false;
	size_t i;
	c2c_err rc;

	memset(&f, 0, sizeof(f));
	if (id == NULL || type == NULL || !json_is_object(subj)) {
		x->f_skipped++;
		return C2C_OK;
	}
	if (strcmp(type, "intel-hit") == 0)
		f.type = F_INTEL;
	else if (strcmp(type, "beacon") == 0)
		f.type = F_BEACON;
	else if (strcmp(type, "long-connection") == 0)
		f.type = F_LONGCONN;
	else if (strcmp(type, "dns-tunnel") == 0)
		f.type = F_DNSTUNNEL;
	else {
		x->f_skipped++;
		return C2C_OK;
	}
	rc = get_ip(subj, "host", &f.host, id, diag, &has_h);
	if (rc == C2C_OK)
		rc = get_ip(subj, "peer", &f.peer, id, diag, &has_p);
	if (rc != C2C_OK)
		return rc;
	/* A DNS tunnel's peer is usually the resolver: only a public peer names the endpoint. */
	if (!has_h || !has_p || (f.type == F_DNSTUNNEL && c2c_ip_is_private(&f.peer))) {
		x->f_skipped++;
		return C2C_OK;
	}
	pp = json_object_get(subj, "peer_port");
	if (json_is_integer(pp) && json_integer_value(pp) >= 0 && json_integer_value(pp) <= 65535) {
		f.port = (uint16_t)json_integer_value(pp);
		f.has_port = true;
	}
	rc = get_time(finding, "first_seen", &f.first, INT64_MAX, id, diag);
	if (rc == C2C_OK)
		rc = get_time(finding, "last_seen", &f.last, INT64_MIN, id, diag);
	if (rc != C2C_OK)
		return rc;
	if (f.first != INT64_MAX && f.last == INT64_MIN)
		f.last = f.first;
	if (f.last != INT64_MIN && f.first == INT64_MAX)
		f.first = f.last;
	c2c_buf_init(&lb, 1 << 16);
	res = json_object_get(finding, "result");
	if (f.type == F_INTEL && json_is_object(res)) {
		json_array_foreach(json_object_get(res, "labels"), i, v) {
			if ((rc = labels_add(&lb, json_string_value(v))) != C2C_OK)
				break;
		}
		if (rc == C2C_OK)
			rc = labels_add(&lb, json_string_value(json_object_get(res, "family")));
		if (rc == C2C_OK)
			rc = labels_add(&lb, json_string_value(json_object_get(res, "malware")));
	}
	if (rc == C2C_OK)
		rc = grow((void **)&x->f, &x->cap_f, x->n_f, sizeof(*x->f));
	if (rc == C2C_OK) {
		f.id = c2c_strdup(id);
		fq = json_string_value(json_object_get(subj, "fqdn"));
		if (fq != NULL) {
			char nb[C2C_NAME_MAX];
			if (norm_name(fq, nb, sizeof(nb), false))
				f.fqdn = c2c_strdup(nb);
		}
		if (lb.len > 0)
			f.labels = c2c_strndup((const char *)lb.data, lb.len);
		if (f.id == NULL || (fq != NULL && f.fqdn == NULL && fq[0] != '\0' &&
					strlen(fq) < C2C_NAME_MAX) ||
		    (lb.len > 0 && f.labels == NULL))
			rc = C2C_ENOMEM;
	}
	c2c_buf_fini(&lb);
	if (rc != C2C_OK) {
		c2c_free(f.id);
		c2c_free(f.fqdn);
		c2c_free(f.labels);
		return rc;
	}
	x->f[x->n_f++] = f;
	return C2C_OK;
}

/* ---- helpers shared in the stage ---------------------------------------------------------- */

c2c_err
c2c__json_arr_str(json_t *arr, const char *s)
{
	json_t *v = json_string(s);
	if (v == NULL || json_array_append_new(arr, v) != 0)
		return C2C_ENOMEM;
	return C2C_OK;
}

c2c_err
c2c__json_set_id(json_t *obj, const char *type, char *idbuf, size_t idlen)
{
	uint8_t d[32];
	char hex[65];
	c2c_err rc;
	(void)json_object_del(obj, "id");
	rc = c2c_json_digest(obj, d);
	if (rc != C2C_OK)
		return rc;
	(void)c2c_hex(d, 8, hex);
	(void)snprintf(idbuf, idlen, "%s:%.16s", type, hex);
	return c2c_json_set_str(obj, "id", idbuf);
}

bool
c2c__evref_str(const struct c2c_infra_opts *o, const struct c2c_evref *ev, char *buf, size_t len)
{
	if (o->input_sha256 == NULL || ev->input >= o->n_inputs || ev->len == 0)
		return false;
	(void)c2c_evref_format(ev, o->input_sha256[ev->input], buf, len);
	return true;
}

uint16_t
c2c__cc_pack(const char cc[3])
{
	return (uint16_t)((uint8_t)cc[0] << 8 | (uint8_t)cc[1]);
}

const char *
c2c_infra_host_country(const struct c2c_infra_opts *o, const struct c2c_ip *host, char cc[3])
{
	unsigned best = 0;
	bool found = false;
	if (o->host_map_parent != NULL) {
		const struct c2c_host_country *m =
		    c2c__host_map_find(o->host_map, o->n_host_map, o->host_map_parent, host);
		if (m != NULL) {
			memcpy(cc, m->country, 2);
			cc[2] = '\0';
			return "config";
		}
	}
	for (size_t i = 0; o->host_map_parent == NULL && i < o->n_host_map; i++) {
		const struct c2c_host_country *m = &o->host_map[i];
		if (c2c_ip_in_cidr(host, &m->net, m->len) && (!found || m->len > best)) {
			memcpy(cc, m->country, 2);
			cc[2] = '\0';
			best = m->len;
			found = true;
		}
	}
	if (found)
		return "config";
	if (o->geo != NULL) {
		struct c2c_geo_result r;
		if (c2c_geo_lookup(o->geo, host, &r) == C2C_OK && r.country[0] != '\0') {
			memcpy(cc, r.country, 3);
			return "geo";
		}
	}
	memcpy(cc, "??", 3);
	return "unknown";
}

/* ---- build ------------------------------------------------------------------------------- */

static int
fnd_cmp(const void *x, const void *y)
{
	const struct fnd *a = *(const struct fnd *const *)x, *b = *(const struct fnd *const *)y;
	int c = c2c_ip_cmp(&a->peer, &b->peer);
	if (c != 0)
		return c;
	c = c2c_ip_cmp(&a->host, &b->host);
	if (c != 0)
		return c;
	return strcmp(a->id, b->id);
}

static int
str_cmp(const void *x, const void *y)
{
	return strcmp(*(const char *const *)x, *(const char *const *)y);
}

static int
u16_cmp(const void *x, const void *y)
{
	uint16_t a = *(const uint16_t *)x, b = *(const uint16_t *)y;
	return a < b ? -1 : a > b;
}

static int
ip_cmp_v(const void *x, const void *y)
{
	return c2c_ip_cmp(x, y);
}

/* Sorted, distinct strings of `v[0..n)` appended to `arr`. */
static c2c_err
arr_sorted_unique(json_t *arr, const char **v, size_t n)
{
	c2c_err rc = C2C_OK;
	qsort(v, n, sizeof(*v), str_cmp);
	for (size_t i = 0; i < n && rc == C2C_OK; i++)
		if (i == 0 || strcmp(v[i], v[i - 1]) != 0)
			rc = c2c__json_arr_str(arr, v[i]);
	return rc;
}

/* Index of `ip` among endpoints, or -1. */
static long
ep_index(const struct c2c__ep *eps, size_t n, const struct c2c_ip *ip)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = c2c_ip_cmp(&eps[mid].ip, ip);
		if (c == 0)
			return (long)mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

struct rolectx {
	const struct c2c_infra *x;
	const struct c2c_infra_opts *o;
	const struct c2c__ep *eps;
	size_t n_eps;
	struct fnd **fs; /* sorted findings */
};

static void
pin_of_list(const struct c2c_refdata *ref, unsigned li, char *buf, size_t len)
{
	const struct c2c_ref_list_info *in = c2c_refdata_list_get(ref, li);
	char hex[65];
	(void)snprintf(buf, len, "'%s' (sha256:%s)", in ? in->name : "?",
	    in ? c2c_hex(in->sha256, 32, hex) : "?");
}

/* Is every server that presented certificate `sha` (or that `name` resolved to) an endpoint? */
static bool
cert_dedicated(const struct rolectx *rc, const uint8_t sha[32])
{
	for (size_t i = 0; i < rc->x->n_srv; i++) {
		const struct c2c__srv *s = &rc->x->srv[i];
		for (unsigned j = 0; j < s->n_cert; j++)
			if (memcmp(s->cert[j].sha, sha, 32) == 0 &&
			    ep_index(rc->eps, rc->n_eps, &s->ip) < 0)
				return false;
	}
	return true;
}

static bool
name_dedicated(const struct rolectx *rc, const char *name)
{
	for (size_t i = 0; i < rc->x->n_srv; i++) {
		const struct c2c__srv *s = &rc->x->srv[i];
		for (unsigned j = 0; j < s->n_fq; j++)
			if ((s->fq[j].src & C2C__FQ_DNS) && strcmp(s->fq[j].name, name) == 0 &&
			    ep_index(rc->eps, rc->n_eps, &s->ip) < 0)
				return false;
	}
	return true;
}

/* Assess the role of eps[k]; basis sentences appended to `basis`. Precedence: sinkhole,
 * anonymiser, rented hosting, compromised relay, owned, unknown (docs/infrastructure.md). */
static c2c_err
assess_role(const struct rolectx *rc, struct c2c__ep *e, size_t f0, size_t f1, json_t *basis)
{
	const struct c2c_infra_opts *o = rc->o;
	const struct c2c_refdata *ref = o->ref;
	struct c2c_ref_match m;
	char ipb[C2C_IP_STRLEN], pin[160], msg[1024], ts[40];
	size_t n_fq_dns = 0;
	(void)c2c_ip_format(&e->ip, ipb, sizeof(ipb));

	if (ref != NULL && c2c_refdata_match_ip(ref, C2C_REF_SINKHOLE, &e->ip, &m) == C2C_OK) {
		pin_of_list(ref, m.list, pin, sizeof(pin));
		(void)snprintf(msg, sizeof(msg), "%s is in sinkhole list %s as %s", ipb, pin,
		    m.entry);
		e->role = C2C_ROLE_SINKHOLE;
		return c2c__json_arr_str(basis, msg);
	}
	if (ref != NULL && e->srv != NULL) {
		for (unsigned j = 0; j < e->srv->n_fq; j++)
			if (c2c_refdata_match_name(ref, C2C_REF_SINKHOLE, e->srv->fq[j].name, &m) ==
			    C2C_OK) {
				pin_of_list(ref, m.list, pin, sizeof(pin));
				(void)snprintf(msg, sizeof(msg),
				    "%s was named %s, which is in sinkhole list %s as %s", ipb,
				    e->srv->fq[j].name, pin, m.entry);
				e->role = C2C_ROLE_SINKHOLE;
				return c2c__json_arr_str(basis, msg);
			}
	}
	if (ref != NULL && e->first != INT64_MAX &&
	    c2c_refdata_match_tor(ref, &e->ip, e->first, e->last, o->tor_window, &m) == C2C_OK) {
		pin_of_list(ref, m.list, pin, sizeof(pin));
		(void)snprintf(msg, sizeof(msg),
		    "%s was a Tor exit at %s per list %s, within %lld s of the contacts", ipb,
		    c2c_time_format_iso(m.observed, ts, sizeof(ts)), pin,
		    (long long)(o->tor_window / C2C_USEC));
		e->role = C2C_ROLE_ANONYMISER;
		return c2c__json_arr_str(basis, msg);
	}
	if (ref != NULL && c2c_refdata_match_ip(ref, C2C_REF_CLOUD, &e->ip, &m) == C2C_OK) {
		pin_of_list(ref, m.list, pin, sizeof(pin));
		(void)snprintf(msg, sizeof(msg), "%s is in cloud/hosting list %s as %s", ipb, pin,
		    m.entry);
		e->role = C2C_ROLE_RENTED;
		return c2c__json_arr_str(basis, msg);
	}
	if (e->srv != NULL)
		for (unsigned j = 0; j < e->srv->n_fq; j++)
			n_fq_dns += (e->srv->fq[j].src & C2C__FQ_DNS) != 0;
	if (n_fq_dns > o->shared_hosting_fqdns) {
		(void)snprintf(msg, sizeof(msg),
		    "%zu distinct FQDNs resolved to %s (more than %u): shared hosting", n_fq_dns, ipb,
		    (unsigned)o->shared_hosting_fqdns);
		e->role = C2C_ROLE_RENTED;
		return c2c__json_arr_str(basis, msg);
	}
	if (ref != NULL && e->asn != 0 && c2c_refdata_match_asn(ref, e->asn, &m) == C2C_OK) {
		pin_of_list(ref, m.list, pin, sizeof(pin));
		(void)snprintf(msg, sizeof(msg),
		    "AS%u of %s is in residential/access ASN list %s: a compromised relay is likely",
		    (unsigned)e->asn, ipb, pin);
		e->role = C2C_ROLE_RELAY;
		return c2c__json_arr_str(basis, msg);
	}
	/* Dedicated infrastructure: a certificate no other observed server presented, or an FQDN
	 * named by a finding against this endpoint that resolved only to C2 endpoints. */
	if (e->srv != NULL) {
		for (unsigned j = 0; j < e->srv->n_cert; j++)
			if (cert_dedicated(rc, e->srv->cert[j].sha)) {
				char hex[65];
				(void)snprintf(msg, sizeof(msg),
				    "%s presented TLS certificate sha256:%s, which no other observed "
				    "server than C2 endpoints presented: dedicated infrastructure",
				    ipb, c2c_hex(e->srv->cert[j].sha, 32, hex));
				e->role = C2C_ROLE_OWNED;
				return c2c__json_arr_str(basis, msg);
			}
	}
	for (size_t i = f0; i < f1; i++) {
		const struct fnd *f = rc->fs[i];
		if (f->fqdn == NULL || e->srv == NULL)
			continue;
		for (unsigned j = 0; j < e->srv->n_fq; j++)
			if ((e->srv->fq[j].src & C2C__FQ_DNS) &&
			    strcmp(e->srv->fq[j].name, f->fqdn) == 0 && name_dedicated(rc, f->fqdn)) {
				(void)snprintf(msg, sizeof(msg),
				    "%s, named by finding %s, resolved only to C2 endpoints: "
				    "dedicated infrastructure",
				    f->fqdn, f->id);
				e->role = C2C_ROLE_OWNED;
				return c2c__json_arr_str(basis, msg);
			}
	}
	(void)snprintf(msg, sizeof(msg),
	    "no reference list matched %s%s and no dedicated certificate or FQDN was observed", ipb,
	    ref == NULL ? " (no reference lists were loaded)" : "");
	e->role = C2C_ROLE_UNKNOWN;
	return c2c__json_arr_str(basis, msg);
}

static c2c_err
set_time(json_t *o, const char *key, c2c_time t)
{
	char ts[40];
	return c2c_json_set_str(o, key, c2c_time_format_iso(t, ts, sizeof(ts)));
}

/* The §4.6 scope sentence for one endpoint. */
static void
location_sentence(const struct c2c_infra_opts *o, const struct c2c__ep *e, char *buf,
    size_t len)
{
	char ipb[C2C_IP_STRLEN], ts[40], ref[80];
	const struct c2c_geo_db_info *db =
	    e->country_db >= 0 && o->geo ? c2c_geo_db_get(o->geo, (unsigned)e->country_db) : NULL;
	(void)c2c_ip_format(&e->ip, ipb, sizeof(ipb));
	if (e->role == C2C_ROLE_ANONYMISER) {
		(void)snprintf(buf, len,
		    "%s is an anonymisation service (Tor exit): its network location says nothing "
		    "about where, or by whom, the C2 server is operated.",
		    ipb);
		return;
	}
	if (db == NULL) {
		(void)snprintf(buf, len,
		    "No pinned geolocation database located %s. This statement does not establish "
		    "where, or by whom, the server is operated.",
		    ipb);
		return;
	}
	(void)c2c_time_format_iso((c2c_time)db->pin.build_epoch * C2C_USEC, ts, sizeof(ts));
	ts[10] = '\0';
	(void)snprintf(buf, len,
	    "This concerns the network location of %s (country %s) as recorded by %s, build %s, "
	    "%s. Geolocation databases are unreliable for infrastructure addresses. This "
	    "statement does not establish where, or by whom, the server is operated.",
	    ipb, e->cc, db->pin.type, ts, c2c_geo_pin_ref(&db->pin, ref, sizeof(ref)));
}

/* Set res[key] to the sorted, distinct strings v[0..n). */
static c2c_err
set_sorted(json_t *res, const char *key, const char **v, size_t n)
{
	json_t *a = json_array();
	c2c_err rc;
	if (a == NULL)
		return C2C_ENOMEM;
	rc = arr_sorted_unique(a, v, n);
	if (rc != C2C_OK) {
		json_decref(a);
		return rc;
	}
	return c2c_json_set_new(res, key, a);
}

static c2c_err
set_method(json_t *obj, const struct c2c_infra_opts *o)
{
	json_t *method = json_object(), *params = json_object();
	c2c_err rc = C2C_ENOMEM;
	if (method == NULL || params == NULL) {
		json_decref(method);
		json_decref(params);
		return rc;
	}
	rc = c2c_json_set_str(method, "id", "c2chain.infra");
	if (rc == C2C_OK)
		rc = c2c_json_set_int(method, "version", 1);
	if (rc == C2C_OK)
		rc = c2c_json_set_int(params, "tor_window_us", o->tor_window);
	if (rc == C2C_OK)
		rc = c2c_json_set_int(params, "shared_hosting_fqdns", o->shared_hosting_fqdns);
	if (rc == C2C_OK)
		rc = c2c_json_set_new(method, "params", params);
	else
		json_decref(params);
	if (rc == C2C_OK)
		return c2c_json_set_new(obj, "method", method);
	json_decref(method);
	return rc;
}

/* The result fields that come straight from the accumulated facts. */
static c2c_err
set_facts(const struct rolectx *rc, const struct c2c__ep *e, size_t f0, size_t f1, json_t *res,
    json_t *refs)
{
	const struct c2c_infra_opts *o = rc->o;
	const struct c2c__srv *sv = e->srv;
	size_t nfq = sv ? sv->n_fq : 0, nl = 0, ns, cap;
	const char **strs;
	char (*hexes)[65] = NULL;
	char buf[C2C_EVREF_STRLEN];
	struct c2c_buf lb;
	json_t *a, *ch;
	c2c_err err = C2C_OK;

	for (size_t i = f0; i < f1; i++)
		for (const char *p = rc->fs[i]->labels; p != NULL; p = strchr(p + 1, '\n'))
			nl++;
	cap = (f1 - f0) * 2 + nfq + nl + 2 * MAX_CERT + 8;
	strs = c2c_reallocarray(NULL, cap, sizeof(*strs));
	hexes = c2c_reallocarray(NULL, MAX_CERT, sizeof(*hexes));
	c2c_buf_init(&lb, (size_t)1 << 26);
	if (strs == NULL || hexes == NULL) {
		err = C2C_ENOMEM;
		goto out;
	}
	/* ports */
	if ((a = json_array()) == NULL) {
		err = C2C_ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < e->n_ports && err == C2C_OK; i++)
		if (json_array_append_new(a, json_integer(e->ports[i])) != 0)
			err = C2C_ENOMEM;
	if (err != C2C_OK) {
		json_decref(a);
		goto out;
	}
	if ((err = c2c_json_set_new(res, "ports", a)) != C2C_OK)
		goto out;
	/* FQDNs from observations and from the findings' subject.fqdn */
	ns = 0;
	for (size_t j = 0; j < nfq && err == C2C_OK; j++) {
		strs[ns++] = sv->fq[j].name;
		if (sv->fq[j].has_ev && c2c__evref_str(o, &sv->fq[j].ev, buf, sizeof(buf)))
			err = c2c__json_arr_str(refs, buf);
	}
	for (size_t i = f0; i < f1; i++)
		if (rc->fs[i]->fqdn != NULL)
			strs[ns++] = rc->fs[i]->fqdn;
	if (err == C2C_OK)
		err = set_sorted(res, "fqdns", strs, ns);
	/* certificates */
	ns = 0;
	for (size_t j = 0; sv != NULL && j < sv->n_cert && err == C2C_OK; j++) {
		strs[ns++] = c2c_hex(sv->cert[j].sha, 32, hexes[j]);
		if (c2c__evref_str(o, &sv->cert[j].ev, buf, sizeof(buf)))
			err = c2c__json_arr_str(refs, buf);
	}
	if (err == C2C_OK)
		err = set_sorted(res, "cert_sha256", strs, ns);
	/* JA3S */
	ns = 0;
	for (size_t j = 0; sv != NULL && j < sv->n_ja3s && err == C2C_OK; j++) {
		strs[ns++] = sv->ja3s[j].v;
		if (c2c__evref_str(o, &sv->ja3s[j].ev, buf, sizeof(buf)))
			err = c2c__json_arr_str(refs, buf);
	}
	if (err == C2C_OK)
		err = set_sorted(res, "ja3s", strs, ns);
	/* controlled hosts: count and sorted list */
	if (err == C2C_OK) {
		json_t *hl = json_array();
		ch = json_object();
		if (hl == NULL || ch == NULL)
			err = C2C_ENOMEM;
		for (size_t i = 0; i < e->n_hosts && err == C2C_OK; i++) {
			char hb[C2C_IP_STRLEN];
			err = c2c__json_arr_str(hl, c2c_ip_format(&e->hosts[i], hb, sizeof(hb)));
		}
		if (err == C2C_OK)
			err = c2c_json_set_int(ch, "count", (int64_t)e->n_hosts);
		if (err == C2C_OK) {
			err = c2c_json_set_new(ch, "hosts", hl);
			hl = NULL;
		}
		if (err == C2C_OK) {
			err = c2c_json_set_new(res, "controlled_hosts", ch);
			ch = NULL;
		}
		json_decref(hl);
		json_decref(ch);
	}
	/* findings (ids) */
	ns = 0;
	for (size_t i = f0; i < f1; i++)
		strs[ns++] = rc->fs[i]->id;
	if (err == C2C_OK)
		err = set_sorted(res, "findings", strs, ns);
	/* labels collected from intel hits */
	for (size_t i = f0; i < f1 && err == C2C_OK; i++)
		if (rc->fs[i]->labels != NULL)
			err = labels_add(&lb, rc->fs[i]->labels);
	ns = 0;
	if (err == C2C_OK && lb.len > 0) {
		char *t = (char *)(uintptr_t)c2c_buf_cstr(&lb), *save = NULL, *tok;
		if (t == NULL)
			err = C2C_ENOMEM;
		for (tok = t ? strtok_r(t, "\n", &save) : NULL; tok != NULL && ns < cap;
		     tok = strtok_r(NULL, "\n", &save))
			strs[ns++] = tok;
	}
	if (err == C2C_OK)
		err = set_sorted(res, "labels", strs, ns);
out:
	c2c_buf_fini(&lb);
	c2c_free(strs);
	c2c_free(hexes);
	return err;
}

/* Build the JSON object of one endpoint. */
static c2c_err
emit_infra(const struct rolectx *rc, struct c2c__ep *e, size_t f0, size_t f1, json_t **out)
{
	const struct c2c_infra_opts *o = rc->o;
	json_t *obj = json_object(), *subj = json_object(), *res = json_object(),
	       *ev = json_object(), *basis = json_array(), *refs = json_array(), *rd = json_array();
	const char **strs = NULL;
	char ipb[C2C_IP_STRLEN], sent[768], hex[65], ref[80];
	const struct c2c_geo_db_info *cdb = NULL, *adb = NULL;
	c2c_err err = C2C_ENOMEM;

	if (obj == NULL || subj == NULL || res == NULL || ev == NULL || basis == NULL ||
	    refs == NULL || rd == NULL)
		goto out;
	(void)c2c_ip_format(&e->ip, ipb, sizeof(ipb));
	err = c2c_json_set_str(obj, "type", "infrastructure");
	if (err == C2C_OK)
		err = c2c_json_set_str(obj, "rung", "L2");
	if (err == C2C_OK)
		err = set_method(obj, o);
	if (err == C2C_OK)
		err = c2c_json_set_str(subj, "ip", ipb);
	/* No top-level first_seen/last_seen: the object cites observation records (a DNS answer
	 * that resolved the endpoint) that may precede the first contact, so its time window is
	 * the contact window in result, not a window over its records. */
	if (err == C2C_OK && e->first != INT64_MAX) {
		err = set_time(res, "first_contact", e->first);
		if (err == C2C_OK)
			err = set_time(res, "last_contact", e->last);
	}
	if (err == C2C_OK)
		err = set_facts(rc, e, f0, f1, res, refs);
	/* network location, with the pinned databases that answered */
	if (o->geo != NULL) {
		cdb = e->country_db >= 0 ? c2c_geo_db_get(o->geo, (unsigned)e->country_db) : NULL;
		adb = e->asn_db >= 0 ? c2c_geo_db_get(o->geo, (unsigned)e->asn_db) : NULL;
	}
	if (err == C2C_OK)
		err = c2c_json_set_int(res, "asn", e->asn);
	if (err == C2C_OK)
		err = c2c_json_set_str(res, "as_org", e->org);
	if (err == C2C_OK)
		err = c2c_json_set_str(res, "country", e->cc);
	if (err == C2C_OK)
		err = c2c_json_set_str(res, "country_db",
		    cdb ? c2c_geo_pin_ref(&cdb->pin, ref, sizeof(ref)) : "");
	if (err == C2C_OK)
		err = c2c_json_set_str(res, "asn_db",
		    adb ? c2c_geo_pin_ref(&adb->pin, ref, sizeof(ref)) : "");
	/* role */
	if (err == C2C_OK)
		err = assess_role(rc, e, f0, f1, basis);
	if (err == C2C_OK)
		err = c2c_json_set_str(res, "role", c2c_role_name(e->role));
	if (err == C2C_OK) {
		err = c2c_json_set_new(res, "role_basis", basis);
		basis = NULL;
	}
	if (err == C2C_OK) {
		location_sentence(o, e, sent, sizeof(sent));
		err = c2c_json_set_str(res, "location_statement", sent);
	}
	/* evidence: observation references (sorted, distinct) and every refdata pin consulted */
	if (err == C2C_OK) {
		size_t n = json_array_size(refs);
		strs = c2c_reallocarray(NULL, n + 1, sizeof(*strs));
		if (strs == NULL)
			err = C2C_ENOMEM;
		for (size_t i = 0; i < n && err == C2C_OK; i++)
			strs[i] = json_string_value(json_array_get(refs, i));
		if (err == C2C_OK)
			err = set_sorted(ev, "refs", strs, n);
	}
	for (unsigned i = 0; err == C2C_OK && o->geo != NULL && i < c2c_geo_db_count(o->geo); i++)
		err = c2c__json_arr_str(rd,
		    c2c_geo_pin_ref(&c2c_geo_db_get(o->geo, i)->pin, ref, sizeof(ref)));
	for (unsigned i = 0; err == C2C_OK && o->ref != NULL && i < c2c_refdata_list_count(o->ref);
	     i++) {
		(void)snprintf(ref, sizeof(ref), "sha256:%s",
		    c2c_hex(c2c_refdata_list_get(o->ref, i)->sha256, 32, hex));
		err = c2c__json_arr_str(rd, ref);
	}
	if (err == C2C_OK) {
		err = c2c_json_set_new(ev, "refdata", rd);
		rd = NULL;
	}
	if (err == C2C_OK) {
		err = c2c_json_set_new(obj, "subject", subj);
		subj = NULL;
	}
	if (err == C2C_OK) {
		err = c2c_json_set_new(obj, "result", res);
		res = NULL;
	}
	if (err == C2C_OK) {
		err = c2c_json_set_new(obj, "evidence", ev);
		ev = NULL;
	}
	if (err == C2C_OK)
		err = c2c_json_set_str(obj, "recheck", "refdata");
	if (err == C2C_OK)
		err = c2c__json_set_id(obj, "infrastructure", e->id, sizeof(e->id));
	if (err == C2C_OK) {
		*out = obj;
		obj = NULL;
	}
out:
	json_decref(obj);
	json_decref(subj);
	json_decref(res);
	json_decref(ev);
	json_decref(basis);
	json_decref(refs);
	json_decref(rd);
	c2c_free(strs);
	return err;
}

/* Distinct hosts over all findings, for dense host indices in the matrix. */
static int
host_bsearch(const struct c2c_ip *hosts, size_t n, const struct c2c_ip *h)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = c2c_ip_cmp(&hosts[mid], h);
		if (c == 0)
			return (int)mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

c2c_err
c2c_infra_build(struct c2c_infra *x, const struct c2c_infra_opts *o,
    struct c2c_infra_result *out, struct c2c_diag *diag)
{
	struct fnd **fs = NULL;
	struct c2c__ep *eps = NULL;
	size_t *starts = NULL, n_eps = 0;
	struct c2c_ip *hosts = NULL;
	char (*hcc)[3] = NULL;
	size_t n_hosts = 0;
	struct c2c__mpair *pairs = NULL;
	size_t n_pairs = 0;
	struct c2c__mstats mst;
	json_t *fids = NULL;
	struct rolectx rc;
	c2c_err err = C2C_ENOMEM;

	(void)diag;
	memset(out, 0, sizeof(*out));
	memset(&mst, 0, sizeof(mst));
	if (o == NULL || o->tor_window < 0 || (o->n_host_map > 0 && o->host_map == NULL))
		return C2C_EINVAL;
	out->infrastructure = json_array();
	out->edges = json_array();
	out->clusters = json_array();
	fids = json_array();
	if (out->infrastructure == NULL || out->edges == NULL || out->clusters == NULL ||
	    fids == NULL)
		goto fail;
	fs = c2c_reallocarray(NULL, x->n_f + 1, sizeof(*fs));
	starts = c2c_reallocarray(NULL, x->n_f + 1, sizeof(*starts));
	eps = c2c_calloc(x->n_f + 1, sizeof(*eps));
	hosts = c2c_reallocarray(NULL, x->n_f + 1, sizeof(*hosts));
	if (fs == NULL || starts == NULL || eps == NULL || hosts == NULL)
		goto fail;
	for (size_t i = 0; i < x->n_f; i++)
		fs[i] = &x->f[i];
	qsort(fs, x->n_f, sizeof(*fs), fnd_cmp);
	/* Endpoint groups. */
	for (size_t i = 0; i < x->n_f; i++) {
		if (i == 0 || !c2c_ip_eq(&fs[i]->peer, &fs[i - 1]->peer)) {
			starts[n_eps] = i;
			eps[n_eps].ip = fs[i]->peer;
			n_eps++;
		}
		hosts[i] = fs[i]->host;
	}
	starts[n_eps] = x->n_f;
	/* Distinct hosts overall and their countries. */
	qsort(hosts, x->n_f, sizeof(*hosts), ip_cmp_v);
	for (size_t i = 0; i < x->n_f; i++)
		if (n_hosts == 0 || !c2c_ip_eq(&hosts[i], &hosts[n_hosts - 1]))
			hosts[n_hosts++] = hosts[i];
	hcc = c2c_reallocarray(NULL, n_hosts + 1, sizeof(*hcc));
	if (hcc == NULL)
		goto fail;
	for (size_t i = 0; i < n_hosts; i++) {
		const char *src = c2c_infra_host_country(o, &hosts[i], hcc[i]);
		mst.host_src[src[0] == 'c' ? 0 : src[0] == 'g' ? 1 : 2]++;
	}
	rc.x = x;
	rc.o = o;
	rc.eps = eps;
	rc.n_eps = n_eps;
	rc.fs = fs;
	pairs = c2c_reallocarray(NULL, x->n_f + 1, sizeof(*pairs));
	if (pairs == NULL)
		goto fail;
	for (size_t k = 0; k < n_eps; k++) {
		struct c2c__ep *e = &eps[k];
		size_t f0 = starts[k], f1 = starts[k + 1];
		struct c2c_geo_result g;
		json_t *obj = NULL;
		e->srv = srv_find(x, &e->ip);
		e->hosts = c2c_reallocarray(NULL, f1 - f0, sizeof(*e->hosts));
		e->ports = c2c_reallocarray(NULL, f1 - f0, sizeof(*e->ports));
		if (e->hosts == NULL || e->ports == NULL)
			goto fail;
		e->first = INT64_MAX;
		e->last = INT64_MIN;
		for (size_t i = f0; i < f1; i++) {
			const struct fnd *f = fs[i];
			if (e->n_hosts == 0 || !c2c_ip_eq(&f->host, &e->hosts[e->n_hosts - 1]))
				e->hosts[e->n_hosts++] = f->host;
			if (f->has_port)
				e->ports[e->n_ports++] = f->port;
			if (f->first < e->first)
				e->first = f->first;
			if (f->last > e->last)
				e->last = f->last;
		}
		qsort(e->ports, e->n_ports, sizeof(*e->ports), u16_cmp);
		{
			size_t u = 0;
			for (size_t i = 0; i < e->n_ports; i++)
				if (u == 0 || e->ports[i] != e->ports[u - 1])
					e->ports[u++] = e->ports[i];
			e->n_ports = u;
		}
		memcpy(e->cc, "??", 3);
		e->org = "";
		e->country_db = e->asn_db = -1;
		if (o->geo != NULL) {
			err = c2c_geo_lookup(o->geo, &e->ip, &g);
			if (err != C2C_OK)
				goto fail;
			if (g.country[0] != '\0')
				memcpy(e->cc, g.country, 3);
			e->asn = g.asn;
			e->org = g.as_org;
			e->country_db = g.country_db;
			e->asn_db = g.asn_db;
		}
		err = emit_infra(&rc, e, f0, f1, &obj);
		if (err != C2C_OK)
			goto fail;
		if (json_array_append_new(out->infrastructure, obj) != 0) {
			err = C2C_ENOMEM;
			goto fail;
		}
		e->obj = obj;
		for (size_t i = 0; i < e->n_hosts; i++) {
			int hi = host_bsearch(hosts, n_hosts, &e->hosts[i]);
			struct c2c__mpair *p = &pairs[n_pairs++];
			p->cc_c = c2c__cc_pack(e->cc);
			p->cc_h = c2c__cc_pack(hcc[hi]);
			p->role = (uint8_t)e->role;
			p->e = (uint32_t)k;
			p->h = (uint32_t)hi;
		}
	}
	for (size_t i = 0; i < x->n_f; i++) {
		if (i > 0 && strcmp(fs[i]->id, fs[i - 1]->id) == 0)
			continue;
		if (c2c__json_arr_str(fids, fs[i]->id) != C2C_OK)
			goto fail;
	}
	{
		const char **ids = c2c_reallocarray(NULL, json_array_size(fids) + 1, sizeof(*ids));
		json_t *sorted = json_array();
		if (ids == NULL || sorted == NULL) {
			c2c_free(ids);
			json_decref(sorted);
			goto fail;
		}
		for (size_t i = 0; i < json_array_size(fids); i++)
			ids[i] = json_string_value(json_array_get(fids, i));
		err = arr_sorted_unique(sorted, ids, json_array_size(fids));
		c2c_free(ids);
		json_decref(fids);
		fids = sorted;
		if (err != C2C_OK)
			goto fail;
	}
	err = c2c__cluster_build(eps, n_eps, o, out->edges, out->clusters);
	if (err != C2C_OK)
		goto fail;
	err = c2c__matrix_build(pairs, n_pairs, &mst, o, fids, &out->matrix);
	fids = NULL;
	if (err != C2C_OK)
		goto fail;
	out->findings_used = x->n_f;
	out->findings_skipped = x->f_skipped;
	out->obs_used = x->obs_used;
	out->obs_dropped = x->obs_dropped;
	err = C2C_OK;
	goto done;
fail:
	if (err == C2C_OK)
		err = C2C_ENOMEM;
	c2c_infra_result_fini(out);
done:
	for (size_t k = 0; eps != NULL && k < n_eps; k++) {
		c2c_free(eps[k].hosts);
		c2c_free(eps[k].ports);
	}
	json_decref(fids);
	c2c_free(fs);
	c2c_free(starts);
	c2c_free(eps);
	c2c_free(hosts);
	c2c_free(hcc);
	c2c_free(pairs);
	return err;
}
