/*
 * Infrastructure clusters (rung L3): C2 endpoints joined by checkable edges, each edge its own
 * finding with the evidence for both ends, so a verifier re-checks every link on its own.
 *
 * Edge kinds, strongest first: same-certificate (both presented one TLS certificate),
 * shared-fqdn (one name resolved to both in DNS answers), same-host-set (identical sets of at
 * least min_shared_hosts controlled hosts), same-ja3s-ports (same JA3S and the same port set;
 * weak: a TLS library fingerprint, not an operator's). Endpoints sharing a value are linked as
 * a star from the lowest address, so k endpoints cost k - 1 edges. Clusters are the connected
 * components (union-find) with two or more members. Ids are digests of content.
 */
#include "c2chain/infra.h"

#include <stdlib.h>
#include <string.h>

#include "attribute/internal.h"

enum { K_CERT, K_FQDN, K_HOSTS, K_JA3S, K__N };
static const char *const kind_names[K__N] = { "same-certificate", "shared-fqdn",
	"same-host-set", "same-ja3s-ports" };
static const char *const kind_strength[K__N] = { "strong", "moderate", "moderate", "weak" };

/* One (value, endpoint) fact. */
struct fact {
	char *key; /* owned */
	uint32_t ep;
	struct c2c_evref ev;
	bool has_ev;
};

struct facts {
	struct fact *v;
	size_t n, cap;
};

static c2c_err
fact_add(struct facts *f, const char *key, uint32_t ep, const struct c2c_evref *ev)
{
	if (f->n == f->cap) {
		size_t ncap = f->cap ? f->cap * 2 : 64;
		struct fact *nv = c2c_reallocarray(f->v, ncap, sizeof(*nv));
		if (nv == NULL)
			return C2C_ENOMEM;
		f->v = nv;
		f->cap = ncap;
	}
	f->v[f->n].key = c2c_strdup(key);
	if (f->v[f->n].key == NULL)
		return C2C_ENOMEM;
	f->v[f->n].ep = ep;
	f->v[f->n].has_ev = ev != NULL;
	if (ev != NULL)
		f->v[f->n].ev = *ev;
	f->n++;
	return C2C_OK;
}

static void
facts_fini(struct facts *f)
{
	for (size_t i = 0; i < f->n; i++)
		c2c_free(f->v[i].key);
	c2c_free(f->v);
}

static int
fact_cmp(const void *x, const void *y)
{
	const struct fact *a = x, *b = y;
	int c = strcmp(a->key, b->key);
	if (c != 0)
		return c;
	return a->ep < b->ep ? -1 : a->ep > b->ep;
}

struct uf {
	uint32_t *p;
};

static uint32_t
uf_find(struct uf *u, uint32_t x)
{
	while (u->p[x] != x) {
		u->p[x] = u->p[u->p[x]];
		x = u->p[x];
	}
	return x;
}

static void
uf_union(struct uf *u, uint32_t a, uint32_t b)
{
	a = uf_find(u, a);
	b = uf_find(u, b);
	if (a == b)
		return;
	/* The lower index becomes the root: deterministic and order-independent. */
	if (a < b)
		u->p[b] = a;
	else
		u->p[a] = b;
}

struct edge_rec {
	json_t *obj;
	const char *id; /* inside obj */
	uint32_t a, b;
};

struct edges {
	struct edge_rec *v;
	size_t n, cap;
};

