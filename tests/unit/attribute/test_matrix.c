/* The control matrix equals the ground truth of the fixture and a recount from the findings. */
#include "infra_fixture.h"

static json_int_t
geti(const json_t *o, const char *k)
{
	const json_t *v = json_object_get(o, k);
	if (!json_is_integer(v))
		TEST_FAIL_("no integer '%s'", k);
	return json_integer_value(v);
}

/* The row of `arr` whose `k1` (and `k2`) match. */
static const json_t *
row(const json_t *arr, const char *k1, const char *v1, const char *k2, const char *v2)
{
	size_t i;
	json_t *r;
	json_array_foreach(arr, i, r) {
		if (strcmp(json_string_value(json_object_get(r, k1)), v1) == 0 &&
		    (k2 == NULL || strcmp(json_string_value(json_object_get(r, k2)), v2) == 0))
			return r;
	}
	TEST_FAIL_("no row %s=%s %s=%s", k1, v1, k2 ? k2 : "", v2 ? v2 : "");
}

static void
check_counts(const json_t *r, const char *what, json_int_t servers, json_int_t hosts)
{
	if (geti(r, "c2_servers") != servers || geti(r, "controlled_hosts") != hosts)
		TEST_FAIL_("%s: %lld servers / %lld hosts, want %lld / %lld", what,
		    (long long)geti(r, "c2_servers"), (long long)geti(r, "controlled_hosts"),
		    (long long)servers, (long long)hosts);
}

static void
check_role(const json_t *r, const char *role, json_int_t servers, json_int_t hosts)
{
	check_counts(json_object_get(json_object_get(r, "by_role"), role), role, servers, hosts);
}

static void
equals_ground_truth(void)
{
	struct fixture fx;
	struct c2c_infra *x;
	struct c2c_infra_result r;
	struct c2c_diag diag = { 0 };
	const json_t *m, *res, *a;

	fx_init(&fx);
	ASSERT_OK(c2c_infra_new(&x));
	fx_feed(&fx, x, 0);
	ASSERT_OK(c2c_infra_build(x, &fx.opts, &r, &diag));
	m = r.matrix;
	ASSERT_STR_EQ(json_string_value(json_object_get(m, "type")), "control-matrix");
	res = json_object_get(m, "result");
	/* Totals: every endpoint but the sinkhole, and the hosts they controlled. */
	check_counts(res, "total", 7, 11);
	check_role(res, "owned", 2, 3);
	check_role(res, "compromised-relay", 1, 2);
	check_role(res, "rented-hosting", 1, 2);
	check_role(res, "anonymiser", 1, 1);
	check_role(res, "sinkhole", 1, 2);
	check_role(res, "unknown", 2, 4);
	a = json_object_get(res, "by_controller_country");
	ASSERT_EQ(json_array_size(a), 4);
	check_counts(row(a, "country", "DE", NULL, NULL), "DE", 4, 6);
	check_counts(row(a, "country", "US", NULL, NULL), "US", 1, 2);
	check_counts(row(a, "country", "NL", NULL, NULL), "NL", 1, 2);
	check_role(row(a, "country", "NL", NULL, NULL), "sinkhole", 1, 2);
	check_counts(row(a, "country", "??", NULL, NULL), "??", 1, 2);
	a = json_object_get(res, "by_host_country");
	check_counts(row(a, "country", "CN", NULL, NULL), "host CN", 7, 8);
	check_counts(row(a, "country", "US", NULL, NULL), "host US", 2, 1);
	check_counts(row(a, "country", "FR", NULL, NULL), "host FR", 1, 1);
	check_counts(row(a, "country", "??", NULL, NULL), "host ??", 1, 1);
	a = json_object_get(res, "pairs");
	check_counts(row(a, "controller_country", "DE", "host_country", "CN"), "DE->CN", 4, 5);
	check_counts(row(a, "controller_country", "DE", "host_country", "US"), "DE->US", 2, 1);
	check_counts(row(a, "controller_country", "US", "host_country", "CN"), "US->CN", 1, 1);
	check_counts(row(a, "controller_country", "US", "host_country", "FR"), "US->FR", 1, 1);
	check_counts(row(a, "controller_country", "NL", "host_country", "CN"), "NL->CN", 1, 2);
	check_counts(row(a, "controller_country", "NL", "host_country", "US"), "NL->US", 0, 0);
	check_role(row(a, "controller_country", "NL", "host_country", "US"), "sinkhole", 1, 1);
	check_counts(row(a, "controller_country", "??", "host_country", "CN"), "?" "?->CN", 1, 1);
	check_counts(row(a, "controller_country", "??", "host_country", "??"), "?" "?->?" "?", 1, 1);
	/* Top tables: by servers (ties: hosts, code), by hosts. */
	a = json_object_get(res, "top_controller_countries");
	ASSERT_STR_EQ(json_string_value(json_object_get(json_array_get(a, 0), "country")), "DE");
	ASSERT_STR_EQ(json_string_value(json_object_get(json_array_get(a, 1), "country")), "??");
	a = json_object_get(res, "top_pairs");
	ASSERT_STR_EQ(json_string_value(json_object_get(json_array_get(a, 0), "controller_country")),
	    "DE");
	/* The statistic for the home country (CN: most controlled hosts). */
	ASSERT_STR_EQ(json_string_value(json_object_get(res, "home_country")), "CN");
	a = json_object_get(res, "abroad");
	check_counts(a, "abroad", 6, 7);
	ASSERT_EQ(geti(a, "unknown_location_c2_servers"), 1);
	ASSERT_STR_EQ(json_string_value(json_object_get(res, "statement")),
	    "In this case file, 6 C2 servers geolocated outside CN controlled 7 hosts in CN; the "
	    "countries hosting the most of these C2 servers were DE (4), NL (1) and US (1). By "
	    "assessed role of these C2 servers: owned 2, compromised relay 1, rented hosting 1, "
	    "anonymiser 1, unknown 1. Not counted: 1 sinkhole endpoint and 1 C2 server of unknown "
	    "location.");
	ASSERT(strstr(json_string_value(json_object_get(res, "caveat")),
		   "as recorded by Test-Country-ASN, build 2020-09-13, sha256:") != NULL);
	ASSERT(strstr(json_string_value(json_object_get(res, "caveat")),
		   "Geolocation databases are unreliable for infrastructure addresses. This "
		   "statement does not establish where, or by whom, the servers are operated.") !=
	    NULL);
	a = json_object_get(res, "host_country_source");
	ASSERT_EQ(geti(a, "config"), 10);
	ASSERT_EQ(geti(a, "geo"), 2);
	ASSERT_EQ(geti(a, "unknown"), 1);
	ASSERT_EQ(geti(json_object_get(m, "evidence"), "findings_count"), 18);
	c2c_infra_result_fini(&r);
	c2c_infra_free(x);
	fx_fini(&fx);
}

