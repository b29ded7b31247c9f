/*
 * c2chain detect: behavioural analysis of any number of inputs (beacons, long connections,
 * strobes, DNS tunnels), printing findings as canonical JSON lines. `c2chain scan` runs the same
 * analyzer inside the full pipeline; this command exists to test and tune it.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "c2chain/config.h"
#include "c2chain/detect.h"
#include "c2chain/ingest.h"
#include "c2chain/json.h"
#include "cli.h"

static const struct cli_cmd *self(void);

static int
print_stats(const struct c2c_detect *det)
{
	struct c2c_detect_stats s;
	c2c_detect_get_stats(det, &s);
	fprintf(stderr,
	    "detect: flows %llu (skipped by direction %llu, to multicast/broadcast %llu, bad "
	    "%llu), observations %llu "
	    "(dns %llu, names %llu, unjoinable %llu)\n"
	    "detect: pairs %llu, connections stored %llu, arena %llu MiB; dropped: pair limit "
	    "%llu, connection limit %llu, series limit %llu\n"
	    "detect: names joined at add %llu, late %llu, by DNS answer %llu; domains %llu; "
	    "series scored %llu; beacons suppressed %llu\n",
	    (unsigned long long)s.flows, (unsigned long long)s.flows_skipped_direction,
	    (unsigned long long)s.flows_skipped_proto, (unsigned long long)s.flows_bad, (unsigned long long)s.obs,
	    (unsigned long long)s.obs_dns, (unsigned long long)s.obs_names,
	    (unsigned long long)s.obs_bad, (unsigned long long)s.pairs,
	    (unsigned long long)s.connections_stored, (unsigned long long)(s.arena_bytes >> 20),
	    (unsigned long long)s.dropped_pair_limit, (unsigned long long)s.dropped_conn_limit,
	    (unsigned long long)s.dropped_series_limit, (unsigned long long)s.joined_at_add,
	    (unsigned long long)s.joined_late, (unsigned long long)s.joined_dns,
	    (unsigned long long)s.domains, (unsigned long long)s.series_scored,
	    (unsigned long long)s.beacons_suppressed);
	return 0;
}

static int
run(int argc, char **argv)
{
	static const struct option opts[] = { { "config", required_argument, NULL, 'c' },
		{ "mode", required_argument, NULL, 'm' }, { "set", required_argument, NULL, 's' },
		{ "stats", no_argument, NULL, 'S' }, { "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 } };
	struct c2c_config *cfg = NULL;
	struct c2c_detect *det = NULL;
	struct c2c_diag diag;
	struct c2c_sink sink;
	struct c2c_ingest_opts io;
	uint8_t(*sha)[32] = NULL;
	const char *cfgpath = NULL, *mode = NULL;
	char **sets = NULL;
	int nsets = 0, c, ret = 0, stats = 0;
	json_t *arr = NULL;
	c2c_err rc;

	memset(&diag, 0, sizeof(diag));
	if (cli_wants_help(self(), argc, argv))
		return 0;
	sets = calloc((size_t)argc, sizeof(*sets));
	if (sets == NULL)
		return cli_fail(C2C_ENOMEM, NULL);
	optind = 1;
	while ((c = getopt_long(argc, argv, "c:m:s:", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			cfgpath = optarg;
			break;
		case 'm':
			mode = optarg;
			break;
		case 's':
			sets[nsets++] = optarg;
			break;
		case 'S':
			stats = 1;
			break;
		default:
			free(sets);
			return cli_usage_error(self(), "bad option");
		}
	}
	if (optind >= argc) {
		free(sets);
		return cli_usage_error(self(), "no input");
	}
	rc = cfgpath ? c2c_config_load(cfgpath, &cfg, &diag) : c2c_config_new_default(&cfg);
	if (rc == C2C_OK && mode != NULL)
		rc = c2c_config_set(cfg, "detect.mode", mode, &diag);
	for (int i = 0; i < nsets && rc == C2C_OK; i++) {
		char *eq = strchr(sets[i], '=');
		if (eq == NULL) {
			ret = cli_usage_error(self(), "--set wants KEY=VALUE, got '%s'", sets[i]);
			goto out;
		}
		*eq = '\0';
		rc = c2c_config_set(cfg, sets[i], eq + 1, &diag);
	}
	if (rc == C2C_OK)
		rc = c2c_detect_new(cfg, &det, &diag);
	if (rc != C2C_OK) {
		ret = cli_fail(rc, &diag);
		goto out;
	}
	sha = calloc((size_t)(argc - optind), 32);
	if (sha == NULL) {
		ret = cli_fail(C2C_ENOMEM, NULL);
		goto out;
	}
	c2c_detect_sink(det, &sink);
	c2c_ingest_opts_default(&io);
	/* Captures taken on a sending host carry offloaded (wrong) transport checksums; for C2
	 * detection a packet still shows who talked to whom (`c2chain flows` keeps Zeek's rule). */
	io.ignore_checksums = true;
	for (int i = optind; i < argc; i++) {
		struct c2c_input_info info;
		uint32_t idx = (uint32_t)(i - optind);
		rc = c2c_ingest_file(argv[i], idx, &io, &sink, &info, NULL, &diag);
		if (rc != C2C_OK) {
			ret = cli_fail(rc, &diag);
			goto out;
		}
		memcpy(sha[idx], info.sha256, 32);
	}
	rc = c2c_detect_finish(det, (const uint8_t(*)[32])sha, (uint32_t)(argc - optind), &arr);
	if (rc != C2C_OK) {
		ret = cli_fail(rc, NULL);
		goto out;
	}
	for (size_t i = 0; i < json_array_size(arr); i++) {
		struct c2c_buf b;
		c2c_buf_init(&b, (size_t)1 << 30);
		rc = c2c_json_canon(json_array_get(arr, i), &b);
		if (rc == C2C_OK && (fwrite(b.data, 1, b.len, stdout) != b.len || putchar('\n') == EOF))
			rc = C2C_EIO;
		c2c_buf_fini(&b);
		if (rc != C2C_OK) {
			ret = cli_fail(rc, NULL);
			goto out;
		}
	}
	if (fflush(stdout) != 0)
		ret = cli_fail(C2C_EIO, NULL);
	if (stats)
		print_stats(det);
