/*
 * The case API and the verifier under memory pressure: a one-input, one-finding case is built
 * and verified; C2C_TORTURE reruns it with every allocation failing in turn, and each run must
 * end in success or C2C_ENOMEM (never a wrong verdict, a crash or a leak): C2C_TORTURE.
 */
#include <stdio.h>

#include "c2chain/evidence.h"
#include "test.h"

static c2c_err
reparse(void *ctx, enum c2c_format fmt, const struct c2c_recbytes *deps, size_t n_deps,
    const struct c2c_recbytes *rec, int32_t rec_index, const struct c2c_sink *sink,
    struct c2c_diag *diag)
{
	struct c2c_flow f;
	(void)ctx;
	(void)fmt;
	(void)rec_index;
	(void)diag;
	/* The "input" is text lines "a b port ts": one flow per line. */
	memset(&f, 0, sizeof(f));
	if (n_deps != 1 || deps[0].len != 7 || memcmp(deps[0].p, "#hdr 1\n", 7) != 0 ||
	    rec->len != 31 || memcmp(rec->p, "10.0.0.5 203.0.113.7 443 00001\n", 31) != 0)
		return C2C_EFORMAT;
	(void)c2c_ip_parse(&f.orig, "10.0.0.5");
	(void)c2c_ip_parse(&f.resp, "203.0.113.7");
	f.resp_port = 443;
	f.ts = 1700000000LL * C2C_USEC;
	return sink->flow(sink->ctx, &f);
}

static void
show_failures(void *ctx, const struct c2c_claim_verdict *v)
{
	(void)ctx;
	if (v->verdict == C2C_V_FAILED)
		fprintf(stderr, "  %s %s: step %s at %s:%llu: %s\n", v->kind, v->id, v->step,
		    v->src ? v->src : "-", (unsigned long long)v->where, v->msg);
}

static void
build_and_verify(void)
{
	static const char data[] = "#hdr 1\n10.0.0.5 203.0.113.7 443 00001\n";
	char in[4096], dir[4096];
	struct c2c_input_info info;
	struct c2c_case *c = NULL;
	struct c2c_case_opts co = { NULL, "t/ledger", 0 };
	struct c2c_verify_opts vo;
	struct c2c_verify_summary sum;
	struct c2c_diag d;
	json_t *claim, *ev, *subj, *report;
	char ref[C2C_EVREF_STRLEN], dep[C2C_EVREF_STRLEN];
	struct c2c_evref r1 = { 0, -1, 7, 31 }, r0 = { 0, -1, 0, 7 };
	FILE *fp;

	(void)snprintf(in, sizeof(in), "%s/in.txt", test_tmpdir());
	(void)snprintf(dir, sizeof(dir), "%s/case", test_tmpdir());
	fp = fopen(in, "wb");
	ASSERT(fp != NULL && fwrite(data, 1, strlen(data), fp) == strlen(data) && fclose(fp) == 0);
	memset(&info, 0, sizeof(info));
	info.format = C2C_FMT_ZEEK_TSV;
	c2c_sha256(data, strlen(data), info.sha256);
	info.size = strlen(data);
	info.records = 1;
	info.first_ts = info.last_ts = 1700000000LL * C2C_USEC;
	info.n_deps = 1;
	info.deps[0] = r0;
	(void)c2c_evref_format(&r1, info.sha256, ref, sizeof(ref));
	(void)c2c_evref_format(&r0, info.sha256, dep, sizeof(dep));

	claim = json_pack("{s:s, s:s, s:{s:s, s:s, s:i}, s:{s:[s]}, s:s, s:s}", "id", "beacon:1",
	    "type", "beacon", "subject", "host", "10.0.0.5", "peer", "203.0.113.7", "peer_port",
	    443, "evidence", "refs", ref, "recheck", "records", "first_seen",
	    "2023-11-14T22:13:20.000000Z");
	ASSERT_NONNULL(claim);
	report = json_pack("{s:[O], s:[]}", "findings", claim, "assessments");
	ASSERT_NONNULL(report);
	(void)ev;
	(void)subj;

	ASSERT_OK(c2c_case_open(dir, &co, &c, &d));
	ASSERT_OK(c2c_case_add_input(c, in, &info, &d));
	ASSERT_OK(c2c_case_append(c, "finding", claim, NULL, &d));
	ASSERT_OK(c2c_case_commit(c, report, &d));
	c2c_case_close(c);
	json_decref(claim);
	json_decref(report);

	memset(&vo, 0, sizeof(vo));
	vo.reparse = reparse;
	vo.verdict = show_failures;
	/* No re-derivation: the report claim is "missing", everything else holds. */
	ASSERT_ERR(c2c_verify_case(dir, &vo, &sum, &d), C2C_EVERIFY);
	ASSERT(sum.signature_ok);
	ASSERT_EQ(sum.n[C2C_V_FAILED], 0);
	ASSERT_EQ(sum.n[C2C_V_MISSING], 1);
	ASSERT_EQ(sum.n[C2C_V_RAW], 5); /* checkpoint, ledger, 1.note, input, finding */
	{
		char pkg[4200];
		(void)snprintf(pkg, sizeof(pkg), "%s/x.tar", test_tmpdir());
		ASSERT_OK(c2c_excerpt_write(dir, pkg, &d));
		ASSERT_ERR(c2c_verify_case(pkg, &vo, &sum, &d), C2C_EVERIFY);
		ASSERT_EQ(sum.n[C2C_V_FAILED], 0);
		ASSERT_EQ(sum.n[C2C_V_RAW], 4); /* checkpoint, ledger, 1.note, finding */
	}
}

static void
reopen_appends(void)
{
	char dir[4096];
	struct c2c_case *c = NULL;
	struct c2c_case_opts co = { NULL, NULL, 1 };
	struct c2c_diag d;
	json_t *rep = json_object();
	uint64_t size = 0;
	uint8_t root[32];
	ASSERT_NONNULL(rep);
	(void)snprintf(dir, sizeof(dir), "%s/case", test_tmpdir());
	ASSERT_OK(c2c_case_open(dir, &co, &c, &d));
	c2c_case_tree(c, &size, root);
	ASSERT_U64_EQ(size, 4);
	ASSERT_OK(c2c_case_commit(c, rep, &d));
	c2c_case_tree(c, &size, root);
	ASSERT_U64_EQ(size, 5);
	ASSERT_ERR(c2c_case_commit(c, rep, &d), C2C_EINVAL);
	c2c_case_close(c);
	json_decref(rep);
}

TEST_MAIN(build_and_verify, reopen_appends)
