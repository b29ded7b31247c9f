/* pcapng reader: sections in both byte orders, several interfaces with their own link type,
 * if_tsresol (powers of 10 and 2) and if_tsoffset, EPB/SPB/obsolete PB, ISB drop counters as
 * loss, unknown blocks, evidence offsets and dependencies, broken framing. C2C_TORTURE */
#include <zlib.h>

#include "test.h"
#include "ingest/internal.h"
#include "pktbuild.h"

static struct fb F;
static struct c2c_ingest_stats st;
static struct c2c_input_info info;

static size_t
blk_begin(uint32_t type, bool le)
{
	size_t at = F.n;
	putx32(&F, type, le);
	putx32(&F, 0, le);
	return at;
}

static void
blk_end(size_t at, bool le)
{
	while (F.n % 4)
		put8(&F, 0);
	putx32(&F, (uint32_t)(F.n - at + 4), le);
	setx32(&F, at + 4, (uint32_t)(F.n - at), le);
}

static size_t
shb(bool le)
{
	size_t at = blk_begin(0x0a0d0d0a, le);
	putx32(&F, 0x1a2b3c4d, le);
	putx16(&F, 1, le);
	putx16(&F, 0, le);
	putx64(&F, UINT64_MAX, le);
	blk_end(at, le);
	return at;
}

static size_t
idb(bool le, unsigned linktype, uint32_t snaplen, int tsresol, int64_t tsoffset)
{
	size_t at = blk_begin(1, le);
	putx16(&F, linktype, le);
	putx16(&F, 0, le);
	putx32(&F, snaplen, le);
	if (tsresol >= 0) {
		putx16(&F, 9, le);
		putx16(&F, 1, le);
		put8(&F, (unsigned)tsresol);
		put(&F, NULL, 3);
	}
	if (tsoffset != 0) {
		putx16(&F, 14, le);
		putx16(&F, 8, le);
		putx64(&F, (uint64_t)tsoffset, le);
	}
	putx32(&F, 0, le); /* opt_endofopt */
	blk_end(at, le);
	return at;
}

static size_t
epb(bool le, uint32_t ifid, uint64_t ts, uint32_t caplen, uint32_t wirelen)
{
	size_t at = blk_begin(6, le);
	putx32(&F, ifid, le);
	putx32(&F, (uint32_t)(ts >> 32), le);
	putx32(&F, (uint32_t)ts, le);
	putx32(&F, caplen, le);
	putx32(&F, wirelen, le);
	for (uint32_t i = 0; i < caplen; i++)
		put8(&F, 0x40 + i);
	blk_end(at, le);
	return at;
}

static void
isb(bool le, uint32_t ifid, uint64_t ifdrop, uint64_t osdrop)
{
	size_t at = blk_begin(5, le);
	putx32(&F, ifid, le);
	putx32(&F, 0, le);
	putx32(&F, 0, le);
	putx16(&F, 5, le);
	putx16(&F, 8, le);
	putx64(&F, ifdrop, le);
	putx16(&F, 7, le);
	putx16(&F, 8, le);
	putx64(&F, osdrop, le);
	putx32(&F, 0, le);
	blk_end(at, le);
}

static void
reset_out(void)
{
	memset(&st, 0, sizeof(st));
	memset(&info, 0, sizeof(info));
	info.first_ts = INT64_MAX;
	info.last_ts = INT64_MIN;
}

static int
read_buf(const uint8_t *buf, size_t len, struct c2c_pkt *pk, int max, c2c_err *open_rc,
    struct c2c_diag *diag)
{
	struct c2c_rd rd;
	struct c2c_capture *c = NULL;
	struct c2c_pkt p;
	int n = 0;
	c2c_err rc;

	reset_out();
	ASSERT_OK(c2c_rd_open_mem(&rd, buf, len, 0));
	*open_rc = c2c__capture_open(&c, &rd, 1, &st, &info, diag);
	if (*open_rc == C2C_ENOMEM && test_alloc_injected())
		test_oom_exit();
	if (*open_rc != C2C_OK) {
		c2c_rd_close(&rd);
		return -1;
	}
	while ((rc = c2c__capture_next(c, &p, diag)) == C2C_OK) {
		if (n < max)
			pk[n] = p;
		n++;
	}
	ASSERT_ERR(rc, C2C_EEND);
	c2c__capture_free(c);
	c2c_rd_close(&rd);
	return n;
}

