/*
 * c2chain flows: print the flows (or the DNS observations, or all observations) of the inputs
 * in Zeek's conn.log / dns.log layout, as tab-separated values with Zeek's header lines or as
 * JSON lines, so the output can be compared with Zeek's. Everything goes through the public
 * c2c_ingest_file(), so NetFlow/IPFIX/Zeek-log inputs print the flows they carry as well.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

extern const struct cli_cmd cli_cmd_flows;

enum mode { M_CONN, M_DNS, M_OBS };

struct out {
	FILE *fp;
	bool json;
	enum mode mode;
	const char *path; /* current input, for messages */
};

/* ---- formatting helpers -------------------------------------------------------------------- */

static void
put_time(FILE *fp, c2c_time t)
{
	int64_t s = t / C2C_USEC, us = t % C2C_USEC;
	if (us < 0) {
		us += C2C_USEC;
		s--;
	}
	fprintf(fp, "%" PRId64 ".%06" PRId64, s, us);
}

static void
put_ip(FILE *fp, const struct c2c_ip *ip)
{
	char buf[C2C_IP_STRLEN];
	fputs(c2c_ip_format(ip, buf, sizeof(buf)), fp);
}

/* JSON string body (without quotes). */
static void
put_jstr(FILE *fp, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(fp, "\\%c", *p);
		else if (*p < 0x20)
			fprintf(fp, "\\u%04x", *p);
		else
			fputc(*p, fp);
	}
}

/* A TSV field: Zeek escapes the separator and non-printables as \xHH. */
static void
put_tsv(FILE *fp, const char *s)
{
	if (s == NULL || *s == '\0') {
		fputc('-', fp);
		return;
	}
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '\t' || *p < 0x20 || *p >= 0x7f)
			fprintf(fp, "\\x%02x", *p);
		else
			fputc(*p, fp);
	}
}

static const char *
proto_name(uint8_t p)
{
	switch (p) {
	case 6:
		return "tcp";
	case 17:
		return "udp";
	case 1:
	case 58:
		return "icmp";
	case 132:
		return "sctp";
	default:
		return "unknown_transport";
	}
}

/* ---- conn.log ---------------------------------------------------------------------------- */

static const char conn_fields[] =
    "ts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tservice\tduration\t"
    "orig_bytes\tresp_bytes\tconn_state\tlocal_orig\tlocal_resp\tmissed_bytes\thistory\t"
    "orig_pkts\torig_ip_bytes\tresp_pkts\tresp_ip_bytes\ttunnel_parents\tcommunity_id";
static const char conn_types[] =
    "time\tstring\taddr\tport\taddr\tport\tenum\tstring\tinterval\tcount\tcount\tstring\t"
    "bool\tbool\tcount\tstring\tcount\tcount\tcount\tcount\tset[string]\tstring";

static const char dns_fields[] =
    "ts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\ttrans_id\trtt\tquery\t"
    "qclass\tqclass_name\tqtype\tqtype_name\trcode\trcode_name\tAA\tTC\tRD\tRA\tZ\tanswers\t"
    "TTLs\trejected";
static const char dns_types[] =
    "time\tstring\taddr\tport\taddr\tport\tenum\tcount\tinterval\tstring\tcount\tstring\t"
    "count\tstring\tcount\tstring\tbool\tbool\tbool\tbool\tcount\tvector[string]\t"
    "vector[interval]\tbool";

static void
header(FILE *fp, const char *path, const char *fields, const char *types)
{
	fprintf(fp, "#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n"
		    "#unset_field\t-\n#path\t%s\n#fields\t%s\n#types\t%s\n",
	    path, fields, types);
}

