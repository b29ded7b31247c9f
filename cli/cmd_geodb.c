/*
 * c2chain geodb: build a MaxMind DB from CSV (registry data), look addresses up, show a
 * database's pin, and compute the country control matrix from a file of findings.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "c2chain/enrich.h"
#include "c2chain/events.h"
#include "c2chain/infra.h"
#include "cli.h"

extern const struct cli_cmd cli_cmd_geodb;

static int
parse_u64(const char *s, uint64_t *v)
{
	char *end;
	unsigned long long x;
	if (s == NULL || *s == '\0' || *s == '-')
		return -1;
	errno = 0;
	x = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0')
		return -1;
	*v = x;
	return 0;
}

/* ---- build ------------------------------------------------------------------------------- */

static int
geodb_build(int argc, char **argv)
{
	static const struct option opts[] = { { "output", required_argument, NULL, 'o' },
		{ "type", required_argument, NULL, 't' },
		{ "database-type", required_argument, NULL, 'd' },
		{ "build-epoch", required_argument, NULL, 'e' },
		{ "description", required_argument, NULL, 'D' },
		{ "on-conflict", required_argument, NULL, 'C' }, { NULL, 0, NULL, 0 } };
	enum c2c_mmdb_conflict conflict = C2C_MMDB_CONFLICT_ERROR;
	const char *outp = NULL, *dbtype = NULL, *desc = NULL, *env;
	enum c2c_mmdb_kind kind = C2C_MMDB_COUNTRY;
	uint64_t epoch = 0;
	struct c2c_mmdb_writer *w = NULL;
	struct c2c_mmdb_writer_stats st;
	struct c2c_diag diag = { 0 };
	struct c2c_buf out;
	uint8_t sha[32];
	char hex[65];
	c2c_err rc;
	int c;

	env = getenv("SOURCE_DATE_EPOCH");
	if (env != NULL && (parse_u64(env, &epoch) != 0 || epoch == 0))
		return cli_usage_error(&cli_cmd_geodb, "SOURCE_DATE_EPOCH is not a positive number");
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:t:", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			outp = optarg;
			break;
		case 't':
			if (strcmp(optarg, "country") == 0)
				kind = C2C_MMDB_COUNTRY;
			else if (strcmp(optarg, "asn") == 0)
				kind = C2C_MMDB_ASN;
			else if (strcmp(optarg, "both") == 0)
				kind = C2C_MMDB_BOTH;
			else
				return cli_usage_error(&cli_cmd_geodb, "--type: country, asn or both");
			break;
		case 'd':
			dbtype = optarg;
			break;
		case 'e':
			if (parse_u64(optarg, &epoch) != 0 || epoch == 0)
				return cli_usage_error(&cli_cmd_geodb,
				    "--build-epoch: seconds since 1970, > 0");
			break;
		case 'D':
			desc = optarg;
			break;
		case 'C':
			if (strcmp(optarg, "error") == 0)
				conflict = C2C_MMDB_CONFLICT_ERROR;
			else if (strcmp(optarg, "first") == 0)
				conflict = C2C_MMDB_CONFLICT_FIRST;
			else
				return cli_usage_error(&cli_cmd_geodb, "--on-conflict: error or first");
			break;
		default:
			return cli_usage_error(&cli_cmd_geodb, "bad option");
		}
	}
	if (outp == NULL)
		return cli_usage_error(&cli_cmd_geodb, "build needs -o OUT.mmdb");
	if (optind >= argc)
		return cli_usage_error(&cli_cmd_geodb, "build needs at least one CSV file");
	/* Default build epoch: the newest input's modification time (libmaxminddb rejects 0). */
	for (int i = optind; i < argc && epoch == 0; i++) {
		struct stat sb;
		for (int j = optind; j < argc; j++)
			if (stat(argv[j], &sb) == 0 && (uint64_t)sb.st_mtime > epoch)
				epoch = (uint64_t)sb.st_mtime;
		if (epoch == 0)
			epoch = 1;
	}
	if (dbtype == NULL)
		dbtype = kind == C2C_MMDB_COUNTRY ? "c2chain-Country"
		    : kind == C2C_MMDB_ASN	  ? "c2chain-ASN"
						  : "c2chain-Country-ASN";
	if (desc == NULL)
		desc = "built by c2chain geodb build from CSV rows cidr,country[,asn,organisation]";
	if (strlen(dbtype) >= 64)
		return cli_usage_error(&cli_cmd_geodb, "--database-type: at most 63 bytes");
	rc = c2c_mmdb_writer_new(kind, &w);
	if (rc != C2C_OK)
		return cli_fail(rc, NULL);
	c2c_mmdb_writer_set_conflict(w, conflict);
	for (int i = optind; i < argc && rc == C2C_OK; i++)
		rc = c2c_mmdb_writer_add_csv(w, argv[i], &diag);
	c2c_buf_init(&out, (size_t)1 << 32);
	if (rc == C2C_OK)
		rc = c2c_mmdb_writer_finish(w, dbtype, epoch, desc, &out, &diag);
	if (rc == C2C_OK)
		rc = c2c_file_write_atomic(outp, out.data, out.len, &diag);
	if (rc != C2C_OK) {
		int ret = cli_fail(rc, &diag); /* diag.src may point into the writer */
		c2c_buf_fini(&out);
		c2c_mmdb_writer_free(w);
		return ret;
	}
	c2c_mmdb_writer_stats(w, &st);
	c2c_sha256(out.data, out.len, sha);
	fprintf(stderr,
	    "c2chain geodb: wrote %s: %llu networks (%llu duplicates, %llu conflicts dropped), "
	    "%llu distinct records, %llu nodes, %u-bit records, %zu bytes, sha256 %s\n",
	    outp, (unsigned long long)st.networks, (unsigned long long)st.duplicates,
	    (unsigned long long)st.conflicts,
	    (unsigned long long)st.values, (unsigned long long)st.nodes, st.record_size, out.len,
	    c2c_hex(sha, 32, hex));
	c2c_buf_fini(&out);
	c2c_mmdb_writer_free(w);
	return 0;
}

