/* Beacon analysis: fixed-point kernel, RITA v5 oracle values, FQDN joins, proxies, slow beacons,
 * server-centric evidence, determinism. Too many allocations for the torture run: the smaller
 * test_longconn drives the same analyzer under it. */
#include "c2chain/config.h"
#include "c2chain/detect.h"
#include "c2chain/json.h"
#include "detect/internal.h"
#include "test.h"

static uint8_t sha[2][32];
static uint64_t next_off;

static struct c2c_config *
cfg_new(const char *mode)
{
	struct c2c_config *cfg = NULL;
	struct c2c_diag d;
	ASSERT_OK(c2c_config_new_default(&cfg));
	ASSERT_OK(c2c_config_set(cfg, "detect.mode", mode, &d));
	ASSERT_OK(c2c_config_set(cfg, "dnstunnel.psl_file", "", &d));
	return cfg;
}

static void
flow(struct c2c_detect *d, const char *o, const char *r, uint16_t port, c2c_time ts,
    uint64_t bytes, const char *uid)
{
	struct c2c_flow f;
	memset(&f, 0, sizeof(f));
	ASSERT_OK(c2c_ip_parse(&f.orig, o));
	ASSERT_OK(c2c_ip_parse(&f.resp, r));
	f.orig_port = 49152;
	f.resp_port = port;
	f.proto = 6;
	f.ts = ts;
	f.last = ts + 150000;
	f.have = C2C_HAVE_DURATION;
	f.orig_ip_bytes = bytes;
	f.resp_ip_bytes = 2 * bytes;
	f.first_ev.input = 0;
	f.first_ev.rec = -1;
	f.first_ev.off = next_off;
	f.first_ev.len = 120;
	next_off += 120;
	f.last_ev = f.first_ev;
	if (uid != NULL)
		(void)snprintf(f.uid, sizeof(f.uid), "%s", uid);
	ASSERT_OK(c2c_detect_add_flow(d, &f));
}

static json_t *
run_finish(struct c2c_detect *d)
{
	json_t *arr = NULL;
	ASSERT_OK(c2c_detect_finish(d, (const uint8_t(*)[32])sha, 1, &arr));
	return arr;
}

static json_t *
find(json_t *arr, const char *type, size_t nth)
{
	for (size_t i = 0; i < json_array_size(arr); i++) {
		json_t *o = json_array_get(arr, i);
		if (strcmp(json_string_value(json_object_get(o, "type")), type) == 0 && nth-- == 0)
			return o;
	}
	return NULL;
}

static long long
res_int(json_t *o, const char *k)
{
	json_t *v = json_object_get(json_object_get(o, "result"), k);
	if (v == NULL)
		TEST_FAIL_("result.%s missing", k);
	return (long long)json_integer_value(v);
}

static void
kernel_statistics(void)
{
	int64_t x[] = { 1, 2, 3, 4, 5, 6, 7 }, q[3];
	ASSERT_EQ(c2c__median2(x, 7), 8);
	ASSERT_EQ(c2c__median2(x, 6), 7);
	c2c__quartiles2(x, 7, q); /* odd: halves exclude the median */
	ASSERT_EQ(q[0], 4);
	ASSERT_EQ(q[1], 8);
	ASSERT_EQ(q[2], 12);
	c2c__quartiles2(x, 6, q);
	ASSERT_EQ(q[0], 4);
	ASSERT_EQ(q[2], 10);
	ASSERT_EQ(c2c__div_round(5, 2), 3);
	ASSERT_EQ(c2c__div_round(-5, 2), -3);
	ASSERT_EQ(c2c__div_ceil(5, 2), 3);
	ASSERT_EQ(c2c__isqrt128((c2c_u128)1 << 100), 1ull << 50);
	ASSERT_EQ(c2c__isqrt128(99), 9);
	ASSERT_EQ(c2c__log2_e6(2), 1000000);
	ASSERT_EQ(c2c__log2_e6(3), 1584963);
	ASSERT_EQ(c2c__log2_e6(10), 3321928);
	ASSERT_EQ(c2c__entropy_e6("aabb", 4), 1000000);
	ASSERT_EQ(c2c__entropy_e6("abcd", 4), 2000000);
	ASSERT_EQ(c2c__entropy_e6("aaaa", 4), 0);
	/* RITA buckets 50/70/90/100 on score x 100. */
	ASSERT_EQ(c2c__bucket_e6(900000, 500000, 700000, 900000, 1000000), 600000);
	ASSERT_EQ(c2c__bucket_e6(1000000, 500000, 700000, 900000, 1000000), 800000);
	ASSERT_EQ(c2c__bucket_e6(400000, 500000, 700000, 900000, 1000000), 0);
	ASSERT_EQ(c2c__bucket_e6(600000, 500000, 700000, 900000, 1000000), 300000);
}

