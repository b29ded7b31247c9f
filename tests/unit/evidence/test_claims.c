/*
 * What `verify` checks in each cited record, claim type by claim type, with the product's own
 * re-parse (c2c_ingest_record) over Zeek conn, dns and ssl logs. One case holds an honest claim
 * of every type and, next to each, a signed claim its records contradict: the indicator, the
 * connection count, the total duration, the query count, the distinct names, the tunnel's
 * domain, a certificate of an endpoint, the shared value of a cluster edge, one end of an
 * edge. Every honest claim must verify from its raw records; every false one must FAIL at the
 * expected step and at the byte offset of the record that gives it away.
 */
#include <stdio.h>

#include "c2chain/evidence.h"
#include "c2chain/ingest.h"
#include "test.h"

#define CERT_A "dc26d50e3ff2726ae8c3f3b8b3f4ca424616a7f88dba6c6d2685c5a38a967daf"
#define CERT_B "0aab67ed9dc4e511dd16f633b5a4aaabeb7049a5467de9991bcf703ac3446f56"
#define JA3S "70745099b394fe3f42264227c098cc98"

static const char conn_log[] =
    "#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n#path\tconn\n"
    "#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tservice\tduration\t"
    "orig_bytes\tresp_bytes\tconn_state\tlocal_orig\tlocal_resp\tmissed_bytes\thistory\t"
    "orig_pkts\torig_ip_bytes\tresp_pkts\tresp_ip_bytes\ttunnel_parents\n"
    "#types\ttime\tstring\taddr\tport\taddr\tport\tenum\tstring\tinterval\tcount\tcount\t"
    "string\tbool\tbool\tcount\tstring\tcount\tcount\tcount\tcount\tset[string]\n"
    "1700000000.000000\tCb1\t10.0.0.5\t40000\t203.0.113.7\t443\ttcp\tssl\t1.500000\t10\t20\tSF"
    "\t-\t-\t0\tShADadFf\t5\t300\t4\t400\t-\n"
    "1700000060.000000\tCb2\t10.0.0.5\t40001\t203.0.113.7\t443\ttcp\tssl\t1.500000\t10\t20\tSF"
    "\t-\t-\t0\tShADadFf\t5\t300\t4\t400\t-\n"
    "1700000120.000000\tCb3\t10.0.0.5\t40002\t203.0.113.7\t443\ttcp\tssl\t1.500000\t10\t20\tSF"
    "\t-\t-\t0\tShADadFf\t5\t300\t4\t400\t-\n"
    "1700000180.000000\tCb4\t10.0.0.5\t40003\t203.0.113.7\t443\ttcp\tssl\t1.500000\t10\t20\tSF"
    "\t-\t-\t0\tShADadFf\t5\t300\t4\t400\t-\n"
    "1700000010.000000\tCl1\t10.0.0.6\t41000\t198.51.100.9\t8443\ttcp\t-\t7200.000000\t10\t20"
    "\tS1\t-\t-\t0\tShAD\t50\t3000\t40\t4000\t-\n"
    "#close\t2023-11-15-00-00-00\n";

static const char dns_log[] =
    "#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n#path\tdns\n"
    "#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\ttrans_id\trtt\t"
    "query\tqclass\tqclass_name\tqtype\tqtype_name\trcode\trcode_name\tAA\tTC\tRD\tRA\tZ\t"
    "answers\tTTLs\trejected\n"
    "#types\ttime\tstring\taddr\tport\taddr\tport\tenum\tcount\tinterval\tstring\tcount\t"
    "string\tcount\tstring\tcount\tstring\tbool\tbool\tbool\tbool\tcount\tvector[string]\t"
    "vector[interval]\tbool\n"
    "1700000001.000000\tCd1\t10.0.0.5\t50000\t10.0.0.53\t53\tudp\t1\t0.010000\t"
    "aaaa1111.tun.example\t1\tC_INTERNET\t16\tTXT\t0\tNOERROR\tF\tF\tT\tT\t0\t-\t-\tF\n"
    "1700000002.000000\tCd2\t10.0.0.5\t50001\t10.0.0.53\t53\tudp\t2\t0.010000\t"
    "bbbb2222.tun.example\t1\tC_INTERNET\t16\tTXT\t0\tNOERROR\tF\tF\tT\tT\t0\t-\t-\tF\n"
    "1700000003.000000\tCd3\t10.0.0.5\t50002\t10.0.0.53\t53\tudp\t3\t0.010000\t"
    "aaaa1111.tun.example\t1\tC_INTERNET\t16\tTXT\t0\tNOERROR\tF\tF\tT\tT\t0\t-\t-\tF\n";