static c2c_err
make_edge(const struct c2c__ep *eps, const struct c2c_infra_opts *o, int kind, const char *value,
    const struct fact *fa, const struct fact *fb, uint32_t a, uint32_t b, struct edges *out)
{
	json_t *obj = json_object(), *method = json_object(), *params = json_object(),
	       *subj = json_object(), *res = json_object(), *ev = json_object(),
	       *refs = json_array(), *fnd = json_array();
	char ipa[C2C_IP_STRLEN], ipb[C2C_IP_STRLEN], ra[C2C_EVREF_STRLEN], rb[C2C_EVREF_STRLEN],
	    id[48];
	bool has_a, has_b;
	c2c_err rc = C2C_ENOMEM;

	if (obj == NULL || method == NULL || params == NULL || subj == NULL || res == NULL ||
	    ev == NULL || refs == NULL || fnd == NULL)
		goto fail;
	rc = c2c_json_set_str(obj, "type", "cluster-edge");
	if (rc == C2C_OK)
		rc = c2c_json_set_str(obj, "rung", "L3");
	if (rc == C2C_OK)
		rc = c2c_json_set_str(method, "id", "c2chain.cluster");
	if (rc == C2C_OK)
		rc = c2c_json_set_int(method, "version", 1);
	if (rc == C2C_OK)
		rc = c2c_json_set_str(params, "kind", kind_names[kind]);
	if (rc == C2C_OK && kind == K_HOSTS)
		rc = c2c_json_set_int(params, "min_shared_hosts", o->min_shared_hosts);
	if (rc == C2C_OK)
		rc = c2c_json_set_str(subj, "a", c2c_ip_format(&eps[a].ip, ipa, sizeof(ipa)));
	if (rc == C2C_OK)
		rc = c2c_json_set_str(subj, "b", c2c_ip_format(&eps[b].ip, ipb, sizeof(ipb)));
	if (rc == C2C_OK)
		rc = c2c_json_set_str(res, "kind", kind_names[kind]);
	if (rc == C2C_OK)
		rc = c2c_json_set_str(res, "value", value);
	if (rc == C2C_OK)
		rc = c2c_json_set_str(res, "strength", kind_strength[kind]);
	if (rc == C2C_OK)
		rc = c2c_json_set_str(res, "a", eps[a].id);
	if (rc == C2C_OK)
		rc = c2c_json_set_str(res, "b", eps[b].id);
	/* Evidence: the record showing the shared fact at each end, and the two infrastructure
	 * objects (which cite the findings behind the host sets). */
	has_a = fa != NULL && fa->has_ev && c2c__evref_str(o, &fa->ev, ra, sizeof(ra));
	has_b = fb != NULL && fb->has_ev && c2c__evref_str(o, &fb->ev, rb, sizeof(rb));
	if (rc == C2C_OK && has_a && has_b && strcmp(rb, ra) < 0) {
		rc = c2c__json_arr_str(refs, rb);
		has_b = false;
	}
	if (rc == C2C_OK && has_a)
		rc = c2c__json_arr_str(refs, ra);
	if (rc == C2C_OK && has_b && !(has_a && strcmp(ra, rb) == 0))
		rc = c2c__json_arr_str(refs, rb);
	if (rc == C2C_OK)
		rc = c2c__json_arr_str(fnd, strcmp(eps[a].id, eps[b].id) < 0 ? eps[a].id : eps[b].id);
	if (rc == C2C_OK)
		rc = c2c__json_arr_str(fnd, strcmp(eps[a].id, eps[b].id) < 0 ? eps[b].id : eps[a].id);
	if (rc != C2C_OK)
		goto fail;
	rc = c2c_json_set_new(method, "params", params);
	params = NULL;
	if (rc == C2C_OK)
		rc = c2c_json_set_new(obj, "method", method);
	method = NULL;
	if (rc == C2C_OK)
		rc = c2c_json_set_new(obj, "subject", subj);
	subj = NULL;
	if (rc == C2C_OK)
		rc = c2c_json_set_new(obj, "result", res);
	res = NULL;
	if (rc == C2C_OK)
		rc = c2c_json_set_new(ev, "refs", refs);
	refs = NULL;
	if (rc == C2C_OK)
		rc = c2c_json_set_new(ev, "findings", fnd);
	fnd = NULL;
	if (rc == C2C_OK)
		rc = c2c_json_set_new(obj, "evidence", ev);
	ev = NULL;
	if (rc == C2C_OK)
		rc = c2c_json_set_str(obj, "recheck", "records");
	if (rc == C2C_OK)
		rc = c2c__json_set_id(obj, "cluster-edge", id, sizeof(id));
	if (rc == C2C_OK && out->n == out->cap) {
		size_t ncap = out->cap ? out->cap * 2 : 64;
		struct edge_rec *nv = c2c_reallocarray(out->v, ncap, sizeof(*nv));
		if (nv == NULL)
			rc = C2C_ENOMEM;
		else {
			out->v = nv;
			out->cap = ncap;
		}
	}
	if (rc != C2C_OK)
		goto fail;
	out->v[out->n].obj = obj;
	out->v[out->n].id = json_string_value(json_object_get(obj, "id"));
	out->v[out->n].a = a;
	out->v[out->n].b = b;
	out->n++;
	return C2C_OK;
fail:
	json_decref(obj);
	json_decref(method);
	json_decref(params);
	json_decref(subj);
	json_decref(res);
	json_decref(ev);
	json_decref(refs);
	json_decref(fnd);
	return rc;
}

