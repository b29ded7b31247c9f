/* c2chain scan: the main job (pipeline.h). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "c2chain/pipeline.h"
#include "cli.h"

static const char usage_text[] =
    "usage: c2chain scan [options] INPUT... -o CASE\n"
    "       c2chain scan --analysis-only [options] INPUT...\n"
    "\n"
    "Ingest captures (pcap, pcapng), flow exports (NetFlow v5/v9, IPFIX, captures of export\n"
    "packets, collector evidence files) and Zeek logs (TSV or JSON, files or folders of\n"
    "rotated logs) in any mix; the format is detected from content. Match threat intel,\n"
    "detect beacons, long connections and DNS tunnels, place and group the C2 endpoints,\n"
    "assess who may operate each cluster, and write a signed, verifiable case:\n"
    "  CASE/report.json report.md report.html report.stix.json inputs.json scan.json\n"
    "  CASE/ledger/ checkpoint.note evidence/ key/\n"
    "Scanning into an existing case appends to its ledger and proves consistency.\n"
    "\n"
    "options:\n"
    "  -o, --output CASE        case directory (required)\n"
    "  -i, --intel FILE         threat-intel feed or allow-list (repeat); plain lists,\n"
    "                           Feodo/ThreatFox, maltrail, FireHOL, MISP, STIX 2.1,\n"
    "                           MISP warninglists\n"
    "      --geo FILE           country database (MMDB; repeat)\n"
    "      --asn FILE           ASN database (MMDB; repeat)\n"
    "      --catalogue FILE     actor catalogue: ATT&CK STIX bundle or MISP galaxy (repeat)\n"
    "      --refdata KIND=FILE  reference list for endpoint roles: sinkhole, cloud (or\n"
    "                           hosting), residential, tor-exit (repeat)\n"
    "      --host-map CC:FILE   controlled hosts in these networks (one CIDR or address\n"
    "                           per line, '#' comments) are in country CC, whatever the\n"
    "                           geo database says; pinned in the case (repeat). Longest\n"
    "                           prefix wins, with the config's 'internal_subnet CIDR CC'\n"
    "                           lines; a network listed twice keeps its first country\n"
    "      --external FILE      STIX 2.1 bundle used as external intelligence (repeat)\n"
    "  -c, --config FILE        c2chain.conf (see 'c2chain config --defaults')\n"
    "      --set KEY=VALUE      override one config key, e.g. beacon.min_score=0.8\n"
    "      --key FILE           Ed25519 signing key (default: the case's own, created once)\n"
    "      --title TEXT         report title\n"
    "      --question TEXT      the question the report answers\n"
    "  -j, --threads N          1 or 2 (default 2): the report is identical either way\n"
    "  -q, --quiet              no progress and no summary\n"
    "      --analysis-only      read and analyse only, write nothing (no -o needed): no\n"
    "                           input fingerprints, no case, no reports. A timing baseline:\n"
    "                           what a scan costs without its chain of evidence\n"
    "                           (bench/run_evidence.sh)\n"
    "\n"
    "Exit status: 0 done; 64 usage; 65 bad input data (file and offset named);\n"
    "66 input missing; 73 cannot create the case; 74 I/O error; 70 internal error.\n";

struct prog {
	double input_start; /* when the current input began */
	uint32_t last_input;
	double last_print;
	bool started;
};