static const char ssl_log[] =
    "#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n#path\tssl\n"
    "#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tversion\tcipher\tcurve\t"
    "server_name\tresumed\tlast_alert\tnext_protocol\testablished\tcert_chain_fps\t"
    "client_cert_chain_fps\tja3\tja3s\n"
    "#types\ttime\tstring\taddr\tport\taddr\tport\tstring\tstring\tstring\tstring\tbool\t"
    "string\tstring\tbool\tvector[string]\tvector[string]\tstring\tstring\n"
    "1700000000.100000\tCb1\t10.0.0.5\t40000\t203.0.113.7\t443\tTLSv12\t-\t-\tc2.example\tF\t"
    "-\t-\tT\t" CERT_A "\t(empty)\t768184a9f0afcbac7ded9500222d5537\t" JA3S "\n"
    "1700000300.100000\tCx1\t10.0.0.8\t42000\t203.0.113.8\t443\tTLSv12\t-\t-\tc2b.example\tF\t"
    "-\t-\tT\t" CERT_A "\t(empty)\t768184a9f0afcbac7ded9500222d5537\t" JA3S "\n";

struct in {
	const char *name, *text;
	char path[4200];
	uint8_t sha[32];
	struct c2c_input_info info;
};

static struct in g_in[3] = { { .name = "conn.log", .text = conn_log },
	{ .name = "dns.log", .text = dns_log }, { .name = "ssl.log", .text = ssl_log } };

/* Offset of the n-th (0-based) data line of input i, and its length without the newline. */
static uint64_t
line_off(int i, int n, uint32_t *len)
{
	const char *t = g_in[i].text, *p = t;
	for (;;) {
		const char *nl = strchr(p, '\n');
		ASSERT(nl != NULL);
		if (*p != '#' && n-- == 0) {
			*len = (uint32_t)(nl - p);
			return (uint64_t)(p - t);
		}
		p = nl + 1;
	}
}

static json_t *
ref(int i, int n)
{
	uint32_t len = 0;
	uint64_t off = line_off(i, n, &len);
	struct c2c_evref r = { 0, -1, off, len };
	char buf[C2C_EVREF_STRLEN];
	return json_string(c2c_evref_format(&r, g_in[i].sha, buf, sizeof(buf)));
}

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

/* A claim from JSON text, with "refs" built from (input, line) pairs ending in -1. */
static json_t *
claim(const char *text, const int *rl)
{
	json_error_t e;
	json_t *c = json_loads(text, JSON_REJECT_DUPLICATES, &e), *refs = json_array(), *ev;
	if (c == NULL)
		TEST_FAIL_("bad claim text: %s: %s", e.text, text);
	for (; rl[0] >= 0; rl += 2)
		ASSERT_OK(c2c_json_append_new(refs, ref(rl[0], rl[1])));
	ev = json_object_get(c, "evidence");
	if (ev == NULL) {
		ev = json_object();
		ASSERT_OK(c2c_json_set_new(c, "evidence", ev));
	}
	ASSERT_OK(c2c_json_set_new(ev, "refs", refs));
	ASSERT_OK(c2c_json_set_str(c, "recheck", "records"));
	ASSERT_OK(c2c_json_set_str(c, "rung", "L1"));
	set_id(c);
	return c;
}

struct expect {
	const char *label;
	json_t *c;
	const char *step; /* NULL: verified */
	int input, line;   /* the record named in a failure */
};

struct result {
	char id[96];
	enum c2c_verdict v;
	char step[32], src[64];
	uint64_t where;
};

struct results {
	struct result r[64];
	size_t n;
};

