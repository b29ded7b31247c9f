/*
 * The chain of evidence end to end, on a synthetic case built through the public API: a small
 * pcap written here (a host beaconing to 203.0.113.7:443 every minute among other traffic), a
 * feed file as reference data, findings of every recheck class (records, refdata, a Merkle
 * reference list, external, an assessment that needs the full inputs), committed and verified.
 * Then: single-byte flips at seeded random positions of the input, report.json, the ledger and
 * the checkpoint must each make `verify` fail on the claim concerned; a wrong trust key and a
 * truncated case fail with a clear message; two builds are byte-identical; a second scan
 * appends with a consistency proof; an excerpt package verifies what its records support.
 *
 * The record re-parse and the re-derivation are the test's own (reparse_pcap, rederive_report):
 * the library calls them through the same callbacks that carry the ingest stage and the
 * pipeline in the product, so this test does not depend on those stages being built.
 */
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "c2chain/evidence.h"
#include "test.h"

#define T0 1700000000LL /* 2023-11-14T22:13:20Z */
#define N_BEACON 80
#define N_OTHER 20
#define PKT_LEN 54 /* Ethernet + IPv4 + TCP, no payload */
#define REC_LEN (16 + PKT_LEN)

static void
put32le(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static uint32_t
get32le(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void
write_file(const char *path, const void *p, size_t len)
{
	FILE *fp = fopen(path, "wb");
	ASSERT(fp != NULL);
	ASSERT(fwrite(p, 1, len, fp) == len);
	ASSERT(fclose(fp) == 0);
}

/* One Ethernet/IPv4/TCP packet record. */
static size_t
packet(uint8_t *o, int64_t ts_us, const uint8_t src[4], const uint8_t dst[4], uint16_t sp,
    uint16_t dp)
{
	uint8_t *f = o + 16;
	put32le(o, (uint32_t)(ts_us / 1000000));
	put32le(o + 4, (uint32_t)(ts_us % 1000000));
	put32le(o + 8, PKT_LEN);
	put32le(o + 12, PKT_LEN);
	memset(f, 0, PKT_LEN);
	memcpy(f, "\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01\x08\x00", 14);
	f[14] = 0x45;
	f[17] = 40; /* total length */
	f[22] = 64;
	f[23] = 6;
	memcpy(f + 26, src, 4);
	memcpy(f + 30, dst, 4);
	f[34] = (uint8_t)(sp >> 8);
	f[35] = (uint8_t)sp;
	f[36] = (uint8_t)(dp >> 8);
	f[37] = (uint8_t)dp;
	f[46] = 0x50;
	f[47] = 0x02; /* SYN */
	return REC_LEN;
}

static size_t
make_pcap(uint8_t *buf)
{
	static const uint8_t host[4] = { 10, 0, 0, 5 }, c2[4] = { 203, 0, 113, 7 },
			     other[4] = { 10, 0, 0, 9 }, web[4] = { 198, 51, 100, 1 };
	size_t len = 24;
	put32le(buf, 0xa1b2c3d4);
	buf[4] = 2;
	buf[5] = 0;
	buf[6] = 4;
	buf[7] = 0;
	memset(buf + 8, 0, 8);
	put32le(buf + 16, 65535);
	put32le(buf + 20, 1);
	for (int i = 0, k = 0; i < N_BEACON; i++) {
		int64_t t = (T0 + 60LL * i) * 1000000 + 1234;
		len += packet(buf + len, t, host, c2, (uint16_t)(40000 + i), 443);
		if (i % 4 == 1 && k < N_OTHER) {
			len += packet(buf + len, t + 500000, other, web, (uint16_t)(50000 + k), 80);
			k++;
		}
	}
	return len;
}

/* ---- the test's stand-ins for ingest (record re-parse) and analysis ------------------------ */

/* Decode one pcap record after its global header: Ethernet, IPv4, TCP. */
static c2c_err
reparse_pcap(void *ctx, enum c2c_format fmt, const struct c2c_recbytes *deps, size_t n_deps,
    const struct c2c_recbytes *rec, int32_t rec_index, const struct c2c_sink *sink,
    struct c2c_diag *diag)
{
	struct c2c_flow f;
	const uint8_t *p = rec->p, *ip;
	(void)ctx;
	(void)rec_index;
	if (fmt != C2C_FMT_PCAP || n_deps != 1 || deps[0].off != 0 || deps[0].len != 24 ||
	    get32le(deps[0].p) != 0xa1b2c3d4)
		return c2c_diag_set(diag, C2C_EFORMAT, "test", rec->off, "no pcap global header");
	if (rec->len < 16 || get32le(p + 8) != rec->len - 16 || rec->len < 16 + 38)
		return c2c_diag_set(diag, C2C_EFORMAT, "test", rec->off, "bad record header");
	ip = p + 16 + 14;
	if (p[16 + 12] != 0x08 || p[16 + 13] != 0 || ip[0] != 0x45 || ip[9] != 6)
		return C2C_OK; /* not IPv4/TCP: no flow */
	memset(&f, 0, sizeof(f));
	f.ts = f.last = (c2c_time)get32le(p) * C2C_USEC + get32le(p + 4);
	c2c_ip_from_v4_bytes(&f.orig, ip + 12);
	c2c_ip_from_v4_bytes(&f.resp, ip + 16);
	f.orig_port = (uint16_t)(ip[20] << 8 | ip[21]);
	f.resp_port = (uint16_t)(ip[22] << 8 | ip[23]);
	f.proto = 6;
	return sink->flow(sink->ctx, &f);
}

static char g_dir[4096];
static char g_input[4096];
static char g_feed[4096];

static json_t *
jref(const uint8_t sha[32], uint64_t off, uint32_t len)
{
	struct c2c_evref r = { 0, -1, off, len };
	char buf[C2C_EVREF_STRLEN];
	return json_string(c2c_evref_format(&r, sha, buf, sizeof(buf)));
}

/* id = "<type>:" + 16 hex of SHA-256 over the canonical object without "id". */
static void
set_id(json_t *f)
{
	uint8_t d[32];
	char hex[65], id[96];
	ASSERT_OK(c2c_json_digest(f, d));
	(void)snprintf(id, sizeof(id), "%s:%.16s", json_string_value(json_object_get(f, "type")),
	    c2c_hex(d, 32, hex));
	ASSERT_OK(c2c_json_set_str(f, "id", id));
}

static json_t *
finding(const char *type, const char *recheck, int port)
{
	json_t *f = json_object(), *s = json_object(), *m = json_object();
	ASSERT_OK(c2c_json_set_str(f, "type", type));
	ASSERT_OK(c2c_json_set_str(f, "rung", "L1"));
	ASSERT_OK(c2c_json_set_str(m, "id", "c2chain.test"));
	ASSERT_OK(c2c_json_set_int(m, "version", 1));
	ASSERT_OK(c2c_json_set_new(f, "method", m));
	ASSERT_OK(c2c_json_set_str(s, "host", "10.0.0.5"));
	ASSERT_OK(c2c_json_set_str(s, "peer", "203.0.113.7"));
	ASSERT_OK(c2c_json_set_int(s, "peer_port", port));
	ASSERT_OK(c2c_json_set_new(f, "subject", s));
	ASSERT_OK(c2c_json_set_str(f, "recheck", recheck));
	return f;
}

struct analysis {
	json_t *report;
	json_t *claims[6];
	const char *kinds[6];
	size_t n;
	char *reflist[N_BEACON];
};

/* The test's deterministic "analysis" of the pcap at `path`: every record between 10.0.0.5
 * and 203.0.113.7:443 supports the findings. `bad_port` builds a claim the records contradict. */
static void
analyse(const char *path, const uint8_t feed_sha[32], int bad_port, struct analysis *a)
{
	size_t len = 0;
	uint8_t *buf = (uint8_t *)test_read_file(path, &len), sha[32];
	json_t *fnd = json_array(), *ass = json_array();
	json_t *beacon, *hit, *lc, *ext, *as, *ev;
	uint64_t offs[N_BEACON + N_OTHER];
	size_t nb = 0;
	char t1[32], t2[32], hex[65];
	c2c_time first = 0, last = 0;

	ASSERT(buf != NULL);
	c2c_sha256(buf, len, sha);
	for (size_t pos = 24; pos + 16 <= len;) {
		uint32_t incl = get32le(buf + pos + 8);
		const uint8_t *ip = buf + pos + 16 + 14;
		if (pos + 16 + incl > len)
			break;
		if (incl >= 38 && ip[16] == 203 && ip[17] == 0 && ip[18] == 113 && ip[19] == 7 &&
		    nb < N_BEACON) {
			c2c_time t = (c2c_time)get32le(buf + pos) * C2C_USEC + get32le(buf + pos + 4);
			if (nb == 0)
				first = t;
			last = t;
			offs[nb++] = pos;
		}
		pos += 16 + incl;
	}
	free(buf);
	ASSERT(nb > 64);
	(void)c2c_time_format_iso(first, t1, sizeof(t1));
	(void)c2c_time_format_iso(last, t2, sizeof(t2));

	/* beacon: the first 10 connections cited directly. */
	beacon = finding("beacon", "records", bad_port ? bad_port : 443);
	ev = json_object();
	ASSERT_OK(c2c_json_set_new(ev, "refs", json_array()));
	for (size_t i = 0; i < 10; i++)
		ASSERT_OK(c2c_json_append_new(json_object_get(ev, "refs"), jref(sha, offs[i], REC_LEN)));
	ASSERT_OK(c2c_json_set_new(ev, "deps", json_array()));
	ASSERT_OK(c2c_json_append_new(json_object_get(ev, "deps"), jref(sha, 0, 24)));
	ASSERT_OK(c2c_json_set_new(beacon, "evidence", ev));
	ASSERT_OK(c2c_json_set_str(beacon, "first_seen", t1));
	ASSERT_OK(c2c_json_set_str(beacon, "last_seen", t2));
	set_id(beacon);

	/* intel hit: one record plus the pinned feed. */
	hit = finding("intel-hit", "refdata", 443);
	ev = json_object();
	ASSERT_OK(c2c_json_set_new(ev, "refs", json_array()));
	ASSERT_OK(c2c_json_append_new(json_object_get(ev, "refs"), jref(sha, offs[0], REC_LEN)));
	ASSERT_OK(c2c_json_set_new(ev, "refdata", json_array()));
	(void)c2c_hex(feed_sha, 32, hex);
	{
		char s[80];
		(void)snprintf(s, sizeof(s), "sha256:%s", hex);
		ASSERT_OK(c2c_json_append_new(json_object_get(ev, "refdata"), json_string(s)));
	}
	ASSERT_OK(c2c_json_set_new(hit, "evidence", ev));
	set_id(hit);

	/* long connection resting on all 80 records: Merkle root + samples. */
	lc = finding("long-connection", "records", 443);
	ev = json_object();
	ASSERT_OK(c2c_json_set_int(ev, "count", (int64_t)nb));
	ASSERT_OK(c2c_json_set_new(ev, "samples", json_array()));
	for (size_t i = 0; i < nb; i++) {
		json_t *r = jref(sha, offs[i], REC_LEN);
		a->reflist[i] = c2c_strdup(json_string_value(r));
		if (i < 8 || i >= nb - 8)
			ASSERT_OK(c2c_json_append_new(json_object_get(ev, "samples"), r));
		else
			json_decref(r);
	}
	ASSERT_OK(c2c_json_set_new(lc, "evidence", ev));
	ASSERT_OK(c2c_json_set_str(lc, "first_seen", t1));
	ASSERT_OK(c2c_json_set_str(lc, "last_seen", t2));

	ext = finding("actor-report", "external", 443);
	ASSERT_OK(c2c_json_set_str(ext, "rung", "L5"));
	set_id(ext);

	as = json_object();
	ASSERT_OK(c2c_json_set_str(as, "type", "assessment"));
	ASSERT_OK(c2c_json_set_str(as, "recheck", "inputs"));
	ASSERT_OK(c2c_json_set_int(as, "hosts", 1));
	ASSERT_OK(c2c_json_set_int(as, "score_e6", 963000));
	set_id(as);

	a->claims[0] = beacon;
	a->claims[1] = hit;
	a->claims[2] = lc; /* id set after the reference list gives its root */
	a->claims[3] = ext;
	a->claims[4] = as;
	a->kinds[0] = a->kinds[1] = a->kinds[2] = a->kinds[3] = "finding";
	a->kinds[4] = "assessment";
	a->n = 5;
	a->report = json_object();
	ASSERT_OK(c2c_json_set_new(a->report, "findings", fnd));
	ASSERT_OK(c2c_json_set_new(a->report, "assessments", ass));
	ASSERT_OK(c2c_json_set_str(a->report, "schema", "c2chain.test-report/1"));
}

static void
finish_report(struct analysis *a, const uint8_t root[32], uint64_t count)
{
	char hex[65];
	json_t *ev = json_object_get(a->claims[2], "evidence");
	ASSERT_OK(c2c_json_set_str(ev, "merkle_root", c2c_hex(root, 32, hex)));
	ASSERT_U64_EQ(json_integer_value(json_object_get(ev, "count")), count);
	set_id(a->claims[2]);
	for (size_t i = 0; i < a->n; i++)
		ASSERT_OK(c2c_json_append_new(json_object_get(a->report,
		    strcmp(a->kinds[i], "finding") == 0 ? "findings" : "assessments"),
		    json_incref(a->claims[i])));
}

static void
free_analysis(struct analysis *a)
{
	for (size_t i = 0; i < a->n; i++)
		json_decref(a->claims[i]);
	for (size_t i = 0; i < N_BEACON; i++)
		c2c_free(a->reflist[i]);
	json_decref(a->report);
}

static void
fill_info(const char *path, struct c2c_input_info *info)
{
	size_t len = 0;
	uint8_t *b = (uint8_t *)test_read_file(path, &len);
	ASSERT(b != NULL);
	memset(info, 0, sizeof(*info));
	info->format = C2C_FMT_PCAP;
	c2c_sha256(b, len, info->sha256);
	info->size = len;
	info->records = N_BEACON + N_OTHER;
	info->first_ts = T0 * C2C_USEC + 1234;
	info->last_ts = (T0 + 60LL * (N_BEACON - 1)) * C2C_USEC + 1234;
	info->n_deps = 1;
	info->deps[0].rec = -1;
	info->deps[0].off = 0;
	info->deps[0].len = 24;
	free(b);
}

/* Build (or extend) the case at `dir` from the input; returns the report bytes' digest. */
static void
build_case(const char *dir, const char *input, int bad_port)
{
	struct c2c_case *c = NULL;
	struct c2c_case_opts o = { NULL, "c2chain.test/case", 0 };
	struct c2c_input_info info;
	struct analysis a;
	struct c2c_diag d;
	uint8_t feed_sha[32], root[32];
	uint64_t count = 0;

	memset(&a, 0, sizeof(a));
	memset(&d, 0, sizeof(d));
	fill_info(input, &info);
	ASSERT_OK(c2c_case_open(dir, &o, &c, &d));
	ASSERT_OK(c2c_case_add_input(c, input, &info, &d));
	ASSERT_OK(c2c_case_add_refdata(c, g_feed, "feed", feed_sha, &d));
	analyse(input, feed_sha, bad_port, &a);
	ASSERT_OK(c2c_case_add_reflist(c, (const char *const *)a.reflist, N_BEACON, root, &count,
	    &d));
	finish_report(&a, root, count);
	for (size_t i = 0; i < a.n; i++)
		ASSERT_OK(c2c_case_append(c, a.kinds[i], a.claims[i], NULL, &d));
	ASSERT_OK(c2c_case_commit(c, a.report, &d));
	c2c_case_close(c);
	free_analysis(&a);
}

static int
cmp_strp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The test's re-derivation: the same analysis over the input as it is now. */
static c2c_err
rederive_report(void *ctx, const char *case_dir, const char *inputs_dir, struct c2c_buf *out,
    struct c2c_diag *diag)
{
	struct analysis a;
	uint8_t feed_sha[32], root[32];
	uint8_t(*lv)[32];
	uint64_t size = 0;
	(void)ctx;
	(void)case_dir;
	(void)inputs_dir;
	memset(&a, 0, sizeof(a));
	if (c2c_sha256_file(g_feed, feed_sha, &size, diag) != C2C_OK)
		return C2C_ENOTFOUND;
	analyse(g_input, feed_sha, 0, &a);
	lv = calloc(N_BEACON, 32);
	ASSERT(lv != NULL);
	/* The reference list root as c2c_case_add_reflist computes it (sorted strings). */
	qsort(a.reflist, N_BEACON, sizeof(char *), cmp_strp);
	for (size_t i = 0; i < N_BEACON; i++)
		c2c_merkle_leaf(a.reflist[i], strlen(a.reflist[i]), lv[i]);
	c2c_merkle_root((const uint8_t(*)[32])lv, N_BEACON, root);
	free(lv);
	finish_report(&a, root, N_BEACON);
	ASSERT_OK(c2c_json_canon(a.report, out));
	free_analysis(&a);
	return C2C_OK;
}

struct vrec {
	char kind[16];
	char id[96];
	enum c2c_verdict v;
	char step[32];
	uint64_t where;
};

struct vlog {
	struct vrec r[64];
	size_t n;
	int print;
};

static void
collect(void *ctx, const struct c2c_claim_verdict *v)
{
	struct vlog *l = ctx;
	if (l->print)
		printf("  %-10s %-30.30s %-32s %s %s@%llu %s\n", v->kind, v->id,
		    c2c_verdict_name(v->verdict), v->step ? v->step : "-", v->src ? v->src : "-",
		    (unsigned long long)v->where, v->msg);
	if (l->n < C2C_ARRAY_LEN(l->r)) {
		struct vrec *r = &l->r[l->n++];
		(void)snprintf(r->kind, sizeof(r->kind), "%s", v->kind);
		(void)snprintf(r->id, sizeof(r->id), "%s", v->id);
		r->v = v->verdict;
		(void)snprintf(r->step, sizeof(r->step), "%s", v->step ? v->step : "");
		r->where = v->where;
	}
}

static c2c_err
run_verify(const char *path, const char *trust, struct vlog *l, struct c2c_verify_summary *sum)
{
	struct c2c_verify_opts o;
	struct c2c_diag d;
	memset(&o, 0, sizeof(o));
	memset(&d, 0, sizeof(d));
	l->n = 0;
	o.trust_path = trust;
	o.rederive = rederive_report;
	o.verdict = collect;
	o.verdict_ctx = l;
	o.reparse = reparse_pcap;
	return c2c_verify_case(path, &o, sum, &d);
}

static const struct vrec *
find(const struct vlog *l, const char *kind, const char *id_prefix)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->r[i].kind, kind) == 0 &&
		    strncmp(l->r[i].id, id_prefix, strlen(id_prefix)) == 0)
			return &l->r[i];
	return NULL;
}

