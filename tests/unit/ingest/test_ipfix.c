/* IPFIX decoding (RFC 7011/7012, RFC 5103 biflows, RFC 5655 files). C2C_TORTURE */
#include "exp_build.h"

/* Template 256: sourceIPv4Address, destinationIPv4Address, ports, protocol, octetDeltaCount,
 * packetDeltaCount, flowStartMilliseconds, flowEndMilliseconds, an enterprise element (PEN
 * 9999, id 7, 3 bytes) and a variable-length enterprise string; optionally the RFC 5103
 * reverse octet and packet counts. */
static void
tmpl_256(struct mb *m, bool biflow)
{
	size_t s = mb_set(m, 2);
	mb_u16(m, 256);
	mb_u16(m, biflow ? 13 : 11);
	mb_u16(m, 8); mb_u16(m, 4);
	mb_u16(m, 12); mb_u16(m, 4);
	mb_u16(m, 7); mb_u16(m, 2);
	mb_u16(m, 11); mb_u16(m, 2);
	mb_u16(m, 4); mb_u16(m, 1);
	mb_u16(m, 1); mb_u16(m, 8);
	mb_u16(m, 2); mb_u16(m, 4); /* reduced-size packetDeltaCount */
	mb_u16(m, 152); mb_u16(m, 8);
	mb_u16(m, 153); mb_u16(m, 8);
	mb_u16(m, 0x8000 | 7); mb_u16(m, 3); mb_u32(m, 9999);
	mb_u16(m, 0x8000 | 8); mb_u16(m, 65535); mb_u32(m, 9999);
	if (biflow) {
		mb_u16(m, 0x8000 | 1); mb_u16(m, 8); mb_u32(m, 29305);
		mb_u16(m, 0x8000 | 2); mb_u16(m, 8); mb_u32(m, 29305);
	}
	mb_set_len(m, s);
}

static void
rec_256(struct mb *m, uint8_t last_octet, uint64_t bytes, const char *vstr, bool biflow)
{
	static const uint8_t ent[3] = { 1, 2, 3 };
	uint64_t t0 = 1700000000000ull;
	mb_u32(m, 0x0a000000u | last_octet);
	mb_u32(m, 0xc0000201);
	mb_u16(m, 40000);
	mb_u16(m, 443);
	mb_u8(m, 6);
	mb_u32(m, (uint32_t)(bytes >> 32));
	mb_u32(m, (uint32_t)bytes);
	mb_u32(m, 10);
	mb_u32(m, (uint32_t)(t0 >> 32)); mb_u32(m, (uint32_t)t0);
	mb_u32(m, (uint32_t)((t0 + 2500) >> 32)); mb_u32(m, (uint32_t)(t0 + 2500));
	mb_bytes(m, ent, 3);
	if (strlen(vstr) < 255) {
		mb_u8(m, (unsigned)strlen(vstr));
	} else {
		mb_u8(m, 255);
		mb_u16(m, (unsigned)strlen(vstr));
	}
	mb_bytes(m, vstr, strlen(vstr));
	if (biflow) {
		mb_u32(m, 0); mb_u32(m, 5000);
		mb_u32(m, 0); mb_u32(m, 7);
	}
}

