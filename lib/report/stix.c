/*
 * STIX 2.1 export (report.stix.json) of reference/attribution.md §5.2.
 *
 * One pass over report.json builds the bundle in a fixed order: producer identity, TLP marking,
 * the extension definition, then per L1 finding SCOs + observed-data + indicator (based-on) +
 * sighting, per infrastructure finding infrastructure (+ consists-of, located-at, indicates),
 * per cluster a grouping, per assessment a campaign with one attributed-to relationship per
 * candidate intrusion set (its own confidence; likelihood in the extension), one related-to
 * relationship per false-flag hypothesis, a note carrying the ACH matrix, quoted L5 assertions,
 * and finally the report. Objects are deduplicated by id, so the same address or intrusion set
 * seen twice is one object.
 */
#include "c2chain/stix.h"

#include <stdio.h>
#include <string.h>

#include "c2chain/attribute.h"
#include "c2chain/json.h"

/* STIX 2.1 §2.9: namespace of SCO ids. */
#define SCO_NS "00abedb4-aa42-466c-9c01-fed23315a9b7"
/* c2chain's own namespace; per-producer namespaces are UUIDv5(C2C_NS, producer name). */
#define C2C_NS "6f0b8a52-3c1d-4e7a-9d2b-5c4e3f2a1b09"
#define CONF_NOTE                                                                                \
	"The STIX confidence property on these relationships expresses analytic confidence on "  \
	"the None/Low/Med/High scale of STIX 2.1 Appendix A (None 0, Low 15, Med 50, High 85); "  \
	"it is not a probability. Likelihood is given separately as an ICD 203 term and range "    \
	"in the x_evidence extension."
#define GEO_CAVEAT                                                                               \
	"Network location as recorded by a geolocation database. Geolocation databases are "     \
	"unreliable for infrastructure addresses; this does not establish where, or by whom, "   \
	"the server is operated."

static int
hexv(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

c2c_err
c2c_uuid5(const char *ns, const void *name, size_t len, char out[C2C_UUID_STRLEN])
{
	uint8_t nsb[16], h[20], *buf;
	size_t k = 0;
	if (ns == NULL || strlen(ns) != 36)
		return C2C_EINVAL;
	for (size_t i = 0; i < 36; i++) {
		int hi, lo;
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (ns[i] != '-')
				return C2C_EINVAL;
			continue;
		}
		hi = hexv(ns[i]);
		lo = hexv(ns[i + 1]);
		if (hi < 0 || lo < 0 || k >= 16)
			return C2C_EINVAL;
		nsb[k++] = (uint8_t)(hi << 4 | lo);
		i++;
	}
	if (k != 16)
		return C2C_EINVAL;
	buf = c2c_malloc(16 + len);
	if (buf == NULL)
		return C2C_ENOMEM;
	memcpy(buf, nsb, 16);
	if (len > 0)
		memcpy(buf + 16, name, len);
	c2c_sha1(buf, 16 + len, h);
	c2c_free(buf);
	h[6] = (uint8_t)((h[6] & 0x0f) | 0x50);
	h[8] = (uint8_t)((h[8] & 0x3f) | 0x80);
	(void)snprintf(out, C2C_UUID_STRLEN,
	    "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", h[0], h[1], h[2],
	    h[3], h[4], h[5], h[6], h[7], h[8], h[9], h[10], h[11], h[12], h[13], h[14], h[15]);
	return C2C_OK;
}

c2c_err
c2c_stix_sco_id(const char *type, const json_t *contrib, char out[C2C_STIX_ID_MAX])
{
	struct c2c_buf b;
	char u[C2C_UUID_STRLEN];
	c2c_err rc;
	c2c_buf_init(&b, 1 << 16);
	rc = c2c_json_canon(contrib, &b);
	if (rc == C2C_OK)
		rc = c2c_uuid5(SCO_NS, b.data, b.len, u);
	c2c_buf_fini(&b);
	if (rc == C2C_OK)
		(void)snprintf(out, C2C_STIX_ID_MAX, "%s--%s", type, u);
	return rc;
}

/* ---- exporter state ----------------------------------------------------------------------------- */

struct ex {
	char ns[C2C_UUID_STRLEN];
	char time_buf[40];
	char identity[C2C_STIX_ID_MAX], extdef[C2C_STIX_ID_MAX], marking[C2C_STIX_ID_MAX];
	const char *time;
	json_t *objs, *seen, *refs;
	const json_t *findings;
};

static const char *
js(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

/* A STIX timestamp (RFC 3339, UTC, at least millisecond precision) for an engine time string;
 * NULL when it does not parse. */
static const char *
stix_time(const char *in, char *buf, size_t len)
{
	c2c_time t;
	if (in == NULL || c2c_time_parse(&t, in, strlen(in)) != C2C_OK)
		return NULL;
	return c2c_time_format_iso(t, buf, len);
}

static c2c_err
sdo_id(struct ex *x, const char *type, const char *key, char out[C2C_STIX_ID_MAX])
{
	char u[C2C_UUID_STRLEN], name[1024];
	c2c_err rc;
	int n = snprintf(name, sizeof(name), "%s:%s", type, key);
	if (n < 0 || (size_t)n >= sizeof(name))
		return C2C_ELIMIT; /* a cut name would collide with another object's id */
	rc = c2c_uuid5(x->ns, name, strlen(name), u);
	if (rc == C2C_OK)
		(void)snprintf(out, C2C_STIX_ID_MAX, "%s--%s", type, u);
	return rc;
}

/* A new SDO/SRO with the common properties; NULL on OOM. */
static json_t *
sdo_new(struct ex *x, const char *type, const char *id)
{
	json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:s}", "type", type, "spec_version", "2.1", "id", id,
	    "created", x->time, "modified", x->time);
	if (o == NULL)
		return NULL;
	if (strcmp(type, "identity") != 0 &&
	    c2c_json_set_str(o, "created_by_ref", x->identity) != C2C_OK) {
		json_decref(o);
		return NULL;
	}
	if (x->marking[0] != '\0' && c2c_json_set_new(o, "object_marking_refs",
	    json_pack("[s]", x->marking)) != C2C_OK) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* Add an object (stolen) unless its id is already in the bundle. */
