/* Zeek logs: TSV headers and escapes, JSON lines, gzip, truncation, rotation. C2C_TORTURE */
#include <sys/stat.h>
#include <zlib.h>

#include "test.h"

#define MAXR 16
struct got {
	size_t nf, no;
	struct c2c_flow f[MAXR];
	struct c2c_obs o[MAXR];
};

static c2c_err
on_flow(void *ctx, const struct c2c_flow *f)
{
	struct got *g = ctx;
	if (g->nf < MAXR)
		g->f[g->nf] = *f;
	g->nf++;
	return C2C_OK;
}

static c2c_err
on_obs(void *ctx, const struct c2c_obs *o)
{
	struct got *g = ctx;
	if (g->no < MAXR)
		g->o[g->no] = *o;
	g->no++;
	return C2C_OK;
}

static const char *
write_file(const char *name, const char *text, bool gz)
{
	static char path[4][512];
	static int k;
	char *p = path[k++ % 4];
	(void)snprintf(p, sizeof(path[0]), "%s/%s", test_tmpdir(), name);
	if (gz) {
		gzFile g = gzopen(p, "wb");
		ASSERT(g != NULL);
		ASSERT(gzwrite(g, text, (unsigned)strlen(text)) == (int)strlen(text));
		ASSERT(gzclose(g) == Z_OK);
	} else {
		FILE *fp = fopen(p, "wb");
		ASSERT(fp != NULL);
		ASSERT(fwrite(text, 1, strlen(text), fp) == strlen(text));
		ASSERT(fclose(fp) == 0);
	}
	return p;
}

static struct got *
load(const char *path, struct c2c_input_info *info, struct c2c_ingest_stats *st,
    struct c2c_diag *diag)
{
	static struct got g;
	struct c2c_sink sink = { &g, on_flow, on_obs };
	memset(&g, 0, sizeof(g));
	memset(st, 0, sizeof(*st));
	memset(diag, 0, sizeof(*diag));
	ASSERT_OK(c2c_ingest_file(path, 1, NULL, &sink, info, st, diag));
	return &g;
}

static const char conn_tsv[] =
    "#separator \\x09\n#set_separator\t;\n#empty_field\t(empty)\n#unset_field\t-\n#path\tconn\n"
    "#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tservice\tduration\t"
    "orig_bytes\tresp_bytes\tconn_state\tlocal_orig\tlocal_resp\tmissed_bytes\thistory\t"
    "orig_pkts\torig_ip_bytes\tresp_pkts\tresp_ip_bytes\ttunnel_parents\n"
    "#types\ttime\tstring\taddr\tport\taddr\tport\tenum\tstring\tinterval\tcount\tcount\t"
    "string\tbool\tbool\tcount\tstring\tcount\tcount\tcount\tcount\tset[string]\n"
    "1517336042.090842\tCi85EB2YjUI9a2eql6\t10.55.182.100\t14291\t10.233.233.5\t80\ttcp\t-\t"
    "3.000158\t0\t0\tS0\tT\tF\t0\tS\t2\t104\t0\t0\t(empty)\n"
    "1517336042.279652\tCVvreZ2AGtqjnP3nnl\t2001:db8::1\t55638\t2001:db8::2\t53\tudp\tdns\t"
    "-\t61\t81\tSF\tF\tT\t0\tDd\t1\t89\t1\t109\t(empty)\n"
    "not\tenough\tcolumns\n"
    "1517336043.0\tCX\t10.0.0.1\t99999\t10.0.0.2\t80\ttcp\t-\t1\t0\t0\tS0\tT\tF\t0\tS\t1\t1\t0\t0\t-\n"
    "1517336044.5\tCY\t10.0.0.1\t1\t10.0.0.2\t80\ttcp\t-\t1\t0\t0\tS0\tT\tF\t0\tS\t1\t1\t0\t0\t-\n"
    "1517336045.5\tCZ\t10.0.0.1\t1\t10.0.0.2";

