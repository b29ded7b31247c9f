/* NetFlow v9 decoding (RFC 3954): templates, options templates, padding, sequence. C2C_TORTURE */
#include "exp_build.h"

static void
nf9_hdr(struct mb *m, uint32_t uptime, uint32_t secs, uint32_t seq, uint32_t source)
{
	m->n = 0;
	mb_u16(m, 9);
	mb_u16(m, 0);
	mb_u32(m, uptime);
	mb_u32(m, secs);
	mb_u32(m, seq);
	mb_u32(m, source);
}

/* Template 260: IPV4_SRC/DST, L4 ports, PROTOCOL, IN_BYTES (8), IN_PKTS (4), FIRST/LAST_SWITCHED,
 * FLOW_SAMPLER_ID (1). */
static void
tmpl_260(struct mb *m)
{
	size_t s = mb_set(m, 0);
	mb_u16(m, 260);
	mb_u16(m, 10);
	mb_u16(m, 8); mb_u16(m, 4);
	mb_u16(m, 12); mb_u16(m, 4);
	mb_u16(m, 7); mb_u16(m, 2);
	mb_u16(m, 11); mb_u16(m, 2);
	mb_u16(m, 4); mb_u16(m, 1);
	mb_u16(m, 1); mb_u16(m, 8);
	mb_u16(m, 2); mb_u16(m, 4);
	mb_u16(m, 22); mb_u16(m, 4);
	mb_u16(m, 21); mb_u16(m, 4);
	mb_u16(m, 48); mb_u16(m, 1);
	mb_set_len(m, s);
}

static void
rec_260(struct mb *m, uint32_t src, uint32_t first, uint32_t last, uint8_t sampler)
{
	mb_u32(m, src);
	mb_u32(m, 0xc6336401);
	mb_u16(m, 5555);
	mb_u16(m, 53);
	mb_u8(m, 17);
	mb_u32(m, 0);
	mb_u32(m, 4000);
	mb_u32(m, 3);
	mb_u32(m, first);
	mb_u32(m, last);
	mb_u8(m, sampler);
}

static void
template_data_and_uptime_times(void)
{
	struct env e;
	struct mb *m = calloc(1, sizeof(*m));
	size_t s;
	ASSERT(m != NULL);
	env_init(&e);
	nf9_hdr(m, 100000, 1700000000, 0, 3);
	tmpl_260(m);
	s = mb_set(m, 260);
	rec_260(m, 0x0a000001, 90000, 99000, 0);
	mb_u16(m, 0); /* padding to 4 bytes */
	mb_u8(m, 0);
	mb_set_len(m, s);
	env_feed(&e, NULL, m, 64);
	ASSERT_EQ(e.c.n, 1);
	ASSERT_EQ(e.c.f[0].src, C2C_SRC_NETFLOW9);
	/* First = 10 s of uptime before export, Last = 1 s before */
	ASSERT_EQ(e.c.f[0].ts, 1700000000LL * C2C_USEC - 10 * C2C_USEC);
	ASSERT_EQ(e.c.f[0].last, 1700000000LL * C2C_USEC - 1 * C2C_USEC);
	ASSERT_U64_EQ(e.c.f[0].orig_ip_bytes, 4000);
	ASSERT_U64_EQ(e.c.f[0].orig_pkts, 3);
	ASSERT_EQ(e.c.f[0].first_ev.rec, 1);
	ASSERT_EQ(e.c.f[0].tmpl_ev.rec, 0);
	ASSERT_U64_EQ(e.c.f[0].tmpl_ev.off, 64);
	ASSERT_EQ(e.c.f[0].obs_domain, 3);
	ASSERT_U64_EQ(e.st.n[C2C_ST_NF_MALFORMED], 0);
	env_fini(&e);
	free(m);
}

