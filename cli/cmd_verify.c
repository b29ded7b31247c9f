/*
 * c2chain verify: the offline third-party check of a case or excerpt package. Prints one
 * verdict per claim and maps the outcome to the documented exit codes (docs/evidence.md).
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "c2chain/evidence.h"
#include "c2chain/pipeline.h"
#include "cli.h"

enum {
	EXIT_FAILED = 1,   /* at least one claim FAILED */
	EXIT_MISSING = 2,  /* nothing failed, but some claims lack the data to check them */
	EXIT_SIGNATURE = 3 /* the checkpoint signature or the trust key failed */
};

struct out_ctx {
	bool quiet;
};

static c2c_err
rederive(void *ctx, const char *case_dir, const char *inputs_dir, struct c2c_buf *out,
    struct c2c_diag *diag)
{
	(void)ctx;
	return c2c_scan_rederive(case_dir, inputs_dir, out, diag);
}

static void
print_verdict(void *ctx, const struct c2c_claim_verdict *v)
{
	const struct out_ctx *o = ctx;
	const char *tag = v->verdict == C2C_V_FAILED ? "FAILED"
	    : v->verdict == C2C_V_MISSING	     ? "missing"
	    : v->verdict == C2C_V_EXTERNAL	     ? "external"
						     : "ok";
	if (o->quiet && v->verdict != C2C_V_FAILED && v->verdict != C2C_V_MISSING)
		return;
	printf("%-8s %-10s %s\n", tag, v->kind, v->id);
	if (v->verdict == C2C_V_FAILED)
		printf("         step %s at %s:%llu: %s\n", v->step ? v->step : "?",
		    v->src ? v->src : "-", (unsigned long long)v->where, v->msg);
	else if (v->verdict == C2C_V_MISSING)
		printf("         %s (step %s)\n", v->msg, v->step ? v->step : "?");
	else
		printf("         %s: %s\n", c2c_verdict_name(v->verdict), v->msg);
}

static const struct option longopts[] = {
	{ "trust", required_argument, NULL, 't' },
	{ "inputs", required_argument, NULL, 'i' },
	{ "quiet", no_argument, NULL, 'q' },
	{ NULL, 0, NULL, 0 },
};

extern const struct cli_cmd cli_cmd_verify;

static int
run(int argc, char **argv)
{
	struct c2c_verify_opts opts;
	struct c2c_verify_summary sum;
	struct c2c_diag diag;
	struct out_ctx oc = { false };
	c2c_err rc;
	int ch;

	memset(&opts, 0, sizeof(opts));
	memset(&diag, 0, sizeof(diag));
	optind = 1;
	while ((ch = getopt_long(argc, argv, "t:i:q", longopts, NULL)) != -1) {
		switch (ch) {
		case 't':
			opts.trust_path = optarg;
			break;
		case 'i':
			opts.inputs_dir = optarg;
			break;
		case 'q':
			oc.quiet = true;
			break;
		default:
			return cli_usage_error(&cli_cmd_verify, "unknown option");
		}
	}
	if (argc - optind != 1)
		return cli_usage_error(&cli_cmd_verify, "expected exactly one CASE");
	opts.rederive = rederive;
	opts.verdict = print_verdict;
	opts.verdict_ctx = &oc;
	rc = c2c_verify_case(argv[optind], &opts, &sum, &diag);
	if (rc != C2C_OK && rc != C2C_EVERIFY)
		return cli_fail(rc, &diag);
	printf("\n%s %s: %llu verified from raw records, %llu with pinned reference data, "
	       "%llu external, %llu missing data, %llu FAILED\n",
	    sum.excerpt ? "excerpt" : "case", argv[optind], (unsigned long long)sum.n[C2C_V_RAW],
	    (unsigned long long)sum.n[C2C_V_REF], (unsigned long long)sum.n[C2C_V_EXTERNAL],
	    (unsigned long long)sum.n[C2C_V_MISSING], (unsigned long long)sum.n[C2C_V_FAILED]);
	if (sum.signature_ok && sum.trusted_own_key)
		printf("note: trusted the case's own key/verifier.pub; pass --trust with a key "
		       "obtained independently\n");
	if (!sum.signature_ok) {
		fprintf(stderr, "c2chain: %s: the checkpoint signature does not verify; nothing "
				"else was checked\n", argv[optind]);
		return EXIT_SIGNATURE;
	}
	if (sum.n[C2C_V_FAILED] > 0)
		return EXIT_FAILED;
	if (sum.n[C2C_V_MISSING] > 0)
		return EXIT_MISSING;
	return 0;
}

const struct cli_cmd cli_cmd_verify = {
	"verify",
	run,
	"check a case offline: signature, digests, ledger, records, re-derivation",
	"usage: c2chain verify CASE [--trust PUBKEY] [--inputs DIR] [--quiet]\n"
	"\n"
	"Check every claim of CASE (a case directory, or an excerpt package written by\n"
	"'c2chain report CASE --package excerpt -o FILE') without network access:\n"
	"  1. the checkpoint signature (CASE/checkpoint.note), before anything else is read;\n"
	"  2. the ledger against the signed root, earlier checkpoints and consistency proofs;\n"
	"  3. the SHA-256 of every input and reference-data file against its fingerprint;\n"
	"  4. each claim: its ledger entry, its copy in report.json, every cited record\n"
	"     (re-read, hashed against its commitment, re-parsed and compared with the\n"
	"     claim's endpoints, port and time window), its pinned reference data;\n"
	"  5. report.json against its ledger digest and against a re-run of the analysis.\n"
	"One verdict is printed per claim: verified from raw records, verified with pinned\n"
	"reference data, external assertion, missing data, or FAILED with the first failing\n"
	"step and the byte position (file:offset).\n"
	"\n"
	"options:\n"
	"  -t, --trust PUBKEY  verifier key file (\"<name>+<id>+<base64>\") obtained from the\n"
	"                      case's author independently; without it the case's own\n"
	"                      key/verifier.pub is used, which proves integrity only\n"
	"  -i, --inputs DIR    look for inputs and reference data here (by file name) before\n"
	"                      the paths recorded in inputs.json\n"
	"  -q, --quiet         print only failed and missing claims and the summary\n"
	"\n"
	"exit status: 0 every claim holds; 1 a claim FAILED; 2 no failure but some claims\n"
	"lack data (e.g. an excerpt, an absent input); 3 the checkpoint signature or trust key\n"
	"failed (nothing else was checked); 64 usage; 66 no case at CASE; 74 I/O error.\n",
};