static void
tsv_conn_fields_and_line_references(void)
{
	struct c2c_input_info info;
	struct c2c_ingest_stats st;
	struct c2c_diag diag;
	struct got *g = load(write_file("conn.log", conn_tsv, false), &info, &st, &diag);
	ASSERT_EQ(info.format, C2C_FMT_ZEEK_TSV);
	ASSERT_EQ(g->nf, 3);
	ASSERT_EQ(g->f[0].src, C2C_SRC_ZEEK);
	ASSERT_EQ(g->f[0].ts, 1517336042090842LL);
	ASSERT_EQ(g->f[0].last, 1517336042090842LL + 3000158);
	ASSERT_STR_EQ(g->f[0].uid, "Ci85EB2YjUI9a2eql6");
	ASSERT_EQ(g->f[0].state, C2C_CS_S0);
	ASSERT_STR_EQ(g->f[0].history, "S");
	ASSERT_EQ(g->f[0].local_orig, 2);
	ASSERT_EQ(g->f[0].local_resp, 1);
	ASSERT_U64_EQ(g->f[0].orig_ip_bytes, 104);
	ASSERT(g->f[0].have & C2C_HAVE_DURATION);
	ASSERT(g->f[0].have & C2C_HAVE_STATE);
	ASSERT(!(g->f[0].have & C2C_HAVE_SERVICE)); /* "-" is unset */
	ASSERT(!(g->f[1].have & C2C_HAVE_DURATION));
	ASSERT_STR_EQ(g->f[1].service, "dns");
	ASSERT_EQ(g->f[1].proto, 17);
	ASSERT_EQ(g->f[1].orig.family, 6);
	/* the reference names the line: offset and length, no record index */
	ASSERT_EQ(g->f[0].first_ev.rec, -1);
	ASSERT_EQ(g->f[0].first_ev.input, 1);
	ASSERT_EQ(g->f[0].first_ev.len, strchr(strstr(conn_tsv, "1517336042.09"), '\n') -
	    strstr(conn_tsv, "1517336042.09"));
	ASSERT_U64_EQ(g->f[0].first_ev.off, (uint64_t)(strstr(conn_tsv, "1517336042.09") -
	    conn_tsv));
	ASSERT_EQ(info.n_deps, 7); /* the header lines */
	ASSERT_U64_EQ(info.deps[0].off, 0);
	/* malformed lines: counted, the first one's line number in the diag; last line cut */
	/* two bad lines and the cut last line (line 13), which is not read either */
	ASSERT_U64_EQ(st.n[C2C_ST_ZEEK_MALFORMED], 3);
	ASSERT_U64_EQ(info.malformed, 3);
	ASSERT_U64_EQ(info.records, 6);
	ASSERT_U64_EQ(st.n[C2C_ST_ZEEK_TRUNCATED], 1);
	ASSERT_U64_EQ(st.n[C2C_ST_ZEEK_NO_CLOSE], 0); /* no #open either */
	ASSERT_U64_EQ(st.n[C2C_ST_ZEEK_HEADERLESS], 0);
	ASSERT_U64_EQ(diag.where, 10);
	ASSERT(diag.where_is_line);
	ASSERT(strstr(diag.msg, "truncated") != NULL);
}

static const char dns_tsv[] =
    "#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n#path\tdns\n"
    "#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\ttrans_id\trtt\t"
    "query\tqclass\tqtype\trcode\tAA\tTC\tRD\tRA\tanswers\tTTLs\n"
    "1521911720.865716\tCq\t10.47.1.100\t41772\t10.0.0.100\t53\tudp\t36329\t0.000870\t"
    "a\\x09b.example\t1\t1\t0\tF\tF\tT\tT\tx.example,134.71.3.16\t2230.000000,41830.000000\n";
static const char dns_json[] =
    "{\"_path\":\"dns\",\"ts\":\"2018-03-24T17:15:20.865716Z\",\"uid\":\"Cq\",\"id.orig_h\":"
    "\"10.47.1.100\",\"id.orig_p\":41772,\"id.resp_h\":\"10.0.0.100\",\"id.resp_p\":53,"
    "\"proto\":\"udp\",\"trans_id\":36329,\"rtt\":8.699893951416016e-4,\"query\":\"a\\tb.example\","
    "\"qclass\":1,\"qtype\":1,\"rcode\":0,\"AA\":false,\"TC\":false,\"RD\":true,\"RA\":true,"
    "\"answers\":[\"x.example\",\"134.71.3.16\"],\"TTLs\":[2230.0,41830.0],\"x\":{\"y\":[1]}}\n";