static void
template_and_data_with_enterprise_and_varlen(void)
{
	struct env e;
	struct mb *m = calloc(1, sizeof(*m));
	char longstr[300];
	size_t s;
	ASSERT(m != NULL);
	memset(longstr, 'x', sizeof(longstr) - 1);
	longstr[sizeof(longstr) - 1] = 0;
	env_init(&e);
	mb_ipfix(m, 1700000010, 0, 42);
	tmpl_256(m, false);
	s = mb_set(m, 256);
	rec_256(m, 1, 1234, "abc", false);
	rec_256(m, 2, 99, longstr, false); /* 3-byte length prefix */
	mb_u8(m, 0); /* set padding */
	mb_set_len(m, s);
	mb_ipfix_end(m);
	env_feed(&e, NULL, m, 1000);
	ASSERT_EQ(e.c.n, 2);
	ASSERT_EQ(e.c.f[0].src, C2C_SRC_IPFIX);
	ASSERT_EQ(c2c_ip_v4(&e.c.f[0].orig), 0x0a000001);
	ASSERT_EQ(c2c_ip_v4(&e.c.f[1].orig), 0x0a000002);
	ASSERT_EQ(e.c.f[0].resp_port, 443);
	ASSERT_EQ(e.c.f[0].proto, 6);
	ASSERT_U64_EQ(e.c.f[0].orig_ip_bytes, 1234);
	ASSERT_U64_EQ(e.c.f[0].orig_pkts, 10);
	ASSERT_EQ(e.c.f[0].ts, 1700000000000000LL);
	ASSERT_EQ(e.c.f[0].last, 1700000002500000LL);
	ASSERT(e.c.f[0].have & C2C_HAVE_DURATION);
	ASSERT(!(e.c.f[0].have & C2C_HAVE_RESP_COUNTERS));
	/* evidence: message offset and length, record index (the template is record 0) */
	ASSERT_EQ(e.c.f[0].first_ev.input, 7);
	ASSERT_U64_EQ(e.c.f[0].first_ev.off, 1000);
	ASSERT_EQ(e.c.f[0].first_ev.len, m->n);
	ASSERT_EQ(e.c.f[0].first_ev.rec, 1);
	ASSERT_EQ(e.c.f[1].first_ev.rec, 2);
	ASSERT_EQ(e.c.f[1].tmpl_ev.rec, 0);
	ASSERT_EQ(e.c.f[1].tmpl_ev.len, m->n);
	ASSERT_EQ(e.c.f[0].obs_domain, 42);
	ASSERT_U64_EQ(e.st.n[C2C_ST_NF_MALFORMED], 0);
	ASSERT_U64_EQ(e.st.n[C2C_ST_NF_UNKNOWN_FIELDS], 2); /* the two enterprise elements */
	ASSERT_U64_EQ(e.st.n[C2C_ST_NF_TEMPLATES], 1);
	env_fini(&e);
	free(m);
}

static void
biflow_is_one_flow(void)
{
	struct env e;
	struct mb *m = calloc(1, sizeof(*m));
	size_t s;
	ASSERT(m != NULL);
	env_init(&e);
	mb_ipfix(m, 1700000010, 0, 1);
	tmpl_256(m, true);
	s = mb_set(m, 256);
	rec_256(m, 9, 300, "", true);
	mb_set_len(m, s);
	mb_ipfix_end(m);
	env_feed(&e, NULL, m, 0);
	ASSERT_EQ(e.c.n, 1);
	ASSERT(e.c.f[0].have & C2C_HAVE_RESP_COUNTERS);
	ASSERT_U64_EQ(e.c.f[0].orig_ip_bytes, 300);
	ASSERT_U64_EQ(e.c.f[0].resp_ip_bytes, 5000);
	ASSERT_U64_EQ(e.c.f[0].resp_pkts, 7);
	ASSERT_U64_EQ(e.st.n[C2C_ST_NF_BIFLOWS], 1);
	env_fini(&e);
	free(m);
}

static void
withdrawal_and_refresh(void)
{
	struct env e;
	struct mb *m = calloc(1, sizeof(*m));
	size_t s;
	ASSERT(m != NULL);
	env_init(&e);
	/* define, then withdraw 256 in the next message: its data is no longer decodable */
	mb_ipfix(m, 1700000010, 0, 1);
	tmpl_256(m, false);
	mb_ipfix_end(m);
	env_feed(&e, NULL, m, 0);
	mb_ipfix(m, 1700000011, 0, 1);
	s = mb_set(m, 2);
	mb_u16(m, 256);
	mb_u16(m, 0);
	mb_set_len(m, s);
	s = mb_set(m, 256);
	rec_256(m, 1, 1, "", false);
	mb_set_len(m, s);
	mb_ipfix_end(m);
	env_feed(&e, NULL, m, 100);
	ASSERT_EQ(e.c.n, 0);
	ASSERT_U64_EQ(e.st.n[C2C_ST_NF_WITHDRAWN], 1);
	ASSERT_U64_EQ(e.st.n[C2C_ST_NF_NO_TEMPLATE], 1);
	/* refresh with a different definition: 256 becomes just sourceIPv4Address */
	mb_ipfix(m, 1700000012, 0, 1);
	s = mb_set(m, 2);
	mb_u16(m, 256);
	mb_u16(m, 1);
	mb_u16(m, 8);
	mb_u16(m, 4);
	mb_set_len(m, s);
	s = mb_set(m, 256);
	mb_u32(m, 0x01020304);
	mb_set_len(m, s);
	mb_ipfix_end(m);
	env_feed(&e, NULL, m, 200);
	ASSERT_EQ(e.c.n, 1);
	ASSERT_EQ(c2c_ip_v4(&e.c.f[0].orig), 0x01020304);
	ASSERT_U64_EQ(e.c.f[0].tmpl_ev.off, 200);
	/* template id 2 with no fields withdraws every template of the domain */
	mb_ipfix(m, 1700000013, 1, 1);
	s = mb_set(m, 2);
	mb_u16(m, 2);
	mb_u16(m, 0);
	mb_set_len(m, s);
	mb_ipfix_end(m);
	env_feed(&e, NULL, m, 300);
	ASSERT_EQ(c2c__exp_templates(e.x), 0);
	env_fini(&e);
	free(m);
}

