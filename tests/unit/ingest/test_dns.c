/* DNS: names (compression, loops, escapes), answers, TCP framing, query/reply pairing.
 * C2C_TORTURE */
#include "ingest/app.h"
#include "test.h"

static struct c2c_obs got[8];
static int ngot;

static c2c_err
on_obs(void *ctx, const struct c2c_obs *o)
{
	(void)ctx;
	if (ngot < 8)
		got[ngot++] = *o;
	return C2C_OK;
}

static const struct c2c_sink sink = { NULL, NULL, on_obs };

static const uint8_t query[] = { 0xab, 0xcd, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 3, 'W', 'w',
	'W', 3, 'e', 0x01, 'x', 0, 0, 1, 0, 1 };
static const uint8_t reply[] = { 0xab, 0xcd, 0x81, 0x80, 0, 1, 0, 3, 0, 0, 0, 0, 3, 'w', 'w',
	'w', 3, 'e', 0x01, 'x', 0, 0, 1, 0, 1,
	0xc0, 12, 0, 5, 0, 1, 0, 0, 0, 30, 0, 5, 2, 'c', 'n', 0xc0, 16, /* CNAME cn.e\x01x */
	0xc0, 37, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 192, 0, 2, 7,          /* A */
	0xc0, 37, 0, 16, 0, 1, 0, 0, 0, 9, 0, 6, 2, 'h', 'i', 2, 'y', 'o' };

static void
names_and_answers(void)
{
	struct c2c_dns_msg m;
	char buf[C2C_IP_STRLEN];
	ASSERT_OK(c2c__dns_parse(reply, sizeof(reply), &m));
	ASSERT(m.qr && m.rd && m.ra);
	ASSERT_STR_EQ(m.qname, "www.e\\x01x");
	ASSERT_EQ(m.n_answers, 3);
	ASSERT_STR_EQ(m.answers[0].text, "cn.e\\x01x");
	ASSERT_EQ(m.answers[0].ttl, 30);
	ASSERT_STR_EQ(c2c_ip_format(&m.answers[1].ip, buf, sizeof(buf)), "192.0.2.7");
	ASSERT_STR_EQ(m.answers[2].text, "TXT 2 hi TXT 2 yo");
	ASSERT_STR_EQ(m.first_rr_name, "www.e\\x01x");
}

static void
pointer_loops_and_bad_names(void)
{
	/* A name that points at itself, and two names pointing at each other. */
	static const uint8_t self[] = { 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 12, 0, 1, 0, 1 };
	static const uint8_t pair[] = { 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 'a', 0xc0, 16, 0xc0,
		12 };
	uint8_t longname[12 + 300 + 5];
	struct c2c_dns_msg m;
	char out[C2C_NAME_MAX];
	size_t next;
	ASSERT_ERR(c2c__dns_parse(self, sizeof(self), &m), C2C_EFORMAT);
	ASSERT_ERR(c2c__dns_name(pair, sizeof(pair), 12, out, sizeof(out), &next), C2C_EFORMAT);
	memset(longname, 0, sizeof(longname));
	longname[5] = 1;
	for (size_t i = 12; i + 10 < 12 + 300; i += 10) {
		longname[i] = 9;
		memset(longname + i + 1, 'a', 9);
	}
	ASSERT_ERR(c2c__dns_parse(longname, sizeof(longname), &m), C2C_EFORMAT);
	ASSERT_ERR(c2c__dns_parse(query, 11, &m), C2C_EFORMAT);
	ASSERT_ERR(c2c__dns_name(query, sizeof(query), 12, out, 4, &next), C2C_EFORMAT);
}

