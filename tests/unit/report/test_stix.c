/* STIX 2.1 export: ids, objects, relationships per hypothesis, determinism. C2C_TORTURE
 *
 * With C2C_STIX_OUT=<dir> the bundles are also written there (tests/conformance/
 * test_stix_schema.sh validates them against the official STIX 2.1 JSON schemas). */
#include <jansson.h>

#include "c2chain/attribute.h"
#include "c2chain/intel.h"
#include "c2chain/json.h"
#include "c2chain/stix.h"
#include "test.h"

#define KSHA "4be0c0ffee4be0c0ffee4be0c0ffee4be0c0ffee4be0c0ffee4be0c0ffee0001"

static json_t *
J(const char *text)
{
	json_error_t err;
	json_t *v;
	json_set_alloc_funcs(malloc, free); /* see test_assess.c */
	v = json_loads(text, JSON_REJECT_DUPLICATES, &err);
	json_set_alloc_funcs(c2c_malloc, c2c_free);
	if (v == NULL)
		TEST_FAIL_("bad test JSON line %d: %s", err.line, err.text);
	return v;
}

static void
uuid5_and_sco_ids(void)
{
	char u[C2C_UUID_STRLEN], id[C2C_STIX_ID_MAX];
	json_t *c;
	/* RFC 9562 / Python uuid.uuid5(NAMESPACE_DNS, "python.org") */
	ASSERT_OK(c2c_uuid5("6ba7b810-9dad-11d1-80b4-00c04fd430c8", "python.org", 10, u));
	ASSERT_STR_EQ(u, "886313e1-3b8a-5372-9b90-0c9aee199e5d");
	ASSERT_ERR(c2c_uuid5("not-a-uuid", "x", 1, u), C2C_EINVAL);
	ASSERT_ERR(c2c_uuid5("6ba7b810-9dad-11d1-80b4-00c04fd430cZ", "x", 1, u), C2C_EINVAL);
	/* STIX 2.1 §2.9: UUIDv5 in the SCO namespace over the JCS form. */
	c = json_pack("{s:s}", "value", "198.51.100.7");
	ASSERT_NONNULL(c);
	ASSERT_OK(c2c_stix_sco_id("ipv4-addr", c, id));
	ASSERT_STR_EQ(id, "ipv4-addr--12592121-be4c-5a93-a813-5a5af16e50db");
	json_decref(c);
	c = json_pack("{s:s}", "value", "example.com");
	ASSERT_NONNULL(c);
	ASSERT_OK(c2c_stix_sco_id("domain-name", c, id));
	ASSERT_STR_EQ(id, "domain-name--bedb4899-d24b-5401-bc86-8f6b4cc18ec7");
	json_decref(c);
}