static void
tsv_and_json_dns_agree(void)
{
	struct c2c_input_info info;
	struct c2c_ingest_stats st;
	struct c2c_diag diag;
	struct c2c_obs a;
	struct got *g = load(write_file("dns.log", dns_tsv, false), &info, &st, &diag);
	ASSERT_EQ(g->no, 1);
	a = g->o[0];
	g = load(write_file("dns.json.gz", dns_json, true), &info, &st, &diag);
	ASSERT(info.gzip);
	ASSERT_EQ(info.format, C2C_FMT_ZEEK_JSON);
	ASSERT_EQ(g->no, 1);
	ASSERT_EQ(a.kind, C2C_OBS_DNS);
	ASSERT_STR_EQ(a.u.dns.query, "a\\x09b.example");
	ASSERT_STR_EQ(g->o[0].u.dns.query, a.u.dns.query);
	ASSERT_EQ(a.ts, 1521911720865716LL);
	ASSERT_EQ(g->o[0].ts, a.ts); /* ISO 8601 and epoch */
	ASSERT_EQ(a.u.dns.rtt, 870);
	ASSERT_EQ(g->o[0].u.dns.rtt, 870); /* rounded, not truncated */
	ASSERT_EQ(a.u.dns.n_answers, 2);
	ASSERT_EQ(g->o[0].u.dns.n_answers, 2);
	ASSERT_STR_EQ(a.u.dns.answers[0].text, "x.example");
	ASSERT_EQ(a.u.dns.answers[1].type, 1);
	ASSERT_EQ(a.u.dns.answers[1].ttl, 41830);
	ASSERT_EQ(g->o[0].u.dns.answers[1].ttl, 41830);
	ASSERT(a.u.dns.rd && a.u.dns.ra && !a.u.dns.aa);
	ASSERT(g->o[0].u.dns.rd && g->o[0].u.dns.ra && !g->o[0].u.dns.aa);
	ASSERT_EQ(g->o[0].u.dns.trans_id, 36329);
	ASSERT_U64_EQ(st.n[C2C_ST_ZEEK_MALFORMED], 0);
}

static void
ssl_and_http_observations(void)
{
	static const char text[] =
	    "{\"ts\":1517422336.04539,\"uid\":\"C1\",\"id.orig_h\":\"10.0.0.1\",\"id.orig_p\":5,"
	    "\"id.resp_h\":\"10.0.0.2\",\"id.resp_p\":443,\"version\":\"TLSv12\",\"cipher\":\"X\","
	    "\"server_name\":\"c2.example\",\"ja3\":\"10ee8d30a5d01c042afd7b2b205facc4\","
	    "\"cert_chain_fps\":[\"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\"]}\n"
	    "{\"ts\":1517422336.5,\"uid\":\"C2\",\"id.orig_h\":\"10.0.0.1\",\"id.orig_p\":6,"
	    "\"id.resp_h\":\"10.0.0.3\",\"id.resp_p\":3128,\"method\":\"GET\",\"host\":\"evil.example\","
	    "\"uri\":\"http://evil.example/x\",\"user_agent\":\"UA\",\"status_code\":200}\n"
	    "{\"ts\":1517422336.5,\"uid\":\"C3\",\"id.orig_h\":\"10.0.0.1\"\n";
	struct c2c_input_info info;
	struct c2c_ingest_stats st;
	struct c2c_diag diag;
	struct got *g = load(write_file("mixed.json", text, false), &info, &st, &diag);
	ASSERT_EQ(g->no, 2);
	ASSERT_EQ(g->o[0].kind, C2C_OBS_TLS);
	ASSERT_STR_EQ(g->o[0].u.tls.sni, "c2.example");
	ASSERT_EQ(g->o[0].u.tls.version, 0x0303);
	ASSERT_STR_EQ(g->o[0].u.tls.ja3, "10ee8d30a5d01c042afd7b2b205facc4");
	ASSERT(g->o[0].u.tls.have_cert);
	ASSERT_EQ(g->o[0].u.tls.cert_sha256[0], 0xe3);
	ASSERT_EQ(g->o[1].kind, C2C_OBS_HTTP);
	ASSERT_STR_EQ(g->o[1].u.http.host, "evil.example");
	ASSERT(g->o[1].u.http.proxy);
	ASSERT_EQ(g->o[1].u.http.status, 200);
	ASSERT_STR_EQ(g->o[1].uid, "C2");
	ASSERT_U64_EQ(st.n[C2C_ST_ZEEK_MALFORMED], 1);
	ASSERT_U64_EQ(diag.where, 3);
}

