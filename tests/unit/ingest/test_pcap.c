/* pcap reader: both byte orders, micro- and nanosecond magic, the modified format, evidence
 * offsets, truncated tails, impossible lengths, bad headers, gzip (memory and file).
 * C2C_TORTURE */
#include <zlib.h>

#include "test.h"
#include "ingest/internal.h"
#include "pktbuild.h"

static struct fb F;
static struct c2c_ingest_stats st;
static struct c2c_input_info info;

static void
pcap_header(uint32_t magic, bool le, uint32_t linktype)
{
	fb_reset(&F);
	putx32(&F, magic, le);
	putx16(&F, 2, le);
	putx16(&F, 4, le);
	putx32(&F, 0, le);
	putx32(&F, 0, le);
	putx32(&F, 65535, le);
	putx32(&F, linktype, le);
}

static void
record(bool le, uint32_t sec, uint32_t frac, uint32_t caplen, uint32_t wirelen, bool modified)
{
	putx32(&F, sec, le);
	putx32(&F, frac, le);
	putx32(&F, caplen, le);
	putx32(&F, wirelen, le);
	if (modified)
		put(&F, NULL, 8);
	for (uint32_t i = 0; i < caplen; i++)
		put8(&F, i);
}

static void
reset_out(void)
{
	memset(&st, 0, sizeof(st));
	memset(&info, 0, sizeof(info));
	info.first_ts = INT64_MAX;
	info.last_ts = INT64_MIN;
}

/* Read all packets of `rd`; fills up to 8 into pk[]. Returns the count, -1 on open failure. */
static int
read_all(struct c2c_rd *rd, struct c2c_pkt *pk, c2c_err *open_rc, struct c2c_diag *diag)
{
	struct c2c_capture *c = NULL;
	struct c2c_pkt p;
	int n = 0;
	c2c_err rc;

	reset_out();
	*open_rc = c2c__capture_open(&c, rd, 3, &st, &info, diag);
	if (*open_rc == C2C_ENOMEM && test_alloc_injected())
		test_oom_exit();
	if (*open_rc != C2C_OK)
		return -1;
	while ((rc = c2c__capture_next(c, &p, diag)) == C2C_OK) {
		if (n < 8)
			pk[n] = p;
		n++;
	}
	ASSERT_ERR(rc, C2C_EEND);
	ASSERT_ERR(c2c__capture_next(c, &p, diag), C2C_EEND); /* stays at the end */
	c2c__capture_free(c);
	return n;
}

static int
read_mem(struct c2c_pkt *pk, c2c_err *open_rc, struct c2c_diag *diag)
{
	struct c2c_rd rd;
	int n;
	ASSERT_OK(c2c_rd_open_mem(&rd, F.b, F.n, 0));
	n = read_all(&rd, pk, open_rc, diag);
	c2c_rd_close(&rd);
	return n;
}

static void
both_orders_and_precisions(void)
{
	static const struct {
		uint32_t magic;
		bool le, nsec, modified;
	} v[] = {
		{ 0xa1b2c3d4, false, false, false }, { 0xa1b2c3d4, true, false, false },
		{ 0xa1b23c4d, false, true, false }, { 0xa1b23c4d, true, true, false },
		{ 0xa1b2cd34, true, false, true }, { 0xa1b2cd34, false, false, true },
	};
	for (size_t i = 0; i < C2C_ARRAY_LEN(v); i++) {
		struct c2c_pkt pk[8];
		struct c2c_diag diag;
		c2c_err orc;
		uint32_t hl = v[i].modified ? 24 : 16;
		int n;

		pcap_header(v[i].magic, v[i].le, 1);
		record(v[i].le, 1258531221, v[i].nsec ? 486539123 : 486539, 60, 60, v[i].modified);
		record(v[i].le, 1258531222, v[i].nsec ? 999 : 1, 10, 1514, v[i].modified);
		n = read_mem(pk, &orc, &diag);
		ASSERT_OK(orc);
		ASSERT_EQ(n, 2);
		ASSERT_EQ(pk[0].ts, 1258531221486539LL);
		ASSERT_EQ(pk[1].ts, v[i].nsec ? 1258531222000000LL : 1258531222000001LL);
		ASSERT_EQ(pk[0].caplen, 60);
		ASSERT_EQ(pk[0].linktype, 1);
		ASSERT_EQ(pk[1].caplen, 10);
		ASSERT_EQ(pk[1].wirelen, 1514);
		ASSERT_EQ(pk[1].data[9], 9);
		ASSERT_EQ(pk[0].ev.input, 3);
		ASSERT_EQ(pk[0].ev.rec, -1);
		ASSERT_U64_EQ(pk[0].ev.off, 24);
		ASSERT_EQ(pk[0].ev.len, hl + 60);
		ASSERT_U64_EQ(pk[1].ev.off, 24 + hl + 60);
		ASSERT_EQ(pk[1].ev.len, hl + 10);
		ASSERT_U64_EQ(info.records, 2);
		ASSERT_EQ(info.first_ts, 1258531221486539LL);
		ASSERT_EQ(info.last_ts, pk[1].ts);
		ASSERT_EQ(info.n_deps, 1);
		ASSERT_U64_EQ(info.deps[0].off, 0);
		ASSERT_EQ(info.deps[0].len, 24);
		ASSERT_U64_EQ(st.n[C2C_ST_PCAP_RECORDS], 2);
		ASSERT_U64_EQ(st.n[C2C_ST_CAPTURE_SNAPPED], 1);
	}
}

