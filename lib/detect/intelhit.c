/*
 * Intel hits: every flow endpoint, DNS query name and answer, TLS SNI and HTTP Host / URL is
 * looked up in the frozen indicator store; block matches are aggregated per (host, indicator,
 * suppressed) in an open-addressing table, each aggregate keeping its record references. At the
 * end the aggregates are sorted by (host, indicator id) and rendered as findings per
 * docs/findings.md. Claims resting on more than 64 records carry the count, an RFC 6962 Merkle
 * root over the sorted reference strings (leaf = SHA-256(0x00 || ref), node = SHA-256(0x01 ||
 * left || right)) and the first and last 8 references.
 */
#include "c2chain/intelhit.h"

#include <stdlib.h>
#include <string.h>

#include "c2chain/detect.h"
#include "c2chain/json.h"

#define MAX_HITS 256
#define MAX_REFS_INLINE 64

struct agg {
	struct c2c_ip host;
	uint32_t ind;
	bool suppressed;
	uint8_t how;
	uint32_t where; /* bit per enum c2c_seen_where */
	c2c_time first, last;
	uint64_t count;
	struct c2c_ip peer;
	uint16_t peer_port;
	char fqdn[256];
	uint32_t allow[C2C_SEEN_MAX_ALLOW];
	unsigned n_allow;
	struct c2c_evref *refs;
	size_t n_refs, cap_refs;
};

struct c2c_intelhit {
	const struct c2c_intel *intel;
	c2c_intel_seen_cb cb;
	void *cb_ctx;
	bool check_time;
	struct agg *aggs;
	size_t n_aggs, cap_aggs;
	uint32_t *tab; /* index + 1 */
	size_t mask;
	uint64_t matches;
	struct c2c_intel_hit hits[MAX_HITS];
	c2c_reflist_cb reflist_cb;
	void *reflist_ctx;
};

void
c2c_intelhit_set_reflist_cb(struct c2c_intelhit *h, c2c_reflist_cb cb, void *ctx)
{
	h->reflist_cb = cb;
	h->reflist_ctx = ctx;
}

const char *
c2c_seen_where_name(enum c2c_seen_where w)
{
	static const char *const names[] = { "none",
#define C2C_X_(e, s) s,
		C2C_SEEN_WHERE_MAP(C2C_X_)
#undef C2C_X_
	};
	return (unsigned)w < C2C_ARRAY_LEN(names) ? names[w] : "?";
}

c2c_err
c2c_intelhit_new(const struct c2c_intel *intel, struct c2c_intelhit **out)
{
	struct c2c_intelhit *h = c2c_calloc(1, sizeof(*h));
	if (h == NULL)
		return C2C_ENOMEM;
	h->intel = intel;
	h->check_time = true;
	*out = h;
	return C2C_OK;
}

void
c2c_intelhit_free(struct c2c_intelhit *h)
{
	if (h == NULL)
		return;
	for (size_t i = 0; i < h->n_aggs; i++)
		c2c_free(h->aggs[i].refs);
	c2c_free(h->aggs);
	c2c_free(h->tab);
	c2c_free(h);
}

void
c2c_intelhit_set_callback(struct c2c_intelhit *h, c2c_intel_seen_cb cb, void *ctx)
{
	h->cb = cb;
	h->cb_ctx = ctx;
}

void
c2c_intelhit_check_time(struct c2c_intelhit *h, bool on)
{
	h->check_time = on;
}

uint64_t
c2c_intelhit_matches(const struct c2c_intelhit *h)
{
	return h->matches;
}

static uint64_t
agg_hash(const struct c2c_ip *host, uint32_t ind, bool sup)
{
	return c2c_ip_hash(host, 0x9E3779B97F4A7C15ull) ^ ((uint64_t)ind * 0xff51afd7ed558ccdull) ^
	    (sup ? 0x5bd1e995u : 0);
}