static void
sections_interfaces_and_loss(void)
{
	struct c2c_pkt pk[16];
	struct c2c_diag diag;
	c2c_err orc;
	size_t off[16], a;
	int n;

	fb_reset(&F);
	shb(true);
	idb(true, 1, 0, -1, 0);          /* microseconds (default) */
	idb(true, 101, 0, 9, 100);       /* nanoseconds, +100 s */
	idb(true, 113, 64, 0x80 | 10, 0); /* 2^-10 s, snaplen 64 */
	off[0] = epb(true, 0, 1258531221486539ULL, 60, 60);
	off[1] = epb(true, 1, 1258531221486539123ULL, 20, 1500);
	off[2] = epb(true, 2, (5ULL << 10) | 512, 10, 10); /* 5.5 s */
	/* Simple packet block: interface 0, no timestamp. */
	a = blk_begin(3, true);
	putx32(&F, 30, true);
	put(&F, NULL, 30);
	blk_end(a, true);
	off[3] = a;
	/* Obsolete packet block on interface 1, 3 drops since the previous packet. */
	a = blk_begin(2, true);
	putx16(&F, 1, true);
	putx16(&F, 3, true);
	putx32(&F, 0, true);
	putx32(&F, 1000, true);
	putx32(&F, 4, true);
	putx32(&F, 4, true);
	put32(&F, 0x45000000);
	blk_end(a, true);
	isb(true, 0, 5, 2);
	isb(true, 0, 6, 2); /* cumulative: one more */
	a = blk_begin(0x12345, true); /* unknown */
	put(&F, NULL, 8);
	blk_end(a, true);
	a = blk_begin(4, true); /* name resolution: known, skipped */
	putx32(&F, 0, true);
	blk_end(a, true);
	/* A big-endian section: interface ids start over. */
	off[5] = shb(false);
	idb(false, 1, 0, 3, 0); /* milliseconds */
	off[6] = epb(false, 0, 1234567, 14, 14);

	memset(&diag, 0, sizeof(diag));
	n = read_buf(F.b, F.n, pk, 16, &orc, &diag);
	ASSERT_OK(orc);
	ASSERT_EQ(n, 6);
	ASSERT_EQ(pk[0].ts, 1258531221486539LL);
	ASSERT_EQ(pk[0].linktype, 1);
	ASSERT_EQ(pk[0].ifindex, 0);
	ASSERT_EQ(pk[1].ts, 1258531321486539LL); /* ns truncated, +100 s */
	ASSERT_EQ(pk[1].linktype, 101);
	ASSERT_EQ(pk[1].wirelen, 1500);
	ASSERT_EQ(pk[1].data[0], 0x40);
	ASSERT_EQ(pk[2].ts, 5500000);
	ASSERT_EQ(pk[2].linktype, 113);
	ASSERT_EQ(pk[3].caplen, 30); /* SPB */
	ASSERT_EQ(pk[3].wirelen, 30);
	ASSERT_EQ(pk[3].linktype, 1);
	ASSERT_EQ(pk[4].ts, 100000001); /* 1000 ns + 100 s */
	ASSERT_EQ(pk[4].ifindex, 1);
	ASSERT_EQ(pk[5].ts, 1234567000);
	ASSERT_EQ(pk[5].linktype, 1);
	for (int i = 0; i < 3; i++) {
		ASSERT_U64_EQ(pk[i].ev.off, off[i]);
		ASSERT_EQ(pk[i].ev.input, 1);
		ASSERT_EQ(pk[i].ev.rec, -1);
	}
	ASSERT_EQ(pk[0].ev.len, 32 + 60);
	ASSERT_EQ(pk[1].ev.len, 32 + 20);
	ASSERT_U64_EQ(pk[3].ev.off, off[3]);
	ASSERT_U64_EQ(pk[5].ev.off, off[6]);
	ASSERT_U64_EQ(info.loss, 3 + 7 + 1);
	ASSERT_U64_EQ(st.n[C2C_ST_PCAPNG_IF_DROPS], 11);
	ASSERT_U64_EQ(st.n[C2C_ST_PCAPNG_UNKNOWN_BLOCK], 1);
	ASSERT_U64_EQ(st.n[C2C_ST_PCAP_RECORDS], 6);
	ASSERT_U64_EQ(info.records, 6);
	ASSERT_EQ(info.first_ts, 5500000);
	ASSERT_EQ(info.last_ts, 1258531321486539LL);
	ASSERT_EQ(info.n_deps, 6); /* SHB, 3 IDBs, SHB, IDB */
	ASSERT_U64_EQ(info.deps[0].off, 0);
	ASSERT_EQ(info.deps[0].len, 28);
	ASSERT_U64_EQ(info.deps[4].off, off[5]);
}

