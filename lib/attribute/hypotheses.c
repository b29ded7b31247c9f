/*
 * Hypothesis set and evidence items of one assessment (reference/attribution.md §4.2-§4.3,
 * §4.7). Reads the cluster, the findings about its members and the external documents, and
 * builds the model of assess_int.h:
 *
 *   candidates   intrusion sets suggested by the evidence (feed labels resolved through the
 *                catalogue, external documents whose indicators or certificates the cluster
 *                overlaps, analyst judgements), sorted by key;
 *   hypotheses   X and FF(X) per candidate, then the standing alternatives;
 *   items        evidence rows rated by the fixed policy below (C2C__POLICY), in kind order.
 *
 * The ratings are a published policy, not hidden constants: docs/attribution.md prints the
 * table. Every rule that makes location, relays or plantable evidence special is here.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attribute/assess_int.h"
#include "c2chain/json.h"

enum { CC = C2C__R_CC, C_ = C2C__R_C, N_ = C2C__R_N, I_ = C2C__R_I, II = C2C__R_II };

/* Ratings of infrastructure-role items per hypothesis kind (CAND, FF, UNK, CRIM, TOOL, RENT,
 * RELAY, ANON, SINK, LOCAL). */
static const uint8_t role_ratings[5][10] = {
	/* compromised-relay: anyone may route through relays; residential/SOHO addresses are
	 * not rented hosting, not a sinkhole, not local. */
	{ C_, C_, C_, C_, N_, I_, CC, N_, I_, I_ },
	/* rented-hosting */
	{ C_, C_, C_, C_, C_, CC, I_, N_, I_, I_ },
	/* anonymiser */
	{ C_, C_, C_, C_, C_, N_, N_, CC, I_, I_ },
	/* sinkhole: the endpoint answers as a sinkhole, so no operator controls it as C2 */
	{ I_, I_, I_, I_, I_, I_, I_, I_, CC, I_ },
	/* owned (dedicated server of the operator) */
	{ C_, C_, C_, C_, C_, N_, I_, I_, I_, I_ },
};
static const char *const role_names[5] = { "compromised-relay", "rented-hosting", "anonymiser",
	"sinkhole", "owned" };
static const enum c2c__spoof role_spoof[5] = { C2C__SP_LOW, C2C__SP_LOW, C2C__SP_MODERATE,
	C2C__SP_MODERATE, C2C__SP_MODERATE };

/* |LR| caps in milli-bans (log10 of the §2.9 caps x 1000). */
#define CAP_1_2 79
#define CAP_1_5 176
#define CAP_2 301
#define CAP_5 699
#define CAP_20 1301

static const char *const hkind_ids[] = { "H-X", "H-FF", "H-UNK", "H-CRIM", "H-TOOL", "H-RENT",
	"H-RELAY", "H-ANON", "H-SINK", "H-LOCAL" };
static const char *const hkind_names[] = { "", "", "unknown actor", "criminal operator",
	"shared or leaked tooling", "rented or shared hosting", "compromised relay", "anonymiser",
	"sinkhole or benign", "insider or local" };

const char *
c2c__rating_name(enum c2c__rating r)
{
	static const char *const n[] = { "NA", "II", "I", "N", "C", "CC" };
	return (unsigned)r < 6 ? n[r] : "NA";
}

const char *
c2c__spoof_name(enum c2c__spoof s)
{
	static const char *const n[] = { "trivial", "low", "moderate", "high" };
	return (unsigned)s < 4 ? n[s] : "trivial";
}

const char *
c2c__level_name(int lv)
{
	return lv < 0 ? "L" : (lv > 0 ? "H" : "M");
}

static int
parse_rating(const char *s)
{
	static const char *const n[] = { "NA", "II", "I", "N", "C", "CC" };
	for (int i = 0; s != NULL && i < 6; i++)
		if (strcmp(s, n[i]) == 0)
			return i;
	return -1;
}

static int
parse_spoof(const char *s)
{
	for (int i = 0; s != NULL && i < 4; i++)
		if (strcmp(s, c2c__spoof_name((enum c2c__spoof)i)) == 0)
			return i;
	return -1;
}

static int
parse_level(const char *s, int *lv)
{
	if (s == NULL)
		return -1;
	if (strcmp(s, "L") == 0)
		*lv = C2C__LV_L;
	else if (strcmp(s, "M") == 0)
		*lv = C2C__LV_M;
	else if (strcmp(s, "H") == 0)
		*lv = C2C__LV_H;
	else
		return -1;
	return 0;
}

c2c_err
c2c__admiralty_cred(const char *r, int *cred)
{
	int a, b;
	if (r == NULL || strlen(r) != 2 || r[0] < 'A' || r[0] > 'F' || r[1] < '1' || r[1] > '6')
		return C2C_EINVAL;
	a = r[0] <= 'B' ? C2C__LV_H : (r[0] == 'C' ? C2C__LV_M : C2C__LV_L);
	b = r[1] <= '2' ? C2C__LV_H : (r[1] == '3' ? C2C__LV_M : C2C__LV_L);
	*cred = a < b ? a : b;
	return C2C_OK;
}

const char *
c2c__hyp_label(const struct c2c__model *m, int h, char *buf, size_t len)
{
	const struct c2c__hyp *y = &m->hyp[h];
	if (y->kind == C2C__H_CAND)
		(void)snprintf(buf, len, "%s", m->cand[y->cand].name);
	else if (y->kind == C2C__H_FF)
		(void)snprintf(buf, len, "FF(%s)", m->cand[y->cand].name);
	else
		(void)snprintf(buf, len, "%s (%s)", hkind_names[y->kind], hkind_ids[y->kind]);
	return buf;
}

void
c2c__model_fini(struct c2c__model *m)
{
	for (int i = 0; i < m->n_cand; i++)
		json_decref(m->cand[i].via);
	for (int i = 0; i < m->n_item; i++)
		json_decref(m->items[i].sources);
	c2c_free(m->items);
	c2c_free(m->groups);
	json_decref(m->excluded);
	json_decref(m->unresolved);
	json_decref(m->l5);
	json_decref(m->refs);
	json_decref(m->refdata);
	json_decref(m->external_used);
	json_decref(m->members);
	json_decref(m->roles);
	json_decref(m->locations);
	json_decref(m->edges);
	memset(m, 0, sizeof(*m));
}

/* ---- small JSON helpers ------------------------------------------------------------------------ */