static void
recount_agrees_and_catches_tampering(void)
{
	struct fixture fx;
	struct c2c_infra *x;
	struct c2c_infra_result r;
	struct c2c_diag diag = { 0 };
	json_t *re = NULL, *f;

	fx_init(&fx);
	ASSERT_OK(c2c_infra_new(&x));
	fx_feed(&fx, x, 0);
	ASSERT_OK(c2c_infra_build(x, &fx.opts, &r, &diag));
	ASSERT_OK(c2c_matrix_recount(fx.findings, r.infrastructure, &fx.opts, &re, &diag));
	ASSERT_OK(c2c_matrix_check(r.matrix, re, &diag));
	ASSERT(json_equal(r.matrix, re)); /* same object, same id */
	json_decref(re);
	/* A finding moved to another host changes the recount. */
	f = json_object_get(json_array_get(fx.findings, 0), "subject");
	ASSERT_OK(c2c_json_set_str(f, "host", "10.1.0.99"));
	ASSERT_OK(c2c_matrix_recount(fx.findings, r.infrastructure, &fx.opts, &re, &diag));
	ASSERT_ERR(c2c_matrix_check(r.matrix, re, &diag), C2C_EVERIFY);
	ASSERT(strstr(diag.msg, "differs from the recount") != NULL);
	json_decref(re);
	/* A finding naming an endpoint without an infrastructure object is an error. */
	ASSERT_OK(c2c_json_set_str(f, "peer", "45.9.9.9"));
	ASSERT_ERR(c2c_matrix_recount(fx.findings, r.infrastructure, &fx.opts, &re, &diag),
	    C2C_EFORMAT);
	ASSERT(strstr(diag.msg, "no infrastructure object") != NULL);
	/* A changed role in an infrastructure object changes the recount too. */
	ASSERT_OK(c2c_json_set_str(f, "peer", "45.0.0.1"));
	ASSERT_OK(c2c_json_set_str(f, "host", "10.1.0.1"));
	ASSERT_OK(c2c_json_set_str(json_object_get(json_array_get(r.infrastructure, 0), "result"),
	    "role", "sinkhole"));
	ASSERT_OK(c2c_matrix_recount(fx.findings, r.infrastructure, &fx.opts, &re, &diag));
	ASSERT_ERR(c2c_matrix_check(r.matrix, re, &diag), C2C_EVERIFY);
	json_decref(re);
	c2c_infra_result_fini(&r);
	c2c_infra_free(x);
	fx_fini(&fx);
}