static void
templates_are_scoped_by_exporter_and_domain(void)
{
	struct env e;
	struct mb *m = calloc(1, sizeof(*m));
	struct c2c_ip a, b;
	size_t s;
	ASSERT(m != NULL);
	env_init(&e);
	ASSERT_OK(c2c_ip_parse(&a, "192.0.2.1"));
	ASSERT_OK(c2c_ip_parse(&b, "2001:db8::1"));
	mb_ipfix(m, 1700000010, 0, 5);
	tmpl_256(m, false);
	mb_ipfix_end(m);
	env_feed(&e, &a, m, 0);
	/* same id from another exporter, and from another domain of the same exporter: unknown */
	mb_ipfix(m, 1700000010, 0, 5);
	s = mb_set(m, 256);
	rec_256(m, 1, 1, "", false);
	mb_set_len(m, s);
	mb_ipfix_end(m);
	env_feed(&e, &b, m, 0);
	m->b[15] = 6;
	env_feed(&e, &a, m, 0);
	ASSERT_EQ(e.c.n, 0);
	ASSERT_U64_EQ(e.st.n[C2C_ST_NF_NO_TEMPLATE], 2);
	m->b[15] = 5;
	env_feed(&e, &a, m, 0);
	ASSERT_EQ(e.c.n, 1);
	ASSERT(c2c_ip_eq(&e.c.f[0].exporter, &a));
	env_fini(&e);
	free(m);
}

static void
sampling_from_options_data(void)
{
	struct env e;
	struct mb *m = calloc(1, sizeof(*m));
	size_t s;
	ASSERT(m != NULL);
	env_init(&e);
	mb_ipfix(m, 1700000010, 0, 1);
	/* options template 300: scope selectorId (302), samplingPacketInterval, ...Space */
	s = mb_set(m, 3);
	mb_u16(m, 300);
	mb_u16(m, 3);
	mb_u16(m, 1);
	mb_u16(m, 302); mb_u16(m, 2);
	mb_u16(m, 305); mb_u16(m, 4);
	mb_u16(m, 306); mb_u16(m, 4);
	mb_set_len(m, s);
	/* template 257: sourceIPv4Address, selectorId */
	s = mb_set(m, 2);
	mb_u16(m, 257);
	mb_u16(m, 2);
	mb_u16(m, 8); mb_u16(m, 4);
	mb_u16(m, 302); mb_u16(m, 1);
	mb_set_len(m, s);
	s = mb_set(m, 300);
	mb_u16(m, 3); mb_u32(m, 1); mb_u32(m, 99); /* selector 3: 1 in 100 */
	mb_set_len(m, s);
	s = mb_set(m, 257);
	mb_u32(m, 0x0a000001); mb_u8(m, 3);
	mb_u32(m, 0x0a000002); mb_u8(m, 4); /* unknown selector */
	mb_set_len(m, s);
	mb_ipfix_end(m);
	env_feed(&e, NULL, m, 0);
	ASSERT_EQ(e.c.n, 2);
	ASSERT_EQ(e.c.f[0].sampling, 100);
	ASSERT(e.c.f[0].have & C2C_HAVE_SAMPLING);
	ASSERT_EQ(e.c.f[1].sampling, 0);
	ASSERT_EQ(e.info.sampling, 100);
	ASSERT_U64_EQ(e.st.n[C2C_ST_NF_OPTIONS_RECORDS], 1);
	env_fini(&e);
	free(m);
}