static const char *
js(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static const json_t *
jsub(const json_t *o, const char *a, const char *b)
{
	return json_object_get(json_object_get(o, a), b);
}

/* Append a string to a JSON array unless present; keeps insertion order. */
static c2c_err
set_add(json_t *arr, const char *s)
{
	size_t i;
	const json_t *v;
	if (s == NULL)
		return C2C_OK;
	json_array_foreach(arr, i, v) {
		if (strcmp(json_string_value(v), s) == 0)
			return C2C_OK;
	}
	return c2c_json_append_new(arr, json_string(s));
}

static int
cmp_jstr(const void *a, const void *b)
{
	return strcmp(json_string_value(*(json_t *const *)a), json_string_value(*(json_t *const *)b));
}

/* Sort an array of strings in place. */
static c2c_err
sort_strings(json_t *arr)
{
	size_t n = json_array_size(arr);
	json_t **v;
	if (n < 2)
		return C2C_OK;
	v = c2c_calloc(n, sizeof(*v));
	if (v == NULL)
		return C2C_ENOMEM;
	for (size_t i = 0; i < n; i++)
		v[i] = json_incref(json_array_get(arr, i));
	qsort(v, n, sizeof(*v), cmp_jstr);
	for (size_t i = 0; i < n; i++) {
		(void)json_array_set(arr, i, v[i]);
		json_decref(v[i]);
	}
	c2c_free(v);
	return C2C_OK;
}

/* jansson's reference counting takes non-const pointers even for shared, unmodified values. */
static json_t *
unconst(const json_t *p)
{
	union {
		const json_t *c;
		json_t *m;
	} u;
	u.c = p;
	return u.m;
}

/* Sort an array of objects by one string member (stable insertion sort: arrays are small). */
static void
sort_by_member(json_t *arr, const char *key)
{
	size_t n = json_array_size(arr);
	for (size_t i = 1; i < n; i++) {
		for (size_t j = i; j > 0; j--) {
			json_t *a = json_array_get(arr, j - 1), *b = json_array_get(arr, j);
			const char *x = json_string_value(json_object_get(a, key));
			const char *y = json_string_value(json_object_get(b, key));
			if (x == NULL || y == NULL || strcmp(x, y) <= 0)
				break;
			json_incref(a);
			(void)json_array_set(arr, j - 1, b);
			(void)json_array_set_new(arr, j, a);
		}
	}
}

static bool
is_member(const struct c2c__model *m, const char *s)
{
	size_t i;
	const json_t *v;
	if (s == NULL)
		return false;
	json_array_foreach(m->members, i, v) {
		if (strcmp(json_string_value(v), s) == 0)
			return true;
	}
	return false;
}

/* ---- the cluster and its member infrastructure ------------------------------------------------- */

struct ctx {
	struct c2c__model *m;
	const struct c2c_catalogue *cat;
	const json_t *findings;
	const struct c2c_assess_params *p;
	struct c2c_diag *diag;
	json_t *infra;     /* infrastructure findings of members (borrowed refs in an array) */
	json_t *l1_ids;    /* ids cited by member infrastructure */
	json_t *fqdns;     /* names of members */
	json_t *certs;     /* cert_sha256 of members */
	json_t *docs;      /* normalised external documents */
};

static bool
about_cluster(const struct ctx *c, const json_t *f)
{
	const json_t *s = json_object_get(f, "subject");
	const char *id = js(f, "id"), *cl = js(s, "cluster");
	size_t i;
	const json_t *v;
	if (is_member(c->m, js(s, "peer")) || is_member(c->m, js(s, "ip")) ||
	    is_member(c->m, js(s, "fqdn")))
		return true;
	if (cl != NULL && strcmp(cl, c->m->cluster_id) == 0)
		return true;
	json_array_foreach(c->fqdns, i, v) {
		const char *fq = js(s, "fqdn");
		if (fq != NULL && strcmp(fq, json_string_value(v)) == 0)
			return true;
	}
	json_array_foreach(c->l1_ids, i, v) {
		if (id != NULL && strcmp(id, json_string_value(v)) == 0)
			return true;
	}
	return false;
}

static c2c_err
note_refs(struct ctx *c, const json_t *f)
{
	const json_t *ev = json_object_get(f, "evidence");
	size_t i;
	const json_t *v;
	c2c_err rc;
	json_array_foreach(json_object_get(ev, "refdata"), i, v) {
		if ((rc = set_add(c->m->refdata, json_string_value(v))) != C2C_OK)
			return rc;
	}
	return C2C_OK;
}

static int
role_index(const char *role)
{
	for (int i = 0; role != NULL && i < 5; i++)
		if (strcmp(role, role_names[i]) == 0)
			return i;
	return -1;
}

static c2c_err
read_cluster(struct ctx *c, const json_t *cluster)
{
	struct c2c__model *m = c->m;
	const json_t *res = json_object_get(cluster, "result"), *mem, *edges, *v;
	const char *label;
	size_t i;
	c2c_err rc;

	if (!json_is_object(res) || !json_is_array(json_object_get(res, "members")))
		res = cluster;
	label = js(res, "label");
	if (label == NULL)
		label = js(cluster, "label");
	if (label == NULL)
		label = js(cluster, "id");
	if (label == NULL)
		label = js(res, "id");
	mem = json_object_get(res, "members");
	if (label == NULL || !json_is_array(mem) || json_array_size(mem) == 0)
		return c2c_diag_set(c->diag, C2C_EINVAL, "cluster", 0,
		    "cluster needs an id and a non-empty members array");
	m->cluster_id = label;
	json_array_foreach(mem, i, v) {
		const char *s = json_string_value(v);
		if (s == NULL)
			s = js(v, "ip");
		if (s == NULL)
			return c2c_diag_set(c->diag, C2C_EINVAL, "cluster", 0,
			    "member %zu is not a string", i);
		if ((rc = set_add(m->members, s)) != C2C_OK)
			return rc;
	}
	if ((rc = sort_strings(m->members)) != C2C_OK)
		return rc;
	edges = json_object_get(res, "edges");
	/* Edge findings: named by id in the cluster, read from the findings array. */
	json_array_foreach(c->findings, i, v) {
		const char *t = js(v, "type"), *id = js(v, "id");
		size_t j;
		const json_t *e;
		bool listed = false;
		if (t == NULL || strcmp(t, "cluster-edge") != 0 || id == NULL)
			continue;
		json_array_foreach(edges, j, e) {
			if (json_string_value(e) && strcmp(json_string_value(e), id) == 0)
				listed = true;
		}
		if (!listed)
			continue;
		{
			const json_t *r = json_object_get(v, "result");
			const char *kind = js(r, "kind");
			const char *sp = js(r, "spoofability"), *st = js(r, "strength");
			/* the enrich stage grades edges strong / moderate / weak */
			if (sp == NULL && st != NULL)
				sp = strcmp(st, "strong") == 0 ? "high" : (strcmp(st, "moderate") == 0 ?
				    "moderate" : "low");
			json_t *o = json_pack("{s:s,s:s,s:s}", "id", id, "kind", kind ? kind : "unknown",
			    "spoofability", sp ? sp : "low");
			if (o == NULL || (rc = c2c_json_append_new(m->edges, o)) != C2C_OK)
				return C2C_ENOMEM;
			if ((rc = set_add(m->refs, id)) != C2C_OK)
				return rc;
		}
	}
	return C2C_OK;
}

static int64_t
count_of(const json_t *v)
{
	if (json_is_object(v)) /* {"count": n, "hosts": [...]} as the enrich stage writes it */
		return json_integer_value(json_object_get(v, "count"));
	if (json_is_integer(v))
		return json_integer_value(v);
	if (json_is_array(v))
		return (int64_t)json_array_size(v);
	return 0;
}

/* Infrastructure findings of the members: roles, location statements, names, certificates. */
static c2c_err
read_infra(struct ctx *c)
{
	struct c2c__model *m = c->m;
	size_t i;
	const json_t *f;
	c2c_err rc;
	json_array_foreach(c->findings, i, f) {
		const char *t = js(f, "type"), *ip = js(json_object_get(f, "subject"), "ip");
		const json_t *r = json_object_get(f, "result"), *v;
		const char *role, *basis, *first, *last;
		size_t j;
		int ri;
		if (t == NULL || strcmp(t, "infrastructure") != 0 || !is_member(m, ip))
			continue;
		if ((rc = c2c_json_append_new(c->infra, json_incref(unconst(f)))) != C2C_OK)
			return rc;
		if ((rc = set_add(m->refs, js(f, "id"))) != C2C_OK || (rc = note_refs(c, f)) != C2C_OK)
			return rc;
		json_array_foreach(json_object_get(r, "findings"), j, v) {
			if ((rc = set_add(c->l1_ids, json_string_value(v))) != C2C_OK)
				return rc;
		}
		json_array_foreach(json_object_get(r, "fqdns"), j, v) {
			if ((rc = set_add(c->fqdns, json_string_value(v))) != C2C_OK)
				return rc;
		}
		if ((rc = set_add(c->certs, js(r, "cert_sha256"))) != C2C_OK)
			return rc;
		json_array_foreach(json_object_get(r, "cert_sha256"), j, v) {
			if ((rc = set_add(c->certs, json_string_value(v))) != C2C_OK)
				return rc;
		}
		role = js(r, "role");
		/* role_basis: a sentence, or the enrich stage's array of sentences (first shown) */
		basis = js(r, "role_basis");
		if (basis == NULL)
			basis = json_string_value(json_array_get(json_object_get(r, "role_basis"), 0));
		ri = role_index(role);
		switch (ri) {
		case 0: m->n_relay++; break;
		case 1: m->n_rent++; break;
		case 2: m->n_anon++; break;
		case 3: m->n_sink++; break;
		case 4: m->n_owned++; break;
		default: m->n_unknown_role++; break;
		}
		m->n_hosts += count_of(json_object_get(r, "controlled_hosts"));
		first = js(r, "first_contact");
		last = js(r, "last_contact");
		if (first != NULL && (m->first_seen[0] == '\0' || strcmp(first, m->first_seen) < 0))
			(void)snprintf(m->first_seen, sizeof(m->first_seen), "%s", first);
		if (last != NULL && strcmp(last, m->last_seen) > 0)
			(void)snprintf(m->last_seen, sizeof(m->last_seen), "%s", last);
		{
			/* Location is operator evidence only for endpoints not assessed as relay,
			 * anonymiser or sinkhole (§4.7); the statement is made either way, with the
			 * caveat, except for anonymisers (suppressed). */
			bool used = ri != 0 && ri != 2 && ri != 3 && js(r, "country") != NULL;
			json_t *o = json_pack("{s:s,s:s,s:s,s:b}", "ip", ip, "role",
			    role ? role : "unknown", "role_basis", basis ? basis : "", "location_used",
			    used);
			if (o == NULL)
				return C2C_ENOMEM;
			if (js(r, "country") != NULL) {
				/* The database that placed it: result.geo {db, build, sha256}, else the
				 * first pinned refdata digest of the finding. */
				const json_t *g = json_object_get(r, "geo");
				const char *db = js(g, "db"), *build = js(g, "build");
				const char *dg = js(g, "sha256");
				if (dg == NULL && js(r, "country_db") && *js(r, "country_db"))
					dg = js(r, "country_db"); /* enrich: "sha256:<hex>" pin */
				if (dg == NULL)
					dg = json_string_value(
					    json_array_get(jsub(f, "evidence", "refdata"), 0));
				if ((rc = c2c_json_set_str(o, "country", js(r, "country"))) != C2C_OK ||
				    (rc = c2c_json_set_str(o, "geo_db", db ? db :
					"the pinned geolocation database")) != C2C_OK ||
				    (rc = c2c_json_set_str(o, "geo_build", build ? build :
					"unrecorded")) != C2C_OK ||
				    (rc = c2c_json_set_str(o, "geo_sha256", dg ? dg : "unrecorded")) !=
					C2C_OK) {
					json_decref(o);
					return rc;
				}
			}
			if ((rc = c2c_json_append_new(m->roles, o)) != C2C_OK)
				return rc;
		}
	}
	return C2C_OK;
}

/* ---- external documents ------------------------------------------------------------------------ */

/* Value of a single-comparison STIX pattern "[type:path = 'value']"; NULL when the pattern is
 * anything else (AND/OR, other operators), which is counted as unsupported. */
static bool
stix_simple_pattern(const char *pat, char *type, size_t tlen, char *val, size_t vlen)
{
	const char *eq, *q, *end;
	size_t n;
	if (pat == NULL || pat[0] != '[' || strstr(pat, " AND ") || strstr(pat, " OR ") ||
	    strstr(pat, "] "))
		return false;
	eq = strstr(pat, " = '");
	end = strrchr(pat, ']');
	if (eq == NULL || end == NULL || end < eq + 5 || end[-1] != '\'')
		return false;
	n = (size_t)(eq - (pat + 1));
	if (n >= tlen)
		return false;
	memcpy(type, pat + 1, n);
	type[n] = '\0';
	q = eq + 4;
	n = (size_t)(end - 1 - q);
	if (n >= vlen)
		return false;
	memcpy(val, q, n);
	val[n] = '\0';
	return true;
}

static const json_t *
obj_by_id(const json_t *objs, const char *id)
{
	size_t i;
	const json_t *o;
	json_array_foreach(objs, i, o) {
		const char *oid = js(o, "id");
		if (oid != NULL && id != NULL && strcmp(oid, id) == 0)
			return o;
	}
	return NULL;
}

/* The intrusion set a STIX indicator is about, by its relationships. */
static const char *
stix_actor_of(const json_t *objs, const char *ind_id, const char *sole_is)
{
	size_t i;
	const json_t *r;
	json_array_foreach(objs, i, r) {
		const char *t = js(r, "type"), *rt = js(r, "relationship_type");
		const json_t *tgt;
		const char *tt;
		if (t == NULL || strcmp(t, "relationship") != 0 || rt == NULL ||
		    strcmp(rt, "indicates") != 0 || js(r, "source_ref") == NULL ||
		    strcmp(js(r, "source_ref"), ind_id) != 0)
			continue;
		tgt = obj_by_id(objs, js(r, "target_ref"));
		tt = js(tgt, "type");
		if (tt == NULL)
			continue;
		if (strcmp(tt, "intrusion-set") == 0)
			return js(tgt, "name");
		if (strcmp(tt, "threat-actor") == 0 || strcmp(tt, "malware") == 0 ||
		    strcmp(tt, "tool") == 0) {
			/* An intrusion set attributed to the threat actor, or using the software. */
			size_t j;
			const json_t *r2;
			const char *want = strcmp(tt, "threat-actor") == 0 ? "attributed-to" : "uses";
			json_array_foreach(objs, j, r2) {
				const json_t *src;
				if (js(r2, "relationship_type") == NULL ||
				    strcmp(js(r2, "relationship_type"), want) != 0 ||
				    js(r2, "target_ref") == NULL ||
				    strcmp(js(r2, "target_ref"), js(tgt, "id")) != 0)
					continue;
				src = obj_by_id(objs, js(r2, "source_ref"));
				if (js(src, "type") && strcmp(js(src, "type"), "intrusion-set") == 0)
					return js(src, "name");
			}
			if (strcmp(tt, "threat-actor") == 0 && sole_is == NULL)
				return js(tgt, "name");
		}
	}
	/* A report about exactly one intrusion set: its indicators are reported for it. */
	return sole_is;
}

/* Normalise one external document into {"id","source","rating","sha256","assertions":[...]}. */
static c2c_err
normalise_doc(struct ctx *c, const json_t *doc, size_t index)
{
	const char *id = js(doc, "id"), *src = js(doc, "source"), *rating = js(doc, "rating");
	const char *sha = js(doc, "sha256");
	const json_t *bundle = json_object_get(doc, "bundle"), *objs, *o;
	json_t *nd, *as;
	const char *sole_is = NULL;
	int n_is = 0, cred;
	size_t i;
	int64_t unsupported = 0;
	c2c_err rc;

	if (id == NULL || src == NULL || rating == NULL || c2c__admiralty_cred(rating, &cred))
		return c2c_diag_set(c->diag, C2C_EINVAL, "external", index,
		    "external document %zu needs id, source and an Admiralty rating (e.g. B2)",
		    index);
	as = json_array();
	nd = json_pack("{s:s,s:s,s:s,s:s}", "id", id, "source", src, "rating", rating, "sha256",
	    sha ? sha : "");
	if (as == NULL || nd == NULL) {
		json_decref(as);
		json_decref(nd);
		return C2C_ENOMEM;
	}
	if ((rc = c2c_json_set_new(nd, "assertions", as)) != C2C_OK ||
	    (rc = c2c_json_append_new(c->docs, nd)) != C2C_OK)
		return rc;
	json_array_foreach(json_object_get(doc, "assertions"), i, o) {
		if ((rc = c2c_json_append_new(as, json_deep_copy(o))) != C2C_OK)
			return rc;
	}
	objs = json_object_get(bundle, "objects");
	json_array_foreach(objs, i, o) {
		if (js(o, "type") && strcmp(js(o, "type"), "intrusion-set") == 0) {
			n_is++;
			sole_is = js(o, "name");
		}
	}
	if (n_is != 1)
		sole_is = NULL;
	json_array_foreach(objs, i, o) {
		const char *t = js(o, "type");
		char ty[96], val[300];
		if (t == NULL)
			continue;
		if (strcmp(t, "indicator") == 0) {
			const char *actor = stix_actor_of(objs, js(o, "id"), sole_is), *kind;
			json_t *a;
			if (actor == NULL || !stix_simple_pattern(js(o, "pattern"), ty, sizeof(ty),
			    val, sizeof(val))) {
				unsupported++;
				continue;
			}
			if (strcmp(ty, "ipv4-addr:value") == 0 || strcmp(ty, "ipv6-addr:value") == 0)
				kind = strchr(val, '/') ? "cidr" : "ip";
			else if (strcmp(ty, "domain-name:value") == 0)
				kind = "domain";
			else if (strcmp(ty, "x509-certificate:hashes.'SHA-256'") == 0)
				kind = "cert-sha256";
			else {
				unsupported++;
				continue;
			}
			a = json_pack("{s:s,s:s,s:s,s:s,s:s}", "kind", "indicator", "actor", actor,
			    "type", kind, "value", val, "stix_id", js(o, "id"));
			if ((rc = c2c_json_append_new(as, a)) != C2C_OK)
				return rc;
		} else if (strcmp(t, "relationship") == 0 && js(o, "relationship_type") &&
		    strcmp(js(o, "relationship_type"), "attributed-to") == 0) {
			const json_t *s = obj_by_id(objs, js(o, "source_ref"));
			const json_t *d = obj_by_id(objs, js(o, "target_ref"));
			json_t *a;
			if (js(s, "type") == NULL || strcmp(js(s, "type"), "intrusion-set") != 0 ||
			    js(d, "name") == NULL)
				continue;
			a = json_pack("{s:s,s:s,s:s,s:s}", "kind", "sponsor", "actor", js(s, "name"),
			    "relation", "is attributed to", "object", js(d, "name"));
			if ((rc = c2c_json_append_new(as, a)) != C2C_OK)
				return rc;
		}
	}
	return c2c_json_set_int(nd, "unsupported_patterns", unsupported);
}

/* ---- candidates -------------------------------------------------------------------------------- */

/* Index of the candidate for a label (adding it when new and `add`), or -1 (unresolved or
 * too many). Ambiguous labels add every set they name. */
static c2c_err
cand_for_label(struct ctx *c, const char *label, const char *via, bool add, int *out, int cap,
    int *n_out)
{
	struct c2c__model *m = c->m;
	size_t idx[8], n = 0;
	char keys[8][96], names[8][128];
	const struct c2c_actor *acts[8] = { NULL };
	int k = 0;
	c2c_err rc;

	*n_out = 0;
	if (label == NULL)
		return C2C_OK;
	if (c->cat != NULL && c2c_catalogue_resolve(c->cat, label, idx, 8, &n) == C2C_OK) {
		for (size_t i = 0; i < n && i < 8; i++) {
			acts[k] = c2c_catalogue_actor(c->cat, idx[i]);
			(void)snprintf(keys[k], sizeof(keys[k]), "%s", acts[k]->key);
			(void)snprintf(names[k], sizeof(names[k]), "%s", acts[k]->name);
			k++;
		}
	} else if (via != NULL && strncmp(via, "feed:", 5) == 0) {
		/* A feed label that names no catalogue entry is recorded, not guessed at. */
		return set_add(m->unresolved, label);
	} else {
		/* Named by an external document or a judgement: a candidate under that name. */
		char nb[80];
		size_t w = 0;
		for (const char *s = label; *s && w + 1 < sizeof(nb); s++) {
			char ch = *s;
			if (ch >= 'A' && ch <= 'Z')
				ch = (char)(ch - 'A' + 'a');
			if ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9'))
				nb[w++] = ch;
		}
		nb[w] = '\0';
		(void)snprintf(keys[0], sizeof(keys[0]), "name:%s", nb);
		(void)snprintf(names[0], sizeof(names[0]), "%s", label);
		k = 1;
	}
	for (int i = 0; i < k; i++) {
		int found = -1;
		for (int j = 0; j < m->n_cand; j++)
			if (strcmp(m->cand[j].key, keys[i]) == 0)
				found = j;
		if (found < 0 && add) {
			if (m->n_cand == C2C__MAX_CAND)
				return c2c_diag_set(c->diag, C2C_ELIMIT, "assessment", 0,
				    "more than %d candidate intrusion sets", C2C__MAX_CAND);
			found = m->n_cand++;
			/* same size as keys[i], which snprintf() NUL-terminated */
			_Static_assert(sizeof(m->cand[0].key) == sizeof(keys[0]), "key sizes");
			memcpy(m->cand[found].key, keys[i], sizeof(m->cand[found].key));
			(void)snprintf(m->cand[found].name, sizeof(m->cand[found].name), "%s",
			    names[i]);
			m->cand[found].actor = acts[i];
			if ((m->cand[found].via = json_array()) == NULL)
				return C2C_ENOMEM;
		}
		if (found < 0)
			continue;
		if (via != NULL && (rc = set_add(m->cand[found].via, via)) != C2C_OK)
			return rc;
		if (*n_out < cap)
			out[(*n_out)++] = found;
	}
	return C2C_OK;
}

/* Labels of an intel-hit or infrastructure result with their feed: calls fn for each. */
typedef c2c_err (*label_fn)(struct ctx *c, const char *label, const char *feed,
    const char *feed_name, const json_t *f, void *arg);

static c2c_err
each_label(struct ctx *c, const json_t *f, label_fn fn, void *arg)
{
	const json_t *r = json_object_get(f, "result"), *v;
	const char *feed = js(r, "feed_sha256"), *fname = js(r, "feed");
	size_t i;
	c2c_err rc;
	if (feed == NULL)
		feed = json_string_value(json_array_get(jsub(f, "evidence", "refdata"), 0));
	{
		/* The detect stage: result.indicator {feed: "sha256:..", feed_name, labels: [{type,
		 * value}]}; only labels that can name an actor are resolved. */
		const json_t *ind = json_object_get(r, "indicator");
		const char *ifeed = js(ind, "feed"), *iname = js(ind, "feed_name");
		json_array_foreach(json_object_get(ind, "labels"), i, v) {
			const char *ty = js(v, "type"), *lab = js(v, "value");
			if (lab == NULL || ty == NULL || (strcmp(ty, "intrusion-set") != 0 &&
			    strcmp(ty, "threat-actor") != 0 && strcmp(ty, "tag") != 0))
				continue;
			if ((rc = fn(c, lab, ifeed ? ifeed : (feed ? feed : "unknown-feed"),
			    iname ? iname : (fname ? fname : "feed"), f, arg)) != C2C_OK)
				return rc;
		}
	}
	json_array_foreach(json_object_get(r, "labels"), i, v) {
		const char *lab = json_string_value(v), *fd = feed, *fn2 = fname;
		if (lab == NULL) {
			lab = js(v, "label");
			if (js(v, "feed_sha256"))
				fd = js(v, "feed_sha256");
			if (js(v, "feed"))
				fn2 = js(v, "feed");
		}
		if (lab == NULL)
			continue;
		if ((rc = fn(c, lab, fd ? fd : "unknown-feed", fn2 ? fn2 : "feed", f, arg)) != C2C_OK)
			return rc;
	}
	return C2C_OK;
}

static c2c_err
label_to_cand(struct ctx *c, const char *label, const char *feed, const char *feed_name,
    const json_t *f, void *arg)
{
	int out[8], n;
	char via[200];
	(void)f;
	(void)arg;
	(void)feed_name;
	(void)snprintf(via, sizeof(via), "feed:%s:%s", feed, label);
	return cand_for_label(c, label, via, true, out, 8, &n);
}

/* Labels are read from intel hits, which say which feed gave them; the infrastructure object's
 * label list (no provenance) would count the same observation twice. */
static bool
is_labelled(const json_t *f)
{
	const char *t = js(f, "type");
	return t != NULL && strcmp(t, "intel-hit") == 0;
}

/* Does an external indicator match the cluster? */
static bool
indicator_matches(const struct ctx *c, const json_t *a)
{
	const char *type = js(a, "type"), *val = js(a, "value");
	size_t i;
	const json_t *v;
	if (type == NULL || val == NULL)
		return false;
	if (strcmp(type, "cidr") == 0) {
		struct c2c_ip net, ip;
		unsigned len;
		if (c2c_cidr_parse(&net, &len, val) != C2C_OK)
			return false;
		json_array_foreach(c->m->members, i, v) {
			if (c2c_ip_parse(&ip, json_string_value(v)) == C2C_OK &&
			    c2c_ip_in_cidr(&ip, &net, len))
				return true;
		}
		return false;
	}
	if (strcmp(type, "ip") == 0 || strcmp(type, "domain") == 0) {
		if (is_member(c->m, val))
			return true;
		json_array_foreach(c->fqdns, i, v) {
			if (strcmp(json_string_value(v), val) == 0)
				return true;
		}
		return false;
	}
	if (strcmp(type, "cert-sha256") == 0) {
		json_array_foreach(c->certs, i, v) {
			if (strcmp(json_string_value(v), val) == 0)
				return true;
		}
	}
	return false;
}

/* Key possession findings about members: cert -> finding. */
static const json_t *
key_possession(const struct ctx *c, const char *cert)
{
	size_t i;
	const json_t *f;
	json_array_foreach(c->findings, i, f) {
		const char *t = js(f, "type");
		const json_t *r = json_object_get(f, "result");
		if (t == NULL || strcmp(t, "tls-key-possession") != 0 || !about_cluster(c, f))
			continue;
		if (js(r, "cert_sha256") && cert && strcmp(js(r, "cert_sha256"), cert) == 0 &&
		    !json_is_false(json_object_get(r, "verified")))
			return f;
	}
	return NULL;
}

static c2c_err
gather_candidates(struct ctx *c)
{
	size_t i, j;
	const json_t *f, *d, *a;
	int out[8], n;
	c2c_err rc;

	json_array_foreach(c->findings, i, f) {
		const char *t = js(f, "type");
		if (!is_labelled(f) || !about_cluster(c, f))
			continue;
		(void)t;
		if ((rc = each_label(c, f, label_to_cand, NULL)) != C2C_OK)
			return rc;
	}
	json_array_foreach(c->docs, i, d) {
		json_array_foreach(json_object_get(d, "assertions"), j, a) {
			const char *k = js(a, "kind");
			bool hit = false;
			char via[200];
			if (k == NULL)
				continue;
			if (strcmp(k, "indicator") == 0)
				hit = indicator_matches(c, a);
			else if (strcmp(k, "certificate") == 0)
				hit = key_possession(c, js(a, "cert_sha256")) != NULL;
			if (!hit)
				continue;
			(void)snprintf(via, sizeof(via), "external:%s", js(d, "id"));
			if ((rc = cand_for_label(c, js(a, "actor"), via, true, out, 8, &n)) != C2C_OK)
				return rc;
		}
	}
	json_array_foreach(c->p->judgements, i, f) {
		const char *k = js(f, "kind");
		if (k == NULL)
			continue;
		if (strcmp(k, "candidate") == 0 || (strcmp(k, "evidence") == 0 &&
		    js(f, "candidate") != NULL)) {
			const char *lab = strcmp(k, "candidate") == 0 ? js(f, "label") :
			    js(f, "candidate");
			if ((rc = cand_for_label(c, lab, "judgement", true, out, 8, &n)) != C2C_OK)
				return rc;
		}
	}
	/* Artefact findings naming a candidate. */
	json_array_foreach(c->findings, i, f) {
		const char *t = js(f, "type");
		if (t == NULL || strcmp(t, "artefact") != 0 || !about_cluster(c, f))
			continue;
		if ((rc = cand_for_label(c, js(json_object_get(f, "result"), "label"), "artefact",
		    true, out, 8, &n)) != C2C_OK)
			return rc;
	}
	/* Candidate order is by key, so the result does not depend on finding order. */
	for (int x = 1; x < c->m->n_cand; x++) {
		for (int y = x; y > 0 && strcmp(c->m->cand[y - 1].key, c->m->cand[y].key) > 0; y--) {
			struct c2c__cand t = c->m->cand[y];
			c->m->cand[y] = c->m->cand[y - 1];
			c->m->cand[y - 1] = t;
		}
	}
	for (int x = 0; x < c->m->n_cand; x++)
		if ((rc = sort_strings(c->m->cand[x].via)) != C2C_OK)
			return rc;
	return C2C_OK;
}

/* Candidate index for a label already gathered (first match), or -1. */
static int
cand_lookup(struct ctx *c, const char *label)
{
	int out[8], n = 0;
	if (cand_for_label(c, label, NULL, false, out, 8, &n) != C2C_OK || n == 0)
		return -1;
	return out[0];
}

static void
build_hypotheses(struct c2c__model *m)
{
	int h = 0;
	for (int i = 0; i < m->n_cand; i++) {
		m->hyp[h].kind = C2C__H_CAND;
		m->hyp[h].cand = i;
		(void)snprintf(m->hyp[h].id, sizeof(m->hyp[h].id), "H-X:%s", m->cand[i].key);
		h++;
		m->hyp[h].kind = C2C__H_FF;
		m->hyp[h].cand = i;
		(void)snprintf(m->hyp[h].id, sizeof(m->hyp[h].id), "H-FF:%s", m->cand[i].key);
		h++;
	}
	for (int k = C2C__H_UNK; k <= C2C__H_LOCAL; k++) {
		m->hyp[h].kind = (enum c2c__hkind)k;
		m->hyp[h].cand = -1;
		(void)snprintf(m->hyp[h].id, sizeof(m->hyp[h].id), "%s", hkind_ids[k]);
		h++;
	}
	m->n_hyp = h;
}

/* ---- evidence items ---------------------------------------------------------------------------- */

static struct c2c__item *
item_new(struct c2c__model *m, enum c2c__ikind kind, const char *group_key)
{
	struct c2c__item *it;
	if (m->n_item == m->cap_item) {
		int nc = m->cap_item ? m->cap_item * 2 : 16;
		struct c2c__item *nv = c2c_reallocarray(m->items, (size_t)nc, sizeof(*nv));
		if (nv == NULL)
			return NULL;
		m->items = nv;
		m->cap_item = nc;
	}
	it = &m->items[m->n_item];
	memset(it, 0, sizeof(*it));
	it->sources = json_array();
	if (it->sources == NULL)
		return NULL;
	m->n_item++;
	it->kind = kind;
	it->cand = -1;
	it->cred = C2C__LV_H;
	(void)snprintf(it->reliability, sizeof(it->reliability), "A1");
	(void)snprintf(it->group_key, sizeof(it->group_key), "%s", group_key);
	return it;
}

static struct c2c__item *
item_find(struct c2c__model *m, enum c2c__ikind kind, const char *group_key, int cand)
{
	for (int i = 0; i < m->n_item; i++)
		if (m->items[i].kind == kind && m->items[i].cand == cand &&
		    strcmp(m->items[i].group_key, group_key) == 0)
			return &m->items[i];
	return NULL;
}

/* Rate every hypothesis by kind: `by_kind` indexed by enum c2c__hkind; for candidate-specific
 * items, `own` is used for the item's candidate (and its FF), `other` for other candidates. */
static void
rate_all(struct c2c__model *m, struct c2c__item *it, const uint8_t by_kind[10], int own_x,
    int own_ff, int other_x, int other_ff)
{
	for (int h = 0; h < m->n_hyp; h++) {
		const struct c2c__hyp *y = &m->hyp[h];
		if (y->kind == C2C__H_CAND)
			it->rating[h] = (uint8_t)(it->cand >= 0 ? (y->cand == it->cand ? own_x : other_x) :
			    by_kind[C2C__H_CAND]);
		else if (y->kind == C2C__H_FF)
			it->rating[h] = (uint8_t)(it->cand >= 0 ? (y->cand == it->cand ? own_ff :
			    other_ff) : by_kind[C2C__H_FF]);
		else
			it->rating[h] = by_kind[y->kind];
	}
}

static c2c_err
add_source(struct c2c__item *it, const char *s)
{
	return set_add(it->sources, s);
}

static c2c_err
items_behaviour(struct ctx *c)
{
	static const uint8_t all_c[10] = { C_, C_, C_, C_, C_, C_, C_, C_, C_, C_ };
	struct c2c__item *it = NULL;
	size_t i;
	const json_t *f;
	int n = 0;
	c2c_err rc;
	json_array_foreach(c->findings, i, f) {
		const char *t = js(f, "type");
		if (t == NULL || (strcmp(t, "beacon") && strcmp(t, "long-connection") &&
		    strcmp(t, "dns-tunnel")) || !about_cluster(c, f))
			continue;
		if (it == NULL) {
			if ((it = item_new(c->m, C2C__I_BEHAVIOUR, "obs:behaviour")) == NULL)
				return C2C_ENOMEM;
			it->cls = "behaviour";
			it->derivation = "raw";
			it->parts = "raw";
			it->spoof = C2C__SP_TRIVIAL;
			it->rel = C2C__LV_M;
			it->lr_cap_mb = CAP_1_5;
			rate_all(c->m, it, all_c, 0, 0, 0, 0);
		}
		if ((rc = add_source(it, js(f, "id"))) != C2C_OK || (rc = set_add(c->m->refs,
		    js(f, "id"))) != C2C_OK)
			return rc;
		n++;
	}
	if (it != NULL)
		(void)snprintf(it->summary, sizeof(it->summary),
		    "C2 behaviour on the wire (%d finding%s: beacon, long connection or DNS "
		    "tunnel); the same channel profile is available to any operator", n,
		    n == 1 ? "" : "s");
	return C2C_OK;
}

static c2c_err
items_role(struct ctx *c)
{
	struct c2c__model *m = c->m;
	int total = (int)json_array_size(m->members);
	for (int ri = 0; ri < 5; ri++) {
		int cnt = 0;
		size_t i;
		const json_t *f;
		struct c2c__item *it = NULL;
		char basis[240] = "";
		char gk[64];
		c2c_err rc;
		json_array_foreach(c->infra, i, f) {
			const json_t *r = json_object_get(f, "result");
			if (role_index(js(r, "role")) != ri)
				continue;
			if (it == NULL) {
				(void)snprintf(gk, sizeof(gk), "refdata:role:%s", role_names[ri]);
				if ((it = item_new(m, C2C__I_ROLE, gk)) == NULL)
					return C2C_ENOMEM;
				it->cls = "infrastructure";
				it->derivation = "refdata";
				it->parts = "raw+refdata";
				it->spoof = role_spoof[ri];
				it->rel = C2C__LV_H;
				it->lr_cap_mb = role_spoof[ri] == C2C__SP_LOW ? CAP_2 : CAP_5;
				rate_all(m, it, role_ratings[ri], 0, 0, 0, 0);
			}
			cnt++;
			if (basis[0] == '\0' && js(r, "role_basis"))
				(void)snprintf(basis, sizeof(basis), "%s", js(r, "role_basis"));
			if (basis[0] == '\0' && json_string_value(json_array_get(json_object_get(r,
			    "role_basis"), 0)))
				(void)snprintf(basis, sizeof(basis), "%s", json_string_value(
				    json_array_get(json_object_get(r, "role_basis"), 0)));
			if ((rc = add_source(it, js(f, "id"))) != C2C_OK)
				return rc;
		}
		if (it != NULL)
			(void)snprintf(it->summary, sizeof(it->summary),
			    "%d of %d addresses assessed as %s%s%s%s", cnt, total, role_names[ri],
			    basis[0] ? " (" : "", basis, basis[0] ? ")" : "");
	}
	return C2C_OK;
}

static c2c_err
items_keylink(struct ctx *c)
{
	struct c2c__model *m = c->m;
	size_t i, j;
	const json_t *d, *a;
	c2c_err rc;
	json_array_foreach(c->docs, i, d) {
		json_array_foreach(json_object_get(d, "assertions"), j, a) {
			const char *k = js(a, "kind"), *cert = js(a, "cert_sha256");
			const json_t *kp;
			struct c2c__item *it;
			int x, cred = C2C__LV_M; /* an unparsable rating counts as medium */
			char gk[200];
			if (k == NULL || strcmp(k, "certificate") != 0)
				continue;
			kp = key_possession(c, cert);
			x = cand_lookup(c, js(a, "actor"));
			if (kp == NULL || x < 0)
				continue;
			(void)snprintf(gk, sizeof(gk), "obs:key:%s", cert);
			if (item_find(m, C2C__I_KEYLINK, gk, x) != NULL)
				continue;
			if ((it = item_new(m, C2C__I_KEYLINK, gk)) == NULL)
				return C2C_ENOMEM;
			it->cand = x;
			it->cls = "infrastructure";
			it->derivation = "external";
			it->parts = "raw+external";
			it->public_key = json_is_true(jsub(kp, "result", "public_key"));
			it->spoof = it->public_key ? C2C__SP_TRIVIAL : C2C__SP_HIGH;
			it->rel = C2C__LV_H;
			it->lr_cap_mb = it->public_key ? CAP_1_5 : CAP_20;
			(void)c2c__admiralty_cred(js(d, "rating"), &cred);
			it->cred = cred < C2C__LV_H ? cred : C2C__LV_H; /* raw part is A1 */
			it->src_cred_high = cred == C2C__LV_H;
			(void)snprintf(it->reliability, sizeof(it->reliability), "%s", js(d, "rating"));
			(void)snprintf(it->cert_name, sizeof(it->cert_name), "%s",
			    js(a, "name") ? js(a, "name") : cert);
			(void)snprintf(it->src_name, sizeof(it->src_name), "%s", js(d, "source"));
			if (it->public_key) {
				/* A public or default key is a tool marker, not an operator link. */
				static const uint8_t pub[10] = { C_, C_, C_, C_, CC, C_, C_, C_, C_, C_ };
				rate_all(m, it, pub, C_, C_, C_, C_);
			} else {
				static const uint8_t priv[10] = { CC, I_, I_, I_, I_, I_, I_, I_, I_, I_ };
				rate_all(m, it, priv, CC, I_, I_, I_);
			}
			(void)snprintf(it->summary, sizeof(it->summary),
			    "%s proves possession of the private key of certificate %s (TLS 1.2 "
			    "ServerKeyExchange); %s (rated %s) associates the certificate with %s",
			    js(json_object_get(kp, "subject"), "peer") ?
				js(json_object_get(kp, "subject"), "peer") :
				(js(json_object_get(kp, "subject"), "ip") ?
				    js(json_object_get(kp, "subject"), "ip") : "a member"),
			    it->cert_name, js(d, "source"), js(d, "rating"), m->cand[x].name);
			if ((rc = add_source(it, js(kp, "id"))) != C2C_OK ||
			    (rc = add_source(it, js(d, "id"))) != C2C_OK ||
			    (rc = set_add(m->refs, js(kp, "id"))) != C2C_OK ||
			    (rc = set_add(m->external_used, js(d, "id"))) != C2C_OK)
				return rc;
		}
	}
	return C2C_OK;
}

static c2c_err
items_timing(struct ctx *c)
{
	struct c2c__model *m = c->m;
	size_t i, j, k;
	const json_t *f, *d, *a;
	c2c_err rc;
	json_array_foreach(c->findings, i, f) {
		const char *t = js(f, "type");
		const json_t *r = json_object_get(f, "result");
		int64_t s, e;
		struct c2c__item *it;
		uint8_t own[C2C__MAX_CAND];
		if (t == NULL || strcmp(t, "operator-hours") != 0 || !about_cluster(c, f))
			continue;
		s = json_integer_value(json_object_get(r, "utc_start_hour"));
		e = json_integer_value(json_object_get(r, "utc_end_hour"));
		if ((it = item_new(m, C2C__I_TIMING, "obs:timing")) == NULL)
			return C2C_ENOMEM;
		it->cls = "timing";
		it->derivation = "raw";
		it->parts = "raw";
		it->spoof = C2C__SP_LOW;
		it->rel = C2C__LV_L;
		it->lr_cap_mb = CAP_2;
		(void)snprintf(it->summary, sizeof(it->summary),
		    "interactive operator sessions %02d-%02d UTC%s%s", (int)s, (int)e,
		    js(r, "days") ? " " : "", js(r, "days") ? js(r, "days") : "");
		memset(own, N_, sizeof(own));
		/* A candidate's reported working hours (external) are the yardstick: inside them
		 * the observation is consistent, outside inconsistent; FF(X) mirrors X because
		 * a schedule is cheap to imitate. Without a yardstick: neutral. */
		json_array_foreach(c->docs, j, d) {
			json_array_foreach(json_object_get(d, "assertions"), k, a) {
				int x, cred = C2C__LV_M; /* an unparsable rating counts as medium */
				int64_t ps, pe;
				if (js(a, "kind") == NULL || strcmp(js(a, "kind"), "operating-hours"))
					continue;
				x = cand_lookup(c, js(a, "actor"));
				if (x < 0)
					continue;
				ps = json_integer_value(json_object_get(a, "utc_start_hour"));
				pe = json_integer_value(json_object_get(a, "utc_end_hour"));
				own[x] = (s >= ps && e <= pe) ? C_ : I_;
				(void)c2c__admiralty_cred(js(d, "rating"), &cred);
				if (cred < it->cred) {
					it->cred = cred;
					(void)snprintf(it->reliability, sizeof(it->reliability), "%s",
					    js(d, "rating"));
				}
			}
		}
		for (int h = 0; h < m->n_hyp; h++) {
			const struct c2c__hyp *y = &m->hyp[h];
			it->rating[h] = (y->kind == C2C__H_CAND || y->kind == C2C__H_FF) ? own[y->cand] :
			    N_;
		}
		if ((rc = add_source(it, js(f, "id"))) != C2C_OK || (rc = set_add(m->refs,
		    js(f, "id"))) != C2C_OK)
			return rc;
		break; /* one timing observation per cluster */
	}
	return C2C_OK;
}

/* Overlap ratings: consistent with X and FF(X) (IoCs are public), with shared infrastructure
 * explanations (relay, rented, anonymiser), neutral for the rest. */
static const uint8_t overlap_ratings[10] = { C_, C_, N_, N_, N_, C_, C_, C_, N_, N_ };

static c2c_err
items_ext_overlap(struct ctx *c)
{
	struct c2c__model *m = c->m;
	size_t i, j;
	const json_t *d, *a;
	c2c_err rc;
	json_array_foreach(c->docs, i, d) {
		json_array_foreach(json_object_get(d, "assertions"), j, a) {
			struct c2c__item *it;
			char gk[200], ind[340];
			int x, cred = C2C__LV_M; /* an unparsable rating counts as medium */
			if (js(a, "kind") == NULL || strcmp(js(a, "kind"), "indicator") != 0 ||
			    !indicator_matches(c, a))
				continue;
			x = cand_lookup(c, js(a, "actor"));
			if (x < 0)
				continue;
			(void)snprintf(gk, sizeof(gk), "ext:%s", js(d, "id"));
			it = item_find(m, C2C__I_EXT_OVERLAP, gk, x);
			if (it == NULL) {
				if ((it = item_new(m, C2C__I_EXT_OVERLAP, gk)) == NULL)
					return C2C_ENOMEM;
				it->cand = x;
				it->cls = "infrastructure";
				it->derivation = "external";
				it->parts = "external";
				it->spoof = C2C__SP_LOW;
				it->rel = C2C__LV_M;
				it->lr_cap_mb = CAP_2;
				(void)c2c__admiralty_cred(js(d, "rating"), &cred);
				it->cred = cred;
				(void)snprintf(it->reliability, sizeof(it->reliability), "%s",
				    js(d, "rating"));
				(void)snprintf(it->src_name, sizeof(it->src_name), "%s", js(d, "source"));
				rate_all(m, it, overlap_ratings, C_, C_, N_, N_);
				if ((rc = add_source(it, js(d, "id"))) != C2C_OK ||
				    (rc = set_add(m->external_used, js(d, "id"))) != C2C_OK)
					return rc;
			}
			(void)snprintf(ind, sizeof(ind), "%s %s", js(a, "type"), js(a, "value"));
			if (strlen(it->summary) + strlen(ind) + 4 < sizeof(it->summary)) {
				if (it->summary[0] == '\0')
					(void)snprintf(it->summary, sizeof(it->summary),
					    "cluster overlaps indicators that %.100s reports for %.100s: %.150s",
					    js(d, "source"), m->cand[x].name, ind);
				else {
					size_t l = strlen(it->summary);
					(void)snprintf(it->summary + l, sizeof(it->summary) - l, ", %s",
					    ind);
				}
			}
		}
	}
	return C2C_OK;
}

static c2c_err
label_to_item(struct ctx *c, const char *label, const char *feed, const char *feed_name,
    const json_t *f, void *arg)
{
	struct c2c__model *m = c->m;
	int out[8], n = 0, cred = C2C__LV_M;
	c2c_err rc;
	(void)arg;
	if ((rc = cand_for_label(c, label, NULL, false, out, 8, &n)) != C2C_OK)
		return rc;
	for (int k = 0; k < n; k++) {
		char gk[200];
		struct c2c__item *it;
		(void)snprintf(gk, sizeof(gk), "feed:%s", feed);
		it = item_find(m, C2C__I_FEED_OVERLAP, gk, out[k]);
		if (it == NULL) {
			if ((it = item_new(m, C2C__I_FEED_OVERLAP, gk)) == NULL)
				return C2C_ENOMEM;
			it->cand = out[k];
			it->cls = "infrastructure";
			it->derivation = "refdata";
			it->parts = "refdata";
			it->spoof = C2C__SP_LOW;
			it->rel = C2C__LV_M;
			it->lr_cap_mb = CAP_2;
			(void)c2c__admiralty_cred(c->p->feed_rating, &cred);
			it->cred = cred;
			(void)snprintf(it->reliability, sizeof(it->reliability), "%s",
			    c->p->feed_rating);
			rate_all(m, it, overlap_ratings, C_, C_, N_, N_);
			(void)snprintf(it->summary, sizeof(it->summary),
			    "indicator feed %s labels cluster addresses with names of %s",
			    feed_name, m->cand[out[k]].name);
		}
		if ((rc = add_source(it, js(f, "id"))) != C2C_OK ||
		    (rc = set_add(m->refs, js(f, "id"))) != C2C_OK ||
		    (rc = set_add(m->refdata, feed)) != C2C_OK)
			return rc;
	}
	return C2C_OK;
}

static c2c_err
items_feed(struct ctx *c)
{
	size_t i;
	const json_t *f;
	c2c_err rc;
	json_array_foreach(c->findings, i, f) {
		if (!is_labelled(f) || !about_cluster(c, f))
			continue;
		if ((rc = each_label(c, f, label_to_item, NULL)) != C2C_OK)
			return rc;
	}
	return C2C_OK;
}

static c2c_err
items_artefact(struct ctx *c)
{
	struct c2c__model *m = c->m;
	size_t i;
	const json_t *f;
	c2c_err rc;
	json_array_foreach(c->findings, i, f) {
		const char *t = js(f, "type");
		const json_t *r = json_object_get(f, "result");
		struct c2c__item *it;
		char gk[200];
		int x, sp;
		static const uint8_t art[10] = { C_, C_, N_, N_, N_, N_, N_, N_, N_, N_ };
		if (t == NULL || strcmp(t, "artefact") != 0 || !about_cluster(c, f))
			continue;
		x = cand_lookup(c, js(r, "label"));
		if (x < 0)
			continue;
		(void)snprintf(gk, sizeof(gk), "obs:artefact:%s", js(f, "id") ? js(f, "id") : "");
		if ((it = item_new(m, C2C__I_ARTEFACT, gk)) == NULL)
			return C2C_ENOMEM;
		it->cand = x;
		it->cls = js(r, "class") && strcmp(js(r, "class"), "capability") == 0 ? "capability" :
		    "language";
		it->derivation = "raw";
		it->parts = "raw";
		sp = parse_spoof(js(r, "spoofability"));
		it->spoof = sp < 0 ? C2C__SP_TRIVIAL : (enum c2c__spoof)sp;
		it->rel = C2C__LV_M;
		it->lr_cap_mb = it->spoof == C2C__SP_TRIVIAL ? CAP_1_2 : CAP_2;
		rate_all(m, it, art, C_, C_, N_, N_);
		(void)snprintf(it->summary, sizeof(it->summary), "%s artefact pointing at %s: %s",
		    it->cls, m->cand[x].name, js(r, "statement") ? js(r, "statement") : "");
		if ((rc = add_source(it, js(f, "id"))) != C2C_OK ||
		    (rc = set_add(m->refs, js(f, "id"))) != C2C_OK)
			return rc;
	}
	return C2C_OK;
}

static c2c_err
items_geo(struct ctx *c)
{
	struct c2c__model *m = c->m;
	size_t i;
	const json_t *r;
	c2c_err rc;
	json_array_foreach(m->roles, i, r) {
		const char *cc = js(r, "country");
		struct c2c__item *it;
		char gk[64];
		int cred = C2C__LV_M; /* an unparsable rating counts as medium */
		if (cc == NULL)
			continue;
		if (!json_is_true(json_object_get(r, "location_used"))) {
			json_t *o = json_pack("{s:s,s:s,s:s}", "source", js(r, "ip"), "class",
			    "geolocation", "reason", strcmp(js(r, "role"), "anonymiser") == 0 ?
				"anonymisation service: its location says nothing about the operator" :
				(strcmp(js(r, "role"), "sinkhole") == 0 ?
				    "sinkhole: its location says nothing about the operator" :
				    "compromised relay: its network location is not operator evidence"));
			if ((rc = c2c_json_append_new(m->excluded, o)) != C2C_OK)
				return rc;
			continue;
		}
		(void)snprintf(gk, sizeof(gk), "refdata:geo:%s", cc);
		it = item_find(m, C2C__I_GEO, gk, -1);
		if (it == NULL) {
			if ((it = item_new(m, C2C__I_GEO, gk)) == NULL)
				return C2C_ENOMEM;
			it->cls = "infrastructure";
			it->derivation = "refdata";
			it->parts = "refdata";
			it->spoof = C2C__SP_TRIVIAL;
			it->rel = C2C__LV_L;
			it->lr_cap_mb = CAP_1_5;
			(void)c2c__admiralty_cred(c->p->geo_rating, &cred);
			it->cred = cred;
			(void)snprintf(it->reliability, sizeof(it->reliability), "%s",
			    c->p->geo_rating);
			/* Consistent with candidates the catalogue places in that country (an
			 * external assertion), neutral otherwise; trivially spoofable. */
			for (int h = 0; h < m->n_hyp; h++) {
				const struct c2c__hyp *y = &m->hyp[h];
				const struct c2c_actor *ac = y->cand >= 0 ? m->cand[y->cand].actor : NULL;
				it->rating[h] = (ac != NULL && ac->country != NULL &&
				    strcmp(ac->country, cc) == 0) ? C_ : N_;
			}
			(void)snprintf(it->summary, sizeof(it->summary),
			    "addresses geolocated to %s (network location, not operator location)",
			    cc);
		}
		if ((rc = add_source(it, js(r, "ip"))) != C2C_OK)
			return rc;
	}
	return C2C_OK;
}

static c2c_err
items_judgement(struct ctx *c)
{
	struct c2c__model *m = c->m;
	size_t i;
	const json_t *j;
	c2c_err rc;
	json_array_foreach(c->p->judgements, i, j) {
		const char *k = js(j, "kind"), *id = js(j, "id");
		const json_t *rt = json_object_get(j, "ratings");
		struct c2c__item *it;
		char gk[200];
		int sp, x, cred = C2C__LV_M;
		if (k == NULL || strcmp(k, "evidence") != 0)
			continue;
		sp = parse_spoof(js(j, "spoofability"));
		x = js(j, "candidate") ? cand_lookup(c, js(j, "candidate")) : -1;
		if (id == NULL || sp < 0 || !json_is_object(rt) || (js(j, "candidate") && x < 0) ||
		    (js(j, "reliability") && c2c__admiralty_cred(js(j, "reliability"), &cred)))
			return c2c_diag_set(c->diag, C2C_EINVAL, "judgements", i,
			    "evidence judgement %zu needs id, spoofability, ratings (and a valid "
			    "reliability and candidate)", i);
		(void)snprintf(gk, sizeof(gk), "judgement:%s", id);
		if ((it = item_new(m, C2C__I_JUDGEMENT, gk)) == NULL)
			return C2C_ENOMEM;
		it->cand = x;
		it->cls = js(j, "class") ? js(j, "class") : "external";
		it->derivation = "judgement";
		it->parts = "judgement";
		it->spoof = (enum c2c__spoof)sp;
		it->rel = C2C__LV_M;
		if (js(j, "relevance") && parse_level(js(j, "relevance"), &it->rel))
			return c2c_diag_set(c->diag, C2C_EINVAL, "judgements", i, "bad relevance");
		it->cred = cred;
		(void)snprintf(it->reliability, sizeof(it->reliability), "%s",
		    js(j, "reliability") ? js(j, "reliability") : "C3");
		it->lr_cap_mb = sp == C2C__SP_TRIVIAL ? CAP_1_5 : (sp == C2C__SP_LOW ? CAP_2 :
		    (sp == C2C__SP_MODERATE ? CAP_5 : CAP_20));
		(void)snprintf(it->summary, sizeof(it->summary), "%s",
		    js(j, "statement") ? js(j, "statement") : id);
		for (int h = 0; h < m->n_hyp; h++) {
			const struct c2c__hyp *y = &m->hyp[h];
			const char *v = js(rt, y->id);
			int r;
			if (v == NULL && y->cand == x && x >= 0)
				v = js(rt, y->kind == C2C__H_CAND ? "candidate" : "false-flag");
			r = v ? parse_rating(v) : N_;
			if (r < 0)
				return c2c_diag_set(c->diag, C2C_EINVAL, "judgements", i,
				    "bad rating \"%s\"", v);
			it->rating[h] = (uint8_t)r;
		}
		if ((rc = add_source(it, gk)) != C2C_OK)
			return rc;
	}
	return C2C_OK;
}

static c2c_err
apply_removals(struct ctx *c)
{
	struct c2c__model *m = c->m;
	size_t i;
	const json_t *j;
	json_array_foreach(c->p->judgements, i, j) {
		const char *k = js(j, "kind"), *h = js(j, "hypothesis");
		bool found = false;
		if (k == NULL || strcmp(k, "remove-hypothesis") != 0)
			continue;
		if (h == NULL || js(j, "reason") == NULL)
			return c2c_diag_set(c->diag, C2C_EINVAL, "judgements", i,
			    "remove-hypothesis needs hypothesis and reason");
		for (int x = 0; x < m->n_hyp; x++) {
			if (strcmp(m->hyp[x].id, h) == 0) {
				m->hyp[x].removed = true;
				m->hyp[x].removed_reason = js(j, "reason");
				m->hyp[x].removed_by = js(j, "by");
				found = true;
			}
		}
		if (!found)
			return c2c_diag_set(c->diag, C2C_EINVAL, "judgements", i,
			    "no hypothesis %s to remove", h);
	}
	return C2C_OK;
}

static int
cmp_item(const void *x, const void *y)
{
	const struct c2c__item *a = x, *b = y;
	int c;
	if (a->kind != b->kind)
		return (int)a->kind - (int)b->kind;
	c = strcmp(a->group_key, b->group_key);
	if (c != 0)
		return c;
	return a->cand - b->cand;
}

/* Sort items, number them, assign groups, apply the false-flag neutrality rule and mark
 * non-diagnostic rows. */
static c2c_err
finish_items(struct c2c__model *m)
{
	c2c_err rc;
	if (m->n_item > 1)
		qsort(m->items, (size_t)m->n_item, sizeof(m->items[0]), cmp_item);
	m->groups = c2c_calloc((size_t)(m->n_item ? m->n_item : 1), sizeof(*m->groups));
	if (m->groups == NULL)
		return C2C_ENOMEM;
	for (int i = 0; i < m->n_item; i++) {
		struct c2c__item *it = &m->items[i];
		int g = -1;
		(void)snprintf(it->id, sizeof(it->id), "E%d", i + 1);
		for (int k = 0; k < m->n_group; k++)
			if (strcmp(m->groups[k].key, it->group_key) == 0)
				g = k;
		if (g < 0) {
			g = m->n_group++;
			(void)snprintf(m->groups[g].key, sizeof(m->groups[g].key), "%s", it->group_key);
			m->groups[g].cls = it->cls;
		}
		it->group = g;
		if ((rc = sort_strings(it->sources)) != C2C_OK)
			return rc;
		/* False-flag neutrality: what a framer can plant cheaply is rated the same for X
		 * and for someone imitating X (§4.4). */
		if (it->spoof <= C2C__SP_LOW) {
			for (int h = 0; h < m->n_hyp; h++) {
				if (m->hyp[h].kind != C2C__H_FF)
					continue;
				for (int x = 0; x < m->n_hyp; x++)
					if (m->hyp[x].kind == C2C__H_CAND &&
					    m->hyp[x].cand == m->hyp[h].cand)
						it->rating[h] = it->rating[x];
			}
		}
		it->diagnostic = false;
		{
			int first = -1;
			for (int h = 0; h < m->n_hyp; h++) {
				if (m->hyp[h].removed)
					continue;
				if (first < 0)
					first = it->rating[h];
				else if (it->rating[h] != first)
					it->diagnostic = true;
			}
		}
	}
	return C2C_OK;
}

static c2c_err
edges_level(struct c2c__model *m)
{
	size_t i;
	const json_t *e;
	const char *hard[16];
	int n_hard = 0;
	if (json_array_size(m->members) <= 1) {
		m->l3_level = NULL;
		return C2C_OK;
	}
	json_array_foreach(m->edges, i, e) {
		const char *k = js(e, "kind");
		int sp = parse_spoof(js(e, "spoofability"));
		bool seen = false;
		if (sp < C2C__SP_MODERATE)
			continue;
		for (int x = 0; x < n_hard; x++)
			if (strcmp(hard[x], k) == 0)
				seen = true;
		if (!seen && n_hard < 16)
			hard[n_hard++] = k;
	}
	m->l3_level = n_hard >= 2 ? "High" : (n_hard == 1 ? "Moderate" : "Low");
	return C2C_OK;
}

static c2c_err
quote_l5(struct ctx *c)
{
	struct c2c__model *m = c->m;
	size_t i, j;
	const json_t *d, *a;
	c2c_err rc;
	for (int x = 0; x < m->n_cand; x++) {
		const struct c2c_actor *ac = m->cand[x].actor;
		if (ac != NULL && ac->sponsor != NULL && strcmp(ac->sponsor, "Unknown") != 0) {
			json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:s}", "source",
			    "The MISP galaxy threat-actor catalogue", "rating", c->p->catalogue_rating,
			    "subject", m->cand[x].name, "relation", "is suspected to be sponsored by",
			    "object", ac->sponsor);
			if ((rc = c2c_json_append_new(m->l5, o)) != C2C_OK)
				return rc;
		}
		json_array_foreach(c->docs, i, d) {
			json_array_foreach(json_object_get(d, "assertions"), j, a) {
				json_t *o;
				if (js(a, "kind") == NULL || strcmp(js(a, "kind"), "sponsor") != 0 ||
				    cand_lookup(c, js(a, "actor")) != x || js(a, "object") == NULL)
					continue;
				o = json_pack("{s:s,s:s,s:s,s:s,s:s}", "source", js(d, "source"),
				    "rating", js(d, "rating"), "subject", m->cand[x].name, "relation",
				    js(a, "relation") ? js(a, "relation") : "is attributed to", "object",
				    js(a, "object"));
				if ((rc = c2c_json_append_new(m->l5, o)) != C2C_OK)
					return rc;
			}
		}
	}
	return C2C_OK;
}