/* Star edges over each group of equal keys (facts sorted). */
static c2c_err
edges_from_facts(const struct c2c__ep *eps, const struct c2c_infra_opts *o, int kind,
    struct facts *f, struct edges *out)
{
	size_t i = 0;
	if (f->n > 1)
		qsort(f->v, f->n, sizeof(*f->v), fact_cmp);
	while (i < f->n) {
		size_t j = i + 1;
		while (j < f->n && strcmp(f->v[j].key, f->v[i].key) == 0)
			j++;
		/* f->v[i] is the lowest endpoint of the group (eps are sorted by address). */
		for (size_t k = i + 1; k < j; k++) {
			c2c_err rc;
			if (f->v[k].ep == f->v[k - 1].ep)
				continue;
			rc = make_edge(eps, o, kind, f->v[i].key, &f->v[i], &f->v[k], f->v[i].ep,
			    f->v[k].ep, out);
			if (rc != C2C_OK)
				return rc;
		}
		i = j;
	}
	return C2C_OK;
}

static int
edge_cmp(const void *x, const void *y)
{
	return strcmp(((const struct edge_rec *)x)->id, ((const struct edge_rec *)y)->id);
}

static c2c_err
host_set_key(const struct c2c__ep *e, char *buf, size_t len)
{
	struct c2c_sha256 h;
	uint8_t d[32];
	char hex[65], ipb[C2C_IP_STRLEN];
	c2c_err rc = c2c_sha256_init(&h);
	if (rc != C2C_OK)
		return rc == C2C_ECRYPTO ? C2C_ENOMEM : rc;
	for (size_t i = 0; i < e->n_hosts; i++) {
		(void)c2c_ip_format(&e->hosts[i], ipb, sizeof(ipb));
		c2c_sha256_update(&h, ipb, strlen(ipb));
		c2c_sha256_update(&h, "\n", 1);
	}
	c2c_sha256_final(&h, d);
	(void)snprintf(buf, len, "%zu hosts, sha256:%s", e->n_hosts, c2c_hex(d, 32, hex));
	return C2C_OK;
}

