/* DNS tunnelling: distinct names per registered domain, entropy/length/TXT gates in the
 * default mode, the count alone in the rita mode, exclusions. */
#include "c2chain/config.h"
#include "c2chain/detect.h"
#include "test.h"

static const uint8_t sha[1][32] = { { 7 } };
static uint64_t off;

static void
query(struct c2c_detect *d, const char *client, const char *name, uint16_t qtype)
{
	struct c2c_obs o;
	memset(&o, 0, sizeof(o));
	o.kind = C2C_OBS_DNS;
	ASSERT_OK(c2c_ip_parse(&o.orig, client));
	ASSERT_OK(c2c_ip_parse(&o.resp, "10.0.0.53"));
	o.ts = 1700000000LL * C2C_USEC + (int64_t)off;
	o.ev = (struct c2c_evref){ 0, -1, off, 70 };
	off += 70;
	o.u.dns.qtype = qtype;
	(void)snprintf(o.u.dns.query, sizeof(o.u.dns.query), "%s", name);
	ASSERT_OK(c2c_detect_add_obs(d, &o));
}

static json_t *
run(const char *mode, int kind)
{
	struct c2c_config *cfg = NULL;
	struct c2c_detect *d = NULL;
	struct c2c_diag dg;
	json_t *arr = NULL;
	uint32_t x = 1;
	ASSERT_OK(c2c_config_new_default(&cfg));
	ASSERT_OK(c2c_config_set(cfg, "detect.mode", mode, &dg));
	ASSERT_OK(c2c_config_set(cfg, "dnstunnel.psl_file", "", &dg));
	ASSERT_OK(c2c_detect_new(cfg, &d, NULL));
	for (int i = 0; i < 300; i++) {
		char name[200];
		x = x * 1664525u + 1013904223u;
		if (kind == 0) /* dnscat2-like: 24 hex characters per name */
			(void)snprintf(name, sizeof(name), "%08x%08x%08x.tunnel.example",
			    x, x * 3u + 7u, x ^ 0x5a5a5a5au);
		else /* a CDN: many short readable names */
			(void)snprintf(name, sizeof(name), "img%d.cdn.example", i);
		query(d, "10.0.0.5", name, kind == 0 && i % 4 == 0 ? 16 : 1);
		query(d, "10.0.0.5", "www.arpa", 1);
	}
	for (int i = 0; i < 150; i++) {
		char name[64];
		(void)snprintf(name, sizeof(name), "%d.in-addr.arpa", i);
		query(d, "10.0.0.6", name, 12);
	}
	ASSERT_OK(c2c_detect_finish(d, sha, 1, &arr));
	c2c_detect_free(d);
	c2c_config_free(cfg);
	return arr;
}

static void
tunnel_found(void)
{
	json_t *arr = run("default", 0), *o, *r;
	ASSERT_EQ(json_array_size(arr), 1);
	o = json_array_get(arr, 0);
	ASSERT_STR_EQ(json_string_value(json_object_get(o, "type")), "dns-tunnel");
	ASSERT_STR_EQ(json_string_value(json_object_get(json_object_get(o, "subject"), "fqdn")),
	    "tunnel.example");
	ASSERT_STR_EQ(json_string_value(json_object_get(json_object_get(o, "subject"), "host")),
	    "10.0.0.5");
	r = json_object_get(o, "result");
	ASSERT_EQ(json_integer_value(json_object_get(r, "unique_names")), 300);
	ASSERT_EQ(json_integer_value(json_object_get(r, "queries")), 300);
	ASSERT_EQ(json_integer_value(json_object_get(r, "txt_null_queries")), 75);
	ASSERT_EQ(json_integer_value(json_object_get(r, "mean_subdomain_length_e6")), 24000000);
	ASSERT(json_integer_value(json_object_get(r, "mean_entropy_e6")) > 3000000);
	ASSERT_EQ(json_integer_value(json_object_get(r, "impact_e6")), 300000);
	ASSERT_EQ(json_integer_value(json_object_get(json_object_get(o, "evidence"), "count")),
	    300);
	json_decref(arr);
}

static void
cdn_only_in_rita_mode(void)
{
	json_t *arr = run("default", 1);
	ASSERT_EQ(json_array_size(arr), 0);
	json_decref(arr);
	arr = run("rita", 1);
	ASSERT_EQ(json_array_size(arr), 1);
	ASSERT_STR_EQ(json_string_value(json_object_get(json_object_get(json_array_get(arr, 0),
			  "subject"), "fqdn")),
	    "cdn.example");
	json_decref(arr);
}

TEST_MAIN(tunnel_found, cdn_only_in_rita_mode)
