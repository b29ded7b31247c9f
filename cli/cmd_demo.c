/* c2chain demo: generate a small case, scan it, write the reports, verify it, summarise. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "c2chain/enrich.h"
#include "c2chain/evidence.h"
#include "c2chain/gen.h"
#include "c2chain/pipeline.h"
#include "cli.h"

static const char usage_text[] =
    "usage: c2chain demo [-d DIR] [--hosts N] [--seed N]\n"
    "\n"
    "The whole job on a built-in sample, with no network and no other input:\n"
    "  1. 'c2chain gen' writes a synthetic day of traffic with known C2 (DIR/data),\n"
    "  2. country and ASN databases are built from its registry CSV (geodb build),\n"
    "  3. 'c2chain scan' reads the capture with the generated feeds, allow-list,\n"
    "     reference lists and actor catalogue into a signed case (DIR/case),\n"
    "  4. 'c2chain verify' re-checks every claim offline and re-derives the report,\n"
    "  5. the findings are compared with the generator's ground truth.\n"
    "Running it again appends to the same case and proves the ledger only grew.\n"
    "\n"
    "options:\n"
    "  -d, --dir DIR      working directory (default ./c2chain-demo)\n"
    "      --hosts N      internal hosts (default 60)\n"
    "      --seed N       generator seed (default 1)\n"
    "\n"
    "Exit status: 0 the case verified; 1 verification failed; others as 'c2chain scan'.\n";

static int
build_db(const char *out, enum c2c_mmdb_kind kind, const char *const *csv, size_t n,
    struct c2c_diag *diag)
{
	struct c2c_mmdb_writer *w = NULL;
	struct c2c_buf b;
	c2c_err rc = c2c_mmdb_writer_new(kind, &w);
	c2c_buf_init(&b, (size_t)1 << 30);
	for (size_t i = 0; i < n && rc == C2C_OK; i++)
		rc = c2c_mmdb_writer_add_csv(w, csv[i], diag);
	if (rc == C2C_OK)
		rc = c2c_mmdb_writer_finish(w, kind == C2C_MMDB_ASN ? "c2chain-ASN" : "c2chain-Country",
		    1767225600, "c2chain demo database built from the generated registry CSV", &b,
		    diag);
	if (rc == C2C_OK)
		rc = c2c_file_write_atomic(out, b.data, b.len, diag);
	c2c_buf_fini(&b);
	c2c_mmdb_writer_free(w);
	return rc;
}

struct tally {
	size_t n[C2C_V_FAILED + 1];
};

static void
on_verdict(void *ctx, const struct c2c_claim_verdict *v)
{
	struct tally *t = ctx;
	if ((unsigned)v->verdict <= C2C_V_FAILED)
		t->n[v->verdict]++;
	if (v->verdict == C2C_V_FAILED)
		fprintf(stderr, "  FAILED %s %s: %s\n", v->kind, v->id, v->msg ? v->msg : "");
}

static c2c_err
rederive(void *ctx, const char *case_dir, const char *inputs_dir, struct c2c_buf *out,
    struct c2c_diag *diag)
{
	(void)ctx;
	return c2c_scan_rederive(case_dir, inputs_dir, out, diag);
}

/* Hosts in the findings against the generator's ground truth. */
static void
truth_check(const char *data, const char *case_dir)
{
	char p1[4096], p2[4096];
	uint8_t *t1 = NULL, *t2 = NULL;
	size_t l1, l2, tp = 0, fp = 0, truth_n = 0;
	json_t *truth = NULL, *rep = NULL, *found = json_object(), *want = json_object();
	const json_t *fam, *v, *f;
	size_t i, k;
	const char *key;

	(void)snprintf(p1, sizeof(p1), "%s/truth.json", data);
	(void)snprintf(p2, sizeof(p2), "%s/report.json", case_dir);
	if (c2c_file_slurp(p1, 1u << 30, &t1, &l1, NULL) != C2C_OK ||
	    c2c_file_slurp(p2, 1u << 30, &t2, &l2, NULL) != C2C_OK ||
	    c2c_json_parse((char *)t1, l1, p1, &truth, NULL) != C2C_OK ||
	    c2c_json_parse((char *)t2, l2, p2, &rep, NULL) != C2C_OK || found == NULL ||
	    want == NULL)
		goto out;
	/* Infected hosts of every family, the sinkholed one included: its hosts are infected
	 * even though the sinkhole controls nothing (the matrix keeps that role apart). */
	json_array_foreach(json_object_get(truth, "families"), i, fam) {
		json_array_foreach(json_object_get(fam, "victims"), k, v)
			(void)json_object_set_new(want, json_string_value(json_object_get(v, "ip")),
			    json_true());
	}
	json_array_foreach(json_object_get(rep, "findings"), i, f) {
		const char *h = json_string_value(json_object_get(json_object_get(f, "subject"),
		    "host"));
		if (h != NULL)
			(void)json_object_set_new(found, h, json_true());
	}
	truth_n = json_object_size(want);
	json_object_foreach(found, key, v) {
		if (json_object_get(want, key) != NULL)
			tp++;
		else
			fp++;
	}
	printf("ground truth: %zu of %zu infected hosts found (recall %.3f), %zu other hosts "
	       "flagged (precision %.3f)\n",
	    tp, truth_n, truth_n ? (double)tp / (double)truth_n : 1.0, fp,
	    tp + fp ? (double)tp / (double)(tp + fp) : 1.0);
out:
	json_decref(truth);
	json_decref(rep);
	json_decref(found);
	json_decref(want);
	c2c_free(t1);
	c2c_free(t2);
}

