/* Intel hits: flows (both endpoints), DNS, TLS SNI, HTTP; aggregation per (host, indicator);
 * suppressed hits; the finding shape of docs/findings.md. C2C_TORTURE */
#include "c2chain/intelhit.h"
#include "test.h"

static struct c2c_intel *
store(void)
{
	static const char feed[] = "# Maltrail developers\n# Aliases: Emotet\n"
				   "198.51.100.7:8080\nevil.example\n203.0.113.0/24\n"
				   "http://web.example/gate.php\n";
	static const char wl[] = "{\"name\":\"CDN\",\"type\":\"cidr\",\"list\":[\"203.0.113.128/25\"]}";
	struct c2c_intel *in;
	ASSERT_OK(c2c_intel_new(&in));
	ASSERT_OK(c2c_intel_load_mem(in, "trails/emotet.txt", feed, strlen(feed), NULL, NULL));
	ASSERT_OK(c2c_intel_load_mem(in, "wl.json", wl, strlen(wl), NULL, NULL));
	ASSERT_OK(c2c_intel_freeze(in));
	return in;
}

static void
flow(struct c2c_flow *f, const char *o, uint16_t op, const char *r, uint16_t rp, c2c_time ts,
    uint64_t off)
{
	memset(f, 0, sizeof(*f));
	ASSERT_OK(c2c_ip_parse(&f->orig, o));
	ASSERT_OK(c2c_ip_parse(&f->resp, r));
	f->orig_port = op;
	f->resp_port = rp;
	f->proto = 6;
	f->ts = ts;
	f->last = ts + 1000;
	f->first_ev.off = off;
	f->first_ev.len = 60;
	f->first_ev.rec = -1;
	f->last_ev = f->first_ev;
	f->last_ev.off = off + 1000;
}

static int seen_count;
static c2c_err
count_seen(void *ctx, const struct c2c_intel_seen *s)
{
	(void)ctx;
	(void)s;
	seen_count++;
	return C2C_OK;
}