/* ---- lookup ------------------------------------------------------------------------------ */

static int
lookup_one(struct c2c_geo *g, const char *s, int record, int *bad)
{
	struct c2c_ip ip;
	char buf[C2C_IP_STRLEN];
	c2c_err rc;
	if (c2c_ip_parse(&ip, s) != C2C_OK) {
		fprintf(stderr, "c2chain: '%s' is not an IPv4 or IPv6 address\n", s);
		(*bad)++;
		return 0;
	}
	(void)c2c_ip_format(&ip, buf, sizeof(buf));
	if (record) {
		json_t *o = json_object(), *rec = NULL;
		unsigned plen = 0;
		char *txt;
		if (o == NULL)
			return cli_fail(C2C_ENOMEM, NULL);
		rc = c2c_geo_record_json(g, 0, &ip, &rec, &plen);
		if (rc != C2C_OK && rc != C2C_ENOTFOUND) {
			json_decref(o);
			return cli_fail(rc, NULL);
		}
		(void)json_object_set_new(o, "ip", json_string(buf));
		if (rc == C2C_OK) {
			(void)json_object_set_new(o, "prefix_len", json_integer(plen));
			(void)json_object_set_new(o, "record", rec);
		} else {
			(void)json_object_set_new(o, "record", json_null());
		}
		txt = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENSURE_ASCII |
			JSON_REAL_PRECISION(17));
		json_decref(o);
		if (txt == NULL)
			return cli_fail(C2C_ENOMEM, NULL);
		puts(txt);
		free(txt);
	} else {
		struct c2c_geo_result r;
		rc = c2c_geo_lookup(g, &ip, &r);
		if (rc != C2C_OK)
			return cli_fail(rc, NULL);
		if (r.asn != 0)
			printf("%s\t%s\tAS%u\t%s\n", buf, r.country[0] ? r.country : "-",
			    (unsigned)r.asn, r.as_org[0] ? r.as_org : "-");
		else
			printf("%s\t%s\t-\t-\n", buf, r.country[0] ? r.country : "-");
	}
	return 0;
}