static c2c_err
add(struct ex *x, json_t *o, bool in_report)
{
	const char *id;
	c2c_err rc;
	if (o == NULL)
		return C2C_ENOMEM;
	id = js(o, "id");
	if (json_object_get(x->seen, id) != NULL) {
		json_decref(o);
		return C2C_OK;
	}
	if (json_object_set_new(x->seen, id, json_true()) != 0) {
		json_decref(o);
		return C2C_ENOMEM;
	}
	if (in_report && (rc = c2c_json_append_new(x->refs, json_string(id))) != C2C_OK) {
		json_decref(o);
		return rc;
	}
	return c2c_json_append_new(x->objs, o);
}

/* Attach the x_evidence property extension (props stolen). */
static c2c_err
ext(struct ex *x, json_t *o, json_t *props)
{
	json_t *e;
	if (props == NULL)
		return C2C_ENOMEM;
	if (c2c_json_set_str(props, "extension_type", "property-extension") != C2C_OK) {
		json_decref(props);
		return C2C_ENOMEM;
	}
	e = json_object();
	if (e == NULL) {
		json_decref(props);
		return C2C_ENOMEM;
	}
	if (json_object_set_new(e, x->extdef, props) != 0) { /* releases props itself */
		json_decref(e);
		return C2C_ENOMEM;
	}
	return c2c_json_set_new(o, "extensions", e);
}

static c2c_err
sco(struct ex *x, const char *type, json_t *contrib, char out[C2C_STIX_ID_MAX])
{
	json_t *o;
	c2c_err rc;
	if (contrib == NULL)
		return C2C_ENOMEM;
	rc = c2c_stix_sco_id(type, contrib, out);
	if (rc != C2C_OK) {
		json_decref(contrib);
		return rc;
	}
	o = json_pack("{s:s,s:s,s:s}", "type", type, "spec_version", "2.1", "id", out);
	if (o == NULL || json_object_update(o, contrib) != 0) {
		json_decref(o);
		json_decref(contrib);
		return C2C_ENOMEM;
	}
	json_decref(contrib);
	return add(x, o, true);
}

static c2c_err
sco_ip(struct ex *x, const char *ip, char out[C2C_STIX_ID_MAX])
{
	return sco(x, strchr(ip, ':') ? "ipv6-addr" : "ipv4-addr", json_pack("{s:s}", "value", ip),
	    out);
}

static c2c_err
rel(struct ex *x, const char *type, const char *src, const char *dst, const char *key,
    json_t *extra, char out[C2C_STIX_ID_MAX])
{
	char id[C2C_STIX_ID_MAX], k[700];
	json_t *o;
	c2c_err rc;
	(void)snprintf(k, sizeof(k), "%s|%s|%s|%s", type, src, dst, key ? key : "");
	if ((rc = sdo_id(x, "relationship", k, id)) != C2C_OK) {
		json_decref(extra);
		return rc;
	}
	o = sdo_new(x, "relationship", id);
	if (o == NULL || c2c_json_set_str(o, "relationship_type", type) != C2C_OK ||
	    c2c_json_set_str(o, "source_ref", src) != C2C_OK ||
	    c2c_json_set_str(o, "target_ref", dst) != C2C_OK ||
	    (extra != NULL && json_object_update(o, extra) != 0)) {
		json_decref(o);
		json_decref(extra);
		return C2C_ENOMEM;
	}
	json_decref(extra);
	if (out != NULL)
		(void)snprintf(out, C2C_STIX_ID_MAX, "%s", id);
	return add(x, o, true);
}

/* STIX pattern string literal: backslash and quote escaped. */
static c2c_err
pattern_for(const char *type, const char *value, char *out, size_t cap)
{
	size_t w = 0;
	int n = snprintf(out, cap, "[%s:value = '", type);
	if (n < 0 || (size_t)n >= cap)
		return C2C_ELIMIT;
	w = (size_t)n;
	for (const char *p = value; *p; p++) {
		if (w + 4 >= cap)
			return C2C_ELIMIT;
		if (*p == '\'' || *p == '\\')
			out[w++] = '\\';
		out[w++] = *p;
	}
	if (w + 3 >= cap)
		return C2C_ELIMIT;
	out[w++] = '\'';
	out[w++] = ']';
	out[w] = '\0';
	return C2C_OK;
}

static bool
is_l1(const json_t *f)
{
	const char *t = js(f, "type");
	const json_t *s = json_object_get(f, "subject");
	const char *rung = js(f, "rung");
	static const char *const l1[] = { "intel-hit", "beacon", "long-connection", "dns-tunnel",
		"strobe" };
	bool detection = rung != NULL && strcmp(rung, "L1") == 0;
	if (t == NULL)
		return false;
	for (size_t i = 0; i < C2C_ARRAY_LEN(l1); i++)
		detection = detection || strcmp(t, l1[i]) == 0;
	return detection && (js(s, "peer") != NULL || js(s, "fqdn") != NULL);
}