static c2c_err
tab_grow(struct c2c_intelhit *h)
{
	size_t cap = h->tab ? h->mask + 1 : 0;
	if ((h->n_aggs + 1) * 2 <= cap)
		return C2C_OK;
	size_t nc = cap ? cap * 2 : 256;
	uint32_t *t = c2c_calloc(nc, sizeof(*t));
	if (t == NULL)
		return C2C_ENOMEM;
	for (size_t i = 0; i < h->n_aggs; i++) {
		const struct agg *a = &h->aggs[i];
		size_t j = agg_hash(&a->host, a->ind, a->suppressed) & (nc - 1);
		while (t[j] != 0)
			j = (j + 1) & (nc - 1);
		t[j] = (uint32_t)i + 1;
	}
	c2c_free(h->tab);
	h->tab = t;
	h->mask = nc - 1;
	return C2C_OK;
}

static c2c_err
add_ref(struct agg *a, const struct c2c_evref *r)
{
	if (a->n_refs > 0) {
		const struct c2c_evref *l = &a->refs[a->n_refs - 1];
		if (l->input == r->input && l->off == r->off && l->len == r->len && l->rec == r->rec)
			return C2C_OK;
	}
	if (a->n_refs == a->cap_refs) {
		size_t nc = a->cap_refs ? a->cap_refs * 2 : 4;
		struct c2c_evref *n = c2c_reallocarray(a->refs, nc, sizeof(*n));
		if (n == NULL)
			return C2C_ENOMEM;
		a->refs = n;
		a->cap_refs = nc;
	}
	a->refs[a->n_refs++] = *r;
	return C2C_OK;
}

/* Fold one seen match into its aggregate. */
static c2c_err
aggregate(struct c2c_intelhit *h, const struct c2c_intel_seen *s)
{
	c2c_err err;
	if ((err = tab_grow(h)) != C2C_OK)
		return err;
	size_t j = agg_hash(&s->host, s->indicator, s->suppressed) & h->mask;
	struct agg *a = NULL;
	for (;; j = (j + 1) & h->mask) {
		uint32_t v = h->tab[j];
		if (v == 0)
			break;
		struct agg *x = &h->aggs[v - 1];
		if (x->ind == s->indicator && x->suppressed == s->suppressed &&
		    c2c_ip_eq(&x->host, &s->host)) {
			a = x;
			break;
		}
	}
	if (a == NULL) {
		if (h->n_aggs == h->cap_aggs) {
			size_t nc = h->cap_aggs ? h->cap_aggs * 2 : 16;
			struct agg *n = c2c_reallocarray(h->aggs, nc, sizeof(*n));
			if (n == NULL)
				return C2C_ENOMEM;
			h->aggs = n;
			h->cap_aggs = nc;
		}
		a = &h->aggs[h->n_aggs];
		memset(a, 0, sizeof(*a));
		a->host = s->host;
		a->ind = s->indicator;
		a->suppressed = s->suppressed;
		a->how = s->how;
		a->first = s->ts;
		a->last = s->last > s->ts ? s->last : s->ts;
		a->peer = s->peer;
		a->peer_port = s->peer_port;
		h->tab[j] = (uint32_t)++h->n_aggs;
	}
	/* Keep the choice of peer / name independent of arrival order: the smallest wins. */
	if (s->peer.family != 0 &&
	    (a->peer.family == 0 || c2c_ip_cmp(&s->peer, &a->peer) < 0 ||
		(c2c_ip_eq(&s->peer, &a->peer) && s->peer_port < a->peer_port))) {
		a->peer = s->peer;
		a->peer_port = s->peer_port;
	}
	if (s->fqdn != NULL && s->fqdn[0] != '\0' &&
	    (a->fqdn[0] == '\0' || strcmp(s->fqdn, a->fqdn) < 0)) {
		size_t n = strlen(s->fqdn);
		if (n >= sizeof(a->fqdn))
			n = sizeof(a->fqdn) - 1;
		memcpy(a->fqdn, s->fqdn, n);
		a->fqdn[n] = '\0';
	}
	if (s->how < a->how)
		a->how = s->how;
	for (unsigned i = 0; i < s->n_allow; i++) {
		bool have = false;
		for (unsigned k = 0; k < a->n_allow; k++)
			have = have || a->allow[k] == s->allow[i];
		if (!have && a->n_allow < C2C_SEEN_MAX_ALLOW)
			a->allow[a->n_allow++] = s->allow[i];
	}
	a->where |= 1u << s->where;
	if (s->ts < a->first)
		a->first = s->ts;
	if ((s->last > s->ts ? s->last : s->ts) > a->last)
		a->last = s->last > s->ts ? s->last : s->ts;
	a->count++;
	for (unsigned i = 0; i < s->n_ev; i++)
		if ((err = add_ref(a, &s->ev[i])) != C2C_OK)
			return err;
	return C2C_OK;
}

