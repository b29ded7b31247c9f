/*
 * A synthetic case with known ground truth for the attribute-stage tests: a country+ASN MMDB
 * built with our writer, reference lists (sinkhole, cloud, residential ASN, Tor exits), eight
 * C2 endpoints with one of every role, controlled hosts placed by the configured host map or
 * by the database, and observations that make certificate, FQDN, host-set and JA3S edges.
 *
 *  endpoint     country  role               hosts
 *  45.0.0.1 E1  DE       owned (cert X)     10.1.0.1 10.1.0.2 10.2.0.1
 *  45.0.0.2 E2  DE       owned (cert X)     10.1.0.1 10.1.0.2 10.2.0.1
 *  45.0.0.3 E3  DE       unknown            10.1.0.3 1.2.3.4
 *  45.0.0.5 E4  DE       anonymiser (Tor)   10.1.0.4
 *  46.0.0.1 E5  US       rented (cloud)     10.1.0.5 2.2.2.2
 *  47.0.0.1 E6  NL       relay (AS64501)    10.1.0.1 10.1.0.6
 *  47.0.0.9 E7  NL       sinkhole           10.1.0.7 10.2.0.2
 *  8.8.4.4  E8  ??       unknown            10.1.0.8 10.3.0.1
 * Host map: 10.1.0.0/16 CN, 10.2.0.0/16 US; 1.2.3.4 is CN and 2.2.2.2 FR by the database;
 * 10.3.0.1 is unknown.
 */
#ifndef C2C_TEST_INFRA_FIXTURE_H
#define C2C_TEST_INFRA_FIXTURE_H

#include "c2chain/infra.h"
#include "test.h"

#define T0 1600000000000000LL /* 2020-09-13T12:26:40Z */

struct fixture {
	struct c2c_geo *geo;
	struct c2c_refdata *ref;
	struct c2c_host_country map[2];
	struct c2c_infra_opts opts;
	uint8_t inputs[1][32];
	json_t *findings; /* the L1 findings, in insertion order */
};

static struct c2c_ip
fx_ip(const char *s)
{
	struct c2c_ip ip;
	if (c2c_ip_parse(&ip, s) != C2C_OK)
		TEST_FAIL_("bad test address %s", s);
	return ip;
}

static const char *
fx_write(const char *name, const char *text)
{
	static char path[8][1024];
	static int k;
	char *p = path[k++ % 8];
	FILE *fp;
	(void)snprintf(p, 1024, "%s/%s", test_tmpdir(), name);
	fp = fopen(p, "wb");
	ASSERT(fp != NULL);
	fputs(text, fp);
	fclose(fp);
	return p;
}

static json_t *
fx_finding(const char *type, const char *host, const char *peer, int port, c2c_time t,
    const char *label)
{
	char id[64], ts[40], ts2[40];
	json_t *f;
	static int seq;
	(void)snprintf(id, sizeof(id), "%s:%04d%s%s", type, seq++, host, peer);
	(void)c2c_time_format_iso(t, ts, sizeof(ts));
	(void)c2c_time_format_iso(t + 600 * C2C_USEC, ts2, sizeof(ts2));
	f = json_pack("{s:s,s:s,s:s,s:{s:s,s:s,s:i},s:s,s:s,s:{}}", "id", id, "type", type, "rung",
	    "L1", "subject", "host", host, "peer", peer, "peer_port", port, "first_seen", ts,
	    "last_seen", ts2, "result");
	if (f == NULL)
		return NULL;
	if (label != NULL) {
		json_t *l = json_pack("[s]", label);
		if (l == NULL || json_object_set_new(json_object_get(f, "result"), "labels", l) != 0) {
			json_decref(f);
			return NULL;
		}
	}
	return f;
}

static void
fx_obs_tls(struct c2c_infra *x, const char *server, uint8_t cert_byte, const char *ja3s,
    uint64_t off)
{
	struct c2c_obs o;
	memset(&o, 0, sizeof(o));
	o.kind = C2C_OBS_TLS;
	o.resp = fx_ip(server);
	o.orig = fx_ip("10.1.0.1");
	o.resp_port = 443;
	o.u.tls.have_cert = true;
	memset(o.u.tls.cert_sha256, cert_byte, 32);
	(void)snprintf(o.u.tls.ja3s, sizeof(o.u.tls.ja3s), "%s", ja3s);
	o.ev.input = 0;
	o.ev.rec = -1;
	o.ev.off = off;
	o.ev.len = 100;
	ASSERT_OK(c2c_infra_add_obs(x, &o));
}