static json_t *
evidence_props(const json_t *f, const char *rung)
{
	json_t *p = json_pack("{s:[s],s:s,s:s}", "finding_ids", js(f, "id") ? js(f, "id") : "",
	    "rung", rung, "verdict_class", strcmp(rung, "L4") == 0 ? "V-EXT" : "V-RAW");
	const json_t *ev = json_object_get(f, "evidence"), *refs;
	json_t *a;
	size_t i;
	const json_t *v;
	if (p == NULL)
		return NULL;
	refs = json_object_get(ev, "refs");
	if (!json_is_array(refs))
		refs = json_object_get(ev, "samples");
	a = json_array();
	json_array_foreach(refs, i, v) {
		if (i >= 8 || c2c_json_append_new(a, json_incref((json_t *)(uintptr_t)v)) != C2C_OK)
			break;
	}
	if (a == NULL) {
		json_decref(p);
		return NULL;
	}
	/* STIX forbids empty lists: an absent member means "none". */
	if (json_array_size(a) == 0)
		json_decref(a);
	else if (c2c_json_set_new(p, "evidence_refs", a) != C2C_OK) {
		json_decref(p);
		return NULL;
	}
	if (js(ev, "merkle_root") && c2c_json_set_str(p, "merkle_root", js(ev, "merkle_root"))) {
		json_decref(p);
		return NULL;
	}
	return p;
}

/* ---- L1 detections ------------------------------------------------------------------------------ */

static c2c_err
export_l1(struct ex *x, const json_t *f)
{
	const json_t *s = json_object_get(f, "subject");
	const char *peer = js(s, "peer"), *fqdn = js(s, "fqdn"), *fid = js(f, "id");
	char fb[40], lb[40];
	const char *first = stix_time(js(f, "first_seen"), fb, sizeof(fb));
	const char *last;
	if (first == NULL)
		first = x->time;
	last = stix_time(js(f, "last_seen"), lb, sizeof(lb));
	if (last == NULL)
		last = first;
	char ip_id[C2C_STIX_ID_MAX] = "", dn_id[C2C_STIX_ID_MAX] = "", od[C2C_STIX_ID_MAX];
	char ind[C2C_STIX_ID_MAX], sg[C2C_STIX_ID_MAX], pat[600], name[400];
	json_t *o, *refs;
	int64_t count = json_integer_value(json_object_get(json_object_get(f, "result"), "count"));
	c2c_err rc;

	if (fid == NULL)
		return C2C_OK;
	if (peer != NULL && (rc = sco_ip(x, peer, ip_id)) != C2C_OK)
		return rc;
	if (fqdn != NULL && (rc = sco(x, "domain-name", json_pack("{s:s}", "value", fqdn), dn_id)) !=
	    C2C_OK)
		return rc;
	/* observed-data: the raw facts, no judgement */
	if ((rc = sdo_id(x, "observed-data", fid, od)) != C2C_OK)
		return rc;
	refs = json_array();
	if (refs == NULL)
		return C2C_ENOMEM;
	if ((ip_id[0] && c2c_json_append_new(refs, json_string(ip_id))) ||
	    (dn_id[0] && c2c_json_append_new(refs, json_string(dn_id)))) {
		json_decref(refs);
		return C2C_ENOMEM;
	}
	o = sdo_new(x, "observed-data", od);
	if (o == NULL || c2c_json_set_str(o, "first_observed", first) ||
	    c2c_json_set_str(o, "last_observed", last) ||
	    c2c_json_set_int(o, "number_observed", count > 0 ? count : 1) ||
	    c2c_json_set_new(o, "object_refs", refs) ||
	    (rc = ext(x, o, evidence_props(f, "L0"))) != C2C_OK) {
		json_decref(o);
		return C2C_ENOMEM;
	}
	if ((rc = add(x, o, true)) != C2C_OK)
		return rc;
	/* indicator: the detection */
	if (peer != NULL)
		rc = pattern_for(strchr(peer, ':') ? "ipv6-addr" : "ipv4-addr", peer, pat, sizeof(pat));
	else
		rc = pattern_for("domain-name", fqdn, pat, sizeof(pat));
	if (rc != C2C_OK || (rc = sdo_id(x, "indicator", fid, ind)) != C2C_OK)
		return rc;
	(void)snprintf(name, sizeof(name), "c2chain %s %s", js(f, "type"), peer ? peer : fqdn);
	o = sdo_new(x, "indicator", ind);
	if (o == NULL || c2c_json_set_str(o, "name", name) ||
	    c2c_json_set_new(o, "indicator_types", json_pack("[s]", "malicious-activity")) ||
	    c2c_json_set_str(o, "pattern", pat) || c2c_json_set_str(o, "pattern_type", "stix") ||
	    c2c_json_set_str(o, "valid_from", first) ||
	    (rc = ext(x, o, evidence_props(f, "L1"))) != C2C_OK) {
		json_decref(o);
		return C2C_ENOMEM;
	}
	{
		/* intel-hit labels (malware family, intrusion-set aliases) as STIX labels */
		const json_t *labs = json_object_get(json_object_get(f, "result"), "labels"), *l;
		json_t *la = json_array();
		size_t i;
		json_array_foreach(labs, i, l) {
			const char *t = json_is_string(l) ? json_string_value(l) : js(l, "label");
			if (t != NULL && la != NULL && c2c_json_append_new(la, json_string(t)) != C2C_OK) {
				json_decref(la);
				la = NULL;
			}
		}
		if (la == NULL) {
			json_decref(o);
			return C2C_ENOMEM;
		}
		if (json_array_size(la) > 0) {
			if (c2c_json_set_new(o, "labels", la) != C2C_OK) {
				json_decref(o);
				return C2C_ENOMEM;
			}
		} else {
			json_decref(la);
		}
	}
	if ((rc = add(x, o, true)) != C2C_OK ||
	    (rc = rel(x, "based-on", ind, od, fid, NULL, NULL)) != C2C_OK)
		return rc;
	/* sighting: "we saw this, here is what we saw" */
	if ((rc = sdo_id(x, "sighting", fid, sg)) != C2C_OK)
		return rc;
	o = sdo_new(x, "sighting", sg);
	if (o == NULL || c2c_json_set_str(o, "sighting_of_ref", ind) ||
	    c2c_json_set_new(o, "observed_data_refs", json_pack("[s]", od)) ||
	    c2c_json_set_new(o, "where_sighted_refs", json_pack("[s]", x->identity)) ||
	    c2c_json_set_int(o, "count", count > 0 ? count : 1) ||
	    c2c_json_set_str(o, "first_seen", first) || c2c_json_set_str(o, "last_seen", last)) {
		json_decref(o);
		return C2C_ENOMEM;
	}
	return add(x, o, true);
}