static void
setup(void)
{
	static uint8_t buf[24 + (N_BEACON + N_OTHER) * REC_LEN];
	static const char feed[] = "# test feed\n203.0.113.7\n";
	const char *tmp = test_tmpdir();
	size_t len = make_pcap(buf);
	(void)snprintf(g_input, sizeof(g_input), "%s/beacon.pcap", tmp);
	(void)snprintf(g_feed, sizeof(g_feed), "%s/feed.txt", tmp);
	(void)snprintf(g_dir, sizeof(g_dir), "%s/case", tmp);
	write_file(g_input, buf, len);
	write_file(g_feed, feed, strlen(feed));
	build_case(g_dir, g_input, 0);
}

static char *
case_file(const char *rel)
{
	static char p[4200];
	int n = snprintf(p, sizeof(p), "%s/%s", g_dir, rel);
	ASSERT(n > 0 && (size_t)n < sizeof(p));
	return p;
}

static void
all_claims_verify(void)
{
	struct vlog l = { .print = 1 };
	struct c2c_verify_summary sum;
	printf("verdicts of the intact case:\n");
	ASSERT_OK(run_verify(g_dir, NULL, &l, &sum));
	l.print = 0;
	ASSERT(sum.signature_ok);
	ASSERT(sum.trusted_own_key);
	ASSERT_EQ(sum.n[C2C_V_FAILED], 0);
	ASSERT_EQ(sum.n[C2C_V_MISSING], 0);
	ASSERT_EQ(find(&l, "finding", "beacon:")->v, C2C_V_RAW);
	ASSERT_EQ(find(&l, "finding", "intel-hit:")->v, C2C_V_REF);
	ASSERT_EQ(find(&l, "finding", "long-connection:")->v, C2C_V_RAW);
	ASSERT_EQ(find(&l, "finding", "actor-report:")->v, C2C_V_EXTERNAL);
	ASSERT_EQ(find(&l, "assessment", "assessment:")->v, C2C_V_RAW);
	ASSERT_EQ(find(&l, "input", "beacon.pcap")->v, C2C_V_RAW);
	ASSERT_EQ(find(&l, "refdata", "feed.txt")->v, C2C_V_REF);
	ASSERT_EQ(find(&l, "report", "report.json")->v, C2C_V_RAW);
	/* With the case's public key given explicitly as the trust anchor. */
	ASSERT_OK(run_verify(g_dir, case_file("key/verifier.pub"), &l, &sum));
	ASSERT(!sum.trusted_own_key);
}