static void
flows_aggregate_per_host_indicator(void)
{
	struct c2c_intel *in = store();
	struct c2c_intelhit *h;
	struct c2c_flow f;
	ASSERT_OK(c2c_intelhit_new(in, &h));
	seen_count = 0;
	c2c_intelhit_set_callback(h, count_seen, NULL);
	/* two connections of one host to the C2 on its port, one on another port (no hit) */
	flow(&f, "10.0.0.5", 49152, "198.51.100.7", 8080, 1000 * C2C_USEC, 100);
	ASSERT_OK(c2c_intelhit_flow(h, &f));
	flow(&f, "10.0.0.5", 49153, "198.51.100.7", 8080, 2000 * C2C_USEC, 5000);
	ASSERT_OK(c2c_intelhit_flow(h, &f));
	flow(&f, "10.0.0.5", 49154, "198.51.100.7", 443, 3000 * C2C_USEC, 9000);
	ASSERT_OK(c2c_intelhit_flow(h, &f));
	/* inbound from a listed network: the local side is the responder */
	flow(&f, "203.0.113.9", 5555, "10.0.0.6", 22, 4000 * C2C_USEC, 12000);
	ASSERT_OK(c2c_intelhit_flow(h, &f));
	/* a listed network address that is also on the allow-list: suppressed */
	flow(&f, "10.0.0.7", 40000, "203.0.113.200", 443, 5000 * C2C_USEC, 20000);
	ASSERT_OK(c2c_intelhit_flow(h, &f));
	ASSERT_EQ(seen_count, 4);
	ASSERT_EQ(c2c_intelhit_matches(h), 4);
	uint8_t dig[1][32];
	memset(dig, 0xab, sizeof(dig));
	json_t *fa, *sa;
	ASSERT_OK(c2c_intelhit_findings(h, (const uint8_t(*)[32])dig, 1, &fa, &sa));
	ASSERT_EQ(json_array_size(fa), 2);
	ASSERT_EQ(json_array_size(sa), 1);
	json_t *x = json_array_get(fa, 0);
	ASSERT_STR_EQ(json_string_value(json_object_get(x, "type")), "intel-hit");
	ASSERT_STR_EQ(json_string_value(json_object_get(x, "rung")), "L1");
	ASSERT_STR_EQ(json_string_value(json_object_get(x, "recheck")), "refdata");
	ASSERT(strncmp(json_string_value(json_object_get(x, "id")), "intel-hit:", 10) == 0);
	json_t *sub = json_object_get(x, "subject");
	ASSERT_STR_EQ(json_string_value(json_object_get(sub, "host")), "10.0.0.5");
	ASSERT_STR_EQ(json_string_value(json_object_get(sub, "peer")), "198.51.100.7");
	ASSERT_EQ(json_integer_value(json_object_get(sub, "peer_port")), 8080);
	json_t *res = json_object_get(x, "result");
	ASSERT_EQ(json_integer_value(json_object_get(res, "matches")), 2);
	json_t *ind = json_object_get(res, "indicator");
	ASSERT_EQ(json_integer_value(json_object_get(ind, "line")), 3);
	json_t *refs = json_object_get(json_object_get(x, "evidence"), "refs");
	ASSERT_EQ(json_array_size(refs), 4);
	ASSERT_STR_EQ(json_string_value(json_array_get(refs, 0)),
	    "ev:abababababababababababababababababababababababababababababababab/100+60");
	ASSERT_EQ(json_array_size(json_object_get(json_object_get(x, "evidence"), "refdata")), 1);
	ASSERT_STR_EQ(json_string_value(json_object_get(x, "first_seen")),
	    "1970-01-01T00:16:40.000000Z");
	x = json_array_get(fa, 1);
	sub = json_object_get(x, "subject");
	ASSERT_STR_EQ(json_string_value(json_object_get(sub, "host")), "10.0.0.6");
	ASSERT_STR_EQ(json_string_value(json_array_get(json_object_get(json_object_get(x, "result"),
		"where"), 0)), "conn.orig");
	x = json_array_get(sa, 0);
	res = json_object_get(x, "result");
	json_t *by = json_object_get(res, "suppressed_by");
	ASSERT_EQ(json_array_size(by), 1);
	ASSERT_STR_EQ(json_string_value(json_object_get(json_array_get(by, 0), "feed_name")), "CDN");
	ASSERT_EQ(json_array_size(json_object_get(json_object_get(x, "evidence"), "refdata")), 2);
	/* the same input gives the same bytes */
	struct c2c_buf b1, b2;
	c2c_buf_init(&b1, 1 << 20);
	c2c_buf_init(&b2, 1 << 20);
	json_t *fa2, *sa2;
	ASSERT_OK(c2c_intelhit_findings(h, (const uint8_t(*)[32])dig, 1, &fa2, &sa2));
	ASSERT_OK(c2c_json_canon(fa, &b1));
	ASSERT_OK(c2c_json_canon(fa2, &b2));
	ASSERT_EQ(b1.len, b2.len);
	ASSERT_MEM_EQ(b1.data, b2.data, b1.len);
	c2c_buf_fini(&b1);
	c2c_buf_fini(&b2);
	json_decref(fa2);
	json_decref(sa2);
	json_decref(fa);
	json_decref(sa);
	ASSERT_ERR(c2c_intelhit_findings(h, (const uint8_t(*)[32])dig, 0, &fa, &sa), C2C_EINVAL);
	c2c_intelhit_free(h);
	c2c_intel_free(in);
}