/* RITA's worked example: a perfect 60 s beacon for 24 h scores exactly 1. */
static void
perfect_beacon(void)
{
	const char *modes[] = { "rita", "default" };
	for (int m = 0; m < 2; m++) {
		struct c2c_config *cfg = cfg_new(modes[m]);
		struct c2c_detect *d = NULL;
		json_t *arr, *b, *ev;
		const struct c2c_evref *refs;
		size_t nrefs;
		c2c_time t0 = 1700000000LL * C2C_USEC;
		ASSERT_OK(c2c_detect_new(cfg, &d, NULL));
		for (int i = 0; i < 1440; i++)
			flow(d, "10.0.0.5", "203.0.113.7", 443, t0 + i * 60 * C2C_USEC, 310, NULL);
		arr = run_finish(d);
		b = find(arr, "beacon", 0);
		ASSERT(b != NULL);
		ASSERT_EQ(res_int(b, "score_e6"), 1000000);
		ASSERT_EQ(res_int(b, "connections"), 1440);
		ASSERT_EQ(res_int(b, "median_interval_us"), 60 * C2C_USEC);
		ASSERT_EQ(res_int(b, "jitter_us"), 0);
		ASSERT_EQ(res_int(b, "impact_e6"), 800000);
		ASSERT_STR_EQ(json_string_value(json_object_get(json_object_get(b, "subject"), "peer")),
		    "203.0.113.7");
		ASSERT_EQ(json_integer_value(json_object_get(json_object_get(b, "subject"),
			      "peer_port")),
		    443);
		ev = json_object_get(b, "evidence");
		ASSERT_EQ(json_integer_value(json_object_get(ev, "count")), 1440);
		ASSERT_EQ(json_array_size(json_object_get(ev, "samples")), 16);
		ASSERT(strncmp(json_string_value(json_object_get(b, "id")), "beacon:", 7) == 0);
		ASSERT_OK(c2c_detect_finding_refs(d, 0, &refs, &nrefs));
		ASSERT_EQ(nrefs, 1440);
		/* The root in the finding is the RFC 6962 root over the rendered list. */
		{
			char **s = calloc(nrefs, sizeof(*s));
			uint8_t root[32];
			char hex[65];
			for (size_t i = 0; i < nrefs; i++) {
				s[i] = malloc(C2C_EVREF_STRLEN);
				c2c_evref_format(&refs[i], sha[0], s[i], C2C_EVREF_STRLEN);
			}
			ASSERT_OK(c2c_detect_merkle_root((const char *const *)s, nrefs, root));
			ASSERT_STR_EQ(c2c_hex(root, 32, hex),
			    json_string_value(json_object_get(ev, "merkle_root")));
			ASSERT_OK(c2c_detect_finding_root(d, 0, root));
			ASSERT_STR_EQ(c2c_hex(root, 32, hex),
			    json_string_value(json_object_get(ev, "merkle_root")));
			for (size_t i = 0; i < nrefs; i++)
				free(s[i]);
			free(s);
		}
		ASSERT_ERR(c2c_detect_finding_refs(d, 99, &refs, &nrefs), C2C_ENOTFOUND);
		json_decref(arr);
		c2c_detect_free(d);
		c2c_config_free(cfg);
	}
}

static uint32_t lcg_x;
static uint32_t
lcg(void)
{
	lcg_x = (uint32_t)(((uint64_t)lcg_x * 1103515245u + 12345u) % 2147483648u);
	return lcg_x >> 8;
}

/* Jittered 240-360 s beacon: the rita mode equals the Python port of RITA's Go code
 * (tests/conformance/rita_ref.py): score 0.95, ts 0.86, ds 0.984, dur 1, hist 0.957. */