static void
home_country_and_empty_case(void)
{
	struct fixture fx;
	struct c2c_infra *x;
	struct c2c_infra_result r;
	struct c2c_diag diag = { 0 };
	const json_t *res;

	fx_init(&fx);
	memcpy(fx.opts.home_country, "US", 3);
	fx.opts.top_n = 1;
	ASSERT_OK(c2c_infra_new(&x));
	fx_feed(&fx, x, 0);
	ASSERT_OK(c2c_infra_build(x, &fx.opts, &r, &diag));
	res = json_object_get(r.matrix, "result");
	check_counts(json_object_get(res, "abroad"), "abroad US", 2, 1);
	ASSERT_EQ(json_array_size(json_object_get(res, "top_controller_countries")), 1);
	ASSERT(strstr(json_string_value(json_object_get(res, "statement")),
		   "2 C2 servers geolocated outside US controlled 1 host in US") != NULL);
	c2c_infra_result_fini(&r);
	c2c_infra_free(x);
	/* No findings at all. */
	ASSERT_OK(c2c_infra_new(&x));
	ASSERT_OK(c2c_infra_build(x, &fx.opts, &r, &diag));
	res = json_object_get(r.matrix, "result");
	check_counts(res, "empty", 0, 0);
	ASSERT_EQ(json_array_size(r.infrastructure), 0);
	ASSERT(strstr(json_string_value(json_object_get(res, "statement")), "no C2 server") != NULL);
	c2c_infra_result_fini(&r);
	c2c_infra_free(x);
	fx_fini(&fx);
}

/* Without a geolocation database every controller country is unknown; without a host map too
 * every host country is: the sentence says so in words and never prints "??" as a country. */
static void
unknown_locations_in_words(void)
{
	struct fixture fx;
	struct c2c_infra *x;
	struct c2c_infra_result r;
	struct c2c_diag diag = { 0 };
	const json_t *res;
	const char *st;
	json_t *re = NULL;

	fx_init(&fx);
	fx.opts.geo = NULL;
	ASSERT_OK(c2c_infra_new(&x));
	fx_feed(&fx, x, 0);
	/* Hosts still placed by the host map (home CN); no server located. */
	ASSERT_OK(c2c_infra_build(x, &fx.opts, &r, &diag));
	res = json_object_get(r.matrix, "result");
	st = json_string_value(json_object_get(res, "statement"));
	ASSERT_STR_EQ(st,
	    "In this case file, no C2 server geolocated outside CN controlled hosts in CN; the "
	    "location of 7 C2 servers that controlled hosts in CN is unknown. Not counted: 1 "
	    "sinkhole endpoint and 7 C2 servers of unknown location.");
	ASSERT(strstr(json_string_value(json_object_get(res, "caveat")),
		   "No pinned geolocation database was loaded, so every controller country is "
		   "unknown.") != NULL);
	ASSERT_OK(c2c_matrix_recount(fx.findings, r.infrastructure, &fx.opts, &re, &diag));
	ASSERT_OK(c2c_matrix_check(r.matrix, re, &diag));
	json_decref(re);
	c2c_infra_result_fini(&r);
	/* No host map either: no home country, no "abroad" statement, roles over all servers. */
	fx.opts.n_host_map = 0;
	ASSERT_OK(c2c_infra_build(x, &fx.opts, &r, &diag));
	res = json_object_get(r.matrix, "result");
	st = json_string_value(json_object_get(res, "statement"));
	ASSERT_STR_EQ(st,
	    "In this case file, 7 C2 servers controlled 11 hosts, but the location of every "
	    "controlled host is unknown (neither a host map nor a geolocation database placed "
	    "them), so no statement about C2 servers located abroad is made. By assessed role of "
	    "these C2 servers: owned 2, compromised relay 0, rented hosting 1, anonymiser 1, "
	    "unknown 3. Not counted: 1 sinkhole endpoint.");
	ASSERT(strstr(st, "?") == NULL);
	ASSERT_OK(c2c_matrix_recount(fx.findings, r.infrastructure, &fx.opts, &re, &diag));
	ASSERT_OK(c2c_matrix_check(r.matrix, re, &diag));
	json_decref(re);
	c2c_infra_result_fini(&r);
	c2c_infra_free(x);
	/* Nothing at all. */
	ASSERT_OK(c2c_infra_new(&x));
	ASSERT_OK(c2c_infra_build(x, &fx.opts, &r, &diag));
	ASSERT_STR_EQ(json_string_value(json_object_get(json_object_get(r.matrix, "result"),
			  "statement")),
	    "In this case file, no C2 server controlled hosts. Not counted: 0 sinkhole endpoints.");
	c2c_infra_result_fini(&r);
	c2c_infra_free(x);
	fx_fini(&fx);
}

TEST_MAIN(equals_ground_truth, recount_agrees_and_catches_tampering, home_country_and_empty_case,
    unknown_locations_in_words)