static c2c_err
on_flow(void *ctx, const struct c2c_flow *f)
{
	struct out *o = ctx;
	FILE *fp = o->fp;
	bool dur = (f->have & C2C_HAVE_DURATION) && f->last > f->ts;
	bool bytes = dur && (f->have & C2C_HAVE_PAYLOAD_BYTES);
	bool lo = c2c_ip_is_private(&f->orig), lr = c2c_ip_is_private(&f->resp);
	c2c_time d = f->last - f->ts;

	if (o->mode != M_CONN)
		return C2C_OK;
	if (o->json) {
		fputs("{\"ts\":", fp);
		put_time(fp, f->ts);
		if (f->uid[0] != '\0')
			fprintf(fp, ",\"uid\":\"%s\"", f->uid);
		fputs(",\"id.orig_h\":\"", fp);
		put_ip(fp, &f->orig);
		fprintf(fp, "\",\"id.orig_p\":%u,\"id.resp_h\":\"", f->orig_port);
		put_ip(fp, &f->resp);
		fprintf(fp, "\",\"id.resp_p\":%u,\"proto\":\"%s\"", f->resp_port, proto_name(f->proto));
		if (f->service[0] != '\0') {
			fputs(",\"service\":\"", fp);
			put_jstr(fp, f->service);
			fputc('"', fp);
		}
		if (dur) {
			fputs(",\"duration\":", fp);
			put_time(fp, d);
		}
		if (bytes)
			fprintf(fp, ",\"orig_bytes\":%" PRIu64 ",\"resp_bytes\":%" PRIu64, f->orig_bytes,
			    f->resp_bytes);
		if (f->have & C2C_HAVE_STATE)
			fprintf(fp, ",\"conn_state\":\"%s\"",
			    c2c_conn_state_name((enum c2c_conn_state)f->state));
		fprintf(fp, ",\"local_orig\":%s,\"local_resp\":%s,\"missed_bytes\":%" PRIu64,
		    lo ? "true" : "false", lr ? "true" : "false", f->missed_bytes);
		if (f->history[0] != '\0') {
			fputs(",\"history\":\"", fp);
			put_jstr(fp, f->history);
			fputc('"', fp);
		}
		fprintf(fp, ",\"orig_pkts\":%" PRIu64 ",\"orig_ip_bytes\":%" PRIu64, f->orig_pkts,
		    f->orig_ip_bytes);
		if (f->have & C2C_HAVE_RESP_COUNTERS)
			fprintf(fp, ",\"resp_pkts\":%" PRIu64 ",\"resp_ip_bytes\":%" PRIu64,
			    f->resp_pkts, f->resp_ip_bytes);
		if (f->tunnel_parent[0] != '\0')
			fprintf(fp, ",\"tunnel_parents\":[\"%s\"]", f->tunnel_parent);
		if (f->community_id[0] != '\0')
			fprintf(fp, ",\"community_id\":\"%s\"", f->community_id);
		fprintf(fp, ",\"ip_proto\":%u", f->proto);
		if (f->have & C2C_HAVE_OPEN)
			fputs(",\"open\":true", fp);
		fputs("}\n", fp);
		return C2C_OK;
	}
	put_time(fp, f->ts);
	fputc('\t', fp);
	put_tsv(fp, f->uid);
	fputc('\t', fp);
	put_ip(fp, &f->orig);
	fprintf(fp, "\t%u\t", f->orig_port);
	put_ip(fp, &f->resp);
	fprintf(fp, "\t%u\t%s\t", f->resp_port, proto_name(f->proto));
	put_tsv(fp, f->service);
	fputc('\t', fp);
	if (dur)
		put_time(fp, d);
	else
		fputc('-', fp);
	if (bytes)
		fprintf(fp, "\t%" PRIu64 "\t%" PRIu64 "\t", f->orig_bytes, f->resp_bytes);
	else
		fputs("\t-\t-\t", fp);
	fputs((f->have & C2C_HAVE_STATE) ? c2c_conn_state_name((enum c2c_conn_state)f->state) :
	    "-", fp);
	fprintf(fp, "\t%s\t%s\t%" PRIu64 "\t", lo ? "T" : "F", lr ? "T" : "F", f->missed_bytes);
	put_tsv(fp, f->history);
	fprintf(fp, "\t%" PRIu64 "\t%" PRIu64 "\t", f->orig_pkts, f->orig_ip_bytes);
	if (f->have & C2C_HAVE_RESP_COUNTERS)
		fprintf(fp, "%" PRIu64 "\t%" PRIu64 "\t", f->resp_pkts, f->resp_ip_bytes);
	else
		fputs("-\t-\t", fp);
	put_tsv(fp, f->tunnel_parent);
	fputc('\t', fp);
	put_tsv(fp, f->community_id);
	fputc('\n', fp);
	return C2C_OK;
}