/* The §4.8 case as a report.json: findings plus the assessment. */
static json_t *
k1_report(void)
{
	json_t *fi = J(
	    "[{\"id\":\"infrastructure:01\",\"type\":\"infrastructure\",\"rung\":\"L2\","
	    "\"subject\":{\"ip\":\"198.51.100.7\"},\"result\":{\"role\":\"unknown\",\"fqdns\":"
	    "[\"upd.example.net\"],\"cert_sha256\":\"" KSHA "\",\"controlled_hosts\":14,"
	    "\"first_contact\":\"2024-03-01T00:00:00.000000Z\",\"last_contact\":"
	    "\"2024-05-31T00:00:00.000000Z\",\"asn\":64500,\"country\":\"NL\"}},"
	    "{\"id\":\"infrastructure:02\",\"type\":\"infrastructure\",\"subject\":{\"ip\":"
	    "\"203.0.113.5\"},\"result\":{\"role\":\"compromised-relay\",\"role_basis\":"
	    "\"residential ASN\",\"country\":\"DE\"}},"
	    "{\"id\":\"infrastructure:03\",\"type\":\"infrastructure\",\"subject\":{\"ip\":"
	    "\"203.0.113.9\"},\"result\":{\"role\":\"compromised-relay\",\"role_basis\":"
	    "\"residential ASN\",\"country\":\"FR\"}},"
	    "{\"id\":\"beacon:a\",\"type\":\"beacon\",\"rung\":\"L1\",\"subject\":{\"host\":"
	    "\"10.0.0.5\",\"peer\":\"198.51.100.7\",\"fqdn\":\"upd.example.net\"},"
	    "\"first_seen\":\"2024-03-01T00:00:00.000000Z\",\"last_seen\":"
	    "\"2024-05-31T00:00:00.000000Z\",\"result\":{\"count\":26000},\"evidence\":{\"refs\":"
	    "[\"ev:aa/0+100\"]}},"
	    "{\"id\":\"beacon:b\",\"type\":\"beacon\",\"subject\":{\"host\":\"10.0.0.6\",\"peer\":"
	    "\"203.0.113.5\"}},"
	    "{\"id\":\"intel-hit:c\",\"type\":\"intel-hit\",\"subject\":{\"host\":\"10.0.0.7\","
	    "\"peer\":\"203.0.113.9\"},\"result\":{\"labels\":[\"emotet\"]}},"
	    "{\"id\":\"tls-key-possession:k\",\"type\":\"tls-key-possession\",\"subject\":{"
	    "\"peer\":\"198.51.100.7\"},\"result\":{\"cert_sha256\":\"" KSHA "\"}},"
	    "{\"id\":\"operator-hours:k1\",\"type\":\"operator-hours\",\"subject\":{\"cluster\":"
	    "\"K1\"},\"result\":{\"utc_start_hour\":1,\"utc_end_hour\":9}}]");
	json_t *cl = J("{\"id\":\"K1\",\"members\":[\"198.51.100.7\",\"203.0.113.5\","
		       "\"203.0.113.9\"]}");
	json_t *ex = J("[{\"id\":\"R\",\"source\":\"R\",\"rating\":\"B2\",\"assertions\":[{\"kind\":"
		       "\"certificate\",\"actor\":\"X\",\"cert_sha256\":\"" KSHA "\",\"name\":\"k\"},"
		       "{\"kind\":\"operating-hours\",\"actor\":\"X\",\"utc_start_hour\":0,"
		       "\"utc_end_hour\":10}]}]");
	json_t *rep = J("{\"case\":{\"id\":\"case-17\",\"producer\":\"CERT Example\",\"tlp\":"
			"\"green\"},\"ledger\":{\"time\":\"2024-06-01T12:00:00.000000Z\"},"
			"\"artefacts\":[{\"name\":\"report.json\",\"sha256\":\"" KSHA "\"},"
			"{\"name\":\"bad.json\",\"sha256\":\"00ff\"}]}");
	json_t *a = NULL;
	struct c2c_assess_params p;
	c2c_assess_params_init(&p);
	ASSERT_OK(c2c_assess_cluster(NULL, cl, fi, ex, &p, &a, NULL));
	ASSERT_OK(c2c_json_append_new(fi, a));
	ASSERT_OK(c2c_json_set_new(rep, "findings", fi));
	json_decref(cl);
	json_decref(ex);
	return rep;
}

static const json_t *
find(const json_t *bundle, const char *type, const char *key, const char *val)
{
	size_t i;
	const json_t *o;
	json_array_foreach(json_object_get(bundle, "objects"), i, o) {
		const char *t = json_string_value(json_object_get(o, "type"));
		const char *v = key ? json_string_value(json_object_get(o, key)) : NULL;
		if (strcmp(t, type) == 0 && (key == NULL || (v && strcmp(v, val) == 0)))
			return o;
	}
	return NULL;
}

static size_t
count(const json_t *bundle, const char *type, const char *rtype)
{
	size_t i, n = 0;
	const json_t *o;
	json_array_foreach(json_object_get(bundle, "objects"), i, o) {
		const char *t = json_string_value(json_object_get(o, "type"));
		const char *rt = json_string_value(json_object_get(o, "relationship_type"));
		if (strcmp(t, type) == 0 && (rtype == NULL || (rt && strcmp(rt, rtype) == 0)))
			n++;
	}
	return n;
}

