/* Infrastructure objects: facts per C2 endpoint, assessed roles, determinism. (Failing each of
 * the first 5000 allocations in turn was checked once by hand; too slow for every run.) */
#include "infra_fixture.h"

static const char *
res_str(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(json_object_get(o, "result"), key));
}

static json_int_t
res_int(const json_t *o, const char *key)
{
	return json_integer_value(json_object_get(json_object_get(o, "result"), key));
}

static void
roles_and_facts(void)
{
	struct fixture fx;
	struct c2c_infra *x;
	struct c2c_infra_result r;
	struct c2c_diag diag = { 0 };
	const json_t *o, *a;
	static const char *const want[][3] = {
		{ "45.0.0.1", "owned", "DE" }, { "45.0.0.2", "owned", "DE" },
		{ "45.0.0.3", "unknown", "DE" }, { "45.0.0.5", "anonymiser", "DE" },
		{ "46.0.0.1", "rented-hosting", "US" }, { "47.0.0.1", "compromised-relay", "NL" },
		{ "47.0.0.9", "sinkhole", "NL" }, { "8.8.4.4", "unknown", "??" },
	};

	fx_init(&fx);
	ASSERT_OK(c2c_infra_new(&x));
	fx_feed(&fx, x, 0);
	ASSERT_OK(c2c_infra_build(x, &fx.opts, &r, &diag));
	ASSERT_EQ(json_array_size(r.infrastructure), 8);
	ASSERT_EQ(r.findings_used, 18);
	ASSERT_EQ(r.findings_skipped, 2);
	for (size_t i = 0; i < C2C_ARRAY_LEN(want); i++) {
		o = fx_infra(&r, want[i][0]);
		if (strcmp(res_str(o, "role"), want[i][1]) != 0)
			TEST_FAIL_("%s: role %s, want %s (%s)", want[i][0], res_str(o, "role"),
			    want[i][1],
			    json_string_value(json_array_get(
				json_object_get(json_object_get(o, "result"), "role_basis"), 0)));
		ASSERT_STR_EQ(res_str(o, "country"), want[i][2]);
		ASSERT_STR_EQ(json_string_value(json_object_get(o, "type")), "infrastructure");
		ASSERT_STR_EQ(json_string_value(json_object_get(o, "rung")), "L2");
		ASSERT(strncmp(json_string_value(json_object_get(o, "id")), "infrastructure:", 15) == 0);
		ASSERT(json_array_size(json_object_get(json_object_get(o, "result"), "role_basis")) == 1);
	}
	o = fx_infra(&r, "45.0.0.1");
	ASSERT_EQ(res_int(o, "asn"), 64500);
	ASSERT_STR_EQ(res_str(o, "as_org"), "Hoster DE");
	ASSERT(strncmp(res_str(o, "country_db"), "sha256:", 7) == 0);
	a = json_object_get(json_object_get(o, "result"), "controlled_hosts");
	ASSERT_EQ(json_integer_value(json_object_get(a, "count")), 3);
	ASSERT_STR_EQ(json_string_value(json_array_get(json_object_get(a, "hosts"), 0)), "10.1.0.1");
	ASSERT_STR_EQ(json_string_value(json_array_get(json_object_get(a, "hosts"), 2)), "10.2.0.1");
	a = json_object_get(json_object_get(o, "result"), "findings");
	ASSERT_EQ(json_array_size(a), 4);
	a = json_object_get(json_object_get(o, "result"), "labels");
	ASSERT_EQ(json_array_size(a), 1);
	ASSERT_STR_EQ(json_string_value(json_array_get(a, 0)), "emotet");
	a = json_object_get(json_object_get(o, "result"), "ports");
	ASSERT_EQ(json_array_size(a), 1);
	ASSERT_EQ(json_integer_value(json_array_get(a, 0)), 443);
	a = json_object_get(json_object_get(o, "result"), "cert_sha256");
	ASSERT_STR_EQ(json_string_value(json_array_get(a, 0)),
	    "1111111111111111111111111111111111111111111111111111111111111111");
	a = json_object_get(json_object_get(o, "result"), "ja3s");
	ASSERT_STR_EQ(json_string_value(json_array_get(a, 0)), "ja3s-abc");
	/* The record that showed the certificate and the JA3S (one record) is cited once. */
	a = json_object_get(json_object_get(o, "evidence"), "refs");
	ASSERT_EQ(json_array_size(a), 1);
	ASSERT(strstr(json_string_value(json_array_get(a, 0)), "/1000+100") != NULL);
	ASSERT_EQ(json_array_size(json_object_get(json_object_get(o, "evidence"), "refdata")), 5);
	ASSERT_STR_EQ(res_str(o, "first_contact"), "2020-09-13T12:26:40.000000Z");
	ASSERT(strstr(res_str(o, "location_statement"), "does not establish where") != NULL);
	/* FQDN from the DNS answer, lower-cased. */
	o = fx_infra(&r, "46.0.0.1");
	a = json_object_get(json_object_get(o, "result"), "fqdns");
	ASSERT_STR_EQ(json_string_value(json_array_get(a, 0)), "evil.example");
	/* The anonymiser's location sentence is replaced. */
	o = fx_infra(&r, "45.0.0.5");
	ASSERT(strstr(res_str(o, "location_statement"), "anonymisation service") != NULL);
	o = fx_infra(&r, "8.8.4.4");
	ASSERT_EQ(res_int(o, "asn"), 0);
	ASSERT_STR_EQ(res_str(o, "country_db"), "");
	c2c_infra_result_fini(&r);
	c2c_infra_free(x);
	fx_fini(&fx);
}

