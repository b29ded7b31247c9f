/* c2chain gen: write a synthetic case with known ground truth (gen.h). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "c2chain/gen.h"
#include "cli.h"

static const char usage_text[] =
    "usage: c2chain gen [options] -o DIR\n"
    "\n"
    "Write a synthetic internet in miniature with known C2, deterministic from the seed:\n"
    "internal networks in six countries, background traffic (web over a CDN, DNS, NTP,\n"
    "update checks, inbound scanners) and C2 families (HTTPS and HTTP beacons with jitter\n"
    "and sleep windows, a long connection, a DNS tunnel, a sinkholed C2, relays in\n"
    "residential ASNs, a false-flag setup with planted indicators).\n"
    "\n"
    "Output in DIR: traffic.pcap, flows.ipfix, zeek/{conn,dns,ssl,http}.log (TSV),\n"
    "zeek-json/{conn,dns}.log, feeds/ (intel feeds and an allow-list), refdata/ (sinkhole,\n"
    "residential ASNs, hosting ranges), geo/geo.csv and geo/internal.csv (for\n"
    "'c2chain geodb build'),\n"
    "catalogue/actors.json (STIX 2.1 intrusion sets), c2chain.conf (internal prefixes per\n"
    "country) and truth.json (the ground truth).\n"
    "\n"
    "options:\n"
    "  -o, --output DIR        output directory (created if missing)\n"
    "  -s, --seed N            seed (default 1); same seed, same bytes\n"
    "  -n, --hosts N           internal hosts (default 60)\n"
    "  -H, --hours N           observation window in hours (default 24)\n"
    "      --start EPOCH       window start, Unix seconds (default 1767225600, 2026-01-01)\n"
    "      --web-mean S        mean seconds between web visits per host (default 1800)\n"
    "      --victims PERMILLE  share of hosts infected per family (default 30)\n"
    "      --slow P[,P...]     add slow-beacon families with these periods in seconds\n"
    "      --beacon I[:J[:F-T]] add an HTTPS beacon family (repeatable, at most 4): check-in\n"
    "                          interval I seconds, jitter J%% of it (default 0), asleep\n"
    "                          from UTC hour F to T (default never); e.g. 120:30:1-6\n"
    "      --formats LIST      pcap,ipfix,zeek,zeek-json (default all)\n"
    "      --max-connections N stop after N connections\n"
    "  -q, --quiet             no progress on stderr\n"
    "  -h, --help              this text\n";

static void
progress(void *ctx, c2c_time now, c2c_time end, uint64_t conns)
{
	const struct c2c_gen_opts *o = ctx;
	double done = (double)(now - o->start) / (double)(end - o->start);
	fprintf(stderr, "\rgen: %5.1f%%  %llu connections", 100.0 * done,
	    (unsigned long long)conns);
}

static int
parse_u64(const char *s, uint64_t *v)
{
	char *end;
	unsigned long long x = strtoull(s, &end, 10);
	if (*s == '\0' || *end != '\0' || *s == '-')
		return -1;
	*v = x;
	return 0;
}

static int
run(int argc, char **argv)
{
	static const struct option lo[] = { { "output", required_argument, NULL, 'o' },
		{ "seed", required_argument, NULL, 's' }, { "hosts", required_argument, NULL, 'n' },
		{ "hours", required_argument, NULL, 'H' }, { "start", required_argument, NULL, 1 },
		{ "web-mean", required_argument, NULL, 2 }, { "victims", required_argument, NULL, 3 },
		{ "slow", required_argument, NULL, 4 }, { "formats", required_argument, NULL, 5 },
		{ "max-connections", required_argument, NULL, 6 },
		{ "beacon", required_argument, NULL, 7 },
		{ "quiet", no_argument, NULL, 'q' }, { NULL, 0, NULL, 0 } };
	extern const struct cli_cmd cli_cmd_gen;
	struct c2c_gen_opts o;
	struct c2c_gen_stats st;
	struct c2c_diag diag = { 0 };
	const char *out = NULL;
	int c, quiet = 0;
	unsigned n_beacons = 0;
	uint64_t v;
	c2c_err rc;

	c2c_gen_opts_default(&o);
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:s:n:H:q", lo, NULL)) != -1) {
		switch (c) {
		case 'o':
			out = optarg;
			break;
		case 's':
			if (parse_u64(optarg, &o.seed))
				return cli_usage_error(&cli_cmd_gen, "bad seed '%s'", optarg);
			break;
		case 'n':
			if (parse_u64(optarg, &o.hosts) || o.hosts == 0)
				return cli_usage_error(&cli_cmd_gen, "bad host count '%s'", optarg);
			break;
		case 'H':
			if (parse_u64(optarg, &v) || v == 0 || v > 24 * 366)
				return cli_usage_error(&cli_cmd_gen, "bad hours '%s'", optarg);
			o.hours = (uint32_t)v;
			break;
		case 1:
			if (parse_u64(optarg, &v))
				return cli_usage_error(&cli_cmd_gen, "bad start '%s'", optarg);
			o.start = (c2c_time)v * C2C_USEC;
			break;
		case 2:
			if (parse_u64(optarg, &v) || v == 0 || v > 86400)
				return cli_usage_error(&cli_cmd_gen, "bad --web-mean '%s'", optarg);
			o.web_mean_s = (uint32_t)v;
			break;
		case 3:
			if (parse_u64(optarg, &v) || v > 1000)
				return cli_usage_error(&cli_cmd_gen, "bad --victims '%s'", optarg);
			o.victim_permille = (uint32_t)v;
			break;
		case 4: {
			char *dup = strdup(optarg), *save = NULL, *tok;
			unsigned k = 0;
			for (tok = strtok_r(dup, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
				if (k >= 4 || parse_u64(tok, &v) || v == 0 || v > 7 * 86400) {
					free(dup);
					return cli_usage_error(&cli_cmd_gen, "bad --slow '%s' (at most 4 "
					    "periods)", optarg);
				}
				o.slow_periods[k++] = (uint32_t)v;
			}
			free(dup);
			break;
		}
		case 7: {
			unsigned iv, j = 0, from = 0, to = 0;
			int used = 0, n = sscanf(optarg, "%u%n:%u%n:%u-%u%n", &iv, &used, &j, &used, &from,
			    &to, &used);
			if (n_beacons >= 4 || n < 1 || n == 3 || optarg[used] != '\0' || iv == 0 ||
			    iv > 7 * 86400 || j > 100 || from > 23 || to > 23)
				return cli_usage_error(&cli_cmd_gen, "bad --beacon '%s' (INTERVAL[:JITTER"
				    "[:FROM-TO]], at most 4)", optarg);
			o.beacons[n_beacons].interval_s = iv;
			o.beacons[n_beacons].jitter_pct = j;
			o.beacons[n_beacons].sleep_from = (uint8_t)from;
			o.beacons[n_beacons].sleep_to = (uint8_t)to;
			n_beacons++;
			break;
		}
		case 5: {
			char *dup = strdup(optarg), *save = NULL, *tok;
			o.formats = 0;
			for (tok = strtok_r(dup, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
				if (strcmp(tok, "pcap") == 0)
					o.formats |= C2C_GEN_PCAP;
				else if (strcmp(tok, "ipfix") == 0)
					o.formats |= C2C_GEN_IPFIX;
				else if (strcmp(tok, "zeek") == 0)
					o.formats |= C2C_GEN_ZEEK_TSV;
				else if (strcmp(tok, "zeek-json") == 0)
					o.formats |= C2C_GEN_ZEEK_JSON;
				else {
					free(dup);
					return cli_usage_error(&cli_cmd_gen, "unknown format '%s'", tok);
				}
			}
			free(dup);
			break;
		}
		case 6:
			if (parse_u64(optarg, &o.max_connections))
				return cli_usage_error(&cli_cmd_gen, "bad --max-connections '%s'", optarg);
			break;
		case 'q':
			quiet = 1;
			break;
		default:
			return cli_usage_error(&cli_cmd_gen, "unknown option");
		}
	}
	if (out == NULL || optind != argc)
		return cli_usage_error(&cli_cmd_gen, "needs -o DIR and no other arguments");
	if (!quiet && isatty(STDERR_FILENO)) {
		o.progress = progress;
		o.progress_ctx = &o;
	}
	rc = c2c_gen_run(&o, out, &st, &diag);
	if (o.progress != NULL)
		fputc('\n', stderr);
	if (rc != C2C_OK)
		return cli_fail(rc, &diag);
	if (!quiet)
		fprintf(stderr, "gen: %s: %llu connections, %llu packets, %llu DNS queries\n", out,
		    (unsigned long long)st.connections, (unsigned long long)st.packets,
		    (unsigned long long)st.dns_queries);
	return 0;
}

const struct cli_cmd cli_cmd_gen = {
	"gen",
	run,
	"generate a synthetic case with known C2 (tests, demo, benchmarks)",
	usage_text,
};