static int
geodb_lookup(int argc, char **argv)
{
	static const struct option opts[] = { { "record", no_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 } };
	struct c2c_geo *g = NULL;
	struct c2c_diag diag = { 0 };
	int record = 0, bad = 0, c, ret = 0;
	c2c_err rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, "r", opts, NULL)) != -1) {
		if (c == 'r')
			record = 1;
		else
			return cli_usage_error(&cli_cmd_geodb, "bad option");
	}
	if (argc - optind < 2)
		return cli_usage_error(&cli_cmd_geodb, "lookup needs DB and at least one IP (or -)");
	rc = c2c_geo_new(&g);
	if (rc == C2C_OK)
		rc = c2c_geo_open_db(g, argv[optind],
		    record ? C2C_GEO_ANY : C2C_GEO_COUNTRY | C2C_GEO_ASN, NULL, &diag);
	if (rc != C2C_OK) {
		c2c_geo_free(g);
		return cli_fail(rc, &diag);
	}
	for (int i = optind + 1; i < argc && ret == 0; i++) {
		if (strcmp(argv[i], "-") == 0) {
			char line[512];
			while (ret == 0 && fgets(line, sizeof(line), stdin) != NULL) {
				line[strcspn(line, " \t\r\n")] = '\0';
				if (line[0] != '\0' && line[0] != '#')
					ret = lookup_one(g, line, record, &bad);
			}
		} else {
			ret = lookup_one(g, argv[i], record, &bad);
		}
	}
	c2c_geo_free(g);
	if (fflush(stdout) != 0)
		return cli_err(EX_IOERR, "writing output failed");
	if (ret != 0)
		return ret;
	return bad ? EX_DATAERR : 0;
}

/* ---- info -------------------------------------------------------------------------------- */

static int
geodb_info(int argc, char **argv)
{
	struct c2c_geo *g = NULL;
	struct c2c_diag diag = { 0 };
	const struct c2c_geo_db_info *in;
	json_t *pin = NULL;
	char *txt;
	c2c_err rc;

	if (argc != 2)
		return cli_usage_error(&cli_cmd_geodb, "info needs exactly one DB");
	rc = c2c_geo_new(&g);
	if (rc == C2C_OK)
		rc = c2c_geo_open_db(g, argv[1], C2C_GEO_ANY, NULL, &diag);
	if (rc == C2C_OK) {
		in = c2c_geo_db_get(g, 0);
		rc = c2c_geo_pin_json(in, &pin);
		if (rc == C2C_OK) {
			json_t *prov = json_array();
			if (in->provides & C2C_GEO_COUNTRY)
				(void)json_array_append_new(prov, json_string("country"));
			if (in->provides & C2C_GEO_ASN)
				(void)json_array_append_new(prov, json_string("asn"));
			(void)json_object_set_new(pin, "provides", prov);
			(void)json_object_set_new(pin, "ip_version", json_integer(in->ip_version));
			(void)json_object_set_new(pin, "record_size", json_integer(in->record_size));
			(void)json_object_set_new(pin, "node_count", json_integer(in->node_count));
			(void)json_object_set_new(pin, "data_records",
			    json_integer((json_int_t)in->data_records));
			(void)json_object_del(pin, "use");
		}
	}
	if (rc != C2C_OK) {
		c2c_geo_free(g);
		return cli_fail(rc, &diag);
	}
	txt = json_dumps(pin, JSON_INDENT(2) | JSON_SORT_KEYS);
	json_decref(pin);
	c2c_geo_free(g);
	if (txt == NULL)
		return cli_fail(C2C_ENOMEM, NULL);
	puts(txt);
	free(txt);
	return 0;
}

/* ---- matrix ------------------------------------------------------------------------------ */