static c2c_err
make_cluster(const struct c2c__ep *eps, const uint32_t *members, size_t nm,
    const struct edges *ed, const uint32_t *eidx, size_t ne, json_t *clusters)
{
	json_t *obj = json_object(), *method = json_object(), *res = json_object(),
	       *mem = json_array(), *ids = json_array(), *eids = json_array(),
	       *kinds = json_object(), *ev = json_object(), *evf = json_array();
	size_t counts[K__N] = { 0 };
	char ipb[C2C_IP_STRLEN], id[48];
	c2c_err rc = C2C_ENOMEM;

	if (obj == NULL || method == NULL || res == NULL || mem == NULL || ids == NULL ||
	    eids == NULL || kinds == NULL || ev == NULL || evf == NULL)
		goto fail;
	rc = C2C_OK;
	for (size_t i = 0; i < nm && rc == C2C_OK; i++) {
		rc = c2c__json_arr_str(mem, c2c_ip_format(&eps[members[i]].ip, ipb, sizeof(ipb)));
		if (rc == C2C_OK)
			rc = c2c__json_arr_str(ids, eps[members[i]].id);
	}
	/* Edges of this component, in id order. */
	for (size_t x = 0; x < ne && rc == C2C_OK; x++) {
		const struct edge_rec *er = &ed->v[eidx[x]];
		const char *k;
		rc = c2c__json_arr_str(eids, er->id);
		if (rc == C2C_OK)
			rc = c2c__json_arr_str(evf, er->id);
		k = json_string_value(json_object_get(json_object_get(er->obj, "result"), "kind"));
		for (int j = 0; j < K__N && k != NULL; j++)
			if (strcmp(k, kind_names[j]) == 0)
				counts[j]++;
	}
	for (int j = 0; j < K__N && rc == C2C_OK; j++)
		rc = c2c_json_set_int(kinds, kind_names[j], (int64_t)counts[j]);
	if (rc == C2C_OK)
		rc = c2c_json_set_str(obj, "type", "cluster");
	if (rc == C2C_OK)
		rc = c2c_json_set_str(obj, "rung", "L3");
	if (rc == C2C_OK)
		rc = c2c_json_set_str(method, "id", "c2chain.cluster");
	if (rc == C2C_OK)
		rc = c2c_json_set_int(method, "version", 1);
	if (rc == C2C_OK)
		rc = c2c_json_set_int(res, "size", (int64_t)nm);
	if (rc != C2C_OK)
		goto fail;
	rc = c2c_json_set_new(obj, "method", method);
	method = NULL;
	if (rc == C2C_OK)
		rc = c2c_json_set_new(res, "members", mem);
	mem = NULL;
	if (rc == C2C_OK)
		rc = c2c_json_set_new(res, "infrastructure", ids);
	ids = NULL;
	if (rc == C2C_OK)
		rc = c2c_json_set_new(res, "edges", eids);
	eids = NULL;
	if (rc == C2C_OK)
		rc = c2c_json_set_new(res, "edge_kinds", kinds);
	kinds = NULL;
	if (rc == C2C_OK)
		rc = c2c_json_set_new(obj, "result", res);
	res = NULL;
	if (rc == C2C_OK)
		rc = c2c_json_set_new(ev, "findings", evf);
	evf = NULL;
	if (rc == C2C_OK)
		rc = c2c_json_set_new(obj, "evidence", ev);
	ev = NULL;
	if (rc == C2C_OK)
		rc = c2c_json_set_str(obj, "recheck", "records");
	if (rc == C2C_OK)
		rc = c2c__json_set_id(obj, "cluster", id, sizeof(id));
	if (rc == C2C_OK) {
		/* json_array_append_new releases obj on failure too. */
		rc = json_array_append_new(clusters, obj) != 0 ? C2C_ENOMEM : C2C_OK;
		obj = NULL;
	}
	if (rc == C2C_OK)
		return C2C_OK;
fail:
	json_decref(obj);
	json_decref(method);
	json_decref(res);
	json_decref(mem);
	json_decref(ids);
	json_decref(eids);
	json_decref(kinds);
	json_decref(ev);
	json_decref(evf);
	return rc == C2C_OK ? C2C_ENOMEM : rc;
}

static int
json_id_cmp(const void *x, const void *y)
{
	const json_t *a = *(const json_t *const *)x, *b = *(const json_t *const *)y;
	return strcmp(json_string_value(json_object_get(a, "id")),
	    json_string_value(json_object_get(b, "id")));
}