static const json_t *
xev(const json_t *o)
{
	const json_t *e = json_object_get(o, "extensions");
	const char *k;
	const json_t *v;
	json_object_foreach((json_t *)(uintptr_t)e, k, v) {
		if (strncmp(k, "extension-definition--", 22) == 0)
			return v;
	}
	return NULL;
}

/* The full §4.8 export makes more than the torture run's 5000 allocations; under
 * C2C_TEST_FAIL_ALLOC only the small cases run (the full one was run clean to the cap). */
static int
too_big_for_torture(void)
{
	return getenv("C2C_TEST_FAIL_ALLOC") != NULL;
}

static void
write_out(const json_t *bundle, const char *name)
{
	const char *dir = getenv("C2C_STIX_OUT");
	char path[1024];
	if (dir == NULL || *dir == '\0' || test_alloc_injected())
		return;
	(void)snprintf(path, sizeof(path), "%s/%s", dir, name);
	ASSERT_OK(c2c_json_write_file(bundle, path, NULL));
}

static void
exports_k1(void)
{
	json_t *rep, *b = NULL;
	const json_t *o, *is, *x;
	size_t i;
	struct c2c_diag d = { 0 };
	if (too_big_for_torture())
		return;
	rep = k1_report();
	ASSERT_OK(c2c_stix_export(rep, &b, &d));
	write_out(b, "k1.stix.json");
	ASSERT_STR_EQ(json_string_value(json_object_get(b, "type")), "bundle");
	ASSERT(find(b, "identity", "name", "CERT Example") != NULL);
	ASSERT(find(b, "marking-definition", "id",
	    "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da") != NULL);
	ASSERT(find(b, "extension-definition", NULL, NULL) != NULL);
	/* L1: three detections -> three indicators, observed-data, sightings */
	ASSERT_EQ(count(b, "indicator", NULL), 3);
	ASSERT_EQ(count(b, "observed-data", NULL), 3);
	ASSERT_EQ(count(b, "sighting", NULL), 3);
	ASSERT_EQ(count(b, "relationship", "based-on"), 3);
	o = find(b, "indicator", "pattern", "[ipv4-addr:value = '198.51.100.7']");
	ASSERT(o != NULL);
	ASSERT_STR_EQ(json_string_value(json_object_get(o, "valid_from")),
	    "2024-03-01T00:00:00.000000Z");
	ASSERT(find(b, "ipv4-addr", "id", "ipv4-addr--12592121-be4c-5a93-a813-5a5af16e50db") != NULL);
	ASSERT(find(b, "indicator", "pattern", "[ipv4-addr:value = '203.0.113.9']") != NULL);
	/* infrastructure with role */
	ASSERT_EQ(count(b, "infrastructure", NULL), 3);
	o = find(b, "infrastructure", "name", "203.0.113.5");
	ASSERT_STR_EQ(json_string_value(json_array_get(json_object_get(o, "infrastructure_types"),
	    0)), "botnet");
	ASSERT_STR_EQ(json_string_value(json_object_get(xev(o), "role")), "compromised-relay");
	o = find(b, "location", "country", "DE");
	ASSERT(o != NULL && strstr(json_string_value(json_object_get(o, "description")),
	    "does not establish where, or by whom") != NULL);
	ASSERT_EQ(count(b, "relationship", "indicates"), 3);
	/* cluster, campaign, intrusion set, one attributed-to per candidate */
	ASSERT_EQ(count(b, "grouping", NULL), 1);
	ASSERT_STR_EQ(json_string_value(json_object_get(find(b, "grouping", NULL, NULL), "context")),
	    "suspicious-activity");
	ASSERT_EQ(count(b, "campaign", NULL), 1);
	is = find(b, "intrusion-set", "name", "X");
	ASSERT(is != NULL);
	ASSERT_EQ(count(b, "relationship", "attributed-to"), 1);
	o = find(b, "relationship", "relationship_type", "attributed-to");
	ASSERT_STR_EQ(json_string_value(json_object_get(o, "target_ref")),
	    json_string_value(json_object_get(is, "id")));
	ASSERT_EQ(json_integer_value(json_object_get(o, "confidence")), 15); /* Low */
	x = xev(o);
	/* likelihood in the extension, as the assessment states it (ten hypotheses here, so the
	 * posterior is lower than in the five-hypothesis worked example) */
	{
		const json_t *fa = json_array_get(json_object_get(rep, "findings"),
		    json_array_size(json_object_get(rep, "findings")) - 1);
		ASSERT_STR_EQ(json_string_value(json_object_get(json_object_get(x, "likelihood"),
		    "term")), json_string_value(json_object_get(json_object_get(json_object_get(fa,
		    "result"), "likelihood"), "term")));
		ASSERT_STR_EQ(json_string_value(json_object_get(json_object_get(x, "likelihood"),
		    "term")), "roughly even chance");
	}
	ASSERT_STR_EQ(json_string_value(json_object_get(x, "confidence_scale")),
	    "none-low-med-high");
	/* the false-flag hypothesis for X: rejected, None (0) */
	json_array_foreach(json_object_get(b, "objects"), i, o) {
		const json_t *e = xev(o);
		if (e && json_string_value(json_object_get(e, "hypothesis")) &&
		    strcmp(json_string_value(json_object_get(e, "hypothesis")), "false-flag") == 0) {
			ASSERT_STR_EQ(json_string_value(json_object_get(o, "relationship_type")),
			    "related-to");
			ASSERT_EQ(json_integer_value(json_object_get(o, "confidence")), 0);
			break;
		}
	}
	ASSERT(i < json_array_size(json_object_get(b, "objects")));
	/* the ACH matrix note and the report */
	o = find(b, "note", NULL, NULL);
	ASSERT(o != NULL);
	ASSERT(strstr(json_string_value(json_object_get(o, "content")), "| E3 (") != NULL);
	ASSERT(strstr(json_string_value(json_object_get(o, "content")), "not a probability") != NULL);
	o = find(b, "report", NULL, NULL);
	ASSERT_STR_EQ(json_string_value(json_object_get(o, "published")),
	    "2024-06-01T12:00:00.000000Z");
	ASSERT_EQ(json_array_size(json_object_get(o, "object_refs")),
	    json_array_size(json_object_get(b, "objects")) - 2); /* all but marking and report */
	/* every SDO is created by the producer and marked */
	json_array_foreach(json_object_get(b, "objects"), i, o) {
		const char *t = json_string_value(json_object_get(o, "type"));
		if (json_object_get(o, "created") == NULL || strcmp(t, "identity") == 0 ||
		    strcmp(t, "marking-definition") == 0)
			continue;
		ASSERT_STR_EQ(json_string_value(json_object_get(o, "created_by_ref")),
		    json_string_value(json_object_get(find(b, "identity", NULL, NULL), "id")));
		ASSERT_STR_EQ(json_string_value(json_object_get(o, "created")),
		    "2024-06-01T12:00:00.000000Z");
	}
	json_decref(b);
	json_decref(rep);
}