/* Split store hits into block and allow, then report / aggregate each block hit. */
static c2c_err
deliver(struct c2c_intelhit *h, size_t n, struct c2c_intel_seen *s)
{
	c2c_err err;
	struct c2c_indicator ind;
	if (n > MAX_HITS)
		n = MAX_HITS; /* a value on more than 256 entries: the first 256 are kept */
	s->n_allow = 0;
	for (size_t i = 0; i < n; i++) {
		c2c_intel_indicator(h->intel, h->hits[i].id, &ind);
		if (ind.allow && s->n_allow < C2C_SEEN_MAX_ALLOW)
			s->allow[s->n_allow++] = h->hits[i].id;
	}
	s->suppressed = s->n_allow > 0;
	for (size_t i = 0; i < n; i++) {
		c2c_intel_indicator(h->intel, h->hits[i].id, &ind);
		if (ind.allow)
			continue;
		s->indicator = h->hits[i].id;
		s->how = h->hits[i].how;
		h->matches++;
		if (h->cb != NULL && (err = h->cb(h->cb_ctx, s)) != C2C_OK)
			return err;
		if ((err = aggregate(h, s)) != C2C_OK)
			return err;
	}
	return C2C_OK;
}

static c2c_err
match_ip(struct c2c_intelhit *h, struct c2c_intel_seen *s, const struct c2c_ip *ip, uint16_t port)
{
	char buf[C2C_IP_STRLEN];
	size_t n = c2c_intel_match_ip(h->intel, ip, port, h->check_time ? s->ts : C2C_TIME_NONE,
	    h->hits, MAX_HITS);
	if (n == 0)
		return C2C_OK;
	s->value = c2c_ip_format(ip, buf, sizeof(buf));
	return deliver(h, n, s);
}

static c2c_err
match_name(struct c2c_intelhit *h, struct c2c_intel_seen *s, const char *name)
{
	if (name == NULL || name[0] == '\0')
		return C2C_OK;
	/* an address literal in a name field (Host: 1.2.3.4) is matched as an address */
	struct c2c_ip ip;
	if (c2c_ip_parse(&ip, name) == C2C_OK) {
		struct c2c_ip save = s->peer;
		c2c_err err = match_ip(h, s, &ip, s->peer_port);
		s->peer = save;
		return err;
	}
	size_t n = c2c_intel_match_domain(h->intel, name, h->check_time ? s->ts : C2C_TIME_NONE,
	    h->hits, MAX_HITS);
	if (n == 0)
		return C2C_OK;
	s->value = name;
	return deliver(h, n, s);
}

c2c_err
c2c_intelhit_flow(struct c2c_intelhit *h, const struct c2c_flow *f)
{
	struct c2c_intel_seen s;
	struct c2c_evref ev[2];
	c2c_err err;
	memset(&s, 0, sizeof(s));
	ev[0] = f->first_ev;
	ev[1] = f->last_ev;
	s.ev = ev;
	s.n_ev = memcmp(&f->first_ev, &f->last_ev, sizeof(ev[0])) == 0 ? 1 : 2;
	s.ts = f->ts;
	s.last = f->last;
	/* responder matched: the originator is the host talking to it */
	s.where = C2C_SEEN_CONN_RESP;
	s.host = f->orig;
	s.peer = f->resp;
	s.peer_port = f->resp_port;
	if ((err = match_ip(h, &s, &f->resp, f->resp_port)) != C2C_OK)
		return err;
	s.where = C2C_SEEN_CONN_ORIG;
	s.host = f->resp;
	s.peer = f->orig;
	s.peer_port = f->orig_port;
	/* the originator's port is ephemeral: port-qualified indicators name server ports */
	return match_ip(h, &s, &f->orig, 0);
}