static void
sequence_gaps_are_measured_loss(void)
{
	struct env e;
	struct mb *m = calloc(1, sizeof(*m));
	size_t s;
	ASSERT(m != NULL);
	env_init(&e);
	for (uint32_t k = 0; k < 3; k++) {
		/* records 0..1, then 2..3, then 9..10: 5 records lost */
		mb_ipfix(m, 1700000010, k < 2 ? 2 * k : 9, 1);
		if (k == 0)
			tmpl_256(m, false);
		s = mb_set(m, 256);
		rec_256(m, 1, 1, "", false);
		rec_256(m, 2, 1, "", false);
		mb_set_len(m, s);
		mb_ipfix_end(m);
		env_feed(&e, NULL, m, 0);
	}
	ASSERT_EQ(e.c.n, 6);
	ASSERT_U64_EQ(e.st.n[C2C_ST_NF_SEQ_GAPS], 5);
	ASSERT_U64_EQ(e.info.loss, 5);
	env_fini(&e);
	free(m);
}

static void
caps_and_malformed_sets(void)
{
	struct env e;
	struct mb *m = calloc(1, sizeof(*m));
	size_t s;
	ASSERT(m != NULL);
	env_init(&e);
	/* a template of 300 fields is refused */
	mb_ipfix(m, 1700000010, 0, 1);
	s = mb_set(m, 2);
	mb_u16(m, 400);
	mb_u16(m, 300);
	for (int i = 0; i < 300; i++) {
		mb_u16(m, 8);
		mb_u16(m, 4);
	}
	mb_set_len(m, s);
	mb_ipfix_end(m);
	env_feed(&e, NULL, m, 0);
	ASSERT_U64_EQ(e.st.n[C2C_ST_NF_TEMPLATE_LIMIT], 1);
	ASSERT_EQ(c2c__exp_templates(e.x), 0);
	/* a set longer than its message, a reserved set id, a template id below 256 */
	mb_ipfix(m, 1700000010, 0, 1);
	s = mb_set(m, 5);
	mb_u32(m, 0);
	mb_set_len(m, s);
	s = mb_set(m, 2);
	mb_u16(m, 7);
	mb_u16(m, 1);
	mb_u16(m, 8);
	mb_u16(m, 4);
	mb_set_len(m, s);
	mb_u16(m, 256);
	mb_u16(m, 2000);
	mb_ipfix_end(m);
	env_feed(&e, NULL, m, 0);
	ASSERT_U64_EQ(e.st.n[C2C_ST_NF_MALFORMED], 3);
	/* every truncation of a valid message is survivable */
	mb_ipfix(m, 1700000010, 0, 1);
	tmpl_256(m, true);
	s = mb_set(m, 256);
	rec_256(m, 1, 1, "hello", true);
	mb_set_len(m, s);
	mb_ipfix_end(m);
	for (size_t cut = 0; cut < m->n; cut++)
		ASSERT_OK(c2c__exp_message(e.x, NULL, m->b, cut, 0, &e.out));
	env_fini(&e);
	free(m);
}

static void
ipfix_file_reads_as_input(void)
{
	struct mb *m = calloc(1, sizeof(*m));
	struct c2c_input_info info;
	struct c2c_ingest_stats st;
	struct coll c;
	struct c2c_sink sink = { &c, coll_flow, NULL };
	char path[512];
	FILE *fp;
	size_t s;
	ASSERT(m != NULL);
	memset(&c, 0, sizeof(c));
	memset(&st, 0, sizeof(st));
	mb_ipfix(m, 1700000010, 0, 1);
	tmpl_256(m, false);
	s = mb_set(m, 256);
	rec_256(m, 1, 1, "", false);
	mb_set_len(m, s);
	mb_ipfix_end(m);
	(void)snprintf(path, sizeof(path), "%s/two.ipfix", test_tmpdir());
	fp = fopen(path, "wb");
	ASSERT(fp != NULL);
	ASSERT(fwrite(m->b, 1, m->n, fp) == m->n);
	/* second message: data only, seq 1 */
	{
		size_t first = m->n;
		mb_ipfix(m, 1700000011, 1, 1);
		s = mb_set(m, 256);
		rec_256(m, 3, 1, "", false);
		mb_set_len(m, s);
		mb_ipfix_end(m);
		ASSERT(fwrite(m->b, 1, m->n, fp) == m->n);
		ASSERT(fclose(fp) == 0);
		ASSERT_OK(c2c_ingest_file(path, 3, NULL, &sink, &info, &st, NULL));
		ASSERT_EQ(info.format, C2C_FMT_IPFIX);
		ASSERT_EQ(c.n, 2);
		ASSERT_U64_EQ(c.f[1].first_ev.off, first);
		ASSERT_U64_EQ(c.f[1].tmpl_ev.off, 0);
		ASSERT_EQ(c.f[1].first_ev.input, 3);
		ASSERT_U64_EQ(info.records, 2);
		ASSERT_U64_EQ(info.loss, 0);
	}
	free(m);
}

