/* c2chain collect: NetFlow v5/v9 and IPFIX collector writing evidence files (collector.h). */
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "c2chain/collector.h"
#include "cli.h"

static volatile sig_atomic_t stop_flag, report_flag;

static void
on_stop(int sig)
{
	(void)sig;
	stop_flag = 1;
}

static void
on_usr1(int sig)
{
	(void)sig;
	report_flag = 1;
}

static void
print_stats(void *ctx, const struct c2c_collector_stats *s)
{
	FILE *fp = ctx;
	fprintf(fp,
	    "datagrams=%" PRIu64 " bytes=%" PRIu64 " records=%" PRIu64 " flows=%" PRIu64
	    " templates=%" PRIu64 " templates_live=%" PRIu64 " malformed=%" PRIu64
	    " no_template=%" PRIu64 " seq_gaps=%" PRIu64 " drops=%" PRIu64 " files=%" PRIu64
	    " rcvbuf=%u\n",
	    s->datagrams, s->bytes, s->records, s->flows, s->templates, s->templates_live,
	    s->malformed, s->no_template, s->seq_gaps, s->drops, s->files, s->rcvbuf);
	fflush(fp);
}

static int
parse_u64(const char *s, uint64_t *out)
{
	char *end = NULL;
	unsigned long long v;
	if (s == NULL || *s == '\0' || *s == '-')
		return -1;
	v = strtoull(s, &end, 10);
	if (end == NULL || *end != '\0')
		return -1;
	*out = v;
	return 0;
}

extern const struct cli_cmd cli_cmd_collect;

static int
run(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "listen", required_argument, NULL, 'l' },
		{ "output", required_argument, NULL, 'o' },
		{ "rotate-bytes", required_argument, NULL, 'B' },
		{ "rotate-seconds", required_argument, NULL, 'S' },
		{ "max-seconds", required_argument, NULL, 'T' },
		{ "max-datagrams", required_argument, NULL, 'N' },
		{ "rcvbuf", required_argument, NULL, 'R' },
		{ "ring", required_argument, NULL, 'G' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct c2c_collector_opts o;
	struct c2c_collector *c = NULL;
	struct c2c_collector_stats st;
	struct c2c_diag diag;
	struct sigaction sa;
	uint64_t v;
	c2c_err rc, crc;
	int ch;

	if (cli_wants_help(&cli_cmd_collect, argc, argv))
		return 0;
	memset(&o, 0, sizeof(o));
	memset(&diag, 0, sizeof(diag));
	optind = 1;
	while ((ch = getopt_long(argc, argv, "l:o:", lo, NULL)) != -1) {
		switch (ch) {
		case 'l':
			o.listen = optarg;
			break;
		case 'o':
			o.dir = optarg;
			break;
		case 'B':
			if (parse_u64(optarg, &v) != 0 || v < 4096)
				return cli_usage_error(&cli_cmd_collect, "--rotate-bytes needs >= 4096");
			o.rotate_bytes = v;
			break;
		case 'S':
			if (parse_u64(optarg, &v) != 0 || v == 0 || v > UINT32_MAX)
				return cli_usage_error(&cli_cmd_collect, "bad --rotate-seconds");
			o.rotate_seconds = (uint32_t)v;
			break;
		case 'T':
			if (parse_u64(optarg, &v) != 0 || v > UINT32_MAX)
				return cli_usage_error(&cli_cmd_collect, "bad --max-seconds");
			o.max_seconds = (uint32_t)v;
			break;
		case 'N':
			if (parse_u64(optarg, &v) != 0)
				return cli_usage_error(&cli_cmd_collect, "bad --max-datagrams");
			o.max_datagrams = v;
			break;
		case 'R':
			if (parse_u64(optarg, &v) != 0 || v > UINT32_MAX)
				return cli_usage_error(&cli_cmd_collect, "bad --rcvbuf");
			o.rcvbuf = (uint32_t)v;
			break;
		case 'G':
			if (parse_u64(optarg, &v) != 0 || v < C2C_COLLECTOR_RING_MIN)
				return cli_usage_error(&cli_cmd_collect, "--ring needs >= %llu",
				    (unsigned long long)C2C_COLLECTOR_RING_MIN);
			o.ring_bytes = v;
			break;
		default:
			return cli_usage_error(&cli_cmd_collect, "unknown option");
		}
	}
	if (optind != argc)
		return cli_usage_error(&cli_cmd_collect, "unexpected argument '%s'", argv[optind]);
	if (o.listen == NULL || o.dir == NULL)
		return cli_usage_error(&cli_cmd_collect, "--listen and -o are required");

	rc = c2c_collector_open(&o, &c, &diag);
	if (rc != C2C_OK)
		return cli_fail(rc, &diag);
	for (size_t i = 0; c2c_collector_leftover(c, i) != NULL; i++)
		fprintf(stderr, "c2chain collect: incomplete evidence file from an earlier run: %s\n",
		    c2c_collector_leftover(c, i));
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask);
	(void)sigaction(SIGINT, &sa, NULL);
	(void)sigaction(SIGTERM, &sa, NULL);
	sa.sa_handler = on_usr1;
	(void)sigaction(SIGUSR1, &sa, NULL);
	fprintf(stderr, "c2chain collect: listening on %s (port %u), writing to %s\n", o.listen,
	    (unsigned)c2c_collector_port(c), o.dir);

	rc = c2c_collector_run(c, &stop_flag, &report_flag, print_stats, stdout, &diag);
	crc = c2c_collector_flush(c, rc == C2C_OK ? &diag : NULL);
	if (rc == C2C_OK)
		rc = crc;
	c2c_collector_stats(c, &st);
	(void)c2c_collector_close(c, NULL);
	print_stats(stdout, &st);
	if (rc != C2C_OK)
		return cli_fail(rc, &diag);
	return 0;
}

