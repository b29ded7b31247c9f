/*
 * Capture readers and decoder over real traces. Three ways to run it:
 *   test_capture_traces                 unit test: every .pcap/.pcapng(.gz) under
 *                                       $C2C_SHARED/{zeek-btest,suricata-verify,ndpi} reads to
 *                                       its end without error and decodes without crashing
 *   test_capture_traces --count FILE... one line per file: packets, loss, status, path (used by
 *                                       tests/conformance/test_capture_counts.sh against tshark)
 *   test_capture_traces --bench FILE [N] read+decode FILE N times, print packets per second
 *   test_capture_traces --layers FILE   one line per decoded layer: proto, endpoints, IP length,
 *                                       tunnel type/id, parent, depth, flags (for conformance
 *                                       checks of the decoder against Zeek's conn.log)
 */
#include <dirent.h>
#include <stdint.h>
#include <sys/stat.h>
#include <time.h>

#include "test.h"
#include "ingest/internal.h"

struct run {
	uint64_t packets, layers, decoded;
	struct c2c_ingest_stats st;
	struct c2c_input_info info;
};

static c2c_err
read_file(const char *path, struct run *r, bool decode, struct c2c_diag *diag)
{
	struct c2c_rd rd;
	struct c2c_capture *c = NULL;
	struct c2c_defrag *df = NULL;
	struct c2c_decoded dec;
	struct c2c_pkt pkt;
	c2c_err rc;

	memset(r, 0, sizeof(*r));
	r->info.first_ts = INT64_MAX;
	r->info.last_ts = INT64_MIN;
	rc = c2c_rd_open(&rd, path, 0, diag);
	if (rc != C2C_OK)
		return rc;
	rc = c2c__capture_open(&c, &rd, 0, &r->st, &r->info, diag);
	if (rc != C2C_OK)
		goto out;
	if (decode) {
		df = c2c__defrag_new();
		if (df == NULL) {
			rc = C2C_ENOMEM;
			goto out;
		}
	}
	while ((rc = c2c__capture_next(c, &pkt, diag)) == C2C_OK) {
		r->packets++;
		if (decode && c2c__decode(&pkt, df, &dec, &r->st)) {
			r->decoded++;
			r->layers += dec.n;
		}
	}
	if (rc == C2C_EEND)
		rc = C2C_OK;
out:
	c2c__defrag_free(df);
	c2c__capture_free(c);
	c2c_rd_close(&rd);
	return rc;
}

static bool
is_capture(const char *name)
{
	static const char *const ext[] = { ".pcap", ".pcapng", ".pcap.gz", ".pcapng.gz", ".cap" };
	size_t n = strlen(name);
	for (size_t i = 0; i < C2C_ARRAY_LEN(ext); i++) {
		size_t e = strlen(ext[i]);
		if (n > e && strcmp(name + n - e, ext[i]) == 0)
			return true;
	}
	return false;
}

static unsigned n_files, n_bad;

static void
walk(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	if (d == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		char path[4096];
		struct stat sb;
		if (de->d_name[0] == '.')
			continue;
		(void)snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (stat(path, &sb) != 0)
			continue;
		if (S_ISDIR(sb.st_mode)) {
			walk(path);
		} else if (S_ISREG(sb.st_mode) && is_capture(de->d_name)) {
			struct run r;
			struct c2c_diag diag;
			c2c_err rc;
			memset(&diag, 0, sizeof(diag));
			rc = read_file(path, &r, true, &diag);
			n_files++;
			if (rc != C2C_OK) {
				char msg[512];
				(void)c2c_diag_format(&diag, rc, msg, sizeof(msg));
				fprintf(stderr, "FAIL %s: %s\n", path, msg);
				n_bad++;
			}
			/* Every packet read was counted once, and decode saw each of them. */
			ASSERT_U64_EQ(r.st.n[C2C_ST_PCAP_RECORDS], r.packets);
			ASSERT_U64_EQ(r.st.n[C2C_ST_DEC_PACKETS], r.packets);
			ASSERT_U64_EQ(r.info.records, r.packets);
		}
	}
	(void)closedir(d);
}

static void
shared_traces_read_cleanly(void)
{
	static const char *const roots[] = { "zeek-btest/Traces", "suricata-verify", "ndpi" };
	char buf[4096];
	for (size_t i = 0; i < C2C_ARRAY_LEN(roots); i++) {
		const char *p = test_shared(roots[i], buf, sizeof(buf));
		if (p == NULL) {
			printf("SKIP: %s not present\n", roots[i]);
			continue;
		}
		walk(p);
	}
	printf("%u capture files read, %u failed\n", n_files, n_bad);
	ASSERT_EQ(n_bad, 0);
}