static void
truncated_tail_and_bad_lengths(void)
{
	struct c2c_pkt pk[8];
	struct c2c_diag diag;
	c2c_err orc;
	size_t full;

	pcap_header(0xa1b2c3d4, true, 101);
	record(true, 1, 0, 20, 20, false);
	full = F.n;
	record(true, 2, 0, 40, 40, false);
	F.n -= 5; /* cut inside the second record's data */
	ASSERT_EQ(read_mem(pk, &orc, &diag), 1);
	ASSERT_U64_EQ(st.n[C2C_ST_PCAP_TRUNC_RECORD], 1);
	ASSERT_U64_EQ(info.malformed, 1);
	F.n = full + 7; /* cut inside the record header */
	ASSERT_EQ(read_mem(pk, &orc, &diag), 1);
	ASSERT_U64_EQ(st.n[C2C_ST_PCAP_TRUNC_RECORD], 1);
	F.n = full;
	ASSERT_EQ(read_mem(pk, &orc, &diag), 1);
	ASSERT_U64_EQ(st.n[C2C_ST_PCAP_TRUNC_RECORD], 0);

	/* A caplen no capture can have ends the file, counted. */
	F.n = full;
	record(true, 2, 0, 0, 0, false);
	setx32(&F, full + 8, 0x7fffffff, true);
	ASSERT_EQ(read_mem(pk, &orc, &diag), 1);
	ASSERT_U64_EQ(st.n[C2C_ST_PCAP_BAD_CAPLEN], 1);
}

static void
bad_headers_are_errors(void)
{
	struct c2c_pkt pk[8];
	struct c2c_diag diag;
	c2c_err orc;

	pcap_header(0xa1b2c3d4, false, 1);
	F.b[0] = 0x00;
	memset(&diag, 0, sizeof(diag));
	ASSERT_EQ(read_mem(pk, &orc, &diag), -1);
	ASSERT_ERR(orc, C2C_EFORMAT);
	ASSERT_U64_EQ(diag.where, 0);
	ASSERT_STR_EQ(diag.src, "(memory)");
	ASSERT(strstr(diag.msg, "magic") != NULL);

	pcap_header(0xa1b2c3d4, false, 1);
	F.n = 20;
	ASSERT_EQ(read_mem(pk, &orc, &diag), -1);
	ASSERT_ERR(orc, C2C_EFORMAT);
	pcap_header(0xa1b2c3d4, false, 1);
	F.b[5] = 3; /* version 3.4 */
	ASSERT_EQ(read_mem(pk, &orc, &diag), -1);
	ASSERT_ERR(orc, C2C_EFORMAT);
	ASSERT_U64_EQ(diag.where, 4);
	F.n = 2;
	ASSERT_EQ(read_mem(pk, &orc, &diag), -1);
	ASSERT_ERR(orc, C2C_EFORMAT);
}