/* Deterministic positions: a 64-bit LCG (Knuth MMIX constants), fixed seed. */
static uint64_t rng = 0x2545f4914f6cdd1dULL;
static uint64_t
next_pos(uint64_t n)
{
	rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
	return (rng >> 17) % n;
}

static void
flip(const char *path, uint64_t pos)
{
	FILE *fp = fopen(path, "r+b");
	int c;
	ASSERT(fp != NULL);
	ASSERT(fseek(fp, (long)pos, SEEK_SET) == 0);
	c = fgetc(fp);
	ASSERT(c != EOF);
	ASSERT(fseek(fp, (long)pos, SEEK_SET) == 0);
	ASSERT(fputc(c ^ 0x20, fp) != EOF);
	ASSERT(fclose(fp) == 0);
}

static uint64_t
file_size(const char *path)
{
	struct stat st;
	ASSERT(stat(path, &st) == 0);
	return (uint64_t)st.st_size;
}

#define FLIPS 40

static void
tamper_input(void)
{
	uint64_t n = file_size(g_input);
	for (int k = 0; k < FLIPS; k++) {
		struct vlog l = { 0 };
		struct c2c_verify_summary sum;
		uint64_t pos = next_pos(n), rec_start = 0;
		const struct vrec *in, *b;
		size_t len = 0;
		uint8_t *buf = (uint8_t *)test_read_file(g_input, &len);
		/* The record holding the byte, from the intact file. */
		ASSERT(buf != NULL);
		if (pos >= 24)
			for (rec_start = 24; rec_start + 16 + get32le(buf + rec_start + 8) <= pos;)
				rec_start += 16 + get32le(buf + rec_start + 8);
		free(buf);
		flip(g_input, pos);
		ASSERT_ERR(run_verify(g_dir, NULL, &l, &sum), C2C_EVERIFY);
		in = find(&l, "input", "beacon.pcap");
		ASSERT(in != NULL && in->v == C2C_V_FAILED);
		ASSERT_STR_EQ(in->step, "digest");
		/* A flip inside a committed record (the header, a beacon record) is located at
		 * that record; elsewhere only the whole-file digest can tell. */
		if (in->where != 0 || pos < 24)
			ASSERT_U64_EQ(in->where, rec_start);
		b = find(&l, "finding", "beacon:");
		ASSERT(b != NULL && b->v == C2C_V_FAILED);
		b = find(&l, "report", "report.json");
		ASSERT(b != NULL && b->v == C2C_V_FAILED);
		flip(g_input, pos);
	}
}