static void
options_template_sampling_per_sampler(void)
{
	struct env e;
	struct mb *m = calloc(1, sizeof(*m));
	size_t s;
	ASSERT(m != NULL);
	env_init(&e);
	nf9_hdr(m, 100000, 1700000000, 0, 0);
	tmpl_260(m);
	/* options template 256: scope System (4 bytes); FLOW_SAMPLER_ID (1), RANDOM_INTERVAL (4) */
	s = mb_set(m, 1);
	mb_u16(m, 256);
	mb_u16(m, 4);
	mb_u16(m, 8);
	mb_u16(m, 1); mb_u16(m, 4);
	mb_u16(m, 48); mb_u16(m, 1);
	mb_u16(m, 50); mb_u16(m, 4);
	mb_u16(m, 0); /* padding */
	mb_set_len(m, s);
	s = mb_set(m, 256);
	mb_u32(m, 0); mb_u8(m, 1); mb_u32(m, 1000);
	mb_u32(m, 0); mb_u8(m, 2); mb_u32(m, 64);
	mb_u16(m, 0); /* padding */
	mb_set_len(m, s);
	s = mb_set(m, 260);
	rec_260(m, 0x0a000001, 1, 2, 1);
	rec_260(m, 0x0a000002, 1, 2, 2);
	rec_260(m, 0x0a000003, 1, 2, 9);
	mb_set_len(m, s);
	env_feed(&e, NULL, m, 0);
	ASSERT_EQ(e.c.n, 3);
	ASSERT_EQ(e.c.f[0].sampling, 1000);
	ASSERT_EQ(e.c.f[1].sampling, 64);
	ASSERT_EQ(e.c.f[2].sampling, 0);
	ASSERT_U64_EQ(e.st.n[C2C_ST_NF_OPTIONS_RECORDS], 2);
	ASSERT_U64_EQ(e.st.n[C2C_ST_NF_TEMPLATES], 2);
	env_fini(&e);
	free(m);
}

static void
packet_sequence_gaps(void)
{
	struct env e;
	struct mb *m = calloc(1, sizeof(*m));
	ASSERT(m != NULL);
	env_init(&e);
	for (uint32_t seq = 0; seq < 10; seq += (seq == 3 ? 4 : 1)) {
		nf9_hdr(m, 1, 1700000000, seq, 0);
		tmpl_260(m);
		env_feed(&e, NULL, m, 0);
	}
	ASSERT_U64_EQ(e.st.n[C2C_ST_NF_SEQ_GAP_PACKETS], 3);
	ASSERT_U64_EQ(e.st.n[C2C_ST_NF_SEQ_GAPS], 0);
	ASSERT_U64_EQ(e.info.loss, 3);
	/* a restart resynchronises without counting loss */
	nf9_hdr(m, 1, 1700000000, 0, 0);
	env_feed(&e, NULL, m, 0);
	ASSERT_U64_EQ(e.st.n[C2C_ST_NF_SEQ_RESYNC], 1);
	ASSERT_U64_EQ(e.info.loss, 3);
	env_fini(&e);
	free(m);
}

static void
zero_fill_unknown_template_and_reserved_sets(void)
{
	struct env e;
	struct mb *m = calloc(1, sizeof(*m));
	size_t s;
	ASSERT(m != NULL);
	env_init(&e);
	nf9_hdr(m, 1, 1700000000, 0, 0);
	s = mb_set(m, 999);
	mb_u32(m, 1);
	mb_set_len(m, s);
	s = mb_set(m, 77); /* reserved */
	mb_set_len(m, s);
	memset(m->b + m->n, 0, 200); /* zero-filled datagram tail */
	m->n += 200;
	env_feed(&e, NULL, m, 0);
	ASSERT_U64_EQ(e.st.n[C2C_ST_NF_NO_TEMPLATE], 1);
	ASSERT_U64_EQ(e.st.n[C2C_ST_NF_MALFORMED], 1);
	/* a FlowSet running past the datagram, and a garbage tail */
	nf9_hdr(m, 1, 1700000000, 1, 0);
	mb_u16(m, 0);
	mb_u16(m, 500);
	mb_u32(m, 0xdeadbeef);
	env_feed(&e, NULL, m, 0);
	ASSERT_U64_EQ(e.st.n[C2C_ST_NF_MALFORMED], 2);
	/* every truncation of a valid datagram is survivable */
	nf9_hdr(m, 1, 1700000000, 0, 0);
	tmpl_260(m);
	s = mb_set(m, 260);
	rec_260(m, 1, 1, 1, 1);
	mb_set_len(m, s);
	for (size_t cut = 0; cut < m->n; cut++)
		ASSERT_OK(c2c__exp_message(e.x, NULL, m->b, cut, 0, &e.out));
	env_fini(&e);
	free(m);
}