static void
fx_obs_dns(struct c2c_infra *x, const char *name, const char *a1, const char *a2, uint64_t off)
{
	struct c2c_obs o;
	memset(&o, 0, sizeof(o));
	o.kind = C2C_OBS_DNS;
	o.u.dns.is_response = true;
	o.u.dns.rcode = 0;
	(void)snprintf(o.u.dns.query, sizeof(o.u.dns.query), "%s", name);
	o.u.dns.n_answers = 2;
	o.u.dns.answers[0].type = 1;
	o.u.dns.answers[0].ip = fx_ip(a1);
	o.u.dns.answers[1].type = 1;
	o.u.dns.answers[1].ip = fx_ip(a2);
	o.ev.input = 0;
	o.ev.rec = -1;
	o.ev.off = off;
	o.ev.len = 80;
	ASSERT_OK(c2c_infra_add_obs(x, &o));
}

static void
fx_init(struct fixture *fx)
{
	static const char *const csv =
	    "45.0.0.0/24,DE,64500,Hoster DE\n46.0.0.0/24,US,64502,Cloud US\n"
	    "47.0.0.0/24,NL,64501,Residential NL\n1.0.0.0/8,CN,4134,CHINANET\n"
	    "2.0.0.0/8,FR,3215,Orange\n";
	struct c2c_mmdb_writer *w;
	struct c2c_buf b;
	struct c2c_diag diag = { 0 };
	char db[1024];
	const char *csvp = fx_write("geo.csv", csv);
	static const struct {
		const char *type, *host, *peer;
		int port;
		const char *label;
	} rows[] = {
		{ "intel-hit", "10.1.0.1", "45.0.0.1", 443, "emotet" },
		{ "beacon", "10.1.0.1", "45.0.0.1", 443, NULL },
		{ "beacon", "10.1.0.2", "45.0.0.1", 443, NULL },
		{ "beacon", "10.2.0.1", "45.0.0.1", 443, NULL },
		{ "intel-hit", "10.1.0.1", "45.0.0.2", 443, "emotet" },
		{ "beacon", "10.1.0.2", "45.0.0.2", 443, NULL },
		{ "long-connection", "10.2.0.1", "45.0.0.2", 443, NULL },
		{ "intel-hit", "10.1.0.3", "45.0.0.3", 8080, "qakbot" },
		{ "beacon", "1.2.3.4", "45.0.0.3", 8080, NULL },
		{ "beacon", "10.1.0.4", "45.0.0.5", 9001, NULL },
		{ "intel-hit", "10.1.0.5", "46.0.0.1", 443, NULL },
		{ "beacon", "2.2.2.2", "46.0.0.1", 443, NULL },
		{ "beacon", "10.1.0.1", "47.0.0.1", 7547, NULL },
		{ "beacon", "10.1.0.6", "47.0.0.1", 7547, NULL },
		{ "intel-hit", "10.1.0.7", "47.0.0.9", 80, NULL },
		{ "intel-hit", "10.2.0.2", "47.0.0.9", 80, NULL },
		{ "beacon", "10.1.0.8", "8.8.4.4", 53, NULL },
		{ "dns-tunnel", "10.3.0.1", "8.8.4.4", 53, NULL },
		/* Not counted: a resolver peer for a DNS tunnel, and another finding type. */
		{ "dns-tunnel", "10.1.0.9", "10.0.0.53", 53, NULL },
		{ "strobe", "10.1.0.9", "45.0.0.1", 443, NULL },
	};

	memset(fx, 0, sizeof(*fx));
	ASSERT_OK(c2c_mmdb_writer_new(C2C_MMDB_BOTH, &w));
	ASSERT_OK(c2c_mmdb_writer_add_csv(w, csvp, &diag));
	c2c_buf_init(&b, 1 << 24);
	ASSERT_OK(c2c_mmdb_writer_finish(w, "Test-Country-ASN", 1600000000, "fixture", &b, &diag));
	(void)snprintf(db, sizeof(db), "%s/fixture.mmdb", test_tmpdir());
	ASSERT_OK(c2c_file_write_atomic(db, b.data, b.len, &diag));
	c2c_buf_fini(&b);
	c2c_mmdb_writer_free(w);
	ASSERT_OK(c2c_geo_new(&fx->geo));
	ASSERT_OK(c2c_geo_open_db(fx->geo, db, C2C_GEO_COUNTRY | C2C_GEO_ASN, NULL, &diag));

	ASSERT_OK(c2c_refdata_new(&fx->ref));
	ASSERT_OK(c2c_refdata_load(fx->ref, C2C_REF_SINKHOLE,
	    fx_write("sinkholes.txt", "# sinkholes\n47.0.0.9\n"),
	    NULL, &diag));
	ASSERT_OK(c2c_refdata_load(fx->ref, C2C_REF_CLOUD, fx_write("cloud.txt", "46.0.0.0/24\n"),
	    NULL, &diag));
	ASSERT_OK(c2c_refdata_load(fx->ref, C2C_REF_RESIDENTIAL, fx_write("res.txt", "AS64501\n"),
	    NULL, &diag));
	ASSERT_OK(c2c_refdata_load(fx->ref, C2C_REF_TOR_EXIT,
	    fx_write("tor.txt", "ExitNode AA\nExitAddress 45.0.0.5 2020-09-13 10:00:00\n"), NULL,
	    &diag));

	fx->map[0].net = fx_ip("10.1.0.0");
	fx->map[0].len = 16;
	memcpy(fx->map[0].country, "CN", 3);
	fx->map[1].net = fx_ip("10.2.0.0");
	fx->map[1].len = 16;
	memcpy(fx->map[1].country, "US", 3);
	memset(fx->inputs[0], 0xab, 32);
	c2c_infra_opts_default(&fx->opts);
	fx->opts.host_map = fx->map;
	fx->opts.n_host_map = 2;
	fx->opts.geo = fx->geo;
	fx->opts.ref = fx->ref;
	fx->opts.input_sha256 = (const uint8_t(*)[32])fx->inputs;
	fx->opts.n_inputs = 1;

	fx->findings = json_array();
	ASSERT_NONNULL(fx->findings);
	for (size_t i = 0; i < C2C_ARRAY_LEN(rows); i++) {
		json_t *f = fx_finding(rows[i].type, rows[i].host, rows[i].peer, rows[i].port,
		    T0 + 3600 * C2C_USEC * (c2c_time)(i % 3), rows[i].label);
		ASSERT_NONNULL(f);
		ASSERT_NONNULL(json_array_append_new(fx->findings, f) == 0 ? f : NULL);
	}
}