/* ---- infrastructure ------------------------------------------------------------------------------ */

static const char *
infra_type(const char *role)
{
	if (role == NULL)
		return "command-and-control";
	if (strcmp(role, "compromised-relay") == 0)
		return "botnet";
	if (strcmp(role, "anonymiser") == 0)
		return "anonymization";
	if (strcmp(role, "sinkhole") == 0)
		return "unknown";
	return "command-and-control";
}

static c2c_err
export_infra(struct ex *x, const json_t *f)
{
	const char *ip = js(json_object_get(f, "subject"), "ip"), *fid = js(f, "id");
	const json_t *r = json_object_get(f, "result"), *v;
	const char *role = js(r, "role");
	char id[C2C_STIX_ID_MAX], ipid[C2C_STIX_ID_MAX], sid[C2C_STIX_ID_MAX], tb[40];
	json_t *o, *props;
	size_t i;
	c2c_err rc;

	if (ip == NULL || fid == NULL)
		return C2C_OK;
	if ((rc = sdo_id(x, "infrastructure", ip, id)) != C2C_OK || (rc = sco_ip(x, ip, ipid)) !=
	    C2C_OK)
		return rc;
	o = sdo_new(x, "infrastructure", id);
	props = evidence_props(f, "L2");
	if (o == NULL || props == NULL || c2c_json_set_str(o, "name", ip) ||
	    c2c_json_set_new(o, "infrastructure_types", json_pack("[s]", infra_type(role))) ||
	    c2c_json_set_str(props, "role", role ? role : "unknown") ||
	    (js(r, "role_basis") && c2c_json_set_str(props, "role_basis", js(r, "role_basis"))) ||
	    (stix_time(js(r, "first_contact"), tb, sizeof(tb)) &&
		c2c_json_set_str(o, "first_seen", tb)) ||
	    (stix_time(js(r, "last_contact"), tb, sizeof(tb)) &&
		c2c_json_set_str(o, "last_seen", tb))) {
		json_decref(o);
		json_decref(props);
		return C2C_ENOMEM;
	}
	if ((rc = ext(x, o, props)) != C2C_OK) {
		json_decref(o);
		return rc;
	}
	if ((rc = add(x, o, true)) != C2C_OK || (rc = rel(x, "consists-of", id, ipid, NULL, NULL,
	    NULL)) != C2C_OK)
		return rc;
	json_array_foreach(json_object_get(r, "fqdns"), i, v) {
		if (!json_is_string(v))
			continue;
		if ((rc = sco(x, "domain-name", json_pack("{s:O}", "value", v), sid)) != C2C_OK ||
		    (rc = rel(x, "consists-of", id, sid, NULL, NULL, NULL)) != C2C_OK)
			return rc;
	}
	if (js(r, "cert_sha256")) {
		if ((rc = sco(x, "x509-certificate", json_pack("{s:{s:s}}", "hashes", "SHA-256",
		    js(r, "cert_sha256")), sid)) != C2C_OK ||
		    (rc = rel(x, "consists-of", id, sid, NULL, NULL, NULL)) != C2C_OK)
			return rc;
	}
	if (json_integer_value(json_object_get(r, "asn")) > 0) {
		json_t *c = json_pack("{s:I}", "number",
		    (json_int_t)json_integer_value(json_object_get(r, "asn")));
		if ((rc = sco(x, "autonomous-system", c, sid)) != C2C_OK)
			return rc;
	}
	/* Location: only for endpoints not assessed as anonymisers, always with the caveat. */
	if (js(r, "country") && strlen(js(r, "country")) == 2 &&
	    (role == NULL || strcmp(role, "anonymiser") != 0)) {
		char lid[C2C_STIX_ID_MAX];
		json_t *l;
		if ((rc = sdo_id(x, "location", js(r, "country"), lid)) != C2C_OK)
			return rc;
		l = sdo_new(x, "location", lid);
		if (l == NULL || c2c_json_set_str(l, "country", js(r, "country")) ||
		    c2c_json_set_str(l, "description", GEO_CAVEAT)) {
			json_decref(l);
			return C2C_ENOMEM;
		}
		if ((rc = add(x, l, true)) != C2C_OK ||
		    (rc = rel(x, "located-at", id, lid, NULL, json_pack("{s:s}", "description",
		    GEO_CAVEAT), NULL)) != C2C_OK)
			return rc;
	}
	/* indicator -indicates-> infrastructure for every L1 detection of this address */
	json_array_foreach(x->findings, i, v) {
		char ind[C2C_STIX_ID_MAX];
		if (!is_l1(v) || js(json_object_get(v, "subject"), "peer") == NULL ||
		    strcmp(js(json_object_get(v, "subject"), "peer"), ip) != 0 || js(v, "id") == NULL)
			continue;
		if ((rc = sdo_id(x, "indicator", js(v, "id"), ind)) != C2C_OK ||
		    (rc = rel(x, "indicates", ind, id, NULL, NULL, NULL)) != C2C_OK)
			return rc;
	}
	return C2C_OK;
}

