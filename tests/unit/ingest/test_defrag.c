/* IPv4/IPv6 fragment reassembly through the decoder: order, overlap, timeout, eviction and bad
 * fragments, each with its counter. C2C_TORTURE */
#include "test.h"
#include "ingest/internal.h"
#include "pktbuild.h"

static struct c2c_ingest_stats st;
static struct c2c_decoded dec;
static struct fb F;
static uint8_t payload[3000];

static bool
feed(struct c2c_defrag *df, c2c_time ts)
{
	struct c2c_pkt p;
	uint64_t drops = st.n[C2C_ST_DEC_FRAG_DROPPED];
	bool ok;
	memset(&p, 0, sizeof(p));
	p.data = F.b;
	p.caplen = p.wirelen = (uint32_t)F.n;
	p.linktype = 101;
	p.ts = ts;
	ok = c2c__decode(&p, df, &dec, &st);
	/* Under torture a failed buffer allocation drops the datagram (counted): that is the
	 * library's correct answer, so the test ends there. */
	if (test_alloc_injected() && st.n[C2C_ST_DEC_FRAG_DROPPED] > drops)
		test_oom_exit();
	return ok;
}

/* IPv4 fragment of a UDP datagram whose transport bytes are `payload` (UDP header included). */
static void
frag4(uint16_t id, uint32_t off, uint32_t len, bool more, uint32_t src)
{
	size_t ip;
	fb_reset(&F);
	ip = ip4_begin(&F, 17, src, IP4(10, 0, 0, 2));
	put(&F, off + len <= sizeof(payload) ? payload + off : NULL, len);
	ip4_end(&F, ip);
	set16(&F, ip + 4, id);
	set16(&F, ip + 6, (more ? 0x2000u : 0) | off / 8);
	ip4_end(&F, ip);
}

static void
frag6(uint32_t id, uint32_t off, uint32_t len, bool more)
{
	size_t ip;
	fb_reset(&F);
	ip = ip6_begin(&F, 60, 1, 2);
	put(&F, "\x2c\x00\x01\x04\x00\x00\x00\x00", 8); /* dest opts -> fragment */
	put8(&F, 17);
	put8(&F, 0);
	put16(&F, off | (more ? 1u : 0));
	put32(&F, id);
	put(&F, payload + off, len);
	ip6_end(&F, ip);
}

static void
make_payload(uint32_t len)
{
	for (uint32_t i = 0; i < sizeof(payload); i++)
		payload[i] = (uint8_t)(i * 7);
	payload[0] = 0x04; /* sport 1234 */
	payload[1] = 0xd2;
	payload[2] = 0x00; /* dport 53 */
	payload[3] = 0x35;
	payload[4] = (uint8_t)(len >> 8);
	payload[5] = (uint8_t)len;
	payload[6] = 0;
	payload[7] = 0;
}

static void
ipv4_in_and_out_of_order(void)
{
	struct c2c_defrag *df;
	ASSERT_NONNULL(df = c2c__defrag_new());
	memset(&st, 0, sizeof(st));
	make_payload(2000);
	frag4(7, 0, 800, true, IP4(10, 0, 0, 1));
	ASSERT(!feed(df, 0));
	frag4(7, 800, 800, true, IP4(10, 0, 0, 1));
	ASSERT(!feed(df, 1));
	frag4(7, 1600, 400, false, IP4(10, 0, 0, 1));
	ASSERT(feed(df, 2));
	ASSERT_EQ(dec.n, 1);
	ASSERT_EQ(dec.l[0].ip_len, 2020);
	ASSERT_EQ(dec.l[0].sport, 1234);
	ASSERT_EQ(dec.l[0].dport, 53);
	ASSERT_EQ(dec.l[0].payload_len, 1992);
	ASSERT_MEM_EQ(dec.l[0].payload, payload + 8, 1992);
	ASSERT(dec.l[0].flags & C2C_L4F_REASSEMBLED);
	ASSERT(!dec.l[0].fragment);
	ASSERT_EQ(st.n[C2C_ST_DEC_FRAGMENTS], 3);
	ASSERT_EQ(st.n[C2C_ST_DEC_FRAG_REASSEMBLED], 1);

	/* Last first, then the middle overlapping the first. */
	memset(&st, 0, sizeof(st));
	frag4(8, 1600, 400, false, IP4(10, 0, 0, 1));
	ASSERT(!feed(df, 3));
	frag4(8, 0, 1000, true, IP4(10, 0, 0, 1));
	ASSERT(!feed(df, 3));
	frag4(8, 800, 800, true, IP4(10, 0, 0, 1));
	ASSERT(feed(df, 4));
	ASSERT_EQ(dec.l[0].ip_len, 2020);
	ASSERT_MEM_EQ(dec.l[0].payload, payload + 8, 1992);
	ASSERT_EQ(st.n[C2C_ST_DEC_FRAG_REASSEMBLED], 1);
	c2c__defrag_free(df);
}