static void
rita_mode_matches_oracle(void)
{
	struct c2c_config *cfg = cfg_new("rita");
	struct c2c_detect *d = NULL;
	json_t *arr, *b;
	int64_t t0 = 1700000000, t = t0;
	int n = 0;
	ASSERT_OK(c2c_detect_new(cfg, &d, NULL));
	lcg_x = 12345;
	while (t < t0 + 86400) {
		uint64_t sz = 300 + 10 * (lcg() % 3);
		/* Sub-second parts are truncated by the rita mode. */
		flow(d, "10.0.0.5", "203.0.113.7", 80, t * C2C_USEC + 123456, sz, NULL);
		t += 240 + lcg() % 121;
		n++;
	}
	ASSERT_EQ(n, 291);
	arr = run_finish(d);
	b = find(arr, "beacon", 0);
	ASSERT(b != NULL);
	ASSERT_EQ(res_int(b, "score_e6"), 950000);
	ASSERT_EQ(res_int(b, "ts_score_e6"), 860000);
	ASSERT_EQ(res_int(b, "ds_score_e6"), 984000);
	ASSERT_EQ(res_int(b, "dur_score_e6"), 1000000);
	ASSERT_EQ(res_int(b, "hist_score_e6"), 957000);
	json_decref(arr);
	c2c_detect_free(d);
	c2c_config_free(cfg);
}

/* 8 h period over 5 days: found by the default mode; RITA's 24 h window cannot score it. */
static void
slow_beacon_default_only(void)
{
	const char *modes[] = { "default", "rita" };
	for (int m = 0; m < 2; m++) {
		struct c2c_config *cfg = cfg_new(modes[m]);
		struct c2c_detect *d = NULL;
		json_t *arr, *b;
		c2c_time t0 = 1700000000LL * C2C_USEC;
		ASSERT_OK(c2c_detect_new(cfg, &d, NULL));
		for (int i = 0; i < 15; i++)
			flow(d, "10.0.0.9", "198.51.100.20", 443,
			    t0 + i * 8 * 3600 * C2C_USEC + (i % 3) * 1500000, 700, NULL);
		arr = run_finish(d);
		b = find(arr, "beacon", 0);
		if (m == 0) {
			ASSERT(b != NULL);
			ASSERT(res_int(b, "score_e6") >= 950000);
			ASSERT_EQ(res_int(b, "connections"), 15);
		} else {
			ASSERT(b == NULL);
		}
		json_decref(arr);
		c2c_detect_free(d);
		c2c_config_free(cfg);
	}
}

static void
obs_name(struct c2c_detect *d, int kind, const char *uid, const char *name, bool proxy)
{
	struct c2c_obs o;
	memset(&o, 0, sizeof(o));
	o.kind = (uint8_t)kind;
	(void)snprintf(o.uid, sizeof(o.uid), "%s", uid);
	o.ev.input = 0;
	o.ev.rec = -1;
	o.ev.off = next_off;
	o.ev.len = 80;
	next_off += 80;
	if (kind == C2C_OBS_TLS) {
		(void)snprintf(o.u.tls.sni, sizeof(o.u.tls.sni), "%s", name);
	} else {
		(void)snprintf(o.u.http.host, sizeof(o.u.http.host), "%s", name);
		o.u.http.proxy = proxy;
	}
	ASSERT_OK(c2c_detect_add_obs(d, &o));
}

/* A beacon fronted by a CDN rotating addresses is one (host, FQDN) series; the SNI joins
 * whether it arrives before or after its flow. Through an internal proxy, the CONNECT target
 * names the real destination. */