c2c_err
c2c__model_build(struct c2c__model *m, const struct c2c_catalogue *cat, const json_t *cluster,
    const json_t *findings, const json_t *external, const struct c2c_assess_params *p,
    struct c2c_diag *diag)
{
	struct ctx c = { m, cat, findings, p, diag, NULL, NULL, NULL, NULL, NULL };
	c2c_err rc = C2C_ENOMEM;
	size_t i;
	const json_t *d;

	memset(m, 0, sizeof(*m));
	if (!json_is_object(cluster) || !json_is_array(findings) ||
	    (external != NULL && !json_is_array(external)) ||
	    (p->judgements != NULL && !json_is_array(p->judgements)))
		return c2c_diag_set(diag, C2C_EINVAL, "assessment", 0,
		    "cluster must be an object, findings/external/judgements arrays");
	m->excluded = json_array();
	m->unresolved = json_array();
	m->l5 = json_array();
	m->refs = json_array();
	m->refdata = json_array();
	m->external_used = json_array();
	m->members = json_array();
	m->roles = json_array();
	m->locations = json_array();
	m->edges = json_array();
	c.infra = json_array();
	c.l1_ids = json_array();
	c.fqdns = json_array();
	c.certs = json_array();
	c.docs = json_array();
	if (!m->excluded || !m->unresolved || !m->l5 || !m->refs || !m->refdata ||
	    !m->external_used || !m->members || !m->roles || !m->locations || !m->edges ||
	    !c.infra || !c.l1_ids || !c.fqdns || !c.certs || !c.docs)
		goto out;
	if ((rc = read_cluster(&c, cluster)) != C2C_OK || (rc = read_infra(&c)) != C2C_OK)
		goto out;
	/* Findings order must not matter: member-keyed arrays are sorted. */
	sort_by_member(m->roles, "ip");
	sort_by_member(m->edges, "id");
	sort_by_member(c.infra, "id");
	json_array_foreach(external, i, d) {
		if ((rc = normalise_doc(&c, d, i)) != C2C_OK)
			goto out;
	}
	if ((rc = gather_candidates(&c)) != C2C_OK)
		goto out;
	build_hypotheses(m);
	if ((rc = items_behaviour(&c)) != C2C_OK || (rc = items_role(&c)) != C2C_OK ||
	    (rc = items_keylink(&c)) != C2C_OK || (rc = items_timing(&c)) != C2C_OK ||
	    (rc = items_ext_overlap(&c)) != C2C_OK || (rc = items_feed(&c)) != C2C_OK ||
	    (rc = items_artefact(&c)) != C2C_OK || (rc = items_geo(&c)) != C2C_OK ||
	    (rc = items_judgement(&c)) != C2C_OK || (rc = apply_removals(&c)) != C2C_OK ||
	    (rc = finish_items(m)) != C2C_OK || (rc = edges_level(m)) != C2C_OK ||
	    (rc = quote_l5(&c)) != C2C_OK)
		goto out;
	if ((rc = sort_strings(m->refs)) != C2C_OK || (rc = sort_strings(m->refdata)) != C2C_OK ||
	    (rc = sort_strings(m->unresolved)) != C2C_OK ||
	    (rc = sort_strings(m->external_used)) != C2C_OK)
		goto out;
	c2c__ach_weights(m);
out:
	json_decref(c.infra);
	json_decref(c.l1_ids);
	json_decref(c.fqdns);
	json_decref(c.certs);
	json_decref(c.docs);
	return rc;
}
