/*
 * c2c_ingest_record (lib/ingest/record.c) against the full reader: every flow that
 * c2c_ingest_file delivers from a capture and from a Zeek conn log is re-parsed from its first
 * cited record plus the input's dependency records, and must come back with the same
 * endpoints, ports and start time. This is the re-parse `c2chain verify` relies on.
 *
 * In a build whose ingest stage lacks the driver for a format (c2c_ingest_file returns
 * C2C_EUNSUPPORTED), that format is reported as skipped; the misuse checks always run.
 */
#include <stdio.h>

#include "c2chain/ingest.h"
#include "test.h"

struct flows {
	struct c2c_flow f[64];
	size_t n;
};

static c2c_err
keep(void *ctx, const struct c2c_flow *f)
{
	struct flows *fl = ctx;
	if (fl->n < C2C_ARRAY_LEN(fl->f))
		fl->f[fl->n++] = *f;
	return C2C_OK;
}

static void
write_file(const char *path, const void *p, size_t len)
{
	FILE *fp = fopen(path, "wb");
	ASSERT(fp != NULL);
	ASSERT(fwrite(p, 1, len, fp) == len);
	ASSERT(fclose(fp) == 0);
}

static void
put32le(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static size_t
make_pcap(uint8_t *b)
{
	size_t len = 24;
	put32le(b, 0xa1b2c3d4);
	b[4] = 2;
	b[5] = 0;
	b[6] = 4;
	b[7] = 0;
	memset(b + 8, 0, 8);
	put32le(b + 16, 65535);
	put32le(b + 20, 1);
	for (int i = 0; i < 6; i++) {
		uint8_t *r = b + len, *f = r + 16;
		put32le(r, 1700000000u + (uint32_t)i * 60);
		put32le(r + 4, 1234);
		put32le(r + 8, 54);
		put32le(r + 12, 54);
		memset(f, 0, 54);
		memcpy(f, "\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01\x08\x00", 14);
		f[14] = 0x45;
		f[17] = 40;
		f[22] = 64;
		f[23] = 6;
		memcpy(f + 26, "\x0a\x00\x00\x05", 4);
		memcpy(f + 30, "\xcb\x00\x71\x07", 4);
		f[34] = (uint8_t)((40000 + i) >> 8);
		f[35] = (uint8_t)(40000 + i);
		f[36] = 0x01;
		f[37] = 0xbb;
		f[46] = 0x50;
		f[47] = 0x02;
		len += 16 + 54;
	}
	return len;
}

static const char zeek_log[] =
    "#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n#path\tconn\n"
    "#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tservice\tduration\t"
    "orig_bytes\tresp_bytes\tconn_state\tlocal_orig\tlocal_resp\tmissed_bytes\thistory\t"
    "orig_pkts\torig_ip_bytes\tresp_pkts\tresp_ip_bytes\ttunnel_parents\n"
    "#types\ttime\tstring\taddr\tport\taddr\tport\tenum\tstring\tinterval\tcount\tcount\t"
    "string\tbool\tbool\tcount\tstring\tcount\tcount\tcount\tcount\tset[string]\n"
    "1700000000.001234\tCa1\t10.0.0.5\t40000\t203.0.113.7\t443\ttcp\t-\t1.5\t10\t20\tSF\t-\t-\t"
    "0\tShADadFf\t5\t300\t4\t400\t-\n"
    "1700000060.001234\tCa2\t10.0.0.5\t40001\t203.0.113.7\t443\ttcp\t-\t1.5\t10\t20\tSF\t-\t-\t"
    "0\tShADadFf\t5\t300\t4\t400\t-\n";

/* Ingest `path`, then re-parse each flow's first record and compare. */
static void
round_trip(const char *path, const uint8_t *bytes, size_t len)
{
	struct flows all = { .n = 0 };
	struct c2c_sink sink = { &all, keep, NULL };
	struct c2c_input_info info;
	struct c2c_diag d;
	c2c_err rc;

	struct c2c_ingest_opts io;
	memset(&d, 0, sizeof(d));
	/* The synthetic frames carry no checksums; re-parsing ignores them too. */
	c2c_ingest_opts_default(&io);
	io.ignore_checksums = true;
	rc = c2c_ingest_file(path, 0, &io, &sink, &info, NULL, &d);
	if (rc == C2C_EUNSUPPORTED) {
		printf("skipped: %s: %s (reader not in this build)\n", path, d.msg);
		return;
	}
	ASSERT_OK(rc);
	ASSERT(all.n > 0);
	for (size_t i = 0; i < all.n; i++) {
		const struct c2c_flow *f = &all.f[i];
		struct c2c_recbytes deps[16], rec;
		struct flows one = { .n = 0 };
		struct c2c_sink s1 = { &one, keep, NULL };
		size_t nd = 0;
		for (uint32_t k = 0; k < info.n_deps && k < 16; k++) {
			deps[nd].off = info.deps[k].off;
			deps[nd].p = bytes + info.deps[k].off;
			deps[nd].len = info.deps[k].len;
			nd++;
		}
		ASSERT(f->first_ev.off + f->first_ev.len <= len);
		rec.off = f->first_ev.off;
		rec.p = bytes + f->first_ev.off;
		rec.len = f->first_ev.len;
		ASSERT_OK(c2c_ingest_record(info.format, deps, nd, &rec, f->first_ev.rec, &s1, &d));
		ASSERT(one.n >= 1);
		ASSERT(c2c_ip_eq(&one.f[0].orig, &f->orig) || c2c_ip_eq(&one.f[0].orig, &f->resp));
		ASSERT_EQ(one.f[0].ts, f->ts);
		ASSERT_U64_EQ(one.f[0].first_ev.off, f->first_ev.off); /* mapped back */
	}
}

static void
pcap_records(void)
{
	static uint8_t b[24 + 6 * 70];
	char path[4096];
	size_t len = make_pcap(b);
	(void)snprintf(path, sizeof(path), "%s/r.pcap", test_tmpdir());
	write_file(path, b, len);
	round_trip(path, b, len);
}

static void
zeek_records(void)
{
	char path[4096];
	(void)snprintf(path, sizeof(path), "%s/conn.log", test_tmpdir());
	write_file(path, zeek_log, strlen(zeek_log));
	round_trip(path, (const uint8_t *)zeek_log, strlen(zeek_log));
}

/* Dependencies must come before the record and must not overlap. */
static void
misuse_rejected(void)
{
	static const uint8_t x[64];
	struct c2c_recbytes dep = { 100, x, 24 }, rec = { 50, x, 16 };
	struct c2c_sink s = { NULL, NULL, NULL };
	struct c2c_diag d;
	ASSERT_ERR(c2c_ingest_record(C2C_FMT_PCAP, &dep, 1, &rec, -1, &s, &d), C2C_EINVAL);
	rec.off = 200;
	ASSERT_ERR(c2c_ingest_record(C2C_FMT_UNKNOWN, &dep, 1, &rec, -1, &s, &d),
	    C2C_EUNSUPPORTED);
}

TEST_MAIN(pcap_records, zeek_records, misuse_rejected)
