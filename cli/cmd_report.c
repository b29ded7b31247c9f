/* c2chain report: render a case's report in another format, or package its evidence. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "c2chain/evidence.h"
#include "c2chain/pipeline.h"
#include "cli.h"

static const char usage_text[] =
    "usage: c2chain report CASE [--format json|md|html|stix|events-csv] [-o FILE]\n"
    "       c2chain report CASE --package excerpt -o FILE\n"
    "\n"
    "Render the case's report.json (the signed report) as canonical JSON, Markdown, HTML\n"
    "with charts, a STIX 2.1 bundle, or rows in the column layout of Shadowserver's\n"
    "sinkhole event reports (one per controlled host, C2 endpoint and port) for exchange\n"
    "with other CERTs. Output goes to stdout, or atomically to FILE with -o.\n"
    "\n"
    "--package excerpt writes an excerpt package: the signed checkpoints, ledger, proofs,\n"
    "report and only the cited records of each input (and the records they depend on), so\n"
    "a victim can publish evidence without its full capture. 'c2chain verify FILE' checks\n"
    "it and marks claims that need the full inputs as missing data.\n"
    "\n"
    "options:\n"
    "  -f, --format FMT     json (default), md, html, stix, events-csv\n"
    "  -o, --output FILE    write FILE instead of stdout\n"
    "  -p, --package KIND   excerpt\n"
    "\n"
    "Exit status: 0 done; 64 usage; 65 the case is not readable; 66 no case; 74 I/O error.\n";

static int
run(int argc, char **argv)
{
	static const struct option lo[] = { { "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "package", required_argument, NULL, 'p' }, { NULL, 0, NULL, 0 } };
	extern const struct cli_cmd cli_cmd_report;
	const char *format = "json", *out = NULL, *pkg = NULL, *case_dir;
	struct c2c_diag diag = { 0 };
	struct c2c_buf b;
	c2c_err rc;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "f:o:p:", lo, NULL)) != -1) {
		switch (c) {
		case 'f':
			format = optarg;
			break;
		case 'o':
			out = optarg;
			break;
		case 'p':
			pkg = optarg;
			break;
		default:
			return cli_usage_error(&cli_cmd_report, "unknown option");
		}
	}
	if (optind + 1 != argc)
		return cli_usage_error(&cli_cmd_report, "needs exactly one CASE");
	case_dir = argv[optind];
	if (pkg != NULL) {
		if (strcmp(pkg, "excerpt") != 0)
			return cli_usage_error(&cli_cmd_report, "unknown package '%s'", pkg);
		if (out == NULL)
			return cli_usage_error(&cli_cmd_report, "--package needs -o FILE");
		rc = c2c_excerpt_write(case_dir, out, &diag);
		return rc == C2C_OK ? 0 : cli_fail(rc, &diag);
	}
	c2c_buf_init(&b, (size_t)1 << 32);
	rc = c2c_case_render(case_dir, format, &b, &diag);
	if (rc == C2C_OK && out != NULL)
		rc = c2c_file_write_atomic(out, b.data ? b.data : (const uint8_t *)"", b.len, &diag);
	else if (rc == C2C_OK && b.len > 0 && fwrite(b.data, 1, b.len, stdout) != b.len)
		rc = C2C_EIO;
	c2c_buf_fini(&b);
	if (rc == C2C_EINVAL)
		return cli_usage_error(&cli_cmd_report, "%s", diag.msg);
	return rc == C2C_OK ? 0 : cli_fail(rc, &diag);
}

const struct cli_cmd cli_cmd_report = {
	"report",
	run,
	"render a case's report (json, md, html, stix, events-csv) or an excerpt package",
	usage_text,
};