static void
ipv6_with_extension_before_fragment(void)
{
	struct c2c_defrag *df;
	ASSERT_NONNULL(df = c2c__defrag_new());
	memset(&st, 0, sizeof(st));
	make_payload(1500);
	frag6(0x11223344, 1000, 500, false);
	ASSERT(!feed(df, 0));
	frag6(0x11223344, 0, 1000, true);
	ASSERT(feed(df, 0));
	ASSERT_EQ(dec.l[0].proto, 17);
	ASSERT_EQ(dec.l[0].ip_len, 40 + 8 + 1500);
	ASSERT_EQ(dec.l[0].dport, 53);
	ASSERT_MEM_EQ(dec.l[0].payload, payload + 8, 1492);
	c2c__defrag_free(df);
}

static void
stale_bad_and_evicted(void)
{
	struct c2c_defrag *df;
	ASSERT_NONNULL(df = c2c__defrag_new());
	memset(&st, 0, sizeof(st));
	make_payload(2000);
	/* A first fragment that never completes times out when later fragments arrive. */
	frag4(1, 0, 800, true, IP4(10, 0, 0, 1));
	ASSERT(!feed(df, 0));
	frag4(2, 0, 800, true, IP4(10, 0, 0, 1));
	ASSERT(!feed(df, 120 * C2C_USEC));
	ASSERT_EQ(st.n[C2C_ST_DEC_FRAG_TIMED_OUT], 1);
	/* A middle fragment whose length is not a multiple of 8. */
	frag4(3, 0, 801, true, IP4(10, 0, 0, 1));
	ASSERT(!feed(df, 120 * C2C_USEC));
	ASSERT_EQ(st.n[C2C_ST_DEC_FRAG_BAD], 1);
	/* Two different ends. */
	frag4(4, 0, 800, false, IP4(10, 0, 0, 1));
	frag4(4, 800, 400, false, IP4(10, 0, 0, 1));
	ASSERT(!feed(df, 120 * C2C_USEC));
	frag4(4, 800, 800, false, IP4(10, 0, 0, 1));
	ASSERT(!feed(df, 120 * C2C_USEC));
	ASSERT_EQ(st.n[C2C_ST_DEC_FRAG_BAD], 2);
	/* Past 65535 bytes. */
	frag4(5, 65528, 16, false, IP4(10, 0, 0, 1));
	ASSERT(!feed(df, 120 * C2C_USEC));
	ASSERT_EQ(st.n[C2C_ST_DEC_FRAG_BAD], 3);
	/* More datagrams in flight than slots: the oldest go. */
	for (uint32_t i = 0; i < 300; i++) {
		frag4((uint16_t)(100 + i), 0, 64, true, IP4(10, 1, i / 256, i % 256));
		(void)feed(df, 130 * C2C_USEC + i);
	}
	ASSERT(st.n[C2C_ST_DEC_FRAG_DROPPED] >= 44);
	c2c__defrag_free(df);
}

static void
snapped_fragments_are_not_reassembled(void)
{
	struct c2c_defrag *df;
	struct c2c_pkt p;
	ASSERT_NONNULL(df = c2c__defrag_new());
	memset(&st, 0, sizeof(st));
	make_payload(2000);
	frag4(9, 0, 800, true, IP4(10, 0, 0, 1));
	memset(&p, 0, sizeof(p));
	p.data = F.b;
	p.caplen = 100;
	p.wirelen = (uint32_t)F.n;
	p.linktype = 101;
	ASSERT(c2c__decode(&p, df, &dec, &st)); /* the first one is kept, as a fragment */
	ASSERT(dec.l[0].fragment);
	ASSERT_EQ(dec.l[0].dport, 53);
	frag4(9, 800, 800, true, IP4(10, 0, 0, 1));
	p.data = F.b;
	ASSERT(!c2c__decode(&p, df, &dec, &st));
	ASSERT_EQ(st.n[C2C_ST_DEC_FRAG_SNAPPED], 2);
	c2c__defrag_free(df);
}

TEST_MAIN(ipv4_in_and_out_of_order, ipv6_with_extension_before_fragment, stale_bad_and_evicted,
    snapped_fragments_are_not_reassembled)
