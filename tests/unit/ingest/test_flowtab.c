/* Flow table: Zeek conn.log semantics on synthetic decoded packets. C2C_TORTURE */
#include "ingest/flowtab.h"
#include "test.h"

#define MAXF 64
static struct c2c_flow got[MAXF];
static int ngot;
static struct c2c_obs gobs[MAXF];
static int nobs;
static uint64_t evoff;

static c2c_err
on_flow(void *ctx, const struct c2c_flow *f)
{
	(void)ctx;
	if (ngot < MAXF)
		got[ngot++] = *f;
	return C2C_OK;
}

static c2c_err
on_obs(void *ctx, const struct c2c_obs *o)
{
	(void)ctx;
	if (nobs < MAXF)
		gobs[nobs++] = *o;
	return C2C_OK;
}

static const struct c2c_sink sink = { NULL, on_flow, on_obs };
static struct c2c_ingest_stats st;

struct tpkt {
	uint8_t buf[2048];
	struct c2c_pkt pkt;
	struct c2c_decoded d;
};

static uint16_t
csum(const uint8_t *p, size_t n, uint32_t s)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		s += (uint32_t)p[i] << 8 | p[i + 1];
	if (n & 1)
		s += (uint32_t)p[n - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

/* An IPv4 packet with a TCP (proto 6), UDP (17) or ICMP (1) header and valid checksums. */
static void
mk(struct tpkt *t, uint8_t proto, const char *src, uint16_t sp, const char *dst, uint16_t dp,
    uint8_t flags, uint32_t seq, uint32_t ack, const char *payload, c2c_time ts)
{
	size_t plen = payload ? strlen(payload) : 0;
	size_t hl = proto == 6 ? 20 : 8;
	uint8_t *l4 = t->buf + 20;
	struct c2c_l4 *l = &t->d.l[0];
	uint32_t s = 0;

	memset(t, 0, sizeof(*t));
	ASSERT_OK(c2c_ip_parse(&l->src, src));
	ASSERT_OK(c2c_ip_parse(&l->dst, dst));
	t->buf[0] = 0x45;
	t->buf[2] = (uint8_t)((20 + hl + plen) >> 8);
	t->buf[3] = (uint8_t)(20 + hl + plen);
	t->buf[8] = 64;
	t->buf[9] = proto;
	memcpy(t->buf + 12, l->src.a + 12, 4);
	memcpy(t->buf + 16, l->dst.a + 12, 4);
	if (proto == 6) {
		l4[0] = (uint8_t)(sp >> 8), l4[1] = (uint8_t)sp, l4[2] = (uint8_t)(dp >> 8);
		l4[3] = (uint8_t)dp;
		for (int i = 0; i < 4; i++) {
			l4[4 + i] = (uint8_t)(seq >> (24 - 8 * i));
			l4[8 + i] = (uint8_t)(ack >> (24 - 8 * i));
		}
		l4[12] = 0x50;
		l4[13] = flags;
		l4[14] = 0x10;
	} else if (proto == 17) {
		l4[0] = (uint8_t)(sp >> 8), l4[1] = (uint8_t)sp, l4[2] = (uint8_t)(dp >> 8);
		l4[3] = (uint8_t)dp;
		l4[4] = (uint8_t)((8 + plen) >> 8);
		l4[5] = (uint8_t)(8 + plen);
	} else {
		l4[0] = (uint8_t)sp; /* type */
		l4[1] = (uint8_t)dp; /* code */
	}
	if (plen)
		memcpy(l4 + hl, payload, plen);
	if (proto != 1) {
		s += (uint32_t)c2c_be16(t->buf + 12) + c2c_be16(t->buf + 14) + c2c_be16(t->buf + 16) +
		    c2c_be16(t->buf + 18) + proto + (uint32_t)(hl + plen);
	}
	uint16_t ck = csum(l4, hl + plen, s);
	size_t ckoff = proto == 6 ? 16 : proto == 17 ? 6 : 2;
	l4[ckoff] = (uint8_t)(ck >> 8);
	l4[ckoff + 1] = (uint8_t)ck;
	l->proto = proto;
	l->sport = sp;
	l->dport = dp;
	l->ip_len = (uint32_t)(20 + hl + plen);
	l->l4_len = (uint32_t)(hl + plen);
	l->payload = l4 + hl;
	l->l4hdr = l4;
	l->l4_caplen = (uint32_t)(hl + plen);
	l->parent = -1;
	l->payload_caplen = l->payload_len = (uint32_t)plen;
	l->seq = seq;
	l->ack = ack;
	l->tcp_flags = flags;
	l->win = 0x1000;
	t->d.n = 1;
	t->pkt.ts = ts;
	t->pkt.data = t->buf;
	t->pkt.caplen = t->pkt.wirelen = (uint32_t)(20 + hl + plen);
	t->pkt.ev.input = 0;
	t->pkt.ev.rec = -1;
	t->pkt.ev.off = evoff;
	t->pkt.ev.len = t->pkt.caplen + 16;
	evoff += t->pkt.ev.len;
}

static struct c2c_flowtab *
table(uint32_t cap)
{
	struct c2c_flowtab_cfg cfg;
	struct c2c_flowtab *ft = NULL;
	memset(&cfg, 0, sizeof(cfg));
	cfg.max_flows = cap;
	cfg.tcp_inactivity = 300 * C2C_USEC;
	cfg.udp_inactivity = 60 * C2C_USEC;
	cfg.icmp_inactivity = 60 * C2C_USEC;
	cfg.community_id = true;
	cfg.observations = true;
	cfg.sink = &sink;
	cfg.st = &st;
	ngot = nobs = 0;
	evoff = 24;
	memset(&st, 0, sizeof(st));
	ASSERT_OK(c2c__flowtab_new(&cfg, &ft));
	return ft;
}

#define T(sec) ((c2c_time)((sec) * 1000000.0))
#define A "10.0.0.1"
#define B "192.0.2.9"

static void
feed(struct c2c_flowtab *ft, struct tpkt *t)
{
	ASSERT_OK(c2c__flowtab_packet(ft, &t->pkt, &t->d));
}

static void
tcp_full_connection_is_sf(void)
{
	struct c2c_flowtab *ft = table(0);
	struct tpkt t;
	mk(&t, 6, A, 40000, B, 80, 0x02, 1000, 0, NULL, T(1.0)), feed(ft, &t);
	mk(&t, 6, B, 80, A, 40000, 0x12, 5000, 1001, NULL, T(1.1)), feed(ft, &t);
	mk(&t, 6, A, 40000, B, 80, 0x10, 1001, 5001, NULL, T(1.2)), feed(ft, &t);
	mk(&t, 6, A, 40000, B, 80, 0x18, 1001, 5001, "GET / HTTP/1.1\r\nHost: x.test\r\n\r\n",
	    T(1.3)), feed(ft, &t);
	mk(&t, 6, B, 80, A, 40000, 0x18, 5001, 1033, "HTTP/1.1 200 OK\r\n\r\n", T(1.4)), feed(ft, &t);
	mk(&t, 6, A, 40000, B, 80, 0x11, 1033, 5020, NULL, T(1.5)), feed(ft, &t);
	mk(&t, 6, B, 80, A, 40000, 0x11, 5020, 1034, NULL, T(1.6)), feed(ft, &t);
	mk(&t, 6, A, 40000, B, 80, 0x10, 1034, 5021, NULL, T(1.7)), feed(ft, &t);
	ASSERT_EQ(ngot, 0);
	/* The close delay (5 s after the last packet) removes it before a later packet. */
	mk(&t, 17, "10.9.9.9", 1, "10.9.9.8", 2, 0, 0, 0, "x", T(7.0)), feed(ft, &t);
	ASSERT_EQ(ngot, 1);
	struct c2c_flow *f = &got[0];
	ASSERT_STR_EQ(c2c_conn_state_name((enum c2c_conn_state)f->state), "SF");
	ASSERT_STR_EQ(f->history, "ShADdFf");
	ASSERT_U64_EQ(f->orig_bytes, 32);
	ASSERT_U64_EQ(f->resp_bytes, 19);
	ASSERT_U64_EQ(f->orig_pkts, 5);
	ASSERT_U64_EQ(f->resp_pkts, 3);
	ASSERT_U64_EQ(f->orig_ip_bytes, 5 * 40 + 32);
	ASSERT_U64_EQ(f->resp_ip_bytes, 3 * 40 + 19);
	ASSERT_EQ(f->last - f->ts, T(0.6)); /* the final ACK comes after both FINs */
	ASSERT_EQ(f->orig_port, 40000);
	ASSERT_STR_EQ(f->service, "http");
	ASSERT(f->uid[0] == 'C' && strlen(f->uid) == 18);
	ASSERT(strncmp(f->community_id, "1:", 2) == 0);
	ASSERT(!(f->have & C2C_HAVE_OPEN));
	ASSERT_EQ(nobs, 1);
	ASSERT_STR_EQ(gobs[0].u.http.method, "GET");
	ASSERT_STR_EQ(gobs[0].u.http.host, "x.test");
	ASSERT_EQ(gobs[0].u.http.status, 200);
	ASSERT_STR_EQ(gobs[0].uid, f->uid);
	ASSERT_STR_EQ(gobs[0].community_id, f->community_id);
	ASSERT_OK(c2c__flowtab_finish(ft));
	ASSERT_EQ(ngot, 2);
	ASSERT(got[1].have & C2C_HAVE_OPEN);
	c2c__flowtab_free(ft);
}

static void
syn_only_and_attempt_timer(void)
{
	struct c2c_flowtab *ft = table(0);
	struct tpkt t;
	mk(&t, 6, A, 40001, B, 443, 0x02, 7, 0, NULL, T(10)), feed(ft, &t);
	mk(&t, 6, A, 40001, B, 443, 0x02, 7, 0, NULL, T(11)), feed(ft, &t); /* retransmission */
	mk(&t, 6, A, 40001, B, 443, 0x02, 7, 0, NULL, T(16)), feed(ft, &t); /* after 5 s: new */
	ASSERT_OK(c2c__flowtab_finish(ft));
	ASSERT_EQ(ngot, 2);
	ASSERT_STR_EQ(c2c_conn_state_name((enum c2c_conn_state)got[0].state), "S0");
	ASSERT_STR_EQ(got[0].history, "S");
	ASSERT_U64_EQ(got[0].orig_pkts, 2);
	ASSERT_U64_EQ(got[0].orig_bytes, 0);
	ASSERT_U64_EQ(st.n[C2C_ST_FLOW_TIMED_OUT], 1);
	c2c__flowtab_free(ft);
}

static void
rejected_and_rst_states(void)
{
	struct c2c_flowtab *ft = table(0);
	struct tpkt t;
	mk(&t, 6, A, 40002, B, 22, 0x02, 100, 0, NULL, T(1)), feed(ft, &t);
	mk(&t, 6, B, 22, A, 40002, 0x14, 0, 101, NULL, T(1.01)), feed(ft, &t);
	/* SYN then RST from the originator, no answer: RSTOS0. */
	mk(&t, 6, A, 40003, B, 23, 0x02, 100, 0, NULL, T(2)), feed(ft, &t);
	mk(&t, 6, A, 40003, B, 23, 0x04, 101, 0, NULL, T(2.5)), feed(ft, &t);
	/* Established then responder reset: RSTR. */
	mk(&t, 6, A, 40004, B, 25, 0x02, 1, 0, NULL, T(3)), feed(ft, &t);
	mk(&t, 6, B, 25, A, 40004, 0x12, 9, 2, NULL, T(3.1)), feed(ft, &t);
	mk(&t, 6, A, 40004, B, 25, 0x10, 2, 10, NULL, T(3.2)), feed(ft, &t);
	mk(&t, 6, B, 25, A, 40004, 0x14, 10, 2, NULL, T(3.3)), feed(ft, &t);
	ASSERT_OK(c2c__flowtab_finish(ft));
	ASSERT_EQ(ngot, 3);
	ASSERT_STR_EQ(c2c_conn_state_name((enum c2c_conn_state)got[0].state), "REJ");
	ASSERT_STR_EQ(got[0].history, "Sr");
	ASSERT_STR_EQ(c2c_conn_state_name((enum c2c_conn_state)got[1].state), "RSTOS0");
	ASSERT_STR_EQ(got[1].history, "SR");
	ASSERT_STR_EQ(c2c_conn_state_name((enum c2c_conn_state)got[2].state), "RSTR");
	ASSERT_STR_EQ(got[2].history, "ShAr");
	c2c__flowtab_free(ft);
}

static void
synack_first_flips(void)
{
	struct c2c_flowtab *ft = table(0);
	struct tpkt t;
	mk(&t, 6, B, 80, A, 50000, 0x12, 5000, 1001, NULL, T(1)), feed(ft, &t);
	mk(&t, 6, A, 50000, B, 80, 0x10, 1001, 5001, NULL, T(1.1)), feed(ft, &t);
	mk(&t, 6, A, 50000, B, 80, 0x18, 1001, 5001, "abcd", T(1.2)), feed(ft, &t);
	ASSERT_OK(c2c__flowtab_finish(ft));
	ASSERT_EQ(ngot, 1);
	char buf[C2C_IP_STRLEN];
	ASSERT_STR_EQ(c2c_ip_format(&got[0].orig, buf, sizeof(buf)), A);
	ASSERT_EQ(got[0].resp_port, 80);
	ASSERT_STR_EQ(got[0].history, "^hAD");
	ASSERT_U64_EQ(got[0].orig_pkts, 2);
	ASSERT_U64_EQ(got[0].resp_pkts, 1);
	ASSERT_STR_EQ(c2c_conn_state_name((enum c2c_conn_state)got[0].state), "S1");
	c2c__flowtab_free(ft);
}

static void
sequence_wraparound(void)
{
	struct c2c_flowtab *ft = table(0);
	struct tpkt t;
	uint32_t isn = 0xfffffff0u;
	char data[101];
	memset(data, 'x', 100);
	data[100] = '\0';
	mk(&t, 6, A, 40010, B, 9000, 0x02, isn, 0, NULL, T(1)), feed(ft, &t);
	mk(&t, 6, B, 9000, A, 40010, 0x12, 77, isn + 1, NULL, T(1.1)), feed(ft, &t);
	mk(&t, 6, A, 40010, B, 9000, 0x18, isn + 1, 78, data, T(1.2)), feed(ft, &t);
	mk(&t, 6, A, 40010, B, 9000, 0x18, isn + 101, 78, data, T(1.3)), feed(ft, &t);
	mk(&t, 6, A, 40010, B, 9000, 0x18, isn + 1, 78, data, T(1.4)), feed(ft, &t); /* rexmit */
	ASSERT_OK(c2c__flowtab_finish(ft));
	ASSERT_EQ(ngot, 1);
	ASSERT_U64_EQ(got[0].orig_bytes, 200);
	ASSERT_STR_EQ(got[0].history, "ShDT");
	c2c__flowtab_free(ft);
}

static void
udp_dns_and_timeout(void)
{
	static const uint8_t q[] = { 0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 3, 'w', 'w',
		'w', 7, 'E', 'x', 'a', 'm', 'p', 'l', 'e', 0, 0, 1, 0, 1 };
	static const uint8_t r[] = { 0x12, 0x34, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0, 3, 'w', 'w',
		'w', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0, 0, 1, 0, 1, 0xc0, 12, 0, 1, 0, 1, 0, 0,
		0, 60, 0, 4, 93, 184, 216, 34 };
	char qs[sizeof(q) + 1], rs[sizeof(r) + 1];
	struct c2c_flowtab *ft = table(0);
	struct tpkt t;
	/* mk() takes a C string; patch the bytes in afterwards. */
	memset(qs, 'q', sizeof(q));
	qs[sizeof(q)] = '\0';
	memset(rs, 'r', sizeof(r));
	rs[sizeof(r)] = '\0';
	mk(&t, 17, A, 5555, B, 53, 0, 0, 0, qs, T(1)), memcpy(t.buf + 28, q, sizeof(q));
	t.pkt.data = t.buf;
	{
		/* recompute the UDP checksum after patching */
		uint32_t s = (uint32_t)c2c_be16(t.buf + 12) + c2c_be16(t.buf + 14) +
		    c2c_be16(t.buf + 16) + c2c_be16(t.buf + 18) + 17 + (uint32_t)(8 + sizeof(q));
		t.buf[26] = t.buf[27] = 0;
		uint16_t ck = csum(t.buf + 20, 8 + sizeof(q), s);
		t.buf[26] = (uint8_t)(ck >> 8), t.buf[27] = (uint8_t)ck;
	}
	feed(ft, &t);
	mk(&t, 17, B, 53, A, 5555, 0, 0, 0, rs, T(1.05)), memcpy(t.buf + 28, r, sizeof(r));
	t.buf[26] = t.buf[27] = 0; /* no checksum (IPv4 allows it) */
	feed(ft, &t);
	mk(&t, 17, A, 5555, B, 53, 0, 0, 0, "late", T(100)), feed(ft, &t);
	ASSERT_EQ(ngot, 1);
	ASSERT_STR_EQ(c2c_conn_state_name((enum c2c_conn_state)got[0].state), "SF");
	ASSERT_STR_EQ(got[0].history, "Dd");
	ASSERT_U64_EQ(got[0].orig_bytes, sizeof(q));
	ASSERT_U64_EQ(got[0].resp_bytes, sizeof(r));
	ASSERT_EQ(nobs, 1);
	ASSERT_EQ(gobs[0].kind, C2C_OBS_DNS);
	ASSERT_STR_EQ(gobs[0].u.dns.query, "www.example");
	ASSERT_EQ(gobs[0].u.dns.rcode, 0);
	ASSERT_EQ(gobs[0].u.dns.n_answers, 1);
	ASSERT_EQ(gobs[0].u.dns.rtt, T(0.05));
	ASSERT_OK(c2c__flowtab_finish(ft));
	ASSERT_EQ(ngot, 2);
	ASSERT_STR_EQ(got[1].history, "D");
	ASSERT_STR_EQ(c2c_conn_state_name((enum c2c_conn_state)got[1].state), "S0");
	ASSERT_U64_EQ(st.n[C2C_ST_DNS_MALFORMED], 1); /* "late" is not DNS */
	c2c__flowtab_free(ft);
}

static void
udp_flip_to_server_port(void)
{
	struct c2c_flowtab *ft = table(0);
	struct tpkt t;
	mk(&t, 17, B, 53, A, 33333, 0, 0, 0, "zz", T(1)), feed(ft, &t);
	ASSERT_OK(c2c__flowtab_finish(ft));
	ASSERT_EQ(ngot, 1);
	ASSERT_EQ(got[0].resp_port, 53);
	ASSERT_STR_EQ(got[0].history, "^d");
	ASSERT_STR_EQ(c2c_conn_state_name((enum c2c_conn_state)got[0].state), "SHR");
	c2c__flowtab_free(ft);
}

static void
icmp_pairs_and_one_way(void)
{
	struct c2c_flowtab *ft = table(0);
	struct tpkt t;
	mk(&t, 1, A, 8, B, 0, 0, 0, 0, "pingpingpingping", T(1)), feed(ft, &t);
	mk(&t, 1, B, 0, A, 0, 0, 0, 0, "pingpingpingping", T(1.01)), feed(ft, &t);
	mk(&t, 1, B, 3, A, 3, 0, 0, 0, "unreach-context-bytes", T(1.02)), feed(ft, &t);
	ASSERT_OK(c2c__flowtab_finish(ft));
	ASSERT_EQ(ngot, 2);
	ASSERT_EQ(got[0].orig_port, 8);
	ASSERT_EQ(got[0].resp_port, 0);
	ASSERT_U64_EQ(got[0].orig_pkts, 1);
	ASSERT_U64_EQ(got[0].resp_pkts, 1);
	ASSERT_U64_EQ(got[0].orig_bytes, 16);
	ASSERT_STR_EQ(c2c_conn_state_name((enum c2c_conn_state)got[0].state), "OTH");
	ASSERT_EQ(got[1].orig_port, 3);
	ASSERT_EQ(got[1].resp_port, 3);
	c2c__flowtab_free(ft);
}

static void
bad_checksum_is_dropped(void)
{
	struct c2c_flowtab *ft = table(0);
	struct tpkt t;
	mk(&t, 6, A, 40020, B, 80, 0x02, 1, 0, NULL, T(1));
	t.buf[20 + 16] ^= 0xff;
	feed(ft, &t);
	ASSERT_OK(c2c__flowtab_finish(ft));
	ASSERT_EQ(ngot, 1);
	ASSERT_STR_EQ(got[0].history, "C");
	ASSERT_U64_EQ(got[0].orig_pkts, 0);
	ASSERT_STR_EQ(c2c_conn_state_name((enum c2c_conn_state)got[0].state), "OTH");
	ASSERT_U64_EQ(st.n[C2C_ST_FLOW_BAD_CHECKSUM], 1);
	c2c__flowtab_free(ft);
}

static void
cap_evicts_and_counts(void)
{
	struct c2c_flowtab *ft = table(4);
	struct tpkt t;
	for (int i = 0; i < 10; i++) {
		mk(&t, 17, A, (uint16_t)(1000 + i), B, 9999, 0, 0, 0, "x", T(1 + i * 0.001));
		feed(ft, &t);
		ASSERT(c2c__flowtab_count(ft) <= 4);
	}
	ASSERT_EQ(ngot, 6);
	ASSERT_U64_EQ(st.n[C2C_ST_FLOW_EVICTED_CAP], 6);
	ASSERT_EQ(got[0].orig_port, 1000); /* the one due first goes first */
	ASSERT(got[0].have & C2C_HAVE_OPEN);
	ASSERT_OK(c2c__flowtab_finish(ft));
	ASSERT_EQ(ngot, 10);
	ASSERT_U64_EQ(st.n[C2C_ST_FLOW_OPEN_AT_END], 4);
	c2c__flowtab_free(ft);
}

static void
end_order_is_by_start(void)
{
	struct c2c_flowtab *ft = table(0);
	struct tpkt t;
	for (int i = 0; i < 20; i++) {
		mk(&t, 17, A, (uint16_t)(2000 + (i * 7919) % 20), B, 1234, 0, 0, 0, "y",
		    T(1 + i * 0.01));
		feed(ft, &t);
	}
	ASSERT_OK(c2c__flowtab_finish(ft));
	ASSERT_EQ(ngot, 20);
	for (int i = 1; i < 20; i++)
		ASSERT(got[i - 1].ts < got[i].ts);
	c2c__flowtab_free(ft);
}

TEST_MAIN(tcp_full_connection_is_sf, syn_only_and_attempt_timer, rejected_and_rst_states,
    synack_first_flips, sequence_wraparound, udp_dns_and_timeout, udp_flip_to_server_port,
    icmp_pairs_and_one_way, bad_checksum_is_dropped, cap_evicts_and_counts,
    end_order_is_by_start)
