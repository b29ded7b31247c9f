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

static int
run(int argc, char **argv)
{
	if (argc < 2)
		return cli_usage_error(&cli_cmd_geodb, "missing action (build, lookup, info)");
	if (strcmp(argv[1], "build") == 0)
		return geodb_build(argc - 1, argv + 1);
	if (strcmp(argv[1], "lookup") == 0)
		return geodb_lookup(argc - 1, argv + 1);
	if (strcmp(argv[1], "info") == 0)
		return geodb_info(argc - 1, argv + 1);
	return cli_usage_error(&cli_cmd_geodb, "unknown action '%s'", argv[1]);
}

const struct cli_cmd cli_cmd_geodb = {
	"geodb",
	run,
	"build, inspect and query MaxMind DB (MMDB) files",
	"usage: c2chain geodb build -o OUT.mmdb [--type country|asn|both] [options] CSV...\n"
	"       c2chain geodb lookup [--record] DB IP... (or - to read addresses from stdin)\n"
	"       c2chain geodb info DB\n"
	"\n"
	"build   Write a MaxMind DB (binary format 2.0, IPv6 tree with IPv4 under ::/96 and\n"
	"        aliased from ::ffff:0:0/96 and 2002::/16) from CSV rows\n"
	"            cidr,country[,asn,organisation]\n"
	"        IPv4 and IPv6 networks; RFC 4180 quoting; '#' comments; an optional header\n"
	"        line starting with 'cidr' or 'network'; gzip input is read too. The most\n"
	"        specific network wins; the same network twice with different data is an\n"
	"        error naming both lines (see --on-conflict). The output is written atomically\n"
	"        and depends only on the set of rows, not their order (except which row wins\n"
	"        a conflict under --on-conflict first).\n"
	"          -o, --output FILE       the database to write (required)\n"
	"          -t, --type KIND         country (default): {\"country\":{\"iso_code\":CC}};\n"
	"                                  asn: autonomous_system_number/_organization\n"
	"                                  (needs the asn column); both: all three\n"
	"          --database-type NAME    metadata database_type (default c2chain-Country,\n"
	"                                  c2chain-ASN or c2chain-Country-ASN)\n"
	"          --build-epoch SECONDS   metadata build_epoch, > 0 (default\n"
	"                                  $SOURCE_DATE_EPOCH, else the newest CSV's\n"
	"                                  modification time); fix it for reproducible bytes\n"
	"          --description TEXT      metadata description (en)\n"
	"          --on-conflict POLICY    one network given twice with different data:\n"
	"                                  error (default) or first (keep the row from the\n"
	"                                  earlier file / earlier line; the others are\n"
	"                                  counted in the summary)\n"
	"        A summary (networks, duplicates, nodes, record size, SHA-256) goes to stderr.\n"
	"\n"
	"lookup  Open DB (verified completely: every tree record and data record) and print,\n"
	"        per address, 'IP<TAB>COUNTRY<TAB>ASN<TAB>ORGANISATION' ('-' when unknown).\n"
	"        The database must carry country or ASN fields.\n"
	"          -r, --record            print the full record instead, one JSON object per\n"
	"                                  line: {\"ip\",\"prefix_len\",\"record\"}; any valid\n"
	"                                  MaxMind DB is accepted\n"
	"\n"
	"info    Verify DB and print its pin and shape as JSON: sha256, size, type,\n"
	"        build_epoch, build_time, ip_version, record_size, node_count, data_records,\n"
	"        provides (country, asn).\n"
	"\n"
	"Exit status: 0 ok; 64 usage; 65 corrupt or unusable database, bad CSV row or bad\n"
	"address; 66 missing input; 74 I/O error.\n",
};