static void
rotated_directory_expands_sorted(void)
{
	char dir[512], sub[600], **paths = NULL;
	size_t n = 0;
	struct c2c_diag diag;
	(void)snprintf(dir, sizeof(dir), "%s/rot", test_tmpdir());
	(void)snprintf(sub, sizeof(sub), "%s/2024-04-20", dir);
	(void)mkdir(dir, 0700);
	(void)mkdir(sub, 0700);
	(void)write_file("rot/2024-04-20/conn.01:00:00-02:00:00.log", conn_tsv, false);
	(void)write_file("rot/2024-04-20/conn.00:00:00-01:00:00.log", conn_tsv, false);
	(void)write_file("rot/.hidden", "x", false);
	(void)write_file("rot/a.log", conn_tsv, false);
	ASSERT_OK(c2c_ingest_expand(dir, &paths, &n, &diag));
	ASSERT_EQ(n, 3);
	ASSERT(strstr(paths[0], "2024-04-20/conn.00") != NULL);
	ASSERT(strstr(paths[1], "2024-04-20/conn.01") != NULL);
	ASSERT(strstr(paths[2], "a.log") != NULL);
	c2c_ingest_expand_free(paths, n);
	ASSERT_ERR(c2c_ingest_expand("/nonexistent/x", &paths, &n, &diag), C2C_EIO);
}

/* The top of a conn.log without its header lines: recognised from the columns, read in Zeek's
 * default conn.log order (which the diag says), the cut last line counted. */
static const char conn_headerless[] =
    "1517336042.090842\tCi85EB2YjUI9a2eql6\t10.55.182.100\t14291\t10.233.233.5\t80\ttcp\t-\t"
    "3.000158\t0\t0\tS0\tT\tF\t0\tS\t2\t104\t0\t0\t(empty)\n"
    "1517336042.279652\tCVvreZ2AGtqjnP3nnl\t2001:db8::1\t55638\t2001:db8::2\t53\tudp\tdns\t"
    "-\t61\t81\tSF\tF\tT\t0\tDd\t1\t89\t1\t109\t(empty)\n"
    "1517336043.0\tCX\t10.0.0.1\t1\t10.0.0.2\t80\ttcp\t-\t1\t0\t0\tS0\tT\tF\t0\tS\t1\t1\t0\t0\n"
    "1517336045.5\tCZ\t10.0.0.1\t1\t10.0.0.2";

static void
headerless_conn_log_uses_default_columns(void)
{
	struct c2c_input_info info;
	struct c2c_ingest_stats st;
	struct c2c_diag diag;
	struct got *g = load(write_file("top.log", conn_headerless, false), &info, &st, &diag);
	ASSERT_EQ(info.format, C2C_FMT_ZEEK_TSV);
	ASSERT_EQ(g->nf, 2);
	ASSERT_STR_EQ(g->f[0].uid, "Ci85EB2YjUI9a2eql6");
	ASSERT_EQ(g->f[0].last, 1517336042090842LL + 3000158);
	ASSERT_EQ(g->f[0].orig_port, 14291);
	ASSERT_EQ(g->f[0].resp_port, 80);
	ASSERT_EQ(g->f[0].state, C2C_CS_S0);
	ASSERT_U64_EQ(g->f[0].orig_ip_bytes, 104);
	ASSERT_EQ(g->f[1].orig.family, 6);
	ASSERT_U64_EQ(g->f[1].resp_ip_bytes, 109);
	ASSERT_EQ(g->f[0].first_ev.off, 0);
	ASSERT_EQ(info.n_deps, 0);
	/* line 3 has 20 columns where the first had 21; line 4 is cut */
	ASSERT_U64_EQ(info.records, 4);
	ASSERT_U64_EQ(info.malformed, 2);
	ASSERT_U64_EQ(st.n[C2C_ST_ZEEK_TRUNCATED], 1);
	ASSERT_U64_EQ(st.n[C2C_ST_ZEEK_HEADERLESS], 1);
	ASSERT_U64_EQ(diag.where, 3);
	ASSERT(strstr(diag.msg, "default conn.log column order") != NULL);
	ASSERT(strstr(diag.msg, "last line (4) truncated") != NULL);
}