static void
tamper_report(void)
{
	uint64_t n = file_size(case_file("report.json"));
	for (int k = 0; k < FLIPS; k++) {
		struct vlog l = { 0 };
		struct c2c_verify_summary sum;
		uint64_t pos = next_pos(n);
		const struct vrec *r;
		flip(case_file("report.json"), pos);
		ASSERT_ERR(run_verify(g_dir, NULL, &l, &sum), C2C_EVERIFY);
		r = find(&l, "report", "report.json");
		ASSERT(r != NULL && r->v == C2C_V_FAILED);
		ASSERT_STR_EQ(r->step, "report-digest");
		/* The re-derived report names the altered byte. */
		ASSERT_U64_EQ(r->where, pos);
		flip(case_file("report.json"), pos);
	}
}

static void
tamper_ledger(void)
{
	const char *path = case_file("ledger/entries.jsonl");
	uint64_t n = file_size(path);
	for (int k = 0; k < FLIPS; k++) {
		struct vlog l = { 0 };
		struct c2c_verify_summary sum;
		uint64_t pos = next_pos(n), line = 0;
		size_t len = 0;
		char *buf = test_read_file(path, &len);
		bool hit = false;
		ASSERT(buf != NULL);
		for (uint64_t i = 0; i < pos; i++)
			if (buf[i] == '\n')
				line = i + 1;
		free(buf);
		flip(path, pos);
		ASSERT_ERR(run_verify(g_dir, NULL, &l, &sum), C2C_EVERIFY);
		/* The entry holding the flipped byte fails at the ledger step, at its offset. */
		for (size_t i = 0; i < l.n; i++)
			if (l.r[i].v == C2C_V_FAILED && strcmp(l.r[i].step, "ledger") == 0 &&
			    l.r[i].where == line && strcmp(l.r[i].kind, "ledger") != 0)
				hit = true;
		if (!hit) {
			l.print = 1;
			(void)run_verify(g_dir, NULL, &l, &sum);
			TEST_FAIL_("flip at ledger byte %llu (entry at %llu) not pinned on its claim",
			    (unsigned long long)pos, (unsigned long long)line);
		}
		flip(path, pos);
	}
}