/* ---- dns.log ----------------------------------------------------------------------------- */

static const char *
qtype_name(unsigned t)
{
	static const struct {
		unsigned t;
		const char *n;
	} m[] = { { 1, "A" }, { 2, "NS" }, { 5, "CNAME" }, { 6, "SOA" }, { 12, "PTR" },
		{ 13, "HINFO" }, { 15, "MX" }, { 16, "TXT" }, { 28, "AAAA" }, { 33, "SRV" },
		{ 35, "NAPTR" }, { 39, "DNAME" }, { 41, "OPT" }, { 43, "DS" }, { 46, "RRSIG" },
		{ 47, "NSEC" }, { 48, "DNSKEY" }, { 50, "NSEC3" }, { 64, "SVCB" }, { 65, "HTTPS" },
		{ 99, "SPF" }, { 252, "AXFR" }, { 255, "*" }, { 257, "CAA" } };
	for (size_t i = 0; i < C2C_ARRAY_LEN(m); i++)
		if (m[i].t == t)
			return m[i].n;
	return NULL;
}

static const char *
qclass_name(unsigned c)
{
	switch (c) {
	case 1:
		return "C_INTERNET";
	case 3:
		return "C_CHAOS";
	case 4:
		return "C_HESIOD";
	case 254:
		return "C_NONE";
	case 255:
		return "C_ANY";
	default:
		return NULL;
	}
}

static const char *
rcode_name(int r)
{
	static const char *const n[] = { "NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP",
		"REFUSED", "YXDOMAIN", "YXRRSET", "NXRRSET", "NOTAUTH", "NOTZONE" };
	return r >= 0 && (size_t)r < C2C_ARRAY_LEN(n) ? n[r] : NULL;
}

static void
answer_text(const struct c2c_dns_answer *a, char *buf, size_t len)
{
	if (a->type == 1 || a->type == 28)
		(void)c2c_ip_format(&a->ip, buf, len);
	else
		(void)snprintf(buf, len, "%s", a->text);
}

static void
dns_line(struct out *o, const struct c2c_obs *ob)
{
	const struct c2c_dns *x = &ob->u.dns;
	FILE *fp = o->fp;
	bool q = x->qtype != 0 || x->qclass != 0;
	bool rejected = x->is_response && x->rcode > 0 && x->n_answers == 0;
	char ab[C2C_NAME_MAX];

	put_time(fp, ob->ts);
	fputc('\t', fp);
	put_tsv(fp, ob->uid);
	fputc('\t', fp);
	put_ip(fp, &ob->orig);
	fprintf(fp, "\t%u\t", ob->orig_port);
	put_ip(fp, &ob->resp);
	fprintf(fp, "\t%u\t%s\t%u\t", ob->resp_port, proto_name(ob->proto), x->trans_id);
	if (x->rtt >= 0)
		put_time(fp, x->rtt);
	else
		fputc('-', fp);
	fputc('\t', fp);
	put_tsv(fp, x->query);
	if (q) {
		const char *cn = qclass_name(x->qclass), *tn = qtype_name(x->qtype);
		fprintf(fp, "\t%u\t%s\t%u\t%s", x->qclass, cn ? cn : "-", x->qtype, tn ? tn : "-");
	} else {
		fputs("\t-\t-\t-\t-", fp);
	}
	if (x->rcode >= 0) {
		const char *rn = rcode_name(x->rcode);
		fprintf(fp, "\t%d\t%s", x->rcode, rn ? rn : "-");
	} else {
		fputs("\t-\t-", fp);
	}
	fprintf(fp, "\t%s\t%s\t%s\t%s\t0\t", x->aa ? "T" : "F", x->tc ? "T" : "F",
	    x->rd ? "T" : "F", x->ra ? "T" : "F");
	if (x->n_answers == 0)
		fputc('-', fp);
	for (unsigned i = 0; i < x->n_answers; i++) {
		answer_text(&x->answers[i], ab, sizeof(ab));
		if (i)
			fputc(',', fp);
		put_tsv(fp, ab);
	}
	fputc('\t', fp);
	if (x->n_answers == 0)
		fputc('-', fp);
	for (unsigned i = 0; i < x->n_answers; i++)
		fprintf(fp, "%s%" PRIu32 ".000000", i ? "," : "", x->answers[i].ttl);
	fprintf(fp, "\t%s\n", rejected ? "T" : "F");
}