/* gzip the current buffer (windowBits 31: gzip wrapper). */
static size_t
gzip(uint8_t *out, size_t cap)
{
	z_stream z;
	memset(&z, 0, sizeof(z));
	ASSERT(deflateInit2(&z, 6, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY) == Z_OK);
	z.next_in = F.b;
	z.avail_in = (uInt)F.n;
	z.next_out = out;
	z.avail_out = (uInt)cap;
	ASSERT(deflate(&z, Z_FINISH) == Z_STREAM_END);
	(void)deflateEnd(&z);
	return cap - z.avail_out;
}

static c2c_err
ignore_flow(void *ctx, const struct c2c_flow *f)
{
	(void)ctx;
	(void)f;
	return C2C_OK;
}

static void
gzip_memory_and_file(void)
{
	static uint8_t gz[200000];
	struct c2c_pkt pk[8];
	struct c2c_diag diag;
	struct c2c_rd rd;
	char path[4096];
	c2c_err orc;
	size_t glen;
	FILE *fp;

	pcap_header(0xa1b2c3d4, true, 1);
	for (int i = 0; i < 60; i++)
		record(true, (uint32_t)i, 0, 1000, 1000, false);
	glen = gzip(gz, sizeof(gz));
	ASSERT_OK(c2c_rd_open_mem(&rd, gz, glen, 0));
	ASSERT_EQ(read_all(&rd, pk, &orc, &diag), 60);
	ASSERT(rd.gzip);
	c2c_rd_close(&rd);
	ASSERT_U64_EQ(pk[1].ev.off, 24 + 1016); /* offsets into the inflated stream */

	(void)snprintf(path, sizeof(path), "%s/t.pcap.gz", test_tmpdir());
	fp = fopen(path, "wb");
	ASSERT(fp != NULL);
	ASSERT(fwrite(gz, 1, glen - 10, fp) == glen - 10); /* trailer and some data missing */
	ASSERT(fclose(fp) == 0);
	if (c2c_rd_open(&rd, path, 0, &diag) != C2C_OK) {
		if (test_alloc_injected())
			test_oom_exit();
		ASSERT(0);
	}
	{
		struct c2c_capture *c = NULL;
		struct c2c_pkt p;
		c2c_err rc;
		int n = 0;
		reset_out();
		ASSERT_OK(c2c__capture_open(&c, &rd, 0, &st, &info, &diag));
		while ((rc = c2c__capture_next(c, &p, &diag)) == C2C_OK)
			n++;
		/* A gzip stream cut short reads as a capture cut short: the packets before the
		 * cut, then a clean end (a partial record is counted). */
		ASSERT(n >= 50 && n <= 60);
		ASSERT_ERR(rc, C2C_EEND);
		ASSERT_U64_EQ(n + st.n[C2C_ST_PCAP_TRUNC_RECORD], 60);
		c2c__capture_free(c);
	}
	c2c_rd_close(&rd);

	/* The plain file through mmap. */
	(void)snprintf(path, sizeof(path), "%s/t.pcap", test_tmpdir());
	fp = fopen(path, "wb");
	ASSERT(fp != NULL);
	ASSERT(fwrite(F.b, 1, F.n, fp) == F.n);
	ASSERT(fclose(fp) == 0);
	if (c2c_rd_open(&rd, path, C2C_RD_HASH, &diag) != C2C_OK) {
		if (test_alloc_injected())
			test_oom_exit();
		ASSERT(0);
	}
	ASSERT_EQ(read_all(&rd, pk, &orc, &diag), 60);
	c2c_rd_close(&rd);

	/* The whole ingest path counts each packet once in the input's record count (it once
	 * counted them twice: in the reader and again in the flow loop). */
	{
		struct c2c_sink sink = { NULL, ignore_flow, NULL };
		struct c2c_input_info in;
		c2c_err rc = c2c_ingest_file(path, 0, NULL, &sink, &in, NULL, &diag);
		if (rc == C2C_ENOMEM && test_alloc_injected())
			test_oom_exit();
		ASSERT_OK(rc);
		ASSERT_U64_EQ(in.records, 60);
		ASSERT_EQ(in.first_ts, 0);
		ASSERT_EQ(in.last_ts, 59 * 1000000LL);
	}
}

TEST_MAIN(both_orders_and_precisions, truncated_tail_and_bad_lengths, bad_headers_are_errors,
    gzip_memory_and_file)