static void
tamper_checkpoint(void)
{
	const char *path = case_file("checkpoint.note");
	uint64_t n = file_size(path);
	for (int k = 0; k < FLIPS; k++) {
		struct vlog l = { 0 };
		struct c2c_verify_summary sum;
		uint64_t pos = next_pos(n);
		const struct vrec *c;
		flip(path, pos);
		ASSERT_ERR(run_verify(g_dir, NULL, &l, &sum), C2C_EVERIFY);
		ASSERT(!sum.signature_ok);
		c = find(&l, "checkpoint", "");
		ASSERT(c != NULL && c->v == C2C_V_FAILED);
		ASSERT_STR_EQ(c->step, "signature");
		ASSERT_EQ(l.n, 1); /* nothing else was parsed */
		flip(path, pos);
	}
	{
		struct vlog l = { 0 };
		struct c2c_verify_summary sum;
		ASSERT_OK(run_verify(g_dir, NULL, &l, &sum));
	}
}

static void
wrong_trust_key(void)
{
	struct c2c_signer *s = NULL;
	struct c2c_buf b;
	char path[4200];
	struct vlog l = { 0 };
	struct c2c_verify_summary sum;
	/* Same name as the case key, another key. */
	ASSERT_OK(c2c_signer_new("c2chain.test/case", &s));
	c2c_buf_init(&b, 4096);
	ASSERT_OK(c2c_signer_vkey(s, &b));
	(void)snprintf(path, sizeof(path), "%s/other.pub", test_tmpdir());
	write_file(path, b.data, b.len);
	ASSERT_ERR(run_verify(g_dir, path, &l, &sum), C2C_EVERIFY);
	ASSERT(!sum.signature_ok);
	ASSERT_STR_EQ(l.r[0].step, "signature");
	c2c_buf_fini(&b);
	c2c_signer_free(s);
}