static void
obs_head_json(FILE *fp, const struct c2c_obs *ob, const char *kind)
{
	fputs("{\"ts\":", fp);
	put_time(fp, ob->ts);
	fprintf(fp, ",\"kind\":\"%s\",\"uid\":\"%s\",\"id.orig_h\":\"", kind, ob->uid);
	put_ip(fp, &ob->orig);
	fprintf(fp, "\",\"id.orig_p\":%u,\"id.resp_h\":\"", ob->orig_port);
	put_ip(fp, &ob->resp);
	fprintf(fp, "\",\"id.resp_p\":%u,\"proto\":\"%s\"", ob->resp_port, proto_name(ob->proto));
	if (ob->community_id[0] != '\0')
		fprintf(fp, ",\"community_id\":\"%s\"", ob->community_id);
	fprintf(fp, ",\"ev\":\"%" PRIu32 ":%" PRIu64 "+%" PRIu32 "\"", ob->ev.input, ob->ev.off,
	    ob->ev.len);
}

static void
dns_json(FILE *fp, const struct c2c_obs *ob)
{
	const struct c2c_dns *x = &ob->u.dns;
	char ab[C2C_NAME_MAX];

	obs_head_json(fp, ob, "dns");
	fprintf(fp, ",\"trans_id\":%u", x->trans_id);
	if (x->rtt >= 0) {
		fputs(",\"rtt\":", fp);
		put_time(fp, x->rtt);
	}
	fputs(",\"query\":\"", fp);
	put_jstr(fp, x->query);
	fputc('"', fp);
	if (x->qtype != 0 || x->qclass != 0) {
		const char *cn = qclass_name(x->qclass), *tn = qtype_name(x->qtype);
		fprintf(fp, ",\"qclass\":%u", x->qclass);
		if (cn)
			fprintf(fp, ",\"qclass_name\":\"%s\"", cn);
		fprintf(fp, ",\"qtype\":%u", x->qtype);
		if (tn)
			fprintf(fp, ",\"qtype_name\":\"%s\"", tn);
	}
	if (x->rcode >= 0) {
		const char *rn = rcode_name(x->rcode);
		fprintf(fp, ",\"rcode\":%d", x->rcode);
		if (rn)
			fprintf(fp, ",\"rcode_name\":\"%s\"", rn);
	}
	fprintf(fp, ",\"AA\":%s,\"TC\":%s,\"RD\":%s,\"RA\":%s,\"Z\":0", x->aa ? "true" : "false",
	    x->tc ? "true" : "false", x->rd ? "true" : "false", x->ra ? "true" : "false");
	if (x->n_answers > 0) {
		fputs(",\"answers\":[", fp);
		for (unsigned i = 0; i < x->n_answers; i++) {
			answer_text(&x->answers[i], ab, sizeof(ab));
			fputs(i ? ",\"" : "\"", fp);
			put_jstr(fp, ab);
			fputc('"', fp);
		}
		fputs("],\"TTLs\":[", fp);
		for (unsigned i = 0; i < x->n_answers; i++)
			fprintf(fp, "%s%" PRIu32 ".0", i ? "," : "", x->answers[i].ttl);
		fputc(']', fp);
	}
	fprintf(fp, ",\"rejected\":%s}\n",
	    x->is_response && x->rcode > 0 && x->n_answers == 0 ? "true" : "false");
}