const struct cli_cmd cli_cmd_collect = {
	"collect",
	run,
	"NetFlow/IPFIX collector writing evidence files",
	"usage: c2chain collect --listen ADDR:PORT -o DIR [--rotate-bytes N] [--rotate-seconds N]\n"
	"                       [--max-seconds N] [--max-datagrams N] [--rcvbuf BYTES]\n"
	"                       [--ring BYTES]\n"
	"\n"
	"Receive NetFlow v5, NetFlow v9 and IPFIX over UDP and keep every datagram, verbatim,\n"
	"with its receive time and exporter address, in evidence files under DIR. The files are\n"
	"ordinary c2chain inputs (c2chain scan/flows read them). Each datagram is also decoded;\n"
	"templates persist across files. One thread only receives (recvmmsg into the ring),\n"
	"the other decodes and writes.\n"
	"\n"
	"  -l, --listen ADDR:PORT  address to listen on: 127.0.0.1:9995, [::1]:9995, :2055\n"
	"                          (an IPv6 wildcard [::] also accepts IPv4 exporters)\n"
	"  -o, --output DIR        existing directory for evidence files\n"
	"      --rotate-bytes N    start a new file past N bytes (default 268435456)\n"
	"      --rotate-seconds N  start a new file after N seconds (default 3600)\n"
	"      --max-seconds N     stop after N seconds (default: run until SIGINT/SIGTERM)\n"
	"      --max-datagrams N   stop after N datagrams\n"
	"      --rcvbuf BYTES      socket receive buffer to ask for (default 268435456; beyond\n"
	"                          net.core.rmem_max only when run as root)\n"
	"      --ring BYTES        memory between the receiving thread and the writer (default\n"
	"                          268435456, at least 16777216): bursts wait there when the\n"
	"                          socket buffer is small (net.core.rmem_max, no root)\n"
	"\n"
	"Files are written as DIR/.c2c-<UTC start>-<n>.c2ce.tmp and, once complete (at rotation\n"
	"and at exit), fsync'd and renamed to DIR/c2c-<UTC start>-<n>.c2ce; a killed collector\n"
	"leaves only the temporary file, which the next start reports. The format is described\n"
	"in docs/collector.md.\n"
	"\n"
	"Counters are printed on stdout as one line of key=value pairs on SIGUSR1 and at exit:\n"
	"datagrams, bytes, records (data records decoded), flows, templates (template records\n"
	"received), templates_live, malformed, no_template (data sets before their template),\n"
	"seq_gaps (records for v5/IPFIX, packets for v9, missing by sequence number), drops\n"
	"(datagrams the kernel dropped on the socket, SO_RXQ_OVFL), files, rcvbuf.\n"
	"\n"
	"Exit status: 0 ok, 64 usage, 71/74 socket or file errors.\n",
};