/* ---- clusters ------------------------------------------------------------------------------------ */

static c2c_err
export_cluster(struct ex *x, const char *name, const json_t *members, const json_t *edges,
    char out[C2C_STIX_ID_MAX])
{
	json_t *refs = json_array(), *o, *props;
	size_t i;
	const json_t *m;
	char gname[300];
	c2c_err rc;
	if (refs == NULL)
		return C2C_ENOMEM;
	json_array_foreach(members, i, m) {
		char id[C2C_STIX_ID_MAX];
		const char *ip = json_string_value(m);
		bool have_infra = false;
		size_t j;
		const json_t *f;
		if (ip == NULL)
			continue;
		json_array_foreach(x->findings, j, f) {
			const char *t = js(f, "type");
			if (t && strcmp(t, "infrastructure") == 0 &&
			    js(json_object_get(f, "subject"), "ip") &&
			    strcmp(js(json_object_get(f, "subject"), "ip"), ip) == 0)
				have_infra = true;
		}
		rc = have_infra ? sdo_id(x, "infrastructure", ip, id) : sco_ip(x, ip, id);
		if (rc != C2C_OK || c2c_json_append_new(refs, json_string(id)) != C2C_OK) {
			json_decref(refs);
			return rc != C2C_OK ? rc : C2C_ENOMEM;
		}
	}
	if (json_array_size(refs) == 0) {
		json_decref(refs);
		out[0] = '\0';
		return C2C_OK;
	}
	if ((rc = sdo_id(x, "grouping", name, out)) != C2C_OK) {
		json_decref(refs);
		return rc;
	}
	(void)snprintf(gname, sizeof(gname), "Infrastructure cluster %s", name);
	o = sdo_new(x, "grouping", out);
	props = json_pack("{s:s,s:s,s:s}", "rung", "L3", "verdict_class", "V-RAW", "cluster", name);
	if (o == NULL || props == NULL || c2c_json_set_str(o, "name", gname) ||
	    c2c_json_set_str(o, "context", "suspicious-activity") ||
	    c2c_json_set_new(o, "object_refs", refs) ||
	    (json_array_size(edges) > 0 &&
		c2c_json_set_new(props, "edges", json_deep_copy(edges)))) {
		json_decref(o);
		json_decref(props);
		return C2C_ENOMEM;
	}
	if ((rc = ext(x, o, props)) != C2C_OK) {
		json_decref(o);
		return rc;
	}
	return add(x, o, true);
}

/* ---- assessments --------------------------------------------------------------------------------- */

static const json_t *
hyp_of(const json_t *res, const char *id)
{
	size_t i;
	const json_t *h;
	json_array_foreach(json_object_get(res, "hypotheses"), i, h) {
		if (js(h, "id") && strcmp(js(h, "id"), id) == 0)
			return h;
	}
	return NULL;
}

static c2c_err
intrusion_set(struct ex *x, const json_t *actor, char out[C2C_STIX_ID_MAX])
{
	json_t *o;
	c2c_err rc;
	if ((rc = sdo_id(x, "intrusion-set", js(actor, "key"), out)) != C2C_OK)
		return rc;
	o = sdo_new(x, "intrusion-set", out);
	if (o == NULL || c2c_json_set_str(o, "name", js(actor, "name"))) {
		json_decref(o);
		return C2C_ENOMEM;
	}
	if (js(actor, "attack_id") && c2c_json_set_new(o, "external_references",
	    json_pack("[{s:s,s:s}]", "source_name", "mitre-attack", "external_id",
	    js(actor, "attack_id")))) {
		json_decref(o);
		return C2C_ENOMEM;
	}
	return add(x, o, true);
}