static void
fqdn_and_proxy_beacons(void)
{
	struct c2c_config *cfg = cfg_new("default");
	struct c2c_detect *d = NULL;
	json_t *arr, *b;
	c2c_time t0 = 1700000000LL * C2C_USEC;
	const char *cdn[] = { "192.0.2.10", "192.0.2.11", "192.0.2.12" };
	ASSERT_OK(c2c_detect_new(cfg, &d, NULL));
	for (int i = 0; i < 200; i++) {
		char uid[24];
		(void)snprintf(uid, sizeof(uid), "C%d", i);
		if (i % 2 == 0)
			obs_name(d, C2C_OBS_TLS, uid, "Beacon.Example.NET", false);
		flow(d, "10.0.0.7", cdn[i % 3], 443, t0 + i * 300 * C2C_USEC, 500, uid);
		if (i % 2 == 1)
			obs_name(d, C2C_OBS_TLS, uid, "beacon.example.net", false);
		(void)snprintf(uid, sizeof(uid), "P%d", i);
		flow(d, "10.0.0.8", "10.9.9.9", 3128, t0 + i * 600 * C2C_USEC, 900, uid);
		obs_name(d, C2C_OBS_HTTP, uid, "c2.evil.example:443", true);
	}
	arr = run_finish(d);
	b = find(arr, "beacon", 0);
	ASSERT(b != NULL);
	ASSERT_STR_EQ(json_string_value(json_object_get(json_object_get(b, "subject"), "host")),
	    "10.0.0.7");
	ASSERT_STR_EQ(json_string_value(json_object_get(json_object_get(b, "subject"), "fqdn")),
	    "beacon.example.net");
	ASSERT(json_object_get(json_object_get(b, "subject"), "peer") == NULL);
	ASSERT_EQ(res_int(b, "connections"), 200);
	ASSERT_EQ(res_int(b, "peer_count"), 3);
	ASSERT_STR_EQ(json_string_value(json_object_get(json_object_get(b, "result"),
			  "fqdn_source")),
	    "tls-sni");
	/* Every connection and every SNI record is cited. */
	ASSERT_EQ(json_integer_value(json_object_get(json_object_get(b, "evidence"), "count")),
	    400);
	b = find(arr, "beacon", 1);
	ASSERT(b != NULL);
	ASSERT_STR_EQ(json_string_value(json_object_get(json_object_get(b, "subject"), "fqdn")),
	    "c2.evil.example");
	ASSERT_STR_EQ(json_string_value(json_object_get(json_object_get(b, "subject"), "peer")),
	    "10.9.9.9");
	ASSERT_STR_EQ(json_string_value(json_object_get(json_object_get(b, "result"),
			  "fqdn_source")),
	    "http-proxy");
	ASSERT(find(arr, "beacon", 2) == NULL);
	json_decref(arr);
	c2c_detect_free(d);
	c2c_config_free(cfg);
}

/* Same input in another order gives byte-identical findings. */
static char *
canon_all(json_t *arr)
{
	struct c2c_buf b;
	c2c_buf_init(&b, 1u << 26);
	ASSERT_OK(c2c_json_canon(arr, &b));
	ASSERT_NONNULL(c2c_buf_cstr(&b));
	return (char *)c2c_buf_steal(&b, NULL);
}

static void
order_independent(void)
{
	char *out[2];
	for (int pass = 0; pass < 2; pass++) {
		struct c2c_config *cfg = cfg_new("default");
		struct c2c_detect *d = NULL;
		json_t *arr;
		c2c_time t0 = 1700000000LL * C2C_USEC;
		ASSERT_OK(c2c_detect_new(cfg, &d, NULL));
		for (int k = 0; k < 300; k++) {
			int i = pass == 0 ? k : 299 - k;
			next_off = (uint64_t)i * 1000;
			flow(d, "10.0.0.5", "203.0.113.7", 443, t0 + i * 61 * C2C_USEC, 310, NULL);
			next_off = (uint64_t)i * 1000 + 500;
			flow(d, "10.0.0.6", "203.0.113.8", 80, t0 + i * 97 * C2C_USEC + i % 7, 320 + i % 2,
			    NULL);
		}
		arr = run_finish(d);
		ASSERT_EQ(json_array_size(arr), 2);
		out[pass] = canon_all(arr);
		json_decref(arr);
		c2c_detect_free(d);
		c2c_config_free(cfg);
	}
	ASSERT_STR_EQ(out[0], out[1]);
	c2c_free(out[0]);
	c2c_free(out[1]);
}

/* Server-centric evidence: three clients with one period to one server lift each other; a
 * server that most hosts of a fleet contact regularly, each at its own period (a resolver or
 * update service), is suppressed. */