static double
now_s(void)
{
	struct timespec t;
	(void)clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* One status line per input, rewritten in place: bytes and records done, their rates over this
 * input so far, and the time left at that byte rate. A new input starts a new line. */
static void
progress(void *ctx, uint32_t i, uint32_t n, const char *path, uint64_t done, uint64_t total,
    uint64_t records)
{
	struct prog *p = ctx;
	double t = now_s(), el, rate;
	if (!p->started || i != p->last_input) {
		if (p->started)
			fputc('\n', stderr);
		p->started = true;
		p->last_input = i;
		p->input_start = t;
		p->last_print = 0;
	}
	if (t - p->last_print < 0.25 && done < total)
		return;
	p->last_print = t;
	el = t - p->input_start;
	rate = el > 0 ? (double)done / el : 0;
	if (total > 0)
		fprintf(stderr, "\r[%u/%u] %-28.28s %5.1f%% %7.1f/%.1f MB", i + 1, n, path,
		    100.0 * (double)done / (double)total, (double)done / 1e6, (double)total / 1e6);
	else
		fprintf(stderr, "\r[%u/%u] %-28.28s %7.1f MB", i + 1, n, path, (double)done / 1e6);
	fprintf(stderr, " %11llu records", (unsigned long long)records);
	if (rate > 0)
		fprintf(stderr, " %6.1f MB/s %9.0f rec/s", rate / 1e6, (double)records / el);
	if (rate > 0 && total > done)
		fprintf(stderr, " ETA %4.0fs", (double)(total - done) / rate);
	fputs("  ", stderr);
}

static int
push(const char ***v, size_t *n, const char *s)
{
	const char **nv = realloc((void *)*v, (*n + 1) * sizeof(*nv));
	if (nv == NULL)
		return -1;
	nv[(*n)++] = s;
	*v = nv;
	return 0;
}

static void
summary(const struct c2c_scan_summary *s, const char *case_dir, double secs)
{
	if (case_dir == NULL) {
		fprintf(stderr,
		    "\n%-26s %12u\n%-26s %12llu\n%-26s %12llu\n%-26s %12llu\n%-26s %12.2f s\n"
		    "%-26s %12.2f s\n\nanalysis only: no fingerprints, case or reports written\n",
		    "inputs", s->inputs, "records", (unsigned long long)s->records, "flows",
		    (unsigned long long)s->flows, "observations",
		    (unsigned long long)s->observations, "time taken", secs,
		    "  reading and analysis", (double)s->analysis_us / 1e6);
		return;
	}
	fprintf(stderr,
	    "\n%-26s %12u\n%-26s %12llu\n%-26s %12llu\n%-26s %12llu\n%-26s %12llu\n"
	    "%-26s %12llu\n%-26s %12llu\n%-26s %12llu\n%-26s %12llu\n%-26s %12llu\n"
	    "%-26s %12llu\n%-26s %12llu\n%-26s %12llu\n%-26s %12llu\n%-26s %12llu\n"
	    "%-26s %12llu\n%-26s %12.2f s\n%-26s %12.2f s\n%-26s %12.2f s\n%-26s %12.2f s\n"
	    "\ncase: %s (report.html, report.md, report.json)\n",
	    "inputs", s->inputs, "records", (unsigned long long)s->records, "malformed",
	    (unsigned long long)s->malformed, "flows", (unsigned long long)s->flows,
	    "observations", (unsigned long long)s->observations, "intel hits",
	    (unsigned long long)s->intel_hits, "  suppressed (allow-list)",
	    (unsigned long long)s->suppressed, "beacons", (unsigned long long)s->beacons,
	    "long connections", (unsigned long long)s->long_connections, "DNS tunnels",
	    (unsigned long long)s->dns_tunnels, "strobes", (unsigned long long)s->strobes,
	    "controlled hosts", (unsigned long long)s->controlled_hosts, "C2 endpoints",
	    (unsigned long long)s->c2_endpoints, "controller countries",
	    (unsigned long long)s->countries, "clusters assessed",
	    (unsigned long long)s->assessments, "ledger entries",
	    (unsigned long long)s->ledger_size, "time taken", secs, "  reading and analysis",
	    (double)s->analysis_us / 1e6, "  evidence (case, ledger)", (double)s->evidence_us / 1e6,
	    "  reports", (double)s->reports_us / 1e6, case_dir);
}

static int
run(int argc, char **argv)
{
	enum { O_GEO = 1, O_ASN, O_CAT, O_REF, O_EXT, O_SET, O_KEY, O_TITLE, O_Q, O_HOSTMAP,
		O_ONLY };
	static const struct option lo[] = { { "output", required_argument, NULL, 'o' },
		{ "intel", required_argument, NULL, 'i' }, { "geo", required_argument, NULL, O_GEO },
		{ "asn", required_argument, NULL, O_ASN },
		{ "catalogue", required_argument, NULL, O_CAT },
		{ "refdata", required_argument, NULL, O_REF },
		{ "external", required_argument, NULL, O_EXT },
		{ "host-map", required_argument, NULL, O_HOSTMAP },
		{ "config", required_argument, NULL, 'c' }, { "set", required_argument, NULL, O_SET },
		{ "key", required_argument, NULL, O_KEY }, { "title", required_argument, NULL, O_TITLE },
		{ "question", required_argument, NULL, O_Q },
		{ "threads", required_argument, NULL, 'j' }, { "quiet", no_argument, NULL, 'q' },
		{ "analysis-only", no_argument, NULL, O_ONLY }, { NULL, 0, NULL, 0 } };
	extern const struct cli_cmd cli_cmd_scan;
	struct c2c_scan_opts o;
	const char **feeds = NULL, **geo = NULL, **asn = NULL, **cat = NULL, **ref = NULL,
		   **ext = NULL, **set = NULL, **hmap = NULL;
	struct c2c_scan_summary sum;
	struct c2c_diag diag = { 0 };
	struct prog pr;
	const char *out = NULL;
	int c, quiet = 0, bad = 0;
	double t0;
	c2c_err rc;

	memset(&o, 0, sizeof(o));
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:i:c:j:q", lo, NULL)) != -1) {
		switch (c) {
		case 'o':
			out = optarg;
			break;
		case 'i':
			bad |= push(&feeds, &o.n_feeds, optarg);
			break;
		case O_GEO:
			bad |= push(&geo, &o.n_geo, optarg);
			break;
		case O_ASN:
			bad |= push(&asn, &o.n_asn, optarg);
			break;
		case O_CAT:
			bad |= push(&cat, &o.n_catalogues, optarg);
			break;
		case O_REF:
			bad |= push(&ref, &o.n_refdata, optarg);
			break;
		case O_EXT:
			bad |= push(&ext, &o.n_external, optarg);
			break;
		case O_HOSTMAP:
			bad |= push(&hmap, &o.n_host_maps, optarg);
			break;
		case O_SET:
			bad |= push(&set, &o.n_set, optarg);
			break;
		case 'c':
			o.config = optarg;
			break;
		case O_KEY:
			o.key_path = optarg;
			break;
		case O_TITLE:
			o.title = optarg;
			break;
		case O_Q:
			o.question = optarg;
			break;
		case 'j':
			o.threads = (unsigned)atoi(optarg);
			if (o.threads < 1 || o.threads > 2)
				return cli_usage_error(&cli_cmd_scan, "--threads takes 1 or 2");
			break;
		case 'q':
			quiet = 1;
			break;
		case O_ONLY:
			o.analysis_only = true;
			break;
		default:
			return cli_usage_error(&cli_cmd_scan, "unknown option");
		}
	}
	if (bad)
		return cli_err(EX_OSERR, "out of memory");
	if (out == NULL && !o.analysis_only)
		return cli_usage_error(&cli_cmd_scan, "needs -o CASE");
	if (optind >= argc)
		return cli_usage_error(&cli_cmd_scan, "needs at least one INPUT");
	o.feeds = feeds;
	o.geo = geo;
	o.asn = asn;
	o.catalogues = cat;
	o.refdata = ref;
	o.external = ext;
	o.set = set;
	o.host_maps = hmap;
	o.inputs = (const char *const *)argv + optind;
	o.n_inputs = (size_t)(argc - optind);
	memset(&pr, 0, sizeof(pr));
	t0 = now_s();
	if (!quiet && isatty(STDERR_FILENO)) {
		o.progress = progress;
		o.progress_ctx = &pr;
	}
	rc = c2c_scan(&o, out, &sum, &diag);
	if (o.progress != NULL)
		fputc('\n', stderr);
	free(feeds);
	free(geo);
	free(asn);
	free(cat);
	free(ref);
	free(ext);
	free(set);
	free(hmap);
	if (rc != C2C_OK)
		return cli_fail(rc, &diag);
	if (!quiet)
		summary(&sum, o.analysis_only ? NULL : out, now_s() - t0);
	return 0;
}

const struct cli_cmd cli_cmd_scan = {
	"scan",
	run,
	"the main job: ingest, match, detect, enrich, attribute, sign, report",
	usage_text,
};