/* The compiled record path (fixed-length templates, no raw view) and the field-by-field path
 * (taken whenever a view is attached) give byte-identical flows, for templates that cover
 * every load width, reduced-size encoding, IPv6, reverse elements, ICMP, VLAN and sampling. */
static void
view_nop(void *ctx, const struct c2c_exp_view *v)
{
	(void)ctx;
	(void)v;
}

static void
compiled_and_split_paths_agree(void)
{
	static const uint16_t t300[][2] = { /* id, length */
		{ 8, 4 }, { 12, 4 }, { 7, 2 }, { 11, 2 }, { 4, 1 }, { 1, 3 }, { 2, 8 },
		{ 152, 8 }, { 153, 8 }, { 58, 2 }, { 34, 4 }, { 6, 1 }, { 10, 4 },
	};
	static const uint16_t t301[][2] = {
		{ 27, 16 }, { 28, 16 }, { 4, 1 }, { 176, 1 }, { 177, 1 }, { 85, 8 }, { 86, 4 },
		{ 150, 4 }, { 161, 4 }, { 48, 1 },
	};
	struct env a, b;
	struct mb *m = calloc(1, sizeof(*m));
	size_t s;
	ASSERT(m != NULL);
	env_init(&a);
	env_init(&b);
	b.out.view = view_nop;
	mb_ipfix(m, 1700000000, 0, 9);
	s = mb_set(m, 2);
	mb_u16(m, 300);
	mb_u16(m, 13 + 1);
	for (size_t i = 0; i < 13; i++) {
		mb_u16(m, t300[i][0]);
		mb_u16(m, t300[i][1]);
	}
	mb_u16(m, 0x8000 | 1); /* reverse octetDeltaCount (RFC 5103) */
	mb_u16(m, 4);
	mb_u32(m, C2C_PEN_REVERSE);
	mb_u16(m, 301);
	mb_u16(m, 10);
	for (size_t i = 0; i < 10; i++) {
		mb_u16(m, t301[i][0]);
		mb_u16(m, t301[i][1]);
	}
	mb_set_len(m, s);
	s = mb_set(m, 300);
	for (uint32_t r = 0; r < 5; r++) {
		mb_u32(m, 0x0a000000u + r);
		mb_u32(m, 0xc0000201u);
		mb_u16(m, r == 2 ? 0 : 40000 + r);
		mb_u16(m, r == 2 ? 0x0300 : 443); /* record 2: ICMP type 3 in the port */
		mb_u8(m, r == 2 ? 1 : 6);
		mb_u8(m, 0); mb_u16(m, 1000 * r + 7); /* 3-byte octets */
		mb_u32(m, 0); mb_u32(m, r + 1);
		mb_u32(m, 0x18b); mb_u32(m, 0xcfee6000u + r); /* ms since 1970 */
		mb_u32(m, 0x18b); mb_u32(m, 0xcfee7000u + r);
		mb_u16(m, 0x1000 | (100 + r));
		mb_u32(m, r == 4 ? 0 : 10 * r);
		mb_u8(m, 0x12);
		mb_u32(m, 3);
		mb_u32(m, 5000 + r);
	}
	mb_set_len(m, s);
	s = mb_set(m, 301);
	for (uint32_t r = 0; r < 3; r++) {
		uint8_t v6[16] = { 0x20, 0x01, 0x0d, 0xb8 };
		v6[15] = (uint8_t)r;
		mb_bytes(m, v6, 16);
		v6[15] = 0xff;
		mb_bytes(m, v6, 16);
		mb_u8(m, 58);
		mb_u8(m, 128 + r);
		mb_u8(m, r);
		mb_u32(m, 0); mb_u32(m, 70000 + r);
		mb_u32(m, 9 + r);
		mb_u32(m, 1699999990u + r);
		mb_u32(m, 1500 + r);
		mb_u8(m, r);
	}
	mb_set_len(m, s);
	mb_ipfix_end(m);
	env_feed(&a, NULL, m, 0);
	env_feed(&b, NULL, m, 0);
	ASSERT_EQ(a.c.n, 8);
	ASSERT_EQ(b.c.n, 8);
	{
		/* both templates were compiled, so `a` took the compiled path */
		size_t fast = 0;
		for (size_t i = 0; i < C2C_EXP_TSLOTS; i++) {
			const struct c2c_exp_tmpl *t = a.x->tslots[i];
			fast += t != NULL && t != C2C_EXP_TOMB && t->fast;
		}
		ASSERT_EQ(fast, 2);
	}
	for (size_t i = 0; i < a.c.n; i++)
		ASSERT(memcmp(&a.c.f[i], &b.c.f[i], sizeof(a.c.f[i])) == 0);
	ASSERT(memcmp(a.st.n, b.st.n, sizeof(a.st.n)) == 0);
	/* and the values are the ones encoded */
	ASSERT_U64_EQ(a.c.f[1].orig_ip_bytes, 1007);
	ASSERT_U64_EQ(a.c.f[1].orig_pkts, 2);
	ASSERT_U64_EQ(a.c.f[1].resp_ip_bytes, 5001);
	ASSERT_EQ(a.c.f[1].vlan, 101);
	ASSERT_EQ(a.c.f[1].sampling, 10);
	ASSERT_EQ(a.c.f[2].orig_port, 3); /* ICMP type, code 0 */
	ASSERT_EQ(a.c.f[2].resp_port, 0);
	ASSERT_EQ(a.c.f[5].orig.family, 6);
	ASSERT_EQ(a.c.f[6].orig_port, 129);
	ASSERT_EQ(a.c.f[6].resp_port, 1);
	ASSERT_U64_EQ(a.c.f[6].orig_ip_bytes, 70001);
	ASSERT_EQ(a.c.f[6].last - a.c.f[6].ts, 1501 * 1000);
	ASSERT_U64_EQ(a.st.n[C2C_ST_NF_BIFLOWS], 5);
	env_fini(&a);
	env_fini(&b);
	free(m);
}