static c2c_err
export_assessment(struct ex *x, const json_t *a)
{
	const json_t *r = json_object_get(a, "result"), *c, *q, *h;
	const char *aid = js(a, "id"), *cl = js(r, "cluster");
	char camp[C2C_STIX_ID_MAX], grp[C2C_STIX_ID_MAX], nid[C2C_STIX_ID_MAX], tb[40];
	char cname[300];
	json_t *o, *note_refs;
	struct c2c_buf md;
	size_t i;
	c2c_err rc;

	if (aid == NULL || cl == NULL)
		return C2C_OK;
	if ((rc = export_cluster(x, cl, json_object_get(r, "members"), json_object_get(r, "edges"),
	    grp)) != C2C_OK)
		return rc;
	if ((rc = sdo_id(x, "campaign", aid, camp)) != C2C_OK)
		return rc;
	(void)snprintf(cname, sizeof(cname), "Activity of cluster %s", cl);
	o = sdo_new(x, "campaign", camp);
	if (o == NULL || c2c_json_set_str(o, "name", cname) ||
	    (js(r, "question") && c2c_json_set_str(o, "description", js(r, "question"))) ||
	    (stix_time(js(a, "first_seen"), tb, sizeof(tb)) &&
		c2c_json_set_str(o, "first_seen", tb)) ||
	    (stix_time(js(a, "last_seen"), tb, sizeof(tb)) &&
		c2c_json_set_str(o, "last_seen", tb))) {
		json_decref(o);
		return C2C_ENOMEM;
	}
	if ((rc = add(x, o, true)) != C2C_OK)
		return rc;
	note_refs = json_pack("[s]", camp);
	if (note_refs == NULL)
		return C2C_ENOMEM;
	if (grp[0] && ((rc = c2c_json_append_new(note_refs, json_string(grp))) != C2C_OK ||
	    (rc = rel(x, "related-to", camp, grp, NULL, NULL, NULL)) != C2C_OK))
		goto out;
	/* One relationship per candidate: attributed-to for X, related-to (false flag) for FF(X). */
	json_array_foreach(json_object_get(r, "claims"), i, c) {
		const json_t *hx = hyp_of(r, js(c, "hypothesis"));
		char is[C2C_STIX_ID_MAX], ffid[120];
		json_t *props, *extra;
		const json_t *sc;
		size_t k;
		if (hx == NULL || json_object_get(hx, "actor") == NULL)
			continue;
		if ((rc = intrusion_set(x, json_object_get(hx, "actor"), is)) != C2C_OK ||
		    (rc = c2c_json_append_new(note_refs, json_string(is))) != C2C_OK)
			goto out;
		props = json_pack("{s:s,s:s,s:s,s:s,s:s,s:O,s:O,s:[s],s:s}", "hypothesis",
		    js(c, "hypothesis"), "rung", "L4", "verdict_class", "V-EXT", "confidence_scale",
		    "none-low-med-high", "confidence_level", js(c, "confidence"), "likelihood",
		    json_object_get(c, "likelihood"), "posterior_least_e6",
		    json_object_get(c, "posterior_least_e6"), "finding_ids", aid, "ceiling",
		    js(c, "ceiling"));
		extra = json_object();
		if (props == NULL || extra == NULL) {
			json_decref(props);
			json_decref(extra);
			rc = C2C_ENOMEM;
			goto out;
		}
		if (json_object_get(c, "stix_confidence") != NULL &&
		    json_object_set(extra, "confidence", json_object_get(c, "stix_confidence"))) {
			json_decref(props);
			json_decref(extra);
			rc = C2C_ENOMEM;
			goto out;
		}
		if ((rc = ext(x, extra, props)) != C2C_OK) {
			json_decref(extra);
			goto out;
		}
		if ((rc = rel(x, "attributed-to", camp, is, aid, extra, NULL)) != C2C_OK)
			goto out;
		/* the false-flag hypothesis for the same set */
		(void)snprintf(ffid, sizeof(ffid), "H-FF:%s", js(json_object_get(hx, "actor"), "key"));
		json_array_foreach(json_object_get(r, "scores"), k, sc) {
			bool rejected;
			if (js(sc, "hypothesis") == NULL || strcmp(js(sc, "hypothesis"), ffid) != 0)
				continue;
			rejected = json_is_true(json_object_get(sc, "rejected"));
			props = json_pack("{s:s,s:s,s:s,s:b,s:I}", "hypothesis", "false-flag",
			    "hypothesis_id", ffid, "confidence_scale", "none-low-med-high", "rejected",
			    rejected, "score_e3", json_integer_value(json_object_get(sc, "score_e3")));
			extra = rejected ? json_pack("{s:i,s:s}", "confidence", 0, "description",
			    "false flag imitating this intrusion set: rejected") :
			    json_pack("{s:s}", "description",
				"false flag imitating this intrusion set: not excluded");
			if (props == NULL || extra == NULL) {
				json_decref(props);
				json_decref(extra);
				rc = C2C_ENOMEM;
				goto out;
			}
			if ((rc = ext(x, extra, props)) != C2C_OK) {
				json_decref(extra);
				goto out;
			}
			if ((rc = rel(x, "related-to", camp, is, ffid, extra, NULL)) != C2C_OK)
				goto out;
		}
	}
	/* Quoted L5 assertions: intrusion-set -attributed-to-> threat-actor, never computed. */
	json_array_foreach(json_object_get(r, "l5"), i, q) {
		size_t k;
		json_array_foreach(json_object_get(r, "hypotheses"), k, h) {
			const json_t *ac = json_object_get(h, "actor");
			char is[C2C_STIX_ID_MAX], ta[C2C_STIX_ID_MAX], desc[400];
			json_t *t;
			if (ac == NULL || strcmp(js(h, "kind"), "candidate") != 0 ||
			    strcmp(js(ac, "name"), js(q, "subject")) != 0)
				continue;
			if ((rc = intrusion_set(x, ac, is)) != C2C_OK ||
			    (rc = sdo_id(x, "threat-actor", js(q, "object"), ta)) != C2C_OK)
				goto out;
			t = sdo_new(x, "threat-actor", ta);
			if (t == NULL || c2c_json_set_str(t, "name", js(q, "object"))) {
				json_decref(t);
				rc = C2C_ENOMEM;
				goto out;
			}
			if ((rc = add(x, t, true)) != C2C_OK)
				goto out;
			(void)snprintf(desc, sizeof(desc),
			    "Quoted: %s (rated %s) states that %s %s %s. Not verified by c2chain.",
			    js(q, "source"), js(q, "rating"), js(q, "subject"), js(q, "relation"),
			    js(q, "object"));
			if ((rc = rel(x, "attributed-to", is, ta, js(q, "source"), json_pack(
			    "{s:s,s:[{s:s,s:s}]}", "description", desc, "external_references",
			    "source_name", js(q, "source"), "description", desc), NULL)) != C2C_OK)
				goto out;
		}
	}
	/* The ACH matrix as a note. */
	c2c_buf_init(&md, 1 << 22);
	rc = c2c_wording_matrix(a, &md);
	if (rc == C2C_OK)
		rc = c2c_buf_printf(&md, "\nConfidence: %s. %s\n", js(r, "confidence"), CONF_NOTE);
	if (rc != C2C_OK || c2c_buf_cstr(&md) == NULL || (rc = sdo_id(x, "note", aid, nid)) !=
	    C2C_OK) {
		c2c_buf_fini(&md);
		rc = rc != C2C_OK ? rc : C2C_ENOMEM;
		goto out;
	}
	o = sdo_new(x, "note", nid);
	(void)snprintf(cname, sizeof(cname), "ACH matrix for cluster %s", cl);
	if (o == NULL || c2c_json_set_str(o, "abstract", cname) ||
	    c2c_json_set_str(o, "content", (const char *)md.data) ||
	    c2c_json_set_new(o, "object_refs", note_refs)) {
		c2c_buf_fini(&md);
		json_decref(o);
		note_refs = NULL;
		rc = C2C_ENOMEM;
		goto out;
	}
	note_refs = NULL;
	c2c_buf_fini(&md);
	rc = add(x, o, true);
out:
	json_decref(note_refs);
	return rc;
}