static void
observations(void)
{
	struct c2c_intel *in = store();
	struct c2c_intelhit *h;
	struct c2c_obs o;
	ASSERT_OK(c2c_intelhit_new(in, &h));
	memset(&o, 0, sizeof(o));
	ASSERT_OK(c2c_ip_parse(&o.orig, "10.0.0.9"));
	ASSERT_OK(c2c_ip_parse(&o.resp, "10.0.0.53"));
	o.kind = C2C_OBS_DNS;
	o.ts = 10 * C2C_USEC;
	o.ev.off = 24;
	o.ev.len = 80;
	o.ev.rec = -1;
	strcpy(o.u.dns.query, "a.b.evil.example");
	o.u.dns.n_answers = 1;
	o.u.dns.answers[0].type = 1;
	ASSERT_OK(c2c_ip_parse(&o.u.dns.answers[0].ip, "203.0.113.5"));
	ASSERT_OK(c2c_intelhit_obs(h, &o));
	/* maltrail domains are suffixes: the name and the answer address both hit */
	ASSERT_EQ(c2c_intelhit_matches(h), 2);
	memset(&o.u, 0, sizeof(o.u));
	strcpy(o.u.dns.query, "EVIL.example");
	ASSERT_OK(c2c_intelhit_obs(h, &o));
	ASSERT_EQ(c2c_intelhit_matches(h), 3);
	o.kind = C2C_OBS_TLS;
	memset(&o.u, 0, sizeof(o.u));
	strcpy(o.u.tls.sni, "evil.example");
	ASSERT_OK(c2c_ip_parse(&o.resp, "192.0.2.80"));
	o.resp_port = 443;
	ASSERT_OK(c2c_intelhit_obs(h, &o));
	ASSERT_EQ(c2c_intelhit_matches(h), 4);
	o.kind = C2C_OBS_HTTP;
	memset(&o.u, 0, sizeof(o.u));
	strcpy(o.u.http.host, "web.example:80");
	strcpy(o.u.http.uri, "/gate.php");
	ASSERT_OK(c2c_intelhit_obs(h, &o));
	ASSERT_EQ(c2c_intelhit_matches(h), 5);
	uint8_t dig[1][32];
	memset(dig, 1, sizeof(dig));
	json_t *fa, *sa;
	ASSERT_OK(c2c_intelhit_findings(h, (const uint8_t(*)[32])dig, 1, &fa, &sa));
	/* host 10.0.0.9 x {203.0.113.0/24, evil.example, url} */
	ASSERT_EQ(json_array_size(fa), 3);
	json_t *x = json_array_get(fa, 0); /* evil.example: DNS query + TLS SNI */
	json_t *where = json_object_get(json_object_get(x, "result"), "where");
	ASSERT_EQ(json_integer_value(json_object_get(json_object_get(x, "result"), "matches")), 3);
	ASSERT_EQ(json_array_size(where), 2);
	ASSERT_STR_EQ(json_string_value(json_array_get(where, 0)), "dns.query");
	ASSERT_STR_EQ(json_string_value(json_array_get(where, 1)), "tls.sni");
	ASSERT_STR_EQ(json_string_value(json_object_get(json_object_get(x, "subject"), "fqdn")),
	    "EVIL.example");
	json_decref(fa);
	json_decref(sa);
	c2c_intelhit_free(h);
	c2c_intel_free(in);
}

static void
many_records_use_a_merkle_root(void)
{
	struct c2c_intel *in = store();
	struct c2c_intelhit *h;
	struct c2c_flow f;
	ASSERT_OK(c2c_intelhit_new(in, &h));
	for (int i = 0; i < 100; i++) {
		flow(&f, "10.0.0.5", 40000, "198.51.100.7", 8080, i * C2C_USEC, (uint64_t)i * 100);
		f.last_ev = f.first_ev;
		ASSERT_OK(c2c_intelhit_flow(h, &f));
	}
	uint8_t dig[1][32];
	memset(dig, 2, sizeof(dig));
	json_t *fa, *sa;
	ASSERT_OK(c2c_intelhit_findings(h, (const uint8_t(*)[32])dig, 1, &fa, &sa));
	json_t *ev = json_object_get(json_array_get(fa, 0), "evidence");
	ASSERT_EQ(json_integer_value(json_object_get(ev, "count")), 100);
	ASSERT_EQ(json_array_size(json_object_get(ev, "samples")), 16);
	ASSERT_EQ(strlen(json_string_value(json_object_get(ev, "merkle_root"))), 64);
	ASSERT(json_object_get(ev, "refs") == NULL);
	json_decref(fa);
	json_decref(sa);
	c2c_intelhit_free(h);
	c2c_intel_free(in);
}

TEST_MAIN(flows_aggregate_per_host_indicator, observations, many_records_use_a_merkle_root)