/* flowStart/EndSysUpTime against systemInitTimeMilliseconds from options data (softflowd's
 * IPFIX layout): before the options record the flow takes the export time, after it the
 * uptimes placed on the init time; the compiled path agrees with the split path. */
static void
uptime_times_from_system_init(void)
{
	struct env a, b;
	struct mb *m = calloc(1, sizeof(*m));
	size_t s;
	ASSERT(m != NULL);
	env_init(&a);
	env_init(&b);
	b.out.view = view_nop;
	for (uint32_t k = 0; k < 2; k++) {
		mb_ipfix(m, 1700000100, 3 * k, 7);
		s = mb_set(m, 2);
		mb_u16(m, 302);
		mb_u16(m, 6);
		mb_u16(m, 8); mb_u16(m, 4);
		mb_u16(m, 12); mb_u16(m, 4);
		mb_u16(m, 22); mb_u16(m, 4);
		mb_u16(m, 21); mb_u16(m, 4);
		mb_u16(m, 1); mb_u16(m, 4);
		mb_u16(m, 2); mb_u16(m, 4);
		mb_set_len(m, s);
		if (k == 1) {
			/* options template 256: scope observationDomainId, systemInitTimeMilliseconds */
			s = mb_set(m, 3);
			mb_u16(m, 256);
			mb_u16(m, 2);
			mb_u16(m, 1);
			mb_u16(m, 149); mb_u16(m, 4);
			mb_u16(m, 160); mb_u16(m, 8);
			mb_set_len(m, s);
			s = mb_set(m, 256);
			mb_u32(m, 7);
			mb_u32(m, 0x18b); mb_u32(m, 0xcf000000u);
			mb_set_len(m, s);
		}
		s = mb_set(m, 302);
		for (uint32_t r = 0; r < 3; r++) {
			mb_u32(m, 0x0a000000u + r);
			mb_u32(m, 0xc0000201u);
			mb_u32(m, 5000 + r);
			mb_u32(m, r == 1 ? 4000 : 9000 + r); /* record 1 ends before it starts */
			mb_u32(m, 100 + r);
			mb_u32(m, 1 + r);
		}
		mb_set_len(m, s);
		mb_ipfix_end(m);
		env_feed(&a, NULL, m, 100 * k);
		env_feed(&b, NULL, m, 100 * k);
	}
	ASSERT_EQ(a.c.n, 6);
	ASSERT_EQ(b.c.n, 6);
	for (size_t i = 0; i < a.c.n; i++)
		ASSERT(memcmp(&a.c.f[i], &b.c.f[i], sizeof(a.c.f[i])) == 0);
	ASSERT(memcmp(a.st.n, b.st.n, sizeof(a.st.n)) == 0);
	ASSERT(a.info.first_ts == b.info.first_ts && a.info.last_ts == b.info.last_ts);
	/* no init time yet: the export time, no duration */
	ASSERT(a.c.f[0].ts == (c2c_time)1700000100 * 1000000);
	ASSERT(a.c.f[0].last == a.c.f[0].ts);
	ASSERT(!(a.c.f[0].have & C2C_HAVE_DURATION));
	/* then init + uptime, in µs */
	{
		c2c_time init = (c2c_time)0x18bcf000000ll;
		ASSERT(a.c.f[3].ts == (init + 5000) * 1000);
		ASSERT(a.c.f[3].last == (init + 9000) * 1000);
		ASSERT(a.c.f[3].have & C2C_HAVE_DURATION);
		ASSERT(a.c.f[4].last == a.c.f[4].ts);
	}
	env_fini(&a);
	env_fini(&b);
	free(m);
}