static void
collect(void *ctx, const struct c2c_claim_verdict *v)
{
	struct results *rs = ctx;
	if (getenv("C2C_TEST_VERBOSE") != NULL)
		printf("  %-34.34s %s %s@%llu %s\n", v->id, c2c_verdict_name(v->verdict),
		    v->step ? v->step : "-", (unsigned long long)v->where, v->msg);
	if (rs->n < C2C_ARRAY_LEN(rs->r)) {
		struct result *r = &rs->r[rs->n++];
		(void)snprintf(r->id, sizeof(r->id), "%s", v->id);
		r->v = v->verdict;
		(void)snprintf(r->step, sizeof(r->step), "%s", v->step ? v->step : "");
		(void)snprintf(r->src, sizeof(r->src), "%s", v->src ? v->src : "");
		r->where = v->where;
	}
}

/* Write the three logs and read them as the scan does: digests and header dependencies. */
static void
write_inputs(void)
{
	struct c2c_diag d;
	for (int i = 0; i < 3; i++) {
		struct c2c_sink none = { NULL, NULL, NULL };
		FILE *fp;
		(void)snprintf(g_in[i].path, sizeof(g_in[i].path), "%s/%s", test_tmpdir(),
		    g_in[i].name);
		fp = fopen(g_in[i].path, "wb");
		ASSERT(fp != NULL && fputs(g_in[i].text, fp) >= 0 && fclose(fp) == 0);
		ASSERT_OK(c2c_ingest_file(g_in[i].path, (uint32_t)i, NULL, &none, &g_in[i].info,
		    NULL, &d));
		ASSERT(g_in[i].info.n_deps >= 7); /* #separator ... #types */
		memcpy(g_in[i].sha, g_in[i].info.sha256, 32);
	}
}

#define T(x) "\"" x "\""
#define HOSTPEER T("host") ":" T("10.0.0.5") "," T("peer") ":" T("203.0.113.7")