static void
truncated_case(void)
{
	char save[4200];
	struct vlog l = { 0 };
	struct c2c_verify_summary sum;
	size_t len = 0;
	char *buf;
	const struct vrec *r;

	/* No checkpoint at all. */
	ASSERT((size_t)snprintf(save, sizeof(save), "%s.save", case_file("checkpoint.note")) <
	    sizeof(save));
	ASSERT(rename(case_file("checkpoint.note"), save) == 0);
	ASSERT_ERR(run_verify(g_dir, NULL, &l, &sum), C2C_EVERIFY);
	ASSERT(!sum.signature_ok && l.n == 1 && strcmp(l.r[0].step, "signature") == 0);
	ASSERT(rename(save, case_file("checkpoint.note")) == 0);

	/* The ledger cut after its first entries. */
	buf = test_read_file(case_file("ledger/entries.jsonl"), &len);
	ASSERT(buf != NULL);
	write_file(case_file("ledger/entries.jsonl"), buf, (size_t)(strchr(buf, '\n') - buf + 1));
	ASSERT_ERR(run_verify(g_dir, NULL, &l, &sum), C2C_EVERIFY);
	r = find(&l, "ledger", "ledger/entries.jsonl");
	ASSERT(r != NULL && r->v == C2C_V_FAILED);
	ASSERT(find(&l, "finding", "beacon:") == NULL || find(&l, "finding", "beacon:")->v ==
	    C2C_V_FAILED);
	write_file(case_file("ledger/entries.jsonl"), buf, len);
	free(buf);

	/* report.json missing. */
	buf = test_read_file(case_file("report.json"), &len);
	ASSERT(buf != NULL && unlink(case_file("report.json")) == 0);
	ASSERT_ERR(run_verify(g_dir, NULL, &l, &sum), C2C_EVERIFY);
	ASSERT(find(&l, "report", "report.json")->v == C2C_V_FAILED);
	ASSERT(find(&l, "finding", "beacon:")->v == C2C_V_FAILED);
	write_file(case_file("report.json"), buf, len);
	free(buf);

	/* A record-commitment list removed. */
	{
		char rel[200], hex[65];
		uint8_t sha[32];
		uint64_t size;
		ASSERT_OK(c2c_sha256_file(g_input, sha, &size, NULL));
		(void)snprintf(rel, sizeof(rel), "evidence/records/%s.txt", c2c_hex(sha, 32, hex));
		buf = test_read_file(case_file(rel), &len);
		ASSERT(buf != NULL && unlink(case_file(rel)) == 0);
		ASSERT_ERR(run_verify(g_dir, NULL, &l, &sum), C2C_EVERIFY);
		ASSERT_STR_EQ(find(&l, "finding", "beacon:")->step, "record-commitments");
		write_file(case_file(rel), buf, len);
		free(buf);
	}
	ASSERT_OK(run_verify(g_dir, NULL, &l, &sum));
	/* Not a case at all. */
	{
		struct c2c_diag d;
		struct c2c_verify_opts o;
		memset(&o, 0, sizeof(o));
		ASSERT_ERR(c2c_verify_case("/nonexistent/case", &o, &sum, &d), C2C_ENOTFOUND);
	}
}