static void
broken_framing(void)
{
	struct c2c_pkt pk[4];
	struct c2c_diag diag;
	c2c_err orc;
	size_t a, full;

	fb_reset(&F);
	shb(true);
	idb(true, 1, 0, -1, 0);
	epb(true, 0, 1, 10, 10);
	epb(true, 7, 1, 10, 10); /* no interface 7: skipped, counted */
	a = epb(true, 0, 1, 10, 10);
	setx32(&F, a + 20, 500, true); /* caplen beyond the block: skipped, counted */
	full = F.n;
	epb(true, 0, 2, 10, 10);
	ASSERT_EQ(read_buf(F.b, F.n, pk, 4, &orc, &diag), 2);
	ASSERT_U64_EQ(st.n[C2C_ST_PCAPNG_BAD_IFACE], 1);
	ASSERT_U64_EQ(st.n[C2C_ST_PCAPNG_BAD_BLOCK], 1);
	ASSERT_U64_EQ(info.malformed, 2);
	/* Truncated tail. */
	ASSERT_EQ(read_buf(F.b, F.n - 6, pk, 4, &orc, &diag), 1);
	ASSERT_U64_EQ(st.n[C2C_ST_PCAP_TRUNC_RECORD], 1);
	/* Length not a multiple of 4: the rest of the file cannot be framed. */
	setx32(&F, full + 4, 41, true);
	ASSERT_EQ(read_buf(F.b, F.n, pk, 4, &orc, &diag), 1);
	ASSERT_U64_EQ(st.n[C2C_ST_PCAPNG_BAD_BLOCK], 2);
	/* Trailing length disagreeing with the leading one. */
	setx32(&F, full + 4, 44, true);
	setx32(&F, F.n - 4, 48, true);
	ASSERT_EQ(read_buf(F.b, F.n, pk, 4, &orc, &diag), 1);
	ASSERT_U64_EQ(st.n[C2C_ST_PCAPNG_BAD_BLOCK], 2);
	/* A packet before any interface. */
	fb_reset(&F);
	shb(false);
	epb(false, 0, 1, 10, 10);
	ASSERT_EQ(read_buf(F.b, F.n, pk, 4, &orc, &diag), 0);
	ASSERT_U64_EQ(st.n[C2C_ST_PCAPNG_BAD_IFACE], 1);
}

static void
bad_section_header_is_an_error(void)
{
	struct c2c_pkt pk[4];
	struct c2c_diag diag;
	c2c_err orc;

	fb_reset(&F);
	shb(true);
	F.b[8] = 0x00; /* byte-order magic */
	memset(&diag, 0, sizeof(diag));
	ASSERT_EQ(read_buf(F.b, F.n, pk, 4, &orc, &diag), -1);
	ASSERT_ERR(orc, C2C_EFORMAT);
	ASSERT_U64_EQ(diag.where, 8);
	fb_reset(&F);
	shb(false);
	ASSERT_EQ(read_buf(F.b, 20, pk, 4, &orc, &diag), -1);
	ASSERT_ERR(orc, C2C_EFORMAT);
	fb_reset(&F);
	shb(false);
	F.b[13] = 2; /* major version 2 */
	ASSERT_EQ(read_buf(F.b, F.n, pk, 4, &orc, &diag), -1);
	ASSERT_ERR(orc, C2C_EFORMAT);
	/* Empty section: a valid file with no packets. */
	fb_reset(&F);
	shb(false);
	ASSERT_EQ(read_buf(F.b, F.n, pk, 4, &orc, &diag), 0);
}

static void
gzip_pcapng(void)
{
	static uint8_t gz[4096];
	struct c2c_pkt pk[4];
	struct c2c_diag diag;
	c2c_err orc;
	z_stream z;

	fb_reset(&F);
	shb(true);
	idb(true, 1, 0, 6, 0);
	epb(true, 0, 42, 20, 20);
	memset(&z, 0, sizeof(z));
	ASSERT(deflateInit2(&z, 6, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY) == Z_OK);
	z.next_in = F.b;
	z.avail_in = (uInt)F.n;
	z.next_out = gz;
	z.avail_out = sizeof(gz);
	ASSERT(deflate(&z, Z_FINISH) == Z_STREAM_END);
	(void)deflateEnd(&z);
	ASSERT_EQ(read_buf(gz, sizeof(gz) - z.avail_out, pk, 4, &orc, &diag), 1);
	ASSERT_EQ(pk[0].ts, 42);
}

TEST_MAIN(sections_interfaces_and_loss, broken_framing, bad_section_header_is_an_error,
    gzip_pcapng)