static c2c_err
on_obs(void *ctx, const struct c2c_obs *ob)
{
	struct out *o = ctx;
	FILE *fp = o->fp;

	if (o->mode == M_CONN)
		return C2C_OK;
	if (o->mode == M_DNS) {
		if (ob->kind != C2C_OBS_DNS)
			return C2C_OK;
		if (o->json)
			dns_json(fp, ob);
		else
			dns_line(o, ob);
		return C2C_OK;
	}
	/* --obs: every observation as a JSON line */
	if (ob->kind == C2C_OBS_DNS) {
		dns_json(fp, ob);
	} else if (ob->kind == C2C_OBS_TLS) {
		const struct c2c_tls *t = &ob->u.tls;
		char hex[65];
		obs_head_json(fp, ob, "tls");
		fprintf(fp, ",\"version\":%u", t->version);
		if (t->sni[0] != '\0') {
			fputs(",\"server_name\":\"", fp);
			put_jstr(fp, t->sni);
			fputc('"', fp);
		}
		if (t->ja3[0] != '\0')
			fprintf(fp, ",\"ja3\":\"%s\"", t->ja3);
		if (t->ja3s[0] != '\0')
			fprintf(fp, ",\"ja3s\":\"%s\"", t->ja3s);
		if (t->have_cert)
			fprintf(fp, ",\"cert_sha256\":\"%s\"", c2c_hex(t->cert_sha256, 32, hex));
		fputs("}\n", fp);
	} else if (ob->kind == C2C_OBS_HTTP) {
		const struct c2c_http *h = &ob->u.http;
		obs_head_json(fp, ob, "http");
		fputs(",\"method\":\"", fp);
		put_jstr(fp, h->method);
		fputs("\",\"host\":\"", fp);
		put_jstr(fp, h->host);
		fputs("\",\"uri\":\"", fp);
		put_jstr(fp, h->uri);
		fputc('"', fp);
		if (h->user_agent[0] != '\0') {
			fputs(",\"user_agent\":\"", fp);
			put_jstr(fp, h->user_agent);
			fputc('"', fp);
		}
		if (h->status)
			fprintf(fp, ",\"status_code\":%u", h->status);
		fprintf(fp, ",\"proxy\":%s}\n", h->proxy ? "true" : "false");
	}
	return C2C_OK;
}

/* ---- command ----------------------------------------------------------------------------- */