static void
records_contradict_claim(void)
{
	char dir[4200];
	struct vlog l = { 0 };
	struct c2c_verify_summary sum;
	const struct vrec *b;
	(void)snprintf(dir, sizeof(dir), "%s/case-bad-port", test_tmpdir());
	build_case(dir, g_input, 8443);
	ASSERT_ERR(run_verify(dir, NULL, &l, &sum), C2C_EVERIFY);
	b = find(&l, "finding", "beacon:");
	ASSERT(b != NULL && b->v == C2C_V_FAILED);
	ASSERT_STR_EQ(b->step, "record-content");
	ASSERT_U64_EQ(b->where, 24); /* the first cited record */
}

static void
determinism(void)
{
	char dir2[4200], a[4400], b[4400];
	static const char *const files[] = { "ledger/entries.jsonl", "report.json", "inputs.json",
		"ledger/tree.hashes" };
	(void)snprintf(dir2, sizeof(dir2), "%s/case-again", test_tmpdir());
	build_case(dir2, g_input, 0);
	for (size_t i = 0; i < C2C_ARRAY_LEN(files); i++) {
		size_t la = 0, lb = 0;
		char *x, *y;
		(void)snprintf(a, sizeof(a), "%s/%s", g_dir, files[i]);
		(void)snprintf(b, sizeof(b), "%s/%s", dir2, files[i]);
		x = test_read_file(a, &la);
		y = test_read_file(b, &lb);
		ASSERT(x != NULL && y != NULL);
		ASSERT_EQ(la, lb);
		ASSERT_MEM_EQ(x, y, la);
		free(x);
		free(y);
	}
}