c2c_err
c2c__cluster_build(struct c2c__ep *eps, size_t n, const struct c2c_infra_opts *o, json_t *edges,
    json_t *clusters)
{
	struct facts f[K__N];
	struct edges ed = { NULL, 0, 0 };
	struct uf uf = { NULL };
	uint32_t *members = NULL;
	json_t **cl = NULL;
	c2c_err rc = C2C_OK;

	memset(f, 0, sizeof(f));
	for (size_t k = 0; k < n && rc == C2C_OK; k++) {
		const struct c2c__ep *e = &eps[k];
		const struct c2c__srv *s = e->srv;
		char key[600];
		for (unsigned j = 0; s != NULL && j < s->n_cert && rc == C2C_OK; j++) {
			char hex[65];
			rc = fact_add(&f[K_CERT], c2c_hex(s->cert[j].sha, 32, hex), (uint32_t)k,
			    &s->cert[j].ev);
		}
		for (unsigned j = 0; s != NULL && j < s->n_fq && rc == C2C_OK; j++)
			if (s->fq[j].src & C2C__FQ_DNS)
				rc = fact_add(&f[K_FQDN], s->fq[j].name, (uint32_t)k,
				    s->fq[j].has_ev ? &s->fq[j].ev : NULL);
		if (rc == C2C_OK && e->n_hosts >= o->min_shared_hosts && e->n_hosts >= 2) {
			rc = host_set_key(e, key, sizeof(key));
			if (rc == C2C_OK)
				rc = fact_add(&f[K_HOSTS], key, (uint32_t)k, NULL);
		}
		for (unsigned j = 0; s != NULL && e->n_ports > 0 && j < s->n_ja3s && rc == C2C_OK;
		     j++) {
			size_t l = (size_t)snprintf(key, sizeof(key), "%s ports", s->ja3s[j].v);
			for (size_t p = 0; p < e->n_ports && l < sizeof(key) - 8; p++)
				l += (size_t)snprintf(key + l, sizeof(key) - l, "%s%u",
				    p ? "," : " ", (unsigned)e->ports[p]);
			rc = fact_add(&f[K_JA3S], key, (uint32_t)k, &s->ja3s[j].ev);
		}
	}
	for (int kd = 0; kd < K__N && rc == C2C_OK; kd++)
		rc = edges_from_facts(eps, o, kd, &f[kd], &ed);
	if (rc != C2C_OK)
		goto out;
	if (ed.n > 1)
		qsort(ed.v, ed.n, sizeof(*ed.v), edge_cmp);
	uf.p = c2c_reallocarray(NULL, n + 1, sizeof(*uf.p));
	members = c2c_reallocarray(NULL, n + 1, sizeof(*members));
	if (uf.p == NULL || members == NULL) {
		rc = C2C_ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		uf.p[i] = (uint32_t)i;
	for (size_t i = 0; i < ed.n; i++)
		uf_union(&uf, ed.v[i].a, ed.v[i].b);
	/* Components: group endpoints and edges by root (counting sort keeps index order, so
	 * members stay in address order and edges in id order). */
	{
		size_t *mstart = c2c_calloc(n + 1, sizeof(*mstart));
		size_t *estart = c2c_calloc(n + 1, sizeof(*estart));
		uint32_t *eidx = c2c_reallocarray(NULL, ed.n + 1, sizeof(*eidx));
		if (mstart == NULL || estart == NULL || eidx == NULL)
			rc = C2C_ENOMEM;
		for (size_t i = 0; rc == C2C_OK && i < n; i++)
			mstart[uf_find(&uf, (uint32_t)i) + 1]++;
		for (size_t i = 0; rc == C2C_OK && i < ed.n; i++)
			estart[uf_find(&uf, ed.v[i].a) + 1]++;
		for (size_t r = 0; rc == C2C_OK && r < n; r++) {
			mstart[r + 1] += mstart[r];
			estart[r + 1] += estart[r];
		}
		if (rc == C2C_OK) {
			for (size_t i = 0; i < n; i++) {
				uint32_t r = uf_find(&uf, (uint32_t)i);
				members[mstart[r]++] = (uint32_t)i;
			}
			for (size_t i = 0; i < ed.n; i++) {
				uint32_t r = uf_find(&uf, ed.v[i].a);
				eidx[estart[r]++] = (uint32_t)i;
			}
			/* After filling, start[r] is the end of group r; the start is start[r-1]. */
			for (size_t r = 0; r < n && rc == C2C_OK; r++) {
				size_t m0 = r ? mstart[r - 1] : 0, e0 = r ? estart[r - 1] : 0;
				size_t nm = mstart[r] - m0;
				if (nm >= 2)
					rc = make_cluster(eps, members + m0, nm, &ed, eidx + e0,
					    estart[r] - e0, clusters);
			}
		}
		c2c_free(mstart);
		c2c_free(estart);
		c2c_free(eidx);
	}
	/* Output arrays sorted by id. */
	for (size_t i = 0; i < ed.n && rc == C2C_OK; i++) {
		if (json_array_append(edges, ed.v[i].obj) != 0)
			rc = C2C_ENOMEM;
	}
	if (rc == C2C_OK && json_array_size(clusters) > 1) {
		size_t nc = json_array_size(clusters);
		cl = c2c_reallocarray(NULL, nc, sizeof(*cl));
		if (cl == NULL) {
			rc = C2C_ENOMEM;
			goto out;
		}
		for (size_t i = 0; i < nc; i++)
			cl[i] = json_incref(json_array_get(clusters, i));
		qsort(cl, nc, sizeof(*cl), json_id_cmp);
		json_array_clear(clusters);
		for (size_t i = 0; i < nc; i++)
			if (json_array_append_new(clusters, cl[i]) != 0)
				rc = C2C_ENOMEM;
	}
out:
	for (size_t i = 0; i < ed.n; i++)
		json_decref(ed.v[i].obj);
	c2c_free(ed.v);
	for (int kd = 0; kd < K__N; kd++)
		facts_fini(&f[kd]);
	c2c_free(uf.p);
	c2c_free(members);
	c2c_free(cl);
	return rc;
}

/* ---- re-checking one edge ---------------------------------------------------------------- */

static const json_t *
infra_by_id(const json_t *arr, const char *id)
{
	size_t i;
	json_t *v;
	json_array_foreach(arr, i, v) {
		const char *s = json_string_value(json_object_get(v, "id"));
		if (s != NULL && strcmp(s, id) == 0)
			return v;
	}
	return NULL;
}

static bool
has_str(const json_t *arr, const char *s)
{
	size_t i;
	json_t *v;
	json_array_foreach(arr, i, v) {
		const char *t = json_string_value(v);
		if (t != NULL && strcmp(t, s) == 0)
			return true;
	}
	return false;
}

/* "<n> hosts, sha256:<hex>" of a controlled_hosts list, as host_set_key computes it. */
static c2c_err
host_list_key(const json_t *hosts, char *buf, size_t len)
{
	struct c2c_sha256 h;
	uint8_t d[32];
	char hex[65];
	size_t i;
	json_t *v;
	if (c2c_sha256_init(&h) != C2C_OK)
		return C2C_ENOMEM;
	json_array_foreach(hosts, i, v) {
		const char *s = json_string_value(v);
		if (s == NULL)
			continue;
		c2c_sha256_update(&h, s, strlen(s));
		c2c_sha256_update(&h, "\n", 1);
	}
	c2c_sha256_final(&h, d);
	(void)snprintf(buf, len, "%zu hosts, sha256:%s", json_array_size(hosts),
	    c2c_hex(d, 32, hex));
	return C2C_OK;
}

c2c_err
c2c_cluster_edge_check(const json_t *edge, const json_t *infrastructure, struct c2c_diag *diag)
{
	const json_t *res = json_object_get(edge, "result"), *ends[2], *r[2];
	const char *kind = json_string_value(json_object_get(res, "kind"));
	const char *value = json_string_value(json_object_get(res, "value"));
	const char *eid = json_string_value(json_object_get(edge, "id"));
	const char *ia = json_string_value(json_object_get(res, "a"));
	const char *ib = json_string_value(json_object_get(res, "b"));
	char key[600];

	if (eid == NULL)
		eid = "cluster-edge";
	if (kind == NULL || value == NULL || ia == NULL || ib == NULL)
		return c2c_diag_set(diag, C2C_EVERIFY, eid, 0, "edge lacks kind, value, a or b");
	ends[0] = infra_by_id(infrastructure, ia);
	ends[1] = infra_by_id(infrastructure, ib);
	if (ends[0] == NULL || ends[1] == NULL || ends[0] == ends[1])
		return c2c_diag_set(diag, C2C_EVERIFY, eid, 0,
		    "edge names infrastructure objects that are missing");
	r[0] = json_object_get(ends[0], "result");
	r[1] = json_object_get(ends[1], "result");
	for (int k = 0; k < 2; k++) {
		bool ok;
		if (strcmp(kind, kind_names[K_CERT]) == 0) {
			ok = has_str(json_object_get(r[k], "cert_sha256"), value);
		} else if (strcmp(kind, kind_names[K_FQDN]) == 0) {
			ok = has_str(json_object_get(r[k], "fqdns"), value);
		} else if (strcmp(kind, kind_names[K_HOSTS]) == 0) {
			if (host_list_key(json_object_get(json_object_get(r[k], "controlled_hosts"),
					      "hosts"),
				key, sizeof(key)) != C2C_OK)
				return C2C_ENOMEM;
			ok = strcmp(key, value) == 0;
		} else if (strcmp(kind, kind_names[K_JA3S]) == 0) {
			const char *sp = strchr(value, ' ');
			char ja3s[64];
			size_t l = sp ? (size_t)(sp - value) : 0;
			ok = sp != NULL && l < sizeof(ja3s);
			if (ok) {
				memcpy(ja3s, value, l);
				ja3s[l] = '\0';
				ok = has_str(json_object_get(r[k], "ja3s"), ja3s) &&
				    json_equal(json_object_get(r[0], "ports"),
					json_object_get(r[1], "ports"));
			}
		} else {
			return c2c_diag_set(diag, C2C_EVERIFY, eid, 0, "unknown edge kind '%s'", kind);
		}
		if (!ok)
			return c2c_diag_set(diag, C2C_EVERIFY, eid, 0,
			    "%s: '%.80s' is not in infrastructure object %s", kind, value,
			    k == 0 ? ia : ib);
	}
	return C2C_OK;
}