static void
server_centric(void)
{
	struct c2c_config *cfg = cfg_new("default");
	struct c2c_detect *d = NULL;
	json_t *arr, *b;
	c2c_time t0 = 1700000000LL * C2C_USEC;
	char host[32];
	ASSERT_OK(c2c_detect_new(cfg, &d, NULL));
	for (int h = 0; h < 3; h++) {
		(void)snprintf(host, sizeof(host), "10.1.0.%d", h + 1);
		for (int i = 0; i < 100; i++)
			flow(d, host, "203.0.113.50", 443, t0 + h * 7 * C2C_USEC + i * 600 * C2C_USEC,
			    400 + (uint64_t)(i % 5) * 40, NULL);
	}
	for (int h = 0; h < 12; h++) {
		(void)snprintf(host, sizeof(host), "10.2.0.%d", h + 1);
		/* Each at its own period (900 s to 1571 s) over the same 60,000 s. */
		for (int i = 0; i * (900 + h * 61) < 60000; i++)
			flow(d, host, "203.0.113.99", 443, t0 + h * 11 * C2C_USEC +
			    i * (900 + h * 61) * C2C_USEC, 500, NULL);
	}
	arr = run_finish(d);
	for (int i = 0; i < 3; i++) {
		b = find(arr, "beacon", (size_t)i);
		ASSERT(b != NULL);
		ASSERT_STR_EQ(json_string_value(json_object_get(json_object_get(b, "subject"),
				  "peer")),
		    "203.0.113.50");
		ASSERT_EQ(res_int(b, "shared_period_clients"), 3);
		ASSERT_EQ(res_int(b, "server_bonus_e6"), 100000);
		ASSERT(res_int(b, "score_e6") == (res_int(b, "base_score_e6") + 100000 > 1000000
			   ? 1000000 : res_int(b, "base_score_e6") + 100000));
	}
	ASSERT(find(arr, "beacon", 3) == NULL); /* 12 of 15 hosts beacon to .99: suppressed */
	{
		struct c2c_detect_stats st;
		c2c_detect_get_stats(d, &st);
		ASSERT_EQ(st.beacons_suppressed, 12);
	}
	json_decref(arr);
	c2c_detect_free(d);
	c2c_config_free(cfg);
}

static void
too_few_is_not_scored(void)
{
	struct c2c_config *cfg = cfg_new("default");
	struct c2c_detect *d = NULL;
	json_t *arr;
	ASSERT_OK(c2c_detect_new(cfg, &d, NULL));
	for (int i = 0; i < 3; i++)
		flow(d, "10.0.0.5", "203.0.113.7", 443, (1700000000LL + i * 60) * C2C_USEC, 310, NULL);
	arr = run_finish(d);
	ASSERT_EQ(json_array_size(arr), 0);
	json_decref(arr);
	ASSERT_ERR(c2c_detect_finish(d, (const uint8_t(*)[32])sha, 1, &arr), C2C_EINVAL);
	c2c_detect_free(d);
	c2c_config_free(cfg);
}

/* c2c_detect_analyse before finish (as scan runs them, the digests still being computed in
 * between) gives exactly the findings of finish alone; nothing can be fed after it. */
static void
analyse_then_finish(void)
{
	struct c2c_config *cfg = cfg_new("default");
	char *dump[2];
	for (int k = 0; k < 2; k++) {
		struct c2c_detect *d = NULL;
		json_t *arr = NULL;
		c2c_time t0 = 1700000000LL * C2C_USEC;
		next_off = 0;
		ASSERT_OK(c2c_detect_new(cfg, &d, NULL));
		for (int h = 0; h < 5; h++) {
			char host[32];
			(void)snprintf(host, sizeof(host), "10.0.0.%d", 10 + h);
			for (int i = 0; i < 300 + 40 * h; i++)
				flow(d, host, h % 2 ? "203.0.113.7" : "198.51.100.9", 443,
				    t0 + (i * (60 + h) + (i % 3)) * C2C_USEC, 310, NULL);
			flow(d, host, "192.0.2.1", 22, t0, 100, NULL); /* one-off */
		}
		if (k == 1) {
			struct c2c_flow f;
			ASSERT_OK(c2c_detect_analyse(d, 1));
			ASSERT_ERR(c2c_detect_analyse(d, 1), C2C_EINVAL);
			memset(&f, 0, sizeof(f));
			ASSERT_ERR(c2c_detect_add_flow(d, &f), C2C_EINVAL);
			ASSERT_EQ(c2c_detect_n_findings(d), 0); /* none before finish */
		}
		ASSERT_OK(c2c_detect_finish(d, (const uint8_t(*)[32])sha, 1, &arr));
		ASSERT(json_array_size(arr) >= 5);
		dump[k] = json_dumps(arr, JSON_SORT_KEYS | JSON_COMPACT);
		ASSERT(dump[k] != NULL);
		json_decref(arr);
		c2c_detect_free(d);
	}
	ASSERT_STR_EQ(dump[0], dump[1]);
	free(dump[0]);
	free(dump[1]);
	c2c_config_free(cfg);
}

TEST_MAIN(kernel_statistics, perfect_beacon, rita_mode_matches_oracle, slow_beacon_default_only,
    fqdn_and_proxy_beacons, order_independent, server_centric, too_few_is_not_scored,
    analyse_then_finish)