/* ---- the bundle ---------------------------------------------------------------------------------- */

static c2c_err
preamble(struct ex *x, const json_t *report, const char *producer, const char *tlp)
{
	static const struct {
		const char *name, *id;
	} tlps[] = {
		{ "white", "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9" },
		{ "clear", "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9" },
		{ "green", "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da" },
		{ "amber", "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82" },
		{ "red", "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed" },
	};
	json_t *o;
	c2c_err rc;
	(void)report;
	if ((rc = sdo_id(x, "identity", producer, x->identity)) != C2C_OK)
		return rc;
	o = sdo_new(x, "identity", x->identity);
	if (o == NULL || c2c_json_set_str(o, "name", producer) ||
	    c2c_json_set_str(o, "identity_class", "organization")) {
		json_decref(o);
		return C2C_ENOMEM;
	}
	if ((rc = add(x, o, true)) != C2C_OK)
		return rc;
	if (tlp != NULL) {
		for (size_t i = 0; i < C2C_ARRAY_LEN(tlps); i++) {
			if (strcmp(tlps[i].name, tlp) != 0)
				continue;
			(void)snprintf(x->marking, sizeof(x->marking), "%s", tlps[i].id);
			/* The STIX 2.1 predefined TLP object, verbatim (§7.2.1.4). */
			o = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:{s:s}}", "type",
			    "marking-definition", "spec_version", "2.1", "id", tlps[i].id,
			    "created", "2017-01-20T00:00:00.000Z", "definition_type", "tlp", "name",
			    strcmp(tlp, "clear") == 0 ? "TLP:WHITE" : (strcmp(tlp, "white") == 0 ?
				"TLP:WHITE" : (strcmp(tlp, "green") == 0 ? "TLP:GREEN" :
				(strcmp(tlp, "amber") == 0 ? "TLP:AMBER" : "TLP:RED"))),
			    "definition", "tlp", strcmp(tlp, "clear") == 0 ? "white" : tlp);
			if ((rc = add(x, o, false)) != C2C_OK)
				return rc;
		}
	}
	if ((rc = sdo_id(x, "extension-definition", "x_evidence/1", x->extdef)) != C2C_OK)
		return rc;
	o = sdo_new(x, "extension-definition", x->extdef);
	if (o == NULL || c2c_json_set_str(o, "name", "c2chain evidence") ||
	    c2c_json_set_str(o, "description", "Evidence links of c2chain findings: finding ids, "
	    "record references (ev:<sha256>/<offset>+<length>), claim rung and verdict class, "
	    "infrastructure role, and for attribution the ICD 203 likelihood term and range "
	    "separately from the STIX confidence.") ||
	    c2c_json_set_str(o, "schema", "Property extension. Members: finding_ids[], "
	    "evidence_refs[], merkle_root, rung (L0-L4), verdict_class (V-RAW, V-REF, V-EXT, "
	    "V-JUDG), role, role_basis, cluster, edges[], hypothesis, hypothesis_id, rejected, "
	    "score_e3, confidence_scale (none-low-med-high), confidence_level, likelihood {term, "
	    "range[2] in percent}, posterior_least_e6, ceiling. See c2chain docs/attribution.md.") ||
	    c2c_json_set_str(o, "version", "1.0.0") ||
	    c2c_json_set_new(o, "extension_types", json_pack("[s]", "property-extension"))) {
		json_decref(o);
		return C2C_ENOMEM;
	}
	return add(x, o, true);
}