c2c_err
c2c_intelhit_obs(struct c2c_intelhit *h, const struct c2c_obs *o)
{
	struct c2c_intel_seen s;
	c2c_err err = C2C_OK;
	memset(&s, 0, sizeof(s));
	s.ev = &o->ev;
	s.n_ev = 1;
	s.ts = o->ts;
	/* A DNS observation is cited by its response packet, which comes rtt after the query. */
	if (o->kind == C2C_OBS_DNS && o->u.dns.rtt > 0)
		s.last = o->ts + o->u.dns.rtt;
	s.host = o->orig;
	switch (o->kind) {
	case C2C_OBS_DNS: {
		const struct c2c_dns *d = &o->u.dns;
		s.where = C2C_SEEN_DNS_QUERY;
		s.fqdn = d->query;
		if ((err = match_name(h, &s, d->query)) != C2C_OK)
			return err;
		s.where = C2C_SEEN_DNS_ANSWER;
		for (unsigned i = 0; i < d->n_answers && i < C2C_DNS_MAX_ANSWERS; i++) {
			const struct c2c_dns_answer *a = &d->answers[i];
			if (a->type == 1 || a->type == 28) {
				s.peer = a->ip;
				s.peer_port = 0;
				err = match_ip(h, &s, &a->ip, 0);
				memset(&s.peer, 0, sizeof(s.peer));
			} else if (a->type == 5) {
				err = match_name(h, &s, a->text);
			}
			if (err != C2C_OK)
				return err;
		}
		return C2C_OK;
	}
	case C2C_OBS_TLS:
		s.where = C2C_SEEN_TLS_SNI;
		s.peer = o->resp;
		s.peer_port = o->resp_port;
		s.fqdn = o->u.tls.sni;
		return match_name(h, &s, o->u.tls.sni);
	case C2C_OBS_HTTP: {
		const struct c2c_http *hp = &o->u.http;
		char host[C2C_NAME_MAX];
		size_t n = strlen(hp->host);
		if (n >= sizeof(host))
			n = sizeof(host) - 1;
		memcpy(host, hp->host, n);
		host[n] = '\0';
		/* Host: name[:port] */
		char *colon = strrchr(host, ':');
		if (colon != NULL && strchr(host, ']') == NULL && strchr(host, ':') == colon)
			*colon = '\0';
		s.peer = o->resp;
		s.peer_port = o->resp_port;
		s.fqdn = host;
		s.where = C2C_SEEN_HTTP_HOST;
		if ((err = match_name(h, &s, host)) != C2C_OK)
			return err;
		if (hp->uri[0] == '\0')
			return C2C_OK;
		size_t m = c2c_intel_match_url(h->intel, host, hp->uri,
		    h->check_time ? s.ts : C2C_TIME_NONE, h->hits, MAX_HITS);
		if (m == 0)
			return C2C_OK;
		char val[C2C_NAME_MAX + 1024];
		size_t hl = strlen(host), ul = strlen(hp->uri);
		if (hl + ul + 2 > sizeof(val))
			ul = sizeof(val) - hl - 2;
		memcpy(val, host, hl);
		memcpy(val + hl, hp->uri, ul);
		val[hl + ul] = '\0';
		s.value = val;
		s.where = C2C_SEEN_HTTP_URL;
		return deliver(h, m, &s);
	}
	default:
		return C2C_OK;
	}
}

static c2c_err
sink_flow(void *ctx, const struct c2c_flow *f)
{
	return c2c_intelhit_flow(ctx, f);
}

static c2c_err
sink_obs(void *ctx, const struct c2c_obs *o)
{
	return c2c_intelhit_obs(ctx, o);
}

void
c2c_intelhit_sink(struct c2c_intelhit *h, struct c2c_sink *out)
{
	out->ctx = h;
	out->flow = sink_flow;
	out->obs = sink_obs;
}

/* ---- findings ------------------------------------------------------------------------------ */

static int
cmp_agg(const void *pa, const void *pb)
{
	const struct agg *a = *(const struct agg *const *)pa, *b = *(const struct agg *const *)pb;
	int c = c2c_ip_cmp(&a->host, &b->host);
	if (c != 0)
		return c;
	return (a->ind > b->ind) - (a->ind < b->ind);
}