static int
run(int argc, char **argv)
{
	static const struct option lo[] = { { "dir", required_argument, NULL, 'd' },
		{ "hosts", required_argument, NULL, 1 }, { "seed", required_argument, NULL, 2 },
		{ NULL, 0, NULL, 0 } };
	extern const struct cli_cmd cli_cmd_demo;
	const char *dir = "c2chain-demo";
	char data[1024], case_dir[1024], p[16][1200];
	struct c2c_gen_opts go;
	struct c2c_gen_stats gs;
	struct c2c_scan_opts so;
	struct c2c_scan_summary sum;
	struct c2c_verify_opts vo;
	struct c2c_verify_summary vs;
	struct tally t;
	struct c2c_diag diag = { 0 };
	c2c_err rc;
	int c;

	c2c_gen_opts_default(&go);
	optind = 1;
	while ((c = getopt_long(argc, argv, "d:", lo, NULL)) != -1) {
		switch (c) {
		case 'd':
			dir = optarg;
			break;
		case 1:
			go.hosts = strtoull(optarg, NULL, 10);
			if (go.hosts == 0)
				return cli_usage_error(&cli_cmd_demo, "bad --hosts");
			break;
		case 2:
			go.seed = strtoull(optarg, NULL, 10);
			break;
		default:
			return cli_usage_error(&cli_cmd_demo, "unknown option");
		}
	}
	if (optind != argc)
		return cli_usage_error(&cli_cmd_demo, "takes no arguments");
	if (strlen(dir) > 900)
		return cli_usage_error(&cli_cmd_demo, "directory name too long");
	if (mkdir(dir, 0755) != 0 && errno != EEXIST)
		return cli_err(EX_CANTCREAT, "%s: %s", dir, strerror(errno));
	(void)snprintf(data, sizeof(data), "%s/data", dir);
	(void)snprintf(case_dir, sizeof(case_dir), "%s/case", dir);

	printf("[1/5] generating a synthetic day: %llu hosts in six countries, seven C2 "
	       "families (seed %llu)\n", (unsigned long long)go.hosts,
	    (unsigned long long)go.seed);
	rc = c2c_gen_run(&go, data, &gs, &diag);
	if (rc != C2C_OK)
		return cli_fail(rc, &diag);
	printf("      %llu connections, %llu packets -> %s/traffic.pcap\n",
	    (unsigned long long)gs.connections, (unsigned long long)gs.packets, data);

	printf("[2/5] building country and ASN databases from the generated registry CSV\n");
	(void)snprintf(p[0], sizeof(p[0]), "%s/geo/geo.csv", data);
	(void)snprintf(p[1], sizeof(p[1]), "%s/geo/internal.csv", data);
	(void)snprintf(p[2], sizeof(p[2]), "%s/geo/country.mmdb", data);
	(void)snprintf(p[3], sizeof(p[3]), "%s/geo/asn.mmdb", data);
	{
		const char *csv[2] = { p[0], p[1] };
		rc = build_db(p[2], C2C_MMDB_COUNTRY, csv, 2, &diag);
		if (rc == C2C_OK)
			rc = build_db(p[3], C2C_MMDB_ASN, csv, 1, &diag);
	}
	if (rc != C2C_OK)
		return cli_fail(rc, &diag);

	printf("[3/5] scanning into %s\n", case_dir);
	memset(&so, 0, sizeof(so));
	(void)snprintf(p[4], sizeof(p[4]), "%s/traffic.pcap", data);
	(void)snprintf(p[5], sizeof(p[5]), "%s/feeds/c2-ips.txt", data);
	(void)snprintf(p[6], sizeof(p[6]), "%s/feeds/apt_violettyphoon.txt", data);
	(void)snprintf(p[7], sizeof(p[7]), "%s/feeds/warninglist-services.json", data);
	(void)snprintf(p[8], sizeof(p[8]), "%s/catalogue/actors.json", data);
	(void)snprintf(p[9], sizeof(p[9]), "sinkhole=%s/refdata/sinkholes.json", data);
	(void)snprintf(p[10], sizeof(p[10]), "residential=%s/refdata/residential-asns.txt", data);
	(void)snprintf(p[11], sizeof(p[11]), "hosting=%s/refdata/hosting-ranges.txt", data);
	(void)snprintf(p[12], sizeof(p[12]), "%s/c2chain.conf", data);
	{
		const char *inputs[] = { p[4] }, *feeds[] = { p[5], p[6], p[7] }, *geo[] = { p[2] },
			   *asn[] = { p[3] }, *cat[] = { p[8] }, *ref[] = { p[9], p[10], p[11] };
		so.inputs = inputs;
		so.n_inputs = 1;
		so.feeds = feeds;
		so.n_feeds = 3;
		so.geo = geo;
		so.n_geo = 1;
		so.asn = asn;
		so.n_asn = 1;
		so.catalogues = cat;
		so.n_catalogues = 1;
		so.refdata = ref;
		so.n_refdata = 3;
		so.config = p[12];
		so.title = "c2chain demo: a synthetic day";
		rc = c2c_scan(&so, case_dir, &sum, &diag);
	}
	if (rc != C2C_OK)
		return cli_fail(rc, &diag);
	printf("      %llu flows: %llu intel hits (%llu suppressed by the allow-list), %llu "
	       "beacons, %llu long connections, %llu DNS tunnels\n"
	       "      %llu controlled hosts, %llu C2 endpoints in %llu countries, %llu clusters "
	       "assessed; %llu ledger entries\n",
	    (unsigned long long)sum.flows, (unsigned long long)sum.intel_hits,
	    (unsigned long long)sum.suppressed, (unsigned long long)sum.beacons,
	    (unsigned long long)sum.long_connections, (unsigned long long)sum.dns_tunnels,
	    (unsigned long long)sum.controlled_hosts, (unsigned long long)sum.c2_endpoints,
	    (unsigned long long)sum.countries, (unsigned long long)sum.assessments,
	    (unsigned long long)sum.ledger_size);

	printf("[4/5] verifying the case offline (signature, digests, ledger, cited records, "
	       "re-derivation)\n");
	memset(&vo, 0, sizeof(vo));
	memset(&t, 0, sizeof(t));
	vo.rederive = rederive;
	vo.verdict = on_verdict;
	vo.verdict_ctx = &t;
	rc = c2c_verify_case(case_dir, &vo, &vs, &diag);
	printf("      %zu verified from raw records, %zu with pinned reference data, %zu "
	       "external, %zu missing data, %zu FAILED\n",
	    t.n[C2C_V_RAW], t.n[C2C_V_REF], t.n[C2C_V_EXTERNAL], t.n[C2C_V_MISSING],
	    t.n[C2C_V_FAILED]);

	printf("[5/5] comparing with the generator's ground truth\n      ");
	truth_check(data, case_dir);
	printf("\nreport: %s/report.html (also report.md, report.json, report.stix.json)\n"
	       "verify it yourself: c2chain verify %s --trust %s/key/verifier.pub\n",
	    case_dir, case_dir, case_dir);
	if (rc == C2C_EVERIFY)
		return 1;
	return rc == C2C_OK ? 0 : cli_fail(rc, &diag);
}

const struct cli_cmd cli_cmd_demo = {
	"demo",
	run,
	"generate a sample case, scan it, report and verify it (no arguments needed)",
	usage_text,
};