c2c_err
c2c_stix_export(const json_t *report, json_t **bundle_out, struct c2c_diag *diag)
{
	struct ex x;
	const json_t *cs = json_object_get(report, "case"), *f;
	const char *case_id = js(cs, "id"), *producer = js(cs, "producer"), *tlp = js(cs, "tlp");
	char rid[C2C_STIX_ID_MAX], bid[C2C_STIX_ID_MAX], done_clusters[64][100];
	int n_done = 0;
	json_t *o, *bundle = NULL;
	size_t i;
	c2c_err rc;

	if (bundle_out == NULL)
		return C2C_EINVAL;
	memset(&x, 0, sizeof(x));
	x.time = js(json_object_get(report, "ledger"), "time");
	if (x.time == NULL)
		x.time = js(cs, "created");
	x.time = stix_time(x.time, x.time_buf, sizeof(x.time_buf));
	if (case_id == NULL || x.time == NULL)
		return c2c_diag_set(diag, C2C_EINVAL, "report.json", 0,
		    "STIX export needs case.id and ledger.time (or case.created)");
	if (producer == NULL)
		producer = "c2chain";
	if ((rc = c2c_uuid5(C2C_NS, producer, strlen(producer), x.ns)) != C2C_OK)
		return rc;
	x.findings = json_object_get(report, "findings");
	x.objs = json_array();
	x.seen = json_object();
	x.refs = json_array();
	rc = C2C_ENOMEM;
	if (x.objs == NULL || x.seen == NULL || x.refs == NULL)
		goto out;
	if ((rc = preamble(&x, report, producer, tlp)) != C2C_OK)
		goto out;
	json_array_foreach(x.findings, i, f) {
		if (is_l1(f) && (rc = export_l1(&x, f)) != C2C_OK)
			goto out;
	}
	json_array_foreach(x.findings, i, f) {
		const char *t = js(f, "type");
		if (t != NULL && strcmp(t, "infrastructure") == 0 && (rc = export_infra(&x, f)) != C2C_OK)
			goto out;
	}
	/* Clusters: cluster findings and report.clusters (assessments add their own below). */
	for (int pass = 0; pass < 2; pass++) {
		const json_t *arr = pass == 0 ? x.findings : json_object_get(report, "clusters");
		json_array_foreach(arr, i, f) {
			const json_t *r = json_object_get(f, "result");
			const char *t = js(f, "type"), *name;
			char gid[C2C_STIX_ID_MAX];
			if (pass == 0 && (t == NULL || strcmp(t, "cluster") != 0))
				continue;
			if (!json_is_object(r) || json_object_get(r, "members") == NULL)
				r = f;
			name = js(r, "label") ? js(r, "label") : (js(f, "label") ? js(f, "label") :
			    js(f, "id"));
			if (name == NULL)
				continue;
			if ((rc = export_cluster(&x, name, json_object_get(r, "members"), NULL, gid)) !=
			    C2C_OK)
				goto out;
			if (n_done < 64)
				(void)snprintf(done_clusters[n_done++], 100, "%s", name);
		}
	}
	json_array_foreach(x.findings, i, f) {
		const char *t = js(f, "type");
		if (t != NULL && strcmp(t, "assessment") == 0 &&
		    (rc = export_assessment(&x, f)) != C2C_OK)
			goto out;
	}
	/* The report itself. */
	if ((rc = sdo_id(&x, "report", case_id, rid)) != C2C_OK)
		goto out;
	o = sdo_new(&x, "report", rid);
	rc = C2C_ENOMEM;
	if (o == NULL)
		goto out;
	{
		char name[300];
		json_t *er = json_array();
		const json_t *a;
		(void)snprintf(name, sizeof(name), "c2chain report %s", case_id);
		json_array_foreach(json_object_get(report, "artefacts"), i, a) {
			if (js(a, "name") == NULL || js(a, "sha256") == NULL || er == NULL ||
			    strlen(js(a, "sha256")) != 64 ||
			    strspn(js(a, "sha256"), "0123456789abcdefABCDEF") != 64)
				continue;
			if (c2c_json_append_new(er, json_pack("{s:s,s:s,s:{s:s}}", "source_name",
			    "c2chain", "description", js(a, "name"), "hashes", "SHA-256",
			    js(a, "sha256"))) != C2C_OK) {
				json_decref(er);
				er = NULL;
			}
		}
		if (er == NULL || c2c_json_set_str(o, "name", name) ||
		    c2c_json_set_str(o, "published", x.time) ||
		    c2c_json_set_new(o, "report_types", json_pack("[s]", "threat-report")) ||
		    c2c_json_set_new(o, "object_refs", json_incref(x.refs))) {
			json_decref(er);
			json_decref(o);
			goto out;
		}
		if (json_array_size(er) > 0) {
			if (c2c_json_set_new(o, "external_references", er)) {
				json_decref(o);
				goto out;
			}
		} else {
			json_decref(er);
		}
	}
	if ((rc = add(&x, o, false)) != C2C_OK)
		goto out;
	{
		char u[C2C_UUID_STRLEN], nm[300];
		(void)snprintf(nm, sizeof(nm), "bundle:%s", case_id);
		if ((rc = c2c_uuid5(x.ns, nm, strlen(nm), u)) != C2C_OK)
			goto out;
		(void)snprintf(bid, sizeof(bid), "bundle--%s", u);
	}
	bundle = json_pack("{s:s,s:s,s:O}", "type", "bundle", "id", bid, "objects", x.objs);
	rc = bundle ? C2C_OK : C2C_ENOMEM;
	if (rc == C2C_OK) {
		*bundle_out = bundle;
		bundle = NULL;
	}
out:
	json_decref(bundle);
	json_decref(x.objs);
	json_decref(x.seen);
	json_decref(x.refs);
	return rc;
}