static void
udp_pairs_query_and_reply(void)
{
	struct c2c_app_out o;
	struct c2c_dns_flow *d;
	memset(&o, 0, sizeof(o));
	o.sink = &sink;
	ngot = 0;
	ASSERT_NONNULL(d = c2c__dns_flow_new(false));
	c2c__dns_flow_ports(d, 53);
	o.tmpl.ts = 1000;
	ASSERT_OK(c2c__dns_flow_data(d, true, query, sizeof(query), &o));
	ASSERT_EQ(ngot, 0);
	o.tmpl.ts = 1500;
	o.tmpl.ev.off = 77;
	ASSERT_OK(c2c__dns_flow_data(d, false, reply, sizeof(reply), &o));
	ASSERT_EQ(ngot, 1);
	ASSERT_EQ(got[0].ts, 1000);
	ASSERT_EQ(got[0].ev.off, 77);
	ASSERT_EQ(got[0].u.dns.rtt, 500);
	ASSERT_EQ(got[0].u.dns.qtype, 1);
	ASSERT_EQ(got[0].u.dns.rcode, 0);
	ASSERT_EQ(got[0].u.dns.n_answers, 3);
	/* A second reply with the same id has no query left: named after its first answer. */
	ASSERT_OK(c2c__dns_flow_data(d, false, reply, sizeof(reply), &o));
	ASSERT_OK(c2c__dns_flow_finish(d, &o));
	ASSERT_EQ(ngot, 2);
	ASSERT_EQ(got[1].u.dns.qtype, 0);
	ASSERT_STR_EQ(got[1].u.dns.query, "www.e\\x01x");
	c2c__dns_flow_free(d);
}

static void
tcp_messages_split_and_joined(void)
{
	uint8_t stream[2 + sizeof(query) + 2 + sizeof(query)];
	struct c2c_app_out o;
	struct c2c_dns_flow *d;
	memset(&o, 0, sizeof(o));
	o.sink = &sink;
	ngot = 0;
	stream[0] = 0, stream[1] = sizeof(query);
	memcpy(stream + 2, query, sizeof(query));
	stream[2 + sizeof(query)] = 0, stream[3 + sizeof(query)] = sizeof(query);
	memcpy(stream + 4 + sizeof(query), query, sizeof(query));
	stream[4 + sizeof(query) + 1] = 0x42; /* second query: another id */
	ASSERT_NONNULL(d = c2c__dns_flow_new(true));
	for (size_t i = 0; i < sizeof(stream); i += 3)
		ASSERT_OK(c2c__dns_flow_data(d, true, stream + i,
		    sizeof(stream) - i < 3 ? sizeof(stream) - i : 3, &o));
	ASSERT_OK(c2c__dns_flow_finish(d, &o));
	ASSERT_EQ(ngot, 2);
	ASSERT_EQ(got[0].u.dns.trans_id, 0xabcd);
	ASSERT_EQ(got[1].u.dns.trans_id, 0xab42);
	ASSERT_EQ(got[1].u.dns.rcode, -1);
	c2c__dns_flow_free(d);
}

static void
netbios_names_are_decoded(void)
{
	/* "FRED" padded with spaces, suffix 0x00, first-level encoded. */
	uint8_t q[12 + 34 + 4];
	const char *enc = "EGFCEFEECACACACACACACACACACACAAA";
	struct c2c_app_out o;
	struct c2c_dns_flow *d;
	memset(q, 0, sizeof(q));
	q[5] = 1;
	q[12] = 32;
	memcpy(q + 13, enc, 32);
	q[47] = 0x20, q[49] = 1;
	memset(&o, 0, sizeof(o));
	o.sink = &sink;
	ngot = 0;
	ASSERT_NONNULL(d = c2c__dns_flow_new(false));
	c2c__dns_flow_ports(d, 137);
	ASSERT_OK(c2c__dns_flow_data(d, true, q, sizeof(q), &o));
	ASSERT_OK(c2c__dns_flow_finish(d, &o));
	ASSERT_EQ(ngot, 1);
	ASSERT_STR_EQ(got[0].u.dns.query, "FRED");
	c2c__dns_flow_free(d);
}

TEST_MAIN(names_and_answers, pointer_loops_and_bad_names, udp_pairs_query_and_reply,
    tcp_messages_split_and_joined, netbios_names_are_decoded)