/* Feed observations and findings; `reverse` feeds both in reverse order. */
static void
fx_feed(struct fixture *fx, struct c2c_infra *x, int reverse)
{
	size_t n = json_array_size(fx->findings);
	struct c2c_diag diag = { 0 };
	if (!reverse) {
		fx_obs_tls(x, "45.0.0.1", 0x11, "ja3s-abc", 1000);
		fx_obs_tls(x, "45.0.0.2", 0x11, "ja3s-abc", 2000);
		fx_obs_tls(x, "9.9.9.9", 0x22, "ja3s-abc", 3000);
		fx_obs_dns(x, "evil.example", "45.0.0.3", "46.0.0.1", 4000);
	} else {
		fx_obs_dns(x, "EVIL.example.", "46.0.0.1", "45.0.0.3", 4000);
		fx_obs_tls(x, "9.9.9.9", 0x22, "ja3s-abc", 3000);
		fx_obs_tls(x, "45.0.0.2", 0x11, "ja3s-abc", 2000);
		fx_obs_tls(x, "45.0.0.1", 0x11, "ja3s-abc", 1000);
	}
	for (size_t i = 0; i < n; i++) {
		const json_t *f = json_array_get(fx->findings, reverse ? n - 1 - i : i);
		ASSERT_OK(c2c_infra_add_finding(x, f, &diag));
	}
}

static void
fx_fini(struct fixture *fx)
{
	json_decref(fx->findings);
	c2c_geo_free(fx->geo);
	c2c_refdata_free(fx->ref);
}

/* The infrastructure object for `ip` in r->infrastructure. */
static const json_t *fx_infra(const struct c2c_infra_result *r, const char *ip)
    __attribute__((unused));
static const json_t *
fx_infra(const struct c2c_infra_result *r, const char *ip)
{
	size_t i;
	json_t *v;
	json_array_foreach(r->infrastructure, i, v) {
		const char *s = json_string_value(json_object_get(json_object_get(v, "subject"), "ip"));
		if (s != NULL && strcmp(s, ip) == 0)
			return v;
	}
	TEST_FAIL_("no infrastructure object for %s", ip);
}

#endif