static void
deterministic(void)
{
	json_t *r1, *r2, *b1 = NULL, *b2 = NULL;
	struct c2c_buf x, y;
	if (too_big_for_torture())
		return;
	r1 = k1_report();
	r2 = k1_report();
	ASSERT_OK(c2c_stix_export(r1, &b1, NULL));
	ASSERT_OK(c2c_stix_export(r2, &b2, NULL));
	c2c_buf_init(&x, 1 << 24);
	c2c_buf_init(&y, 1 << 24);
	ASSERT_OK(c2c_json_canon(b1, &x));
	ASSERT_OK(c2c_json_canon(b2, &y));
	ASSERT_EQ(x.len, y.len);
	ASSERT_MEM_EQ(x.data, y.data, x.len);
	c2c_buf_fini(&x);
	c2c_buf_fini(&y);
	json_decref(b1);
	json_decref(b2);
	json_decref(r1);
	json_decref(r2);
}

static void
needs_case_and_time(void)
{
	json_t *r = J("{\"case\":{\"id\":\"c\"}}"), *b = NULL;
	struct c2c_diag d = { 0 };
	ASSERT_ERR(c2c_stix_export(r, &b, &d), C2C_EINVAL);
	ASSERT(strstr(d.msg, "ledger.time") != NULL);
	json_decref(r);
	r = J("{\"case\":{\"id\":\"c\",\"created\":\"2024-01-01T00:00:00Z\"},\"findings\":[]}");
	ASSERT_OK(c2c_stix_export(r, &b, &d));
	write_out(b, "empty.stix.json");
	/* identity, extension definition, report; the time normalised to STIX precision */
	ASSERT_EQ(json_array_size(json_object_get(b, "objects")), 3);
	ASSERT_STR_EQ(json_string_value(json_object_get(json_array_get(json_object_get(b,
	    "objects"), 0), "created")), "2024-01-01T00:00:00.000000Z");
	json_decref(b);
	json_decref(r);
}