/* --host-map CC:FILE (a CIDR per line) or CC:CIDR, into the library's host map. */
static int
hostmap_add(struct c2c_host_map *hm, const char *arg)
{
	char cc[3];
	const char *spec = arg + 3;
	uint8_t *data = NULL;
	size_t len = 0;
	struct c2c_diag diag = { 0 };
	struct c2c_ip net;
	unsigned plen;
	c2c_err rc;
	if (strlen(arg) < 4 || arg[2] != ':')
		return cli_usage_error(&cli_cmd_geodb, "--host-map CC:FILE or CC:CIDR");
	for (int i = 0; i < 2; i++) {
		char c = arg[i];
		if (c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		if (c < 'A' || c > 'Z')
			return cli_usage_error(&cli_cmd_geodb, "--host-map: bad country in '%s'", arg);
		cc[i] = c;
	}
	cc[2] = '\0';
	if (c2c_cidr_parse(&net, &plen, spec) == C2C_OK)
		rc = c2c_host_map_add(hm, &net, plen, cc);
	else {
		rc = c2c_file_slurp(spec, (size_t)1 << 30, &data, &len, &diag);
		if (rc == C2C_OK)
			rc = c2c_host_map_parse(hm, (const char *)data, len, cc, spec, &diag);
		c2c_free(data);
	}
	return rc == C2C_OK ? 0 : cli_fail(rc, &diag);
}

/* Findings: a JSON array, or one JSON object per line. */
static c2c_err
load_findings(const char *path, json_t **out, struct c2c_diag *diag)
{
	uint8_t *data = NULL;
	size_t len = 0, i = 0;
	json_t *arr = NULL;
	c2c_err rc = c2c_file_slurp(path, (size_t)1 << 32, &data, &len, diag);
	if (rc != C2C_OK)
		return rc;
	while (i < len && (data[i] == ' ' || data[i] == '\n' || data[i] == '\r' || data[i] == '\t'))
		i++;
	if (i < len && data[i] == '[') {
		rc = c2c_json_parse((const char *)data, len, path, &arr, diag);
		if (rc == C2C_OK && !json_is_array(arr)) {
			json_decref(arr);
			arr = NULL;
			rc = c2c_diag_set(diag, C2C_EFORMAT, path, 0, "not a JSON array of findings");
		}
	} else {
		uint64_t lineno = 0;
		arr = json_array();
		if (arr == NULL)
			rc = C2C_ENOMEM;
		for (char *line = (char *)data, *next; rc == C2C_OK && line != NULL && *line;
		     line = next) {
			json_t *f = NULL;
			next = strchr(line, '\n');
			if (next != NULL)
				*next++ = '\0';
			lineno++;
			if (line[strspn(line, " \t\r")] == '\0')
				continue;
			rc = c2c_json_parse(line, strlen(line), path, &f, diag);
			if (rc != C2C_OK) {
				rc = c2c_diag_line(diag, C2C_EFORMAT, path, lineno, "not a JSON finding");
				break;
			}
			if (json_array_append_new(arr, f) != 0)
				rc = C2C_ENOMEM;
		}
	}
	c2c_free(data);
	if (rc != C2C_OK) {
		json_decref(arr);
		return rc;
	}
	*out = arr;
	return C2C_OK;
}

static int
geodb_matrix(int argc, char **argv)
{
	static const struct option opts[] = { { "geo", required_argument, NULL, 'g' },
		{ "asn", required_argument, NULL, 'a' }, { "host-map", required_argument, NULL, 'm' },
		{ "sinkholes", required_argument, NULL, 'S' }, { "cloud", required_argument, NULL, 'C' },
		{ "residential", required_argument, NULL, 'R' }, { "tor", required_argument, NULL, 'T' },
		{ "home", required_argument, NULL, 'H' }, { "top", required_argument, NULL, 'n' },
		{ "events-csv", required_argument, NULL, 'E' },
		{ "output", required_argument, NULL, 'o' }, { NULL, 0, NULL, 0 } };
	struct c2c_geo *geo = NULL;
	struct c2c_refdata *ref = NULL;
	struct c2c_infra *x = NULL;
	struct c2c_infra_result r;
	struct c2c_infra_opts o;
	struct c2c_host_map hm;
	struct c2c_diag diag = { 0 };
	struct c2c_buf b;
	const char *outp = NULL, *events = NULL;
	json_t *findings = NULL, *doc = NULL, *re = NULL;
	uint64_t top;
	int c, ret = 0;
	c2c_err rc = C2C_OK;

	memset(&r, 0, sizeof(r));
	c2c_host_map_init(&hm);
	c2c_infra_opts_default(&o);
	c2c_buf_init(&b, (size_t)1 << 34);
	if (c2c_geo_new(&geo) != C2C_OK || c2c_refdata_new(&ref) != C2C_OK ||
	    c2c_infra_new(&x) != C2C_OK) {
		ret = cli_fail(C2C_ENOMEM, NULL);
		goto out;
	}
	optind = 1;
	while (ret == 0 && (c = getopt_long(argc, argv, "o:", opts, NULL)) != -1) {
		switch (c) {
		case 'g':
		case 'a':
			rc = c2c_geo_open_db(geo, optarg, c == 'g' ? C2C_GEO_COUNTRY : C2C_GEO_ASN, NULL,
			    &diag);
			break;
		case 'm':
			ret = hostmap_add(&hm, optarg);
			break;
		case 'S':
		case 'C':
		case 'R':
		case 'T':
			rc = c2c_refdata_load(ref,
			    c == 'S'	 ? C2C_REF_SINKHOLE
			    : c == 'C' ? C2C_REF_CLOUD
			    : c == 'R' ? C2C_REF_RESIDENTIAL
				       : C2C_REF_TOR_EXIT,
			    optarg, NULL, &diag);
			break;
		case 'H':
			if (strlen(optarg) != 2) {
				ret = cli_usage_error(&cli_cmd_geodb, "--home: a two-letter country");
				break;
			}
			o.home_country[0] = (char)(optarg[0] & ~0x20);
			o.home_country[1] = (char)(optarg[1] & ~0x20);
			break;
		case 'n':
			if (parse_u64(optarg, &top) != 0 || top == 0 || top > 1000)
				ret = cli_usage_error(&cli_cmd_geodb, "--top: 1 to 1000");
			else
				o.top_n = (uint32_t)top;
			break;
		case 'E':
			events = optarg;
			break;
		case 'o':
			outp = optarg;
			break;
		default:
			ret = cli_usage_error(&cli_cmd_geodb, "bad option");
			break;
		}
		if (rc != C2C_OK)
			ret = cli_fail(rc, &diag);
	}
	if (ret != 0)
		goto out;
	if (optind + 1 != argc) {
		ret = cli_usage_error(&cli_cmd_geodb, "matrix needs one FINDINGS file");
		goto out;
	}
	o.geo = c2c_geo_db_count(geo) > 0 ? geo : NULL;
	o.ref = c2c_refdata_list_count(ref) > 0 ? ref : NULL;
	rc = c2c_host_map_index(&hm);
	o.host_map = hm.v;
	o.n_host_map = hm.n;
	o.host_map_parent = hm.parent;
	if (rc == C2C_OK)
		rc = load_findings(argv[optind], &findings, &diag);
	for (size_t i = 0; rc == C2C_OK && i < json_array_size(findings); i++)
		rc = c2c_infra_add_finding(x, json_array_get(findings, i), &diag);
	if (rc == C2C_OK)
		rc = c2c_infra_build(x, &o, &r, &diag);
	/* Check our own arithmetic the way verify will: recount from the cited findings. */
	if (rc == C2C_OK)
		rc = c2c_matrix_recount(findings, r.infrastructure, &o, &re, &diag);
	if (rc == C2C_OK)
		rc = c2c_matrix_check(r.matrix, re, &diag);
	if (rc == C2C_OK) {
		doc = json_pack("{s:O,s:O,s:O,s:O}", "infrastructure", r.infrastructure,
		    "cluster_edges", r.edges, "clusters", r.clusters, "control_matrix", r.matrix);
		rc = doc != NULL ? c2c_json_canon(doc, &b) : C2C_ENOMEM;
	}
	if (rc == C2C_OK)
		rc = c2c_buf_addc(&b, '\n');
	if (rc == C2C_OK && outp != NULL)
		rc = c2c_file_write_atomic(outp, b.data, b.len, &diag);
	else if (rc == C2C_OK && fwrite(b.data, 1, b.len, stdout) != b.len)
		rc = c2c_diag_errno(&diag, C2C_EIO, "stdout", "write");
	if (rc == C2C_OK && events != NULL) {
		c2c_buf_reset(&b);
		rc = c2c_events_csv(findings, r.infrastructure, &o, &b, &diag);
		if (rc == C2C_OK)
			rc = c2c_file_write_atomic(events, b.data, b.len, &diag);
	}
	if (rc != C2C_OK) {
		ret = cli_fail(rc, &diag);
		goto out;
	}
	fprintf(stderr,
	    "c2chain geodb matrix: %llu findings used, %llu skipped; %zu C2 endpoints, %zu edges, "
	    "%zu clusters; recount agrees\n%s\n",
	    (unsigned long long)r.findings_used, (unsigned long long)r.findings_skipped,
	    json_array_size(r.infrastructure), json_array_size(r.edges),
	    json_array_size(r.clusters),
	    json_string_value(json_object_get(json_object_get(r.matrix, "result"), "statement")));
out:
	json_decref(doc);
	json_decref(re);
	json_decref(findings);
	c2c_infra_result_fini(&r);
	c2c_infra_free(x);
	c2c_refdata_free(ref);
	c2c_geo_free(geo);
	c2c_host_map_fini(&hm);
	c2c_buf_fini(&b);
	return ret;
}

static int
run(int argc, char **argv)
{
	if (argc < 2)
		return cli_usage_error(&cli_cmd_geodb, "missing action (build, lookup, info, matrix)");
	if (strcmp(argv[1], "build") == 0)
		return geodb_build(argc - 1, argv + 1);
	if (strcmp(argv[1], "lookup") == 0)
		return geodb_lookup(argc - 1, argv + 1);
	if (strcmp(argv[1], "info") == 0)
		return geodb_info(argc - 1, argv + 1);
	if (strcmp(argv[1], "matrix") == 0)
		return geodb_matrix(argc - 1, argv + 1);
	return cli_usage_error(&cli_cmd_geodb, "unknown action '%s'", argv[1]);
}

const struct cli_cmd cli_cmd_geodb = {
	"geodb",
	run,
	"build, inspect and query MaxMind DB files; country control matrix",
	"usage: c2chain geodb build -o OUT.mmdb [--type country|asn|both] [options] CSV...\n"
	"       c2chain geodb lookup [--record] DB IP... (- reads addresses from stdin)\n"
	"       c2chain geodb info DB\n"
	"       c2chain geodb matrix [options] FINDINGS\n"
	"\n"
	"build   Write a MaxMind DB (format 2.0; IPv6 tree, IPv4 under ::/96, aliased from\n"
	"        ::ffff:0:0/96 and 2002::/16) from CSV rows cidr,country[,asn,organisation]\n"
	"        (IPv4/IPv6, RFC 4180 quoting, '#' comments, optional header, gzip ok). The\n"
	"        most specific network wins. Output is atomic and independent of row order.\n"
	"  -o, --output FILE      the database to write (required)\n"
	"  -t, --type KIND        country (default), asn (needs the asn column) or both\n"
	"  --database-type NAME   metadata database_type (default c2chain-Country, -ASN, ...)\n"
	"  --build-epoch SECONDS  > 0; default $SOURCE_DATE_EPOCH, else the newest CSV mtime\n"
	"  --description TEXT     metadata description (en)\n"
	"  --on-conflict POLICY   a network twice with different data: error (default), or\n"
	"                         first (keep the earlier file/line, count the others)\n"
	"\n"
	"lookup  Verify DB completely, then print 'IP<TAB>COUNTRY<TAB>ASN<TAB>ORGANISATION'\n"
	"        per address ('-' unknown). DB must carry country or ASN fields.\n"
	"  -r, --record           print the full record as JSON {ip, prefix_len, record}\n"
	"                         instead; any valid MaxMind DB is accepted\n"
	"\n"
	"info    Verify DB and print its pin and shape as JSON (sha256, size, type,\n"
	"        build_epoch, ip_version, record_size, node_count, data_records, provides).\n"
	"\n"
	"matrix  From L1 findings (JSON array or JSON lines; docs/findings.md) build the\n"
	"        infrastructure objects, cluster edges, clusters and the country control\n"
	"        matrix, recount the matrix from the findings (fail unless equal) and write\n"
	"        {infrastructure, cluster_edges, clusters, control_matrix} as canonical JSON;\n"
	"        the statistic sentence goes to stderr (docs/infrastructure.md).\n"
	"  --geo DB, --asn DB     country / ASN databases (repeatable; first answer wins)\n"
	"  --host-map CC:FILE     hosts in these CIDRs (one per line; or CC:CIDR) are in\n"
	"                         country CC; longest prefix wins; others located by --geo\n"
	"  --sinkholes F, --cloud F, --residential F, --tor F\n"
	"                         role reference lists (MISP warninglist, CIDR, ASN, Tor exit)\n"
	"  --home CC              country of the statistic (default: most controlled hosts)\n"
	"  --top N                rows in the top-N tables (default 10)\n"
	"  --events-csv FILE      also write Shadowserver sinkhole-event CSV\n"
	"  -o, --output FILE      write there (atomically) instead of stdout\n"
	"\n"
	"Exit status: 0 ok; 1 recount disagrees; 64 usage; 65 corrupt or unusable database,\n"
	"bad CSV row, finding or address; 66 missing input; 74 I/O error.\n",
};