static int
run(int argc, char **argv)
{
	static const struct option lo[] = { { "json", no_argument, NULL, 'j' },
		{ "dns", no_argument, NULL, 'd' }, { "obs", no_argument, NULL, 'o' },
		{ "community-id-seed", required_argument, NULL, 's' },
		{ "no-community-id", no_argument, NULL, 'N' }, { "stats", no_argument, NULL, 'S' },
		{ "ignore-checksums", no_argument, NULL, 'C' },
		{ "max-flows", required_argument, NULL, 'm' },
		{ "no-observations", no_argument, NULL, 'n' }, { "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 } };
	struct c2c_ingest_opts opts;
	struct c2c_ingest_stats st;
	struct out o;
	struct c2c_sink sink;
	bool stats = false;
	int c, rc = 0;
	char *end;
	unsigned long v;

	if (cli_wants_help(&cli_cmd_flows, argc, argv))
		return 0;
	c2c_ingest_opts_default(&opts);
	memset(&o, 0, sizeof(o));
	o.fp = stdout;
	o.mode = M_CONN;
	optind = 1;
	while ((c = getopt_long(argc, argv, "jdCs:", lo, NULL)) != -1) {
		switch (c) {
		case 'j':
			o.json = true;
			break;
		case 'd':
			o.mode = M_DNS;
			break;
		case 'o':
			o.mode = M_OBS;
			break;
		case 's':
			v = strtoul(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || v > 65535)
				return cli_usage_error(&cli_cmd_flows,
				    "--community-id-seed wants 0..65535, not '%s'", optarg);
			opts.community_seed = (uint16_t)v;
			break;
		case 'N':
			opts.community_id = false;
			break;
		case 'S':
			stats = true;
			break;
		case 'C':
			opts.ignore_checksums = true;
			break;
		case 'm':
			v = strtoul(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || v < 16 || v > (1ul << 30))
				return cli_usage_error(&cli_cmd_flows,
				    "--max-flows wants 16..1073741824, not '%s'", optarg);
			opts.max_flows = (uint32_t)v;
			break;
		case 'n':
			opts.observations = false;
			break;
		default:
			return cli_usage_error(&cli_cmd_flows, "unknown option");
		}
	}
	if (optind >= argc)
		return cli_usage_error(&cli_cmd_flows, "no INPUT given");
	if (o.mode != M_CONN && !opts.observations)
		return cli_usage_error(&cli_cmd_flows, "--dns/--obs need the observation parsers");
	if (o.mode == M_OBS)
		o.json = true;
	static char obuf[1 << 16];
	(void)setvbuf(stdout, obuf, _IOFBF, sizeof(obuf));
	if (!o.json)
		header(stdout, o.mode == M_DNS ? "dns" : "conn", o.mode == M_DNS ? dns_fields :
		    conn_fields, o.mode == M_DNS ? dns_types : conn_types);
	memset(&st, 0, sizeof(st));
	sink.ctx = &o;
	sink.flow = on_flow;
	sink.obs = on_obs;
	for (int i = optind; i < argc; i++) {
		struct c2c_diag diag;
		c2c_err err;
		memset(&diag, 0, sizeof(diag));
		o.path = argv[i];
		err = c2c_ingest_file(argv[i], (uint32_t)(i - optind), &opts, &sink, NULL, &st,
		    &diag);
		if (err != C2C_OK) {
			(void)fflush(stdout);
			rc = cli_fail(err, &diag);
			break;
		}
	}
	if (fflush(stdout) != 0 && rc == 0)
		rc = cli_err(EX_IOERR, "writing the output failed");
	if (stats)
		for (unsigned i = 0; i < C2C_ST__COUNT; i++)
			if (st.n[i] != 0)
				fprintf(stderr, "%s\t%" PRIu64 "\n", c2c_stat_name((enum c2c_stat)i),
				    st.n[i]);
	return rc;
}

const struct cli_cmd cli_cmd_flows = {
	"flows",
	run,
	"print flows (Zeek conn.log) or DNS observations (dns.log) of captures and logs",
	"usage: c2chain flows [options] INPUT...\n"
	"\n"
	"Read each INPUT (pcap, pcapng, plain or gzip; NetFlow v5/v9, IPFIX, Zeek conn logs) and\n"
	"print its flows with Zeek conn.log semantics: the columns and order of Zeek's conn.log\n"
	"for the fields c2chain has, as tab-separated values under Zeek's header lines, or as\n"
	"JSON lines. Flows are printed when they end (timeout, close, tuple reuse, eviction) and\n"
	"the ones still open at the end of an input in order of their first packet.\n"
	"\n"
	"Options:\n"
	"  --json                  JSON lines (Zeek's JSON field names; unset fields left out)\n"
	"  --dns                   print DNS observations in dns.log columns instead of flows\n"
	"  --obs                   print every observation (DNS, TLS, HTTP) as JSON lines\n"
	"  --community-id-seed N   Community ID v1 seed (0..65535, default 0)\n"
	"  --no-community-id       do not compute Community IDs\n"
	"  -C, --ignore-checksums  keep packets with bad IP/TCP/UDP/ICMP checksums (zeek -C);\n"
	"                          by default they are dropped from their flow, as Zeek does\n"
	"  --max-flows N           cap on flows tracked at once (default 1048576); past it the\n"
	"                          flow due to expire first is emitted early (counted)\n"
	"  --no-observations       skip the DNS/TLS/HTTP parsers\n"
	"  --stats                 print the ingest counters (non-zero ones) on stderr\n"
	"  -h, --help              this text\n"
	"\n"
	"Exit status: 0 on success, 64 usage, 65 unusable input, 66 missing input, 74 I/O error.\n",
};