/* Re-import by our own STIX loader (lib/intel/stix.c): every exported indicator comes back, with
 * its STIX id and value, and nothing is malformed. */
static void
reimport_without_loss(void)
{
	json_t *rep, *b = NULL;
	struct c2c_buf text;
	struct c2c_intel *in = NULL;
	struct c2c_feed_opts fo;
	struct c2c_diag d = { 0 };
	size_t i, n_exported = 0, found = 0;
	const json_t *o;
	if (too_big_for_torture())
		return;
	rep = k1_report();
	ASSERT_OK(c2c_stix_export(rep, &b, NULL));
	c2c_buf_init(&text, 1 << 24);
	ASSERT_OK(c2c_json_canon(b, &text));
	ASSERT_OK(c2c_intel_new(&in));
	memset(&fo, 0, sizeof(fo));
	fo.kind = C2C_FEED_STIX;
	ASSERT_OK(c2c_intel_load_mem(in, "report.stix.json", text.data, text.len, &fo, &d));
	ASSERT_OK(c2c_intel_freeze(in));
	for (size_t k = 0; k < c2c_intel_note_count(in); k++) {
		struct c2c_intel_note nt;
		c2c_intel_note(in, k, &nt);
		ASSERT(!nt.malformed);
	}
	json_array_foreach(json_object_get(b, "objects"), i, o) {
		const char *t = json_string_value(json_object_get(o, "type"));
		const char *id = json_string_value(json_object_get(o, "id"));
		const char *pat = json_string_value(json_object_get(o, "pattern"));
		if (strcmp(t, "indicator") != 0)
			continue;
		n_exported++;
		for (uint32_t k = 0; k < c2c_intel_indicator_count(in); k++) {
			struct c2c_indicator ind;
			char ip[C2C_IP_STRLEN];
			c2c_intel_indicator(in, k, &ind);
			if (ind.object == NULL || strcmp(ind.object, id) != 0)
				continue;
			(void)c2c_ip_format(&ind.ip, ip, sizeof(ip));
			ASSERT(strstr(pat, ind.value ? ind.value : ip) != NULL);
			found++;
			break;
		}
	}
	ASSERT_EQ(n_exported, 3);
	ASSERT_EQ(found, n_exported);
	ASSERT_EQ(c2c_intel_indicator_count(in), n_exported);
	c2c_intel_free(in);
	c2c_buf_fini(&text);
	json_decref(b);
	json_decref(rep);
}

TEST_MAIN(uuid5_and_sco_ids, exports_k1, deterministic, needs_case_and_time, reimport_without_loss)