static void
same_output_whatever_the_order(void)
{
	struct fixture fx;
	struct c2c_infra *x, *y;
	struct c2c_infra_result r1, r2;
	struct c2c_diag diag = { 0 };
	struct c2c_buf b1, b2;
	const json_t *parts1[4], *parts2[4];

	fx_init(&fx);
	ASSERT_OK(c2c_infra_new(&x));
	ASSERT_OK(c2c_infra_new(&y));
	fx_feed(&fx, x, 0);
	fx_feed(&fx, y, 1);
	ASSERT_OK(c2c_infra_build(x, &fx.opts, &r1, &diag));
	ASSERT_OK(c2c_infra_build(y, &fx.opts, &r2, &diag));
	parts1[0] = r1.infrastructure, parts1[1] = r1.edges, parts1[2] = r1.clusters;
	parts1[3] = r1.matrix;
	parts2[0] = r2.infrastructure, parts2[1] = r2.edges, parts2[2] = r2.clusters;
	parts2[3] = r2.matrix;
	for (int i = 0; i < 4; i++) {
		c2c_buf_init(&b1, 1 << 24);
		c2c_buf_init(&b2, 1 << 24);
		ASSERT_OK(c2c_json_canon(parts1[i], &b1));
		ASSERT_OK(c2c_json_canon(parts2[i], &b2));
		ASSERT_EQ(b1.len, b2.len);
		ASSERT_MEM_EQ(b1.data, b2.data, b1.len);
		c2c_buf_fini(&b1);
		c2c_buf_fini(&b2);
	}
	/* Building again from the same accumulator gives the same bytes too. */
	c2c_infra_result_fini(&r2);
	ASSERT_OK(c2c_infra_build(x, &fx.opts, &r2, &diag));
	ASSERT(json_equal(r1.matrix, r2.matrix));
	c2c_infra_result_fini(&r1);
	c2c_infra_result_fini(&r2);
	c2c_infra_free(x);
	c2c_infra_free(y);
	fx_fini(&fx);
}

static void
without_refdata_or_geo(void)
{
	struct fixture fx;
	struct c2c_infra *x;
	struct c2c_infra_result r;
	struct c2c_diag diag = { 0 };
	const json_t *o;
	fx_init(&fx);
	fx.opts.ref = NULL;
	fx.opts.geo = NULL;
	ASSERT_OK(c2c_infra_new(&x));
	fx_feed(&fx, x, 0);
	ASSERT_OK(c2c_infra_build(x, &fx.opts, &r, &diag));
	o = fx_infra(&r, "47.0.0.9");
	/* No sinkhole list: the certificate-less endpoint is unknown, location unknown. */
	ASSERT_STR_EQ(res_str(o, "role"), "unknown");
	ASSERT_STR_EQ(res_str(o, "country"), "??");
	ASSERT(strstr(json_string_value(json_array_get(
			  json_object_get(json_object_get(o, "result"), "role_basis"), 0)),
		   "no reference lists were loaded") != NULL);
	/* Dedicated certificates still make owned infrastructure. */
	ASSERT_STR_EQ(res_str(fx_infra(&r, "45.0.0.1"), "role"), "owned");
	c2c_infra_result_fini(&r);
	c2c_infra_free(x);
	fx_fini(&fx);
}

static void
bad_findings(void)
{
	struct c2c_infra *x;
	struct c2c_diag diag = { 0 };
	json_t *f = json_pack("{s:s,s:s,s:{s:s,s:s}}", "id", "beacon:1", "type", "beacon",
	    "subject", "host", "10.0.0.1", "peer", "not-an-ip");
	ASSERT_NONNULL(f);
	ASSERT_OK(c2c_infra_new(&x));
	ASSERT_ERR(c2c_infra_add_finding(x, f, &diag), C2C_EFORMAT);
	ASSERT(strstr(diag.msg, "subject.peer") != NULL);
	json_decref(f);
	f = json_pack("{s:s,s:s,s:{s:s,s:s},s:s}", "id", "beacon:2", "type", "beacon", "subject",
	    "host", "10.0.0.1", "peer", "45.0.0.1", "first_seen", "yesterday");
	ASSERT_NONNULL(f);
	ASSERT_ERR(c2c_infra_add_finding(x, f, &diag), C2C_EFORMAT);
	json_decref(f);
	c2c_infra_free(x);
}

TEST_MAIN(roles_and_facts, same_output_whatever_the_order, without_refdata_or_geo, bad_findings)