static void
second_scan_appends(void)
{
	char dir[4200], path[4400];
	struct vlog l = { 0 };
	struct c2c_verify_summary sum;
	struct stat st;
	const struct vrec *c;
	(void)snprintf(dir, sizeof(dir), "%s/case-two-scans", test_tmpdir());
	build_case(dir, g_input, 0);
	build_case(dir, g_input, 0);
	ASSERT_OK(run_verify(dir, NULL, &l, &sum));
	c = find(&l, "checkpoint", "9-18.proof");
	ASSERT(c != NULL && c->v == C2C_V_RAW);
	ASSERT(find(&l, "checkpoint", "9.note") != NULL);
	(void)snprintf(path, sizeof(path), "%s/ledger/consistency/9-18.proof", dir);
	ASSERT(stat(path, &st) == 0);
	/* Rewriting history is caught: alter an entry of the first scan in both the ledger and
	 * the tree sidecar, then re-sign nothing: the new checkpoint no longer covers it. */
	{
		size_t len = 0;
		char lp[4400];
		char *buf;
		(void)snprintf(lp, sizeof(lp), "%s/ledger/entries.jsonl", dir);
		buf = test_read_file(lp, &len);
		ASSERT(buf != NULL);
		flip(lp, 5);
		ASSERT_ERR(run_verify(dir, NULL, &l, &sum), C2C_EVERIFY);
		write_file(lp, buf, len);
		free(buf);
	}
	/* A case whose ledger no longer matches its checkpoint refuses to append. */
	{
		struct c2c_case *cs = NULL;
		struct c2c_diag d;
		struct c2c_case_opts o = { NULL, NULL, 0 };
		char lp[4400];
		(void)snprintf(lp, sizeof(lp), "%s/ledger/entries.jsonl", dir);
		flip(lp, 7);
		ASSERT_ERR(c2c_case_open(dir, &o, &cs, &d), C2C_EVERIFY);
		flip(lp, 7);
	}
}

static void
excerpt_package(void)
{
	char pkg[4200];
	struct c2c_diag d;
	struct vlog l = { 0 };
	struct c2c_verify_summary sum;
	size_t len = 0;
	char *buf;
	(void)snprintf(pkg, sizeof(pkg), "%s/excerpt.tar", test_tmpdir());
	ASSERT_OK(c2c_excerpt_write(g_dir, pkg, &d));
	/* Verify the package on its own: records-only claims hold, the rest is missing data. */
	ASSERT_ERR(run_verify(pkg, NULL, &l, &sum), C2C_EVERIFY);
	ASSERT(sum.excerpt && sum.signature_ok);
	ASSERT_EQ(sum.n[C2C_V_FAILED], 0);
	ASSERT_EQ(find(&l, "finding", "beacon:")->v, C2C_V_RAW);
	ASSERT_EQ(find(&l, "finding", "long-connection:")->v, C2C_V_RAW);
	ASSERT_EQ(find(&l, "finding", "intel-hit:")->v, C2C_V_MISSING); /* feed not included */
	ASSERT_EQ(find(&l, "assessment", "assessment:")->v, C2C_V_MISSING);
	ASSERT_EQ(find(&l, "input", "beacon.pcap")->v, C2C_V_MISSING);
	ASSERT_EQ(find(&l, "report", "report.json")->v, C2C_V_MISSING);
	/* Much smaller than the input: only cited records and the header. */
	buf = test_read_file(pkg, &len);
	ASSERT(buf != NULL);
	/* Flip a byte of the first excerpt record (after the blob's 24-byte header copy). */
	{
		char *m = NULL;
		for (size_t i = 0; i + 16 < len; i += 512)
			if (strncmp(buf + i, "excerpt/records/", 16) == 0)
				m = buf + i;
		ASSERT(m != NULL);
		m[512 + 24 + 40] ^= 1;
		write_file(pkg, buf, len);
		ASSERT_ERR(run_verify(pkg, NULL, &l, &sum), C2C_EVERIFY);
		ASSERT_EQ(find(&l, "finding", "beacon:")->v, C2C_V_FAILED);
		ASSERT_STR_EQ(find(&l, "finding", "beacon:")->step, "record-digest");
	}
	free(buf);
}

TEST_MAIN(setup, all_claims_verify, tamper_input, tamper_report, tamper_ledger,
    tamper_checkpoint, wrong_trust_key, truncated_case, records_contradict_claim, determinism,
    second_scan_appends, excerpt_package)