static void
conn_probe_needs_conn_columns(void)
{
	static const char *const no[] = {
		"hello world\n",
		"1517336042.09\tCi85\n",                         /* too few columns */
		"1517336042.09\tCi85\tnot-an-ip\t1\n",
		"1517336042.09\tCi85\t10.0.0.1\t1\t10.0.0.2\t2\tsctpx\t-\t1\t0\t0\tS0\tT\tF\t0"
		"\tS\t1\t1\t0\t0\t-\n",
		"x1517336042\tCi85\t10.0.0.1\t",
		"1517336042.09\tC-i\t10.0.0.1\t",
	};
	const char *yes_cut = "1517336042.090842\tCi85EB2YjUI9a2eql6\t10.55.182.100\t142";
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		ASSERT_EQ(c2c_format_detect((const uint8_t *)no[i], strlen(no[i])), C2C_FMT_UNKNOWN);
	ASSERT_EQ(c2c_format_detect((const uint8_t *)yes_cut, strlen(yes_cut)), C2C_FMT_ZEEK_TSV);
	ASSERT_EQ(c2c_format_detect((const uint8_t *)conn_headerless, strlen(conn_headerless)),
	    C2C_FMT_ZEEK_TSV);
	/* the first 64 bytes are enough (what a directory scan looks at) */
	ASSERT_EQ(c2c_format_detect((const uint8_t *)conn_headerless, 64), C2C_FMT_ZEEK_TSV);
}

static void
open_log_without_close_is_reported(void)
{
	static const char log[] = "#separator \\x09\n#open\t2019-02-28-12-07-01\n#path\tconn\n"
	    "#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\n"
	    "1517336042.1\tCa\t10.0.0.1\t1\t10.0.0.2\t80\ttcp\n";
	static const char closed[] = "#separator \\x09\n#open\t2019-02-28-12-07-01\n#path\tconn\n"
	    "#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\n"
	    "1517336042.1\tCa\t10.0.0.1\t1\t10.0.0.2\t80\ttcp\n#close\t2019-02-28-12-12-08\n";
	struct c2c_input_info info;
	struct c2c_ingest_stats st;
	struct c2c_diag diag;
	struct got *g = load(write_file("open.log", log, false), &info, &st, &diag);
	ASSERT_EQ(g->nf, 1);
	ASSERT_U64_EQ(info.malformed, 0);
	ASSERT_U64_EQ(st.n[C2C_ST_ZEEK_NO_CLOSE], 1);
	ASSERT_U64_EQ(st.n[C2C_ST_ZEEK_TRUNCATED], 0);
	ASSERT(strstr(diag.msg, "no #close") != NULL);
	g = load(write_file("closed.log", closed, true), &info, &st, &diag);
	ASSERT_EQ(g->nf, 1);
	ASSERT_U64_EQ(st.n[C2C_ST_ZEEK_NO_CLOSE], 0);
	ASSERT_EQ(diag.msg[0], '\0');
}

TEST_MAIN(tsv_conn_fields_and_line_references, tsv_and_json_dns_agree, ssl_and_http_observations,
    rotated_directory_expands_sorted, headerless_conn_log_uses_default_columns,
    conn_probe_needs_conn_columns, open_log_without_close_is_reported)
