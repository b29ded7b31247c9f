/* NetFlow v5 decoding: records, uptime arithmetic, sampling, sequence, bad counts. C2C_TORTURE */
#include "exp_build.h"

static void
nf5(struct mb *m, uint16_t count, uint32_t seq, uint16_t sampling)
{
	m->n = 0;
	mb_u16(m, 5);
	mb_u16(m, count);
	mb_u32(m, 50000);      /* uptime ms */
	mb_u32(m, 1700000000); /* unix secs */
	mb_u32(m, 250000000);  /* nsecs */
	mb_u32(m, seq);
	mb_u8(m, 1);
	mb_u8(m, 2);
	mb_u16(m, sampling);
	for (uint16_t i = 0; i < count; i++) {
		mb_u32(m, 0x0a000000u + i);
		mb_u32(m, 0x08080808);
		mb_u32(m, 0);
		mb_u16(m, 1);
		mb_u16(m, 2);
		mb_u32(m, 5);     /* packets */
		mb_u32(m, 300);   /* octets */
		mb_u32(m, 40000); /* first */
		mb_u32(m, 49000); /* last */
		mb_u16(m, i == 1 ? 0 : 1234);
		mb_u16(m, i == 1 ? 0x0300 : 53); /* ICMP type 3 code 0 in record 1 */
		mb_u8(m, 0);
		mb_u8(m, 0x1b);
		mb_u8(m, i == 1 ? 1 : 17);
		mb_u8(m, 0);
		mb_u16(m, 100);
		mb_u16(m, 200);
		mb_u8(m, 24);
		mb_u8(m, 8);
		mb_u16(m, 0);
	}
}

static void
records_times_and_sampling(void)
{
	struct env e;
	struct mb *m = calloc(1, sizeof(*m));
	ASSERT(m != NULL);
	env_init(&e);
	nf5(m, 3, 0, 0x4000 | 100);
	env_feed(&e, NULL, m, 24);
	ASSERT_EQ(e.c.n, 3);
	ASSERT_EQ(e.c.f[0].src, C2C_SRC_NETFLOW5);
	ASSERT_EQ(c2c_ip_v4(&e.c.f[2].orig), 0x0a000002);
	ASSERT_EQ(e.c.f[0].resp_port, 53);
	ASSERT_EQ(e.c.f[0].proto, 17);
	ASSERT_U64_EQ(e.c.f[0].orig_ip_bytes, 300);
	ASSERT_U64_EQ(e.c.f[0].orig_pkts, 5);
	ASSERT_EQ(e.c.f[0].ts, 1700000000250000LL - 10 * C2C_USEC);
	ASSERT_EQ(e.c.f[0].last, 1700000000250000LL - 1 * C2C_USEC);
	ASSERT_EQ(e.c.f[0].sampling, 100);
	ASSERT(e.c.f[0].have & C2C_HAVE_SAMPLING);
	ASSERT(!(e.c.f[0].have & (C2C_HAVE_RESP_COUNTERS | C2C_HAVE_STATE)));
	ASSERT_EQ(e.c.f[1].orig_port, 3); /* ICMP: type, code */
	ASSERT_EQ(e.c.f[1].resp_port, 0);
	ASSERT_EQ(e.c.f[2].first_ev.rec, 2);
	ASSERT_U64_EQ(e.c.f[2].first_ev.off, 24);
	ASSERT_EQ(e.c.f[2].first_ev.len, 24 + 3 * 48);
	ASSERT_EQ(e.c.f[2].tmpl_ev.len, 0);
	ASSERT_EQ(e.c.f[0].obs_domain, 0x0102);
	env_fini(&e);
	free(m);
}

static void
record_sequence_gaps(void)
{
	struct env e;
	struct mb *m = calloc(1, sizeof(*m));
	ASSERT(m != NULL);
	env_init(&e);
	nf5(m, 2, 100, 0);
	env_feed(&e, NULL, m, 0);
	nf5(m, 2, 102, 0);
	env_feed(&e, NULL, m, 0);
	nf5(m, 2, 110, 0); /* 6 records lost */
	env_feed(&e, NULL, m, 0);
	ASSERT_U64_EQ(e.st.n[C2C_ST_NF_SEQ_GAPS], 6);
	ASSERT_U64_EQ(e.info.loss, 6);
	env_fini(&e);
	free(m);
}

static void
bad_counts_are_malformed(void)
{
	struct env e;
	struct mb *m = calloc(1, sizeof(*m));
	ASSERT(m != NULL);
	env_init(&e);
	nf5(m, 2, 0, 0);
	m->b[3] = 0; /* count 0 */
	env_feed(&e, NULL, m, 0);
	m->b[3] = 31; /* too many */
	env_feed(&e, NULL, m, 0);
	m->b[3] = 3; /* more than the datagram holds */
	env_feed(&e, NULL, m, 0);
	ASSERT_EQ(e.c.n, 0);
	ASSERT_U64_EQ(e.st.n[C2C_ST_NF_MALFORMED], 3);
	m->b[3] = 2;
	for (size_t cut = 0; cut < m->n; cut++)
		ASSERT_OK(c2c__exp_message(e.x, NULL, m->b, cut, 0, &e.out));
	ASSERT_EQ(e.c.n, 0);
	env_fini(&e);
	free(m);
}

TEST_MAIN(records_times_and_sampling, record_sequence_gaps, bad_counts_are_malformed)