static int
cmp_cstr(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static c2c_err
label_array(const struct c2c_indicator *ind, json_t **out)
{
	json_t *arr = json_array();
	c2c_err err = C2C_OK;
	if (arr == NULL)
		return C2C_ENOMEM;
	for (size_t i = 0; i < ind->n_labels && err == C2C_OK; i++) {
		json_t *l = json_object();
		err = c2c_json_append_new(arr, l);
		if (err == C2C_OK)
			err = c2c_json_set_str(l, "type", c2c_label_type_name(ind->labels[i].type));
		if (err == C2C_OK)
			err = c2c_json_set_str(l, "value", ind->labels[i].value);
	}
	if (err != C2C_OK) {
		json_decref(arr);
		return err;
	}
	*out = arr;
	return C2C_OK;
}

/* {"type","value","port"?,"feed":"sha256:..","feed_name","line"|"object","labels"} */
static c2c_err
indicator_json(const struct c2c_intel *in, uint32_t id, json_t **out)
{
	struct c2c_indicator ind;
	struct c2c_feed_info fi;
	char buf[C2C_IP_STRLEN + 8], hex[65], fd[80];
	c2c_err err;
	json_t *o = json_object(), *labels = NULL;
	if (o == NULL)
		return C2C_ENOMEM;
	c2c_intel_indicator(in, id, &ind);
	c2c_intel_feed(in, ind.feed, &fi);
	const char *value = ind.value;
	if (value == NULL) {
		c2c_ip_format(&ind.ip, buf, C2C_IP_STRLEN);
		if (ind.type == C2C_IOC_CIDR) {
			size_t l = strlen(buf);
			(void)snprintf(buf + l, sizeof(buf) - l, "/%u", ind.prefix);
		}
		value = buf;
	}
	(void)snprintf(fd, sizeof(fd), "sha256:%s", c2c_hex(fi.sha256, 32, hex));
	if ((err = c2c_json_set_str(o, "type", c2c_ioc_type_name(ind.type))) != C2C_OK ||
	    (err = c2c_json_set_str(o, "value", value)) != C2C_OK ||
	    (ind.port && (err = c2c_json_set_int(o, "port", ind.port)) != C2C_OK) ||
	    (err = c2c_json_set_str(o, "feed", fd)) != C2C_OK ||
	    (err = c2c_json_set_str(o, "feed_name", fi.name)) != C2C_OK ||
	    (ind.object == NULL && (err = c2c_json_set_int(o, "line", (int64_t)ind.line)) != C2C_OK) ||
	    (ind.object != NULL && (err = c2c_json_set_str(o, "object", ind.object)) != C2C_OK) ||
	    (ind.score >= 0 && (err = c2c_json_set_int(o, "score", ind.score)) != C2C_OK) ||
	    (err = label_array(&ind, &labels)) != C2C_OK ||
	    (err = c2c_json_set_new(o, "labels", labels)) != C2C_OK) {
		json_decref(o);
		return err;
	}
	*out = o;
	return C2C_OK;
}

static c2c_err
evidence_json(const struct c2c_intelhit *h, const struct agg *a, const uint8_t (*digests)[32],
    size_t n_inputs, json_t *ev)
{
	c2c_err err = C2C_OK;
	char **s = c2c_calloc(a->n_refs ? a->n_refs : 1, sizeof(*s));
	size_t n = 0, u = 0;
	json_t *refs = NULL;
	if (s == NULL)
		return C2C_ENOMEM;
	for (size_t i = 0; i < a->n_refs; i++) {
		if (a->refs[i].input >= n_inputs) {
			err = C2C_EINVAL;
			goto out;
		}
		s[n] = c2c_malloc(C2C_EVREF_STRLEN);
		if (s[n] == NULL) {
			err = C2C_ENOMEM;
			goto out;
		}
		c2c_evref_format(&a->refs[i], digests[a->refs[i].input], s[n], C2C_EVREF_STRLEN);
		n++;
	}
	qsort(s, n, sizeof(*s), cmp_cstr);
	for (size_t i = 0; i < n; i++) {
		if (u > 0 && strcmp(s[u - 1], s[i]) == 0) {
			c2c_free(s[i]);
			continue;
		}
		s[u++] = s[i];
	}
	n = u;
	refs = json_array();
	if (refs == NULL) {
		err = C2C_ENOMEM;
		goto out;
	}
	if (n <= MAX_REFS_INLINE) {
		for (size_t i = 0; i < n && err == C2C_OK; i++)
			err = c2c_json_append_new(refs, json_string(s[i]));
		if (err == C2C_OK)
			err = c2c_json_set_new(ev, "refs", refs);
		else
			json_decref(refs);
	} else {
		uint8_t root[32];
		char hex[65];
		err = c2c_detect_merkle_root((const char *const *)s, n, root);
		if (err == C2C_OK && h->reflist_cb != NULL)
			err = h->reflist_cb(h->reflist_ctx, (const char *const *)s, n);
		for (size_t i = 0; i < n && err == C2C_OK; i++)
			if (i < 8 || i >= n - 8)
				err = c2c_json_append_new(refs, json_string(s[i]));
		if (err == C2C_OK)
			err = c2c_json_set_new(ev, "samples", refs);
		else
			json_decref(refs);
		if (err == C2C_OK)
			err = c2c_json_set_int(ev, "count", (int64_t)n);
		if (err == C2C_OK)
			err = c2c_json_set_str(ev, "merkle_root", c2c_hex(root, 32, hex));
	}
out:
	for (size_t i = 0; i < n; i++)
		c2c_free(s[i]);
	c2c_free(s);
	return err;
}

/* A new empty object/array attached to `parent` under `key`; NULL on OOM (parent owns it). */
static json_t *
child(json_t *parent, const char *key, bool array, c2c_err *err)
{
	json_t *x = array ? json_array() : json_object();
	if (*err != C2C_OK) {
		json_decref(x);
		return NULL;
	}
	*err = c2c_json_set_new(parent, key, x);
	return *err == C2C_OK ? x : NULL;
}

static c2c_err
finding(const struct c2c_intelhit *h, const struct agg *a, const uint8_t (*digests)[32],
    size_t n_inputs, json_t **out)
{
	const struct c2c_intel *in = h->intel;
	char buf[C2C_IP_STRLEN], tbuf[40], hex[65];
	static const char *const hows[] = { "?", "exact", "prefix", "suffix", "substring" };
	char fds[C2C_SEEN_MAX_ALLOW + 1][80];
	size_t nfd = 0;
	c2c_err err = C2C_OK;
	json_t *f = json_object(), *ind = NULL;
	if (f == NULL)
		return C2C_ENOMEM;
	json_t *method = child(f, "method", false, &err);
	json_t *params = child(method, "params", false, &err);
	json_t *subject = child(f, "subject", false, &err);
	json_t *result = child(f, "result", false, &err);
	json_t *ev = child(f, "evidence", false, &err);
	json_t *where = child(result, "where", true, &err);
	if (err != C2C_OK) {
		json_decref(f);
		return err;
	}
	struct c2c_indicator bi;
	struct c2c_feed_info fi;
	c2c_intel_indicator(in, a->ind, &bi);
	c2c_intel_feed(in, bi.feed, &fi);
	(void)snprintf(fds[nfd++], sizeof(fds[0]), "sha256:%s", c2c_hex(fi.sha256, 32, hex));
	if ((err = c2c_json_set_str(f, "type", "intel-hit")) != C2C_OK ||
	    (err = c2c_json_set_str(f, "rung", "L1")) != C2C_OK ||
	    (err = c2c_json_set_str(method, "id", "c2chain.intelhit")) != C2C_OK ||
	    (err = c2c_json_set_int(method, "version", 1)) != C2C_OK ||
	    (err = c2c_json_set_bool(params, "validity_checked", h->check_time)) != C2C_OK ||
	    (err = c2c_json_set_str(subject, "host", c2c_ip_format(&a->host, buf, sizeof(buf)))) !=
		C2C_OK ||
	    (a->peer.family != 0 &&
		(err = c2c_json_set_str(subject, "peer", c2c_ip_format(&a->peer, buf, sizeof(buf)))) !=
		    C2C_OK) ||
	    (a->peer.family != 0 && a->peer_port != 0 &&
		(err = c2c_json_set_int(subject, "peer_port", a->peer_port)) != C2C_OK) ||
	    (a->fqdn[0] != '\0' && (err = c2c_json_set_str(subject, "fqdn", a->fqdn)) != C2C_OK) ||
	    (err = c2c_json_set_str(f, "first_seen",
		 c2c_time_format_iso(a->first, tbuf, sizeof(tbuf)))) != C2C_OK ||
	    (err = c2c_json_set_str(f, "last_seen",
		 c2c_time_format_iso(a->last, tbuf, sizeof(tbuf)))) != C2C_OK ||
	    (err = indicator_json(in, a->ind, &ind)) != C2C_OK ||
	    (err = c2c_json_set_new(result, "indicator", ind)) != C2C_OK ||
	    (err = c2c_json_set_str(result, "match", hows[a->how < 5 ? a->how : 0])) != C2C_OK ||
	    (err = c2c_json_set_int(result, "matches", (int64_t)a->count)) != C2C_OK ||
	    (err = c2c_json_set_str(f, "recheck", "refdata")) != C2C_OK) {
		json_decref(f);
		return err;
	}
	for (unsigned w = 1; w < C2C_SEEN__COUNT && err == C2C_OK; w++)
		if (a->where & (1u << w))
			err = c2c_json_append_new(where, json_string(c2c_seen_where_name(w)));
	/* suppressed: name the allow-list entries (by id) and pin their feeds too */
	uint32_t al[C2C_SEEN_MAX_ALLOW];
	unsigned na = a->n_allow;
	memcpy(al, a->allow, na * sizeof(al[0]));
	for (unsigned i = 1; i < na; i++)
		for (unsigned k = i; k > 0 && al[k - 1] > al[k]; k--) {
			uint32_t t = al[k];
			al[k] = al[k - 1];
			al[k - 1] = t;
		}
	json_t *allow = na > 0 ? child(result, "suppressed_by", true, &err) : NULL;
	for (unsigned i = 0; i < na && err == C2C_OK; i++) {
		json_t *aj = NULL;
		struct c2c_indicator ai;
		c2c_intel_indicator(in, al[i], &ai);
		c2c_intel_feed(in, ai.feed, &fi);
		(void)snprintf(fds[nfd++], sizeof(fds[0]), "sha256:%s", c2c_hex(fi.sha256, 32, hex));
		err = indicator_json(in, al[i], &aj);
		if (err == C2C_OK)
			err = c2c_json_append_new(allow, aj);
	}
	/* refdata: sorted, unique */
	for (size_t i = 1; i < nfd; i++)
		for (size_t k = i; k > 0 && strcmp(fds[k - 1], fds[k]) > 0; k--) {
			char t[80];
			memcpy(t, fds[k], sizeof(t));
			memcpy(fds[k], fds[k - 1], sizeof(t));
			memcpy(fds[k - 1], t, sizeof(t));
		}
	json_t *refdata = child(ev, "refdata", true, &err);
	for (size_t i = 0; i < nfd && err == C2C_OK; i++)
		if (i == 0 || strcmp(fds[i], fds[i - 1]) != 0)
			err = c2c_json_append_new(refdata, json_string(fds[i]));
	if (err == C2C_OK)
		err = evidence_json(h, a, digests, n_inputs, ev);
	uint8_t dig[32];
	if (err == C2C_OK)
		err = c2c_json_digest(f, dig);
	if (err == C2C_OK) {
		char id[40], dh[65];
		c2c_hex(dig, 32, dh);
		(void)snprintf(id, sizeof(id), "intel-hit:%.16s", dh);
		err = c2c_json_set_str(f, "id", id);
	}
	if (err != C2C_OK) {
		json_decref(f);
		return err;
	}
	*out = f;
	return C2C_OK;
}

c2c_err
c2c_intelhit_findings(const struct c2c_intelhit *h, const uint8_t (*digests)[32],
    size_t n_inputs, json_t **findings, json_t **suppressed)
{
	c2c_err err = C2C_OK;
	const struct agg **v = c2c_calloc(h->n_aggs ? h->n_aggs : 1, sizeof(*v));
	json_t *fa = json_array(), *sa = json_array();
	if (v == NULL || fa == NULL || sa == NULL) {
		err = C2C_ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < h->n_aggs; i++)
		v[i] = &h->aggs[i];
	qsort(v, h->n_aggs, sizeof(*v), cmp_agg);
	for (size_t i = 0; i < h->n_aggs && err == C2C_OK; i++) {
		json_t *f = NULL;
		err = finding(h, v[i], digests, n_inputs, &f);
		if (err == C2C_OK)
			err = c2c_json_append_new(v[i]->suppressed ? sa : fa, f);
	}
out:
	c2c_free(v);
	if (err != C2C_OK) {
		json_decref(fa);
		json_decref(sa);
		return err;
	}
	*findings = fa;
	*suppressed = sa;
	return C2C_OK;
}