static void
raw_datagram_stream_file(void)
{
	struct mb *m = calloc(1, sizeof(*m));
	struct c2c_input_info info;
	struct coll c;
	struct c2c_sink sink = { &c, coll_flow, NULL };
	char path[512];
	uint8_t *all = malloc(4096);
	size_t n = 0, s, second;
	FILE *fp;
	ASSERT(m != NULL && all != NULL);
	memset(&c, 0, sizeof(c));
	nf9_hdr(m, 100000, 1700000000, 0, 0);
	tmpl_260(m);
	memcpy(all, m->b, m->n);
	n = m->n;
	second = n;
	nf9_hdr(m, 100000, 1700000001, 1, 0);
	s = mb_set(m, 260);
	rec_260(m, 0x0a000001, 1, 2, 0);
	rec_260(m, 0x0a000002, 1, 2, 0);
	mb_set_len(m, s);
	memcpy(all + n, m->b, m->n);
	n += m->n;
	memcpy(all + n, m->b, m->n); /* the same datagram again, sequence 1 repeated */
	n += m->n;
	(void)snprintf(path, sizeof(path), "%s/stream.nf9", test_tmpdir());
	fp = fopen(path, "wb");
	ASSERT(fp != NULL && fwrite(all, 1, n, fp) == n && fclose(fp) == 0);
	ASSERT_OK(c2c_ingest_file(path, 0, NULL, &sink, &info, NULL, NULL));
	ASSERT_EQ(info.format, C2C_FMT_NETFLOW);
	ASSERT_EQ(c.n, 4);
	ASSERT_U64_EQ(c.f[0].first_ev.off, second);
	ASSERT_U64_EQ(c.f[2].first_ev.off, second + m->n);
	ASSERT_EQ(c.f[2].first_ev.len, m->n);
	ASSERT_U64_EQ(info.records, 3);
	free(all);
	free(m);
}

static void
view_nop(void *ctx, const struct c2c_exp_view *v)
{
	(void)ctx;
	(void)v;
}

/* The compiled record path (set constants written once, counters per set) and the split path
 * (forced by a view callback) give byte-identical flows, counters and input info, for uptime
 * times, a per-record sampler, IPv6, ICMP in the port, a template without addresses and a
 * record ending at the set end. */