out:
	json_decref(arr);
	c2c_detect_free(det);
	c2c_config_free(cfg);
	free(sha);
	free(sets);
	return ret;
}

const struct cli_cmd cli_cmd_detect = {
	"detect",
	run,
	"behavioural C2 analysis: beacons, long connections, strobes, DNS tunnels",
	"usage: c2chain detect [--config FILE] [--mode default|rita] [--set KEY=VALUE]...\n"
	"                      [--stats] INPUT...\n"
	"\n"
	"Read every INPUT (pcap, pcapng, NetFlow, IPFIX, Zeek logs; the format is detected\n"
	"from content), analyse all their flows and observations together, and print the\n"
	"findings (types beacon, long-connection, strobe, dns-tunnel) as canonical JSON, one\n"
	"per line, in a deterministic order (docs/detection.md, docs/findings.md).\n"
	"\n"
	"  --config FILE     c2chain.conf to use (see 'c2chain config --defaults')\n"
	"  --mode MODE       default, or rita to reproduce RITA v5's beacon score exactly\n"
	"                    (same as --set detect.mode=MODE)\n"
	"  --set KEY=VALUE   override one configuration key, e.g. beacon.min_score=0.5\n"
	"  --stats           print analysis counters on stderr\n"
	"\n"
	"Exit codes: 0 ok, 64 usage, 65 bad configuration or input, 66 no input, 74 I/O.\n",
};

static const struct cli_cmd *
self(void)
{
	return &cli_cmd_detect;
}