/* A sink that takes `limit` flows and refuses the next. */
struct refusing {
	struct coll c;
	size_t limit;
};
static c2c_err
refuse_after(void *ctx, const struct c2c_flow *f)
{
	struct refusing *rf = ctx;
	if (rf->c.n == rf->limit)
		return C2C_ELIMIT;
	return coll_flow(&rf->c, f);
}

/* The members the compiled path loads straight from their offsets (all but a set's last
 * record) agree with the split path: v4 and v6 addresses, vlan, RFC 5103 reverse counters,
 * ICMP type/code from the port or from icmpTypeCodeIPv6, flowStart/EndMilliseconds with one
 * value past 2^53 (general rules), end before start; and a sink that refuses a flow stops
 * both paths at the same record with the same counters. */
static void
direct_path_agrees_with_split(void)
{
	static const uint16_t t310[][2] = {
		{ 8, 4 }, { 12, 4 }, { 7, 2 }, { 11, 2 }, { 4, 1 }, { 1, 4 }, { 2, 4 },
		{ 152, 8 }, { 153, 8 }, { 58, 2 },
	};
	static const uint16_t t311[][2] = {
		{ 27, 16 }, { 28, 16 }, { 4, 1 }, { 7, 2 }, { 11, 2 }, { 85, 8 }, { 139, 2 },
		{ 152, 8 }, { 153, 8 },
	};
	struct env a, b;
	struct refusing ra, rb;
	struct mb *m = calloc(1, sizeof(*m));
	size_t s;
	ASSERT(m != NULL);
	mb_ipfix(m, 1700000200, 0, 3);
	s = mb_set(m, 2);
	mb_u16(m, 310);
	mb_u16(m, 10 + 2);
	for (size_t i = 0; i < 10; i++) {
		mb_u16(m, t310[i][0]);
		mb_u16(m, t310[i][1]);
	}
	for (uint16_t id = 1; id <= 2; id++) { /* reverse octet and packet deltas */
		mb_u16(m, 0x8000 | id);
		mb_u16(m, 4);
		mb_u32(m, C2C_PEN_REVERSE);
	}
	mb_u16(m, 311);
	mb_u16(m, 9);
	for (size_t i = 0; i < 9; i++) {
		mb_u16(m, t311[i][0]);
		mb_u16(m, t311[i][1]);
	}
	mb_set_len(m, s);
	s = mb_set(m, 310);
	for (uint32_t r = 0; r < 6; r++) {
		mb_u32(m, 0x0a000100u + r);
		mb_u32(m, 0xc0000263u);
		mb_u16(m, r == 1 ? 0 : 50000 + r);
		mb_u16(m, r == 1 ? 0x0301 : 8080); /* record 1: ICMP 3/1 in the port */
		mb_u8(m, r == 1 ? 1 : 6);
		mb_u32(m, 600 + r); mb_u32(m, 5 + r);
		if (r == 3) { /* start past 2^53: the end alone */
			mb_u32(m, 0x00200000); mb_u32(m, 1);
		} else {
			mb_u32(m, 0x18b); mb_u32(m, 0xcfee6000u + 10 * r);
		}
		mb_u32(m, 0x18b); mb_u32(m, r == 4 ? 0xcfee5000u : 0xcfee7000u + r);
		mb_u16(m, 0x2000 | (200 + r)); /* vlanId with high bits set */
		mb_u32(m, 9000 + r); mb_u32(m, 30 + r);
	}
	mb_set_len(m, s);
	s = mb_set(m, 311);
	for (uint32_t r = 0; r < 5; r++) {
		uint8_t v6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 };
		v6[14] = (uint8_t)r;
		v6[15] = 1;
		mb_bytes(m, v6, 16);
		v6[15] = 2;
		mb_bytes(m, v6, 16);
		mb_u8(m, r == 2 ? 58 : 17);
		mb_u16(m, r == 2 ? 0 : 5353);
		mb_u16(m, r == 2 ? 0 : 53);
		mb_u32(m, 0); mb_u32(m, 77 + r);
		mb_u16(m, r == 2 ? 0x8000 : 0); /* echo request */
		mb_u32(m, 0x18b); mb_u32(m, 0xcfee6100u + r);
		mb_u32(m, 0x18b); mb_u32(m, 0xcfee6200u + r);
	}
	mb_set_len(m, s);
	mb_ipfix_end(m);

	env_init(&a);
	env_init(&b);
	b.out.view = view_nop;
	env_feed(&a, NULL, m, 0);
	env_feed(&b, NULL, m, 0);
	ASSERT_EQ(a.c.n, 11);
	ASSERT_EQ(b.c.n, 11);
	for (size_t i = 0; i < a.c.n; i++)
		ASSERT(memcmp(&a.c.f[i], &b.c.f[i], sizeof(a.c.f[i])) == 0);
	ASSERT(memcmp(a.st.n, b.st.n, sizeof(a.st.n)) == 0);
	ASSERT(a.info.first_ts == b.info.first_ts && a.info.last_ts == b.info.last_ts);
	ASSERT_EQ(a.c.f[0].vlan, 200);
	ASSERT_U64_EQ(a.c.f[0].resp_ip_bytes, 9000);
	ASSERT_U64_EQ(a.c.f[2].resp_pkts, 32);
	ASSERT(a.c.f[2].have & C2C_HAVE_RESP_COUNTERS);
	ASSERT_EQ(a.c.f[1].orig_port, 3);
	ASSERT_EQ(a.c.f[1].resp_port, 1);
	ASSERT_EQ(a.c.f[3].ts, a.c.f[3].last); /* the end alone */
	ASSERT_EQ(a.c.f[4].ts, a.c.f[4].last); /* end before start */
	ASSERT_EQ(a.c.f[6].orig.family, 6);
	ASSERT_EQ(a.c.f[6].orig.a[15], 1);
	ASSERT_EQ(a.c.f[8].orig_port, 128);
	ASSERT_EQ(a.c.f[8].resp_port, 0);
	ASSERT_EQ(a.c.f[9].resp_port, 53);
	env_fini(&a);
	env_fini(&b);

	/* the sink refuses the 4th flow, on both paths */
	env_init(&a);
	env_init(&b);
	b.out.view = view_nop;
	memset(&ra, 0, sizeof(ra));
	memset(&rb, 0, sizeof(rb));
	ra.limit = rb.limit = 3;
	a.sink.ctx = &ra;
	b.sink.ctx = &rb;
	a.sink.flow = b.sink.flow = refuse_after;
	ASSERT_ERR(c2c__exp_message(a.x, NULL, m->b, m->n, 0, &a.out), C2C_ELIMIT);
	ASSERT_ERR(c2c__exp_message(b.x, NULL, m->b, m->n, 0, &b.out), C2C_ELIMIT);
	ASSERT_EQ(ra.c.n, 3);
	ASSERT_EQ(rb.c.n, 3);
	for (size_t i = 0; i < 3; i++)
		ASSERT(memcmp(&ra.c.f[i], &rb.c.f[i], sizeof(ra.c.f[i])) == 0);
	ASSERT(memcmp(a.st.n, b.st.n, sizeof(a.st.n)) == 0);
	env_fini(&a);
	env_fini(&b);
	free(m);
}

TEST_MAIN(template_and_data_with_enterprise_and_varlen, biflow_is_one_flow, withdrawal_and_refresh,
    templates_are_scoped_by_exporter_and_domain, sampling_from_options_data,
    sequence_gaps_are_measured_loss, caps_and_malformed_sets, ipfix_file_reads_as_input,
    compiled_and_split_paths_agree, uptime_times_from_system_init,
    direct_path_agrees_with_split)