static void
compiled_and_split_paths_agree_v9(void)
{
	struct env a, b;
	struct mb *m = calloc(1, sizeof(*m));
	size_t s;
	ASSERT(m != NULL);
	env_init(&a);
	env_init(&b);
	b.out.view = view_nop;
	nf9_hdr(m, 100000, 1700000000, 0, 3);
	tmpl_260(m);
	s = mb_set(m, 0);
	mb_u16(m, 261); /* IPV6_SRC/DST, ports, PROTOCOL, IN_BYTES (4), FIRST/LAST_SWITCHED */
	mb_u16(m, 8);
	mb_u16(m, 27); mb_u16(m, 16);
	mb_u16(m, 28); mb_u16(m, 16);
	mb_u16(m, 7); mb_u16(m, 2);
	mb_u16(m, 11); mb_u16(m, 2);
	mb_u16(m, 4); mb_u16(m, 1);
	mb_u16(m, 1); mb_u16(m, 4);
	mb_u16(m, 22); mb_u16(m, 4);
	mb_u16(m, 21); mb_u16(m, 4);
	mb_u16(m, 262); /* no address: not a flow */
	mb_u16(m, 2);
	mb_u16(m, 1); mb_u16(m, 4);
	mb_u16(m, 4); mb_u16(m, 1);
	mb_set_len(m, s);
	s = mb_set(m, 260);
	for (uint32_t r = 0; r < 4; r++)
		rec_260(m, 0x0a000001 + r, 90000 + r, 99000 - 3000 * r, (uint8_t)r);
	mb_set_len(m, s); /* the last record ends at the set end: no 8-byte loads there */
	s = mb_set(m, 261);
	for (uint32_t r = 0; r < 3; r++) {
		uint8_t v6[16] = { 0x20, 0x01, 0x0d, 0xb8 };
		v6[15] = (uint8_t)r;
		mb_bytes(m, v6, 16);
		v6[15] = 0xee;
		mb_bytes(m, v6, 16);
		mb_u16(m, 0);
		mb_u16(m, r == 1 ? 0x8000 : 0x0300); /* ICMPv6 type * 256 + code */
		mb_u8(m, r == 2 ? 6 : 58);
		mb_u32(m, 100 + r);
		mb_u32(m, 99990);
		mb_u32(m, 99995 + r);
	}
	mb_u16(m, 0); /* padding */
	mb_set_len(m, s);
	s = mb_set(m, 262);
	for (uint32_t r = 0; r < 2; r++) {
		mb_u32(m, 7);
		mb_u8(m, 6);
	}
	mb_set_len(m, s);
	env_feed(&a, NULL, m, 32);
	env_feed(&b, NULL, m, 32);
	ASSERT_EQ(a.c.n, 7);
	ASSERT_EQ(b.c.n, 7);
	{
		size_t fast = 0;
		for (size_t i = 0; i < C2C_EXP_TSLOTS; i++) {
			const struct c2c_exp_tmpl *t = a.x->tslots[i];
			fast += t != NULL && t != C2C_EXP_TOMB && t->fast;
		}
		ASSERT_EQ(fast, 3);
	}
	for (size_t i = 0; i < a.c.n; i++)
		ASSERT(memcmp(&a.c.f[i], &b.c.f[i], sizeof(a.c.f[i])) == 0);
	ASSERT(memcmp(a.st.n, b.st.n, sizeof(a.st.n)) == 0);
	ASSERT_EQ(a.info.first_ts, b.info.first_ts);
	ASSERT_EQ(a.info.last_ts, b.info.last_ts);
	ASSERT_EQ(a.info.sampling, b.info.sampling);
	ASSERT_U64_EQ(a.x->flow_seq, b.x->flow_seq);
	ASSERT_U64_EQ(a.st.n[C2C_ST_NF_RECORDS], 9);
	ASSERT_U64_EQ(a.st.n[C2C_ST_NF_NON_FLOW], 2);
	/* and the values are the ones encoded */
	ASSERT_EQ(a.c.f[3].ts, 1700000000LL * C2C_USEC - 9997 * 1000);
	ASSERT_EQ(a.c.f[3].last, a.c.f[3].ts); /* LAST before FIRST: no negative duration */
	ASSERT_EQ(a.c.f[3].first_ev.rec, 6);
	ASSERT_EQ(a.c.f[4].orig.family, 6);
	ASSERT_EQ(a.c.f[4].resp.a[15], 0xee);
	ASSERT_EQ(a.c.f[4].orig_port, 3); /* ICMP type 3 code 0 */
	ASSERT_EQ(a.c.f[5].orig_port, 128);
	ASSERT_EQ(a.c.f[6].proto, 6);
	ASSERT_EQ(a.c.f[6].orig_port, 0);
	ASSERT_EQ(a.c.f[6].resp_port, 0x0300);
	ASSERT_U64_EQ(a.c.f[6].orig_ip_bytes, 102);
	ASSERT_EQ(a.c.f[6].last - a.c.f[6].ts, 7 * 1000);
	env_fini(&a);
	env_fini(&b);
	free(m);
}

TEST_MAIN(template_data_and_uptime_times, options_template_sampling_per_sampler,
    packet_sequence_gaps, zero_fill_unknown_template_and_reserved_sets, raw_datagram_stream_file,
    compiled_and_split_paths_agree_v9)