static void
each_claim_type(void)
{
	static const int beacon_refs[] = { 0, 0, 0, 1, 0, 2, 0, 3, -1 };
	static const int long_refs[] = { 0, 4, -1 };
	static const int tun_refs[] = { 1, 0, 1, 1, 1, 2, -1 };
	static const int infra_refs[] = { 2, 0, -1 };
	static const int edge_refs[] = { 2, 0, 2, 1, -1 };
	static const int one_end[] = { 2, 0, -1 };
	static const int hit_refs[] = { 0, 0, -1 };
	char dir[4200];
	struct c2c_case *c = NULL;
	struct c2c_case_opts co = { NULL, "c2chain.test/claims", 0 };
	struct c2c_diag d;
	struct c2c_verify_opts vo;
	struct c2c_verify_summary sum;
	struct results rs = { .n = 0 };
	json_t *report = json_object(), *fnd = json_array();

	memset(&d, 0, sizeof(d));
	(void)snprintf(dir, sizeof(dir), "%s/case", test_tmpdir());
	ASSERT_OK(c2c_case_open(dir, &co, &c, &d));
	for (int i = 0; i < 3; i++)
		ASSERT_OK(c2c_case_add_input(c, g_in[i].path, &g_in[i].info, &d));
	{
		struct expect ex[] = {
			{ "intel-hit", claim("{" T("type") ":" T("intel-hit") "," T("subject") ":{" HOSTPEER
			    "}," T("first_seen") ":" T("2023-11-14T22:13:20.000000Z") "," T("last_seen") ":"
			    T("2023-11-14T22:13:21.500000Z") "," T("result") ":{" T("indicator") ":{"
			    T("type") ":" T("ipv4") "," T("value") ":" T("203.0.113.7") "}}}", hit_refs),
			    NULL, 0, 0 },
			{ "intel-hit, another indicator", claim("{" T("type") ":" T("intel-hit") ","
			    T("subject") ":{" HOSTPEER "}," T("result") ":{" T("indicator") ":{" T("type")
			    ":" T("cidr") "," T("value") ":" T("198.51.100.0/24") "}}}", hit_refs),
			    "record-content", 0, 0 },
			{ "beacon", claim("{" T("type") ":" T("beacon") "," T("subject") ":{" HOSTPEER ","
			    T("peer_port") ":443}," T("first_seen") ":" T("2023-11-14T22:13:20.000000Z") ","
			    T("last_seen") ":" T("2023-11-14T22:16:21.500000Z") "," T("result") ":{"
			    T("connections") ":4}}", beacon_refs), NULL, 0, 0 },
			{ "beacon, more connections", claim("{" T("type") ":" T("beacon") "," T("subject")
			    ":{" HOSTPEER "," T("peer_port") ":443}," T("result") ":{" T("connections")
			    ":5}}", beacon_refs), "record-totals", 0, 0 },
			{ "beacon, another port", claim("{" T("type") ":" T("beacon") "," T("subject") ":{"
			    HOSTPEER "," T("peer_port") ":8443}," T("result") ":{" T("connections") ":4}}",
			    beacon_refs), "record-content", 0, 0 },
			{ "beacon, later window", claim("{" T("type") ":" T("beacon") "," T("subject") ":{"
			    HOSTPEER "}," T("first_seen") ":" T("2023-11-14T22:14:00.000000Z") ","
			    T("result") ":{" T("connections") ":4}}", beacon_refs), "record-content", 0, 0 },
			{ "long-connection", claim("{" T("type") ":" T("long-connection") "," T("subject")
			    ":{" T("host") ":" T("10.0.0.6") "," T("peer") ":" T("198.51.100.9") ","
			    T("peer_port") ":8443}," T("result") ":{" T("connections") ":1,"
			    T("total_duration_us") ":7200000000}}", long_refs), NULL, 0, 0 },
			{ "long-connection, longer", claim("{" T("type") ":" T("long-connection") ","
			    T("subject") ":{" T("host") ":" T("10.0.0.6") "," T("peer") ":" T("198.51.100.9")
			    "}," T("result") ":{" T("total_duration_us") ":9000000000}}", long_refs),
			    "record-totals", 0, 4 },
			{ "dns-tunnel", claim("{" T("type") ":" T("dns-tunnel") "," T("subject") ":{"
			    T("host") ":" T("10.0.0.5") "," T("fqdn") ":" T("tun.example") "}," T("result")
			    ":{" T("queries") ":3," T("unique_names") ":2," T("names_capped") ":false}}",
			    tun_refs), NULL, 0, 0 },
			{ "dns-tunnel, more names", claim("{" T("type") ":" T("dns-tunnel") "," T("subject")
			    ":{" T("host") ":" T("10.0.0.5") "," T("fqdn") ":" T("tun.example") "},"
			    T("result") ":{" T("queries") ":3," T("unique_names") ":3}}", tun_refs),
			    "record-totals", 1, 0 },
			{ "dns-tunnel, more queries", claim("{" T("type") ":" T("dns-tunnel") ","
			    T("subject") ":{" T("fqdn") ":" T("tun.example") "}," T("result") ":{"
			    T("queries") ":30}}", tun_refs), "record-totals", 1, 0 },
			{ "dns-tunnel, another domain", claim("{" T("type") ":" T("dns-tunnel") ","
			    T("subject") ":{" T("fqdn") ":" T("other.example") "}," T("result") ":{"
			    T("queries") ":3}}", tun_refs), "record-content", 1, 0 },
			{ "infrastructure", claim("{" T("type") ":" T("infrastructure") "," T("subject") ":{"
			    T("ip") ":" T("203.0.113.7") "}," T("result") ":{" T("cert_sha256") ":["
			    T(CERT_A) "]," T("ja3s") ":[" T(JA3S) "]}}", infra_refs), NULL, 0, 0 },
			{ "infrastructure, another certificate", claim("{" T("type") ":" T("infrastructure")
			    "," T("subject") ":{" T("ip") ":" T("203.0.113.7") "}," T("result") ":{"
			    T("cert_sha256") ":[" T(CERT_B) "]}}", infra_refs), "record-totals", 2, 0 },
			{ "infrastructure, another endpoint", claim("{" T("type") ":" T("infrastructure")
			    "," T("subject") ":{" T("ip") ":" T("203.0.113.9") "}}", infra_refs),
			    "record-content", 2, 0 },
			{ "cluster-edge", claim("{" T("type") ":" T("cluster-edge") "," T("subject") ":{"
			    T("a") ":" T("203.0.113.7") "," T("b") ":" T("203.0.113.8") "}," T("result") ":{"
			    T("kind") ":" T("same-certificate") "," T("value") ":" T(CERT_A) "}}", edge_refs),
			    NULL, 0, 0 },
			{ "cluster-edge, same JA3S", claim("{" T("type") ":" T("cluster-edge") ","
			    T("subject") ":{" T("a") ":" T("203.0.113.7") "," T("b") ":" T("203.0.113.8")
			    "}," T("result") ":{" T("kind") ":" T("same-ja3s-ports") "," T("value") ":"
			    T(JA3S " ports 443") "}}", edge_refs), NULL, 0, 0 },
			{ "cluster-edge, another certificate", claim("{" T("type") ":" T("cluster-edge") ","
			    T("subject") ":{" T("a") ":" T("203.0.113.7") "," T("b") ":" T("203.0.113.8")
			    "}," T("result") ":{" T("kind") ":" T("same-certificate") "," T("value") ":"
			    T(CERT_B) "}}", edge_refs), "record-content", 2, 0 },
			{ "cluster-edge, another FQDN", claim("{" T("type") ":" T("cluster-edge") ","
			    T("subject") ":{" T("a") ":" T("203.0.113.7") "," T("b") ":" T("203.0.113.8")
			    "}," T("result") ":{" T("kind") ":" T("shared-fqdn") "," T("value") ":"
			    T("c2.example") "}}", edge_refs), "record-content", 2, 1 },
			{ "cluster-edge, one end shown", claim("{" T("type") ":" T("cluster-edge") ","
			    T("subject") ":{" T("a") ":" T("203.0.113.7") "," T("b") ":" T("203.0.113.99")
			    "}," T("result") ":{" T("kind") ":" T("same-certificate") "," T("value") ":"
			    T(CERT_A) "}}", edge_refs), "record-content", 2, 1 },
			{ "cluster-edge, one record", claim("{" T("type") ":" T("cluster-edge") ","
			    T("subject") ":{" T("a") ":" T("203.0.113.99") "," T("b") ":" T("203.0.113.7")
			    "}," T("result") ":{" T("kind") ":" T("same-certificate") "," T("value") ":"
			    T(CERT_A) "}}", one_end), NULL, 0, 0 },
		};

		for (size_t i = 0; i < C2C_ARRAY_LEN(ex); i++) {
			ASSERT_OK(c2c_case_append(c, "finding", ex[i].c, NULL, &d));
			ASSERT_OK(c2c_json_append_new(fnd, json_incref(ex[i].c)));
		}
		ASSERT_OK(c2c_json_set_new(report, "findings", fnd));
		ASSERT_OK(c2c_case_commit(c, report, &d));
		c2c_case_close(c);
		json_decref(report);

		memset(&vo, 0, sizeof(vo));
		vo.verdict = collect;
		vo.verdict_ctx = &rs;
		ASSERT_ERR(c2c_verify_case(dir, &vo, &sum, &d), C2C_EVERIFY);
		for (size_t i = 0; i < C2C_ARRAY_LEN(ex); i++) {
			const char *id = json_string_value(json_object_get(ex[i].c, "id"));
			const struct result *r = NULL;
			for (size_t k = 0; k < rs.n && r == NULL; k++)
				if (strcmp(rs.r[k].id, id) == 0)
					r = &rs.r[k];
			if (r == NULL)
				TEST_FAIL_("%s: no verdict", ex[i].label);
			if (ex[i].step == NULL) {
				if (r->v != C2C_V_RAW)
					TEST_FAIL_("%s: %s at step %s, want verified", ex[i].label,
					    c2c_verdict_name(r->v), r->step);
			} else {
				uint32_t len;
				uint64_t off = line_off(ex[i].input, ex[i].line, &len);
				if (r->v != C2C_V_FAILED || strcmp(r->step, ex[i].step) != 0 ||
				    strcmp(r->src, g_in[ex[i].input].name) != 0 || r->where != off)
					TEST_FAIL_("%s: %s at %s %s:%llu, want FAILED at %s %s:%llu",
					    ex[i].label, c2c_verdict_name(r->v), r->step, r->src,
					    (unsigned long long)r->where, ex[i].step,
					    g_in[ex[i].input].name, (unsigned long long)off);
			}
			json_decref(ex[i].c);
		}
	}
	/* Three inputs, the signature, the ledger and the report besides the claims. */
	ASSERT(sum.signature_ok);
}

TEST_MAIN(write_inputs, each_claim_type)