static int
count_mode(int argc, char **argv)
{
	int bad = 0;
	for (int i = 2; i < argc; i++) {
		struct run r;
		struct c2c_diag diag;
		c2c_err rc;
		memset(&diag, 0, sizeof(diag));
		rc = read_file(argv[i], &r, true, &diag);
		printf("%llu\t%llu\t%s\t%s\n", (unsigned long long)r.packets,
		    (unsigned long long)r.info.loss, c2c_errname(rc), argv[i]);
		if (rc != C2C_OK) {
			char msg[512];
			(void)c2c_diag_format(&diag, rc, msg, sizeof(msg));
			fprintf(stderr, "%s\n", msg);
			bad = 1;
		}
	}
	return bad;
}

static int
layers_mode(const char *path)
{
	struct c2c_rd rd;
	struct c2c_capture *c = NULL;
	struct c2c_defrag *df = NULL;
	struct c2c_ingest_stats st;
	struct c2c_input_info info;
	struct c2c_decoded dec;
	struct c2c_pkt pkt;
	struct c2c_diag diag;
	c2c_err rc;

	memset(&st, 0, sizeof(st));
	memset(&info, 0, sizeof(info));
	rc = c2c_rd_open(&rd, path, 0, &diag);
	if (rc != C2C_OK)
		return 1;
	rc = c2c__capture_open(&c, &rd, 0, &st, &info, &diag);
	df = c2c__defrag_new();
	if (rc != C2C_OK || df == NULL)
		return 1;
	while (c2c__capture_next(c, &pkt, &diag) == C2C_OK) {
		if (!c2c__decode(&pkt, df, &dec, &st))
			continue;
		for (unsigned i = 0; i < dec.n; i++) {
			const struct c2c_l4 *l = &dec.l[i];
			char a[C2C_IP_STRLEN], b[C2C_IP_STRLEN];
			printf("%llu\t%u\t%s\t%u\t%s\t%u\t%u\t%u\t%u\t%d\t%u\t%u\n",
			    (unsigned long long)pkt.ev.off, l->proto,
			    c2c_ip_format(&l->src, a, sizeof(a)), l->sport,
			    c2c_ip_format(&l->dst, b, sizeof(b)), l->dport, l->ip_len, l->tunnel,
			    l->tunnel_id, l->parent, l->depth, l->flags);
		}
	}
	for (unsigned i = 0; i < C2C_ST__COUNT; i++)
		if (st.n[i] != 0)
			fprintf(stderr, "%s %llu\n", c2c_stat_name((enum c2c_stat)i),
			    (unsigned long long)st.n[i]);
	c2c__defrag_free(df);
	c2c__capture_free(c);
	c2c_rd_close(&rd);
	return 0;
}

static double
now(clockid_t clk)
{
	struct timespec ts;
	(void)clock_gettime(clk, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Wall time on a shared machine measures the neighbours too: report CPU time as well. */
static int
bench_mode(int argc, char **argv)
{
	long reps = argc > 3 ? strtol(argv[3], NULL, 10) : 5;
	uint64_t pk = 0, layers = 0;
	double best = 0, best_cpu = 0;
	for (long i = 0; i < reps; i++) {
		struct run r;
		struct c2c_diag diag;
		double t0 = now(CLOCK_MONOTONIC), c0 = now(CLOCK_PROCESS_CPUTIME_ID), dt, dc;
		if (read_file(argv[2], &r, true, &diag) != C2C_OK)
			return 1;
		dt = now(CLOCK_MONOTONIC) - t0;
		dc = now(CLOCK_PROCESS_CPUTIME_ID) - c0;
		pk = r.packets;
		layers = r.layers;
		if (best == 0 || dt < best)
			best = dt;
		if (best_cpu == 0 || dc < best_cpu)
			best_cpu = dc;
	}
	printf("%s: %llu packets, %llu layers, best of %ld: %.3f s wall (%.2f Mpkt/s), "
	       "%.3f s CPU (%.2f Mpkt per CPU-second) read+decode\n",
	    argv[2], (unsigned long long)pk, (unsigned long long)layers, reps, best,
	    (double)pk / best / 1e6, best_cpu, (double)pk / best_cpu / 1e6);
	return 0;
}

int
main(int argc, char **argv)
{
	test_init();
	if (argc >= 2 && strcmp(argv[1], "--count") == 0)
		return count_mode(argc, argv);
	if (argc >= 3 && strcmp(argv[1], "--layers") == 0)
		return layers_mode(argv[2]);
	if (argc >= 3 && strcmp(argv[1], "--bench") == 0)
		return bench_mode(argc, argv);
	shared_traces_read_cleanly();
	printf("%s: 1 tests passed\n", __FILE__);
	return 0;
}
